"""协议 and the land-banking cost cap (四(二)): preview before saving, confirm over the cap, the pair report."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from desktop.models import AuditLog, GovernanceList, ListEntry, Plan, Soe, Target, Town, Year
from desktop.models.enums import AgreementKind, Category, EntryState, Method, TargetKind
from desktop.services import attachment_service
from desktop.services.landbank import agreement_service, landbank_service
from desktop.services.year import year_service
from desktop.services.landbank.agreement_service import AgreementValues, OverCapRefused
from desktop.services.errors import NotFound, Refused, ValidationError

D = Decimal
K = AgreementKind
TODAY = dt.date(2024, 10, 31)


# A small hand-made city -------------------------------------------------------------------------

def add_planned(db, town_id: int, name: str, method: Method, area="20", *, soe_id: int | None = None,
                state: EntryState = EntryState.IN_PROGRESS, year: int = 2024) -> int:
    """A target on the town's list with a filed plan (method, SOE); returns the entry id."""
    with db.session() as s:
        year_id = s.scalar(select(Year.id).where(Year.year == year))
        gl = s.scalar(select(GovernanceList).where(GovernanceList.town_id == town_id,
                                                   GovernanceList.year_id == year_id))
        if gl is None:
            gl = GovernanceList(town_id=town_id, year_id=year_id)
            s.add(gl)
            s.flush()
        t = Target(kind=TargetKind.ENTERPRISE, name=name, town_id=town_id, category=Category.OTHER,
                   land_area_mu=D(area))
        s.add(t)
        s.flush()
        e = ListEntry(list_id=gl.id, target_id=t.id, planned_method=method, planned_area_mu=D(area), state=state)
        s.add(e)
        s.flush()
        s.add(Plan(entry_id=e.id, method=method, planned_area_mu=D(area), soe_id=soe_id,
                   filed_on=dt.date(year, 3, 20)))
        return e.id


@pytest.fixture
def city(db):
    with db.session() as s:
        towns = [Town(name=n, sort_order=i) for i, n in enumerate(("甲镇", "乙镇"))]
        soes = [Soe(name=n) for n in ("城投集团", "产业集团")]
        s.add_all(towns + soes)
        s.flush()
        c = SimpleNamespace(jia=towns[0].id, yi=towns[1].id, chengtou=soes[0].id, chanye=soes[1].id)
    c.e1 = add_planned(db, c.jia, "甲一化工厂", Method.LAND_BANKING, "10", soe_id=c.chengtou)
    c.e2 = add_planned(db, c.jia, "甲二铸造厂", Method.LAND_BANKING, "10", soe_id=c.chengtou)
    c.e3 = add_planned(db, c.yi, "乙一印染厂", Method.LAND_BANKING, "10", soe_id=c.chengtou)
    c.buy = add_planned(db, c.jia, "甲三五金厂", Method.ACQUISITION, "8")
    return c


def bank(c, entry_id, amount, area="10", *, town=None, soe=None, signed=dt.date(2024, 5, 10), **kw) -> AgreementValues:
    return AgreementValues(kind=K.LAND_BANKING, year=2024, town_id=town or c.jia, entry_id=entry_id,
                           soe_id=soe or c.chengtou, party_a="甲镇人民政府", party_b="企业", signed_on=signed,
                           amount_wan=D(amount), area_mu=D(area), **kw)


def save(db, values, **kw):
    return agreement_service.save_agreement(db, values, today=TODAY, **kw)


def audit_actions(db, action: str) -> list[AuditLog]:
    with db.reader() as s:
        rows = list(s.scalars(select(AuditLog).where(AuditLog.action == action)))
        s.expunge_all()
    return rows


# The cap ----------------------------------------------------------------------------------------

def test_average_exactly_at_the_cap_saves_without_confirmation(db, city):
    save(db, bank(city, city.e1, "550"))  # 55 万元/亩
    preview = agreement_service.preview_agreement(db, bank(city, city.e2, "650"))  # 65 → average 60.00
    assert preview.applies and preview.after_avg == D("60.00") and not preview.over
    row = save(db, bank(city, city.e2, "650"))
    assert not row.over_cap_confirmed and row.cost_per_mu == D("65.00")
    assert audit_actions(db, "超限确认") == []


def test_average_one_hundredth_over_the_cap_is_refused_with_the_numbers(db, city):
    save(db, bank(city, city.e1, "550"))
    with pytest.raises(OverCapRefused) as e:
        save(db, bank(city, city.e2, "650.2"))  # (550 + 650.2) / 20 = 60.01
    assert e.value.preview.after_avg == D("60.01") and e.value.preview.over
    assert "保存后 城投集团与甲镇 2024年度收储成本均价将为 60.01 万元/亩，超过上限 60 万元/亩" in e.value.message
    assert isinstance(e.value, Refused)
    assert len(agreement_service.list_agreements(db, 2024)) == 1  # nothing saved
    assert audit_actions(db, "超限确认") == []


