"""Lazy refresh: a page reloads when tables it shows change (its layout is kept by kit/table.Layout)."""

from __future__ import annotations

from desktop.views.kit.context import touches


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
