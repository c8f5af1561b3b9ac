"""Small layout pieces of the page kit: a column or a row of widgets with no margins (a field with its
hint, a number with its unit box), and a splitter with its stretch factors and first sizes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QVBoxLayout, QWidget


def column(*widgets: QWidget, spacing: int = 2) -> QWidget:
    """The widgets stacked top to bottom in one borderless widget."""
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(spacing)
    for w in widgets:
        lay.addWidget(w)
    return box


def row(*items: QWidget | tuple[QWidget, int]) -> QWidget:
    """The widgets side by side in one borderless widget; an item `(widget, stretch)` takes that stretch."""
    box = QWidget()
    lay = QHBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    for item in items:
        widget, stretch = item if isinstance(item, tuple) else (item, 0)
        lay.addWidget(widget, stretch)
    return box


def splitter(orientation: Qt.Orientation, *widgets: QWidget, stretch: tuple[int, ...] = (),
             sizes: tuple[int, ...] = ()) -> QSplitter:
    """A splitter of the widgets; `stretch` per widget, `sizes` the first sizes (a saved layout wins)."""
    split = QSplitter(orientation)
    for w in widgets:
        split.addWidget(w)
    for i, factor in enumerate(stretch):
        split.setStretchFactor(i, factor)
    if sizes:
        split.setSizes(list(sizes))
    return split
