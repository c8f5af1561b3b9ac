"""以奖代补 page: rate and bonus saved to the year's parameters, the proposals table, override dialog, export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from conftest import wait_idle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from desktop.models import AuditLog
from desktop.models.enums import EntryState, ParkStatus
from desktop.services.subsidy import subsidy_service
from desktop.services.towns import town_service
from desktop.services.year import year_service
from desktop.services.subsidy.subsidy_service import NO_RATE
from test_town_service import add_entry, add_park

D = Decimal
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture
def city(db):
    a = town_service.create_town(db, "甲镇").id
    b = town_service.create_town(db, "乙镇").id
    add_entry(db, a, "甲1", "100", EntryState.VERIFIED, verified="96.5")
    add_entry(db, a, "甲2", "80", EntryState.IN_PROGRESS)
    add_entry(db, b, "乙1", "30", EntryState.VERIFIED)
    add_park(db, a, "甲镇老工业园", ParkStatus.STARTED, dt.date(2024, 4, 1))
    return {"甲镇": a, "乙镇": b}


@pytest.fixture
def page(qtbot, ctx, city):
    from desktop.views.subsidy.subsidy_view import SubsidyPage

    p = SubsidyPage(ctx)
    qtbot.addWidget(p)
    p.resize(1200, 700)
    p.show()
    p.activate()
    wait_idle(qtbot, ctx)
    return p


def col(key: str) -> int:
    from desktop.views.subsidy.subsidy_view import SubsidyModel

    return [k for k, _ in SubsidyModel.COLUMNS].index(key)


def cell(page, town: str, key: str, role=Qt.ItemDataRole.DisplayRole):
    m = page.model
    row = next(i for i in range(m.rowCount()) if m.data(m.index(i, 0)) == town)
    return m.data(m.index(row, col(key)), role)


def select_town(page, town_id: int) -> None:
    page.table.selectRow(page.model.row_of(town_id))


def test_subsidy_model_passes_the_model_tester(qtmodeltester, db, city):
    from desktop.views.subsidy.subsidy_view import SubsidyModel

    subsidy_service.set_rates(db, 2024, "2", "50")
    subsidy_service.override(db, city["乙镇"], 2024, "70", "研究决定")
    model = SubsidyModel()
    model.set_table(subsidy_service.proposals(db, 2024))
    qtmodeltester.check(model)
    assert model.rowCount() == 3


def test_without_a_rate_the_page_says_so(page):
    assert cell(page, "甲镇", "computed_wan") == NO_RATE and cell(page, "甲镇", "final_wan") == NO_RATE
    assert NO_RATE in page.summary.text()
    assert cell(page, "甲镇", "verified_mu") == "96.50"


def test_saving_the_rate_and_bonus_fills_the_proposals(qtbot, page, ctx, db):
    page.rate_edit.setText("2")
    page.bonus_edit.setText("50")
    qtbot.keyClick(page.rate_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, ctx)
    p = year_service.get_params(db, 2024)
    assert (p.subsidy_rate_wan_per_mu, p.subsidy_park_bonus_wan) == (D(2), D(50))
    assert cell(page, "甲镇", "computed_wan") == "243.00"  # 96.5 × 2 + 1 × 50; 实施中 adds nothing
    assert cell(page, "乙镇", "final_wan") == "60.00"
    assert cell(page, "合计", "final_wan") == "303.00"
    assert "测算合计 <b>303.00</b>" in page.summary.text()


def test_bad_rate_is_refused_beside_the_field_and_kept(qtbot, page, ctx, db):
    page.rate_edit.setText("两万")
    page.save_rates()
    wait_idle(qtbot, ctx)
    assert page.rate_error.isVisible() and "数字" in page.rate_error.text()
    assert page.rate_edit.text() == "两万"
    assert year_service.get_params(db, 2024).subsidy_rate_wan_per_mu is None


def test_override_dialog_needs_a_reason_and_records_the_change(qtbot, page, ctx, db, city):
    subsidy_service.set_rates(db, 2024, "2", None)
    ctx.changed("year_params")
    wait_idle(qtbot, ctx)
    select_town(page, city["甲镇"])
    page.open_override_dialog()
    d = page.dialog
    d.amount_edit.setText("250")
    d.submit()
    assert d.errors["reason"].isVisible() and d.isVisible() and d.amount_edit.text() == "250"
    d.reason_edit.setText("拆除量大，研究决定增加")
    qtbot.keyClick(d.reason_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, ctx)
    assert page.dialog is None
    assert cell(page, "甲镇", "final_wan") == "250.00" and cell(page, "甲镇", "computed_wan") == "193.00"
    assert "拆除量大" in cell(page, "甲镇", "override_reason")
    assert "原因：拆除量大" in cell(page, "甲镇", "final_wan", Qt.ItemDataRole.ToolTipRole)
    with db.reader() as s:
        log = s.scalar(select(AuditLog).where(AuditLog.object_type == "subsidy_proposal"))
        assert log.after["override_wan"] == "250" and log.object_label == "甲镇"


def test_clearing_the_override_restores_the_computed_value(qtbot, page, ctx, db, city, monkeypatch):
    subsidy_service.set_rates(db, 2024, "2", None)
    subsidy_service.override(db, city["乙镇"], 2024, "80", "研究决定")
    ctx.changed("subsidy_proposal")
    wait_idle(qtbot, ctx)
    assert cell(page, "乙镇", "final_wan") == "80.00"
    select_town(page, city["乙镇"])
    assert page.clear_button.isEnabled()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.clear_selected_override()
    wait_idle(qtbot, ctx)
    assert cell(page, "乙镇", "final_wan") == "60.00" and cell(page, "乙镇", "override_wan") == ""


def test_override_dialog_restore_button_clears(qtbot, page, ctx, db, city):
    subsidy_service.set_rates(db, 2024, "2", None)
    subsidy_service.override(db, city["乙镇"], 2024, "80", "研究决定")
    ctx.changed("subsidy_proposal")
    wait_idle(qtbot, ctx)
    select_town(page, city["乙镇"])
    page.open_override_dialog()
    d = page.dialog
    assert d.amount_edit.text() == "80" and d.reason_edit.text() == "研究决定" and d.clear_button.isEnabled()
    d.clear_button.click()
    wait_idle(qtbot, ctx)
    assert page.dialog is None and not subsidy_service.proposals(db, 2024).rows[1].overridden


def test_export_writes_the_table(qtbot, page, ctx, db, city, tmp_path):
    from openpyxl import load_workbook

    subsidy_service.set_rates(db, 2024, "2", "50")
    page.export_to(tmp_path / "补助.xlsx")
    wait_idle(qtbot, ctx)
    ws = load_workbook(page.last_export).active
    rows = {r[0].value: [c.value for c in r] for r in ws.iter_rows(min_row=5)}
    assert rows["甲镇"][3] == 243 and rows["合计"][6] == 303


def test_actions_follow_the_selected_town_and_say_why_not(qtbot, page, ctx, db, city):
    page.table.clearSelection()
    assert not page.override_button.isEnabled() and "请先选择" in page.override_button.toolTip()
    select_town(page, city["甲镇"])
    assert page.override_button.isEnabled()
    assert not page.clear_button.isEnabled() and "未经调整" in page.clear_button.toolTip()
    page.table.selectRow(page.model.rowCount() - 1)  # the 合计 row is no town
    assert not page.override_button.isEnabled()


def test_ctrl_z_undoes_an_override_and_ctrl_y_redoes_it(qtbot, page, ctx, db, city):
    subsidy_service.set_rates(db, 2024, "2", None)
    ctx.changed("year_params")
    wait_idle(qtbot, ctx)
    select_town(page, city["甲镇"])
    page.open_override_dialog()
    d = page.dialog
    d.amount_edit.setText("250")
    d.reason_edit.setText("研究决定")
    d.submit()
    wait_idle(qtbot, ctx)
    final = lambda: next(r for r in subsidy_service.proposals(db, 2024).rows if r.town == "甲镇").final_wan  # noqa: E731
    assert final() == D(250)
    page.activateWindow()
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus)
    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ctx)
    assert final() == D(193) and cell(page, "甲镇", "override_wan") == ""
    qtbot.keyClick(page.table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ctx)
    assert final() == D(250) and "研究决定" in cell(page, "甲镇", "override_reason")


def test_undo_of_restoring_brings_the_override_and_its_reason_back(qtbot, page, ctx, db, city, monkeypatch):
    subsidy_service.set_rates(db, 2024, "2", None)
    subsidy_service.override(db, city["乙镇"], 2024, "80", "研究决定")
    ctx.changed("subsidy_proposal")
    wait_idle(qtbot, ctx)
    select_town(page, city["乙镇"])
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.clear_selected_override()
    wait_idle(qtbot, ctx)
    assert not subsidy_service.proposals(db, 2024).rows[1].overridden
    page.undo.stack.undo()
    wait_idle(qtbot, ctx)
    row = subsidy_service.proposals(db, 2024).rows[1]
    assert (row.override_wan, row.override_reason) == (D(80), "研究决定")


def test_undo_of_saved_rates_restores_the_previous_rates(qtbot, page, ctx, db):
    page.rate_edit.setText("2")
    page.save_rates()
    wait_idle(qtbot, ctx)
    assert year_service.get_params(db, 2024).subsidy_rate_wan_per_mu == D(2)
    page.undo.stack.undo()
    wait_idle(qtbot, ctx)
    assert year_service.get_params(db, 2024).subsidy_rate_wan_per_mu is None
    assert page.rate_edit.text() == "" and NO_RATE in page.summary.text()
