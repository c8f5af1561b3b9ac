"""月度报送与核实 (三(四)): each month a town reports the entries it completed, with evidence; each of the
year's verifying departments records pass or fail with a note; an entry is 已核实 only when all pass.

Dates come from rules.monthly_report_due / monthly_verify_due (the year's parameters). A report or a
verification recorded after its due day is flagged late, and the flag is kept (stored, never cleared
by a later edit) because rankings and bulletins count it.

Entry states move only through entry_states.next_state. The table has no step back from 已报完成 and
none from 核实未通过 to 已核实, so the two corrections this page needs walk legal steps of the table:
removing a reported item is 核实未通过 → 实施中 (the office does not accept the completion), and a
failing record corrected to a pass is 实施中 → 已报完成 again before 核实通过. The walk happens in
memory and is written once, so the audit log shows one change of state.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from desktop.models import (
    Attachment,
    Department,
    GovernanceList,
    ListEntry,
    MonthlyReport,
    MonthlyReportItem,
    Target,
    Town,
    Verification,
    Year,
)
from desktop.models.enums import EntryState, Method, VerifyResult
from desktop.services import rules, units
from desktop.services.lists import entry_states, list_service
from desktop.services.year import year_service
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.ledger import Ledger
from desktop.services.ledger import today as session_today

ZERO = Decimal(0)
OBJECT_TYPE = "monthly_report_item"  # attachments (证明材料) of one reported entry

# Overall state of one reported item, as the page and the export show it.
OVERALL_VERIFIED = EntryState.VERIFIED.label  # 已核实
OVERALL_FAILED = EntryState.VERIFY_FAILED.label  # 核实未通过
OVERALL_PENDING = "待核实"
WITHDRAWN_REASON = "撤回完成报送（月度报送条目已移除）"


# Plain results ------------------------------------------------------------------------------

@dataclass
class ReportInfo:
    id: int
    town_id: int
    town: str
    year: int
    month: int
    reported_on: dt.date | None
    is_late: bool
    report_due: dt.date
    verify_due: dt.date
    note: str
    item_count: int


@dataclass
class VerificationCell:
    """One verifying department's record on one item (result None: not recorded yet)."""

    department_id: int | None
    department: str
    result: VerifyResult | None = None
    verified_on: dt.date | None = None
    is_late: bool = False
    note: str = ""

    @property
    def text(self) -> str:
        return self.result.label if self.result is not None else "—"


@dataclass
class ItemRow:
    """One reported entry of a month with every verifying department's record."""

    item_id: int
    report_id: int
    town_id: int
    town: str
    entry_id: int
    target_id: int
    target: str
    credit_code: str | None
    method: Method
    planned_area_mu: Decimal
    completed_area_mu: Decimal
    note: str
    reported_on: dt.date | None
    report_late: bool
    entry_state: EntryState
    is_current: bool  # the entry's latest report item (older ones are history)
    cells: list[VerificationCell]
    overall: str
    verified_area_mu: Decimal | None
    verify_late: bool  # a record dated after the due day
    verify_overdue: bool  # past the due day with a department still missing
    attachments: int = 0

    @property
    def late_text(self) -> str:
        parts = []
        if self.report_late:
            parts.append("报送逾期")
        late = [c.department for c in self.cells if c.is_late]
        if late:
            parts.append("核实逾期（" + "、".join(late) + "）")
        elif self.verify_overdue:
            parts.append("核实超期未完成")
        return "；".join(parts)

    @property
    def can_remove(self) -> bool:
        return self.is_current and self.entry_state is EntryState.REPORTED

    @property
    def can_verify(self) -> bool:
        return self.is_current and self.entry_state in (EntryState.REPORTED, EntryState.VERIFY_FAILED)

    @property
    def can_edit(self) -> bool:
        return self.can_verify

    @property
    def can_resume(self) -> bool:
        return self.is_current and self.entry_state is EntryState.VERIFY_FAILED


