"""Town directory, 附件1 targets and per-town progress (services only, no Qt)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from desktop.models import AuditLog, ContiguousArea, GovernanceList, ListEntry, Target, Town, Year
from desktop.models.enums import Category, EntryState, Method, ParkStatus, TargetKind
from desktop.services.towns import progress_service, town_service
from desktop.services.year import year_service
from desktop.services.errors import NotFound, Refused, ValidationError

D = Decimal


# Helpers: a small hand-made city -----------------------------------------------------------

def make_target(s, town_id: int, name: str, park_id: int | None = None) -> int:
    t = Target(kind=TargetKind.ENTERPRISE, name=name, town_id=town_id, category=Category.OTHER,
               contiguous_area_id=park_id, land_area_mu=D(10))
    s.add(t)
    s.flush()
    return t.id


def add_entry(db, town_id: int, name: str, area, state: EntryState, *, method: Method = Method.LAND_BANKING,
              park_id: int | None = None, verified=None, year: int = 2024) -> None:
    """One list entry of the town's list for the year (list created on first use)."""
    with db.session() as s:
        year_id = s.scalar(select(Year.id).where(Year.year == year))
        gl = s.scalar(select(GovernanceList).where(GovernanceList.town_id == town_id, GovernanceList.year_id == year_id))
        if gl is None:
            gl = GovernanceList(town_id=town_id, year_id=year_id)
            s.add(gl)
            s.flush()
        tid = make_target(s, town_id, name, park_id)
        # As list_service.add_entry does: the entry takes its target's park.
        s.add(ListEntry(list_id=gl.id, target_id=tid, planned_method=method, planned_area_mu=D(area), state=state,
                        contiguous_area_id=park_id, verified_area_mu=None if verified is None else D(verified)))


def add_park(db, town_id: int, name: str, status=ParkStatus.PLANNED, start=None) -> int:
    with db.session() as s:
        p = ContiguousArea(name=name, town_id=town_id, status=status, start_date=start)
        s.add(p)
        s.flush()
        return p.id


def row_of(progress, name):
    return next(r for r in progress.towns if r.town == name)


# Directory ---------------------------------------------------------------------------------

def test_towns_are_added_in_order_and_renamed(db):
    a = town_service.create_town(db, "  城东街道 ", "张三", "0512-12345678")
    b = town_service.create_town(db, "城西街道")
    assert a.name == "城东街道" and a.liaison_phone == "0512-12345678"
    assert [t.name for t in town_service.list_towns(db)] == ["城东街道", "城西街道"]
    assert b.sort_order > a.sort_order
    renamed = town_service.update_town(db, b.id, name="城西镇", liaison_name="李四", liaison_phone="13912345678")
    assert renamed.name == "城西镇" and renamed.liaison_name == "李四"


def test_duplicate_or_empty_town_name_is_refused_at_the_name_field(db):
    town_service.create_town(db, "城东街道")
    with pytest.raises(ValidationError) as e:
        town_service.create_town(db, "城东街道")
    assert e.value.field == "name" and "已存在" in e.value.message
    with pytest.raises(ValidationError) as e:
        town_service.create_town(db, "   ")
    assert e.value.field == "name"


@pytest.mark.parametrize("phone", ["1234567", "0512-1234567", "139-1234-5678", "123456789012", "１３９１２３４５６７８"])
def test_phone_with_7_to_12_digits_and_dashes_is_accepted(phone):
    assert town_service.clean_phone(phone).replace("-", "").isdigit()


@pytest.mark.parametrize("phone", ["123456", "1234567890123", "0512 1234567a", "(0512)1234567", "+8613912345678"])
def test_bad_phone_is_refused_at_the_phone_field(phone):
    with pytest.raises(ValidationError) as e:
        town_service.clean_phone(phone)
    assert e.value.field == "liaison_phone"


def test_empty_phone_is_allowed(db):
    assert town_service.create_town(db, "城南镇", "王五", "").liaison_phone == ""


def test_move_up_and_down_reorders_and_stops_at_the_ends(db):
    ids = [town_service.create_town(db, n).id for n in ("甲镇", "乙镇", "丙镇")]
    town_service.move_town(db, ids[2], -1)
    assert [t.name for t in town_service.list_towns(db)] == ["甲镇", "丙镇", "乙镇"]
    town_service.move_town(db, ids[0], -1)  # already first
    assert [t.name for t in town_service.list_towns(db)] == ["甲镇", "丙镇", "乙镇"]
    town_service.move_town(db, ids[0], 1)
    assert [t.name for t in town_service.list_towns(db)] == ["丙镇", "甲镇", "乙镇"]
    assert [t.sort_order for t in town_service.list_towns(db)] == [1, 2, 3]


