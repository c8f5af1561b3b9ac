"""Kit: the row model with a totals row (last, outside sorting and filtering) and the 截至 date filter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from conftest import type_text
from PySide6.QtCore import Qt

from desktop.views.kit.as_of import AsOfField
from desktop.views.kit.totals import TotalsRowsModel

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@dataclass
class Row:
    id: int | None
    name: str
    n: int


class Model(TotalsRowsModel):
    COLUMNS = [("name", "名称"), ("n", "数量")]
    NUMERIC = {"n"}

    def totals_of(self, rows):
        return Row(None, "合计", sum(r.n for r in rows))


def test_the_totals_row_stays_last_after_sorting_and_sums_what_is_shown(qtmodeltester):
    m = Model()
    m.set_rows([Row(1, "乙", 5), Row(2, "甲", 7), Row(3, "丙", 1)])
    qtmodeltester.check(m)
    assert m.rowCount() == 4 and m.is_totals(3)
    m.sort(1, Qt.SortOrder.DescendingOrder)
    assert [m.data(m.index(r, 0)) for r in range(4)] == ["甲", "乙", "丙", "合计"]
    assert m.data(m.index(3, 1)) == "13" and m.data(m.index(3, 0), Qt.ItemDataRole.FontRole).bold()
    m.set_filter("乙")
    assert m.rowCount() == 2 and m.data(m.index(1, 1)) == "5"
    m.set_filter("没有")
    assert m.rowCount() == 0  # no rows, no totals row (unless EMPTY_TOTALS)
    qtmodeltester.check(m)


def test_a_given_totals_row_is_shown_even_without_rows_when_asked():
    class AllRow(TotalsRowsModel):
        COLUMNS = [("name", "名称")]
        EMPTY_TOTALS = True

    m = AllRow()
    m.set_rows([], Row(None, "全部", 0))
    assert m.rowCount() == 1 and m.row_item(0).name == "全部" and m.rows == []


@pytest.fixture
def as_of(qtbot):
    field = AsOfField(lambda: dt.date(2024, 6, 30), year=2024)
    qtbot.addWidget(field)
    field.show()
    return field


def test_as_of_starts_today_and_reports_only_whole_dates(qtbot, as_of):
    seen = []
    as_of.changed.connect(seen.append)
    assert as_of.value() == dt.date(2024, 6, 30)
    as_of.field.edit.clear()
    type_text(qtbot, as_of.field.edit, "2024年3月5日")
    assert as_of.value() == dt.date(2024, 3, 5) and seen[-1] == dt.date(2024, 3, 5)
    as_of.field.edit.clear()
    qtbot.keyClicks(as_of.field.edit, "2024.13.1")
    assert as_of.value() == dt.date(2024, 3, 5)  # the bad date never reaches the page
    assert not as_of.field.check() and "月份" in as_of.field.edit.toolTip()
    as_of.today_button.click()
    assert as_of.value() == dt.date(2024, 6, 30) and as_of.field.text() == "2024-06-30"


def test_a_page_reloads_on_a_change_of_its_tables_and_of_the_year_when_it_follows_it(qtbot, ctx):
    from PySide6.QtWidgets import QPushButton, QVBoxLayout

    from desktop.views.kit.layouts import search_box
    from desktop.views.kit.page import Page

    class Probe(Page):
        relevant_tables = frozenset({"town"})
        follows_year = True

        def __init__(self, ctx):
            super().__init__(ctx)
            self.loads = 0
            self.search = search_box(self, "筛选（Ctrl+F）")
            self.other = QPushButton("别处")
            box = QVBoxLayout(self)
            box.addWidget(self.search)
            box.addWidget(self.other)

        def refresh(self):
            self._stale = False
            self.loads += 1

    page = Probe(ctx)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    ctx.announce({"soe"})
    assert page.loads == 1
    ctx.announce({"town"})
    ctx.set_year(2025)
    assert page.loads == 3
    page.search.setText("甲镇")
    page.activateWindow()
    page.other.setFocus()
    qtbot.waitUntil(page.other.hasFocus)
    qtbot.keyClick(page.other, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search.hasFocus() and page.search.selectedText() == "甲镇"


def test_export_file_says_where_it_wrote_or_that_it_did_not_finish(qtbot, ctx, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QLabel, QPushButton, QWidget

    from conftest import wait_idle
    from desktop.services.errors import Refused
    from desktop.views.kit import file_export

    page = QWidget()
    page.ctx = ctx
    qtbot.addWidget(page)
    button, status, written = QPushButton(), QLabel(), []

    def write_it(_ledger, path):
        return path

    file_export.export_file(page, button, status, write_it, tmp_path / "a.xlsx", done=written.append)
    assert not button.isEnabled() and status.text() == "正在导出…"
    wait_idle(qtbot, ctx)
    assert button.isEnabled() and written == [tmp_path / "a.xlsx"] and "a.xlsx" in status.text()
    shown = []
    monkeypatch.setattr(file_export, "show_error", lambda _p, exc: shown.append(exc.message))

    def refuse(_ledger):
        raise Refused("磁盘已满")

    file_export.export_file(page, button, status, refuse)
    wait_idle(qtbot, ctx)
    assert status.text() == "导出未完成" and shown == ["磁盘已满"] and button.isEnabled()
