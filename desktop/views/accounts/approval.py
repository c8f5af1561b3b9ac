"""Approval buttons (审核通过/退回, 备案审核, 核实确认) ask the service whether the logged-in account may
approve the thing now selected — a leader, and not the one who submitted, filed or recorded it — and
show its reason as the disabled button's tooltip. The service refuses again if it is reached anyway."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QWidget

from desktop.views.kit.ops import query

CHECKING = "正在检查能否审核…"


class ApprovalCheck:
    """The answer of `why_not(ledger, subject_id)` for the selected subject, as an ActionBar rule."""

    def __init__(self, page: QWidget, key: str, why_not: Callable, *, nothing: str = "请先选择一行") -> None:
        self.page, self.key, self.why_not, self.nothing = page, key, why_not, nothing
        self.subject = None
        self.reason: str | None = nothing
        self.bars: list = []

    def ask(self, subject_id) -> None:
        """The selection changed (or the data did): ask again for `subject_id` (None: nothing selected)."""
        self.subject = subject_id
        if subject_id is None:
            self._answered(self.nothing)
            return
        self.reason = CHECKING
        self._update()
        query(self.page, self.key, self.why_not, subject_id, done=self._answered,
              failed=lambda exc: self._answered(getattr(exc, "message", None) or CHECKING))

    def _answered(self, reason: str | None) -> None:
        self.reason = reason
        self._update()

    def _update(self) -> None:
        for bar in self.bars:
            bar.update()

    def rule(self, _rows) -> str | None:
        return self.reason

    def follow(self, bar) -> Callable:
        """The rule for a button of `bar` (updated when the answer comes)."""
        if bar not in self.bars:
            self.bars.append(bar)
        return self.rule

