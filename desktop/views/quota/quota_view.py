"""周转指标库 page (四(三)): the ledger per loan, per SOE or per town as of a date; new loans against a
filed 收储 plan (cap shown live), partial returns, and the ledger exported to Excel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services import units
from desktop.services.quota import quota_service
from desktop.services.errors import UserError, ValidationError
from desktop.services.quota.quota_service import LedgerTotal, LoanLedgerRow, PlanChoice, QuotaLedger, ReturnRow
from desktop.views.kit.context import AppContext
from desktop.views.kit.file_choice import ask_save_xlsx
from desktop.views.kit.forms import FieldErrorDialog, HINT_STYLE, error_label, show_at
from desktop.views.kit.page_state import LazyRefresh, restore_states, save_states
from desktop.views.kit.table_export import add_export_action, describe_filters
from desktop.views.kit.worker import show_error

RELEVANT_TABLES = {"*", "quota_loan", "quota_return", "quota_pool", "plan", "list_entry", "year_params", "year",
                   "town", "soe"}
OVERDUE_BACKGROUND = QColor("#F6C9C4")
OVERDUE_FOREGROUND = QColor("#A61B1B")
DUE_SOON_BACKGROUND = QColor("#FFE699")
TOTALS_BACKGROUND = QColor("#EEF2F7")
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
VIEWS = [("loans", "按笔"), ("soe", "按国企汇总"), ("town", "按镇街汇总")]


def to_date(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


def to_qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def mu(value: Decimal | None) -> str:
    return "" if value is None else units.fmt(value, 2)


def _bold() -> QFont:
    f = QFont()
    f.setBold(True)
    return f


class LoanLedgerModel(QAbstractTableModel):
    """One row per loan, then the 合计 row (always last, outside sorting)."""

    COLUMNS = [
        ("town", "镇街"), ("soe", "合作国企"), ("plan", "收储方案（治理对象）"), ("loan_date", "预借日期"),
        ("purpose", "用途"), ("area_mu", "预借面积\n（亩）"), ("returned_mu", "已归还\n（亩）"),
        ("balance_mu", "未还余额\n（亩）"), ("due_date", "归还期限"), ("days_overdue", "逾期天数"),
        ("fee_wan", "指标使用费\n（万元）"),
    ]
    NUMERIC = {"area_mu", "returned_mu", "balance_mu", "days_overdue", "fee_wan"}

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.report: QuotaLedger | None = None
        self.rows: list[LoanLedgerRow] = []
        self._all: list[LoanLedgerRow] = []
        self.total: LedgerTotal | None = None
        self._text = ""
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)

    # Data in -----------------------------------------------------------------------------
    def set_report(self, report: QuotaLedger) -> None:
        self.beginResetModel()
        self.report = report
        self._all = list(report.rows)
        self._apply()
        self.endResetModel()

    def set_text_filter(self, text: str) -> None:
        self.beginResetModel()
        self._text = text.strip()
        self._apply()
        self.endResetModel()

    def _apply(self) -> None:
        rows = self._all
        if self._text and self.report is not None:
            t = self._text.lower()
            rows = [r for r in rows if t in " ".join((r.town, r.soe, r.purpose, self.plan_label(r))).lower()]
        column, order = self._sort
        if 0 <= column < len(self.COLUMNS):
            key = self.COLUMNS[column][0]
            rows = sorted(rows, key=lambda r: self.value(r, key), reverse=order == Qt.SortOrder.DescendingOrder)
        self.rows = list(rows)
        self.total = quota_service.ledger_total(self.rows) if self.report is not None else None

    def plan_label(self, r: LoanLedgerRow) -> str:
        return self.report.plan_labels.get(r.plan_id, "") if self.report else ""

    def value(self, r: LoanLedgerRow, key: str):
        return self.plan_label(r) if key == "plan" else getattr(r, key)

    def loan(self, row: int) -> LoanLedgerRow | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def row_of(self, loan_id: int | None) -> int:
        return next((i for i, r in enumerate(self.rows) if r.loan_id == loan_id), -1)

    def is_totals(self, row: int) -> bool:
        return self.total is not None and row == len(self.rows)

    def is_overdue(self, row: int) -> bool:
        r = self.loan(row)
        return r is not None and r.days_overdue > 0

    def is_due_soon(self, row: int) -> bool:
        r = self.loan(row)
        return r is not None and self.report is not None and quota_service.due_soon(r, self.report.as_of)

    # Qt model ----------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        if parent.isValid():
            return 0
        return len(self.rows) + (1 if self.total is not None and self.rows else 0)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section][1]
        return None

    def _display(self, row: int, key: str) -> str:
        if self.is_totals(row):
            t = self.total
            return {"town": "合计", "soe": f"{t.loans} 笔", "area_mu": mu(t.borrowed_mu),
                    "returned_mu": mu(t.returned_mu), "balance_mu": mu(t.balance_mu),
                    "days_overdue": f"逾期 {t.overdue_loans} 笔" if t.overdue_loans else "",
                    "fee_wan": mu(t.fee_wan)}.get(key, "")
        r = self.rows[row]
        value = self.value(r, key)
        if key == "days_overdue":
            return str(value) if value else ""
        if key == "fee_wan":
            return mu(value) if value else ""
        if isinstance(value, Decimal):
            return mu(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        row, key = index.row(), self.COLUMNS[index.column()][0]
        totals = self.is_totals(row)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, key)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if key in self.NUMERIC else LEFT
        if role == Qt.ItemDataRole.BackgroundRole:
            if totals:
                return QBrush(TOTALS_BACKGROUND)
            if self.is_overdue(row):
                return QBrush(OVERDUE_BACKGROUND)
            if self.is_due_soon(row):
                return QBrush(DUE_SOON_BACKGROUND)
            return None
        if role == Qt.ItemDataRole.ForegroundRole and not totals and key in ("days_overdue", "fee_wan", "balance_mu") \
                and self.is_overdue(row):
            return QBrush(OVERDUE_FOREGROUND)
        if role == Qt.ItemDataRole.FontRole:
            if totals or (key in ("days_overdue", "fee_wan") and self.is_overdue(row)):
                return _bold()
            return None
        if role == Qt.ItemDataRole.ToolTipRole and not totals:
            r = self.rows[row]
            if r.days_overdue > 0:
                return (f"已逾期 {r.days_overdue} 天：归还期限 {r.due_date.isoformat()}，尚未归还 {mu(r.balance_mu)} 亩，"
                        f"应收指标使用费 {mu(r.fee_wan)} 万元（四(三)）")
            if r.fee_wan > 0:
                return f"到期后才归还，应收指标使用费 {mu(r.fee_wan)} 万元（四(三)）"
            if self.is_due_soon(row):
                days = (r.due_date - self.report.as_of).days
                return f"{days} 天后到期（{r.due_date.isoformat()}），未还 {mu(r.balance_mu)} 亩"
            if key == "purpose" and r.purpose:
                return r.purpose
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply()
        self.layoutChanged.emit()


class LedgerTotalsModel(QAbstractTableModel):
    """Totals per SOE or per town, then the 合计 row."""

    COLUMNS = [
        ("name", ""), ("loans", "预借笔数"), ("borrowed_mu", "预借面积\n（亩）"), ("returned_mu", "已归还\n（亩）"),
        ("balance_mu", "未还余额\n（亩）"), ("overdue_loans", "逾期笔数"), ("overdue_mu", "逾期未还\n（亩）"),
        ("fee_wan", "指标使用费\n（万元）"),
    ]

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.first_header = "合作国企"
        self.rows: list[LedgerTotal] = []
        self.total: LedgerTotal | None = None

    def set_totals(self, first_header: str, rows: list[LedgerTotal], total: LedgerTotal | None) -> None:
        self.beginResetModel()
        self.first_header = first_header
        self.rows = list(rows)
        self.total = total if rows else None
        self.endResetModel()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 0)

    def _item(self, row: int) -> LedgerTotal | None:
        if 0 <= row < len(self.rows):
            return self.rows[row]
        return self.total if row == len(self.rows) else None

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows) + (1 if self.total is not None else 0)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.COLUMNS):
            return self.first_header if section == 0 else self.COLUMNS[section][1]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        t = self._item(index.row())
        if t is None:
            return None
        key = self.COLUMNS[index.column()][0]
        totals = t is self.total
        if role == Qt.ItemDataRole.DisplayRole:
            value = getattr(t, key)
            if key in ("overdue_loans", "overdue_mu", "fee_wan") and not value:
                return ""
            return mu(value) if isinstance(value, Decimal) else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return LEFT if key == "name" else RIGHT
        if role == Qt.ItemDataRole.BackgroundRole:
            if totals:
                return QBrush(TOTALS_BACKGROUND)
            if t.overdue_loans and key in ("overdue_loans", "overdue_mu", "fee_wan"):
                return QBrush(OVERDUE_BACKGROUND)
        if role == Qt.ItemDataRole.FontRole and totals:
            return _bold()
        return None


class ReturnsModel(QAbstractTableModel):
    COLUMNS = [("return_date", "归还日期"), ("area_mu", "归还面积（亩）"), ("note", "备注")]

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[ReturnRow] = []

    def set_rows(self, rows: list[ReturnRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

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
        r = self.rows[index.row()]
        key = self.COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            value = getattr(r, key)
            return value.isoformat() if isinstance(value, dt.date) else mu(value) if isinstance(value, Decimal) else value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if key == "area_mu" else LEFT
        return None


def _field(widget: QWidget, error: QLabel) -> QWidget:
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(widget)
    layout.addWidget(error)
    return holder


def _date_edit(day: dt.date) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDate(to_qdate(day))
    return edit


class LendDialog(QDialog):
    """新增预借: choose a filed 收储 plan and see its cap, open loans and remaining room as you type.

    Emits `submitted(plan_id, loan_date, area_text, purpose)`; the page saves and calls `accept()` or
    `show_error(exc)`. `year_changed(int)` asks the page for the plans' caps under another year's parameters.
    """

    submitted = Signal(int, object, str, str)
    year_changed = Signal(int)

    def __init__(self, choices: list[PlanChoice], loan_date: dt.date, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("新增预借周转指标")
        self.setMinimumWidth(560)
        self.choices: list[PlanChoice] = []
        self._year = loan_date.year
        self.errors = {n: error_label() for n in ("plan_id", "loan_date", "area_mu", "purpose")}

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("按镇街、国企或治理对象筛选")
        self.search_edit.setClearButtonEnabled(True)
        self.plan_combo = QComboBox()
        self.plan_combo.setMinimumContentsLength(36)
        self.plan_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.plan_info = QLabel("")
        self.plan_info.setTextFormat(Qt.TextFormat.RichText)
        self.plan_info.setWordWrap(True)
        self.date_edit = _date_edit(loan_date)
        self.area_edit = QLineEdit()
        self.area_edit.setPlaceholderText("亩，如 12.5")
        self.room_label = QLabel("")
        self.room_label.setTextFormat(Qt.TextFormat.RichText)
        self.purpose_edit = QLineEdit()
        self.purpose_edit.setPlaceholderText("如 标准厂房建设、重大产业项目")

        plan_box = QWidget()
        pl = QVBoxLayout(plan_box)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.setSpacing(3)
        pl.addWidget(self.search_edit)
        pl.addWidget(self.plan_combo)
        pl.addWidget(self.plan_info)
        pl.addWidget(self.errors["plan_id"])
        form = QFormLayout()
        form.addRow("收储方案", plan_box)
        form.addRow("预借日期", _field(self.date_edit, self.errors["loan_date"]))
        area_box = QWidget()
        al = QVBoxLayout(area_box)
        al.setContentsMargins(0, 0, 0, 0)
        al.setSpacing(2)
        al.addWidget(self.area_edit)
        al.addWidget(self.room_label)
        al.addWidget(self.errors["area_mu"])
        form.addRow("预借面积（亩）", area_box)
        form.addRow("用途", _field(self.purpose_edit, self.errors["purpose"]))
        hint = QLabel("只有已备案的收储方案可以预借，由方案的合作国企借用；同一方案未还的预借合计不得超过计划收储面积的"
                      "规定比例（四(三)）。预借指标应于次年年底前归还。")
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.focus_of = {"plan_id": self.plan_combo, "loan_date": self.date_edit, "area_mu": self.area_edit,
                         "purpose": self.purpose_edit}

        self.search_edit.textChanged.connect(lambda _t: self._fill_combo())
        self.plan_combo.currentIndexChanged.connect(lambda _i: self._update_info())
        self.area_edit.textEdited.connect(lambda _t: (show_at(self.errors["area_mu"], ""), self._update_room()))
        self.date_edit.dateChanged.connect(self._date_changed)
        for edit in (self.area_edit, self.purpose_edit):
            edit.returnPressed.connect(self.submit)
        self.set_choices(choices)

    # Choices -----------------------------------------------------------------------------
    def set_choices(self, choices: list[PlanChoice]) -> None:
        self.choices = list(choices)
        self._fill_combo()

    def _fill_combo(self) -> None:
        keep = self.plan_combo.currentData()
        text = self.search_edit.text().strip().lower()
        self.plan_combo.blockSignals(True)
        self.plan_combo.clear()
        for c in self.choices:
            label = f"{c.town}｜{c.label}（{c.soe}）"
            if text and text not in label.lower():
                continue
            self.plan_combo.addItem(label, c.plan_id)
        idx = self.plan_combo.findData(keep) if keep is not None else -1
        self.plan_combo.setCurrentIndex(idx if idx >= 0 else (0 if self.plan_combo.count() else -1))
        self.plan_combo.blockSignals(False)
        self._update_info()

    def choice(self) -> PlanChoice | None:
        pid = self.plan_combo.currentData()
        return next((c for c in self.choices if c.plan_id == pid), None)

    def select_plan(self, plan_id: int) -> None:
        self.search_edit.clear()
        self.plan_combo.setCurrentIndex(self.plan_combo.findData(plan_id))

    def _update_info(self) -> None:
        show_at(self.errors["plan_id"], "")
        c = self.choice()
        if c is None:
            self.plan_info.setText("<span style='color:#707070'>没有可预借的已备案收储方案</span>" if not self.choices
                                   else "<span style='color:#707070'>没有符合筛选条件的方案</span>")
        else:
            ratio = format(c.ratio_pct.normalize(), "f")
            self.plan_info.setText(
                f"合作国企 <b>{c.soe}</b>，备案日期 {c.filed_on.isoformat()}<br>"
                f"计划收储面积 <b>{mu(c.planned_area_mu)}</b> 亩，预借上限 {ratio}% 即 <b>{mu(c.cap_mu)}</b> 亩；"
                f"已借未还 <b>{mu(c.open_mu)}</b> 亩，尚可预借 <b>{mu(max(c.room_mu, Decimal(0)))}</b> 亩")
        self._update_room()

    def _typed_area(self) -> Decimal | None:
        try:
            return quota_service.parse_area(self.area_edit.text(), field="area_mu", label="预借面积")
        except ValidationError:
            return None

    def _update_room(self) -> None:
        c, area = self.choice(), self._typed_area()
        if c is None or area is None:
            show_at(self.room_label, "")
            return
        left = c.room_mu - area
        if left >= 0:
            show_at(self.room_label, f"<span style='color:#2e7d32'>本次 {mu(area)} 亩，借后尚可预借 {mu(left)} 亩</span>")
        else:
            show_at(self.room_label, f"<span style='color:#c0392b'>本次 {mu(area)} 亩，超出上限 {mu(-left)} 亩</span>")

    def _date_changed(self, q: QDate) -> None:
        show_at(self.errors["loan_date"], "")
        if q.year() != self._year:
            self._year = q.year()
            self.year_changed.emit(q.year())

    # Submit ------------------------------------------------------------------------------
    def submit(self) -> None:
        for err in self.errors.values():
            show_at(err, "")
        c = self.choice()
        if c is None:
            show_at(self.errors["plan_id"], "请选择已备案的收储方案")
            self.plan_combo.setFocus()
            return
        try:
            quota_service.parse_area(self.area_edit.text(), field="area_mu", label="预借面积")
        except ValidationError as exc:
            self.show_error(exc)
            return
        self.ok_button.setEnabled(False)
        self.submitted.emit(c.plan_id, to_date(self.date_edit.date()), self.area_edit.text(), self.purpose_edit.text())

    def show_error(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        name = getattr(exc, "field", None)
        if name == "soe_id":
            name = "plan_id"
        if name is None and isinstance(exc, UserError):
            # A refusal of the rule (cap, filing): the cap names the numbers of the area typed.
            name = "area_mu" if "预借上限" in exc.message else "plan_id"
        if name in self.errors:
            if name == "area_mu":
                show_at(self.room_label, "")  # the message says it all, with the numbers
            show_at(self.errors[name], exc.message)
            self.focus_of[name].setFocus()
        else:
            show_error(self, exc)


class ReturnDialog(FieldErrorDialog, QDialog):
    """归还: a partial or full return of one loan. Emits `submitted(return_date, area_text, note)`."""

    submitted = Signal(object, str, str)

    def __init__(self, loan: LoanLedgerRow, plan_label: str, balance_mu: Decimal, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("归还周转指标")
        self.setMinimumWidth(540)
        self.loan = loan
        self.balance = balance_mu
        self.errors = {n: error_label() for n in ("return_date", "area_mu", "note")}
        info = QLabel(f"{loan.town}｜{plan_label}<br>合作国企 {loan.soe}；{loan.loan_date.isoformat()} 预借 "
                      f"<b>{mu(loan.area_mu)}</b> 亩，未还余额 <b>{mu(balance_mu)}</b> 亩，"
                      f"归还期限 {loan.due_date.isoformat()}")
        info.setTextFormat(Qt.TextFormat.RichText)
        info.setWordWrap(True)
        self.info = info
        self.date_edit = _date_edit(max(dt.date.today(), loan.loan_date))
        self.area_edit = QLineEdit()
        self.area_edit.setPlaceholderText(f"最多 {mu(balance_mu)} 亩")
        self.all_button = QPushButton("全部归还")
        self.all_button.clicked.connect(lambda: self.area_edit.setText(format(balance_mu.normalize(), "f")))
        area_row = QWidget()
        ar = QHBoxLayout(area_row)
        ar.setContentsMargins(0, 0, 0, 0)
        ar.addWidget(self.area_edit, 1)
        ar.addWidget(self.all_button)
        self.note_edit = QLineEdit()
        form = QFormLayout()
        form.addRow("归还日期", _field(self.date_edit, self.errors["return_date"]))
        form.addRow("归还面积（亩）", _field(area_row, self.errors["area_mu"]))
        form.addRow("备注", _field(self.note_edit, self.errors["note"]))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(info)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.focus_of = {"return_date": self.date_edit, "area_mu": self.area_edit, "note": self.note_edit}
        self.area_edit.textEdited.connect(lambda _t: show_at(self.errors["area_mu"], ""))
        self.date_edit.dateChanged.connect(lambda _d: show_at(self.errors["return_date"], ""))
        for edit in (self.area_edit, self.note_edit):
            edit.returnPressed.connect(self.submit)

    def submit(self) -> None:
        for err in self.errors.values():
            show_at(err, "")
        try:
            area = quota_service.parse_area(self.area_edit.text(), field="area_mu", label="归还面积")
        except ValidationError as exc:
            self.show_error(exc)
            return
        if area > self.balance:
            self.show_error(ValidationError(f"归还面积 {mu(area)} 亩超过未还余额 {mu(self.balance)} 亩", field="area_mu"))
            return
        self.ok_button.setEnabled(False)
        self.submitted.emit(to_date(self.date_edit.date()), self.area_edit.text(), self.note_edit.text())


class QuotaPage(LazyRefresh, QWidget):
    relevant_tables = frozenset(RELEVANT_TABLES)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._stale = True
        self._token = 0
        self.report: QuotaLedger | None = None
        self.dialog: QDialog | None = None
        self.last_export: Path | None = None
        self._build()
        self._restore_layout()
        ctx.data_changed.connect(self._on_data_changed)

    # Layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.header = QLabel("周转指标库")
        f = self.header.font()
        f.setPointSize(f.pointSize() + 3)
        f.setBold(True)
        self.header.setFont(f)
        outer.addWidget(self.header)
        self.summary = QLabel("")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.summary)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("截至："))
        self.as_of_edit = _date_edit(dt.date.today())
        self.as_of_edit.setToolTip("台账按此日期计算余额、逾期天数和使用费（此日之后的预借和归还不计）")
        bar.addWidget(self.as_of_edit)
        self.today_button = QPushButton("今天")
        self.today_button.clicked.connect(lambda: self.as_of_edit.setDate(QDate.currentDate()))
        bar.addWidget(self.today_button)
        bar.addSpacing(12)
        bar.addWidget(QLabel("镇街："))
        self.town_filter = QComboBox()
        self.town_filter.addItem("全部镇街", None)
        self.town_filter.setMinimumWidth(110)
        bar.addWidget(self.town_filter)
        bar.addWidget(QLabel("国企："))
        self.soe_filter = QComboBox()
        self.soe_filter.addItem("全部国企", None)
        self.soe_filter.setMinimumWidth(150)
        bar.addWidget(self.soe_filter)
        self.view_combo = QComboBox()
        for key, label in VIEWS:
            self.view_combo.addItem(label, key)
        bar.addWidget(self.view_combo)
        self.search = QLineEdit()
        self.search.setPlaceholderText("筛选（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(180)
        bar.addWidget(self.search)
        bar.addStretch(1)
        self.lend_button = QPushButton("新增预借")
        self.lend_button.setToolTip("Ctrl+N")
        self.lend_button.clicked.connect(self.open_lend_dialog)
        self.return_button = QPushButton("归还…")
        self.return_button.setToolTip("回车或双击")
        self.return_button.clicked.connect(self.open_return_dialog)
        self.delete_button = QPushButton("删除")
        self.delete_button.setToolTip("Delete：删除误录的预借（须先删除其归还记录）")
        self.delete_button.clicked.connect(self.delete_selected_loan)
        self.export_button = QPushButton("导出台账")
        self.export_button.clicked.connect(self.choose_export_file)
        for b in (self.lend_button, self.return_button, self.delete_button, self.export_button):
            bar.addWidget(b)
        bar.addWidget(add_export_action(
            self, lambda: self.stack.currentWidget(), settings_key="quota", status=lambda: self.status,
            title=lambda: f"周转指标库台账（{self.view_combo.currentText()}）",
            subtitle=lambda: describe_filters(("截至", self.as_of_edit), ("镇街", self.town_filter),
                                              ("国企", self.soe_filter), ("关键词", self.search), prefix="")))
        outer.addLayout(bar)

        self.model = LoanLedgerModel(self)
        self.table = QTableView()
        self.table.setObjectName("loan_table")
        self.table.setModel(self.model)
        self._setup_table(self.table)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().setSortIndicatorClearable(True)
        for col, width in enumerate((80, 200, 190, 92, 130, 84, 76, 84, 92, 70, 96)):
            self.table.setColumnWidth(col, width)
        self.table.doubleClicked.connect(lambda _i: self.open_return_dialog())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._loan_selected())

        self.totals_model = LedgerTotalsModel(self)
        self.totals_table = QTableView()
        self.totals_table.setObjectName("totals_table")
        self.totals_table.setModel(self.totals_model)
        self._setup_table(self.totals_table)
        self.totals_table.setColumnWidth(0, 240)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.totals_table)

        self.returns_model = ReturnsModel(self)
        self.returns_table = QTableView()
        self.returns_table.setObjectName("returns_table")
        self.returns_table.setModel(self.returns_model)
        self._setup_table(self.returns_table)
        self.returns_box = QGroupBox("归还记录")
        rl = QVBoxLayout(self.returns_box)
        rbar = QHBoxLayout()
        self.delete_return_button = QPushButton("删除归还记录")
        self.delete_return_button.setToolTip("删除误录的归还记录（操作日志保留原记录）")
        self.delete_return_button.clicked.connect(self.delete_selected_return)
        rbar.addStretch(1)
        rbar.addWidget(self.delete_return_button)
        rl.addWidget(self.returns_table)
        rl.addLayout(rbar)
        self.returns_table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.stack)
        self.splitter.addWidget(self.returns_box)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([520, 160])
        outer.addWidget(self.splitter, 1)
        self.legend = QLabel("")
        self.legend.setStyleSheet(HINT_STYLE)
        self.legend.setWordWrap(True)
        outer.addWidget(self.legend)
        self.status = QLabel("")
        self.status.setStyleSheet(HINT_STYLE)
        outer.addWidget(self.status)

        self.as_of_edit.dateChanged.connect(lambda _d: self.refresh())
        self.town_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.soe_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.view_combo.currentIndexChanged.connect(lambda _i: self._show_view())
        self.search.textChanged.connect(self._search_changed)

        for seq, slot, widget, context in (
            (QKeySequence.StandardKey.Find, self._focus_search, self, Qt.ShortcutContext.WidgetWithChildrenShortcut),
            (QKeySequence.StandardKey.New, self.open_lend_dialog, self, Qt.ShortcutContext.WidgetWithChildrenShortcut),
            (QKeySequence.StandardKey.Delete, self.delete_selected_loan, self.table, Qt.ShortcutContext.WidgetShortcut),
            (QKeySequence.StandardKey.Delete, self.delete_selected_return, self.returns_table,
             Qt.ShortcutContext.WidgetShortcut),
            (QKeySequence(Qt.Key.Key_Return), self.open_return_dialog, self.table, Qt.ShortcutContext.WidgetShortcut),
            (QKeySequence(Qt.Key.Key_Enter), self.open_return_dialog, self.table, Qt.ShortcutContext.WidgetShortcut),
        ):
            sc = QShortcut(seq, widget)
            sc.setContext(context)
            sc.activated.connect(slot)
        self._update_buttons()

    @staticmethod
    def _setup_table(table: QTableView) -> None:
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        table.setAlternatingRowColors(True)
        table.horizontalHeader().setStretchLastSection(True)
        table.horizontalHeader().setDefaultSectionSize(100)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _layout_parts(self) -> dict:
        return {
            "quota/header": self.table.horizontalHeader(),
            "quota/totals_header": self.totals_table.horizontalHeader(),
            "quota/returns_header": self.returns_table.horizontalHeader(),
            "quota/splitter": self.splitter,
        }

    def _restore_layout(self) -> None:
        restore_states(self.ctx.settings, self._layout_parts())

    def save_layout(self) -> None:
        save_states(self.ctx.settings, self._layout_parts())

    # Loading -----------------------------------------------------------------------------
    def as_of(self) -> dt.date:
        return to_date(self.as_of_edit.date())

    def refresh(self) -> None:
        self._stale = False
        self._token += 1
        token, db = self._token, self.ctx.db
        as_of, town_id, soe_id = self.as_of(), self.town_filter.currentData(), self.soe_filter.currentData()

        def fetch():
            return (quota_service.ledger_report(db, as_of=as_of, town_id=town_id, soe_id=soe_id),
                    quota_service.filter_choices(db), quota_service.params_for_loan_year(db, as_of.year))

        self.ctx.worker.run(fetch, lambda r: self._loaded(token, *r), lambda e: self._failed(token, e))

    def _failed(self, token: int, exc: BaseException) -> None:
        if token == self._token:
            show_error(self, exc)

    def _loaded(self, token: int, report: QuotaLedger, choices, params) -> None:
        if token != self._token:
            return
        self.report = report
        towns, soes = choices
        self._sync_combo(self.town_filter, towns)
        self._sync_combo(self.soe_filter, soes)
        selected = self.selected_loan()
        self.model.set_report(report)
        row = self.model.row_of(selected.loan_id if selected else None)
        if row >= 0:
            self.table.selectRow(row)
        self._show_view()
        self._loan_selected()
        t = report.total
        parts = [f"截至 {report.as_of.isoformat()}：预借 <b>{t.loans}</b> 笔 <b>{mu(t.borrowed_mu)}</b> 亩，"
                 f"已归还 <b>{mu(t.returned_mu)}</b> 亩，未还 <b>{mu(t.balance_mu)}</b> 亩"]
        if t.overdue_loans:
            parts.append(f"<span style='color:#A61B1B'>逾期未还 <b>{t.overdue_loans}</b> 笔 <b>{mu(t.overdue_mu)}</b> 亩</span>")
        if t.fee_wan:
            parts.append(f"<span style='color:#A61B1B'>应收指标使用费 <b>{mu(t.fee_wan)}</b> 万元</span>")
        soon = sum(1 for r in report.rows if quota_service.due_soon(r, report.as_of))
        if soon:
            parts.append(f"<span style='background:#FFE699'>{quota_service.DUE_SOON_DAYS} 天内到期 <b>{soon}</b> 笔</span>")
        self.summary.setText("；".join(parts))
        fee = format(params.quota_overdue_fee_wan_per_mu.normalize(), "f")
        self.legend.setText(
            f"红色：逾期未还（归还期限为预借次年 12 月 31 日，逾期未还的每亩收取指标使用费，{params.year} 年度参数为 {fee} 万元/亩；"
            f"按各笔预借所在年度的参数计算）。黄色：{quota_service.DUE_SOON_DAYS} 天内到期。双击一笔预借可登记归还。")

    @staticmethod
    def _sync_combo(combo: QComboBox, items: list[tuple[int, str]]) -> None:
        have = [(combo.itemData(i), combo.itemText(i)) for i in range(1, combo.count())]
        if have == list(items):
            return
        current = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for key, name in items:
            combo.addItem(name, key)
        combo.setCurrentIndex(max(combo.findData(current), 0))
        combo.blockSignals(False)

    def _show_view(self) -> None:
        key = self.view_combo.currentData()
        if key == "loans" or self.report is None:
            self.stack.setCurrentWidget(self.table)
        else:
            groups = self.report.by_soe if key == "soe" else self.report.by_town
            self.totals_model.set_totals("合作国企" if key == "soe" else "镇街", groups, self.report.total)
            self.stack.setCurrentWidget(self.totals_table)
        self.returns_box.setVisible(key == "loans")
        self._update_buttons()

    def _search_changed(self, text: str) -> None:
        selected = self.selected_loan()
        self.model.set_text_filter(text)
        row = self.model.row_of(selected.loan_id if selected else None)
        if row >= 0:
            self.table.selectRow(row)
        self._loan_selected()

    # Selection ---------------------------------------------------------------------------
    def selected_loan(self) -> LoanLedgerRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.loan(rows[0].row()) if rows else None

    def selected_return(self) -> ReturnRow | None:
        rows = self.returns_table.selectionModel().selectedRows()
        if not rows or not 0 <= rows[0].row() < len(self.returns_model.rows):
            return None
        return self.returns_model.rows[rows[0].row()]

    def _loan_selected(self) -> None:
        loan = self.selected_loan()
        if loan is None or self.report is None:
            self.returns_box.setTitle("归还记录（请选择一笔预借）")
            self.returns_model.set_rows([])
        else:
            returns = self.report.returns.get(loan.loan_id, [])
            self.returns_box.setTitle(f"归还记录：{loan.town}｜{self.model.plan_label(loan)}，{loan.loan_date.isoformat()} "
                                      f"预借 {mu(loan.area_mu)} 亩（{len(returns)} 次归还）")
            self.returns_model.set_rows(returns)
        self._update_buttons()

    def _update_buttons(self) -> None:
        loans_view = self.view_combo.currentData() == "loans"
        loan = self.selected_loan() if loans_view else None
        self.return_button.setEnabled(loan is not None)
        self.delete_button.setEnabled(loan is not None)
        self.delete_return_button.setEnabled(self.selected_return() is not None)

    # New loan ----------------------------------------------------------------------------
    def open_lend_dialog(self) -> None:
        db, today = self.ctx.db, dt.date.today()
        self.ctx.worker.run(lambda: quota_service.lendable_plans(db, on=today),
                            lambda choices: self._show_lend_dialog(choices, today), lambda e: show_error(self, e))

    def _show_lend_dialog(self, choices: list[PlanChoice], day: dt.date) -> None:
        dialog = LendDialog(choices, day, self)
        db = self.ctx.db

        def reload(year: int) -> None:
            on = to_date(dialog.date_edit.date())
            self.ctx.worker.run(lambda: quota_service.lendable_plans(db, on=on),
                                lambda c: dialog.set_choices(c) if self.dialog is dialog else None,
                                lambda e: show_error(self, e))

        def save(plan_id: int, loan_date: dt.date, area: str, purpose: str) -> None:
            self.ctx.worker.run(lambda: quota_service.lend(db, plan_id, loan_date=loan_date, area_mu=area,
                                                           purpose=purpose),
                                lambda row: self._lent(dialog, row), dialog.show_error)

        dialog.year_changed.connect(reload)
        dialog.submitted.connect(save)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def _lent(self, dialog: LendDialog, row: LoanLedgerRow) -> None:
        dialog.accept()
        self.status.setText(f"已登记预借：{row.town} {row.soe} {row.loan_date.isoformat()} {mu(row.area_mu)} 亩，"
                            f"应于 {row.due_date.isoformat()} 前归还")
        self.ctx.changed("quota_loan")

    # Return ------------------------------------------------------------------------------
    def open_return_dialog(self) -> None:
        loan = self.selected_loan()
        if loan is None or self.view_combo.currentData() != "loans":
            return
        db = self.ctx.db
        # The balance with every return counted (not as of the page's date): what may still be returned.
        self.ctx.worker.run(lambda: quota_service.balance_of(db, loan.loan_id),
                            lambda balance: self._show_return_dialog(loan, balance), lambda e: show_error(self, e))

    def _show_return_dialog(self, loan: LoanLedgerRow, balance: Decimal) -> None:
        if balance <= 0:
            QMessageBox.information(self, "归还", "该笔预借已全部归还。")
            return
        dialog = ReturnDialog(loan, self.model.plan_label(loan), balance, self)
        db = self.ctx.db

        def save(day: dt.date, area: str, note: str) -> None:
            self.ctx.worker.run(lambda: quota_service.return_quota(db, loan.loan_id, return_date=day, area_mu=area,
                                                                   note=note),
                                lambda r: self._returned(dialog, r), dialog.show_error)

        dialog.submitted.connect(save)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def _returned(self, dialog: ReturnDialog, r: ReturnRow) -> None:
        dialog.accept()
        self.status.setText(f"已登记归还：{r.return_date.isoformat()} {mu(r.area_mu)} 亩")
        self.ctx.changed("quota_return")

    # Delete ------------------------------------------------------------------------------
    def delete_selected_loan(self) -> None:
        loan = self.selected_loan()
        if loan is None:
            return
        text = (f"确定删除这笔预借？\n{loan.town}｜{self.model.plan_label(loan)}\n{loan.soe}，"
                f"{loan.loan_date.isoformat()} 预借 {mu(loan.area_mu)} 亩\n\n仅用于删除误录的记录；操作日志会保留原记录。")
        if QMessageBox.question(self, "删除预借", text) != QMessageBox.StandardButton.Yes:
            return
        db = self.ctx.db
        self.ctx.worker.run(lambda: quota_service.delete_loan(db, loan.loan_id),
                            lambda _r: self.ctx.changed("quota_loan"), lambda e: show_error(self, e))

    def delete_selected_return(self) -> None:
        r = self.selected_return()
        if r is None:
            return
        if QMessageBox.question(self, "删除归还记录",
                                f"确定删除 {r.return_date.isoformat()} 归还 {mu(r.area_mu)} 亩的记录？") \
                != QMessageBox.StandardButton.Yes:
            return
        db = self.ctx.db
        self.ctx.worker.run(lambda: quota_service.delete_return(db, r.id),
                            lambda _r: self.ctx.changed("quota_return"), lambda e: show_error(self, e))

    # Export ------------------------------------------------------------------------------
    def choose_export_file(self) -> None:
        p = ask_save_xlsx(self, self.ctx.settings, "quota/export_dir", "导出周转指标库台账",
                          f"周转指标库台账-{self.as_of():%Y%m%d}.xlsx")
        if p is not None:
            self.export_to(p)

    def export_to(self, path: Path) -> None:
        """Write the ledger as shown (date, town, SOE) to `path` on the worker."""
        db, as_of = self.ctx.db, self.as_of()
        town_id, soe_id = self.town_filter.currentData(), self.soe_filter.currentData()
        self.export_button.setEnabled(False)
        self.status.setText("正在导出…")

        def done(p: Path) -> None:
            self.export_button.setEnabled(True)
            self.last_export = p
            self.status.setText(f"已导出：{p}")

        def failed(exc: BaseException) -> None:
            self.export_button.setEnabled(True)
            self.status.setText("导出未完成")
            show_error(self, exc)

        self.ctx.worker.run(lambda: quota_service.export_ledger(db, path, as_of=as_of, town_id=town_id, soe_id=soe_id),
                            done, failed)