@dataclass
class VerificationTable:
    year: int
    month: int
    departments: list[str]
    report_due: dt.date
    verify_due: dt.date
    rows: list[ItemRow] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.year}年{self.month}月“危污乱散低”整治核实情况表"

    @property
    def completed_area_mu(self) -> Decimal:
        return sum((r.completed_area_mu for r in self.rows), ZERO)

    @property
    def verified_area_mu(self) -> Decimal:
        return sum((r.verified_area_mu or ZERO for r in self.rows if r.overall == OVERALL_VERIFIED), ZERO)

    def count(self, overall: str) -> int:
        return sum(1 for r in self.rows if r.overall == overall)


@dataclass
class TownMonth:
    """One town's line of the month overview."""

    town_id: int
    town: str
    report_id: int | None
    reported_on: dt.date | None
    is_late: bool
    overdue: bool  # no report date yet and the due day has passed
    items: int = 0
    verified: int = 0
    failed: int = 0
    pending: int = 0
    late_verifications: int = 0
    completed_area_mu: Decimal = ZERO
    verified_area_mu: Decimal = ZERO

    @property
    def status(self) -> str:
        if self.reported_on is not None:
            return "逾期报送" if self.is_late else "按时报送"
        if self.overdue:
            return "逾期未报"
        return "未报送"


@dataclass
class MonthOverview:
    year: int
    month: int
    report_due: dt.date
    verify_due: dt.date
    departments: list[str]
    towns: list[TownMonth]

    @property
    def totals(self) -> TownMonth:
        t = TownMonth(0, "合计", None, None, False, False)
        for r in self.towns:
            for key in ("items", "verified", "failed", "pending", "late_verifications", "completed_area_mu",
                        "verified_area_mu"):
                setattr(t, key, getattr(t, key) + getattr(r, key))
        return t

    @property
    def reported(self) -> int:
        return sum(1 for r in self.towns if r.reported_on is not None)

    @property
    def late(self) -> int:
        return sum(1 for r in self.towns if r.is_late or r.overdue)


@dataclass
class ReportableEntry:
    """A town's entry in 实施中: what the 添加完成条目 dialog offers."""

    entry_id: int
    target: str
    credit_code: str | None
    method: Method
    planned_area_mu: Decimal
    park: str


@dataclass
class TownLateness:
    """Kept for rankings and bulletins (四(五)): late reports and late verifications of one town."""

    town_id: int
    town: str
    reports: int = 0
    late_reports: int = 0
    missing_reports: int = 0  # months past the due day with no report date
    verifications: int = 0
    late_verifications: int = 0


@dataclass
class DepartmentLateness:
    department: str
    verifications: int = 0
    late_verifications: int = 0


# Helpers ------------------------------------------------------------------------------------

def _check_month(month: int) -> int:
    if not isinstance(month, int) or not 1 <= month <= 12:
        raise ValidationError(f"月份应为 1 至 12，现为“{month}”", field="month")
    return month


def _year_row(session, year: int) -> Year:
    y = session.scalar(select(Year).where(Year.year == year))
    if y is None:
        raise NotFound(f"没有 {year} 年度")
    return y


def _departments(session, params) -> list[tuple[str, int | None]]:
    """The year's verifying departments in the parameters' order, each with its member-unit id."""
    names = list(params.verifying_departments)
    ids = dict(session.execute(select(Department.name, Department.id).where(Department.name.in_(names))).tuples().all())
    return [(n, ids.get(n)) for n in names]


def _get_report(session, report_id: int) -> MonthlyReport:
    r = session.get(MonthlyReport, report_id)
    if r is None:
        raise NotFound("该月度报送已不存在")
    return r


def _get_item(session, item_id: int) -> MonthlyReportItem:
    item = session.get(MonthlyReportItem, item_id)
    if item is None:
        raise NotFound("该报送条目已不存在")
    return item


def _report_info(session, r: MonthlyReport) -> ReportInfo:
    year = session.get(Year, r.year_id).year
    p = year_service.params_in_session(session, year)
    n = session.scalar(select(func.count(MonthlyReportItem.id)).where(MonthlyReportItem.report_id == r.id))
    return ReportInfo(r.id, r.town_id, r.town.name, year, r.month, r.reported_on, r.is_late,
                      rules.monthly_report_due(p, year, r.month), rules.monthly_verify_due(p, year, r.month),
                      r.note, n or 0)


