"""DOMAIN §2: the life of a list entry, as one table of allowed transitions.

草稿 → 已报送 → 已审核 (or 退回 → 草稿) → 方案已备案 → 实施中 → 已报完成 → 已核实
(or 核实未通过 → 实施中); 已撤销 from any state with a reason. A completion reported by mistake
may be withdrawn (已报完成 → 实施中) before it is verified.

`why_not(action, state)` says in Chinese why an action cannot be taken (None when it can): the
services refuse with it and the pages disable their buttons with it as the tooltip, so a clerk is
never asked to confirm what would then be refused.
"""

from __future__ import annotations

from typing import Iterable

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

# 三(一): the town may change or delete an entry only while it drafts it (draft, or returned to it).
EDITABLE = frozenset({S.DRAFT, S.RETURNED})
# Acts on an entry that do not move it along the table.
EDITS = {"edit": "修改", "delete": "删除"}
# The list's own steps act on every entry in these states: 报送 takes the drafts and the returned ones
# (退回修改 then 报送), 审核通过 and 退回 take the submitted ones.
LIST_STEPS: dict[str, tuple[frozenset[S], str]] = {
    "submit": (EDITABLE, "可报送"),
    "approve": (frozenset({S.SUBMITTED}), "待审核"),
    "return": (frozenset({S.SUBMITTED}), "待审核"),
}


def why_not(action: str, current: S) -> str | None:
    """Why an entry in state `current` cannot take `action` (修改/删除 or a step of the table), or None."""
    if action in EDITS:
        if current in EDITABLE:
            return None
        verb = EDITS[action]
        hint = "；已报送的条目请撤销并填写原因" if action == "delete" else ""
        return f"当前状态为“{current.label}”，不能{verb}（仅草稿或退回的条目可{verb}）{hint}"
    if action not in TRANSITIONS:
        return f"未知操作：{action}"
    allowed, _target, label = TRANSITIONS[action]
    if current not in allowed:
        return f"当前状态为“{current.label}”，不能{label}"
    return None


def why_not_any(action: str, entries: Iterable[tuple[str, S]], *, name_one: bool = True) -> str | None:
    """The first of (name, state) entries that cannot take `action`, named — “甲厂”：当前状态为… —
    or None when all can (an empty selection: “请先选择清单条目”). `name_one=False` leaves the name
    out when there is only one entry."""
    entries = list(entries)
    if not entries:
        return "请先选择清单条目"
    for name, state in entries:
        why = why_not(action, state)
        if why is not None:
            return f"“{name}”：{why}" if name_one or len(entries) > 1 else why
    return None


def why_not_list(action: str, states: Iterable[S], status_label: str) -> str | None:
    """Why the list's own step (报送, 审核通过, 退回) has nothing to act on, or None."""
    wanted, word = LIST_STEPS[action]
    if any(s in wanted for s in states):
        return None
    return f"清单中没有{word}的条目（清单状态：{status_label}）"


def next_state(current: S, action: str, reason: str = "") -> S:
    """The state after `action`, or Refused naming the current state."""
    if action in EDITS:
        raise Refused(f"未知操作：{action}")
    why = why_not(action, current)
    if why is not None:
        raise Refused(why)
    _allowed, target, label = TRANSITIONS[action]
    if action in NEEDS_REASON and not (reason or "").strip():
        raise Refused(f"{label}需要填写原因")
    return target


def actions_from(current: S) -> list[str]:
    """Actions the clerk may take from a state (for menus and buttons)."""
    return [a for a in TRANSITIONS if why_not(a, current) is None]
