"""DOMAIN §2: entry states move only along the table of allowed transitions."""

from __future__ import annotations

import pytest

from desktop.models.enums import EntryState as S
from desktop.services.lists.entry_states import TRANSITIONS, actions_from, next_state
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
