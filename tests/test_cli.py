"""`zzb`: exit codes 0/1/2, Chinese messages, never a traceback, no Qt loaded."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from contextlib import closing
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.services.db import head_revision

ROOT = Path(__file__).resolve().parent.parent
ZZB = ROOT / ".venv" / "bin" / "zzb"
FIXTURES = ROOT / "tests" / "fixtures"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _sql(path: Path, statement: str) -> None:
    con = sqlite3.connect(path)
    try:
        con.execute(statement)
        con.commit()
    finally:
        con.close()


def _count(path: Path, table: str) -> int:
    """Rows of `table` in a database, or in the database inside a backup file."""
    if zipfile.is_zipfile(path):
        inner = path.with_name(path.name + ".db")
        with zipfile.ZipFile(path) as z:
            inner.write_bytes(z.read("ledger.sqlite3"))
        path = inner
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def _last_action(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def demo_path(cli_db_path, capsys) -> Path:
    code, _, _ = run(capsys, "--db", cli_db_path, "demo", "--enterprises", 120, "--seed", 5)
    assert code == 0
    return cli_db_path


# ---- usage ----------------------------------------------------------------------------------


def test_help_is_in_chinese_and_exits_0(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "用法" in out and "示例数据" in out and "restore" in out


@pytest.mark.parametrize("argv", [
    ["bogus"],
    ["demo", "--enterprises", "many"],
    ["demo", "--enterprises", "-5"],
    ["restore"],
    ["check", "--no-such-option"],
])
def test_usage_errors_exit_2(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert "用法" in err and "错误" in err
    assert "Traceback" not in err


def test_python_dash_m_desktop_help_works():
    proc = subprocess.run([sys.executable, "-m", "desktop", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "用法：zzb" in proc.stdout or "用法：" in proc.stdout


# ---- init / demo ----------------------------------------------------------------------------


def test_init_creates_a_new_database_then_finds_it(capsys, tmp_path):
    path = tmp_path / "new" / "ledger.sqlite3"
    code, out, _ = run(capsys, "--db", path, "init", "--admin", "admin")
    assert code == 0 and path.exists()
    assert str(path) in out and "已新建数据库文件" in out and "已写入首个年度参数" in out
    code, out, _ = run(capsys, "--db", path, "init")
    assert code == 0 and "无需写入" in out and "已新建" not in out
    assert _count(path, "year") == 1 and _count(path, "department") == 21


def test_default_database_comes_from_zzb_db(capsys, tmp_path, monkeypatch):
    path = tmp_path / "from-env.sqlite3"
    monkeypatch.setenv("ZZB_DB", str(path))
    code, out, _ = run(capsys, "init", "--admin", "admin")
    assert code == 0 and path.exists() and str(path) in out


def test_default_database_lives_in_the_user_data_folder(capsys, tmp_path):
    code, out, _ = run(capsys, "init", "--admin", "admin")
    expected = tmp_path / "userdata" / "ledger.sqlite3"  # conftest points ZZB_DATA_DIR there
    assert code == 0 and expected.exists() and str(expected) in out


def test_demo_fills_an_empty_database(capsys, cli_db_path):
    code, out, err = run(capsys, "--db", cli_db_path, "demo", "--enterprises", 200)
    assert code == 0, err
    assert "已载入示例数据" in out and "企业 180 家" in out and "地块 20 宗" in out
    assert _count(cli_db_path, "target") == 200 and _count(cli_db_path, "town") == 12


def test_demo_initialises_a_brand_new_file_first(capsys, tmp_path):
    path = tmp_path / "fresh.sqlite3"
    code, _, err = run(capsys, "--db", path, "demo", "--admin", "admin", "--enterprises", 30)
    assert code == 0, err
    # The demo year, plus the year two before it that holds the quota pool's history (demo_quota).
    assert _count(path, "year") == 2 and _count(path, "target") == 30


def test_demo_on_a_database_with_data_is_refused_and_writes_nothing(capsys, demo_path):
    before = (_count(demo_path, "target"), _count(demo_path, "audit_log"))
    code, out, err = run(capsys, "--db", demo_path, "demo")
    assert code == 1
    assert "已有数据" in err and "Traceback" not in err
    # Only the administrator's login is recorded (every login is).
    assert (_count(demo_path, "target"), _count(demo_path, "audit_log") - 1) == before
    assert _last_action(demo_path) == "login"


# ---- check ----------------------------------------------------------------------------------


def test_check_json_after_demo(capsys, demo_path):
    code, out, _ = run(capsys, "--db", demo_path, "check", "--json")
    assert code == 0
    report = json.loads(out)
    assert set(report) >= {"database", "ok", "integrity", "schema", "counts", "audit_chain"}
    assert report["ok"] is True and report["database"] == str(demo_path)
    assert report["integrity"] == {"ok": True, "messages": ["ok"]}
    assert report["schema"] == {"current": head_revision(), "head": head_revision(), "ok": True}
    counts = report["counts"]
    # years: the demo year and the quota pool's history year two before it (demo_quota).
    assert counts["towns"] == 12 and counts["targets"] == 120 and counts["years"] == 2
    assert counts["enterprises"] + counts["parcels"] == 120 and counts["parcels"] == 12
    assert counts["parks"] >= 12 and counts["list_entries"] > 0 and counts["audit_records"] >= 2
    chain = report["audit_chain"]
    assert chain["ok"] is True and chain["first_broken_id"] is None and chain["message"].startswith("日志完整")


def test_check_text_report_and_broken_audit_chain_exits_1(capsys, demo_path):
    code, out, _ = run(capsys, "--db", demo_path, "check")
    assert code == 0 and "结论：正常" in out and "镇街 12" in out
    _sql(demo_path, "DROP TRIGGER audit_log_no_update")  # someone with the file drops the guard first
    _sql(demo_path, "UPDATE audit_log SET user = 'mallory' WHERE id = (SELECT min(id) FROM audit_log)")
    code, out, err = run(capsys, "--db", demo_path, "check")
    assert code == 1 and "哈希链" in err and "断裂" in out
    code, out, _ = run(capsys, "--db", demo_path, "check", "--json")
    assert code == 1 and json.loads(out)["audit_chain"]["ok"] is False


def test_check_of_an_older_database_exits_1_and_leaves_it_old(capsys, tmp_path):
    path = tmp_path / "old.sqlite3"
    shutil.copyfile(FIXTURES / "ledger-0001.sqlite3", path)
    code, out, err = run(capsys, "--db", path, "check", "--json")
    # An old database has no account yet: refused before anything is read or written.
    assert code == 1 and "尚未建立管理员账户，请先运行 zzb init --admin 用户名" in err
    con = sqlite3.connect(path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    con.close()


def test_check_of_a_missing_file_exits_1_without_creating_it(capsys, tmp_path):
    path = tmp_path / "nothing.sqlite3"
    code, _, err = run(capsys, "--db", path, "check")
    assert code == 1 and "不存在" in err and not path.exists()


def test_check_accepts_db_after_the_command(capsys, cli_db_path):
    code, out, _ = run(capsys, "check", "--db", cli_db_path)
    assert code == 0 and str(cli_db_path) in out


# ---- backup / restore -----------------------------------------------------------------------


def test_backup_to_the_default_folder_and_to_a_file(capsys, demo_path, tmp_path):
    code, out, _ = run(capsys, "--db", demo_path, "backup")
    assert code == 0
    default = next((tmp_path / "userdata" / "backups").glob("ledger-*.zzbak"))
    assert str(default) in out and _count(default, "target") == 120
    dest = tmp_path / "copy.zzbak"
    code, out, _ = run(capsys, "--db", demo_path, "backup", "-o", dest)
    assert code == 0 and str(dest) in out and _count(dest, "target") == 120
    code, _, err = run(capsys, "--db", demo_path, "backup", "-o", dest)
    assert code == 1 and "已存在" in err


def test_backup_of_a_postgresql_url_points_to_the_server_tool(capsys):
    code, out, err = run(capsys, "--db", "postgresql://clerk:secret@localhost:1/ledger", "backup")
    assert code == 1 and "pg_dump" in err and "secret" not in err + out


def test_backup_change_restore_round_trip(capsys, demo_path, tmp_path):
    saved = tmp_path / "saved.zzbak"
    assert run(capsys, "--db", demo_path, "backup", "-o", saved)[0] == 0
    _sql(demo_path, "DELETE FROM evaluation")
    assert _count(demo_path, "evaluation") == 0
    code, out, err = run(capsys, "--db", demo_path, "restore", saved)
    assert code == 0, err
    assert "已先备份当前数据库" in out and "已记入操作日志" in out
    assert _count(demo_path, "evaluation") == _count(saved, "evaluation") > 0
    safety = next((tmp_path / "userdata" / "backups").glob("ledger-before-restore-*.zzbak"))
    assert _count(safety, "evaluation") == 0
    assert run(capsys, "--db", demo_path, "check")[0] == 0


def test_restore_of_an_older_backup_says_it_upgraded(capsys, cli_db_path):
    # --force: the kept 0001 file's one audit row has an empty hash (issue 9, mended by the audit part)
    code, out, _ = run(capsys, "--db", cli_db_path, "restore", FIXTURES / "ledger-0001.sqlite3", "--force")
    assert code == 0 and "0001" in out and head_revision() in out


def test_backup_and_restore_carry_the_attachments(capsys, cli_db_path, tmp_path):
    from desktop.services import attachment_service
    from desktop.services.ledger import open_ledger

    scan = tmp_path / "扫描件.pdf"
    scan.write_bytes(b"%PDF scan" * 300)
    ledger = open_ledger(cli_db_path)
    row = attachment_service.attach(ledger, "agreement", 1, scan)
    ledger.dispose()
    saved = tmp_path / "saved.zzbak"
    code, out, _ = run(capsys, "--db", cli_db_path, "backup", "-o", saved)
    assert code == 0 and "含附件 1 个" in out
    attachment_service.stored_path(row.sha256).unlink()  # the PC lost its attachment
    code, out, err = run(capsys, "--db", cli_db_path, "restore", saved)
    assert code == 0, err
    assert "已恢复附件文件 1 个" in out
    assert attachment_service.stored_path(row.sha256).read_bytes() == scan.read_bytes()


def test_restore_of_a_file_whose_log_was_edited_needs_force(capsys, cli_db_path, tmp_path):
    spoiled = tmp_path / "spoiled.sqlite3"
    shutil.copyfile(cli_db_path, spoiled)
    _sql(spoiled, "DROP TRIGGER audit_log_no_update")  # someone with the file drops the guard first
    _sql(spoiled, "UPDATE audit_log SET user = '别人' WHERE id = (SELECT min(id) FROM audit_log)")
    before = _ledger_rows(cli_db_path)
    code, out, err = run(capsys, "--db", cli_db_path, "restore", spoiled)
    assert code == 1 and "操作日志未通过校验" in err and "--force" in err
    assert _ledger_rows(cli_db_path) == before  # only the administrator's login was recorded
    code, out, err = run(capsys, "--db", cli_db_path, "restore", spoiled, "--force")
    assert code == 0 and "警告" in err and "操作日志未通过校验" in err


def _ledger_rows(path: Path) -> list[str]:
    """Every row of the file but the log and the accounts' login bookkeeping."""
    with closing(sqlite3.connect(path)) as con:
        return [line for line in con.iterdump()
                if not line.startswith(('INSERT INTO "audit_log"', 'INSERT INTO "audit_tip"', 'INSERT INTO "app_user"'))]


