"""月度报送与核实 (三(四)): reporting completed entries, four departments' verification, lateness."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from desktop.models import (
    GovernanceList,
    ListEntry,
    MonthlyReport,
    MonthlyReportItem,
    Target,
    Town,
    Verification,
    Year,
)
from desktop.models.enums import Category, EntryState, Method, TargetKind, TargetState, VerifyResult
from desktop.services import rules
from desktop.services.lists import list_service
from desktop.services.reports import report_service
from desktop.services.year import year_service
from desktop.services.errors import Refused, ValidationError

D = Decimal
PASS, FAIL = VerifyResult.PASS, VerifyResult.FAIL
DEPTS = ["资规局", "工信局", "交通运输局", "税务局"]


# A small city: one town, entries in given states -----------------------------------------------

def make_town(db, name: str = "甲镇") -> int:
    with db.session() as s:
        t = Town(name=name, sort_order=s.scalar(select(func.count(Town.id))) + 1)
        s.add(t)
        s.flush()
        return t.id


def make_entry(db, town_id: int, name: str, area="12.5", state: EntryState = EntryState.IN_PROGRESS,
               year: int = 2024) -> int:
    with db.session() as s:
        year_id = s.scalar(select(Year.id).where(Year.year == year))
        gl = s.scalar(select(GovernanceList).where(GovernanceList.town_id == town_id,
                                                   GovernanceList.year_id == year_id))
        if gl is None:
            gl = GovernanceList(town_id=town_id, year_id=year_id)
            s.add(gl)
            s.flush()
        t = Target(kind=TargetKind.ENTERPRISE, name=name, town_id=town_id, category=Category.OTHER,
                   land_area_mu=D(20), state=TargetState.IN_PROGRESS)
        s.add(t)
        s.flush()
        e = ListEntry(list_id=gl.id, target_id=t.id, planned_method=Method.LAND_BANKING, planned_area_mu=D(area),
                      state=state)
        s.add(e)
        s.flush()
        return e.id


def entry(db, entry_id: int) -> ListEntry:
    with db.reader() as s:
        e = s.get(ListEntry, entry_id)
        s.expunge(e)
        return e


def target_state(db, entry_id: int) -> TargetState:
    with db.reader() as s:
        return s.get(ListEntry, entry_id).target.state


@pytest.fixture
def town(db):
    return make_town(db)


@pytest.fixture
def reported(db, town):
    """甲镇's March report (dated 12 March) with one entry of 12.5 亩; returns (report id, item id, entry id)."""
    e = make_entry(db, town, "甲镇宏达机械有限公司")
    r = report_service.open_report(db, town, 2024, 3, dt.date(2024, 3, 12))
    item = report_service.add_item(db, r.id, e)
    return r.id, item, e


def verify_all(db, item_id, results, day=dt.date(2024, 3, 22)):
    state = None
    for dept, result in zip(DEPTS, results):
        if result is None:
            continue
        note = "" if result is PASS else "地上建筑物未拆除到位"
        state = report_service.record_verification(db, item_id, dept, result, day, note)
    return state


# Reporting -----------------------------------------------------------------------------------

def test_adding_a_completed_entry_reports_it_on_the_report_date_with_the_planned_area(db, reported):
    _r, item_id, entry_id = reported
    e = entry(db, entry_id)
    assert e.state is EntryState.REPORTED and e.completed_on == dt.date(2024, 3, 12)
    table = report_service.verification_table(db, 2024, 3)
    assert [(r.item_id, r.completed_area_mu, r.overall) for r in table.rows] == [(item_id, D("12.5"), "待核实")]
    assert target_state(db, entry_id) is TargetState.IN_PROGRESS


def test_completed_area_may_differ_from_the_plan(db, town):
    e = make_entry(db, town, "乙厂", "30")
    r = report_service.open_report(db, town, 2024, 4, dt.date(2024, 4, 10))
    item = report_service.add_item(db, r.id, e, "8000㎡")
    row = report_service.verification_table(db, 2024, 4).rows[0]
    assert row.item_id == item and row.completed_area_mu == D("12.0000") and row.planned_area_mu == D(30)


