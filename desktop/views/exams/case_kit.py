"""What the tabs of a case share: a save button enabled only when the case's stage allows that record (the
stage table's RECORDS) and the account may write, its tooltip saying why not; a tab's base."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QPushButton, QWidget

from desktop.services.exams import exam_states
from desktop.views.kit.table import refusal


class Gate:
    """Buttons that record kind `what` of exam_states.RECORDS: enabled in the stages that allow it."""

    def __init__(self, page: QWidget) -> None:
        self.page = page
        self.buttons: list[tuple[QPushButton, str, str, Callable[[], str | None] | None]] = []

    def add(self, button: QPushButton, what: str, tip: str = "", extra: Callable[[], str | None] | None = None
            ) -> QPushButton:
        self.buttons.append((button, what, tip, extra))
        return button

    def why(self, what: str, stage) -> str | None:
        if stage is None:
            return "请先打开一件综合体检"
        return refusal(self.page, "ledger_write") or exam_states.why_not_record(what, stage)

    def update(self, stage) -> None:
        for button, what, tip, extra in self.buttons:
            why = self.why(what, stage) or (extra() if extra is not None else None)
            button.setEnabled(why is None)
            button.setToolTip(tip if why is None else why + (f"　{tip}" if tip else ""))


class CaseTab(QWidget):
    """A tab of the case view: `show_detail(detail)` when the case is (re)loaded; `gate` for its buttons."""

    def __init__(self, case) -> None:
        super().__init__()
        self.case = case
        self.ctx = case.ctx
        self.detail = None
        self.gate = Gate(self)

    def show_detail(self, detail) -> None:
        self.detail = detail
        self.gate.update(detail.stage if detail is not None else None)

    def layout_parts(self) -> dict:
        """Headers and splitters to remember (name → widget with saveState/restoreState)."""
        return {}


def open_dialog(owner: QWidget, dialog, on_submit: Callable) -> None:
    """Open `dialog` as `owner.dialog` (one at a time): its `submitted(values)` goes to `on_submit`; closing it
    frees the slot."""
    dialog.submitted.connect(on_submit)
    dialog.finished.connect(lambda _r: setattr(owner, "dialog", None))
    owner.dialog = dialog
    dialog.open()


def first(table):
    """The selected row's object of a kit table, or None."""
    from desktop.views.kit.table import selected_rows

    rows = selected_rows(table)
    return rows[0] if rows else None


def open_selected(table, button: QPushButton, open_fn: Callable) -> None:
    """Open the one selected row of `table` with `open_fn(row)` when `button` (its 修改) is enabled."""
    from desktop.views.kit.table import selected_rows

    rows = selected_rows(table)
    if len(rows) == 1 and button.isEnabled():
        open_fn(rows[0])


def why_not_lift(rows: list, attr: str) -> str | None:
    """解除 of one selected row, unless it was lifted already (its `attr` date set)."""
    from desktop.views.kit.table import needs_one

    return needs_one(rows) or (f"已于 {getattr(rows[0], attr)} 解除" if getattr(rows[0], attr) else None)


def _text(widget) -> str:
    from desktop.views.kit.date_field import DateField

    if isinstance(widget, DateField):
        return widget.edit.text()
    return widget.toPlainText() if hasattr(widget, "toPlainText") else widget.text()


def _set_text(widget, text: str) -> None:
    from desktop.views.kit.date_field import DateField

    if isinstance(widget, DateField):
        widget.edit.setText(text)
    elif hasattr(widget, "setPlainText"):
        widget.setPlainText(text)
    else:
        widget.setText(text)


class Refill:
    """Fills a form's fields from the ledger on every reload, except what the clerk has typed into them since
    the last fill of the same record: that typing stays until it is saved (or another record is shown)."""

    def __init__(self, *widgets) -> None:
        self.widgets = widgets
        self.key = None
        self.filled: tuple[str, ...] | None = None

    def __call__(self, key, fill: Callable[[], None]) -> None:
        typed = tuple(_text(w) for w in self.widgets)
        dirty = key == self.key and self.filled is not None and typed != self.filled
        fill()
        self.key, self.filled = key, tuple(_text(w) for w in self.widgets)
        if dirty and typed != self.filled:
            for widget, text in zip(self.widgets, typed):
                _set_text(widget, text)
