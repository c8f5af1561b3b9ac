"""政府收储 (三(三)1): for each entry whose filed plan is 收储, the four groundwork steps (资信尽调,
土壤检测, 价值评估, 收储洽谈) with date, result and evidence, then 合作协议 (town ↔ SOE) and 收储协议
(town ↔ enterprise), both filed with the office.

The agreements and the cost cap (四(二)) live in agreement_service; they are re-exported here because
checking the cap before saving a 收储协议 is part of this workflow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from desktop.models import (
    Agreement,
    Attachment,
    GovernanceList,
    GroundworkRecord,
    LandBanking,
    Soe,
    Year,
)
from desktop.models.enums import AgreementKind, EntryState, GroundworkStep, Method
from desktop.services import attachment_service, rules
from desktop.services.landbank import agreement_service
from desktop.services.landbank.agreement_service import (  # noqa: F401  re-exported: the cap check of 收储协议
    PLAN_FILED_ON_STATES,
    AgreementRow,
    AgreementValues,
    CapPreview,
    OverCapRefused,
    PairRow,
    over_cap_report,
    preview_agreement,
    save_agreement,
)
from desktop.services.errors import NotFound, ValidationError
from desktop.services.ledger import Ledger

STEPS = list(GroundworkStep)  # 三(三)1, in the plan's order
STEP_OBJECT_TYPE = "groundwork_record"
LAND_BANKING_KINDS = (AgreementKind.COOPERATION, AgreementKind.LAND_BANKING)


@dataclass(frozen=True)
class StepRow:
    step: GroundworkStep
    record_id: int | None
    done_on: dt.date | None
    result: str
    attachments: int = 0

    @property
    def id(self) -> GroundworkStep:
        return self.step

    @property
    def done(self) -> bool:
        return self.done_on is not None


@dataclass(frozen=True)
class LandBankRow:
    """One entry with a filed 收储 plan, and how far its land banking has come."""

    entry_id: int
    land_banking_id: int | None
    town_id: int
    town: str
    target: str
    planned_area_mu: Decimal
    soe_id: int | None
    soe: str
    state: EntryState
    steps_done: int
    missing_steps: tuple[str, ...]
    cooperation_signed_on: dt.date | None
    landbank_signed_on: dt.date | None
    landbank_cost_per_mu: Decimal | None
    all_filed: bool  # both agreements signed and filed with the office

    @property
    def id(self) -> int:
        return self.entry_id

    @property
    def steps_text(self) -> str:
        return f"{self.steps_done}/{len(STEPS)}"


@dataclass(frozen=True)
class LandBankDetail:
    row: LandBankRow
    steps: list[StepRow] = field(default_factory=list)
    agreements: list[AgreementRow] = field(default_factory=list)


@dataclass(frozen=True)
class AgreementGaps:
    """三(三)1: what should come before an entry's 收储协议 and is not there yet — the four groundwork
    steps and the 合作协议 (town ↔ SOE)."""

    target: str
    missing_steps: tuple[str, ...]
    has_cooperation: bool

    @property
    def complete(self) -> bool:
        return not self.missing_steps and self.has_cooperation

    @property
    def message(self) -> str:
        """“甲厂”前期工作未完成：资信尽调、土壤检测（已完成 2/4）；尚未签订合作协议 — empty when complete."""
        parts = []
        if self.missing_steps:
            done = len(STEPS) - len(self.missing_steps)
            parts.append(f"前期工作未完成：{'、'.join(self.missing_steps)}（已完成 {done}/{len(STEPS)}）")
        if not self.has_cooperation:
            parts.append("尚未签订合作协议（镇街与市级国企）")
        return f"“{self.target}”" + "；".join(parts) if parts else ""


# --- Reading -------------------------------------------------------------------------------------

def _entries(session, year_id: int, town_id: int | None = None, text: str = "", entry_id: int | None = None):
    return agreement_service.entries_planned_as(session, year_id, Method.LAND_BANKING, town_id=town_id, text=text,
                                                entry_id=entry_id)


def _rows(session, found) -> list[LandBankRow]:
    ids = [e.id for (e, *_), _plan in found]
    if not ids:
        return []
    banks = {lb.entry_id: lb for lb in session.scalars(select(LandBanking).where(LandBanking.entry_id.in_(ids)))}
    steps: dict[int, set[GroundworkStep]] = {}
    if banks:
        q = (select(GroundworkRecord.land_banking_id, GroundworkRecord.step)
             .where(GroundworkRecord.land_banking_id.in_([lb.id for lb in banks.values()]),
                    GroundworkRecord.done_on.is_not(None)))
        for lb_id, step in session.execute(q):
            steps.setdefault(lb_id, set()).add(step)
    agreements: dict[int, dict[AgreementKind, Agreement]] = {}
    q = (select(Agreement).where(Agreement.entry_id.in_(ids), Agreement.kind.in_(LAND_BANKING_KINDS))
         .order_by(Agreement.signed_on.nulls_first(), Agreement.id))
    for a in session.scalars(q):
        agreements.setdefault(a.entry_id, {})[a.kind] = a  # the latest signed of each kind
    soes = dict(session.execute(select(Soe.id, Soe.name)).tuples().all())
    out = []
    for (e, target, town_id, town), (_method, plan_soe, _area) in found:
        lb = banks.get(e.id)
        done = steps.get(lb.id, set()) if lb else set()
        ags = agreements.get(e.id, {})
        coop, bank = ags.get(AgreementKind.COOPERATION), ags.get(AgreementKind.LAND_BANKING)
        soe_id = (lb.soe_id if lb and lb.soe_id else None) or plan_soe
        out.append(LandBankRow(
            e.id, lb.id if lb else None, town_id, town, target, e.planned_area_mu, soe_id, soes.get(soe_id, ""),
            e.state, len(done), tuple(st.label for st in STEPS if st not in done),
            coop.signed_on if coop else None, bank.signed_on if bank else None,
            rules.cost_per_mu(bank.amount_wan, bank.area_mu) if bank else None,
            bool(coop and bank and coop.filed_on and bank.filed_on)))
    return out


def _year_id(session, year: int) -> int:
    year_id = session.scalar(select(Year.id).where(Year.year == year))
    if year_id is None:
        raise NotFound(f"没有 {year} 年度")
    return year_id


def land_banking_entries(ledger: Ledger, year: int, *, town_id: int | None = None, text: str = "") -> list[LandBankRow]:
    """The year's entries whose filed plan is 收储 (方案已备案 on), with steps done and agreements."""
    with ledger.reader() as s:
        return _rows(s, _entries(s, _year_id(s, year), town_id, text))