@pytest.mark.parametrize("state", [EntryState.PLAN_FILED, EntryState.REPORTED, EntryState.VERIFIED,
                                   EntryState.VERIFY_FAILED, EntryState.CANCELLED])
def test_only_entries_in_progress_can_be_reported_and_the_refusal_names_the_state(db, town, state):
    e = make_entry(db, town, "丙厂", state=state)
    r = report_service.open_report(db, town, 2024, 3, dt.date(2024, 3, 12))
    with pytest.raises(Refused, match=f"当前状态为“{state.label}”，只有“实施中”的条目可以报送完成"):
        report_service.add_item(db, r.id, e)
    assert entry(db, e).state is state
    assert report_service.get_report(db, town, 2024, 3).item_count == 0


def test_another_towns_entry_cannot_be_reported(db, town):
    other = make_town(db, "乙镇")
    e = make_entry(db, other, "乙镇某厂")
    r = report_service.open_report(db, town, 2024, 3, dt.date(2024, 3, 12))
    with pytest.raises(ValidationError, match="不是甲镇本年度清单中的条目"):
        report_service.add_item(db, r.id, e)


def test_a_report_needs_its_date_before_entries_are_added(db, town):
    e = make_entry(db, town, "丁厂")
    r = report_service.open_report(db, town, 2024, 3)
    with pytest.raises(ValidationError) as exc:
        report_service.add_item(db, r.id, e)
    assert exc.value.field == "reported_on"


def test_reportable_entries_are_the_towns_entries_in_progress(db, town):
    a = make_entry(db, town, "A厂")
    make_entry(db, town, "B厂", state=EntryState.PLAN_FILED)
    make_entry(db, make_town(db, "乙镇"), "C厂")
    assert [x.entry_id for x in report_service.reportable_entries(db, town, 2024)] == [a]


def test_removing_an_item_moves_the_entry_back_to_in_progress(db, reported, town):
    _report_id, item_id, entry_id = reported
    report_service.record_verification(db, item_id, "资规局", PASS, dt.date(2024, 3, 15))
    report_service.remove_item(db, item_id)
    e = entry(db, entry_id)
    assert e.state is EntryState.IN_PROGRESS and e.completed_on is None
    with db.reader() as s:
        assert s.scalar(select(func.count(MonthlyReportItem.id))) == 0
        assert s.scalar(select(func.count(Verification.id))) == 0
    assert [x.entry_id for x in report_service.reportable_entries(db, town, 2024)] == [entry_id]


def test_a_verified_item_cannot_be_removed(db, reported):
    _r, item_id, _e = reported
    verify_all(db, item_id, [PASS] * 4)
    with pytest.raises(Refused, match="当前状态为“已核实”，不能移除"):
        report_service.remove_item(db, item_id)


def test_a_report_with_items_cannot_be_deleted_but_an_empty_one_can(db, reported, town):
    report_id, _item, _e = reported
    with pytest.raises(Refused, match="已有 1 个条目"):
        report_service.delete_report(db, report_id)
    empty = report_service.open_report(db, town, 2024, 5)
    report_service.delete_report(db, empty.id)
    assert report_service.get_report(db, town, 2024, 5) is None


# Report lateness -------------------------------------------------------------------------------

def test_a_report_on_day_20_is_on_time_and_on_day_21_late(db, town):
    on_time = report_service.open_report(db, town, 2024, 3, dt.date(2024, 3, 20))
    late = report_service.open_report(db, town, 2024, 4, dt.date(2024, 4, 21))
    assert not on_time.is_late and on_time.report_due == dt.date(2024, 3, 20)
    assert late.is_late


def test_the_report_due_day_comes_from_the_years_parameters(db, town):
    year_service.update_params(db, 2024, {"report_due_day": 15})
    assert not report_service.open_report(db, town, 2024, 3, dt.date(2024, 3, 15)).is_late
    assert report_service.open_report(db, town, 2024, 4, dt.date(2024, 4, 16)).is_late


