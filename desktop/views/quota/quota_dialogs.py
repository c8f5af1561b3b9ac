"""Dialogs of the 周转指标库 page: a new loan against a filed 收储 plan (cap, open loans and room shown
live), and a partial or full return. Each emits `submitted(values)`; the page saves through the op
bridge and calls `accept()` or `show_error(exc)` (a refusal is shown at its field, the input kept)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton

from desktop.services.errors import UserError, ValidationError
from desktop.services.quota import quota_service
from desktop.services.quota.quota_ledger import LoanLedgerRow, LoanTerms, PlanChoice
from desktop.views.kit.date_field import DateField
from desktop.views.kit.forms import FormDialog, plain, show_at
from desktop.views.kit.layouts import hbox, hint_label, vbox
from desktop.views.kit.rows import date_text, mu


def _rich(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    return label


class LendDialog(FormDialog):
    """新增预借: choose a filed 收储 plan and see its cap, open loans and remaining room as you type.

    `submitted(dict)`: plan_id, loan_date, area_mu (the typed text), purpose. `year_changed(date)` asks
    the page for the plans' caps and the rules under the parameters of another loan year.
    """

    year_changed = Signal(object)

    def __init__(self, choices: list[PlanChoice], terms: LoanTerms, loan_date: dt.date, parent=None) -> None:
        super().__init__("新增预借周转指标", parent, width=560)
        self.choices: list[PlanChoice] = []
        self._year = loan_date.year
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("按镇街、国企或治理对象筛选")
        self.search_edit.setClearButtonEnabled(True)
        self.plan_combo = QComboBox()
        self.plan_combo.setMinimumContentsLength(36)
        self.plan_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.plan_info = _rich()
        self.add("plan_id", "收储方案", self.plan_combo,
                 shown=vbox(self.search_edit, self.plan_combo, self.plan_info, spacing=3))
        self.date_edit = self.add("loan_date", "预借日期", DateField(label="预借日期", field="loan_date",
                                                                   year=loan_date.year, required=True))
        self.date_edit.set_value(loan_date)
        self.area_edit = QLineEdit()
        self.area_edit.setPlaceholderText("亩，如 12.5")
        self.room_label = _rich()
        self.add("area_mu", "预借面积（亩）", self.area_edit, shown=vbox(self.area_edit, self.room_label))
        self.purpose_edit = self.add("purpose", "用途", QLineEdit())
        self.purpose_edit.setPlaceholderText("如 标准厂房建设、重大产业项目")
        self.hint = hint_label()
        self.layout().insertWidget(1, self.hint)
        self.search_edit.textChanged.connect(lambda _t: self._fill_combo())
        self.plan_combo.currentIndexChanged.connect(lambda _i: self._update_info())
        self.area_edit.textEdited.connect(lambda _t: self._update_room())
        self.date_edit.changed.connect(self._date_changed)
        self.set_data((choices, terms))

    # Choices -----------------------------------------------------------------------------
    def set_data(self, data: tuple[list[PlanChoice], LoanTerms]) -> None:
        """The plans that may lend and the rules, for a loan in the year of the date typed."""
        choices, terms = data
        self.hint.setText("只有已备案的收储方案可以预借，由方案的合作国企借用。" + terms.summary)
        self.choices = list(choices)
        self._fill_combo()

    def _fill_combo(self) -> None:
        keep = self.plan_combo.currentData()
        text = self.search_edit.text().strip().lower()
        self.plan_combo.blockSignals(True)
        self.plan_combo.clear()
        for c in self.choices:
            label = f"{c.town}｜{c.label}（{c.soe}）"
            if not text or text in label.lower():
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
            self.plan_info.setText(
                f"合作国企 <b>{c.soe}</b>，备案日期 {date_text(c.filed_on)}<br>"
                f"计划收储面积 <b>{mu(c.planned_area_mu)}</b> 亩，预借上限 {plain(c.ratio_pct)}% 即 <b>{mu(c.cap_mu)}</b> 亩；"
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

    def _date_changed(self) -> None:
        if not self.date_edit.is_valid() or self.date_edit.value() is None:
            return
        day = self.date_edit.value()
        if day.year != self._year:
            self._year = day.year
            self.year_changed.emit(day)

    # Submit ------------------------------------------------------------------------------
    def values(self) -> dict:
        c = self.choice()
        return {"plan_id": c.plan_id if c else None, "loan_date": self.date_edit.value(),
                "area_mu": self.area_edit.text(), "purpose": self.purpose_edit.text()}

    def clean(self, values: dict) -> dict:
        if values["plan_id"] is None:
            raise ValidationError("请选择已备案的收储方案", field="plan_id")
        quota_service.parse_area(values["area_mu"], field="area_mu", label="预借面积")
        return values

    def show_error(self, exc: BaseException) -> None:
        name = getattr(exc, "field", None)
        if name == "soe_id":
            name = "plan_id"
        if name is None and isinstance(exc, UserError):
            # A refusal of the rule (cap, filing): the cap names the numbers of the area typed.
            name = "area_mu" if "预借上限" in exc.message else "plan_id"
        if name == "area_mu":
            show_at(self.room_label, "")  # the message says it all, with the numbers
        if name in self.errors and getattr(exc, "message", None):
            self.ok_button.setEnabled(True)
            show_at(self.errors[name], exc.message)
            self.focus_of[name].setFocus()
        else:
            super().show_error(exc)


class ReturnDialog(FormDialog):
    """归还: a partial or full return of one loan. `submitted(dict)`: return_date, area_mu (text), note."""

    def __init__(self, loan: LoanLedgerRow, plan_label: str, balance_mu: Decimal, today: dt.date, parent=None) -> None:
        super().__init__("归还周转指标", parent, width=540)
        self.loan = loan
        self.balance = balance_mu
        self.info = _rich(f"{loan.town}｜{plan_label}<br>合作国企 {loan.soe}；{date_text(loan.loan_date)} 预借 "
                          f"<b>{mu(loan.area_mu)}</b> 亩，未还余额 <b>{mu(balance_mu)}</b> 亩，"
                          f"归还期限 {date_text(loan.due_date)}")
        self.layout().insertWidget(0, self.info)
        self.date_edit = self.add("return_date", "归还日期", DateField(label="归还日期", field="return_date",
                                                                     year=today.year, required=True))
        self.date_edit.set_value(max(today, loan.loan_date))
        self.area_edit = QLineEdit()
        self.area_edit.setPlaceholderText(f"最多 {mu(balance_mu)} 亩")
        self.all_button = QPushButton("全部归还")
        self.all_button.setAutoDefault(False)
        self.all_button.clicked.connect(lambda: self.area_edit.setText(plain(balance_mu)))
        self.add("area_mu", "归还面积（亩）", self.area_edit, shown=hbox((self.area_edit, 1), self.all_button))
        self.note_edit = self.add("note", "备注", QLineEdit())

    def values(self) -> dict:
        return {"return_date": self.date_edit.value(), "area_mu": self.area_edit.text(), "note": self.note_edit.text()}

    def clean(self, values: dict) -> dict:
        area = quota_service.parse_area(values["area_mu"], field="area_mu", label="归还面积")
        if area > self.balance:
            raise ValidationError(f"归还面积 {mu(area)} 亩超过未还余额 {mu(self.balance)} 亩", field="area_mu")
        return values
