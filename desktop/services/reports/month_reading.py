"""月度报送与核实 (三(四)), the reading side: the month's verification table, the towns' overview, and the
late reports and verifications that rankings and bulletins count (四(五))."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from desktop.models import (
    Attachment,
    Department,
    ListEntry,
    MonthlyReport,
    MonthlyReportHandIn,
    MonthlyReportItem,
    Target,
    Town,
    Verification,
)
from desktop.models.enums import EntryState, VerifyResult
from desktop.services import rules
from desktop.services.ledger import Ledger
from desktop.services.reports.report_common import check_month, departments_of, item_reported_on, year_row
from desktop.services.reports.report_rows import (
    OBJECT_TYPE,
    OVERALL_FAILED,
    OVERALL_PENDING,
    OVERALL_VERIFIED,
    ZERO,
    DepartmentLateness,
    ItemRow,
    MonthOverview,
    TownLateness,
    TownMonth,
    VerificationCell,
    VerificationTable,
)
from desktop.services.year import year_service

def _overall(cells: list[VerificationCell], entry: ListEntry, is_current: bool) -> str:
    if any(c.result is VerifyResult.FAIL for c in cells):
        return OVERALL_FAILED
    if cells and all(c.result is VerifyResult.PASS for c in cells):
        return OVERALL_VERIFIED
    if is_current and entry.state is EntryState.VERIFIED:  # departments changed after it was verified
        return OVERALL_VERIFIED
    return OVERALL_PENDING


def _items(session, year_id: int, month: int, depts, p, year: int, as_of: dt.date,
           town_id: int | None = None) -> list[ItemRow]:
    q = (select(MonthlyReportItem)
         .join(MonthlyReport, MonthlyReport.id == MonthlyReportItem.report_id)
         .join(Town, Town.id == MonthlyReport.town_id)
         .join(ListEntry, ListEntry.id == MonthlyReportItem.entry_id)
         .join(Target, Target.id == ListEntry.target_id)
         .where(MonthlyReport.year_id == year_id, MonthlyReport.month == month)
         .options(selectinload(MonthlyReportItem.verifications), selectinload(MonthlyReportItem.hand_in),
                  selectinload(MonthlyReportItem.report).selectinload(MonthlyReport.town),
                  selectinload(MonthlyReportItem.entry).selectinload(ListEntry.target))
         .order_by(Town.sort_order, Town.id, Target.name, MonthlyReportItem.id))
    if town_id is not None:
        q = q.where(MonthlyReport.town_id == town_id)
    items = list(session.scalars(q))
    if not items:
        return []
    entry_ids = {i.entry_id for i in items}
    latest = dict(session.execute(
        select(MonthlyReportItem.entry_id, func.max(MonthlyReportItem.id))
        .where(MonthlyReportItem.entry_id.in_(entry_ids)).group_by(MonthlyReportItem.entry_id)).tuples().all())
    counts = dict(session.execute(
        select(Attachment.object_id, func.count(Attachment.id))
        .where(Attachment.object_type == OBJECT_TYPE, Attachment.object_id.in_([i.id for i in items]))
        .group_by(Attachment.object_id)).tuples().all())
    verify_due = rules.monthly_verify_due(p, year, month)
    rows = []
    for item in items:
        r, e, t = item.report, item.entry, item.entry.target
        by_dept = {v.department_id: v for v in item.verifications}
        cells = []
        for name, did in depts:
            v = by_dept.get(did) if did is not None else None
            if v is None:
                cells.append(VerificationCell(did, name))
            else:
                cells.append(VerificationCell(did, name, v.result, v.verified_on, v.is_late, v.note))
        current = latest.get(item.entry_id) == item.id
        overall = _overall(cells, e, current)
        verified_area = None
        if overall == OVERALL_VERIFIED:
            verified_area = e.verified_area_mu if current and e.verified_area_mu is not None else item.completed_area_mu
        overdue = overall == OVERALL_PENDING and as_of > verify_due and any(c.result is None for c in cells)
        rows.append(ItemRow(
            item.id, r.id, r.town_id, r.town.name, e.id, t.id, t.name, t.credit_code, e.planned_method,
            e.planned_area_mu, item.completed_area_mu if item.completed_area_mu is not None else e.planned_area_mu,
            item.note, item_reported_on(item), item.hand_in.is_late if item.hand_in else r.is_late, e.state, current, cells, overall, verified_area,
            any(c.is_late for c in cells), overdue, counts.get(item.id, 0)))
    return rows


def verification_table(ledger: Ledger, year: int, month: int, *, town_id: int | None = None,
                       as_of: dt.date | None = None) -> VerificationTable:
    """The month's verification table: one row per reported entry (all towns, or one)."""
    check_month(month)
    as_of = as_of or ledger.today()
    with ledger.reader() as s:
        y = year_row(s, year)
        p = year_service.params_in_session(s, year)
        depts = departments_of(s, p)
        table = VerificationTable(year, month, [n for n, _ in depts], rules.monthly_report_due(p, year, month),
                                  rules.monthly_verify_due(p, year, month))
        table.rows = _items(s, y.id, month, depts, p, year, as_of, town_id)
        return table


