"""月度报送与核实 (三(四)): the plain results the services hand out, and what the page may do with an item.

Which actions an item allows comes from the one transition table (entry_states.TRANSITIONS), so the
page's buttons and the services' refusals say the same thing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from desktop.models.enums import EntryState, Method, VerifyResult
from desktop.services.lists import entry_states

ZERO = Decimal(0)
OBJECT_TYPE = "monthly_report_item"  # attachments (证明材料) of one reported entry

# Overall state of one reported item, as the page and the export show it.
OVERALL_VERIFIED = EntryState.VERIFIED.label  # 已核实
OVERALL_FAILED = EntryState.VERIFY_FAILED.label  # 核实未通过
OVERALL_PENDING = "待核实"
WITHDRAWN_REASON = "撤回完成报送（月度报送条目已移除）"


# Plain results ------------------------------------------------------------------------------

@dataclass
class ReportInfo:
    id: int
    town_id: int
    town: str
    year: int
    month: int
    reported_on: dt.date | None
    is_late: bool
    report_due: dt.date
    verify_due: dt.date
    note: str
    item_count: int


@dataclass
class VerificationCell:
    """One verifying department's record on one item (result None: not recorded yet)."""

    department_id: int | None
    department: str
    result: VerifyResult | None = None
    verified_on: dt.date | None = None
    is_late: bool = False
    note: str = ""

    @property
    def text(self) -> str:
        return self.result.label if self.result is not None else "—"


@dataclass
class ItemRow:
    """One reported entry of a month with every verifying department's record."""

    item_id: int
    report_id: int
    town_id: int
    town: str
    entry_id: int
    target_id: int
    target: str
    credit_code: str | None
    method: Method
    planned_area_mu: Decimal
    completed_area_mu: Decimal
    note: str
    reported_on: dt.date | None
    report_late: bool
    entry_state: EntryState
    is_current: bool  # the entry's latest report item (older ones are history)
    cells: list[VerificationCell]
    overall: str
    verified_area_mu: Decimal | None
    verify_late: bool  # a record dated after the due day
    verify_overdue: bool  # past the due day with a department still missing
    attachments: int = 0

    @property
    def id(self) -> int:
        """The item's id under the name the page kit looks for."""
        return self.item_id

    @property
    def late_text(self) -> str:
        parts = []
        if self.report_late:
            parts.append("报送逾期")
        late = [c.department for c in self.cells if c.is_late]
        if late:
            parts.append("核实逾期（" + "、".join(late) + "）")
        elif self.verify_overdue:
            parts.append("核实超期未完成")
        return "；".join(parts)

    @property
    def can_remove(self) -> bool:
        return why_not(self, "remove") is None

    @property
    def can_verify(self) -> bool:
        return why_not(self, "verify") is None

    @property
    def can_edit(self) -> bool:
        return why_not(self, "edit") is None

    @property
    def can_resume(self) -> bool:
        return why_not(self, "resume") is None


@dataclass
class VerificationTable:
    year: int
    month: int
    departments: list[str]
    report_due: dt.date
    verify_due: dt.date
    rows: list[ItemRow] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.year}年{self.month}月“危污乱散低”整治核实情况表"

    @property
    def completed_area_mu(self) -> Decimal:
        return sum((r.completed_area_mu for r in self.rows), ZERO)

    @property
    def verified_area_mu(self) -> Decimal:
        return sum((r.verified_area_mu or ZERO for r in self.rows if r.overall == OVERALL_VERIFIED), ZERO)

    def count(self, overall: str) -> int:
        return sum(1 for r in self.rows if r.overall == overall)


@dataclass
class TownMonth:
    """One town's line of the month overview."""

    town_id: int
    town: str
    report_id: int | None
    reported_on: dt.date | None
    is_late: bool
    overdue: bool  # no report date yet and the due day has passed
    items: int = 0
    verified: int = 0
    failed: int = 0
    pending: int = 0
    late_verifications: int = 0
    completed_area_mu: Decimal = ZERO
    verified_area_mu: Decimal = ZERO

    @property
    def status(self) -> str:
        if self.reported_on is not None:
            return "逾期报送" if self.is_late else "按时报送"
        if self.overdue:
            return "逾期未报"
        return "未报送"


@dataclass
class MonthOverview:
    year: int
    month: int
    report_due: dt.date
    verify_due: dt.date
    departments: list[str]
    towns: list[TownMonth]

    @property
    def totals(self) -> TownMonth:
        t = TownMonth(0, "合计", None, None, False, False)
        for r in self.towns:
            for key in ("items", "verified", "failed", "pending", "late_verifications", "completed_area_mu",
                        "verified_area_mu"):
                setattr(t, key, getattr(t, key) + getattr(r, key))
        return t

    @property
    def reported(self) -> int:
        return sum(1 for r in self.towns if r.reported_on is not None)

    @property
    def late(self) -> int:
        return sum(1 for r in self.towns if r.is_late or r.overdue)


@dataclass
class ReportableEntry:
    """A town's entry in 实施中: what the 添加完成条目 dialog offers."""

    entry_id: int
    target: str
    credit_code: str | None
    method: Method
    planned_area_mu: Decimal
    park: str

    @property
    def id(self) -> int:
        return self.entry_id


@dataclass
class TownLateness:
    """Kept for rankings and bulletins (四(五)): late reports and late verifications of one town."""

    town_id: int
    town: str
    reports: int = 0  # hand-ins: a month handed in twice counts twice, each by its own date
    late_reports: int = 0
    missing_reports: int = 0  # months past the due day with no report date
    verifications: int = 0
    late_verifications: int = 0


@dataclass
class DepartmentLateness:
    department: str
    verifications: int = 0
    late_verifications: int = 0



# What the page may do with a reported item ----------------------------------------------------

# 已报完成 may be withdrawn from the month's report (before a verdict).
REMOVABLE = entry_states.TRANSITIONS["withdraw_report"][0]
# 核实未通过 goes back to 实施中 to be rectified and reported again.
RESUMABLE = entry_states.TRANSITIONS["resume"][0]
# Records are made while 已报完成, and corrected while 核实未通过 (see verification_service).
VERIFIABLE = entry_states.TRANSITIONS["verify_pass"][0] | RESUMABLE
HISTORY = "该条目已重新实施并另行报送，本月记录仅供查阅"


def why_not(item: ItemRow | None, action: str) -> str | None:
    """Why `action` ("edit", "verify", "remove", "resume") is not open on the item; None when it is."""
    if item is None:
        return "请先选择一个报送条目"
    if not item.is_current:
        return HISTORY
    state = item.entry_state
    if action == "remove" and state not in REMOVABLE:
        return f"条目当前状态为“{state.label}”，只有“{EntryState.REPORTED.label}”、尚未核实的条目可以移除"
    if action == "verify" and state not in VERIFIABLE:
        return f"条目当前状态为“{state.label}”，核实记录不能再更改"
    if action == "edit" and state not in VERIFIABLE:
        return f"条目当前状态为“{state.label}”，不能修改本月报送内容"
    if action == "resume" and state not in RESUMABLE:
        return f"只有“{EntryState.VERIFY_FAILED.label}”的条目可以重新实施（当前状态为“{state.label}”）"
    return None
