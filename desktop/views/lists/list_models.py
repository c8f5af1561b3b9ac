"""Table models of the 年度清单 page: the town overview, the list's entries, the filed plans, and the
candidates of the add dialog. Rows are the services' dataclasses; sorting and filtering in memory
(one town's list is at most a few hundred rows)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.models.enums import EntryState, ListStatus, Method, TargetState
from desktop.services import rules, units
from desktop.services.lists.list_service import CandidateRow, EntryRow, TownListRow
from desktop.services.lists.plan_service import PlanRow

AMBER = QColor("#FFD966")
MUTED = QColor("#8A8A8A")
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


def pct_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{units.fmt(value, 2)}%"


def date_text(value: dt.date | None) -> str:
    return "" if value is None else f"{value.year}-{value.month:02d}-{value.day:02d}"


def _sort_key(value):
    """Comparable within a column; empty values first."""
    if value is None or value == "":
        return (0, 0)
    if isinstance(value, (EntryState, ListStatus, TargetState, Method)):
        return (1, list(type(value)).index(value))
    if isinstance(value, bool):
        return (1, int(value))
    return (1, value)


class RowsModel(QAbstractTableModel):
    """Read-only rows of dataclasses. COLUMNS = (key, header); `value(row, key)` for sorting,
    `text(row, key)` for display. Sorting keeps the clerk's order across reloads."""

    COLUMNS: list[tuple[str, str]] = []
    NUMERIC: frozenset[str] = frozenset()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._all: list = []
        self.rows: list = []
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)
        self._filter = ""

    # Data in --------------------------------------------------------------------------------
    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self._all = list(rows)
        self._apply()
        self.endResetModel()

    def set_filter(self, text: str) -> None:
        text = (text or "").strip().lower()
        if text == self._filter:
            return
        self.beginResetModel()
        self._filter = text
        self._apply()
        self.endResetModel()

    def total(self) -> int:
        return len(self._all)

    def key_of(self, column: int) -> str:
        return self.COLUMNS[column][0]

    def column_of(self, key: str) -> int:
        return [k for k, _ in self.COLUMNS].index(key)

    def row_of(self, row_id) -> int:
        return next((i for i, r in enumerate(self.rows) if r.id == row_id), -1)

    def item(self, row: int):
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def matches(self, row, text: str) -> bool:
        return any(text in self.text(row, key).lower() for key, _ in self.COLUMNS)

    def _apply(self) -> None:
        terms = self._filter.split()
        rows = [r for r in self._all if all(self.matches(r, t) for t in terms)] if terms else list(self._all)
        column, order = self._sort
        if 0 <= column < len(self.COLUMNS):
            key = self.COLUMNS[column][0]
            rows.sort(key=lambda r: _sort_key(self.value(r, key)), reverse=order == Qt.SortOrder.DescendingOrder)
        self.rows = rows

    # Per-column behaviour (override) ------------------------------------------------------------
    def value(self, row, key: str):
        return getattr(row, key)

    def text(self, row, key: str) -> str:
        value = self.value(row, key)
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return units.fmt(value, 2)
        if isinstance(value, dt.date):
            return date_text(value)
        if hasattr(value, "label"):
            return value.label
        return str(value)

    def background(self, row, key: str):
        return None

    def foreground(self, row, key: str):
        return None

    def tooltip(self, row, key: str):
        return None

    def font(self, row, key: str):
        return None

    # Qt model ----------------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section][1]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        key = self.COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, key)
        if role == Qt.ItemDataRole.TextAlignmentRole and key in self.NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            colour = self.background(row, key)
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.ForegroundRole:
            colour = self.foreground(row, key)
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, key)
        if role == Qt.ItemDataRole.FontRole:
            return self.font(row, key)
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply()
        self.layoutChanged.emit()


class TownOverviewModel(RowsModel):
    """Every town's list: status, entries, listed area and share (amber below the minimum)."""

    COLUMNS = [("town", "镇街"), ("status", "清单状态"), ("entry_count", "条目"), ("listed_mu", "面积（亩）"),
               ("share_pct", "连片占比")]
    NUMERIC = frozenset({"entry_count", "listed_mu", "share_pct"})

    def row_of_town(self, town_id: int | None) -> int:
        return next((i for i, r in enumerate(self.rows) if r.town_id == town_id), -1)

    def text(self, row: TownListRow, key: str) -> str:
        if key == "status":
            return row.status.label if row.status else "未建立"
        if key == "share_pct":
            return pct_text(row.share_pct)
        return super().text(row, key)

    def background(self, row: TownListRow, key: str):
        if key == "share_pct" and row.below_minimum:
            return AMBER.name()
        if key == "status" and row.status is not None:
            return LIST_STATUS_COLOURS[row.status]
        return None

    def foreground(self, row: TownListRow, key: str):
        return MUTED.name() if row.status is None else None

    def tooltip(self, row: TownListRow, key: str):
        if key == "share_pct" and row.below_minimum:
            return row.share.message
        if key == "share_pct" and row.list_id is not None:
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

    def text(self, row: EntryRow, key: str) -> str:
        if key == "method":
            return method_text(row.method)
        return super().text(row, key)

    def background(self, row: EntryRow, key: str):
        if key == "state":
            return STATE_COLOURS[row.state]
        return None

    def foreground(self, row: EntryRow, key: str):
        if row.state is EntryState.CANCELLED:
            return MUTED.name()
        if key in ("method", "planned_area_mu") and row.method in rules.UNCOUNTED_METHODS:
            return MUTED.name()
        return None

    def font(self, row: EntryRow, key: str):
        if row.state is EntryState.CANCELLED and key in ("target_name", "planned_area_mu"):
            f = QFont()
            f.setStrikeOut(True)
            return f
        return None

    def tooltip(self, row: EntryRow, key: str):
        if key in ("method", "planned_area_mu") and row.method in rules.UNCOUNTED_METHODS:
            return UNCOUNTED_TIP
        if key == "verified_area_mu" and row.state is not EntryState.VERIFIED:
            return "只有已核实的面积计入完成量"
        if key in ("state", "state_reason") and row.state_reason:
            return row.state_reason
        return None


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

    def text(self, row: PlanRow, key: str) -> str:
        if key == "method":
            return method_text(row.method)
        if key == "loan_count":
            return f"{row.loan_count} 笔" if row.loan_count else "—"
        return super().text(row, key)

    def background(self, row: PlanRow, key: str):
        if key == "entry_state":
            return STATE_COLOURS[row.entry_state]
        return None

    def foreground(self, row: PlanRow, key: str):
        if key in ("method", "planned_area_mu") and not row.counted:
            return MUTED.name()
        return None

    def tooltip(self, row: PlanRow, key: str):
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

    def foreground(self, row: CandidateRow, key: str):
        if row.state in (TargetState.DONE, TargetState.IN_PROGRESS):
            return MUTED.name()
        return None

    def tooltip(self, row: CandidateRow, key: str):
        if row.address:
            return f"地址：{row.address}"
        return None
