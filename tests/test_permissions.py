"""Roles enforced in the services (等保 2.0): each role's allowed and refused actions through the real
services on a real SQLite file, and whoever submits a thing never approves it too."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from desktop.models import GovernanceList, ListEntry, Plan, Soe, Target, Town, Year
from desktop.models.enums import (AgreementKind, Category, EntryState, ListStatus, Method, Role, TargetKind,
                                  VerifyResult)
from desktop.services import audit
from desktop.services.accounts import accounts_service as acc
from desktop.services.accounts import permissions
from desktop.services.errors import Refused
from desktop.services.landbank import agreement_service, filing_service
from desktop.services.lists import list_service
from desktop.services.register import target_service
from desktop.services.reports import report_service, verification_service
from desktop.services.towns import town_service
from desktop.services.year import year_service

PW = {"admin": "Admin-Pass-2024", "zhang": "Zhang-Pass-2024", "li": "Li-Pass-2024!", "wang": "Wang-Pass-2024",
      "sec": "Sec-Pass-2024", "aud": "Aud-Pass-2024"}
ROLES = {"zhang": Role.CLERK, "li": Role.LEADER, "wang": Role.LEADER, "sec": Role.SECADMIN, "aud": Role.AUDITOR}


@pytest.fixture
def office(db):
    """The database with one account per role; `office(name)` logs that account in."""
    acc.create_first_admin(db, "admin", PW["admin"])
    admin = acc.login(db, "admin", PW["admin"])
    for name, role in ROLES.items():
        acc.add_user(admin, name, role, PW[name])

    def as_(name: str):
        return acc.login(db, name, PW[name])

    return as_


def _clerk_becomes_leader(db, office):
    """zhang did the clerk's part, then was made a leader: the same person must not approve it."""
    acc.set_role(office("admin"), "zhang", Role.LEADER)
    return office("zhang")


def _submitted_list(db, clerk) -> int:
    town = town_service.create_town(clerk, "东港镇")
    target_id = target_service.create(clerk, target_service.TargetValues(
        name="甲铸造厂", town_id=town.id, category=Category.D_CLASS, land_area_mu=D("70")), year=2024)
    lst = list_service.get_or_create_list(clerk, town.id, 2024)
    list_service.add_entry(clerk, lst.id, target_id, Method.LAND_BANKING, "70")
    list_service.submit(clerk, lst.id)
    return lst.id


def _status(db, list_id) -> ListStatus:
    with db.reader() as s:
        return s.get(GovernanceList, list_id).status


# --- What each role may do -----------------------------------------------------------------------

def test_clerk_cannot_change_year_params_or_add_a_user(db, office):
    clerk = office("zhang")
    with pytest.raises(Refused, match="经办无权修改年度参数"):
        year_service.update_params(clerk, 2024, {"contiguous_share_min_pct": D("25")})
    with pytest.raises(Refused, match="经办无权管理账户"):
        acc.add_user(clerk, "x", Role.CLERK, "Xx-Pass-2024")
    assert year_service.get_params(db, 2024).contiguous_share_min_pct == D("30")
    assert permissions.why_not(clerk, "params").startswith("经办无权修改年度参数")


def test_sysadmin_changes_year_params_and_adds_users_but_does_not_keep_the_ledger(db, office):
    admin = office("admin")
    year_service.update_params(admin, 2024, {"contiguous_share_min_pct": D("25")})
    assert year_service.get_params(db, 2024).contiguous_share_min_pct == D("25")
    with pytest.raises(Refused, match="系统管理员无权修改台账数据"):
        town_service.create_town(admin, "东港镇")


def test_auditor_cannot_read_the_register_but_reads_the_log_and_its_own_account(db, office):
    auditor = office("aud")
    with pytest.raises(Refused, match="审计管理员无权查阅台账"):
        target_service.count(auditor)
    with pytest.raises(Refused, match="审计管理员无权查阅台账"):
        town_service.create_town(auditor, "东港镇")
    assert any(r.action == "login" and r.user == "aud" for r in audit.list_entries(auditor))
    assert acc.current_account(auditor).role == Role.AUDITOR


def test_secadmin_cannot_keep_the_ledger_or_change_year_params(db, office):
    sec = office("sec")
    with pytest.raises(Refused, match="安全管理员无权修改台账数据"):
        town_service.create_town(sec, "东港镇")
    with pytest.raises(Refused, match="安全管理员无权修改年度参数"):
        year_service.update_params(sec, 2024, {"contiguous_share_min_pct": D("25")})


def test_leader_cannot_edit_an_entry_but_can_approve(db, office):
    list_id = _submitted_list(db, office("zhang"))
    leader = office("li")
    with pytest.raises(Refused, match="领导无权修改台账数据"):
        town_service.create_town(leader, "西港镇")
    target_id = list_service.entries(leader, list_id)[0].target_id
    detail = target_service.get(leader, target_id, year=2024)
    with pytest.raises(Refused, match="领导无权修改台账数据"):
        target_service.update(leader, target_id, replace(detail.values, land_area_mu=D("80")), year=2024)
    assert list_service.why_not_review(leader, list_id) is None
    list_service.review(leader, list_id, approve=True)
    assert _status(db, list_id) is ListStatus.APPROVED


