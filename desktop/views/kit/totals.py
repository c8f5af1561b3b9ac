"""The kit's row model with a totals row (合计) under the rows: always last, outside sorting and filtering.

    class LoanModel(TotalsRowsModel):
        COLUMNS = [...]
        def totals_of(self, rows): return ledger_total(rows)      # or hand it to set_rows(rows, totals)

The totals row is not among `rows`, so `selected_rows()` never hands it to an action.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.views.kit.rows import RowsModel

TOTALS_BACKGROUND = QColor("#EEF2F7")


class TotalsRowsModel(RowsModel):
    """RowsModel and one totals row after the rows, bold on a light background."""

    # Show the totals row when no row is shown (a page that selects it to mean “all”).
    EMPTY_TOTALS = False

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._given_totals = None
        self.totals = None

    def set_rows(self, rows, totals=None) -> None:
        self._given_totals = totals
        super().set_rows(rows)

    def _apply(self) -> None:
        super()._apply()
        self.totals = self.totals_of(self.rows)

    # Per-page behaviour (override) --------------------------------------------------------------
    def totals_of(self, rows):
        """The totals of the rows shown; by default the one handed to `set_rows`."""
        return self._given_totals

    def total_display(self, totals, key: str) -> str:
        return self.display(totals, key)

    def total_tooltip(self, totals, key: str) -> str | None:
        return None

    def total_foreground(self, totals, key: str) -> QColor | None:
        return None

    # Where the totals row is --------------------------------------------------------------------
    def is_totals(self, row: int) -> bool:
        return (self.totals is not None and row == len(self.rows)
                and (bool(self.rows) or self.EMPTY_TOTALS))

    def row_item(self, row: int):
        """A row's object, the totals included."""
        if 0 <= row < len(self.rows):
            return self.rows[row]
        return self.totals if self.is_totals(row) else None

    # Qt --------------------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        if parent.isValid():
            return 0
        return len(self.rows) + (1 if self.is_totals(len(self.rows)) else 0)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not self.is_totals(index.row()) or not 0 <= index.column() < len(self.COLUMNS):
            return super().data(index, role)
        key = self.COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.total_display(self.totals, key)
        if role == Qt.ItemDataRole.TextAlignmentRole and key in self.NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(TOTALS_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole:
            color = self.total_foreground(self.totals, key)
            return QBrush(color) if color is not None else None
        if role == Qt.ItemDataRole.FontRole:
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.total_tooltip(self.totals, key)
        return None
