"""市场化收购 (三(三)2): town review → negotiation → 会审 of the new project by the city's
产业项目全流程服务领导小组 → 收购协议, 投资监管协议 … → filed; and the tax bureau's monthly feedback.

The stage is derived from the dates, the 会审 result and the agreements (`derive_stage`), so it cannot
disagree with them; a failed 会审 holds the acquisition at 会审 until a new one passes, and no
收购/投资监管协议 can be signed meanwhile (`require_joint_review_passed`, called when an agreement is
saved). `tax_months` lists every month from the 收购协议's signing month with its record, flagging
months with no feedback (缺报) and months with taxes unpaid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from desktop.models import Acquisition, Agreement, GovernanceList, ListEntry, TaxRecord, Target, Town, Year
from desktop.models.enums import AcquisitionStage, AgreementKind, EntryState, Method
from desktop.services import units
from desktop.services.landbank import agreement_service
from desktop.services.landbank.acquisition_stage import (  # noqa: F401 - the stage rules, named here for callers
    derive_stage, entry_agreements, require_joint_review_passed, sync_stage, why_not_sign,
)
from desktop.services.landbank.agreement_service import AgreementRow
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.ledger import Ledger

Stage = AcquisitionStage
ZERO = Decimal(0)


@dataclass(frozen=True)
class AcquisitionRow:
    entry_id: int
    acquisition_id: int | None
    town_id: int
    town: str
    target: str
    planned_area_mu: Decimal
    state: EntryState
    investor: str
    new_project: str
    stage: AcquisitionStage
    town_reviewed_on: dt.date | None
    negotiated_on: dt.date | None
    joint_review_on: dt.date | None
    joint_review_passed: bool | None
    signed_on: dt.date | None  # of the 收购协议
    filed_on: dt.date | None
    missing_months: int
    unpaid_wan: Decimal
    note: str
    revision: int | None

    @property
    def id(self) -> int:
        return self.entry_id

    @property
    def stage_text(self) -> str:
        if self.stage is Stage.JOINT_REVIEW:
            if self.joint_review_passed:
                return "会审通过，待签约"
            if self.joint_review_passed is False:
                return "会审未通过"
            return "待会审"
        return self.stage.label

    @property
    def joint_review_text(self) -> str:
        if self.joint_review_on is None:
            return ""
        result = {True: "通过", False: "未通过", None: ""}[self.joint_review_passed]
        return f"{self.joint_review_on:%Y-%m-%d} {result}".strip()


@dataclass
class AcquisitionValues:
    """The acquisition form: investor, new project and the dates of each stage."""

    investor: str = ""
    new_project: str = ""
    town_reviewed_on: dt.date | None = None
    negotiated_on: dt.date | None = None
    joint_review_on: dt.date | None = None
    joint_review_passed: bool | None = None
    note: str = ""
    revision: int | None = None


@dataclass(frozen=True)
class TaxMonthRow:
    month: dt.date  # first day
    record_id: int | None
    due_wan: Decimal | None
    paid_wan: Decimal | None
    note: str
    missing: bool  # 缺报: no feedback for a month in the range

    @property
    def id(self) -> dt.date:
        return self.month

    @property
    def balance_wan(self) -> Decimal | None:
        if self.record_id is None or self.due_wan is None:
            return None
        return Decimal(self.due_wan) - Decimal(self.paid_wan or 0)

    @property
    def unpaid(self) -> bool:
        b = self.balance_wan
        return b is not None and b > 0

    @property
    def status(self) -> str:
        if self.missing:
            return "缺报"
        if self.record_id is None:
            return ""
        if self.unpaid:
            return f"欠缴 {units.fmt(self.balance_wan, 2)} 万元"
        return "已缴清"


# --- Reading -------------------------------------------------------------------------------------

def _acquisition_entries(session, year_id: int, town_id: int | None, text: str):
    """(entry, target name, town id, town name) of the year's entries whose latest plan is 收购."""
    return [r for r, _plan in agreement_service.entries_planned_as(session, year_id, Method.ACQUISITION,
                                                                    town_id=town_id, text=text)]


def _month(d: dt.date) -> dt.date:
    return dt.date(d.year, d.month, 1)


def _next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)


def _tax_months(session, acq: Acquisition, as_of: dt.date) -> list[TaxMonthRow]:
    signed = session.scalar(select(Agreement.signed_on).where(
        Agreement.entry_id == acq.entry_id, Agreement.kind == AgreementKind.ACQUISITION,
        Agreement.signed_on.is_not(None)).order_by(Agreement.signed_on).limit(1))
    records = {r.month: r for r in session.scalars(select(TaxRecord).where(TaxRecord.acquisition_id == acq.id))}
    months: list[dt.date] = []
    if signed is not None:
        m, last = _month(signed), _month(as_of)
        while m <= last:
            months.append(m)
            m = _next_month(m)
    in_range = set(months)
    months += [m for m in records if m not in in_range]  # feedback recorded outside the range stays visible
    out = []
    for m in sorted(months):
        r = records.get(m)
        if r is None:
            out.append(TaxMonthRow(m, None, None, None, "", True))
        else:
            out.append(TaxMonthRow(m, r.id, r.due_wan, r.paid_wan, r.note, False))
    return out


