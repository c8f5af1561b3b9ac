"""附件2 (2): each unit's duties in workdays by the holiday table — the issue list and the written report 10
workdays after the start, the progress report 20 after the list, each issue's rectification deadline — overdue
flags on the case, and the same duties on 期限 and the dashboard."""

from __future__ import annotations

from desktop.models.enums import ExamArea
from desktop.services.dashboard import dashboard_service
from desktop.services.deadlines import deadline_service
from desktop.services.deadlines.deadline_service import DONE, OK, OVERDUE
from desktop.services.exams import exam_deadlines, exam_issues, exam_service
from desktop.services.exams.exam_issues import IssueInput
from desktop.services.year import year_service
from exam_helpers import D, started

START = D(2024, 9, 27)  # Friday before National Day: 1–7 Oct off, Sun 29 Sep and Sat 12 Oct worked


def duties(db, exam_id, as_of, unit=0):
    detail = exam_service.detail(db, exam_id, as_of=as_of)
    return {d.kind: d for d in detail.units[unit].duties}


def test_the_issue_list_and_report_are_due_10_workdays_after_the_start_across_national_day(db):
    exam_id = started(db, start=START)
    got = duties(db, exam_id, D(2024, 10, 8))
    # 29 Sep (make-up), 30 Sep, 8–11 Oct, 12 Oct (make-up Saturday), 14, 15, 16 Oct: the 10th is 16 October.
    assert got[exam_deadlines.KIND_LIST].due_date == D(2024, 10, 16)
    assert got[exam_deadlines.KIND_REPORT].due_date == D(2024, 10, 16)
    assert exam_deadlines.KIND_PROGRESS not in got  # no list handed over yet


def test_the_term_is_the_start_years_parameter(db):
    year_service.update_params(db, 2024, {"issue_list_workdays": 5})
    exam_id = started(db, start=START)
    # 29 Sep, 30 Sep, 8, 9, 10 Oct
    assert duties(db, exam_id, D(2024, 10, 8))[exam_deadlines.KIND_LIST].due_date == D(2024, 10, 10)
    # the page says the term with the year's number, never a 10 of its own
    unit = exam_service.detail(db, exam_id, as_of=D(2024, 10, 8)).units[0]
    assert {d.kind: d.term for d in unit.duties}[exam_deadlines.KIND_LIST] == "启动后5个工作日内"


def test_the_progress_report_is_due_20_workdays_after_the_list_is_handed_over(db):
    exam_id = started(db, start=START)
    exam_service.step(db, exam_id, "begin_initial")
    unit = exam_service.detail(db, exam_id).units[0]
    exam_issues.save_issue_list(db, unit.id, issued_on=D(2024, 10, 14), issues=[
        IssueInput(ExamArea.ENVIRONMENT, "废水直排", deadline=D(2024, 11, 15))])
    got = duties(db, exam_id, D(2024, 10, 20))
    assert (got[exam_deadlines.KIND_LIST].status, got[exam_deadlines.KIND_LIST].done_on) == (DONE, D(2024, 10, 14))
    # 15–18 Oct, 21–25, 28–31, 1 Nov, 4–8, 11 Nov: the 20th workday is 11 November.
    assert got[exam_deadlines.KIND_PROGRESS].due_date == D(2024, 11, 11)
    assert got[exam_deadlines.KIND_RECTIFY].due_date == D(2024, 11, 15)
    assert got[exam_deadlines.KIND_RECTIFY].status == OK


def test_overdue_duties_are_flagged_on_the_unit_and_counted_on_the_case(db):
    exam_id = started(db, start=START, units=("工信局", "税务局"))
    exam_service.step(db, exam_id, "begin_initial")
    first = exam_service.detail(db, exam_id).units[0]
    exam_issues.save_issue_list(db, first.id, issued_on=D(2024, 10, 15), issues=[
        IssueInput(ExamArea.TAXATION, "欠税", deadline=D(2024, 10, 31))])
    exam_issues.record_report(db, first.id, submitted_on=D(2024, 10, 16), opinion="限期补缴")
    as_of = D(2024, 10, 17)  # the day after the 10-workday term
    detail = exam_service.detail(db, exam_id, as_of=as_of)
    by_unit = {u.department: {d.kind: d.overdue for d in u.duties} for u in detail.units}
    assert by_unit["工信局"] == {exam_deadlines.KIND_LIST: False, exam_deadlines.KIND_REPORT: False,
                                 exam_deadlines.KIND_PROGRESS: False, exam_deadlines.KIND_RECTIFY: False}
    assert by_unit["税务局"] == {exam_deadlines.KIND_LIST: True, exam_deadlines.KIND_REPORT: True}
    assert detail.overdue == 2
    row = next(r for r in exam_service.list_rows(db, as_of=as_of) if r.id == exam_id)
    assert (row.overdue, row.units) == (2, ("工信局", "税务局"))
    later = next(r for r in exam_service.list_rows(db, as_of=D(2024, 11, 1)) if r.id == exam_id)
    assert later.overdue == 3  # and the tax issue's deadline of 31 October has passed


