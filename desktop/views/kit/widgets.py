"""Small widget makers of the page kit: a push button in one line, a splitter from its parts, a tab built late."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QPushButton, QSplitter, QTabWidget, QWidget


def button(text: str, slot: Callable, *, tip: str = "", enabled: bool = True, default: bool = False) -> QPushButton:
    b = QPushButton(text)
    b.clicked.connect(lambda _checked=False: slot())
    b.setToolTip(tip)
    b.setEnabled(enabled)
    b.setDefault(default)
    return b


def splitter(orientation: Qt.Orientation, *parts: tuple[QWidget, int], collapsible: bool = True) -> QSplitter:
    """A splitter of (widget, stretch) parts: the stretches share out the room the first time it is shown
    (a remembered splitter state, restored by Layout, wins)."""
    s = QSplitter(orientation)
    for i, (widget, stretch) in enumerate(parts):
        s.addWidget(widget)
        s.setStretchFactor(i, stretch)
    s.setChildrenCollapsible(collapsible)
    return s


def tell(page: QWidget, status, text: str) -> bool:
    """Say `text` in the page's status label (`status`: a label, a function giving one, or None), else in the
    main window's status bar for 15 s. False when the page has neither (a page shown on its own)."""
    label: QLabel | None = status() if callable(status) else status
    if label is not None:
        label.setText(text)
        return True
    window = page.window()
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(text, 15000)
        return True
    return False


def replace_tab(tabs: QTabWidget, index: int, widget: QWidget) -> None:
    """Put `widget` in the place of tab `index` (a placeholder until a tab is first wanted): same index, same
    title, the current tab unchanged and no currentChanged sent for the swap."""
    title, current, placeholder = tabs.tabText(index), tabs.currentIndex(), tabs.widget(index)
    tabs.blockSignals(True)
    try:
        tabs.removeTab(index)
        tabs.insertTab(index, widget, title)
        tabs.setCurrentIndex(current)
    finally:
        tabs.blockSignals(False)
    placeholder.deleteLater()
