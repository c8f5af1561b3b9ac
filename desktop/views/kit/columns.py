"""Columns a clerk shows or hides: right-click a table's header for a menu of its columns.

    self.columns = ColumnChooser(self.table, hidden={"note", "address"})   # keys (RowsModel) or indices
    self.layout_state = Layout(settings, "parks", {"header": self.table.horizontalHeader(), …})

Create it BEFORE `Layout` restores the header: the defaults hide the less important columns so the
columns that matter fit a 1366×768 screen, and a remembered header state (which carries what the
clerk showed or hid) then wins. The first column and the `keep` columns cannot be hidden, nor the
last one shown. 恢复默认列 brings back the page's defaults.
"""

from __future__ import annotations

from typing import Iterable

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QTableView

MENU_TITLE = "显示的列"
RESET_TEXT = "恢复默认列"
HINT = "右键单击表头可选择显示哪些列"


class ColumnChooser(QObject):
    """The header menu of one table: a tick per column, and 恢复默认列."""

    def __init__(self, view: QTableView, *, hidden: Iterable = (), keep: Iterable = (0,)) -> None:
        super().__init__(view)
        self.view = view
        self.header = view.horizontalHeader()
        self.defaults = {self._index(c) for c in hidden}
        self.keep = {self._index(c) for c in keep}
        self.last_menu: QMenu | None = None
        self.header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.header.customContextMenuRequested.connect(self._menu_at)
        self.apply_defaults()

    def _index(self, column) -> int:
        if isinstance(column, int):
            return column
        return self.view.model().column(column)  # a RowsModel key

    def _count(self) -> int:
        return self.view.model().columnCount()

    def _title(self, column: int) -> str:
        text = self.view.model().headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        return str(text) if text else f"第{column + 1}列"

    def shown(self) -> list[int]:
        return [c for c in range(self._count()) if not self.header.isSectionHidden(c)]

    def apply_defaults(self) -> None:
        for c in range(self._count()):
            self.header.setSectionHidden(c, c in self.defaults)

    def set_shown(self, column, shown: bool) -> bool:
        """Show or hide a column; False when refused (a kept column, or the last one shown)."""
        c = self._index(column)
        if not shown and (c in self.keep or self.shown() == [c]):
            return False
        self.header.setSectionHidden(c, not shown)
        if shown and self.header.sectionSize(c) < 20:
            self.header.resizeSection(c, self.header.defaultSectionSize())
        return True

    def menu(self) -> QMenu:
        """The menu as it would pop up now (tests trigger its actions)."""
        menu = QMenu(self.view)
        menu.setToolTipsVisible(True)
        menu.addSection(MENU_TITLE)
        shown = self.shown()
        for c in range(self._count()):
            action = QAction(self._title(c), menu)
            action.setCheckable(True)
            action.setChecked(c in shown)
            action.setEnabled(c not in self.keep and shown != [c])
            action.toggled.connect(lambda on, col=c: self.set_shown(col, on))
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(RESET_TEXT, self.apply_defaults)
        self.last_menu = menu
        return menu

    def _menu_at(self, pos: QPoint) -> None:
        menu = self.menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.header.mapToGlobal(pos))
