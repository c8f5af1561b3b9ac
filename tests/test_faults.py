"""Storage faults made to happen for real, and the one sentence each gets (services/faults.py).

How the faults are made here:
- a full disk: a small tmpfs mounted for the test and filled with a filler file;
- a read-only folder: the same tmpfs remounted `ro`. (chmod 0555 does not stop root, who runs these
  tests in CI; a read-only mount stops everybody.)
Both need the right to mount (root / CAP_SYS_ADMIN); without it these tests are skipped, saying why.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import add_cli_accounts
from desktop.models import Town
from desktop.services import faults
from desktop.services.db import integrity_check, open_database
from desktop.services.errors import DatabaseError, UserError
from desktop.services.ledger import Ledger
from desktop.services.towns import town_service

ROOT = Path(__file__).resolve().parent.parent
ZZB = ROOT / ".venv" / "bin" / "zzb"
DISK_FULL_DB = "磁盘空间已满，数据库无法写入"
READ_ONLY_DB = "无法打开或写入数据库"
NOT_A_DB = "文件已损坏或不是数据库"
CLERK = {"ZZB_USER": "clerk"}  # exporting a packet is the clerk's work


class SmallDisk:
    """A tmpfs of a few MB: fill() leaves no free byte, free() gives the space back, read_only() remounts it."""

    def __init__(self, path: Path):
        self.path = path
        self.filler = path / "filler.bin"

    def fill(self) -> None:
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            size = 1 << 16
            while size:
                try:
                    os.write(fd, b"\0" * size)
                except OSError:
                    size //= 2  # down to the last byte that fits
        finally:
            os.close(fd)
        assert shutil.disk_usage(self.path).free == 0

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)

    def read_only(self) -> None:
        _mount("-o", "remount,ro", str(self.path))


def _mount(*args: str) -> None:
    proc = subprocess.run(["mount", *args], capture_output=True, text=True)
    if proc.returncode:
        pytest.skip(f"cannot mount here ({' '.join(args)}): {proc.stderr.strip()}")


@pytest.fixture
def disk(tmp_path):
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("making a real full or read-only file system needs root and mount (tmpfs)")
    path = tmp_path / "disk"
    path.mkdir()
    _mount("-t", "tmpfs", "-o", "size=4m", "tmpfs", str(path))
    yield SmallDisk(path)
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


@pytest.fixture
def zzb(tmp_path):
    """Run the console script with a writable data folder; return (exit code, stdout, stderr)."""

    def run(*argv, data_dir: Path | None = None, env_extra: dict | None = None):
        env = {**os.environ, "ZZB_DATA_DIR": str(data_dir or tmp_path / "userdata"), **(env_extra or {})}
        env.pop("ZZB_DB", None)
        proc = subprocess.run([str(ZZB), *map(str, argv)], capture_output=True, text=True, env=env, timeout=120)
        assert "Traceback" not in proc.stderr + proc.stdout
        return proc.returncode, proc.stdout, proc.stderr.strip()

    return run


# ---- a full disk ----------------------------------------------------------------------------


def test_a_write_onto_a_full_disk_says_so_and_leaves_the_ledger_whole(disk, template_db):
    path = shutil.copy(template_db, disk.path / "ledger.sqlite3")
    db = Ledger(open_database(path))
    try:
        town_service.create_town(db, "甲镇")
        disk.fill()
        with pytest.raises(DatabaseError) as caught:
            with db.session() as s:  # one unit of work big enough to need new pages
                s.add_all([Town(name=f"镇{i:04d}" + "名" * 30, sort_order=i + 2) for i in range(3000)])
        assert caught.value.message.startswith(DISK_FULL_DB)
        assert NOT_A_DB not in caught.value.message
        disk.free()
        with db.reader() as s:
            assert s.scalar(select(func.count(Town.id))) == 1  # nothing of the failed unit landed
        assert integrity_check(db.database) == ["ok"]
    finally:
        db.dispose()


def test_opening_a_healthy_ledger_on_a_full_disk_says_disk_full_not_damaged(disk, template_db, zzb):
    path = add_cli_accounts(shutil.copy(template_db, disk.path / "ledger.sqlite3"))
    disk.fill()
    code, _out, err = zzb("--db", path, "deadlines")
    assert code == 1
    assert err.startswith(DISK_FULL_DB) and NOT_A_DB not in err
    with pytest.raises(DatabaseError) as caught:
        open_database(path)
    assert caught.value.message.startswith(DISK_FULL_DB)
    disk.free()
    code, out, _err = zzb("--db", path, "check", "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] and report["counts"]["towns"] == 0


def test_export_packet_onto_a_full_disk_is_one_sentence_and_leaves_no_part_file(disk, demo_db_path, zzb):
    add_cli_accounts(demo_db_path)
    town = sqlite3.connect(demo_db_path).execute("SELECT name FROM town ORDER BY id LIMIT 1").fetchone()[0]
    disk.fill()
    out = disk.path / "数据包.xlsx"
    code, _out, err = zzb("--db", demo_db_path, "export-packet", "--town", town, "--year", 2024, "-o", out,
                          env_extra=CLERK)
    assert (code, err) == (1, f"无法写入“{out}”：磁盘空间已满。请清理磁盘或另选一个位置。")
    assert sorted(p.name for p in disk.path.iterdir()) == ["filler.bin"]


def test_a_backup_onto_a_full_disk_says_disk_full(disk, db_path, zzb):
    add_cli_accounts(db_path)
    disk.fill()
    target = disk.path / "备份.sqlite3"
    code, _out, err = zzb("--db", db_path, "backup", "-o", target)
    assert code == 1
    assert err == f"备份失败：无法写入“{target}”：磁盘空间已满。请清理磁盘或另选一个位置。"
    assert not target.exists()


def test_the_cli_survives_a_data_folder_on_a_full_disk(disk, db_path, zzb):
    """The log file cannot grow either: the message is still one line, no traceback."""
    data = disk.path / "userdata"
    data.mkdir()
    disk.fill()
    code, _out, err = zzb("--db", disk.path / "missing" / "x.sqlite3", "check", data_dir=data)
    assert code == 1 and err.startswith("数据库文件不存在")


# ---- a read-only folder ---------------------------------------------------------------------


def test_a_ledger_in_a_read_only_folder_says_read_only_not_damaged(disk, template_db, zzb):
    path = add_cli_accounts(shutil.copy(template_db, disk.path / "ledger.sqlite3"))
    disk.read_only()
    code, _out, err = zzb("--db", path, "check")
    assert code == 1
    assert err == (f"{READ_ONLY_DB}（{path}）：文件或所在文件夹是只读的，或当前用户没有写入权限。已有数据未受影响；"
                   "请把数据库放在可写的文件夹中，或请管理员开放权限。")
    with pytest.raises(DatabaseError, match=f"^{READ_ONLY_DB}"):
        open_database(path)


def test_export_into_a_read_only_folder_asks_for_another_folder(disk, demo_db_path, zzb):
    add_cli_accounts(demo_db_path)
    town = sqlite3.connect(demo_db_path).execute("SELECT name FROM town ORDER BY id LIMIT 1").fetchone()[0]
    disk.read_only()
    out = disk.path / "数据包.xlsx"
    code, _out, err = zzb("--db", demo_db_path, "export-packet", "--town", town, "--year", 2024, "-o", out,
                          env_extra=CLERK)
    assert code == 1
    assert err == f"无法写入“{out}”：没有写入权限（文件夹或磁盘只读，或文件正被 Excel/WPS 打开）。请另选一个文件夹。"


# A child that fails unexpectedly (the check service raises), so the CLI has to write its log.
UNEXPECTED = """
import os, sys, tempfile
tempfile.tempdir = os.environ["TMPDIR"]  # this temp folder, even when it cannot be written
from desktop import cli
from desktop.services import maintenance_service
def broken(*_a, **_k):
    raise RuntimeError("模拟的程序错误")