def _steps(session, lb: LandBanking | None) -> list[StepRow]:
    records = {}
    counts: dict[int, int] = {}
    if lb is not None:
        records = {r.step: r for r in session.scalars(
            select(GroundworkRecord).where(GroundworkRecord.land_banking_id == lb.id))}
        ids = [r.id for r in records.values()]
        if ids:
            counts = dict(session.execute(
                select(Attachment.object_id, func.count(Attachment.id))
                .where(Attachment.object_type == STEP_OBJECT_TYPE, Attachment.object_id.in_(ids))
                .group_by(Attachment.object_id)).tuples().all())
    out = []
    for step in STEPS:
        r = records.get(step)
        out.append(StepRow(step, r.id if r else None, r.done_on if r else None, r.result if r else "",
                           counts.get(r.id, 0) if r else 0))
    return out


def detail(ledger: Ledger, entry_id: int) -> LandBankDetail:
    """One entry's land banking: its row, the four steps (done or missing) and its agreements."""
    with ledger.reader() as s:
        e, _plan = agreement_service.require_planned_entry(s, entry_id, Method.LAND_BANKING)
        year_id = s.scalar(select(GovernanceList.year_id).where(GovernanceList.id == e.list_id))
        rows = _rows(s, _entries(s, year_id, entry_id=entry_id))
        lb = s.scalar(select(LandBanking).where(LandBanking.entry_id == entry_id))
        return LandBankDetail(rows[0], _steps(s, lb), agreement_service.agreements_of_entry(s, entry_id))


