"""初检 (附件2 (2)), per participating unit: findings in the 12 check areas, the 体检问题清单 handed to the
enterprise (issues with category, description, legal basis, requirement, deadline), the stamped written report
with the preliminary disposal opinion (date + scan), the rectification progress report, the final result, and
each issue's rectification.

One issue list per unit and case: saving it replaces its issues in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from desktop.models import ExaminationFinding, ExaminationUnit, Issue, IssueList
from desktop.models.enums import ExamArea
from desktop.services import attachment_service
from desktop.services.errors import ValidationError
from desktop.services.exams import exam_common as common
from desktop.services.ledger import Ledger

MAX_ISSUES = 500
REPORT_SCAN = "examination_unit"  # attachment object_type of a unit's stamped written report


@dataclass(frozen=True)
class IssueInput:
    """One row of a 体检问题清单 as the clerk enters it (序号 follows the order given)."""

    area: ExamArea  # 检查类别
    description: str
    basis: str = ""  # 依据
    requirement: str = ""  # 整改要求
    deadline: dt.date | None = None  # 整改期限
    rectified_on: dt.date | None = None


@dataclass(frozen=True)
class IssueRowData:
    id: int
    seq: int
    area: ExamArea
    description: str
    basis: str
    requirement: str
    deadline: dt.date | None
    rectified_on: dt.date | None


@dataclass(frozen=True)
class IssueListData:
    """A unit's list as stored (id None: nothing recorded yet)."""

    id: int | None
    unit_id: int
    issued_on: dt.date | None
    contact_name: str
    contact_phone: str
    issues: tuple[IssueRowData, ...]


def _unit_and_exam(ledger: Ledger, session, unit_id: int, what: str = "initial") -> ExaminationUnit:
    unit = common.get_unit(session, unit_id)
    common.write_check(ledger, session, unit.examination, what)
    return unit


# ---- findings ---------------------------------------------------------------------------------------

def findings(ledger: Ledger, unit_id: int) -> dict[ExamArea, str]:
    """What the unit found, per check area (all 12 areas, blank where nothing was written)."""
    with ledger.reader() as s:
        common.get_unit(s, unit_id)
        found = dict(s.execute(select(ExaminationFinding.area, ExaminationFinding.text)
                               .where(ExaminationFinding.examination_unit_id == unit_id)).tuples().all())
    return {area: found.get(area, "") for area in ExamArea}


def set_findings(ledger: Ledger, unit_id: int, texts: dict[ExamArea, str]) -> None:
    """Write the unit's findings per area; an area left blank has no row."""
    clean = {}
    for area, value in texts.items():
        if not isinstance(area, ExamArea):
            raise ValidationError(f"未知的检查类别：{area}", field="area")
        clean[area] = common.text(value, label=f"“{area.label}”检查情况", field=area.name)
    with ledger.session() as s:
        _unit_and_exam(ledger, s, unit_id)
        rows = {f.area: f for f in s.scalars(select(ExaminationFinding)
                                             .where(ExaminationFinding.examination_unit_id == unit_id))}
        for area, value in clean.items():
            row = rows.get(area)
            if not value:
                if row is not None:
                    s.delete(row)
            elif row is None:
                s.add(ExaminationFinding(examination_unit_id=unit_id, area=area, text=value))
            elif row.text != value:
                row.text = value


# ---- the issue list ---------------------------------------------------------------------------------

def issue_list(ledger: Ledger, unit_id: int) -> IssueListData:
    with ledger.reader() as s:
        common.get_unit(s, unit_id)
        lst = s.scalar(select(IssueList).where(IssueList.examination_unit_id == unit_id).order_by(IssueList.id))
        if lst is None:
            return IssueListData(None, unit_id, None, "", "", ())
        return IssueListData(lst.id, unit_id, lst.issued_on, lst.contact_name, lst.contact_phone,
                             tuple(IssueRowData(i.id, i.seq, i.area, i.description, i.basis, i.requirement,
                                                i.deadline, i.rectified_on) for i in lst.issues))


def _clean_issues(ledger: Ledger, issues, issued_on: dt.date | None) -> list[IssueInput]:
    issues = list(issues or ())
    if len(issues) > MAX_ISSUES:
        raise ValidationError(f"一份问题清单最多 {MAX_ISSUES} 个问题", field="issues")
    out = []
    for n, i in enumerate(issues, start=1):
        if not isinstance(i.area, ExamArea):
            raise ValidationError(f"第 {n} 个问题：请选择检查类别", field="area")
        desc = common.text(i.description, label=f"第 {n} 个问题的问题描述", field="description", required=True)
        basis = common.text(i.basis, label=f"第 {n} 个问题的依据", field="basis")
        req = common.text(i.requirement, label=f"第 {n} 个问题的整改要求", field="requirement")
        if i.deadline is not None and issued_on is not None and i.deadline < issued_on:
            raise ValidationError(f"第 {n} 个问题的整改期限（{i.deadline.isoformat()}）不能早于清单出具日期"
                                  f"（{issued_on.isoformat()}）", field="deadline")
        rectified = common.date_done(ledger, i.rectified_on, label=f"第 {n} 个问题的整改完成日期",
                                     field="rectified_on", required=False, not_before=(issued_on, "清单出具日期"))
        out.append(IssueInput(i.area, desc, basis, req, i.deadline, rectified))
    return out


