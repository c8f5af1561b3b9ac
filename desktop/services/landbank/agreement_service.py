"""协议 (三(三)1, 三(三)2): 合作协议, 收储协议, 收购协议, 投资监管协议 … with parties, signing date,
amount (万元), area (亩) and filing date; and the land-banking cost cap (四(二)).

The cap is checked *before* a 收储协议 is saved: `preview_agreement` gives the agreement's cost per
亩 and the SOE × town × year average before and after it (an edited agreement replaces its old
values, never counted twice); `save_agreement` refuses an over-cap save unless the clerk confirmed
it, and records the confirmation in the audit log with the numbers. The arithmetic is rules.py's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

from sqlalchemy import case, func, select

from desktop.models import Agreement, Attachment, GovernanceList, ListEntry, Plan, Soe, Target, Town, Year
from desktop.models.enums import AgreementKind, Method
from desktop.services import attachment_service, audit, numbers, rules
from desktop.services.year import year_service
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.landbank import filing_service
from desktop.services.landbank.acquisition_stage import require_joint_review_passed, sync_stage
from desktop.services.landbank.agreement_kinds import (  # noqa: F401 - named here for the pages and the importer
    CAPPED_KINDS, KINDS_AFTER_JOINT_REVIEW, KINDS_NEEDING_ENTRY, KINDS_NEEDING_SOE, METHOD_OF_KIND,
    PLAN_FILED_ON_STATES, K,
)
from desktop.services.ledger import Ledger

ZERO = Decimal(0)
OBJECT_TYPE = "agreement"



def plain(value: Decimal | None) -> str:
    """60 not 60.0000 (a cap or a number the clerk typed)."""
    return "" if value is None else format(Decimal(value).normalize(), "f")


def money(value: Decimal | None) -> str:
    return "—" if value is None else f"{Decimal(value):,.2f}"


# --- Values and rows ---------------------------------------------------------------------------

@dataclass
class AgreementValues:
    """What the agreement dialog edits (id None for a new agreement)."""

    kind: AgreementKind
    year: int
    town_id: int | None = None
    entry_id: int | None = None
    soe_id: int | None = None
    party_a: str = ""
    party_b: str = ""
    signed_on: dt.date | None = None
    amount_wan: Decimal | None = None
    area_mu: Decimal | None = None
    filed_on: dt.date | None = None
    note: str = ""
    id: int | None = None
    revision: int | None = None


@dataclass(frozen=True)
class AgreementRow:
    id: int
    kind: AgreementKind
    year: int
    town_id: int
    town: str
    soe_id: int | None
    soe: str
    entry_id: int | None
    target: str
    party_a: str
    party_b: str
    signed_on: dt.date | None
    amount_wan: Decimal | None
    area_mu: Decimal | None
    cost_per_mu: Decimal | None
    filed_on: dt.date | None
    over_cap_confirmed: bool
    note: str
    revision: int
    attachments: int = 0
    filed_by: str = ""  # who recorded the filing; never also its approver
    filing_approved_by: str = ""
    filing_approved_on: dt.date | None = None

    def values(self) -> AgreementValues:
        return AgreementValues(kind=self.kind, year=self.year, town_id=self.town_id, entry_id=self.entry_id,
                               soe_id=self.soe_id, party_a=self.party_a, party_b=self.party_b,
                               signed_on=self.signed_on, amount_wan=self.amount_wan, area_mu=self.area_mu,
                               filed_on=self.filed_on, note=self.note, id=self.id, revision=self.revision)


@dataclass(frozen=True)
class CapPreview:
    """四(二): what saving these values would do to the SOE × town average of the year."""

    applies: bool  # a 收储协议 with SOE and town: the cap is checked
    cost_per_mu: Decimal | None  # of this agreement
    soe: str
    town: str
    year: int
    cap: Decimal
    before_count: int = 0
    before_avg: Decimal | None = None
    after_count: int = 0
    after_amount_wan: Decimal = ZERO
    after_area_mu: Decimal = ZERO
    after_avg: Decimal | None = None
    over: bool = False

    @property
    def line(self) -> str:
        """The dialog's live cost line: 本协议 58.00 万元/亩；国企×镇街 年度均价 59.20 → 61.25 万元/亩（上限 60）."""
        own = "本协议 —（请填写金额和面积）" if self.cost_per_mu is None else f"本协议 {self.cost_per_mu:.2f} 万元/亩"
        if not self.applies:
            return own
        before = "—" if self.before_avg is None else f"{self.before_avg:.2f}"
        after = "—" if self.after_avg is None else f"{self.after_avg:.2f}"
        text = f"{own}；国企×镇街 年度均价 {before} → {after} 万元/亩（上限 {plain(self.cap)}）"
        if self.over:
            text += "，超过上限"
        return text

    @property
    def message(self) -> str:
        """The refusal (and confirmation question) with the numbers."""
        return (f"保存后 {self.soe}与{self.town} {self.year}年度收储成本均价将为 {self.after_avg:.2f} 万元/亩，"
                f"超过上限 {plain(self.cap)} 万元/亩")

    def audit_numbers(self) -> dict:
        return {"国企": self.soe, "镇街": self.town, "年度": self.year,
                "本协议单价（万元/亩）": plain(self.cost_per_mu),
                "保存前均价（万元/亩）": plain(self.before_avg), "保存后均价（万元/亩）": plain(self.after_avg),
                "协议数": self.after_count, "金额合计（万元）": plain(self.after_amount_wan),
                "面积合计（亩）": plain(self.after_area_mu), "上限（万元/亩）": plain(self.cap)}


