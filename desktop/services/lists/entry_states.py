"""DOMAIN §2: the life of a list entry, as one table of allowed transitions.

草稿 → 已报送 → 已审核 (or 退回 → 草稿) → 方案已备案 → 实施中 → 已报完成 → 已核实
(or 核实未通过 → 实施中); 已撤销 from any state with a reason. A completion reported by mistake
may be withdrawn (已报完成 → 实施中) before it is verified.
"""

from __future__ import annotations

from desktop.models.enums import EntryState as S
from desktop.services.errors import Refused

# action → (allowed from-states, to-state, label)
TRANSITIONS: dict[str, tuple[frozenset[S], S, str]] = {
    "submit": (frozenset({S.DRAFT}), S.SUBMITTED, "报送"),
    "approve": (frozenset({S.SUBMITTED}), S.APPROVED, "审核通过"),
    "return": (frozenset({S.SUBMITTED}), S.RETURNED, "退回"),
    "redraft": (frozenset({S.RETURNED}), S.DRAFT, "退回修改"),
    "file_plan": (frozenset({S.APPROVED}), S.PLAN_FILED, "方案备案"),
    "start": (frozenset({S.PLAN_FILED}), S.IN_PROGRESS, "开始实施"),
    "report_done": (frozenset({S.IN_PROGRESS}), S.REPORTED, "报送完成"),
    # A completion reported by mistake is withdrawn from the month's report before verification.
    "withdraw_report": (frozenset({S.REPORTED}), S.IN_PROGRESS, "撤回完成报送"),
    "verify_pass": (frozenset({S.REPORTED}), S.VERIFIED, "核实通过"),
    "verify_fail": (frozenset({S.REPORTED}), S.VERIFY_FAILED, "核实未通过"),
    "resume": (frozenset({S.VERIFY_FAILED}), S.IN_PROGRESS, "重新实施"),
    "cancel": (frozenset(set(S) - {S.CANCELLED}), S.CANCELLED, "撤销"),
}
NEEDS_REASON = frozenset({"return", "cancel", "verify_fail"})


def next_state(current: S, action: str, reason: str = "") -> S:
    """The state after `action`, or Refused naming the current state."""
    if action not in TRANSITIONS:
        raise Refused(f"未知操作：{action}")
    allowed, target, label = TRANSITIONS[action]
    if current not in allowed:
        raise Refused(f"当前状态为“{current.label}”，不能{label}")
    if action in NEEDS_REASON and not (reason or "").strip():
        raise Refused(f"{label}需要填写原因")
    return target


def actions_from(current: S) -> list[str]:
    """Actions the clerk may take from a state (for menus and buttons)."""
    return [a for a, (allowed, _t, _l) in TRANSITIONS.items() if current in allowed]
