"""The audit chain cannot be quietly cut or edited: a keyed hash per record, a chain tip written with
every append, triggers refusing UPDATE/DELETE, and a verification that names what is wrong. No Qt here.

Someone who tampers has the ledger file and the program's source, but not the key kept in the
program's settings folder (ZZB_CONFIG_DIR in tests). To tamper they first drop the guarding triggers.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.services import audit, audit_chain, maintenance_service
from desktop.services.db import open_database
from desktop.services.ledger import Ledger
from desktop.services.towns import town_service

from audit_helpers import assert_one_chain, drop_guards, run_two_writers

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def _towns(db, n: int = 5) -> None:
    for i in range(n):
        town_service.create_town(db, f"第{i}镇")


def _tamper(path: Path, *statements: str, params=()) -> None:
    """What someone with the file can do: drop the log's triggers, then run SQL on it."""
    con = sqlite3.connect(path)
    try:
        drop_guards(con)
        for st in statements:
            con.execute(st, params)
        con.commit()
    finally:
        con.close()


def _ids(path: Path) -> list[int]:
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("SELECT id FROM audit_log ORDER BY id")]
    finally:
        con.close()


@pytest.fixture
def db_path(db_path):
    """The test's database file with the CLI's accounts made before any tampering (`zzb` logs in)."""
    from conftest import add_cli_accounts

    return add_cli_accounts(db_path)


def _zzb(capsys, *argv, user: str | None = None) -> tuple[int, str, str]:
    argv = [str(a) for a in argv]
    code = main(argv if user is None else ["--user", user, *argv])
    out, err = capsys.readouterr()
    return code, out, err


# ---- deleting the newest records -------------------------------------------------------------


@pytest.mark.parametrize("deleted", [1, 3, "all"])
def test_deleting_the_newest_records_is_detected_by_zzb_check(db, db_path, capsys, deleted):
    _towns(db)
    ids = _ids(db_path)
    n = len(ids) if deleted == "all" else deleted
    db.dispose()
    _tamper(db_path, f"DELETE FROM audit_log WHERE id >= {ids[-n]}")

    code, out, err = _zzb(capsys, "--db", db_path, "check")
    assert code == 1, out
    assert "删除" in err and str(n) in err, err
    # zzb checked the log before recording its own login; that login record, appended after the deleted ones,
    # now shows the same deletion as a gap before it
    check = audit.check_chain(Ledger(open_database(db_path)))
    assert not check.intact and "删除" in check.message and check.broken_id == max(_ids(db_path))


# ---- an edit with the following hashes recomputed ----------------------------------------------


def _old_digest(prev: str, row: dict) -> str:
    """The unkeyed formula the program used to hash a record (anyone can read it in the source)."""
    payload = json.dumps([prev, row["at"], row["user"], row["action"], row["object_type"], row["object_id"],
                          row["object_label"], row["before"], row["after"], row["result"]],
                         ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _recompute_unkeyed(path: Path, start_id: int) -> None:
    con = sqlite3.connect(path)
    try:
        rows = con.execute("SELECT id, at, user, action, object_type, object_id, object_label, before, after, result,"
                           " prev_hash FROM audit_log WHERE id >= ? ORDER BY id", (start_id,)).fetchall()
        prev = rows[0][10]
        for r in rows:
            at = r[1].replace(" ", "T")
            row = {"at": at, "user": r[2], "action": r[3], "object_type": r[4], "object_id": r[5],
                   "object_label": r[6], "before": json.loads(r[7]) if r[7] else None,
                   "after": json.loads(r[8]) if r[8] else None, "result": r[9]}
            h = _old_digest(prev, row)
            con.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h, r[0]))
            prev = h
        con.commit()
    finally:
        con.close()


def test_an_edited_record_with_the_following_hashes_recomputed_is_detected(db, db_path):
    _towns(db)
    victim = _ids(db_path)[-3]
    db.dispose()
    _tamper(db_path, "UPDATE audit_log SET user = 'mallory' WHERE id = ?", params=(victim,))
    _recompute_unkeyed(db_path, victim)
    check = audit.check_chain(Ledger(open_database(db_path)))
    assert not check.intact and check.broken_id == victim


# ---- the log refuses UPDATE and DELETE -----------------------------------------------------------


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET user = 'mallory' WHERE id = {id}",
                                       "DELETE FROM audit_log WHERE id = {id}",
                                       "DELETE FROM audit_log"])
