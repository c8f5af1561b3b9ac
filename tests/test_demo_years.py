"""示例数据 over several years (zzb demo --years, the five-year city of bench/city.py)."""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.models import (
    GovernanceList,
    ListEntry,
    MonthlyReport,
    MonthlyReportItem,
    Plan,
    QuotaLoan,
    QuotaReturn,
    Target,
    Town,
    TownTarget,
    Verification,
    Year,
)
from desktop.models.enums import EntryState, ListStatus, Method, VerifyResult
from desktop.services import audit, rules
from desktop.services.demo import demo_service
from desktop.services.errors import Refused
from desktop.services.lists.list_service import TARGET_STATE_OF
from desktop.services.year import year_service

YEARS = 3
PER_YEAR = 240


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from desktop.services import setup_service
    from desktop.services.ledger import open_ledger

    ledger = open_ledger(tmp_path_factory.mktemp("city") / "city.sqlite3", as_of=dt.date(2024, 11, 20))
    setup_service.initialize(ledger)
    summary = demo_service.generate(ledger, enterprises=4000, years=YEARS, entries_per_year=PER_YEAR)
    yield ledger, summary
    ledger.dispose()


def _entries_per_year(s) -> dict[int, int]:
    return dict(s.execute(select(Year.year, func.count(ListEntry.id))
                          .join(GovernanceList, GovernanceList.year_id == Year.id)
                          .join(ListEntry, ListEntry.list_id == GovernanceList.id).group_by(Year.year)).all())


def test_every_year_has_about_the_asked_number_of_entries(city):
    ledger, summary = city
    with ledger.reader() as s:
        per_year = _entries_per_year(s)
    assert sorted(per_year) == [2022, 2023, 2024]
    for year, n in per_year.items():
        assert PER_YEAR * 0.9 <= n <= PER_YEAR * 1.1, (year, n)
    assert summary.extra["years"] == YEARS and summary.extra["all_entries"] == sum(per_year.values())


def test_the_sample_year_stays_current_and_earlier_years_copy_its_parameters(city):
    ledger, _ = city
    assert year_service.current_year(ledger) == 2024
    now = year_service.get_params(ledger, 2024)
    for y in (2022, 2023):
        assert year_service.get_params(ledger, y).target_area_mu == now.target_area_mu


def test_earlier_years_have_every_towns_approved_list_and_targets(city):
    ledger, _ = city
    with ledger.reader() as s:
        towns = s.scalar(select(func.count(Town.id)))
        for y in (2022, 2023):
            statuses = list(s.scalars(select(GovernanceList.status).join(Year).where(Year.year == y)))
            assert len(statuses) == towns and set(statuses) == {ListStatus.APPROVED}
            assert s.scalar(select(func.count(TownTarget.id)).join(Year).where(Year.year == y)) == towns


def test_no_target_is_listed_twice_and_its_state_follows_its_entry(city):
    ledger, _ = city
    with ledger.reader() as s:
        rows = s.execute(select(ListEntry.target_id, ListEntry.state, Target.state)
                         .join(Target, Target.id == ListEntry.target_id)).all()
    listed = Counter(t for t, _e, _s in rows)
    assert max(listed.values()) == 1
    assert all(TARGET_STATE_OF[entry] is target for _t, entry, target in rows)


def test_earlier_years_are_mostly_verified_through_four_department_verifications(city):
    ledger, _ = city
    params = year_service.get_params(ledger, 2023)
    with ledger.reader() as s:
        states = Counter(s.scalars(select(ListEntry.state).join(GovernanceList).join(Year).where(Year.year == 2023)))
        verified = list(s.scalars(select(ListEntry.id).join(GovernanceList).join(Year)
                                  .where(Year.year == 2023, ListEntry.state == EntryState.VERIFIED)))
        passes = Counter(s.execute(
            select(MonthlyReportItem.entry_id).join(Verification, Verification.item_id == MonthlyReportItem.id)
            .where(MonthlyReportItem.entry_id.in_(verified), Verification.result == VerifyResult.PASS)).scalars())
        months = set(s.scalars(select(MonthlyReport.month).join(Year).where(Year.year == 2023)))
    assert states[EntryState.VERIFIED] > sum(states.values()) / 2
    assert all(passes[e] == len(params.verifying_departments) for e in verified)
    assert len(months) >= 9