def _walk(session, entry: ListEntry, actions: list[str], reason: str = "") -> None:
    """Move an entry along legal steps of entry_states (each one checked), then sync its target."""
    state = entry.state
    for action in actions:
        state = entry_states.next_state(state, action, reason)
    entry.state = state
    if reason:
        entry.state_reason = reason.strip()
    session.flush()
    list_service.sync_target_state(session, entry.target)


def _is_current(session, item: MonthlyReportItem) -> bool:
    latest = session.scalar(select(func.max(MonthlyReportItem.id)).where(MonthlyReportItem.entry_id == item.entry_id))
    return latest == item.id


def check_reportable(name: str, state: EntryState) -> None:
    """三(四): only an entry 实施中 can be reported as completed."""
    if state is not EntryState.IN_PROGRESS:
        raise Refused(f"“{name}”当前状态为“{state.label}”，只有“实施中”的条目可以报送完成")


def clean_completed_area(value, field_name: str = "completed_area_mu") -> Decimal | None:
    """The completed area of a report item: empty, or more than 0 (亩)."""
    return _clean_area(value, field_name)


def _clean_area(value, field_name: str = "completed_area_mu") -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    area = units.parse_area(value, field=field_name, label="完成面积")
    if area is None or area <= 0:
        raise ValidationError("完成面积应大于0", field=field_name)
    return area


def _check_not_future(day: dt.date, label: str, field_name: str, today: dt.date) -> None:
    if day > today:
        raise ValidationError(f"{label}不能晚于今天（{today.isoformat()}）", field=field_name)


# Reports ------------------------------------------------------------------------------------

def get_report(ledger: Ledger, town_id: int, year: int, month: int) -> ReportInfo | None:
    _check_month(month)
    with ledger.reader() as s:
        y = _year_row(s, year)
        r = s.scalar(select(MonthlyReport).where(MonthlyReport.town_id == town_id, MonthlyReport.year_id == y.id,
                                                 MonthlyReport.month == month))
        return _report_info(s, r) if r is not None else None


def open_report(ledger: Ledger, town_id: int, year: int, month: int, reported_on: dt.date | None = None, *,
                today: dt.date | None = None) -> ReportInfo:
    """The town's report for the month, created on first use; `reported_on` sets its date."""
    _check_month(month)
    with ledger.session() as s:
        if s.get(Town, town_id) is None:
            raise NotFound("该镇街已不存在")
        r = _find_or_create(s, town_id, year, month)
        if reported_on is not None:
            _set_date(s, r, year, reported_on, today)
        return _report_info(s, r)


def _find_or_create(s, town_id: int, year: int, month: int) -> MonthlyReport:
    y = _year_row(s, year)
    r = s.scalar(select(MonthlyReport).where(MonthlyReport.town_id == town_id, MonthlyReport.year_id == y.id,
                                             MonthlyReport.month == month))
    if r is None:
        r = MonthlyReport(town_id=town_id, year_id=y.id, month=month, note="")
        s.add(r)
        s.flush()
    return r


def _set_date(session, r: MonthlyReport, year: int, reported_on: dt.date, today: dt.date | None) -> None:
    first = dt.date(year, r.month, 1)
    if reported_on < first:
        raise ValidationError(f"报送日期不能早于 {year}年{r.month}月1日（报送的是{r.month}月完成的条目）",
                              field="reported_on")
    _check_not_future(reported_on, "报送日期", "reported_on", today or session_today(session))
    earliest = min((v.verified_on for item in r.items for v in item.verifications if v.verified_on), default=None)
    if earliest is not None and reported_on > earliest:
        raise ValidationError(f"报送日期不能晚于已有的核实日期（{earliest.isoformat()}）", field="reported_on")
    p = year_service.params_in_session(session, year)
    late = reported_on > rules.monthly_report_due(p, year, r.month)
    if r.reported_on != reported_on:
        r.reported_on = reported_on
        # The items' completion date is the report's date.
        for item in r.items:
            if item.entry.state in (EntryState.REPORTED, EntryState.VERIFY_FAILED, EntryState.VERIFIED) \
                    and _is_current(session, item) and item.entry.completed_on != reported_on:
                item.entry.completed_on = reported_on
    if late and not r.is_late:
        r.is_late = True  # kept even if the date is edited later: rankings count it (四(五))