class OverCapRefused(Refused):
    """Saving would lift the SOE × town average above the cap and the clerk has not confirmed it."""

    def __init__(self, preview: CapPreview):
        super().__init__(preview.message + "。如确需保存，请确认超限。", field="amount_wan")
        self.preview = preview


@dataclass(frozen=True)
class PairRow:
    """One SOE × town cooperation of the year, over their 收储协议 (四(二))."""

    soe_id: int
    soe: str
    town_id: int
    town: str
    agreements: int
    total_amount_wan: Decimal
    total_area_mu: Decimal
    average: Decimal | None
    cap: Decimal
    over: bool
    confirmed: int  # agreements saved with 确认超限

    @property
    def id(self) -> tuple[int, int]:
        return (self.soe_id, self.town_id)


@dataclass(frozen=True)
class EntryChoice:
    """An entry an agreement may belong to (plan filed, method 收储 or 收购)."""

    id: int
    town_id: int
    target: str
    method: Method
    soe_id: int | None
    planned_area_mu: Decimal | None
    investor: str = ""


@dataclass(frozen=True)
class AgreementChoices:
    towns: list[tuple[int, str]] = field(default_factory=list)
    soes: list[tuple[int, str]] = field(default_factory=list)
    entries: list[EntryChoice] = field(default_factory=list)

    def entry(self, entry_id: int | None) -> EntryChoice | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    def name_of_town(self, town_id: int | None) -> str:
        return next((n for i, n in self.towns if i == town_id), "")

    def name_of_soe(self, soe_id: int | None) -> str:
        return next((n for i, n in self.soes if i == soe_id), "")


# --- Helpers shared by 政府收储 and 市场化收购 ------------------------------------------------------

def latest_plan(session, entry_id: int) -> Plan | None:
    """The entry's plan in force: the last one filed (a re-filed plan replaces the earlier)."""
    return session.scalar(select(Plan).where(Plan.entry_id == entry_id)
                          .order_by(Plan.filed_on.desc().nulls_last(), Plan.id.desc()).limit(1))


