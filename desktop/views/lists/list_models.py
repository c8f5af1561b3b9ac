"""Table models of the 年度清单 page on the kit's row model: the town overview, the list's entries, the
filed plans, and the candidates of the add dialog. Rows are the services' dataclasses."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from desktop.models.enums import EntryState, ListStatus, Method, TargetState
from desktop.services import rules
from desktop.services.lists.list_service import CandidateRow, EntryRow, TownListRow
from desktop.services.lists.plan_service import PlanRow
from desktop.views.kit.rows import AMBER, MUTED, RowsModel, pct_text

UNCOUNTED_SUFFIX = "（不计入统计）"
UNCOUNTED_TIP = "三(三)2：企业自主技改只记录，不计入治理面积统计"

# The stage of an entry, as a background colour: drafting grey, office review blue/green, the
# town's work cyan, completion purple/green, trouble orange/red.
STATE_COLOURS: dict[EntryState, str] = {
    EntryState.DRAFT: "#ECEFF1",
    EntryState.SUBMITTED: "#DCEBFA",
    EntryState.APPROVED: "#DDF0D0",
    EntryState.RETURNED: "#FFE0B2",
    EntryState.PLAN_FILED: "#CDEFF4",
    EntryState.IN_PROGRESS: "#B9E3F8",
    EntryState.REPORTED: "#E1D7F0",
    EntryState.VERIFIED: "#A8D8A8",
    EntryState.VERIFY_FAILED: "#FFCDD2",
    EntryState.CANCELLED: "#E0E0E0",
}
LIST_STATUS_COLOURS: dict[ListStatus, str] = {
    ListStatus.DRAFT: STATE_COLOURS[EntryState.DRAFT],
    ListStatus.SUBMITTED: STATE_COLOURS[EntryState.SUBMITTED],
    ListStatus.APPROVED: STATE_COLOURS[EntryState.APPROVED],
    ListStatus.RETURNED: STATE_COLOURS[EntryState.RETURNED],
}


def method_text(method: Method) -> str:
    return method.label + (UNCOUNTED_SUFFIX if method in rules.UNCOUNTED_METHODS else "")


class TownOverviewModel(RowsModel):
    """Every town's list: status, entries, listed area and share (amber below the minimum)."""

    COLUMNS = [("town", "镇街"), ("status", "清单状态"), ("entry_count", "条目"), ("listed_mu", "面积（亩）"),
               ("share_pct", "连片占比")]
    NUMERIC = frozenset({"entry_count", "listed_mu", "share_pct"})

    def row_of_town(self, town_id: int | None) -> int:
        return next((i for i, r in enumerate(self.rows) if r.town_id == town_id), -1)

    def display(self, row: TownListRow, key: str) -> str:
        if key == "status":
            return row.status.label if row.status else "未建立"
        if key == "share_pct":
            return pct_text(row.share_pct)
        return super().display(row, key)

    def background(self, row: TownListRow, key: str) -> QColor | None:
        if key == "share_pct" and row.below_minimum:
            return AMBER
        if key == "status" and row.status is not None:
            return QColor(LIST_STATUS_COLOURS[row.status])
        return None

    def foreground(self, row: TownListRow, key: str) -> QColor | None:
        return MUTED if row.status is None else None

    def tooltip(self, row: TownListRow, key: str) -> str | None:
        if key == "share_pct" and (row.below_minimum or row.list_id is not None):
            return row.share.message
        return None


class EntryModel(RowsModel):
    COLUMNS = [
        ("target_name", "治理对象"),
        ("credit_code", "统一社会信用代码"),
        ("category", "治理类别"),
        ("method", "拟治理方式"),
        ("planned_area_mu", "计划面积（亩）"),
        ("contiguous_area", "所属片区"),
        ("state", "状态"),
        ("state_reason", "原因"),
        ("verified_area_mu", "核实面积（亩）"),
        ("note", "备注"),
    ]
    NUMERIC = frozenset({"planned_area_mu", "verified_area_mu"})

    def display(self, row: EntryRow, key: str) -> str:
        return method_text(row.method) if key == "method" else super().display(row, key)

    def background(self, row: EntryRow, key: str) -> QColor | None:
        return QColor(STATE_COLOURS[row.state]) if key == "state" else None

    def foreground(self, row: EntryRow, key: str) -> QColor | None:
        if row.state is EntryState.CANCELLED:
            return MUTED
        if key in ("method", "planned_area_mu") and row.method in rules.UNCOUNTED_METHODS:
            return MUTED
        return None

    def tooltip(self, row: EntryRow, key: str) -> str | None:
        if key in ("method", "planned_area_mu") and row.method in rules.UNCOUNTED_METHODS:
            return UNCOUNTED_TIP
        if key == "verified_area_mu" and row.state is not EntryState.VERIFIED:
            return "只有已核实的面积计入完成量"
        if key in ("state", "state_reason") and row.state_reason:
            return row.state_reason
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.FontRole and index.isValid():  # a cancelled entry is struck through
            row, key = self.item(index.row()), self.key(index.column())
            if row is not None and row.state is EntryState.CANCELLED and key in ("target_name", "planned_area_mu"):
                font = QFont()
                font.setStrikeOut(True)
                return font
        return super().data(index, role)


class PlanModel(RowsModel):
    COLUMNS = [
        ("batch_no", "备案编号"),
        ("target", "治理对象"),
        ("method", "治理方式"),
        ("planned_area_mu", "计划面积（亩）"),
        ("planned_cost_wan", "计划投资（万元）"),
        ("cost_per_mu", "亩均（万元/亩）"),
        ("soe", "合作国企"),
        ("filed_on", "备案日期"),
        ("entry_state", "条目状态"),
        ("loan_count", "指标预借"),
        ("note", "备注"),
    ]
    NUMERIC = frozenset({"planned_area_mu", "planned_cost_wan", "cost_per_mu", "loan_count"})

    def display(self, row: PlanRow, key: str) -> str:
        if key == "method":
            return method_text(row.method)
        if key == "loan_count":
            return f"{row.loan_count} 笔" if row.loan_count else "—"
        return super().display(row, key)

    def background(self, row: PlanRow, key: str) -> QColor | None:
        return QColor(STATE_COLOURS[row.entry_state]) if key == "entry_state" else None

    def foreground(self, row: PlanRow, key: str) -> QColor | None:
        return MUTED if key in ("method", "planned_area_mu") and not row.counted else None

    def tooltip(self, row: PlanRow, key: str) -> str | None:
        if key in ("method", "planned_area_mu") and not row.counted:
            return UNCOUNTED_TIP
        if key == "loan_count" and row.loan_count:
            return "已有周转指标预借，方案不能再修改"
        return None


class CandidateModel(RowsModel):
    """Targets of the town not yet on the list (the add dialog's search results)."""

    COLUMNS = [("name", "名称"), ("credit_code", "统一社会信用代码"), ("category", "治理类别"),
               ("land_area_mu", "占地（亩）"), ("contiguous_area", "所属片区"), ("state", "状态")]
    NUMERIC = frozenset({"land_area_mu"})

    def foreground(self, row: CandidateRow, key: str) -> QColor | None:
        return MUTED if row.state in (TargetState.DONE, TargetState.IN_PROGRESS) else None

    def tooltip(self, row: CandidateRow, key: str) -> str | None:
        return f"地址：{row.address}" if row.address else None
