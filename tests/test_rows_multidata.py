"""The page kit's RowsModel answers a drawn cell's roles in one call (multiData): what Qt's delegate reads for
each cell, in drawing order, is exactly what data() answers role by role — text, right alignment of numbers,
colours, bold, tooltip — never the cell drawn before (Qt 6's delegate keeps one role array from cell to cell),
also for a subclass with its own data(), and for rows beyond the end."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from desktop.views.kit.rows import AMBER, MUTED, RED, RowsModel


@dataclass
class Row:
    id: int
    name: str
    area: Decimal | None
    note: str


class Model(RowsModel):
    """Every per-cell behaviour on, each on some cells only (so one cell's answer differs from the last's)."""

    COLUMNS = [("name", "名称"), ("area", "面积"), ("note", "备注")]
    NUMERIC = {"area"}

    def foreground(self, row, key):
        return RED if row.id % 3 == 0 and key == "name" else (MUTED if row.id % 5 == 0 else None)

    def background(self, row, key):
        return AMBER if row.id % 4 == 0 else None

    def bold(self, row, key):
        return row.id % 2 == 0 and key != "note"

    def tooltip(self, row, key):
        return f"{row.name}的{key}" if row.id % 7 == 0 else None


class OwnData(Model):
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == 0:
            return Qt.CheckState.Checked.value if index.row() % 2 else Qt.CheckState.Unchecked.value
        return super().data(index, role)


def rows(n: int) -> list[Row]:
    return [Row(i, f"企业{i}", Decimal(i * 11) / 7 if i % 6 else None, "" if i % 2 else f"说明{i}") for i in range(n)]


def drawn(model, r: int, c: int, delegate: QStyledItemDelegate) -> QStyleOptionViewItem:
    option = QStyleOptionViewItem()
    delegate.initStyleOption(option, model.index(r, c))
    return option


def check_cells(model) -> int:
    delegate = QStyledItemDelegate()
    blank = QStyleOptionViewItem()
    normal_text, checked = blank.palette.color(QPalette.ColorRole.Text), 0
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            index = model.index(r, c)
            option = drawn(model, r, c, delegate)
            assert option.text == (model.data(index) or ""), (r, c)
            align = model.data(index, Qt.ItemDataRole.TextAlignmentRole)
            if align is not None:
                assert option.displayAlignment == Qt.AlignmentFlag(align), (r, c)
            else:
                assert option.displayAlignment == blank.displayAlignment, (r, c)
            fg = model.data(index, Qt.ItemDataRole.ForegroundRole)
            assert option.palette.color(QPalette.ColorRole.Text) == (fg.color() if fg is not None else normal_text)
            bg = model.data(index, Qt.ItemDataRole.BackgroundRole)
            assert option.backgroundBrush == (bg if bg is not None else blank.backgroundBrush), (r, c)
            font = model.data(index, Qt.ItemDataRole.FontRole)
            assert option.font.bold() == (font is not None and font.bold()), (r, c)
            checked += option.checkState == Qt.CheckState.Checked
    return checked


def test_each_drawn_cell_shows_what_data_answers(qtbot):
    model = Model()
    model.set_rows(rows(43))
    assert check_cells(model) == 0
    model.sort(1, Qt.SortOrder.DescendingOrder)  # another order: the same answers, other neighbours
    check_cells(model)
    index = model.index(model.row_of(7), 0)
    assert model.data(index, Qt.ItemDataRole.ToolTipRole) == "企业7的name"


def test_a_subclass_with_its_own_data_is_answered_by_it(qtbot):
    model = OwnData()
    model.set_rows(rows(20))
    assert check_cells(model) == 10  # its check boxes, every other row


def test_a_cell_whose_row_has_gone_is_answered_empty(qtbot):
    """An index kept from before a reload that shortened the rows: every role asked for is emptied, none
    keeps what it held."""
    from PySide6.QtCore import QModelRoleData, QModelRoleDataSpan

    model = Model()
    model.set_rows(rows(3))
    kept = model.index(2, 0)
    model.set_rows(rows(1))
    for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ForegroundRole):
        held = QModelRoleData(int(role))
        held.setData("企业2")
        model.multiData(kept, QModelRoleDataSpan(held))
        assert held.data() is None, role
