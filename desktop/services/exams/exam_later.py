"""会诊, 诊治 and 督办 (附件2 (3)–(5)).

- 会诊: date, units and towns present, opinion; it takes effect only once the city leader's approval (who,
  when) is recorded — the leader is outside the program, the clerk records the approval.
- 诊治: acceptance (验收: passed or failed, by whom, when) of an enterprise that rectified; for one that refuses,
  joint sanctions (SanctionKind, administrative penalty and judicial transfer included) with the unit, the
  date, the document number (文号) and the issuing unit.
- 督办: a unit put under 挂牌督办 with the discipline commission (reason, start, lifted); accountability
  (问责) for concealment (瞒报漏报).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from desktop.models import (
    Accountability,
    Consultation,
    Department,
    ExaminationUnit,
    Sanction,
    Supervision,
    Town,
    Treatment,
)
from desktop.models.enums import SanctionKind
from desktop.services.errors import NotFound, ValidationError
from desktop.services.exams import exam_common as common
from desktop.services.ledger import Ledger


@dataclass(frozen=True)
class ConsultationRow:
    id: int
    held_on: dt.date | None
    units_present: tuple[str, ...]
    towns_present: tuple[str, ...]
    others_present: str
    opinion: str
    approved_by: str
    approved_on: dt.date | None

    @property
    def in_effect(self) -> bool:
        return bool(self.approved_by) and self.approved_on is not None


@dataclass(frozen=True)
class TreatmentRow:
    id: int
    accepted: bool | None
    accepted_on: dt.date | None
    accepted_by: str
    note: str


@dataclass(frozen=True)
class SanctionRow:
    id: int
    kind: SanctionKind
    department_id: int | None
    department: str
    issuer: str
    doc_number: str
    applied_on: dt.date | None
    lifted_on: dt.date | None
    note: str


@dataclass(frozen=True)
class SupervisionRow:
    id: int
    department_id: int
    department: str
    reason: str
    listed_on: dt.date | None
    resolved_on: dt.date | None


@dataclass(frozen=True)
class AccountabilityRow:
    id: int
    department_id: int | None
    department: str
    person: str
    description: str
    decided_on: dt.date | None
    doc_number: str


@dataclass(frozen=True)
class LaterStages:
    """What a case recorded after the initial examination."""

    consultations: tuple[ConsultationRow, ...]
    treatments: tuple[TreatmentRow, ...]
    sanctions: tuple[SanctionRow, ...]
    supervisions: tuple[SupervisionRow, ...]
    accountability: tuple[AccountabilityRow, ...]


def _exam_for(ledger: Ledger, session, exam_id: int, what: str):
    exam = common.get_exam(session, exam_id)
    common.write_check(ledger, session, exam, what)
    return exam


def _participant(session, exam, department_id: int | None, *, field: str, required: bool = True) -> str:
    """The name of a member unit taking part in the case."""
    if department_id is None:
        if required:
            raise ValidationError("请选择成员单位", field=field)
        return ""
    ids = {u.department_id for u in exam.units}
    dept = session.get(Department, department_id)
    if dept is None or department_id not in ids:
        raise ValidationError("请选择参与本次体检的成员单位", field=field)
    return dept.name


# ---- 会诊 --------------------------------------------------------------------------------------------

def record_consultation(ledger: Ledger, exam_id: int, *, held_on: dt.date, units_present: list[int],
                        towns_present: list[int], opinion: str, others_present: str = "") -> int:
    """The 会诊 meeting: the member units and towns present (by id, kept by name) and its opinion."""
    opinion = common.text(opinion, label="会诊意见", field="opinion", required=True)
    others = common.text(others_present, label="其他参会人员", field="others_present", limit=common.MAX_LINE * 5)
    with ledger.session() as s:
        exam = _exam_for(ledger, s, exam_id, "consultation")
        on = common.date_done(ledger, held_on, label="会诊日期", field="held_on",
                              not_before=(exam.start_date, "启动日期"))
        depts = dict(s.execute(select(Department.id, Department.name)
                               .where(Department.id.in_(units_present or []))).tuples().all())
        towns = dict(s.execute(select(Town.id, Town.name).where(Town.id.in_(towns_present or []))).tuples().all())
        if not depts:
            raise ValidationError("请选择参加会诊的成员单位", field="units_present")
        if not towns:
            raise ValidationError("请选择参加会诊的镇街（至少属地镇街）", field="towns_present")
        c = Consultation(examination_id=exam.id, held_on=on, opinion=opinion, participants=others,
                         units_present=[depts[i] for i in dict.fromkeys(units_present) if i in depts],
                         towns_present=[towns[i] for i in dict.fromkeys(towns_present) if i in towns])
        s.add(c)
        s.flush()
        return c.id


def record_approval(ledger: Ledger, consultation_id: int, *, approved_by: str, approved_on: dt.date) -> None:
    """The city leader's approval of the 会诊 opinion (who, when): from then on the opinion is in effect."""
    by = common.line(approved_by, label="审批的市领导", field="approved_by", required=True)
    with ledger.session() as s:
        c = s.get(Consultation, consultation_id)
        if c is None:
            raise NotFound(f"会诊记录（编号 {consultation_id}）不存在")
        _exam_for(ledger, s, c.examination_id, "consultation")
        c.approved_on = common.date_done(ledger, approved_on, label="审批日期", field="approved_on",
                                         not_before=(c.held_on, "会诊日期"))
        c.approved_by = by


