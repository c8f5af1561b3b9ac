"""Migrations never delete a row they did not mean to: on SQLite the steps run with foreign keys off.

Measured on main: Alembic's batch mode rebuilds a table by copying it and dropping the old one. With
foreign keys on, migration 0011's rebuild of monthly_report_item deleted every verification through
ON DELETE CASCADE (the sample city: 460 → 0), and 0010's downgrade failed on DROP TABLE department.
"""

from __future__ import annotations

import sqlite3

import pytest

from desktop.services import db as dbm

# Rows the steps themselves write or rebuild: the log of the upgrade, the search index, the chain's tip.
REBUILT = ("audit_log", "audit_tip", "alembic_version", "target_fts")


def counts(path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names
                if not n.startswith(REBUILT)}
    finally:
        con.close()


@pytest.fixture
def demo_engine(demo_db_path):
    engine = dbm.make_engine(dbm.to_url(demo_db_path))
    yield engine
    engine.dispose()


def test_upgrading_across_0011_keeps_every_verification(demo_db_path, demo_engine):
    dbm.run_migrations(demo_engine, "0010", downgrade=True)
    before = counts(demo_db_path)
    assert before["verification"] > 0  # the sample city's month verifications
    dbm.run_migrations(demo_engine)
    after = counts(demo_db_path)
    assert {t: (n, after[t]) for t, n in before.items() if after[t] != n} == {}
    assert after["monthly_report_hand_in"] > 0


def test_down_to_0004_and_back_keeps_every_row_of_the_older_tables(demo_db_path, demo_engine):
    dbm.run_migrations(demo_engine, "0004", downgrade=True)
    old = counts(demo_db_path)
    dbm.run_migrations(demo_engine)
    after = counts(demo_db_path)
    assert {t: (n, after[t]) for t, n in old.items() if after[t] != n} == {}


def test_foreign_keys_are_on_again_after_a_migration(demo_db_path, demo_engine):
    dbm.run_migrations(demo_engine, "0010", downgrade=True)
    dbm.run_migrations(demo_engine)
    with demo_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_step_that_leaves_a_dangling_reference_is_undone_whole(demo_db_path, demo_engine, monkeypatch):
    """The foreign-key check runs before the commit: a step that orphans rows rolls everything back."""
    from alembic import command

    dbm.run_migrations(demo_engine, "0010", downgrade=True)
    before = counts(demo_db_path)
    real_upgrade = command.upgrade

    def upgrade_then_orphan(cfg, revision):
        real_upgrade(cfg, revision)
        cfg.attributes["connection"].exec_driver_sql("DELETE FROM monthly_report")  # items now point nowhere

    monkeypatch.setattr(command, "upgrade", upgrade_then_orphan)
    with pytest.raises(dbm.DatabaseError, match="无效引用"):
        dbm.run_migrations(demo_engine)
    assert counts(demo_db_path) == before
    with demo_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0010"
