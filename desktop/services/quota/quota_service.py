"""周转指标库 (四(三)): quota pre-borrowed by a filed plan's partner SOE, its returns, and the ledger.

Every number — the 30 % cap, the return year, the 85 万元/亩 fee — comes from the parameters of the
LOAN's year (or, when that year has none, the latest year before it) through the rules in rules.py.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from desktop.models import GovernanceList, ListEntry, Plan, QuotaLoan, QuotaPool, QuotaReturn, Soe, Target, Town, Year
from desktop.models.enums import EntryState, Method
from desktop.services import rules, units
from desktop.services.year import year_service
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.ledger import Ledger

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


# ---- input checks --------------------------------------------------------------------------

def parse_area(value, *, field: str = "area_mu", label: str = "面积") -> Decimal:
    """A positive area in 亩 (text or number; “12.5亩”/m² accepted)."""
    area = units.parse_area(value, field=field, label=label)
    if area is None:
        raise ValidationError(f"请填写{label}", field=field)
    if area <= 0:
        raise ValidationError(f"{label}应大于 0", field=field)
    return area


def _check_date(value, *, field: str, label: str) -> dt.date:
    if not isinstance(value, dt.date):
        raise ValidationError(f"请填写{label}", field=field)
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _mu(value: Decimal) -> str:
    return f"{units.fmt(value, 2)} 亩"


def _open_mu(session, plan_id: int) -> Decimal:
    """Balance of all loans against the plan (every return counted, whatever its date)."""
    borrowed = sum(session.scalars(select(QuotaLoan.area_mu).where(QuotaLoan.plan_id == plan_id)), ZERO)
    returned = sum(session.scalars(select(QuotaReturn.area_mu).join(QuotaLoan, QuotaLoan.id == QuotaReturn.loan_id)
                                   .where(QuotaLoan.plan_id == plan_id)), ZERO)
    return borrowed - returned


def _loan_balance(session, loan: QuotaLoan) -> Decimal:
    returned = sum(session.scalars(select(QuotaReturn.area_mu).where(QuotaReturn.loan_id == loan.id)), ZERO)
    return loan.area_mu - returned


def check_lendable(session, plan: Plan) -> None:
    """四(三): only a filed 收储 plan with a partner SOE may lend; Refused with the reason otherwise."""
    entry = session.get(ListEntry, plan.entry_id)
    if entry is None or entry.state is EntryState.CANCELLED:
        raise Refused("该方案对应的清单条目已撤销，不能预借周转指标")
    if plan.filed_on is None or entry.state not in FILED_STATES:
        raise Refused(f"该方案尚未备案（清单条目当前状态为“{entry.state.label}”），备案后方可预借周转指标")
    if plan.method is not Method.LAND_BANKING:
        raise Refused(f"该方案的治理方式为“{plan.method.label}”；周转指标只能按收储方案的计划收储面积预借")
    if plan.soe_id is None:
        raise Refused("该方案未确定合作国企，不能预借周转指标")


def _pct_text(value: Decimal) -> str:
    """30 not 30.0000."""
    text = format(Decimal(value).normalize(), "f")
    return text


def cap_message(p: year_service.Params, planned_mu: Decimal, open_mu: Decimal, new_mu: Decimal) -> str:
    """The refusal, with the numbers (四(三): 30 % of the plan's planned area)."""
    cap = rules.quota_borrow_cap_mu(p, planned_mu)
    over = open_mu + new_mu - cap
    return (f"该方案计划收储面积 {_mu(planned_mu)}，预借上限 {_pct_text(p.quota_borrow_ratio_pct)}% 即 {_mu(cap)}；"
            f"已借未还 {_mu(open_mu)}，本次 {_mu(new_mu)}，超出 {_mu(over)}")


# ---- writes --------------------------------------------------------------------------------

def lend(ledger: Ledger, plan_id: int, *, loan_date: dt.date, area_mu, purpose: str = "", soe_id: int | None = None,
         note: str = "") -> LoanLedgerRow:
    """新增预借: against a filed 收储 plan, by its partner SOE, within the cap of the loan year's parameters."""
    loan_date = _check_date(loan_date, field="loan_date", label="预借日期")
    area = parse_area(area_mu, field="area_mu", label="预借面积")
    purpose = (purpose or "").strip()
    with ledger.session() as s:
        plan = s.get(Plan, plan_id)
        if plan is None:
            raise NotFound("找不到该治理方案，可能已被删除")
        check_lendable(s, plan)
        if soe_id is not None and soe_id != plan.soe_id:
            soe = s.get(Soe, plan.soe_id)
            raise ValidationError(f"只有该方案的合作国企（{soe.name if soe else '—'}）可以预借", field="soe_id")
        if loan_date < plan.filed_on:
            raise ValidationError(f"预借日期不能早于方案备案日期 {plan.filed_on.isoformat()}", field="loan_date")
        p = _ParamsByYear(s)(loan_date.year)
        open_mu = _open_mu(s, plan.id)
        if not rules.quota_loan_allowed(p, plan.planned_area_mu, open_mu, area):
            raise Refused(cap_message(p, plan.planned_area_mu, open_mu, area))
        town_id = s.scalar(select(GovernanceList.town_id).join(ListEntry, ListEntry.list_id == GovernanceList.id)
                           .where(ListEntry.id == plan.entry_id))
        pool_id = s.scalar(select(QuotaPool.id).join(Year, Year.id == QuotaPool.year_id)
                           .where(Year.year == loan_date.year))
        loan = QuotaLoan(pool_id=pool_id, plan_id=plan.id, soe_id=plan.soe_id, town_id=town_id, loan_date=loan_date,
                         area_mu=area, purpose=purpose, note=(note or "").strip())
        s.add(loan)
        s.flush()
        return _ledger_rows(s, [loan.id], as_of=max(loan_date, ledger.today()))[0]


def return_quota(ledger: Ledger, loan_id: int, *, return_date: dt.date, area_mu, note: str = "") -> ReturnRow:
    """归还 (part of) a loan: never more than its balance, never before the loan date."""
    return_date = _check_date(return_date, field="return_date", label="归还日期")
    area = parse_area(area_mu, field="area_mu", label="归还面积")
    with ledger.session() as s:
        loan = s.get(QuotaLoan, loan_id)
        if loan is None:
            raise NotFound("找不到该笔预借，可能已被删除")
        if return_date < loan.loan_date:
            raise ValidationError(f"归还日期不能早于预借日期 {loan.loan_date.isoformat()}", field="return_date")
        balance = _loan_balance(s, loan)
        if balance <= 0:
            raise Refused("该笔预借已全部归还")
        if area > balance:
            raise ValidationError(f"归还面积 {_mu(area)}超过未还余额 {_mu(balance)}", field="area_mu")
        r = QuotaReturn(loan_id=loan.id, return_date=return_date, area_mu=area, note=(note or "").strip())
        s.add(r)
        s.flush()
        return ReturnRow(r.id, r.loan_id, r.return_date, r.area_mu, r.note)


def balance_of(ledger: Ledger, loan_id: int) -> Decimal:
    """What may still be returned on a loan (every return counted, whatever its date)."""
    with ledger.reader() as s:
        loan = s.get(QuotaLoan, loan_id)
        if loan is None:
            raise NotFound("找不到该笔预借，可能已被删除")
        return _loan_balance(s, loan)


def delete_return(ledger: Ledger, return_id: int) -> None:
    """Remove a return recorded by mistake (the audit log keeps it)."""
    with ledger.session() as s:
        r = s.get(QuotaReturn, return_id)
        if r is None:
            raise NotFound("找不到该笔归还记录")
        s.delete(r)


def delete_loan(ledger: Ledger, loan_id: int) -> None:
    """Remove a loan recorded by mistake; refused once something was returned (delete the returns first)."""
    with ledger.session() as s:
        loan = s.get(QuotaLoan, loan_id)
        if loan is None:
            raise NotFound("找不到该笔预借")
        if s.scalar(select(QuotaReturn.id).where(QuotaReturn.loan_id == loan_id).limit(1)) is not None:
            raise Refused("该笔预借已有归还记录，不能删除；如确系误录，请先删除其归还记录")
        s.delete(loan)


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
                       town_name, soe_name)


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


