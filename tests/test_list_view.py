"""年度清单 page: choose a town, add entries, submit and review with the share shown, entry steps with
the transition table's refusals, the amber share banner, and filing plans in a batch."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import wait_idle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop.models import Soe
from desktop.models.enums import Category, EntryState, ListStatus, Method, ParkStatus
from desktop.services.lists import list_service, plan_service
from desktop.services.parks import park_service
from desktop.services.register import target_service
from desktop.services.towns import town_service

D = Decimal
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture
def city(db):
    """东港镇: a draft list at 20 % contiguous (below 30 %) and two unlisted targets;
    城南街道: an approved list at 50 %; and one city SOE."""
    east = town_service.create_town(db, "东港镇").id
    south = town_service.create_town(db, "城南街道").id
    east_park = park_service.create(db, park_service.ParkValues(name="东港老工业区", town_id=east, status=ParkStatus.PLANNED))
    south_park = park_service.create(db, park_service.ParkValues(name="城南五金园", town_id=south, status=ParkStatus.PLANNED))

    def target(name, town, area, park=None):
        return target_service.create(db, target_service.TargetValues(
            name=name, town_id=town, category=Category.CONTIGUOUS if park else Category.D_CLASS,
            land_area_mu=D(area), contiguous_area_id=park), year=2024)

    ids = {
        "甲铸造厂": target("甲铸造厂", east, "80"),
        "乙五金厂": target("乙五金厂", east, "20", east_park),
        "丙印染厂": target("丙印染厂", east, "12"),
        "丁电镀厂": target("丁电镀厂", east, "9", east_park),
        "南一化工": target("南一化工", south, "10", south_park),
        "南二纸业": target("南二纸业", south, "10"),
    }
    east_list = list_service.get_or_create_list(db, east, 2024).id
    entries = {
        "甲铸造厂": list_service.add_entry(db, east_list, ids["甲铸造厂"], Method.LAND_BANKING, "80"),
        "乙五金厂": list_service.add_entry(db, east_list, ids["乙五金厂"], Method.ACQUISITION, "20"),
    }
    south_list = list_service.get_or_create_list(db, south, 2024).id
    for name in ("南一化工", "南二纸业"):
        entries[name] = list_service.add_entry(db, south_list, ids[name], Method.LAND_BANKING, "10")
    list_service.submit(db, south_list)
    list_service.review(db, south_list, approve=True)
    with db.session() as s:
        soe = Soe(name="市城投集团")
        s.add(soe)
        s.flush()
        soe_id = soe.id
    return {"east": east, "south": south, "east_list": east_list, "south_list": south_list, "ids": ids,
            "entries": entries, "soe": soe_id}


@pytest.fixture
def page(qtbot, ctx, city):
    from desktop.views.lists.list_view import ListPage

    p = ListPage(ctx)
    qtbot.addWidget(p)
    p.resize(1400, 800)
    p.show()
    p.activate()
    wait_idle(qtbot, ctx)
    return p


@pytest.fixture
def messages(monkeypatch):
    """Every QMessageBox the page shows, as (kind, text); questions are answered Yes."""
    shown: list[tuple[str, str]] = []

    def capture(kind, answer=None):
        def box(_parent, _title, text, *a, **k):
            shown.append((kind, text))
            return answer
        return box

    monkeypatch.setattr(QMessageBox, "question", capture("question", QMessageBox.StandardButton.Yes))
    monkeypatch.setattr(QMessageBox, "information", capture("information", QMessageBox.StandardButton.Ok))
    monkeypatch.setattr(QMessageBox, "warning", capture("warning", QMessageBox.StandardButton.Yes))
    monkeypatch.setattr(QMessageBox, "critical", capture("critical", QMessageBox.StandardButton.Ok))
    return shown


def choose(qtbot, ctx, page, town_id):
    page.town_combo.setCurrentIndex(page.town_combo.findData(town_id))
    wait_idle(qtbot, ctx)


def names(page):
    return [r.target_name for r in page.entry_model.rows]


# Models ------------------------------------------------------------------------------------------

def test_overview_model_passes_the_model_tester(qtmodeltester, db, city):
    from desktop.views.lists.list_models import TownOverviewModel

    model = TownOverviewModel()
    model.set_rows(list_service.town_overview(db, 2024))
    qtmodeltester.check(model)
    assert model.rowCount() == 2 and model.data(model.index(0, 0)) == "东港镇"


def test_entry_model_passes_the_model_tester_and_marks_self_renovation(qtmodeltester, db, city):
    from desktop.views.lists.list_models import EntryModel

    list_service.add_entry(db, city["east_list"], city["ids"]["丙印染厂"], Method.SELF_RENOVATION, "12")
    model = EntryModel()
    model.set_rows(list_service.entries(db, city["east_list"]))
    qtmodeltester.check(model)
    row = model.row_of(next(r.id for r in model.rows if r.target_name == "丙印染厂"))
    assert model.data(model.index(row, model.column("method"))) == "企业自主技改（不计入统计）"
    model.sort(model.column("planned_area_mu"), Qt.SortOrder.DescendingOrder)
    assert [r.target_name for r in model.rows] == ["甲铸造厂", "乙五金厂", "丙印染厂"]
    qtmodeltester.check(model)


def test_plan_and_candidate_models_pass_the_model_tester(qtmodeltester, db, city):
    from desktop.views.lists.list_models import CandidateModel, PlanModel
    from desktop.views.lists.plan_dialog import FilingRow, PlanItemModel

    plan_service.file_plan(db, city["entries"]["南一化工"],
                           plan_service.PlanValues(Method.LAND_BANKING, "10", "550", soe_id=city["soe"]))
    plans = PlanModel()
    plans.set_rows(plan_service.list_plans(db, 2024))
    qtmodeltester.check(plans)
    assert plans.data(plans.index(0, plans.column("cost_per_mu"))) == "55.00"
    candidates = CandidateModel()
    candidates.set_rows(list_service.candidates(db, city["east_list"]))
    qtmodeltester.check(candidates)
    assert candidates.rowCount() == 2
    items = PlanItemModel([FilingRow(1, "甲", Method.LAND_BANKING, D("10"), "10", "")])
    qtmodeltester.check(items)
    assert items.setData(items.index(0, 4), "600") and items.data(items.index(0, 5)) == "60.00"


# The page ----------------------------------------------------------------------------------------

def test_choosing_a_town_shows_its_list(qtbot, ctx, page, city):
    assert page.town_combo.currentText() == "东港镇" and names(page) == ["甲铸造厂", "乙五金厂"]
    choose(qtbot, ctx, page, city["south"])
    assert names(page) == ["南一化工", "南二纸业"]
    assert "已审核" in page.status_label.text() and "审核人" in page.status_label.text()
    assert page.overview.currentIndex().row() == page.overview_model.row_of_town(city["south"])
    # Clicking a town in the overview jumps there too.
    page.overview.setCurrentIndex(page.overview_model.index(page.overview_model.row_of_town(city["east"]), 0))
    wait_idle(qtbot, ctx)
    assert page.town_combo.currentText() == "东港镇" and names(page) == ["甲铸造厂", "乙五金厂"]


def test_share_below_minimum_is_amber(qtbot, ctx, page, city):
    banner = page.share_banner
    assert banner.property("belowMinimum") is True
    assert "#ffd966" in banner.styleSheet().lower()
    assert "清单面积 100.00 亩，其中连片整治区域 20.00 亩，占比 20.00%" in banner.text()
    east_row = page.overview_model.row_of_town(city["east"])
    share_col = page.overview_model.column("share_pct")
    assert page.overview_model.data(page.overview_model.index(east_row, share_col),
                                    Qt.ItemDataRole.BackgroundRole).color().name() == "#ffd966"
    choose(qtbot, ctx, page, city["south"])
    assert banner.property("belowMinimum") is False and "#ffd966" not in banner.styleSheet().lower()
    assert "占比 50.00%" in banner.text()


def test_add_an_entry_through_the_dialog(qtbot, ctx, page, city):
    from desktop.views.lists.list_dialogs import EntryDialog

    page.add_entry()
    dlg = page._dialog
    assert isinstance(dlg, EntryDialog)
    wait_idle(qtbot, ctx)
    assert sorted(r.name for r in dlg.model.rows) == ["丁电镀厂", "丙印染厂"]  # the town's, not yet listed
    dlg.search.setText("丁电")  # typing: the search runs after a short pause
    qtbot.waitUntil(lambda: [r.name for r in dlg.model.rows] == ["丁电镀厂"], timeout=5000)
    wait_idle(qtbot, ctx)
    assert dlg.selected_target().name == "丁电镀厂"  # the only match is picked
    assert dlg.area.text() == "9" and dlg.park.currentText() == "东港老工业区"  # defaults from the target
    dlg.method.setCurrentIndex(dlg.method.findData(Method.REUSE.name))
    dlg.unit.setCurrentText("㎡")
    dlg.area.setText("4000")
    assert dlg.equiv.text() == "= 6.00 亩"
    qtbot.keyClick(dlg.area, Qt.Key.Key_Return)  # Enter saves
    wait_idle(qtbot, ctx)
    assert page._dialog is None  # saved and closed
    row = next(r for r in list_service.entries(ctx.db, city["east_list"]) if r.target_name == "丁电镀厂")
    assert (row.method, row.planned_area_mu, row.contiguous_area, row.state) == (
        Method.REUSE, D("6.0000"), "东港老工业区", EntryState.DRAFT)
    assert "丁电镀厂" in names(page)


def test_the_add_dialog_keeps_input_when_the_area_is_refused(qtbot, ctx, page, city):
    page.add_entry()
    dlg = page._dialog
    wait_idle(qtbot, ctx)
    dlg.submit()
    assert "请在上表中选择治理对象" in dlg.errors["target_id"].text() and dlg.errors["target_id"].isVisible()
    dlg.select_target(city["ids"]["丙印染厂"])
    dlg.area.setText("0")
    dlg.submit()
    wait_idle(qtbot, ctx)
    assert dlg.isVisible() and "应大于0" in dlg.errors["planned_area_mu"].text() and dlg.area.text() == "0"
    assert dlg.errors["planned_area_mu"].isVisible()
    dlg.done(0)


def test_submit_asks_first_with_the_share_below_the_minimum(qtbot, ctx, page, city, messages):
    # DOMAIN §2: the share is shown on submission — asked before the act, not reported after it.
    page.submit()
    wait_idle(qtbot, ctx)
    assert len(messages) == 1
    kind, text = messages[0]
    assert kind == "question"
    assert "占比 20.00%" in text and "低于年度下限 30%" in text and "不少于年度治理总面积的 30%" in text
    assert list_service.find_list(ctx.db, city["east"], 2024).status is ListStatus.SUBMITTED
    assert "已报送" in page.status_label.text()


def test_submit_declined_after_the_share_question_submits_nothing(qtbot, ctx, page, city, monkeypatch):
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda _p, _t, text, *a, **k: asked.append(text) or QMessageBox.StandardButton.No)
    page.submit()
    wait_idle(qtbot, ctx)
    assert "占比 20.00%" in asked[0]
    assert list_service.find_list(ctx.db, city["east"], 2024).status is ListStatus.DRAFT


def test_approve_shows_the_share_before_deciding(qtbot, ctx, page, city, messages, monkeypatch):
    list_service.submit(ctx.db, city["east_list"])
    page.refresh()
    wait_idle(qtbot, ctx)
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda _p, _t, text, *a, **k: messages.append(("warning", text)) or QMessageBox.StandardButton.No)
    page.approve()
    wait_idle(qtbot, ctx)
    assert "占比 20.00%" in messages[-1][1]  # asked, with the share, and answered No: nothing approved
    assert list_service.find_list(ctx.db, city["east"], 2024).status is ListStatus.SUBMITTED
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.approve()
    wait_idle(qtbot, ctx)
    assert list_service.find_list(ctx.db, city["east"], 2024).status is ListStatus.APPROVED


def test_return_needs_a_reason_and_shows_the_share(qtbot, ctx, page, city):
    from desktop.views.lists.list_dialogs import ReasonDialog

    list_service.submit(ctx.db, city["east_list"])
    page.refresh()
    wait_idle(qtbot, ctx)
    page.return_list()
    wait_idle(qtbot, ctx)
    dlg = page._dialog
    assert isinstance(dlg, ReasonDialog)
    assert dlg.share_label.property("belowMinimum") is True and "占比 20.00%" in dlg.share_label.text()
    assert not dlg.ok_button.isEnabled()  # no reason, no return
    dlg.reason.setPlainText("   ")
    assert not dlg.ok_button.isEnabled()
    dlg.reason.setPlainText("连片比例不足，请补充片区内对象")
    assert dlg.ok_button.isEnabled()
    dlg.ok_button.click()
    wait_idle(qtbot, ctx)
    summary = list_service.find_list(ctx.db, city["east"], 2024)
    assert summary.status is ListStatus.RETURNED and summary.return_reason == "连片比例不足，请补充片区内对象"
    assert "退回原因：连片比例不足" in page.status_label.text()
    assert {r.state for r in page.entry_model.rows} == {EntryState.RETURNED}


def test_editing_a_submitted_entry_is_refused_naming_its_state(qtbot, ctx, page, city, messages):
    list_service.submit(ctx.db, city["east_list"])
    page.refresh()
    wait_idle(qtbot, ctx)
    page.select_entries([city["entries"]["甲铸造厂"]])
    page.edit_entry()
    assert page._dialog is None
    assert messages[-1] == ("warning", "当前状态为“已报送”，不能修改（仅草稿或退回的条目可修改）")
    page.delete_entries()
    wait_idle(qtbot, ctx)
    assert "当前状态为“已报送”，不能删除" in messages[-1][1]
    assert "甲铸造厂" in names(page)


def test_an_illegal_step_shows_the_message_naming_the_state(qtbot, ctx, page, city, messages):
    choose(qtbot, ctx, page, city["south"])
    page.select_entries([city["entries"]["南一化工"]])
    page.run_step("start")  # 已审核 → 开始实施 skips 方案备案
    wait_idle(qtbot, ctx)
    assert messages[-1] == ("warning", "“南一化工”：当前状态为“已审核”，不能开始实施")
    assert page.entry_model.rows[page.entry_model.row_of(city["entries"]["南一化工"])].state is EntryState.APPROVED


def test_steps_come_from_the_transition_table_and_verification_is_elsewhere(qtbot, ctx, page, city):
    from PySide6.QtWidgets import QMenu

    from desktop.services.lists import entry_states
    from desktop.views.lists.list_actions import VERIFY_TIP

    choose(qtbot, ctx, page, city["south"])
    page.select_entries([city["entries"]["南一化工"]])
    menu = QMenu()
    page._fill_steps(menu)
    assert [a.text() for a in menu.actions()] == ["方案备案…", "撤销…"]
    for action in ("file_plan", "start", "report_done"):
        list_service.transition(ctx.db, city["entries"]["南一化工"], action)
    page.refresh()
    wait_idle(qtbot, ctx)
    page._fill_steps(menu)
    texts = {a.text(): a for a in menu.actions()}
    labels = {entry_states.TRANSITIONS[a][2] for a in entry_states.actions_from(EntryState.REPORTED)}
    assert {t.rstrip("…") for t in texts} == labels  # every step of the table, in Chinese
    for label in ("核实通过", "核实未通过"):
        assert not texts[label].isEnabled() and texts[label].toolTip() == VERIFY_TIP
    assert texts["撤销…"].isEnabled()


def test_cancel_asks_for_a_reason(qtbot, ctx, page, city):
    from desktop.views.lists.list_dialogs import ReasonDialog

    page.select_entries([city["entries"]["乙五金厂"]])
    page.run_step("cancel")
    dlg = page._dialog
    assert isinstance(dlg, ReasonDialog) and not dlg.ok_button.isEnabled()
    dlg.reason.setPlainText("企业已关停")
    dlg.ok_button.click()
    wait_idle(qtbot, ctx)
    row = next(r for r in list_service.entries(ctx.db, city["east_list"]) if r.target_name == "乙五金厂")
    assert row.state is EntryState.CANCELLED and row.state_reason == "企业已关停"


def test_plan_dialog_files_a_batch(qtbot, ctx, page, city):
    from desktop.views.lists.plan_dialog import PlanDialog

    choose(qtbot, ctx, page, city["south"])
    page.select_entries([city["entries"]["南一化工"], city["entries"]["南二纸业"]])
    page.open_plan_dialog()
    wait_idle(qtbot, ctx)
    dlg = page._dialog
    assert isinstance(dlg, PlanDialog) and dlg.selected_method() is Method.LAND_BANKING
    assert [i.target for i in dlg.model.items] == ["南一化工", "南二纸业"]
    dlg.submit()  # 收储 without an SOE: refused at the field, nothing filed
    wait_idle(qtbot, ctx)
    assert dlg.isVisible() and "须选择合作的市级国企" in dlg.error_text("soe_id")
    dlg.soe.setCurrentIndex(dlg.soe.findData(city["soe"]))
    dlg.model.setData(dlg.model.index(0, 4), "520")
    dlg.model.setData(dlg.model.index(1, 3), "9.5")
    assert "计划面积 <b>19.50</b> 亩" in dlg.totals.text()
    dlg.ok_button.click()
    wait_idle(qtbot, ctx)
    assert page._dialog is None  # saved and closed
    plans = plan_service.list_plans(ctx.db, 2024, town_id=city["south"])
    assert {p.batch_no for p in plans} == {"城南街道-2024-001"} and len(plans) == 2
    by_name = {p.target: p for p in plans}
    assert by_name["南一化工"].planned_cost_wan == D("520") and by_name["南二纸业"].planned_area_mu == D("9.5")
    assert page.plan_model.rowCount() == 2 and page.tabs.currentIndex() == 1
    assert "城南街道-2024-001" in page.plan_hint.text()
    assert {r.state for r in page.entry_model.rows} == {EntryState.PLAN_FILED}


def test_plan_dialog_is_refused_for_an_entry_not_yet_approved(qtbot, ctx, page, city, messages):
    page.select_entries([city["entries"]["甲铸造厂"]])
    page.open_plan_dialog()
    wait_idle(qtbot, ctx)
    assert page._dialog is None
    assert messages[-1][1] == "“甲铸造厂”：当前状态为“草稿”，不能方案备案（仅已审核的条目可备案方案）"


def test_a_plan_with_a_quota_loan_cannot_be_edited(qtbot, ctx, page, city):
    import datetime as dt

    from desktop.models import QuotaLoan

    result = plan_service.file_plan(ctx.db, city["entries"]["南一化工"],
                                    plan_service.PlanValues(Method.LAND_BANKING, "10", soe_id=city["soe"]))
    with ctx.db.session() as s:
        s.add(QuotaLoan(plan_id=result.plan_ids[0], soe_id=city["soe"], town_id=city["south"],
                        loan_date=dt.date(2024, 7, 1), area_mu=D("3")))
    choose(qtbot, ctx, page, city["south"])
    page.tabs.setCurrentIndex(1)
    page.plan_table.selectRow(0)
    page.edit_plan()
    wait_idle(qtbot, ctx)
    dlg = page._dialog
    assert not dlg.ok_button.isEnabled() and "1 笔周转指标预借" in dlg.error_text("general")
    dlg.done(0)


def test_delete_asks_first_then_removes_the_draft_entry(qtbot, ctx, page, city, monkeypatch):
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda _p, _t, text, *a, **k: asked.append(text) or QMessageBox.StandardButton.No)
    page.select_entries([city["entries"]["乙五金厂"]])
    page.activateWindow()
    page.entry_table.setFocus()
    qtbot.waitUntil(page.entry_table.hasFocus)
    qtbot.keyClick(page.entry_table, Qt.Key.Key_Delete)
    wait_idle(qtbot, ctx)
    assert "乙五金厂" in asked[-1] and "乙五金厂" in names(page)  # answered No: kept
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.delete_entries()
    wait_idle(qtbot, ctx)
    assert names(page) == ["甲铸造厂"]
    assert "占比 —" in page.share_banner.text() or "占比 0.00%" in page.share_banner.text()


def test_the_context_menu_offers_edit_delete_and_the_entrys_steps(qtbot, ctx, page, city):
    page.select_entries([city["entries"]["甲铸造厂"]])
    menu = page.build_entry_menu()
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["修改…", "删除", "撤销…"]  # a draft's only own step; 报送 is the list's button


def test_filter_narrows_the_entries(qtbot, ctx, page, city):
    page.filter_edit.setText("五金")
    assert names(page) == ["乙五金厂"]
    page.filter_edit.clear()
    assert len(names(page)) == 2


def test_a_city_without_towns_says_where_to_start(qtbot, ctx):
    from desktop.views.lists.list_view import ListPage

    p = ListPage(ctx)
    qtbot.addWidget(p)
    p.show()
    p.activate()
    wait_idle(qtbot, ctx)
    assert "请先在“镇街与任务分解”中建立镇街" in p.status_label.text()
    assert not p.add_button.isEnabled() and not p.submit_button.isEnabled()
    assert not p.share_banner.isVisible()


def test_a_town_without_a_list_gets_one_when_the_first_entry_is_added(qtbot, ctx, db):
    from desktop.views.lists.list_dialogs import EntryDialog
    from desktop.views.lists.list_view import ListPage

    town = town_service.create_town(db, "西湖街道").id
    target_service.create(db, target_service.TargetValues(name="西湖电镀厂", town_id=town, land_area_mu=D("6")), year=2024)
    p = ListPage(ctx)
    qtbot.addWidget(p)
    p.show()
    p.activate()
    wait_idle(qtbot, ctx)
    assert "尚未建立清单" in p.status_label.text() and list_service.find_list(db, town, 2024) is None
    p.add_entry()
    wait_idle(qtbot, ctx)
    assert isinstance(p._dialog, EntryDialog) and list_service.find_list(db, town, 2024) is not None
    assert [r.name for r in p._dialog.model.rows] == ["西湖电镀厂"]
    p._dialog.done(0)


# Actions follow state ------------------------------------------------------------------------------

def file_plan_for(ctx, city, name):
    return plan_service.file_plan(ctx.db, city["entries"][name],
                                  plan_service.PlanValues(Method.LAND_BANKING, "10", soe_id=city["soe"]))


def test_delete_of_a_filed_entry_is_disabled_saying_why_and_never_asked(qtbot, ctx, page, city, messages):
    file_plan_for(ctx, city, "南一化工")
    choose(qtbot, ctx, page, city["south"])
    page.select_entries([city["entries"]["南一化工"]])
    why = "当前状态为“方案已备案”，不能删除（仅草稿或退回的条目可删除）"
    assert not page.delete_button.isEnabled() and page.delete_button.toolTip().startswith(why)
    assert not page.edit_button.isEnabled() and "不能修改" in page.edit_button.toolTip()
    menu = page.build_entry_menu()
    delete = next(a for a in menu.actions() if a.text() == "删除")
    assert not delete.isEnabled() and delete.toolTip().startswith(why)
    page.delete_entries()  # the Delete key or a stray call: refused at once, no “确定删除？” first
    wait_idle(qtbot, ctx)
    assert [kind for kind, _t in messages] == ["warning"] and messages[0][1].startswith(why)
    assert "南一化工" in names(page)


def test_list_buttons_follow_the_list_and_the_selection(qtbot, ctx, page, city):
    # 东港镇: a draft list — 报送 open, 审核通过 and 退回 closed, saying why.
    assert page.submit_button.isEnabled()
    for button in (page.approve_button, page.return_button):
        assert not button.isEnabled() and button.toolTip().startswith("清单中没有待审核的条目（清单状态：草稿）")
    page.select_entries([city["entries"]["甲铸造厂"]])
    assert page.edit_button.isEnabled() and page.delete_button.isEnabled()
    assert not page.plan_button.isEnabled()
    assert page.plan_button.toolTip().startswith("“甲铸造厂”：当前状态为“草稿”，不能方案备案（仅已审核的条目可备案方案）")
    # 城南街道: approved — nothing to submit or review; its entries may have plans filed.
    choose(qtbot, ctx, page, city["south"])
    assert not page.submit_button.isEnabled()
    assert page.submit_button.toolTip().startswith("清单中没有可报送的条目（清单状态：已审核）")
    assert not page.approve_button.isEnabled() and not page.edit_button.isEnabled()
    page.select_entries([city["entries"]["南一化工"], city["entries"]["南二纸业"]])
    assert page.plan_button.isEnabled() and page.steps_button.isEnabled()
    page.entry_table.clearSelection()
    assert not page.steps_button.isEnabled() and page.steps_button.toolTip().startswith("请先选择条目")


def test_a_plan_with_a_loan_has_its_edit_button_disabled_saying_why(qtbot, ctx, page, city):
    import datetime as dt

    from desktop.models import QuotaLoan

    result = file_plan_for(ctx, city, "南一化工")
    with ctx.db.session() as s:
        s.add(QuotaLoan(plan_id=result.plan_ids[0], soe_id=city["soe"], town_id=city["south"],
                        loan_date=dt.date(2024, 7, 1), area_mu=D("3")))
    choose(qtbot, ctx, page, city["south"])
    page.tabs.setCurrentIndex(1)
    page.plan_table.selectRow(0)
    assert not page.edit_plan_button.isEnabled()
    assert page.edit_plan_button.toolTip().startswith("该方案已有 1 笔周转指标预借，不能修改")


def test_the_sample_citys_low_share_is_asked_before_it_is_submitted(qtbot, demo_ctx, messages):
    """The measured case: 沙洲街道 at 21.17 % (returned list) against the year's 30 %."""
    from desktop.views.lists.list_view import ListPage

    town = next(r for r in list_service.town_overview(demo_ctx.db, 2024) if r.town == "沙洲街道")
    p = ListPage(demo_ctx)
    qtbot.addWidget(p)
    p.show()
    p.activate()
    wait_idle(qtbot, demo_ctx)
    choose(qtbot, demo_ctx, p, town.town_id)
    assert p.submit_button.isEnabled()
    p.submit()
    wait_idle(qtbot, demo_ctx)
    kind, text = messages[0]
    assert kind == "question" and "占比 21.17%" in text and "30%" in text
    assert list_service.find_list(demo_ctx.db, town.town_id, 2024).status is ListStatus.SUBMITTED


