"""治理方案备案 (三(二)): after approval a town files a plan per entry or per batch with the office.

A plan records the method (收储 / 收购 / 再利用; 企业自主技改 is recorded and never counted), the
planned area (亩), the planned cost (万元, optional), the partner SOE (required for 收储) and the
filing date. Filing moves each entry 已审核 → 方案已备案 through the transition table, in the same
transaction as the plan rows: a batch is filed whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from desktop.models import GovernanceList, ListEntry, Plan, QuotaLoan, Soe, Target, Town, Year
from desktop.models.enums import EntryState, Method
from desktop.services import rules, units
from desktop.services.lists import entry_states, list_service
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.ledger import Ledger

ZERO = Decimal(0)
# 四(三): quota may be pre-borrowed against the plan's planned 收储/复垦 area; of our methods that is 收储.
LANDBANK_METHODS = frozenset({Method.LAND_BANKING})


@dataclass
class PlanValues:
    """What the clerk fills in for one plan. Areas and money may be typed text (parsed here)."""

    method: Method
    planned_area_mu: Decimal | str | None
    planned_cost_wan: Decimal | str | None = None
    soe_id: int | None = None
    filed_on: dt.date | None = None
    note: str = ""


@dataclass
class PlanItem:
    """One entry of a filing and its own planned area and cost (the rest is shared by the batch)."""

    entry_id: int
    planned_area_mu: Decimal | str | None
    planned_cost_wan: Decimal | str | None = None


@dataclass
class FilingResult:
    batch_no: str
    plan_ids: list[int]


@dataclass
class PlanRow:
    id: int
    entry_id: int
    target_id: int
    target: str
    credit_code: str | None
    town_id: int
    town: str
    year: int
    method: Method
    list_area_mu: Decimal
    planned_area_mu: Decimal
    planned_cost_wan: Decimal | None
    soe_id: int | None
    soe: str
    filed_on: dt.date | None
    batch_no: str
    note: str
    entry_state: EntryState
    loan_count: int
    revision: int

    @property
    def counted(self) -> bool:
        """三(三)2: 企业自主技改 is recorded, never counted."""
        return self.method not in rules.UNCOUNTED_METHODS

    @property
    def cost_per_mu(self) -> Decimal | None:
        return rules.cost_per_mu(self.planned_cost_wan, self.planned_area_mu)


@dataclass
class SoeChoice:
    id: int
    name: str


# Validation -------------------------------------------------------------------------------------

def clean_area(value) -> Decimal:
    area = units.parse_area(value, field="planned_area_mu", label="计划面积")
    if area is None:
        raise ValidationError("请填写计划面积（亩）", field="planned_area_mu")
    if area <= 0:
        raise ValidationError("计划面积应大于0", field="planned_area_mu")
    return area


def clean_cost(value) -> Decimal | None:
    return units.parse_decimal(value, field="planned_cost_wan", label="计划投资（万元）")


def clean_common(values: PlanValues, *, today: dt.date) -> PlanValues:
    """The rules shared by a batch: method, SOE (required for 收储), filing date (not in the future)."""
    if not isinstance(values.method, Method):
        raise ValidationError("请选择治理方式", field="method")
    if values.method is Method.LAND_BANKING and values.soe_id is None:
        raise ValidationError("政府收储须选择合作的市级国企", field="soe_id")
    filed_on = values.filed_on or today
    if filed_on > today:
        raise ValidationError(f"备案日期 {filed_on:%Y-%m-%d} 晚于今天，请核对", field="filed_on")
    return PlanValues(values.method, values.planned_area_mu, values.planned_cost_wan, values.soe_id, filed_on,
                      (values.note or "").strip())


def why_not_file(entries) -> str | None:
    """Why these (name, state) entries cannot have a plan filed (三(二): approved entries only), or None."""
    why = entry_states.why_not_any("file_plan", entries)
    return None if why is None else f"{why}（仅已审核的条目可备案方案）"


def why_not_update(loan_count: int) -> str | None:
    """四(三): a plan that quota has been pre-borrowed against is no longer corrected, or None."""
    return f"该方案已有 {loan_count} 笔周转指标预借，不能修改" if loan_count else None


def _check_soe(session, soe_id: int | None) -> None:
    if soe_id is not None and session.get(Soe, soe_id) is None:
        raise ValidationError("所选市级国企已不存在", field="soe_id")


# Filing -----------------------------------------------------------------------------------------

def next_batch_no(session, town: str, year: int) -> str:
    """备案编号 “东港镇-2024-001”: the town's next number in the year."""
    prefix = f"{town}-{year}-"
    used = session.scalars(select(Plan.batch_no).where(Plan.batch_no.startswith(prefix, autoescape=True)))
    numbers = [int(m.group(1)) for b in used if (m := re.fullmatch(r"(\d+)", b[len(prefix):]))]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def file_plans(ledger: Ledger, items: list[PlanItem], values: PlanValues, *, today: dt.date | None = None) -> FilingResult:
    """File one plan per item, sharing method, SOE, filing date, note and one batch number.

    All items must be approved entries of one town's list; one bad item files nothing, and the
    message names the entry (and its state when that is the reason).
    """
    if not items:
        raise Refused("请先选择已审核的清单条目")
    if len({i.entry_id for i in items}) != len(items):
        raise Refused("同一条目在本批中重复")
    common = clean_common(values, today=today or ledger.today())
    with ledger.session() as s:
        _check_soe(s, common.soe_id)
        plans: list[Plan] = []
        batch_no = ""
        first_list = None
        for item in items:
            e = list_service.get_entry(s, item.entry_id)
            name = e.target.name
            if first_list is None:
                first_list = e.governance_list
                batch_no = next_batch_no(s, first_list.town.name, first_list.year.year)
            elif e.list_id != first_list.id:
                raise Refused(f"“{name}”不在{first_list.town.name}的本年度清单中；一批备案的条目须属于同一清单")
            why = why_not_file([(name, e.state)])
            if why is not None:
                raise Refused(why)
            list_service.apply_step(s, e, "file_plan")
            try:
                area, cost = clean_area(item.planned_area_mu), clean_cost(item.planned_cost_wan)
            except ValidationError as exc:
                raise ValidationError(f"“{name}”：{exc.message}", field=exc.field) from None
            if e.planned_method is not common.method:
                # The filed plan decides the method; statistics (企业自主技改 never counted) follow it.
                e.planned_method = common.method
            plan = Plan(entry_id=e.id, batch_no=batch_no, method=common.method, planned_area_mu=area,
                        planned_cost_wan=cost, soe_id=common.soe_id, filed_on=common.filed_on, note=common.note)
            s.add(plan)
            plans.append(plan)
        s.flush()
        return FilingResult(batch_no, [p.id for p in plans])


