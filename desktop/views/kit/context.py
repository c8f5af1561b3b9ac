"""What every page gets: the database, the worker lane, settings, the current year and change signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Signal

from desktop import paths
from desktop.services.db import Database
from desktop.views.kit.worker import Worker


class AppContext(QObject):
    """Shared state of the window. Pages listen to `data_changed` to refresh what they show."""

    data_changed = Signal(str)  # a table name, or "*" for everything
    year_changed = Signal(int)

    def __init__(self, db: Database, worker: Worker, year: int, settings: QSettings | None = None) -> None:
        super().__init__()
        self.db = db
        self.worker = worker
        self.year = year
        self.settings = settings or QSettings(str(paths.settings_path()), QSettings.Format.IniFormat)

    def set_year(self, year: int) -> None:
        if year != self.year:
            self.year = year
            self.year_changed.emit(year)

    def changed(self, what: str = "*") -> None:
        self.data_changed.emit(what)
