"""Table pieces of the page kit: one table set-up, shortcuts, selection-driven actions, remembered layout.

    setup_table(view)                         row selection, sorting with a clearable indicator, …
    shortcut(page, QKeySequence.New, self.add)
    actions = ActionBar(view, page)           buttons that follow the selected rows
    actions.add("删除", self.delete, when=lambda rows: None if rows else "请先选择一行", key=Delete)

A button writes to the ledger unless told otherwise (`needs=` names the permission it takes, None for a
read such as 查看 or 导出): for an account whose role may not, it is disabled with the role's reason as
tooltip; `needs="approve"` buttons are not shown at all to a role that never approves (the clerk).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QByteArray, QItemSelectionModel, QSettings, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QLabel, QPushButton, QTableView, QWidget

HINT_STYLE = "color: #707070;"

# Why an action is not available, or None when it is: a function of the selected rows.
Rule = Callable[[list], "str | None"]


def setup_table(table: QTableView, *, single: bool = True, sortable: bool = True, section: int = 110) -> QTableView:
    """The office's tables: whole rows selected, not edited in place, sortable with a clearable indicator."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection if single
                           else QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    if sortable:
        table.setSortingEnabled(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorClearable(True)
    header.setStretchLastSection(True)
    header.setDefaultSectionSize(section)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    return table


def edit_in_place(table: QTableView) -> QTableView:
    """A table whose cells the clerk types into (a planned area per row): single cells selected, editing
    on a double click, F2 or simply typing."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
    table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                          | QAbstractItemView.EditTrigger.AnyKeyPressed)
    return table


def shortcut(widget: QWidget, keys, slot: Callable, *, local: bool = False) -> QShortcut:
    """A shortcut on a page (with its children) or, `local`, on the one widget (a table's Delete/Enter)."""
    sc = QShortcut(keys if isinstance(keys, QKeySequence) else QKeySequence(keys), widget)
    sc.setContext(Qt.ShortcutContext.WidgetShortcut if local else Qt.ShortcutContext.WidgetWithChildrenShortcut)
    sc.activated.connect(slot)
    return sc


def title_label(text: str) -> QLabel:
    label = QLabel(text)
    f = label.font()
    f.setPointSize(f.pointSize() + 3)
    f.setBold(True)
    label.setFont(f)
    return label


def selected_rows(table: QTableView) -> list:
    """The selected rows' objects (model.rows) in view order."""
    model = table.model()
    rows = sorted(i.row() for i in table.selectionModel().selectedRows())
    return [model.rows[r] for r in rows if 0 <= r < len(model.rows)]


def select_id(table: QTableView, row_id) -> bool:
    """Select the row whose object has `id == row_id` (after a reload); False when it is gone."""
    row = table.model().row_of(row_id) if row_id is not None else -1
    if row >= 0:
        table.selectRow(row)
    return row >= 0


def resort(table: QTableView) -> None:
    """Apply the header's sort indicator to freshly loaded rows."""
    header = table.horizontalHeader()
    if header.sortIndicatorSection() >= 0:
        table.model().sort(header.sortIndicatorSection(), header.sortIndicatorOrder())


def reload_rows(table: QTableView, rows) -> None:
    """New rows for a table, keeping the header's sort and the selected rows (by id)."""
    kept = [getattr(r, "id", None) for r in selected_rows(table)]
    model = table.model()
    model.set_rows(rows)
    if table.isSortingEnabled():  # an unsortable table's header still has an indicator: ignore it
        resort(table)
    selection = table.selectionModel()
    for row_id in kept:
        row = model.row_of(row_id)
        if row >= 0:
            selection.select(model.index(row, 0),
                             QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)


def needs_one(rows: list) -> str | None:
    return None if len(rows) == 1 else "请先选择一行"


def needs_any(rows: list) -> str | None:
    return None if rows else "请先选择至少一行"


@dataclass
class _Action:
    button: QPushButton
    rule: Rule
    tip: str
    needs: str | None = None


def refusal(widget: QWidget, needs: str | None) -> str | None:
    """Why the logged-in account of `widget`'s window may not do `needs` (permissions.why_not), or None."""
    if needs is None:
        return None
    from desktop.services.accounts import permissions
    from desktop.views.kit.ops import context_of

    try:
        ledger = context_of(widget).ledger
    except LookupError:  # a widget outside any window (a test's bare dialog)
        return None
    return permissions.why_not(ledger, needs)


class ActionBar:
    """Buttons (and their shortcuts) that are enabled only when the selected rows allow them.

    A disabled button's tooltip says why (the rule's answer), so a clerk never clicks only to be refused.
    """

    def __init__(self, table: QTableView, page: QWidget) -> None:
        self.table, self.page = table, page
        self.actions: list[_Action] = []
        table.selectionModel().selectionChanged.connect(lambda *_: self.update())
        table.model().modelReset.connect(self.update)
        table.model().layoutChanged.connect(self.update)

    def add(self, text: str, slot: Callable, *, when: Rule | None = None, keys=None, tip: str = "",
            local_keys: bool = False, needs: str | None = "ledger_write") -> QPushButton:
        button = QPushButton(text)
        if needs == "approve" and refusal(self.page, needs):
            button.setVisible(False)  # a role that never approves sees no approval buttons
        button.clicked.connect(lambda: self._run(slot, button))
        shown_tip = tip
        if keys is not None:
            sc = shortcut(self.table if local_keys else self.page, keys,
                          lambda: self._run(slot, button), local=local_keys)
            key_text = sc.key().toString(QKeySequence.SequenceFormat.NativeText)
            shown_tip = f"{tip}（{key_text}）" if tip else key_text
        self.actions.append(_Action(button, when or (lambda _rows: None), shown_tip, needs))
        self.update()
        return button

    def _run(self, slot: Callable, button: QPushButton) -> None:
        if button.isEnabled():
            slot()

    def update(self) -> None:
        rows = selected_rows(self.table)
        for a in self.actions:
            why = refusal(self.page, a.needs) or a.rule(rows)
            a.button.setEnabled(why is None)
            a.button.setToolTip(a.tip if why is None else (f"{why}" + (f"　{a.tip}" if a.tip else "")))


class Layout:
    """Header and splitter states of a page, remembered in the settings under `prefix/name`."""

    def __init__(self, settings: QSettings, prefix: str, parts: dict) -> None:
        self.settings, self.prefix, self.parts = settings, prefix, parts
        for name, widget in parts.items():
            state = settings.value(f"{prefix}/{name}")
            if isinstance(state, QByteArray):
                widget.restoreState(state)

    def save(self) -> None:
        for name, widget in self.parts.items():
            self.settings.setValue(f"{self.prefix}/{name}", widget.saveState())
