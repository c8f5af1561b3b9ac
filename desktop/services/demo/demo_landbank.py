"""示例数据 for 政府收储 and 市场化收购 (三(三)1, 三(三)2), added to the sample city in its session.

收储 entries get their groundwork steps (a few missing), 合作协议 and 收储协议 at realistic prices
(mostly 35–58 万元/亩), with exactly one SOE × town pair whose average is over the year's cap, saved
with the over-cap confirmation and a note. 收购 entries get acquisitions in every stage (one 会审
failed then passed), their agreements, and monthly tax feedback with two missing months and one
underpaid month.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

from sqlalchemy import select

from desktop.models import (
    Acquisition,
    Agreement,
    GovernanceList,
    GroundworkRecord,
    LandBanking,
    ListEntry,
    Plan,
    Soe,
    TaxRecord,
    Target,
    Town,
)
from desktop.models.enums import AgreementKind, EntryState, GroundworkStep, Method
from desktop.services import rules
from desktop.services.demo.demo_years import _insert, _stamp
from desktop.services.landbank import acquisition_service, agreement_service

K = AgreementKind
G = GroundworkStep
CENT = Decimal("0.01")
ZERO = Decimal(0)

STEP_RESULTS = {
    G.CREDIT_CHECK: ["企业资信良好，无涉诉事项", "存在银行抵押，已与债权行协商解押", "企业无重大债务纠纷，抵押已解除",
                     "有欠缴社保记录，已督促补缴"],
    G.SOIL_TEST: ["土壤及地下水检测合格，符合工业用地标准", "检测结果符合第二类用地筛选值", "局部重金属超标，修复方案已编制"],
    G.VALUATION: [],  # the valuation's own figure, below
    G.NEGOTIATION: ["已达成收储意向", "企业同意按评估价收储", "补偿方案已经双方确认", "经三轮洽谈达成一致"],
}
OVER_CAP_NOTE = "地块内厂房较新、设备搬迁补偿较高，超均价上限已报市专治办确认同意"
INVESTOR_WORDS = ["智能装备", "新材料", "精密制造", "新能源科技", "生物科技", "电子科技", "环保科技", "汽车零部件"]
INVESTOR_BRANDS = ["恒润", "瑞丰", "博远", "宏晟", "中科", "启航", "天成", "嘉和", "汇通", "永创", "华晨", "立信"]
PROJECTS = ["年产{n}万套智能装备零部件项目", "新型环保材料生产基地项目", "高端精密制造产业园项目",
            "新能源汽车零部件生产项目", "年产{n}万吨功能性新材料项目", "智能制造标准厂房项目", "电子元器件生产线项目"]
FAILED_REVIEW_NOTE = "首次会审：亩均投资强度不足，要求调整项目方案后重新提请"


def _gov(town: str) -> str:
    """The town's government as a party to an agreement."""
    if town.endswith("街道"):
        return town + "办事处"
    if town.endswith("区"):
        return town + "管理委员会"
    return town + "人民政府"


def _money(x) -> Decimal:
    return Decimal(str(x)).quantize(CENT, rounding=ROUND_HALF_UP)


class _Days:
    def __init__(self, rng: random.Random, as_of: dt.date, today: dt.date):
        self.rng, self.as_of, self.today = rng, as_of, today

    def after(self, d: dt.date, lo: int, hi: int) -> dt.date:
        """A day lo–hi days after d, never after the sample's 'today'."""
        return min(d + dt.timedelta(days=self.rng.randint(lo, hi)), self.as_of)


def _planned_entries(s, year_id: int):
    """(entry, plan (method, soe, area), target name, town id, town name, filed on) of the year, by id."""
    q = (select(ListEntry, Target.name, GovernanceList.town_id, Town.name)
         .join(GovernanceList, GovernanceList.id == ListEntry.list_id)
         .join(Town, Town.id == GovernanceList.town_id)
         .join(Target, Target.id == ListEntry.target_id)
         .where(GovernanceList.year_id == year_id, ListEntry.state.in_(agreement_service.PLAN_FILED_ON_STATES))
         .order_by(ListEntry.id))
    rows = s.execute(q).all()
    plans: dict[int, Plan] = {}  # each entry's plan in force (agreement_service.latest_plan), in one query
    for plan in s.scalars(select(Plan).where(Plan.entry_id.in_(select(ListEntry.id).join(GovernanceList)
                                                               .where(GovernanceList.year_id == year_id)))
                          .order_by(Plan.entry_id, Plan.filed_on.desc().nulls_last(), Plan.id.desc())):
        plans.setdefault(plan.entry_id, plan)
    return [(e, plans[e.id], target, town_id, town) for e, target, town_id, town in rows if e.id in plans]


