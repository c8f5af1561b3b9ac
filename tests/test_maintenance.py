"""Maintenance: check, backup and restore — refuse bad files untouched, round-trip the data."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.models import AuditLog, Town
from desktop.services import maintenance_service
from desktop.services.demo import demo_service
from desktop.services.db import head_revision, open_database
from desktop.services.errors import Refused

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _towns(path: Path) -> list[str]:
    with sqlite3.connect(path) as con:
        names = [r[0] for r in con.execute("SELECT name FROM town ORDER BY id")]
    con.close()
    return names


def _sql(path: Path, statement: str) -> None:
    con = sqlite3.connect(path)
    try:
        con.execute(statement)
        con.commit()
    finally:
        con.close()


def _snapshot(path: Path) -> dict[str, bytes]:
    """Every byte of a database file and its side files."""
    return {p.name: p.read_bytes() for p in path.parent.glob(path.name + "*")}


@pytest.fixture
def backups(tmp_path) -> Path:
    folder = tmp_path / "bk"
    folder.mkdir()
    return folder


# ---- check ----------------------------------------------------------------------------------


def test_check_of_a_fresh_database_is_all_ok(db):
    report = maintenance_service.check(db)
    assert report.ok and report.integrity_ok and report.schema_ok
    assert report.revision == head_revision()
    assert report.counts["years"] == 1 and report.counts["towns"] == 0
    assert report.counts["audit_records"] >= 1
    assert report.audit_intact is True


def test_check_counts_the_sample_city(db):
    summary = demo_service.generate(db, enterprises=150)
    report = maintenance_service.check(db)
    assert report.counts["towns"] == summary.towns
    assert report.counts["targets"] == 150
    assert report.counts["enterprises"] + report.counts["parcels"] == 150
    # demo_quota adds one history entry per history plan (two years before the demo year).
    assert report.counts["list_entries"] == summary.entries + summary.extra.get("history_plans", 0)
    assert report.counts["parks"] == summary.parks
    assert report.to_dict()["ok"] is True


def test_check_reports_an_edited_audit_record(db, db_path):
    with db.reader() as s:
        first = s.scalar(select(func.min(AuditLog.id)))
    db.dispose()
    _sql(db_path, f"UPDATE audit_log SET object_label = '篡改' WHERE id = {first}")
    report = maintenance_service.check(db)
    assert not report.ok
    assert report.audit_intact is False and report.audit_first_broken_id == first
    assert any("哈希链" in p for p in report.problems)


def test_check_flags_an_older_schema_without_upgrading_it(tmp_path):
    path = tmp_path / "old.sqlite3"
    shutil.copyfile(FIXTURES / "ledger-0001.sqlite3", path)
    database = open_database(path, migrate=False)
    try:
        report = maintenance_service.check(database)
    finally:
        database.dispose()
    assert report.revision == "0001" and not report.schema_ok
    assert any("低于程序版本" in p for p in report.problems)
    assert report.counts["targets"] == 2


# ---- backup ---------------------------------------------------------------------------------


def test_backup_writes_a_self_contained_copy_and_logs_it(db, backups):
    demo_service.generate(db, enterprises=50)
    result = maintenance_service.backup(db, folder=backups)
    assert result.path.parent == backups and result.path.name.startswith("ledger-")
    assert result.size == result.path.stat().st_size > 0
    assert not Path(str(result.path) + "-wal").exists()
    assert result.path.read_bytes()[18:20] == b"\x01\x01"  # rollback journal, not WAL: one file
    assert maintenance_service.inspect_backup_file(result.path).revision == head_revision()
    assert len(_towns(result.path)) == 12
    with db.reader() as s:
        last = s.execute(select(AuditLog.action, AuditLog.object_label).order_by(AuditLog.id.desc())).first()
    assert last.action == "备份" and last.object_label == result.path.name


def test_two_backups_in_the_same_second_get_different_names(db, backups):
    a = maintenance_service.backup(db, folder=backups).path
    b = maintenance_service.backup(db, folder=backups).path
    assert a != b and a.exists() and b.exists()


def test_backup_refuses_to_overwrite_an_existing_file(db, tmp_path):
    dest = tmp_path / "keep.sqlite3"
    dest.write_bytes(b"precious")
    with pytest.raises(Refused, match="已存在"):
        maintenance_service.backup(db, dest)
    assert dest.read_bytes() == b"precious"


# ---- restore --------------------------------------------------------------------------------


def test_backup_change_restore_brings_the_data_back(db, db_path, backups):
    demo_service.generate(db, enterprises=80)
    saved = maintenance_service.backup(db, folder=backups).path
    with db.session() as s:
        s.add(Town(name="备份后新增镇"))
    db.dispose()
    assert "备份后新增镇" in _towns(db_path)

    result = maintenance_service.restore(db_path, saved, backup_folder=backups)

    assert "备份后新增镇" not in _towns(db_path)
    assert _towns(db_path) == _towns(saved)
    assert result.safety_backup is not None and "备份后新增镇" in _towns(result.safety_backup)
    assert result.source_revision == result.revision == head_revision() and not result.migrated
    database = open_database(db_path, migrate=False)
    try:
        with database.reader() as s:
            last = s.execute(select(AuditLog.action, AuditLog.after).order_by(AuditLog.id.desc())).first()
        report = maintenance_service.check(database)
    finally:
        database.dispose()
    assert last.action == "恢复" and last.after["sha256"] == result.source_sha256
    assert last.after["safety_backup"] == str(result.safety_backup)
    assert report.ok


def test_restore_leaves_the_backup_file_untouched(db, db_path, backups):
    saved = maintenance_service.backup(db, folder=backups).path
    db.dispose()
    before = _snapshot(saved)
    maintenance_service.restore(db_path, saved, backup_folder=backups)
    assert _snapshot(saved) == before


def test_restore_of_an_older_backup_migrates_it(db_path, backups):
    result = maintenance_service.restore(db_path, FIXTURES / "ledger-0001.sqlite3", backup_folder=backups)
    assert result.source_revision == "0001" and result.revision == head_revision() and result.migrated
    assert _towns(db_path) == ["东港镇"]


def test_restore_into_a_new_file_needs_no_safety_backup(tmp_path, db_path, backups):
    target = tmp_path / "new" / "ledger.sqlite3"
    result = maintenance_service.restore(target, db_path, backup_folder=backups)
    assert result.safety_backup is None and target.exists()
    assert list(backups.iterdir()) == []


def _future(src: Path, tmp_path: Path) -> Path:
    path = tmp_path / "future.sqlite3"
    shutil.copyfile(src, path)
    _sql(path, "UPDATE alembic_version SET version_num = 'ffff9999'")
    return path


def _foreign(tmp_path: Path) -> Path:
    path = tmp_path / "foreign.sqlite3"
    _sql(path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    return path


def _text(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("这不是数据库\n" * 50, encoding="utf-8")
    return path


def _corrupt(src: Path, tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.sqlite3"
    data = bytearray(src.read_bytes())
    data[4096:12288] = b"\xff" * 8192  # wipe pages after the header
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("make, message", [
    (lambda tmp, src: _text(tmp), "不是 SQLite 数据库"),
    (lambda tmp, src: _foreign(tmp), "不是本程序的数据库"),
    (lambda tmp, src: _future(src, tmp), "更新版本"),
    (lambda tmp, src: _corrupt(src, tmp), "损坏"),
    (lambda tmp, src: tmp / "missing.sqlite3", "不存在"),
])
def test_restore_refuses_a_bad_file_and_touches_nothing(make, message, template_db, db_path, tmp_path, backups):
    source = make(tmp_path, template_db)
    before = _snapshot(db_path)
    with pytest.raises(Refused, match=message):
        maintenance_service.restore(db_path, source, backup_folder=backups)
    assert _snapshot(db_path) == before
    assert list(backups.iterdir()) == []


def test_restore_refuses_to_overwrite_a_foreign_database(tmp_path, db_path, backups):
    target = _foreign(tmp_path)
    before = _snapshot(target)
    with pytest.raises(Refused, match="不是本程序的数据库"):
        maintenance_service.restore(target, db_path, backup_folder=backups)
    assert _snapshot(target) == before


def test_restore_refuses_the_database_onto_itself(db_path, backups):
    with pytest.raises(Refused, match="当前数据库本身"):
        maintenance_service.restore(db_path, db_path, backup_folder=backups)


def test_server_databases_are_backed_up_with_their_own_tools(tmp_path, db_path):
    with pytest.raises(Refused, match="pg_dump"):
        maintenance_service.restore("postgresql://clerk:secret@localhost:1/ledger", db_path)


def test_display_url_hides_a_password():
    shown = maintenance_service.display_url("postgresql://clerk:secret@db.local/ledger")
    assert "secret" not in shown and "clerk" in shown


def test_init_creates_then_finds_the_database(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    first = maintenance_service.init_database(path)
    second = maintenance_service.init_database(path)
    assert first.file_created and first.seeded and first.revision == head_revision()
    assert not second.file_created and not second.seeded and second.revision_before == head_revision()


def test_init_upgrades_an_older_database(tmp_path):
    path = tmp_path / "old.sqlite3"
    shutil.copyfile(FIXTURES / "ledger-0001.sqlite3", path)
    result = maintenance_service.init_database(path)
    assert result.revision_before == "0001" and result.revision == head_revision()
    assert not result.seeded  # the old ledger already had its year


def test_restore_is_refused_while_the_database_is_in_use(db, db_path, backups, tmp_path):
    saved = maintenance_service.backup(db, folder=backups).path
    with db.reader() as s:  # the pool keeps this connection open, like a running program window
        s.scalar(select(func.count(Town.id)))
    before = _towns(db_path)
    with pytest.raises(Refused, match="正被使用"):
        maintenance_service.restore(db_path, saved, backup_folder=tmp_path / "bk2")
    assert _towns(db_path) == before
    assert not (tmp_path / "bk2").exists()


def test_restore_over_a_damaged_database_keeps_its_bytes(db_path, template_db, tmp_path, backups):
    damaged = b"\x00garbage, not a database" * 500
    db_path.write_bytes(damaged)
    result = maintenance_service.restore(db_path, template_db, backup_folder=backups)
    assert result.safety_backup.read_bytes() == damaged
    assert maintenance_service.inspect_backup_file(db_path).revision == head_revision()
