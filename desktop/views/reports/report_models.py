"""Table models of the 月度报送与核实 page: the month's town overview (全部镇街 last), the verification grid
(items × verifying departments) and the add dialog's entries in 实施中. Rows are report_service's
dataclasses; a month is at most a few hundred rows, so sorting and filtering happen in memory."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from desktop.models.enums import VerifyResult
from desktop.services import rules, units
from desktop.services.errors import ValidationError
from desktop.services.reports import report_service
from desktop.services.reports.report_service import ItemRow, ReportableEntry, TownMonth
from desktop.views.kit.rows import MUTED, RED, RowsModel, date_text, mu
from desktop.views.kit.totals import TotalsRowsModel

GREEN = QColor("#1E7B34")
FAILED_BACKGROUND = QColor("#FFE3E0")
VERIFIED_BACKGROUND = QColor("#E3F2E1")
LATE = "逾期"
CENTER = int(Qt.AlignmentFlag.AlignCenter)


def short_date(value: dt.date | None) -> str:
    return "" if value is None else f"{value.month}月{value.day}日"


class OverviewModel(TotalsRowsModel):
    """One row per town for the month, then the totals row 全部镇街 — always last; selecting it shows
    every town's items."""

    COLUMNS = [("town", "镇街"), ("reported_on", "报送日期"), ("status", "报送情况"), ("items", "条目"),
               ("verified", "已核实"), ("failed", "未通过"), ("pending", "待核实"), ("late_verifications", "核实逾期")]
    NUMERIC = frozenset({"items", "verified", "failed", "pending", "late_verifications"})
    TOTALS_NAME = "全部镇街"
    EMPTY_TOTALS = True

    def set_overview(self, overview: report_service.MonthOverview) -> None:
        self.set_rows(overview.towns, dataclasses.replace(overview.totals, town=self.TOTALS_NAME))

    def row_of_town(self, town_id: int | None) -> int:
        """Row of a town; None (all towns) is the totals row."""
        if town_id is None:
            return len(self.rows) if self.totals is not None else -1
        return next((i for i, r in enumerate(self.rows) if r.town_id == town_id), -1)

    def display(self, r: TownMonth, key: str) -> str:
        if key == "reported_on":  # the month is the picker's; a late one may fall in the next month
            return short_date(r.reported_on)
        return str(getattr(r, key))

    def total_display(self, totals: TownMonth, key: str) -> str:
        return "" if key in ("reported_on", "status") else str(getattr(totals, key))

    def foreground(self, r: TownMonth, key: str) -> QColor | None:
        if key == "status":
            return RED if r.is_late or r.overdue else MUTED if r.reported_on is None else None
        return self.total_foreground(r, key)

    def total_foreground(self, totals: TownMonth, key: str) -> QColor | None:
        return RED if key in ("failed", "late_verifications") and getattr(totals, key) else None

    def tooltip(self, r: TownMonth, key: str) -> str | None:
        if key == "status" and r.is_late:
            return "报送日期晚于截止日，记为逾期（计入考核排名）"
        if key == "status" and r.overdue:
            return "已过报送截止日，尚未报送"
        if key == "late_verifications" and r.late_verifications:
            return f"{r.late_verifications} 次核实晚于核实截止日"
        return None

    def total_tooltip(self, totals: TownMonth, key: str) -> str:
        return "选择此行查看本月全部镇街的报送条目"


class ItemGridModel(RowsModel):
    """The verification grid: one row per reported entry; a column per verifying department with
    通过 / 不通过 / —, then the overall state, late flags and evidence count."""

    LEAD = [("town", "镇街"), ("target", "治理对象"), ("completed_area_mu", "完成面积（亩）")]
    TAIL = [("overall", "核实状态"), ("late_text", "逾期"), ("attachments", "材料")]
    NUMERIC = frozenset({"completed_area_mu", "attachments"})

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.departments: list[str] = []
        self.COLUMNS = self.LEAD + self.TAIL

    def set_table(self, table: report_service.VerificationTable) -> None:
        """The month's items; the department columns follow the year's verifying departments."""
        self.beginResetModel()
        self.departments = list(table.departments)
        self.COLUMNS = self.LEAD + [(f"dept:{i}", n) for i, n in enumerate(self.departments)] + self.TAIL
        self._all = list(table.rows)
        self._apply()
        self.endResetModel()

    def column_of(self, key: str) -> int:
        return self.column(key)

    def department_index(self, column: int) -> int | None:
        """Which department a column shows (None for the other columns)."""
        d = column - len(self.LEAD)
        return d if 0 <= d < len(self.departments) else None

    def _cell(self, r: ItemRow, key: str):
        if not key.startswith("dept:"):
            return None
        d = int(key[5:])
        return r.cells[d] if d < len(r.cells) else None

    def matches(self, r: ItemRow, term: str) -> bool:
        return term in r.target.lower() or term in (r.credit_code or "").lower() or term in r.town.lower()

    # Cells ------------------------------------------------------------------------------------
    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal \
                and self.department_index(section) is not None:
            return "双击或回车录入该部门的核实结果"
        return super().headerData(section, orientation, role)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.TextAlignmentRole and index.isValid() and 0 <= index.column() < len(self.COLUMNS) \
                and (self.department_index(index.column()) is not None or self.key(index.column()) == "overall"):
            return CENTER
        return super().data(index, role)

    def value(self, r: ItemRow, key: str):
        cell = self._cell(r, key)
        if cell is not None:
            return cell.result
        value = getattr(r, key)
        return value if value != "" else None

    def display(self, r: ItemRow, key: str) -> str:
        cell = self._cell(r, key)
        if cell is not None:
            return cell.text + (f" {LATE}" if cell.is_late else "")
        if key == "attachments":
            return str(r.attachments) if r.attachments else "无"
        return super().display(r, key)

    def foreground(self, r: ItemRow, key: str) -> QColor | None:
        cell = self._cell(r, key)
        if cell is not None:
            if cell.result is VerifyResult.FAIL or cell.is_late:
                return RED
            return GREEN if cell.result is VerifyResult.PASS else MUTED
        if key == "late_text" and r.late_text or key == "overall" and r.overall == report_service.OVERALL_FAILED:
            return RED
        return MUTED if (key == "attachments" and not r.attachments) or not r.is_current else None

    def background(self, r: ItemRow, key: str) -> QColor | None:
        if key != "overall":
            return None
        return {report_service.OVERALL_VERIFIED: VERIFIED_BACKGROUND,
                report_service.OVERALL_FAILED: FAILED_BACKGROUND}.get(r.overall)

    def tooltip(self, r: ItemRow, key: str) -> str | None:
        cell = self._cell(r, key)
        if cell is not None:
            if cell.result is None:
                return f"{cell.department}：尚未核实（双击录入）"
            tip = f"{cell.department}：{cell.text}，{date_text(cell.verified_on)}"
            if cell.is_late:
                tip += "（晚于核实截止日，逾期）"
            return tip + (f"\n说明：{cell.note}" if cell.note else "")
        if key == "overall" and not r.is_current:
            return f"该条目已重新实施并另行报送，当前状态：{r.entry_state.label}"
        if key == "completed_area_mu":
            return f"计划面积 {mu(r.planned_area_mu)} 亩"
        if key == "late_text" and r.late_text:
            return r.late_text
        if key == "attachments":
            return f"证明材料 {r.attachments} 个" if r.attachments else "尚无证明材料"
        if key == "target" and r.credit_code:
            return f"{r.target}\n统一社会信用代码：{r.credit_code}"
        return None