def acquisition_entries(ledger: Ledger, year: int, *, town_id: int | None = None, text: str = "",
                        as_of: dt.date | None = None) -> list[AcquisitionRow]:
    """The year's entries with a filed 收购 plan, with their acquisition (if opened) and tax flags."""
    as_of = as_of or ledger.today()
    with ledger.reader() as s:
        year_id = s.scalar(select(Year.id).where(Year.year == year))
        if year_id is None:
            raise NotFound(f"没有 {year} 年度")
        found = _acquisition_entries(s, year_id, town_id, text)
        ids = [e.id for e, *_ in found]
        acqs = {a.entry_id: a for a in s.scalars(select(Acquisition).where(Acquisition.entry_id.in_(ids)))} if ids else {}
        agreements: dict[int, list[Agreement]] = {}
        if ids:
            for a in s.scalars(select(Agreement).where(Agreement.entry_id.in_(ids))):
                agreements.setdefault(a.entry_id, []).append(a)
        out = []
        for e, target, tid, town in found:
            acq = acqs.get(e.id)
            ags = agreements.get(e.id, [])
            out.append(_row(s, e, target, tid, town, acq, ags, as_of))
        return out


def _row(session, e: ListEntry, target: str, town_id: int, town: str, acq: Acquisition | None,
         ags: list[Agreement], as_of: dt.date) -> AcquisitionRow:
    main = sorted((a for a in ags if a.kind is AgreementKind.ACQUISITION and a.signed_on),
                  key=lambda a: a.signed_on)
    months = _tax_months(session, acq, as_of) if acq is not None else []
    missing = sum(1 for m in months if m.missing)
    unpaid = sum((m.balance_wan for m in months if m.unpaid), ZERO)
    return AcquisitionRow(
        e.id, acq.id if acq else None, town_id, town, target, e.planned_area_mu, e.state,
        acq.investor if acq else "", acq.new_project if acq else "", derive_stage(acq, ags),
        acq.town_reviewed_on if acq else None, acq.negotiated_on if acq else None,
        acq.joint_review_on if acq else None, acq.joint_review_passed if acq else None,
        main[0].signed_on if main else None, main[0].filed_on if main else None, missing, unpaid,
        acq.note if acq else "", acq.revision if acq else None)


def get_acquisition(ledger: Ledger, entry_id: int, *, as_of: dt.date | None = None) -> AcquisitionRow:
    as_of = as_of or ledger.today()
    with ledger.reader() as s:
        e, _plan = agreement_service.require_planned_entry(s, entry_id, Method.ACQUISITION)
        return _row_of(s, e, as_of)


def _row_of(session, e: ListEntry, as_of: dt.date) -> AcquisitionRow:
    target = session.scalar(select(Target.name).where(Target.id == e.target_id))
    town_id, town = session.execute(select(Town.id, Town.name).join(GovernanceList, GovernanceList.town_id == Town.id)
                                    .where(GovernanceList.id == e.list_id)).one()
    acq = session.scalar(select(Acquisition).where(Acquisition.entry_id == e.id))
    return _row(session, e, target, town_id, town, acq, entry_agreements(session, e.id), as_of)


def agreements_of(ledger: Ledger, entry_id: int) -> list[AgreementRow]:
    with ledger.reader() as s:
        return agreement_service.agreements_of_entry(s, entry_id)


def tax_months(ledger: Ledger, acquisition_id: int, as_of: dt.date) -> list[TaxMonthRow]:
    """Every month from the 收购协议's signing month to `as_of`'s month, each with its tax record or
    flagged 缺报 (no feedback); records outside that range are listed too."""
    with ledger.reader() as s:
        acq = s.get(Acquisition, acquisition_id)
        if acq is None:
            raise NotFound("该收购记录已不存在")
        return _tax_months(s, acq, as_of)


# --- Writing -------------------------------------------------------------------------------------

def open_acquisition(ledger: Ledger, entry_id: int) -> int:
    """The acquisition record of an entry with a filed 收购 plan (created on first use)."""
    with ledger.session() as s:
        return _open(s, entry_id).id


def _open(session, entry_id: int) -> Acquisition:
    agreement_service.require_planned_entry(session, entry_id, Method.ACQUISITION)
    acq = session.scalar(select(Acquisition).where(Acquisition.entry_id == entry_id))
    if acq is None:
        acq = Acquisition(entry_id=entry_id)
        session.add(acq)
        session.flush()
    return acq


