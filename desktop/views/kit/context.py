"""What every page gets: the ledger, the worker lane, settings, the current year and change signals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from PySide6.QtCore import QObject, QSettings, Signal

from desktop import paths
from desktop.views.kit.worker import Worker

if TYPE_CHECKING:
    from desktop.services.db import Database
    from desktop.services.ledger import Ledger

EVERYTHING = "*"


def touches(tables: frozenset[str], relevant: Iterable[str]) -> bool:
    """Whether an announcement of changed `tables` concerns a page that shows `relevant` tables."""
    return EVERYTHING in tables or not tables.isdisjoint(relevant)


class AppContext(QObject):
    """Shared state of the window. Pages listen to `data_changed` to refresh what they show."""

    data_changed = Signal(object)  # a frozenset of table names; {"*"} for everything
    year_changed = Signal(int)

    def __init__(self, db: Database | Ledger | None, worker: Worker, year: int,
                 settings: QSettings | None = None) -> None:
        super().__init__()
        self.set_ledger(db)
        self.worker = worker
        self.year = year
        self.settings = settings or QSettings(str(paths.settings_path()), QSettings.Format.IniFormat)

    def set_ledger(self, db: Database | Ledger | None) -> None:
        """The ledger the lane jobs get. None only before the start has opened the database (accounts.session:
        the login dialog shows while the lane opens it, and SQLAlchemy is loaded there, not here)."""
        if db is not None:
            from desktop.services.ledger import as_ledger

            db = as_ledger(db)
        self.ledger = db
        self.db = self.ledger  # the same handle under the name tests use

    def set_year(self, year: int) -> None:
        if year != self.year:
            self.year = year
            self.year_changed.emit(year)

    def announce(self, tables: Iterable[str]) -> None:
        """Tell every page which tables a write changed (once per write; nothing when nothing changed)."""
        tables = frozenset(tables)
        if tables:
            self.data_changed.emit(tables)

    def changed(self, what: str = EVERYTHING) -> None:
        self.announce({what})
