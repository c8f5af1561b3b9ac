"""月度报送与核实 (三(四)): each of the year's verifying departments records pass or fail on a reported
entry, with a note; the entry is 已核实 only when all of them pass.

A record dated after the month's verification due day (rules.monthly_verify_due, the year's
parameters) is flagged late, and the flag is kept: rankings and bulletins count it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from desktop.models import Department, MonthlyReport, MonthlyReportItem, Verification, Year
from desktop.models.enums import EntryState, VerifyResult
from desktop.services import rules
from desktop.services.accounts import permissions
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.ledger import Ledger
from desktop.services.reports.report_common import (
    check_not_future, departments_of, get_item, is_current, item_reported_on, walk,
)
from desktop.services.reports.report_rows import VERIFIABLE
from desktop.services.year import year_service

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
    depts = departments_of(session, params)
    by_dept = {v.department_id: v for v in item.verifications}
    records = [by_dept.get(did) for _n, did in depts]
    fails = [(n, v) for (n, _d), v in zip(depts, records) if v is not None and v.result is VerifyResult.FAIL]
    if fails:
        reason = "；".join(f"{n}：{v.note.strip()}" for n, v in fails)
        if e.state is EntryState.REPORTED:
            walk(session, e, ["verify_fail"], reason)
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
        e.completed_on = item_reported_on(item)
    all_passed = bool(records) and all(v is not None and v.result is VerifyResult.PASS for v in records)
    if all_passed:
        path.append("verify_pass")
        e.verified_on = max(v.verified_on for v in records)
        e.verified_area_mu = item.completed_area_mu
    if path:
        walk(session, e, path)


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
        item = get_item(s, item_id)
        r = item.report
        year = s.get(Year, r.year_id).year
        p = year_service.params_in_session(s, year)
        d = _department(s, department, p)
        e = item.entry
        if e.state not in VERIFIABLE or not is_current(s, item):
            raise Refused(f"条目当前状态为“{e.state.label}”，核实记录不能再更改")
        handed_in = item_reported_on(item)
        if handed_in is not None and verified_on < handed_in:
            raise ValidationError(f"核实日期不能早于报送日期（{handed_in.isoformat()}）", field="verified_on")
        check_not_future(s, verified_on, "核实日期", "verified_on", today)
        late = verified_on > rules.monthly_verify_due(p, year, r.month)
        v = next((x for x in item.verifications if x.department_id == d.id), None)
        if v is None:
            v = Verification(department_id=d.id, result=result, verified_on=verified_on, note=note, is_late=late,
                             recorded_by=ledger.user)
            item.verifications.append(v)
        else:
            for name, value in (("result", result), ("verified_on", verified_on), ("note", note)):
                if getattr(v, name) != value:
                    setattr(v, name, value)
                    v.recorded_by = ledger.user
            if late and not v.is_late:
                v.is_late = True  # kept once flagged, like a late report
        s.flush()
        _settle(s, item, p)
        _unconfirm(r)
        s.flush()
        return e.state


def clear_verification(ledger: Ledger, item_id: int, department) -> EntryState:
    """Delete one department's record (a correction) while the entry is not 已核实."""
    with ledger.session() as s:
        item = get_item(s, item_id)
        year = s.get(Year, item.report.year_id).year
        p = year_service.params_in_session(s, year)
        d = _department(s, department, p)
        e = item.entry
        if e.state not in VERIFIABLE or not is_current(s, item):
            raise Refused(f"条目当前状态为“{e.state.label}”，核实记录不能再更改")
        v = next((x for x in item.verifications if x.department_id == d.id), None)
        if v is None:
            return e.state
        item.verifications.remove(v)
        s.flush()
        _settle(s, item, p)
        _unconfirm(item.report)
        s.flush()
        return e.state


# --- 核实结果确认: a leader confirms the month; never one who recorded any of its verifications ----------

SELF_RECORDED = "本月的核实记录中有您本人录入的"


def _unconfirm(report: MonthlyReport) -> None:
    """A verification recorded, changed or cleared: the month's confirmation no longer holds."""
    if report.verification_confirmed_by or report.verification_confirmed_at is not None:
        report.verification_confirmed_by = ""
        report.verification_confirmed_at = None


def _report_and_recorders(session, report_id: int) -> tuple[MonthlyReport, set[str]]:
    r = session.get(MonthlyReport, report_id)
    if r is None:
        raise NotFound("该月度报送已不存在")
    recorders = set(session.scalars(select(Verification.recorded_by).join(MonthlyReportItem)
                                    .where(MonthlyReportItem.report_id == report_id)))
    return r, recorders


def _confirm_problem(r: MonthlyReport, recorders: set[str]) -> str | None:
    if not recorders:
        return "本月尚无核实记录，无需确认"
    if r.verification_confirmed_by:
        return f"本月核实结果已由{r.verification_confirmed_by}确认"
    return None


def why_not_confirm_month(ledger: Ledger, report_id: int) -> str | None:
    """Why this account may not confirm the month's verification results now (None: it may)."""
    with ledger.reader() as s:
        r, recorders = _report_and_recorders(s, report_id)
        return _confirm_problem(r, recorders) or permissions.why_not_approve(ledger, recorders, SELF_RECORDED)


def confirm_month(ledger: Ledger, report_id: int) -> None:
    """A leader confirms a town's month of verification results (not anyone who recorded one of them)."""
    with ledger.session() as s:
        r, recorders = _report_and_recorders(s, report_id)
        problem = _confirm_problem(r, recorders)
        if problem:
            raise Refused(problem)
        permissions.require_approval(ledger, s, recorders, SELF_RECORDED)
        r.verification_confirmed_by = ledger.user
        r.verification_confirmed_at = ledger.now()
