"""Table models and small helpers shared by the 收储与收购 page's tabs (政府收储, 市场化收购, 协议, 成本均价)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QByteArray, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHeaderView, QLabel, QTableView, QWidget

from desktop.services import units

RED = QColor("#c0392b")
MISSING_BACKGROUND = QColor("#F8D7DA")  # 缺报 / over the cap
AMBER = QColor("#FFD966")  # unpaid balance
MUTED = QColor("#8A8A8A")
# Tables whose change makes the page's data stale.
RELEVANT_TABLES = {"*", "agreement", "land_banking", "groundwork_record", "acquisition", "tax_record", "plan",
                   "list_entry", "governance_list", "town", "soe", "target", "year", "year_params", "attachment"}


def fmt_date(value: dt.date | None) -> str:
    return "" if value is None else f"{value.year}-{value.month:02d}-{value.day:02d}"


def _sort_key(value):
    if value is None:
        return (0, "")
    if isinstance(value, bool):
        return (1, int(value))
    if hasattr(value, "label"):
        return (1, list(type(value)).index(value))
    if isinstance(value, (tuple, list)):
        return (1, len(value))
    return (1, value)


class RowsModel(QAbstractTableModel):
    """Read-only rows of dataclasses; `COLUMNS` = (attribute, header); sortable in place.

    Subclasses colour rows by overriding `foreground` / `background` / `tooltip`.
    """

    COLUMNS: list[tuple[str, str]] = []
    NUMERIC: set[str] = set()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list = []

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_of(self, row_id) -> int:
        return next((i for i, r in enumerate(self.rows) if r.id == row_id), -1)

    def key(self, column: int) -> str:
        return self.COLUMNS[column][0]

    def column(self, key: str) -> int:
        return [k for k, _ in self.COLUMNS].index(key)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.COLUMNS)):
            return self.COLUMNS[section][1]
        return None

    def value(self, row, key: str):
        return getattr(row, key)

    def display(self, row, key: str) -> str:
        value = self.value(row, key)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "是" if value else ""
        if isinstance(value, Decimal):
            return units.fmt(value, 2)
        if isinstance(value, dt.date):
            return fmt_date(value)
        if hasattr(value, "label"):
            return value.label
        if isinstance(value, (tuple, list)):
            return "、".join(str(v) for v in value)
        return str(value)

    def foreground(self, row, key: str) -> QColor | None:
        return None

    def background(self, row, key: str) -> QColor | None:
        return None

    def bold(self, row, key: str) -> bool:
        return False

    def tooltip(self, row, key: str) -> str | None:
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows) or not 0 <= index.column() < len(self.COLUMNS):
            return None
        row, key = self.rows[index.row()], self.COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, key)
        if role == Qt.ItemDataRole.TextAlignmentRole and key in self.NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            color = self.foreground(row, key)
            return QBrush(color) if color is not None else None
        if role == Qt.ItemDataRole.BackgroundRole:
            color = self.background(row, key)
            return QBrush(color) if color is not None else None
        if role == Qt.ItemDataRole.FontRole and self.bold(row, key):
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, key)
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.COLUMNS):
            return
        key = self.COLUMNS[column][0]
        self.layoutAboutToBeChanged.emit()
        self.rows.sort(key=lambda r: _sort_key(self.value(r, key)), reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()


# --- The tables of each tab --------------------------------------------------------------------------

class LandBankEntryModel(RowsModel):
    """政府收储: the entries with a filed 收储 plan."""

    COLUMNS = [("town", "镇街"), ("target", "治理对象"), ("planned_area_mu", "计划面积（亩）"), ("soe", "合作国企"),
               ("state", "清单状态"), ("steps_text", "前期工作"), ("missing_steps", "未完成步骤"),
               ("cooperation_signed_on", "合作协议"), ("landbank_signed_on", "收储协议"),
               ("landbank_cost_per_mu", "收储单价（万元/亩）"), ("all_filed", "均已备案")]
    NUMERIC = {"planned_area_mu", "landbank_cost_per_mu"}

    def display(self, row, key: str) -> str:
        if key in ("cooperation_signed_on", "landbank_signed_on") and self.value(row, key) is None:
            return "未签订"
        return super().display(row, key)

    def foreground(self, row, key):
        if key == "missing_steps" and row.missing_steps:
            return RED
        if key in ("cooperation_signed_on", "landbank_signed_on") and self.value(row, key) is None:
            return MUTED
        return None


class StepModel(RowsModel):
    """The four groundwork steps of one entry, done or missing."""

    COLUMNS = [("step", "步骤"), ("done_on", "完成日期"), ("attachments", "证明材料"), ("result", "结果")]

    def display(self, row, key: str) -> str:
        if key == "done_on" and not row.done:
            return "未完成"
        if key == "attachments":
            if row.record_id is None:
                return ""
            return f"{row.attachments} 份" if row.attachments else "未上传"
        return super().display(row, key)

    def foreground(self, row, key):
        if key == "done_on" and not row.done:
            return RED
        if key == "attachments" and not row.attachments:
            return MUTED
        return None


class AgreementModel(RowsModel):
    """Agreements (the 协议 tab shows every column; the detail panes fewer)."""

    COLUMNS = [("kind", "协议类型"), ("town", "镇街"), ("soe", "市级国企"), ("target", "治理对象"),
               ("party_a", "甲方"), ("party_b", "乙方"), ("signed_on", "签订日期"), ("amount_wan", "金额（万元）"),
               ("area_mu", "面积（亩）"), ("cost_per_mu", "单价（万元/亩）"), ("filed_on", "备案日期"),
               ("over_cap_confirmed", "超限确认"), ("attachments", "扫描件")]
    NUMERIC = {"amount_wan", "area_mu", "cost_per_mu", "attachments"}

    def display(self, row, key: str) -> str:
        if key == "filed_on" and row.filed_on is None:
            return "未备案"
        if key == "attachments":
            return f"{row.attachments} 份" if row.attachments else ""
        return super().display(row, key)

    def foreground(self, row, key):
        if row.over_cap_confirmed and key in ("cost_per_mu", "over_cap_confirmed"):
            return RED
        if key == "filed_on" and row.filed_on is None:
            return MUTED
        return None

    def tooltip(self, row, key):
        if row.over_cap_confirmed:
            return "保存时国企×镇街年度收储成本均价超过上限，经确认后保存" + (f"：{row.note}" if row.note else "")
        return row.note or None


class ShortAgreementModel(AgreementModel):
    COLUMNS = [("kind", "协议类型"), ("party_a", "甲方"), ("party_b", "乙方"), ("signed_on", "签订日期"),
               ("amount_wan", "金额（万元）"), ("area_mu", "面积（亩）"), ("cost_per_mu", "单价（万元/亩）"),
               ("filed_on", "备案日期"), ("attachments", "扫描件")]


class AcquisitionModel(RowsModel):
    """市场化收购: the entries with a filed 收购 plan."""

    COLUMNS = [("town", "镇街"), ("target", "治理对象"), ("planned_area_mu", "面积（亩）"), ("investor", "投资方"),
               ("new_project", "新上项目"), ("stage_text", "阶段"), ("joint_review_text", "会审"),
               ("missing_months", "税收缺报（月）"), ("unpaid_wan", "欠缴（万元）"),
               ("signed_on", "收购协议签订"), ("filed_on", "收购协议备案")]
    NUMERIC = {"planned_area_mu", "missing_months", "unpaid_wan"}

    def display(self, row, key: str) -> str:
        if key in ("missing_months", "unpaid_wan") and not self.value(row, key):
            return ""
        return super().display(row, key)

    def foreground(self, row, key):
        if key == "stage_text" and row.joint_review_passed is False:
            return RED
        if key == "missing_months" and row.missing_months:
            return RED
        return None

    def background(self, row, key):
        if key == "unpaid_wan" and row.unpaid_wan > 0:
            return AMBER
        return None


class TaxMonthModel(RowsModel):
    """Monthly tax feedback of one acquisition: 缺报 months red, unpaid months amber."""

    COLUMNS = [("month", "月份"), ("due_wan", "应缴（万元）"), ("paid_wan", "已缴（万元）"), ("status", "情况"),
               ("note", "备注")]
    NUMERIC = {"due_wan", "paid_wan"}

    def display(self, row, key: str) -> str:
        if key == "month":
            return f"{row.month.year}年{row.month.month}月"
        return super().display(row, key)

    def foreground(self, row, key):
        if row.missing:
            return RED
        return None

    def background(self, row, key):
        if row.missing:
            return MISSING_BACKGROUND
        if row.unpaid and key in ("paid_wan", "status"):
            return AMBER
        return None

    def tooltip(self, row, key):
        if row.missing:
            return "该月税务部门未反馈（缺报）"
        return None


class PairModel(RowsModel):
    """成本均价: SOE × town pairs of the year over their 收储协议; over the cap in red."""

    COLUMNS = [("soe", "市级国企"), ("town", "镇街"), ("agreements", "收储协议（份）"),
               ("total_amount_wan", "金额合计（万元）"), ("total_area_mu", "面积合计（亩）"),
               ("average", "成本均价（万元/亩）"), ("cap", "上限（万元/亩）"), ("over", "超上限"),
               ("confirmed", "经确认超限（份）")]
    NUMERIC = {"agreements", "total_amount_wan", "total_area_mu", "average", "cap", "confirmed"}

    def display(self, row, key: str) -> str:
        if key == "cap":
            return format(row.cap.normalize(), "f")
        if key == "confirmed":
            return str(row.confirmed) if row.confirmed else ""
        return super().display(row, key)

    def foreground(self, row, key):
        return RED if row.over else None

    def background(self, row, key):
        return MISSING_BACKGROUND if row.over else None

    def bold(self, row, key) -> bool:
        return row.over and key in ("average", "over")

    def tooltip(self, row, key):
        if row.over:
            return f"成本均价 {row.average} 万元/亩，超过上限 {format(row.cap.normalize(), 'f')} 万元/亩（四(二)）"
        return None


# --- Widget helpers ------------------------------------------------------------------------------------

def setup_table(table: QTableView, model: RowsModel, name: str) -> None:
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.setAlternatingRowColors(True)
    table.setSortingEnabled(True)
    header = table.horizontalHeader()
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    header.setSortIndicatorClearable(True)
    header.setStretchLastSection(True)
    header.setDefaultSectionSize(100)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)


def fit_rows(table: QTableView, rows: int) -> None:
    """Make a short table (the four steps) exactly as tall as its rows."""
    height = table.horizontalHeader().sizeHint().height() + rows * table.verticalHeader().defaultSectionSize()
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setFixedHeight(height + 2 * table.frameWidth())


def set_widths(table: QTableView, widths: dict[str, int]) -> None:
    model: RowsModel = table.model()
    for key, width in widths.items():
        table.setColumnWidth(model.column(key), width)


def restore_header(settings, key: str, table: QTableView) -> None:
    state = settings.value(key)
    if isinstance(state, QByteArray):
        table.horizontalHeader().restoreState(state)


def selected_row(table: QTableView):
    model: RowsModel = table.model()
    rows = table.selectionModel().selectedRows()
    if not rows:
        return None
    r = rows[0].row()
    return model.rows[r] if 0 <= r < len(model.rows) else None


def set_rows_keep(table: QTableView, rows) -> None:
    """Replace the rows, keeping the sort order and the selected row (by id)."""
    model: RowsModel = table.model()
    current = selected_row(table)
    model.set_rows(rows)
    header = table.horizontalHeader()
    if header.sortIndicatorSection() >= 0:
        model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
    row = model.row_of(current.id) if current is not None else -1
    if row >= 0:
        table.selectRow(row)


def sync_combo(combo: QComboBox, items: list[tuple[object, str]]) -> None:
    """Refill a filter combo's items after its first ('全部') entry, keeping the selection."""
    have = [(combo.itemData(i), combo.itemText(i)) for i in range(1, combo.count())]
    if have == items:
        return
    current = combo.currentData()
    combo.blockSignals(True)
    while combo.count() > 1:
        combo.removeItem(1)
    for data, text in items:
        combo.addItem(text, data)
    combo.setCurrentIndex(max(combo.findData(current), 0))
    combo.blockSignals(False)


class TabBase(QWidget):
    """A tab of the page: refreshes lazily (when shown and stale), remembers its column widths."""

    SETTINGS_PREFIX = "landbank"

    def __init__(self, ctx) -> None:
        super().__init__()
        self.ctx = ctx
        self._stale = True
        self._token = 0

    def tables(self) -> dict[str, QTableView]:
        return {}

    def activate(self) -> None:
        if self._stale:
            self.refresh()

    def mark_stale(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def refresh(self) -> None:  # pragma: no cover - each tab has its own
        raise NotImplementedError

    def next_token(self) -> int:
        self._stale = False
        self._token += 1
        return self._token

    def current(self, token: int) -> bool:
        return token == self._token

    def restore_layout(self) -> None:
        for name, table in self.tables().items():
            restore_header(self.ctx.settings, f"{self.SETTINGS_PREFIX}/{name}", table)

    def save_layout(self) -> None:
        for name, table in self.tables().items():
            self.ctx.settings.setValue(f"{self.SETTINGS_PREFIX}/{name}", table.horizontalHeader().saveState())


def title_label(text: str) -> QLabel:
    label = QLabel(text)
    f = label.font()
    f.setBold(True)
    label.setFont(f)
    return label
