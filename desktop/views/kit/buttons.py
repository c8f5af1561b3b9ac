"""A push button in one line: text, what it does, and the tooltip that says more."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QPushButton


def button(text: str, slot: Callable, *, tip: str = "", enabled: bool = True, default: bool = False) -> QPushButton:
    b = QPushButton(text)
    b.clicked.connect(lambda _checked=False: slot())
    b.setToolTip(tip)
    b.setEnabled(enabled)
    b.setDefault(default)
    return b
