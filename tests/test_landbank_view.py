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
    error = tab.step_form.errors["done_on"]  # the date field's own line
    assert error.isVisibleTo(tab) and "不能晚于今天" in error.text()
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


def test_the_first_screen_builds_only_the_shown_tab_and_a_tab_clicked_later_loads_in_its_place(qtbot, ctx, db, page,
                                                                                              priced):
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == ["政府收储", "市场化收购", "协议", "成本均价"]
    assert list(page._built) == ["landbank_tab"] and page.tabs.currentWidget() is page.landbank_tab
    save(db, bank(priced, priced.e2, "800"), confirm_over_cap=True)
    ctx.changed("agreement")
    page.tabs.setCurrentIndex(3)  # a click on 成本均价: the tab is made, put at index 3, and loads
    wait_idle(qtbot, ctx)
    assert page.tabs.currentIndex() == 3 and page.tabs.currentWidget() is page.cost_tab
    assert page.tabs.tabText(3) == "成本均价" and page.tabs.count() == 4
    assert [(r.town, r.over) for r in page.cost_tab.model.rows] == [("甲镇", True)]
    page.save_layout()
    assert int(ctx.settings.value("landbank/tab")) == 3
    from desktop.views.landbank.landbank_view import LandBankingPage

    again = LandBankingPage(ctx)  # opens on the remembered tab, the only one it builds
    qtbot.addWidget(again)
    assert list(again._built) == ["cost_tab"] and again.tabs.currentIndex() == 3


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
    from desktop.views.kit.rows import MISSING_BACKGROUND

    page.tabs.setCurrentWidget(page.acquisition_tab)
    tab = page.acquisition_tab
    tab.set_as_of(dt.date(2024, 9, 30))
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
    tab.progress.negotiated_edit.set_value(dt.date(2024, 3, 1))  # before the town review
    tab.save_progress()
    wait_idle(qtbot, ctx)
    error = tab.progress.errors["negotiated_on"]
    assert error.isVisibleTo(tab) and "不能早于镇街审核日期" in error.text()


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
    from desktop.views.landbank import landbank_models as m

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


# Warnings before the act: a 收储协议 before its groundwork and 合作协议 ----------------------------------

def test_a_land_banking_agreement_without_groundwork_asks_naming_what_is_missing(qtbot, ctx, db, priced,
                                                                                 monkeypatch):
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda _p, _t, text, *a, **k: asked.append(text) or QMessageBox.StandardButton.No)
    dialog = new_dialog(qtbot, ctx, db, priced, priced.e2)
    type_amount(qtbot, ctx, dialog, "500")
    dialog.submit()
    wait_idle(qtbot, ctx)
    assert len(asked) == 1
    assert "资信尽调、土壤检测、价值评估、收储洽谈" in asked[0] and "尚未签订合作协议" in asked[0]
    assert "仍要保存吗？" in asked[0]
    assert dialog.isVisible() and dialog.ok_button.isEnabled()  # answered No: nothing saved
    assert len(agreement_service.list_agreements(db, 2024, kind=K.LAND_BANKING)) == 1
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    saved = []
    dialog.saved.connect(saved.append)
    dialog.submit()
    qtbot.waitUntil(lambda: bool(saved), timeout=5000)
    assert len(agreement_service.list_agreements(db, 2024, kind=K.LAND_BANKING)) == 2


def test_a_land_banking_agreement_after_all_groundwork_and_cooperation_is_not_asked(qtbot, ctx, db, priced,
                                                                                   monkeypatch):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Yes)
    for step in GroundworkStep:
        landbank_service.record_step(db, priced.e2, step, dt.date(2024, 4, 1), today=TODAY)
    save(db, agreement_service.AgreementValues(kind=K.COOPERATION, year=2024, town_id=priced.jia, entry_id=priced.e2,
                                               soe_id=priced.chengtou, party_a="甲镇", party_b="城投集团",
                                               signed_on=dt.date(2024, 5, 1)))
    dialog = new_dialog(qtbot, ctx, db, priced, priced.e2)
    type_amount(qtbot, ctx, dialog, "500")
    saved = []
    dialog.saved.connect(saved.append)
    dialog.submit()
    qtbot.waitUntil(lambda: bool(saved), timeout=5000)
    assert asked == [] and saved[0].amount_wan == D(500)


# Dates typed like a clerk types them ----------------------------------------------------------------

FORMS = ["2024-3-5", "2024.3.5", "2024/3/5", "20240305", "2024年3月5日"]


@pytest.mark.parametrize("typed", FORMS)
def test_a_signing_date_typed_in_any_form_is_saved(qtbot, ctx, db, priced, monkeypatch, typed):
    from conftest import type_text

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog = new_dialog(qtbot, ctx, db, priced, priced.e2)
    type_amount(qtbot, ctx, dialog, "500")
    dialog.signed_edit.edit.clear()
    type_text(qtbot, dialog.signed_edit.edit, typed)
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    wait_idle(qtbot, ctx)
    banks = agreement_service.list_agreements(db, 2024, kind=K.LAND_BANKING, entry_id=priced.e2)
    assert [a.signed_on for a in banks] == [dt.date(2024, 3, 5)]


