"""期限: every due item judged against the holiday table — overdue after the due day, amber within 5
workdays, and 'no_calendar' (saying so) when a needed year has no table."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from desktop.models import (
    Agreement,
    Department,
    GovernanceList,
    ListEntry,
    MonthlyReport,
    MonthlyReportItem,
    Plan,
    QuotaLoan,
    QuotaReturn,
    Soe,
    Target,
    Verification,
    Year,
)
from desktop.models.enums import AgreementKind, Category, EntryState, Method, TargetKind, VerifyResult
from desktop.services.dashboard import dashboard_service
from desktop.services.deadlines import deadline_service
from desktop.services.towns import town_service
from desktop.services.year import year_service
from desktop.services.deadlines.deadline_service import (
    DONE,
    KIND_AGREEMENT,
    KIND_QUOTA,
    KIND_REPORT,
    KIND_VERIFY,
    NO_CALENDAR,
    OK,
    OVERDUE,
    SOON,
    DueItem,
)

D = dt.date


@pytest.fixture
def towns(db):
    return {name: town_service.create_town(db, name).id for name in ("甲镇", "乙镇")}


def year_id(s, year=2024):
    return s.scalar(select(Year.id).where(Year.year == year))


def report(db, town_id, month, reported_on, year=2024) -> int:
    with db.session() as s:
        r = MonthlyReport(town_id=town_id, year_id=year_id(s, year), month=month, reported_on=reported_on)
        s.add(r)
        s.flush()
        return r.id


def entry(db, town_id, name="某厂", year=2024) -> int:
    with db.session() as s:
        yid = year_id(s, year)
        gl = s.scalar(select(GovernanceList).where(GovernanceList.town_id == town_id, GovernanceList.year_id == yid))
        if gl is None:
            gl = GovernanceList(town_id=town_id, year_id=yid)
            s.add(gl)
            s.flush()
        t = Target(kind=TargetKind.ENTERPRISE, name=name, town_id=town_id, category=Category.OTHER)
        s.add(t)
        s.flush()
        e = ListEntry(list_id=gl.id, target_id=t.id, planned_method=Method.LAND_BANKING, planned_area_mu=Decimal(10),
                      state=EntryState.REPORTED)
        s.add(e)
        s.flush()
        return e.id


def add_item(db, report_id, entry_id) -> int:
    with db.session() as s:
        item = MonthlyReportItem(report_id=report_id, entry_id=entry_id, completed_area_mu=Decimal(10))
        s.add(item)
        s.flush()
        return item.id


def verify(db, item_id, departments, on):
    with db.session() as s:
        for name in departments:
            dept = s.scalar(select(Department.id).where(Department.name == name))
            s.add(Verification(item_id=item_id, department_id=dept, result=VerifyResult.PASS, verified_on=on))


def rows(db, as_of, *, kind=None, town_id=None):
    return deadline_service.deadlines(db, as_of=as_of, town_id=town_id, kinds=[kind] if kind else None)


def one(db, as_of, kind, town_id, subject_part):
    found = [r for r in rows(db, as_of, kind=kind, town_id=town_id) if subject_part in r.subject]
    assert len(found) == 1, found
    return found[0]


# ---- status boundaries ---------------------------------------------------------------------------

def test_a_deadline_on_the_due_day_is_not_overdue_and_the_next_day_is(db, towns):
    # 2024-03-20 (a Wednesday) is the March report's due day.
    on_the_day = one(db, D(2024, 3, 20), KIND_REPORT, towns["甲镇"], "2024年3月")
    assert on_the_day.due_date == D(2024, 3, 20)
    assert (on_the_day.status, on_the_day.workdays_left) == (SOON, 0)
    assert deadline_service.workdays_left_text(on_the_day, D(2024, 3, 20)) == "今日到期"
    next_day = one(db, D(2024, 3, 21), KIND_REPORT, towns["甲镇"], "2024年3月")
    assert (next_day.status, next_day.workdays_left) == (OVERDUE, -1)
    assert deadline_service.workdays_left_text(next_day) == "逾期 1 个工作日"


def test_soon_exactly_at_5_workdays_and_not_at_6(db, towns):
    at_five = one(db, D(2024, 3, 13), KIND_REPORT, towns["甲镇"], "2024年3月")  # 14 15 18 19 20
    assert (at_five.status, at_five.workdays_left) == (SOON, 5)
    at_six = one(db, D(2024, 3, 12), KIND_REPORT, towns["甲镇"], "2024年3月")
    assert (at_six.status, at_six.workdays_left) == (OK, 6)


def test_soon_counts_workdays_across_a_holiday_with_its_make_up_day():
    from desktop.services.deadlines.calendar_service import WorkCalendar

    cal = WorkCalendar({D(2024, 10, d): False for d in range(1, 8)} | {D(2024, 10, 12): True}, {2024})
    item = DueItem(KIND_REPORT, 1, "甲镇", "x", D(2024, 10, 14))
    # After 30 Sep (or 7 Oct, the last holiday) come 8, 9, 10, 11, 12 (make-up Saturday) and 14: 6 workdays.
    assert deadline_service.classify(cal, item, D(2024, 9, 30)).workdays_left == 6
    assert deadline_service.classify(cal, item, D(2024, 10, 7)).status == OK
    assert (deadline_service.classify(cal, item, D(2024, 10, 8)).status,
            deadline_service.classify(cal, item, D(2024, 10, 8)).workdays_left) == (SOON, 5)


def test_overdue_past_a_due_day_on_a_weekend_loses_no_workday_yet(db, towns):
    # October 2024's report is due on Sunday the 20th; on Monday the 21st it is one workday late.
    sunday = one(db, D(2024, 10, 19), KIND_REPORT, towns["甲镇"], "2024年10月")
    assert (sunday.status, sunday.workdays_left) == (SOON, 0)
    assert deadline_service.workdays_left_text(sunday, D(2024, 10, 19)) == "0 个工作日"
    monday = one(db, D(2024, 10, 21), KIND_REPORT, towns["甲镇"], "2024年10月")
    assert (monday.status, monday.workdays_left) == (OVERDUE, -1)


def test_a_deadline_in_2027_without_a_table_is_no_calendar_with_the_note(db, towns):
    # An agreement signed on 24 Dec 2026: 10 workdays later is in 2027, which has no table.
    with db.session() as s:
        s.add(Agreement(kind=AgreementKind.COOPERATION, town_id=towns["甲镇"], year_id=year_id(s),
                        party_a="甲镇人民政府", party_b="某国企", signed_on=D(2026, 12, 24)))
    r = one(db, D(2026, 12, 28), KIND_AGREEMENT, towns["甲镇"], "合作协议")
    assert (r.status, r.due_date, r.workdays_left) == (NO_CALENDAR, None, None)
    assert "2027年的节假日安排尚未录入" in r.note


def test_a_due_date_in_a_missing_year_within_reach_of_5_workdays_is_no_calendar():
    from desktop.services.deadlines.calendar_service import WorkCalendar

    cal = WorkCalendar({}, {2026})
    item = DueItem(KIND_REPORT, 1, "甲镇", "2027年1月完成情况报送", D(2027, 1, 20))
    late_dec = deadline_service.classify(cal, item, D(2026, 12, 30))
    assert late_dec.status == NO_CALENDAR and late_dec.workdays_left is None
    assert "2027年的节假日安排尚未录入" in late_dec.note


def test_a_far_due_date_in_a_missing_year_is_ok_but_says_the_count_is_unknown():
    from desktop.services.deadlines.calendar_service import WorkCalendar

    cal = WorkCalendar({}, {2026})
    item = DueItem(KIND_QUOTA, 1, "甲镇", "预借指标归还", D(2027, 12, 31))
    r = deadline_service.classify(cal, item, D(2026, 11, 26))
    assert (r.status, r.workdays_left) == (OK, None)
    assert "2027年节假日安排尚未录入" in r.note and "至少" in r.note


def test_overdue_into_a_missing_year_keeps_overdue_and_says_why_the_count_is_missing():
    from desktop.services.deadlines.calendar_service import WorkCalendar

    cal = WorkCalendar({}, {2026})
    r = deadline_service.classify(cal, DueItem(KIND_REPORT, 1, "甲镇", "x", D(2026, 12, 20)), D(2027, 1, 5))
    assert (r.status, r.workdays_left) == (OVERDUE, None) and "2027年" in r.note


# ---- the providers --------------------------------------------------------------------------------

def test_monthly_reports_run_per_town_per_month_up_to_the_as_of_month(db, towns):
    got = rows(db, D(2024, 3, 5), kind=KIND_REPORT)
    assert sorted((r.town, r.subject) for r in got) == sorted(
        (t, f"2024年{m}月完成情况报送") for t in ("甲镇", "乙镇") for m in (1, 2, 3))


def test_a_report_filed_is_done_and_a_late_one_says_so(db, towns):
    report(db, towns["甲镇"], 1, D(2024, 1, 18))
    report(db, towns["甲镇"], 2, D(2024, 2, 23))
    jan = one(db, D(2024, 3, 5), KIND_REPORT, towns["甲镇"], "2024年1月")
    feb = one(db, D(2024, 3, 5), KIND_REPORT, towns["甲镇"], "2024年2月")
    assert (jan.status, jan.done_on, jan.note) == (DONE, D(2024, 1, 18), "")
    assert feb.status == DONE and "晚于期限" in feb.note


def test_a_report_filed_after_the_as_of_day_is_not_done_as_of_then(db, towns):
    report(db, towns["甲镇"], 1, D(2024, 1, 25))
    assert one(db, D(2024, 1, 22), KIND_REPORT, towns["甲镇"], "2024年1月").status == OVERDUE


def test_verification_is_done_only_when_every_verifying_department_has_recorded(db, towns):
    rid = report(db, towns["甲镇"], 3, D(2024, 3, 18))
    item = add_item(db, rid, entry(db, towns["甲镇"]))
    verify(db, item, ["资规局", "工信局", "交通运输局"], D(2024, 3, 22))
    partly = one(db, D(2024, 3, 26), KIND_VERIFY, towns["甲镇"], "2024年3月")
    assert (partly.status, partly.due_date) == (OVERDUE, D(2024, 3, 25))
    verify(db, item, ["税务局"], D(2024, 3, 27))
    whole = one(db, D(2024, 3, 28), KIND_VERIFY, towns["甲镇"], "2024年3月")
    assert (whole.status, whole.done_on) == (DONE, D(2024, 3, 27)) and "晚于期限" in whole.note


def test_verification_is_owed_only_for_reported_months(db, towns):
    report(db, towns["甲镇"], 3, None)  # opened, not yet reported
    assert rows(db, D(2024, 3, 28), kind=KIND_VERIFY) == []


def test_a_report_with_nothing_completed_needs_no_verification(db, towns):
    report(db, towns["乙镇"], 2, D(2024, 2, 19))
    r = one(db, D(2024, 3, 1), KIND_VERIFY, towns["乙镇"], "2024年2月")
    assert r.status == DONE and "无报送项目" in r.subject


def test_an_unfiled_agreement_is_due_10_workdays_after_signing(db, towns):
    with db.session() as s:
        a = Agreement(kind=AgreementKind.LAND_BANKING, town_id=towns["乙镇"], year_id=year_id(s),
                      party_a="乙镇人民政府", party_b="某某厂", signed_on=D(2024, 3, 1))
        s.add(a)
        s.flush()
        agreement_id = a.id
    r = one(db, D(2024, 3, 14), KIND_AGREEMENT, towns["乙镇"], "收储协议备案")
    assert r.due_date == D(2024, 3, 15) and (r.status, r.workdays_left) == (SOON, 1)
    assert "乙镇人民政府—某某厂" in r.subject
    assert one(db, D(2024, 3, 18), KIND_AGREEMENT, towns["乙镇"], "收储协议").status == OVERDUE
    with db.session() as s:
        s.get(Agreement, agreement_id).filed_on = D(2024, 3, 19)
    filed = one(db, D(2024, 3, 20), KIND_AGREEMENT, towns["乙镇"], "收储协议")
    assert filed.status == DONE and filed.done_on == D(2024, 3, 19)


def test_the_agreement_term_is_the_offices_practice_and_the_page_says_so(db):
    # The practice is a year parameter now, 10 workdays in the 2024 defaults and in a new ledger.
    assert year_service.PLAN_2024_DEFAULTS["agreement_filing_workdays"] == 10
    assert year_service.get_params(db, 2024).agreement_filing_workdays == 10
    assert "惯例" in deadline_service.AGREEMENT_NOTE and "未规定" in deadline_service.AGREEMENT_NOTE


def test_the_agreement_term_follows_the_signing_years_parameter(db, towns):
    year_service.update_params(db, 2024, {"agreement_filing_workdays": 5})
    year_service.new_year(db, 2025)
    year_service.update_params(db, 2025, {"agreement_filing_workdays": 15})
    with db.session() as s:
        for signed in (D(2024, 3, 1), D(2025, 3, 3)):
            s.add(Agreement(kind=AgreementKind.LAND_BANKING, town_id=towns["乙镇"], year_id=year_id(s, signed.year),
                            party_a="乙镇人民政府", party_b=f"厂{signed.year}", signed_on=signed))
    assert one(db, D(2024, 3, 4), KIND_AGREEMENT, towns["乙镇"], "厂2024").due_date == D(2024, 3, 8)  # 5 workdays
    # 15 workdays after Mon 3 March 2025: the 24th (no holiday in between)
    assert one(db, D(2025, 3, 4), KIND_AGREEMENT, towns["乙镇"], "厂2025").due_date == D(2025, 3, 24)


@pytest.fixture
def loan(db, towns):
    with db.session() as s:
        soe = Soe(name="市城投集团")
        s.add(soe)
        s.flush()
        soe_id = soe.id
    eid = entry(db, towns["甲镇"], "借指标的厂")
    with db.session() as s:
        plan = Plan(entry_id=eid, method=Method.LAND_BANKING, planned_area_mu=Decimal(100), soe_id=soe_id,
                    filed_on=D(2024, 4, 1))
        s.add(plan)
        s.flush()
        ln = QuotaLoan(plan_id=plan.id, soe_id=soe_id, town_id=towns["甲镇"], loan_date=D(2024, 5, 6),
                       area_mu=Decimal(20), purpose="标准厂房")
        s.add(ln)
        s.flush()
        return ln.id


def test_a_quota_loan_is_due_31_dec_of_the_next_year_and_overdue_with_its_fee_after(db, towns, loan):
    due = one(db, D(2025, 12, 31), KIND_QUOTA, towns["甲镇"], "市城投集团")
    assert (due.due_date, due.status, due.workdays_left) == (D(2025, 12, 31), SOON, 0)
    late = one(db, D(2026, 1, 5), KIND_QUOTA, towns["甲镇"], "市城投集团")
    assert late.status == OVERDUE and "使用费" in late.note and "余 20.00 亩" in late.subject
    with db.session() as s:
        s.add(QuotaReturn(loan_id=loan, return_date=D(2025, 6, 1), area_mu=Decimal(20)))
    paid = one(db, D(2026, 1, 5), KIND_QUOTA, towns["甲镇"], "市城投集团")
    assert paid.status == DONE and "已还清" in paid.subject


def test_kinds_and_town_filter_the_list(db, towns):
    with db.session() as s:
        s.add(Agreement(kind=AgreementKind.COOPERATION, town_id=towns["乙镇"], year_id=year_id(s),
                        signed_on=D(2024, 2, 1)))
    only_b = rows(db, D(2024, 3, 5), town_id=towns["乙镇"])
    assert {r.town for r in only_b} == {"乙镇"} and {r.kind for r in only_b} == {KIND_REPORT, KIND_AGREEMENT}
    assert {r.kind for r in rows(db, D(2024, 3, 5), kind=KIND_AGREEMENT)} == {KIND_AGREEMENT}


def test_rows_come_most_urgent_first(db, towns):
    statuses = [r.status for r in rows(db, D(2024, 3, 15))]
    order = deadline_service.STATUS_ORDER
    assert statuses == sorted(statuses, key=order.index) and statuses[0] == OVERDUE


def test_counts_for_the_dashboard(db, towns):
    # As of 15 Mar: Jan and Feb overdue for both towns; March due on the 20th (3 workdays) is amber.
    counts = deadline_service.counts(db, D(2024, 3, 15))
    assert (counts[OVERDUE], counts[SOON]) == (4, 2)


def test_the_dashboard_summary_carries_the_counts_and_the_next_year_warning(db, towns):
    s = dashboard_service.summary(db, 2024, today=D(2026, 11, 2))
    assert s.deadlines_overdue == 24  # every month of the work year 2024, both towns, none reported
    assert s.calendar_warning is not None and "2027年节假日安排尚未录入" in s.calendar_warning
    assert dashboard_service.summary(db, 2024, today=D(2026, 10, 30)).calendar_warning is None


def test_a_later_source_of_deadlines_plugs_in(db, towns, monkeypatch):
    monkeypatch.setitem(deadline_service.PROVIDERS, "体检问题清单",
                        lambda ctx: [DueItem("体检问题清单", None, "", "某企业体检问题清单", None,
                                             workdays_from=(D(2025, 1, 24), 10))])
    r = one(db, D(2025, 2, 12), "体检问题清单", None, "某企业")
    assert (r.due_date, r.status, r.workdays_left) == (D(2025, 2, 13), SOON, 1)


# ---- zzb deadlines --------------------------------------------------------------------------------

def zzb(capsys, *argv):
    from conftest import run_cli

    return run_cli(capsys, *argv)


def test_cli_deadlines_json_rows_with_iso_dates(db, db_path, towns, capsys):
    report(db, towns["甲镇"], 1, D(2024, 1, 18))
    code, out, _err = zzb(capsys, "--db", db_path, "deadlines", "--json", "--as-of", "2024-02-19", "--town", "甲镇")
    assert code == 0
    data = json.loads(out)
    assert [(d["subject"], d["status"], d["due_date"], d["workdays_left"]) for d in data] == [
        ("2024年2月完成情况报送", "soon", "2024-02-20", 1)]  # January is done: hidden as on the page
    assert data[0]["kind"] == "月度报送" and data[0]["town"] == "甲镇" and data[0]["status_label"] == "即将到期"
    code, out, _ = zzb(capsys, "--db", db_path, "deadlines", "--json", "--as-of", "2024-02-19", "--town", "甲镇", "--all")
    everything = json.loads(out)
    assert [(d["kind"], d["status"]) for d in everything] == [("月度报送", "soon"), ("月度报送", "done"), ("月度核实", "done")]
    assert everything[1]["done_on"] == "2024-01-18"


def test_cli_deadlines_text_lists_and_sums_up(db_path, towns, capsys):
    code, out, _ = zzb(capsys, "--db", db_path, "deadlines", "--as-of", "2024-03-15")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("已逾期\t2024-01-20\t逾期")
    assert lines[-1] == "截至 2024-03-15：共 6 项（已逾期 4，5个工作日内到期 2）"


def test_cli_deadlines_for_an_unknown_town_or_bad_date_exits_1(db_path, towns, capsys):
    code, _, err = zzb(capsys, "--db", db_path, "deadlines", "--town", "丙镇")
    assert code == 1 and "丙镇" in err
    code, _, err = zzb(capsys, "--db", db_path, "deadlines", "--as-of", "2024.13.1")
    assert code == 1 and "月份" in err