def _text_file(tmp_path: Path) -> Path:
    path = tmp_path / "readme.txt"
    path.write_text("不是数据库", encoding="utf-8")
    return path


def _foreign_db(tmp_path: Path) -> Path:
    path = tmp_path / "other-app.sqlite3"
    _sql(path, "CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT)")
    return path


def _future_db(tmp_path: Path, template: Path) -> Path:
    path = tmp_path / "future.sqlite3"
    shutil.copyfile(template, path)
    _sql(path, "UPDATE alembic_version SET version_num = '9999_from_the_future'")
    return path


@pytest.mark.parametrize("make, message", [
    (lambda tmp, tpl: _text_file(tmp), "不是 SQLite 数据库"),
    (lambda tmp, tpl: _foreign_db(tmp), "不是本程序的数据库"),
    (lambda tmp, tpl: _future_db(tmp, tpl), "更新版本"),
])
def test_restore_refuses_bad_files_with_exit_1_and_touches_nothing(capsys, make, message, demo_path, template_db,
                                                                   tmp_path):
    source = make(tmp_path, template_db)
    before = demo_path.read_bytes()
    code, out, err = run(capsys, "--db", demo_path, "restore", source)
    assert code == 1
    assert message in err and "Traceback" not in err
    assert demo_path.read_bytes() == before
    assert not (tmp_path / "userdata" / "backups").exists() or not any((tmp_path / "userdata" / "backups").iterdir())