def populate_demo(s, rng: random.Random, params, year_id: int, as_of: dt.date) -> dict[str, int]:
    entries = _planned_entries(s, year_id)
    soes = dict(s.execute(select(Soe.id, Soe.name)).tuples().all())
    days = _Days(rng, as_of, s.info.get(DEMO_DAY, as_of))
    counts = {"land_banking": 0, "groundwork_records": 0, "agreements": 0, "acquisitions": 0, "tax_records": 0}
    made = _Made()
    _land_banking(made, rng, params, year_id, as_of, days, soes, counts,
                  [x for x in entries if x[1].method is Method.LAND_BANKING])
    signed_acqs = _acquisitions(made, rng, year_id, as_of, days, counts,
                                [x for x in entries if x[1].method is Method.ACQUISITION])
    made.write(s)
    _tax_records(s, rng, as_of, counts, signed_acqs)
    return counts


class _Row(SimpleNamespace):
    """A row to be written, its attributes named as its model's columns: the steps below make and change rows
    as they made and changed the models' objects, and _Made writes them in bulk."""

    id = None


def _dicts(model, rows: list[_Row]) -> list[dict]:
    """Rows as the ORM's flush wrote them: every column, one left unset at its model's default, stamped."""
    columns = [c for c in model.__table__.c if c.key not in ("id", "created_at", "updated_at", "revision")]
    defaults = {c.key: c.default.arg if c.default is not None and c.default.is_scalar else None for c in columns}
    return [{**{k: vars(r).get(k, d) for k, d in defaults.items()}, **_stamp()} for r in rows]


def _write(s, model, rows: list[_Row]) -> None:
    """The rows as multi-row INSERTs in the order made (the order the ORM wrote them in), each given its id."""
    for row, new_id in zip(rows, _insert(s, model, _dicts(model, rows))):
        row.id = new_id


class _Made:
    """The year's land banking, groundwork steps, agreements and acquisitions, in the order made."""

    def __init__(self) -> None:
        self.land_banking: list[_Row] = []
        self.steps: list[_Row] = []
        self.agreements: list[_Row] = []
        self.acquisitions: list[_Row] = []

    def write(self, s) -> None:
        _write(s, LandBanking, self.land_banking)
        for step in self.steps:
            step.land_banking_id = step.land_banking.id
        _write(s, GroundworkRecord, self.steps)
        _write(s, Agreement, self.agreements)
        _write(s, Acquisition, self.acquisitions)


# --- 政府收储 ---------------------------------------------------------------------------------------

def _steps_for(rng: random.Random, state: EntryState) -> list[GroundworkStep]:
    steps = list(G)
    if state is EntryState.PLAN_FILED:
        return steps[: rng.choice((0, 1, 2, 2, 3, 4))]
    if state is EntryState.IN_PROGRESS and rng.random() < 0.3:
        return steps[: rng.choice((2, 3))]
    if rng.random() < 0.1:  # done, but one report never reached the office
        steps.remove(rng.choice((G.SOIL_TEST, G.VALUATION)))
    return steps


def _land_banking(made: _Made, rng, params, year_id, as_of, days, soes, counts, entries) -> None:
    landbank_agreements: list[_Row] = []
    for e, plan, target, town_id, town in entries:
        lb = _Row(entry_id=e.id, soe_id=plan.soe_id)
        made.land_banking.append(lb)
        counts["land_banking"] += 1
        area = plan.planned_area_mu or e.planned_area_mu
        day = plan.filed_on or dt.date(params.year, 3, 15)
        done = _steps_for(rng, e.state)
        for step in G:
            day = days.after(day, 4, 18)
            if step not in done:
                continue
            result = (f"评估价值 {_money(area * Decimal(str(rng.uniform(38, 58)))):,} 万元" if step is G.VALUATION
                      else rng.choice(STEP_RESULTS[step]))
            made.steps.append(_Row(land_banking=lb, step=step, done_on=day, result=result))
            counts["groundwork_records"] += 1
        if G.NEGOTIATION not in done or plan.soe_id is None:
            continue
        coop_day = days.after(day, 3, 12)
        soe = soes.get(plan.soe_id, "")
        cost = Decimal(str(rng.triangular(35, 58, 47))) if rng.random() < 0.95 else Decimal(str(rng.uniform(30, 35)))
        amount = _money(area * cost)
        coop = _Row(kind=K.COOPERATION, entry_id=e.id, town_id=town_id, soe_id=plan.soe_id, year_id=year_id,
                    party_a=_gov(town), party_b=soe, signed_on=coop_day, amount_wan=amount, area_mu=area,
                    filed_on=_filed(rng, days, coop_day, as_of))
        made.agreements.append(coop)
        counts["agreements"] += 1
        if e.state is EntryState.PLAN_FILED and rng.random() < 0.5:
            continue  # cooperation agreed, the enterprise not yet signed
        bank_day = days.after(coop_day, 0, 10)
        bank = _Row(kind=K.LAND_BANKING, entry_id=e.id, town_id=town_id, soe_id=plan.soe_id, year_id=year_id,
                    party_a=_gov(town), party_b=target, signed_on=bank_day, amount_wan=amount, area_mu=area,
                    filed_on=_filed(rng, days, bank_day, as_of))
        made.agreements.append(bank)
        counts["agreements"] += 1
        landbank_agreements.append(bank)
    _one_pair_over_cap(rng, params, landbank_agreements)


