"""The idle lock's watch (等保 2.0 idle logout) sees the person's input on any of the program's windows — the
main window and a dialog opened later — but none of the events Qt sends widgets itself while building and
painting them (an application-wide Python filter was called for thousands of those per page)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QVBoxLayout, QWidget


class CountingWatch:
    """An IdleWatch that counts the events its filter is asked about."""

    @staticmethod
    def make(interval_ms: int):
        from desktop.views.accounts.lock_screen import IdleWatch

        class Counting(IdleWatch):
            seen = 0

            def eventFilter(self, watched, event) -> bool:
                type(self).seen += 1
                return super().eventFilter(watched, event)

        return Counting(interval_ms)


def shown_window(qtbot) -> QWidget:
    window = QWidget()
    QVBoxLayout(window).addWidget(QLineEdit())
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    return window


def test_typing_and_moving_the_mouse_keep_the_window_from_idling(qtbot):
    window = shown_window(qtbot)
    watch = CountingWatch.make(300)
    fired = []
    watch.idle.connect(lambda: fired.append(True))
    for _ in range(4):  # 4 × 150 ms of input: twice the idle interval without firing
        qtbot.wait(150)
        QTest.keyClick(window.windowHandle(), Qt.Key.Key_A)
    for x in range(3):
        qtbot.wait(150)
        QTest.mouseMove(window.windowHandle(), QPoint(10 + x, 10))
    assert fired == []
    qtbot.waitUntil(lambda: fired == [True], timeout=2000)  # and without input it fires
    watch.stop()


def test_a_dialog_opened_later_is_watched_once_it_has_the_focus(qtbot):
    window = shown_window(qtbot)
    watch = CountingWatch.make(300)
    fired = []
    watch.idle.connect(lambda: fired.append(True))
    dialog = QDialog(window)
    QVBoxLayout(dialog).addWidget(QLineEdit())
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.windowHandle() is not None and dialog.windowHandle().isActive())
    for _ in range(4):
        qtbot.wait(150)
        QTest.keyClick(dialog.windowHandle(), Qt.Key.Key_B)
    assert fired == []
    dialog.close()
    watch.stop()


def test_widgets_built_and_painted_do_not_pass_through_the_filter(qtbot):
    window = shown_window(qtbot)
    watch = CountingWatch.make(60_000)
    type(watch).seen = 0
    window.setFixedSize(800, 600)  # as a page is built inside the window's fixed frame
    panel = QWidget()
    rows = QVBoxLayout(panel)
    for i in range(200):  # each child: ChildAdded, Polish, Show, Move, Resize, Paint … sent to widgets
        rows.addWidget(QLabel(f"第{i}行"))
    window.layout().addWidget(panel)
    window.repaint()
    QTest.qWait(50)
    internal = type(watch).seen
    assert internal < 50  # the window's own few (expose, update requests), not thousands of the children's
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_C)
    assert type(watch).seen > internal  # while input still reaches it
    window.removeEventFilter(watch)  # stop() also leaves no filter behind
    watch.stop()
    before = type(watch).seen
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_D)
    assert type(watch).seen == before
