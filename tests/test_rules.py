"""The plan's rules of dates and money, at their boundaries (numbers from the year's parameters)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from desktop.services import rules
from desktop.services.year.year_service import FIRST_YEAR, PLAN_2024_DEFAULTS, Params

D = dt.date


@pytest.fixture
def p() -> Params:
    return Params(year=FIRST_YEAR, **PLAN_2024_DEFAULTS)


def test_average_exactly_at_the_cap_is_allowed_and_a_cent_more_is_over(p):
    assert rules.over_cost_cap(p, Decimal("600"), Decimal("10")) is False  # 60 万元/亩
    assert rules.over_cost_cap(p, Decimal("600.01"), Decimal("10")) is True
    assert rules.average_cost_per_mu(Decimal("1200"), Decimal("20")) == Decimal("60.00")


def test_the_average_is_area_weighted(p):
    # 10 亩 at 50 and 30 亩 at 65: (500 + 1950) / 40 = 61.25 → over, though one of two is under.
    assert rules.average_cost_per_mu(Decimal("2450"), Decimal("40")) == Decimal("61.25")
    assert rules.over_cost_cap(p, Decimal("2450"), Decimal("40")) is True


def test_loan_exactly_at_30_percent_of_the_plan_is_allowed(p):
    assert rules.quota_loan_allowed(p, Decimal("100"), Decimal("20"), Decimal("10")) is True
    assert rules.quota_loan_allowed(p, Decimal("100"), Decimal("20"), Decimal("10.0001")) is False
    assert rules.quota_borrow_cap_mu(p, Decimal("33.33")) == Decimal("9.9990")


def test_a_loan_is_due_on_31_december_of_the_next_year(p):
    assert rules.quota_return_due(p, D(2024, 3, 15)) == D(2025, 12, 31)


def test_no_fee_on_31_december_and_the_fee_from_1_january(p):
    loan = D(2024, 3, 15)
    assert rules.quota_days_overdue(p, loan, D(2025, 12, 31)) == 0
    assert rules.quota_overdue_fee_wan(p, loan, Decimal("2.5"), D(2025, 12, 31)) == Decimal("0")
    assert rules.quota_days_overdue(p, loan, D(2026, 1, 1)) == 1
    assert rules.quota_overdue_fee_wan(p, loan, Decimal("2.5"), D(2026, 1, 1)) == Decimal("212.50")


def test_a_fully_returned_loan_owes_nothing_even_when_late(p):
    assert rules.quota_overdue_fee_wan(p, D(2024, 3, 15), Decimal("0"), D(2026, 6, 1)) == Decimal("0")


def test_monthly_days_come_from_the_parameters(p):
    assert rules.monthly_report_due(p, 2024, 3) == D(2024, 3, 20)
    assert rules.monthly_verify_due(p, 2024, 3) == D(2024, 3, 25)
    later = dataclasses.replace(p, report_due_day=15, verify_due_day=31)
    assert rules.monthly_report_due(later, 2024, 3) == D(2024, 3, 15)
    assert rules.monthly_verify_due(later, 2024, 2) == D(2024, 2, 29)  # clipped to the month's end


def test_subsidy_needs_a_rate_and_adds_the_park_bonus(p):
    assert rules.subsidy_proposal_wan(p, Decimal("100"), 2) is None
    rated = dataclasses.replace(p, subsidy_rate_wan_per_mu=Decimal("1.5"), subsidy_park_bonus_wan=Decimal("50"))
    assert rules.subsidy_proposal_wan(rated, Decimal("100"), 2) == Decimal("250.00")
