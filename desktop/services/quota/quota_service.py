"""周转指标库 (四(三)): quota pre-borrowed by a filed plan's partner SOE, and its returns.

The cap (30 % of the plan's planned area), the return year and the overdue fee come from the
parameters of the LOAN's year (quota_ledger.params_for_loan_year) through the rules in rules.py. The
reading side (the ledger, totals, lendable plans) is quota_ledger; the workbook quota_export; the
CLI's text quota_text. Their public names are importable from here too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from desktop.models import GovernanceList, ListEntry, Plan, QuotaLoan, QuotaPool, QuotaReturn, Soe, Year
from desktop.models.enums import EntryState, Method
from desktop.services import rules, units
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.ledger import Ledger
from desktop.services.quota.quota_export import LOAN_COLUMNS, TOTAL_COLUMNS, cn_date, export_ledger, loan_cell, \
    write_workbook  # noqa: F401  (public names of this package)
from desktop.services.quota.quota_ledger import (  # noqa: F401  (public names of this package)
    DUE_SOON_DAYS,
    FILED_STATES,
    ZERO,
    LedgerTotal,
    LoanLedgerRow,
    PlanChoice,
    QuotaLedger,
    ReturnRow,
    LoanTerms,
    _ledger_rows,
    _ParamsByYear,
    _plain,
    due_soon,
    filter_choices,
    ledger_by_soe,
    ledger_by_town,
    ledger_report,
    ledger_total,
    lendable_plans,
    loan_ledger,
    loan_terms,
    params_for_loan_year,
    why_not_delete,
    why_not_return,
)
from desktop.services.quota.quota_text import ledger_text, parse_iso_date, row_dict  # noqa: F401
from desktop.services.year import year_service

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


def cap_message(p: year_service.Params, planned_mu: Decimal, open_mu: Decimal, new_mu: Decimal) -> str:
    """The refusal, with the numbers (四(三): 30 % of the plan's planned area)."""
    cap = rules.quota_borrow_cap_mu(p, planned_mu)
    over = open_mu + new_mu - cap
    return (f"该方案计划收储面积 {_mu(planned_mu)}，预借上限 {_plain(p.quota_borrow_ratio_pct)}% 即 {_mu(cap)}；"
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