# Undo --------------------------------------------------------------------------------------------

def edit_through_the_dialog(qtbot, ctx, page, entry_id, area):
    page.select_entries([entry_id])
    page.edit_entry()
    dlg = page._dialog
    dlg.area.setText(area)
    with qtbot.waitSignal(dlg.finished):
        dlg.submit()
    wait_idle(qtbot, ctx)


def test_ctrl_z_undoes_an_entry_edit_and_ctrl_y_redoes_it(qtbot, ctx, page, city):
    entry_id = city["entries"]["甲铸造厂"]
    def area():
        return next(r for r in list_service.entries(ctx.db, city["east_list"]) if r.id == entry_id).planned_area_mu

    edit_through_the_dialog(qtbot, ctx, page, entry_id, "66")
    assert area() == D("66") and page.undo.undo_button.isEnabled()
    page.activateWindow()
    page.entry_table.setFocus()
    qtbot.waitUntil(page.entry_table.hasFocus)
    qtbot.keyClick(page.entry_table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ctx)
    assert area() == D("80")
    qtbot.keyClick(page.entry_table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ctx)
    assert area() == D("66")


def test_undo_of_an_added_entry_removes_it_and_redo_adds_it_again(qtbot, ctx, page, city):
    page.add_entry()
    dlg = page._dialog
    wait_idle(qtbot, ctx)
    dlg.select_target(city["ids"]["丙印染厂"])
    with qtbot.waitSignal(dlg.finished):
        dlg.submit()
    wait_idle(qtbot, ctx)
    assert "丙印染厂" in names(page) and [e.target_name for e in page.selected_entries()] == ["丙印染厂"]
    page.undo.stack.undo()
    wait_idle(qtbot, ctx)
    assert "丙印染厂" not in names(page)
    page.undo.stack.redo()
    wait_idle(qtbot, ctx)
    assert "丙印染厂" in [r.target_name for r in list_service.entries(ctx.db, city["east_list"])]