def require_planned_entry(session, entry_id: int, method: Method) -> tuple[ListEntry, Plan]:
    """The entry, if its plan (method `method`) is filed and the entry is from 方案已备案 on."""
    e = session.get(ListEntry, entry_id)
    if e is None:
        raise NotFound("该清单条目已不存在")
    plan = latest_plan(session, entry_id)
    name = session.scalar(select(Target.name).where(Target.id == e.target_id)) or ""
    if plan is None or plan.method is not method:
        have = "尚未备案治理方案" if plan is None else f"治理方案为“{plan.method.label}”"
        raise Refused(f"“{name}”{have}，不是{method.label}方案", field="entry_id")
    if e.state not in PLAN_FILED_ON_STATES:
        raise Refused(f"“{name}”当前状态为“{e.state.label}”，方案备案后才能办理{method.label}", field="entry_id")
    return e, plan


def _year_id(session, year: int) -> int:
    year_id = session.scalar(select(Year.id).where(Year.year == year))
    if year_id is None:
        raise NotFound(f"没有 {year} 年度")
    return year_id


def default_parties(kind: AgreementKind, *, town: str = "", soe: str = "", target: str = "",
                    investor: str = "") -> tuple[str, str]:
    """甲方/乙方 as the plan names them: 合作协议 town ↔ SOE, 收储协议 town ↔ enterprise (三(三)1);
    收购协议 enterprise ↔ investor, 投资监管协议 town ↔ investor (三(三)2)."""
    if kind is K.COOPERATION:
        return town, soe
    if kind is K.LAND_BANKING:
        return town, target
    if kind is K.ACQUISITION:
        return target, investor
    if kind is K.INVESTMENT_SUPERVISION:
        return town, investor
    return town, ""


def prefill(choices: AgreementChoices, kind: AgreementKind, year: int, *, entry_id: int | None = None,
            town_id: int | None = None, soe_id: int | None = None) -> AgreementValues:
    """A new agreement's values from its entry (town, SOE, area of the plan) and the parties' names."""
    entry = choices.entry(entry_id)
    if entry is not None:
        town_id = entry.town_id
        if soe_id is None and kind in KINDS_NEEDING_SOE:
            soe_id = entry.soe_id
    a, b = default_parties(kind, town=choices.name_of_town(town_id), soe=choices.name_of_soe(soe_id),
                           target=entry.target if entry else "", investor=entry.investor if entry else "")
    area = entry.planned_area_mu if entry is not None and kind is K.LAND_BANKING else None
    return AgreementValues(kind=kind, year=year, town_id=town_id, entry_id=entry_id,
                           soe_id=soe_id if kind is not K.ACQUISITION else None, party_a=a, party_b=b, area_mu=area)


# --- Reading -----------------------------------------------------------------------------------

def _rows(session, q) -> list[AgreementRow]:
    found = session.execute(q).all()
    ids = [a.id for a, *_ in found]
    counts: dict[int, int] = {}
    if ids:
        counts = dict(session.execute(
            select(Attachment.object_id, func.count(Attachment.id))
            .where(Attachment.object_type == OBJECT_TYPE, Attachment.object_id.in_(ids))
            .group_by(Attachment.object_id)).tuples().all())
    return [
        AgreementRow(a.id, a.kind, year, a.town_id, town, a.soe_id, soe or "", a.entry_id, target or "",
                     a.party_a, a.party_b, a.signed_on, a.amount_wan, a.area_mu,
                     rules.cost_per_mu(a.amount_wan, a.area_mu), a.filed_on, a.over_cap_confirmed, a.note,
                     a.revision, counts.get(a.id, 0), a.filed_by or "", a.filing_approved_by or "",
                     a.filing_approved_on)
        for a, year, town, soe, target in found
    ]


def _query():
    return (select(Agreement, Year.year, Town.name, Soe.name, Target.name)
            .join(Year, Year.id == Agreement.year_id)
            .join(Town, Town.id == Agreement.town_id)
            .outerjoin(Soe, Soe.id == Agreement.soe_id)
            .outerjoin(ListEntry, ListEntry.id == Agreement.entry_id)
            .outerjoin(Target, Target.id == ListEntry.target_id))


