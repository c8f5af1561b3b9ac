"""Migrations: upgrading kept old databases, backing up first, refusing what is not ours or too new."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.models import Target
from desktop.services.register import target_service
from desktop.services.year import year_service
from desktop.services.db import current_revision, head_revision, open_database
from desktop.services.errors import DatabaseError

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def old_db(tmp_path) -> Path:
    dest = tmp_path / "old.sqlite3"
    shutil.copyfile(FIXTURES / "ledger-0001.sqlite3", dest)
    return dest


def test_kept_0001_database_upgrades_to_head_and_backfills_search_text(old_db, tmp_path):
    db = open_database(old_db, backup_dir=tmp_path / "bk")
    try:
        assert current_revision(db.engine) == head_revision()
        with db.reader() as s:
            texts = dict(s.execute(select(Target.name, Target.search_text)).tuples().all())
        assert texts["东港精密铸造有限公司"] == "东港精密铸造有限公司 91350100m000100y43 东港镇工业路8号"
        ids = target_service.search_ids(db, target_service.RegisterFilter(text="m0001"), year=2024)
        assert len(ids) == 1
        # The old rows' exact decimals survive: 12.5 亩 stored as 125000 ten-thousandths.
        row = target_service.fetch_rows(db, ids, year=2024)[0]
        assert str(row.land_area_mu) == "12.5000"
        # 0005: the kept year gets the office's agreement-filing practice as its parameter
        assert year_service.get_params(db, 2024).agreement_filing_workdays == 10
    finally:
        db.dispose()


def test_upgrade_backs_up_the_old_file_first(old_db, tmp_path):
    before = old_db.read_bytes()
    db = open_database(old_db, backup_dir=tmp_path / "bk")
    db.dispose()
    backups = list((tmp_path / "bk").glob("old-before-upgrade-0001-*.sqlite3"))
    assert len(backups) == 1
    con = sqlite3.connect(backups[0])
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert con.execute("SELECT count(*) FROM target").fetchone() == (2,)
    finally:
        con.close()
    assert before  # the original was a real database file


def test_opening_an_up_to_date_database_takes_no_backup(db_path, tmp_path):
    db = open_database(db_path, backup_dir=tmp_path / "bk2")
    db.dispose()
    assert not (tmp_path / "bk2").exists() or not list((tmp_path / "bk2").iterdir())


def test_database_from_a_newer_program_is_refused_untouched(old_db, tmp_path):
    con = sqlite3.connect(old_db)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    before = old_db.read_bytes()
    with pytest.raises(DatabaseError, match="比本程序更新"):
        open_database(old_db, backup_dir=tmp_path / "bk")
    assert old_db.read_bytes() == before
    assert not (tmp_path / "bk").exists()


def test_foreign_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "foreign.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    con.commit()
    con.close()
    with pytest.raises(DatabaseError, match="不是本程序的数据库"):
        open_database(path)


def test_a_text_file_is_not_opened_as_a_database(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_text("这不是数据库" * 200, encoding="utf-8")
    with pytest.raises(DatabaseError, match="不是数据库|损坏"):
        open_database(path)


_COMPARE = """
import sys
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from desktop.models import Base  # what migrations/env.py hands autogenerate, and nothing else loaded
# the trigram index's FTS5 table and its shadow tables have no model (services/search_index.include_name)
def include_name(name, type_, _parents):
    return not (type_ == "table" and name.startswith("target_fts"))
with create_engine("sqlite:///" + sys.argv[1]).connect() as conn:
    opts = {"compare_type": True, "include_name": include_name}
    diff = compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)
print(sorted(Base.metadata.tables))
print(diff)
"""


def test_the_models_and_the_migrations_describe_the_same_tables(db_path):
    """Alembic's autogenerate sees every table through desktop.models alone (as migrations/env.py does): a model
    module the package does not import, or a column changed without a migration, shows up as a difference."""
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", _COMPARE, str(db_path)], cwd=Path(__file__).parent.parent,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    tables, diff = run.stdout.splitlines()
    assert diff == "[]"
    for table in ("land_banking", "groundwork_record", "acquisition", "tax_record", "agreement", "quota_pool",
                  "quota_loan", "quota_return", "monthly_report", "monthly_report_item", "verification",
                  "subsidy_proposal"):
        assert f"'{table}'" in tables
