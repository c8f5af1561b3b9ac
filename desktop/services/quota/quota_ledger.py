"""周转指标库 (四(三)), the reading side: loans as of a date with balance, due date, days overdue and fee;
totals per SOE and per town; the filed plans that may lend; and the rules the page asks before it acts.

Every number — the 30 % cap, the return year, the 85 万元/亩 fee — comes from the parameters of the
LOAN's year (or, when that year has none, the latest year before it) through the rules in rules.py.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from desktop.models import GovernanceList, ListEntry, Plan, QuotaLoan, QuotaReturn, Soe, Target, Town
from desktop.models.enums import EntryState, Method
from desktop.services import rules
from desktop.services.dates import cn_date
from desktop.services.ledger import Ledger
from desktop.services.year import year_service

ZERO = Decimal(0)
# A plan may lend once it is filed: its entry at 方案已备案 or any later state (DOMAIN §2), never 已撤销.
FILED_STATES = frozenset({EntryState.PLAN_FILED, EntryState.IN_PROGRESS, EntryState.REPORTED, EntryState.VERIFIED,
                          EntryState.VERIFY_FAILED})
# The ledger marks open loans falling due within this many days (a reminder, not a rule of the plan).
DUE_SOON_DAYS = 60


# ---- data handed out -----------------------------------------------------------------------

@dataclass(frozen=True)
class LoanLedgerRow:
    """One loan as of a date. The field list is shared with the 期限 page: do not change it."""

    loan_id: int
    plan_id: int
    soe_id: int
    soe: str
    town_id: int
    town: str
    loan_date: dt.date
    area_mu: Decimal
    returned_mu: Decimal
    balance_mu: Decimal
    due_date: dt.date
    days_overdue: int
    fee_wan: Decimal
    purpose: str

    @property
    def id(self) -> int:
        """The loan's id under the name the page kit looks for."""
        return self.loan_id


@dataclass(frozen=True)
class LedgerTotal:
    """Totals of a group of loans (one SOE, one town, or all)."""

    key_id: int | None
    name: str
    loans: int = 0
    borrowed_mu: Decimal = ZERO
    returned_mu: Decimal = ZERO
    balance_mu: Decimal = ZERO
    overdue_loans: int = 0
    overdue_mu: Decimal = ZERO
    fee_wan: Decimal = ZERO


@dataclass(frozen=True)
class ReturnRow:
    id: int
    loan_id: int
    return_date: dt.date
    area_mu: Decimal
    note: str


@dataclass
class QuotaLedger:
    """What the 周转指标库 page and its export show: loans, their plans' names, returns and totals."""

    as_of: dt.date
    rows: list[LoanLedgerRow]
    plan_labels: dict[int, str] = field(default_factory=dict)
    returns: dict[int, list[ReturnRow]] = field(default_factory=dict)
    by_soe: list[LedgerTotal] = field(default_factory=list)
    by_town: list[LedgerTotal] = field(default_factory=list)
    total: LedgerTotal | None = None
    town_name: str | None = None
    soe_name: str | None = None
    terms: LoanTerms | None = None  # the rules for loans taken in the as-of year


@dataclass(frozen=True)
class PlanChoice:
    """A filed 收储 plan the dialog offers, with its room under the cap for a loan on `on`."""

    plan_id: int
    label: str  # the target's name
    town_id: int
    town: str
    soe_id: int
    soe: str
    planned_area_mu: Decimal
    filed_on: dt.date
    ratio_pct: Decimal
    cap_mu: Decimal
    open_mu: Decimal

    @property
    def room_mu(self) -> Decimal:
        return self.cap_mu - self.open_mu


