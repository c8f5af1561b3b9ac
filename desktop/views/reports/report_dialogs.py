"""Dialogs of the 月度报送与核实 page: add completed entries, one department's verification, an item's
completed area. Each emits `submitted(values)`; the page saves through the op bridge and calls
`accept()` or `show_error(exc)` (an error on a field is shown under it, the input kept)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QButtonGroup, QCheckBox, QComboBox, QDialogButtonBox, QLabel, \
    QLineEdit, QRadioButton

from desktop.models.enums import VerifyResult
from desktop.services import units
from desktop.services.errors import UserError, ValidationError
from desktop.services.reports.report_service import ItemRow, ReportableEntry
from desktop.views.kit.date_field import DateField
from desktop.views.kit.forms import HINT_STYLE, FormDialog, plain, show_at
from desktop.views.kit.layouts import hbox, hint_label, table_view, vbox
from desktop.views.kit.rows import date_text, mu
from desktop.views.kit.table import shortcut
from desktop.views.reports.report_models import ReportableModel, short_date

WARN_STYLE = "color: #B26A00;"


class AddItemsDialog(FormDialog):
    """添加完成条目: tick the town's entries in 实施中 completed this month; the completed area
    defaults to the planned area and can be changed in place. `submitted(list of (entry id, area|None))`."""

    def __init__(self, town: str, month: int, reported_on: dt.date, entries: list[ReportableEntry],
                 parent=None) -> None:
        super().__init__(f"添加完成条目 — {town}{month}月报送", parent, ok_text="添加")
        self.resize(920, 480)
        intro = QLabel(f"勾选{town}本月完成整治的条目（仅“实施中”的条目可报送）。添加后条目转为“已报完成”，"
                       f"完成日期记为报送日期 {date_text(reported_on)}。完成面积默认为计划面积，可双击修改。")
        intro.setWordWrap(True)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("按名称或信用代码筛选（Ctrl+F）")
        self.filter.setClearButtonEnabled(True)
        self.all_box = QCheckBox("全选")
        self.model = ReportableModel(self)
        self.model.set_rows(entries)
        self.table = table_view(self.model, "reportable_table", (28, 230, 156, 72, 140, 96, 96), single=False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.empty = hint_label("该镇街没有“实施中”的条目可报送。")
        self.empty.setVisible(not entries)
        self.count = QLabel()
        self.layout().insertWidget(0, vbox(intro, hbox((self.filter, 1), self.all_box), spacing=6))
        self.add("entry_id", "", self.table)
        self.form.addRow("", self.empty)
        self.form.addRow("", self.count)
        self.error = self.errors["entry_id"]
        self.filter.textChanged.connect(self.model.set_filter)
        self.all_box.toggled.connect(self.model.set_all)
        self.model.dataChanged.connect(lambda *_: self._update_count())
        self.model.modelReset.connect(self._update_count)
        shortcut(self, QKeySequence.StandardKey.Find, lambda: (self.filter.setFocus(), self.filter.selectAll()))
        self._update_count()

    def _update_count(self) -> None:
        chosen = self.model.chosen()
        area = sum((a if a is not None else self.model.planned_of(i) for i, a in chosen), Decimal(0))
        self.count.setText(f"已选 {len(chosen)} 项，完成面积合计 {mu(area)} 亩")
        self.ok_button.setEnabled(bool(chosen))
        show_at(self.error, "")

    def check(self, entry_id: int, area=None) -> None:
        """Tick an entry (and set its area); used by tests and keyboard users alike."""
        row = self.model.row_of(entry_id)
        if area is not None:
            self.model.setData(self.model.index(row, ReportableModel.AREA_COLUMN), str(area))
        self.model.setData(self.model.index(row, 0), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)

    def values(self) -> list[tuple[int, Decimal | None]]:
        return self.model.chosen()

    def clean(self, chosen: list) -> list:
        if not chosen:
            raise ValidationError("请勾选要报送的条目", field="entry_id")
        return chosen

    def show_error(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):  # every refusal is about the entries ticked
            self.ok_button.setEnabled(True)
            show_at(self.error, exc.message)
        else:
            super().show_error(exc)


class VerificationDialog(FormDialog):
    """One verifying department's record on one item: 通过 / 不通过, date, note (a fail needs one).
    Shows live whether the date is after the month's verification due day (→ 逾期).

    `submitted(dict)`: department, result, verified_on, note; `cleared(department)` asks to delete its record.
    """

    cleared = Signal(str)

    def __init__(self, item: ItemRow, departments: list[str], department: int, verify_due: dt.date,
                 today: dt.date, parent=None) -> None:
        super().__init__("录入核实结果", parent, width=480)
        self.item = item
        self.verify_due = verify_due
        self._today = today
        head = QLabel(f"<b>{item.target}</b>（{item.town}）<br>报送日期 {date_text(item.reported_on)}，"
                      f"完成面积 {mu(item.completed_area_mu)} 亩")
        head.setTextFormat(Qt.TextFormat.RichText)
        head.setWordWrap(True)
        self.layout().insertWidget(0, head)
        self.dept_combo = self.add("department_id", "核实部门", QComboBox())
        for i, name in enumerate(departments):
            self.dept_combo.addItem(name, i)
        self.pass_radio = QRadioButton("通过")
        self.fail_radio = QRadioButton("不通过")
        self.result_group = QButtonGroup(self)
        for b in (self.pass_radio, self.fail_radio):
            self.result_group.addButton(b)
        self.add("result", "核实结果", self.pass_radio, shown=hbox(self.pass_radio, self.fail_radio, 1))
        self.date_edit = DateField(label="核实日期", field="verified_on", year=verify_due.year, required=True)
        self.due_hint = QLabel()
        self.add("verified_on", "核实日期", self.date_edit, shown=vbox(self.date_edit, self.due_hint))
        self.note_edit = self.add("note", "说明", QLineEdit())
        self.note_edit.setPlaceholderText("不通过时必填：未通过的原因")
        self.clear_button = self.buttons.addButton("清除该部门记录", QDialogButtonBox.ButtonRole.ResetRole)
        self.clear_button.setAutoDefault(False)
        self.clear_button.clicked.connect(self._clear)
        self.dept_combo.currentIndexChanged.connect(self._load_department)
        self.date_edit.changed.connect(self._date_changed)
        self.fail_radio.toggled.connect(lambda on: self.note_edit.setPlaceholderText(
            "必填：未通过的原因" if on else "可不填"))
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
        self.date_edit.set_value((cell.verified_on if cell is not None else None) or self._default_date())
        self.note_edit.setText(cell.note if cell is not None else "")
        self.clear_button.setEnabled(cell is not None and cell.result is not None)
        self.clear_errors()
        self._date_changed()

    def _date_changed(self) -> None:
        try:
            day = self.date_edit.value()
        except ValidationError:
            day = None
        late = day is not None and day > self.verify_due
        self.due_hint.setStyleSheet(WARN_STYLE if late else HINT_STYLE)
        self.due_hint.setText(f"晚于核实截止日（{short_date(self.verify_due)}），将记为逾期" if late
                              else f"核实截止日：{short_date(self.verify_due)}")

    def department(self) -> str:
        return self.dept_combo.currentText()

    def values(self) -> dict:
        result = VerifyResult.PASS if self.pass_radio.isChecked() else \
            VerifyResult.FAIL if self.fail_radio.isChecked() else None
        return {"department": self.department(), "result": result, "verified_on": self.date_edit.value(),
                "note": self.note_edit.text().strip()}

    def clean(self, v: dict) -> dict:
        if v["result"] is None:
            raise ValidationError("请选择核实结果（通过或不通过）", field="result")
        if v["result"] is VerifyResult.FAIL and not v["note"]:
            raise ValidationError("核实不通过时须填写说明（未通过的原因）", field="note")
        return v

    def set_values(self, result: VerifyResult, day: dt.date, note: str = "") -> None:
        (self.pass_radio if result is VerifyResult.PASS else self.fail_radio).setChecked(True)
        self.date_edit.set_value(day)
        self._date_changed()
        self.note_edit.setText(note)

    def _clear(self) -> None:
        self.ok_button.setEnabled(False)
        self.clear_button.setEnabled(False)
        self.cleared.emit(self.department())

    def show_error(self, exc: BaseException) -> None:
        super().show_error(exc)
        self.clear_button.setEnabled(any(c.result is not None for c in self.item.cells))


class ItemDialog(FormDialog):
    """修改完成面积 / 备注 of a reported item (while its verification is open). `submitted(dict)`: area, note."""

    def __init__(self, item: ItemRow, parent=None) -> None:
        super().__init__("修改报送条目", parent, width=420)
        self.form.addRow("治理对象", QLabel(item.target))
        self.form.addRow("计划面积", QLabel(f"{mu(item.planned_area_mu)} 亩"))
        self.area_edit = QLineEdit(plain(item.completed_area_mu))
        self.unit_combo = QComboBox()
        self.unit_combo.addItems(["亩", "㎡"])
        self.add("completed_area_mu", "完成面积", self.area_edit, shown=hbox((self.area_edit, 1), self.unit_combo))
        self.note_edit = self.add("note", "备注", QLineEdit(item.note))
        self.error = self.errors["completed_area_mu"]

    def values(self) -> dict:
        area = units.parse_area(self.area_edit.text(), unit=self.unit_combo.currentText(),
                                field="completed_area_mu", label="完成面积")
        if area is None or area <= 0:
            raise ValidationError("完成面积应大于0", field="completed_area_mu")
        return {"area": area, "note": self.note_edit.text().strip()}

