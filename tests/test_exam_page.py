"""The 综合体检 page: a clerk's whole path through one examination — proposal, start, plan, units, the initial
examination of each unit (findings, issue list, reports), 会诊 with the leader's approval, 诊治, 督办, the end and
the town's scoring — on a real ledger through the real services, with the stage buttons following the one
table; the list with its overdue duties in red, filters and find; typed work kept on a refusal; undo.

With EXAM_SHOTS set to a folder, the walk also saves screenshots of the list and of each tab there."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import _context, type_text, wait_idle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from test_town_service import make_target

from desktop.models.enums import ExamArea, ExaminationStage, SanctionKind
from desktop.services.exams import exam_issues, exam_scoring, exam_service
from desktop.services.towns import town_service
from desktop.services.year import year_service

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
DAY = dt.date(2024, 3, 25)  # the day the clerk works (a Monday)
SHOTS = os.environ.get("EXAM_SHOTS")


@pytest.fixture
def city(db):
    town = town_service.create_town(db, "甲镇").id
    other = town_service.create_town(db, "乙镇").id
    with db.session() as s:
        target = make_target(s, town, "甲镇化工厂")
        other_target = make_target(s, other, "乙镇铸造厂")
    units = {d.name: d.id for d in year_service.list_departments(db)}
    return {"town": town, "other": other, "target": target, "other_target": other_target, "units": units}


@pytest.fixture
def exam_ctx(qtbot, db, tmp_path):
    yield from _context(db.as_of(DAY), tmp_path)


@pytest.fixture
def page(qtbot, exam_ctx, city):
    from desktop.views.exams.exam_view import ExamPage

    p = ExamPage(exam_ctx)
    qtbot.addWidget(p)
    p.resize(1160, 620)  # the room a page has in the window on a 1366×768 laptop (1318×680 less the sidebar)
    p.show()
    p.activate()
    wait_idle(qtbot, exam_ctx)
    return p


@pytest.fixture
def yes(monkeypatch):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda _p, title, text, *a, **k: (
        asked.append((title, text)), QMessageBox.StandardButton.Yes)[1])
    return asked


def shot(qtbot, ctx, widget, name: str) -> None:
    if SHOTS:
        settle(qtbot, ctx)
        qtbot.wait(200)  # layouts and repaints after the last answer
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        widget.window().grab().save(str(Path(SHOTS) / f"{name}.png"))


def overdue_case(db, city) -> int:
    """乙镇铸造厂: started 2024-03-01, 应急管理局 has handed over no issue list (due 2024-03-15): overdue."""
    ledger = db.as_of(DAY)
    exam_id = exam_service.propose(ledger, town_id=city["other"], target_id=city["other_target"],
                                   proposed_on=dt.date(2024, 2, 26), reason="长期违规生产，整治推动困难")
    exam_service.start(ledger, exam_id, dt.date(2024, 3, 1))
    exam_service.set_plan(ledger, exam_id, procedure="按附件2程序", methods="现场检查", content="全面体检")
    exam_service.set_units(ledger, exam_id, [city["units"]["应急管理局"]])
    exam_service.step(ledger, exam_id, "begin_initial")
    return exam_id


def fill_dialog(qtbot, dialog, **texts) -> None:
    for widget, text in texts.items():
        w = getattr(dialog, widget)
        w.setFocus()
        if hasattr(w, "edit"):  # a DateField
            w.edit.clear()
            type_text(qtbot, w.edit, text)
        elif hasattr(w, "setPlainText"):
            w.setPlainText(text)
        else:
            w.clear()
            type_text(qtbot, w, text)


def step(qtbot, ctx, case, action: str) -> None:
    button = case.step_buttons[action]
    assert button.isEnabled(), button.toolTip()
    button.click()
    wait_idle(qtbot, ctx)
    wait_idle(qtbot, ctx)


def settle(qtbot, ctx) -> None:
    for _ in range(3):
        wait_idle(qtbot, ctx)


def test_list_shows_every_case_with_its_overdue_duties_in_red_and_filters(qtbot, page, exam_ctx, db, city):
    ctx = exam_ctx
    overdue_case(db, city)
    page.refresh()
    settle(qtbot, exam_ctx)
    model = page.model
    assert [(r.enterprise, r.town, r.stage, r.units, r.overdue) for r in model.rows] == [
        ("乙镇铸造厂", "乙镇", ExaminationStage.INITIAL, ("应急管理局",), 2)]  # the list and the written report
    overdue = model.index(0, model.column("overdue"))
    assert model.data(overdue) == "2"
    assert model.data(overdue, Qt.ItemDataRole.ForegroundRole).color().name() == "#c0392b"
    assert "2 件有逾期职责" not in page.count_label.text() and "1 件有逾期职责" in page.count_label.text()
    shot(qtbot, ctx, page, "01_list_overdue")
    page.stage_filter.setCurrentIndex(page.stage_filter.findData(ExaminationStage.CLOSED))
    assert model.rows == []
    page.stage_filter.setCurrentIndex(0)
    page.town_filter.setCurrentIndex(page.town_filter.findData(city["town"]))
    assert model.rows == []
    page.town_filter.setCurrentIndex(0)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    qtbot.keyClick(page, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search.hasFocus()
    type_text(qtbot, page.search, "铸造")
    assert len(model.rows) == 1
    type_text(qtbot, page.search, "厂X")
    assert model.rows == []


def test_the_list_sorts_and_enter_opens_the_case(qtbot, page, exam_ctx, db, city):
    overdue = overdue_case(db, city)
    started_case(db, city)
    page.refresh()
    settle(qtbot, exam_ctx)
    assert page._case is None  # the list's first screen builds no case view: it is made when a case opens
    model = page.model
    page.table.sortByColumn(model.column("overdue"), Qt.SortOrder.DescendingOrder)
    assert [r.enterprise for r in model.rows] == ["甲镇化工厂", "乙镇铸造厂"]  # 4 overdue duties, then 2
    page.table.sortByColumn(model.column("stage"), Qt.SortOrder.DescendingOrder)
    assert [r.stage for r in model.rows] == [ExaminationStage.INITIAL, ExaminationStage.STARTED]
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    settle(qtbot, exam_ctx)
    assert page.stack.currentWidget() is page.case and page.case.detail.id == overdue


def test_a_clerk_walks_one_examination_from_proposal_to_scoring(qtbot, page, exam_ctx, db, city, yes, tmp_path):
    ctx, units = exam_ctx, city["units"]
    overdue_case(db, city)
    page.refresh()
    settle(qtbot, ctx)

    # 启动: the town's proposal, the enterprise found in the register
    page.propose_button.click()
    settle(qtbot, ctx)
    dialog = page.dialog
    dialog.town_combo.setCurrentIndex(dialog.town_combo.findData(city["town"]))
    type_text(qtbot, dialog.search, "化工")
    qtbot.waitUntil(lambda: len(dialog.match_model.rows) == 1)
    dialog.matches.selectRow(0)
    fill_dialog(qtbot, dialog, proposed_edit="2024-3-1", reason_edit="企业拒不配合整治，需多部门联合体检",
                parties_edit="甲镇某投资公司\n张某某")
    shot(qtbot, ctx, dialog, "00_proposal_dialog")
    dialog.submit()
    settle(qtbot, ctx)
    case = page.case
    assert page.stack.currentWidget() is case
    d = case.detail
    assert (d.enterprise, d.town, d.stage, [p.name for p in d.parties]) == (
        "甲镇化工厂", "甲镇", ExaminationStage.STARTED, ["甲镇某投资公司", "张某某"])
    assert not case.step_buttons["begin_initial"].isEnabled()
    assert case.step_buttons["begin_initial"].toolTip() == "尚未记录启动日期，不能开始初检"

    start = case.start_tab
    fill_dialog(qtbot, start, start_edit="2024-3-4")
    start.start_button.click()
    settle(qtbot, ctx)
    assert case.detail.start_date == dt.date(2024, 3, 4)
    assert case.step_buttons["begin_initial"].toolTip() == "尚未制定“一企一策”综合体检实施方案，不能开始初检"
    start.procedure_edit.setPlainText("属地镇街提议，市专班部署，各部门依职责检查")
    start.methods_edit.setPlainText("现场检查、资料核查")
    start.content_edit.setPlainText("证照资料、安全生产、生态环境等12类")
    start.plan_form.ok_button.click()
    settle(qtbot, ctx)
    for i in range(start.unit_list.count()):
        item = start.unit_list.item(i)
        if item.text() in ("工信局", "生态环境局"):
            item.setCheckState(Qt.CheckState.Checked)
    start.units_button.click()
    settle(qtbot, ctx)
    assert [u.department for u in case.detail.units] == ["工信局", "生态环境局"]
    shot(qtbot, ctx, page, "02_tab_start")
    step(qtbot, ctx, case, "begin_initial")
    assert case.detail.stage is ExaminationStage.INITIAL
    assert case.tabs.currentWidget() is case.initial_tab
    assert not start.start_button.isEnabled() and "初检" in start.start_button.toolTip()
    assert case.step_buttons["consult"].toolTip() == "工信局、生态环境局尚未出具体检问题清单，不能进入会诊"

    # 初检: the first unit's findings, issue list, reports (and its scan)
    initial = case.initial_tab
    assert initial.model.rows[0].department == "工信局"
    assert initial.model.rows[0].issued == "应于 2024-03-18（逾期）"  # 10 workdays after 2024-03-04
    assert "issued" in initial.model.rows[0].overdue_keys
    issues = initial.issues
    issues.add_button.click()
    idialog = issues.dialog
    idialog.area_combo.setCurrentIndex(idialog.area_combo.findData(ExamArea.WORK_SAFETY))
    fill_dialog(qtbot, idialog, description_edit="危化品仓库未按规定设置防爆设施", basis_edit="《危险化学品安全管理条例》",
                requirement_edit="限期整改，设置防爆设施", deadline_edit="2024-4-30")
    idialog.submit()
    settle(qtbot, ctx)
    assert [(i.seq, i.area, i.deadline) for i in issues.data.issues] == [(1, ExamArea.WORK_SAFETY, dt.date(2024, 4, 30))]
    fill_dialog(qtbot, issues, issued_edit="2024-3-8", contact_edit="李工", phone_edit="0571-88886666")
    issues.head.ok_button.click()
    settle(qtbot, ctx)
    assert case.detail.units[0].issued_on == dt.date(2024, 3, 8)
    assert initial.model.rows[0].issued == "2024-03-08"
    assert "issued" not in initial.model.rows[0].overdue_keys
    assert initial.model.rows[0].report == "应于 2024-03-18（逾期）"  # the written report is late
    late = initial.model.index(0, initial.model.column("report"))
    assert initial.model.data(late, Qt.ItemDataRole.ForegroundRole).color().name() == "#c0392b"

    initial.unit_tabs.setCurrentWidget(initial.findings)
    findings = initial.findings
    findings.table.selectRow(list(ExamArea).index(ExamArea.WORK_SAFETY))
    findings.editor.setPlainText("危化品仓库防爆设施缺失")
    findings.table.selectRow(0)
    findings.editor.setPlainText("营业执照有效")
    findings.save_button.click()
    settle(qtbot, ctx)
    kept = exam_issues.findings(db, initial.current_unit().id)
    assert (kept[ExamArea.LICENCES], kept[ExamArea.WORK_SAFETY], kept[ExamArea.CREDIT]) == (
        "营业执照有效", "危化品仓库防爆设施缺失", "")
    shot(qtbot, ctx, page, "03_tab_initial_findings")

    initial.unit_tabs.setCurrentWidget(initial.reports)
    reports = initial.reports
    fill_dialog(qtbot, reports, report_date="2024-3-12", opinion_edit="责令限期整改，逾期依法处罚")
    reports.report_form.ok_button.click()
    scan = tmp_path / "工信局体检报告.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    reports.scans.add_paths([str(scan)])
    settle(qtbot, ctx)
    qtbot.waitUntil(lambda: len(reports.scans.model.rows) == 1)
    fill_dialog(qtbot, reports, progress_date="2024-3-22")
    reports.progress_form.ok_button.click()
    settle(qtbot, ctx)
    u = case.detail.units[0]
    assert (u.report_submitted_on, u.preliminary_opinion, u.progress_reported_on) == (
        dt.date(2024, 3, 12), "责令限期整改，逾期依法处罚", dt.date(2024, 3, 22))
    assert initial.model.rows[0].overdue_keys == frozenset()
    shot(qtbot, ctx, page, "04_tab_initial_reports")

    # the second unit hands over its list too (through the service: the page shows it)
    initial.table.selectRow(1)
    initial.unit_tabs.setCurrentWidget(initial.issues)
    settle(qtbot, ctx)
    issues.add_button.click()
    idialog = issues.dialog
    idialog.area_combo.setCurrentIndex(idialog.area_combo.findData(ExamArea.ENVIRONMENT))
    fill_dialog(qtbot, idialog, description_edit="废水直排", deadline_edit="2024-3-20")
    idialog.submit()
    settle(qtbot, ctx)
    fill_dialog(qtbot, issues, issued_edit="2024-3-11")
    issues.head.ok_button.click()
    settle(qtbot, ctx)
    rows = issues.model.rows
    assert issues.model.data(issues.model.index(0, issues.model.column("deadline"))) == "2024-03-20（逾期）"
    assert "issues" in initial.model.rows[1].overdue_keys and rows[0].rectified_on is None
    shot(qtbot, ctx, page, "05_tab_initial_issues")

    # 会诊: recorded, but not in effect until the city leader approves
    step(qtbot, ctx, case, "consult")
    cons = case.consultation_tab
    assert case.tabs.currentWidget() is cons
    fill_dialog(qtbot, cons, held_edit="2024-3-22", opinion_edit="责令企业30日内完成整改，逾期实施联合惩戒")
    cons.save()
    settle(qtbot, ctx)
    assert len(cons.model.rows) == 1 and cons.model.rows[0].towns_present == ("甲镇",)
    assert cons.model.rows[0].units_present == ("工信局", "生态环境局")
    assert case.step_buttons["treat"].toolTip() == "会诊意见未经市领导审批，不能进入诊治"
    cons.table.selectRow(0)
    cons.approve_button.click()
    rd = cons.dialog
    fill_dialog(qtbot, rd, **{})
    type_text(qtbot, rd.focus_of["approved_by"], "王副市长")
    type_text(qtbot, rd.focus_of["approved_on"].edit, "2024-3-23")
    rd.submit()
    settle(qtbot, ctx)
    assert cons.model.rows[0].in_effect
    shot(qtbot, ctx, page, "06_tab_consultation")
    step(qtbot, ctx, case, "treat")

    # 诊治: acceptance fails, a joint sanction with its document number
    treat = case.treatment_tab
    treat.result_box.setCurrentIndex(treat.result_box.findData(False))
    fill_dialog(qtbot, treat, accepted_by_edit="市专班 赵某", accepted_on_edit="2024-3-25", accept_note="防爆设施仍未设置")
    treat.save_acceptance()
    settle(qtbot, ctx)
    treat.add_sanction_button.click()
    sd = treat.dialog
    sd.focus_of["kind"].setCurrentIndex(sd.focus_of["kind"].findData(SanctionKind.CREDIT_RATING))
    sd.focus_of["department_id"].setCurrentIndex(sd.focus_of["department_id"].findData(units["工信局"]))
    type_text(qtbot, sd.focus_of["applied_on"].edit, "2024-3-25")
    type_text(qtbot, sd.focus_of["doc_number"], "工信〔2024〕12号")
    sd.submit()
    settle(qtbot, ctx)
    assert [(r.kind, r.issuer, r.doc_number) for r in treat.sanction_model.rows] == [
        (SanctionKind.CREDIT_RATING, "工信局", "工信〔2024〕12号")]
    assert [(t.accepted, t.accepted_by) for t in treat.accept_model.rows] == [(False, "市专班 赵某")]
    shot(qtbot, ctx, page, "07_tab_treatment")

    # 督办: 挂牌督办 of a unit, accountability for concealment, then lifted
    assert case.step_buttons["supervise"].toolTip() == "尚未对任何单位挂牌督办，不能转入督办"
    sup = case.supervision_tab
    case.tabs.setCurrentWidget(sup)
    sup.supervise_button.click()
    dd = sup.dialog
    dd.focus_of["department_id"].setCurrentIndex(dd.focus_of["department_id"].findData(units["生态环境局"]))
    type_text(qtbot, dd.focus_of["listed_on"].edit, "2024-3-25")
    dd.focus_of["reason"].setPlainText("推动整改不力")
    dd.submit()
    settle(qtbot, ctx)
    step(qtbot, ctx, case, "supervise")
    sup.accountability_button.click()
    ad = sup.dialog
    ad.focus_of["department_id"].setCurrentIndex(ad.focus_of["department_id"].findData(units["生态环境局"]))
    type_text(qtbot, ad.focus_of["person"], "某科长")
    ad.focus_of["description"].setPlainText("瞒报企业废水直排问题")
    type_text(qtbot, ad.focus_of["decided_on"].edit, "2024-3-25")
    ad.submit()
    settle(qtbot, ctx)
    assert [(r.department, r.person) for r in sup.acc_model.rows] == [("生态环境局", "某科长")]
    assert case.step_buttons["close"].toolTip() == "生态环境局仍在挂牌督办中，解除后才能结束体检"
    shot(qtbot, ctx, page, "08_tab_supervision")
    sup.sup_table.selectRow(0)
    sup.lift_button.click()
    ld = sup.dialog
    type_text(qtbot, ld.focus_of["resolved_on"].edit, "2024-3-25")
    ld.submit()
    settle(qtbot, ctx)
    assert [r.department for r in sup.acc_model.rows] == ["生态环境局"]

    # 结束 and 打分: the weighted total follows the typed points; the service keeps it
    step(qtbot, ctx, case, "close")
    assert case.detail.stage is ExaminationStage.CLOSED and case.tabs.currentWidget() is case.scoring_tab
    assert not issues.add_button.isEnabled() and issues.add_button.toolTip() == "体检已结束，不能录入初检情况"
    scoring = case.scoring_tab
    settle(qtbot, ctx)
    assert [r.department for r in scoring.unit_model.rows] == ["工信局", "生态环境局"]
    pm = scoring.points_model
    criteria = exam_scoring.criteria(db, 2024)
    assert [r.criterion for r in pm.rows] == [c.name for c in criteria]
    for row, value in enumerate(["90", "80", "70"]):
        pm.setData(pm.index(row, pm.column("typed")), value)
    assert scoring.total_label.text() == "—" and "请填写" in scoring.total_hint.text()
    pm.setData(pm.index(3, pm.column("typed")), "100")
    expected = exam_scoring.weighted_total(
        exam_scoring.ItemScore(c.name, c.weight, c.max_points, Decimal(p))
        for c, p in zip(criteria, ["90", "80", "70", "100"]))
    assert scoring.total_label.text() == f"{expected:.2f}"
    shot(qtbot, ctx, page, "09_tab_scoring")
    scoring.save_button.click()
    settle(qtbot, ctx)
    kept = exam_scoring.unit_scores(db, case.exam_id)
    assert (kept[0].total, kept[1].total) == (expected, None)
    assert scoring.unit_model.rows[0].total == expected

    # back to the list
    page.activateWindow()  # the dialogs took the activation
    qtbot.waitUntil(page.isActiveWindow)
    scoring.unit_table.setFocus()
    qtbot.keyClick(scoring.unit_table, Qt.Key.Key_Escape)
    assert page.stack.currentIndex() == 0
    settle(qtbot, ctx)
    closed = next(r for r in page.model.rows if r.enterprise == "甲镇化工厂")
    assert closed.stage is ExaminationStage.CLOSED
    shot(qtbot, ctx, page, "10_list_after_the_walk")


def test_the_page_reloads_on_a_change_to_any_examination_table():
    import desktop.models.examination as models
    from desktop.views.exams.exam_view import RELEVANT_TABLES

    tables = {cls.__tablename__ for cls in vars(models).values() if hasattr(cls, "__tablename__")}
    assert tables - RELEVANT_TABLES == set()


def started_case(db, city, *, stage_initial: bool = False) -> int:
    """甲镇化工厂: proposed 2024-03-01, started 2024-03-04 with a plan and two units (工信局, 生态环境局)."""
    ledger = db.as_of(DAY)
    exam_id = exam_service.propose(ledger, town_id=city["town"], target_id=city["target"],
                                   proposed_on=dt.date(2024, 3, 1), reason="拒不配合整治")
    exam_service.start(ledger, exam_id, dt.date(2024, 3, 4))
    exam_service.set_plan(ledger, exam_id, procedure="原程序", methods="现场检查", content="全面体检")
    exam_service.set_units(ledger, exam_id, [city["units"]["工信局"], city["units"]["生态环境局"]])
    if stage_initial:
        exam_service.step(ledger, exam_id, "begin_initial")
    return exam_id


def case_with_an_issue(db, city, deadline: dt.date) -> tuple[int, int]:
    """A case in 初检 whose first unit (工信局) handed over one issue on 2024-03-08, due `deadline`."""
    exam_id = started_case(db, city, stage_initial=True)
    unit_id = exam_service.detail(db, exam_id).units[0].id
    exam_issues.save_issue_list(db.as_of(DAY), unit_id, issued_on=dt.date(2024, 3, 8), issues=[
        exam_issues.IssueInput(ExamArea.LICENCES, "营业执照过期", deadline=deadline)])
    return exam_id, unit_id


def open_case(qtbot, page, exam_id: int):
    page.refresh()
    settle(qtbot, page.ctx)
    page.open_case(exam_id)
    settle(qtbot, page.ctx)
    return page.case


def test_a_refused_save_shows_at_its_field_and_keeps_what_was_typed(qtbot, page, db, city):
    case = open_case(qtbot, page, started_case(db, city))
    start = case.start_tab
    fill_dialog(qtbot, start, proposed_edit="2030-1-1", reason_edit="理由改写了一半")
    start.proposal_form.ok_button.click()
    settle(qtbot, page.ctx)
    error = start.proposal_form.errors["proposed_on"]
    assert error.isVisibleTo(start) and "不能晚于今天" in error.text()
    assert (start.proposed_edit.edit.text(), start.reason_edit.toPlainText()) == ("2030-01-01", "理由改写了一半")
    assert case.detail.proposed_on == dt.date(2024, 3, 1)  # nothing written


def test_an_issue_refused_by_the_service_keeps_the_dialog_and_its_text(qtbot, page, db, city):
    exam_id, unit_id = case_with_an_issue(db, city, dt.date(2024, 4, 8))
    case = open_case(qtbot, page, exam_id)
    issues = case.initial_tab.issues
    case.tabs.setCurrentWidget(case.initial_tab)
    settle(qtbot, page.ctx)
    issues.add_button.click()
    dialog = issues.dialog
    dialog.area_combo.setCurrentIndex(dialog.area_combo.findData(ExamArea.TAXATION))
    fill_dialog(qtbot, dialog, description_edit="欠缴税款", deadline_edit="2024-3-1")
    dialog.submit()
    settle(qtbot, page.ctx)
    assert dialog.isVisible() and issues.dialog is dialog
    assert "不能早于清单出具日期" in dialog.errors["deadline"].text()
    assert dialog.description_edit.toPlainText() == "欠缴税款"
    assert [i.description for i in exam_issues.issue_list(db, unit_id).issues] == ["营业执照过期"]


def test_findings_typed_and_not_saved_survive_a_reload(qtbot, page, db, city):
    case = open_case(qtbot, page, started_case(db, city, stage_initial=True))
    findings = case.initial_tab.findings
    findings.table.selectRow(list(ExamArea).index(ExamArea.ENVIRONMENT))
    findings.editor.setPlainText("雨污未分流")
    page.refresh()  # what a change elsewhere does
    settle(qtbot, page.ctx)
    assert findings.pending()[ExamArea.ENVIRONMENT] == "雨污未分流"
    assert "有未保存的修改" in findings.status.text()


def test_ctrl_z_undoes_a_plan_edit_and_ctrl_y_redoes_it(qtbot, page, db, city):
    exam_id = started_case(db, city)
    case = open_case(qtbot, page, exam_id)
    start = case.start_tab
    start.procedure_edit.setPlainText("新程序")
    start.plan_form.ok_button.click()
    settle(qtbot, page.ctx)
    assert exam_service.detail(db, exam_id).plan_procedure == "新程序"
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    start.party_table.setFocus()
    qtbot.keyClick(start.party_table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the case's, not the list's
    settle(qtbot, page.ctx)
    assert exam_service.detail(db, exam_id).plan_procedure == "原程序"
    assert start.procedure_edit.toPlainText() == "原程序"
    qtbot.keyClick(start.party_table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, page.ctx)
    assert exam_service.detail(db, exam_id).plan_procedure == "新程序"


def test_the_list_header_and_the_case_splitters_are_remembered(qtbot, page, exam_ctx, city):
    from desktop.views.exams.exam_view import ExamPage

    page.table.setColumnWidth(0, 333)
    page.case.initial_tab.splitter.setSizes([300, 300])
    wanted = page.case.initial_tab.splitter.saveState()
    page.save_layout()
    again = ExamPage(exam_ctx)
    qtbot.addWidget(again)
    assert again.table.columnWidth(0) == 333
    assert again.case.initial_tab.splitter.saveState() == wanted


def test_a_leader_reads_a_case_but_every_record_and_step_says_why_not(qtbot, exam_ctx, db, city):
    """Stage steps and records are a clerk's writes: a leader's buttons are disabled with the role's reason."""
    from dataclasses import replace

    from desktop.models.enums import Role
    from desktop.views.exams.exam_view import ExamPage

    exam_id = started_case(db, city)
    exam_ctx.ledger = replace(exam_ctx.ledger, role=Role.LEADER)
    p = ExamPage(exam_ctx)
    qtbot.addWidget(p)
    p.show()
    case = open_case(qtbot, p, exam_id)
    assert case.detail.enterprise == "甲镇化工厂"
    assert not p.propose_button.isEnabled() and "领导无权" in p.propose_button.toolTip()
    for b in (case.step_buttons["begin_initial"], case.start_tab.plan_form.ok_button, case.start_tab.units_button):
        assert not b.isEnabled() and "领导无权" in b.toolTip()


