"""启动 (附件2 (1)) and the case as a whole: a town's proposal, the start, the 一企一策 plan, the participating
member units, the related parties; stage steps through exam_states; the list of cases and one case's detail.

Every write checks the clerk's `ledger_write` and what its stage allows (exam_states.RECORDS); the flush hook
logs each row change under the acting user, and each stage step is named in the log too.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from desktop.models import (
    Department,
    Examination,
    ExaminationParty,
    ExaminationUnit,
    IssueList,
    Target,
    Town,
)
from desktop.models.enums import ExaminationStage
from desktop.services import credit_code as credit_codes
from desktop.services.accounts import permissions
from desktop.services.deadlines import calendar_service, deadline_service
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.exams import exam_common as common
from desktop.services.exams import exam_deadlines, exam_states
from desktop.services.ledger import Ledger

MAX_PARTIES = 50


@dataclass(frozen=True)
class PartyInput:
    """关联方 as the clerk enters it."""

    name: str
    relation: str = ""  # 实际控制人, 出租方, 土地使用权人 …
    credit_code: str = ""
    note: str = ""


@dataclass(frozen=True)
class PartyRow:
    id: int
    name: str
    relation: str
    credit_code: str
    note: str


@dataclass(frozen=True)
class ExamRow:
    """One case on the examination page and in `zzb exam list`."""

    id: int
    enterprise: str
    target_id: int
    town_id: int
    town: str
    stage: ExaminationStage
    proposed_on: dt.date | None
    start_date: dt.date | None
    closed_on: dt.date | None
    units: tuple[str, ...]
    overdue: int  # duties of its units past due and not done, as of the day asked
    soon: int


@dataclass(frozen=True)
class DutyRow:
    """One duty of a unit on the case's detail: kind, what, due date, status (deadline_service's)."""

    kind: str
    subject: str
    due_date: dt.date | None
    done_on: dt.date | None
    status: str  # 'overdue' | 'soon' | 'ok' | 'done' | 'no_calendar'
    status_label: str
    workdays_left: int | None
    note: str
    term: str = ""  # 启动后10个工作日内 … (exam_deadlines.UnitDuty.term: the year's parameter)

    @property
    def overdue(self) -> bool:
        return self.status == deadline_service.OVERDUE


@dataclass(frozen=True)
class UnitRow:
    """A participating unit with its duties' dates."""

    id: int  # ExaminationUnit id
    department_id: int
    department: str
    issue_list_id: int | None
    issued_on: dt.date | None  # the 体检问题清单 handed to the enterprise
    issue_count: int
    open_issues: int  # issues not yet rectified
    report_submitted_on: dt.date | None
    preliminary_opinion: str
    progress_reported_on: dt.date | None
    final_result: str
    final_reported_on: dt.date | None
    town_score: object  # Decimal | None: the weighted total of the town's scores
    duties: tuple[DutyRow, ...] = ()

    @property
    def overdue(self) -> int:
        return sum(1 for d in self.duties if d.overdue)


@dataclass(frozen=True)
class ExamDetail:
    id: int
    target_id: int
    enterprise: str
    credit_code: str
    address: str
    town_id: int
    town: str
    stage: ExaminationStage
    proposed_on: dt.date | None
    proposal_reason: str
    start_date: dt.date | None
    plan_procedure: str
    plan_methods: str
    plan_content: str
    closed_on: dt.date | None
    parties: tuple[PartyRow, ...]
    units: tuple[UnitRow, ...]
    steps: dict[str, str | None] = field(default_factory=dict)  # action → why not (None: allowed), table order
    revision: int = 1

    @property
    def overdue(self) -> int:
        return sum(u.overdue for u in self.units)


# ---- 启动 ---------------------------------------------------------------------------------------

def _target(session, target_id: int) -> Target:
    t = session.get(Target, target_id)
    if t is None:
        raise ValidationError("请从治理对象名录中选择被体检的企业", field="target_id")
    return t


def _town(session, town_id: int) -> Town:
    town = session.get(Town, town_id)
    if town is None:
        raise ValidationError("请选择提议的镇街", field="town_id")
    return town