def test_update_and_delete_on_the_log_are_refused(db, db_path, statement):
    _towns(db, 2)
    last = _ids(db_path)[-1]
    con = sqlite3.connect(db_path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="操作日志"):
            con.execute(statement.format(id=last))
        con.rollback()
    finally:
        con.close()
    assert _ids(db_path)[-1] == last


# ---- the kept 0001 database ------------------------------------------------------------------


def test_the_kept_0001_database_once_upgraded_passes_zzb_check(tmp_path, capsys):
    path = tmp_path / "old.sqlite3"
    shutil.copyfile(FIXTURES / "ledger-0001.sqlite3", path)
    open_database(path, backup_dir=tmp_path).dispose()
    from conftest import add_cli_accounts

    add_cli_accounts(path)
    code, out, err = _zzb(capsys, "--db", path, "check")
    assert code == 0, out + err
    assert "操作日志哈希链：完整" in out


# ---- two writers at once -----------------------------------------------------------------------


def test_two_processes_writing_at_once_on_sqlite_keep_one_chain(db, db_path):
    before = audit.count(db)
    results = run_two_writers(str(db_path))
    assert [r["ok"] for r in results] == [150, 150], [r["errors"] for r in results]
    assert_one_chain(db, before)


def test_zzb_check_reports_an_intact_chain(db, db_path, capsys):
    _towns(db)
    report = maintenance_service.check(db)
    assert report.audit_intact is True and report.ok


# ---- the key ---------------------------------------------------------------------------------


def _meta(path: Path, key: str):
    con = sqlite3.connect(path)
    try:
        row = con.execute("SELECT value FROM ledger_meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None
    finally:
        con.close()


def test_the_key_lives_in_the_settings_folder_owner_only_and_the_ledger_keeps_only_its_id(db, db_path):
    import os
    import stat

    _towns(db, 1)
    key_id = _meta(db_path, audit_chain.KEY_ID)
    path = audit_chain.key_path(key_id)
    assert path.parent.parent == Path(os.environ["ZZB_CONFIG_DIR"])  # never the real config folder
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key_hex = path.read_text().strip()
    assert len(key_hex) == 64 and key_hex.encode() not in db_path.read_bytes()


def test_two_ledgers_get_two_keys(db_path, tmp_path):
    other = open_database(tmp_path / "other.sqlite3", backup_dir=tmp_path)
    other.dispose()
    assert _meta(db_path, audit_chain.KEY_ID) != _meta(tmp_path / "other.sqlite3", audit_chain.KEY_ID)


def test_on_a_pc_without_the_key_verification_says_so_and_nothing_is_written(db, db_path, tmp_path, monkeypatch,
                                                                          capsys):
    _towns(db, 2)
    before = len(_ids(db_path))
    monkeypatch.setenv("ZZB_CONFIG_DIR", str(tmp_path / "another-pc"))
    check = audit.check_chain(db)
    assert not check.intact and check.problem == "no_key" and "本机没有此台账的审计密钥" in check.message
    with pytest.raises(audit_chain.MissingKey, match="本机没有此台账的审计密钥"):
        town_service.create_town(db, "无密钥镇")
    assert len(_ids(db_path)) == before and [t.name for t in town_service.list_towns(db)] == ["第0镇", "第1镇"]
    code, _, err = _zzb(capsys, "--db", db_path, "audit", "verify")
    assert code == 1 and "本机没有此台账的审计密钥" in err


def test_a_forged_chain_and_tip_made_with_another_key_are_detected(db, db_path):
    """Even with the exact formula, recomputing the hashes and the tip needs the key."""
    _towns(db)
    victim = _ids(db_path)[-3]
    db.dispose()
    wrong = bytes(32)
    con = sqlite3.connect(db_path)
    drop_guards(con)
    con.execute("UPDATE audit_log SET user = 'mallory' WHERE id = ?", (victim,))
    rows = con.execute('SELECT id, at, "user", action, object_type, object_id, object_label, before, after, result,'
                       " prev_hash FROM audit_log WHERE id >= ? ORDER BY id", (victim,)).fetchall()
    prev = rows[0][10]
    for r in rows:
        h = audit_chain.link_hash(wrong, prev, audit_chain.at_text(r[1]), *r[2:10])
        con.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h, r[0]))
        prev = h
    count = con.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    con.execute("UPDATE audit_tip SET last_hash = ?, mac = ?", (prev, audit_chain.tip_mac(wrong, rows[-1][0], prev, count)))
    con.commit()
    con.close()
    check = audit.check_chain(Ledger(open_database(db_path)))
    assert not check.intact and check.problem == "edited" and check.broken_id == victim


