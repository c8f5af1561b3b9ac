"""三(二): plans filed for approved entries — per entry or per batch, all or nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from desktop.models import QuotaLoan, Soe
from desktop.models.enums import Category, EntryState, Method, ParkStatus, TargetState
from desktop.services.lists import list_service, plan_service
from desktop.services.parks import park_service
from desktop.services.register import target_service
from desktop.services.towns import progress_service, town_service
from desktop.services.errors import Refused, ValidationError
from desktop.services.lists.plan_service import PlanItem, PlanValues

D = Decimal
TODAY = dt.date(2024, 6, 10)


@pytest.fixture
def approved(db):
    """东港镇's approved list of three entries (甲 in a park), one draft entry, and a city SOE."""
    town = town_service.create_town(db, "东港镇")
    park = park_service.create(db, park_service.ParkValues(name="东港老工业区", town_id=town.id,
                                                           status=ParkStatus.PLANNED))
    ids = {}
    for name, in_park in (("甲铸造厂", True), ("乙五金厂", False), ("丙印染厂", False), ("丁化工厂", False)):
        ids[name] = target_service.create(db, target_service.TargetValues(
            name=name, town_id=town.id, category=Category.D_CLASS, land_area_mu=D("40"),
            contiguous_area_id=park if in_park else None), year=2024)
    lst = list_service.get_or_create_list(db, town.id, 2024)
    entries = {name: list_service.add_entry(db, lst.id, ids[name], Method.LAND_BANKING, area)
               for name, area in (("甲铸造厂", "40"), ("乙五金厂", "30"), ("丙印染厂", "20"))}
    list_service.submit(db, lst.id)
    list_service.review(db, lst.id, approve=True)
    entries["丁化工厂"] = list_service.add_entry(db, lst.id, ids["丁化工厂"], Method.REUSE, "10")  # 草稿
    with db.session() as s:
        soe = Soe(name="市城投集团")
        s.add(soe)
        s.flush()
        soe_id = soe.id
    return db, lst, entries, ids, soe_id


def states(db, lst):
    return {r.target_name: r.state for r in list_service.entries(db, lst.id)}


def test_land_banking_needs_an_soe_partner(approved):
    db, lst, entries, _ids, soe_id = approved
    values = PlanValues(Method.LAND_BANKING, "40", filed_on=TODAY)
    with pytest.raises(ValidationError, match="须选择合作的市级国企") as err:
        plan_service.file_plan(db, entries["甲铸造厂"], values, today=TODAY)
    assert err.value.field == "soe_id"
    assert states(db, lst)["甲铸造厂"] is EntryState.APPROVED
    values.soe_id = soe_id
    result = plan_service.file_plan(db, entries["甲铸造厂"], values, today=TODAY)
    assert result.batch_no == "东港镇-2024-001" and len(result.plan_ids) == 1


def test_acquisition_may_be_filed_without_an_soe(approved):
    db, lst, entries, _ids, _soe = approved
    plan_service.file_plan(db, entries["乙五金厂"], PlanValues(Method.ACQUISITION, "30"), today=TODAY)
    assert states(db, lst)["乙五金厂"] is EntryState.PLAN_FILED


def test_filing_is_only_from_approved_and_the_refusal_names_the_state(approved):
    db, lst, entries, _ids, soe_id = approved
    with pytest.raises(Refused, match="“丁化工厂”：当前状态为“草稿”，不能方案备案"):
        plan_service.file_plan(db, entries["丁化工厂"], PlanValues(Method.REUSE, "10"), today=TODAY)
    plan_service.file_plan(db, entries["甲铸造厂"], PlanValues(Method.LAND_BANKING, "40", soe_id=soe_id), today=TODAY)
    with pytest.raises(Refused, match="当前状态为“方案已备案”"):  # a second plan for the same entry
        plan_service.file_plan(db, entries["甲铸造厂"], PlanValues(Method.LAND_BANKING, "40", soe_id=soe_id),
                               today=TODAY)
    assert len(plan_service.list_plans(db, 2024)) == 1


