"""The sample city drawn in memory, before anything is written: towns with their 附件1 targets, parks, targets
(enterprises and parcels) with evaluations, each town's list with entries in every state, and plans.

Everything comes from one seeded generator in a fixed order, so a seed always draws the same city.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Callable

from desktop.models.enums import Category, EntryState, EvaluationClass, ListStatus, Method, ParkStatus, TargetKind, TargetState
from desktop.services import rules
from desktop.services.demo.demo_names import (
    AREA_CODE_PREFIX, CANCEL_REASONS, CENT, CHUNK, CITY, COMPANY_SUFFIX, INDUSTRY_NAMES, PARK_KINDS,
    PARK_PLACES, RETURN_REASON, REVIEWER, ROADS, SOES, TOWNS, VERIFY_FAIL_REASONS, VILLAGES, ZERO, Generator,
    allocate, allocate_int, dec, town_stem,
)
from desktop.services.lists.list_service import TARGET_STATE_OF
from desktop.services.units import M2_PER_MU

# States of an approved list's entries other than 已核实, with weights.
APPROVED_LIST_STATES = [
    (EntryState.APPROVED, 10), (EntryState.PLAN_FILED, 14), (EntryState.IN_PROGRESS, 30),
    (EntryState.REPORTED, 14), (EntryState.VERIFY_FAILED, 5), (EntryState.CANCELLED, 5),
]
PLANNED_STATES = frozenset({EntryState.PLAN_FILED, EntryState.IN_PROGRESS, EntryState.REPORTED,
                            EntryState.VERIFIED, EntryState.VERIFY_FAILED})


@dataclass
class CityDraft:
    """What draw_city decided, as plain rows referring to each other by list index."""

    town_names: list[str]
    target_area: list[Decimal]  # 附件1 target per town (亩)
    target_parks: list[int]
    area_codes: list[str]
    parks: list[dict]
    targets: list[dict]
    eval_year: int
    eval_source: str
    evaluations: list[tuple[int, EvaluationClass]]  # (target index, grade)
    lists: list[dict]
    entries: list[dict]
    soe_names: list[str]
    plans: list[dict]
    n_parcels: int


def draw_city(rng: random.Random, gen: Generator, params, n_objects: int, as_of: dt.date,
              check_cancel: Callable[[], None]) -> CityDraft:
    """Draw the whole sample city for the year of `params`, standing at `as_of`."""
    year = params.year
    # ---- towns and 附件1 targets ------------------------------------------------------------
    town_names = [t for t, _ in TOWNS]
    weights = [w * rng.uniform(0.8, 1.25) for _, w in TOWNS]
    n_towns = len(town_names)
    target_area = allocate(params.target_area_mu, weights, Decimal(10))
    target_parks = allocate_int(params.parks_target, weights, rng)
    area_codes = [f"{AREA_CODE_PREFIX}{81 + i:02d}" if i < 9 else f"{AREA_CODE_PREFIX}{i - 8:02d}"
                  for i in range(n_towns)]

    # List status per town: most approved; three small towns lag (draft, submitted, returned).
    by_size = sorted(range(n_towns), key=lambda i: weights[i])
    lagging = rng.sample(by_size[:5], 3)
    list_status = [ListStatus.APPROVED] * n_towns
    list_status[lagging[0]] = ListStatus.DRAFT
    list_status[lagging[1]] = ListStatus.SUBMITTED
    list_status[lagging[2]] = ListStatus.RETURNED
    approved_towns = [i for i in range(n_towns) if list_status[i] is ListStatus.APPROVED]
    # 三(一): most towns reach the minimum contiguous share; the returned one (and maybe one more) does not.
    low_share = {lagging[2]}
    if rng.random() < 0.6:
        low_share.add(rng.choice(approved_towns))

    # ---- contiguous areas (parks) ----------------------------------------------------------
    # Started this year: each town its target, except one town one short; extra starts elsewhere,
    # so the city starts at least the year's target.
    started_per_town = list(target_parks)
    short = [i for i in range(n_towns) if started_per_town[i] > 0]
    extra = 0
    if short:
        started_per_town[rng.choice(short)] -= 1
        extra = rng.randint(1, 3)
    for _ in range(extra):
        started_per_town[rng.choices(range(n_towns), weights)[0]] += 1
    park_status: list[list[ParkStatus]] = [[ParkStatus.STARTED] * k for k in started_per_town]
    for i in range(n_towns):
        if not park_status[i]:
            park_status[i].append(ParkStatus.PLANNED)
    for _ in range(rng.randint(1, 2)):
        park_status[rng.randrange(n_towns)].append(ParkStatus.COMPLETED)
    goal = rng.randint(16, 20)
    while sum(map(len, park_status)) < goal:
        park_status[rng.choices(range(n_towns), weights)[0]].append(ParkStatus.PLANNED)

    parks: list[dict] = []  # in memory, 'town' index; ids assigned at insert
    park_names: set[str] = set()
    parks_of_town: list[list[int]] = [[] for _ in range(n_towns)]
    for i, statuses in enumerate(park_status):
        stem = town_stem(town_names[i])
        for status in statuses:
            for attempt in range(100):
                name = f"{stem}{rng.choice(PARK_PLACES)}{rng.choice(PARK_KINDS)}"
                if attempt > 50:  # a town with very many parks: number them
                    name += f"{attempt - 50}号区"
                if name not in park_names:
                    break
            park_names.add(name)
            if status is ParkStatus.STARTED:
                start = gen.date_between(dt.date(year, 1, 15), as_of)
                note = ""
            elif status is ParkStatus.COMPLETED:
                start = gen.date_between(dt.date(year - 1, 3, 1), dt.date(year - 1, 9, 30))
                note = f"{year - 1}年启动，已整治完成"
            else:
                start, note = None, "谋划中，待镇街报送启动方案"
            parks_of_town[i].append(len(parks))
            parks.append({"name": name, "town": i, "status": status, "start_date": start, "note": note, "land": ZERO})

    # ---- targets ---------------------------------------------------------------------------
    n_parcels = round(n_objects * 0.1)
    per_town = allocate_int(n_objects, weights, rng)
    kinds = [TargetKind.PARCEL] * n_parcels + [TargetKind.ENTERPRISE] * (n_objects - n_parcels)
    rng.shuffle(kinds)
    eval_year = params.evaluation_year
    eval_source = f"{eval_year}年度工业企业资源集约利用综合评价"
    targets: list[dict] = []
    evaluations: list[tuple[int, EvaluationClass]] = []  # (target index, grade)
    k = 0
    for i in range(n_towns):
        town = town_names[i]
        stem = town_stem(town)
        town_parks = parks_of_town[i]
        for _ in range(per_town[i]):
            kind = kinds[k]
            k += 1
            if k % CHUNK == 0:
                check_cancel()
            parcel = kind is TargetKind.PARCEL
            if parcel:
                category = rng.choices((Category.OTHER, Category.CONTIGUOUS, Category.POINT), (60, 25, 15))[0]
            else:
                category = rng.choices((Category.D_CLASS, Category.POINT, Category.CONTIGUOUS, Category.OTHER),
                                       (28, 22, 35, 15))[0]
            park = None
            if category is Category.CONTIGUOUS:
                park = rng.choice(town_parks)
            elif rng.random() < 0.1:
                park = rng.choice(town_parks)
            land = gen.land_area(parcel)
            row = {
                "kind": kind, "town": i, "category": category, "park": park, "land_area_mu": land,
                "state": TargetState.PENDING, "note": "", "credit_code": None, "legal_rep": "",
                "building_area_m2": None, "industry": "", "land_cert_no": "", "owner": "",
            }
            if parcel:
                industry = rng.choice(INDUSTRY_NAMES)
                roll = rng.random()
                if roll < 0.3:
                    row["name"] = f"{stem}{rng.choice(('老', '东', '西', '南', '北', '货运', '散货'))}码头{rng.randint(1, 9)}号泊位"
                    row["industry"] = "码头仓储"
                    if row["name"] in gen.names:
                        row["name"] += f"（{rng.choice(ROADS)}段）"
                    row["address"] = gen.address(town)
                elif roll < 0.7:
                    row["name"] = "原" + COMPANY_SUFFIX.sub("", gen.company_name(stem, industry, False)) + "地块"
                    row["address"] = gen.address(town)
                else:
                    side = f"{rng.choice(ROADS)}{rng.choice('东西南北')}侧"
                    row["name"] = f"{stem}{side}地块"
                    row["address"] = f"{town}{side}"
                gen.names.add(row["name"])
                row["land_cert_no"] = gen.land_cert_no()
                owner_roll = rng.random()
                if owner_roll < 0.45:
                    row["owner"] = gen.company_name(stem, industry, False)
                elif owner_roll < 0.8:
                    row["owner"] = f"{town}{rng.choice(VILLAGES)}股份经济合作社"
                else:
                    row["owner"] = f"{town}人民政府" if town.endswith("镇") else f"{CITY}市{town}管理委员会"
                if rng.random() < 0.6:
                    row["building_area_m2"] = dec(float(land * M2_PER_MU) * rng.uniform(0.1, 0.6))
                if rng.random() < 0.2:
                    row["note"] = rng.choice(("地块闲置多年", "地上建筑物老旧，存在安全隐患", "原企业已注销"))
            else:
                individual = rng.random() < 0.1
                prefix = "92" if individual else ("93" if rng.random() < 0.02 else "91")
                industry = rng.choice(INDUSTRY_NAMES)
                row["name"] = gen.company_name(stem, industry, individual)
                row["credit_code"] = gen.credit_code(area_codes[i], prefix)
                row["legal_rep"] = gen.person()
                row["industry"] = industry
                row["address"] = gen.address(town)
                row["building_area_m2"] = dec(float(land * M2_PER_MU) * rng.uniform(0.3, 1.1))
                if category is Category.D_CLASS:
                    evaluations.append((len(targets), EvaluationClass.D))
                elif not individual and rng.random() < 0.8:
                    evaluations.append((len(targets), rng.choices(
                        (EvaluationClass.A, EvaluationClass.B, EvaluationClass.C), (15, 45, 40))[0]))
                if rng.random() < 0.05:
                    row["note"] = rng.choice(("安全生产隐患突出", "环保信访多次", "长期欠缴税款", "租赁厂房经营"))
            if park is not None:
                parks[park]["land"] += land
            targets.append(row)

    # ---- lists and entries -------------------------------------------------------------------
    by_town: list[list[int]] = [[] for _ in range(n_towns)]
    for idx, t in enumerate(targets):
        by_town[t["town"]].append(idx)
    minimum = params.contiguous_share_min_pct
    forced = [EntryState.VERIFIED] + [st for st, _ in APPROVED_LIST_STATES]  # every state at least once
    entries: list[dict] = []
    lists: list[dict] = []
    approved_seen = 0
    for i in range(n_towns):
        status = list_status[i]
        submitted = reviewed = None
        if status is not ListStatus.DRAFT:
            day = gen.date_between(dt.date(year, 1, 20), dt.date(year, 3, 10))
            submitted = dt.datetime.combine(day, dt.time(9, 30))
        if status in (ListStatus.APPROVED, ListStatus.RETURNED):
            reviewed = submitted + dt.timedelta(days=rng.randint(3, 12), hours=6)
        lists.append({
            "town": i, "status": status, "submitted_at": submitted, "reviewed_at": reviewed,
            "reviewer": REVIEWER if reviewed else "",
            "return_reason": RETURN_REASON if status is ListStatus.RETURNED else "",
        })
        goal_total = target_area[i] * Decimal(str(rng.uniform(1.05, 1.25)))
        share_goal = Decimal(str(rng.uniform(0.10, 0.22) if i in low_share else rng.uniform(0.34, 0.46)))
        verified_goal = target_area[i] * Decimal(str(rng.uniform(0.45, 0.85)))
        chosen = _choose(rng, targets, by_town[i], goal_total, share_goal)
        town_entries: list[dict] = []
        verified_sum = ZERO
        for n, (idx, planned, method) in enumerate(chosen):
            t = targets[idx]
            if status is ListStatus.APPROVED:
                if n == 0 and approved_seen < len(forced):
                    state = forced[approved_seen]
                elif (rules.counts_toward_completion(EntryState.VERIFIED, method)
                      and verified_sum + planned <= verified_goal and rng.random() < 0.85):
                    state = EntryState.VERIFIED
                else:
                    state = rng.choices([st for st, _ in APPROVED_LIST_STATES], [w for _, w in APPROVED_LIST_STATES])[0]
            else:
                state = {ListStatus.DRAFT: EntryState.DRAFT, ListStatus.SUBMITTED: EntryState.SUBMITTED,
                         ListStatus.RETURNED: EntryState.RETURNED}[status]
            e = {"list": i, "target": idx, "planned_method": method, "planned_area_mu": planned,
                 "contiguous_area": t["park"], "state": state, "state_reason": "", "completed_on": None,
                 "verified_on": None, "verified_area_mu": None, "note": ""}
            if state in (EntryState.REPORTED, EntryState.VERIFIED, EntryState.VERIFY_FAILED):
                e["completed_on"] = gen.date_between(dt.date(year, 3, 1), as_of - dt.timedelta(days=3))
            if state is EntryState.VERIFIED:
                e["verified_on"] = min(e["completed_on"] + dt.timedelta(days=rng.randint(2, 15)), as_of)
                e["verified_area_mu"] = (planned * Decimal(str(rng.uniform(0.92, 1.0)))).quantize(CENT, ROUND_DOWN)
                if rules.counts_toward_completion(state, method):
                    verified_sum += e["verified_area_mu"]
            elif state is EntryState.VERIFY_FAILED:
                e["state_reason"] = rng.choice(VERIFY_FAIL_REASONS)
            elif state is EntryState.CANCELLED:
                e["state_reason"] = rng.choice(CANCEL_REASONS)
            elif state is EntryState.RETURNED:
                e["state_reason"] = RETURN_REASON
            if method is Method.SELF_RENOVATION:
                e["note"] = "企业自主技改，不计入治理面积"
            town_entries.append(e)
        _settle_share(town_entries, minimum, low=i in low_share)
        for e in town_entries:
            targets[e["target"]]["state"] = TARGET_STATE_OF[e["state"]]
        entries.extend(town_entries)
        if status is ListStatus.APPROVED and chosen:
            approved_seen += 1

    # ---- plans (三(二)) for entries past 方案已备案 --------------------------------------------
    soe_names = SOES[: rng.choice((3, 4))]
    plans: list[dict] = []
    for n, e in enumerate(entries):
        if e["state"] not in PLANNED_STATES:
            continue
        method, area = e["planned_method"], e["planned_area_mu"]
        rate = {Method.LAND_BANKING: (38, 63), Method.ACQUISITION: (30, 55), Method.REUSE: (5, 20)}.get(method)
        plans.append({
            "entry": n, "batch_no": f"{town_stem(town_names[e['list']])}-{year}-{rng.randint(1, 3):02d}",
            "method": method, "planned_area_mu": area,
            "planned_cost_wan": (area * Decimal(str(rng.uniform(*rate)))).quantize(CENT) if rate else None,
            "soe": rng.randrange(len(soe_names)) if method is Method.LAND_BANKING else None,
            "filed_on": gen.date_between(dt.date(year, 3, 15), min(dt.date(year, 5, 31), as_of)),
            "note": "",
        })

    return CityDraft(town_names, target_area, target_parks, area_codes, parks, targets, eval_year, eval_source,
                     evaluations, lists, entries, soe_names, plans, n_parcels)


def _pick_method(rng: random.Random, parcel: bool) -> Method:
    if parcel:
        return rng.choices((Method.LAND_BANKING, Method.REUSE, Method.ACQUISITION), (55, 30, 15))[0]
    return rng.choices((Method.LAND_BANKING, Method.ACQUISITION, Method.REUSE, Method.SELF_RENOVATION),
                       (42, 28, 24, 6))[0]


def _choose(rng: random.Random, targets: list[dict], candidates: list[int], goal_total: Decimal,
            share_goal: Decimal) -> list[tuple[int, Decimal, Method]]:
    """Pick a town's list: park targets up to the share goal, others up to the rest of the area goal.

    Returns (target index, planned area ≤ land area, method) in list order. Entries that will not
    count (企业自主技改) are listed but do not advance the goals.
    """
    in_park = [i for i in candidates if targets[i]["park"] is not None]
    outside = [i for i in candidates if targets[i]["park"] is None]
    rng.shuffle(in_park)
    rng.shuffle(outside)
    slack = goal_total * Decimal("0.08")

    def take(pool: list[int], goal: Decimal) -> list[tuple[int, Decimal, Method]]:
        out, total = [], ZERO
        for idx in pool:
            if total >= goal:
                break
            land = targets[idx]["land_area_mu"]
            planned = land
            if rng.random() >= 0.7:  # part of the site
                planned = (land * Decimal(str(rng.uniform(0.7, 1.0)))).quantize(CENT, ROUND_DOWN)
            if planned <= 0 or total + planned > goal + slack:
                continue
            method = _pick_method(rng, targets[idx]["kind"] is TargetKind.PARCEL)
            out.append((idx, planned, method))
            if method not in rules.UNCOUNTED_METHODS:
                total += planned
        return out

    picked = take(in_park, goal_total * share_goal) + take(outside, goal_total - goal_total * share_goal)
    rng.shuffle(picked)
    return picked


def _settle_share(entries: list[dict], minimum: Decimal, *, low: bool) -> None:
    """三(一): keep a normal town's contiguous share at or above the minimum and a low one below it.

    Drops entries from the end of the list (never the first, which may carry a state the sample
    must show) until the share, counted as progress_service counts it, is where it should be.
    """
    if minimum <= 0:
        return

    def counted(e: dict) -> bool:
        return e["state"] not in rules.INACTIVE_STATES and e["planned_method"] not in rules.UNCOUNTED_METHODS

    def sums() -> tuple[Decimal, Decimal]:
        listed = sum((e["planned_area_mu"] for e in entries if counted(e)), ZERO)
        contiguous = sum((e["planned_area_mu"] for e in entries
                          if counted(e) and e["contiguous_area"] is not None), ZERO)
        return listed, contiguous

    def drop_last(in_park: bool) -> bool:
        for n in range(len(entries) - 1, 0, -1):
            e = entries[n]
            if counted(e) and (e["contiguous_area"] is not None) == in_park:
                del entries[n]
                return True
        return False

    if low:
        while not rules.share_below_minimum(*sums(), max(minimum - 2, Decimal(0))) and drop_last(True):
            pass
    else:
        while rules.share_below_minimum(*sums(), min(minimum + 1, Decimal(100))) and drop_last(False):
            pass
