"""连片整治片区: the start-date rule, started count, delete, and the page (table, dialog, filters)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from conftest import type_text, wait_idle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select
from test_town_service import add_entry, make_target

from desktop.models import AuditLog, Target
from desktop.models.enums import EntryState, ParkStatus
from desktop.services.parks import park_service
from desktop.services.towns import town_service
from desktop.services.year import year_service
from desktop.services.errors import Refused, ValidationError
from desktop.services.parks.park_service import ParkValues

D = Decimal
# The offscreen platform cannot pass a shown window's size hints on and says so; not a fault of ours.
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture
def town(db) -> int:
    return town_service.create_town(db, "甲镇").id


def park(db, town_id, name, status=ParkStatus.PLANNED, start=None, area=None) -> int:
    return park_service.create(db, ParkValues(name=name, town_id=town_id, status=status, start_date=start,
                                              area_mu=None if area is None else D(area)))


# Services ----------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [ParkStatus.STARTED, ParkStatus.COMPLETED])
def test_started_or_completed_park_needs_a_start_date(db, town, status):
    with pytest.raises(ValidationError) as e:
        park(db, town, "某园区", status)
    assert e.value.field == "start_date"


def test_planned_park_needs_no_start_date(db, town):
    pid = park(db, town, "谋划园区")
    assert park_service.get(db, pid).start_date is None


def test_name_town_and_area_are_validated_at_their_fields(db, town):
    for values, field in ((ParkValues(name=" ", town_id=town), "name"),
                          (ParkValues(name="甲", town_id=None), "town_id"),
                          (ParkValues(name="甲", town_id=town, area_mu=D(-1)), "area_mu")):
        with pytest.raises(ValidationError) as e:
            park_service.create(db, values)
        assert e.value.field == field
    park(db, town, "同名园区")
    with pytest.raises(ValidationError) as e:
        park(db, town, "同名园区")
    assert e.value.field == "name"


def test_started_count_takes_parks_started_in_the_year_against_the_year_target(db, town):
    park(db, town, "今年启动", ParkStatus.STARTED, dt.date(2024, 2, 1))
    park(db, town, "今年完成", ParkStatus.COMPLETED, dt.date(2024, 9, 1))
    park(db, town, "去年启动", ParkStatus.STARTED, dt.date(2023, 12, 31))
    park(db, town, "谋划中有日期", ParkStatus.PLANNED, dt.date(2024, 5, 1))
    summary = park_service.started_summary(db, 2024)
    assert (summary.started, summary.target) == (2, year_service.get_params(db, 2024).parks_target)
    year_service.new_year(db)
    year_service.update_params(db, 2025, {"parks_target": 15})
    assert (park_service.started_summary(db, 2025).started, park_service.started_summary(db, 2025).target) == (0, 15)


def test_list_counts_targets_and_their_land_and_filters(db, town):
    other = town_service.create_town(db, "乙镇").id
    a = park(db, town, "甲园", ParkStatus.STARTED, dt.date(2024, 1, 5), area="120.5")
    park(db, other, "乙园")
    with db.session() as s:
        make_target(s, town, "甲园企业一", a)
        make_target(s, town, "甲园企业二", a)
    rows = park_service.list_parks(db)
    assert [(r.name, r.town, r.target_count, r.target_land_mu) for r in rows] == [
        ("甲园", "甲镇", 2, D(20)), ("乙园", "乙镇", 0, D(0))]
    assert rows[0].area_mu == D("120.5")
    assert [r.name for r in park_service.list_parks(db, town_id=other)] == ["乙园"]
    assert [r.name for r in park_service.list_parks(db, status=ParkStatus.STARTED)] == ["甲园"]
    assert [r.name for r in park_service.list_parks(db, text="乙")] == ["乙园"]
    assert [t.name for t in park_service.targets_of(db, a)] == ["甲园企业一", "甲园企业二"]


def test_update_checks_the_rule_and_the_revision(db, town):
    pid = park(db, town, "园区")
    row = park_service.get(db, pid)
    v = park_service.values_of(row)
    v.status = ParkStatus.STARTED
    with pytest.raises(ValidationError):
        park_service.update(db, pid, v)
    v.start_date = dt.date(2024, 6, 1)
    park_service.update(db, pid, v)
    assert park_service.get(db, pid).status == ParkStatus.STARTED
    with pytest.raises(Refused):
        park_service.update(db, pid, v)  # the old revision


def test_delete_releases_its_targets_and_is_audited(db, town):
    pid = park(db, town, "拆除园区")
    with db.session() as s:
        tid = make_target(s, town, "园内企业", pid)
    impact = park_service.delete_impact(db, pid)
    assert impact.target_names == ["园内企业"] and impact.entry_count == 0
    assert park_service.delete(db, pid) == 1
    with db.reader() as s:
        assert s.get(Target, tid).contiguous_area_id is None
        logged = s.scalars(select(AuditLog.object_type).where(AuditLog.action == "delete")).all()
    assert "contiguous_area" in logged
    assert park_service.list_parks(db) == []


def test_delete_is_refused_while_list_entries_count_through_the_park(db, town):
    pid = park(db, town, "有清单园区")
    add_entry(db, town, "清单企业", "10", EntryState.APPROVED, park_id=pid)
    assert park_service.delete_impact(db, pid).entry_count == 1
    with pytest.raises(Refused) as e:
        park_service.delete(db, pid)
    assert "2024年度" in e.value.message
    assert len(park_service.list_parks(db)) == 1


# The page ------------------------------------------------------------------------------------

@pytest.fixture
def city(db, town):
    other = town_service.create_town(db, "乙镇").id
    a = park(db, town, "甲镇老工业园", ParkStatus.STARTED, dt.date(2024, 3, 1), area="300")
    park(db, other, "乙镇五金片区", ParkStatus.PLANNED, area="80")
    with db.session() as s:
        make_target(s, town, "甲园一号企业", a)
    return {"甲镇": town, "乙镇": other, "park": a}


@pytest.fixture
def page(qtbot, ctx, city):
    from desktop.views.parks.park_view import ParkPage

    p = ParkPage(ctx)
    qtbot.addWidget(p)
    p.resize(1100, 700)
    p.show()
    p.activate()
    wait_idle(qtbot, ctx)
    return p


def test_park_models_pass_the_model_tester(qtmodeltester, db, city):
    from desktop.views.parks.park_view import ParkModel, ParkTargetModel

    m = ParkModel()
    m.set_rows(park_service.list_parks(db))
    qtmodeltester.check(m)
    t = ParkTargetModel()
    t.set_rows(park_service.targets_of(db, city["park"]))
    qtmodeltester.check(t)
    assert m.data(m.index(0, 3)) == "2024-03-01" and t.data(t.index(0, 0)) == "甲园一号企业"


def test_header_shows_started_against_the_year_target(page, db):
    target = year_service.get_params(db, 2024).parks_target
    assert f"本年度已启动 1 个 / 目标 {target} 个" in page.header.text()


def test_selecting_a_park_lists_its_targets(qtbot, page, ctx):
    page.table.selectRow(0)
    wait_idle(qtbot, ctx)
    assert page.target_model.rowCount() == 1
    assert page.target_model.data(page.target_model.index(0, 0)) == "甲园一号企业"
    assert "1 个" in page.targets_box.title()


def test_filters_by_town_and_status(qtbot, page, ctx, city):
    page.town_filter.setCurrentIndex(page.town_filter.findData(city["乙镇"]))
    wait_idle(qtbot, ctx)
    assert [r.name for r in page.model.rows] == ["乙镇五金片区"]
    page.town_filter.setCurrentIndex(0)
    page.status_filter.setCurrentIndex(page.status_filter.findData(ParkStatus.STARTED))
    wait_idle(qtbot, ctx)
    assert [r.name for r in page.model.rows] == ["甲镇老工业园"]


def test_add_park_through_the_dialog_in_square_metres(qtbot, page, ctx, db, city):
    page.add_park()
    dlg = page.dialog
    dlg.name_edit.setText("新园区")
    dlg.town_combo.setCurrentIndex(dlg.town_combo.findData(city["乙镇"]))
    qtbot.keyClicks(dlg.area_edit, "66666.67")
    dlg.unit_combo.setCurrentText("㎡")
    with qtbot.waitSignal(dlg.finished):
        qtbot.keyClick(dlg.area_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, ctx)
    added = next(r for r in park_service.list_parks(db) if r.name == "新园区")
    assert added.area_mu == D("100.0000") and added.status == ParkStatus.PLANNED and added.start_date is None
    assert "新园区" in [r.name for r in page.model.rows]


def test_started_without_date_is_refused_in_the_dialog_and_input_kept(qtbot, page, ctx, db, city):
    page.add_park()
    dlg = page.dialog
    dlg.name_edit.setText("无日期园区")
    dlg.town_combo.setCurrentIndex(0)
    dlg.status_combo.setCurrentIndex(dlg.status_combo.findData(ParkStatus.STARTED))
    dlg.submit()
    assert dlg.errors["start_date"].isVisible() and "启动日期" in dlg.errors["start_date"].text()
    assert dlg.isVisible() and dlg.name_edit.text() == "无日期园区"
    qtbot.keyClicks(dlg.date_edit.edit, "2024.7.1")
    with qtbot.waitSignal(dlg.finished):
        dlg.submit()
    wait_idle(qtbot, ctx)
    assert park_service.started_summary(db, 2024).started == 2
    assert "本年度已启动 2 个" in page.header.text()


def test_duplicate_name_from_the_service_is_shown_at_the_name_field(qtbot, page, ctx):
    page.add_park()
    dlg = page.dialog
    dlg.name_edit.setText("乙镇五金片区")
    dlg.town_combo.setCurrentIndex(0)
    dlg.submit()
    wait_idle(qtbot, ctx)
    assert dlg.isVisible() and "已存在" in dlg.errors["name"].text()
    assert dlg.ok_button.isEnabled()


def test_edit_park_through_the_dialog(qtbot, page, ctx, db, city):
    row = next(i for i, r in enumerate(page.model.rows) if r.name == "乙镇五金片区")
    page.table.selectRow(row)
    page.edit_selected()
    dlg = page.dialog
    assert dlg.windowTitle() == "编辑片区" and dlg.area_edit.text() == "80" and dlg.date_edit.value() is None
    dlg.status_combo.setCurrentIndex(dlg.status_combo.findData(ParkStatus.STARTED))
    dlg.date_edit.set_value(dt.date(2024, 8, 8))
    dlg.note_edit.setText("8月启动")
    with qtbot.waitSignal(dlg.finished):
        dlg.submit()
    wait_idle(qtbot, ctx)
    edited = next(r for r in park_service.list_parks(db) if r.name == "乙镇五金片区")
    assert (edited.status, edited.start_date, edited.note) == (ParkStatus.STARTED, dt.date(2024, 8, 8), "8月启动")
    assert page.model.rows[page.model.row_of(edited.id)].status == ParkStatus.STARTED


def test_delete_asks_naming_the_targets_that_lose_their_park(qtbot, page, ctx, db, city, monkeypatch):
    asked = []

    def answer(_parent, _title, text, *a, **k):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    page.table.selectRow(page.model.row_of(city["park"]))
    page.delete_selected()
    wait_idle(qtbot, ctx)
    assert "甲园一号企业" in asked[0] and "不属于任何片区" in asked[0]
    assert [r.name for r in park_service.list_parks(db)] == ["乙镇五金片区"]
    assert [r.name for r in page.model.rows] == ["乙镇五金片区"]


@pytest.mark.parametrize("typed", ["2024-3-5", "2024.3.5", "2024/3/5", "20240305", "2024年3月5日"])
def test_a_start_date_typed_in_any_form_is_saved(qtbot, page, ctx, db, city, typed):
    page.table.selectRow(page.model.row_of(city["park"]))
    page.edit_selected()
    dlg = page.dialog
    dlg.date_edit.edit.clear()
    type_text(qtbot, dlg.date_edit.edit, typed)
    with qtbot.waitSignal(dlg.finished):
        dlg.submit()
    wait_idle(qtbot, ctx)
    assert park_service.values_of(next(r for r in park_service.list_parks(db) if r.id == city["park"])).start_date \
        == dt.date(2024, 3, 5)


def test_a_bad_start_date_is_refused_at_the_field_and_nothing_is_saved(qtbot, page, ctx, db, city):
    page.table.selectRow(page.model.row_of(city["park"]))
    page.edit_selected()
    dlg = page.dialog
    dlg.date_edit.edit.clear()
    qtbot.keyClicks(dlg.date_edit.edit, "2024.13.1")
    dlg.submit()
    wait_idle(qtbot, ctx)
    assert dlg.isVisible() and dlg.errors["start_date"].isVisible()
    assert "月份应为 1–12" in dlg.errors["start_date"].text()
    assert next(r for r in park_service.list_parks(db) if r.id == city["park"]).start_date == dt.date(2024, 3, 1)
    dlg.reject()


def test_ctrl_z_undoes_the_last_edit_and_ctrl_y_redoes_it(qtbot, page, ctx, db, city):
    page.table.selectRow(page.model.row_of(city["park"]))
    page.edit_selected()
    dlg = page.dialog
    dlg.note_edit.setText("改错了")
    with qtbot.waitSignal(dlg.finished):
        dlg.submit()
    wait_idle(qtbot, ctx)
    note = lambda: next(r for r in park_service.list_parks(db) if r.id == city["park"]).note  # noqa: E731
    assert note() == "改错了" and page.undo.undo_button.isEnabled()
    page.activateWindow()
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus)
    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ctx)
    assert note() == ""
    qtbot.keyClick(page.table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ctx)
    assert note() == "改错了"


def test_undo_of_an_added_park_removes_it_and_redo_brings_it_back(qtbot, page, ctx, db, city):
    page.add_park()
    dlg = page.dialog
    dlg.name_edit.setText("临时园区")
    dlg.town_combo.setCurrentIndex(0)
    with qtbot.waitSignal(dlg.finished):
        dlg.submit()
    wait_idle(qtbot, ctx)
    names = lambda: {r.name for r in park_service.list_parks(db)}  # noqa: E731
    assert "临时园区" in names()
    page.undo.stack.undo()
    wait_idle(qtbot, ctx)
    assert "临时园区" not in names() and "临时园区" not in {r.name for r in page.model.rows}
    page.undo.stack.redo()
    wait_idle(qtbot, ctx)
    assert "临时园区" in names()


def test_edit_and_delete_are_disabled_without_a_selection_and_say_why(page):
    page.table.clearSelection()
    assert not page.edit_button.isEnabled() and not page.delete_button.isEnabled()
    assert "请先选择" in page.delete_button.toolTip()
    page.table.selectRow(0)
    assert page.edit_button.isEnabled() and page.delete_button.isEnabled()


def test_a_lane_answer_for_a_closed_page_is_dropped(qtbot, ctx, city):
    from desktop.views.parks.park_view import ParkPage

    p = ParkPage(ctx)
    p.refresh()
    p.deleteLater()
    qtbot.waitUntil(lambda: not __import__("shiboken6").isValid(p), timeout=5000)
    wait_idle(qtbot, ctx)  # the answer arrives for a page that is gone: nothing is touched, nothing fails
    assert ctx.worker.pending() == 0