def test_clerk_cannot_review_a_list(db, office):
    clerk = office("zhang")
    list_id = _submitted_list(db, clerk)
    with pytest.raises(Refused, match="经办无权审核"):
        list_service.review(clerk, list_id, approve=False, reason="面积不实")
    assert _status(db, list_id) is ListStatus.SUBMITTED


def test_role_none_is_unchecked(db):
    assert permissions.why_not(db, "params") is None and permissions.why_not(db, "approve") is None
    assert town_service.create_town(db, "东港镇").name == "东港镇"


# --- Whoever submits never approves --------------------------------------------------------------

def test_the_submitter_cannot_review_their_own_list_another_leader_can(db, office):
    list_id = _submitted_list(db, office("zhang"))
    with db.reader() as s:
        assert s.get(GovernanceList, list_id).submitted_by == "zhang"
    zhang = _clerk_becomes_leader(db, office)
    assert "该清单由您本人报送" in list_service.why_not_review(zhang, list_id)
    with pytest.raises(Refused, match="不能由本人审核"):
        list_service.review(zhang, list_id, approve=True)
    assert _status(db, list_id) is ListStatus.SUBMITTED
    list_service.review(office("wang"), list_id, approve=True)
    assert _status(db, list_id) is ListStatus.APPROVED


def _planned_land_banking(db) -> tuple[int, int, int]:
    with db.session() as s:
        town, soe = Town(name="甲镇", sort_order=1), Soe(name="城投集团")
        s.add_all([town, soe])
        s.flush()
        year_id = s.scalar(select(Year.id).where(Year.year == 2024))
        gl = GovernanceList(town_id=town.id, year_id=year_id)
        t = Target(kind=TargetKind.ENTERPRISE, name="甲一化工厂", town_id=town.id, category=Category.OTHER,
                   land_area_mu=D(10))
        s.add_all([gl, t])
        s.flush()
        e = ListEntry(list_id=gl.id, target_id=t.id, planned_method=Method.LAND_BANKING, planned_area_mu=D(10),
                      state=EntryState.IN_PROGRESS)
        s.add(e)
        s.flush()
        s.add(Plan(entry_id=e.id, method=Method.LAND_BANKING, planned_area_mu=D(10), soe_id=soe.id,
                   filed_on=dt.date(2024, 3, 20)))
        return town.id, soe.id, e.id


def test_whoever_filed_an_agreement_cannot_approve_the_filing_another_leader_can(db, office):
    town_id, soe_id, entry_id = _planned_land_banking(db)
    values = agreement_service.AgreementValues(
        kind=AgreementKind.LAND_BANKING, year=2024, town_id=town_id, entry_id=entry_id, soe_id=soe_id,
        party_a="甲镇人民政府", party_b="甲一化工厂", signed_on=dt.date(2024, 5, 10), amount_wan=D("500"),
        area_mu=D("10"), filed_on=dt.date(2024, 5, 20))
    row = agreement_service.save_agreement(office("zhang"), values, today=dt.date(2024, 10, 31))
    assert row.filed_by == "zhang" and row.filing_approved_by == ""
    with pytest.raises(Refused, match="经办无权审核"):
        filing_service.approve_filing(office("zhang"), row.id)
    zhang = _clerk_becomes_leader(db, office)
    assert "备案由您本人录入" in filing_service.why_not_approve_filing(zhang, row.id)
    with pytest.raises(Refused, match="不能由本人审核"):
        filing_service.approve_filing(zhang, row.id)
    li = office("li")
    assert filing_service.why_not_approve_filing(li, row.id) is None
    filing_service.approve_filing(li, row.id)
    approved = agreement_service.list_agreements(li, 2024)[0]
    assert (approved.filing_approved_by, approved.filing_approved_on) == ("li", li.today())
    assert "已由li审核同意" in filing_service.why_not_approve_filing(office("wang"), row.id)


def test_whoever_recorded_a_verification_cannot_confirm_the_month_another_leader_can(db, office):
    with db.session() as s:
        year_id = s.scalar(select(Year.id).where(Year.year == 2024))
        town = Town(name="甲镇", sort_order=1)
        s.add(town)
        s.flush()
        gl = GovernanceList(town_id=town.id, year_id=year_id)
        t = Target(kind=TargetKind.ENTERPRISE, name="甲镇宏达机械有限公司", town_id=town.id,
                   category=Category.OTHER, land_area_mu=D(20))
        s.add_all([gl, t])
        s.flush()
        e = ListEntry(list_id=gl.id, target_id=t.id, planned_method=Method.LAND_BANKING,
                      planned_area_mu=D("12.5"), state=EntryState.IN_PROGRESS)
        s.add(e)
        s.flush()
        town_id, entry_id = town.id, e.id
    clerk = office("zhang")
    report = report_service.open_report(clerk, town_id, 2024, 3, dt.date(2024, 3, 12))
    item = report_service.add_item(clerk, report.id, entry_id)
    verification_service.record_verification(clerk, item, "资规局", VerifyResult.PASS, dt.date(2024, 3, 22))
    zhang = _clerk_becomes_leader(db, office)
    assert "核实记录中有您本人录入的" in verification_service.why_not_confirm_month(zhang, report.id)
    with pytest.raises(Refused, match="不能由本人审核"):
        verification_service.confirm_month(zhang, report.id)
    li = office("li")
    verification_service.confirm_month(li, report.id)
    assert "已由li确认" in verification_service.why_not_confirm_month(office("wang"), report.id)