def file_plan(ledger: Ledger, entry_id: int, values: PlanValues, *, today: dt.date | None = None) -> FilingResult:
    """One entry's plan (a batch of one), planned area and cost taken from `values`."""
    return file_plans(ledger, [PlanItem(entry_id, values.planned_area_mu, values.planned_cost_wan)], values, today=today)


def loan_count_in(session, plan_id: int) -> int:
    return session.scalar(select(func.count(QuotaLoan.id)).where(QuotaLoan.plan_id == plan_id)) or 0


def update_plan(ledger: Ledger, plan_id: int, values: PlanValues, *, expected_revision: int | None = None,
                today: dt.date | None = None) -> None:
    """Correct a filed plan — only before any quota has been pre-borrowed against it (四(三))."""
    common = clean_common(values, today=today or ledger.today())
    area, cost = clean_area(values.planned_area_mu), clean_cost(values.planned_cost_wan)
    with ledger.session() as s:
        plan = s.get(Plan, plan_id)
        if plan is None:
            raise NotFound("该治理方案已不存在")
        if expected_revision is not None and plan.revision != expected_revision:
            raise Refused("该方案已被他人修改，请刷新后重试")
        why = why_not_update(loan_count_in(s, plan_id))
        if why is not None:
            raise Refused(f"{why}（请先处理预借）")
        _check_soe(s, common.soe_id)
        for name, value in (("method", common.method), ("planned_area_mu", area), ("planned_cost_wan", cost),
                            ("soe_id", common.soe_id), ("filed_on", common.filed_on), ("note", common.note)):
            if getattr(plan, name) != value:
                setattr(plan, name, value)
        if plan.entry.planned_method is not common.method:
            plan.entry.planned_method = common.method