def filter_choices(ledger: Ledger) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Towns and SOEs for the page's filters."""
    with ledger.reader() as s:
        towns = [tuple(r) for r in s.execute(select(Town.id, Town.name).order_by(Town.sort_order, Town.id))]
        soes = [tuple(r) for r in s.execute(select(Soe.id, Soe.name).order_by(Soe.id))]
    return towns, soes


# ---- Excel export --------------------------------------------------------------------------

LOAN_COLUMNS: list[tuple[str, str]] = [
    ("town", "镇街"), ("soe", "合作国企"), ("plan", "收储方案（治理对象）"), ("loan_date", "预借日期"),
    ("purpose", "用途"), ("area_mu", "预借面积（亩）"), ("returned_mu", "已归还（亩）"), ("balance_mu", "未还余额（亩）"),
    ("due_date", "归还期限"), ("days_overdue", "逾期天数"), ("fee_wan", "指标使用费（万元）"),
]
TOTAL_COLUMNS: list[tuple[str, str]] = [
    ("name", ""), ("loans", "预借笔数"), ("borrowed_mu", "预借面积（亩）"), ("returned_mu", "已归还（亩）"),
    ("balance_mu", "未还余额（亩）"), ("overdue_loans", "逾期笔数"), ("overdue_mu", "逾期未还（亩）"),
    ("fee_wan", "指标使用费（万元）"),
]


