"""Small layout pieces of the page kit: a column or a row of widgets with no margins (a field with its
hint, a number with its unit box). A splitter is kit/widgets.splitter."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget


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