class ReportableModel(RowsModel):
    """The add dialog: the town's entries in 实施中, a check box each and an editable completed area
    (the planned area until changed). Ticks survive the text filter."""

    COLUMNS = [("check", ""), ("target", "治理对象"), ("credit_code", "统一社会信用代码"), ("method", "治理方式"),
               ("park", "所在片区"), ("planned_area_mu", "计划面积（亩）"), ("area", "完成面积（亩）")]
    NUMERIC = frozenset({"planned_area_mu", "area"})
    AREA_COLUMN = 6

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.checked: set[int] = set()
        self.areas: dict[int, Decimal] = {}

    def set_rows(self, rows: list[ReportableEntry]) -> None:
        self.checked &= {r.entry_id for r in rows}
        super().set_rows(rows)

    def chosen(self) -> list[tuple[int, Decimal | None]]:
        """(entry id, completed area or None for the planned area) of the ticked rows, in table order."""
        return [(r.entry_id, self.areas.get(r.entry_id)) for r in self._all if r.entry_id in self.checked]

    def planned_of(self, entry_id: int) -> Decimal:
        return next(r.planned_area_mu for r in self._all if r.entry_id == entry_id)

    def set_all(self, checked: bool) -> None:
        self.checked = {r.entry_id for r in self._all} if checked else set()
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, 0), [Qt.ItemDataRole.CheckStateRole])

    def matches(self, r: ReportableEntry, term: str) -> bool:
        return term in r.target.lower() or term in (r.credit_code or "").lower()

    def _area(self, r: ReportableEntry) -> Decimal:
        return self.areas.get(r.entry_id, r.planned_area_mu)

    def value(self, r: ReportableEntry, key: str):
        if key == "check":
            return r.entry_id in self.checked
        return self._area(r) if key == "area" else getattr(r, key)

    def display(self, r: ReportableEntry, key: str) -> str:
        if key == "check":
            return ""
        if key == "method":
            return r.method.label + ("（不计入统计）" if r.method in rules.UNCOUNTED_METHODS else "")
        return super().display(r, key)

    def foreground(self, r: ReportableEntry, key: str) -> QColor | None:
        return MUTED if key == "area" and r.entry_id not in self.areas else None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole \
                and section == self.AREA_COLUMN:
            return "双击修改本次完成的面积（默认为计划面积）"
        return super().headerData(section, orientation, role)

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0:
            f |= Qt.ItemFlag.ItemIsUserCheckable
        if index.column() == self.AREA_COLUMN:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        r = self.item(index.row()) if index.isValid() else None
        if r is not None and role == Qt.ItemDataRole.CheckStateRole and index.column() == 0:
            return Qt.CheckState.Checked if r.entry_id in self.checked else Qt.CheckState.Unchecked
        if r is not None and role == Qt.ItemDataRole.EditRole and index.column() == self.AREA_COLUMN:
            return format(self._area(r).normalize(), "f")
        return super().data(index, role)

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        r = self.item(index.row()) if index.isValid() else None
        if r is None:
            return False
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == 0:
            state = value if isinstance(value, Qt.CheckState) else Qt.CheckState(value)
            (self.checked.add if state == Qt.CheckState.Checked else self.checked.discard)(r.entry_id)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
            return True
        if role != Qt.ItemDataRole.EditRole or index.column() != self.AREA_COLUMN:
            return False
        try:
            area = units.parse_area(value, field="completed_area_mu", label="完成面积")
        except ValidationError:
            return False
        if area is None or area <= 0:
            return False
        if area == r.planned_area_mu:
            self.areas.pop(r.entry_id, None)
        else:
            self.areas[r.entry_id] = area
        self.checked.add(r.entry_id)  # editing the area means this one is reported
        self.dataChanged.emit(self.index(index.row(), 0), index)
        return True