def test_set_order_puts_towns_in_the_dragged_order(db):
    ids = [town_service.create_town(db, n).id for n in ("甲镇", "乙镇", "丙镇")]
    town_service.set_order(db, [ids[1], ids[2], ids[0]])
    assert [t.name for t in town_service.list_towns(db)] == ["乙镇", "丙镇", "甲镇"]
    with pytest.raises(NotFound):
        town_service.set_order(db, [999])


def test_empty_town_is_deleted(db):
    t = town_service.create_town(db, "空镇")
    town_service.set_target(db, t.id, 2024, target_area_mu="0")  # a zero target is not data
    assert not town_service.usage(db, t.id).has_data
    town_service.delete_town(db, t.id)
    assert town_service.list_towns(db) == []


def test_town_with_data_is_refused_delete_and_can_be_deactivated(db):
    t = town_service.create_town(db, "有数据镇")
    add_park(db, t.id, "某片区")
    use = town_service.usage(db, t.id)
    assert use.has_data and "连片整治片区 1 条" in use.describe()
    with pytest.raises(Refused) as e:
        town_service.delete_town(db, t.id)
    assert "停用" in e.value.message
    town_service.set_active(db, t.id, False)
    assert town_service.list_towns(db)[0].active is False
    assert town_service.list_towns(db, include_inactive=False) == []


def test_town_with_a_target_set_counts_as_data(db):
    t = town_service.create_town(db, "有任务镇")
    town_service.set_target(db, t.id, 2024, target_area_mu="300")
    assert town_service.usage(db, t.id).counts == {"年度任务分解": 1}


def test_town_writes_are_in_the_audit_log(db):
    t = town_service.create_town(db, "审计镇")
    town_service.update_town(db, t.id, name="审计镇", liaison_phone="12345678")
    with db.reader() as s:
        actions = [(a.action, a.object_type) for a in s.scalars(select(AuditLog).where(AuditLog.object_type == "town"))]
    assert ("create", "town") in actions and ("update", "town") in actions


# 附件1 targets -------------------------------------------------------------------------------

def test_target_is_created_on_first_edit_and_then_updated(db):
    t = town_service.create_town(db, "城东街道")
    assert town_service.get_targets(db, 2024) == {}
    row = town_service.set_target(db, t.id, 2024, target_area_mu="350.5")
    assert row.target_area_mu == D("350.5") and row.target_parks == 0
    row = town_service.set_target(db, t.id, 2024, target_parks="2")
    assert row.target_area_mu == D("350.5") and row.target_parks == 2
    assert town_service.get_targets(db, 2024)[t.id].target_parks == 2


def test_negative_or_non_numeric_target_is_refused_naming_the_field(db):
    t = town_service.create_town(db, "城东街道")
    with pytest.raises(ValidationError) as e:
        town_service.set_target(db, t.id, 2024, target_area_mu="-1")
    assert e.value.field == "target_area_mu"
    with pytest.raises(ValidationError) as e:
        town_service.set_target(db, t.id, 2024, target_parks="1.5")
    assert e.value.field == "target_parks"
    with pytest.raises(ValidationError) as e:
        town_service.set_target(db, t.id, 2024, target_parks="两个")
    assert e.value.field == "target_parks"
    assert town_service.get_targets(db, 2024) == {}


def test_target_accepts_zero_and_area_in_square_metres(db):
    t = town_service.create_town(db, "城东街道")
    assert town_service.set_target(db, t.id, 2024, target_area_mu="0").target_area_mu == 0
    assert town_service.set_target(db, t.id, 2024, target_area_mu="6666.67㎡").target_area_mu == D("10.0000")


def test_target_for_a_missing_year_is_refused(db):
    t = town_service.create_town(db, "城东街道")
    with pytest.raises(NotFound):
        town_service.set_target(db, t.id, 2031, target_area_mu="1")


# Progress on a small hand-made city ----------------------------------------------------------

