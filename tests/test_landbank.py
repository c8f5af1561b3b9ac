"""政府收储 (三(三)1): the entries with a 收储 plan, the four groundwork steps, the two agreements."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from test_agreements import TODAY, add_planned, bank, city, save  # noqa: F401  (city is a fixture)

from desktop.models import Agreement, GroundworkRecord, LandBanking
from desktop.models.enums import AcquisitionStage, AgreementKind, EntryState, GroundworkStep, Method
from desktop.services import attachment_service, rules
from desktop.services.demo import demo_service
from desktop.services.landbank import agreement_service, landbank_service
from desktop.services.year import year_service
from desktop.services.landbank.agreement_service import AgreementValues
from desktop.services.errors import NotFound, Refused, ValidationError

D = Decimal
G = GroundworkStep


def record(db, entry_id, step, day, result="通过"):
    return landbank_service.record_step(db, entry_id, step, day, result, today=TODAY)


def test_only_entries_with_a_filed_land_banking_plan_are_listed(db, city):
    add_planned(db, city.jia, "甲四未备案厂", Method.LAND_BANKING, soe_id=city.chengtou, state=EntryState.APPROVED)
    rows = landbank_service.land_banking_entries(db, 2024)
    assert [r.target for r in rows] == ["甲一化工厂", "甲二铸造厂", "乙一印染厂"]
    assert [r.target for r in landbank_service.land_banking_entries(db, 2024, town_id=city.yi)] == ["乙一印染厂"]
    assert rows[0].soe == "城投集团" and rows[0].land_banking_id is None
    assert rows[0].steps_text == "0/4" and rows[0].missing_steps == ("资信尽调", "土壤检测", "价值评估", "收储洽谈")


def test_land_banking_is_opened_only_for_a_land_banking_plan(db, city):
    lb_id = landbank_service.open_land_banking(db, city.e1)
    assert landbank_service.open_land_banking(db, city.e1) == lb_id  # opened once
    with db.reader() as s:
        assert s.get(LandBanking, lb_id).soe_id == city.chengtou
    with pytest.raises(Refused) as e:
        landbank_service.open_land_banking(db, city.buy)
    assert "收购" in e.value.message
    approved = add_planned(db, city.jia, "甲五", Method.LAND_BANKING, state=EntryState.APPROVED)
    with pytest.raises(Refused) as e:
        landbank_service.open_land_banking(db, approved)
    assert "已审核" in e.value.message
    with pytest.raises(NotFound):
        landbank_service.open_land_banking(db, 999_999)


def test_groundwork_steps_list_done_and_missing(db, city):
    record(db, city.e1, G.CREDIT_CHECK, dt.date(2024, 4, 1), "企业无重大债务纠纷")
    record(db, city.e1, G.VALUATION, dt.date(2024, 4, 20), "评估价 520 万元")
    steps = landbank_service.steps(db, city.e1)
    assert [(s.step, s.done) for s in steps] == [(G.CREDIT_CHECK, True), (G.SOIL_TEST, False),
                                                 (G.VALUATION, True), (G.NEGOTIATION, False)]
    assert steps[0].result == "企业无重大债务纠纷"
    row = landbank_service.land_banking_entries(db, 2024)[0]
    assert row.steps_done == 2 and row.missing_steps == ("土壤检测", "收储洽谈")


def test_recording_a_step_again_updates_it(db, city):
    record(db, city.e1, G.SOIL_TEST, dt.date(2024, 4, 1), "待复检")
    record(db, city.e1, G.SOIL_TEST, dt.date(2024, 4, 9), "复检合格")
    with db.reader() as s:
        assert s.scalar(select(func.count(GroundworkRecord.id))) == 1
    step = landbank_service.steps(db, city.e1)[1]
    assert (step.done_on, step.result) == (dt.date(2024, 4, 9), "复检合格")


def test_groundwork_date_in_the_future_is_refused(db, city):
    with pytest.raises(ValidationError) as e:
        record(db, city.e1, G.SOIL_TEST, TODAY + dt.timedelta(days=1))
    assert e.value.field == "done_on" and "不能晚于今天" in e.value.message
    assert record(db, city.e1, G.SOIL_TEST, TODAY).done  # today itself is fine


def test_groundwork_step_needs_a_date(db, city):
    with pytest.raises(ValidationError) as e:
        record(db, city.e1, G.SOIL_TEST, None)
    assert e.value.field == "done_on"


def test_clearing_a_step_removes_its_evidence(db, city, tmp_path):
    step = record(db, city.e1, G.SOIL_TEST, dt.date(2024, 4, 1))
    report = tmp_path / "土壤检测报告.pdf"
    report.write_bytes(b"%PDF soil")
    attachment_service.attach(db, "groundwork_record", step.record_id, report)
    assert landbank_service.steps(db, city.e1)[1].attachments == 1
    landbank_service.clear_step(db, city.e1, G.SOIL_TEST)
    assert not landbank_service.steps(db, city.e1)[1].done
    assert attachment_service.list_for(db, "groundwork_record", step.record_id) == []


def test_detail_shows_steps_and_both_agreements(db, city):
    record(db, city.e1, G.CREDIT_CHECK, dt.date(2024, 4, 1))
    coop = AgreementValues(kind=AgreementKind.COOPERATION, year=2024, town_id=city.jia, entry_id=city.e1,
                           soe_id=city.chengtou, party_a="甲镇", party_b="城投集团", signed_on=dt.date(2024, 5, 1),
                           filed_on=dt.date(2024, 5, 6))
    save(db, coop)
    save(db, bank(city, city.e1, "480", filed_on=dt.date(2024, 5, 12)))
    d = landbank_service.detail(db, city.e1)
    assert [a.kind for a in d.agreements] == [AgreementKind.COOPERATION, AgreementKind.LAND_BANKING]
    assert d.row.cooperation_signed_on == dt.date(2024, 5, 1) and d.row.landbank_cost_per_mu == D("48.00")
    assert d.row.all_filed and d.steps[0].done and not d.steps[1].done


# The sample city ---------------------------------------------------------------------------------

@pytest.fixture
def demo(db):
    """The sample city; demo_service.generate runs populate_demo when the module is present."""
    from desktop.services.demo import demo_landbank

    summary = demo_service.generate(db)
    return db, summary, demo_landbank


def test_demo_has_groundwork_with_some_steps_missing(demo):
    db, summary, _m = demo
    rows = landbank_service.land_banking_entries(db, summary.year)
    assert rows and summary.extra["groundwork_records"] > 0
    assert any(r.steps_done == 4 for r in rows) and any(0 < r.steps_done < 4 for r in rows)


def test_demo_agreements_are_realistic_and_one_pair_is_over_the_cap(demo):
    db, summary, _m = demo
    agreements = agreement_service.list_agreements(db, summary.year, kind=AgreementKind.LAND_BANKING)
    costs = [a.cost_per_mu for a in agreements]
    assert len(costs) >= 10
    assert sum(1 for c in costs if D(35) <= c <= D(58)) >= 0.7 * len(costs)
    over = agreement_service.over_cap_report(db, summary.year, only_over=True)
    assert len(over) >= 1
    params = year_service.get_params(db, summary.year)
    assert all(rules.over_cost_cap(params, p.total_amount_wan, p.total_area_mu) for p in over)
    confirmed = [a for a in agreements if a.over_cap_confirmed]
    assert confirmed and all(a.note for a in confirmed)
    assert {(a.soe_id, a.town_id) for a in confirmed} <= {p.id for p in over}
    for a in agreement_service.list_agreements(db, summary.year):
        assert a.filed_on is None or a.filed_on >= a.signed_on


def test_demo_acquisitions_are_in_every_stage_with_tax_gaps(demo):
    from desktop.services.landbank import acquisition_service

    db, summary, _m = demo
    as_of = demo_service._as_of(summary.year, dt.date.today())
    rows = acquisition_service.acquisition_entries(db, summary.year, as_of=as_of)
    stages = {r.stage for r in rows if r.acquisition_id}
    assert stages == set(AcquisitionStage)
    assert any("会审未通过" in r.note and r.joint_review_passed for r in rows)
    assert any(r.stage_text == "会审未通过" for r in rows)
    assert sum(r.missing_months for r in rows) in (1, 2, 3, 4)
    assert any(r.unpaid_wan > 0 for r in rows)
    for r in rows:
        if r.signed_on:
            assert r.joint_review_passed and r.signed_on >= r.joint_review_on


def test_populate_demo_runs_in_a_session_and_counts_its_rows(db):
    """The module's own entry point, as the lead calls it: into the demo's open session."""
    from desktop.services.demo import demo_landbank
    from desktop.models import Year

    demo_service.DEMO_AREAS, saved = [], demo_service.DEMO_AREAS
    try:
        summary = demo_service.generate(db)
    finally:
        demo_service.DEMO_AREAS = saved
    params = year_service.get_params(db, summary.year)
    with db.session() as s:
        year_id = s.scalar(select(Year.id).where(Year.year == summary.year))
        s.info["skip_audit"] = True
        counts = demo_landbank.populate_demo(s, random.Random(1), params, year_id, dt.date(summary.year, 10, 31))
    with db.reader() as s:
        assert counts["agreements"] == s.scalar(select(func.count(Agreement.id))) > 0
        assert counts["land_banking"] == s.scalar(select(func.count(LandBanking.id))) > 0


def test_agreement_gaps_name_the_missing_steps_and_the_cooperation_agreement(db, city):
    gaps = landbank_service.agreement_gaps(db, city.e2)
    assert not gaps.complete and gaps.missing_steps == ("资信尽调", "土壤检测", "价值评估", "收储洽谈")
    assert gaps.message == ("“甲二铸造厂”前期工作未完成：资信尽调、土壤检测、价值评估、收储洽谈（已完成 0/4）"
                            "；尚未签订合作协议（镇街与市级国企）")
    for step in G:
        record(db, city.e2, step, dt.date(2024, 4, 1))
    save(db, AgreementValues(kind=AgreementKind.COOPERATION, year=2024, town_id=city.jia, entry_id=city.e2,
                             soe_id=city.chengtou, party_a="甲镇", party_b="城投集团", signed_on=dt.date(2024, 5, 1)))
    gaps = landbank_service.agreement_gaps(db, city.e2)
    assert gaps.complete and gaps.message == ""


def test_agreement_gaps_are_refused_for_an_entry_without_a_land_banking_plan(db, city):
    with pytest.raises(Refused):
        landbank_service.agreement_gaps(db, city.buy)
