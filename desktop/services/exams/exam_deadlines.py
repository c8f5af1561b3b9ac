"""附件2 (2): the dated duties of each unit in an examination, as deadline items.

- 体检问题清单: handed to the enterprise within issue_list_workdays (10) workdays of the start (the
  start's year's parameter); done on the list's date.
- 体检书面报告: the stamped written report with the preliminary opinion, sent to the office within the same
  term (“10个工作日内……书面报市专班”); done on the report's date.
- 整改进展报告: within progress_report_workdays (20) workdays of the list being handed over (the list
  date's year's parameter); done on the progress report's date.
- 整改期限: each issue's rectification deadline written in a list handed over; done when rectified.

A closed examination's duties left undone are no longer tracked (the case is over); those done stay.
`unit_duties` gives them per case and unit; deadline_service turns them into its items for the 期限 list
(and the dashboard), the examination list judges them for its overdue counts. This module does not import
deadline_service, so that one can import it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import or_, select

from desktop.models import Department, Examination, ExaminationUnit, Issue, IssueList, Target, Town
from desktop.models.enums import ExaminationStage
from desktop.services.year import year_service
from desktop.services.year.params import BY_NAME

KIND_LIST = "体检问题清单"
KIND_REPORT = "体检书面报告"
KIND_PROGRESS = "整改进展报告"
KIND_RECTIFY = "整改期限"
KINDS = (KIND_LIST, KIND_REPORT, KIND_PROGRESS, KIND_RECTIFY)

# Each kind's term in words, naming the year parameter that holds its number (for hints shown before a
# case has its dates; a duty on a case says its number: UnitDuty.term).
_LIST_TERM = f"启动后“{BY_NAME['issue_list_workdays'].label}”个工作日内"
DUTY_TERMS = {KIND_LIST: _LIST_TERM, KIND_REPORT: _LIST_TERM,
              KIND_PROGRESS: f"清单送达后“{BY_NAME['progress_report_workdays'].label}”个工作日内",
              KIND_RECTIFY: "问题清单写明的整改期限"}


@dataclass(frozen=True)
class UnitDuty:
    """One duty of one unit in one examination: the fields of a deadline_service.DueItem plus where it belongs."""

    exam_id: int
    unit_id: int
    department_id: int
    kind: str
    town_id: int
    town: str
    subject: str
    due_date: dt.date | None  # a rectification deadline; the others are counted in workdays:
    workdays_from: tuple[dt.date, int] | None  # (from this day, N workdays), by the holiday table
    done_on: dt.date | None  # done on this day (by the as-of day), or None

    @property
    def is_done(self) -> bool:
        return self.done_on is not None

    @property
    def term(self) -> str:
        """The term as the clerk reads it: 启动后10个工作日内 (the year's parameter), or the list's own deadline."""
        if self.workdays_from is None:
            return DUTY_TERMS[KIND_RECTIFY]
        after = "清单送达后" if self.kind == KIND_PROGRESS else "启动后"
        return f"{after}{self.workdays_from[1]}个工作日内"


def unit_duties(session, as_of: dt.date, *, exam_ids: list[int] | None = None, town_id: int | None = None,
                 open_only: bool = False, kind: str | None = None,
                 params_cache: dict | None = None) -> list[UnitDuty]:
    """Every duty of the examinations (all, or `exam_ids`; or one town's; of one kind) as of `as_of`.
    `params_cache`: year_service.params_for's cache, shared by a caller that reads other duties too."""
    q = (select(Examination.id, Examination.start_date, Examination.stage, Target.name, Town.id, Town.name)
         .join(Target, Target.id == Examination.target_id).join(Town, Town.id == Examination.town_id)
         .where(Examination.start_date.is_not(None), Examination.start_date <= as_of)
         .order_by(Examination.start_date, Examination.id))
    if exam_ids is not None:
        q = q.where(Examination.id.in_(exam_ids))
    if town_id is not None:
        q = q.where(Examination.town_id == town_id)
    if open_only:  # a closed case lists only duties done before it closed: none is open
        q = q.where(Examination.stage != ExaminationStage.CLOSED)
    exams = {row[0]: row for row in session.execute(q).tuples()}
    if not exams:
        return []
    units = list(session.execute(
        select(ExaminationUnit.id, ExaminationUnit.examination_id, ExaminationUnit.department_id, Department.name,
               ExaminationUnit.report_submitted_on, ExaminationUnit.progress_reported_on)
        .join(Department, Department.id == ExaminationUnit.department_id)
        .where(ExaminationUnit.examination_id.in_(list(exams)))
        .order_by(ExaminationUnit.examination_id, Department.sort_order, Department.id)).tuples())
    unit_ids = [u[0] for u in units]
    issued: dict[int, dt.date] = {}
    for unit_id, on in session.execute(select(IssueList.examination_unit_id, IssueList.issued_on)
                                       .where(IssueList.examination_unit_id.in_(unit_ids),
                                              IssueList.issued_on.is_not(None), IssueList.issued_on <= as_of)
                                       ).tuples():
        issued[unit_id] = min(on, issued.get(unit_id, on))
    # Rectification deadlines count once the list is in the enterprise's hands (a draft's are not yet known).
    issues: dict[int, list[tuple]] = defaultdict(list)
    for unit_id, *row in session.execute(
            select(IssueList.examination_unit_id, Issue.seq, Issue.area, Issue.deadline, Issue.rectified_on)
            .join(Issue, Issue.issue_list_id == IssueList.id)
            .where(IssueList.examination_unit_id.in_(unit_ids), IssueList.issued_on.is_not(None),
                   IssueList.issued_on <= as_of, Issue.deadline.is_not(None),
                   *([or_(Issue.rectified_on.is_(None), Issue.rectified_on > as_of)] if open_only else []))
            .order_by(IssueList.examination_unit_id, IssueList.id, Issue.seq)).tuples():
        issues[unit_id].append(tuple(row))

    cache: dict = {} if params_cache is None else params_cache
    out: list[UnitDuty] = []

    def done(day: dt.date | None) -> dt.date | None:
        return day if day is not None and day <= as_of else None

    for unit_id, exam_id, dept_id, dept, report_on, progress_on in units:
        _id, start, stage, enterprise, exam_town_id, town = exams[exam_id]
        closed = stage is ExaminationStage.CLOSED
        head = f"{enterprise}：{dept}"
        n_list = year_service.params_for(session, start, cache=cache).issue_list_workdays
        duties = [(KIND_LIST, f"{head}出具体检问题清单", None, (start, n_list), issued.get(unit_id)),
                  (KIND_REPORT, f"{head}书面报送检查情况和初步处置意见", None, (start, n_list), done(report_on))]
        handed = issued.get(unit_id)
        if handed is not None:
            n_progress = year_service.params_for(session, handed, cache=cache).progress_report_workdays
            duties.append((KIND_PROGRESS, f"{head}报送企业整改进展", None, (handed, n_progress), done(progress_on)))
        for seq, area, deadline, rectified in issues.get(unit_id, []):
            duties.append((KIND_RECTIFY, f"{head}问题清单第 {seq} 项（{area.label}）整改", deadline, None,
                           done(rectified)))
        for k, subject, due, from_, done_on in duties:
            if (open_only and done_on is not None) or (closed and done_on is None) or kind not in (None, k):
                continue
            out.append(UnitDuty(exam_id, unit_id, dept_id, k, exam_town_id, town, subject, due, from_, done_on))
    return out
