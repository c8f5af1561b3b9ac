"""What every examination service shares: finding a case or a unit, checking dates and text, the facts the
stage table looks at."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from desktop.models import (
    Consultation,
    Examination,
    ExaminationUnit,
    IssueList,
    Sanction,
    Supervision,
    Treatment,
)
from desktop.services import audit
from desktop.services.accounts import permissions
from desktop.services.errors import NotFound, ValidationError
from desktop.services.exams import exam_states
from desktop.services.exams.exam_states import ExamFacts
from desktop.services.ledger import Ledger

OBJECT_TYPE = "examination"
MAX_TEXT = 4000  # one finding, opinion or description; more is a paste accident
MAX_LINE = 200  # a name, document number or phone


def get_exam(session, exam_id: int) -> Examination:
    exam = session.get(Examination, exam_id)
    if exam is None:
        raise NotFound(f"综合体检（编号 {exam_id}）不存在，可能已被删除")
    return exam


def get_unit(session, unit_id: int) -> ExaminationUnit:
    unit = session.get(ExaminationUnit, unit_id)
    if unit is None:
        raise NotFound(f"参与体检的单位（编号 {unit_id}）不存在，可能已被移出体检")
    return unit


def unit_of(session, exam_id: int, department_id: int) -> ExaminationUnit:
    """The unit `department_id` of examination `exam_id`, or NotFound naming both."""
    exam = get_exam(session, exam_id)
    unit = session.scalar(select(ExaminationUnit).where(ExaminationUnit.examination_id == exam_id,
                                                        ExaminationUnit.department_id == department_id))
    if unit is None:
        from desktop.models import Department

        dept = session.get(Department, department_id)
        name = f"“{dept.name}”" if dept is not None else f"成员单位（编号 {department_id}）"
        raise NotFound(f"{name}未参与“{exam.target.name}”的综合体检")
    return unit


def write_check(ledger: Ledger, session, exam: Examination, what: str) -> None:
    """A clerk's write to examination `exam` of kind `what` (exam_states.RECORDS) in its present stage."""
    permissions.require(ledger, "ledger_write")
    exam_states.require_record(what, exam.stage)


def text(value, *, label: str, field: str, required: bool = False, limit: int = MAX_TEXT) -> str:
    out = (value or "").strip()
    if required and not out:
        raise ValidationError(f"{label}不能为空", field=field)
    if len(out) > limit:
        raise ValidationError(f"{label}过长（最多 {limit} 个字），现有 {len(out)} 个字", field=field)
    return out


def line(value, *, label: str, field: str, required: bool = False) -> str:
    out = " ".join((value or "").split())
    return text(out, label=label, field=field, required=required, limit=MAX_LINE)


def date_done(ledger: Ledger, value, *, label: str, field: str, required: bool = True,
              not_before: tuple[dt.date | None, str] | None = None) -> dt.date | None:
    """A day on which something was done: not in the future, and not before `not_before` (day, its name)."""
    if value is None:
        if required:
            raise ValidationError(f"请填写{label}", field=field)
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError(f"{label}应为日期", field=field)
    if value > ledger.today():
        raise ValidationError(f"{label}不能晚于今天（{value.isoformat()}）", field=field)
    if not_before is not None and not_before[0] is not None and value < not_before[0]:
        raise ValidationError(f"{label}（{value.isoformat()}）不能早于{not_before[1]}（{not_before[0].isoformat()}）",
                              field=field)
    return value


def record_step(session, exam: Examination, what: str, after: dict | None = None) -> None:
    """Name a step of the case in the log, beside the row changes the flush hook records."""
    audit.record(session, what, OBJECT_TYPE, exam.id, label=exam.target.name, after=after)


def facts(session, exam: Examination) -> ExamFacts:
    """What the stage table looks at, read from the database in a handful of queries."""
    units = list(session.execute(
        select(ExaminationUnit.id, ExaminationUnit.department_id).where(ExaminationUnit.examination_id == exam.id)
    ).tuples())
    names = dept_names(session)
    issued = set(session.scalars(select(IssueList.examination_unit_id).where(
        IssueList.examination_unit_id.in_([u for u, _d in units]), IssueList.issued_on.is_not(None))))
    cons = list(session.execute(select(Consultation.held_on, Consultation.approved_by, Consultation.approved_on)
                                .where(Consultation.examination_id == exam.id)).tuples())
    accepted = session.scalar(select(func.count(Treatment.id)).where(
        Treatment.examination_id == exam.id, Treatment.accepted.is_not(None))) or 0
    sanctions = session.scalar(select(func.count(Sanction.id)).where(Sanction.examination_id == exam.id)) or 0
    sups = list(session.execute(select(Supervision.department_id, Supervision.resolved_on)
                                .where(Supervision.examination_id == exam.id)).tuples())
    return ExamFacts(
        stage=exam.stage,
        started=exam.start_date is not None,
        has_plan=any((exam.plan_procedure, exam.plan_methods, exam.plan_content)),
        units=len(units),
        units_without_list=tuple(names.get(d, "") for u, d in units if u not in issued),
        consultation_held=any(held is not None for held, _b, _o in cons),
        consultation_approved=any(held is not None and by and on is not None for held, by, on in cons),
        treated=bool(accepted or sanctions),
        supervisions=len(sups),
        open_supervisions=tuple(names.get(d, "") for d, resolved in sups if resolved is None),
    )


def dept_names(session) -> dict[int, str]:
    from desktop.models import Department

    return dict(session.execute(select(Department.id, Department.name)).tuples().all())
