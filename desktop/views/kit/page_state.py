"""Remembered layout of a page: header and splitter states kept in the settings under fixed keys."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

from desktop.views.kit.context import touches


def restore_states(settings: QSettings, parts: dict) -> None:
    """Give each widget (header view, splitter — anything with restoreState) its saved state."""
    for key, widget in parts.items():
        state = settings.value(key)
        if isinstance(state, QByteArray):
            widget.restoreState(state)


def save_states(settings: QSettings, parts: dict) -> None:
    for key, widget in parts.items():
        settings.setValue(key, widget.saveState())


class LazyRefresh:
    """A page that reloads when data it shows changes: at once if visible, else on its next visit.

    The page sets `relevant_tables` (table names, "*" for everything) and defines `refresh()`,
    which clears `_stale`.
    """

    relevant_tables: frozenset[str] = frozenset({"*"})
    _stale = True

    def activate(self) -> None:
        if self._stale:
            self.refresh()

    def _on_data_changed(self, what: frozenset[str]) -> None:
        if touches(what, self.relevant_tables):
            self._refresh_if_visible()

    def _refresh_if_visible(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True