# Queries ----------------------------------------------------------------------------------------

def list_plans(ledger: Ledger, year: int, *, town_id: int | None = None, list_id: int | None = None,
               plan_id: int | None = None) -> list[PlanRow]:
    """Plans of a year (optionally one town or one list), newest filing first."""
    loans = (select(QuotaLoan.plan_id, func.count(QuotaLoan.id).label("n"))
             .group_by(QuotaLoan.plan_id).subquery())
    p, e = Plan, ListEntry
    q = (
        select(p.id, e.id, e.target_id, Target.name, Target.credit_code, Town.id, Town.name, p.method,
               e.planned_area_mu, p.planned_area_mu, p.planned_cost_wan, p.soe_id, Soe.name, p.filed_on, p.batch_no,
               p.note, e.state, loans.c.n, p.revision)
        .join(ListEntry, ListEntry.id == Plan.entry_id)
        .join(GovernanceList, GovernanceList.id == ListEntry.list_id)
        .join(Year, Year.id == GovernanceList.year_id)
        .join(Target, Target.id == ListEntry.target_id)
        .join(Town, Town.id == GovernanceList.town_id)
        .outerjoin(Soe, Soe.id == Plan.soe_id)
        .outerjoin(loans, loans.c.plan_id == Plan.id)
        .where(Year.year == year)
        .order_by(Plan.filed_on.desc(), Plan.batch_no, Target.name, Plan.id)
    )
    if town_id is not None:
        q = q.where(GovernanceList.town_id == town_id)
    if list_id is not None:
        q = q.where(GovernanceList.id == list_id)
    if plan_id is not None:
        q = q.where(Plan.id == plan_id)
    with ledger.reader() as s:  # plain columns: no Plan or ListEntry objects are built
        return [PlanRow(*head, year, method, entry_area, plan_area, cost, soe_id, soe or "", filed, batch, note, state,
                        n or 0, revision)
                for *head, method, entry_area, plan_area, cost, soe_id, soe, filed, batch, note, state, n, revision
                in s.execute(q)]


def get_plan(ledger: Ledger, plan_id: int) -> PlanRow:
    with ledger.reader() as s:
        year = s.scalar(select(Year.year).join(GovernanceList, GovernanceList.year_id == Year.id)
                        .join(ListEntry, ListEntry.list_id == GovernanceList.id)
                        .join(Plan, Plan.entry_id == ListEntry.id).where(Plan.id == plan_id))
    rows = list_plans(ledger, year, plan_id=plan_id) if year is not None else []
    if not rows:
        raise NotFound("该治理方案已不存在")
    return rows[0]


def soe_choices(ledger: Ledger) -> list[SoeChoice]:
    with ledger.reader() as s:
        return [SoeChoice(i, n) for i, n in s.execute(select(Soe.id, Soe.name).order_by(Soe.name))]


def planned_landbank_area_in(session, plan_id: int) -> Decimal:
    """四(三): the plan's planned 收储/复垦 area (亩) that pre-borrowed quota is capped against.

    A plan of another method, or of a cancelled entry, offers none."""
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound("该治理方案已不存在")
    if plan.method not in LANDBANK_METHODS or plan.entry.state is EntryState.CANCELLED:
        return ZERO
    return plan.planned_area_mu


def planned_landbank_area(ledger: Ledger, plan_id: int) -> Decimal:
    with ledger.reader() as s:
        return planned_landbank_area_in(s, plan_id)
