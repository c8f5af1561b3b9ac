"""截至 a day: the filter of pages that show the ledger as of a date (周转指标库, 期限).

A DateField (typed in any of the clerk's forms, or picked from the Chinese calendar) with a 今天
button. `changed(date)` fires only when a whole, valid date is in the field, so a half-typed date never
reloads the page; an empty field means today. A bad date is marked at the field and said in its tooltip.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.services.errors import ValidationError
from desktop.views.kit.date_field import DateField

TIP = "可输入 2024-3-5、2024.3.5、2024/3/5、20240305 或 2024年3月5日；留空即今天"


class _FilterDate(DateField):
    """A date field in a tool bar: its refusal goes to the tooltip (no red line to push the bar down)."""

    def show_error(self, message: str) -> None:
        super().show_error(message)
        self.edit.setToolTip(message or TIP)


class AsOfField(QWidget):
    """截至：[date] [今天]; `value()` is always a date."""

    changed = Signal(object)

    def __init__(self, today: Callable[[], dt.date], *, year: int | None = None, tip: str = "",
                 caption: str = "截至：") -> None:
        super().__init__()
        self.today = today
        self.field = _FilterDate(label="截至日期", field="as_of", year=year, show_error_line=False)
        self.field.edit.setToolTip(TIP)
        self.field.setMinimumWidth(120)
        if tip:
            self.setToolTip(tip)
        self.today_button = QPushButton("今天")
        self.today_button.clicked.connect(lambda: self.set_value(self.today()))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(caption))
        row.addWidget(self.field)
        row.addWidget(self.today_button)
        self._value = today()
        self.field.set_value(self._value)
        self.field.changed.connect(self._edited)

    def value(self) -> dt.date:
        return self._value

    def set_value(self, day: dt.date) -> None:
        self.field.set_value(day)
        self._take(day)

    def _edited(self) -> None:
        try:
            day = self.field.value()
        except ValidationError:
            return  # still being typed, or bad: the page keeps the last good day
        self._take(day or self.today())

    def _take(self, day: dt.date) -> None:
        if day != self._value:
            self._value = day
            self.changed.emit(day)
