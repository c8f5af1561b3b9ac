"""Rules of the plan that more than one page, report or importer applies. Each lives here once."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from desktop.models.enums import EntryState, Method

# DOMAIN §2: only 已核实 area counts toward a town's and the city's completion.
COUNTED_STATES = frozenset({EntryState.VERIFIED})
# 三(三)2: 企业自主技改 is recorded but never counted in statistics.
UNCOUNTED_METHODS = frozenset({Method.SELF_RENOVATION})
# Entries that no longer belong to the list's area.
INACTIVE_STATES = frozenset({EntryState.CANCELLED})

PCT_PLACES = Decimal("0.01")


def pct(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part / whole as a percentage with two decimals; None when whole is zero."""
    whole = Decimal(whole or 0)
    if whole == 0:
        return None
    return (Decimal(part or 0) * 100 / whole).quantize(PCT_PLACES, rounding=ROUND_HALF_UP)


def contiguous_share_pct(listed_mu: Decimal, contiguous_mu: Decimal) -> Decimal | None:
    """三(一): share of the list's area lying in contiguous areas."""
    return pct(contiguous_mu, listed_mu)


def share_below_minimum(listed_mu: Decimal, contiguous_mu: Decimal, minimum_pct: Decimal) -> bool:
    """三(一): 连片 area must be at least the year's minimum share (30 % in 2024) of the list area.

    Compared exactly (contiguous × 100 ≥ minimum × listed), so exactly 30 % passes.
    An empty list is not below the minimum (nothing to judge yet).
    """
    listed_mu = Decimal(listed_mu or 0)
    if listed_mu == 0:
        return False
    return Decimal(contiguous_mu or 0) * 100 < Decimal(minimum_pct) * listed_mu


def counts_toward_completion(state: EntryState, method: Method) -> bool:
    return state in COUNTED_STATES and method not in UNCOUNTED_METHODS


# Dates and money of the year's work (三(三)(四), 四(二)(三)). Each reads its number from the year's
# parameters (`p` is a year_service.Params), so next year's plan changes them in one place.

def monthly_report_due(p, year: int, month: int):
    """三(四): towns report the month's completions by day N (20 in 2024) of that month."""
    import datetime as dt

    return dt.date(year, month, min(p.report_due_day, _month_days(year, month)))


def monthly_verify_due(p, year: int, month: int):
    """三(四): the office has them verified by day N (25 in 2024) of the same month."""
    import datetime as dt

    return dt.date(year, month, min(p.verify_due_day, _month_days(year, month)))


def _month_days(year: int, month: int) -> int:
    import calendar

    return calendar.monthrange(year, month)[1]


def quota_return_due(p, loan_date):
    """四(三): a pre-borrowed quota is returned within the next year: by 31 Dec of loan year + N (N=1)."""
    import datetime as dt

    return dt.date(loan_date.year + p.quota_return_years, 12, 31)


def quota_days_overdue(p, loan_date, as_of) -> int:
    """Days past the return due date (0 while not yet due); the fee applies from the day after."""
    return max(0, (as_of - quota_return_due(p, loan_date)).days)


def quota_overdue_fee_wan(p, loan_date, balance_mu: Decimal, as_of) -> Decimal:
    """四(三): from 1 Jan after the due year, every unreturned 亩 owes the fee (85 万元/亩 in 2024)."""
    if quota_days_overdue(p, loan_date, as_of) <= 0 or balance_mu <= 0:
        return Decimal(0)
    return (Decimal(balance_mu) * Decimal(p.quota_overdue_fee_wan_per_mu)).quantize(PCT_PLACES, rounding=ROUND_HALF_UP)


def quota_borrow_cap_mu(p, planned_area_mu: Decimal) -> Decimal:
    """四(三): open loans against one filed plan may total at most N % (30 %) of its planned area."""
    return (Decimal(planned_area_mu or 0) * Decimal(p.quota_borrow_ratio_pct) / 100).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP)


def quota_loan_allowed(p, planned_area_mu: Decimal, open_loans_mu: Decimal, new_loan_mu: Decimal) -> bool:
    """Exactly at the cap is allowed; compared exactly (no rounding of the sum)."""
    return (Decimal(open_loans_mu or 0) + Decimal(new_loan_mu)) * 100 <= Decimal(planned_area_mu or 0) * Decimal(p.quota_borrow_ratio_pct)


def cost_per_mu(amount_wan: Decimal | None, area_mu: Decimal | None) -> Decimal | None:
    """三(三)1: an agreement's cost per 亩 = amount (万元) / area (亩)."""
    if amount_wan is None or not area_mu:
        return None
    return (Decimal(amount_wan) / Decimal(area_mu)).quantize(PCT_PLACES, rounding=ROUND_HALF_UP)


def average_cost_per_mu(total_amount_wan: Decimal, total_area_mu: Decimal) -> Decimal | None:
    """四(二): the average land-banking cost of one SOE with one town in a year, area-weighted
    (total amount / total area of their 收储协议)."""
    return cost_per_mu(total_amount_wan, total_area_mu)


def over_cost_cap(p, total_amount_wan: Decimal, total_area_mu: Decimal) -> bool:
    """四(二): above the cap (60 万元/亩 in 2024)? Exactly at the cap is allowed; compared exactly."""
    if not total_area_mu:
        return False
    return Decimal(total_amount_wan) > Decimal(p.landbank_cost_cap_wan_per_mu) * Decimal(total_area_mu)


def subsidy_proposal_wan(p, verified_mu: Decimal, parks_started: int) -> Decimal | None:
    """四(二) 以奖代补: the plan gives no formula; the office keeps a per-year rate (万元 per verified 亩)
    and an optional bonus per park started. None when no rate is set for the year."""
    if p.subsidy_rate_wan_per_mu is None:
        return None
    total = Decimal(verified_mu or 0) * Decimal(p.subsidy_rate_wan_per_mu)
    if p.subsidy_park_bonus_wan is not None:
        total += Decimal(parks_started) * Decimal(p.subsidy_park_bonus_wan)
    return total.quantize(PCT_PLACES, rounding=ROUND_HALF_UP)
