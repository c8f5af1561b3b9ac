"""Small building blocks of the page kit (beside widgets.py's button and splitter): a field made of several
widgets, a grey hint line, the page's search box (Ctrl+F goes to it) and a table showing its model.

    self.add("area_mu", "面积", self.area_edit, shown=hbox((self.area_edit, 1), self.unit_combo))
    self.search = search_box(self, "按名称筛选（Ctrl+F）")
    self.table = table_view(self.model, "loan_table", (72, 160, 170))

In `hbox`/`vbox` an item is a widget, a (widget, stretch) pair, or an int (a stretch).
"""

from __future__ import annotations

from typing import Callable, Iterable

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget

from desktop.views.kit.forms import HINT_STYLE
from desktop.views.kit.table import setup_table, shortcut


def _fill(layout: QBoxLayout, items) -> None:
    for item in items:
        if isinstance(item, int):
            layout.addStretch(item)
        elif isinstance(item, tuple):
            layout.addWidget(*item)
        else:
            layout.addWidget(item)


def hbox(*items, spacing: int | None = None) -> QWidget:
    """Widgets side by side in one holder, without margins (a composite form field)."""
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    if spacing is not None:
        row.setSpacing(spacing)
    _fill(row, items)
    return holder


def vbox(*items, spacing: int = 2) -> QWidget:
    """Widgets one under the other in one holder, without margins."""
    holder = QWidget()
    col = QVBoxLayout(holder)
    col.setContentsMargins(0, 0, 0, 0)
    col.setSpacing(spacing)
    _fill(col, items)
    return holder


def hint_label(text: str = "", *, wrap: bool = True) -> QLabel:
    """A grey line of explanation (legends, status lines, hints)."""
    label = QLabel(text)
    label.setStyleSheet(HINT_STYLE)
    label.setWordWrap(wrap)
    return label


def search_box(page: QWidget, placeholder: str, *, width: int | None = 220, name: str = "",
               before: Callable[[], None] | None = None) -> QLineEdit:
    """The page's text filter: clearable, at most `width` wide (None: as wide as the bar lets it), and
    Ctrl+F anywhere on the page goes to it, text selected (after `before()`, e.g. showing its tab)."""
    box = QLineEdit()
    box.setPlaceholderText(placeholder)
    box.setClearButtonEnabled(True)
    if width is not None:
        box.setMaximumWidth(width)
    if name:
        box.setObjectName(name)

    def focus() -> None:
        if before is not None:
            before()
        box.setFocus()
        box.selectAll()

    shortcut(page, QKeySequence.StandardKey.Find, focus)
    return box


def table_view(model: QAbstractItemModel, name: str, widths: Iterable[int] = (), **setup) -> QTableView:
    """A kit table (setup_table with `setup`) showing `model`, named (tests and the window probe find it by
    name), with the first widths of its columns (a remembered header wins, restored by Layout)."""
    view = setup_table(QTableView(), **setup)
    view.setObjectName(name)
    view.setModel(model)
    for col, width in enumerate(widths):
        view.setColumnWidth(col, width)
    return view