def clean(v: AcquisitionValues, *, today: dt.date) -> AcquisitionValues:
    """The stages in order, dates not in the future; ValidationError names the field."""
    for name, label in (("town_reviewed_on", "镇街审核日期"), ("negotiated_on", "洽谈日期"),
                        ("joint_review_on", "会审日期")):
        d = getattr(v, name)
        if d is not None and d > today:
            raise ValidationError(f"{label}不能晚于今天（{today:%Y-%m-%d}）", field=name)
    if v.negotiated_on is not None:
        if v.town_reviewed_on is None:
            raise ValidationError("请先填写镇街审核日期（审核后才能洽谈）", field="town_reviewed_on")
        if v.negotiated_on < v.town_reviewed_on:
            raise ValidationError("洽谈日期不能早于镇街审核日期", field="negotiated_on")
    if v.joint_review_on is not None:
        if v.negotiated_on is None:
            raise ValidationError("请先填写洽谈日期（洽谈完成后才提请会审）", field="negotiated_on")
        if v.joint_review_on < v.negotiated_on:
            raise ValidationError("会审日期不能早于洽谈日期", field="joint_review_on")
        if v.joint_review_passed is None:
            raise ValidationError("请选择会审结果（通过或未通过）", field="joint_review_passed")
    elif v.joint_review_passed is not None:
        raise ValidationError("请填写会审日期", field="joint_review_on")
    v.investor = (v.investor or "").strip()
    v.new_project = (v.new_project or "").strip()
    v.note = (v.note or "").strip()
    return v


def save_acquisition(ledger: Ledger, entry_id: int, values: AcquisitionValues, *, today: dt.date | None = None,
                     as_of: dt.date | None = None) -> AcquisitionRow:
    """Save investor, new project and stage dates. A new 会审 after a failed one must be later; the
    failed one is kept in the note. A 会审 cannot be set back to failed once a 收购协议 is signed."""
    v = clean(values, today=today or ledger.today())
    with ledger.session() as s:
        acq = _open(s, entry_id)
        if v.revision is not None and acq.revision != v.revision:
            raise Refused("该收购记录已被他人修改，请刷新后重试")
        signed = [a for a in entry_agreements(s, entry_id)
                  if a.kind in agreement_service.KINDS_AFTER_JOINT_REVIEW and a.signed_on]
        if signed and not v.joint_review_passed:
            raise Refused(f"已签订{signed[0].kind.label}（{signed[0].signed_on:%Y-%m-%d}），会审结果不能改为未通过或清空",
                          field="joint_review_passed")
        if signed and v.joint_review_on and v.joint_review_on > min(a.signed_on for a in signed):
            raise ValidationError("会审日期不能晚于已签订协议的签订日期", field="joint_review_on")
        note = v.note
        if acq.joint_review_passed is False and acq.joint_review_on is not None \
                and v.joint_review_on is not None and v.joint_review_on != acq.joint_review_on:
            if v.joint_review_on < acq.joint_review_on:
                raise ValidationError(f"新的会审日期应晚于上次未通过的会审（{acq.joint_review_on:%Y-%m-%d}）",
                                      field="joint_review_on")
            history = f"{acq.joint_review_on:%Y-%m-%d} 会审未通过"
            if history not in note:
                note = f"{note}\n{history}".strip()
        for key, value in (("investor", v.investor), ("new_project", v.new_project),
                           ("town_reviewed_on", v.town_reviewed_on), ("negotiated_on", v.negotiated_on),
                           ("joint_review_on", v.joint_review_on), ("joint_review_passed", v.joint_review_passed),
                           ("note", note)):
            if getattr(acq, key) != value:
                setattr(acq, key, value)
        s.flush()
        sync_stage(s, entry_id)
        s.flush()
        return _row_of(s, s.get(ListEntry, entry_id), as_of or ledger.today())


def save_tax_record(ledger: Ledger, acquisition_id: int, month: dt.date, due_wan, paid_wan, note: str = "", *,
                    today: dt.date | None = None) -> TaxMonthRow:
    """The tax bureau's feedback for one month (三(三)2: 每月向市专治办反馈); one record per month."""
    today = today or ledger.today()
    if month is None:
        raise ValidationError("请选择月份", field="month")
    month = _month(month)
    if month > _month(today):
        raise ValidationError("不能登记未来月份的税收反馈", field="month")
    due = units.parse_decimal(due_wan, field="due_wan", label="应缴税款", allow_empty=False)
    paid = units.parse_decimal(paid_wan, field="paid_wan", label="已缴税款")
    with ledger.session() as s:
        acq = s.get(Acquisition, acquisition_id)
        if acq is None:
            raise NotFound("该收购记录已不存在")
        r = s.scalar(select(TaxRecord).where(TaxRecord.acquisition_id == acquisition_id, TaxRecord.month == month))
        if r is None:
            r = TaxRecord(acquisition_id=acquisition_id, month=month)
            s.add(r)
        for key, value in (("due_wan", due), ("paid_wan", paid), ("note", (note or "").strip())):
            if getattr(r, key) != value:
                setattr(r, key, value)
        s.flush()
        return TaxMonthRow(r.month, r.id, r.due_wan, r.paid_wan, r.note, False)


def delete_tax_record(ledger: Ledger, record_id: int) -> None:
    with ledger.session() as s:
        r = s.get(TaxRecord, record_id)
        if r is None:
            raise NotFound("该税收记录已不存在")
        s.delete(r)