def test_a_late_report_stays_late_after_its_date_is_edited(db, town):
    r = report_service.open_report(db, town, 2024, 3, dt.date(2024, 3, 22))
    again = report_service.set_reported_on(db, r.id, dt.date(2024, 3, 18))
    assert again.reported_on == dt.date(2024, 3, 18) and again.is_late


def test_a_report_date_before_the_month_or_in_the_future_is_refused(db, town):
    r = report_service.open_report(db, town, 2024, 3)
    with pytest.raises(ValidationError, match="不能早于 2024年3月1日"):
        report_service.set_reported_on(db, r.id, dt.date(2024, 2, 28))
    with pytest.raises(ValidationError, match="不能晚于今天"):
        report_service.set_reported_on(db, r.id, dt.date(2024, 3, 10), today=dt.date(2024, 3, 9))


def test_editing_the_report_date_moves_the_items_completion_date(db, reported):
    report_id, _item, entry_id = reported
    report_service.set_reported_on(db, report_id, dt.date(2024, 3, 14))
    assert entry(db, entry_id).completed_on == dt.date(2024, 3, 14)


# Verification ----------------------------------------------------------------------------------

def test_all_four_departments_passing_makes_the_entry_verified(db, reported):
    _r, item_id, entry_id = reported
    for dept, day in zip(DEPTS, (14, 18, 16, 15)):
        state = report_service.record_verification(db, item_id, dept, PASS, dt.date(2024, 3, day))
    e = entry(db, entry_id)
    assert state is EntryState.VERIFIED and e.state is EntryState.VERIFIED
    assert e.verified_on == dt.date(2024, 3, 18)  # the latest pass
    assert e.verified_area_mu == D("12.5")
    assert target_state(db, entry_id) is TargetState.DONE
    row = report_service.verification_table(db, 2024, 3).rows[0]
    assert row.overall == "已核实" and row.verified_area_mu == D("12.5")
    assert [c.text for c in row.cells] == ["通过"] * 4


def test_three_passes_and_one_missing_leave_the_entry_reported(db, reported):
    _r, item_id, entry_id = reported
    state = verify_all(db, item_id, [PASS, PASS, PASS, None])
    e = entry(db, entry_id)
    assert state is EntryState.REPORTED and e.state is EntryState.REPORTED
    assert e.verified_on is None and e.verified_area_mu is None
    row = report_service.verification_table(db, 2024, 3).rows[0]
    assert row.overall == "待核实" and [c.text for c in row.cells] == ["通过", "通过", "通过", "—"]


def test_the_verified_area_is_the_items_completed_area(db, reported):
    _r, item_id, entry_id = reported
    report_service.update_item(db, item_id, completed_area_mu="11.8")
    verify_all(db, item_id, [PASS] * 4)
    assert entry(db, entry_id).verified_area_mu == D("11.8")


def test_one_fail_makes_the_entry_fail_verification_with_the_note_as_reason(db, reported):
    _r, item_id, entry_id = reported
    state = verify_all(db, item_id, [PASS, PASS, PASS, FAIL])
    e = entry(db, entry_id)
    assert state is EntryState.VERIFY_FAILED and e.state is EntryState.VERIFY_FAILED
    assert e.state_reason == "税务局：地上建筑物未拆除到位" and e.verified_area_mu is None
    assert report_service.verification_table(db, 2024, 3).rows[0].overall == "核实未通过"


def test_a_fail_on_the_first_record_already_fails_the_entry(db, reported):
    _r, item_id, entry_id = reported
    report_service.record_verification(db, item_id, "工信局", FAIL, dt.date(2024, 3, 20), "尚在生产")
    assert entry(db, entry_id).state is EntryState.VERIFY_FAILED


