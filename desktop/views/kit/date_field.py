"""The one date field of every form: typed like a clerk types, empty when empty, refused at the field.

It takes 2024-3-5, 2024.3.5, 2024/3/5, 20240305 and 2024年3月5日 (services/dates.parse_date, the
same reader as the importers and the CLI); shows a bad date in red under itself and never hands a
value past it; is empty without any fake text; and its calendar pop-up speaks Chinese and opens on
the year being worked (or on the date already typed).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from desktop.services.clock import SYSTEM_CLOCK
from desktop.services.dates import date_text, parse_date
from desktop.services.errors import ValidationError

ERROR_STYLE = "color: #c0392b;"
CHINESE = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
PLACEHOLDER = "如 2024-3-5"


class DateField(QWidget):
    """A date typed or picked; `value()` is the date, None when empty, and raises when the text is bad."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, label: str = "日期", field: str = "",
                 year: int | None = None, required: bool = False, show_error_line: bool = True) -> None:
        super().__init__(parent)
        self.label, self.field, self.year, self.required = label, field, year, required
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(PLACEHOLDER)
        self.edit.setToolTip("可输入 2024-3-5、2024.3.5、2024/3/5、20240305 或 2024年3月5日")
        self.edit.setMaxLength(32)
        self.button = QToolButton()
        self.button.setText("▾")
        self.button.setToolTip("从日历选择")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(self.open_calendar)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.edit, 1)
        row.addWidget(self.button)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        outer.addLayout(row)
        if show_error_line:
            outer.addWidget(self.error)
        self.setFocusProxy(self.edit)
        self.edit.textEdited.connect(self._edited)
        self.edit.editingFinished.connect(self.check)
        self.calendar: QCalendarWidget | None = None
        self._menu: QMenu | None = None

    # Value ---------------------------------------------------------------------------------------
    def value(self) -> dt.date | None:
        """The date typed; None when empty (and not required). Raises ValidationError naming the field."""
        text = self.edit.text().strip()
        if not text:
            if self.required:
                raise ValidationError(f"请填写{self.label}", field=self.field or None)
            return None
        try:
            return parse_date(text)
        except ValueError as exc:
            raise ValidationError(f"{self.label}：{exc}", field=self.field or None) from None

    def set_value(self, value: dt.date | None) -> None:
        self.edit.setText(date_text(value))
        self.show_error("")

    def text(self) -> str:
        return self.edit.text()

    def is_valid(self) -> bool:
        try:
            self.value()
        except ValidationError:
            return False
        return True

    def check(self) -> bool:
        """Show the reason under the field when the text is not a date; True when it is fine."""
        try:
            value = self.value()
        except ValidationError as exc:
            self.show_error(exc.message)
            return False
        self.show_error("")
        if value is not None and self.edit.text() != date_text(value):
            self.edit.setText(date_text(value))  # 2024.3.5 reads back as 2024-03-05 once accepted
        return True

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message) and self.error.parent() is not None)
        self.edit.setStyleSheet("QLineEdit { border: 1px solid #c0392b; }" if message else "")

    def _edited(self) -> None:
        if self.error.text():
            self.show_error("")
        self.changed.emit()

    # Calendar ------------------------------------------------------------------------------------
    def open_calendar(self) -> None:
        if self._menu is None:
            self._menu = QMenu(self)
            self.calendar = QCalendarWidget()
            self.calendar.setLocale(CHINESE)
            self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
            self.calendar.setGridVisible(True)
            self.calendar.clicked.connect(self._picked)
            self.calendar.activated.connect(self._picked)
            action = QWidgetAction(self._menu)
            action.setDefaultWidget(self.calendar)
            self._menu.addAction(action)
        self._show_page()
        self._menu.popup(self.edit.mapToGlobal(self.edit.rect().bottomLeft()))
        self.calendar.setFocus()

    def _show_page(self) -> None:
        """Open on the date typed, else on the year being worked (this month if it is this year)."""
        try:
            current = self.value()
        except ValidationError:
            current = None
        if current is not None:
            self.calendar.setSelectedDate(QDate(current.year, current.month, current.day))
            self.calendar.setCurrentPage(current.year, current.month)
            return
        today = self._today()
        year = self.year or today.year
        month = today.month if year == today.year else 1
        self.calendar.setCurrentPage(year, month)

    def _today(self) -> dt.date:
        """The ledger's day of the page or dialog the field sits on (the system clock outside any page)."""
        node = self.parent()
        while node is not None:
            ctx = getattr(node, "ctx", None)
            if ctx is not None:
                return ctx.ledger.today()
            node = node.parent()
        return SYSTEM_CLOCK.today()

    def _picked(self, day: QDate) -> None:
        self.set_value(dt.date(day.year(), day.month(), day.day()))
        if self._menu is not None:
            self._menu.hide()
        self.changed.emit()
        self.edit.setFocus()