def set_reported_on(ledger: Ledger, report_id: int, reported_on: dt.date, *, note: str | None = None,
                    today: dt.date | None = None) -> ReportInfo:
    """报送日期 of a report; a date after the due day flags the report late, for good."""
    if reported_on is None:
        raise ValidationError("请填写报送日期", field="reported_on")
    with ledger.session() as s:
        r = _get_report(s, report_id)
        year = s.get(Year, r.year_id).year
        _set_date(s, r, year, reported_on, today)
        if note is not None and r.note != note:
            r.note = note
        s.flush()
        return _report_info(s, r)


def delete_report(ledger: Ledger, report_id: int) -> None:
    """Delete a report opened by mistake; only while it has no items."""
    with ledger.session() as s:
        r = _get_report(s, report_id)
        if r.items:
            raise Refused(f"该报送已有 {len(r.items)} 个条目，不能删除；请先移除条目")
        s.delete(r)


def reportable_entries(ledger: Ledger, town_id: int, year: int) -> list[ReportableEntry]:
    """The town's entries of the year in 实施中 (only those can be reported as completed)."""
    from desktop.models import ContiguousArea

    with ledger.reader() as s:
        y = _year_row(s, year)
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
        r = _get_report(s, report_id)
        return add_items_in_session(s, r, [(entry_id, area, note) for entry_id, area in items])


def add_items_in_session(s, r: MonthlyReport, items: list[tuple[int, object, str]]) -> list[int]:
    """add_items inside the caller's session (the packet importer's one transaction): (entry id, area, note)."""
    if not items:
        raise ValidationError("请选择要报送的条目", field="entry_id")
    if r.reported_on is None:
        raise ValidationError("请先填写报送日期", field="reported_on")
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
        completed = _clean_area(area)
        item = MonthlyReportItem(report_id=r.id, entry_id=e.id, note=note or "",
                                 completed_area_mu=completed if completed is not None else e.planned_area_mu)
        s.add(item)
        _walk(s, e, ["report_done"])
        e.completed_on = r.reported_on
        s.flush()
        ids.append(item.id)
    return ids


def open_report_in_session(s, town_id: int, year: int, month: int, reported_on: dt.date, *,
                           today: dt.date | None = None) -> MonthlyReport:
    """The town's report for the month inside the caller's session; a report without a date gets `reported_on`."""
    _check_month(month)
    r = _find_or_create(s, town_id, year, month)
    if r.reported_on is None:
        _set_date(s, r, year, reported_on, today)
    return r


def add_item(ledger: Ledger, report_id: int, entry_id: int, completed_area_mu=None, *, note: str = "") -> int:
    return add_items(ledger, report_id, [(entry_id, completed_area_mu)], note=note)[0]


def update_item(ledger: Ledger, item_id: int, *, completed_area_mu, note: str = "") -> None:
    """Correct an item's completed area or note while its verification is open (not 已核实)."""
    area = _clean_area(completed_area_mu)
    if area is None:
        raise ValidationError("请填写完成面积", field="completed_area_mu")
    with ledger.session() as s:
        update_item_in_session(s, _get_item(s, item_id), area, note)


def update_item_in_session(s, item: MonthlyReportItem, area: Decimal, note: str = "") -> None:
    """update_item inside the caller's session; `area` already cleaned."""
    state = item.entry.state
    if state not in (EntryState.REPORTED, EntryState.VERIFY_FAILED) or not _is_current(s, item):
        raise Refused(f"条目当前状态为“{state.label}”，不能修改本月报送内容")
    if item.completed_area_mu != area:
        item.completed_area_mu = area
    if item.note != (note or ""):
        item.note = note or ""


