"""三(一): town lists — draft, submit, review — with the contiguous share shown on both."""

from __future__ import annotations

from decimal import Decimal

import pytest

from desktop.models.enums import Category, EntryState, ListStatus, Method, ParkStatus, TargetState
from desktop.services.lists import list_service
from desktop.services.parks import park_service
from desktop.services.register import target_service
from desktop.services.towns import town_service
from desktop.services.year import year_service
from desktop.services.errors import Refused, ValidationError


@pytest.fixture
def town_list(db):
    town = town_service.create_town(db, "东港镇")
    other = town_service.create_town(db, "城南街道")
    park_id = park_service.create(db, park_service.ParkValues(name="东港老工业区", town_id=town.id, status=ParkStatus.PLANNED))
    ids = {}
    for name, area, in_park in (("甲铸造厂", "70", False), ("乙五金厂", "30", True), ("丙印染厂", "10", False)):
        ids[name] = target_service.create(db, target_service.TargetValues(
            name=name, town_id=town.id, category=Category.CONTIGUOUS if in_park else Category.D_CLASS,
            land_area_mu=Decimal(area), contiguous_area_id=park_id if in_park else None), year=2024)
    ids["外镇企业"] = target_service.create(db, target_service.TargetValues(name="外镇企业", town_id=other.id), year=2024)
    lst = list_service.get_or_create_list(db, town.id, 2024)
    return db, lst, ids


def test_share_exactly_at_the_minimum_is_not_below_it(town_list):
    db, lst, ids = town_list
    list_service.add_entry(db, lst.id, ids["甲铸造厂"], Method.LAND_BANKING, "70")
    list_service.add_entry(db, lst.id, ids["乙五金厂"], Method.ACQUISITION, "30")  # in the park → 30 %
    check = list_service.submit(db, lst.id)
    assert check.share_pct == Decimal("30.00")
    assert check.below_minimum is False


def test_share_just_below_the_minimum_is_flagged_on_submit_and_review(town_list):
    db, lst, ids = town_list
    list_service.add_entry(db, lst.id, ids["甲铸造厂"], Method.LAND_BANKING, "70.01")
    list_service.add_entry(db, lst.id, ids["乙五金厂"], Method.ACQUISITION, "30")
    assert list_service.submit(db, lst.id).below_minimum is True
    check = list_service.review(db, lst.id, approve=True)
    assert check.below_minimum is True
    assert "低于年度下限 30%" in check.message


def test_the_minimum_comes_from_the_year_parameters(town_list):
    db, lst, ids = town_list
    year_service.update_params(db, 2024, {"contiguous_share_min_pct": Decimal("25")})
    list_service.add_entry(db, lst.id, ids["甲铸造厂"], Method.LAND_BANKING, "75")
    list_service.add_entry(db, lst.id, ids["乙五金厂"], Method.ACQUISITION, "25")
    assert list_service.share_check(db, lst.id).below_minimum is False


def test_self_renovation_is_recorded_but_not_in_the_share(town_list):
    db, lst, ids = town_list
    list_service.add_entry(db, lst.id, ids["甲铸造厂"], Method.SELF_RENOVATION, "70")
    list_service.add_entry(db, lst.id, ids["乙五金厂"], Method.ACQUISITION, "30")
    check = list_service.share_check(db, lst.id)
    assert check.listed_mu == Decimal("30") and check.share_pct == Decimal("100.00")


def test_review_returns_with_a_reason_and_resubmission_goes_through_draft(town_list):
    db, lst, ids = town_list
    list_service.add_entry(db, lst.id, ids["甲铸造厂"], Method.LAND_BANKING, "70")
    list_service.submit(db, lst.id)
    with pytest.raises(Refused, match="退回需要填写原因"):
        list_service.review(db, lst.id, approve=False)
    list_service.review(db, lst.id, approve=False, reason="面积与不动产证不符")
    rows = list_service.entries(db, lst.id)
    assert rows[0].state is EntryState.RETURNED and rows[0].state_reason == "面积与不动产证不符"
    list_service.update_entry(db, rows[0].id, method=Method.LAND_BANKING, planned_area_mu="65", contiguous_area_id=None)
    list_service.submit(db, lst.id)
    assert list_service.entries(db, lst.id)[0].state is EntryState.SUBMITTED
    summary = list_service.get_or_create_list(db, lst.town_id, 2024)
    assert summary.status is ListStatus.SUBMITTED


