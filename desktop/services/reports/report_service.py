"""月度报送与核实 (三(四)): each month a town reports the entries it completed, with evidence; each of the
year's verifying departments records pass or fail (verification_service); an entry is 已核实 only when
all pass. The month is read back through month_reading; the plain results are in report_rows.

Dates come from rules.monthly_report_due / monthly_verify_due (the year's parameters). A report recorded
after its due day is flagged late, and the flag is kept (stored, never cleared by a later edit)
because rankings and bulletins count it. The public names of the package are importable from here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from desktop.models import GovernanceList, ListEntry, MonthlyReport, MonthlyReportItem, Target, Town, Year
from desktop.models.enums import EntryState
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.ledger import Ledger
from desktop.services.reports.month_reading import (  # noqa: F401  (public names of this package)
    department_lateness,
    latest_month,
    lateness,
    month_overview,
    verification_table,
)
from desktop.services.reports.report_common import (  # noqa: F401  (public names of this package)
    check_month,
    check_not_future,
    check_reportable,
    clean_completed_area,
    get_item,
    get_report_row,
    hand_in,
    is_current,
    report_info,
    walk,
    year_row,
)
from desktop.services.reports.report_rows import (  # noqa: F401  (public names of this package)
    OBJECT_TYPE,
    OVERALL_FAILED,
    OVERALL_PENDING,
    OVERALL_VERIFIED,
    HISTORY,
    REMOVABLE,
    VERIFIABLE,
    WITHDRAWN_REASON,
    DepartmentLateness,
    ItemRow,
    MonthOverview,
    ReportableEntry,
    ReportInfo,
    TownLateness,
    TownMonth,
    VerificationCell,
    VerificationTable,
    why_not,
)
from desktop.services.reports.verification_service import clear_verification, record_verification  # noqa: F401
from desktop.services.year import year_service

# Reports ------------------------------------------------------------------------------------

def get_report(ledger: Ledger, town_id: int, year: int, month: int) -> ReportInfo | None:
    check_month(month)
    with ledger.reader() as s:
        y = year_row(s, year)
        r = s.scalar(select(MonthlyReport).where(MonthlyReport.town_id == town_id, MonthlyReport.year_id == y.id,
                                                 MonthlyReport.month == month))
        return report_info(s, r) if r is not None else None


def open_report(ledger: Ledger, town_id: int, year: int, month: int, reported_on: dt.date | None = None, *,
                today: dt.date | None = None) -> ReportInfo:
    """The town's report for the month, created on first use; `reported_on` sets its date."""
    check_month(month)
    with ledger.session() as s:
        if s.get(Town, town_id) is None:
            raise NotFound("该镇街已不存在")
        r = _find_or_create(s, town_id, year, month)
        if reported_on is not None:
            _set_date(s, r, year, reported_on, today)
        return report_info(s, r)


def _find_or_create(s, town_id: int, year: int, month: int) -> MonthlyReport:
    y = year_row(s, year)
    r = s.scalar(select(MonthlyReport).where(MonthlyReport.town_id == town_id, MonthlyReport.year_id == y.id,
                                             MonthlyReport.month == month))
    if r is None:
        r = MonthlyReport(town_id=town_id, year_id=y.id, month=month, note="")
        s.add(r)
        s.flush()
    return r


def _set_date(session, r: MonthlyReport, year: int, reported_on: dt.date, today: dt.date | None) -> None:
    """The report's date, which is its first hand-in's: a later hand-in of the month keeps its own date."""
    first = dt.date(year, r.month, 1)
    if reported_on < first:
        raise ValidationError(f"报送日期不能早于 {year}年{r.month}月1日（报送的是{r.month}月完成的条目）",
                              field="reported_on")
    check_not_future(session, reported_on, "报送日期", "reported_on", today)
    hand_ins = sorted(r.hand_ins, key=lambda h: h.handed_in_on)
    h = hand_ins[0] if hand_ins else None
    if len(hand_ins) > 1 and reported_on >= hand_ins[1].handed_in_on:
        raise ValidationError(f"报送日期应早于本月再次报送的日期（{hand_ins[1].handed_in_on.isoformat()}）",
                              field="reported_on")
    items = [i for i in r.items if h is not None and i.hand_in_id == h.id]
    earliest = min((v.verified_on for item in items for v in item.verifications if v.verified_on), default=None)
    if earliest is not None and reported_on > earliest:
        raise ValidationError(f"报送日期不能晚于已有的核实日期（{earliest.isoformat()}）", field="reported_on")
    if h is not None and h.handed_in_on != reported_on:
        h.handed_in_on = reported_on
        r.reported_on = None  # hand_in() below dates the report by it again
        # The items' completion date is their hand-in's date.
        for item in items:
            if item.entry.state in (EntryState.REPORTED, EntryState.VERIFY_FAILED, EntryState.VERIFIED) \
                    and is_current(session, item) and item.entry.completed_on != reported_on:
                item.entry.completed_on = reported_on
    hand_in(session, r, reported_on)


def set_reported_on(ledger: Ledger, report_id: int, reported_on: dt.date, *, note: str | None = None,
                    today: dt.date | None = None) -> ReportInfo:
    """报送日期 of a report; a date after the due day flags the report late, for good."""
    if reported_on is None:
        raise ValidationError("请填写报送日期", field="reported_on")
    with ledger.session() as s:
        r = get_report_row(s, report_id)
        year = s.get(Year, r.year_id).year
        _set_date(s, r, year, reported_on, today)
        if note is not None and r.note != note:
            r.note = note
        s.flush()
        return report_info(s, r)


def delete_report(ledger: Ledger, report_id: int) -> None:
    """Delete a report opened by mistake; only while it has no items."""
    with ledger.session() as s:
        r = get_report_row(s, report_id)
        if r.items:
            raise Refused(f"该报送已有 {len(r.items)} 个条目，不能删除；请先移除条目")
        s.delete(r)