def remove_item(ledger: Ledger, item_id: int) -> None:
    """Remove a reported entry while no verdict is reached (已报完成): the entry goes back to 实施中."""
    with ledger.session() as s:
        item = _get_item(s, item_id)
        e = item.entry
        if e.state is not EntryState.REPORTED or not _is_current(s, item):
            raise Refused(f"条目当前状态为“{e.state.label}”，不能移除（只有“已报完成”、尚未核实的条目可以移除）")
        s.delete(item)
        s.flush()
        # 已报完成 → 核实未通过 → 实施中: the office does not take the completion (see module doc).
        _walk(s, e, ["withdraw_report"], WITHDRAWN_REASON)
        e.completed_on = None


# Verification -------------------------------------------------------------------------------

def _department(session, dept, params) -> Department:
    """A verifying department of the year, by id or name."""
    if isinstance(dept, str):
        d = session.scalar(select(Department).where(Department.name == dept))
    else:
        d = session.get(Department, dept)
    if d is None:
        raise NotFound(f"没有成员单位“{dept}”")
    if d.name not in params.verifying_departments:
        raise ValidationError(f"“{d.name}”不是{params.year}年度的核实部门（"
                              + "、".join(params.verifying_departments) + "）", field="department_id")
    return d


def _settle(session, item: MonthlyReportItem, params) -> None:
    """Bring the entry's state in line with the item's records: any fail → 核实未通过; every
    department passed → 已核实 (verified on the latest pass, area = completed area); else 已报完成."""
    e = item.entry
    depts = _departments(session, params)
    by_dept = {v.department_id: v for v in item.verifications}
    records = [by_dept.get(did) for _n, did in depts]
    fails = [(n, v) for (n, _d), v in zip(depts, records) if v is not None and v.result is VerifyResult.FAIL]
    if fails:
        reason = "；".join(f"{n}：{v.note.strip()}" for n, v in fails)
        if e.state is EntryState.REPORTED:
            _walk(session, e, ["verify_fail"], reason)
        elif e.state_reason != reason:
            e.state_reason = reason
        if e.verified_on is not None or e.verified_area_mu is not None:
            e.verified_on = e.verified_area_mu = None
        return
    path = []
    if e.state is EntryState.VERIFY_FAILED:
        # A failing record was corrected: the entry stands reported again (see module doc).
        path += ["resume", "report_done"]
        e.state_reason = ""
        e.completed_on = item.report.reported_on
    all_passed = bool(records) and all(v is not None and v.result is VerifyResult.PASS for v in records)
    if all_passed:
        path.append("verify_pass")
        e.verified_on = max(v.verified_on for v in records)
        e.verified_area_mu = item.completed_area_mu
    if path:
        _walk(session, e, path)


def record_verification(ledger: Ledger, item_id: int, department, result: VerifyResult, verified_on: dt.date, note: str = "",
                        *, today: dt.date | None = None) -> EntryState:
    """One verifying department's pass/fail on one reported entry (a fail needs a note).

    Late when dated after the month's verification due day (kept once flagged). A record can be
    corrected until the entry is 已核实. Returns the entry's new state.
    """
    if not isinstance(result, VerifyResult):
        raise ValidationError("请选择核实结果（通过或不通过）", field="result")
    if verified_on is None:
        raise ValidationError("请填写核实日期", field="verified_on")
    note = (note or "").strip()
    if result is VerifyResult.FAIL and not note:
        raise ValidationError("核实不通过时须填写说明（未通过的原因）", field="note")
    with ledger.session() as s:
        item = _get_item(s, item_id)
        r = item.report
        year = s.get(Year, r.year_id).year
        p = year_service.params_in_session(s, year)
        d = _department(s, department, p)
        e = item.entry
        if e.state not in (EntryState.REPORTED, EntryState.VERIFY_FAILED) or not _is_current(s, item):
            raise Refused(f"条目当前状态为“{e.state.label}”，核实记录不能再更改")
        if r.reported_on is not None and verified_on < r.reported_on:
            raise ValidationError(f"核实日期不能早于报送日期（{r.reported_on.isoformat()}）", field="verified_on")
        _check_not_future(verified_on, "核实日期", "verified_on", today or ledger.today())
        late = verified_on > rules.monthly_verify_due(p, year, r.month)
        v = next((x for x in item.verifications if x.department_id == d.id), None)
        if v is None:
            v = Verification(department_id=d.id, result=result, verified_on=verified_on, note=note, is_late=late)
            item.verifications.append(v)
        else:
            for name, value in (("result", result), ("verified_on", verified_on), ("note", note)):
                if getattr(v, name) != value:
                    setattr(v, name, value)
            if late and not v.is_late:
                v.is_late = True  # kept once flagged, like a late report
        s.flush()
        _settle(s, item, p)
        s.flush()
        return e.state