def test_a_fail_needs_a_note(db, reported):
    _r, item_id, entry_id = reported
    with pytest.raises(ValidationError, match="须填写说明") as exc:
        report_service.record_verification(db, item_id, "税务局", FAIL, dt.date(2024, 3, 20), "  ")
    assert exc.value.field == "note"
    assert entry(db, entry_id).state is EntryState.REPORTED


def test_a_failing_record_can_be_corrected_until_the_entry_is_verified(db, reported):
    _r, item_id, entry_id = reported
    verify_all(db, item_id, [PASS, PASS, PASS, FAIL])
    state = report_service.record_verification(db, item_id, "税务局", PASS, dt.date(2024, 3, 23))
    e = entry(db, entry_id)
    assert state is EntryState.VERIFIED and e.state_reason == "" and e.completed_on == dt.date(2024, 3, 12)
    with pytest.raises(Refused, match="当前状态为“已核实”，核实记录不能再更改"):
        report_service.record_verification(db, item_id, "税务局", FAIL, dt.date(2024, 3, 24), "欠税")


def test_clearing_the_only_fail_returns_the_entry_to_reported(db, reported):
    _r, item_id, entry_id = reported
    verify_all(db, item_id, [PASS, FAIL, None, None])
    assert report_service.clear_verification(db, item_id, "工信局") is EntryState.REPORTED


def test_a_department_that_does_not_verify_this_year_is_refused(db, reported):
    _r, item_id, _e = reported
    with pytest.raises(ValidationError, match="不是2024年度的核实部门"):
        report_service.record_verification(db, item_id, "公安局", PASS, dt.date(2024, 3, 20))


def test_the_verifying_departments_come_from_the_years_parameters(db, reported):
    _r, item_id, entry_id = reported
    year_service.update_params(db, 2024, {"verifying_departments": ["资规局", "税务局"]})
    report_service.record_verification(db, item_id, "资规局", PASS, dt.date(2024, 3, 20))
    assert report_service.record_verification(db, item_id, "税务局", PASS, dt.date(2024, 3, 21)) \
        is EntryState.VERIFIED
    assert report_service.verification_table(db, 2024, 3).departments == ["资规局", "税务局"]


def test_a_verification_before_the_report_date_is_refused(db, reported):
    _r, item_id, _e = reported
    with pytest.raises(ValidationError, match="不能早于报送日期") as exc:
        report_service.record_verification(db, item_id, "资规局", PASS, dt.date(2024, 3, 11))
    assert exc.value.field == "verified_on"


def test_a_verification_on_day_25_is_on_time_and_on_day_26_late(db, reported):
    _r, item_id, _e = reported
    report_service.record_verification(db, item_id, "资规局", PASS, dt.date(2024, 3, 25))
    report_service.record_verification(db, item_id, "工信局", PASS, dt.date(2024, 3, 26))
    row = report_service.verification_table(db, 2024, 3).rows[0]
    assert [c.is_late for c in row.cells[:2]] == [False, True]
    assert row.verify_late and "核实逾期（工信局）" in row.late_text


def test_the_verification_due_day_comes_from_the_years_parameters(db, reported):
    _r, item_id, _e = reported
    year_service.update_params(db, 2024, {"verify_due_day": 28})
    report_service.record_verification(db, item_id, "资规局", PASS, dt.date(2024, 3, 28))
    report_service.record_verification(db, item_id, "工信局", PASS, dt.date(2024, 3, 29))
    assert [c.is_late for c in report_service.verification_table(db, 2024, 3).rows[0].cells[:2]] == [False, True]


def test_a_late_verification_stays_late_when_corrected(db, reported):
    _r, item_id, _e = reported
    report_service.record_verification(db, item_id, "资规局", FAIL, dt.date(2024, 3, 27), "未拆除")
    report_service.record_verification(db, item_id, "资规局", PASS, dt.date(2024, 3, 24))
    cell = report_service.verification_table(db, 2024, 3).rows[0].cells[0]
    assert cell.result is PASS and cell.is_late


