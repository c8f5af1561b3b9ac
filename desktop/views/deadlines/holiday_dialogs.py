"""Dialogs of the 节假日 page: add or correct one day; mark a hand-entered year complete with its notice.

Each emits `submitted(values)`; the page saves through the op bridge and calls `accept()` or
`show_error(exc)` — a refusal is shown at its field and the input stays.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QComboBox, QCompleter, QLabel, QLineEdit, QWidget

from desktop.services.deadlines import calendar_service
from desktop.services.deadlines.calendar_service import HolidayDay
from desktop.services.errors import UserError
from desktop.views.kit.date_field import DateField
from desktop.views.kit.forms import FormDialog, show_at
from desktop.views.kit.layouts import hbox, hint_label

COMMON_NAMES = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节", "国庆节、中秋节",
                "春节调休上班", "劳动节调休上班", "国庆节调休上班"]


class DayDialog(FormDialog):
    """Add or correct one day: 日期 (with its weekday), 类型, 名称, 来源. `submitted(dict)`; `saved` once saved."""

    def __init__(self, parent: QWidget | None, *, day: HolidayDay | None = None, year: int,
                 default_source: str = "") -> None:
        super().__init__("修改日期" if day else "新增日期", parent, width=560)
        self.original = day
        self.saved: HolidayDay | None = None
        start = day.day if day else dt.date(year, 1, 1)
        self.date_edit = DateField(label="日期", field="day", year=start.year, required=True)
        self.date_edit.set_value(start)
        self.weekday = QLabel(calendar_service.weekday_label(start))
        self.add("day", "日期", self.date_edit, shown=hbox(self.date_edit, self.weekday, 1))
        self.kind_combo = self.add("is_workday", "类型", QComboBox())
        self.kind_combo.addItem(calendar_service.HOLIDAY_LABEL, False)
        self.kind_combo.addItem(calendar_service.WORKDAY_LABEL, True)
        self.kind_combo.setCurrentIndex(1 if day and day.is_workday else 0)
        self.name_edit = self.add("name", "名称", QLineEdit(day.name if day else ""))
        self.name_edit.setPlaceholderText("如 春节、国庆节、春节调休上班")
        self.name_edit.setCompleter(QCompleter(COMMON_NAMES, self.name_edit))
        self.source_edit = self.add("source", "来源", QLineEdit(day.source if day else default_source))
        self.source_edit.setPlaceholderText(calendar_service.source_example(start.year))
        self.form.addRow("", hint_label("调休上班只用于调休的星期六、星期日。来源填国务院办公厅通知的名称和文号。"))
        self.date_edit.changed.connect(self._date_changed)
        self.name_edit.setFocus()

    def _date_changed(self) -> None:
        show_at(self.errors["is_workday"], "")
        if self.date_edit.is_valid() and self.date_edit.value() is not None:
            self.weekday.setText(calendar_service.weekday_label(self.date_edit.value()))

    def values(self) -> dict:
        return {"day": self.date_edit.value(), "is_workday": bool(self.kind_combo.currentData()),
                "name": self.name_edit.text(), "source": self.source_edit.text()}

    def save(self) -> None:
        self.submit()


class CompleteDialog(FormDialog):
    """Mark a hand-entered year complete, naming the notice it comes from (required). `submitted(dict)`."""

    def __init__(self, parent: QWidget | None, year: int, source: str) -> None:
        super().__init__(f"{year}年节假日安排：标记为完整录入", parent, ok_text="标记为完整录入", width=620)
        self.year = year
        self.layout().insertWidget(0, QLabel(f"确认{year}年的放假日和调休上班日已按国务院办公厅通知全部录入。"
                                             f"标记后，{year}年内的期限将按此表计算工作日。"))
        self.source_edit = self.add("source", "来源（通知名称和文号）", QLineEdit(source))
        self.source_edit.setPlaceholderText(calendar_service.source_example(year))
        self.error = self.errors["source"]

    def values(self) -> dict:
        return {"source": self.source_edit.text()}

    def save(self) -> None:
        self.submit()

    def show_error(self, exc: BaseException) -> None:
        if isinstance(exc, UserError) and getattr(exc, "field", None) is None:
            # A refusal of the year (no day entered yet) is read beside the source.
            self.ok_button.setEnabled(True)
            show_at(self.error, exc.message)
            self.source_edit.setFocus()
        else:
            super().show_error(exc)