def list_agreements(ledger: Ledger, year: int, *, kind: AgreementKind | None = None, town_id: int | None = None,
                    soe_id: int | None = None, entry_id: int | None = None, text: str = "") -> list[AgreementRow]:
    """The year's agreements, filtered; by signing date, then kind."""
    q = _query().where(Year.year == year)
    if kind is not None:
        q = q.where(Agreement.kind == kind)
    if town_id is not None:
        q = q.where(Agreement.town_id == town_id)
    if soe_id is not None:
        q = q.where(Agreement.soe_id == soe_id)
    if entry_id is not None:
        q = q.where(Agreement.entry_id == entry_id)
    if text and text.strip():
        like = f"%{text.strip()}%"
        q = q.where(Agreement.party_a.like(like) | Agreement.party_b.like(like) | Target.name.like(like)
                    | Agreement.note.like(like))
    q = q.order_by(Agreement.signed_on.nulls_last(), Agreement.kind, Agreement.id)
    with ledger.reader() as s:
        return _rows(s, q)


def agreements_of_entry(session, entry_id: int) -> list[AgreementRow]:
    q = _query().where(Agreement.entry_id == entry_id).order_by(Agreement.signed_on.nulls_last(), Agreement.id)
    return _rows(session, q)


def get_agreement(ledger: Ledger, agreement_id: int) -> AgreementRow:
    with ledger.reader() as s:
        rows = _rows(s, _query().where(Agreement.id == agreement_id))
    if not rows:
        raise NotFound("该协议已不存在")
    return rows[0]


def choices(ledger: Ledger, year: int) -> AgreementChoices:
    """Towns, SOEs and the year's planned 收储/收购 entries, for the agreement dialog."""
    from desktop.models import Acquisition

    with ledger.reader() as s:
        towns = [(i, n) for i, n in s.execute(select(Town.id, Town.name).where(Town.active)
                                              .order_by(Town.sort_order, Town.id))]
        soes = [(i, n) for i, n in s.execute(select(Soe.id, Soe.name).order_by(Soe.id))]
        year_id = _year_id(s, year)
        q = (select(ListEntry.id, GovernanceList.town_id, Target.name, ListEntry.state, Acquisition.investor)
             .join(GovernanceList, GovernanceList.id == ListEntry.list_id)
             .join(Target, Target.id == ListEntry.target_id)
             .outerjoin(Acquisition, Acquisition.entry_id == ListEntry.id)
             .where(GovernanceList.year_id == year_id, ListEntry.state.in_(PLAN_FILED_ON_STATES))
             .order_by(Target.name))
        found = s.execute(q).all()
        plans = latest_plans(s, [r[0] for r in found])
        entries = []
        for eid, town_id, name, _state, investor in found:
            plan = plans.get(eid)
            if plan is None or plan[0] not in (Method.LAND_BANKING, Method.ACQUISITION):
                continue
            entries.append(EntryChoice(eid, town_id, name, plan[0], plan[1], plan[2], investor or ""))
    return AgreementChoices(towns, soes, entries)


def latest_plans(session, entry_ids: list[int]) -> dict[int, tuple[Method, int | None, Decimal]]:
    """entry id → (method, SOE, planned area) of its latest plan, read in one query."""
    out: dict[int, tuple] = {}
    if not entry_ids:
        return out
    q = (select(Plan.entry_id, Plan.method, Plan.soe_id, Plan.planned_area_mu)
         .where(Plan.entry_id.in_(entry_ids))
         .order_by(Plan.entry_id, Plan.filed_on.nulls_first(), Plan.id))
    for eid, method, soe_id, area in session.execute(q):
        out[eid] = (method, soe_id, area)  # the last one read wins: the latest filed
    return out