# ---- errors ---------------------------------------------------------------------------------


def test_an_unexpected_error_is_logged_not_shown_as_a_traceback(capsys, cli_db_path, tmp_path, monkeypatch):
    def broken_connect(*_args, **_kwargs):
        raise RuntimeError("模拟的磁盘故障")

    monkeypatch.setattr(sqlite3, "connect", broken_connect)
    code, out, err = run(capsys, "--db", cli_db_path, "check")
    monkeypatch.undo()
    assert code == 1
    assert err.startswith("内部错误：模拟的磁盘故障") and "zzb.log" in err and "Traceback" not in err
    log = (tmp_path / "userdata" / "zzb.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "RuntimeError: 模拟的磁盘故障" in log


def test_a_database_that_is_not_ours_is_a_clear_message(capsys, tmp_path):
    path = _text_file(tmp_path)
    code, _, err = run(capsys, "--db", path, "check")
    assert code == 1 and ("不是数据库" in err or "损坏" in err) and "Traceback" not in err


# ---- no Qt, real console script ------------------------------------------------------------


def test_importing_and_running_the_cli_loads_no_pyside6(cli_db_path):
    code = (
        "import sys\n"
        "import desktop.cli\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'on import'\n"
        f"rc = desktop.cli.main(['--db', {str(cli_db_path)!r}, 'check'])\n"
        "assert rc == 0, rc\n"
        "bad = sorted(m for m in sys.modules if m.startswith('PySide6'))\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_console_script_end_to_end(tmp_path):
    env = {**os.environ, "ZZB_DATA_DIR": str(tmp_path / "userdata")}
    env.pop("ZZB_DB", None)
    path = tmp_path / "ledger.sqlite3"

    def zzb(*argv):
        return subprocess.run([str(ZZB), "--db", str(path), *argv], capture_output=True, text=True, env=env)

    demo = zzb("demo", "--admin", "admin", "--enterprises", "60", "--seed", "1")
    assert demo.returncode == 0, demo.stderr
    check = zzb("check", "--json")
    assert check.returncode == 0, check.stderr
    assert json.loads(check.stdout)["counts"]["targets"] == 60
    again = zzb("demo")
    assert again.returncode == 1 and "已有数据" in again.stderr and "Traceback" not in again.stderr
    usage = zzb("restore")
    assert usage.returncode == 2


@pytest.mark.parametrize("words", [["gui", "--selftest"], ["--selftest"]])
def test_gui_selftest_opens_the_window_offscreen_and_exits_0(db_path, tmp_path, words):
    env = {**os.environ, "ZZB_DATA_DIR": str(tmp_path / "userdata"), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([str(ZZB), "--db", str(db_path), *words], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "selftest: ok" in proc.stdout