def test_typed_proposal_and_unsaved_unit_ticks_survive_a_reload_until_saved(qtbot, page, db, city):
    exam_id = started_case(db, city)
    case = open_case(qtbot, page, exam_id)
    start = case.start_tab
    start.reason_edit.setPlainText("改写中的理由")
    item = next(start.unit_list.item(i) for i in range(start.unit_list.count())
                if start.unit_list.item(i).text() == "应急管理局")
    item.setCheckState(Qt.CheckState.Checked)
    start.methods_edit.setPlainText("现场检查、约谈")
    start.plan_form.ok_button.click()  # another part saved: the case reloads
    settle(qtbot, page.ctx)
    assert exam_service.detail(db, exam_id).plan_methods == "现场检查、约谈"
    assert start.reason_edit.toPlainText() == "改写中的理由"
    assert sorted(start.unit_list.item(i).text() for i in range(start.unit_list.count())
                  if start.unit_list.item(i).checkState() == Qt.CheckState.Checked) == ["工信局", "应急管理局", "生态环境局"]
    start.units_button.click()
    settle(qtbot, page.ctx)
    assert [u.department for u in case.detail.units] == ["工信局", "应急管理局", "生态环境局"]


def test_a_case_deleted_meanwhile_takes_the_clerk_back_to_the_list(qtbot, page, db, city, monkeypatch):
    exam_id = started_case(db, city)
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a, **k: told.append(text))
    open_case(qtbot, page, exam_id)
    exam_service.delete_proposal(db, exam_id)  # another PC removes the proposal made by mistake
    page.refresh()
    settle(qtbot, page.ctx)
    assert page.stack.currentIndex() == 0 and "不存在" in told[0]
    assert page.model.rows == []