def test_a_failed_entry_resumes_and_is_reported_again_next_month(db, reported, town):
    _r, item_id, entry_id = reported
    verify_all(db, item_id, [FAIL, PASS, PASS, PASS])
    list_service.transition(db, entry_id, "resume")
    assert entry(db, entry_id).state is EntryState.IN_PROGRESS
    april = report_service.open_report(db, town, 2024, 4, dt.date(2024, 4, 8))
    new_item = report_service.add_item(db, april.id, entry_id)
    march_row = report_service.verification_table(db, 2024, 3).rows[0]
    assert march_row.overall == "核实未通过" and not march_row.is_current and not march_row.can_verify
    with pytest.raises(Refused, match="核实记录不能再更改"):
        report_service.record_verification(db, item_id, "资规局", PASS, dt.date(2024, 4, 9))
    verify_all(db, new_item, [PASS] * 4, dt.date(2024, 4, 15))
    assert entry(db, entry_id).state is EntryState.VERIFIED


# The month and the year ------------------------------------------------------------------------

def test_month_overview_counts_each_towns_items_by_outcome(db, town):
    other = make_town(db, "乙镇")
    make_town(db, "丙镇")
    r = report_service.open_report(db, town, 2024, 3, dt.date(2024, 3, 18))
    items = [report_service.add_item(db, r.id, make_entry(db, town, f"厂{i}", "10")) for i in range(3)]
    verify_all(db, items[0], [PASS] * 4)
    verify_all(db, items[1], [PASS, FAIL, None, None], dt.date(2024, 3, 27))
    report_service.open_report(db, other, 2024, 3, dt.date(2024, 3, 22))
    ov = report_service.month_overview(db, 2024, 3, as_of=dt.date(2024, 4, 1))
    by = {t.town: t for t in ov.towns}
    a, b, c = by["甲镇"], by["乙镇"], by["丙镇"]
    assert (a.items, a.verified, a.failed, a.pending, a.late_verifications) == (3, 1, 1, 1, 2)
    assert a.status == "按时报送" and a.completed_area_mu == D(30) and a.verified_area_mu == D(10)
    assert b.status == "逾期报送" and b.items == 0
    assert c.status == "逾期未报" and c.report_id is None
    assert ov.reported == 2 and ov.late == 2 and ov.totals.items == 3
    early = report_service.month_overview(db, 2024, 3, as_of=dt.date(2024, 3, 20))
    assert {t.town: t.status for t in early.towns}["丙镇"] == "未报送"


def test_verification_table_rows_carry_town_target_code_area_and_each_department(db, town):
    e = make_entry(db, town, "甲镇宏达机械有限公司", "7.25")
    with db.session() as s:
        s.get(ListEntry, e).target.credit_code = "91320981MA1MXXXX0X"
    r = report_service.open_report(db, town, 2024, 6, dt.date(2024, 6, 21))
    item = report_service.add_item(db, r.id, e)
    report_service.record_verification(db, item, "税务局", FAIL, dt.date(2024, 6, 24), "尚有欠税")
    table = report_service.verification_table(db, 2024, 6, as_of=dt.date(2024, 7, 1))
    assert table.title == "2024年6月“危污乱散低”整治核实情况表"
    assert table.departments == DEPTS and table.verify_due == dt.date(2024, 6, 25)
    row = table.rows[0]
    assert (row.town, row.target, row.credit_code, row.completed_area_mu) == (
        "甲镇", "甲镇宏达机械有限公司", "91320981MA1MXXXX0X", D("7.25"))
    tax = row.cells[3]
    assert (tax.department, tax.text, tax.verified_on, tax.note) == ("税务局", "不通过", dt.date(2024, 6, 24), "尚有欠税")
    assert row.report_late and row.overall == "核实未通过" and row.late_text == "报送逾期"


