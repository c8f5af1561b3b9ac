"""What every page gets: the ledger, the worker lane, settings, the current year and change signals."""

from __future__ import annotations

from typing import Iterable

from PySide6.QtCore import QObject, QSettings, Signal

from desktop import paths
from desktop.services.db import Database
from desktop.services.ledger import Ledger, as_ledger
from desktop.views.kit.worker import Worker

EVERYTHING = "*"


def touches(tables: frozenset[str], relevant: Iterable[str]) -> bool:
    """Whether an announcement of changed `tables` concerns a page that shows `relevant` tables."""
    return EVERYTHING in tables or not tables.isdisjoint(relevant)


class AppContext(QObject):
    """Shared state of the window. Pages listen to `data_changed` to refresh what they show."""

    data_changed = Signal(object)  # a frozenset of table names; {"*"} for everything
    year_changed = Signal(int)

    def __init__(self, db: Database | Ledger, worker: Worker, year: int, settings: QSettings | None = None) -> None:
        super().__init__()
        self.ledger = as_ledger(db)
        self.db = self.ledger  # the same handle under the name tests use
        self.worker = worker
        self.year = year
        self.settings = settings or QSettings(str(paths.settings_path()), QSettings.Format.IniFormat)

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