def month_overview(ledger: Ledger, year: int, month: int, *, as_of: dt.date | None = None) -> MonthOverview:
    """Per town: reported? on time? items, verified / failed / pending counts."""
    check_month(month)
    as_of = as_of or ledger.today()
    with ledger.reader() as s:
        y = year_row(s, year)
        p = year_service.params_in_session(s, year)
        depts = departments_of(s, p)
        report_due = rules.monthly_report_due(p, year, month)
        reports = {r.town_id: r for r in s.scalars(
            select(MonthlyReport).where(MonthlyReport.year_id == y.id, MonthlyReport.month == month))}
        towns = [t for t in s.scalars(select(Town).order_by(Town.sort_order, Town.id))
                 if t.active or t.id in reports]
        rows = {}
        for t in towns:
            r = reports.get(t.id)
            reported_on = r.reported_on if r else None
            rows[t.id] = TownMonth(t.id, t.name, r.id if r else None, reported_on, bool(r and r.is_late),
                                   reported_on is None and as_of > report_due)
        for item in _items(s, y.id, month, depts, p, year, as_of):
            row = rows[item.town_id]
            row.items += 1
            row.completed_area_mu += item.completed_area_mu
            if item.overall == OVERALL_VERIFIED:
                row.verified += 1
                row.verified_area_mu += item.verified_area_mu or ZERO
            elif item.overall == OVERALL_FAILED:
                row.failed += 1
            else:
                row.pending += 1
            row.late_verifications += sum(1 for c in item.cells if c.is_late)
        return MonthOverview(year, month, report_due, rules.monthly_verify_due(p, year, month),
                             [n for n, _ in depts], list(rows.values()))


def latest_month(ledger: Ledger, year: int) -> int | None:
    """The latest month of the year with a report (the page opens on it)."""
    with ledger.reader() as s:
        y = year_row(s, year)
        return s.scalar(select(func.max(MonthlyReport.month)).where(MonthlyReport.year_id == y.id))


def lateness(ledger: Ledger, year: int, *, as_of: dt.date | None = None) -> list[TownLateness]:
    """Per town: hand-ins, late ones, months with no report past the due day, verifications and
    late ones (the stored flags, so a later edit or parameter change does not rewrite history)."""
    as_of = as_of or ledger.today()
    with ledger.reader() as s:
        y = year_row(s, year)
        p = year_service.params_in_session(s, year)
        reports = list(s.scalars(select(MonthlyReport).where(MonthlyReport.year_id == y.id)))
        towns = [t for t in s.scalars(select(Town).order_by(Town.sort_order, Town.id))
                 if t.active or any(r.town_id == t.id for r in reports)]
        out = {t.id: TownLateness(t.id, t.name) for t in towns}
        dated = defaultdict(set)
        # Each hand-in counts by its own date: a second packet after the due day is a late report.
        q = (select(MonthlyReport.town_id, MonthlyReport.month, MonthlyReportHandIn.is_late)
             .join(MonthlyReport, MonthlyReport.id == MonthlyReportHandIn.report_id)
             .where(MonthlyReport.year_id == y.id))
        for town_id, month, late in s.execute(q):
            row = out[town_id]
            row.reports += 1
            row.late_reports += int(bool(late))
            dated[town_id].add(month)
        q = (select(MonthlyReport.town_id, func.count(Verification.id),
                    func.sum(case((Verification.is_late.is_(True), 1), else_=0)))
             .join(MonthlyReportItem, MonthlyReportItem.id == Verification.item_id)
             .join(MonthlyReport, MonthlyReport.id == MonthlyReportItem.report_id)
             .where(MonthlyReport.year_id == y.id).group_by(MonthlyReport.town_id))
        for town_id, n, late in s.execute(q):
            if town_id in out:
                out[town_id].verifications = n
                out[town_id].late_verifications = int(late or 0)
        for month in range(1, 13):
            if as_of <= rules.monthly_report_due(p, year, month):
                break
            for row in out.values():
                if month not in dated[row.town_id]:
                    row.missing_reports += 1
        return list(out.values())


def department_lateness(ledger: Ledger, year: int) -> list[DepartmentLateness]:
    """Per verifying department: records made and those made after the due day."""
    with ledger.reader() as s:
        y = year_row(s, year)
        p = year_service.params_in_session(s, year)
        out = {n: DepartmentLateness(n) for n in p.verifying_departments}
        q = (select(Department.name, Verification.is_late)
             .join(Department, Department.id == Verification.department_id)
             .join(MonthlyReportItem, MonthlyReportItem.id == Verification.item_id)
             .join(MonthlyReport, MonthlyReport.id == MonthlyReportItem.report_id)
             .where(MonthlyReport.year_id == y.id))
        for name, late in s.execute(q):
            row = out.setdefault(name, DepartmentLateness(name))
            row.verifications += 1
            row.late_verifications += int(bool(late))
        return list(out.values())
