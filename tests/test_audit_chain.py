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
from desktop.services import audit, maintenance_service
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


def _zzb(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
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
    check = audit.check_chain(Ledger(open_database(db_path)))
    assert not check.intact and "删除" in check.message and f"{n} 条" in check.message


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