def entries_planned_as(session, year_id: int, method: Method, *, town_id: int | None = None, text: str = "",
                       entry_id: int | None = None) -> list[tuple]:
    """((entry, target name, town id, town name), latest plan) of the year's filed entries whose latest plan is
    `method` (政府收储 or 市场化收购), in 附件1 town order then by name; `text` filters the target name."""
    q = (select(ListEntry, Target.name, GovernanceList.town_id, Town.name)
         .join(GovernanceList, GovernanceList.id == ListEntry.list_id)
         .join(Town, Town.id == GovernanceList.town_id)
         .join(Target, Target.id == ListEntry.target_id)
         .where(GovernanceList.year_id == year_id, ListEntry.state.in_(PLAN_FILED_ON_STATES),
                ListEntry.id.in_(select(Plan.entry_id).where(Plan.method == method)))
         .order_by(Town.sort_order, Town.id, Target.name))
    if town_id is not None:
        q = q.where(GovernanceList.town_id == town_id)
    if entry_id is not None:
        q = q.where(ListEntry.id == entry_id)
    if text and text.strip():
        q = q.where(Target.name.like(f"%{text.strip()}%"))
    rows = session.execute(q).all()
    plans = latest_plans(session, [e.id for e, *_ in rows])
    return [(r, plans[r[0].id]) for r in rows if plans.get(r[0].id, (None,))[0] is method]


# --- Checking ----------------------------------------------------------------------------------

def clean(values: AgreementValues, *, today: dt.date) -> AgreementValues:
    """Field checks that need no database (`today`: the ledger's day); ValidationError names the field."""
    v = replace(values, party_a=(values.party_a or "").strip(), party_b=(values.party_b or "").strip(),
                note=(values.note or "").strip())
    if not isinstance(v.kind, AgreementKind):
        raise ValidationError("请选择协议类型", field="kind")
    if v.town_id is None:
        raise ValidationError("请选择镇街", field="town_id")
    if v.kind in KINDS_NEEDING_ENTRY and v.entry_id is None:
        raise ValidationError(f"{v.kind.label}须对应清单中的治理对象", field="entry_id")
    if v.kind in KINDS_NEEDING_SOE and v.soe_id is None:
        raise ValidationError(f"{v.kind.label}须选择合作的市级国企", field="soe_id")
    if not v.party_a:
        raise ValidationError("请填写甲方", field="party_a")
    if not v.party_b:
        raise ValidationError("请填写乙方", field="party_b")
    if v.signed_on is None:
        raise ValidationError("请填写签订日期", field="signed_on")
    if v.signed_on > today:
        raise ValidationError(f"签订日期不能晚于今天（{today:%Y-%m-%d}）", field="signed_on")
    if v.filed_on is not None:
        if v.filed_on < v.signed_on:
            raise ValidationError(f"备案日期不能早于签订日期（{v.signed_on:%Y-%m-%d}）", field="filed_on")
        if v.filed_on > today:
            raise ValidationError(f"备案日期不能晚于今天（{today:%Y-%m-%d}）", field="filed_on")
    v.amount_wan = numbers.check(v.amount_wan, label="金额", field="amount_wan")
    if v.area_mu is not None and v.area_mu <= 0:
        raise ValidationError("面积应大于0", field="area_mu")
    v.area_mu = numbers.check(v.area_mu, label="面积", field="area_mu")
    if v.kind in CAPPED_KINDS:
        # 四(二): the average is taken over amount and area, so a 收储协议 needs both.
        if v.amount_wan is None:
            raise ValidationError("收储协议须填写协议金额（万元）", field="amount_wan")
        if v.area_mu is None:
            raise ValidationError("收储协议须填写收储面积（亩）", field="area_mu")
    return v


def _check_references(session, v: AgreementValues, year_id: int) -> None:
    if session.get(Town, v.town_id) is None:
        raise NotFound("所选镇街已不存在")
    if v.soe_id is not None and session.get(Soe, v.soe_id) is None:
        raise NotFound("所选市级国企已不存在")
    if v.entry_id is None:
        return
    method = METHOD_OF_KIND.get(v.kind)
    if method is not None:
        entry, _plan = require_planned_entry(session, v.entry_id, method)
    else:
        entry = session.get(ListEntry, v.entry_id)
        if entry is None:
            raise NotFound("该清单条目已不存在")
    lst = session.get(GovernanceList, entry.list_id)
    if lst.town_id != v.town_id:
        raise ValidationError("所选治理对象不属于该镇街", field="entry_id")
    if lst.year_id != year_id:
        raise ValidationError(f"所选治理对象不在 {v.year} 年度清单中", field="entry_id")
    if v.kind in KINDS_AFTER_JOINT_REVIEW:
        require_joint_review_passed(session, v.entry_id, v.kind, v.signed_on)