def save_issue_list(ledger: Ledger, unit_id: int, *, issued_on: dt.date | None, contact_name: str = "",
                    contact_phone: str = "", issues=()) -> int:
    """Write the unit's 体检问题清单: the day handed to the enterprise (None while drafting), contact and issues
    (replacing the list's issues, numbered in the order given). Returns the list's id."""
    contact_name = common.line(contact_name, label="联系人", field="contact_name")
    contact_phone = common.line(contact_phone, label="联系电话", field="contact_phone")
    with ledger.session() as s:
        unit = _unit_and_exam(ledger, s, unit_id)
        on = common.date_done(ledger, issued_on, label="清单出具日期", field="issued_on", required=False,
                              not_before=(unit.examination.start_date, "启动日期"))
        clean = _clean_issues(ledger, issues, on)
        if on is not None and not clean:
            raise ValidationError("出具问题清单须至少列出一个问题（未发现问题的，请在检查情况中写明）", field="issues")
        lst = s.scalar(select(IssueList).where(IssueList.examination_unit_id == unit_id).order_by(IssueList.id))
        if lst is None:
            lst = IssueList(examination_unit_id=unit_id)
            s.add(lst)
        lst.issued_on, lst.contact_name, lst.contact_phone = on, contact_name, contact_phone
        lst.issues.clear()
        s.flush()
        for seq, i in enumerate(clean, start=1):
            lst.issues.append(Issue(seq=seq, area=i.area, description=i.description, basis=i.basis,
                                    requirement=i.requirement, deadline=i.deadline, rectified_on=i.rectified_on))
        s.flush()
        return lst.id


def set_rectified(ledger: Ledger, issue_id: int, rectified_on: dt.date | None) -> None:
    """Record (or clear, with None) the day an issue was rectified: its deadline is then met."""
    with ledger.session() as s:
        issue = s.get(Issue, issue_id)
        if issue is None:
            raise ValidationError(f"问题（编号 {issue_id}）不存在，可能已被删除", field="issue")
        _unit_and_exam(ledger, s, issue.issue_list.examination_unit_id)
        issue.rectified_on = common.date_done(ledger, rectified_on, label="整改完成日期", field="rectified_on",
                                              required=False, not_before=(issue.issue_list.issued_on, "清单出具日期"))


def issue_counts(session, unit_ids: list[int]) -> dict[int, tuple[int, int]]:
    """unit id → (issues, issues not rectified)."""
    out: dict[int, tuple[int, int]] = {}
    if not unit_ids:
        return out
    q = (select(IssueList.examination_unit_id, func.count(Issue.id),
                func.count(Issue.id).filter(Issue.rectified_on.is_(None)))
         .join(Issue, Issue.issue_list_id == IssueList.id)
         .where(IssueList.examination_unit_id.in_(unit_ids)).group_by(IssueList.examination_unit_id))
    for unit_id, total, open_ in session.execute(q).tuples():
        out[unit_id] = (total, open_)
    return out


# ---- the unit's reports ------------------------------------------------------------------------------

def record_report(ledger: Ledger, unit_id: int, *, submitted_on: dt.date, opinion: str,
                  scan: str | Path | None = None) -> None:
    """The stamped written report of the check with the preliminary disposal opinion; its scan attached to the
    unit when given (the same transaction: nothing half-written)."""
    opinion = common.text(opinion, label="初步处置意见", field="opinion", required=True)
    with ledger.session() as s:
        unit = _unit_and_exam(ledger, s, unit_id)
        unit.report_submitted_on = common.date_done(ledger, submitted_on, label="书面报告日期", field="submitted_on",
                                                    not_before=(unit.examination.start_date, "启动日期"))
        unit.preliminary_opinion = opinion
        if scan is not None:
            attachment_service.attach_in_session(s, REPORT_SCAN, unit.id, scan, description="体检书面报告（盖章）")


def record_progress(ledger: Ledger, unit_id: int, reported_on: dt.date | None) -> None:
    """The day the unit reported the enterprise's rectification progress (None clears it)."""
    with ledger.session() as s:
        unit = _unit_and_exam(ledger, s, unit_id)
        handed = s.scalar(select(func.min(IssueList.issued_on)).where(IssueList.examination_unit_id == unit_id))
        if reported_on is not None and handed is None:
            raise ValidationError("该单位尚未出具体检问题清单，不能报送整改进展", field="reported_on")
        unit.progress_reported_on = common.date_done(ledger, reported_on, label="整改进展报送日期",
                                                     field="reported_on", required=False,
                                                     not_before=(handed, "清单出具日期"))


def record_final(ledger: Ledger, unit_id: int, *, reported_on: dt.date, result: str) -> None:
    """The unit's final result, reported once all its duties in the case are done."""
    result = common.text(result, label="最终结果", field="result", required=True)
    with ledger.session() as s:
        unit = _unit_and_exam(ledger, s, unit_id)
        unit.final_reported_on = common.date_done(ledger, reported_on, label="最终结果报送日期", field="reported_on",
                                                  not_before=(unit.report_submitted_on, "书面报告日期"))
        unit.final_result = result