UNFILED_WITHIN_DAYS = 61  # a few agreements signed in the last two months are still waiting to be filed
DEMO_DAY = "demo_day"  # session info: the sample year's day, the demo's 'today' (demo_service sets it)


def _filed(rng, days: _Days, signed: dt.date, as_of: dt.date) -> dt.date | None:
    """Filed 2–12 days after signing; those filed after the year's `as_of` not yet, and about one in twelve
    signed within the last two months before the demo's day (days.today) not yet either: no office
    carries an agreement unfiled for years."""
    filed = signed + dt.timedelta(days=rng.randint(2, 12))
    late = rng.random() < 0.08
    if filed > as_of or (late and (days.today - signed).days < UNFILED_WITHIN_DAYS):
        return None
    return filed


def _one_pair_over_cap(rng: random.Random, params, agreements: list[_Row]) -> None:
    """四(二): lift one SOE × town pair just over the cap — its latest 收储协议 priced high, saved with
    the clerk's confirmation and a note. Every other pair stays at most 58 万元/亩, under the cap."""
    pairs: dict[tuple[int, int], list[_Row]] = {}
    for a in agreements:
        pairs.setdefault((a.soe_id, a.town_id), []).append(a)
    candidates = sorted((k for k, v in pairs.items() if len(v) >= 2), key=lambda k: (len(pairs[k]), k)) \
        or sorted(pairs)
    if not candidates:
        return
    cap = Decimal(params.landbank_cost_cap_wan_per_mu)
    chosen = pairs[candidates[min(len(candidates) - 1, rng.randrange(max(1, len(candidates) // 2)))]]
    chosen.sort(key=lambda a: (a.signed_on, a.id or 0))
    last, others = chosen[-1], chosen[:-1]
    goal = cap + Decimal(str(rng.uniform(1.0, 3.5)))  # the pair's average, a little over the cap
    for a in others:  # the earlier ones already dear
        a.amount_wan = _money(a.area_mu * Decimal(str(rng.uniform(float(cap) - 4, float(cap) + 2))))
    others_amount = sum((a.amount_wan for a in others), ZERO)
    total_area = sum((a.area_mu for a in chosen), ZERO)
    last.amount_wan = _money(goal * total_area - others_amount)
    if last.amount_wan / last.area_mu > cap * 2 or last.amount_wan <= 0:  # a tiny last parcel: price all alike
        for a in chosen:
            a.amount_wan = _money(a.area_mu * goal)
    while not rules.over_cost_cap(params, sum((a.amount_wan for a in chosen), ZERO), total_area):
        last.amount_wan += Decimal(1)
    last.over_cap_confirmed = True
    last.note = OVER_CAP_NOTE


# --- 市场化收购 -------------------------------------------------------------------------------------

# What each acquisition is taken to (in this order for the least advanced entries, so every stage shows).
FORCED = ["review", "negotiation", "joint_failed", "joint_pending", "joint_passed", "signed", "failed_then_filed",
          "filed"]


def _investor(rng: random.Random) -> str:
    return f"临澄{rng.choice(INVESTOR_BRANDS)}{rng.choice(INVESTOR_WORDS)}有限公司"


def _acquisitions(made: _Made, rng, year_id, as_of, days: _Days, counts,
                  entries) -> list[tuple[_Row, dt.date, Decimal]]:
    """The acquisitions and their agreements; returns the signed ones (acquisition, signing day, area)."""
    order = {EntryState.PLAN_FILED: 0, EntryState.IN_PROGRESS: 1}
    entries = sorted(entries, key=lambda x: (order.get(x[0].state, 2), x[0].id))
    signed_acqs: list[tuple[_Row, dt.date, Decimal]] = []
    for n, (e, plan, target, town_id, town) in enumerate(entries):
        if n < len(FORCED):
            goal = FORCED[n]
        elif e.state in (EntryState.PLAN_FILED, EntryState.IN_PROGRESS):
            goal = rng.choice(("joint_passed", "signed", "filed"))
        else:
            goal = "filed" if rng.random() < 0.85 else "signed"
        area = plan.planned_area_mu or e.planned_area_mu
        acq = _Row(entry_id=e.id, town_reviewed_on=None, negotiated_on=None, joint_review_on=None,
                   joint_review_passed=None)
        made.acquisitions.append(acq)
        counts["acquisitions"] += 1
        start = plan.filed_on or as_of
        if goal != "review":
            acq.investor = _investor(rng)
            acq.new_project = rng.choice(PROJECTS).format(n=rng.choice((2, 3, 5, 10, 20)))
            acq.town_reviewed_on = days.after(start, 5, 20)
        if goal not in ("review", "negotiation"):
            acq.negotiated_on = days.after(acq.town_reviewed_on, 10, 30)
        if goal in ("joint_failed", "joint_passed", "signed", "failed_then_filed", "filed"):
            acq.joint_review_on = days.after(acq.negotiated_on, 10, 25)
            acq.joint_review_passed = goal != "joint_failed"
            if goal == "joint_failed":
                acq.note = FAILED_REVIEW_NOTE
        if goal == "failed_then_filed":
            failed_on = acq.joint_review_on
            acq.joint_review_on = days.after(failed_on, 20, 40)
            acq.note = f"{failed_on:%Y-%m-%d} 会审未通过\n{FAILED_REVIEW_NOTE}"
        agreements: list[_Row] = []
        if goal in ("signed", "failed_then_filed", "filed"):
            signed = days.after(acq.joint_review_on, 5, 20)
            price = _money(area * Decimal(str(rng.uniform(30, 55))))
            invest = _money(area * Decimal(str(rng.uniform(180, 450))))  # 亩均投资强度
            buy = _Row(kind=K.ACQUISITION, entry_id=e.id, town_id=town_id, year_id=year_id, party_a=target,
                       party_b=acq.investor, signed_on=signed, amount_wan=price, area_mu=area)
            watch = _Row(kind=K.INVESTMENT_SUPERVISION, entry_id=e.id, town_id=town_id, year_id=year_id,
                         party_a=_gov(town), party_b=acq.investor, signed_on=days.after(signed, 0, 7),
                         amount_wan=invest, area_mu=area, note="约定亩均税收及投产期限")
            buy.filed_on = min(days.after(signed, 2, 10), as_of)
            watch.filed_on = None if goal == "signed" else days.after(watch.signed_on, 2, 10)
            shown = n < len(FORCED) and as_of == days.today  # the sample year shows every stage
            if watch.filed_on is None and not shown and (days.today - signed).days >= UNFILED_WITHIN_DAYS:
                # an acquisition signed months ago has its agreements filed by now (the same draws as before)
                watch.filed_on = min(watch.signed_on + dt.timedelta(days=5), as_of)
            agreements = [buy, watch]
            made.agreements.extend(agreements)
            counts["agreements"] += 2
            signed_acqs.append((acq, signed, area))
        acq.stage = acquisition_service.derive_stage(acq, agreements)
    return signed_acqs


def _tax_records(s, rng: random.Random, as_of: dt.date, counts, signed_acqs) -> None:
    """三(三)2: the tax bureau's monthly feedback, from the signing month to the sample's 'today';
    two months never reported and one month underpaid (somewhere in the city)."""
    months_of = []
    for acq, signed, area in signed_acqs:
        m, months = dt.date(signed.year, signed.month, 1), []
        while m <= as_of:
            months.append(m)
            m = dt.date(m.year + m.month // 12, m.month % 12 + 1, 1)
        months_of.append((acq, area, months))
    slots = [(i, j) for i, (_a, _area, months) in enumerate(months_of) for j in range(1, len(months))]
    special = rng.sample(slots, min(3, len(slots)))
    missing, underpaid = set(special[:2]), set(special[2:])
    rows = []
    for i, (acq, area, months) in enumerate(months_of):
        for j, month in enumerate(months):
            if (i, j) in missing:
                continue
            due = _money(area * Decimal(str(rng.uniform(0.08, 0.35))))
            paid, note = due, ""
            if (i, j) in underpaid:
                paid, note = _money(due * Decimal("0.6")), "部分税款未按期缴纳，已督促补缴"
            rows.append({"acquisition_id": acq.id, "month": month, "due_wan": due, "paid_wan": paid, "note": note,
                         **_stamp()})
            counts["tax_records"] += 1
    _insert(s, TaxRecord, rows)
