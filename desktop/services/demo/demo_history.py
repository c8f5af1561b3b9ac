"""示例数据 of the office's record over several years (`zzb demo --years N`): the monthly 通报 issued (第N期,
with the rankings as drafted on the day of issue), the latest month's draft, a few dozen 典型案例, and a
confirmed 考核评分 of towns, member units and SOEs for every finished year.

The rankings and the computed scores come from the services themselves (bulletin_draft.draft,
scoring_sources.compute), read inside the demo's one transaction through a ledger bound to it
(`_bound`), so they are what the program would have drafted; the rows go in as Core bulk inserts.
"""

from __future__ import annotations

import datetime as dt
import random
from contextlib import contextmanager
from decimal import Decimal

from sqlalchemy import select

from desktop.models import (
    Bulletin, Case, Criterion, Department, Examination, GovernanceList, ListEntry, Score, ScoringSession, Soe, Target,
    Town, Year,
)
from desktop.models.enums import CaseKind, EntryState, ScoringSubject
from desktop.services.bulletins import bulletin_draft, bulletin_service
from desktop.services.clock import Clock
from desktop.services.demo.demo_years import _between, _insert, _stamp
from desktop.services.ledger import Ledger, of_session
from desktop.services.scoring import scoring_sources
from desktop.services.scoring.scoring_criteria import DEFAULTS, KIND_LABELS

CLERK, LEADER, SCORER = "lina", "zhangwei", "wangfang"  # who drafted, issued and scored (names, not accounts)
MEDIA = ("临澄日报", "“临澄发布”微信公众号", "市电视台《今日临澄》", "市政府门户网站", "省“危污乱散低”治理工作简报")
CASES_PER_YEAR = (6, 10)


class _InTransaction:
    """A database whose reader and writer are the demo's own open session (services read what it wrote)."""

    def __init__(self, s, database):
        self._s, self._database = s, database

    @contextmanager
    def reader(self):
        yield self._s

    session = reader

    def __getattr__(self, name):
        return getattr(self._database, name)


@contextmanager
def _bound(s, day: dt.date):
    """A trusted (role None) ledger on `day` that reads inside session `s`; s keeps its own ledger after."""
    own = of_session(s)
    try:
        yield Ledger(_InTransaction(s, own.database), user=CLERK, clock=Clock(day))
    finally:
        s.info["ledger"] = own


def _issue_day(year: int, month: int, rng: random.Random) -> dt.date:
    """A monthly bulletin goes out in the first half of the next month."""
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt + dt.timedelta(days=rng.randint(6, 14))


def add_bulletins(s, seed: int, years: list[int], as_of: dt.date) -> dict[str, int]:
    """Every month's bulletin of `years` issued by `as_of` (numbered per year), and a saved draft of the latest
    month not issued yet."""
    rng = random.Random(seed * 7127 + len(years))
    year_ids = dict(s.execute(select(Year.year, Year.id)).tuples().all())
    rows, drafts = [], []
    for y in years:
        number = 0
        for m in range(1, 13):
            day = _issue_day(y, m, rng)
            if dt.date(y, m, 1) > as_of:
                break
            with _bound(s, min(day, as_of)) as ledger:
                d = bulletin_draft.draft(ledger, y, m)
            row = {"year_id": year_ids[y], "month": m, "title": d.title, "period_end": d.period_end, "body": d.body,
                   "drafted_by": CLERK, **_stamp()}
            if day > as_of:
                drafts.append({**row, "number": "", "issued_on": None, "rankings": {"month": m}, "issued_by": ""})
                break
            number += 1
            rows.append({**row, "number": str(number), "issued_on": day, "rankings": bulletin_service.snapshot(d),
                         "issued_by": LEADER})
    _insert(s, Bulletin, rows + drafts[-1:])
    return {"bulletins": len(rows)}