def test_average_one_hundredth_over_the_cap_saves_when_confirmed_and_is_audited(db, city):
    save(db, bank(city, city.e1, "550"))
    row = save(db, bank(city, city.e2, "650.2"), confirm_over_cap=True)
    assert row.over_cap_confirmed and len(agreement_service.list_agreements(db, 2024)) == 2
    [record] = audit_actions(db, "超限确认")
    assert record.object_id == row.id and record.after["保存后均价（万元/亩）"] == "60.01"


def test_confirmed_over_cap_save_is_flagged_and_recorded_in_the_audit_log(db, city):
    save(db, bank(city, city.e1, "550"))
    row = save(db, bank(city, city.e2, "675"), confirm_over_cap=True)  # (550 + 675) / 20 = 61.25
    assert row.over_cap_confirmed
    records = audit_actions(db, "超限确认")
    assert len(records) == 1
    r = records[0]
    assert r.object_type == "agreement" and r.object_id == row.id
    assert r.after["保存后均价（万元/亩）"] == "61.25" and r.after["上限（万元/亩）"] == "60"
    assert r.after["保存前均价（万元/亩）"] == "55" and r.after["本协议单价（万元/亩）"] == "67.5"
    assert "61.25" in r.object_label and "城投集团×甲镇" in r.object_label


def test_the_cap_comes_from_the_years_parameters(db, city):
    year_service.update_params(db, 2024, {"landbank_cost_cap_wan_per_mu": D(70)})
    row = save(db, bank(city, city.e1, "675"))  # 67.5 ≤ 70
    assert not row.over_cap_confirmed
    assert agreement_service.preview_agreement(db, bank(city, city.e2, "700")).cap == D(70)


def test_editing_an_agreement_replaces_its_old_values_in_the_average(db, city):
    first = save(db, bank(city, city.e1, "500"))  # 50
    save(db, bank(city, city.e2, "600"))  # 60 → average 55
    edited = replace(first.values(), amount_wan=D("600"))  # 50 → 60: average 60, not (500+600+600)/30
    preview = agreement_service.preview_agreement(db, edited)
    assert preview.before_avg == D("55.00") and preview.after_avg == D("60.00")
    assert preview.before_count == 2 and preview.after_count == 2
    assert not preview.over
    row = save(db, edited)
    assert row.amount_wan == D("600") and len(agreement_service.list_agreements(db, 2024)) == 2
    over = replace(row.values(), amount_wan=D("601"), revision=row.revision)
    assert agreement_service.preview_agreement(db, over).after_avg == D("60.05")
    with pytest.raises(OverCapRefused):
        save(db, over)


def test_pairs_are_separate_per_soe_and_town(db, city):
    save(db, bank(city, city.e1, "700"), confirm_over_cap=True)  # 城投 × 甲镇: 70
    preview = agreement_service.preview_agreement(db, bank(city, city.e3, "500", town=city.yi))
    assert preview.before_avg is None and preview.after_avg == D("50.00") and not preview.over


def test_a_cooperation_agreement_is_not_counted_in_the_average(db, city):
    coop = AgreementValues(kind=K.COOPERATION, year=2024, town_id=city.jia, entry_id=city.e1, soe_id=city.chengtou,
                           party_a="甲镇", party_b="城投集团", signed_on=dt.date(2024, 4, 1),
                           amount_wan=D("9000"), area_mu=D("10"))
    preview = agreement_service.preview_agreement(db, coop)
    assert not preview.applies and not preview.over and preview.cost_per_mu == D("900.00")
    save(db, coop)
    assert agreement_service.over_cap_report(db, 2024) == []


def test_pairs_report_lists_only_over_cap_pairs_when_asked(db, city):
    save(db, bank(city, city.e1, "500"))
    save(db, bank(city, city.e2, "800"), confirm_over_cap=True)  # 甲镇: 65 over
    save(db, bank(city, city.e3, "400", town=city.yi))  # 乙镇: 40
    every = agreement_service.over_cap_report(db, 2024)
    assert [(r.town, r.over) for r in every] == [("甲镇", True), ("乙镇", False)]
    jia = every[0]
    assert jia.agreements == 2 and jia.total_amount_wan == D(1300) and jia.total_area_mu == D(20)
    assert jia.average == D("65.00") and jia.cap == D(60) and jia.confirmed == 1
    only = agreement_service.over_cap_report(db, 2024, only_over=True)
    assert [(r.soe, r.town) for r in only] == [("城投集团", "甲镇")]