def _clean_parties(parties) -> list[PartyInput]:
    out, seen = [], set()
    parties = list(parties or ())
    if len(parties) > MAX_PARTIES:
        raise ValidationError(f"关联方最多 {MAX_PARTIES} 个", field="parties")
    for i, p in enumerate(parties, start=1):
        name = common.line(p.name, label=f"第 {i} 个关联方的名称", field="parties", required=True)
        if name in seen:
            raise ValidationError(f"关联方“{name}”重复", field="parties")
        seen.add(name)
        code = (p.credit_code or "").strip()
        if code:
            code = credit_codes.normalize(code)
            why = credit_codes.problem(code)
            if why:
                raise ValidationError(f"关联方“{name}”的统一社会信用代码有误：{why}", field="parties")
        out.append(PartyInput(name, common.line(p.relation, label="关联关系", field="parties"), code,
                              common.text(p.note, label="关联方备注", field="parties")))
    return out


def _set_parties(session, exam: Examination, parties: list[PartyInput]) -> None:
    exam.parties.clear()
    session.flush()
    for i, p in enumerate(parties, start=1):
        exam.parties.append(ExaminationParty(seq=i, name=p.name, relation=p.relation, credit_code=p.credit_code,
                                             note=p.note))


def propose(ledger: Ledger, *, town_id: int, target_id: int, proposed_on: dt.date, reason: str,
            parties=()) -> int:
    """A town proposes an examination of an enterprise (or parcel) in the register; returns the case's id.

    The enterprise must still be governed in that town; one enterprise has at most one open case."""
    permissions.require(ledger, "ledger_write")
    reason = common.text(reason, label="提议理由", field="reason", required=True)
    on = common.date_done(ledger, proposed_on, label="提议日期", field="proposed_on")
    parties = _clean_parties(parties)
    with ledger.session() as s:
        town = _town(s, town_id)
        target = _target(s, target_id)
        if target.town_id != town.id:
            raise ValidationError(f"“{target.name}”不属于{town.name}，请选择提议镇街辖区内的企业", field="target_id")
        open_case = s.scalar(select(Examination.id).where(Examination.target_id == target.id,
                                                          Examination.stage != ExaminationStage.CLOSED))
        if open_case is not None:
            raise Refused(f"“{target.name}”已有未结束的综合体检（编号 {open_case}），不能重复提议")
        exam = Examination(target_id=target.id, town_id=town.id, proposed_on=on, proposal_reason=reason,
                           stage=ExaminationStage.STARTED)
        s.add(exam)
        s.flush()
        _set_parties(s, exam, parties)
        s.flush()
        common.record_step(s, exam, "体检提议", {"镇街": town.name, "提议日期": on.isoformat()})
        return exam.id


def update_proposal(ledger: Ledger, exam_id: int, *, proposed_on: dt.date, reason: str) -> None:
    """Correct the proposal's date and reason (only before the initial examination begins)."""
    reason = common.text(reason, label="提议理由", field="reason", required=True)
    on = common.date_done(ledger, proposed_on, label="提议日期", field="proposed_on")
    with ledger.session() as s:
        exam = common.get_exam(s, exam_id)
        common.write_check(ledger, s, exam, "proposal")
        if exam.start_date is not None and on > exam.start_date:
            raise ValidationError(f"提议日期不能晚于启动日期（{exam.start_date.isoformat()}）", field="proposed_on")
        exam.proposed_on, exam.proposal_reason = on, reason


def delete_proposal(ledger: Ledger, exam_id: int) -> None:
    """Delete a case recorded by mistake, only while it is still in 启动 (nothing examined yet)."""
    with ledger.session() as s:
        exam = common.get_exam(s, exam_id)
        common.write_check(ledger, s, exam, "delete")
        common.record_step(s, exam, "删除体检提议", {"提议日期": exam.proposed_on.isoformat() if exam.proposed_on else ""})
        s.delete(exam)


def set_parties(ledger: Ledger, exam_id: int, parties) -> None:
    """Replace the case's related parties (关联方), in the order given."""
    parties = _clean_parties(parties)
    with ledger.session() as s:
        exam = common.get_exam(s, exam_id)
        common.write_check(ledger, s, exam, "parties")
        _set_parties(s, exam, parties)


