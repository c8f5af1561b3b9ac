"""镇街与任务分解 page: the 附件1 table (amber share, totals row, in-place targets) and the town directory."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from conftest import wait_idle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from test_town_service import add_entry, add_park

from desktop.models.enums import EntryState, ParkStatus
from desktop.services.towns import progress_service, town_service
from desktop.services.year import year_service

D = Decimal
# The offscreen platform cannot pass a shown window's size hints on and says so; not a fault of ours.
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture
def towns(db):
    a = town_service.create_town(db, "甲镇", "张三", "0512-1234567").id
    b = town_service.create_town(db, "乙镇").id
    town_service.set_target(db, a, 2024, target_area_mu="100", target_parks="1")
    town_service.set_target(db, b, 2024, target_area_mu="50")
    park = add_park(db, a, "甲镇老工业园", ParkStatus.STARTED, dt.date(2024, 4, 1))
    add_entry(db, a, "甲1", "30", EntryState.VERIFIED, park_id=park)
    add_entry(db, a, "甲2", "70", EntryState.APPROVED)  # 甲镇: exactly 30 %
    add_entry(db, b, "乙1", "10", EntryState.APPROVED, park_id=park)
    add_entry(db, b, "乙2", "90", EntryState.APPROVED)  # 乙镇: 10 % < 30 %
    return {"甲镇": a, "乙镇": b}


@pytest.fixture
def page(qtbot, ctx, towns):
    from desktop.views.towns.town_view import TownPage

    p = TownPage(ctx)
    qtbot.addWidget(p)
    p.resize(1100, 800)
    p.show()
    p.activate()
    wait_idle(qtbot, ctx)
    return p


def col(key: str) -> int:
    from desktop.views.towns.town_view import ProgressModel

    return [k for k, _ in ProgressModel.COLUMNS].index(key)


def cell(model, row: int, key: str, role=Qt.ItemDataRole.DisplayRole):
    return model.data(model.index(row, col(key)), role)


def test_progress_model_passes_the_model_tester(qtmodeltester, db, towns):
    from desktop.views.towns.town_view import ProgressModel

    model = ProgressModel()
    model.set_progress(progress_service.year_progress(db, 2024))
    qtmodeltester.check(model)
    assert model.rowCount() == 3


def test_town_list_model_passes_the_model_tester(qtmodeltester, db, towns):
    from desktop.views.towns.town_view import TownListModel

    model = TownListModel()
    model.set_rows(town_service.list_towns(db))
    qtmodeltester.check(model)
    assert model.data(model.index(0, 1)) == "甲镇"


def test_share_below_minimum_is_amber(page, towns):
    m = page.model
    b_row = m.row_of_town(towns["乙镇"])
    assert cell(m, b_row, "town") == "乙镇" and cell(m, b_row, "share_pct") == "10.00%"
    brush = cell(m, b_row, "share_pct", Qt.ItemDataRole.BackgroundRole)
    assert brush is not None and brush.color().name().lower() == "#ffd966"
    assert "低于" in cell(m, b_row, "share_pct", Qt.ItemDataRole.ToolTipRole)


def test_share_exactly_at_minimum_is_not_amber(page):
    m = page.model
    assert cell(m, 0, "town") == "甲镇" and cell(m, 0, "share_pct") == "30.00%"
    assert cell(m, 0, "share_pct", Qt.ItemDataRole.BackgroundRole) is None


def test_totals_row_is_last_bold_and_sums_the_towns(page):
    m = page.model
    last = m.rowCount() - 1
    assert cell(m, last, "town") == "合计"
    assert cell(m, last, "target_area_mu") == "150.00"
    assert cell(m, last, "listed_mu") == "200.00" and cell(m, last, "contiguous_mu") == "40.00"
    assert cell(m, last, "verified_mu") == "30.00" and cell(m, last, "parks_started") == "1"
    assert cell(m, last, "town", Qt.ItemDataRole.FontRole).bold()
    assert not (m.flags(m.index(last, col("target_area_mu"))) & Qt.ItemFlag.ItemIsEditable)


def test_summary_compares_town_targets_with_the_city_target(page, db):
    text = page.summary.text()
    city = year_service.get_params(db, 2024).target_area_mu
    assert f"全市目标 <b>{city:,.2f}</b> 亩" in text and "分解合计 <b>150.00</b> 亩" in text
    assert "少" in text and "请核对" in text


def test_summary_has_no_warning_when_targets_add_up(qtbot, page, ctx, db, towns):
    year_service.update_params(db, 2024, {"target_area_mu": D(150), "parks_target": 1})
    ctx.changed("year_params")
    wait_idle(qtbot, ctx)
    assert "请核对" not in page.summary.text() and "不一致" not in page.summary.text()


def test_sorting_keeps_the_totals_row_last(page):
    m = page.model
    page.table.sortByColumn(col("share_pct"), Qt.SortOrder.DescendingOrder)
    assert [cell(m, r, "town") for r in range(m.rowCount())] == ["甲镇", "乙镇", "合计"]
    page.table.sortByColumn(col("share_pct"), Qt.SortOrder.AscendingOrder)
    assert [cell(m, r, "town") for r in range(m.rowCount())] == ["乙镇", "甲镇", "合计"]


def test_editing_a_target_cell_saves_through_the_service(qtbot, page, ctx, db, towns):
    idx = page.model.index(page.model.row_of_town(towns["乙镇"]), col("target_area_mu"))
    with qtbot.waitSignal(ctx.data_changed):
        assert page.model.setData(idx, "80")
    wait_idle(qtbot, ctx)
    assert town_service.get_targets(db, 2024)[towns["乙镇"]].target_area_mu == D(80)
    assert cell(page.model, page.model.rowCount() - 1, "target_area_mu") == "180.00"


def test_typed_target_commits_on_enter(qtbot, page, ctx, db, towns):
    idx = page.model.index(page.model.row_of_town(towns["甲镇"]), col("target_parks"))
    page.table.setCurrentIndex(idx)
    page.table.edit(idx)
    editor = page.table.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "3")
    with qtbot.waitSignal(ctx.data_changed):
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    wait_idle(qtbot, ctx)
    assert town_service.get_targets(db, 2024)[towns["甲镇"]].target_parks == 3


def test_negative_target_shows_a_message_and_keeps_the_typed_value(qtbot, page, ctx, db, towns):
    idx = page.model.index(page.model.row_of_town(towns["甲镇"]), col("target_area_mu"))
    page.table.setCurrentIndex(idx)
    page.table.edit(idx)
    editor = page.table.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "-20")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next turn of the event loop
    qtbot.waitUntil(lambda: page.edit_error.isVisible())
    assert "负数" in page.edit_error.text()
    qtbot.waitUntil(lambda: page.table.state() == page.table.State.EditingState)
    reopened = page.table.focusWidget()
    assert reopened is not editor and reopened.text() == "-20"
    wait_idle(qtbot, ctx)
    assert town_service.get_targets(db, 2024)[towns["甲镇"]].target_area_mu == D(100)


def test_refreshes_when_data_changes_elsewhere(qtbot, page, ctx, db, towns):
    add_entry(db, towns["乙镇"], "乙3", "100", EntryState.APPROVED, park_id=None)
    ctx.changed("list_entry")
    wait_idle(qtbot, ctx)
    assert cell(page.model, page.model.row_of_town(towns["乙镇"]), "listed_mu") == "200.00"


def test_year_change_shows_that_years_targets(qtbot, page, ctx, db):
    year_service.new_year(db)
    ctx.set_year(2025)
    wait_idle(qtbot, ctx)
    assert page.title.text().startswith("2025年度")
    assert cell(page.model, 0, "target_area_mu") == "0.00"


# Directory ------------------------------------------------------------------------------------

def test_add_town_from_the_form(qtbot, page, ctx, db):
    page.start_new_town()
    page.name_edit.setText("丙镇")  # QTest types ASCII only
    qtbot.keyClicks(page.phone_edit, "13912345678")
    with qtbot.waitSignal(ctx.data_changed):
        qtbot.keyClick(page.name_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, ctx)
    assert [t.name for t in town_service.list_towns(db)] == ["甲镇", "乙镇", "丙镇"]
    assert page.town_model.rowCount() == 3 and page.model.rowCount() == 4
    assert page._selected_town().name == "丙镇"


def test_bad_phone_is_shown_at_the_field_and_kept(qtbot, page, ctx, db):
    page.town_table.selectRow(0)
    assert page.name_edit.text() == "甲镇"
    page.phone_edit.setText("")
    qtbot.keyClicks(page.phone_edit, "12345")
    qtbot.keyClick(page.phone_edit, Qt.Key.Key_Return)
    assert page.form_errors["liaison_phone"].isVisible()
    assert "7–12" in page.form_errors["liaison_phone"].text()
    assert page.phone_edit.text() == "12345"
    wait_idle(qtbot, ctx)
    assert town_service.list_towns(db)[0].liaison_phone == "0512-1234567"


def test_rename_from_the_form(qtbot, page, ctx, db):
    page.town_table.selectRow(1)
    page.name_edit.setText("乙街道")
    with qtbot.waitSignal(ctx.data_changed):
        page.save_town()
    wait_idle(qtbot, ctx)
    assert town_service.list_towns(db)[1].name == "乙街道"
    assert cell(page.model, page.model.row_of_town(town_service.list_towns(db)[1].id), "town") == "乙街道"


def test_move_down_reorders_both_tables(qtbot, page, ctx, db):
    page.town_table.selectRow(0)
    page.move_selected(1)
    wait_idle(qtbot, ctx)
    assert [t.name for t in town_service.list_towns(db)] == ["乙镇", "甲镇"]
    assert page.town_model.data(page.town_model.index(1, 1)) == "甲镇"
    assert page._selected_town().name == "甲镇"
    assert cell(page.model, 0, "town") == "乙镇"


def test_delete_of_a_town_with_data_offers_deactivation(qtbot, page, ctx, db, monkeypatch):
    asked = []
    monkeypatch.setattr(page, "_confirm", lambda title, msg: asked.append(msg) or True)
    page.town_table.selectRow(0)
    page.delete_selected()
    wait_idle(qtbot, ctx)
    assert "不能删除" in asked[0] and "停用" in asked[0]
    towns = town_service.list_towns(db)
    assert len(towns) == 2 and towns[0].active is False
    assert page.town_model.data(page.town_model.index(0, 4)) == "已停用"
    assert [cell(page.model, r, "town") for r in range(page.model.rowCount())] == ["乙镇", "合计"]


def test_delete_of_an_empty_town_asks_first(qtbot, page, ctx, db, monkeypatch):
    town_service.create_town(db, "空镇")
    ctx.changed("town")
    wait_idle(qtbot, ctx)
    answers = iter([False, True])
    monkeypatch.setattr(page, "_confirm", lambda title, msg: next(answers))
    page.town_table.selectRow(2)
    page.delete_selected()
    wait_idle(qtbot, ctx)
    assert len(town_service.list_towns(db)) == 3  # said no
    page.town_table.selectRow(2)
    page.delete_selected()
    wait_idle(qtbot, ctx)
    assert [t.name for t in town_service.list_towns(db)] == ["甲镇", "乙镇"]


def test_deactivated_town_can_be_reactivated(qtbot, page, ctx, db, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.town_table.selectRow(1)
    page.toggle_active()
    wait_idle(qtbot, ctx)
    assert page.active_button.text() == "启用"
    page.toggle_active()
    wait_idle(qtbot, ctx)
    assert all(t.active for t in town_service.list_towns(db))


# Esc, undo and actions that follow the selection ------------------------------------------------

def test_esc_after_a_refused_value_restores_the_cell_and_clears_the_red_line(qtbot, page, ctx, db, towns):
    row = page.model.row_of_town(towns["甲镇"])
    idx = page.model.index(row, col("target_area_mu"))
    page.table.setCurrentIndex(idx)
    page.table.edit(idx)
    editor = page.table.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "-20")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.edit_error.isVisible())
    qtbot.waitUntil(lambda: page.table.state() == page.table.State.EditingState)
    reopened = page.table.focusWidget()
    assert reopened.text() == "-20"
    qtbot.keyClick(reopened, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.table.state() != page.table.State.EditingState)
    assert not page.edit_error.isVisible()
    assert cell(page.model, row, "target_area_mu") == "100.00"
    # the next edit of the same cell starts from the stored value, not the refused text
    page.table.edit(idx)
    assert page.table.focusWidget().text() == "100"
    wait_idle(qtbot, ctx)
    assert town_service.get_targets(db, 2024)[towns["甲镇"]].target_area_mu == D(100)


def test_a_target_edit_is_undone_with_ctrl_z_and_redone(qtbot, page, ctx, db, towns):
    idx = page.model.index(page.model.row_of_town(towns["乙镇"]), col("target_parks"))
    assert page.model.setData(idx, "4")
    wait_idle(qtbot, ctx)
    assert town_service.get_targets(db, 2024)[towns["乙镇"]].target_parks == 4
    assert "乙镇目标园区" in page.undo.undo_button.toolTip()
    page.town_table.setFocus()
    qtbot.keyClick(page.town_table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ctx)
    assert town_service.get_targets(db, 2024)[towns["乙镇"]].target_parks == 0
    assert cell(page.model, page.model.row_of_town(towns["乙镇"]), "target_parks") == "0"
    page.undo.redo_button.click()
    wait_idle(qtbot, ctx)
    assert town_service.get_targets(db, 2024)[towns["乙镇"]].target_parks == 4


def test_a_rename_and_new_liaison_are_undone_together(qtbot, page, ctx, db, towns):
    page.town_table.selectRow(0)
    page.name_edit.setText("甲街道")
    page.liaison_edit.setText("李四")
    page.save_town()
    wait_idle(qtbot, ctx)
    assert (town_service.list_towns(db)[0].name, town_service.list_towns(db)[0].liaison_name) == ("甲街道", "李四")
    page.undo.undo_button.click()
    wait_idle(qtbot, ctx)
    first = town_service.list_towns(db)[0]
    assert (first.name, first.liaison_name, first.liaison_phone) == ("甲镇", "张三", "0512-1234567")
    assert page.name_edit.text() == "甲镇" and page.liaison_edit.text() == "张三"


def test_an_added_town_is_taken_away_by_undo_and_comes_back_by_redo(qtbot, page, ctx, db):
    page.start_new_town()
    page.name_edit.setText("丙镇")
    page.save_town()
    wait_idle(qtbot, ctx)
    assert [t.name for t in town_service.list_towns(db)] == ["甲镇", "乙镇", "丙镇"]
    page.undo.undo_button.click()
    wait_idle(qtbot, ctx)
    assert [t.name for t in town_service.list_towns(db)] == ["甲镇", "乙镇"]
    page.undo.redo_button.click()
    wait_idle(qtbot, ctx)
    assert [t.name for t in town_service.list_towns(db)] == ["甲镇", "乙镇", "丙镇"]


def test_directory_buttons_follow_the_selection_and_say_why_not(qtbot, page, ctx, db):
    page.start_new_town(focus=False)
    for b in (page.up_button, page.down_button, page.active_button, page.delete_button):
        assert not b.isEnabled() and "请先选择" in b.toolTip()
    page.town_table.selectRow(0)
    assert not page.up_button.isEnabled() and page.up_button.toolTip().startswith("已在最前")
    assert page.down_button.isEnabled() and page.delete_button.isEnabled()
    page.town_table.selectRow(1)
    assert page.up_button.isEnabled()
    assert not page.down_button.isEnabled() and page.down_button.toolTip().startswith("已在最后")
    page.move_selected(-1)
    wait_idle(qtbot, ctx)
    assert [t.name for t in town_service.list_towns(db)] == ["乙镇", "甲镇"]
    page.undo.undo_button.click()
    wait_idle(qtbot, ctx)
    assert [t.name for t in town_service.list_towns(db)] == ["甲镇", "乙镇"]


def test_deactivation_is_undone(qtbot, page, ctx, db, monkeypatch):
    monkeypatch.setattr(page, "_confirm", lambda *_a: True)
    page.town_table.selectRow(1)
    page.toggle_active()
    wait_idle(qtbot, ctx)
    assert not town_service.list_towns(db)[1].active
    page.undo.undo_button.click()
    wait_idle(qtbot, ctx)
    assert town_service.list_towns(db)[1].active and page.active_button.text() == "停用"
