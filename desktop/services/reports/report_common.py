"""月度报送与核实 (三(四)): what the report and verification services share inside a session.

Entry states move only through entry_states.next_state (walk). The table has no step back from
已报完成 and none from 核实未通过 to 已核实, so the two corrections the page needs walk legal steps:
removing a reported item is 已报完成 → 实施中 (撤回完成报送), and a failing record corrected to a pass
is 核实未通过 → 实施中 → 已报完成 again before 核实通过. The walk happens in memory and is written once, so
the audit log shows one change of state.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select

from desktop.models import Department, ListEntry, MonthlyReport, MonthlyReportHandIn, MonthlyReportItem, Year
from desktop.models.enums import EntryState
from desktop.services import rules, units
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.ledger import today as session_today
from desktop.services.lists import entry_states
from desktop.services.reports.report_rows import ReportInfo
from desktop.services.year import year_service

def check_month(month: int) -> int:
    if not isinstance(month, int) or not 1 <= month <= 12:
        raise ValidationError(f"月份应为 1 至 12，现为“{month}”", field="month")
    return month


def year_row(session, year: int) -> Year:
    y = session.scalar(select(Year).where(Year.year == year))
    if y is None:
        raise NotFound(f"没有 {year} 年度")
    return y


def departments_of(session, params) -> list[tuple[str, int | None]]:
    """The year's verifying departments in the parameters' order, each with its member-unit id."""
    names = list(params.verifying_departments)
    ids = dict(session.execute(select(Department.name, Department.id).where(Department.name.in_(names))).tuples().all())
    return [(n, ids.get(n)) for n in names]


def get_report_row(session, report_id: int) -> MonthlyReport:
    r = session.get(MonthlyReport, report_id)
    if r is None:
        raise NotFound("该月度报送已不存在")
    return r


def get_item(session, item_id: int) -> MonthlyReportItem:
    item = session.get(MonthlyReportItem, item_id)
    if item is None:
        raise NotFound("该报送条目已不存在")
    return item


def report_info(session, r: MonthlyReport) -> ReportInfo:
    year = session.get(Year, r.year_id).year
    p = year_service.params_in_session(session, year)
    n = session.scalar(select(func.count(MonthlyReportItem.id)).where(MonthlyReportItem.report_id == r.id))
    return ReportInfo(r.id, r.town_id, r.town.name, year, r.month, r.reported_on, r.is_late,
                      rules.monthly_report_due(p, year, r.month), rules.monthly_verify_due(p, year, r.month),
                      r.note, n or 0)


def hand_in(session, r: MonthlyReport, day: dt.date) -> MonthlyReportHandIn:
    """The report's hand-in on `day`, made on first use. Each hand-in is late by its own date (kept once
    flagged: rankings count it, 四(五)); a late one marks the month's report late too, and the report's
    date is its earliest hand-in's."""
    year = session.get(Year, r.year_id).year
    late = day > rules.monthly_report_due(year_service.params_in_session(session, year), year, r.month)
    h = next((h for h in r.hand_ins if h.handed_in_on == day), None)
    if h is None:
        h = MonthlyReportHandIn(handed_in_on=day, is_late=late)
        r.hand_ins.append(h)
        session.flush()
    elif late and not h.is_late:
        h.is_late = True
    if r.reported_on is None or day < r.reported_on:
        r.reported_on = day
    if late and not r.is_late:
        r.is_late = True
    return h


def item_reported_on(item: MonthlyReportItem) -> dt.date | None:
    """The date the item was handed in (its hand-in's), which is the entry's completion date."""
    return item.hand_in.handed_in_on if item.hand_in is not None else item.report.reported_on


def walk(session, entry: ListEntry, actions: list[str], reason: str = "") -> None:
    """Move an entry along legal steps of entry_states (each one checked), then sync its target."""
    state = entry.state
    for action in actions:
        state = entry_states.next_state(state, action, reason)
    entry.state = state
    if reason:
        entry.state_reason = reason.strip()
    session.flush()
    # Here, not at the top: 总览 and the 通报 draft read this module and need none of the lists' services.
    from desktop.services.lists import list_service

    list_service.sync_target_state(session, entry.target)


def is_current(session, item: MonthlyReportItem) -> bool:
    latest = session.scalar(select(func.max(MonthlyReportItem.id)).where(MonthlyReportItem.entry_id == item.entry_id))
    return latest == item.id


def check_reportable(name: str, state: EntryState) -> None:
    """三(四): only an entry 实施中 can be reported as completed."""
    if state is not EntryState.IN_PROGRESS:
        raise Refused(f"“{name}”当前状态为“{state.label}”，只有“实施中”的条目可以报送完成")


def clean_completed_area(value, field_name: str = "completed_area_mu") -> Decimal | None:
    """The completed area of a report item: empty, or more than 0 (亩)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    area = units.parse_area(value, field=field_name, label="完成面积")
    if area is None or area <= 0:
        raise ValidationError("完成面积应大于0", field=field_name)
    return area


def check_not_future(session, day: dt.date, label: str, field_name: str, today: dt.date | None) -> None:
    """A date no later than the day the write is made on: the caller's, else the session's ledger's."""
    today = today or session_today(session)
    if day > today:
        raise ValidationError(f"{label}不能晚于今天（{today.isoformat()}）", field=field_name)