def test_an_entry_of_another_town_is_refused(town_list):
    db, lst, ids = town_list
    with pytest.raises(ValidationError, match="不属于东港镇"):
        list_service.add_entry(db, lst.id, ids["外镇企业"], Method.LAND_BANKING, "5")


def test_the_same_target_twice_is_refused_and_zero_area_too(town_list):
    db, lst, ids = town_list
    list_service.add_entry(db, lst.id, ids["丙印染厂"], Method.REUSE, "10")
    with pytest.raises(Refused, match="已在本清单中"):
        list_service.add_entry(db, lst.id, ids["丙印染厂"], Method.REUSE, "10")
    with pytest.raises(ValidationError, match="应大于0"):
        list_service.add_entry(db, lst.id, ids["甲铸造厂"], Method.REUSE, "0")


def test_submitted_entries_cannot_be_edited_or_removed(town_list):
    db, lst, ids = town_list
    entry_id = list_service.add_entry(db, lst.id, ids["丙印染厂"], Method.REUSE, "10")
    list_service.submit(db, lst.id)
    with pytest.raises(Refused, match="当前状态为“已报送”"):
        list_service.update_entry(db, entry_id, method=Method.REUSE, planned_area_mu="9", contiguous_area_id=None)
    with pytest.raises(Refused, match="当前状态为“已报送”"):
        list_service.remove_entry(db, entry_id)


def test_target_state_follows_its_entry_to_done_and_withdrawn(town_list):
    db, lst, ids = town_list
    entry_id = list_service.add_entry(db, lst.id, ids["丙印染厂"], Method.REUSE, "10")
    list_service.submit(db, lst.id)
    list_service.review(db, lst.id, approve=True)
    for action in ("file_plan", "start", "report_done"):
        list_service.transition(db, entry_id, action)
    assert target_service.get(db, ids["丙印染厂"], year=2024).values.state is TargetState.IN_PROGRESS
    list_service.transition(db, entry_id, "verify_pass", verified_area_mu=Decimal("9.5"))
    assert target_service.get(db, ids["丙印染厂"], year=2024).values.state is TargetState.DONE
    list_service.transition(db, entry_id, "cancel", reason="重复列入")
    assert target_service.get(db, ids["丙印染厂"], year=2024).values.state is TargetState.WITHDRAWN


def test_a_returned_entry_may_be_removed_but_an_approved_one_names_its_state(town_list):
    db, lst, ids = town_list
    a = list_service.add_entry(db, lst.id, ids["甲铸造厂"], Method.LAND_BANKING, "70")
    b = list_service.add_entry(db, lst.id, ids["丙印染厂"], Method.REUSE, "10")
    list_service.submit(db, lst.id)
    list_service.review(db, lst.id, approve=False, reason="丙印染厂不属于本年度")
    list_service.remove_entry(db, b)
    assert [r.id for r in list_service.entries(db, lst.id)] == [a]
    assert target_service.get(db, ids["丙印染厂"], year=2024).values.state is TargetState.PENDING
    list_service.submit(db, lst.id)
    list_service.review(db, lst.id, approve=True)
    with pytest.raises(Refused, match="当前状态为“已审核”，不能删除"):
        list_service.remove_entry(db, a)


def test_candidates_are_the_towns_targets_not_yet_listed_filtered_by_text(town_list):
    db, lst, ids = town_list
    list_service.add_entry(db, lst.id, ids["甲铸造厂"], Method.LAND_BANKING, "70")
    names = [c.name for c in list_service.candidates(db, lst.id)]
    assert names == sorted(["乙五金厂", "丙印染厂"])  # not 甲 (listed), not 外镇企业 (other town)
    found = list_service.candidates(db, lst.id, "五金")
    assert [c.name for c in found] == ["乙五金厂"]
    assert found[0].contiguous_area == "东港老工业区" and found[0].land_area_mu == Decimal("30")
    assert list_service.candidates(db, lst.id, "五金 印染") == []  # every term must match


def test_state_counts_and_the_summary_count_entries_by_state(town_list):
    db, lst, ids = town_list
    list_service.add_entry(db, lst.id, ids["甲铸造厂"], Method.LAND_BANKING, "70")
    list_service.submit(db, lst.id)
    list_service.add_entry(db, lst.id, ids["丙印染厂"], Method.REUSE, "10")
    expected = {EntryState.SUBMITTED: 1, EntryState.DRAFT: 1}
    assert list_service.state_counts(db, lst.id) == expected
    assert list_service.get_or_create_list(db, lst.town_id, 2024).state_counts == expected