def clear_verification(ledger: Ledger, item_id: int, department) -> EntryState:
    """Delete one department's record (a correction) while the entry is not 已核实."""
    with ledger.session() as s:
        item = _get_item(s, item_id)
        year = s.get(Year, item.report.year_id).year
        p = year_service.params_in_session(s, year)
        d = _department(s, department, p)
        e = item.entry
        if e.state not in (EntryState.REPORTED, EntryState.VERIFY_FAILED) or not _is_current(s, item):
            raise Refused(f"条目当前状态为“{e.state.label}”，核实记录不能再更改")
        v = next((x for x in item.verifications if x.department_id == d.id), None)
        if v is None:
            return e.state
        item.verifications.remove(v)
        s.flush()
        _settle(s, item, p)
        s.flush()
        return e.state


# Reading the month --------------------------------------------------------------------------

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
         .options(selectinload(MonthlyReportItem.verifications),
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
            item.note, r.reported_on, r.is_late, e.state, current, cells, overall, verified_area,
            any(c.is_late for c in cells), overdue, counts.get(item.id, 0)))
    return rows


def verification_table(ledger: Ledger, year: int, month: int, *, town_id: int | None = None,
                       as_of: dt.date | None = None) -> VerificationTable:
    """The month's verification table: one row per reported entry (all towns, or one)."""
    _check_month(month)
    as_of = as_of or ledger.today()
    with ledger.reader() as s:
        y = _year_row(s, year)
        p = year_service.params_in_session(s, year)
        depts = _departments(s, p)
        table = VerificationTable(year, month, [n for n, _ in depts], rules.monthly_report_due(p, year, month),
                                  rules.monthly_verify_due(p, year, month))
        table.rows = _items(s, y.id, month, depts, p, year, as_of, town_id)
        return table


def month_overview(ledger: Ledger, year: int, month: int, *, as_of: dt.date | None = None) -> MonthOverview:
    """Per town: reported? on time? items, verified / failed / pending counts."""
    _check_month(month)
    as_of = as_of or ledger.today()
    with ledger.reader() as s:
        y = _year_row(s, year)
        p = year_service.params_in_session(s, year)
        depts = _departments(s, p)
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
        y = _year_row(s, year)
        return s.scalar(select(func.max(MonthlyReport.month)).where(MonthlyReport.year_id == y.id))


def lateness(ledger: Ledger, year: int, *, as_of: dt.date | None = None) -> list[TownLateness]:
    """Per town: reports, late reports, months with no report past the due day, verifications and
    late ones (the stored flags, so a later edit or parameter change does not rewrite history)."""
    as_of = as_of or ledger.today()
    with ledger.reader() as s:
        y = _year_row(s, year)
        p = year_service.params_in_session(s, year)
        reports = list(s.scalars(select(MonthlyReport).where(MonthlyReport.year_id == y.id)))
        towns = [t for t in s.scalars(select(Town).order_by(Town.sort_order, Town.id))
                 if t.active or any(r.town_id == t.id for r in reports)]
        out = {t.id: TownLateness(t.id, t.name) for t in towns}
        dated = defaultdict(set)
        for r in reports:
            row = out[r.town_id]
            if r.reported_on is not None:
                row.reports += 1
                dated[r.town_id].add(r.month)
            row.late_reports += int(r.is_late)
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
        y = _year_row(s, year)
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
