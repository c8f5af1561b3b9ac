"""Writes from several processes into one SQLite file: none is lost, a lock held too long is a clear message."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.services import db as dbmod
from desktop.services import faults
from desktop.services.db import open_database
from desktop.services.errors import DatabaseError
from desktop.services.ledger import Ledger
from desktop.services.towns import town_service

ROOT = Path(__file__).resolve().parent.parent
ZZB = ROOT / ".venv" / "bin" / "zzb"
BUSY = "数据库正忙（另一台电脑或程序正在写入），请稍后重试"

# A writer process: opens the ledger, says "ready", waits for "go" on stdin so both writers start together,
# then writes through the services and prints its counts as JSON.
WRITER = """
import json, sys
from desktop.services.db import open_database
from desktop.services.ledger import Ledger
from desktop.services.towns import town_service
path, index, writes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
db = Ledger(open_database(path))
print("ready", flush=True)
sys.stdin.readline()
ok = failed = created = 0
errors = []
own = None
for i in range(writes):
    try:
        if own is None or i % 3 == 0:
            own = town_service.create_town(db, f"进程{index}-{i}镇").id
            created += 1
        elif i % 3 == 1:
            town_service.update_town(db, own, name=f"进程{index}-{i}镇", liaison_name=f"联络员{i}")
        else:
            town_service.set_target(db, own, 2024, target_area_mu=f"{i}.25", target_parks=i % 5)
        ok += 1
    except Exception as exc:
        failed += 1
        errors.append(f"{type(exc).__name__}: {exc}")
db.dispose()
print(json.dumps({"ok": ok, "failed": failed, "created": created, "errors": errors[:3]}), flush=True)
"""


def _env(tmp_path, **extra) -> dict:
    env = {**os.environ, "ZZB_DATA_DIR": str(tmp_path / "userdata"), **extra}
    env.pop("ZZB_DB", None)
    return env


def test_two_processes_writing_at_once_lose_no_write(db_path, tmp_path):
    writes = 60
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db_path), str(i), str(writes)], cwd=ROOT,
                              env=_env(tmp_path), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for i in range(2)]
    for p in procs:
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    for p in procs:  # both are past import and open: let them write together
        p.stdin.write("go\n")
        p.stdin.flush()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))

    assert [r["failed"] for r in results] == [0, 0], [r["errors"] for r in results]
    assert [r["ok"] for r in results] == [writes, writes]
    db = Ledger(open_database(db_path))
    try:
        towns = town_service.list_towns(db)
        targets = town_service.get_targets(db, 2024)
    finally:
        db.dispose()
    assert len(towns) == sum(r["created"] for r in results) == 2 * 20
    assert {t.name.split("-")[0] for t in towns} == {"进程0", "进程1"}
    assert len(targets) == len(towns)  # every town got its 附件1 row from set_target


@pytest.fixture
def write_lock(db_path):
    """Another program holding the write lock (BEGIN IMMEDIATE on a raw sqlite3 connection)."""
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    yield con
    con.execute("ROLLBACK")
    con.close()


def test_a_write_waiting_past_the_busy_timeout_says_the_database_is_busy_and_writes_nothing(db_path, write_lock):
    db = Ledger(open_database(db_path, busy_timeout=100))
    try:
        with pytest.raises(DatabaseError) as caught:
            town_service.create_town(db, "甲镇", "张三", "0571-88886666")
        assert caught.value.message == BUSY == faults.BUSY_MESSAGE
        write_lock.execute("ROLLBACK")
        write_lock.execute("BEGIN")  # the fixture rolls back again at the end
        assert town_service.list_towns(db) == []
    finally:
        db.dispose()


def test_the_busy_timeout_can_come_from_the_environment(db_path, write_lock, monkeypatch):
    monkeypatch.setenv("ZZB_BUSY_TIMEOUT_MS", "150")
    db = Ledger(open_database(db_path))
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 150
        with pytest.raises(DatabaseError, match="^数据库正忙"):
            town_service.create_town(db, "乙镇")
    finally:
        db.dispose()


def test_a_session_that_wrote_rows_before_the_fault_leaves_none_of_them(db_path, write_lock):
    """The write lock is taken at the first statement, so a unit of work is never half-written."""
    db = Ledger(open_database(db_path, busy_timeout=100))
    try:
        from desktop.models import Town

        with pytest.raises(DatabaseError, match="^数据库正忙"):
            with db.session() as s:
                s.add_all([Town(name="一镇", sort_order=1), Town(name="二镇", sort_order=2)])
                s.flush()
        write_lock.execute("ROLLBACK")
        write_lock.execute("BEGIN")
        assert town_service.list_towns(db) == []
    finally:
        db.dispose()


def test_reading_is_not_blocked_by_another_program_writing(db_path, write_lock):
    db = Ledger(open_database(db_path, busy_timeout=100))
    try:
        assert town_service.list_towns(db) == []
        assert town_service.get_targets(db, 2024) == {}
    finally:
        db.dispose()


def _lock_out_readers(db_path) -> sqlite3.Connection:
    """A program that locks even readers out (exclusive locking mode, in the middle of a write)."""
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("PRAGMA locking_mode=EXCLUSIVE")
    con.execute("BEGIN EXCLUSIVE")
    return con


def test_a_read_that_finds_the_database_locked_is_tried_again(db_path, monkeypatch):
    db = Ledger(open_database(db_path, busy_timeout=50))
    lock = _lock_out_readers(db_path)
    pauses = []

    def pause_then_release(seconds):
        pauses.append(seconds)
        lock.close()  # the other program finishes while we wait

    monkeypatch.setattr(dbmod, "_pause", pause_then_release)
    try:
        assert town_service.list_towns(db) == []
    finally:
        lock.close()
        db.dispose()
    assert pauses == [dbmod.READ_RETRY_PAUSES[0]]


def test_a_read_gives_up_after_a_few_tries_with_the_busy_message(db_path, monkeypatch):
    db = Ledger(open_database(db_path, busy_timeout=50))
    lock = _lock_out_readers(db_path)
    pauses = []
    monkeypatch.setattr(dbmod, "_pause", pauses.append)
    try:
        with pytest.raises(DatabaseError) as caught:
            town_service.list_towns(db)
    finally:
        lock.close()
        db.dispose()
    assert caught.value.message == BUSY
    assert pauses == list(dbmod.READ_RETRY_PAUSES)


def test_the_cli_says_busy_and_exits_1_without_a_traceback(cli_db_path, tmp_path, write_lock):
    proc = subprocess.run([str(ZZB), "--db", str(cli_db_path), "demo", "--enterprises", "5"], capture_output=True,
                          text=True, env=_env(tmp_path, ZZB_BUSY_TIMEOUT_MS="100"), timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip() == BUSY
    assert "Traceback" not in proc.stderr + proc.stdout
