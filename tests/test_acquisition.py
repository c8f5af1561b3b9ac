"""市场化收购 (三(三)2): stages, 会审 gating the agreements, and the monthly tax feedback."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from test_agreements import TODAY, city, save  # noqa: F401  (city is a fixture)

from desktop.models.enums import AcquisitionStage as Stage
from desktop.models.enums import AgreementKind
from desktop.services.landbank import acquisition_service
from desktop.services.landbank.acquisition_service import AcquisitionValues
from desktop.services.landbank.agreement_service import AgreementValues
from desktop.services.errors import Refused, ValidationError

D = Decimal
K = AgreementKind
REVIEWED, NEGOTIATED, JOINT = dt.date(2024, 4, 2), dt.date(2024, 4, 15), dt.date(2024, 5, 8)


def progress(db, entry_id, *, passed=True, joint=JOINT, **kw):
    values = AcquisitionValues(investor="临澄智造科技有限公司", new_project="智能装备产业园", town_reviewed_on=REVIEWED,
                               negotiated_on=NEGOTIATED, joint_review_on=joint, joint_review_passed=passed)
    for k, v in kw.items():
        setattr(values, k, v)
    return acquisition_service.save_acquisition(db, entry_id, values, today=TODAY, as_of=TODAY)


def agreement(c, kind=K.ACQUISITION, signed=dt.date(2024, 6, 3), **kw) -> AgreementValues:
    fields = {"party_a": "甲三五金厂", "party_b": "临澄智造科技有限公司", "amount_wan": D("400"), "area_mu": D("8"), **kw}
    return AgreementValues(kind=kind, year=2024, town_id=c.jia, entry_id=c.buy, signed_on=signed, **fields)


def row(db, c):
    return acquisition_service.get_acquisition(db, c.buy, as_of=TODAY)


def test_stages_follow_the_dates_in_order(db, city):
    assert row(db, city).stage is Stage.REVIEW and row(db, city).acquisition_id is None
    assert progress(db, city.buy, negotiated_on=None, joint_review_on=None, joint_review_passed=None).stage \
        is Stage.NEGOTIATION
    assert progress(db, city.buy, joint_review_on=None, joint_review_passed=None).stage is Stage.JOINT_REVIEW
    r = progress(db, city.buy)
    assert r.stage is Stage.JOINT_REVIEW and r.stage_text == "会审通过，待签约"
    save(db, agreement(city))
    assert row(db, city).stage is Stage.SIGNED
    save(db, agreement(city, K.INVESTMENT_SUPERVISION, party_a="甲镇人民政府"))
    r = row(db, city)
    assert r.stage is Stage.SIGNED and r.signed_on == dt.date(2024, 6, 3)


def test_filed_when_every_signed_agreement_is_filed(db, city):
    progress(db, city.buy)
    buy = save(db, agreement(city, filed_on=dt.date(2024, 6, 10)))
    assert row(db, city).stage is Stage.FILED
    sup = save(db, agreement(city, K.INVESTMENT_SUPERVISION, party_a="甲镇人民政府"))
    assert row(db, city).stage is Stage.SIGNED  # the 投资监管协议 is not filed yet
    from dataclasses import replace

    save(db, replace(sup.values(), filed_on=dt.date(2024, 6, 12)))
    assert row(db, city).stage is Stage.FILED and row(db, city).filed_on == buy.filed_on


def test_a_failed_joint_review_blocks_signing_the_acquisition_agreement(db, city):
    r = progress(db, city.buy, passed=False)
    assert r.stage is Stage.JOINT_REVIEW and r.stage_text == "会审未通过"
    with pytest.raises(Refused) as e:
        save(db, agreement(city))
    assert "2024-05-08 会审未通过" in e.value.message and "收购协议" in e.value.message
    with pytest.raises(Refused):
        save(db, agreement(city, K.INVESTMENT_SUPERVISION))


def test_no_joint_review_yet_blocks_signing(db, city):
    progress(db, city.buy, joint_review_on=None, joint_review_passed=None)
    with pytest.raises(Refused) as e:
        save(db, agreement(city))
    assert "尚未提请会审" in e.value.message


def test_a_new_passed_joint_review_unblocks_and_keeps_the_failed_one_in_the_note(db, city):
    progress(db, city.buy, passed=False)
    with pytest.raises(ValidationError):
        progress(db, city.buy, passed=True, joint=dt.date(2024, 5, 1))  # earlier than the failed one
    r = progress(db, city.buy, passed=True, joint=dt.date(2024, 5, 28))
    assert r.joint_review_passed and "2024-05-08 会审未通过" in r.note
    saved = save(db, agreement(city))
    assert saved.kind is K.ACQUISITION and row(db, city).stage is Stage.SIGNED


def test_signing_before_the_joint_review_date_is_refused(db, city):
    progress(db, city.buy)
    with pytest.raises(ValidationError) as e:
        save(db, agreement(city, signed=dt.date(2024, 5, 7)))
    assert e.value.field == "signed_on"


def test_joint_review_cannot_be_set_back_to_failed_after_signing(db, city):
    progress(db, city.buy)
    save(db, agreement(city))
    with pytest.raises(Refused):
        progress(db, city.buy, passed=False)


@pytest.mark.parametrize("change,field", [
    ({"town_reviewed_on": None}, "town_reviewed_on"),
    ({"negotiated_on": dt.date(2024, 4, 1)}, "negotiated_on"),
    ({"joint_review_on": dt.date(2024, 4, 10)}, "joint_review_on"),
    ({"joint_review_passed": None}, "joint_review_passed"),
    ({"town_reviewed_on": TODAY + dt.timedelta(days=1)}, "town_reviewed_on"),
])
def test_stage_dates_out_of_order_are_refused_at_their_field(db, city, change, field):
    with pytest.raises(ValidationError) as e:
        progress(db, city.buy, **change)
    assert e.value.field == field


def test_acquisition_refused_for_a_land_banking_entry(db, city):
    with pytest.raises(Refused):
        acquisition_service.open_acquisition(db, city.e1)
    assert [r.target for r in acquisition_service.acquisition_entries(db, 2024, as_of=TODAY)] == ["甲三五金厂"]


# Tax feedback -----------------------------------------------------------------------------------

def test_tax_months_list_every_month_from_signing_with_missing_ones_flagged(db, city):
    r = progress(db, city.buy)
    save(db, agreement(city, signed=dt.date(2024, 6, 20)))
    acq = r.acquisition_id
    for month, due, paid in ((6, "3", "3"), (7, "4.5", "4.5"), (9, "5", "2.2")):
        acquisition_service.save_tax_record(db, acq, dt.date(2024, month, 15), due, paid, today=TODAY)
    months = acquisition_service.tax_months(db, acq, dt.date(2024, 10, 31))
    assert [m.month for m in months] == [dt.date(2024, m, 1) for m in (6, 7, 8, 9, 10)]
    assert [m.missing for m in months] == [False, False, True, False, True]
    assert [m.status for m in months] == ["已缴清", "已缴清", "缺报", "欠缴 2.80 万元", "缺报"]
    assert months[3].unpaid and months[3].balance_wan == D("2.8")
    summary = row(db, city)
    assert summary.missing_months == 2 and summary.unpaid_wan == D("2.8")


def test_tax_months_are_empty_before_the_acquisition_agreement_is_signed(db, city):
    r = progress(db, city.buy)
    assert acquisition_service.tax_months(db, r.acquisition_id, TODAY) == []


def test_tax_month_across_the_year_end(db, city):
    r = progress(db, city.buy)
    save(db, agreement(city, signed=dt.date(2024, 6, 3)))
    months = acquisition_service.tax_months(db, r.acquisition_id, dt.date(2025, 2, 3))
    assert months[-3:] and [m.month for m in months[-3:]] == [dt.date(2024, 12, 1), dt.date(2025, 1, 1),
                                                              dt.date(2025, 2, 1)]
    assert len(months) == 9


def test_tax_record_for_a_future_month_or_with_no_due_is_refused(db, city):
    r = progress(db, city.buy)
    with pytest.raises(ValidationError) as e:
        acquisition_service.save_tax_record(db, r.acquisition_id, dt.date(2024, 11, 1), "1", "1", today=TODAY)
    assert e.value.field == "month"
    with pytest.raises(ValidationError) as e:
        acquisition_service.save_tax_record(db, r.acquisition_id, dt.date(2024, 10, 1), "", "1", today=TODAY)
    assert e.value.field == "due_wan"
    with pytest.raises(ValidationError) as e:
        acquisition_service.save_tax_record(db, r.acquisition_id, dt.date(2024, 10, 1), "1", "-1", today=TODAY)
    assert e.value.field == "paid_wan"


def test_tax_record_of_a_month_is_kept_once_and_can_be_deleted(db, city):
    r = progress(db, city.buy)
    save(db, agreement(city, signed=dt.date(2024, 10, 2)))
    acquisition_service.save_tax_record(db, r.acquisition_id, dt.date(2024, 10, 1), "2", "1", today=TODAY)
    rec = acquisition_service.save_tax_record(db, r.acquisition_id, dt.date(2024, 10, 31), "2", "2", "补缴",
                                              today=TODAY)
    months = acquisition_service.tax_months(db, r.acquisition_id, TODAY)
    assert len(months) == 1 and months[0].paid_wan == D(2) and months[0].note == "补缴"
    acquisition_service.delete_tax_record(db, rec.record_id)
    assert acquisition_service.tax_months(db, r.acquisition_id, TODAY)[0].missing


def test_why_not_sign_is_the_rule_the_refusal_and_the_menu_share(db, city):
    from desktop.services.landbank.acquisition_service import why_not_sign

    assert why_not_sign(K.OTHER, None, None) is None
    assert "尚未提请会审" in why_not_sign(K.ACQUISITION, None, None)
    assert why_not_sign(K.INVESTMENT_SUPERVISION, dt.date(2024, 5, 8), False) == \
        "该项目 2024-05-08 会审未通过，须重新会审通过后方可签订投资监管协议"
    assert why_not_sign(K.ACQUISITION, dt.date(2024, 5, 8), True) is None
