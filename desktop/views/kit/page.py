"""The base of a sidebar page: its AppContext, and a reload when the tables it shows change (at once if
visible, else on the next visit), and — for pages that show one year — when the worked year changes.

    class QuotaPage(Page):
        relevant_tables = frozenset({"quota_loan", "quota_return", ...})

        def __init__(self, ctx):
            super().__init__(ctx)
            ...                      # the page's own state, then its widgets
        def refresh(self): ...       # clears _stale and asks the lane for its rows
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from desktop.views.kit.context import AppContext
from desktop.views.kit.page_state import LazyRefresh


class Page(LazyRefresh, QWidget):
    """LazyRefresh wired to the context's change signals."""

    follows_year = False  # reload when the worked year changes

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        ctx.data_changed.connect(self._on_data_changed)
        if self.follows_year:
            ctx.year_changed.connect(self._on_worked_year)

    def _on_worked_year(self, _year: int) -> None:
        self._refresh_if_visible()