def start(ledger: Ledger, exam_id: int, start_date: dt.date) -> None:
    """市专班 starts the examination: the 10-workday term of the issue lists runs from this day."""
    with ledger.session() as s:
        exam = common.get_exam(s, exam_id)
        common.write_check(ledger, s, exam, "start")
        on = common.date_done(ledger, start_date, label="启动日期", field="start_date",
                              not_before=(exam.proposed_on, "提议日期"))
        exam.start_date = on


def set_plan(ledger: Ledger, exam_id: int, *, procedure: str, methods: str, content: str) -> None:
    """The 一企一策 plan: procedure, methods and content of the examination (at least one filled in)."""
    procedure = common.text(procedure, label="体检程序", field="procedure")
    methods = common.text(methods, label="体检方式", field="methods")
    content = common.text(content, label="体检内容", field="content")
    if not any((procedure, methods, content)):
        raise ValidationError("实施方案的程序、方式、内容至少填写一项", field="procedure")
    with ledger.session() as s:
        exam = common.get_exam(s, exam_id)
        common.write_check(ledger, s, exam, "plan")
        exam.plan_procedure, exam.plan_methods, exam.plan_content = procedure, methods, content


def set_units(ledger: Ledger, exam_id: int, department_ids: list[int]) -> None:
    """The participating member units (at least one, active ones); a unit that has recorded its issue list or
    report cannot be taken out."""
    wanted = list(dict.fromkeys(department_ids or []))
    if not wanted:
        raise ValidationError("请至少选择一个参与体检的成员单位", field="units")
    with ledger.session() as s:
        exam = common.get_exam(s, exam_id)
        common.write_check(ledger, s, exam, "units")
        depts = {d.id: d for d in s.scalars(select(Department).where(Department.id.in_(wanted)))}
        for dept_id in wanted:
            d = depts.get(dept_id)
            if d is None:
                raise ValidationError(f"成员单位（编号 {dept_id}）不存在", field="units")
        current = {u.department_id: u for u in exam.units}
        for dept_id in wanted:
            if dept_id not in current and not depts[dept_id].active:
                raise ValidationError(f"成员单位“{depts[dept_id].name}”已停用，不能参与新的体检", field="units")
        for dept_id, unit in current.items():
            if dept_id in wanted:
                continue
            if unit.report_submitted_on or s.scalar(select(IssueList.id).where(
                    IssueList.examination_unit_id == unit.id).limit(1)) is not None:
                name = common.dept_names(s).get(dept_id, "")
                raise Refused(f"“{name}”已录入体检问题清单或书面报告，不能移出本次体检")
            exam.units.remove(unit)
        for dept_id in wanted:
            if dept_id not in current:
                exam.units.append(ExaminationUnit(department_id=dept_id))


# ---- stage steps ---------------------------------------------------------------------------------

def why_not_step(ledger: Ledger, exam_id: int, action: str) -> str | None:
    """Why step `action` cannot be taken now (the role, then the stage table), or None."""
    why = permissions.why_not(ledger, "ledger_write")
    if why:
        return why
    with ledger.reader() as s:
        return exam_states.why_not(action, common.facts(s, common.get_exam(s, exam_id)))


def step(ledger: Ledger, exam_id: int, action: str) -> ExaminationStage:
    """Move the case one step along exam_states.TRANSITIONS; 结束体检 records today as the closing day."""
    permissions.require(ledger, "ledger_write")
    with ledger.session() as s:
        exam = common.get_exam(s, exam_id)
        before = exam.stage
        exam.stage = exam_states.next_stage(action, common.facts(s, exam))
        if exam.stage is ExaminationStage.CLOSED:
            exam.closed_on = ledger.today()
        s.flush()
        common.record_step(s, exam, exam_states.label(action), {"阶段": f"{before.label}→{exam.stage.label}"})
        return exam.stage


# ---- reading --------------------------------------------------------------------------------------

def _judged(ledger: Ledger, session, as_of: dt.date, exam_ids: list[int] | None, *, open_only: bool = False):
    cal = calendar_service.load(ledger)
    out = []
    for d in exam_deadlines.unit_duties(session, as_of, exam_ids=exam_ids, open_only=open_only):
        item = deadline_service.DueItem(d.kind, d.town_id, d.town, d.subject, d.due_date, d.done_on,
                                        workdays_from=d.workdays_from)
        out.append((d, deadline_service.classify(cal, item, as_of)))
    return out


