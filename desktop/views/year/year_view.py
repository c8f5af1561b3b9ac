"""年度参数 page: every number of the year's plan in one form, with the plan sentence each comes from.

The form is read from the one declaration of the parameters (services/year/params.py): its groups,
labels with units and hints. Numbers are typed as text so that a wrong value can be typed at all;
year_service parses and validates, and a refusal is shown under its field with the typed text kept.
A saved change can be undone (Ctrl+Z).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QCheckBox, QFrame, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QMessageBox, QScrollArea, QVBoxLayout, QWidget)

from desktop.services.errors import UserError, ValidationError
from desktop.services.year import params as declared
from desktop.services.year import year_service
from desktop.views.kit.context import AppContext
from desktop.views.kit.forms import HINT_STYLE, error_label, plain, show_at, show_field_error
from desktop.views.kit.ops import query, write
from desktop.views.kit.page_state import LazyRefresh
from desktop.views.kit.table import refusal, shortcut, title_label
from desktop.views.kit.undo import Step, UndoKit
from desktop.views.kit.widgets import button
from desktop.views.kit.worker import show_error

DEPARTMENTS = "verifying_departments"
DEPARTMENT_COLUMNS = 6


def _page_data(ledger, year: int):
    """The year's parameters, the member units (offered as verifying departments) and every year."""
    return (year_service.get_params(ledger, year), year_service.list_departments(ledger),
            year_service.list_years(ledger))


def _same(a, b) -> bool:
    # The form lists the departments in member-unit order: another order is not another choice.
    return sorted(a) == sorted(b) if isinstance(a, list) and isinstance(b, list) else a == b


def changed_values(before, values: dict) -> tuple[dict, dict]:
    """(old, new) of the parameters a save changes: what an undo puts back and a redo sets again."""
    keys = [k for k, v in values.items() if not _same(getattr(before, k), v)]
    return {k: getattr(before, k) for k in keys}, {k: values[k] for k in keys}