@pytest.fixture
def city(db):
    """甲镇: share exactly 30 %; 乙镇: share just below; 丙镇 empty, deactivated 丁镇 with data."""
    a = town_service.create_town(db, "甲镇").id
    b = town_service.create_town(db, "乙镇").id
    c = town_service.create_town(db, "丙镇").id
    d = town_service.create_town(db, "丁镇").id
    town_service.set_target(db, a, 2024, target_area_mu="200", target_parks="2")
    town_service.set_target(db, b, 2024, target_area_mu="100", target_parks="1")
    park_a = add_park(db, a, "甲镇老工业园", ParkStatus.STARTED, dt.date(2024, 3, 1))
    add_park(db, a, "甲镇旧园区", ParkStatus.STARTED, dt.date(2023, 5, 1))  # started last year
    park_b = add_park(db, b, "乙镇片区", ParkStatus.PLANNED)
    # 甲镇: listed 100, of which 30 in a park (target in the park) → exactly 30 %.
    add_entry(db, a, "甲1", "30", EntryState.VERIFIED, park_id=park_a, verified="28")
    add_entry(db, a, "甲2", "50", EntryState.REPORTED)  # reported, not yet verified: not counted
    add_entry(db, a, "甲3", "20", EntryState.VERIFIED)  # verified without a verified area: planned counts
    add_entry(db, a, "甲4", "500", EntryState.VERIFIED, method=Method.SELF_RENOVATION)  # never counted
    add_entry(db, a, "甲5", "40", EntryState.CANCELLED, park_id=park_a)  # withdrawn
    # 乙镇: listed 100.01, contiguous 30 → 29.997 % < 30 %.
    add_entry(db, b, "乙1", "70.01", EntryState.APPROVED)
    add_entry(db, b, "乙2", "30", EntryState.IN_PROGRESS, park_id=park_b)
    add_entry(db, d, "丁1", "999", EntryState.VERIFIED)
    town_service.set_active(db, d, False)
    return {"甲镇": a, "乙镇": b, "丙镇": c, "丁镇": d}


def test_progress_listed_contiguous_and_verified_per_town(db, city):
    p = progress_service.year_progress(db, 2024)
    a = row_of(p, "甲镇")
    assert a.target_area_mu == D(200) and a.target_parks == 2
    assert a.listed_mu == D(100)  # 30 + 50 + 20; self-renovation and cancelled left out
    assert a.contiguous_mu == D(30)
    assert a.verified_mu == D(48)  # 28 verified + 20 planned; the reported 50 does not count
    assert a.completion_pct == D("24.00")
    assert a.parks_started == 1  # the park started in 2023 is not started in 2024


def test_share_exactly_at_minimum_is_not_below(db, city):
    a = row_of(progress_service.year_progress(db, 2024), "甲镇")
    assert a.share_pct == D("30.00") and a.share_below_min is False


def test_share_just_under_minimum_is_below(db, city):
    b = row_of(progress_service.year_progress(db, 2024), "乙镇")
    assert b.share_pct == D("30.00")  # rounds to 30.00 for display …
    assert b.share_below_min is True  # … but 30 / 100.01 is below 30 %, compared exactly


def test_only_verified_counts_and_self_renovation_never(db, city):
    b = row_of(progress_service.year_progress(db, 2024), "乙镇")
    assert b.verified_mu == 0 and b.completion_pct == D("0.00")
    a = row_of(progress_service.year_progress(db, 2024), "甲镇")
    assert a.verified_mu < D(500)


def test_empty_town_has_no_share_and_is_not_below(db, city):
    c = row_of(progress_service.year_progress(db, 2024), "丙镇")
    assert c.listed_mu == 0 and c.share_pct is None and c.share_below_min is False and c.completion_pct is None


def test_deactivated_town_is_left_out_of_the_table(db, city):
    p = progress_service.year_progress(db, 2024)
    assert [r.town for r in p.towns] == ["甲镇", "乙镇", "丙镇"]


def test_totals_row_sums_towns_and_completion_is_against_city_target(db, city):
    p = progress_service.year_progress(db, 2024)
    t = p.totals
    assert t.town == "合计" and t.town_id is None
    assert t.target_area_mu == D(300) and t.target_parks == 3
    assert t.listed_mu == D("200.01") and t.contiguous_mu == D(60)
    assert t.verified_mu == D(48) and t.parks_started == 1
    city_target = year_service.get_params(db, 2024).target_area_mu
    assert p.city_target_mu == city_target
    assert t.completion_pct == (D(48) * 100 / city_target).quantize(D("0.01"))


def test_town_target_sum_differs_from_city_target(db, city):
    p = progress_service.year_progress(db, 2024)
    assert p.totals.target_area_mu != p.city_target_mu  # the page warns about this difference


def test_targets_are_per_year(db, city):
    year_service.new_year(db)
    p = progress_service.year_progress(db, 2025)
    assert all(r.target_area_mu == 0 for r in p.towns) and p.totals.listed_mu == 0
    with db.reader() as s:
        assert s.scalar(select(Town.name).where(Town.id == city["甲镇"])) == "甲镇"


def test_a_town_moves_neither_above_the_first_nor_below_the_last():
    order = [3, 1, 2]
    assert town_service.why_not_move(order, 3, -1) == "已在最前"
    assert town_service.why_not_move(order, 2, 1) == "已在最后"
    assert town_service.why_not_move(order, 1, -1) is None and town_service.why_not_move(order, 1, 1) is None
    assert town_service.why_not_move(order, 9, 1) is not None