def test_undo_of_an_edit_the_list_has_moved_past_is_refused_and_the_history_cleared(qtbot, ctx, page, city,
                                                                                     messages):
    edit_through_the_dialog(qtbot, ctx, page, city["entries"]["甲铸造厂"], "66")
    list_service.submit(ctx.db, city["east_list"])  # meanwhile, elsewhere
    page.undo.stack.undo()
    wait_idle(qtbot, ctx)
    assert "当前状态为“已报送”，不能修改" in messages[-1][1] and page.undo.stack.count() == 0


def test_undo_of_a_plan_edit_restores_the_filed_values(qtbot, ctx, page, city):
    file_plan_for(ctx, city, "南一化工")
    choose(qtbot, ctx, page, city["south"])
    page.tabs.setCurrentIndex(1)
    page.plan_table.selectRow(0)
    page.edit_plan()
    wait_idle(qtbot, ctx)
    dlg = page._dialog
    dlg.note.setText("改了备注")
    with qtbot.waitSignal(dlg.finished):
        dlg.submit()
    wait_idle(qtbot, ctx)
    assert plan_service.list_plans(ctx.db, 2024)[0].note == "改了备注"
    page.undo.stack.undo()
    wait_idle(qtbot, ctx)
    assert plan_service.list_plans(ctx.db, 2024)[0].note == ""