def test_a_bad_signing_date_is_refused_at_the_field_and_nothing_is_saved(qtbot, ctx, db, priced):
    dialog = new_dialog(qtbot, ctx, db, priced, priced.e2)
    type_amount(qtbot, ctx, dialog, "500")
    dialog.signed_edit.edit.clear()
    qtbot.keyClicks(dialog.signed_edit.edit, "2024.13.1")
    dialog.submit()
    wait_idle(qtbot, ctx)
    error = dialog.errors["signed_on"]
    assert dialog.isVisible() and error.isVisibleTo(dialog) and "月份应为 1–12" in error.text()
    assert agreement_service.list_agreements(db, 2024, kind=K.LAND_BANKING, entry_id=priced.e2) == []


def pick_step(qtbot, ctx, page, priced, row=0):
    tab = page.landbank_tab
    tab.table.selectRow(tab.model.row_of(priced.e2))
    wait_idle(qtbot, ctx)
    tab.step_table.selectRow(row)
    tab.step_date.edit.clear()
    return tab


@pytest.mark.parametrize("typed", FORMS)
def test_a_groundwork_date_typed_in_any_form_is_saved(qtbot, ctx, db, page, priced, typed):
    from conftest import type_text

    tab = pick_step(qtbot, ctx, page, priced)
    type_text(qtbot, tab.step_date.edit, typed)
    tab.save_step()
    wait_idle(qtbot, ctx)
    assert landbank_service.steps(db, priced.e2)[0].done_on == dt.date(2024, 3, 5)


def test_a_bad_groundwork_date_is_refused_at_the_field_and_nothing_is_saved(qtbot, ctx, db, page, priced):
    tab = pick_step(qtbot, ctx, page, priced)
    qtbot.keyClicks(tab.step_date.edit, "2024.13.1")
    tab.save_step()
    wait_idle(qtbot, ctx)
    assert tab.step_date.error.isVisibleTo(tab) and "月份应为 1–12" in tab.step_date.error.text()
    assert not landbank_service.steps(db, priced.e2)[0].done


def pick_acquisition(qtbot, ctx, page):
    page.tabs.setCurrentWidget(page.acquisition_tab)
    tab = page.acquisition_tab
    wait_idle(qtbot, ctx)
    tab.table.selectRow(0)
    wait_idle(qtbot, ctx)
    tab.progress.reviewed_edit.edit.clear()
    return tab


@pytest.mark.parametrize("typed", FORMS)
def test_a_town_review_date_typed_in_any_form_is_saved(qtbot, ctx, db, page, priced, typed):
    from conftest import type_text

    tab = pick_acquisition(qtbot, ctx, page)
    type_text(qtbot, tab.progress.reviewed_edit.edit, typed)
    tab.save_progress()
    wait_idle(qtbot, ctx)
    assert acquisition_service.get_acquisition(db, priced.buy).town_reviewed_on == dt.date(2024, 3, 5)


def test_a_bad_town_review_date_is_refused_at_the_field_and_nothing_is_saved(qtbot, ctx, db, page, priced):
    tab = pick_acquisition(qtbot, ctx, page)
    qtbot.keyClicks(tab.progress.reviewed_edit.edit, "2024.13.1")
    tab.save_progress()
    wait_idle(qtbot, ctx)
    error = tab.progress.errors["town_reviewed_on"]
    assert error.isVisibleTo(tab) and "月份应为 1–12" in error.text()
    assert acquisition_service.get_acquisition(db, priced.buy).town_reviewed_on == dt.date(2024, 4, 2)


def test_the_tax_count_day_can_be_typed(qtbot, ctx, db, page, priced):
    from conftest import type_text

    tab = page.acquisition_tab
    page.tabs.setCurrentWidget(tab)
    wait_idle(qtbot, ctx)
    tab.as_of_edit.edit.clear()
    type_text(qtbot, tab.as_of_edit.edit, "2024年7月31日")
    wait_idle(qtbot, ctx)
    assert tab.as_of() == dt.date(2024, 7, 31) and tab.model.rows[0].missing_months == 1  # July only


# Actions follow state --------------------------------------------------------------------------------

def test_groundwork_and_agreement_buttons_follow_the_selection_saying_why(qtbot, ctx, db, page, priced):
    tab = page.landbank_tab
    tab.table.clearSelection()
    assert not tab.bank_button.isEnabled() and tab.bank_button.toolTip().startswith("请先选择治理对象")
    tab.table.selectRow(tab.model.row_of(priced.e2))
    wait_idle(qtbot, ctx)
    assert tab.bank_button.isEnabled() and tab.coop_button.isEnabled()
    tab.step_table.selectRow(0)
    assert not tab.clear_step_button.isEnabled() and tab.clear_step_button.toolTip().startswith("资信尽调尚未登记")