def test_town_overview_shows_every_town_with_its_share_and_no_list_as_none(town_list):
    db, lst, ids = town_list
    list_service.add_entry(db, lst.id, ids["甲铸造厂"], Method.LAND_BANKING, "70.01")
    list_service.add_entry(db, lst.id, ids["乙五金厂"], Method.ACQUISITION, "30")
    rows = {r.town: r for r in list_service.town_overview(db, 2024)}
    assert set(rows) == {"东港镇", "城南街道"}
    east = rows["东港镇"]
    assert east.entry_count == 2 and east.listed_mu == Decimal("100.01") and east.below_minimum
    assert east.share == list_service.share_check(db, lst.id)  # the same rule, the same numbers
    south = rows["城南街道"]
    assert south.list_id is None and south.status is None and south.entry_count == 0 and not south.below_minimum


def test_transition_many_is_all_or_nothing_and_names_the_refused_entry(town_list):
    db, lst, ids = town_list
    a = list_service.add_entry(db, lst.id, ids["甲铸造厂"], Method.LAND_BANKING, "70")
    b = list_service.add_entry(db, lst.id, ids["丙印染厂"], Method.REUSE, "10")
    list_service.submit(db, lst.id)
    list_service.review(db, lst.id, approve=True)
    list_service.transition(db, a, "file_plan")
    with pytest.raises(Refused, match="“丙印染厂”：当前状态为“已审核”，不能开始实施"):
        list_service.transition_many(db, [a, b], "start")
    states = {r.id: r.state for r in list_service.entries(db, lst.id)}
    assert states == {a: EntryState.PLAN_FILED, b: EntryState.APPROVED}  # a did not move either
    assert list_service.transition_many(db, [a, b], "cancel", reason="企业已自行关停") == 2
    assert {r.state for r in list_service.entries(db, lst.id)} == {EntryState.CANCELLED}


def test_several_steps_in_one_session_commit_together(town_list):
    db, lst, ids = town_list
    entry_id = list_service.add_entry(db, lst.id, ids["丙印染厂"], Method.REUSE, "10")
    list_service.submit(db, lst.id)
    list_service.review(db, lst.id, approve=True)
    with pytest.raises(Refused, match="当前状态为“方案已备案”，不能报送完成"):
        with db.session() as s:
            e = list_service.get_entry(s, entry_id)
            list_service.apply_step(s, e, "file_plan")
            list_service.apply_step(s, e, "report_done")  # skips 开始实施: refused, and file_plan rolls back
    assert list_service.entries(db, lst.id)[0].state is EntryState.APPROVED
    with db.session() as s:
        e = list_service.get_entry(s, entry_id)
        for action in ("file_plan", "start"):
            list_service.apply_step(s, e, action)
    assert list_service.entries(db, lst.id)[0].state is EntryState.IN_PROGRESS
    assert target_service.get(db, ids["丙印染厂"], year=2024).values.state is TargetState.IN_PROGRESS


def test_an_entry_lies_in_the_targets_park_unless_the_clerk_says_no_park(town_list):
    db, lst, ids = town_list
    list_service.add_entry(db, lst.id, ids["乙五金厂"], Method.ACQUISITION, "30")
    assert list_service.entries(db, lst.id)[0].contiguous_area == "东港老工业区"
    list_service.remove_entry(db, list_service.entries(db, lst.id)[0].id)
    list_service.add_entry(db, lst.id, ids["乙五金厂"], Method.ACQUISITION, "30", contiguous_area_id=None)
    assert list_service.entries(db, lst.id)[0].contiguous_area_id is None


def test_find_list_reads_without_creating(town_list):
    db, lst, _ids = town_list
    assert list_service.find_list(db, lst.town_id, 2024).id == lst.id
    south = next(r for r in list_service.town_overview(db, 2024) if r.town == "城南街道")
    assert list_service.find_list(db, south.town_id, 2024) is None
    assert [s.town for s in list_service.list_summaries(db, 2024)] == ["东港镇"]


def test_submit_and_review_refuse_with_the_words_the_page_shows_on_its_buttons(town_list):
    from desktop.services.lists import entry_states

    db, lst, ids = town_list
    list_service.add_entry(db, lst.id, ids["甲铸造厂"], Method.LAND_BANKING, "70")
    with pytest.raises(Refused) as e:
        list_service.review(db, lst.id, approve=True)
    assert e.value.message == entry_states.why_not_list("approve", [EntryState.DRAFT], "草稿")
    list_service.submit(db, lst.id)
    with pytest.raises(Refused) as e:
        list_service.submit(db, lst.id)
    assert e.value.message == "清单中没有可报送的条目（清单状态：已报送）"
