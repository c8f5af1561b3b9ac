"""示例数据: a fictional city (临澄市) to look around in, deterministic for a seed.

Towns with their 附件1 targets (summing exactly to the year's target), city SOEs, old industrial
parks, enterprises with valid 统一社会信用代码 and parcels, evaluations, and each town's list with
entries in every state. Rows go in with Core bulk inserts in one transaction (100k objects in
seconds); the audit log gets one record with the counts.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from sqlalchemy import func, select, text

from desktop.models import (
    ContiguousArea,
    Evaluation,
    GovernanceList,
    ListEntry,
    Plan,
    Soe,
    Target,
    Town,
    TownTarget,
    Year,
)
from desktop.models.base import utcnow
from desktop.models.enums import EntryState, ParkStatus
from desktop.services import audit, rules
from desktop.services.demo import demo_exams, demo_history, demo_landbank, demo_quota, demo_reports, demo_years
from desktop.services.demo.demo_city import PLANNED_STATES, draw_city  # noqa: F401 - PLANNED_STATES: tests
from desktop.services.demo.demo_names import AREA_CODE_PREFIX, CENT, CHUNK, CITY, ZERO, Generator, dec
from desktop.services.db import insert_returning_ids
from desktop.services.errors import Refused
from desktop.services.ledger import Ledger
from desktop.services.lists.list_service import TARGET_STATE_OF  # noqa: F401 - tests read it here
from desktop.services.search_text import search_text_for
from desktop.services.year import year_service


@dataclass
class DemoSummary:
    year: int
    seed: int
    towns: int = 0
    soes: int = 0
    parks: int = 0
    parks_started: int = 0
    enterprises: int = 0
    parcels: int = 0
    evaluations: int = 0
    lists: int = 0
    entries: int = 0
    plans: int = 0
    city_target_mu: Decimal = ZERO
    land_area_mu: Decimal = ZERO
    listed_area_mu: Decimal = ZERO
    contiguous_area_mu: Decimal = ZERO
    verified_area_mu: Decimal = ZERO
    entries_by_state: dict[str, int] = field(default_factory=dict)
    extra: dict[str, int] = field(default_factory=dict)  # counts from the areas' populate_demo
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds per part of the build (bench/city.py prints them)

    def counts(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in (
            "towns", "soes", "parks", "parks_started", "enterprises", "parcels", "evaluations", "lists", "entries",
            "plans")}


class _Cancelled(Exception):
    pass


def _as_of(year: int, today: dt.date) -> dt.date:
    """The day the sample year 'stands at': today within the running year, else 31 Oct of that year."""
    end = dt.date(year, 10, 31)
    if today.year == year:
        return max(min(today, end), dt.date(year, 2, 1))
    return end


def _existing(s) -> list[str]:
    found = []
    for label, model in (("镇街", Town), ("治理对象", Target), ("连片整治片区", ContiguousArea), ("市级国企", Soe)):
        n = s.scalar(select(func.count()).select_from(model))
        if n:
            found.append(f"{label} {n} 个")
    return found


def generate(ledger: Ledger, *, enterprises: int = 300, seed: int = 2024, year: int | None = None,
             years: int = 1, entries_per_year: int = 1200,
             progress: Callable[[int, int], None] | None = None, cancel=None) -> DemoSummary:
    """Fill a sample city into an initialised, empty database (no towns, targets, parks or SOEs yet).

    `years` > 1 adds the years before `year` and tops every year up to about `entries_per_year` list
    entries (demo_years), each with its land banking, acquisitions, monthly reports and quota loans."""
    if enterprises < 0:
        raise Refused("治理对象数量不能为负数")
    if not 1 <= years <= 10:
        raise Refused("示例年度数应在 1 到 10 之间")
    started = time.perf_counter()
    phases: dict[str, float] = {}
    lap = _lap(phases)
    year = year or year_service.current_year(ledger)
    try:
        with ledger.session() as s:
            present = _existing(s)
            if present:
                raise Refused("数据库中已有数据（" + "、".join(present) + "），示例数据只能载入空数据库；"
                              "请另建一个数据库文件（zzb --db 新文件 demo）。")
            params = year_service.params_in_session(s, year)
            year_id = s.scalar(select(Year.id).where(Year.year == year))
            as_of = _as_of(year, ledger.today())
            s.info[demo_landbank.DEMO_DAY] = as_of
            summary = _build(s, params, year_id, enterprises, seed, as_of, progress, cancel)
            lap("register")
            earlier = demo_years.add_years(s, seed, year, as_of, years=years, entries_per_year=entries_per_year) \
                if years > 1 else []
            lap("years")
            summary.extra = _populate_areas(s, seed, params, year_id, as_of)
            for y, y_as_of in earlier:
                y_params = year_service.params_in_session(s, y)
                y_id = s.scalar(select(Year.id).where(Year.year == y))
                _add_counts(summary.extra, _populate_areas(s, seed + y, y_params, y_id, y_as_of, EARLIER_YEAR_AREAS))
            lap("areas")
            if earlier:
                # The planner's statistics for the rows just loaded (SQLite and PostgreSQL alike): the history's
                # drafts and scores run the bulletin and scoring services' queries, which a planner without
                # statistics answered ~15 times slower (a nested scan of a grouped subquery).
                s.execute(text("ANALYZE"))
                _add_counts(summary.extra, demo_years.add_loans(s, seed, [y for y, _ in earlier], ledger.today()))
                _add_counts(summary.extra, demo_history.add_history(s, seed, [y for y, _ in earlier] + [year], as_of))
                _add_counts(summary.extra, demo_years.totals(s))
                lap("history")
            audit.record(s, "示例数据", "database", label=f"示例数据：{CITY}市（种子 {seed}，{enterprises} 个治理对象）",
                         after={**summary.counts(), "seed": seed, "year": year})
        lap("commit")
    except _Cancelled:
        raise Refused("已取消") from None
    summary.phases = phases
    summary.seconds = round(time.perf_counter() - started, 2)
    return summary


def _lap(phases: dict[str, float]):
    """A function that records the seconds since its last call (or since made) under a name."""
    last = [time.perf_counter()]

    def lap(name: str) -> None:
        now = time.perf_counter()
        phases[name] = now - last[0]
        last[0] = now

    return lap


def _add_counts(total: dict[str, int], counts: dict[str, int]) -> None:
    for key, n in counts.items():
        total[key] = total.get(key, 0) + n


# Areas of the year's work that add their own sample rows (each module's populate_demo), in order.
DEMO_AREAS = (demo_landbank, demo_reports, demo_quota, demo_exams)
# The years before the sample year get their quota loans from demo_years.add_loans instead.
EARLIER_YEAR_AREAS = (demo_landbank, demo_reports)


def _populate_areas(s, seed: int, params, year_id: int, as_of: dt.date, areas=None) -> dict[str, int]:
    """Let each area add its sample rows through the ORM in this same transaction (one audit record
    covers the whole sample city, so the per-row hook is off meanwhile)."""
    counts: dict[str, int] = {}
    s.flush()
    s.info["skip_audit"] = True
    try:
        for i, module in enumerate(DEMO_AREAS if areas is None else areas):  # read at call time (tests swap it)
            counts.update(module.populate_demo(s, random.Random(seed * 1000 + i), params, year_id, as_of))
            s.flush()
    finally:
        s.info["skip_audit"] = False
    return counts


def _build(s, params, year_id: int, n_objects: int, seed: int, as_of: dt.date, progress, cancel) -> DemoSummary:
    rng = random.Random(seed)
    year = params.year
    gen = Generator(rng, year, as_of)
    summary = DemoSummary(year=year, seed=seed, city_target_mu=params.target_area_mu)

    def check_cancel() -> None:
        if cancel is not None and getattr(cancel, "cancelled", False):
            raise _Cancelled

    d = draw_city(rng, gen, params, n_objects, as_of, check_cancel)
    town_names, target_area, target_parks = d.town_names, d.target_area, d.target_parks
    parks, targets, evaluations, lists, entries, plans = d.parks, d.targets, d.evaluations, d.lists, d.entries, d.plans
    soe_names, eval_year, eval_source, n_parcels = d.soe_names, d.eval_year, d.eval_source, d.n_parcels
    n_towns = len(town_names)
    now = utcnow()
    stamp = {"created_at": now, "updated_at": now, "revision": 1}

    # ---- write -----------------------------------------------------------------------------
    total = (n_towns * 2 + len(soe_names) + len(parks) + len(targets) + len(evaluations) + len(lists)
             + len(entries) + len(plans))
    done = 0

    def insert_rows(model, rows: list[dict]) -> list[int]:
        """The rows as multi-row INSERTs (db.insert_returning_ids: an executemany ran one statement per row, and
        the search index wrote a segment after each of 100 000 targets' statements), their new ids in order."""
        nonlocal done
        out: list[int] = []
        for start in range(0, len(rows), CHUNK):
            check_cancel()
            chunk = rows[start:start + CHUNK]
            out.extend(insert_returning_ids(s, model.__table__, chunk))
            done += len(chunk)
            if progress:
                progress(done, total)
        return out

    if progress:
        progress(0, total)
    town_ids = insert_rows(Town, [
        {"name": name, "sort_order": i + 1, "liaison_name": gen.person(), "liaison_phone": gen.mobile(),
         "active": True, **stamp} for i, name in enumerate(town_names)])
    insert_rows(TownTarget, [
        {"town_id": town_ids[i], "year_id": year_id, "target_area_mu": target_area[i],
         "target_parks": target_parks[i], **stamp} for i in range(n_towns)])
    soe_ids = insert_rows(Soe, [
        {"name": name, "credit_code": gen.credit_code(f"{AREA_CODE_PREFIX}00", "91"), "contact": gen.person(),
         "phone": gen.mobile(), **stamp} for name in soe_names])
    park_ids = insert_rows(ContiguousArea, [
        {"name": p["name"], "town_id": town_ids[p["town"]],
         "area_mu": (p["land"] * Decimal(str(rng.uniform(1.15, 1.45)))).quantize(CENT) if p["land"]
         else dec(rng.uniform(80, 400)),
         "start_date": p["start_date"], "status": p["status"], "note": p["note"], **stamp} for p in parks])
    target_rows = []
    for t in targets:
        row = {key: t[key] for key in ("kind", "name", "category", "address", "land_area_mu", "state", "note",
                                       "credit_code", "legal_rep", "building_area_m2", "industry", "land_cert_no",
                                       "owner")}
        row["town_id"] = town_ids[t["town"]]
        row["contiguous_area_id"] = park_ids[t["park"]] if t["park"] is not None else None
        row["credit_code_override"] = False
        row["search_text"] = search_text_for(t["name"], t["credit_code"], t["address"])
        row.update(stamp)
        target_rows.append(row)
    target_ids = insert_rows(Target, target_rows)
    del target_rows
    insert_rows(Evaluation, [
        {"target_id": target_ids[idx], "year": eval_year, "grade": grade, "source": eval_source}
        for idx, grade in evaluations])
    list_ids = insert_rows(GovernanceList, [
        {"town_id": town_ids[li["town"]], "year_id": year_id, "status": li["status"],
         "submitted_at": li["submitted_at"], "reviewed_at": li["reviewed_at"], "reviewer": li["reviewer"],
         "return_reason": li["return_reason"], **stamp} for li in lists])
    entry_ids = insert_rows(ListEntry, [
        {"list_id": list_ids[e["list"]], "target_id": target_ids[e["target"]],
         "planned_method": e["planned_method"], "planned_area_mu": e["planned_area_mu"],
         "contiguous_area_id": park_ids[e["contiguous_area"]] if e["contiguous_area"] is not None else None,
         "state": e["state"], "state_reason": e["state_reason"], "completed_on": e["completed_on"],
         "verified_on": e["verified_on"], "verified_area_mu": e["verified_area_mu"], "note": e["note"], **stamp}
        for e in entries])
    insert_rows(Plan, [
        {"entry_id": entry_ids[p["entry"]], "batch_no": p["batch_no"], "method": p["method"],
         "planned_area_mu": p["planned_area_mu"], "planned_cost_wan": p["planned_cost_wan"],
         "soe_id": soe_ids[p["soe"]] if p["soe"] is not None else None, "filed_on": p["filed_on"],
         "note": p["note"], **stamp} for p in plans])

    # ---- summary ---------------------------------------------------------------------------
    summary.towns = n_towns
    summary.soes = len(soe_ids)
    summary.parks = len(parks)
    summary.parks_started = sum(1 for p in parks if p["status"] is ParkStatus.STARTED
                                and p["start_date"] is not None and p["start_date"].year == year)
    summary.parcels = n_parcels
    summary.enterprises = n_objects - n_parcels
    summary.evaluations = len(evaluations)
    summary.lists = len(lists)
    summary.entries = len(entries)
    summary.plans = len(plans)
    summary.land_area_mu = sum((t["land_area_mu"] for t in targets), ZERO)
    states = Counter(e["state"] for e in entries)
    summary.entries_by_state = {st.value: states.get(st, 0) for st in EntryState}
    for e in entries:
        if e["state"] in rules.INACTIVE_STATES or e["planned_method"] in rules.UNCOUNTED_METHODS:
            continue
        summary.listed_area_mu += e["planned_area_mu"]
        if e["contiguous_area"] is not None:
            summary.contiguous_area_mu += e["planned_area_mu"]
        if rules.counts_toward_completion(e["state"], e["planned_method"]):
            summary.verified_area_mu += e["verified_area_mu"]
    return summary
