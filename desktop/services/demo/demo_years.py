"""示例数据 over several years (`zzb demo --years N`, bench/city.py): the years before the sample year, and
a sample year topped up to a real city's size.

Each earlier year gets every town's approved list of about `entries_per_year` entries on targets not yet
listed (most verified by the year's end, some carried on, a few cancelled), their plans, and 附件1 targets;
the sample year's approved lists are topped up to the same size. Land banking, acquisitions and monthly
reports of every year then come from the areas' own populate_demo (demo_service). Quota loans against
the earlier years' filed 收储 plans, with returns (full, partial, none), come last. Lists, entries, plans
and loans go in as Core bulk inserts in the demo's one transaction.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import bindparam, func, select, update

from desktop.models import (
    GovernanceList, ListEntry, Plan, QuotaLoan, QuotaReturn, Soe, Target, Town, TownTarget, Year, YearParams,
)
from desktop.models.base import utcnow
from desktop.models.enums import EntryState, ListStatus, Method, TargetKind, TargetState
from desktop.services import rules
from desktop.services.db import insert_returning_ids
from desktop.services.demo.demo_city import PLANNED_STATES, _pick_method
from desktop.services.demo.demo_names import CANCEL_REASONS, CENT, CHUNK, REVIEWER, VERIFY_FAIL_REASONS, ZERO, allocate
from desktop.services.demo.demo_quota import PURPOSES
from desktop.services.lists.list_service import TARGET_STATE_OF
from desktop.services.year import year_service

# Entry states at the end of an earlier year, and within the running sample year, with weights.
PAST_STATES = [(EntryState.VERIFIED, 74), (EntryState.IN_PROGRESS, 8), (EntryState.PLAN_FILED, 3),
               (EntryState.APPROVED, 2), (EntryState.REPORTED, 3), (EntryState.VERIFY_FAILED, 4),
               (EntryState.CANCELLED, 6)]
RUNNING_STATES = [(EntryState.VERIFIED, 40), (EntryState.APPROVED, 6), (EntryState.PLAN_FILED, 12),
                  (EntryState.IN_PROGRESS, 24), (EntryState.REPORTED, 10), (EntryState.VERIFY_FAILED, 4),
                  (EntryState.CANCELLED, 4)]
LOANS_PER_YEAR = 70


def _between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _stamp() -> dict:
    now = utcnow()
    return {"created_at": now, "updated_at": now, "revision": 1}


def _insert(s, model, rows: list[dict]) -> list[int]:
    """The rows as multi-row INSERTs (db.insert_returning_ids), their new ids in order."""
    out: list[int] = []
    for start in range(0, len(rows), CHUNK):
        out.extend(insert_returning_ids(s, model.__table__, rows[start:start + CHUNK]))
    return out


def year_row(s, year: int, template: Year) -> Year:
    """The Year `year`, created as a copy of `template`'s parameters when missing (never current)."""
    y = s.scalar(select(Year).where(Year.year == year))
    if y is None:
        values = {f: getattr(template.params, f) for f in year_service.PARAM_FIELDS}
        for name in year_service.LIST_FIELDS:
            values[name] = list(values[name])
        y = Year(year=year, title=f"{year}年度", is_current=False, params=YearParams(**values))
        s.add(y)
        s.flush()
    return y


class _Pool:
    """The register's targets not on any list yet, per town (drawn without replacement)."""

    def __init__(self, s, rng: random.Random):
        listed = set(s.scalars(select(ListEntry.target_id)))
        self.by_town: dict[int, list[tuple]] = {}
        q = select(Target.id, Target.town_id, Target.land_area_mu, Target.contiguous_area_id, Target.kind) \
            .where(Target.state == TargetState.PENDING, Target.land_area_mu > 0).order_by(Target.id)
        for row in s.execute(q):
            if row.id not in listed:
                self.by_town.setdefault(row.town_id, []).append(tuple(row))
        for rows in self.by_town.values():
            rng.shuffle(rows)

    def take(self, town_id: int, n: int) -> list[tuple]:
        rows = self.by_town.get(town_id, [])
        out, self.by_town[town_id] = rows[:n], rows[n:]
        return out


def add_years(s, seed: int, year: int, as_of: dt.date, *, years: int, entries_per_year: int) -> list[tuple[int, dt.date]]:
    """Add `years - 1` earlier years and top the sample `year` up to `entries_per_year` entries.

    Returns (year, as_of) of each earlier year, oldest first, for the areas' populate_demo.
    """
    rng = random.Random(seed * 7919 + years)
    current = s.scalar(select(Year).where(Year.year == year))
    towns = list(s.execute(select(Town.id, Town.name).where(Town.active).order_by(Town.sort_order, Town.id)))
    pool = _Pool(s, rng)
    soe_ids = list(s.scalars(select(Soe.id).order_by(Soe.id)))
    weights = [len(pool.by_town.get(t.id, ())) or 1 for t in towns]
    earlier = []
    for y in range(year - years + 1, year):
        yr = year_row(s, y, current)
        _town_targets(s, yr, towns, weights)
        _fill_year(s, rng, pool, yr.id, y, dt.date(y, 12, 31), towns, weights, entries_per_year, PAST_STATES,
                   soe_ids)
        earlier.append((y, dt.date(y, 12, 31)))
    _fill_year(s, rng, pool, current.id, year, as_of, towns, weights, entries_per_year, RUNNING_STATES,
               soe_ids)
    return earlier


