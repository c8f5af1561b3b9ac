"""Forms of the 市场化收购 tab: the acquisition's progress (investor, new project, the stage dates and the
会审 result — errors at their field) and one month's tax feedback (a dialog)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QLineEdit, QPlainTextEdit, QPushButton

from desktop.services.landbank.acquisition_service import AcquisitionRow, AcquisitionValues, TaxMonthRow
from desktop.views.kit.date_field import DateField
from desktop.views.kit.forms import FieldForm, FormDialog, plain

JOINT_RESULTS = [("未会审", None), ("通过", True), ("未通过", False)]


def values_of(row: AcquisitionRow) -> AcquisitionValues:
    """The saved progress of an acquisition, as the form edits it (no revision: for undo)."""
    return AcquisitionValues(investor=row.investor, new_project=row.new_project, town_reviewed_on=row.town_reviewed_on,
                             negotiated_on=row.negotiated_on, joint_review_on=row.joint_review_on,
                             joint_review_passed=row.joint_review_passed, note=row.note)


class ProgressForm(FieldForm):
    """收购进度: 投资方, 新上项目, 镇街审核 → 收购洽谈 → 会审 (date and result), 备注."""

    def __init__(self, save_button: QPushButton, year: int) -> None:
        super().__init__(save_button)
        self.investor_edit = self.add("investor", "投资方", QLineEdit())
        self.project_edit = self.add("new_project", "新上项目", QLineEdit())
        self.reviewed_edit = self.add("town_reviewed_on", "镇街审核",
                                      DateField(label="镇街审核日期", field="town_reviewed_on", year=year))
        self.negotiated_edit = self.add("negotiated_on", "收购洽谈",
                                        DateField(label="收购洽谈日期", field="negotiated_on", year=year))
        self.joint_edit = self.add("joint_review_on", "会审日期",
                                   DateField(label="会审日期", field="joint_review_on", year=year))
        self.joint_result = self.add("joint_review_passed", "会审结果", QComboBox())
        for label, value in JOINT_RESULTS:
            self.joint_result.addItem(label, value)
        self.note_edit = self.add("note", "备注", QPlainTextEdit())
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(self.note_edit.fontMetrics().height() * 3 + 10)
        self.form.addRow("", save_button)

    def show_row(self, row: AcquisitionRow | None) -> None:
        self.clear_errors()
        self.setEnabled(row is not None)
        v = values_of(row) if row is not None else AcquisitionValues()
        self.investor_edit.setText(v.investor)
        self.project_edit.setText(v.new_project)
        self.reviewed_edit.set_value(v.town_reviewed_on)
        self.negotiated_edit.set_value(v.negotiated_on)
        self.joint_edit.set_value(v.joint_review_on)
        self.joint_result.setCurrentIndex([value for _l, value in JOINT_RESULTS].index(v.joint_review_passed))
        self.note_edit.setPlainText(v.note)

    def values(self, revision: int | None) -> AcquisitionValues:
        """The typed progress; a bad date raises ValidationError naming its field."""
        return AcquisitionValues(
            investor=self.investor_edit.text(), new_project=self.project_edit.text(),
            town_reviewed_on=self.reviewed_edit.value(), negotiated_on=self.negotiated_edit.value(),
            joint_review_on=self.joint_edit.value(), joint_review_passed=self.joint_result.currentData(),
            note=self.note_edit.toPlainText(), revision=revision)


@dataclass
class TaxForm:
    month: dt.date
    due: str
    paid: str
    note: str


class TaxRecordDialog(FormDialog):
    """登记税收反馈: one month's taxes due and paid. Emits `submitted(TaxForm)`."""

    def __init__(self, month: dt.date, row: TaxMonthRow | None = None, parent=None) -> None:
        super().__init__("登记税收反馈", parent, width=360)
        self.month_edit = self.add("month", "月份", QDateEdit())  # a month picker, not a date
        self.month_edit.setDisplayFormat("yyyy年M月")
        self.month_edit.setDate(QDate(month.year, month.month, 1))
        self.due_edit = self.add("due_wan", "应缴税款（万元）", QLineEdit())
        self.due_edit.setPlaceholderText("万元")
        self.paid_edit = self.add("paid_wan", "已缴税款（万元）", QLineEdit())
        self.paid_edit.setPlaceholderText("万元")
        self.note_edit = self.add("note", "备注", QLineEdit())
        if row is not None and row.record_id is not None:
            self.due_edit.setText(plain(row.due_wan))
            self.paid_edit.setText(plain(row.paid_wan))
            self.note_edit.setText(row.note)

    def values(self) -> TaxForm:
        d = self.month_edit.date()
        return TaxForm(dt.date(d.year(), d.month(), 1), self.due_edit.text(), self.paid_edit.text(),
                       self.note_edit.text())
