"""Table models of the 月度报送与核实 page: the month's town overview, the verification grid (items ×
verifying departments) and the add dialog's entries in 实施中. Rows are report_service's dataclasses;
a month is at most a few hundred rows, so sorting and filtering happen in memory."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.models.enums import Method, VerifyResult
from desktop.services import rules, units
from desktop.services.reports import report_service
from desktop.services.errors import ValidationError
from desktop.services.reports.report_service import ItemRow, ReportableEntry, TownMonth

RED = QColor("#C0392B")
GREEN = QColor("#1E7B34")
MUTED = QColor("#8A8A8A")
TOTALS_BACKGROUND = QColor("#EEF2F7")
FAILED_BACKGROUND = QColor("#FFE3E0")
VERIFIED_BACKGROUND = QColor("#E3F2E1")
LATE = "逾期"
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
CENTER = int(Qt.AlignmentFlag.AlignCenter)


def date_text(value: dt.date | None) -> str:
    return "" if value is None else f"{value.year}-{value.month:02d}-{value.day:02d}"


def short_date(value: dt.date | None) -> str:
    return "" if value is None else f"{value.month}月{value.day}日"


def _key(value):
    if value is None or value == "":
        return (0, 0)
    if isinstance(value, (Method, VerifyResult)):
        return (1, list(type(value)).index(value))
    return (1, value)


def _bold() -> QFont:
    f = QFont()
    f.setBold(True)
    return f


class OverviewModel(QAbstractTableModel):
    """One row per town for the month, then the totals row 全部镇街 — always last; selecting it shows
    every town's items."""

    COLUMNS = [("town", "镇街"), ("reported_on", "报送日期"), ("status", "报送情况"), ("items", "条目"),
               ("verified", "已核实"), ("failed", "未通过"), ("pending", "待核实"), ("late_verifications", "核实逾期")]
    NUMERIC = frozenset({"items", "verified", "failed", "pending", "late_verifications"})
    TOTALS_NAME = "全部镇街"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._all: list[TownMonth] = []
        self.rows: list[TownMonth] = []
        self.totals: TownMonth | None = None
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)

    def set_overview(self, overview: report_service.MonthOverview) -> None:
        self.beginResetModel()
        self._all = list(overview.towns)
        self.totals = dataclasses.replace(overview.totals, town=self.TOTALS_NAME)
        self._apply_sort()
        self.endResetModel()

    def row_item(self, row: int) -> TownMonth | None:
        if 0 <= row < len(self.rows):
            return self.rows[row]
        if row == len(self.rows) and self.totals is not None:
            return self.totals
        return None

    def is_totals(self, row: int) -> bool:
        return self.totals is not None and row == len(self.rows)

    def row_of_town(self, town_id: int | None) -> int:
        """Row of a town; None (all towns) is the totals row."""
        if town_id is None:
            return len(self.rows) if self.totals is not None else -1
        return next((i for i, r in enumerate(self.rows) if r.town_id == town_id), -1)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows) + (1 if self.totals is not None else 0)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section][1]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self.row_item(index.row())
        if r is None or not 0 <= index.column() < len(self.COLUMNS):
            return None
        key = self.COLUMNS[index.column()][0]
        totals = self.is_totals(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "reported_on":  # the month is the picker's; a late one may fall in the next month
                return "" if totals else short_date(r.reported_on)
            if key == "status":
                return "" if totals else r.status
            return str(getattr(r, key))
        if role == Qt.ItemDataRole.ForegroundRole:
            if key == "status" and not totals and (r.is_late or r.overdue):
                return QBrush(RED)
            if key == "status" and r.reported_on is None:
                return QBrush(MUTED)
            if key == "failed" and r.failed or key == "late_verifications" and r.late_verifications:
                return QBrush(RED)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and key in self.NUMERIC:
            return RIGHT
        if role == Qt.ItemDataRole.BackgroundRole and totals:
            return QBrush(TOTALS_BACKGROUND)
        if role == Qt.ItemDataRole.FontRole and totals:
            return _bold()
        if role == Qt.ItemDataRole.ToolTipRole:
            if totals:
                return "选择此行查看本月全部镇街的报送条目"
            if key == "status" and r.is_late:
                return "报送日期晚于截止日，记为逾期（计入考核排名）"
            if key == "status" and r.overdue:
                return "已过报送截止日，尚未报送"
            if key == "late_verifications" and r.late_verifications:
                return f"{r.late_verifications} 次核实晚于核实截止日"
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply_sort()
        self.layoutChanged.emit()

    def _apply_sort(self) -> None:
        column, order = self._sort
        if not 0 <= column < len(self.COLUMNS):
            self.rows = list(self._all)
            return
        key = self.COLUMNS[column][0]
        attr = "status" if key == "status" else key
        self.rows = sorted(self._all, key=lambda r: _key(getattr(r, attr)),
                           reverse=order == Qt.SortOrder.DescendingOrder)


class ItemGridModel(QAbstractTableModel):
    """The verification grid: one row per reported entry; a column per verifying department with
    通过 / 不通过 / —, then the overall state, late flags and evidence count."""

    LEAD = [("town", "镇街"), ("target", "治理对象"), ("completed_area_mu", "完成面积（亩）")]
    TAIL = [("overall", "核实状态"), ("late_text", "逾期"), ("attachments", "材料")]
    NUMERIC = frozenset({"completed_area_mu", "attachments"})

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.departments: list[str] = []
        self._all: list[ItemRow] = []
        self.rows: list[ItemRow] = []
        self._filter = ""
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)

    # Columns -------------------------------------------------------------------------------
    def columns(self) -> list[tuple[str, str]]:
        return self.LEAD + [(f"dept:{i}", n) for i, n in enumerate(self.departments)] + self.TAIL

    def column_of(self, key: str) -> int:
        return [k for k, _ in self.columns()].index(key)

    def department_index(self, column: int) -> int | None:
        """Which department a column shows (None for the other columns)."""
        d = column - len(self.LEAD)
        return d if 0 <= d < len(self.departments) else None

    # Data in -------------------------------------------------------------------------------
    def set_table(self, table: report_service.VerificationTable) -> None:
        self.beginResetModel()
        self.departments = list(table.departments)
        self._all = list(table.rows)
        self._apply()
        self.endResetModel()

    def set_filter(self, text: str) -> None:
        self.beginResetModel()
        self._filter = (text or "").strip().lower()
        self._apply()
        self.endResetModel()

    def row_of(self, item_id: int | None) -> int:
        return next((i for i, r in enumerate(self.rows) if r.item_id == item_id), -1)

    def item(self, row: int) -> ItemRow | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    # Qt model ------------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.LEAD) + len(self.departments) + len(self.TAIL)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns()[section][1]
        if role == Qt.ItemDataRole.ToolTipRole and self.department_index(section) is not None:
            return "双击或回车录入该部门的核实结果"
        return None

    def _cell(self, r: ItemRow, column: int):
        d = self.department_index(column)
        return r.cells[d] if d is not None and d < len(r.cells) else None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows) or not 0 <= index.column() < self.columnCount():
            return None
        r = self.rows[index.row()]
        key = self.columns()[index.column()][0]
        cell = self._cell(r, index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if cell is not None:
                return cell.text + (f" {LATE}" if cell.is_late else "")
            if key == "completed_area_mu":
                return units.fmt(r.completed_area_mu, 2)
            if key == "attachments":
                return str(r.attachments) if r.attachments else "无"
            if key == "credit_code":
                return r.credit_code or ""
            return str(getattr(r, key))
        if role == Qt.ItemDataRole.ForegroundRole:
            if cell is not None:
                if cell.result is VerifyResult.FAIL or cell.is_late:
                    return QBrush(RED)
                if cell.result is VerifyResult.PASS:
                    return QBrush(GREEN)
                return QBrush(MUTED)
            if key == "late_text" and r.late_text or key == "overall" and r.overall == report_service.OVERALL_FAILED:
                return QBrush(RED)
            if key == "attachments" and not r.attachments:
                return QBrush(MUTED)
            if not r.is_current:
                return QBrush(MUTED)
            return None
        if role == Qt.ItemDataRole.BackgroundRole and key == "overall":
            if r.overall == report_service.OVERALL_VERIFIED:
                return QBrush(VERIFIED_BACKGROUND)
            if r.overall == report_service.OVERALL_FAILED:
                return QBrush(FAILED_BACKGROUND)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if cell is not None or key == "overall":
                return CENTER
            if key in self.NUMERIC:
                return RIGHT
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
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
                return f"计划面积 {units.fmt(r.planned_area_mu, 2)} 亩"
            if key == "late_text" and r.late_text:
                return r.late_text
            if key == "attachments":
                return f"证明材料 {r.attachments} 个" if r.attachments else "尚无证明材料"
            if key == "target" and r.credit_code:
                return f"{r.target}\n统一社会信用代码：{r.credit_code}"
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply()
        self.layoutChanged.emit()

    def _value(self, r: ItemRow, column: int):
        cell = self._cell(r, column)
        if cell is not None:
            return cell.result
        key = self.columns()[column][0]
        value = getattr(r, key)
        return value if value != "" else None

    def _apply(self) -> None:
        rows = self._all
        if self._filter:
            rows = [r for r in rows if self._filter in r.target.lower() or self._filter in (r.credit_code or "").lower()
                    or self._filter in r.town.lower()]
        column, order = self._sort
        if 0 <= column < self.columnCount():
            rows = sorted(rows, key=lambda r: _key(self._value(r, column)),
                          reverse=order == Qt.SortOrder.DescendingOrder)
        self.rows = list(rows)


class ReportableModel(QAbstractTableModel):
    """The add dialog: the town's entries in 实施中, a check box each and an editable completed area
    (the planned area until changed)."""

    COLUMNS = [("check", ""), ("target", "治理对象"), ("credit_code", "统一社会信用代码"), ("method", "治理方式"),
               ("park", "所在片区"), ("planned_area_mu", "计划面积（亩）"), ("area", "完成面积（亩）")]
    AREA_COLUMN = 6

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[ReportableEntry] = []
        self.checked: set[int] = set()
        self.areas: dict[int, Decimal] = {}

    def set_rows(self, rows: list[ReportableEntry]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.checked &= {r.entry_id for r in rows}
        self.endResetModel()

    def chosen(self) -> list[tuple[int, Decimal | None]]:
        """(entry id, completed area or None for the planned area) of the checked rows, in table order."""
        return [(r.entry_id, self.areas.get(r.entry_id)) for r in self.rows if r.entry_id in self.checked]

    def set_all(self, checked: bool) -> None:
        self.checked = {r.entry_id for r in self.rows} if checked else set()
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, 0), [Qt.ItemDataRole.CheckStateRole])

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section][1]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole \
                and section == self.AREA_COLUMN:
            return "双击修改本次完成的面积（默认为计划面积）"
        return None

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
        if not index.isValid() or not 0 <= index.row() < len(self.rows) or not 0 <= index.column() < len(self.COLUMNS):
            return None
        r = self.rows[index.row()]
        key = self.COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.CheckStateRole and key == "check":
            return Qt.CheckState.Checked if r.entry_id in self.checked else Qt.CheckState.Unchecked
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if key == "check":
                return None
            if key == "method":
                return r.method.label + ("（不计入统计）" if r.method in rules.UNCOUNTED_METHODS else "")
            if key == "planned_area_mu":
                return units.fmt(r.planned_area_mu, 2)
            if key == "area":
                area = self.areas.get(r.entry_id, r.planned_area_mu)
                if role == Qt.ItemDataRole.EditRole:
                    return format(area.normalize(), "f")
                return units.fmt(area, 2)
            return getattr(r, key) or ""
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("planned_area_mu", "area"):
            return RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and key == "area" and r.entry_id not in self.areas:
            return QBrush(MUTED)
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return False
        r = self.rows[index.row()]
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == 0:
            state = Qt.CheckState(value) if not isinstance(value, Qt.CheckState) else value
            if state == Qt.CheckState.Checked:
                self.checked.add(r.entry_id)
            else:
                self.checked.discard(r.entry_id)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
            return True
        if role == Qt.ItemDataRole.EditRole and index.column() == self.AREA_COLUMN:
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
            first = self.index(index.row(), 0)
            self.dataChanged.emit(first, index)
            return True
        return False