# ---- 诊治 --------------------------------------------------------------------------------------------

def record_acceptance(ledger: Ledger, exam_id: int, *, passed: bool, accepted_by: str, accepted_on: dt.date,
                      note: str = "") -> int:
    """验收 of the enterprise's rectification: passed or failed, by whom, when."""
    if passed not in (True, False):
        raise ValidationError("请选择验收结果（通过或不通过）", field="passed")
    by = common.line(accepted_by, label="验收人", field="accepted_by", required=True)
    note = common.text(note, label="验收说明", field="note")
    with ledger.session() as s:
        exam = _exam_for(ledger, s, exam_id, "treatment")
        on = common.date_done(ledger, accepted_on, label="验收日期", field="accepted_on",
                              not_before=(exam.start_date, "启动日期"))
        t = Treatment(examination_id=exam.id, accepted=passed, accepted_by=by, accepted_on=on, note=note)
        s.add(t)
        s.flush()
        return t.id


def add_sanction(ledger: Ledger, exam_id: int, *, kind: SanctionKind, department_id: int | None,
                 applied_on: dt.date, doc_number: str = "", issuer: str = "", note: str = "") -> int:
    """A joint sanction on the examined enterprise by a participating unit; the issuing unit defaults to it."""
    if not isinstance(kind, SanctionKind):
        raise ValidationError("请选择惩戒措施", field="kind")
    doc = common.line(doc_number, label="文号", field="doc_number")
    issuer = common.line(issuer, label="实施单位", field="issuer")
    note = common.text(note, label="说明", field="note")
    with ledger.session() as s:
        exam = _exam_for(ledger, s, exam_id, "treatment")
        name = _participant(s, exam, department_id, field="department_id", required=not issuer)
        on = common.date_done(ledger, applied_on, label="实施日期", field="applied_on",
                              not_before=(exam.start_date, "启动日期"))
        sanction = Sanction(examination_id=exam.id, target_id=exam.target_id, department_id=department_id, kind=kind,
                            applied_on=on, doc_number=doc, issuer=issuer or name, note=note)
        s.add(sanction)
        s.flush()
        return sanction.id


def lift_sanction(ledger: Ledger, sanction_id: int, lifted_on: dt.date | None) -> None:
    """The day a sanction was lifted (None: still in force)."""
    with ledger.session() as s:
        sanction = s.get(Sanction, sanction_id)
        if sanction is None or sanction.examination_id is None:
            raise NotFound(f"惩戒措施（编号 {sanction_id}）不存在")
        _exam_for(ledger, s, sanction.examination_id, "treatment")
        sanction.lifted_on = common.date_done(ledger, lifted_on, label="解除日期", field="lifted_on", required=False,
                                              not_before=(sanction.applied_on, "实施日期"))


# ---- 督办 --------------------------------------------------------------------------------------------