def reportable_entries(ledger: Ledger, town_id: int, year: int) -> list[ReportableEntry]:
    """The town's entries of the year in 实施中 (only those can be reported as completed)."""
    from desktop.models import ContiguousArea

    with ledger.reader() as s:
        y = year_row(s, year)
        q = (select(ListEntry, Target, ContiguousArea.name)
             .join(GovernanceList, GovernanceList.id == ListEntry.list_id)
             .join(Target, Target.id == ListEntry.target_id)
             .outerjoin(ContiguousArea, ContiguousArea.id == ListEntry.contiguous_area_id)
             .where(GovernanceList.town_id == town_id, GovernanceList.year_id == y.id,
                    ListEntry.state == EntryState.IN_PROGRESS)
             .order_by(Target.name))
        return [ReportableEntry(e.id, t.name, t.credit_code, e.planned_method, e.planned_area_mu, park or "")
                for e, t, park in s.execute(q)]


def add_items(ledger: Ledger, report_id: int, items: list[tuple[int, object]], *, note: str = "") -> list[int]:
    """Add completed entries to a report: (entry id, completed area or None for the planned area).

    Each entry must be the town's, of the report's year, and 实施中; it moves to 已报完成 with
    completed_on = the report date. All or nothing.
    """
    with ledger.session() as s:
        r = get_report_row(s, report_id)
        return add_items_in_session(s, r, [(entry_id, area, note) for entry_id, area in items])


def add_items_in_session(s, r: MonthlyReport, items: list[tuple[int, object, str]],
                         handed_in_on: dt.date | None = None) -> list[int]:
    """add_items inside the caller's session (the packet importer's one transaction): (entry id, area, note).

    The items come with the hand-in of `handed_in_on` (a packet's own 报送日期), else the report's date."""
    if not items:
        raise ValidationError("请选择要报送的条目", field="entry_id")
    day = handed_in_on or r.reported_on
    if day is None:
        raise ValidationError("请先填写报送日期", field="reported_on")
    h = hand_in(s, r, day)
    ids: list[int] = []
    for entry_id, area, note in items:
        e = s.get(ListEntry, entry_id)
        if e is None:
            raise NotFound("该清单条目已不存在")
        name = e.target.name
        gl = e.governance_list
        if gl.town_id != r.town_id or gl.year_id != r.year_id:
            raise ValidationError(f"“{name}”不是{r.town.name}本年度清单中的条目", field="entry_id")
        check_reportable(name, e.state)
        completed = clean_completed_area(area)
        item = MonthlyReportItem(report_id=r.id, entry_id=e.id, hand_in_id=h.id, note=note or "",
                                 completed_area_mu=completed if completed is not None else e.planned_area_mu)
        s.add(item)
        walk(s, e, ["report_done"])
        e.completed_on = day
        s.flush()
        ids.append(item.id)
    return ids


def open_report_in_session(s, town_id: int, year: int, month: int, reported_on: dt.date, *,
                           today: dt.date | None = None) -> MonthlyReport:
    """The town's report for the month inside the caller's session; a report without a date gets `reported_on`."""
    check_month(month)
    r = _find_or_create(s, town_id, year, month)
    if r.reported_on is None:
        _set_date(s, r, year, reported_on, today)
    return r


def add_item(ledger: Ledger, report_id: int, entry_id: int, completed_area_mu=None, *, note: str = "") -> int:
    return add_items(ledger, report_id, [(entry_id, completed_area_mu)], note=note)[0]


def update_item(ledger: Ledger, item_id: int, *, completed_area_mu, note: str = "") -> None:
    """Correct an item's completed area or note while its verification is open (not 已核实)."""
    area = clean_completed_area(completed_area_mu)
    if area is None:
        raise ValidationError("请填写完成面积", field="completed_area_mu")
    with ledger.session() as s:
        update_item_in_session(s, get_item(s, item_id), area, note)


def update_item_in_session(s, item: MonthlyReportItem, area: Decimal, note: str = "") -> None:
    """update_item inside the caller's session; `area` already cleaned."""
    state = item.entry.state
    if state not in VERIFIABLE or not is_current(s, item):
        raise Refused(f"条目当前状态为“{state.label}”，不能修改本月报送内容")
    if item.completed_area_mu != area:
        item.completed_area_mu = area
    if item.note != (note or ""):
        item.note = note or ""


def remove_item(ledger: Ledger, item_id: int) -> None:
    """Remove a reported entry while no verdict is reached (已报完成): the entry goes back to 实施中."""
    with ledger.session() as s:
        _remove(s, get_item(s, item_id))


def remove_entries(ledger: Ledger, report_id: int, entry_ids: list[int]) -> int:
    """Take entries back out of a report (the undo of 添加完成条目): each one's item, all or nothing."""
    wanted = set(entry_ids)
    with ledger.session() as s:
        items = [i for i in get_report_row(s, report_id).items if i.entry_id in wanted]
        if {i.entry_id for i in items} != wanted:
            raise NotFound("部分条目已不在该报送中，可能已被移除")
        for item in items:
            _remove(s, item)
        return len(items)


def _remove(s, item: MonthlyReportItem) -> None:
    e = item.entry
    if e.state not in REMOVABLE or not is_current(s, item):
        raise Refused(f"条目当前状态为“{e.state.label}”，不能移除（只有“已报完成”、尚未核实的条目可以移除）")
    s.delete(item)
    s.flush()
    # 已报完成 → 实施中 (撤回完成报送): the office does not take the completion (see report_common).
    walk(s, e, ["withdraw_report"], WITHDRAWN_REASON)
    e.completed_on = None