@dataclass(frozen=True)
class LoanTerms:
    """四(三) as a year's parameters put it, for loans taken in `year`: the cap, the return due, the fee."""

    year: int
    ratio_pct: Decimal
    return_years: int
    due_date: dt.date  # when a loan taken in `year` is due back (rules.quota_return_due)
    fee_wan_per_mu: Decimal

    @property
    def due_text(self) -> str:
        """The due day in words: 预借当年 / 预借次年 / 预借后第N年 12月31日."""
        n = self.return_years
        which = "预借当年" if n == 0 else "预借次年" if n == 1 else f"预借后第{n}年"
        return f"{which}{self.due_date.month}月{self.due_date.day}日"

    @property
    def ratio_text(self) -> str:
        return f"{_plain(self.ratio_pct)}%"

    @property
    def fee_text(self) -> str:
        return f"{_plain(self.fee_wan_per_mu)} 万元/亩"

    @property
    def summary(self) -> str:
        """The rule in one sentence, for forms and printed notes."""
        return (f"同一方案未还的预借合计不得超过计划收储面积的{self.ratio_text}；{self.year}年的预借应于"
                f"{cn_date(self.due_date)}前归还（{self.due_text}），逾期未还的每亩收取指标使用费"
                f"{self.fee_text}（四(三)，{self.year}年度参数）。")


def _plain(value: Decimal) -> str:
    """30 not 30.0000."""
    return format(Decimal(value).normalize(), "f")


# ---- parameters of a loan's year -----------------------------------------------------------

class _ParamsByYear:
    """year_service.params_for a loan year, each year read once in this session."""

    def __init__(self, session) -> None:
        self.session = session
        self.cache: dict[int, year_service.Params] = {}

    def __call__(self, year: int) -> year_service.Params:
        return year_service.params_for(self.session, dt.date(year, 1, 1), cache=self.cache)


def params_for_loan_year(ledger: Ledger, year: int) -> year_service.Params:
    """The parameters that govern a loan taken in `year` (see _ParamsByYear)."""
    with ledger.reader() as s:
        return _ParamsByYear(s)(year)


def _terms(p: year_service.Params, year: int) -> LoanTerms:
    return LoanTerms(year, p.quota_borrow_ratio_pct, p.quota_return_years,
                     rules.quota_return_due(p, dt.date(year, 1, 1)), p.quota_overdue_fee_wan_per_mu)


def loan_terms(ledger: Ledger, year: int) -> LoanTerms:
    """The cap, return due and fee that apply to a loan taken in `year`, from the parameters."""
    with ledger.reader() as s:
        return _terms(_ParamsByYear(s)(year), year)


# ---- what the page may do ------------------------------------------------------------------

def why_not_return(row: LoanLedgerRow | None) -> str | None:
    """Why a return cannot be recorded on the loan (None: it can)."""
    if row is None:
        return "请先选择一笔预借"
    if row.balance_mu <= 0:
        return "该笔预借已全部归还"
    return None


def why_not_delete(row: LoanLedgerRow | None) -> str | None:
    """Why the loan cannot be deleted (None: it can, after asking)."""
    if row is None:
        return "请先选择一笔预借"
    if row.returned_mu > 0:
        return "该笔预借已有归还记录，不能删除；如确系误录，请先删除其归还记录"
    return None


# ---- reads ---------------------------------------------------------------------------------