def test_a_pending_item_past_the_verification_day_is_overdue(db, reported):
    _r, item_id, _e = reported
    verify_all(db, item_id, [PASS, None, None, None])
    assert report_service.verification_table(db, 2024, 3, as_of=dt.date(2024, 3, 26)).rows[0].verify_overdue
    assert not report_service.verification_table(db, 2024, 3, as_of=dt.date(2024, 3, 25)).rows[0].verify_overdue


def test_lateness_counts_late_reports_and_late_verifications_per_town(db, town):
    other = make_town(db, "乙镇")
    r3 = report_service.open_report(db, town, 2024, 3, dt.date(2024, 3, 21))
    report_service.open_report(db, town, 2024, 4, dt.date(2024, 4, 20))
    item = report_service.add_item(db, r3.id, make_entry(db, town, "厂"))
    verify_all(db, item, [PASS, PASS, None, None], dt.date(2024, 3, 26))
    report_service.record_verification(db, item, "交通运输局", PASS, dt.date(2024, 3, 25))
    rows = {r.town: r for r in report_service.lateness(db, 2024, as_of=dt.date(2024, 5, 1))}
    a, b = rows["甲镇"], rows["乙镇"]
    assert (a.reports, a.late_reports, a.verifications, a.late_verifications) == (2, 1, 3, 2)
    assert a.missing_reports == 2 and b.missing_reports == 4  # Jan, Feb (and Mar, Apr for 乙镇)
    depts = {d.department: d for d in report_service.department_lateness(db, 2024)}
    assert depts["工信局"].late_verifications == 1 and depts["交通运输局"].late_verifications == 0


def test_latest_month_is_the_last_month_with_a_report(db, town):
    assert report_service.latest_month(db, 2024) is None
    report_service.open_report(db, town, 2024, 7, dt.date(2024, 7, 3))
    report_service.open_report(db, town, 2024, 5, dt.date(2024, 5, 3))
    assert report_service.latest_month(db, 2024) == 7


def test_a_month_outside_1_to_12_is_refused(db):
    with pytest.raises(ValidationError, match="月份应为 1 至 12"):
        report_service.month_overview(db, 2024, 13)


# The sample city -------------------------------------------------------------------------------

def test_the_sample_citys_reports_agree_with_its_entry_states(db):
    from desktop.services.demo import demo_service

    summary = demo_service.generate(db)
    assert summary.extra["monthly_reports"] > 0 and summary.extra["late_reports"] >= 1
    assert summary.extra["late_verifications"] >= 1
    with db.reader() as s:
        year_id = s.scalar(select(Year.id).where(Year.year == 2024))
        entries = list(s.scalars(select(ListEntry).join(GovernanceList).where(
            GovernanceList.year_id == year_id,
            ListEntry.state.in_([EntryState.REPORTED, EntryState.VERIFIED, EntryState.VERIFY_FAILED]))))
        assert entries
        for e in entries:
            items = list(s.scalars(select(MonthlyReportItem).where(MonthlyReportItem.entry_id == e.id)))
            assert len(items) == 1, e.id
            item = items[0]
            assert e.completed_on == item.report.reported_on
            results = [v.result for v in item.verifications]
            if e.state is EntryState.VERIFIED:
                assert results == [PASS] * 4
                assert e.verified_on == max(v.verified_on for v in item.verifications)
                assert e.verified_area_mu == item.completed_area_mu
            elif e.state is EntryState.VERIFY_FAILED:
                fails = [v for v in item.verifications if v.result is FAIL]
                assert len(fails) == 1 and fails[0].note and fails[0].note in e.state_reason
            else:
                assert FAIL not in results and len(results) < 4
            for v in item.verifications:
                assert v.verified_on >= item.report.reported_on
        p = year_service.params_in_session(s, 2024)
        for r in s.scalars(select(MonthlyReport)):
            assert r.is_late == (r.reported_on > rules.monthly_report_due(p, 2024, r.month))
    late = report_service.lateness(db, 2024)
    assert sum(t.late_reports for t in late) == summary.extra["late_reports"]
    assert sum(t.late_verifications for t in late) == summary.extra["late_verifications"]