def add_supervision(ledger: Ledger, exam_id: int, *, department_id: int, listed_on: dt.date, reason: str) -> int:
    """挂牌督办 of a participating unit that pushes rectification poorly (with the discipline commission)."""
    reason = common.text(reason, label="督办原因", field="reason", required=True)
    with ledger.session() as s:
        exam = _exam_for(ledger, s, exam_id, "supervision")
        name = _participant(s, exam, department_id, field="department_id")
        on = common.date_done(ledger, listed_on, label="挂牌日期", field="listed_on",
                              not_before=(exam.start_date, "启动日期"))
        open_ = s.scalar(select(Supervision.id).where(Supervision.examination_id == exam.id,
                                                      Supervision.department_id == department_id,
                                                      Supervision.resolved_on.is_(None)))
        if open_ is not None:
            raise ValidationError(f"“{name}”已在挂牌督办中", field="department_id")
        sup = Supervision(examination_id=exam.id, department_id=department_id, listed_on=on, reason=reason)
        s.add(sup)
        s.flush()
        return sup.id


def lift_supervision(ledger: Ledger, supervision_id: int, resolved_on: dt.date) -> None:
    """解除督办: the day the unit's listed supervision was lifted."""
    with ledger.session() as s:
        sup = s.get(Supervision, supervision_id)
        if sup is None:
            raise NotFound(f"督办记录（编号 {supervision_id}）不存在")
        _exam_for(ledger, s, sup.examination_id, "supervision")
        sup.resolved_on = common.date_done(ledger, resolved_on, label="解除督办日期", field="resolved_on",
                                           not_before=(sup.listed_on, "挂牌日期"))


def add_accountability(ledger: Ledger, exam_id: int, *, department_id: int | None, person: str, description: str,
                       decided_on: dt.date, doc_number: str = "") -> int:
    """问责 for concealment (瞒报漏报) by a member unit or its staff."""
    person = common.line(person, label="被问责人", field="person")
    description = common.text(description, label="问责事由", field="description", required=True)
    doc = common.line(doc_number, label="文号", field="doc_number")
    with ledger.session() as s:
        exam = _exam_for(ledger, s, exam_id, "supervision")
        _participant(s, exam, department_id, field="department_id")
        on = common.date_done(ledger, decided_on, label="问责日期", field="decided_on",
                              not_before=(exam.start_date, "启动日期"))
        a = Accountability(examination_id=exam.id, department_id=department_id, person=person,
                           description=description, decided_on=on, doc_number=doc)
        s.add(a)
        s.flush()
        return a.id


# ---- reading -------------------------------------------------------------------------------------------

def later_stages(ledger: Ledger, exam_id: int) -> LaterStages:
    with ledger.reader() as s:
        common.get_exam(s, exam_id)
        names = common.dept_names(s)

        def rows(model, order):
            return list(s.scalars(select(model).where(model.examination_id == exam_id).order_by(order, model.id)))

        return LaterStages(
            tuple(ConsultationRow(c.id, c.held_on, tuple(c.units_present or ()), tuple(c.towns_present or ()),
                                  c.participants, c.opinion, c.approved_by, c.approved_on)
                  for c in rows(Consultation, Consultation.held_on)),
            tuple(TreatmentRow(t.id, t.accepted, t.accepted_on, t.accepted_by, t.note)
                  for t in rows(Treatment, Treatment.accepted_on)),
            tuple(SanctionRow(x.id, x.kind, x.department_id, names.get(x.department_id, ""), x.issuer, x.doc_number,
                              x.applied_on, x.lifted_on, x.note) for x in rows(Sanction, Sanction.applied_on)),
            tuple(SupervisionRow(x.id, x.department_id, names.get(x.department_id, ""), x.reason, x.listed_on,
                                 x.resolved_on) for x in rows(Supervision, Supervision.listed_on)),
            tuple(AccountabilityRow(a.id, a.department_id, names.get(a.department_id, ""), a.person, a.description,
                                    a.decided_on, a.doc_number) for a in rows(Accountability, Accountability.decided_on)),
        )


def unit_ids(ledger: Ledger, exam_id: int) -> dict[int, int]:
    """department id → examination unit id, for the case's participants."""
    with ledger.reader() as s:
        return dict(s.execute(select(ExaminationUnit.department_id, ExaminationUnit.id)
                              .where(ExaminationUnit.examination_id == exam_id)).tuples().all())