def _ledger_rows(s, loan_ids: list[int] | None, *, as_of: dt.date, town_id: int | None = None,
                 soe_id: int | None = None) -> list[LoanLedgerRow]:
    q = (select(QuotaLoan.id, QuotaLoan.plan_id, QuotaLoan.soe_id, Soe.name, QuotaLoan.town_id, Town.name,
                QuotaLoan.loan_date, QuotaLoan.area_mu, QuotaLoan.purpose)
         .join(Soe, Soe.id == QuotaLoan.soe_id).join(Town, Town.id == QuotaLoan.town_id)
         .where(QuotaLoan.loan_date <= as_of)
         .order_by(QuotaLoan.loan_date, QuotaLoan.id))
    if loan_ids is not None:
        q = q.where(QuotaLoan.id.in_(loan_ids))
    if town_id is not None:
        q = q.where(QuotaLoan.town_id == town_id)
    if soe_id is not None:
        q = q.where(QuotaLoan.soe_id == soe_id)
    loans = list(s.execute(q))
    returns: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    if loans:
        rq = select(QuotaReturn.loan_id, QuotaReturn.return_date, QuotaReturn.area_mu).where(
            QuotaReturn.return_date <= as_of)
        if loan_ids is not None or town_id is not None or soe_id is not None:
            rq = rq.where(QuotaReturn.loan_id.in_([x[0] for x in loans]))
        for lid, day, area in s.execute(rq):
            returns[lid].append((day, area))
    params = _ParamsByYear(s)
    out = []
    for lid, plan_id, sid, soe, tid, town, loan_date, area, purpose in loans:
        p = params(loan_date.year)
        due = rules.quota_return_due(p, loan_date)
        returned = sum((a for _d, a in returns[lid]), ZERO)
        balance = area - returned
        # 四(三): the fee falls on what was still unreturned when the return year ended; a later return
        # stops the clock (no more days overdue) but does not undo the fee.
        unreturned_at_due = area - sum((a for d, a in returns[lid] if d <= due), ZERO)
        fee = rules.quota_overdue_fee_wan(p, loan_date, unreturned_at_due, as_of)
        days = rules.quota_days_overdue(p, loan_date, as_of) if balance > 0 else 0
        out.append(LoanLedgerRow(lid, plan_id, sid, soe, tid, town, loan_date, area, returned, balance, due, days,
                                 fee, purpose))
    return out


def loan_ledger(ledger: Ledger, *, as_of: dt.date | None = None, town_id: int | None = None,
           soe_id: int | None = None) -> list[LoanLedgerRow]:
    """Every loan taken on or before `as_of` (default today), with returns up to that day counted."""
    as_of = as_of or ledger.today()
    with ledger.reader() as s:
        return _ledger_rows(s, None, as_of=as_of, town_id=town_id, soe_id=soe_id)


def _group(rows: list[LoanLedgerRow], key, name) -> list[LedgerTotal]:
    groups: dict = {}
    for r in rows:
        groups.setdefault(key(r), (name(r), []))[1].append(r)
    out = [_total(k, n, rs) for k, (n, rs) in groups.items()]
    out.sort(key=lambda t: t.name)
    return out


def _total(key_id, name: str, rows: list[LoanLedgerRow]) -> LedgerTotal:
    overdue = [r for r in rows if r.days_overdue > 0]
    return LedgerTotal(
        key_id, name, len(rows),
        sum((r.area_mu for r in rows), ZERO), sum((r.returned_mu for r in rows), ZERO),
        sum((r.balance_mu for r in rows), ZERO), len(overdue), sum((r.balance_mu for r in overdue), ZERO),
        sum((r.fee_wan for r in rows), ZERO))


def ledger_by_soe(rows: list[LoanLedgerRow]) -> list[LedgerTotal]:
    """Totals per SOE (borrowed, returned, balance, overdue balance, fee), by name."""
    return _group(rows, lambda r: r.soe_id, lambda r: r.soe)


def ledger_by_town(rows: list[LoanLedgerRow]) -> list[LedgerTotal]:
    """Totals per town (borrowed, returned, balance, overdue balance, fee), by name."""
    return _group(rows, lambda r: r.town_id, lambda r: r.town)


def ledger_total(rows: list[LoanLedgerRow]) -> LedgerTotal:
    return _total(None, "合计", rows)


def due_soon(row: LoanLedgerRow, as_of: dt.date) -> bool:
    """Open and not yet overdue, due within DUE_SOON_DAYS of `as_of` (the page shows it amber)."""
    return row.balance_mu > 0 and row.days_overdue == 0 and 0 <= (row.due_date - as_of).days <= DUE_SOON_DAYS