# The filing date ---------------------------------------------------------------------------------

def open_filing(qtbot, ctx, page, city):
    choose(qtbot, ctx, page, city["south"])
    page.select_entries([city["entries"]["南一化工"]])
    page.open_plan_dialog()
    wait_idle(qtbot, ctx)
    dlg = page._dialog
    dlg.soe.setCurrentIndex(dlg.soe.findData(city["soe"]))
    dlg.filed_on.edit.clear()
    return dlg


@pytest.mark.parametrize("typed", ["2024-3-5", "2024.3.5", "2024/3/5", "20240305", "2024年3月5日"])
def test_a_filing_date_typed_in_any_form_is_saved(qtbot, ctx, page, city, typed):
    import datetime as dt

    from conftest import type_text

    dlg = open_filing(qtbot, ctx, page, city)
    type_text(qtbot, dlg.filed_on.edit, typed)
    with qtbot.waitSignal(dlg.finished):
        dlg.submit()
    wait_idle(qtbot, ctx)
    assert [p.filed_on for p in plan_service.list_plans(ctx.db, 2024)] == [dt.date(2024, 3, 5)]


def test_a_bad_filing_date_is_refused_at_the_field_and_nothing_is_filed(qtbot, ctx, page, city):
    dlg = open_filing(qtbot, ctx, page, city)
    qtbot.keyClicks(dlg.filed_on.edit, "2024.13.1")
    dlg.submit()
    wait_idle(qtbot, ctx)
    assert dlg.isVisible() and dlg.errors["filed_on"].isVisible() and "月份应为 1–12" in dlg.errors["filed_on"].text()
    assert plan_service.list_plans(ctx.db, 2024) == []
    dlg.reject()


def test_the_page_module_loads_no_dialog_module_until_a_dialog_opens():
    """The entry, reason and plan dialogs load when first opened (the page's first screen is built without
    them); a fresh interpreter, so what other tests imported does not count."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = ("import sys; import desktop.views.lists.list_view; "
              "print(sorted(m for m in ('desktop.views.lists.list_dialogs', 'desktop.views.lists.plan_dialog') "
              "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parent.parent, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
