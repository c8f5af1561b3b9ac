"""Per-town progress against 附件1 for a year: target, listed, contiguous, share, verified, parks.

Used by the 镇街与任务分解 page, the dashboard, bulletins and exports alike.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from desktop.models import ContiguousArea, GovernanceList, ListEntry, Town, TownTarget, Year
from desktop.models.enums import EntryState, ParkStatus
from desktop.services import rules
from desktop.services.year import year_service
from desktop.services.ledger import Ledger

ZERO = Decimal(0)


@dataclass
class TownProgress:
    town_id: int | None  # None for the totals row
    town: str
    target_area_mu: Decimal = ZERO
    target_parks: int = 0
    listed_mu: Decimal = ZERO
    contiguous_mu: Decimal = ZERO
    verified_mu: Decimal = ZERO
    parks_started: int = 0
    share_pct: Decimal | None = None
    share_below_min: bool = False
    completion_pct: Decimal | None = None


@dataclass
class YearProgress:
    year: int
    city_target_mu: Decimal
    city_parks_target: int
    share_min_pct: Decimal
    towns: list[TownProgress] = field(default_factory=list)
    totals: TownProgress | None = None
    entries_by_state: dict[EntryState, int] = field(default_factory=dict)


def park_started_in(park_start: dt.date | None, status: ParkStatus, year: int) -> bool:
    """一: a park counts as started in the year when it has 启动 (a start date in that year)."""
    return status in (ParkStatus.STARTED, ParkStatus.COMPLETED) and park_start is not None and park_start.year == year


def year_progress(ledger: Ledger, year: int) -> YearProgress:
    params = year_service.get_params(ledger, year)
    with ledger.reader() as s:
        year_id = s.scalar(select(Year.id).where(Year.year == year))
        towns = list(s.execute(select(Town.id, Town.name).where(Town.active).order_by(Town.sort_order, Town.id)))
        targets = {
            t.town_id: t for t in s.scalars(select(TownTarget).where(TownTarget.year_id == year_id))
        }
        rows = {tid: TownProgress(tid, name) for tid, name in towns}
        for tid, tt in targets.items():
            if tid in rows:
                rows[tid].target_area_mu = tt.target_area_mu
                rows[tid].target_parks = tt.target_parks

        by_state: dict[EntryState, int] = defaultdict(int)
        q = (
            select(GovernanceList.town_id, ListEntry.state, ListEntry.planned_method, ListEntry.planned_area_mu,
                   ListEntry.verified_area_mu, ListEntry.contiguous_area_id)
            .join(GovernanceList, GovernanceList.id == ListEntry.list_id)
            .where(GovernanceList.year_id == year_id)
        )
        for town_id, state, method, planned, verified, entry_park in s.execute(q):
            by_state[state] += 1
            row = rows.get(town_id)
            if row is None or state in rules.INACTIVE_STATES or method in rules.UNCOUNTED_METHODS:
                continue
            row.listed_mu += planned or ZERO
            # 三(一): the entry's own park decides (list_service's share reads the same field).
            if entry_park is not None:
                row.contiguous_mu += planned or ZERO
            if rules.counts_toward_completion(state, method):
                row.verified_mu += verified if verified is not None else (planned or ZERO)

        for town_id, start, status in s.execute(select(ContiguousArea.town_id, ContiguousArea.start_date, ContiguousArea.status)):
            if town_id in rows and park_started_in(start, status, year):
                rows[town_id].parks_started += 1

    total = TownProgress(None, "合计")
    for r in rows.values():
        _finish(r, params.contiguous_share_min_pct)
        for name in ("target_area_mu", "target_parks", "listed_mu", "contiguous_mu", "verified_mu", "parks_started"):
            setattr(total, name, getattr(total, name) + getattr(r, name))
    _finish(total, params.contiguous_share_min_pct)
    # The totals row is judged against the city's own target, not the sum of town targets.
    total.completion_pct = rules.pct(total.verified_mu, params.target_area_mu)
    return YearProgress(year, params.target_area_mu, params.parks_target, params.contiguous_share_min_pct,
                        list(rows.values()), total, dict(by_state))


def _finish(r: TownProgress, minimum: Decimal) -> None:
    r.share_pct = rules.contiguous_share_pct(r.listed_mu, r.contiguous_mu)
    r.share_below_min = rules.share_below_minimum(r.listed_mu, r.contiguous_mu, minimum)
    r.completion_pct = rules.pct(r.verified_mu, r.target_area_mu)


def entry_count(ledger: Ledger) -> int:
    with ledger.reader() as s:
        return s.scalar(select(func.count(ListEntry.id))) or 0
