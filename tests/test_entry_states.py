"""DOMAIN §2: entry states move only along the table of allowed transitions."""

from __future__ import annotations

import pytest

from desktop.models.enums import EntryState as S
from desktop.services.lists.entry_states import (
    TRANSITIONS,
    actions_from,
    next_state,
    why_not,
    why_not_any,
    why_not_list,
)
from desktop.services.errors import Refused


def test_the_happy_path_reaches_verified():
    state = S.DRAFT
    for action in ("submit", "approve", "file_plan", "start", "report_done", "verify_pass"):
        state = next_state(state, action)
    assert state is S.VERIFIED


def test_a_reported_completion_can_be_withdrawn_before_verification_only():
    assert next_state(S.REPORTED, "withdraw_report") is S.IN_PROGRESS
    with pytest.raises(Refused, match="当前状态为“已核实”"):
        next_state(S.VERIFIED, "withdraw_report")


def test_returned_goes_back_to_draft_and_failed_verification_back_to_in_progress():
    assert next_state(next_state(S.SUBMITTED, "return", "面积不符"), "redraft") is S.DRAFT
    assert next_state(next_state(S.REPORTED, "verify_fail", "未拆除"), "resume") is S.IN_PROGRESS


def test_an_illegal_step_is_refused_naming_the_current_state():
    with pytest.raises(Refused, match="当前状态为“草稿”，不能审核通过"):
        next_state(S.DRAFT, "approve")


def test_cancel_is_allowed_from_every_state_but_needs_a_reason():
    for state in S:
        if state is S.CANCELLED:
            continue
        assert next_state(state, "cancel", "企业已自行关停") is S.CANCELLED
    with pytest.raises(Refused, match="需要填写原因"):
        next_state(S.DRAFT, "cancel", "  ")


def test_every_state_but_cancelled_has_a_way_forward():
    for state in S:
        if state is not S.CANCELLED:
            assert actions_from(state), state
    assert actions_from(S.CANCELLED) == []
    assert len(TRANSITIONS) == 12


def test_why_not_says_in_chinese_why_an_action_is_not_open_and_none_when_it_is():
    assert why_not("submit", S.DRAFT) is None
    assert why_not("approve", S.DRAFT) == "当前状态为“草稿”，不能审核通过"
    assert why_not("edit", S.RETURNED) is None
    assert why_not("delete", S.PLAN_FILED) == ("当前状态为“方案已备案”，不能删除（仅草稿或退回的条目可删除）"
                                              "；已报送的条目请撤销并填写原因")
    assert why_not("edit", S.SUBMITTED) == "当前状态为“已报送”，不能修改（仅草稿或退回的条目可修改）"


def test_why_not_agrees_with_next_state_for_every_action_and_state():
    for action in TRANSITIONS:
        for state in S:
            why = why_not(action, state)
            if why is None:
                assert next_state(state, action, "原因") in S
            else:
                with pytest.raises(Refused, match=why):
                    next_state(state, action, "原因")


def test_why_not_any_names_the_first_entry_that_cannot_and_needs_a_selection():
    assert why_not_any("cancel", [("甲厂", S.DRAFT), ("乙厂", S.APPROVED)]) is None
    assert why_not_any("delete", [("甲厂", S.DRAFT), ("乙厂", S.APPROVED)]).startswith("“乙厂”：当前状态为“已审核”")
    assert why_not_any("delete", [("乙厂", S.APPROVED)], name_one=False).startswith("当前状态为“已审核”")
    assert why_not_any("delete", []) == "请先选择清单条目"


def test_the_list_steps_need_an_entry_they_act_on():
    assert why_not_list("submit", [S.RETURNED, S.APPROVED], "退回") is None
    assert why_not_list("submit", [S.SUBMITTED], "已报送") == "清单中没有可报送的条目（清单状态：已报送）"
    assert why_not_list("approve", [S.SUBMITTED], "已报送") is None
    assert why_not_list("return", [], "草稿") == "清单中没有待审核的条目（清单状态：草稿）"
