"""示例数据 for 周转指标库 (四(三)) and 以奖代补 (四(二)), added inside the demo's session.

A loan falls overdue only from 1 Jan of loan year + 2, so for the sample to show loans overdue *and*
not overdue both on the demo's own day (31 Oct of the year, or today within it) and on the real
today, the quota pool needs history: a few 收储 plans filed two years before the demo year, whose
loans were partly returned and are overdue on the demo's day. Against the demo year's filed plans:
loans taken that year and fully returned, loans taken that year and partly returned (overdue once
the next year has ended), and loans taken the following year (not yet due). Dates after the real
today are never written.
"""

from __future__ import annotations

import datetime as dt
import random
from contextlib import contextmanager
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import select

from desktop.models import (
    GovernanceList,
    ListEntry,
    Plan,
    QuotaLoan,
    QuotaReturn,
    SubsidyProposal,
    Target,
    Town,
    Year,
    YearParams,
)
from desktop.models.enums import EntryState, ListStatus, Method, TargetState
from desktop.services import rules
from desktop.services.ledger import today as session_today
from desktop.services.towns import progress_service
from desktop.services.year import year_service
from desktop.services.quota.quota_service import FILED_STATES

CENT = Decimal("0.01")
ZERO = Decimal(0)
PURPOSES = ["标准厂房建设", "重大产业项目落地", "标准厂房（二期）", "产业园区基础设施配套", "专精特新企业用地保障",
            "智能制造产业园项目"]
SUBSIDY_RATE = Decimal(2)  # 万元 per verified 亩 (the plan sets no formula; the office chooses)
SUBSIDY_PARK_BONUS = Decimal(50)  # 万元 per park started
OVERRIDE_REASON = "经市专治办研究：该镇连片整治园区腾退难度大、拆除量大，在测算基础上增加奖励 {extra} 万元"


def _between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _portion(area: Decimal, lo: float, hi: float, rng: random.Random) -> Decimal:
    return (area * Decimal(str(rng.uniform(lo, hi)))).quantize(CENT, ROUND_DOWN)


class _SessionDb:
    """The demo's open session dressed as a Database for read-only services (nothing is committed yet)."""

    def __init__(self, session) -> None:
        self.s = session

    @contextmanager
    def reader(self):
        yield self.s


