"""The city's cumulative verified area by month (总览's line against the target): one query, through the
bulletins' own reading of what counts (only 已核实 area, dated by its verification), so the dashboard and
the 通报 never disagree."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from desktop.services.accounts import permissions
from desktop.services.bulletins.bulletin_draft import verified_by_month
from desktop.services.ledger import Ledger
from desktop.services.reports.report_common import year_row

ZERO = Decimal(0)


def city_verified_by_month(ledger: Ledger, year: int, today: dt.date) -> list[Decimal]:
    """Cumulative 已核实 area (亩) at the end of each month of `year` up to `today` (all twelve for a past
    year, none for a year not begun)."""
    permissions.require(ledger, "ledger_read")
    if today.year < year:
        return []
    end = min(today, dt.date(year, 12, 31))
    with ledger.reader() as s:
        by_town = verified_by_month(s, year_row(s, year).id, end)
    out, total = [], ZERO
    for m in range(1, end.month + 1):
        total += sum((months.get(m, ZERO) for months in by_town.values()), ZERO)
        out.append(total)
    return out