def _pair_totals(session, year_id: int, soe_id: int, town_id: int, exclude_id: int | None = None
                 ) -> tuple[int, Decimal, Decimal]:
    """Count, amount and area of the pair's 收储协议 that have both numbers (exact SQL sums)."""
    q = (select(func.count(Agreement.id), func.sum(Agreement.amount_wan), func.sum(Agreement.area_mu))
         .where(Agreement.year_id == year_id, Agreement.soe_id == soe_id, Agreement.town_id == town_id,
                Agreement.kind.in_(CAPPED_KINDS), Agreement.amount_wan.is_not(None),
                Agreement.area_mu.is_not(None)))
    if exclude_id is not None:
        q = q.where(Agreement.id != exclude_id)
    n, amount, area = session.execute(q).one()
    return n or 0, amount or ZERO, area or ZERO


def _preview(session, v: AgreementValues, params) -> CapPreview:
    town = session.scalar(select(Town.name).where(Town.id == v.town_id)) if v.town_id else ""
    soe = session.scalar(select(Soe.name).where(Soe.id == v.soe_id)) if v.soe_id else ""
    own = rules.cost_per_mu(v.amount_wan, v.area_mu)
    cap = params.landbank_cost_cap_wan_per_mu
    applies = v.kind in CAPPED_KINDS and v.soe_id is not None and v.town_id is not None
    if not applies:
        return CapPreview(False, own, soe or "", town or "", v.year, cap)
    year_id = _year_id(session, v.year)
    n0, amount0, area0 = _pair_totals(session, year_id, v.soe_id, v.town_id)
    n1, amount1, area1 = _pair_totals(session, year_id, v.soe_id, v.town_id, exclude_id=v.id)
    if v.amount_wan is not None and v.area_mu:
        n1, amount1, area1 = n1 + 1, amount1 + Decimal(v.amount_wan), area1 + Decimal(v.area_mu)
    return CapPreview(
        True, own, soe or "", town or "", v.year, cap,
        before_count=n0, before_avg=rules.average_cost_per_mu(amount0, area0),
        after_count=n1, after_amount_wan=amount1, after_area_mu=area1,
        after_avg=rules.average_cost_per_mu(amount1, area1),
        over=rules.over_cost_cap(params, amount1, area1))


def preview_agreement(ledger: Ledger, values: AgreementValues) -> CapPreview:
    """四(二) before saving: this agreement's cost per 亩 and the SOE × town average of the year before
    and after it (an edited agreement's old values are replaced, not added)."""
    with ledger.reader() as s:
        params = year_service.params_in_session(s, values.year)
        return _preview(s, values, params)


# --- Writing -----------------------------------------------------------------------------------