def add_cases(s, seed: int, years: list[int], as_of: dt.date) -> dict[str, int]:
    """A few typical cases a year: towns' verified clean-ups made public (正面典型), and enterprises examined for
    refusing to rectify exposed (反面曝光); about half carried by that month's bulletin."""
    rng = random.Random(seed * 3571 + len(years))
    bulletins = {(y, m): bid for bid, y, m in s.execute(
        select(Bulletin.id, Year.year, Bulletin.month).join(Year, Year.id == Bulletin.year_id)
        .where(Bulletin.issued_on.is_not(None)))}
    rows = []
    for y in years:
        good = list(s.execute(
            select(Target.id, Target.name, Town.name, ListEntry.verified_on)
            .join(ListEntry, ListEntry.target_id == Target.id).join(GovernanceList, GovernanceList.id == ListEntry.list_id)
            .join(Town, Town.id == GovernanceList.town_id).join(Year, Year.id == GovernanceList.year_id)
            .where(Year.year == y, ListEntry.state == EntryState.VERIFIED, ListEntry.verified_on <= as_of)
            .order_by(ListEntry.id)))
        bad = list(s.execute(
            select(Target.id, Target.name, Town.name, Examination.start_date)
            .join(Examination, Examination.target_id == Target.id).join(Town, Town.id == Examination.town_id)
            .where(Examination.start_date >= dt.date(y, 1, 1), Examination.start_date <= dt.date(y, 12, 31))
            .order_by(Examination.id)))
        for _ in range(rng.randint(*CASES_PER_YEAR)):
            positive = not bad or (good and rng.random() < 0.7)
            if not (good if positive else bad):
                continue
            target_id, name, town, since = rng.choice(good if positive else bad)
            published = _between(rng, since + dt.timedelta(days=5 if positive else 100), min(dt.date(y, 12, 28), as_of))
            if published > as_of:
                continue
            title = (f"{town}{name}腾退整治，盘活低效用地" if positive
                     else f"{name}拒不整改问题清单，被实施联合惩戒")
            summary = ("该企业列入年度整治清单后，属地镇街会同相关部门上门对接，企业主动腾退，整治面积经核实通过。"
                       if positive else "综合体检发现多项问题，企业逾期未整改，经会诊后由相关部门实施联合惩戒并予以曝光。")
            bid = bulletins.get((published.year, published.month)) if rng.random() < 0.5 else None
            rows.append({"title": title, "target_id": target_id, "kind": CaseKind.POSITIVE if positive else CaseKind.EXPOSURE,
                         "medium": rng.choice(MEDIA), "published_on": published, "summary": summary, "bulletin_id": bid,
                         **_stamp()})
    _insert(s, Case, rows)
    return {"typical_cases": len(rows)}


def add_scoring(s, seed: int, years: list[int], as_of: dt.date) -> dict[str, int]:
    """For each finished year, one confirmed session per kind of subject on the default criteria: computed ones
    from the ledger as at the year's end, entered ones typed by the scorers."""
    rng = random.Random(seed * 6007 + len(years))
    year_ids = dict(s.execute(select(Year.year, Year.id)).tuples().all())
    subjects = {ScoringSubject.TOWN: list(s.scalars(select(Town.id).where(Town.active).order_by(Town.sort_order, Town.id))),
                ScoringSubject.DEPARTMENT: list(s.scalars(select(Department.id).where(Department.active)
                                                          .order_by(Department.sort_order, Department.id))),
                ScoringSubject.SOE: list(s.scalars(select(Soe.id).order_by(Soe.id)))}
    counts = {"scoring_sessions": 0, "scores": 0}
    for y in years:
        held = dt.date(y + 1, 1, 15) + dt.timedelta(days=rng.randint(0, 10))
        if held > as_of:
            continue
        for kind, ids in subjects.items():
            opened = dt.datetime.combine(held, dt.time(9, 0))
            sess_id = _insert(s, ScoringSession, [{
                "year_id": year_ids[y], "subject": kind, "title": f"{y}年度{KIND_LABELS[kind]}专项治理工作考核",
                "held_on": held, "closed": True, "opened_at": opened, "opened_by": SCORER,
                "confirmed_at": opened + dt.timedelta(days=rng.randint(2, 6)), "confirmed_by": LEADER,
                "unlock_reason": "", **_stamp()}])[0]
            specs = DEFAULTS[kind]
            crit_ids = _insert(s, Criterion, [{"session_id": sess_id, "name": c.name, "weight": c.weight,
                                               "max_points": c.max_points, "sort_order": n, "source": c.source,
                                               **_stamp()} for n, c in enumerate(specs, start=1)])
            scores = []
            for cid, c in zip(crit_ids, specs):
                if c.source:
                    with _bound(s, held) as ledger:
                        figures = scoring_sources.compute(ledger, y, c.source, ids)
                    scores += [{"criterion_id": cid, "subject_id": sid, "points": f.points(c.max_points),
                                "scorer": SCORER, "note": f.basis, **_stamp()} for sid, f in figures.items()]
                else:
                    scores += [{"criterion_id": cid, "subject_id": sid, "scorer": SCORER, "note": "",
                                "points": (c.max_points * Decimal(rng.randint(70, 100)) / 100).quantize(Decimal("0.5")),
                                **_stamp()} for sid in ids]
            _insert(s, Score, scores)
            counts["scoring_sessions"] += 1
            counts["scores"] += len(scores)
    return counts


def add_history(s, seed: int, years: list[int], as_of: dt.date) -> dict[str, int]:
    """The examinations, bulletins, typical cases and scoring sessions of `years` (oldest first, the sample
    year last), in that order: the cases name examined enterprises, the units' scores read the examinations."""
    from desktop.services.demo import demo_exam_years

    counts = demo_exam_years.add_examinations(s, seed, years, as_of)
    for part in (add_bulletins, add_cases, add_scoring):
        counts.update(part(s, seed, years, as_of))
    return counts
