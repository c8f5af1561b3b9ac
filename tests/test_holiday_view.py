"""节假日 page: years and their days, add/edit/delete a day, mark a year complete, import with errors listed."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from conftest import wait_idle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop.services.deadlines import calendar_service

D = dt.date
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
SOURCE_2027 = "国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕7号）"


@pytest.fixture
def page(qtbot, ctx):
    from desktop.views.deadlines.holiday_view import HolidayPage

    p = HolidayPage(ctx)
    qtbot.addWidget(p)
    p.resize(1200, 760)
    p.show()
    p.activate()
    wait_idle(qtbot, ctx)
    return p


def select_year(qtbot, page, ctx, year):
    page.select_year(year)
    wait_idle(qtbot, ctx)


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["日期", "类型", "名称", "来源"])
        w.writerows(rows)
    return path


def test_year_model_passes_the_model_tester(qtmodeltester, db):
    from desktop.views.deadlines.holiday_models import YearModel

    model = YearModel()
    model.set_rows(calendar_service.list_years(db))
    qtmodeltester.check(model)
    assert model.data(model.index(0, 0)) == "2026年" and model.data(model.index(0, 1)) == "已完整录入"


def test_day_model_passes_the_model_tester_and_sorts(qtmodeltester, db):
    from desktop.views.deadlines.holiday_models import DayModel

    model = DayModel()
    model.set_rows(calendar_service.list_days(db, 2025))
    qtmodeltester.check(model)
    model.sort(2, Qt.SortOrder.DescendingOrder)  # 调休上班 first
    assert model.data(model.index(0, 2)) == "调休上班"
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert model.data(model.index(0, 0)) == "2025-01-01" and model.data(model.index(0, 1)) == "星期三"


def test_the_years_are_listed_with_their_source_and_this_year_is_shown(page):
    years = {r.year: r for r in page.year_model.rows}
    assert {2024, 2025, 2026} <= set(years)
    assert "2026年部分节假日安排" in years[2026].source
    if dt.date.today().year in years:
        assert page._year == dt.date.today().year
    assert page.day_model.rowCount() > 0


def test_selecting_2025_shows_its_days_with_weekday_and_kind(qtbot, page, ctx):
    select_year(qtbot, page, ctx, 2025)
    m = page.day_model
    texts = {m.data(m.index(r, 0)): (m.data(m.index(r, 1)), m.data(m.index(r, 2)), m.data(m.index(r, 3)))
             for r in range(m.rowCount())}
    assert texts["2025-01-26"] == ("星期日", "调休上班", "春节调休上班")
    assert texts["2025-01-29"][1:] == ("放假", "春节")
    assert m.data(m.index(0, 0), Qt.ItemDataRole.BackgroundRole) is None or m.rows[0].is_workday
    assert "2025年" in page.days_box.title()


def test_adding_a_day_for_2027_through_the_dialog_creates_a_year_being_entered(qtbot, page, ctx):
    from desktop.views.deadlines.holiday_dialogs import DayDialog

    dialog = page._open_day_dialog(None, 2027, "")
    assert isinstance(dialog, DayDialog)
    dialog.date_edit.set_value(D(2027, 1, 1))
    dialog.name_edit.setText("元旦")
    dialog.source_edit.setText(SOURCE_2027)
    dialog.save()
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.day_dialog is None)
    wait_idle(qtbot, ctx)
    row = next(r for r in page.year_model.rows if r.year == 2027)
    assert not row.complete and row.holidays == 1
    assert page._year == 2027 and page.day_model.rows[0].day == D(2027, 1, 1)
    assert "已保存" in page.status.text()


def test_a_refused_field_is_shown_beside_it_and_the_input_is_kept(qtbot, page, ctx):
    dialog = page._open_day_dialog(None, 2027, SOURCE_2027)
    dialog.date_edit.set_value(D(2027, 1, 4))  # a Monday
    dialog.kind_combo.setCurrentIndex(1)  # 调休上班
    dialog.name_edit.setText("调休")
    dialog.save()
    wait_idle(qtbot, ctx)
    assert dialog.isVisible() and dialog.errors["is_workday"].isVisible()
    assert "星期一" in dialog.errors["is_workday"].text()
    assert dialog.name_edit.text() == "调休" and dialog.source_edit.text() == SOURCE_2027
    dialog.reject()


def test_enter_in_the_dialog_saves(qtbot, page, ctx):
    dialog = page._open_day_dialog(None, 2027, SOURCE_2027)
    dialog.date_edit.set_value(D(2027, 2, 6))
    dialog.name_edit.setText("春节")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.day_dialog is None)
    assert D(2027, 2, 6) in {d.day for d in calendar_service.list_days(ctx.db, 2027)}


def test_editing_a_day_changes_it(qtbot, page, ctx, db):
    calendar_service.save_day(db, D(2027, 1, 1), False, "元", SOURCE_2027)
    ctx.changed("holiday")
    wait_idle(qtbot, ctx)
    select_year(qtbot, page, ctx, 2027)
    page.day_table.selectRow(0)
    page.edit_selected()
    dialog = page.day_dialog
    assert dialog.name_edit.text() == "元" and dialog.windowTitle() == "修改日期"
    dialog.name_edit.setText("元旦")
    dialog.save()
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.day_dialog is None)
    wait_idle(qtbot, ctx)
    assert [d.name for d in calendar_service.list_days(db, 2027)] == ["元旦"]
    assert page.day_model.rows[0].name == "元旦"


def test_delete_asks_first_and_deletes_only_when_confirmed(qtbot, page, ctx, db, monkeypatch):
    calendar_service.save_day(db, D(2027, 1, 1), False, "元旦", SOURCE_2027)
    ctx.changed("holiday")
    wait_idle(qtbot, ctx)
    select_year(qtbot, page, ctx, 2027)
    page.day_table.selectRow(0)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No)
    page.delete_selected()
    wait_idle(qtbot, ctx)
    assert asked and "2027-01-01" in asked[0] and len(calendar_service.list_days(db, 2027)) == 1
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.delete_selected()
    wait_idle(qtbot, ctx)
    assert calendar_service.list_days(db, 2027) == []


def test_marking_a_hand_entered_year_complete_requires_its_source(qtbot, page, ctx, db):
    calendar_service.save_day(db, D(2027, 1, 1), False, "元旦", SOURCE_2027)
    ctx.changed("holiday")
    wait_idle(qtbot, ctx)
    select_year(qtbot, page, ctx, 2027)
    assert page.complete_button.isEnabled() and not page.uncomplete_button.isEnabled()
    dialog = page._open_complete_dialog(2027, "")
    dialog.save()
    wait_idle(qtbot, ctx)
    assert dialog.isVisible() and "来源" in dialog.error.text()
    dialog.source_edit.setText(SOURCE_2027)
    dialog.save()
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.complete_dialog is None)
    wait_idle(qtbot, ctx)
    row = next(r for r in page.year_model.rows if r.year == 2027)
    assert row.complete and row.source == SOURCE_2027
    assert calendar_service.load(db).covers(2027)
    assert page.complete_button.text() == "修改来源…"


def test_a_bad_import_lists_every_error_on_the_page_and_writes_nothing(qtbot, page, ctx, db, tmp_path):
    path = write_csv(tmp_path / "2027.csv", [("2027-01-01", "放假", "元旦", SOURCE_2027), ("2027.13.1", "放假", "春节", "")])
    page.import_from(path)
    wait_idle(qtbot, ctx)
    assert page.problems_box.isVisible()
    assert "第3行第A列（日期）" in page.problems_text.toPlainText() and "2027.csv" in page.problems_text.toPlainText()
    assert page.last_import_problems and calendar_service.list_days(db, 2027) == []
    assert "导入未完成" in page.status.text()


def test_a_good_import_selects_the_new_year_marked_complete(qtbot, page, ctx, db, tmp_path):
    path = write_csv(tmp_path / "2027.csv", [("2027-01-01", "放假", "元旦", SOURCE_2027),
                                             ("2027-02-20", "上班", "春节调休上班", "")])
    page.import_from(path)
    wait_idle(qtbot, ctx)
    assert not page.problems_box.isVisible()
    assert "已导入2027年" in page.status.text() and "放假 1 天，调休上班 1 天" in page.status.text()
    assert page._year == 2027 and page.day_model.rowCount() == 2
    assert next(r for r in page.year_model.rows if r.year == 2027).complete


def test_importing_an_existing_year_asks_before_replacing(qtbot, page, ctx, db, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "2026.csv", [("2026-01-01", "放假", "元旦", "国务院办公厅关于2026年部分节假日安排的通知")])
    before = len(calendar_service.list_days(db, 2026))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    page.import_from(path)
    wait_idle(qtbot, ctx)
    assert len(calendar_service.list_days(db, 2026)) == before and "保持不变" in page.status.text()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.import_from(path)
    wait_idle(qtbot, ctx)
    assert len(calendar_service.list_days(db, 2026)) == 1 and f"替换原有 {before} 天" in page.status.text()


def test_the_template_is_written_on_the_worker(qtbot, page, ctx, tmp_path):
    from openpyxl import load_workbook

    page.write_template(tmp_path / "t.xlsx", 2027)
    wait_idle(qtbot, ctx)
    assert [c.value for c in load_workbook(tmp_path / "t.xlsx").active[1]] == ["日期", "类型", "名称", "来源"]
    assert "已保存模板" in page.status.text()


def test_new_day_button_opens_the_dialog_in_the_year_after_the_newest(qtbot, page, ctx):
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    dialog = page.day_dialog
    assert dialog is not None and dialog.windowTitle() == "新增日期"
    assert dialog.date_edit.value() == D(2027, 1, 1) and dialog.source_edit.text() == ""
    assert dialog.source_edit.placeholderText() == calendar_service.source_example(2027)
    dialog.reject()


def test_new_day_in_a_year_being_entered_offers_its_source(qtbot, page, ctx, db):
    calendar_service.save_day(db, D(2027, 1, 1), False, "元旦", SOURCE_2027)
    ctx.changed("holiday")
    wait_idle(qtbot, ctx)
    select_year(qtbot, page, ctx, 2027)
    page.add_day()
    wait_idle(qtbot, ctx)
    assert page.day_dialog.source_edit.text() == SOURCE_2027
    page.day_dialog.reject()


# ---- typed dates -------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["2024-3-5", "2024.3.5", "2024/3/5", "20240305", "2024年3月5日"])
def test_a_day_typed_in_any_form_is_saved(qtbot, page, ctx, db, typed):
    from conftest import type_text

    dialog = page._open_day_dialog(None, 2024, SOURCE_2027)
    dialog.date_edit.edit.clear()
    type_text(qtbot, dialog.date_edit.edit, typed)
    assert dialog.weekday.text() == "星期二"
    dialog.name_edit.setText("临时放假")
    with qtbot.waitSignal(dialog.finished):
        dialog.save()
    wait_idle(qtbot, ctx)
    assert D(2024, 3, 5) in {d.day for d in calendar_service.list_days(db, 2024) if d.name == "临时放假"}


def test_a_bad_day_is_refused_at_the_field_and_nothing_is_saved(qtbot, page, ctx, db):
    dialog = page._open_day_dialog(None, 2027, SOURCE_2027)
    dialog.date_edit.edit.clear()
    qtbot.keyClicks(dialog.date_edit.edit, "2024.13.1")
    dialog.name_edit.setText("坏日期")
    dialog.save()
    wait_idle(qtbot, ctx)
    assert dialog.isVisible() and dialog.errors["day"].isVisible()
    assert "月份应为 1–12" in dialog.errors["day"].text()
    assert not [d for y in (2024, 2027) for d in calendar_service.list_days(db, y) if d.name == "坏日期"]
    dialog.reject()


# ---- undo and actions ----------------------------------------------------------------------------

def test_ctrl_z_undoes_an_added_day_and_ctrl_y_adds_it_again(qtbot, page, ctx, db):
    dialog = page._open_day_dialog(None, 2027, SOURCE_2027)
    dialog.name_edit.setText("元旦")
    with qtbot.waitSignal(dialog.finished):
        dialog.save()
    wait_idle(qtbot, ctx)
    assert [d.day for d in calendar_service.list_days(db, 2027)] == [D(2027, 1, 1)]
    page.activateWindow()
    page.day_table.setFocus()
    qtbot.waitUntil(page.day_table.hasFocus)
    qtbot.keyClick(page.day_table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ctx)
    assert calendar_service.list_days(db, 2027) == []
    qtbot.keyClick(page.day_table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ctx)
    assert [d.name for d in calendar_service.list_days(db, 2027)] == ["元旦"]


def test_undo_of_an_edit_that_moved_the_day_puts_it_back(qtbot, page, ctx, db):
    calendar_service.save_day(db, D(2027, 1, 1), False, "元旦", SOURCE_2027)
    ctx.changed("holiday")
    wait_idle(qtbot, ctx)
    select_year(qtbot, page, ctx, 2027)
    page.day_table.selectRow(0)
    page.edit_selected()
    dialog = page.day_dialog
    dialog.date_edit.set_value(D(2027, 1, 2))
    with qtbot.waitSignal(dialog.finished):
        dialog.save()
    wait_idle(qtbot, ctx)
    assert [d.day for d in calendar_service.list_days(db, 2027)] == [D(2027, 1, 2)]
    page.undo.stack.undo()
    wait_idle(qtbot, ctx)
    assert [(d.day, d.name) for d in calendar_service.list_days(db, 2027)] == [(D(2027, 1, 1), "元旦")]
    page.undo.stack.redo()
    wait_idle(qtbot, ctx)
    assert [d.day for d in calendar_service.list_days(db, 2027)] == [D(2027, 1, 2)]


def test_undo_of_a_deleted_day_restores_it(qtbot, page, ctx, db, monkeypatch):
    calendar_service.save_day(db, D(2027, 2, 6), True, "春节调休上班", SOURCE_2027)
    ctx.changed("holiday")
    wait_idle(qtbot, ctx)
    select_year(qtbot, page, ctx, 2027)
    page.day_table.selectRow(0)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.delete_selected()
    wait_idle(qtbot, ctx)
    assert calendar_service.list_days(db, 2027) == []
    page.undo.stack.undo()
    wait_idle(qtbot, ctx)
    assert [(d.day, d.is_workday, d.source) for d in calendar_service.list_days(db, 2027)] == [
        (D(2027, 2, 6), True, SOURCE_2027)]


def test_year_and_day_actions_follow_the_selection_and_say_why_not(qtbot, page, ctx, db):
    calendar_service.save_day(db, D(2027, 1, 1), False, "元旦", SOURCE_2027)
    ctx.changed("holiday")
    wait_idle(qtbot, ctx)
    select_year(qtbot, page, ctx, 2027)
    assert not page.uncomplete_button.isEnabled() and "尚未标记为完整录入" in page.uncomplete_button.toolTip()
    assert page.complete_button.text() == "标记为完整录入…" and page.export_button.isEnabled()
    page.day_table.clearSelection()
    assert not page.edit_button.isEnabled() and "请先选择" in page.delete_button.toolTip()
    select_year(qtbot, page, ctx, 2025)
    assert page.uncomplete_button.isEnabled() and page.complete_button.text() == "修改来源…"
