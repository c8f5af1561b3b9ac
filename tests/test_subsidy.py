"""以奖代补 (四(二)): proposals from verified area only, the year's rate and bonus, overrides with a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from desktop.models import AuditLog, SubsidyProposal
from desktop.models.enums import EntryState, Method, ParkStatus
from desktop.services.subsidy import subsidy_service
from desktop.services.towns import town_service
from desktop.services.year import year_service
from desktop.services.errors import ValidationError
from test_town_service import add_entry, add_park

D = Decimal


@pytest.fixture
def city(db):
    a = town_service.create_town(db, "甲镇").id
    b = town_service.create_town(db, "乙镇").id
    add_entry(db, a, "甲1", "100", EntryState.VERIFIED, verified="96.5")
    add_entry(db, a, "甲2", "80", EntryState.IN_PROGRESS)  # not verified: adds nothing
    add_entry(db, a, "甲3", "40", EntryState.VERIFIED, method=Method.SELF_RENOVATION)  # never counted
    add_entry(db, b, "乙1", "30", EntryState.VERIFIED)  # no verified area recorded: the planned area counts
    add_entry(db, b, "乙2", "60", EntryState.REPORTED)
    add_park(db, a, "甲镇老工业园", ParkStatus.STARTED, dt.date(2024, 4, 1))
    add_park(db, a, "甲镇化工片区", ParkStatus.STARTED, dt.date(2023, 4, 1))  # started another year
    return {"甲镇": a, "乙镇": b}


def rates(db, rate, bonus=None):
    return subsidy_service.set_rates(db, 2024, rate, bonus)


def row(table, town):
    return next(r for r in table.rows if r.town == town)


def test_without_a_rate_there_is_no_computed_amount(db, city):
    table = subsidy_service.proposals(db, 2024)
    assert not table.has_rate
    assert row(table, "甲镇").computed_wan is None and row(table, "甲镇").final_wan is None
    assert table.totals.computed_wan is None and table.totals.final_wan is None


def test_proposal_counts_verified_area_only(db, city):
    rates(db, "2")
    table = subsidy_service.proposals(db, 2024)
    a = row(table, "甲镇")
    assert a.verified_mu == D("96.5") and a.computed_wan == D("193.00")  # 96.5 × 2; 实施中 and 技改 add nothing
    b = row(table, "乙镇")
    assert b.verified_mu == D(30) and b.computed_wan == D("60.00")
    assert table.totals.verified_mu == D("126.5") and table.totals.computed_wan == D("253.00")


def test_an_entry_in_progress_adds_nothing_until_verified(db, city):
    rates(db, "2")
    before = row(subsidy_service.proposals(db, 2024), "乙镇").computed_wan
    add_entry(db, city["乙镇"], "乙3", "500", EntryState.IN_PROGRESS)
    assert row(subsidy_service.proposals(db, 2024), "乙镇").computed_wan == before
    add_entry(db, city["乙镇"], "乙4", "5", EntryState.VERIFIED)
    assert row(subsidy_service.proposals(db, 2024), "乙镇").computed_wan == before + 10


def test_park_bonus_is_added_per_park_started_in_the_year(db, city):
    rates(db, "2", "50")
    table = subsidy_service.proposals(db, 2024)
    a = row(table, "甲镇")
    assert a.parks_started == 1 and a.computed_wan == D("243.00")
    assert table.park_bonus_wan == D(50) and table.rate_wan_per_mu == D(2)


def test_rate_is_stored_in_the_years_parameters(db, city):
    p = rates(db, "1.5", "")
    assert p.subsidy_rate_wan_per_mu == D("1.5") and p.subsidy_park_bonus_wan is None
    assert year_service.get_params(db, 2024).subsidy_rate_wan_per_mu == D("1.5")
    with pytest.raises(ValidationError) as e:
        rates(db, "abc")
    assert e.value.field == "subsidy_rate_wan_per_mu"
    with pytest.raises(ValidationError) as e:
        rates(db, "-1")
    assert e.value.field == "subsidy_rate_wan_per_mu"
    rates(db, "")
    assert not subsidy_service.proposals(db, 2024).has_rate


def test_override_needs_a_reason(db, city):
    rates(db, "2")
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as e:
            subsidy_service.override(db, city["甲镇"], 2024, "250", reason)
        assert e.value.field == "reason"
    with db.reader() as s:
        assert s.scalar(select(SubsidyProposal.id)) is None


def test_override_replaces_the_final_amount_and_clearing_restores_the_computed(db, city):
    rates(db, "2")
    r = subsidy_service.override(db, city["甲镇"], 2024, "250", "拆除难度大，研究决定增加")
    assert r.final_wan == D(250) and r.computed_wan == D("193.00") and r.overridden
    table = subsidy_service.proposals(db, 2024)
    a = row(table, "甲镇")
    assert (a.override_wan, a.override_reason, a.final_wan) == (D(250), "拆除难度大，研究决定增加", D(250))
    assert table.totals.final_wan == D(310) and table.totals.computed_wan == D("253.00")
    cleared = subsidy_service.override(db, city["甲镇"], 2024, None, "")
    assert cleared.final_wan == D("193.00") and not cleared.overridden
    a = row(subsidy_service.proposals(db, 2024), "甲镇")
    assert a.override_wan is None and a.override_reason == "" and a.final_wan == D("193.00")


def test_override_is_recorded_in_the_audit_log(db, city):
    rates(db, "2")
    subsidy_service.override(db, city["甲镇"], 2024, "250", "研究决定")
    subsidy_service.override(db, city["甲镇"], 2024, "240", "再次研究")
    with db.reader() as s:
        logs = list(s.scalars(select(AuditLog).where(AuditLog.object_type == "subsidy_proposal")
                              .order_by(AuditLog.id)))
        entries = [(a.action, a.object_label, a.before, a.after) for a in logs]
    assert entries[0][0] == "create" and entries[0][1] == "甲镇" and entries[0][3]["override_wan"] == "250"
    assert entries[1][0] == "update"
    assert entries[1][2]["override_wan"] == "250" and entries[1][3]["override_wan"] == "240"
    assert entries[1][3]["override_reason"] == "再次研究"


def test_override_without_a_rate_gives_a_final_amount(db, city):
    r = subsidy_service.override(db, city["乙镇"], 2024, "80", "按领导小组意见")
    assert r.computed_wan is None and r.final_wan == D(80)
    table = subsidy_service.proposals(db, 2024)
    assert table.totals.final_wan is None  # 甲镇 still has no amount at all


def test_negative_or_non_numeric_override_is_refused(db, city):
    for bad in ("-1", "一百"):
        with pytest.raises(ValidationError) as e:
            subsidy_service.override(db, city["甲镇"], 2024, bad, "原因")
        assert e.value.field == "amount_wan"


def test_export_opens_with_the_right_numbers(db, city, tmp_path):
    from openpyxl import load_workbook

    rates(db, "2", "50")
    subsidy_service.override(db, city["乙镇"], 2024, "80", "=按领导小组意见")
    path = subsidy_service.export(db, 2024, tmp_path / "以奖代补.xlsx")
    ws = load_workbook(path).active
    assert "2024年度" in ws["A1"].value and "2.00 万元/已核实亩" in ws["A2"].value
    rows = {r[0].value: [c.value for c in r] for r in ws.iter_rows(min_row=5)}
    assert rows["甲镇"][1:5] == [96.5, 1, 243, None] and rows["甲镇"][6] == 243
    assert rows["乙镇"][4] == 80 and rows["乙镇"][5] == "=按领导小组意见" and rows["乙镇"][6] == 80
    assert rows["合计"][3] == 303 and rows["合计"][6] == 323
    reason = [r for r in ws.iter_rows(min_row=5) if r[0].value == "乙镇"][0][5]
    assert reason.data_type == "s"
