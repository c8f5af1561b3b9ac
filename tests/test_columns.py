"""Header menu of a table: less important columns hidden by default, shown or hidden by the clerk,
remembered with the page's layout."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QTableView

from desktop.views.kit.columns import RESET_TEXT, ColumnChooser
from desktop.views.kit.rows import RowsModel
from desktop.views.kit.table import Layout, setup_table


class _Model(RowsModel):
    COLUMNS = [("name", "名称"), ("town", "镇街"), ("state", "状态"), ("note", "备注"), ("address", "地址")]


def _table(qtbot, settings):
    view = setup_table(QTableView())
    model = _Model(view)
    model.set_rows([SimpleNamespace(id=1, name="甲厂", town="东城", state="草稿", note="", address="路1号")])
    view.setModel(model)
    qtbot.addWidget(view)
    chooser = ColumnChooser(view, hidden={"note", "address"})
    layout = Layout(settings, "t", {"header": view.horizontalHeader()})
    return view, chooser, layout


def _ticks(chooser) -> dict[str, bool]:
    return {a.text(): a.isChecked() for a in chooser.menu().actions() if a.isCheckable()}


def test_less_important_columns_start_hidden_and_the_menu_shows_them_unticked(qtbot, tmp_path):
    view, chooser, _ = _table(qtbot, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    assert [view.isColumnHidden(c) for c in range(5)] == [False, False, False, True, True]
    assert _ticks(chooser) == {"名称": True, "镇街": True, "状态": True, "备注": False, "地址": False}


def test_ticking_shows_a_column_and_the_choice_survives_a_new_page(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    view, chooser, layout = _table(qtbot, settings)
    note = next(a for a in chooser.menu().actions() if a.text() == "备注")
    note.trigger()
    town = next(a for a in chooser.menu().actions() if a.text() == "镇街")
    town.trigger()
    assert not view.isColumnHidden(3) and view.columnWidth(3) > 20
    assert view.isColumnHidden(1)
    layout.save()
    again, _chooser, _layout = _table(qtbot, settings)
    assert [again.isColumnHidden(c) for c in range(5)] == [False, True, False, False, True]


def test_the_first_column_and_the_last_shown_cannot_be_hidden(qtbot, tmp_path):
    view, chooser, _ = _table(qtbot, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    first = next(a for a in chooser.menu().actions() if a.text() == "名称")
    assert not first.isEnabled()
    assert not chooser.set_shown("name", False) and not view.isColumnHidden(0)
    assert chooser.set_shown("town", False) and chooser.set_shown("state", False)
    assert chooser.shown() == [0]


def test_reset_brings_back_the_defaults(qtbot, tmp_path):
    view, chooser, _ = _table(qtbot, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    chooser.set_shown("address", True)
    chooser.set_shown("state", False)
    reset = next(a for a in chooser.menu().actions() if a.text() == RESET_TEXT)
    reset.trigger()
    assert [view.isColumnHidden(c) for c in range(5)] == [False, False, False, True, True]