def save_agreement(ledger: Ledger, values: AgreementValues, *, confirm_over_cap: bool = False,
                   today: dt.date | None = None) -> AgreementRow:
    """Create or update an agreement. A 收储协议 that would lift its SOE × town average above the
    year's cap is refused (OverCapRefused, with the numbers) unless `confirm_over_cap`; a confirmed
    one is saved flagged and recorded in the audit log as 超限确认."""
    v = clean(values, today=today or ledger.today())
    with ledger.session() as s:
        year_id = _year_id(s, v.year)
        params = year_service.params_in_session(s, v.year)
        _check_references(s, v, year_id)
        old_entry_id = None
        if v.id is not None:
            a = s.get(Agreement, v.id)
            if a is None:
                raise NotFound("该协议已不存在")
            if v.revision is not None and a.revision != v.revision:
                raise Refused("该协议已被他人修改，请关闭后重新打开")
            old_entry_id = a.entry_id
        preview = _preview(s, v, params)
        if preview.over and not confirm_over_cap:
            raise OverCapRefused(preview)
        if v.id is None:
            a = Agreement(kind=v.kind, year_id=year_id, town_id=v.town_id)
            s.add(a)
        filed_before = a.filed_on
        new = {"kind": v.kind, "year_id": year_id, "town_id": v.town_id, "entry_id": v.entry_id,
               "soe_id": v.soe_id, "party_a": v.party_a, "party_b": v.party_b, "signed_on": v.signed_on,
               "amount_wan": v.amount_wan, "area_mu": v.area_mu, "filed_on": v.filed_on, "note": v.note,
               "over_cap_confirmed": preview.over}
        for key, value in new.items():
            if getattr(a, key) != value:
                setattr(a, key, value)
        if a.filed_on != filed_before:
            filing_service.stamp_filing(ledger, a)
        s.flush()
        if preview.over:
            audit.record(s, "超限确认", OBJECT_TYPE, a.id,
                         label=f"{preview.soe}×{preview.town} {preview.year}年度收储成本均价 "
                               f"{preview.after_avg:.2f} 万元/亩（上限 {plain(preview.cap)}）",
                         after=preview.audit_numbers())
        _after_change(s, a.entry_id, old_entry_id)
        return _rows(s, _query().where(Agreement.id == a.id))[0]


def _after_change(session, *entry_ids: int | None) -> None:
    """An acquisition's stage follows its agreements (signed, filed)."""
    for eid in {e for e in entry_ids if e is not None}:
        sync_stage(session, eid)


def delete_agreement(ledger: Ledger, agreement_id: int) -> None:
    """Delete an agreement and unlink its scans (a scan another object uses is kept)."""
    with ledger.session() as s:
        a = s.get(Agreement, agreement_id)
        if a is None:
            raise NotFound("该协议已不存在")
        entry_id = a.entry_id
        s.delete(a)
        s.flush()
        _after_change(s, entry_id)
        attachment_ids = list(s.scalars(select(Attachment.id).where(
            Attachment.object_type == OBJECT_TYPE, Attachment.object_id == agreement_id)))
    for att_id in attachment_ids:
        attachment_service.remove(ledger, att_id)


# --- Report ------------------------------------------------------------------------------------

def over_cap_report(ledger: Ledger, year: int, *, only_over: bool = False) -> list[PairRow]:
    """四(二): every SOE × town pair of the year over their 收储协议 — average cost per 亩 against the
    cap, flagged — or only the pairs above the cap. Over-cap pairs first, then by average."""
    with ledger.reader() as s:
        year_id = _year_id(s, year)
        params = year_service.params_in_session(s, year)
        q = (select(Agreement.soe_id, Soe.name, Agreement.town_id, Town.name, func.count(Agreement.id),
                    func.sum(Agreement.amount_wan), func.sum(Agreement.area_mu),
                    func.sum(case((Agreement.over_cap_confirmed, 1), else_=0)))
             .join(Soe, Soe.id == Agreement.soe_id)
             .join(Town, Town.id == Agreement.town_id)
             .where(Agreement.year_id == year_id, Agreement.kind.in_(CAPPED_KINDS),
                    Agreement.amount_wan.is_not(None), Agreement.area_mu.is_not(None))
             .group_by(Agreement.soe_id, Soe.name, Agreement.town_id, Town.name, Town.sort_order)
             .order_by(Soe.name, Town.sort_order))
        rows = []
        for soe_id, soe, town_id, town, n, amount, area, confirmed in s.execute(q):
            amount, area = amount or ZERO, area or ZERO
            over = rules.over_cost_cap(params, amount, area)
            if only_over and not over:
                continue
            rows.append(PairRow(soe_id, soe, town_id, town, n, amount, area,
                                rules.average_cost_per_mu(amount, area), params.landbank_cost_cap_wan_per_mu,
                                over, int(confirmed or 0)))
    rows.sort(key=lambda r: (not r.over, -(r.average or ZERO)))
    return rows
