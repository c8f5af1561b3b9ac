"""The form kit: fields with a red line under each, refusals shown at their field, 保存/取消.

    class ParkDialog(FormDialog):
        def __init__(...):
            super().__init__("新增片区", parent)
            self.name_edit = self.add("name", "片区名称", QLineEdit())
            self.date_edit = self.add("start_date", "启动日期", DateField(label="启动日期", year=year))
        def values(self): ...   # raises ValidationError(field=…) for a bad field

The dialog emits `submitted(values)`; the page saves through the op bridge and calls `accept()` or
`show_error(exc)`. A field's red line clears as soon as the clerk edits that field; the typed input
always stays.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.errors import ValidationError
from desktop.views.kit.date_field import DateField
from desktop.views.kit.worker import show_error as show_error_box

ERROR_STYLE = "color: #c0392b;"
HINT_STYLE = "color: #707070;"


def error_label() -> QLabel:
    """A red line under a form field, hidden until the field is refused."""
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def show_at(label: QLabel, message: str) -> None:
    label.setText(message)
    label.setVisible(bool(message))


def plain(value) -> str:
    """A number as the clerk would type it: 4000 not 4000.0000, empty for None."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def on_edit(widget: QWidget, slot) -> None:
    """Call `slot` whenever the clerk edits `widget` (whatever kind of field it is)."""
    if isinstance(widget, DateField):
        widget.changed.connect(slot)
    elif isinstance(widget, QLineEdit):
        widget.textEdited.connect(slot)
    elif isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(slot)
    elif isinstance(widget, QPlainTextEdit):
        widget.textChanged.connect(slot)
    elif isinstance(widget, QAbstractButton):
        widget.toggled.connect(slot)


def show_field_error(parent: QWidget, exc: BaseException, errors: dict[str, QLabel],
                     fields: dict[str, QWidget]) -> QWidget | None:
    """An inline form on a page: a refusal naming one of its fields goes under that field, which takes
    the focus (and is returned); anything else goes to the usual message box (None)."""
    name = getattr(exc, "field", None)
    if name not in errors or not getattr(exc, "message", None):
        show_error_box(parent, exc)
        return None
    show_at(errors[name], exc.message)
    widget = fields.get(name)
    if widget is not None:
        widget.setFocus()
    return widget


class FieldErrorDialog:
    """Mixin for a dialog with `errors` (field → error label), `focus_of` (field → widget) and
    `ok_button`: a refusal naming one of its fields is shown under that field, which takes the
    focus; anything else goes to the usual message box. The typed input stays."""

    def show_error(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        name = getattr(exc, "field", None)
        if name in self.errors and getattr(exc, "message", None):
            show_at(self.errors[name], exc.message)
            self.focus_of[name].setFocus()
        else:
            show_error_box(self, exc)

    def clear_errors(self) -> None:
        for label in self.errors.values():
            show_at(label, "")


class FormDialog(FieldErrorDialog, QDialog):
    """A form dialog: `add(key, label, widget)` per field, `values()` in the subclass, `submitted(values)`."""

    submitted = Signal(object)

    def __init__(self, title: str, parent: QWidget | None = None, *, ok_text: str = "保存", width: int = 440) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(width)
        self.errors: dict[str, QLabel] = {}
        self.focus_of: dict[str, QWidget] = {}
        self.form = QFormLayout()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(buttons)

    def add(self, key: str, label: str, widget: QWidget, *, shown: QWidget | None = None) -> Any:
        """A field row: `widget` takes the input (and the focus on a refusal); `shown` is what the row
        displays when it is a composite (a number with its unit box). Returns `widget`."""
        holder = QWidget()
        col = QVBoxLayout(holder)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(2)
        col.addWidget(shown or widget)
        if isinstance(widget, DateField):
            err = widget.error  # the date field's own red line
            if err.parent() is None:
                col.addWidget(err)
        else:
            err = error_label()
            col.addWidget(err)
        self.errors[key] = err
        self.focus_of[key] = widget
        on_edit(widget, lambda *_a, k=key: show_at(self.errors[k], ""))
        self.form.addRow(label, holder)
        return widget

    def values(self):  # pragma: no cover - every form answers
        raise NotImplementedError

    def clean(self, values):
        """The service's check of the typed values (override); raises ValidationError naming the field."""
        return values

    def submit(self) -> None:
        self.clear_errors()
        for key, widget in self.focus_of.items():
            if isinstance(widget, DateField) and not widget.check():
                widget.setFocus()
                return  # a bad date never goes further than its field
        try:
            values = self.clean(self.values())
        except ValidationError as exc:
            self.show_error(exc)
            return
        self.ok_button.setEnabled(False)
        self.submitted.emit(values)


class FieldForm(FieldErrorDialog, QWidget):
    """The fields of a form that sits on a page rather than in a dialog (a step's date and result, an
    acquisition's progress): `add(key, label, widget)` as in FormDialog, a refusal shown at its field,
    and `ok_button` (the page's 保存 — made here from a text, or the page's own button) enabled again
    after a refusal."""

    add = FormDialog.add

    def __init__(self, ok_button: QPushButton | str = "保存", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.errors: dict[str, QLabel] = {}
        self.focus_of: dict[str, QWidget] = {}
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.ok_button = QPushButton(ok_button) if isinstance(ok_button, str) else ok_button

    def dates_ok(self) -> bool:
        """Show a bad date at its field (and focus it); True when every date field reads."""
        self.clear_errors()
        for widget in self.focus_of.values():
            if isinstance(widget, DateField) and not widget.check():
                widget.setFocus()
                return False
        return True