maintenance_service.check = broken
sys.argv = ["zzb", "--db", sys.argv[1], "check"]
sys.exit(cli.main())
"""


def _run_unexpected(db_path, data_dir, tmp_dir):
    add_cli_accounts(db_path)
    env = {**os.environ, "ZZB_DATA_DIR": str(data_dir), "TMPDIR": str(tmp_dir)}
    env.pop("ZZB_DB", None)
    return subprocess.run([sys.executable, "-c", UNEXPECTED, str(db_path)], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)


def test_a_read_only_data_folder_logs_to_the_temp_folder_without_a_second_traceback(disk, db_path, tmp_path):
    data = disk.path / "userdata"
    data.mkdir()
    disk.read_only()
    temp = tmp_path / "temp"
    temp.mkdir()
    proc = _run_unexpected(db_path, data, temp)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == f"内部错误：模拟的程序错误（详情见日志 {temp / 'zzb.log'}）"
    assert "RuntimeError: 模拟的程序错误" in (temp / "zzb.log").read_text(encoding="utf-8")


def test_when_no_log_can_be_written_the_message_says_so(disk, db_path):
    (disk.path / "userdata").mkdir()
    (disk.path / "temp").mkdir()
    disk.read_only()
    proc = _run_unexpected(db_path, disk.path / "userdata", disk.path / "temp")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == "内部错误：模拟的程序错误（日志文件也无法写入）"


# ---- what is not a disk fault ---------------------------------------------------------------


def test_a_file_that_is_not_a_database_is_still_called_that(tmp_path, zzb):
    path = tmp_path / "notes.sqlite3"
    path.write_text("这不是数据库，是一份会议记录。\n" * 200, encoding="utf-8")
    code, _out, err = zzb("--db", path, "check")
    assert code == 1
    assert err.startswith(f"无法打开数据库 {path}：{NOT_A_DB}")


@pytest.mark.parametrize("exc,fault", [
    (sqlite3.OperationalError("database or disk is full"), faults.DISK_FULL),
    (sqlite3.OperationalError("attempt to write a readonly database"), faults.READ_ONLY),
    (sqlite3.OperationalError("database is locked"), faults.BUSY),
    (sqlite3.DatabaseError("file is not a database"), faults.NOT_A_DATABASE),
    (OSError(28, "No space left on device"), faults.DISK_FULL),
    (OSError(30, "Read-only file system"), faults.READ_ONLY),
    (PermissionError(13, "Permission denied"), faults.READ_ONLY),
    (ValueError("something else"), None),
])
def test_faults_are_told_apart_by_code_and_message(exc, fault):
    assert faults.kind(exc) == fault


def test_an_error_raised_while_handling_a_full_disk_is_not_taken_for_one():
    try:
        try:
            raise OSError(28, "No space left on device")
        except OSError:
            raise KeyError("unrelated")
    except KeyError as exc:
        assert faults.kind(exc) is None
        assert faults.user_error(exc) is None


# ---- the window ----------------------------------------------------------------------------


def test_the_window_shows_the_disk_full_sentence_for_a_raw_storage_error(qtbot, disk, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from desktop.views.kit.worker import show_error

    con = sqlite3.connect(disk.path / "raw.sqlite3")
    con.execute("CREATE TABLE t (x TEXT)")
    con.commit()
    disk.fill()
    with pytest.raises(sqlite3.OperationalError) as caught:  # a raw error, as a job outside the services would meet
        con.executemany("INSERT INTO t VALUES (?)", [("x" * 4000,)] * 2000)
        con.commit()
    con.close()
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(("warning", text)))
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(("critical", text)))
    show_error(None, caught.value)
    assert len(shown) == 1 and shown[0][0] == "warning"
    assert shown[0][1].startswith(DISK_FULL_DB)


def test_the_window_still_apologises_for_a_plain_bug(qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from desktop.views.kit.worker import show_error

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(("warning", text)))
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(("critical", text)))
    show_error(None, KeyError("x"))
    show_error(None, UserError("请填写名称"))
    assert shown == [("critical", "操作未完成，数据未改动。\n\nKeyError: 'x'"), ("warning", "请填写名称")]