def test_landbank_service_offers_the_same_cap_check(db, city):
    assert landbank_service.preview_agreement is agreement_service.preview_agreement
    assert landbank_service.save_agreement is agreement_service.save_agreement
    assert landbank_service.over_cap_report is agreement_service.over_cap_report


# Dates and fields -------------------------------------------------------------------------------

def test_filing_before_signing_is_refused_at_the_filing_date(db, city):
    with pytest.raises(ValidationError) as e:
        save(db, bank(city, city.e1, "500", filed_on=dt.date(2024, 5, 9)))
    assert e.value.field == "filed_on" and "不能早于签订日期（2024-05-10）" in e.value.message


def test_filing_on_the_signing_day_is_accepted(db, city):
    row = save(db, bank(city, city.e1, "500", filed_on=dt.date(2024, 5, 10)))
    assert row.filed_on == row.signed_on


def test_signing_in_the_future_is_refused(db, city):
    with pytest.raises(ValidationError) as e:
        save(db, bank(city, city.e1, "500", signed=TODAY + dt.timedelta(days=1)))
    assert e.value.field == "signed_on"


def test_land_banking_agreement_needs_amount_area_soe_and_entry(db, city):
    for change, field in (({"amount_wan": None}, "amount_wan"), ({"area_mu": None}, "area_mu"),
                          ({"soe_id": None}, "soe_id"), ({"entry_id": None}, "entry_id"),
                          ({"area_mu": D(0)}, "area_mu"), ({"amount_wan": D(-1)}, "amount_wan"),
                          ({"party_b": "  "}, "party_b")):
        with pytest.raises(ValidationError) as e:
            save(db, replace(bank(city, city.e1, "500"), **change))
        assert e.value.field == field


def test_land_banking_agreement_refused_for_an_acquisition_entry(db, city):
    with pytest.raises(Refused) as e:
        save(db, bank(city, city.buy, "500"))
    assert "收购" in e.value.message and e.value.field == "entry_id"


def test_entry_of_another_town_is_refused(db, city):
    with pytest.raises(ValidationError) as e:
        save(db, bank(city, city.e3, "500", town=city.jia))
    assert e.value.field == "entry_id"


def test_stale_revision_is_refused(db, city):
    row = save(db, bank(city, city.e1, "500"))
    save(db, replace(row.values(), note="第一次修改"))
    with pytest.raises(Refused):
        save(db, replace(row.values(), note="基于旧版本的修改"))


def test_prefill_takes_town_soe_parties_and_area_from_the_entry(db, city):
    ch = agreement_service.choices(db, 2024)
    assert {e.id for e in ch.entries} == {city.e1, city.e2, city.e3, city.buy}
    coop = agreement_service.prefill(ch, K.COOPERATION, 2024, entry_id=city.e1)
    assert (coop.town_id, coop.soe_id, coop.party_a, coop.party_b) == (city.jia, city.chengtou, "甲镇", "城投集团")
    lb = agreement_service.prefill(ch, K.LAND_BANKING, 2024, entry_id=city.e1)
    assert (lb.party_a, lb.party_b, lb.area_mu) == ("甲镇", "甲一化工厂", D(10))


def test_list_filters_by_kind_town_and_soe(db, city):
    save(db, bank(city, city.e1, "500"))
    save(db, bank(city, city.e3, "400", town=city.yi, soe=city.chanye))
    save(db, AgreementValues(kind=K.COOPERATION, year=2024, town_id=city.yi, soe_id=city.chanye, party_a="乙镇",
                             party_b="产业集团", signed_on=dt.date(2024, 4, 2)))
    assert len(agreement_service.list_agreements(db, 2024)) == 3
    assert [r.kind for r in agreement_service.list_agreements(db, 2024, kind=K.COOPERATION)] == [K.COOPERATION]
    assert {r.target for r in agreement_service.list_agreements(db, 2024, town_id=city.yi)} == {"乙一印染厂", ""}
    assert len(agreement_service.list_agreements(db, 2024, soe_id=city.chengtou)) == 1
    assert len(agreement_service.list_agreements(db, 2024, text="印染")) == 1


def test_deleting_an_agreement_unlinks_its_scan(db, city, tmp_path):
    row = save(db, bank(city, city.e1, "500"))
    scan = tmp_path / "收储协议.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    att = attachment_service.attach(db, "agreement", row.id, scan)
    assert agreement_service.get_agreement(db, row.id).attachments == 1
    agreement_service.delete_agreement(db, row.id)
    assert attachment_service.list_for(db, "agreement", row.id) == []
    assert not attachment_service.stored_path(att.sha256).exists()
    with pytest.raises(NotFound):
        agreement_service.get_agreement(db, row.id)
