"""The one row model of the page kit: read-only rows of the services' dataclasses, sorted and filtered
in memory (pages of a few thousand rows; the register's 100 000 use their own SQL-sorted model).

A subclass declares `COLUMNS` = [(attribute, header)], `NUMERIC` keys, and overrides only what is
particular: `value` (what sorts), `display` (what shows), `foreground`/`background`/`bold`/`tooltip`.
Sorting and the text filter survive `set_rows`, so a reload keeps the clerk's order.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.services import units

RED = QColor("#c0392b")
AMBER = QColor("#FFD966")
MUTED = QColor("#8A8A8A")
MISSING_BACKGROUND = QColor("#F8D7DA")


def date_text(value: dt.date | None) -> str:
    return "" if value is None else f"{value.year}-{value.month:02d}-{value.day:02d}"


def mu(value: Decimal | None, places: int = 2) -> str:
    """An area or amount as shown in tables: thousands separators, fixed decimals, empty for None."""
    return "" if value is None else units.fmt(value, places)


def pct_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{units.fmt(value, 2)}%"


def sort_key(value):
    """Comparable within a column: empty first, enums in declaration order, sequences by length."""
    if value is None or value == "":
        return (0, 0)
    if isinstance(value, bool):
        return (1, int(value))
    if hasattr(value, "label") and hasattr(type(value), "__members__"):
        return (1, list(type(value)).index(value))
    if isinstance(value, (tuple, list)):
        return (1, len(value))
    return (1, value)


def plain_text(value) -> str:
    """A cell's text: numbers with separators, dates ISO, enums by label, booleans as 是/blank."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, Decimal):
        return units.fmt(value, 2)
    if isinstance(value, dt.date):
        return date_text(value)
    if hasattr(value, "label"):
        return value.label
    if isinstance(value, (tuple, list)):
        return "、".join(str(v) for v in value)
    return str(value)


# multiData's roles as the ints QModelRoleData.role() gives, and its fixed answers.
_DISPLAY, _ALIGN, _FOREGROUND, _BACKGROUND, _FONT, _TOOLTIP = (
    int(r) for r in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.ForegroundRole,
                     Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ToolTipRole))
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def _bold_font() -> QFont:
    f = QFont()
    f.setBold(True)
    return f


class RowsModel(QAbstractTableModel):
    """Read-only rows; `COLUMNS` = [(attribute, header)]; sortable, filterable, colourable."""

    COLUMNS: list[tuple[str, str]] = []
    NUMERIC: frozenset[str] | set[str] = frozenset()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._all: list = []
        self.rows: list = []
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)
        self._filter = ""

    # Data in --------------------------------------------------------------------------------
    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self._all = list(rows)
        self._apply()
        self.endResetModel()

    def set_filter(self, text: str) -> None:
        text = (text or "").strip().lower()
        if text == self._filter:
            return
        self.beginResetModel()
        self._filter = text
        self._apply()
        self.endResetModel()

    def total(self) -> int:
        """Rows loaded, before the text filter."""
        return len(self._all)

    def key(self, column: int) -> str:
        return self.COLUMNS[column][0]

    def column(self, key: str) -> int:
        return [k for k, _ in self.COLUMNS].index(key)

    def row_of(self, row_id) -> int:
        return next((i for i, r in enumerate(self.rows) if getattr(r, "id", None) == row_id), -1)

    def item(self, row: int):
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def matches(self, row, term: str) -> bool:
        return any(term in self.display(row, key).lower() for key, _ in self.COLUMNS)

    def _apply(self) -> None:
        terms = self._filter.split()
        rows = [r for r in self._all if all(self.matches(r, t) for t in terms)] if terms else list(self._all)
        column, order = self._sort
        if 0 <= column < len(self.COLUMNS):
            key = self.COLUMNS[column][0]
            rows.sort(key=lambda r: sort_key(self.value(r, key)), reverse=order == Qt.SortOrder.DescendingOrder)
        self.rows = rows

    # Per-column behaviour (override) ------------------------------------------------------------
    def value(self, row, key: str):
        return getattr(row, key)

    def display(self, row, key: str) -> str:
        return plain_text(self.value(row, key))

    def foreground(self, row, key: str) -> QColor | None:
        return None

    def background(self, row, key: str) -> QColor | None:
        return None

    def bold(self, row, key: str) -> bool:
        return False

    def tooltip(self, row, key: str) -> str | None:
        return None

    # Qt --------------------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.COLUMNS)):
            return self.COLUMNS[section][1]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows) or not 0 <= index.column() < len(self.COLUMNS):
            return None
        return self._answer(self.rows[index.row()], self.COLUMNS[index.column()][0], int(role))

    def _answer(self, row, key: str, role: int):
        """A cell's value for one role (data() and multiData() both ask here)."""
        if role == _DISPLAY:
            return self.display(row, key)
        if role == _ALIGN:
            return _RIGHT if key in self.NUMERIC else None
        if role == _FOREGROUND:
            color = self.foreground(row, key)
            return QBrush(color) if color is not None else None
        if role == _BACKGROUND:
            color = self.background(row, key)
            return QBrush(color) if color is not None else None
        if role == _FONT:
            return _bold_font() if self.bold(row, key) else None
        if role == _TOOLTIP:
            return self.tooltip(row, key)
        return None

    def multiData(self, index, roleDataSpan) -> None:
        """Every role a delegate asks for to draw a cell, in one call from Qt (its default asks data() once per
        role: seven calls from C++ into Python per cell, each taking the GIL, which the lane may hold). The
        values are data()'s, None included: Qt's delegate keeps one role array from cell to cell, so a role
        left unwritten would show the cell drawn before. A subclass with its own data() is asked role by role
        here, still in one call per cell."""
        if type(self).data is not RowsModel.data:
            for item in roleDataSpan:
                item.setData(self.data(index, item.role()))
            return
        r, c = index.row(), index.column()
        if not (index.isValid() and 0 <= r < len(self.rows) and 0 <= c < len(self.COLUMNS)):
            for item in roleDataSpan:
                item.clearData()
            return
        row, key, answer = self.rows[r], self.COLUMNS[c][0], self._answer
        for item in roleDataSpan:
            item.setData(answer(row, key, item.role()))

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply()
        self.layoutChanged.emit()