class YearParamsPage(LazyRefresh, QWidget):
    relevant_tables = frozenset({"year_params", "year", "department"})

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._year: int | None = None
        self._params: year_service.Params | None = None
        self._years: list[int] = []
        self._loaded: dict | None = None  # form texts as last loaded or saved
        self._editors: dict[str, QLineEdit] = {}
        self._errors: dict[str, QLabel] = {}
        self._dept_boxes: dict[str, QCheckBox] = {}
        ctx.year_changed.connect(self._on_year_changed)
        ctx.data_changed.connect(self._on_data_changed)
        self._build()

    def _build(self) -> None:
        """Head (title, unsaved mark, buttons), status line, then one group box per form group."""
        self.title = title_label("年度参数")
        head = QHBoxLayout()
        self.dirty_label = QLabel("*未保存")
        self.dirty_label.setStyleSheet("color: #c0392b; font-weight: bold;")
        self.dirty_label.setVisible(False)
        head.addWidget(self.title)
        head.addWidget(self.dirty_label)
        head.addStretch(1)
        self.undo = UndoKit(self, on_done=self.refresh)
        self.revert_button = button("放弃修改", self.revert)
        self.new_year_button = button("新建年度…", self.new_year, tip="以最近一个年度的参数为底稿新建下一年度")
        self.save_button = button("保存 (Ctrl+S)", self.save, default=True)
        for b in (self.undo.undo_button, self.undo.redo_button, self.revert_button, self.new_year_button,
                  self.save_button):
            head.addWidget(b)
        outer = QVBoxLayout(self)
        outer.addLayout(head)
        self.status = QLabel("")
        self.status.setStyleSheet(HINT_STYLE)
        outer.addWidget(self.status)

        self._labels: list[QLabel] = []
        body = QWidget()
        col = QVBoxLayout(body)
        for title, names in declared.GROUPS:
            box = QGroupBox(title)
            grid = QGridLayout(box)
            grid.setColumnStretch(3, 1)
            grid.setHorizontalSpacing(12)
            row = 0
            for name in names:
                row = self._add_field(grid, row, declared.BY_NAME[name])
            col.addWidget(box)
        col.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(body)
        outer.addWidget(self.scroll, 1)
        # One label column across all groups, so the fields line up.
        width = max(lbl.sizeHint().width() for lbl in self._labels)
        for lbl in self._labels:
            lbl.setMinimumWidth(width)
        shortcut(self, QKeySequence.StandardKey.Save, self.save)
        self._update_dirty()

    def _add_field(self, grid: QGridLayout, row: int, param: declared.Param) -> int:
        """One parameter: its label with unit, the field, a suffix, the plan sentence, and a red line."""
        name = param.name
        hint = QLabel(param.hint)
        hint.setStyleSheet(HINT_STYLE)
        hint.setWordWrap(True)
        self._errors[name] = err = error_label()
        label = QLabel(param.title)
        self._labels.append(label)
        if param.kind is list:
            self.dept_panel = QWidget()
            self.dept_grid = QGridLayout(self.dept_panel)
            self.dept_grid.setContentsMargins(0, 0, 0, 0)
            grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(hint, row, 1, 1, 3)
            grid.addWidget(self.dept_panel, row + 1, 1, 1, 3)
            grid.addWidget(err, row + 2, 1, 1, 3)
            return row + 3
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setFixedWidth(120)
        edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        edit.textEdited.connect(lambda _t, n=name: show_at(self._errors[n], ""))
        edit.textChanged.connect(lambda _t: self._update_dirty())
        edit.returnPressed.connect(self.save)
        label.setBuddy(edit)
        self._editors[name] = edit
        suffix = QLabel("")
        suffix.setFixedWidth(100)
        if name == "evaluation_year_offset":
            self.evaluation_year_label = suffix
            edit.textChanged.connect(self._update_evaluation_year)
        grid.addWidget(label, row, 0)
        grid.addWidget(edit, row, 1)
        grid.addWidget(suffix, row, 2)
        grid.addWidget(hint, row, 3)
        grid.addWidget(err, row + 1, 1, 1, 3)
        return row + 2

    def _set_departments(self, departments: list[year_service.DepartmentRow], checked: list[str]) -> None:
        while self.dept_grid.count():
            item = self.dept_grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self._dept_boxes.clear()
        names = [d.name for d in departments if d.active or d.name in checked]
        names += [n for n in checked if n not in names]  # a name no longer among the member units
        for i, name in enumerate(names):
            box = QCheckBox(name)
            box.setChecked(name in checked)
            box.toggled.connect(lambda _c: self._field_edited(DEPARTMENTS))
            self._dept_boxes[name] = box
            self.dept_grid.addWidget(box, i // DEPARTMENT_COLUMNS, i % DEPARTMENT_COLUMNS)

    # Loading -----------------------------------------------------------------------------
    def activate(self) -> None:
        if self._stale or self._year != self.ctx.year:
            self.refresh()

    def refresh(self) -> None:
        self._stale = False
        query(self, "params", _page_data, self.ctx.year, done=self._loaded_data, failed=self._load_failed)

    def _load_failed(self, exc: BaseException) -> None:
        self.status.setText("参数读取失败")
        show_error(self, exc)

    def _loaded_data(self, result) -> None:
        params, departments, years = result
        self._years = years
        self._fill(params)
        self._set_departments(departments, params.verifying_departments)
        self._loaded = self._form_texts()
        self._update_dirty()
        self.status.setText(f"各项数字只对 {params.year}年度有效；“新建年度”以最近一个年度（{max(years)}年度）的参数为底稿")

    def _fill(self, params: year_service.Params) -> None:
        self._params = params
        self._year = params.year
        self.title.setText(f"{params.year}年度参数")
        for name, edit in self._editors.items():
            edit.setText(plain(getattr(params, name)))
        for err in self._errors.values():
            show_at(err, "")
        self._update_evaluation_year()

    def _update_evaluation_year(self) -> None:
        if self._year is None:
            return
        try:
            offset = int(self._editors["evaluation_year_offset"].text().strip())
        except ValueError:
            self.evaluation_year_label.setText("")
            return
        self.evaluation_year_label.setText(f"= {self._year - offset}年度")

    def _on_data_changed(self, what: frozenset[str]) -> None:
        if not self.is_dirty():  # never clobber the clerk's edits; saving will notice a conflicting change
            super()._on_data_changed(what)

    # Dirty state -------------------------------------------------------------------------
    def _form_texts(self) -> dict:
        texts = {name: edit.text() for name, edit in self._editors.items()}
        texts[DEPARTMENTS] = [n for n, b in self._dept_boxes.items() if b.isChecked()]
        return texts

    def is_dirty(self) -> bool:
        return self._loaded is not None and self._form_texts() != self._loaded

    def _field_edited(self, name: str) -> None:
        show_at(self._errors[name], "")
        self._update_dirty()

    def _update_dirty(self) -> None:
        dirty = self.is_dirty()
        self.dirty_label.setVisible(dirty)
        why_not = refusal(self, "params")  # a role that only reads the parameters (clerk, leader)
        for b in (self.revert_button, self.save_button):
            b.setEnabled(dirty and not why_not)
            b.setToolTip(why_not or ("" if dirty else "没有未保存的修改"))
        self.new_year_button.setEnabled(not why_not)
        self.new_year_button.setToolTip(why_not or "以最近一个年度的参数为底稿新建下一年度")

    def revert(self) -> None:
        if self._params is not None and self._loaded is not None:
            loaded = self._loaded
            for name, edit in self._editors.items():
                edit.setText(loaded[name])
            for name, box in self._dept_boxes.items():
                box.setChecked(name in loaded[DEPARTMENTS])
            for err in self._errors.values():
                show_at(err, "")
        self._update_dirty()

    # Saving ------------------------------------------------------------------------------
    def _values(self) -> dict | None:
        """Parsed and validated values, or None after showing every refusal at its field."""
        for err in self._errors.values():
            show_at(err, "")
        texts = self._form_texts()
        problems = year_service.form_problems(texts)
        for exc in reversed(problems):  # focus ends on the first one
            self._show_field_error(exc)
        if problems:
            return None
        return year_service.validate(year_service.parse_form(texts))

    def _show_field_error(self, exc: UserError) -> None:
        first_box = next(iter(self._dept_boxes.values()), None)
        fields = {**self._editors, **({DEPARTMENTS: first_box} if first_box is not None else {})}
        widget = show_field_error(self, exc, self._errors, fields)
        if widget is not None:
            self.scroll.ensureWidgetVisible(widget)

    def save(self) -> bool:
        """保存: validate here (errors at the field), write on the lane. False when refused."""
        if self._params is None or refusal(self, "params"):
            return False
        values = self._values()
        if values is None:
            return False
        before, year, texts = self._params, self._year, self._form_texts()
        self.save_button.setEnabled(False)

        def done(params: year_service.Params) -> None:
            self._saved(before, values, texts, params)

        def failed(exc: BaseException) -> None:
            self._update_dirty()
            if isinstance(exc, ValidationError) and exc.field in self._errors and year == self._year:
                self._show_field_error(exc)
            else:
                show_error(self, exc)

        write(self, year_service.update_params, year, values, expected_revision=before.revision,
              done=done, failed=failed)
        return True

    def _saved(self, before: year_service.Params, values: dict, texts: dict, params: year_service.Params) -> None:
        old, new = changed_values(before, values)
        if old:
            labels = "、".join(declared.BY_NAME[k].label for k in old)
            self.undo.push(f"修改{params.year}年度参数（{labels}）",
                           undo=Step(year_service.update_params, params.year, old),
                           redo=Step(year_service.update_params, params.year, new))
        if params.year == self._year:
            self._params = params
            self._loaded = texts
            self.status.setText(f"已保存 {params.year}年度参数（可撤销，Ctrl+Z）" if old else
                                f"{params.year}年度参数没有变化")
        self._update_dirty()

    def _ask_unsaved(self, message: str) -> str:
        """'save', 'discard' or 'cancel'."""
        box = QMessageBox(QMessageBox.Icon.Question, "未保存的修改", message, parent=self)
        save = box.addButton("保存", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("放弃修改", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)
        box.exec()
        clicked = box.clickedButton()
        return "save" if clicked is save else "discard" if clicked is discard else "cancel"

    def _confirm(self, title: str, message: str) -> bool:
        return QMessageBox.question(self, title, message) == QMessageBox.StandardButton.Yes

    def _settle_unsaved(self, message: str) -> bool:
        """Before leaving the year: save, discard or stay. True when the page may go on."""
        if not self.is_dirty():
            return True
        choice = self._ask_unsaved(message)
        if choice == "cancel" or (choice == "save" and not self.save()):
            return False
        if choice == "discard":
            self.revert()
        return True

    # Year switching ----------------------------------------------------------------------
    def _on_year_changed(self, year: int) -> None:
        if year == self._year:
            return
        old = self._year
        if not self._settle_unsaved(f"{old}年度参数有未保存的修改，切换到 {year}年度前是否保存？"):
            # Put the year back once every listener has seen the change (not inside this emission).
            QTimer.singleShot(0, lambda: self.ctx.set_year(old))
            return
        self._refresh_if_visible()

    def new_year(self) -> None:
        """新建年度: next year as a copy of the latest year's parameters; the window's year list learns it."""
        if not self._settle_unsaved(f"{self._year}年度参数有未保存的修改，新建年度前是否保存？") or not self._years:
            return
        last = max(self._years)
        if self._confirm("新建年度", f"新建 {last + 1}年度？\n其参数将复制 {last}年度的参数，之后可逐项修改。"):
            write(self, year_service.new_year, last + 1, done=self._year_created)

    def _year_created(self, params: year_service.Params) -> None:
        self._years = sorted({*self._years, params.year})
        win = self.window()
        if win is not self and hasattr(win, "refresh_years"):
            win.refresh_years()
        self.ctx.set_year(params.year)
        self.status.setText(f"已新建 {params.year}年度（参数复制自 {params.year - 1}年度）")

    # Closing -----------------------------------------------------------------------------
    def confirm_close(self) -> bool:
        if not self.is_dirty():
            return True
        choice = self._ask_unsaved(f"{self._year}年度参数有未保存的修改，关闭前是否保存？")
        if choice == "discard":
            return True
        if choice == "cancel":
            return False
        values = self._values()
        if values is None:
            return False
        try:
            # The window is closing: this one small write is done here and now, not queued.
            year_service.update_params(self.ctx.ledger, self._year, values, expected_revision=self._params.revision)
        except UserError as exc:
            show_error(self, exc)
            return False
        self._loaded = self._form_texts()
        self._update_dirty()
        return True