def test_a_batch_shares_one_number_and_moves_every_entry_to_plan_filed(approved):
    db, lst, entries, ids, soe_id = approved
    items = [PlanItem(entries["甲铸造厂"], "40", "2200"), PlanItem(entries["乙五金厂"], "28.5", None)]
    result = plan_service.file_plans(db, items, PlanValues(Method.LAND_BANKING, None, soe_id=soe_id,
                                                           filed_on=dt.date(2024, 6, 1), note="第一批"), today=TODAY)
    assert result.batch_no == "东港镇-2024-001" and len(result.plan_ids) == 2
    s = states(db, lst)
    assert s["甲铸造厂"] is EntryState.PLAN_FILED and s["乙五金厂"] is EntryState.PLAN_FILED
    assert target_service.get(db, ids["甲铸造厂"], year=2024).values.state is TargetState.IN_PROGRESS
    rows = {r.target: r for r in plan_service.list_plans(db, 2024, town_id=lst.town_id)}
    jia = rows["甲铸造厂"]
    assert (jia.batch_no, jia.soe, jia.filed_on, jia.note) == ("东港镇-2024-001", "市城投集团", dt.date(2024, 6, 1), "第一批")
    assert jia.planned_cost_wan == D("2200") and jia.cost_per_mu == D("55.00")
    assert rows["乙五金厂"].planned_area_mu == D("28.5") and rows["乙五金厂"].list_area_mu == D("30")
    second = plan_service.file_plan(db, entries["丙印染厂"], PlanValues(Method.REUSE, "20"), today=TODAY)
    assert second.batch_no == "东港镇-2024-002"


def test_a_batch_with_one_bad_entry_files_nothing(approved):
    db, lst, entries, _ids, soe_id = approved
    before = states(db, lst)
    items = [PlanItem(entries["甲铸造厂"], "40"), PlanItem(entries["丁化工厂"], "10"), PlanItem(entries["乙五金厂"], "30")]
    with pytest.raises(Refused, match="丁化工厂.*草稿"):
        plan_service.file_plans(db, items, PlanValues(Method.LAND_BANKING, None, soe_id=soe_id), today=TODAY)
    assert states(db, lst) == before
    assert plan_service.list_plans(db, 2024) == []
    # A bad area on the last entry rolls back the entries filed before it, too.
    items = [PlanItem(entries["甲铸造厂"], "40"), PlanItem(entries["乙五金厂"], "0")]
    with pytest.raises(ValidationError, match="“乙五金厂”：计划面积应大于0"):
        plan_service.file_plans(db, items, PlanValues(Method.LAND_BANKING, None, soe_id=soe_id), today=TODAY)
    assert states(db, lst) == before and plan_service.list_plans(db, 2024) == []
    # The number is not used up by a refused batch.
    ok = plan_service.file_plans(db, [PlanItem(entries["甲铸造厂"], "40")],
                                 PlanValues(Method.LAND_BANKING, None, soe_id=soe_id), today=TODAY)
    assert ok.batch_no == "东港镇-2024-001"


def test_filing_date_defaults_to_today_and_may_not_be_in_the_future(approved):
    db, _lst, entries, _ids, _soe = approved
    with pytest.raises(ValidationError, match="晚于今天") as err:
        plan_service.file_plan(db, entries["乙五金厂"], PlanValues(Method.ACQUISITION, "30",
                                                                  filed_on=TODAY + dt.timedelta(days=1)), today=TODAY)
    assert err.value.field == "filed_on"
    plan_service.file_plan(db, entries["乙五金厂"], PlanValues(Method.ACQUISITION, "30"), today=TODAY)
    assert plan_service.list_plans(db, 2024)[0].filed_on == TODAY


def test_planned_area_accepts_square_metres_and_refuses_zero(approved):
    db, _lst, entries, _ids, _soe = approved
    with pytest.raises(ValidationError, match="计划面积应大于0"):
        plan_service.file_plan(db, entries["乙五金厂"], PlanValues(Method.ACQUISITION, "0"), today=TODAY)
    plan_service.file_plan(db, entries["乙五金厂"], PlanValues(Method.ACQUISITION, "6666.67㎡"), today=TODAY)
    assert plan_service.list_plans(db, 2024)[0].planned_area_mu == D("10.0000")


