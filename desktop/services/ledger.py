"""The ledger handle every service call takes: the database, the acting user and the clock.

No module global says who acts or what day it is: the window, the CLI and the tests each build a
`Ledger` and hand it to the services. A session opened through the ledger carries it in
`session.info["ledger"]`, so the audit hook and session-level helpers know the actor and the day.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from desktop.models.enums import Role
from desktop.services.clock import SYSTEM_CLOCK, Clock
from desktop.services.db import CHANGED_KEY, Database


def os_login() -> str:
    """The operating-system login: the actor until accounts exist."""
    try:
        return getpass.getuser()
    except Exception:  # no login name on some service accounts
        return os.environ.get("USERNAME") or os.environ.get("USER") or "unknown"


@dataclass(frozen=True)
class Ledger:
    """One open ledger as seen by one actor on one day."""

    database: Database
    user: str = ""
    clock: Clock = SYSTEM_CLOCK
    # The logged-in account's role. None only for a trusted in-process caller that no person drives
    # (migrations, first-run setup, test fixtures): the window and the CLI always log in first.
    role: Role | None = None
    # When a set: the tables each committed write of this handle changed (the op bridge announces them).
    changes: set[str] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.user:
            object.__setattr__(self, "user", os_login())

    # Units of work ---------------------------------------------------------------------------
    @contextmanager
    def session(self) -> Iterator[Session]:
        """One write unit of work: commit on success, roll back on any error."""
        with self.database.session() as s:
            s.info["ledger"] = self
            yield s
            if self.changes is not None:
                s.flush()
                self.changes.update(s.info.get(CHANGED_KEY, ()))

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only session (rolled back at the end)."""
        with self.database.reader() as s:
            s.info["ledger"] = self
            yield s

    # The day ---------------------------------------------------------------------------------
    def today(self) -> dt.date:
        return self.clock.today()

    def now(self) -> dt.datetime:
        return self.clock.now()

    # Variants ----------------------------------------------------------------------------------
    def as_of(self, day: dt.date | None) -> Ledger:
        """The same ledger with the day pinned (None: the system clock)."""
        return replace(self, clock=Clock(day))

    def acting_as(self, user: str) -> Ledger:
        return replace(self, user=user)

    # The database underneath -------------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        return self.database.engine

    @property
    def url(self) -> str:
        return self.database.url

    @property
    def path(self) -> Path | None:
        return self.database.path

    @property
    def is_sqlite(self) -> bool:
        return self.database.is_sqlite

    def dispose(self) -> None:
        self.database.dispose()


@event.listens_for(Session, "after_flush")
def _collect_changed_tables(session: Session, _ctx) -> None:
    """Every table a flush wrote to; the audit log changes with any of them."""
    tables = {obj.__table__.name for obj in (*session.new, *session.dirty, *session.deleted)
              if hasattr(obj, "__table__")}
    if tables:
        session.info.setdefault(CHANGED_KEY, set()).update(tables | {"audit_log"})


@event.listens_for(Session, "do_orm_execute")
def _collect_bulk_statements(state) -> None:
    """Bulk INSERT/UPDATE/DELETE statements run through the session (imports, the sample city)."""
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        name = getattr(table, "name", None)
        if name:
            state.session.info.setdefault(CHANGED_KEY, set()).update({name, "audit_log"})


def of_session(session: Session) -> Ledger | None:
    """The ledger a session was opened through (None for a bare database session)."""
    return session.info.get("ledger")


def actor(session: Session) -> str:
    ledger = of_session(session)
    return ledger.user if ledger is not None else os_login()


def today(session: Session) -> dt.date:
    """Today as the session's ledger sees it (the system clock for a bare database session)."""
    ledger = of_session(session)
    return ledger.today() if ledger is not None else SYSTEM_CLOCK.today()


def as_ledger(db: Database | Ledger) -> Ledger:
    """Accept a Ledger, or wrap a bare Database (maintenance code, migrations) as the OS user."""
    return db if isinstance(db, Ledger) else Ledger(db)


def open_ledger(db=None, *, migrate: bool = True, as_of: dt.date | None = None, user: str = "") -> Ledger:
    """Open (and migrate) a database as a ledger handle: the CLI's and the tests' way in."""
    from desktop.services.db import open_database

    return Ledger(open_database(db, migrate=migrate), user=user, clock=Clock(as_of))
