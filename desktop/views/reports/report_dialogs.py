"""Dialogs of the 月度报送与核实 page: add completed entries, one department's verification, an item's
completed area. Each emits `submitted(...)`; the page saves on the worker and calls `accept()` or
`show_error(exc)` (an error on a field is shown under it, the input kept)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import VerifyResult
from desktop.services import units
from desktop.services.errors import ValidationError
from desktop.services.reports.report_service import ItemRow, ReportableEntry
from desktop.views.reports.report_models import ReportableModel, date_text, short_date
from desktop.views.kit.worker import show_error
from desktop.views.kit.forms import error_label, plain, show_at

WARN_STYLE = "color: #B26A00;"
HINT_STYLE = "color: #707070;"


def qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


def pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def _with_error(widget: QWidget, error: QLabel) -> QWidget:
    holder = QWidget()
    lay = QVBoxLayout(holder)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(2)
    lay.addWidget(widget)
    lay.addWidget(error)
    return holder


def _buttons(ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    box.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    box.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
    return box


class AddItemsDialog(QDialog):
    """添加完成条目: tick the town's entries in 实施中 completed this month; the completed area
    defaults to the planned area and can be changed in place."""

    submitted = Signal(object)  # list of (entry id, area or None)

    def __init__(self, town: str, month: int, reported_on: dt.date, entries: list[ReportableEntry],
                 parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"添加完成条目 — {town}{month}月报送")
        self.resize(920, 480)
        intro = QLabel(f"勾选{town}本月完成整治的条目（仅“实施中”的条目可报送）。添加后条目转为“已报完成”，"
                       f"完成日期记为报送日期 {date_text(reported_on)}。完成面积默认为计划面积，可双击修改。")
        intro.setWordWrap(True)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("按名称或信用代码筛选（Ctrl+F）")
        self.filter.setClearButtonEnabled(True)
        self.all_box = QCheckBox("全选")
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.all_box)
        self.model = ReportableModel(self)
        self.model.set_rows(entries)
        self.table = QTableView()
        self.table.setObjectName("reportable_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        for col, width in enumerate((28, 230, 156, 72, 140, 96, 96)):
            self.table.setColumnWidth(col, width)
        self.empty = QLabel("该镇街没有“实施中”的条目可报送。")
        self.empty.setStyleSheet(HINT_STYLE)
        self.empty.setVisible(not entries)
        self.count = QLabel()
        self.error = error_label()
        self.buttons = _buttons("添加")
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.empty)
        lay.addWidget(self.count)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        self.filter.textChanged.connect(self._filter)
        self.all_box.toggled.connect(self._toggle_all)
        self.model.dataChanged.connect(lambda *_: self._update_count())
        self.model.modelReset.connect(self._update_count)
        sc = QShortcut(QKeySequence.StandardKey.Find, self)
        sc.activated.connect(lambda: (self.filter.setFocus(), self.filter.selectAll()))
        self._update_count()

    def _filter(self, text: str) -> None:
        text = text.strip().lower()
        for row, r in enumerate(self.model.rows):
            hit = not text or text in r.target.lower() or text in (r.credit_code or "").lower()
            self.table.setRowHidden(row, not hit)

    def _toggle_all(self, checked: bool) -> None:
        self.model.set_all(checked)

    def _update_count(self) -> None:
        chosen = self.model.chosen()
        area = sum((a if a is not None else next(r.planned_area_mu for r in self.model.rows if r.entry_id == i)
                    for i, a in chosen), Decimal(0))
        self.count.setText(f"已选 {len(chosen)} 项，完成面积合计 {units.fmt(area, 2)} 亩")
        self.ok_button.setEnabled(bool(chosen))
        show_at(self.error, "")

    def check(self, entry_id: int, area=None) -> None:
        """Tick an entry (and set its area); used by tests and keyboard users alike."""
        row = next(i for i, r in enumerate(self.model.rows) if r.entry_id == entry_id)
        if area is not None:
            self.model.setData(self.model.index(row, ReportableModel.AREA_COLUMN), str(area))
        self.model.setData(self.model.index(row, 0), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)

    def submit(self) -> None:
        chosen = self.model.chosen()
        if not chosen:
            show_at(self.error, "请勾选要报送的条目")
            return
        self.ok_button.setEnabled(False)
        self.submitted.emit(chosen)

    def show_error(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(exc, ValidationError) or getattr(exc, "message", None):
            show_at(self.error, getattr(exc, "message", str(exc)))
        else:
            show_error(self, exc)


class VerificationDialog(QDialog):
    """One verifying department's record on one item: 通过 / 不通过, date, note (a fail needs one).
    Shows live whether the date is after the month's verification due day (→ 逾期)."""

    submitted = Signal(object)  # dict: department, result, verified_on, note
    cleared = Signal(str)  # department whose record is to be deleted

    def __init__(self, item: ItemRow, departments: list[str], department: int, verify_due: dt.date,
                 today: dt.date | None = None, parent=None) -> None:
        super().__init__(parent)
        self.item = item
        self.verify_due = verify_due
        self.setWindowTitle("录入核实结果")
        self.setMinimumWidth(480)
        self.errors = {k: error_label() for k in ("department_id", "result", "verified_on", "note")}
        head = QLabel(f"<b>{item.target}</b>（{item.town}）<br>报送日期 {date_text(item.reported_on)}，"
                      f"完成面积 {units.fmt(item.completed_area_mu, 2)} 亩")
        head.setTextFormat(Qt.TextFormat.RichText)
        head.setWordWrap(True)
        self.dept_combo = QComboBox()
        for i, name in enumerate(departments):
            self.dept_combo.addItem(name, i)
        self.pass_radio = QRadioButton("通过")
        self.fail_radio = QRadioButton("不通过")
        self.result_group = QButtonGroup(self)
        self.result_group.addButton(self.pass_radio)
        self.result_group.addButton(self.fail_radio)
        radios = QWidget()
        rl = QHBoxLayout(radios)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.pass_radio)
        rl.addWidget(self.fail_radio)
        rl.addStretch(1)
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.due_hint = QLabel()
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("不通过时必填：未通过的原因")
        form = QFormLayout()
        form.addRow("核实部门", _with_error(self.dept_combo, self.errors["department_id"]))
        form.addRow("核实结果", _with_error(radios, self.errors["result"]))
        date_box = QWidget()
        dl = QVBoxLayout(date_box)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.setSpacing(2)
        dl.addWidget(self.date_edit)
        dl.addWidget(self.due_hint)
        dl.addWidget(self.errors["verified_on"])
        form.addRow("核实日期", date_box)
        form.addRow("说明", _with_error(self.note_edit, self.errors["note"]))
        self.buttons = _buttons("保存")
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.clear_button = QPushButton("清除该部门记录")
        self.buttons.addButton(self.clear_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.clear_button.clicked.connect(self._clear)
        lay = QVBoxLayout(self)
        lay.addWidget(head)
        lay.addLayout(form)
        lay.addWidget(self.buttons)
        self._today = today or dt.date.today()
        self.dept_combo.currentIndexChanged.connect(self._load_department)
        self.date_edit.dateChanged.connect(self._date_changed)
        self.fail_radio.toggled.connect(lambda on: self.note_edit.setPlaceholderText(
            "必填：未通过的原因" if on else "可不填"))
        self.note_edit.textEdited.connect(lambda: show_at(self.errors["note"], ""))
        self.result_group.buttonToggled.connect(lambda *_: show_at(self.errors["result"], ""))
        self.dept_combo.setCurrentIndex(max(0, min(department, len(departments) - 1)))
        self._load_department()

    def _default_date(self) -> dt.date:
        """Today while the month's work is current; for an older month, its due day (the clerk is
        catching up on paper records)."""
        start = self.item.reported_on or self.verify_due.replace(day=1)
        if start <= self._today <= self.verify_due + dt.timedelta(days=31):
            return self._today
        return max(start, self.verify_due)

    def _load_department(self) -> None:
        d = self.dept_combo.currentData()
        cell = self.item.cells[d] if d is not None and d < len(self.item.cells) else None
        self.result_group.setExclusive(False)
        self.pass_radio.setChecked(cell is not None and cell.result is VerifyResult.PASS)
        self.fail_radio.setChecked(cell is not None and cell.result is VerifyResult.FAIL)
        self.result_group.setExclusive(True)
        recorded = cell.verified_on if cell is not None else None
        self.date_edit.setDate(qdate(recorded or self._default_date()))
        self.note_edit.setText(cell.note if cell is not None else "")
        self.clear_button.setEnabled(cell is not None and cell.result is not None)
        for err in self.errors.values():
            show_at(err, "")
        self._date_changed()

    def _date_changed(self) -> None:
        show_at(self.errors["verified_on"], "")
        day = pydate(self.date_edit.date())
        if day > self.verify_due:
            self.due_hint.setStyleSheet(WARN_STYLE)
            self.due_hint.setText(f"晚于核实截止日（{short_date(self.verify_due)}），将记为逾期")
        else:
            self.due_hint.setStyleSheet(HINT_STYLE)
            self.due_hint.setText(f"核实截止日：{short_date(self.verify_due)}")

    def department(self) -> str:
        return self.dept_combo.currentText()

    def values(self) -> dict:
        result = None
        if self.pass_radio.isChecked():
            result = VerifyResult.PASS
        elif self.fail_radio.isChecked():
            result = VerifyResult.FAIL
        return {"department": self.department(), "result": result, "verified_on": pydate(self.date_edit.date()),
                "note": self.note_edit.text().strip()}

    def set_values(self, result: VerifyResult, day: dt.date, note: str = "") -> None:
        (self.pass_radio if result is VerifyResult.PASS else self.fail_radio).setChecked(True)
        self.date_edit.setDate(qdate(day))
        self.note_edit.setText(note)

    def submit(self) -> None:
        for err in self.errors.values():
            show_at(err, "")
        v = self.values()
        if v["result"] is None:
            self.show_error(ValidationError("请选择核实结果（通过或不通过）", field="result"))
            return
        if v["result"] is VerifyResult.FAIL and not v["note"]:
            self.show_error(ValidationError("核实不通过时须填写说明（未通过的原因）", field="note"))
            return
        self.ok_button.setEnabled(False)
        self.submitted.emit(v)

    def _clear(self) -> None:
        self.ok_button.setEnabled(False)
        self.clear_button.setEnabled(False)
        self.cleared.emit(self.department())

    def show_error(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        name = getattr(exc, "field", None)
        if name in self.errors:
            show_at(self.errors[name], exc.message)
            {"department_id": self.dept_combo, "result": self.pass_radio, "verified_on": self.date_edit,
             "note": self.note_edit}[name].setFocus()
        else:
            show_error(self, exc)


class ItemDialog(QDialog):
    """修改完成面积 / 备注 of a reported item (while its verification is open)."""

    submitted = Signal(object, str)  # area (亩), note

    def __init__(self, item: ItemRow, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("修改报送条目")
        self.setMinimumWidth(420)
        self.error = error_label()
        self.area_edit = QLineEdit(plain(item.completed_area_mu))
        self.unit_combo = QComboBox()
        self.unit_combo.addItems(["亩", "㎡"])
        row = QWidget()
        rl = QHBoxLayout(row)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.area_edit, 1)
        rl.addWidget(self.unit_combo)
        self.note_edit = QLineEdit(item.note)
        form = QFormLayout()
        form.addRow("治理对象", QLabel(item.target))
        form.addRow("计划面积", QLabel(f"{units.fmt(item.planned_area_mu, 2)} 亩"))
        form.addRow("完成面积", _with_error(row, self.error))
        form.addRow("备注", self.note_edit)
        self.buttons = _buttons("保存")
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.buttons)
        self.area_edit.textEdited.connect(lambda: show_at(self.error, ""))

    def submit(self) -> None:
        show_at(self.error, "")
        try:
            area = units.parse_area(self.area_edit.text(), unit=self.unit_combo.currentText(),
                                    field="completed_area_mu", label="完成面积")
            if area is None or area <= 0:
                raise ValidationError("完成面积应大于0", field="completed_area_mu")
        except ValidationError as exc:
            self.show_error(exc)
            return
        self.ok_button.setEnabled(False)
        self.submitted.emit(area, self.note_edit.text().strip())

    def show_error(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        if getattr(exc, "field", None) == "completed_area_mu":
            show_at(self.error, exc.message)
            self.area_edit.setFocus()
        else:
            show_error(self, exc)
