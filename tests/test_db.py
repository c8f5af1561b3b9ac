"""The engine module: SQLite set up for a desktop, and exact decimals."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

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


def test_the_revisions_read_without_alembic_are_alembics_own():
    """services/revisions.py reads the scripts' revision lines so that a start with nothing to migrate
    needs no Alembic; it must see the same graph and head as Alembic does."""
    from alembic.script import ScriptDirectory

    from desktop.services import revisions
    from desktop.services.db import _alembic_config

    scripts = ScriptDirectory.from_config(_alembic_config())
    assert revisions.graph() == {r.revision: r.down_revision for r in scripts.walk_revisions()}
    assert revisions.head() == scripts.get_current_head()


def test_opening_an_up_to_date_ledger_imports_no_alembic(db_path):
    import subprocess
    import sys

    code = ("import sys; from desktop.services.db import open_database; open_database(sys.argv[1]).dispose(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))")
    run = subprocess.run([sys.executable, "-c", code, str(db_path)], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).parent.parent)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "[]"


def test_the_start_asks_its_questions_before_the_orm_sets_its_mappers_up(db_path):
    """Issue 12's start: opening a seeded ledger, the seeding check, whether accounts exist (before the login
    dialog) and the years the window needs run in plain SQL: the ORM's one-time mapper set-up waits for
    the login instead of delaying the first window."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from desktop.models import Base\n"
            "from desktop.services import setup_service\n"
            "from desktop.services.accounts import accounts_service\n"
            "from desktop.services.db import open_database\n"
            "from desktop.services.year import year_service\n"
            "db = open_database(sys.argv[1])\n"
            "print(setup_service.initialize(db), year_service.current_year(db), year_service.list_years(db),\n"
            "      accounts_service.has_accounts(db))\n"
            "print(Base.registry._new_mappers)\n")
    run = subprocess.run([sys.executable, "-c", code, str(db_path)], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).parent.parent)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split("\n")[:2] == ["False 2024 [2024] False", "True"]


def test_a_ledger_gathers_planner_statistics_when_its_connections_close(db_path):
    """A ledger is never analysed by hand: when the program's connections close, SQLite gathers statistics
    for the tables whose indexes its queries used (PRAGMA optimize), so later sessions get the planner's good
    plans. Before, a ledger had none, ever."""
    import sqlite3

    from desktop.services.db import open_database

    def analysed() -> set[str]:
        with sqlite3.connect(db_path) as raw:
            if not raw.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
                return set()
            return {t for (t,) in raw.execute("SELECT DISTINCT tbl FROM sqlite_stat1")}

    database = open_database(db_path)
    with database.session() as s:
        year_id = s.scalar(select(Year.id).order_by(Year.id))
        for i in range(30):
            s.add(Town(name=f"镇{i}", sort_order=i))
        s.flush()
        for town_id in s.scalars(select(Town.id)):
            s.add(TownTarget(year_id=year_id, town_id=town_id, target_area_mu=Decimal("10")))
    assert "town_target" not in analysed()
    with database.reader() as s:  # a query the planner answers through town_target's indexes
        first = s.scalar(select(func.min(Town.id)))
        assert s.scalar(select(func.count()).select_from(TownTarget).where(TownTarget.town_id == first,
                                                                            TownTarget.year_id == year_id)) == 1
    database.dispose()
    assert "town_target" in analysed()