def test_a_rectified_issue_is_done_and_a_late_one_says_by_how_much(db):
    exam_id = started(db, start=START)
    exam_service.step(db, exam_id, "begin_initial")
    unit = exam_service.detail(db, exam_id).units[0]
    exam_issues.save_issue_list(db, unit.id, issued_on=D(2024, 10, 14), issues=[
        IssueInput(ExamArea.LICENCES, "无证", deadline=D(2024, 10, 31), rectified_on=D(2024, 11, 4))])
    got = duties(db, exam_id, D(2024, 11, 10))[exam_deadlines.KIND_RECTIFY]
    assert (got.status, got.done_on) == (DONE, D(2024, 11, 4))
    assert "晚于期限 4 天完成" in got.note


def test_the_duties_are_on_the_deadline_list_with_their_kind_and_on_the_dashboard(db):
    exam_id = started(db, start=START)
    rows = deadline_service.deadlines(db, as_of=D(2024, 10, 21))
    exam_rows = [r for r in rows if r.kind in exam_deadlines.KINDS]
    assert {r.kind for r in exam_rows} == {exam_deadlines.KIND_LIST, exam_deadlines.KIND_REPORT}
    assert len(exam_rows) == 6  # 3 units × (list, report)
    assert all(r.status == OVERDUE and r.town == "甲镇" and "东港铸造有限公司" in r.subject for r in exam_rows)
    assert [k for k in deadline_service.kinds() if k in exam_deadlines.KINDS] == list(exam_deadlines.KINDS)
    only = deadline_service.deadlines(db, as_of=D(2024, 10, 21), kinds=[exam_deadlines.KIND_LIST])
    assert len(only) == 3
    before = dashboard_service.summary(db, 2024, today=D(2024, 10, 21)).deadlines_overdue
    exam_service.set_units(db, exam_id, [exam_service.detail(db, exam_id).units[0].department_id])
    assert dashboard_service.summary(db, 2024, today=D(2024, 10, 21)).deadlines_overdue == before - 4


def test_a_closed_case_stops_tracking_what_was_left_undone(db):
    from exam_helpers import hand_lists, in_treatment
    from desktop.services.exams import exam_later
    from desktop.models.enums import SanctionKind

    exam_id = started(db, start=START)
    exam_service.step(db, exam_id, "begin_initial")
    hand_lists(db, exam_id, D(2024, 10, 14))
    in_treatment(db, exam_id, D(2024, 11, 5))
    exam_later.add_sanction(db, exam_id, kind=SanctionKind.MARKET_BAN,
                            department_id=exam_service.detail(db, exam_id).units[0].department_id,
                            applied_on=D(2024, 12, 1), doc_number="市监〔2024〕9号")
    assert exam_service.detail(db, exam_id, as_of=D(2024, 12, 20)).overdue > 0
    exam_service.step(db.as_of(D(2024, 12, 20)), exam_id, "close")
    detail = exam_service.detail(db, exam_id, as_of=D(2024, 12, 20))
    assert detail.overdue == 0
    assert {d.kind for u in detail.units for d in u.duties} == {exam_deadlines.KIND_LIST}  # the done ones stay


def test_a_draft_lists_deadlines_are_not_tracked_until_it_is_handed_over(db):
    exam_id = started(db, start=START)
    exam_service.step(db, exam_id, "begin_initial")
    unit = exam_service.detail(db, exam_id).units[0]
    issue = IssueInput(ExamArea.LICENCES, "无证", deadline=D(2024, 11, 30))
    exam_issues.save_issue_list(db, unit.id, issued_on=None, issues=[issue])
    assert exam_deadlines.KIND_RECTIFY not in duties(db, exam_id, D(2024, 10, 20))
    exam_issues.save_issue_list(db, unit.id, issued_on=D(2024, 10, 14), issues=[issue])
    assert duties(db, exam_id, D(2024, 10, 20))[exam_deadlines.KIND_RECTIFY].due_date == D(2024, 11, 30)