def populate_demo(s, rng: random.Random, params, year_id: int, as_of: dt.date) -> dict[str, int]:
    year = params.year
    today = session_today(s)  # the ledger's day: nothing is written after it
    counts = {"quota_loans": 0, "quota_returns": 0, "history_plans": 0, "subsidy_overrides": 0}
    loans: list[QuotaLoan] = []

    def lend(plan: Plan, town_id: int, day: dt.date, area: Decimal) -> QuotaLoan | None:
        if day > today or area <= 0:
            return None
        loan = QuotaLoan(plan_id=plan.id, soe_id=plan.soe_id, town_id=town_id, loan_date=day, area_mu=area,
                         purpose=rng.choice(PURPOSES))
        s.add(loan)
        loans.append(loan)
        counts["quota_loans"] += 1
        return loan

    def give_back(loan: QuotaLoan | None, day: dt.date, area: Decimal) -> None:
        if loan is None or day > today or day < loan.loan_date or area <= 0:
            return
        loan.returns.append(QuotaReturn(return_date=day, area_mu=area))
        counts["quota_returns"] += 1

    def room(plan: Plan, day: dt.date) -> Decimal:
        """What the plan may still lend on `day` (四(三): cap of the loan year's parameters minus open loans)."""
        open_mu = sum((ln.area_mu - sum((r.area_mu for r in ln.returns), ZERO)
                       for ln in loans if ln.plan_id == plan.id), ZERO)
        cap = rules.quota_borrow_cap_mu(_params_for(s, day.year), plan.planned_area_mu)
        return max(cap - open_mu, ZERO).quantize(CENT, ROUND_DOWN)

    # ---- history: plans filed two years before, loans overdue on the demo's day -----------------
    hist = year - 2
    hist_plans = _history_plans(s, rng, year_id, hist, as_of)
    counts["history_plans"] = len(hist_plans)
    for n, (plan, town_id) in enumerate(hist_plans):
        day = _between(rng, plan.filed_on + dt.timedelta(days=10), dt.date(hist, 8, 31))
        area = _portion(room(plan, day), 0.6, 1.0, rng)
        loan = lend(plan, town_id, day, area)
        if n == 0:  # returned in full, on time
            first = _portion(area, .4, .6, rng)
            give_back(loan, _between(rng, dt.date(hist + 1, 3, 1), dt.date(hist + 1, 6, 30)), first)
            give_back(loan, _between(rng, dt.date(hist + 1, 9, 1), dt.date(hist + 1, 12, 20)), area - first)
        else:  # partly returned within the return year: the rest is overdue (fee on it)
            give_back(loan, _between(rng, dt.date(hist + 1, 4, 1), dt.date(hist + 1, 11, 30)), _portion(area, .2, .5, rng))

    # ---- the demo year's filed 收储 plans --------------------------------------------------------
    q = (select(Plan, GovernanceList.town_id)
         .join(ListEntry, ListEntry.id == Plan.entry_id)
         .join(GovernanceList, GovernanceList.id == ListEntry.list_id)
         .where(GovernanceList.year_id == year_id, Plan.method == Method.LAND_BANKING, Plan.filed_on.is_not(None),
                Plan.soe_id.is_not(None), ListEntry.state.in_(FILED_STATES), Plan.planned_area_mu >= 20)
         .order_by(Plan.id))
    candidates = [(p, t) for p, t in s.execute(q) if p.filed_on <= as_of - dt.timedelta(days=30)]
    rng.shuffle(candidates)
    picked = candidates[:12]
    returned_in_full, partly, open_, next_year = picked[0:3], picked[3:6], picked[6:8], picked[8:12]
    latest_in_year = min(as_of - dt.timedelta(days=15), dt.date(year, 12, 31))

    for plan, town_id in returned_in_full:
        day = _between(rng, plan.filed_on + dt.timedelta(days=7), plan.filed_on + dt.timedelta(days=60))
        day = min(day, latest_in_year)
        area = _portion(room(plan, day), 0.5, 0.9, rng)
        loan = lend(plan, town_id, day, area)
        first = _portion(area, 0.3, 0.6, rng)
        give_back(loan, _between(rng, day + dt.timedelta(days=20), day + dt.timedelta(days=60)), first)
        give_back(loan, _between(rng, day + dt.timedelta(days=61), max(day + dt.timedelta(days=61), latest_in_year)),
                  area - first)
        # Borrowed again the following year once the first loan was back (not yet due).
        again = _between(rng, dt.date(year + 1, 2, 1), dt.date(year + 1, 5, 31))
        lend(plan, town_id, again, _portion(room(plan, again), 0.3, 0.6, rng))

    for plan, town_id in partly:
        day = min(_between(rng, plan.filed_on + dt.timedelta(days=7), plan.filed_on + dt.timedelta(days=90)),
                  latest_in_year)
        area = _portion(room(plan, day), 0.6, 1.0, rng)
        loan = lend(plan, town_id, day, area)
        give_back(loan, _between(rng, day + dt.timedelta(days=15), max(day + dt.timedelta(days=15), latest_in_year)),
                  _portion(area, 0.15, 0.3, rng))
        give_back(loan, _between(rng, dt.date(year + 1, 3, 1), dt.date(year + 1, 10, 31)), _portion(area, 0.1, 0.3, rng))

    for plan, town_id in open_:
        day = min(_between(rng, plan.filed_on + dt.timedelta(days=30), plan.filed_on + dt.timedelta(days=120)),
                  latest_in_year)
        lend(plan, town_id, day, _portion(room(plan, day), 0.4, 0.8, rng))

    for n, (plan, town_id) in enumerate(next_year):
        day = _between(rng, dt.date(year + 1, 1, 10), dt.date(year + 1, 6, 30))
        area = _portion(room(plan, day), 0.5, 1.0, rng)
        loan = lend(plan, town_id, day, area)
        if n % 2 == 0:
            give_back(loan, _between(rng, day + dt.timedelta(days=30), dt.date(year + 1, 11, 30)),
                      _portion(area, 0.2, 0.5, rng))
    s.flush()

    # ---- 以奖代补: the year's rate and one override with its reason ----------------------------
    yp = s.scalar(select(YearParams).where(YearParams.year_id == year_id))
    yp.subsidy_rate_wan_per_mu = SUBSIDY_RATE
    yp.subsidy_park_bonus_wan = SUBSIDY_PARK_BONUS
    s.flush()
    progress = progress_service.year_progress(_SessionDb(s), year)
    fresh = year_service.params_in_session(s, year)
    towns = [t for t in progress.towns if t.verified_mu > 0 and t.parks_started > 0] or \
        [t for t in progress.towns if t.verified_mu > 0]
    if towns:
        town = max(towns, key=lambda t: (t.parks_started, t.verified_mu))
        computed = rules.subsidy_proposal_wan(fresh, town.verified_mu, town.parks_started)
        extra = Decimal(rng.choice((30, 50, 80)))
        s.add(SubsidyProposal(town_id=town.town_id, year_id=year_id, computed_wan=computed,
                              override_wan=(computed + extra).quantize(CENT),
                              override_reason=OVERRIDE_REASON.format(extra=extra)))
        counts["subsidy_overrides"] = 1
    s.flush()
    return counts


