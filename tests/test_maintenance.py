"""Maintenance: check and init (backup and restore: tests/test_backup.py)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import func, select

from desktop.models import AuditLog
from desktop.services import maintenance_service
from desktop.services.demo import demo_service
from desktop.services.db import head_revision, open_database

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _sql(path: Path, statement: str) -> None:
    con = sqlite3.connect(path)
    try:
        con.execute(statement)
        con.commit()
    finally:
        con.close()


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
    _sql(db_path, "DROP TRIGGER audit_log_no_update")  # someone with the file drops the guard first
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