def _town_targets(s, yr: Year, towns, weights) -> None:
    have = set(s.scalars(select(TownTarget.town_id).where(TownTarget.year_id == yr.id)))
    areas = allocate(yr.params.target_area_mu, weights, Decimal(10))
    parks = [max(1, round(yr.params.parks_target * w / sum(weights))) for w in weights]
    _insert(s, TownTarget, [{"town_id": t.id, "year_id": yr.id, "target_area_mu": areas[i], "target_parks": parks[i],
                             **_stamp()} for i, t in enumerate(towns) if t.id not in have])


def _fill_year(s, rng, pool: _Pool, year_id: int, year: int, as_of: dt.date, towns, weights, goal: int,
               states, soe_ids: list[int]) -> None:
    """Every town's approved list of the year, topped up with new entries to about `goal` in all."""
    rows = s.execute(select(GovernanceList.town_id, GovernanceList.id, GovernanceList.status)
                     .where(GovernanceList.year_id == year_id)).all()
    lists = {r.town_id: r.id for r in rows}
    status = {r.town_id: r.status for r in rows}
    listed = s.scalar(select(func.count(ListEntry.id)).where(ListEntry.list_id.in_(list(lists.values())))) if lists else 0
    missing = goal - listed
    if missing <= 0:
        return
    new_lists = []
    for t in towns:
        if t.id not in lists:
            submitted = dt.datetime.combine(_between(rng, dt.date(year, 1, 20), dt.date(year, 3, 10)), dt.time(9, 30))
            new_lists.append({"town_id": t.id, "year_id": year_id, "status": ListStatus.APPROVED,
                              "submitted_at": submitted, "reviewed_at": submitted + dt.timedelta(days=rng.randint(3, 12)),
                              "reviewer": REVIEWER, "return_reason": "", **_stamp()})
    for row, list_id in zip(new_lists, _insert(s, GovernanceList, new_lists)):
        lists[row["town_id"]] = list_id
        status[row["town_id"]] = ListStatus.APPROVED
    open_towns = [(i, t) for i, t in enumerate(towns) if status.get(t.id) is ListStatus.APPROVED]
    share = [weights[i] for i, _t in open_towns]
    per_town = [round(missing * w / sum(share)) for w in share]
    entries, plans, target_states = [], [], []
    for (_i, t), n in zip(open_towns, per_town):
        for target_id, _town, land, park, kind in pool.take(t.id, n):
            entry, plan = _entry(rng, year, as_of, lists[t.id], target_id, land, park, kind, states, soe_ids)
            entries.append(entry)
            plans.append(plan)
            target_states.append({"tid": target_id, "st": TARGET_STATE_OF[entry["state"]]})
    if not entries:  # a small register already fully listed: nothing left to add
        return
    entry_ids = _insert(s, ListEntry, entries)
    _insert(s, Plan, [{**p, "entry_id": eid} for p, eid in zip(plans, entry_ids) if p is not None])
    t = Target.__table__
    s.execute(update(t).where(t.c.id == bindparam("tid")).values(state=bindparam("st")), target_states)