def test_quota_loans_stay_under_the_cap_and_returns_under_the_loan(city):
    ledger, _ = city
    with ledger.reader() as s:
        loans = s.execute(select(QuotaLoan.id, QuotaLoan.area_mu, QuotaLoan.loan_date, Plan.planned_area_mu,
                                 Plan.method).join(Plan, Plan.id == QuotaLoan.plan_id)).all()
        returned = dict(s.execute(select(QuotaReturn.loan_id, func.sum(QuotaReturn.area_mu))
                                  .group_by(QuotaReturn.loan_id)).all())
        last_return = s.scalar(select(func.max(QuotaReturn.return_date)))
    assert len(loans) >= 2 * demo_service.demo_years.LOANS_PER_YEAR * 0.5
    for loan_id, area, day, planned, method in loans:
        assert method is Method.LAND_BANKING
        assert area <= rules.quota_borrow_cap_mu(year_service.get_params(ledger, day.year), planned)
        assert Decimal(returned.get(loan_id) or 0) <= area
    assert last_return <= ledger.today()


def test_the_audit_chain_still_verifies(city):
    ledger, _ = city
    assert audit.verify_chain(ledger) == (True, None)


def test_years_out_of_range_are_refused(db):
    with pytest.raises(Refused, match="1 到 10"):
        demo_service.generate(db, enterprises=10, years=0)


def _bench_city():
    spec = importlib.util.spec_from_file_location("bench_city", Path(__file__).parent.parent / "bench" / "city.py")
    bench_city = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_city)
    return bench_city


def test_the_benchmarks_audit_records_keep_the_keyed_chain_and_its_administrator_logs_in(tmp_path):
    """bench/city.py writes its million records through the chain's bulk append and makes the city's
    administrator with the accounts service: the keyed chain and its tip verify, and the account logs in."""
    from sqlalchemy import text

    from desktop.services import setup_service
    from desktop.services.accounts import accounts_service
    from desktop.services.ledger import open_ledger
    from desktop.models.enums import Role

    bench_city = _bench_city()
    ledger = open_ledger(tmp_path / "a.sqlite3")
    try:
        setup_service.initialize(ledger)
        bench_city.create_admin(ledger, "cityadmin", "City-Admin-2026")
        before = audit.count(ledger)
        bench_city.append_audit_records(ledger, 120, first_day=dt.date(2024, 1, 1), last_day=dt.date(2024, 12, 31))
        check = audit.check_chain(ledger)
        assert (check.intact, check.total) == (True, before + 120), check.message
        with ledger.reader() as s:
            last_id, last_hash = s.connection().execute(text("SELECT id, hash FROM audit_log ORDER BY id DESC")).first()
            tip = s.connection().execute(text("SELECT last_id, last_hash, count FROM audit_tip WHERE id = 1")).first()
        assert tuple(tip) == (last_id, last_hash, before + 120)
        acting = accounts_service.login(ledger, "cityadmin", "City-Admin-2026")
        assert acting.role is Role.SYSADMIN
        assert bench_city.key_present(tmp_path / "a.sqlite3")
    finally:
        ledger.dispose()


def test_the_city_is_not_built_without_zzb_password(monkeypatch):
    monkeypatch.delenv("ZZB_PASSWORD", raising=False)
    with pytest.raises(SystemExit, match="ZZB_PASSWORD"):
        _bench_city().admin_credentials()


def test_zzb_demo_years_with_admin_makes_a_ledger_whose_log_verifies(capsys, tmp_path):
    from desktop.cli import main

    path = tmp_path / "years.sqlite3"
    code = main(["--db", str(path), "demo", "--admin", "admin", "--years", "2", "--enterprises", "400"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "已建立系统管理员账户：admin" in out and "共 2 个年度：清单 24 份" in out
    code = main(["--db", str(path), "audit", "verify"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "日志完整" in out