def _params_for(s, year: int) -> year_service.Params:
    return year_service.params_for(s, dt.date(year, 1, 1))


def _history_plans(s, rng: random.Random, year_id: int, hist: int, as_of: dt.date) -> list[tuple[Plan, int]]:
    """Four towns' 收储 plans filed in `hist` (two years before the demo), on targets the demo left pending."""
    current = s.get(Year, year_id)
    y = s.scalar(select(Year).where(Year.year == hist))
    if y is None:
        values = {f: getattr(current.params, f) for f in year_service.PARAM_FIELDS}
        values["verifying_departments"] = list(values["verifying_departments"])
        y = Year(year=hist, title=f"{hist}年度", is_current=False, params=YearParams(**values))
        s.add(y)
        s.flush()
    soe_ids = sorted(set(s.scalars(select(Plan.soe_id).where(Plan.soe_id.is_not(None)))))
    if not soe_ids:
        return []
    taken = set(s.scalars(select(GovernanceList.town_id).where(GovernanceList.year_id == y.id)))
    towns = [t for t in s.scalars(select(Town).where(Town.active).order_by(Town.sort_order, Town.id)) if t.id not in taken]
    out: list[tuple[Plan, int]] = []
    for town in rng.sample(towns, min(4, len(towns))):
        pending = list(s.scalars(select(Target).where(Target.town_id == town.id, Target.state == TargetState.PENDING,
                                                      Target.land_area_mu >= 15, Target.land_area_mu <= 200)
                                 .order_by(Target.id)))
        if not pending:
            continue
        target = rng.choice(pending)
        submitted = dt.datetime.combine(_between(rng, dt.date(hist, 1, 20), dt.date(hist, 2, 28)), dt.time(9, 30))
        gl = GovernanceList(town_id=town.id, year_id=y.id, status=ListStatus.APPROVED, submitted_at=submitted,
                            reviewed_at=submitted + dt.timedelta(days=7, hours=6), reviewer="市专治办")
        s.add(gl)
        s.flush()
        area = target.land_area_mu.quantize(CENT)
        completed = _between(rng, dt.date(hist, 9, 1), dt.date(hist, 11, 15))
        entry = ListEntry(list_id=gl.id, target_id=target.id, planned_method=Method.LAND_BANKING, planned_area_mu=area,
                          contiguous_area_id=target.contiguous_area_id, state=EntryState.VERIFIED, completed_on=completed,
                          verified_on=completed + dt.timedelta(days=rng.randint(5, 20)), verified_area_mu=area)
        s.add(entry)
        target.state = TargetState.DONE
        s.flush()
        plan = Plan(entry_id=entry.id, batch_no=f"{town.name}-{hist}-01", method=Method.LAND_BANKING,
                    planned_area_mu=area, planned_cost_wan=(area * Decimal(str(rng.uniform(40, 58)))).quantize(CENT),
                    soe_id=rng.choice(soe_ids), filed_on=_between(rng, dt.date(hist, 3, 15), dt.date(hist, 4, 30)),
                    note=f"{hist}年度方案（周转指标结转）")
        s.add(plan)
        s.flush()
        out.append((plan, town.id))
    return out