def test_self_renovation_plans_never_count_in_progress_totals(approved):
    db, lst, entries, _ids, soe_id = approved
    town = lst.town_id
    # 甲 was listed as 收储; its filed plan says 企业自主技改: recorded, and it leaves the statistics.
    plan_service.file_plan(db, entries["甲铸造厂"], PlanValues(Method.SELF_RENOVATION, "40"), today=TODAY)
    plan_service.file_plan(db, entries["乙五金厂"], PlanValues(Method.LAND_BANKING, "30", soe_id=soe_id), today=TODAY)
    for name in ("甲铸造厂", "乙五金厂"):
        for action in ("start", "report_done", "verify_pass"):
            list_service.transition(db, entries[name], action)
    row = next(r for r in progress_service.year_progress(db, 2024).towns if r.town_id == town)
    assert row.verified_mu == D("30")  # 乙 only
    assert row.listed_mu == D("60")  # 乙 30 + 丙 20 + 丁 10; 甲 (技改) is not in the listed area
    plans = {p.target: p for p in plan_service.list_plans(db, 2024)}
    assert plans["甲铸造厂"].method is Method.SELF_RENOVATION and not plans["甲铸造厂"].counted
    assert list_service.entries(db, lst.id)[0].method is Method.SELF_RENOVATION


def test_a_plan_can_be_edited_until_quota_is_borrowed_against_it(approved):
    db, _lst, entries, _ids, soe_id = approved
    plan_id = plan_service.file_plan(db, entries["甲铸造厂"], PlanValues(Method.LAND_BANKING, "40", soe_id=soe_id),
                                     today=TODAY).plan_ids[0]
    plan_service.update_plan(db, plan_id, PlanValues(Method.LAND_BANKING, "38", "2000", soe_id=soe_id,
                                                     filed_on=dt.date(2024, 6, 3)), today=TODAY)
    row = plan_service.get_plan(db, plan_id)
    assert (row.planned_area_mu, row.planned_cost_wan, row.filed_on) == (D("38"), D("2000"), dt.date(2024, 6, 3))
    with pytest.raises(ValidationError, match="须选择合作的市级国企"):
        plan_service.update_plan(db, plan_id, PlanValues(Method.LAND_BANKING, "38"), today=TODAY)
    with db.session() as s:
        s.add(QuotaLoan(plan_id=plan_id, soe_id=soe_id, town_id=row.town_id, loan_date=TODAY, area_mu=D("5")))
    with pytest.raises(Refused, match="已有 1 笔周转指标预借，不能修改"):
        plan_service.update_plan(db, plan_id, PlanValues(Method.LAND_BANKING, "50", soe_id=soe_id), today=TODAY)
    assert plan_service.get_plan(db, plan_id).planned_area_mu == D("38")
    assert plan_service.get_plan(db, plan_id).loan_count == 1


def test_planned_landbank_area_is_the_land_banking_plans_area_only(approved):
    db, _lst, entries, _ids, soe_id = approved
    lb = plan_service.file_plan(db, entries["甲铸造厂"], PlanValues(Method.LAND_BANKING, "36.5", soe_id=soe_id),
                                today=TODAY).plan_ids[0]
    acq = plan_service.file_plan(db, entries["乙五金厂"], PlanValues(Method.ACQUISITION, "30"), today=TODAY).plan_ids[0]
    assert plan_service.planned_landbank_area(db, lb) == D("36.5")
    assert plan_service.planned_landbank_area(db, acq) == D("0")
    list_service.transition(db, entries["甲铸造厂"], "cancel", reason="企业不同意收储")
    assert plan_service.planned_landbank_area(db, lb) == D("0")


def test_a_batch_mixing_towns_is_refused(approved, db):
    _db, _lst, entries, _ids, _soe = approved
    other = town_service.create_town(db, "城南街道")
    tid = target_service.create(db, target_service.TargetValues(name="外镇企业", town_id=other.id), year=2024)
    olst = list_service.get_or_create_list(db, other.id, 2024)
    oe = list_service.add_entry(db, olst.id, tid, Method.ACQUISITION, "5")
    list_service.submit(db, olst.id)
    list_service.review(db, olst.id, approve=True)
    with pytest.raises(Refused, match="“外镇企业”不在东港镇的本年度清单中"):
        plan_service.file_plans(db, [PlanItem(entries["乙五金厂"], "30"), PlanItem(oe, "5")],
                                PlanValues(Method.ACQUISITION, None), today=TODAY)
    assert plan_service.list_plans(db, 2024) == []


def test_why_not_update_and_file_are_the_services_own_refusals():
    from desktop.models.enums import EntryState

    assert plan_service.why_not_update(0) is None
    assert plan_service.why_not_update(2) == "该方案已有 2 笔周转指标预借，不能修改"
    assert plan_service.why_not_file([("甲厂", EntryState.APPROVED)]) is None
    assert plan_service.why_not_file([("甲厂", EntryState.APPROVED), ("乙厂", EntryState.DRAFT)]) == \
        "“乙厂”：当前状态为“草稿”，不能方案备案（仅已审核的条目可备案方案）"