def test_marking_an_issue_rectified_ends_its_overdue_deadline_and_ctrl_z_undoes_it(qtbot, page, db, city):
    exam_id, unit_id = case_with_an_issue(db, city, dt.date(2024, 3, 20))
    case = open_case(qtbot, page, exam_id)
    initial, issues = case.initial_tab, case.initial_tab.issues
    assert "issues" in initial.model.rows[0].overdue_keys and issues.model.late(issues.model.rows[0])
    issues.table.selectRow(0)
    issues.rectified_button.click()
    dialog = issues.dialog
    type_text(qtbot, dialog.focus_of["rectified_on"].edit, "2024-3-21")
    dialog.submit()
    settle(qtbot, page.ctx)
    assert exam_issues.issue_list(db, unit_id).issues[0].rectified_on == dt.date(2024, 3, 21)
    assert "issues" not in initial.model.rows[0].overdue_keys and not issues.model.late(issues.model.rows[0])
    case.undo.stack.undo()
    settle(qtbot, page.ctx)
    assert exam_issues.issue_list(db, unit_id).issues[0].rectified_on is None
    assert "issues" in initial.model.rows[0].overdue_keys


def test_the_issue_lists_print_as_pdf_of_what_the_case_holds(qtbot, page, db, city, tmp_path):
    """打印问题清单 of one unit and 打印汇总清单 of the case: 另存为PDF writes the document module's PDF of
    the ledger's lists, made on the lane; the document checker reads each back (A4, fonts embedded, text,
    type area, page numbers)."""
    exam_id, _unit_id = case_with_an_issue(db, city, dt.date(2024, 4, 8))
    case = open_case(qtbot, page, exam_id)
    issues = case.initial_tab.issues
    assert issues.print_button.isEnabled() and case.print_button.isEnabled()
    issues.print_actions["exam_issue_list"].save_pdf_to(tmp_path / "工信局清单")
    case.print_actions["exam_consolidated"].save_pdf_to(tmp_path / "汇总清单")
    settle(qtbot, page.ctx)
    from pdf_check import problems

    if SHOTS:  # to render and look at
        for name in ("工信局清单.pdf", "汇总清单.pdf"):
            Path(SHOTS, name).write_bytes((tmp_path / name).read_bytes())
    assert problems(tmp_path / "工信局清单.pdf", title="体检问题清单",
                    texts=("甲镇化工厂", "工信局", "营业执照过期", "证照资料")) == []
    assert problems(tmp_path / "汇总清单.pdf", title="综合体检问题汇总清单",
                    texts=("甲镇化工厂", "工信局", "营业执照过期")) == []
    action = issues.print_actions["exam_issue_list"]
    action.preview_action.trigger()  # 打印预览 shows the unit's list
    qtbot.waitUntil(lambda: action.dialog is not None and action.dialog.isVisible(), timeout=10000)
    from PySide6.QtPrintSupport import QPrintPreviewWidget

    preview = action.dialog.findChild(QPrintPreviewWidget)
    qtbot.waitUntil(lambda: preview.pageCount() == 1)
    if SHOTS:
        action.dialog.resize(1000, 700)
        qtbot.wait(300)
        action.dialog.grab().save(str(Path(SHOTS) / "11_print_preview_issue_list.png"))
    action.dialog.close()
    case.initial_tab.table.selectRow(1)  # 生态环境局 has no list yet
    settle(qtbot, page.ctx)
    assert not issues.print_button.isEnabled() and issues.print_button.toolTip() == "本单位的问题清单尚无问题"