def test_an_edited_tip_is_detected(db, db_path):
    _towns(db, 2)
    db.dispose()
    _tamper(db_path, "UPDATE audit_tip SET count = count + 1")
    check = audit.check_chain(Ledger(open_database(db_path)))
    assert not check.intact and check.problem == "tip" and "链尾记录被改动" in check.message


def test_an_append_after_deleting_the_newest_records_does_not_heal_the_chain(db, db_path):
    _towns(db, 3)
    last = _ids(db_path)[-1]
    _tamper(db_path, f"DELETE FROM audit_log WHERE id = {last}")
    town_service.create_town(db, "后来镇")
    check = audit.check_chain(db)
    assert not check.intact and check.problem == "edited" and check.broken_id == _ids(db_path)[-1]


# ---- zzb audit verify / export ---------------------------------------------------------------


def test_zzb_audit_verify_exits_0_on_an_intact_chain_with_its_head(db, db_path, capsys):
    _towns(db, 2)
    found, head = len(_ids(db_path)), audit.head_short_hash(db)
    code, out, _ = _zzb(capsys, "--db", db_path, "audit", "verify", "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] is True and report["problem"] is None
    assert report["records"] == found and report["head"] == head  # the log as found, before this login
    assert len(_ids(db_path)) == found + 1 and audit.check_chain(db).intact
    assert len(report["head"]) == 12 and int(report["head"], 16) >= 0


@pytest.mark.parametrize("deleted", [1, 3, "all"])
def test_zzb_audit_verify_exits_1_naming_the_deleted_newest_records(db, db_path, capsys, deleted):
    _towns(db)
    ids = _ids(db_path)
    n = len(ids) if deleted == "all" else deleted
    _tamper(db_path, f"DELETE FROM audit_log WHERE id >= {ids[-n]}")
    code, out, _ = _zzb(capsys, "--db", db_path, "audit", "verify", "--json")
    report = json.loads(out)
    assert code == 1 and report["problem"] == "newest_deleted" and report["deleted_newest"] == n
    assert report["tip_id"] == ids[-1] and report["last_id"] == (None if deleted == "all" else ids[-n - 1])
    code, _, err = _zzb(capsys, "--db", db_path, "audit", "verify")  # after the first call's login record
    assert code == 1 and f"第 {max(_ids(db_path)) - 1} 号记录被改动，或它之前的记录被删除" in err


def test_zzb_audit_verify_exits_1_naming_the_first_edited_record(db, db_path, capsys):
    _towns(db)
    victim = _ids(db_path)[2]
    _tamper(db_path, f"UPDATE audit_log SET object_label = '改过的' WHERE id = {victim}")
    code, out, _ = _zzb(capsys, "--db", db_path, "audit", "verify", "--json")
    assert code == 1 and json.loads(out)["first_broken_id"] == victim
    code, _, err = _zzb(capsys, "--db", db_path, "audit", "verify")
    assert code == 1 and f"第 {victim} 号记录被改动" in err


def test_zzb_audit_export_writes_the_period_and_is_itself_recorded(db, db_path, capsys, tmp_path):
    from openpyxl import load_workbook

    _towns(db, 3)
    today = db.today()
    out_file = tmp_path / "日志.xlsx"
    code, _, err = _zzb(capsys, "--db", db_path, "audit", "export", "--from", today, "--to", today, "-o", out_file)
    assert code == 1 and "系统管理员无权" in err and not out_file.exists()  # the auditor's, not the sysadmin's
    code, out, _ = _zzb(capsys, "--db", db_path, "audit", "export", "--from", today, "--to", today, "-o", out_file,
                        user="auditor")
    n = len(_ids(db_path)) - 1  # all but the export's own record
    assert code == 0 and f"已导出 {n} 条" in out
    rows = list(load_workbook(out_file, read_only=True).active.iter_rows(values_only=True))
    assert rows[0][0] == "编号" and len(rows) == n + 1
    last = audit.list_entries(db, limit=1)[0]
    assert last.action == "export" and last.after == {"file_name": "日志.xlsx", "count": n}
    assert last.object_label == f"操作日志（{today} 至 {today}）"
    assert audit.check_chain(db).intact


def test_zzb_audit_export_refuses_a_period_ending_before_it_starts(db_path, capsys, tmp_path):
    code, _, err = _zzb(capsys, "--db", db_path, "audit", "export", "--from", "2024-05-02", "--to", "2024-05-01",
                        "-o", tmp_path / "x.xlsx")
    assert code == 1 and "起始日期不能晚于截止日期" in err and not (tmp_path / "x.xlsx").exists()


# ---- the upgrade ---------------------------------------------------------------------------------


def test_the_upgrade_records_whether_the_old_chain_was_intact(tmp_path):
    path = tmp_path / "old.sqlite3"
    shutil.copyfile(FIXTURES / "ledger-0001.sqlite3", path)
    db = Ledger(open_database(path, backup_dir=tmp_path))
    upgrade = audit.list_entries(db, action="upgrade")[0]
    assert upgrade.after == {"旧哈希链": "完整", "链前旧记录": 1, "重新封存": 1}
    assert audit.check_chain(db).intact


def test_an_old_chain_broken_before_the_upgrade_is_named_in_the_upgrade_record(tmp_path):
    """A 0006 ledger whose second record was edited: the upgrade says where the old chain broke."""
    from desktop.services.db import make_engine, run_migrations

    path = tmp_path / "old6.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    run_migrations(engine, "0006")
    con = sqlite3.connect(path)
    prev = ""
    for i in range(3):
        at = f"2024-03-0{i + 1} 08:00:00.000000"
        row = {"at": at.replace(" ", "T").removesuffix(".000000"), "user": "clerk", "action": "create",
               "object_type": "town", "object_id": i, "object_label": f"镇{i}", "before": None,
               "after": {"name": f"镇{i}"}, "result": "成功"}
        h = _old_digest(prev, row)
        con.execute('INSERT INTO audit_log (at, "user", action, object_type, object_id, object_label, after, result,'
                    " prev_hash, hash) VALUES (?, 'clerk', 'create', 'town', ?, ?, ?, '成功', ?, ?)",
                    (at, i, f"镇{i}", json.dumps({"name": f"镇{i}"}), prev, h))
        prev = h
    con.execute("UPDATE audit_log SET object_label = '改过' WHERE id = 2")
    con.commit()
    con.close()
    engine.dispose()
    db = Ledger(open_database(path, backup_dir=tmp_path))
    assert audit.list_entries(db, action="upgrade")[0].after["旧哈希链"] == "断裂（第 2 条）"
    assert audit.check_chain(db).intact  # re-sealed as it is now; the record keeps the old finding


# ---- purging -------------------------------------------------------------------------------------


def _old_records(db, days_ago: list[int]) -> None:
    """Records written long ago (the clock of the log is the real one: they are put in place here)."""
    import datetime as dt

    from desktop.models.base import utcnow

    with db.session() as s:
        audit_chain.append(s.connection(), [
            {"at": utcnow() - dt.timedelta(days=d), "user": "clerk", "action": "create", "object_type": "town",
             "object_id": None, "object_label": f"{d}天前", "before": None, "after": {"n": d}, "result": "成功"}
            for d in days_ago])


def test_purge_refuses_anything_younger_than_six_months(db):
    import datetime as dt

    from desktop.services.errors import Refused

    today = db.today()
    with pytest.raises(Refused, match="六个月内的操作日志不可清理"):
        audit.purge_before(db, today - dt.timedelta(days=150))


@pytest.fixture
def fresh(tmp_path):
    """A new ledger with an empty log (its oldest records are the ones a test puts there)."""
    ledger = Ledger(open_database(tmp_path / "fresh.sqlite3", backup_dir=tmp_path))
    yield ledger
    ledger.dispose()


def test_purge_of_old_records_keeps_the_chain_verifiable_and_is_recorded(fresh, tmp_path):
    import datetime as dt

    db = fresh
    _old_records(db, [900, 800, 700, 30])
    _towns(db, 1)
    before = len(_ids(tmp_path / "fresh.sqlite3"))
    n = audit.purge_before(db, db.today() - dt.timedelta(days=365))
    assert n == 3 and len(_ids(tmp_path / "fresh.sqlite3")) == before - 3 + 1  # and the purge's own record
    labels = [r.object_label for r in audit.list_entries(db)]
    assert "700天前" not in labels and "30天前" in labels
    purge = audit.list_entries(db, action="purge")[0]
    assert purge.after["清理条数"] == n
    check = audit.check_chain(db)
    assert check.intact, check.message
    town_service.create_town(db, "清理后镇")
    assert audit.check_chain(db).intact


def test_a_forged_chain_base_is_detected(fresh, tmp_path):
    import datetime as dt

    db = fresh
    _old_records(db, [900, 800])
    assert audit.purge_before(db, db.today() - dt.timedelta(days=365)) == 2
    _tamper(tmp_path / "fresh.sqlite3", "UPDATE ledger_meta SET value = replace(value, '\"purged\": 2', '\"purged\": 1')"
                     " WHERE key = 'audit.base'")
    check = audit.check_chain(db)
    assert not check.intact and "链基" in check.message


def test_purge_is_for_the_system_administrator_only(db):
    import dataclasses
    import datetime as dt

    from desktop.models.enums import Role
    from desktop.services.errors import Refused

    clerk = dataclasses.replace(db, role=Role.CLERK)
    with pytest.raises(Refused):
        audit.purge_before(clerk, db.today() - dt.timedelta(days=365))


def test_the_triggers_let_a_purge_delete_records_older_than_six_months_only(db, db_path):
    _old_records(db, [400, 10])
    old, young = _ids(db_path)[-2:]
    con = sqlite3.connect(db_path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="六个月内的记录不可删除"):
            con.execute(f"DELETE FROM audit_log WHERE id = {young}")
        con.execute(f"DELETE FROM audit_log WHERE id = {old}")
        con.rollback()
    finally:
        con.close()


def test_head_short_hash_is_the_tips_hash(db, db_path):
    _towns(db, 1)
    con = sqlite3.connect(db_path)
    tip = con.execute("SELECT last_hash FROM audit_tip").fetchone()[0]
    con.close()
    assert audit.head_short_hash(db) == tip[:12] and len(tip) == 64


# ---- the verifier's own hashing (bytes straight from the database, the key set up once) ----------


@pytest.mark.parametrize("key_len", [16, 32, 64, 100])
def test_the_verifier_hashes_a_record_exactly_as_hmac_does(key_len):
    import hmac
    import os

    key = os.urandom(key_len)
    keyed = audit_chain._Keyed(key)
    for msg in (b"", b"abc", "第3镇\x1f修改".encode(), os.urandom(300)):
        assert keyed.hex(msg) == hmac.digest(key, msg, "sha256").hex().encode()


@pytest.mark.parametrize("column, value", [
    ("at", "'2024-01-02 03:04:05.000000'"), ("user", "'mallory'"), ("action", "'delete'"),
    ("object_type", "'year'"), ("object_id", "999"), ("object_id", "NULL"), ("object_label", "'第9镇'"),
    ("before", "'{\"name\":\"x\"}'"), ("after", "NULL"), ("result", "'失败'"),
])
def test_an_edit_of_any_hashed_field_is_found_at_that_record(db, db_path, column, value):
    _towns(db, 3)
    assert audit.check_chain(db).intact  # Chinese labels, NULL befores, ids: all verified from the stored bytes
    victim = _ids(db_path)[-2]
    _tamper(db_path, f'UPDATE audit_log SET "{column}" = {value} WHERE id = ?', params=(victim,))
    check = audit_chain.check_chain(Ledger(open_database(db_path)))
    assert (check.intact, check.problem, check.broken_id) == (False, "edited", victim)


def test_a_time_stored_in_another_text_form_is_hashed_in_its_canonical_form(db, db_path):
    _towns(db, 2)
    victim = _ids(db_path)[-1]
    con = sqlite3.connect(db_path)
    at = con.execute("SELECT at FROM audit_log WHERE id = ?", (victim,)).fetchone()[0]
    con.close()
    _tamper(db_path, "UPDATE audit_log SET at = ? WHERE id = ?", params=(at.replace(" ", "T"), victim))
    assert audit_chain.check_chain(Ledger(open_database(db_path))).intact  # the same instant, as link_hash reads it


def test_a_cancelled_check_stops_without_a_verdict(db):
    from desktop.services.excel.excel_common import CancelToken, Cancelled

    _towns(db, 2)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        audit_chain.check_chain(db, token=token)
    assert audit_chain.check_chain(db).intact  # the connection went back to the pool as it came (texts as str)