def test_signing_menu_says_why_an_acquisition_agreement_must_wait(qtbot, ctx, db, page, priced):
    other = add_planned(db, priced.jia, "甲六塑料厂", Method.ACQUISITION)
    ctx.changed("acquisition")
    page.tabs.setCurrentWidget(page.acquisition_tab)
    tab = page.acquisition_tab
    wait_idle(qtbot, ctx)
    tab.table.selectRow(tab.model.row_of(other))
    wait_idle(qtbot, ctx)
    action = tab.agreement_actions[K.ACQUISITION]
    assert not action.isEnabled() and "尚未提请会审" in action.toolTip()
    assert not tab.tax_button.isEnabled() and tab.tax_button.toolTip().startswith("请先保存收购进度")


# Undo ----------------------------------------------------------------------------------------------

def test_ctrl_z_undoes_a_recorded_groundwork_step(qtbot, ctx, db, page, priced):
    tab = pick_step(qtbot, ctx, page, priced, row=1)
    tab.step_date.set_value(dt.date(2024, 4, 9))
    tab.save_step()
    wait_idle(qtbot, ctx)
    assert landbank_service.steps(db, priced.e2)[1].done
    tab.activateWindow()
    tab.table.setFocus()
    qtbot.waitUntil(tab.table.hasFocus)
    qtbot.keyClick(tab.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ctx)
    assert not landbank_service.steps(db, priced.e2)[1].done
    qtbot.keyClick(tab.table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ctx)
    assert landbank_service.steps(db, priced.e2)[1].done_on == dt.date(2024, 4, 9)


def test_undo_of_an_agreement_edit_restores_it_and_undo_of_a_new_one_removes_it(qtbot, ctx, db, page, priced,
                                                                                monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.tabs.setCurrentWidget(page.agreement_tab)
    tab = page.agreement_tab
    wait_idle(qtbot, ctx)
    tab.table.selectRow(next(i for i, r in enumerate(tab.model.rows) if r.kind is K.LAND_BANKING))
    tab.edit_selected()
    wait_idle(qtbot, ctx)
    dialog = tab.agreement_dialog
    dialog.note_edit.setText("金额待核")
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    wait_idle(qtbot, ctx)
    notes = lambda: [a.note for a in agreement_service.list_agreements(db, 2024, kind=K.LAND_BANKING)]  # noqa: E731
    assert notes() == ["金额待核"]
    tab.undo.stack.undo()
    wait_idle(qtbot, ctx)
    assert notes() == [""]
    tab.add_agreement()
    wait_idle(qtbot, ctx)
    dialog = tab.agreement_dialog
    dialog.town_combo.setCurrentIndex(dialog.town_combo.findData(priced.jia))
    dialog.entry_combo.setCurrentIndex(dialog.entry_combo.findData(priced.e2))
    dialog.signed_edit.set_value(dt.date(2024, 6, 1))
    dialog.amount_edit.setText("500")
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    wait_idle(qtbot, ctx)
    assert len(notes()) == 2
    tab.undo.stack.undo()
    wait_idle(qtbot, ctx)
    assert len(notes()) == 1
    tab.undo.stack.redo()
    wait_idle(qtbot, ctx)
    assert len(notes()) == 2


def test_undo_of_acquisition_progress_and_of_a_tax_record(qtbot, ctx, db, page, priced, monkeypatch):
    tab = pick_acquisition(qtbot, ctx, page)
    tab.progress.reviewed_edit.set_value(dt.date(2024, 4, 1))
    tab.progress.investor_edit.setText("临澄新材料有限公司")
    tab.save_progress()
    wait_idle(qtbot, ctx)
    acq = lambda: acquisition_service.get_acquisition(db, priced.buy)  # noqa: E731
    assert acq().investor == "临澄新材料有限公司"
    tab.undo.stack.undo()
    wait_idle(qtbot, ctx)
    assert (acq().investor, acq().town_reviewed_on) == ("临澄智造科技有限公司", dt.date(2024, 4, 2))
    tab.set_as_of(dt.date(2024, 9, 30))
    wait_idle(qtbot, ctx)
    tab.table.selectRow(0)
    wait_idle(qtbot, ctx)
    tab.tax_table.selectRow(1)  # July: 缺报
    tab.edit_tax()
    dialog = tab.tax_dialog
    dialog.due_edit.setText("2")
    dialog.paid_edit.setText("2")
    with qtbot.waitSignal(dialog.finished):
        dialog.submit()
    wait_idle(qtbot, ctx)
    def months():
        return {m.month.month: m.status
                for m in acquisition_service.tax_months(db, acq().acquisition_id, dt.date(2024, 9, 30))}

    assert months()[7] == "已缴清"
    tab.undo.stack.undo()
    wait_idle(qtbot, ctx)
    assert months()[7] == "缺报"