def _entry(rng, year: int, as_of: dt.date, list_id: int, target_id: int, land: Decimal, park, kind, states,
           soe_ids: list[int]):
    """One list entry (and its plan when past 方案已备案) as rows for the bulk insert."""
    planned = land if rng.random() < 0.7 else (land * Decimal(str(rng.uniform(0.6, 1.0)))).quantize(CENT, ROUND_DOWN)
    planned = max(planned, CENT)
    method = _pick_method(rng, kind is TargetKind.PARCEL)
    state = rng.choices([st for st, _ in states], [w for _, w in states])[0]
    if state is EntryState.VERIFIED and not rules.counts_toward_completion(state, method):
        state = EntryState.IN_PROGRESS
    e = {"list_id": list_id, "target_id": target_id, "planned_method": method, "planned_area_mu": planned,
         "contiguous_area_id": park, "state": state, "state_reason": "", "completed_on": None, "verified_on": None,
         "verified_area_mu": None, "note": "企业自主技改，不计入治理面积" if method is Method.SELF_RENOVATION else "",
         **_stamp()}
    if state in (EntryState.REPORTED, EntryState.VERIFIED, EntryState.VERIFY_FAILED):
        e["completed_on"] = _between(rng, dt.date(year, 3, 1), as_of - dt.timedelta(days=3))
    if state is EntryState.VERIFIED:
        e["verified_on"] = min(e["completed_on"] + dt.timedelta(days=rng.randint(2, 15)), as_of)
        e["verified_area_mu"] = (planned * Decimal(str(rng.uniform(0.92, 1.0)))).quantize(CENT, ROUND_DOWN)
    elif state is EntryState.VERIFY_FAILED:
        e["state_reason"] = rng.choice(VERIFY_FAIL_REASONS)
    elif state is EntryState.CANCELLED:
        e["state_reason"] = rng.choice(CANCEL_REASONS)
    plan = None
    if state in PLANNED_STATES:
        rate = {Method.LAND_BANKING: (38, 58), Method.ACQUISITION: (30, 55), Method.REUSE: (5, 20)}.get(method)
        plan = {"batch_no": f"{year}-{rng.randint(1, 3):02d}", "method": method, "planned_area_mu": planned,
                "planned_cost_wan": (planned * Decimal(str(rng.uniform(*rate)))).quantize(CENT) if rate else None,
                "soe_id": rng.choice(soe_ids) if method is Method.LAND_BANKING and soe_ids else None, "filed_on": _between(rng, dt.date(year, 3, 15), min(dt.date(year, 5, 31), as_of)),
                "note": "", **_stamp()}
    return e, plan


def add_loans(s, seed: int, years: list[int], today: dt.date) -> dict[str, int]:
    """四(三): about LOANS_PER_YEAR loans against each earlier year's filed 收储 plans, with returns — in full
    for most loans whose due year has passed, partly (overdue) or not at all for the rest."""
    rng = random.Random(seed * 104729 + len(years))
    counts = {"quota_loans": 0, "quota_returns": 0}
    for y in years:
        q = (select(Plan.id, Plan.soe_id, Plan.planned_area_mu, Plan.filed_on, GovernanceList.town_id)
             .join(ListEntry, ListEntry.id == Plan.entry_id).join(GovernanceList, GovernanceList.id == ListEntry.list_id)
             .join(Year, Year.id == GovernanceList.year_id)
             .where(Year.year == y, Plan.method == Method.LAND_BANKING, Plan.soe_id.is_not(None),
                    Plan.filed_on.is_not(None), Plan.planned_area_mu >= 5).order_by(Plan.id))
        plans = s.execute(q).all()
        params = year_service.params_in_session(s, y)
        picked = rng.sample(plans, min(LOANS_PER_YEAR, len(plans)))
        loans, backs = [], []
        for plan in picked:
            day = _between(rng, plan.filed_on + dt.timedelta(days=10), dt.date(y, 11, 30))
            cap = rules.quota_borrow_cap_mu(params, plan.planned_area_mu)
            area = (cap * Decimal(str(rng.uniform(0.4, 0.95)))).quantize(CENT, ROUND_DOWN)
            if area <= ZERO or day > today:
                continue
            loans.append({"plan_id": plan.id, "soe_id": plan.soe_id, "town_id": plan.town_id, "loan_date": day,
                          "area_mu": area, "purpose": rng.choice(PURPOSES), "note": "", **_stamp()})
            backs.append(_returns(rng, y, day, area, today))
        ids = _insert(s, QuotaLoan, loans)
        rows = [{"loan_id": lid, "return_date": d, "area_mu": a, "note": "", **_stamp()}
                for lid, rets in zip(ids, backs) for d, a in rets]
        _insert(s, QuotaReturn, rows)
        counts["quota_loans"] += len(ids)
        counts["quota_returns"] += len(rows)
    return counts


def _returns(rng, y: int, day: dt.date, area: Decimal, today: dt.date) -> list[tuple[dt.date, Decimal]]:
    """Returns of one loan: mostly in full within the return year (y+1), some partly, some none."""
    roll = rng.random()
    out = []
    if roll < 0.6:
        first = (area * Decimal(str(rng.uniform(0.3, 0.7)))).quantize(CENT, ROUND_DOWN)
        out = [(_between(rng, day + dt.timedelta(days=30), dt.date(y + 1, 6, 30)), first),
               (_between(rng, dt.date(y + 1, 7, 1), dt.date(y + 1, 12, 20)), area - first)]
    elif roll < 0.9:
        out = [(_between(rng, day + dt.timedelta(days=30), dt.date(y + 1, 11, 30)),
                (area * Decimal(str(rng.uniform(0.2, 0.6)))).quantize(CENT, ROUND_DOWN))]
    return [(d, a) for d, a in out if d <= today and a > ZERO]


def totals(s) -> dict[str, int]:
    """The whole sample's years with lists (not the quota pool's history year), its lists and entries, for the
    summary."""
    return {"years": s.scalar(select(func.count(GovernanceList.year_id.distinct()))), "all_lists": s.scalar(select(func.count(GovernanceList.id))),
            "all_entries": s.scalar(select(func.count(ListEntry.id)))}
