"""总览: the year's headline figures, per-town bars, entries by state and the latest changes, in one call.

The figures come from progress_service.year_progress (the one place the completion rules live);
this module only arranges them for the dashboard.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from desktop.models.enums import EntryState
from desktop.services import audit, rules
from desktop.services.bulletins.bulletin_service import IssuedBulletin, latest_issued
from desktop.services.dashboard.city_curve import city_verified_by_month
from desktop.services.deadlines import calendar_service, deadline_service
from desktop.services.towns import progress_service
from desktop.services.ledger import Ledger

RECENT_LIMIT = 15


@dataclass(frozen=True)
class TownBar:
    town_id: int
    town: str
    target_mu: Decimal
    listed_mu: Decimal
    verified_mu: Decimal
    share_below_min: bool


@dataclass(frozen=True)
class RecentChange:
    id: int
    at: dt.datetime  # local time
    user: str
    action: str  # label, e.g. 修改
    object_type: str  # label, e.g. 镇街
    object_label: str  # the object's name, or 编号 N for objects without one


@dataclass
class DashboardSummary:
    year: int
    town_count: int
    city_target_mu: Decimal
    verified_mu: Decimal
    listed_mu: Decimal
    contiguous_mu: Decimal
    completion_pct: Decimal | None  # verified / city target
    city_share_pct: Decimal | None  # contiguous share of the whole list
    parks_started: int
    parks_target: int
    parks_pct: Decimal | None
    share_min_pct: Decimal
    towns_below_share: list[str] = field(default_factory=list)
    towns: list[TownBar] = field(default_factory=list)
    # Every EntryState in the order of an entry's life, zeros included.
    entries_by_state: list[tuple[EntryState, int]] = field(default_factory=list)
    recent: list[RecentChange] = field(default_factory=list)
    # 期限 (deadline_service.counts as of today) and the next-year holiday-table warning (from November).
    deadlines_overdue: int = 0
    deadlines_soon: int = 0
    deadlines_no_calendar: int = 0
    calendar_warning: str | None = None
    # The city's cumulative verified area at the end of each month so far (亩), and the latest 通报 of the year.
    verified_by_month: list[Decimal] = field(default_factory=list)
    latest_bulletin: IssuedBulletin | None = None

    @property
    def is_empty(self) -> bool:
        return self.town_count == 0

    @property
    def entry_total(self) -> int:
        return sum(n for _, n in self.entries_by_state)


def summary(ledger: Ledger, year: int, recent_limit: int = RECENT_LIMIT, *, today: dt.date | None = None) -> DashboardSummary:
    """Everything the dashboard shows for `year` (deadlines as of `today`, default the real today)."""
    today = today or ledger.today()
    progress = progress_service.year_progress(ledger, year)
    due = deadline_service.counts(ledger, today)
    total = progress.totals
    towns = [
        TownBar(t.town_id, t.town, t.target_area_mu, t.listed_mu, t.verified_mu, t.share_below_min)
        for t in progress.towns
    ]
    recent = [
        RecentChange(r.id, audit.to_local(r.at), r.user, audit.action_label(r.action),
                     audit.object_type_label(r.object_type),
                     r.object_label or (f"编号 {r.object_id}" if r.object_id is not None else ""))
        for r in audit.list_entries(ledger, limit=recent_limit)
    ]
    return DashboardSummary(
        year=year,
        town_count=len(progress.towns),
        city_target_mu=progress.city_target_mu,
        verified_mu=total.verified_mu,
        listed_mu=total.listed_mu,
        contiguous_mu=total.contiguous_mu,
        completion_pct=total.completion_pct,
        city_share_pct=total.share_pct,
        parks_started=total.parks_started,
        parks_target=progress.city_parks_target,
        parks_pct=rules.pct(total.parks_started, progress.city_parks_target),
        share_min_pct=progress.share_min_pct,
        towns_below_share=[t.town for t in progress.towns if t.share_below_min],
        towns=towns,
        entries_by_state=[(s, progress.entries_by_state.get(s, 0)) for s in EntryState],
        recent=recent,
        deadlines_overdue=due[deadline_service.OVERDUE],
        deadlines_soon=due[deadline_service.SOON],
        deadlines_no_calendar=due[deadline_service.NO_CALENDAR],
        calendar_warning=calendar_service.next_year_missing_warning(ledger, today),
        verified_by_month=city_verified_by_month(ledger, year, today),
        latest_bulletin=latest_issued(ledger, year),
    )
