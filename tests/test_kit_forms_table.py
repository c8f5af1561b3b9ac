"""Kit pieces used by more than one page: a form on a page (FieldForm) and reloading a table's rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QTableView

from desktop.services.errors import ValidationError
from desktop.views.kit.date_field import DateField
from desktop.views.kit.forms import FieldForm
from desktop.views.kit.rows import RowsModel
from desktop.views.kit.table import reload_rows, selected_rows, setup_table


@dataclass
class Row:
    id: int
    name: str


class Model(RowsModel):
    COLUMNS = [("id", "编号"), ("name", "名称")]


def test_a_field_form_shows_a_bad_date_and_a_refusal_at_their_fields(qtbot):
    form = FieldForm("保存本步")
    qtbot.addWidget(form)
    day = form.add("done_on", "完成日期", DateField(label="完成日期", field="done_on"))
    note = form.add("result", "结果", QLineEdit())
    form.show()
    day.edit.setText("2024.13.1")
    assert not form.dates_ok() and "月份" in day.error.text()
    day.set_value(dt.date(2024, 3, 5))
    assert form.dates_ok() and form.ok_button.text() == "保存本步"
    form.ok_button.setEnabled(False)
    form.show_error(ValidationError("结果不能为空", field="result"))
    assert form.errors["result"].isVisible() and form.errors["result"].text() == "结果不能为空"
    assert form.ok_button.isEnabled()
    qtbot.keyClicks(note, "ok")  # editing the field clears its line
    assert not form.errors["result"].isVisible()


@pytest.mark.parametrize("single", [True, False])
def test_reload_rows_keeps_the_sort_and_the_selected_rows(qtbot, single):
    table = setup_table(QTableView(), single=single)
    qtbot.addWidget(table)
    table.setModel(Model())
    table.model().set_rows([Row(1, "乙"), Row(2, "甲"), Row(3, "丙")])
    table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    table.selectRow(table.model().row_of(2))
    reload_rows(table, [Row(4, "丁"), Row(2, "甲"), Row(1, "乙")])
    assert [r.id for r in table.model().rows] == [4, 2, 1]
    assert [r.id for r in selected_rows(table)] == [2]


def test_boxes_lay_out_without_margins(qtbot):
    from PySide6.QtWidgets import QLabel

    from desktop.views.kit.layouts import hbox, vbox

    a, b, c = QLabel("甲"), QLabel("乙"), QLabel("丙")
    col = vbox(a, b, spacing=5)
    qtbot.addWidget(col)
    assert col.layout().count() == 2 and col.layout().spacing() == 5
    assert col.layout().contentsMargins().left() == 0
    line = hbox((c, 1), QLabel("亩"))
    qtbot.addWidget(line)
    assert line.layout().stretch(0) == 1 and line.layout().stretch(1) == 0


def test_reload_rows_keeps_an_unsortable_tables_order(qtbot):
    table = setup_table(QTableView(), sortable=False)
    qtbot.addWidget(table)
    table.setModel(Model())
    reload_rows(table, [Row(1, "一月"), Row(2, "二月"), Row(3, "三月")])
    assert [r.id for r in table.model().rows] == [1, 2, 3]


def test_ctrl_f_focuses_the_search_box(qtbot):
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from desktop.views.kit.layouts import search_box

    page = QWidget()
    qtbot.addWidget(page)
    called = []
    box = search_box(page, "按名称筛选（Ctrl+F）", width=180, before=lambda: called.append(1))
    other = QLineEdit()
    lay = QVBoxLayout(page)
    lay.addWidget(box)
    lay.addWidget(other)
    page.show()
    page.activateWindow()
    other.setFocus()
    qtbot.waitUntil(other.hasFocus)
    box.setText("化工")
    qtbot.keyClick(other, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert box.hasFocus() and box.selectedText() == "化工" and called == [1]
    assert box.isClearButtonEnabled() and box.maximumWidth() == 180  # at most that wide on a narrow screen


def test_a_table_edited_in_place_selects_cells_and_edits_on_typing(qtbot):
    from PySide6.QtWidgets import QAbstractItemView

    from desktop.views.kit.table import edit_in_place

    table = edit_in_place(setup_table(QTableView(), sortable=False))
    qtbot.addWidget(table)
    assert table.selectionBehavior() == QAbstractItemView.SelectionBehavior.SelectItems
    assert table.editTriggers() & QAbstractItemView.EditTrigger.AnyKeyPressed
    assert table.editTriggers() & QAbstractItemView.EditTrigger.DoubleClicked
