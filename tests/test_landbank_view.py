"""收储与收购 page: the agreement dialog's live cost line and over-cap confirmation, the tabs, the models."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from conftest import wait_idle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select
from test_agreements import TODAY, add_planned, bank, city, save  # noqa: F401  (city is a fixture)

from desktop.models import AuditLog
from desktop.models.enums import AgreementKind, GroundworkStep, Method
from desktop.services.landbank import acquisition_service, agreement_service, landbank_service
from desktop.services.landbank.acquisition_service import AcquisitionValues

D = Decimal
K = AgreementKind
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture
def priced(db, city):
    """城投集团 × 甲镇 already at 55 万元/亩 over 10 亩; an acquisition signed in June with tax gaps."""
    save(db, bank(city, city.e1, "550"))
    acquisition_service.save_acquisition(db, city.buy, AcquisitionValues(
        investor="临澄智造科技有限公司", new_project="智能装备产业园", town_reviewed_on=dt.date(2024, 4, 2),
        negotiated_on=dt.date(2024, 4, 15), joint_review_on=dt.date(2024, 5, 8), joint_review_passed=True),
        today=TODAY)
    save(db, agreement_service.AgreementValues(
        kind=K.ACQUISITION, year=2024, town_id=city.jia, entry_id=city.buy, party_a="甲三五金厂",
        party_b="临澄智造科技有限公司", signed_on=dt.date(2024, 6, 3), amount_wan=D(400), area_mu=D(8)))
    acq_id = acquisition_service.get_acquisition(db, city.buy).acquisition_id
    acquisition_service.save_tax_record(db, acq_id, dt.date(2024, 6, 1), "3", "3", today=TODAY)
    acquisition_service.save_tax_record(db, acq_id, dt.date(2024, 8, 1), "4", "1.5", today=TODAY)
    return city


def new_dialog(qtbot, ctx, db, city, entry_id):
    from desktop.views.landbank.agreement_dialog import AgreementDialog

    choices = agreement_service.choices(db, 2024)
    values = agreement_service.prefill(choices, K.LAND_BANKING, 2024, entry_id=entry_id)
    values.signed_on = dt.date(2024, 6, 1)
    dialog = AgreementDialog(ctx, choices, values)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle(qtbot, ctx)
    return dialog


def type_amount(qtbot, ctx, dialog, text: str) -> None:
    dialog.amount_edit.setText(text)
    dialog.update_preview()
    wait_idle(qtbot, ctx)


# The agreement dialog ----------------------------------------------------------------------------

def test_dialog_prefills_parties_soe_and_area_from_the_entry(qtbot, ctx, db, priced):
    dialog = new_dialog(qtbot, ctx, db, priced, priced.e2)
    assert dialog.party_a_edit.text() == "甲镇" and dialog.party_b_edit.text() == "甲二铸造厂"
    assert dialog.soe_combo.currentData() == priced.chengtou and dialog.area_edit.text() == "10"


def test_live_cost_line_shows_the_new_average_and_turns_red_over_the_cap(qtbot, ctx, db, priced):
    dialog = new_dialog(qtbot, ctx, db, priced, priced.e2)
    type_amount(qtbot, ctx, dialog, "580")  # 58 → (550 + 580) / 20 = 56.50
    assert dialog.cost_line.text() == "本协议 58.00 万元/亩；国企×镇街 年度均价 55.00 → 56.50 万元/亩（上限 60）"
    assert not dialog.cost_line_is_red()
    type_amount(qtbot, ctx, dialog, "675")  # 67.5 → 61.25
    assert dialog.cost_line.text().startswith("本协议 67.50 万元/亩；国企×镇街 年度均价 55.00 → 61.25 万元/亩（上限 60）")
    assert dialog.cost_line_is_red() and dialog.last_preview.over


def test_cost_line_at_exactly_the_cap_is_not_red(qtbot, ctx, db, priced):
    dialog = new_dialog(qtbot, ctx, db, priced, priced.e2)
    type_amount(qtbot, ctx, dialog, "650")
    assert "55.00 → 60.00" in dialog.cost_line.text() and not dialog.cost_line_is_red()


def test_cost_line_waits_for_amount_and_area(qtbot, ctx, db, priced):
    dialog = new_dialog(qtbot, ctx, db, priced, priced.e2)
    type_amount(qtbot, ctx, dialog, "abc")
    assert "请填写金额和面积" in dialog.cost_line.text()


def test_over_cap_save_asks_and_saves_confirmed_when_the_clerk_agrees(qtbot, ctx, db, priced, monkeypatch):
    asked = []

    def question(parent, title, text, *args, **kw):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    dialog = new_dialog(qtbot, ctx, db, priced, priced.e2)
    type_amount(qtbot, ctx, dialog, "675")
    saved = []
    dialog.saved.connect(saved.append)
    dialog.submit()
    qtbot.waitUntil(lambda: bool(saved), timeout=5000)
    assert len(asked) == 1 and "超过上限，确认保存？" in asked[0] and "61.25" in asked[0]
    assert saved[0].over_cap_confirmed and saved[0].amount_wan == D(675)
    with db.reader() as s:
        assert s.scalar(select(AuditLog.action).where(AuditLog.action == "超限确认")) == "超限确认"


def test_over_cap_save_declined_saves_nothing_and_keeps_the_dialog(qtbot, ctx, db, priced, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    dialog = new_dialog(qtbot, ctx, db, priced, priced.e2)
    type_amount(qtbot, ctx, dialog, "675")
    dialog.submit()
    wait_idle(qtbot, ctx)
    assert dialog.isVisible() and dialog.ok_button.isEnabled() and dialog.amount_edit.text() == "675"
    assert len(agreement_service.list_agreements(db, 2024, kind=K.LAND_BANKING)) == 1


def test_filing_before_signing_is_shown_beside_the_filing_date(qtbot, ctx, db, priced):
    dialog = new_dialog(qtbot, ctx, db, priced, priced.e2)
    dialog.amount_edit.setText("500")
    dialog.filed_edit.set_value(dt.date(2024, 5, 20))
    dialog.submit()
    assert dialog.errors["filed_on"].isVisibleTo(dialog) and "不能早于签订日期" in dialog.errors["filed_on"].text()
    assert dialog.isVisible()


# The page ----------------------------------------------------------------------------------------

@pytest.fixture
def page(qtbot, ctx, priced):
    from desktop.views.landbank.landbank_view import LandBankingPage

    p = LandBankingPage(ctx)
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    p.activate()
    wait_idle(qtbot, ctx)
    return p


def test_groundwork_tab_lists_land_banking_entries_and_records_a_step(qtbot, ctx, db, page, priced):
    tab = page.landbank_tab
    assert [r.target for r in tab.model.rows] == ["甲一化工厂", "甲二铸造厂", "乙一印染厂"]
    tab.table.selectRow(tab.model.row_of(priced.e2))
    wait_idle(qtbot, ctx)
    assert [s.step for s in tab.step_model.rows] == list(GroundworkStep)
    tab.step_table.selectRow(1)
    tab.step_date.set_value(dt.date(2024, 4, 9))
    tab.step_result.setText("土壤检测合格")
    tab.save_step()
    wait_idle(qtbot, ctx)
    wait_idle(qtbot, ctx)
    step = landbank_service.steps(db, priced.e2)[1]
    assert step.done_on == dt.date(2024, 4, 9) and step.result == "土壤检测合格"
    assert tab.model.rows[tab.model.row_of(priced.e2)].steps_text == "1/4"
    assert tab.step_attachments.object_id == step.record_id  # evidence can now be attached to the step


def test_groundwork_date_in_the_future_is_shown_under_the_form(qtbot, ctx, db, page, priced):
    tab = page.landbank_tab
    tab.table.selectRow(tab.model.row_of(priced.e2))
    wait_idle(qtbot, ctx)
    tab.step_table.selectRow(0)
    tab.step_date.set_value(dt.date.today() + dt.timedelta(days=3))
    tab.save_step()
    wait_idle(qtbot, ctx)
    assert tab.step_error.isVisibleTo(tab) and "不能晚于今天" in tab.step_error.text()
    assert not landbank_service.steps(db, priced.e2)[0].done


def test_cost_tab_shows_over_cap_pairs_in_red(qtbot, ctx, db, page, priced):
    save(db, bank(priced, priced.e2, "800"), confirm_over_cap=True)
    save(db, bank(priced, priced.e3, "400", town=priced.yi))
    ctx.changed("agreement")
    page.tabs.setCurrentWidget(page.cost_tab)
    wait_idle(qtbot, ctx)
    m = page.cost_tab.model
    assert [(r.town, r.over) for r in m.rows] == [("甲镇", True), ("乙镇", False)]
    brush = m.data(m.index(0, m.column("average")), Qt.ItemDataRole.ForegroundRole)
    assert brush is not None and brush.color().name() == "#c0392b"
    assert m.data(m.index(1, m.column("average")), Qt.ItemDataRole.ForegroundRole) is None
    assert m.data(m.index(0, m.column("average"))) == "67.50"  # (550 + 800) / 20
    page.cost_tab.only_over.setChecked(True)
    wait_idle(qtbot, ctx)
    assert [r.town for r in m.rows] == ["甲镇"]


def test_double_clicking_a_pair_shows_its_agreements(qtbot, ctx, db, page, priced):
    page.tabs.setCurrentWidget(page.cost_tab)
    wait_idle(qtbot, ctx)
    page.cost_tab.table.selectRow(0)
    page.cost_tab.open_selected()
    wait_idle(qtbot, ctx)
    assert page.tabs.currentWidget() is page.agreement_tab
    rows = page.agreement_tab.model.rows
    assert [(r.kind, r.town, r.soe) for r in rows] == [(K.LAND_BANKING, "甲镇", "城投集团")]


def test_acquisition_tab_flags_missing_tax_months(qtbot, ctx, db, page, priced):
    from desktop.views.landbank.landbank_common import MISSING_BACKGROUND

    page.tabs.setCurrentWidget(page.acquisition_tab)
    tab = page.acquisition_tab
    tab.as_of_edit.setDate(tab.as_of_edit.date().fromString("2024-09-30", "yyyy-MM-dd"))
    wait_idle(qtbot, ctx)
    assert [r.target for r in tab.model.rows] == ["甲三五金厂"]
    tab.table.selectRow(0)
    wait_idle(qtbot, ctx)
    m = tab.tax_model
    assert [r.status for r in m.rows] == ["已缴清", "缺报", "欠缴 2.50 万元", "缺报"]
    brush = m.data(m.index(1, 0), Qt.ItemDataRole.BackgroundRole)
    assert brush is not None and brush.color() == MISSING_BACKGROUND
    assert "缺报 2 个月" in tab.tax_summary.text()
    assert tab.agreement_actions[K.ACQUISITION].isEnabled()


def test_failed_joint_review_disables_signing_in_the_acquisition_tab(qtbot, ctx, db, page, priced):
    other = add_planned(db, priced.jia, "甲六塑料厂", Method.ACQUISITION)
    acquisition_service.save_acquisition(db, other, AcquisitionValues(
        town_reviewed_on=dt.date(2024, 4, 2), negotiated_on=dt.date(2024, 4, 15),
        joint_review_on=dt.date(2024, 5, 8), joint_review_passed=False), today=TODAY)
    ctx.changed("acquisition")
    page.tabs.setCurrentWidget(page.acquisition_tab)
    tab = page.acquisition_tab
    wait_idle(qtbot, ctx)
    tab.table.selectRow(tab.model.row_of(other))
    wait_idle(qtbot, ctx)
    assert tab.model.rows[tab.model.row_of(other)].stage_text == "会审未通过"
    assert not tab.agreement_actions[K.ACQUISITION].isEnabled()
    assert not tab.agreement_actions[K.INVESTMENT_SUPERVISION].isEnabled()
    assert tab.agreement_actions[K.OTHER].isEnabled()
    assert "会审未通过" in tab.gate_label.text()


def test_saving_progress_out_of_order_is_shown_beside_the_field(qtbot, ctx, db, page, priced):
    page.tabs.setCurrentWidget(page.acquisition_tab)
    tab = page.acquisition_tab
    wait_idle(qtbot, ctx)
    tab.table.selectRow(0)
    wait_idle(qtbot, ctx)
    tab.negotiated_edit.set_value(dt.date(2024, 3, 1))  # before the town review
    tab.save_progress()
    wait_idle(qtbot, ctx)
    assert tab.errors["negotiated_on"].isVisibleTo(tab) and "不能早于镇街审核日期" in tab.errors["negotiated_on"].text()


def test_agreement_tab_filters_by_kind(qtbot, ctx, db, page, priced):
    page.tabs.setCurrentWidget(page.agreement_tab)
    tab = page.agreement_tab
    wait_idle(qtbot, ctx)
    assert len(tab.model.rows) == 2
    tab.kind_filter.setCurrentIndex(tab.kind_filter.findData(K.ACQUISITION))
    wait_idle(qtbot, ctx)
    assert [r.kind for r in tab.model.rows] == [K.ACQUISITION]
    assert "共 <b>1</b> 份协议（收购协议 1）" in tab.summary.text()


def test_deleting_an_agreement_asks_first(qtbot, ctx, db, page, priced, monkeypatch):
    page.tabs.setCurrentWidget(page.agreement_tab)
    tab = page.agreement_tab
    wait_idle(qtbot, ctx)
    tab.table.selectRow(0)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    tab.delete_selected()
    wait_idle(qtbot, ctx)
    assert len(agreement_service.list_agreements(db, 2024)) == 2
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    tab.delete_selected()
    wait_idle(qtbot, ctx)
    wait_idle(qtbot, ctx)
    assert len(agreement_service.list_agreements(db, 2024)) == 1 and len(tab.model.rows) == 1


def test_edit_opens_the_dialog_with_the_agreement_and_its_scans(qtbot, ctx, db, page, priced):
    page.tabs.setCurrentWidget(page.agreement_tab)
    tab = page.agreement_tab
    wait_idle(qtbot, ctx)
    row = next(i for i, r in enumerate(tab.model.rows) if r.kind is K.LAND_BANKING)
    tab.table.selectRow(row)
    tab.edit_selected()
    wait_idle(qtbot, ctx)
    dialog = tab.agreement_dialog
    assert dialog is not None and dialog.amount_edit.text() == "550"
    assert dialog.attachments.object_type == "agreement" and dialog.attachments.isVisibleTo(dialog)
    assert "55.00 → 55.00" in dialog.cost_line.text()  # its own old values are replaced, not added
    dialog.reject()


# Every model through the model tester ------------------------------------------------------------

def test_every_model_passes_the_model_tester(qtmodeltester, db, priced):
    from desktop.views.landbank import landbank_common as m

    acq = acquisition_service.get_acquisition(db, priced.buy)
    cases = [
        (m.LandBankEntryModel(), landbank_service.land_banking_entries(db, 2024)),
        (m.StepModel(), landbank_service.steps(db, priced.e1)),
        (m.AgreementModel(), agreement_service.list_agreements(db, 2024)),
        (m.ShortAgreementModel(), agreement_service.list_agreements(db, 2024)),
        (m.AcquisitionModel(), acquisition_service.acquisition_entries(db, 2024, as_of=TODAY)),
        (m.TaxMonthModel(), acquisition_service.tax_months(db, acq.acquisition_id, TODAY)),
        (m.PairModel(), agreement_service.over_cap_report(db, 2024)),
    ]
    for model, rows in cases:
        assert rows, type(model).__name__
        model.set_rows(rows)
        qtmodeltester.check(model)
        assert model.rowCount() == len(rows)
        model.sort(0, Qt.SortOrder.DescendingOrder)
        qtmodeltester.check(model)
