"""周转指标库 (四(三)): the 30 % cap, partial returns, the due date and fee, the ledger, export, CLI, demo."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from desktop.models import AuditLog, GovernanceList, ListEntry, Plan, QuotaLoan, QuotaReturn, Soe, Year
from desktop.models.enums import EntryState, Method
from desktop.services.demo import demo_service
from desktop.services.quota import quota_service
from desktop.services.towns import town_service
from desktop.services.year import year_service
from desktop.services.errors import NotFound, Refused, ValidationError
from test_town_service import make_target

D = Decimal


# ---- a small city: two towns, two SOEs, filed plans ----------------------------------------

def add_soe(db, name: str) -> int:
    with db.session() as s:
        soe = Soe(name=name)
        s.add(soe)
        s.flush()
        return soe.id


def add_plan(db, town_id: int, soe_id: int | None, planned, *, method: Method = Method.LAND_BANKING,
             state: EntryState = EntryState.PLAN_FILED, filed_on: dt.date | None = dt.date(2024, 3, 1),
             name: str | None = None, year: int = 2024) -> int:
    """A list entry in `state` with a plan (filed on `filed_on`, or not filed when None)."""
    with db.session() as s:
        year_id = s.scalar(select(Year.id).where(Year.year == year))
        gl = s.scalar(select(GovernanceList).where(GovernanceList.town_id == town_id, GovernanceList.year_id == year_id))
        if gl is None:
            gl = GovernanceList(town_id=town_id, year_id=year_id)
            s.add(gl)
            s.flush()
        n = s.scalar(select(func.count(ListEntry.id))) + 1
        tid = make_target(s, town_id, name or f"企业{n}")
        e = ListEntry(list_id=gl.id, target_id=tid, planned_method=method, planned_area_mu=D(planned), state=state)
        s.add(e)
        s.flush()
        p = Plan(entry_id=e.id, method=method, planned_area_mu=D(planned), soe_id=soe_id, filed_on=filed_on)
        s.add(p)
        s.flush()
        return p.id


@pytest.fixture
def city(db):
    a = town_service.create_town(db, "甲镇").id
    b = town_service.create_town(db, "乙镇").id
    x = add_soe(db, "市城投集团")
    y = add_soe(db, "市国资公司")
    return {"甲镇": a, "乙镇": b, "城投": x, "国资": y,
            "plan": add_plan(db, a, x, "100", name="甲镇化工厂"),
            "plan2": add_plan(db, b, y, "50", name="乙镇铸造厂"),
            "plan3": add_plan(db, b, x, "40", name="乙镇码头")}


def lend(db, plan_id, area, day=dt.date(2024, 6, 1), purpose="标准厂房"):
    return quota_service.lend(db, plan_id, loan_date=day, area_mu=area, purpose=purpose)


def row(db, loan_id, as_of):
    return next(r for r in quota_service.loan_ledger(db, as_of=as_of) if r.loan_id == loan_id)


# ---- the cap (四(三): 30 % of the plan's planned area) ----------------------------------------

def test_loan_exactly_at_30_percent_of_plan_is_allowed(db, city):
    first = lend(db, city["plan"], "20")
    second = lend(db, city["plan"], "10")
    assert first.area_mu == D(20) and second.area_mu == D(10)
    assert second.soe_id == city["城投"] and second.town_id == city["甲镇"]


def test_loan_001_mu_over_30_percent_is_refused_with_the_numbers(db, city):
    lend(db, city["plan"], "20")
    with pytest.raises(Refused) as e:
        lend(db, city["plan"], "10.01")
    assert e.value.message == ("该方案计划收储面积 100.00 亩，预借上限 30% 即 30.00 亩；"
                               "已借未还 20.00 亩，本次 10.01 亩，超出 0.01 亩")
    with db.reader() as s:
        assert s.scalar(select(func.count(QuotaLoan.id))) == 1


def test_returned_quota_frees_room_under_the_cap(db, city):
    loan = lend(db, city["plan"], "30")
    with pytest.raises(Refused):
        lend(db, city["plan"], "5")
    quota_service.return_quota(db, loan.loan_id, return_date=dt.date(2024, 9, 1), area_mu="5")
    assert lend(db, city["plan"], "5").area_mu == D(5)


def test_cap_follows_the_loan_years_ratio_parameter(db, city):
    year_service.update_params(db, 2024, {"quota_borrow_ratio_pct": D(20)})
    with pytest.raises(Refused) as e:
        lend(db, city["plan"], "25")
    assert "预借上限 20% 即 20.00 亩" in e.value.message
    year_service.new_year(db, 2025)
    year_service.update_params(db, 2025, {"quota_borrow_ratio_pct": D(30)})
    assert lend(db, city["plan"], "25", day=dt.date(2025, 2, 1)).area_mu == D(25)


def test_loan_year_without_parameters_uses_the_latest_year_before_it(db, city):
    year_service.update_params(db, 2024, {"quota_borrow_ratio_pct": D(10)})
    with pytest.raises(Refused) as e:
        lend(db, city["plan"], "11", day=dt.date(2026, 1, 5))  # no 2025 or 2026 parameters: 2024's
    assert "预借上限 10%" in e.value.message
    assert quota_service.params_for_loan_year(db, 2026).year == 2024


@pytest.mark.parametrize("method", [Method.ACQUISITION, Method.REUSE])
def test_loan_against_a_non_land_banking_plan_is_refused(db, city, method):
    plan = add_plan(db, city["甲镇"], city["城投"], "100", method=method)
    with pytest.raises(Refused) as e:
        lend(db, plan, "1")
    assert method.label in e.value.message and "收储" in e.value.message


def test_loan_against_an_unfiled_plan_is_refused(db, city):
    unfiled = add_plan(db, city["甲镇"], city["城投"], "100", filed_on=None, state=EntryState.APPROVED)
    with pytest.raises(Refused) as e:
        lend(db, unfiled, "1")
    assert "尚未备案" in e.value.message
    no_date = add_plan(db, city["甲镇"], city["城投"], "100", filed_on=None)
    with pytest.raises(Refused):
        lend(db, no_date, "1")


def test_loan_against_a_cancelled_entry_is_refused(db, city):
    plan = add_plan(db, city["甲镇"], city["城投"], "100", state=EntryState.CANCELLED)
    with pytest.raises(Refused) as e:
        lend(db, plan, "1")
    assert "已撤销" in e.value.message


def test_loan_before_filing_or_by_another_soe_or_of_nothing_is_refused(db, city):
    with pytest.raises(ValidationError) as e:
        lend(db, city["plan"], "1", day=dt.date(2024, 2, 28))
    assert e.value.field == "loan_date" and "2024-03-01" in e.value.message
    with pytest.raises(ValidationError) as e:
        quota_service.lend(db, city["plan"], loan_date=dt.date(2024, 6, 1), area_mu="1", soe_id=city["国资"])
    assert e.value.field == "soe_id" and "市城投集团" in e.value.message
    for bad in ("0", "-1", "", "abc"):
        with pytest.raises(ValidationError) as e:
            lend(db, city["plan"], bad)
        assert e.value.field == "area_mu"
    with pytest.raises(NotFound):
        lend(db, 99999, "1")


def test_plan_without_partner_soe_cannot_lend(db, city):
    plan = add_plan(db, city["甲镇"], None, "100")
    with pytest.raises(Refused) as e:
        lend(db, plan, "1")
    assert "合作国企" in e.value.message


# ---- returns -----------------------------------------------------------------------------

def test_partial_returns_reduce_the_balance(db, city):
    loan = lend(db, city["plan"], "30")
    quota_service.return_quota(db, loan.loan_id, return_date=dt.date(2024, 9, 1), area_mu="10")
    quota_service.return_quota(db, loan.loan_id, return_date=dt.date(2025, 3, 1), area_mu="5.5")
    r = row(db, loan.loan_id, dt.date(2025, 6, 1))
    assert (r.returned_mu, r.balance_mu) == (D("15.5"), D("14.5"))
    earlier = row(db, loan.loan_id, dt.date(2024, 12, 31))  # a later return is not yet counted
    assert (earlier.returned_mu, earlier.balance_mu) == (D(10), D(20))


def test_return_over_the_balance_is_refused(db, city):
    loan = lend(db, city["plan"], "30")
    quota_service.return_quota(db, loan.loan_id, return_date=dt.date(2024, 9, 1), area_mu="25")
    with pytest.raises(ValidationError) as e:
        quota_service.return_quota(db, loan.loan_id, return_date=dt.date(2024, 10, 1), area_mu="5.01")
    assert e.value.field == "area_mu" and "5.00 亩" in e.value.message
    quota_service.return_quota(db, loan.loan_id, return_date=dt.date(2024, 10, 1), area_mu="5")
    with pytest.raises(Refused) as e:
        quota_service.return_quota(db, loan.loan_id, return_date=dt.date(2024, 11, 1), area_mu="1")
    assert "已全部归还" in e.value.message


def test_return_before_the_loan_date_is_refused(db, city):
    loan = lend(db, city["plan"], "10", day=dt.date(2024, 6, 1))
    with pytest.raises(ValidationError) as e:
        quota_service.return_quota(db, loan.loan_id, return_date=dt.date(2024, 5, 31), area_mu="1")
    assert e.value.field == "return_date"
    assert quota_service.return_quota(db, loan.loan_id, return_date=dt.date(2024, 6, 1), area_mu="1").area_mu == D(1)


def test_a_loan_with_returns_cannot_be_deleted_until_they_are(db, city):
    loan = lend(db, city["plan"], "10")
    ret = quota_service.return_quota(db, loan.loan_id, return_date=dt.date(2024, 7, 1), area_mu="2")
    with pytest.raises(Refused):
        quota_service.delete_loan(db, loan.loan_id)
    quota_service.delete_return(db, ret.id)
    quota_service.delete_loan(db, loan.loan_id)
    assert quota_service.loan_ledger(db, as_of=dt.date(2025, 1, 1)) == []


# ---- due date and fee (31 Dec of the next year; 85 万元/亩 from 1 Jan) --------------------------

def test_due_date_is_31_december_of_the_year_after_the_loan(db, city):
    loan = lend(db, city["plan"], "10", day=dt.date(2024, 3, 2))
    assert loan.due_date == dt.date(2025, 12, 31)


def test_unreturned_balance_owes_no_fee_on_31_december_and_the_fee_on_1_january(db, city):
    loan = lend(db, city["plan"], "10", day=dt.date(2024, 3, 2))
    quota_service.return_quota(db, loan.loan_id, return_date=dt.date(2025, 6, 1), area_mu="4")
    on_due = row(db, loan.loan_id, dt.date(2025, 12, 31))
    assert (on_due.balance_mu, on_due.days_overdue, on_due.fee_wan) == (D(6), 0, D(0))
    next_day = row(db, loan.loan_id, dt.date(2026, 1, 1))
    assert (next_day.balance_mu, next_day.days_overdue, next_day.fee_wan) == (D(6), 1, D(510))  # 6 × 85


def test_return_on_31_december_of_the_next_year_leaves_no_fee(db, city):
    loan = lend(db, city["plan"], "10", day=dt.date(2024, 3, 2))
    quota_service.return_quota(db, loan.loan_id, return_date=dt.date(2025, 12, 31), area_mu="10")
    r = row(db, loan.loan_id, dt.date(2027, 5, 1))
    assert (r.balance_mu, r.days_overdue, r.fee_wan) == (D(0), 0, D(0))


def test_return_on_1_january_still_owes_the_fee_on_what_was_late(db, city):
    loan = lend(db, city["plan"], "10", day=dt.date(2024, 3, 2))
    quota_service.return_quota(db, loan.loan_id, return_date=dt.date(2026, 1, 1), area_mu="10")
    r = row(db, loan.loan_id, dt.date(2026, 1, 1))
    assert (r.balance_mu, r.days_overdue, r.fee_wan) == (D(0), 0, D(850))


def test_fee_follows_the_parameter_of_the_loan_year(db, city):
    loan = lend(db, city["plan"], "10", day=dt.date(2024, 3, 2))
    assert row(db, loan.loan_id, dt.date(2026, 1, 1)).fee_wan == D(850)
    year_service.update_params(db, 2024, {"quota_overdue_fee_wan_per_mu": D(100)})
    assert row(db, loan.loan_id, dt.date(2026, 1, 1)).fee_wan == D(1000)


def test_loans_after_the_as_of_date_are_not_in_the_ledger(db, city):
    lend(db, city["plan"], "5", day=dt.date(2024, 6, 1))
    lend(db, city["plan"], "5", day=dt.date(2025, 2, 1))
    assert len(quota_service.loan_ledger(db, as_of=dt.date(2024, 12, 31))) == 1
    assert len(quota_service.loan_ledger(db, as_of=dt.date(2025, 2, 1))) == 2
    assert len(quota_service.loan_ledger(db)) == 2  # today by default


def test_due_within_60_days_is_due_soon_and_overdue_is_not(db, city):
    r = lend(db, city["plan"], "5", day=dt.date(2024, 6, 1))
    assert quota_service.due_soon(row(db, r.loan_id, dt.date(2025, 11, 1)), dt.date(2025, 11, 1))
    assert not quota_service.due_soon(row(db, r.loan_id, dt.date(2025, 10, 31)), dt.date(2025, 10, 31))
    assert not quota_service.due_soon(row(db, r.loan_id, dt.date(2026, 1, 1)), dt.date(2026, 1, 1))


# ---- ledger totals -----------------------------------------------------------------------

@pytest.fixture
def loans(db, city):
    a = lend(db, city["plan"], "30", day=dt.date(2024, 4, 1))         # 甲镇 城投
    b = lend(db, city["plan2"], "15", day=dt.date(2024, 5, 1))        # 乙镇 国资
    c = lend(db, city["plan3"], "12", day=dt.date(2025, 3, 1))        # 乙镇 城投 (not yet due)
    quota_service.return_quota(db, a.loan_id, return_date=dt.date(2025, 6, 1), area_mu="10")
    quota_service.return_quota(db, b.loan_id, return_date=dt.date(2025, 12, 31), area_mu="15")
    return a.loan_id, b.loan_id, c.loan_id


def test_ledger_totals_per_soe_and_per_town(db, city, loans):
    rows = quota_service.loan_ledger(db, as_of=dt.date(2026, 3, 1))
    by_soe = {t.name: t for t in quota_service.ledger_by_soe(rows)}
    by_town = {t.name: t for t in quota_service.ledger_by_town(rows)}
    ct = by_soe["市城投集团"]
    assert (ct.loans, ct.borrowed_mu, ct.returned_mu, ct.balance_mu) == (2, D(42), D(10), D(32))
    assert (ct.overdue_loans, ct.overdue_mu, ct.fee_wan) == (1, D(20), D(1700))
    gz = by_soe["市国资公司"]
    assert (gz.borrowed_mu, gz.balance_mu, gz.overdue_mu, gz.fee_wan) == (D(15), D(0), D(0), D(0))
    assert (by_town["甲镇"].borrowed_mu, by_town["甲镇"].fee_wan) == (D(30), D(1700))
    assert (by_town["乙镇"].borrowed_mu, by_town["乙镇"].balance_mu, by_town["乙镇"].overdue_mu) == (D(27), D(12), D(0))
    total = quota_service.ledger_total(rows)
    assert (total.loans, total.borrowed_mu, total.balance_mu, total.fee_wan) == (3, D(57), D(32), D(1700))


def test_ledger_filters_by_town_and_soe(db, city, loans):
    as_of = dt.date(2026, 3, 1)
    assert {r.loan_id for r in quota_service.loan_ledger(db, as_of=as_of, town_id=city["乙镇"])} == {loans[1], loans[2]}
    assert {r.loan_id for r in quota_service.loan_ledger(db, as_of=as_of, soe_id=city["城投"])} == {loans[0], loans[2]}


def test_ledger_report_names_plans_and_lists_returns(db, city, loans):
    report = quota_service.ledger_report(db, as_of=dt.date(2026, 3, 1), town_id=city["甲镇"])
    assert report.town_name == "甲镇" and report.plan_labels[city["plan"]] == "甲镇化工厂"
    assert [r.area_mu for r in report.returns[loans[0]]] == [D(10)]
    assert report.total.balance_mu == D(20)


def test_lendable_plans_show_cap_open_loans_and_room(db, city, loans):
    choices = {c.plan_id: c for c in quota_service.lendable_plans(db, on=dt.date(2025, 7, 1))}
    c = choices[city["plan"]]
    assert (c.cap_mu, c.open_mu, c.room_mu, c.soe, c.town) == (D(30), D(20), D(10), "市城投集团", "甲镇")
    acquisition = add_plan(db, city["甲镇"], city["城投"], "80", method=Method.ACQUISITION)
    unfiled = add_plan(db, city["甲镇"], city["城投"], "80", filed_on=None, state=EntryState.APPROVED)
    ids = {c.plan_id for c in quota_service.lendable_plans(db)}
    assert acquisition not in ids and unfiled not in ids


def test_loans_and_returns_are_recorded_in_the_audit_log(db, city):
    loan = lend(db, city["plan"], "3")
    quota_service.return_quota(db, loan.loan_id, return_date=dt.date(2024, 8, 1), area_mu="1")
    with db.reader() as s:
        kinds = set(s.scalars(select(AuditLog.object_type).where(AuditLog.action == "create")))
    assert {"quota_loan", "quota_return"} <= kinds


# ---- export ------------------------------------------------------------------------------

def test_export_opens_with_the_right_numbers(db, city, loans, tmp_path):
    from openpyxl import load_workbook

    path = quota_service.export_ledger(db, tmp_path / "台账.xlsx", as_of=dt.date(2026, 3, 1))
    wb = load_workbook(path)
    assert wb.sheetnames == ["台账明细", "按国企汇总", "按镇街汇总"]
    ws = wb["台账明细"]
    assert ws["A1"].value == "周转指标库台账" and "2026年3月1日" in ws["A2"].value
    headers = [c.value for c in ws[4]]
    col = {h: i for i, h in enumerate(headers)}
    data = [[c.value for c in r] for r in ws.iter_rows(min_row=5, max_row=7)]
    first = data[0]
    assert first[col["镇街"]] == "甲镇" and first[col["收储方案（治理对象）"]] == "甲镇化工厂"
    assert first[col["预借面积（亩）"]] == 30 and first[col["已归还（亩）"]] == 10 and first[col["未还余额（亩）"]] == 20
    assert first[col["逾期天数"]] == 60 and first[col["指标使用费（万元）"]] == 1700
    assert first[col["预借日期"]].date() == dt.date(2024, 4, 1)
    assert isinstance(first[col["未还余额（亩）"]], (int, float))
    totals = [c.value for c in ws[8]]
    assert totals[0] == "合计" and totals[col["预借面积（亩）"]] == 57 and totals[col["指标使用费（万元）"]] == 1700
    soe = {r[0].value: [c.value for c in r] for r in wb["按国企汇总"].iter_rows(min_row=5)}
    assert soe["市城投集团"][1:5] == [2, 42, 10, 32] and soe["合计"][7] == 1700
    town = {r[0].value: [c.value for c in r] for r in wb["按镇街汇总"].iter_rows(min_row=5)}
    assert town["乙镇"][2] == 27 and town["乙镇"][4] == 12
    for sheet in wb.worksheets:  # prints on A4 landscape with the header repeated
        assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$4:$4"


def test_export_keeps_formula_like_text_as_text(db, city, tmp_path):
    from openpyxl import load_workbook

    quota_service.lend(db, city["plan"], loan_date=dt.date(2024, 6, 1), area_mu="1", purpose="=HYPERLINK(\"x\")")
    path = quota_service.export_ledger(db, tmp_path / "t.xlsx", as_of=dt.date(2024, 7, 1))
    ws = load_workbook(path)["台账明细"]
    purpose_col = [c.value for c in ws[4]].index("用途") + 1
    cell = ws.cell(row=5, column=purpose_col)
    assert cell.value == "=HYPERLINK(\"x\")" and cell.data_type == "s"


# ---- CLI ---------------------------------------------------------------------------------

def run(capsys, *argv):
    from conftest import run_cli

    return run_cli(capsys, *argv)


def test_cli_quota_ledger_json_rows_carry_balance_days_and_fee(db, db_path, city, loans, capsys):
    db.dispose()
    code, out, _ = run(capsys, "--db", db_path, "quota-ledger", "--json", "--as-of", "2026-03-01")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 3
    first = next(r for r in rows if r["loan_id"] == loans[0])
    assert (first["balance_mu"], first["days_overdue"], first["fee_wan"]) == (20, 60, 1700)
    assert first["loan_date"] == "2024-04-01" and first["due_date"] == "2025-12-31" and first["town"] == "甲镇"
    code, out, _ = run(capsys, "--db", db_path, "quota-ledger", "--json", "--as-of", "2026-03-01", "--town", "乙镇")
    assert code == 0 and {r["loan_id"] for r in json.loads(out)} == {loans[1], loans[2]}


def test_cli_quota_ledger_prints_a_table_with_totals(db, db_path, city, loans, capsys):
    db.dispose()
    code, out, _ = run(capsys, "--db", db_path, "quota-ledger", "--as-of", "2026-03-01")
    assert code == 0
    assert "周转指标库台账（截至 2026-03-01）" in out and "甲镇化工厂" in out
    last = [line for line in out.splitlines() if line.startswith("合计")][0]
    assert "57.00" in last and "1,700.00" in last


def test_cli_quota_ledger_bad_date_or_town_exits_1_in_chinese(db, db_path, city, capsys):
    db.dispose()
    code, out, err = run(capsys, "--db", db_path, "quota-ledger", "--as-of", "2026-02-30")
    assert code == 1 and "截至日期" in err and "YYYY-MM-DD" in err and out == ""
    code, _, err = run(capsys, "--db", db_path, "quota-ledger", "--town", "丙镇")
    assert code == 1 and "丙镇" in err


# ---- sample city -------------------------------------------------------------------------

@pytest.fixture
def demo(db):
    """The sample city; demo_service.generate runs demo_quota.populate_demo inside its transaction."""
    summary = demo_service.generate(db, enterprises=300, seed=2024)
    return summary.year, demo_service._as_of(summary.year, dt.date.today()), summary.extra


def test_populate_demo_adds_loans_in_a_session(db):
    """Called on its own, as the demo does: loans, returns, history plans and the subsidy override."""
    summary = demo_service.generate(db, enterprises=120, seed=7)
    with db.reader() as s:
        before = s.scalar(select(func.count(QuotaLoan.id)))
    assert before == summary.extra["quota_loans"] > 0
    assert summary.extra["history_plans"] >= 2
    with db.reader() as s:
        assert s.scalar(select(Year.id).where(Year.year == summary.year - 2)) is not None


@pytest.mark.parametrize("when", ["demo", "today"])
def test_demo_shows_loans_overdue_and_not(db, demo, when):
    year, as_of, counts = demo
    day = as_of if when == "demo" else dt.date.today()
    rows = quota_service.loan_ledger(db, as_of=day)
    assert counts["quota_loans"] >= 10 and counts["quota_returns"] >= 8
    overdue = [r for r in rows if r.days_overdue > 0]
    assert overdue and all(r.fee_wan > 0 for r in overdue)
    assert [r for r in rows if r.balance_mu > 0 and r.days_overdue == 0]
    assert [r for r in rows if r.balance_mu == 0 and r.fee_wan == 0]  # returned in full, in time


def test_demo_loans_respect_the_cap_and_the_filing(db, demo):
    rows = quota_service.loan_ledger(db, as_of=dt.date(2100, 1, 1))
    with db.reader() as s:
        plans = {p.id: (p.method, p.filed_on, p.soe_id, p.planned_area_mu) for p in s.scalars(select(Plan))}
        returns = list(s.execute(select(QuotaReturn.loan_id, QuotaReturn.return_date)))
    loan_dates = {r.loan_id: r.loan_date for r in rows}
    assert all(day >= loan_dates[lid] for lid, day in returns)
    for r in rows:
        method, filed_on, soe_id, _planned = plans[r.plan_id]
        assert method is Method.LAND_BANKING and filed_on <= r.loan_date <= dt.date.today()
        assert r.soe_id == soe_id
    # Open loans per plan never above the cap (the balance today is what is still open).
    open_by_plan: dict[int, Decimal] = {}
    for r in quota_service.loan_ledger(db):
        open_by_plan[r.plan_id] = open_by_plan.get(r.plan_id, D(0)) + r.balance_mu
    for pid, open_mu in open_by_plan.items():
        assert open_mu * 100 <= plans[pid][3] * 30


def test_demo_sets_a_subsidy_rate_and_one_override(db, demo):
    from desktop.services.subsidy import subsidy_service

    year, _as_of, counts = demo
    table = subsidy_service.proposals(db, year)
    assert table.has_rate and table.totals.computed_wan > 0
    overridden = [r for r in table.rows if r.overridden]
    assert counts["subsidy_overrides"] == 1 and len(overridden) == 1 and overridden[0].override_reason


# ---- the rules as words, and what the page may do ----------------------------------------------

def test_loan_terms_say_the_due_date_from_the_return_years_parameter(db):
    t = quota_service.loan_terms(db, 2024)
    assert (t.due_date, t.due_text) == (dt.date(2025, 12, 31), "预借次年12月31日")
    assert t.ratio_text == "30%" and t.fee_text == "85 万元/亩" and "2025年12月31日前归还" in t.summary
    year_service.update_params(db, 2024, {"quota_return_years": 0})
    assert quota_service.loan_terms(db, 2024).due_text == "预借当年12月31日"
    year_service.update_params(db, 2024, {"quota_return_years": 3})
    t = quota_service.loan_terms(db, 2026)  # no 2026 parameters: the latest year before it
    assert t.due_text == "预借后第3年12月31日" and t.due_date == dt.date(2029, 12, 31)


def test_return_and_delete_are_refused_with_a_reason_by_the_rules(db, city):
    loan = lend(db, city["plan"], "10")
    assert quota_service.why_not_return(row(db, loan.loan_id, dt.date(2024, 7, 1))) is None
    assert quota_service.why_not_delete(row(db, loan.loan_id, dt.date(2024, 7, 1))) is None
    quota_service.return_quota(db, loan.loan_id, return_date=dt.date(2024, 7, 1), area_mu="10")
    done = row(db, loan.loan_id, dt.date(2024, 7, 1))
    assert "已全部归还" in quota_service.why_not_return(done)
    assert "归还记录" in quota_service.why_not_delete(done)
    assert quota_service.why_not_return(None) == "请先选择一笔预借"