def test_a_proposal_made_by_mistake_is_undone_or_deleted_while_in_start(qtbot, page, exam_ctx, db, city, yes):
    overdue = overdue_case(db, city)  # in 初检: cannot be deleted
    page.propose_button.click()
    settle(qtbot, exam_ctx)
    dialog = page.dialog
    dialog.town_combo.setCurrentIndex(dialog.town_combo.findData(city["town"]))
    qtbot.waitUntil(lambda: len(dialog.match_model.rows) == 1)
    dialog.matches.selectRow(0)
    fill_dialog(qtbot, dialog, proposed_edit="2024-3-1", reason_edit="误录")
    dialog.submit()
    settle(qtbot, exam_ctx)
    assert len(exam_service.list_rows(db)) == 2 and page.stack.currentWidget() is page.case
    page.show_list()  # 撤销 is on the list
    page.undo.undo_button.click()
    settle(qtbot, exam_ctx)
    assert [r.id for r in exam_service.list_rows(db)] == [overdue] and [r.id for r in page.model.rows] == [overdue]
    page.undo.redo_button.click()
    settle(qtbot, exam_ctx)
    assert [r.enterprise for r in exam_service.list_rows(db)] == ["甲镇化工厂", "乙镇铸造厂"]
    page.show_list()
    settle(qtbot, exam_ctx)
    page.table.selectRow(page.model.row_of(overdue))
    assert not page.delete_button.isEnabled() and "初检" in page.delete_button.toolTip()
    page.table.selectRow(next(i for i, r in enumerate(page.model.rows) if r.id != overdue))
    assert page.delete_button.isEnabled()
    page.delete_button.click()
    settle(qtbot, exam_ctx)
    assert [r.id for r in exam_service.list_rows(db)] == [overdue] and "删除" in yes[-1][0]
