"""The engine module: SQLite set up for a desktop, and exact decimals."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from desktop.models import Town, TownTarget, Year
from desktop.services.db import to_url


def test_sqlite_runs_in_wal_with_foreign_keys_and_busy_timeout(db):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_areas_sum_exactly_in_sql(db):
    with db.session() as s:
        year_id = s.scalar(select(Year.id))
        for i, area in enumerate(["0.1", "0.2", "1333.3333"]):
            town = Town(name=f"镇{i}")
            s.add(town)
            s.flush()
            s.add(TownTarget(town_id=town.id, year_id=year_id, target_area_mu=Decimal(area)))
    with db.reader() as s:
        total = s.scalar(select(func.sum(TownTarget.target_area_mu)))
    assert total == Decimal("1333.6333")


def test_a_path_becomes_an_absolute_sqlite_url_and_urls_pass_through(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert to_url("x.sqlite3") == f"sqlite:///{tmp_path / 'x.sqlite3'}"
    assert to_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("ZZB_DB", str(tmp_path / "env.sqlite3"))
    assert to_url(None).endswith("env.sqlite3")


def test_writes_roll_back_as_one_unit(db):
    try:
        with db.session() as s:
            s.add(Town(name="甲镇"))
            s.flush()
            s.add(Town(name="甲镇"))  # unique name: the second insert fails
            s.flush()
    except Exception:
        pass
    with db.reader() as s:
        assert s.scalar(select(func.count(Town.id)).where(Town.name == "甲镇")) == 0
