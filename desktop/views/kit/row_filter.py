"""A filtered, sorted view of a RowsModel for dialogs that keep every row and show some of them
(an import preview counts all rows by status, shows the changed ones, and finds by text).

    self.model = PreviewModel(self)                 # a RowsModel with every row
    self.proxy = RowsFilter(self.model, self)       # what the table shows
    self.proxy.set(keep=lambda r: r.status != "unchanged", text=self.search.text())

`keep(row)` decides on the row object, the search words match what the columns show (as RowsModel's
own filter does), and sorting compares the model's values (numbers as numbers, enums in order).
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel

from desktop.views.kit.rows import RowsModel, sort_key

CHANGED = "__changed"  # the usual first choice of an import preview: every row but the unchanged


def shown_by(attr: str, choice: str | None) -> Callable | None:
    """A result combo's choice as a row test: None shows every row, CHANGED every row whose `attr` is
    not "unchanged", any other value the rows whose `attr` equals it."""
    if choice is None:
        return None
    if choice == CHANGED:
        return lambda r: getattr(r, attr) != "unchanged"
    return lambda r: getattr(r, attr) == choice


class RowsFilter(QSortFilterProxyModel):
    def __init__(self, model: RowsModel, parent=None) -> None:
        super().__init__(parent)
        self.rows_model = model
        self.keep: Callable | None = None
        self.words: list[str] = []
        self.setSourceModel(model)

    def set(self, *, keep: Callable | None = None, text: str = "") -> None:
        self.keep, self.words = keep, (text or "").strip().lower().split()
        self.invalidateFilter()

    def item(self, proxy_row: int):
        """The row object shown at `proxy_row`."""
        index = self.mapToSource(self.index(proxy_row, 0))
        return self.rows_model.item(index.row()) if index.isValid() else None

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        row = self.rows_model.item(source_row)
        if row is None or (self.keep is not None and not self.keep(row)):
            return False
        return all(self.rows_model.matches(row, w) for w in self.words)

    def lessThan(self, left: QModelIndex, right: QModelIndex) -> bool:
        key = self.rows_model.key(left.column())
        a, b = self.rows_model.item(left.row()), self.rows_model.item(right.row())
        return sort_key(self.rows_model.value(a, key)) < sort_key(self.rows_model.value(b, key))
