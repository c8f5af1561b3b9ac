"""周转指标库 page: the ledger (red overdue, amber due soon), as-of date, totals views, the lend and return
dialogs, delete, export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from conftest import type_text, wait_idle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from test_quota import add_plan, add_soe

from desktop.services.quota import quota_service
from desktop.services.towns import town_service

D = Decimal
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
AS_OF = dt.date(2026, 11, 26)


@pytest.fixture
def city(db):
    a = town_service.create_town(db, "甲镇").id
    b = town_service.create_town(db, "乙镇").id
    x = add_soe(db, "市城投集团")
    y = add_soe(db, "市国资公司")
    plan = add_plan(db, a, x, "100", name="甲镇化工厂")
    plan2 = add_plan(db, b, y, "50", name="乙镇铸造厂")
    overdue = quota_service.lend(db, plan, loan_date=dt.date(2024, 5, 1), area_mu="20", purpose="标准厂房")
    quota_service.return_quota(db, overdue.loan_id, return_date=dt.date(2025, 3, 1), area_mu="8")
    soon = quota_service.lend(db, plan2, loan_date=dt.date(2025, 4, 1), area_mu="10", purpose="产业项目")
    done = quota_service.lend(db, plan2, loan_date=dt.date(2024, 6, 1), area_mu="5", purpose="配套")
    quota_service.return_quota(db, done.loan_id, return_date=dt.date(2024, 12, 1), area_mu="5")
    return {"甲镇": a, "乙镇": b, "城投": x, "国资": y, "plan": plan, "plan2": plan2,
            "overdue": overdue.loan_id, "soon": soon.loan_id, "done": done.loan_id}


@pytest.fixture
def page(qtbot, ctx, city):
    from desktop.views.quota.quota_view import QuotaPage

    p = QuotaPage(ctx)
    qtbot.addWidget(p)
    p.resize(1300, 800)
    p.show()
    p.set_as_of(AS_OF)
    p.activate()
    wait_idle(qtbot, ctx)
    return p


def col(key: str) -> int:
    from desktop.views.quota.quota_models import LoanLedgerModel

    return [k for k, _ in LoanLedgerModel.COLUMNS].index(key)


def cell(model, row: int, key: str, role=Qt.ItemDataRole.DisplayRole):
    return model.data(model.index(row, col(key)), role)


def row_of(page, loan_id: int) -> int:
    return page.model.row_of(loan_id)


def retype(qtbot, field, text: str) -> None:
    """Type a date into a DateField as a clerk would, replacing what it shows."""
    field.edit.clear()
    type_text(qtbot, field.edit, text)


# ---- models --------------------------------------------------------------------------------

def test_loan_ledger_model_passes_the_model_tester(qtmodeltester, db, city):
    from desktop.views.quota.quota_models import LoanLedgerModel

    model = LoanLedgerModel()
    model.set_report(quota_service.ledger_report(db, as_of=AS_OF))
    qtmodeltester.check(model)
    assert model.rowCount() == 4  # three loans and the totals row


def test_totals_model_passes_the_model_tester(qtmodeltester, db, city):
    from desktop.views.quota.quota_models import LedgerTotalsModel

    report = quota_service.ledger_report(db, as_of=AS_OF)
    model = LedgerTotalsModel()
    model.set_totals("合作国企", report.by_soe, report.total)
    qtmodeltester.check(model)
    assert model.rowCount() == 3 and model.data(model.index(2, 0)) == "合计"


def test_returns_model_passes_the_model_tester(qtmodeltester, db, city):
    from desktop.views.quota.quota_models import ReturnsModel

    report = quota_service.ledger_report(db, as_of=AS_OF)
    model = ReturnsModel()
    model.set_rows(report.returns[city["overdue"]])
    qtmodeltester.check(model)
    assert model.data(model.index(0, 1)) == "8.00"


# ---- the ledger ----------------------------------------------------------------------------

def test_overdue_loan_is_red_with_days_and_fee(page, city):
    from desktop.views.quota.quota_models import OVERDUE_BACKGROUND

    r = row_of(page, city["overdue"])
    assert cell(page.model, r, "balance_mu") == "12.00"
    assert cell(page.model, r, "days_overdue") == str((AS_OF - dt.date(2025, 12, 31)).days)
    assert cell(page.model, r, "fee_wan") == "1,020.00"  # 12 × 85
    assert cell(page.model, r, "town", Qt.ItemDataRole.BackgroundRole).color() == OVERDUE_BACKGROUND
    assert "应收指标使用费 1,020.00 万元" in cell(page.model, r, "town", Qt.ItemDataRole.ToolTipRole)


def test_loan_due_within_60_days_is_amber_and_a_returned_one_plain(page, city):
    from desktop.views.quota.quota_models import DUE_SOON_BACKGROUND

    r = row_of(page, city["soon"])
    assert cell(page.model, r, "due_date") == "2026-12-31" and cell(page.model, r, "days_overdue") == ""
    assert cell(page.model, r, "town", Qt.ItemDataRole.BackgroundRole).color() == DUE_SOON_BACKGROUND
    done = row_of(page, city["done"])
    assert cell(page.model, done, "balance_mu") == "0.00"
    assert cell(page.model, done, "town", Qt.ItemDataRole.BackgroundRole) is None


def test_summary_counts_overdue_and_due_soon(page):
    text = page.summary.text()
    assert "逾期未还 <b>1</b> 笔 <b>12.00</b> 亩" in text and "1,020.00" in text and "60 天内到期 <b>1</b> 笔" in text


def test_as_of_date_changes_the_ledger(qtbot, page, ctx, city):
    page.set_as_of(dt.date(2024, 12, 31))
    wait_idle(qtbot, ctx)
    ids = {r.loan_id for r in page.model.rows}
    assert ids == {city["overdue"], city["done"]}  # the 2025 loan was not taken yet
    r = row_of(page, city["overdue"])
    assert cell(page.model, r, "balance_mu") == "20.00" and cell(page.model, r, "fee_wan") == ""


def test_totals_row_is_last_after_sorting(qtbot, page):
    page.table.sortByColumn(col("balance_mu"), Qt.SortOrder.DescendingOrder)
    m = page.model
    assert [r.balance_mu for r in m.rows] == [D(12), D(10), D(0)]
    last = m.rowCount() - 1
    assert cell(m, last, "town") == "合计" and cell(m, last, "balance_mu") == "22.00"


def test_switch_to_per_soe_and_per_town_totals(qtbot, page, city):
    page.view_combo.setCurrentIndex(1)
    assert page.stack.currentWidget() is page.totals_table
    m = page.totals_model
    assert m.headerData(0, Qt.Orientation.Horizontal) == "合作国企"
    names = [m.data(m.index(i, 0)) for i in range(m.rowCount())]
    assert names == ["市国资公司", "市城投集团", "合计"]
    assert m.data(m.index(1, 4)) == "12.00" and m.data(m.index(1, 7)) == "1,020.00"
    page.view_combo.setCurrentIndex(2)
    assert m.headerData(0, Qt.Orientation.Horizontal) == "镇街"
    assert [m.data(m.index(i, 0)) for i in range(m.rowCount())] == ["甲镇", "乙镇", "合计"]  # the towns' order
    assert not page.return_button.isEnabled()


def test_town_filter_and_search(qtbot, page, ctx, city):
    page.town_filter.setCurrentIndex(page.town_filter.findData(city["乙镇"]))
    wait_idle(qtbot, ctx)
    assert {r.loan_id for r in page.model.rows} == {city["soon"], city["done"]}
    page.search.setText("产业")
    assert [r.loan_id for r in page.model.rows] == [city["soon"]]


def test_selecting_a_loan_lists_its_returns(qtbot, page, city):
    page.table.selectRow(row_of(page, city["overdue"]))
    assert page.returns_model.rowCount() == 1
    assert "甲镇化工厂" in page.returns_box.title()
    assert page.return_button.isEnabled()


# ---- new loan --------------------------------------------------------------------------------

def open_lend(qtbot, page, ctx):
    page.open_lend_dialog()
    wait_idle(qtbot, ctx)
    dialog = page.dialog
    assert dialog is not None
    return dialog


def test_lend_dialog_shows_cap_open_loans_and_room_live(qtbot, page, ctx, city):
    d = open_lend(qtbot, page, ctx)
    d.select_plan(city["plan"])
    info = d.plan_info.text()
    assert "计划收储面积 <b>100.00</b> 亩" in info and "即 <b>30.00</b> 亩" in info
    assert "已借未还 <b>12.00</b> 亩" in info and "尚可预借 <b>18.00</b> 亩" in info
    qtbot.keyClicks(d.area_edit, "18")
    assert "借后尚可预借 0.00 亩" in d.room_label.text()
    qtbot.keyClicks(d.area_edit, ".5")
    assert "超出上限 0.50 亩" in d.room_label.text()
    d.reject()


def test_lend_over_the_cap_is_refused_beside_the_area_and_input_kept(qtbot, page, ctx, city):
    d = open_lend(qtbot, page, ctx)
    d.select_plan(city["plan"])
    retype(qtbot, d.date_edit, "2026-6-1")
    wait_idle(qtbot, ctx)
    d.area_edit.setText("18.01")
    d.submit()
    wait_idle(qtbot, ctx)
    assert d.isVisible() and d.area_edit.text() == "18.01"
    assert "超出 0.01 亩" in d.errors["area_mu"].text() and d.errors["area_mu"].isVisible()
    assert d.ok_button.isEnabled()


def test_lend_through_the_dialog_adds_the_loan(qtbot, page, ctx, db, city):
    d = open_lend(qtbot, page, ctx)
    d.select_plan(city["plan"])
    retype(qtbot, d.date_edit, "2026-6-1")
    wait_idle(qtbot, ctx)
    d.area_edit.setText("18")
    d.purpose_edit.setText("标准厂房（三期）")
    qtbot.keyClick(d.purpose_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, ctx)
    assert page.dialog is None
    rows = quota_service.loan_ledger(db, as_of=AS_OF)
    new = [r for r in rows if r.purpose == "标准厂房（三期）"]
    assert len(new) == 1 and new[0].area_mu == D(18) and new[0].soe == "市城投集团"
    assert any(r.purpose == "标准厂房（三期）" for r in page.model.rows)
    assert "已登记预借" in page.status.text()


def test_lend_dialog_empty_area_is_refused_at_the_field(qtbot, page, ctx, city):
    d = open_lend(qtbot, page, ctx)
    d.submit()
    assert d.errors["area_mu"].isVisible() and "预借面积" in d.errors["area_mu"].text()
    d.reject()


def test_lend_dialog_filters_plans(qtbot, page, ctx, city):
    d = open_lend(qtbot, page, ctx)
    assert d.plan_combo.count() == 2
    d.search_edit.setText("铸造")
    assert d.plan_combo.count() == 1 and d.choice().plan_id == city["plan2"]
    d.reject()


# ---- return ----------------------------------------------------------------------------------

def open_return(qtbot, page, ctx, loan_id):
    page.table.selectRow(row_of(page, loan_id))
    page.open_return_dialog()
    wait_idle(qtbot, ctx)
    return page.dialog


def test_partial_return_through_the_dialog(qtbot, page, ctx, db, city):
    d = open_return(qtbot, page, ctx, city["overdue"])
    assert "未还余额 <b>12.00</b> 亩" in d.info.text()
    d.date_edit.set_value(dt.date(2026, 11, 20))
    d.area_edit.setText("5")
    qtbot.keyClick(d.area_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, ctx)
    assert page.dialog is None
    r = next(x for x in quota_service.loan_ledger(db, as_of=AS_OF) if x.loan_id == city["overdue"])
    assert r.balance_mu == D(7)
    assert cell(page.model, row_of(page, city["overdue"]), "balance_mu") == "7.00"


def test_return_over_the_balance_is_refused_beside_the_field(qtbot, page, ctx, city):
    d = open_return(qtbot, page, ctx, city["overdue"])
    d.area_edit.setText("12.01")
    d.submit()
    assert d.errors["area_mu"].isVisible() and "12.00" in d.errors["area_mu"].text()
    d.all_button.click()
    assert d.area_edit.text() == "12"
    d.reject()


def test_return_before_the_loan_date_is_refused_by_the_service_beside_the_date(qtbot, page, ctx, city):
    d = open_return(qtbot, page, ctx, city["overdue"])
    d.date_edit.set_value(dt.date(2024, 4, 30))
    d.area_edit.setText("1")
    d.submit()
    wait_idle(qtbot, ctx)
    assert d.isVisible() and "2024-05-01" in d.errors["return_date"].text()
    d.reject()


# ---- delete and export -----------------------------------------------------------------------

def test_delete_asks_first(qtbot, page, ctx, db, city, monkeypatch):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.No)
    page.table.selectRow(row_of(page, city["soon"]))
    page.delete_selected_loan()
    wait_idle(qtbot, ctx)
    assert asked and len(quota_service.loan_ledger(db, as_of=AS_OF)) == 3
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.delete_selected_loan()
    wait_idle(qtbot, ctx)
    assert city["soon"] not in {r.loan_id for r in quota_service.loan_ledger(db, as_of=AS_OF)}
    assert row_of(page, city["soon"]) == -1


def test_export_writes_the_ledger_as_shown(qtbot, page, ctx, city, tmp_path):
    from openpyxl import load_workbook

    page.town_filter.setCurrentIndex(page.town_filter.findData(city["甲镇"]))
    wait_idle(qtbot, ctx)
    page.export_to(tmp_path / "台账.xlsx")
    wait_idle(qtbot, ctx)
    assert page.last_export == tmp_path / "台账.xlsx" and "已导出" in page.status.text()
    ws = load_workbook(page.last_export)["台账明细"]
    assert "甲镇" in ws["A2"].value
    values = [c.value for c in ws[5]]
    assert values[1] == "甲镇" and values[6] == 20 and values[8] == 12 and values[11] == 1020


def test_export_button_asks_for_a_file(qtbot, page, ctx, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    target = tmp_path / "out"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "Excel 工作簿 (*.xlsx)"))
    page.choose_export_file()
    wait_idle(qtbot, ctx)
    assert page.last_export == target.with_suffix(".xlsx") and page.last_export.exists()


# ---- the rules as the parameters say them ------------------------------------------------------

def test_the_legend_says_the_due_date_and_fee_from_the_years_parameters(qtbot, page, ctx, db):
    from desktop.services.year import year_service

    assert "归还期限为预借次年12月31日" in page.legend.text() and "85 万元/亩" in page.legend.text()
    year_service.update_params(db, 2024, {"quota_return_years": 2, "quota_overdue_fee_wan_per_mu": 90})
    ctx.changed("year_params")
    wait_idle(qtbot, ctx)
    assert "归还期限为预借后第2年12月31日" in page.legend.text() and "90 万元/亩" in page.legend.text()
    assert "次年" not in page.legend.text()


def test_the_lend_dialog_states_the_cap_and_due_date_of_the_loan_year(qtbot, page, ctx, db):
    from desktop.services.year import year_service

    year_service.update_params(db, 2024, {"quota_borrow_ratio_pct": 25, "quota_return_years": 2})
    d = open_lend(qtbot, page, ctx)
    retype(qtbot, d.date_edit, "2024-7-1")
    wait_idle(qtbot, ctx)
    assert "计划收储面积的25%" in d.hint.text() and "2024年的预借应于2026年12月31日前归还" in d.hint.text()
    d.reject()


# ---- actions follow the selection --------------------------------------------------------------

def test_return_is_disabled_on_a_fully_returned_loan_and_says_why(page, city):
    page.table.selectRow(row_of(page, city["done"]))
    assert not page.return_button.isEnabled() and "已全部归还" in page.return_button.toolTip()
    assert page.delete_button.isEnabled() is False and "归还记录" in page.delete_button.toolTip()
    page.table.selectRow(row_of(page, city["soon"]))
    assert page.return_button.isEnabled() and page.delete_button.isEnabled()
    page.table.clearSelection()
    assert "请先选择" in page.return_button.toolTip()


def test_totals_views_disable_loan_actions_and_say_why(page, city):
    page.table.selectRow(row_of(page, city["soon"]))
    page.view_combo.setCurrentIndex(1)
    assert not page.return_button.isEnabled() and "按笔" in page.return_button.toolTip()
    page.view_combo.setCurrentIndex(0)
    assert page.return_button.isEnabled()


# ---- undo ------------------------------------------------------------------------------------

def test_ctrl_z_undoes_a_new_loan_and_ctrl_y_brings_it_back(qtbot, page, ctx, db, city):
    d = open_lend(qtbot, page, ctx)
    d.select_plan(city["plan2"])
    retype(qtbot, d.date_edit, "2026-1-5")
    wait_idle(qtbot, ctx)
    d.area_edit.setText("3")
    d.purpose_edit.setText("误录的预借")
    d.submit()
    wait_idle(qtbot, ctx)
    purposes = lambda: [r.purpose for r in quota_service.loan_ledger(db, as_of=AS_OF)]  # noqa: E731
    assert "误录的预借" in purposes()
    page.activateWindow()
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus)
    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ctx)
    assert "误录的预借" not in purposes() and "误录的预借" not in [r.purpose for r in page.model.rows]
    qtbot.keyClick(page.table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ctx)
    assert purposes().count("误录的预借") == 1


def test_undo_of_a_return_restores_the_balance_and_redo_returns_again(qtbot, page, ctx, db, city):
    d = open_return(qtbot, page, ctx, city["overdue"])
    d.date_edit.set_value(dt.date(2026, 11, 20))
    d.area_edit.setText("5")
    d.submit()
    wait_idle(qtbot, ctx)
    balance = lambda: next(r for r in quota_service.loan_ledger(db, as_of=AS_OF)  # noqa: E731
                           if r.loan_id == city["overdue"]).balance_mu
    assert balance() == D(7) and "归还" in page.undo.undo_button.toolTip()
    page.undo.stack.undo()
    wait_idle(qtbot, ctx)
    assert balance() == D(12)
    page.undo.stack.redo()
    wait_idle(qtbot, ctx)
    assert balance() == D(7)


def test_a_return_after_its_loan_was_undone_and_redone_follows_the_new_loan(qtbot, page, ctx, db, city):
    d = open_lend(qtbot, page, ctx)
    d.select_plan(city["plan2"])
    retype(qtbot, d.date_edit, "2026-1-5")
    wait_idle(qtbot, ctx)
    d.area_edit.setText("4")
    d.purpose_edit.setText("先借后还")
    d.submit()
    wait_idle(qtbot, ctx)
    new = next(r for r in page.model.rows if r.purpose == "先借后还")
    d = open_return(qtbot, page, ctx, new.loan_id)
    d.date_edit.set_value(dt.date(2026, 2, 1))
    d.area_edit.setText("1")
    d.submit()
    wait_idle(qtbot, ctx)
    for _ in range(2):
        page.undo.stack.undo()
    wait_idle(qtbot, ctx)
    assert "先借后还" not in [r.purpose for r in quota_service.loan_ledger(db, as_of=AS_OF)]
    for _ in range(2):
        page.undo.stack.redo()
    wait_idle(qtbot, ctx)
    again = next(r for r in quota_service.loan_ledger(db, as_of=AS_OF) if r.purpose == "先借后还")
    assert again.returned_mu == D(1) and again.balance_mu == D(3)


# ---- typed dates -------------------------------------------------------------------------------

TYPED = ["2024-3-5", "2024.3.5", "2024/3/5", "20240305", "2024年3月5日"]


@pytest.mark.parametrize("typed", TYPED)
def test_a_loan_date_typed_in_any_form_is_saved(qtbot, page, ctx, db, city, typed):
    d = open_lend(qtbot, page, ctx)
    d.select_plan(city["plan"])
    retype(qtbot, d.date_edit, typed)
    wait_idle(qtbot, ctx)
    d.area_edit.setText("1")
    d.purpose_edit.setText("日期写法")
    with qtbot.waitSignal(d.finished):
        d.submit()
    wait_idle(qtbot, ctx)
    saved = next(r for r in quota_service.loan_ledger(db, as_of=AS_OF) if r.purpose == "日期写法")
    assert saved.loan_date == dt.date(2024, 3, 5)


def test_a_bad_loan_date_is_refused_at_the_field_and_nothing_is_saved(qtbot, page, ctx, db, city):
    d = open_lend(qtbot, page, ctx)
    d.select_plan(city["plan"])
    retype(qtbot, d.date_edit, "2024.13.1")
    d.area_edit.setText("1")
    d.submit()
    wait_idle(qtbot, ctx)
    assert d.isVisible() and d.errors["loan_date"].isVisible() and "月份应为 1–12" in d.errors["loan_date"].text()
    assert len(quota_service.loan_ledger(db, as_of=AS_OF)) == 3
    d.reject()


@pytest.fixture
def early_loan(qtbot, page, ctx, db, city):
    loan = quota_service.lend(db, city["plan"], loan_date=dt.date(2024, 3, 1), area_mu="2", purpose="早借")
    page.refresh()
    wait_idle(qtbot, ctx)
    return loan.loan_id


@pytest.mark.parametrize("typed", TYPED)
def test_a_return_date_typed_in_any_form_is_saved(qtbot, page, ctx, db, early_loan, typed):
    d = open_return(qtbot, page, ctx, early_loan)
    retype(qtbot, d.date_edit, typed)
    d.area_edit.setText("1")
    with qtbot.waitSignal(d.finished):
        d.submit()
    wait_idle(qtbot, ctx)
    returns = quota_service.ledger_report(db, as_of=AS_OF).returns[early_loan]
    assert [r.return_date for r in returns] == [dt.date(2024, 3, 5)]


def test_a_bad_return_date_is_refused_at_the_field_and_nothing_is_saved(qtbot, page, ctx, db, early_loan):
    d = open_return(qtbot, page, ctx, early_loan)
    retype(qtbot, d.date_edit, "2024.13.1")
    d.area_edit.setText("1")
    d.submit()
    wait_idle(qtbot, ctx)
    assert d.isVisible() and "月份应为 1–12" in d.errors["return_date"].text()
    assert early_loan not in quota_service.ledger_report(db, as_of=AS_OF).returns
    d.reject()


def test_the_as_of_date_takes_a_typed_date(qtbot, page, ctx, city):
    retype(qtbot, page.as_of_edit.field, "2024年12月31日")
    wait_idle(qtbot, ctx)
    assert page.as_of() == dt.date(2024, 12, 31)
    assert {r.loan_id for r in page.model.rows} == {city["overdue"], city["done"]}


def test_purpose_and_returned_are_hidden_by_default_to_fit_a_laptop_and_can_be_shown(page):
    assert page.table.isColumnHidden(col("purpose")) and page.table.isColumnHidden(col("returned_mu"))
    assert not page.table.isColumnHidden(col("fee_wan"))
    page.columns.set_shown("purpose", True)
    assert not page.table.isColumnHidden(col("purpose"))
