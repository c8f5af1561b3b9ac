"""示例数据 for 月度报送与核实 (三(四)): the sample city's monthly reports and the departments' verifications.

The entries the sample city put in 已报完成 / 已核实 / 核实未通过 become items of their town's report of
the month they were completed: 已核实 ones with every verifying department passing (verified on the
latest pass, area = the item's completed area), 核实未通过 ones with one department failing with a
note, 已报完成 ones pending (some departments done, not all) in the latest month. Most reports are on
time; a few come after the due day, and a few departments verify after theirs. Towns with nothing
completed in a month mostly file an empty report.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random

from sqlalchemy import select

from desktop.models import (
    Department, GovernanceList, ListEntry, MonthlyReport, MonthlyReportHandIn, MonthlyReportItem, Town, Verification,
)
from desktop.models.enums import EntryState, VerifyResult
from desktop.models.base import utcnow
from desktop.services import rules
from desktop.services.db import insert_returning_ids, update_many
from desktop.services.demo.demo_years import _stamp

REPORTED_STATES = (EntryState.REPORTED, EntryState.VERIFIED, EntryState.VERIFY_FAILED)
LATE_REPORT_SHARE = 0.12
LATE_VERIFY_SHARE = 0.08
EMPTY_REPORT_SHARE = 0.6
# Which department a sample fail reason belongs to (demo_service.VERIFY_FAIL_REASONS).
FAIL_DEPARTMENT_HINTS = [("税务", "税务局"), ("交运", "交通运输局"), ("工信", "工信局"), ("", "资规局")]


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _fail_department(reason: str, names: list[str]) -> str:
    for hint, name in FAIL_DEPARTMENT_HINTS:
        if hint in reason and name in names:
            return name
    return names[0]


def _report(town_id: int, year_id: int, month: int, reported_on: dt.date, is_late: bool, note: str) -> dict:
    return {"town_id": town_id, "year_id": year_id, "month": month, "reported_on": reported_on, "is_late": is_late,
            "note": note, "verification_confirmed_by": "", "verification_confirmed_at": None, **_stamp()}


def _write(s, reports: list[dict], items: list[tuple[int, dict]], verifications: list[tuple[int, dict]],
           entry_updates: list[dict]) -> None:
    """Reports with one hand-in each (on the report's day), their items brought by that hand-in, the items'
    verifications, as multi-row INSERTs in the order the ORM wrote them; then the entries' completion and
    verification dates and reasons, each changed entry's revision moved on as the ORM's flush moved it."""
    report_ids = insert_returning_ids(s, MonthlyReport.__table__, reports)
    hand_in_ids = insert_returning_ids(s, MonthlyReportHandIn.__table__, [
        {"report_id": rid, "handed_in_on": r["reported_on"], "is_late": r["is_late"], **_stamp()}
        for rid, r in zip(report_ids, reports)])
    item_ids = insert_returning_ids(s, MonthlyReportItem.__table__, [
        {**row, "report_id": report_ids[n], "hand_in_id": hand_in_ids[n]} for n, row in items])
    insert_returning_ids(s, Verification.__table__, [{**row, "item_id": item_ids[n]} for n, row in verifications])
    update_many(s, ListEntry.__table__, entry_updates)
    for obj in [o for o in s.identity_map.values() if isinstance(o, ListEntry)]:
        s.expire(obj)  # an entry the session holds reads its new dates on next use


def populate_demo(s, rng: random.Random, params, year_id: int, as_of: dt.date) -> dict[str, int]:
    year = params.year
    ids = dict(s.execute(select(Department.name, Department.id)
                         .where(Department.name.in_(list(params.verifying_departments)))).tuples().all())
    depts = [(n, ids[n]) for n in params.verifying_departments if n in ids]
    counts = {"monthly_reports": 0, "report_items": 0, "verifications": 0, "late_reports": 0, "late_verifications": 0}
    if not depts or as_of.year < year:
        return counts
    names = [n for n, _ in depts]
    last_month = as_of.month if as_of.year == year else 12
    if as_of.year == year and as_of.day < 3 and last_month > 1:
        last_month -= 1  # too early in the month for anything reported yet

    e = ListEntry.__table__
    rows = s.execute(
        select(e.c.id, e.c.state, e.c.completed_on, e.c.verified_on, e.c.verified_area_mu, e.c.planned_area_mu,
               e.c.state_reason, e.c.revision, GovernanceList.town_id)
        .join(GovernanceList, GovernanceList.id == e.c.list_id)
        .where(GovernanceList.year_id == year_id, e.c.state.in_(REPORTED_STATES))
        .order_by(e.c.id)).all()
    groups: dict[tuple[int, int], list] = {}
    for entry in rows:
        if entry.state is EntryState.REPORTED or entry.completed_on is None:
            month = last_month  # pending verification: reported in the latest month
        else:
            month = min(max(entry.completed_on.month, 1), last_month) if entry.completed_on.year == year else last_month
        groups.setdefault((entry.town_id, month), []).append(entry)

    # Report dates: on time mostly, a few late (at least one when there is a month to be late in).
    keys = sorted(groups)
    late_keys = {k for k in keys if rng.random() < LATE_REPORT_SHARE}
    if not late_keys and keys:
        late_keys.add(keys[0])

    def report_day(month: int, late: bool) -> dt.date:
        due = rules.monthly_report_due(params, year, month)
        first = dt.date(year, month, 1)
        if late:
            last = first.replace(day=calendar.monthrange(year, month)[1])
            day = _day(rng, due + dt.timedelta(days=1), min(due + dt.timedelta(days=6), last))
        else:
            day = _day(rng, first + dt.timedelta(days=4), due)
        return max(first, min(day, as_of))

    late_verify_reports = {k for k in keys if rng.random() < LATE_VERIFY_SHARE}
    if not late_verify_reports and len(keys) > 1:
        late_verify_reports.add(keys[1])

    def verify_day(reported_on: dt.date, month: int, late: bool) -> dt.date:
        due = rules.monthly_verify_due(params, year, month)
        if late or reported_on >= due:
            day = _day(rng, max(due, reported_on) + dt.timedelta(days=1), max(due, reported_on) + dt.timedelta(days=5))
        else:
            day = _day(rng, reported_on + dt.timedelta(days=1), due)
        return max(reported_on, min(day, as_of))

    reports: list[dict] = []  # rows in the order the ORM wrote them (the order made): ids follow it
    items: list[tuple[int, dict]] = []  # (report's index, row)
    verifications: list[tuple[int, dict]] = []  # (item's index, row)
    entry_updates: list[dict] = []
    for key in keys:
        town_id, month = key
        reported_on = report_day(month, key in late_keys)
        is_late = reported_on > rules.monthly_report_due(params, year, month)
        reports.append(_report(town_id, year_id, month, reported_on, is_late, ""))
        counts["monthly_reports"] += 1
        counts["late_reports"] += int(is_late)
        # One department of a 'late' report verifies after the due day.
        slow = rng.choice(names) if key in late_verify_reports else None
        for entry in groups[key]:
            state_reason, verified_on = entry.state_reason, entry.verified_on
            area = entry.verified_area_mu if entry.state is EntryState.VERIFIED and entry.verified_area_mu \
                else entry.planned_area_mu
            items.append((len(reports) - 1, {"entry_id": entry.id, "completed_area_mu": area, "note": "", **_stamp()}))
            counts["report_items"] += 1
            if entry.state is EntryState.VERIFIED:
                results = {n: VerifyResult.PASS for n in names}
            elif entry.state is EntryState.VERIFY_FAILED:
                reason = entry.state_reason or "现场核实未达到整治要求"
                failing = _fail_department(reason, names)
                results = {n: VerifyResult.PASS for n in names}
                results[failing] = VerifyResult.FAIL
                state_reason = f"{failing}：{reason}"
            else:  # 已报完成: some departments done, never all
                done = rng.sample(names, rng.randint(0, len(names) - 1))
                results = {n: VerifyResult.PASS for n in done}
            dates = []
            for name, dept_id in depts:
                if name not in results:
                    continue
                day = verify_day(reported_on, month, name == slow)
                late = day > rules.monthly_verify_due(params, year, month)
                result = results[name]
                note = reason if result is VerifyResult.FAIL else ""
                verifications.append((len(items) - 1, {"department_id": dept_id, "result": result, "verified_on": day,
                                                       "is_late": late, "recorded_by": "", "note": note, **_stamp()}))
                dates.append(day)
                counts["verifications"] += 1
                counts["late_verifications"] += int(late)
            if entry.state is EntryState.VERIFIED:
                verified_on, state_reason = max(dates), ""
            if (reported_on, state_reason, verified_on) != (entry.completed_on, entry.state_reason, entry.verified_on):
                entry_updates.append({"completed_on": reported_on, "state_reason": state_reason,
                                      "verified_on": verified_on, "revision": entry.revision + 1,
                                      "updated_at": utcnow(), "b_id": entry.id})

    # Towns with nothing completed in a month mostly still report (an empty report, on time).
    town_ids = list(s.scalars(select(Town.id).where(Town.active).order_by(Town.sort_order, Town.id)))
    first_month = min((m for _t, m in keys), default=last_month)
    for month in range(first_month, last_month + 1):
        for town_id in town_ids:
            if (town_id, month) in groups or rng.random() >= EMPTY_REPORT_SHARE:
                continue
            reports.append(_report(town_id, year_id, month, report_day(month, False), False, "本月无新完成整治的条目"))
            counts["monthly_reports"] += 1
    _write(s, reports, items, verifications, entry_updates)
    return counts