def cn_date(day: dt.date) -> str:
    """2024年3月5日 (no leading zeros), as printed documents write dates."""
    return f"{day.year}年{day.month}月{day.day}日"


def loan_cell(report: QuotaLedger, row: LoanLedgerRow, key: str):
    """The value of one export/table cell of a loan row."""
    if key == "plan":
        return report.plan_labels.get(row.plan_id, "")
    return getattr(row, key)


def write_workbook(report: QuotaLedger, path: Path) -> Path:
    """Write the ledger workbook (openpyxl): 台账明细, 按国企汇总, 按镇街汇总."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="DDE4EE")
    red_fill = PatternFill("solid", fgColor="F4C7C3")
    amber_fill = PatternFill("solid", fgColor="FFE699")
    bold = Font(bold=True)
    scope = "、".join(x for x in (report.town_name, report.soe_name) if x)
    subtitle = f"截至 {cn_date(report.as_of)}" + (f"　范围：{scope}" if scope else "")

    def text(cell, value: str) -> None:
        cell.value = value
        cell.data_type = "s"  # never a formula, whatever the text starts with

    def put(ws, r: int, c: int, value, number_format: str | None = None):
        cell = ws.cell(row=r, column=c)
        if isinstance(value, str):
            text(cell, value)
        else:
            cell.value = value
        if number_format:
            cell.number_format = number_format
        cell.border = border
        return cell

    def fmt_of(key: str) -> str | None:
        if key.endswith("_mu") or key.endswith("_wan"):
            return "#,##0.00"
        if key.endswith("_date"):
            return "yyyy-mm-dd"
        if key in ("days_overdue", "loans", "overdue_loans"):
            return "0"
        return None

    def heading(ws, title: str, ncols: int) -> None:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
        text(ws.cell(row=1, column=1), title)
        ws.cell(row=1, column=1).font = Font(bold=True, size=16)
        ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncols)
        text(ws.cell(row=2, column=1), subtitle)
        ws.cell(row=2, column=1).alignment = Alignment(horizontal="center")

    def header_row(ws, r: int, labels: list[str]) -> None:
        for c, label in enumerate(labels, 1):
            cell = put(ws, r, c, label)
            cell.font = bold
            cell.fill = head_fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    wb = Workbook()
    ws = wb.active
    ws.title = "台账明细"
    heading(ws, "周转指标库台账", len(LOAN_COLUMNS) + 1)
    header_row(ws, 4, ["序号"] + [label for _k, label in LOAN_COLUMNS])
    r = 5
    for n, row in enumerate(report.rows, 1):
        fill = red_fill if row.days_overdue > 0 else amber_fill if due_soon(row, report.as_of) else None
        put(ws, r, 1, n, "0")
        for c, (key, _label) in enumerate(LOAN_COLUMNS, 2):
            cell = put(ws, r, c, loan_cell(report, row, key), fmt_of(key))
            if fill is not None:
                cell.fill = fill
        r += 1
    total = report.total or ledger_total(report.rows)
    put(ws, r, 1, "合计").font = bold
    for c, (key, _label) in enumerate(LOAN_COLUMNS, 2):
        value = {"area_mu": total.borrowed_mu, "returned_mu": total.returned_mu, "balance_mu": total.balance_mu,
                 "fee_wan": total.fee_wan}.get(key, "")
        put(ws, r, c, value, fmt_of(key)).font = bold
    note_row = r + 2
    text(ws.cell(row=note_row, column=1),
         "说明：预借指标应于预借次年年底前归还；逾期未还的，按年度参数中的标准（万元/亩）收取指标使用费。"
         "红色为逾期未还，黄色为 " + str(DUE_SOON_DAYS) + " 天内到期。")
    for c, width in enumerate([6, 12, 30, 28, 12, 22, 14, 12, 14, 12, 10, 18], 1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A5"

    for title, first, groups in (("按国企汇总", "合作国企", report.by_soe), ("按镇街汇总", "镇街", report.by_town)):
        ws = wb.create_sheet(title)
        heading(ws, f"周转指标库台账（{title}）", len(TOTAL_COLUMNS))
        header_row(ws, 4, [first] + [label for _k, label in TOTAL_COLUMNS[1:]])
        r = 5
        for g in list(groups) + [total]:
            for c, (key, _label) in enumerate(TOTAL_COLUMNS, 1):
                cell = put(ws, r, c, getattr(g, key), fmt_of(key))
                if g is total:
                    cell.font = bold
            r += 1
        ws.column_dimensions["A"].width = 30
        for c in range(2, len(TOTAL_COLUMNS) + 1):
            ws.column_dimensions[get_column_letter(c)].width = 16
        ws.freeze_panes = "A5"

    for sheet in wb.worksheets:  # A4 landscape, one page wide, the header row on every page
        sheet.print_title_rows = "4:4"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True

    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def export_ledger(ledger: Ledger, path, *, as_of: dt.date | None = None, town_id: int | None = None,
                  soe_id: int | None = None) -> Path:
    """导出台账: per-loan sheet plus per-SOE and per-town summaries; numbers as numbers, text never a formula."""
    return write_workbook(ledger_report(ledger, as_of=as_of, town_id=town_id, soe_id=soe_id), Path(path))


# ---- text and JSON (the CLI) ---------------------------------------------------------------

def row_dict(report: QuotaLedger, row: LoanLedgerRow) -> dict:
    """One loan as plain JSON values: dates ISO, decimals as numbers."""
    out: dict = {}
    for name in LoanLedgerRow.__dataclass_fields__:
        value = getattr(row, name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = float(value)
        out[name] = value
    out["plan"] = report.plan_labels.get(row.plan_id, "")
    return out


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(width - _width(text), 0)
    return gap + text if right else text + gap


def ledger_text(report: QuotaLedger) -> str:
    """The ledger as an aligned text table with a totals line (what `zzb quota-ledger` prints)."""
    heads = ["镇街", "合作国企", "收储方案", "预借日期", "预借(亩)", "已还(亩)", "余额(亩)", "归还期限", "逾期天数",
             "使用费(万元)"]
    right = {4, 5, 6, 8, 9}
    lines = []
    for r in report.rows:
        lines.append([r.town, r.soe, report.plan_labels.get(r.plan_id, ""), r.loan_date.isoformat(),
                      units.fmt(r.area_mu, 2), units.fmt(r.returned_mu, 2), units.fmt(r.balance_mu, 2),
                      r.due_date.isoformat(), str(r.days_overdue) if r.days_overdue else "",
                      units.fmt(r.fee_wan, 2) if r.fee_wan else ""])
    t = report.total or ledger_total(report.rows)
    foot = ["合计", f"{t.loans} 笔", "", "", units.fmt(t.borrowed_mu, 2), units.fmt(t.returned_mu, 2),
            units.fmt(t.balance_mu, 2), "", f"{t.overdue_loans} 笔" if t.overdue_loans else "", units.fmt(t.fee_wan, 2)]
    widths = [max(_width(x[i]) for x in [heads, foot] + lines) for i in range(len(heads))]

    def fmt_line(cells: list[str]) -> str:
        return "  ".join(_pad(c, w, i in right) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    scope = "、".join(x for x in (report.town_name, report.soe_name) if x)
    out = [f"周转指标库台账（截至 {report.as_of.isoformat()}{'，' + scope if scope else ''}）", fmt_line(heads)]
    out.append("-" * _width(out[-1]))
    out += [fmt_line(x) for x in lines]
    out.append("-" * _width(out[1]))
    out.append(fmt_line(foot))
    if t.overdue_loans:
        out.append(f"逾期未还 {units.fmt(t.overdue_mu, 2)} 亩，应收指标使用费 {units.fmt(t.fee_wan, 2)} 万元")
    if not report.rows:
        out.insert(3, "（没有预借记录）")
    return "\n".join(out)


def parse_iso_date(text: str, *, field: str = "as_of", label: str = "日期") -> dt.date:
    """YYYY-MM-DD, or ValidationError with a Chinese message."""
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise ValidationError(f"{label}“{text}”无效，应为 YYYY-MM-DD 格式（如 2024-12-31）", field=field) from None
