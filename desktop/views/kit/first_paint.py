"""Run something once a widget has been drawn for the first time: the window's frame before its first page,
the login dialog before the lane's imports (which hold the GIL in turns and would slow that first paint)."""

from __future__ import annotations

from typing import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer

# The longest to wait for a first paint (a hidden or covered window is never painted).
FIRST_PAINT_WAIT_MS = 200


class AfterFirstPaint(QObject):
    """Calls `then()` once, after `widget`'s first paint or FIRST_PAINT_WAIT_MS, whichever comes first (also
    when the widget is closed before it is painted: `owner` outlives it)."""

    def __init__(self, owner: QObject, widget, then: Callable[[], None]) -> None:
        super().__init__(owner)
        self.widget, self.then = widget, then
        widget.installEventFilter(self)
        QTimer.singleShot(FIRST_PAINT_WAIT_MS, self, self.fire)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, self, self.fire)  # after this paint and its children's
        return False

    def fire(self) -> None:
        then, self.then = self.then, None
        if then is None:
            return
        if shiboken6.isValid(self.widget):
            self.widget.removeEventFilter(self)
        self.widget = None
        then()