def ledger_report(ledger: Ledger, *, as_of: dt.date | None = None, town_id: int | None = None,
                  soe_id: int | None = None) -> QuotaLedger:
    """The ledger with what the page and the export show beside it: plan names, returns, totals."""
    as_of = as_of or ledger.today()
    with ledger.reader() as s:
        rows = _ledger_rows(s, None, as_of=as_of, town_id=town_id, soe_id=soe_id)
        terms = _terms(_ParamsByYear(s)(as_of.year), as_of.year)
        plan_ids = {r.plan_id for r in rows}
        labels: dict[int, str] = {}
        if plan_ids:
            q = (select(Plan.id, Target.name).join(ListEntry, ListEntry.id == Plan.entry_id)
                 .join(Target, Target.id == ListEntry.target_id).where(Plan.id.in_(plan_ids)))
            labels = {pid: name for pid, name in s.execute(q)}
        returns: dict[int, list[ReturnRow]] = defaultdict(list)
        loan_ids = [r.loan_id for r in rows]
        if loan_ids:
            for r in s.scalars(select(QuotaReturn).where(QuotaReturn.loan_id.in_(loan_ids),
                                                         QuotaReturn.return_date <= as_of)
                               .order_by(QuotaReturn.return_date, QuotaReturn.id)):
                returns[r.loan_id].append(ReturnRow(r.id, r.loan_id, r.return_date, r.area_mu, r.note))
        town_name = s.scalar(select(Town.name).where(Town.id == town_id)) if town_id is not None else None
        soe_name = s.scalar(select(Soe.name).where(Soe.id == soe_id)) if soe_id is not None else None
        town_order = {tid: n for n, tid in enumerate(s.scalars(select(Town.id).order_by(Town.sort_order, Town.id)))}
    by_town = sorted(ledger_by_town(rows), key=lambda t: town_order.get(t.key_id, len(town_order)))  # 附件1 order
    return QuotaLedger(as_of, rows, labels, dict(returns), ledger_by_soe(rows), by_town, ledger_total(rows),
                       town_name, soe_name, terms)


def lendable_plans(ledger: Ledger, *, on: dt.date | None = None) -> list[PlanChoice]:
    """Filed 收储 plans with a partner SOE, each with its cap for a loan dated `on` and its open loans."""
    on = on or ledger.today()
    with ledger.reader() as s:
        p = _ParamsByYear(s)(on.year)
        q = (select(Plan.id, Target.name, Town.id, Town.name, Soe.id, Soe.name, Plan.planned_area_mu, Plan.filed_on)
             .join(ListEntry, ListEntry.id == Plan.entry_id)
             .join(GovernanceList, GovernanceList.id == ListEntry.list_id)
             .join(Town, Town.id == GovernanceList.town_id)
             .join(Target, Target.id == ListEntry.target_id)
             .join(Soe, Soe.id == Plan.soe_id)
             .where(Plan.method == Method.LAND_BANKING, Plan.filed_on.is_not(None),
                    ListEntry.state.in_(FILED_STATES))
             .order_by(Town.sort_order, Town.id, Target.name))
        rows = list(s.execute(q))
        open_by_plan: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for pid, area in s.execute(select(QuotaLoan.plan_id, QuotaLoan.area_mu)):
            open_by_plan[pid] += area
        for pid, area in s.execute(select(QuotaLoan.plan_id, QuotaReturn.area_mu)
                                   .join(QuotaLoan, QuotaLoan.id == QuotaReturn.loan_id)):
            open_by_plan[pid] -= area
    return [PlanChoice(pid, label, tid, town, sid, soe, planned, filed, p.quota_borrow_ratio_pct,
                       rules.quota_borrow_cap_mu(p, planned), open_by_plan[pid])
            for pid, label, tid, town, sid, soe, planned, filed in rows]


@dataclass(frozen=True)
class Choice:
    """A town or an SOE of the page's filters (stopped towns are marked by the page)."""

    id: int
    name: str
    active: bool = True


def filter_choices(ledger: Ledger) -> tuple[list[Choice], list[Choice]]:
    """Towns and SOEs for the page's filters."""
    with ledger.reader() as s:
        towns = [Choice(i, n, a) for i, n, a in s.execute(
            select(Town.id, Town.name, Town.active).order_by(Town.sort_order, Town.id))]
        soes = [Choice(i, n) for i, n in s.execute(select(Soe.id, Soe.name).order_by(Soe.id))]
    return towns, soes