def agreement_gaps(ledger: Ledger, entry_id: int) -> AgreementGaps:
    """What of the groundwork (三(三)1: 资信尽调, 土壤检测, 价值评估, 收储洽谈) and whether the 合作协议
    is missing before the entry's 收储协议 is signed; asked before saving one, never refused."""
    with ledger.reader() as s:
        e, _plan = agreement_service.require_planned_entry(s, entry_id, Method.LAND_BANKING)
        year_id = s.scalar(select(GovernanceList.year_id).where(GovernanceList.id == e.list_id))
        row = _rows(s, _entries(s, year_id, entry_id=entry_id))[0]
        return AgreementGaps(row.target, row.missing_steps, row.cooperation_signed_on is not None)


def steps(ledger: Ledger, entry_id: int) -> list[StepRow]:
    """The four groundwork steps of an entry, each done (with date) or missing."""
    with ledger.reader() as s:
        lb = s.scalar(select(LandBanking).where(LandBanking.entry_id == entry_id))
        return _steps(s, lb)


# --- Writing -------------------------------------------------------------------------------------

def _open(session, entry_id: int) -> LandBanking:
    _e, plan = agreement_service.require_planned_entry(session, entry_id, Method.LAND_BANKING)
    lb = session.scalar(select(LandBanking).where(LandBanking.entry_id == entry_id))
    if lb is None:
        lb = LandBanking(entry_id=entry_id, soe_id=plan.soe_id)
        session.add(lb)
        session.flush()
    elif lb.soe_id is None and plan.soe_id is not None:
        lb.soe_id = plan.soe_id
    return lb


def open_land_banking(ledger: Ledger, entry_id: int) -> int:
    """The land banking record of an entry whose filed plan is 收储 (created on first use, with the
    plan's SOE); refused for any other entry."""
    with ledger.session() as s:
        return _open(s, entry_id).id


def record_step(ledger: Ledger, entry_id: int, step: GroundworkStep, done_on: dt.date | None, result: str = "", *,
                today: dt.date | None = None) -> StepRow:
    """三(三)1: record one groundwork step (date not in the future, result text)."""
    today = today or ledger.today()
    if not isinstance(step, GroundworkStep):
        raise ValidationError("请选择工作步骤", field="step")
    if done_on is None:
        raise ValidationError(f"请填写{step.label}的完成日期", field="done_on")
    if done_on > today:
        raise ValidationError(f"{step.label}的完成日期不能晚于今天（{today:%Y-%m-%d}）", field="done_on")
    result = (result or "").strip()
    with ledger.session() as s:
        lb = _open(s, entry_id)
        r = s.scalar(select(GroundworkRecord).where(GroundworkRecord.land_banking_id == lb.id,
                                                    GroundworkRecord.step == step))
        if r is None:
            r = GroundworkRecord(land_banking_id=lb.id, step=step)
            s.add(r)
        for key, value in (("done_on", done_on), ("result", result)):
            if getattr(r, key) != value:
                setattr(r, key, value)
        s.flush()
        n = s.scalar(select(func.count(Attachment.id)).where(Attachment.object_type == STEP_OBJECT_TYPE,
                                                              Attachment.object_id == r.id))
        return StepRow(step, r.id, r.done_on, r.result, n or 0)


def clear_step(ledger: Ledger, entry_id: int, step: GroundworkStep) -> None:
    """Remove a step recorded by mistake, with its evidence links."""
    with ledger.session() as s:
        lb = s.scalar(select(LandBanking).where(LandBanking.entry_id == entry_id))
        r = None if lb is None else s.scalar(select(GroundworkRecord).where(
            GroundworkRecord.land_banking_id == lb.id, GroundworkRecord.step == step))
        if r is None:
            raise NotFound(f"{step.label}尚未登记")
        record_id = r.id
        s.delete(r)
        s.flush()
        attachment_ids = list(s.scalars(select(Attachment.id).where(
            Attachment.object_type == STEP_OBJECT_TYPE, Attachment.object_id == record_id)))
    for att_id in attachment_ids:
        attachment_service.remove(ledger, att_id)