def list_rows(ledger: Ledger, *, as_of: dt.date | None = None, town_id: int | None = None,
              stage: ExaminationStage | None = None) -> list[ExamRow]:
    """Every case, newest first: enterprise, town, stage, units and the count of overdue duties as of `as_of`."""
    as_of = as_of or ledger.today()
    with ledger.reader() as s:
        q = (select(Examination.id, Target.name, Target.id, Town.id, Town.name, Examination.stage,
                    Examination.proposed_on, Examination.start_date, Examination.closed_on)
             .join(Target, Target.id == Examination.target_id).join(Town, Town.id == Examination.town_id)
             .order_by(Examination.id.desc()))
        if town_id is not None:
            q = q.where(Examination.town_id == town_id)
        if stage is not None:
            q = q.where(Examination.stage == stage)
        exams = list(s.execute(q).tuples())
        ids = [e[0] for e in exams]
        units: dict[int, list[str]] = defaultdict(list)
        for exam_id, name in s.execute(
                select(ExaminationUnit.examination_id, Department.name)
                .join(Department, Department.id == ExaminationUnit.department_id)
                .where(ExaminationUnit.examination_id.in_(ids))
                .order_by(Department.sort_order, Department.id)).tuples():
            units[exam_id].append(name)
        status = Counter()
        # Only an open duty can be overdue or due soon (a done one is 已完成 whenever it was done), so the
        # list classifies those alone: five years of cases hold thousands of done ones.
        for d, row in _judged(ledger, s, as_of, ids, open_only=True):
            status[(d.exam_id, row.status)] += 1
    return [ExamRow(i, ent, tid, town_id_, town, st, prop, start_, closed, tuple(units[i]),
                    status[(i, deadline_service.OVERDUE)], status[(i, deadline_service.SOON)])
            for i, ent, tid, town_id_, town, st, prop, start_, closed in exams]


def detail(ledger: Ledger, exam_id: int, *, as_of: dt.date | None = None) -> ExamDetail:
    """One case: the proposal, plan, parties, and each unit with its duties' due dates and overdue flags."""
    from desktop.services.exams import exam_issues

    as_of = as_of or ledger.today()
    with ledger.reader() as s:
        exam = common.get_exam(s, exam_id)
        target = exam.target
        facts = common.facts(s, exam)
        duties: dict[int, list[DutyRow]] = defaultdict(list)
        for d, row in _judged(ledger, s, as_of, [exam_id]):
            duties[d.unit_id].append(DutyRow(d.kind, d.subject, row.due_date, row.done_on, row.status,
                                             row.status_label, row.workdays_left, row.note, d.term))
        counts = exam_issues.issue_counts(s, [u.id for u in exam.units])
        lists = {ul.examination_unit_id: ul for ul in s.scalars(
            select(IssueList).where(IssueList.examination_unit_id.in_([u.id for u in exam.units])))}
        units = []
        for u in sorted(exam.units, key=lambda u: (u.department.sort_order, u.department_id)):
            lst = lists.get(u.id)
            total, open_ = counts.get(u.id, (0, 0))
            units.append(UnitRow(u.id, u.department_id, u.department.name, lst.id if lst else None,
                                 lst.issued_on if lst else None, total, open_, u.report_submitted_on,
                                 u.preliminary_opinion, u.progress_reported_on, u.final_result, u.final_reported_on,
                                 u.town_score, tuple(duties.get(u.id, ()))))
        steps = {a: (permissions.why_not(ledger, "ledger_write") or exam_states.why_not(a, facts))
                 for a in exam_states.TRANSITIONS}
        return ExamDetail(exam.id, target.id, target.name, target.credit_code or "", target.address or "",
                          exam.town_id, exam.town.name, exam.stage, exam.proposed_on, exam.proposal_reason,
                          exam.start_date, exam.plan_procedure, exam.plan_methods, exam.plan_content, exam.closed_on,
                          tuple(PartyRow(p.id, p.name, p.relation, p.credit_code, p.note) for p in exam.parties),
                          tuple(units), steps, exam.revision)


def find_id(ledger: Ledger, exam_id: int) -> int:
    """`exam_id` when such a case exists, else NotFound in Chinese (for the CLI)."""
    with ledger.reader() as s:
        if s.get(Examination, exam_id) is None:
            raise NotFound(f"综合体检（编号 {exam_id}）不存在")
    return exam_id
