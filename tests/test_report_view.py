"""月度报送与核实 page: the month's town overview, the verification grid and its dialog, adding
completed entries, removing one, and the export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from conftest import wait_idle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from test_report_service import entry, make_entry, make_town, verify_all

from desktop.models.enums import EntryState, VerifyResult
from desktop.services.reports import report_service

D = Decimal
PASS, FAIL = VerifyResult.PASS, VerifyResult.FAIL
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture
def city(db):
    """甲镇 reported two entries in March (one verified), and has one more in 实施中; 乙镇 reported late."""
    a, b = make_town(db, "甲镇"), make_town(db, "乙镇")
    e1, e2 = make_entry(db, a, "甲镇宏达机械有限公司", "12.5"), make_entry(db, a, "甲镇老码头", "30")
    e3 = make_entry(db, a, "甲镇新华地块", "8")
    ra = report_service.open_report(db, a, 2024, 3, dt.date(2024, 3, 15))
    i1, i2 = report_service.add_item(db, ra.id, e1), report_service.add_item(db, ra.id, e2)
    verify_all(db, i1, [PASS] * 4, dt.date(2024, 3, 20))
    report_service.open_report(db, b, 2024, 3, dt.date(2024, 3, 22))
    return {"甲镇": a, "乙镇": b, "e1": e1, "e2": e2, "e3": e3, "i1": i1, "i2": i2, "report": ra.id}


@pytest.fixture
def page(qtbot, ctx, city):
    from desktop.views.reports.report_view import ReportPage

    p = ReportPage(ctx)
    qtbot.addWidget(p)
    p.resize(1400, 800)
    p.show()
    p.activate()  # 2024 is not the running year: opens on the latest month with a report
    wait_idle(qtbot, ctx)
    return p


def grid_texts(page, row: int) -> list[str]:
    m = page.grid_model
    return [m.data(m.index(row, c)) for c in range(m.columnCount())]


def select_item(page, item_id: int, column_key: str = "target") -> None:
    m = page.grid_model
    page.grid.setCurrentIndex(m.index(m.row_of(item_id), m.column_of(column_key)))


# Models ------------------------------------------------------------------------------------

def test_overview_model_passes_the_model_tester(qtmodeltester, db, city):
    from desktop.views.reports.report_models import OverviewModel

    model = OverviewModel()
    model.set_overview(report_service.month_overview(db, 2024, 3, as_of=dt.date(2024, 4, 1)))
    qtmodeltester.check(model)
    assert model.rowCount() == 3 and model.data(model.index(2, 0)) == "全部镇街"


def test_item_grid_model_passes_the_model_tester(qtmodeltester, db, city):
    from desktop.views.reports.report_models import ItemGridModel

    model = ItemGridModel()
    model.set_table(report_service.verification_table(db, 2024, 3))
    qtmodeltester.check(model)
    assert model.rowCount() == 2 and model.columnCount() == 3 + 4 + 3


def test_reportable_model_passes_the_model_tester(qtmodeltester, db, city):
    from desktop.views.reports.report_models import ReportableModel

    model = ReportableModel()
    model.set_rows(report_service.reportable_entries(db, city["甲镇"], 2024))
    qtmodeltester.check(model)
    assert model.rowCount() == 1 and model.data(model.index(0, 1)) == "甲镇新华地块"


def test_reportable_model_keeps_a_typed_area_and_refuses_nonsense(db, city):
    from desktop.views.reports.report_models import ReportableModel

    model = ReportableModel()
    model.set_rows(report_service.reportable_entries(db, city["甲镇"], 2024))
    area = model.index(0, ReportableModel.AREA_COLUMN)
    assert model.data(area) == "8.00" and model.chosen() == []
    assert not model.setData(area, "abc") and not model.setData(area, "0")
    assert model.setData(area, "7.5亩")
    assert model.chosen() == [(city["e3"], D("7.5000"))]


# Page --------------------------------------------------------------------------------------

def test_page_opens_on_the_latest_month_with_every_towns_items(page, city):
    assert page.month_combo.currentData() == 3
    assert "报送截止 3月20日" in page.due_label.text() and "核实截止 3月25日" in page.due_label.text()
    m = page.grid_model
    assert m.rowCount() == 2 and not page.grid.isColumnHidden(0)
    headers = [m.headerData(c, Qt.Orientation.Horizontal) for c in range(m.columnCount())]
    assert headers[3:7] == ["资规局", "工信局", "交通运输局", "税务局"]
    verified = grid_texts(page, m.row_of(city["i1"]))
    pending = grid_texts(page, m.row_of(city["i2"]))
    assert verified[3:8] == ["通过", "通过", "通过", "通过", "已核实"]
    assert pending[3:8] == ["—", "—", "—", "—", "待核实"]


def test_a_late_report_is_flagged_red_in_the_overview_and_on_the_report(qtbot, page, ctx, city):
    m = page.overview_model
    row = m.row_of_town(city["乙镇"])
    status = m.index(row, 2)
    assert m.data(status) == "逾期报送"
    assert m.data(status, Qt.ItemDataRole.ForegroundRole).color().name().lower() == "#c0392b"
    page.select_town(city["乙镇"])
    wait_idle(qtbot, ctx)
    assert "逾期" in page.late_label.text() and page.grid_model.rowCount() == 0
    page.select_town(city["甲镇"])
    wait_idle(qtbot, ctx)
    assert page.late_label.text() == "" and page.grid.isColumnHidden(0)


def test_verification_dialog_records_a_pass_and_the_grid_shows_it(qtbot, page, ctx, db, city):
    select_item(page, city["i2"], "dept:0")
    dialog = page.open_verification()
    assert dialog is not None and dialog.department() == "资规局"
    dialog.set_values(PASS, dt.date(2024, 3, 21))
    dialog.submit()
    wait_idle(qtbot, ctx)
    assert not dialog.isVisible()
    row = page.grid_model.row_of(city["i2"])
    assert grid_texts(page, row)[3] == "通过"
    assert entry(db, city["e2"]).state is EntryState.REPORTED


def test_the_fourth_pass_verifies_the_entry_in_the_grid(qtbot, page, ctx, db, city):
    verify_all(db, city["i2"], [PASS, PASS, PASS, None], dt.date(2024, 3, 21))
    ctx.changed("verification")
    wait_idle(qtbot, ctx)
    select_item(page, city["i2"], "dept:3")
    dialog = page.open_verification()
    assert dialog.department() == "税务局"
    dialog.set_values(PASS, dt.date(2024, 3, 24))
    dialog.submit()
    wait_idle(qtbot, ctx)
    assert grid_texts(page, page.grid_model.row_of(city["i2"]))[7] == "已核实"
    assert entry(db, city["e2"]).state is EntryState.VERIFIED


def test_a_fail_without_a_note_is_shown_under_the_note_and_the_dialog_stays(qtbot, page, ctx, db, city):
    select_item(page, city["i2"], "dept:1")
    dialog = page.open_verification()
    dialog.set_values(FAIL, dt.date(2024, 3, 21), "")
    dialog.submit()
    wait_idle(qtbot, ctx)
    assert dialog.isVisible() and dialog.errors["note"].isVisible()
    assert "须填写说明" in dialog.errors["note"].text()
    dialog.note_edit.setText("尚在生产经营")
    dialog.submit()
    wait_idle(qtbot, ctx)
    row = grid_texts(page, page.grid_model.row_of(city["i2"]))
    assert row[4] == "不通过" and row[7] == "核实未通过"
    assert entry(db, city["e2"]).state_reason == "工信局：尚在生产经营"


def test_resume_moves_a_failed_entry_back_to_in_progress(qtbot, page, ctx, db, city, monkeypatch):
    verify_all(db, city["i2"], [FAIL, None, None, None], dt.date(2024, 3, 21))
    ctx.changed("verification")
    wait_idle(qtbot, ctx)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    select_item(page, city["i2"])
    assert page.resume_button.isEnabled() and not page.remove_button.isEnabled()
    page.resume_button.click()
    wait_idle(qtbot, ctx)
    assert entry(db, city["e2"]).state is EntryState.IN_PROGRESS
    assert not page.verify_button.isEnabled() and not page.resume_button.isEnabled()


def test_a_date_after_the_due_day_is_announced_late_in_the_dialog_and_in_the_grid(qtbot, page, ctx, city):
    select_item(page, city["i2"], "dept:2")
    dialog = page.open_verification()
    dialog.set_values(PASS, dt.date(2024, 3, 26))
    assert "将记为逾期" in dialog.due_hint.text()
    dialog.set_values(PASS, dt.date(2024, 3, 25))
    assert "逾期" not in dialog.due_hint.text()
    dialog.set_values(PASS, dt.date(2024, 3, 26))
    dialog.submit()
    wait_idle(qtbot, ctx)
    m = page.grid_model
    row = m.row_of(city["i2"])
    cell = m.index(row, m.column_of("dept:2"))
    assert m.data(cell) == "通过 逾期"
    assert m.data(cell, Qt.ItemDataRole.ForegroundRole).color().name().lower() == "#c0392b"
    assert "核实逾期（交通运输局）" in m.data(m.index(row, m.column_of("late_text")))


def test_a_service_refusal_appears_under_its_field(qtbot, page, ctx, city):
    select_item(page, city["i2"], "dept:0")
    dialog = page.open_verification()
    dialog.set_values(PASS, dt.date(2024, 3, 10))  # before the report date (15 March)
    dialog.submit()
    wait_idle(qtbot, ctx)
    assert dialog.isVisible() and "不能早于报送日期" in dialog.errors["verified_on"].text()


def test_a_verified_item_cannot_be_opened_for_verification(qtbot, page, city, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: shown.append(a[2]))
    select_item(page, city["i1"], "dept:0")
    assert page.open_verification() is None
    assert "已核实" in shown[0]


def test_add_dialog_offers_the_towns_entries_in_progress_and_reports_them(qtbot, page, ctx, db, city):
    from desktop.views.reports.report_dialogs import AddItemsDialog

    page.select_town(city["甲镇"])
    wait_idle(qtbot, ctx)
    assert page.add_button.isEnabled()
    page.add_items()
    wait_idle(qtbot, ctx)
    dialog = page.dialog
    assert isinstance(dialog, AddItemsDialog)
    assert [r.target for r in dialog.model.rows] == ["甲镇新华地块"]
    assert not dialog.ok_button.isEnabled()
    dialog.check(city["e3"], "7.5")
    assert "已选 1 项" in dialog.count.text() and "7.50" in dialog.count.text()
    dialog.submit()
    wait_idle(qtbot, ctx)
    assert not dialog.isVisible()
    e = entry(db, city["e3"])
    assert e.state is EntryState.REPORTED and e.completed_on == dt.date(2024, 3, 15)
    m = page.grid_model
    assert m.rowCount() == 3
    row = next(i for i, r in enumerate(m.rows) if r.entry_id == city["e3"])
    assert grid_texts(page, row)[2] == "7.50"


def test_a_town_without_a_report_date_cannot_add_entries_until_the_date_is_saved(qtbot, page, ctx, db, city):
    c = make_town(db, "丙镇")
    ctx.changed("town")
    wait_idle(qtbot, ctx)
    page.select_town(c)
    wait_idle(qtbot, ctx)
    assert not page.add_button.isEnabled() and "尚未报送" in page.report_hint.text()
    page.date_edit.set_value(dt.date(2024, 3, 18))
    page.save_date()
    wait_idle(qtbot, ctx)
    assert page.add_button.isEnabled()
    assert report_service.get_report(db, c, 2024, 3).reported_on == dt.date(2024, 3, 18)


def test_delete_removes_a_pending_item_after_asking(qtbot, page, ctx, db, city, monkeypatch):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    select_item(page, city["i2"])
    assert page.remove_button.isEnabled()
    page.grid.setFocus()
    qtbot.keyClick(page.grid, Qt.Key.Key_Delete)
    wait_idle(qtbot, ctx)
    assert asked and "甲镇老码头" in asked[0]
    assert entry(db, city["e2"]).state is EntryState.IN_PROGRESS
    assert page.grid_model.row_of(city["i2"]) == -1


def test_export_writes_the_months_table_on_the_worker(qtbot, page, ctx, tmp_path):
    results = []
    path = tmp_path / "核实表.xlsx"
    page.export_to(str(path), on_done=results.append)
    wait_idle(qtbot, ctx)
    assert results and results[0].rows == 2
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "2024年3月“危污乱散低”整治核实情况表"
    assert ws.cell(5, 6).value == pytest.approx(12.5) and ws.cell(6, 6).value == pytest.approx(30)


def test_changing_the_month_shows_that_months_reports(qtbot, page, ctx):
    page.month_combo.setCurrentIndex(page.month_combo.findData(4))
    wait_idle(qtbot, ctx)
    assert page.grid_model.rowCount() == 0 and "本月没有报送条目" in page.empty_label.text()
    assert "4月" in page.summary.text()


def test_column_widths_survive_a_reload_and_are_remembered(qtbot, page, ctx):
    from desktop.views.reports.report_view import ReportPage

    page.grid.setColumnWidth(1, 321)
    ctx.changed("verification")
    wait_idle(qtbot, ctx)
    assert page.grid.columnWidth(1) == 321
    page.save_layout()
    again = ReportPage(ctx)
    qtbot.addWidget(again)
    again.show()
    again.activate()
    wait_idle(qtbot, ctx)
    assert again.grid.columnWidth(1) == 321


# Actions follow the selected item ---------------------------------------------------------------

def test_buttons_follow_the_item_state_and_say_why_not(qtbot, page, ctx, db, city):
    select_item(page, city["i1"])  # 已核实
    assert not page.verify_button.isEnabled() and "核实记录不能再更改" in page.verify_button.toolTip()
    assert not page.remove_button.isEnabled() and "尚未核实的条目可以移除" in page.remove_button.toolTip()
    assert not page.resume_button.isEnabled() and "核实未通过" in page.resume_button.toolTip()
    select_item(page, city["i2"])  # 已报完成
    assert page.verify_button.isEnabled() and page.remove_button.isEnabled() and page.edit_button.isEnabled()
    page.grid.clearSelection()
    assert "请先选择" in page.verify_button.toolTip()


def test_an_entry_taken_back_to_work_cannot_be_verified_and_the_button_says_so(qtbot, page, ctx, db, city):
    from desktop.services.lists import list_service

    verify_all(db, city["i2"], [FAIL, None, None, None], dt.date(2024, 3, 21))
    list_service.transition(db, city["e2"], "resume")
    ctx.changed("list_entry")
    wait_idle(qtbot, ctx)
    select_item(page, city["i2"])
    assert not page.verify_button.isEnabled() and "“实施中”" in page.verify_button.toolTip()


def test_adding_entries_needs_a_town_with_a_report_date(qtbot, page, ctx, db, city):
    page.select_town(None)
    wait_idle(qtbot, ctx)
    assert not page.add_button.isEnabled() and "选择镇街" in page.add_button.toolTip()
    page.select_town(city["甲镇"])
    wait_idle(qtbot, ctx)
    assert page.add_button.isEnabled()


# Undo ------------------------------------------------------------------------------------------

def ctrl(qtbot, page, key):
    page.activateWindow()
    page.grid.setFocus()
    qtbot.waitUntil(page.grid.hasFocus)
    qtbot.keyClick(page.grid, key, Qt.KeyboardModifier.ControlModifier)


def test_ctrl_z_takes_added_entries_back_out_and_ctrl_y_adds_them_again(qtbot, page, ctx, db, city):
    page.select_town(city["甲镇"])
    wait_idle(qtbot, ctx)
    page.add_items()
    wait_idle(qtbot, ctx)
    page.dialog.check(city["e3"], "7.5")
    page.dialog.submit()
    wait_idle(qtbot, ctx)
    assert entry(db, city["e3"]).state is EntryState.REPORTED
    ctrl(qtbot, page, Qt.Key.Key_Z)
    wait_idle(qtbot, ctx)
    e = entry(db, city["e3"])
    assert e.state is EntryState.IN_PROGRESS and e.completed_on is None and page.grid_model.rowCount() == 2
    ctrl(qtbot, page, Qt.Key.Key_Y)
    wait_idle(qtbot, ctx)
    assert entry(db, city["e3"]).state is EntryState.REPORTED
    table = report_service.verification_table(db, 2024, 3)
    assert next(r for r in table.rows if r.entry_id == city["e3"]).completed_area_mu == D("7.5")


def test_undo_of_a_verification_takes_the_record_back(qtbot, page, ctx, db, city):
    select_item(page, city["i2"], "dept:1")
    dialog = page.open_verification()
    dialog.set_values(FAIL, dt.date(2024, 3, 21), "尚在生产")
    dialog.submit()
    wait_idle(qtbot, ctx)
    assert entry(db, city["e2"]).state is EntryState.VERIFY_FAILED
    page.undo.stack.undo()
    wait_idle(qtbot, ctx)
    assert entry(db, city["e2"]).state is EntryState.REPORTED
    assert grid_texts(page, page.grid_model.row_of(city["i2"]))[4] == "—"
    page.undo.stack.redo()
    wait_idle(qtbot, ctx)
    assert entry(db, city["e2"]).state is EntryState.VERIFY_FAILED


def test_the_pass_that_verifies_an_entry_is_not_put_on_the_undo_stack(qtbot, page, ctx, db, city):
    verify_all(db, city["i2"], [PASS, PASS, PASS, None], dt.date(2024, 3, 21))
    ctx.changed("verification")
    wait_idle(qtbot, ctx)
    select_item(page, city["i2"], "dept:3")
    dialog = page.open_verification()
    dialog.set_values(PASS, dt.date(2024, 3, 24))
    dialog.submit()
    wait_idle(qtbot, ctx)
    assert entry(db, city["e2"]).state is EntryState.VERIFIED and not page.undo.stack.canUndo()


def test_undo_of_an_area_correction_and_of_a_removal(qtbot, page, ctx, db, city, monkeypatch):
    select_item(page, city["i2"])
    page.edit_item()
    page.dialog.area_edit.setText("25")
    page.dialog.submit()
    wait_idle(qtbot, ctx)
    area = lambda: next(r for r in report_service.verification_table(db, 2024, 3).rows  # noqa: E731
                        if r.entry_id == city["e2"]).completed_area_mu
    assert area() == D(25)
    page.undo.stack.undo()
    wait_idle(qtbot, ctx)
    assert area() == D(30)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    select_item(page, city["i2"])
    page.remove_item()
    wait_idle(qtbot, ctx)
    assert entry(db, city["e2"]).state is EntryState.IN_PROGRESS
    page.undo.stack.undo()
    wait_idle(qtbot, ctx)
    assert entry(db, city["e2"]).state is EntryState.REPORTED and area() == D(30)


def test_undo_of_a_first_report_date_deletes_the_empty_report(qtbot, page, ctx, db, city):
    c = make_town(db, "丙镇")
    ctx.changed("town")
    wait_idle(qtbot, ctx)
    page.select_town(c)
    wait_idle(qtbot, ctx)
    page.date_edit.set_value(dt.date(2024, 3, 18))
    page.save_date()
    wait_idle(qtbot, ctx)
    assert report_service.get_report(db, c, 2024, 3).reported_on == dt.date(2024, 3, 18)
    page.undo.stack.undo()
    wait_idle(qtbot, ctx)
    assert report_service.get_report(db, c, 2024, 3) is None and not page.add_button.isEnabled()


# Typed dates -------------------------------------------------------------------------------------

TYPED = ["2024-3-5", "2024.3.5", "2024/3/5", "20240305", "2024年3月5日"]


@pytest.fixture
def new_town(qtbot, page, ctx, db, city):
    c = make_town(db, "丙镇")
    ctx.changed("town")
    wait_idle(qtbot, ctx)
    page.select_town(c)
    wait_idle(qtbot, ctx)
    return c


@pytest.mark.parametrize("typed", TYPED)
def test_a_report_date_typed_in_any_form_is_saved(qtbot, page, ctx, db, new_town, typed):
    from conftest import type_text

    page.date_edit.edit.clear()
    type_text(qtbot, page.date_edit.edit, typed)
    qtbot.mouseClick(page.save_date_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    assert report_service.get_report(db, new_town, 2024, 3).reported_on == dt.date(2024, 3, 5)


def test_a_bad_report_date_is_refused_at_the_field_and_nothing_is_saved(qtbot, page, ctx, db, new_town):
    page.date_edit.edit.clear()
    qtbot.keyClicks(page.date_edit.edit, "2024.13.1")
    page.save_date()
    wait_idle(qtbot, ctx)
    assert page.date_edit.error.isVisible() and "月份应为 1–12" in page.date_edit.error.text()
    assert report_service.get_report(db, new_town, 2024, 3) is None


def test_a_report_date_outside_the_month_is_refused_at_the_field(qtbot, page, ctx, db, new_town):
    page.date_edit.set_value(dt.date(2024, 2, 28))
    page.save_date()
    wait_idle(qtbot, ctx)
    assert "不能早于 2024年3月1日" in page.date_edit.error.text()
    assert report_service.get_report(db, new_town, 2024, 3) is None


@pytest.fixture
def early_item(qtbot, page, ctx, db, city):
    """丙镇 reported one entry on 4 March (so a verification on 5 March is after the report)."""
    c = make_town(db, "丙镇")
    e = make_entry(db, c, "丙镇砖瓦厂", "6")
    r = report_service.open_report(db, c, 2024, 3, dt.date(2024, 3, 4))
    item = report_service.add_item(db, r.id, e)
    ctx.changed("monthly_report_item")
    wait_idle(qtbot, ctx)
    return item


@pytest.mark.parametrize("typed", TYPED)
def test_a_verification_date_typed_in_any_form_is_saved(qtbot, page, ctx, db, early_item, typed):
    from conftest import type_text

    select_item(page, early_item, "dept:0")
    dialog = page.open_verification()
    dialog.set_values(PASS, dt.date(2024, 3, 20))
    dialog.date_edit.edit.clear()
    type_text(qtbot, dialog.date_edit.edit, typed)
    with qtbot.waitSignal(dialog.finished):
        dialog.submit()
    wait_idle(qtbot, ctx)
    row = next(r for r in report_service.verification_table(db, 2024, 3).rows if r.item_id == early_item)
    assert row.cells[0].verified_on == dt.date(2024, 3, 5)


def test_a_bad_verification_date_is_refused_at_the_field_and_nothing_is_saved(qtbot, page, ctx, db, early_item):
    select_item(page, early_item, "dept:0")
    dialog = page.open_verification()
    dialog.set_values(PASS, dt.date(2024, 3, 20))
    dialog.date_edit.edit.clear()
    qtbot.keyClicks(dialog.date_edit.edit, "2024.13.1")
    dialog.submit()
    wait_idle(qtbot, ctx)
    assert dialog.isVisible() and "月份应为 1–12" in dialog.errors["verified_on"].text()
    row = next(r for r in report_service.verification_table(db, 2024, 3).rows if r.item_id == early_item)
    assert row.cells[0].result is None
    dialog.reject()


def test_a_leader_reads_the_report_but_its_date_button_says_why_not(qtbot, ctx, city):
    """Issue 9: 保存报送日期 is a clerk's write; a leader's button is disabled with the role's reason."""
    from dataclasses import replace

    from desktop.models.enums import Role
    from desktop.views.reports.report_view import ReportPage

    ctx.ledger = replace(ctx.ledger, role=Role.LEADER)
    p = ReportPage(ctx)
    qtbot.addWidget(p)
    p.resize(1400, 800)
    p.show()
    p.activate()
    wait_idle(qtbot, ctx)
    p.select_town(city["甲镇"])
    wait_idle(qtbot, ctx)
    assert p.save_date_button.isVisible() and not p.save_date_button.isEnabled()
    assert "领导无权" in p.save_date_button.toolTip()
