"""Log out when idle (等保 2.0): after the security settings' idle minutes without keyboard or mouse input
the window is covered by a lock screen that asks for the account's password.

The lock screen is a frameless modal dialog laid over the window: the pages and any open form stay as
they were under it (typed text is kept), and being the newest modal dialog it takes every input, also
when a form was open. The password is checked by the accounts service (`check_own_password`), which
counts failures toward the lockout and audits the unlock.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop import APP_NAME
from desktop.services.accounts import accounts_service
from desktop.services.errors import UserError
from desktop.views.accounts.account_dialogs import password_edit
from desktop.views.kit.forms import ERROR_STYLE, show_at
from desktop.views.kit.ops import query, write

INPUT_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                          QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.ShortcutOverride})


def _locked_out(ledger) -> bool:
    """Whether the logged-in account is now locked or disabled (the lane's part)."""
    account = accounts_service.current_account(ledger)
    return account is not None and (not account.active or account.locked_at(ledger.now()))


class IdleWatch(QObject):
    """`idle` fires once after `interval_ms` without input to any of the program's windows.

    The filter sits on the top-level QWindows, which receive every key, mouse, wheel and touch event from the
    system before handing it to a widget — not on the application, which would call this Python filter for
    each of the thousands of events Qt sends itself while a page is built and painted (each needing the GIL,
    which the lane may be holding). A window is watched from when it first gets the focus; those already
    open are watched at once."""

    idle = Signal()

    def __init__(self, interval_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle)
        self.set_interval(interval_ms)
        app = QApplication.instance()
        app.focusWindowChanged.connect(self._watch)
        for window in app.topLevelWindows():
            self._watch(window)

    def _watch(self, window) -> None:
        if window is not None:
            window.installEventFilter(self)  # again for a window already watched: still one filter

    def set_interval(self, interval_ms: int) -> None:
        self.timer.setInterval(max(int(interval_ms), 1))
        self.timer.start()

    def pause(self) -> None:
        self.timer.stop()

    def resume(self) -> None:
        self.timer.start()

    def eventFilter(self, watched, event) -> bool:
        if event.type() in INPUT_EVENTS and self.timer.isActive():
            self.timer.start()  # restart: the person is still here
        return False

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        app.focusWindowChanged.disconnect(self._watch)
        for window in app.topLevelWindows():
            window.removeEventFilter(self)


class LockScreen(QDialog):
    """Covers the window until the logged-in account's password is typed; 退出登录 leaves instead."""

    unlocked = Signal()
    leave = Signal(str)  # a reason to show at the login dialog ("" when the person chose 退出登录)

    def __init__(self, window: QWidget, who: str) -> None:
        super().__init__(window)
        self.ctx = window.ctx
        self.setObjectName("lock_screen")
        self.setWindowTitle(f"{APP_NAME}：已锁定")
        self.setWindowFlags(Qt.WindowType.Dialog | Qt.WindowType.FramelessWindowHint)
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setAutoFillBackground(True)
        self.setStyleSheet("QDialog#lock_screen { background: #2f3e4e; } QLabel { color: white; }")

        title = QLabel("已锁定")
        title.setStyleSheet("font-size: 20pt; color: white;")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        note = QLabel(f"长时间未操作，窗口已锁定，未保存的内容仍在。\n请输入 {who} 的密码解锁。")
        note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.password_edit = password_edit("lock_password")
        self.password_edit.setFixedWidth(260)
        self.password_edit.returnPressed.connect(self.submit)
        self.message = QLabel()
        self.message.setObjectName("lock_message")
        self.message.setStyleSheet(ERROR_STYLE + "background: white; padding: 4px;")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.unlock_button = QPushButton("解锁")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.submit)
        self.logout_button = QPushButton("退出登录")
        self.logout_button.setAutoDefault(False)
        self.logout_button.clicked.connect(lambda: self.leave.emit(""))

        box = QWidget()
        box.setMaximumWidth(420)
        col = QVBoxLayout(box)
        col.addWidget(title)
        col.addWidget(note)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.password_edit)
        row.addWidget(self.unlock_button)
        row.addStretch(1)
        col.addLayout(row)
        col.addWidget(self.message)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.logout_button)
        bottom.addStretch(1)
        col.addLayout(bottom)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignCenter)
        outer.addStretch(2)

    def cover(self) -> None:
        """Lay the lock over the whole window and take the input."""
        window = self.parentWidget()
        self.setGeometry(window.frameGeometry() if window.isVisible() else window.geometry())
        self.open()
        self.activateWindow()
        self.password_edit.setFocus()

    def submit(self) -> None:
        password = self.password_edit.text()
        if not password:
            show_at(self.message, "请输入密码")
            return
        self.unlock_button.setEnabled(False)
        write(self, accounts_service.check_own_password, password, done=self._checked, failed=self._refused)

    def _checked(self, _result) -> None:
        self.unlock_button.setEnabled(True)
        self.password_edit.clear()
        show_at(self.message, "")
        self.unlocked.emit()
        self.done(QDialog.DialogCode.Accepted)

    def _refused(self, exc: BaseException) -> None:
        self.unlock_button.setEnabled(True)
        self.password_edit.clear()
        if not isinstance(exc, UserError):
            show_at(self.message, "无法核对密码，请再试一次或退出登录")
            return
        show_at(self.message, exc.message)
        # Locked by these failures (or meanwhile disabled): only the login dialog remains.
        query(self, "locked", _locked_out, done=lambda out: out and self.leave.emit(exc.message))

    # The lock goes away only by the password or 退出登录: not by Esc, not by closing it.
    def reject(self) -> None:
        pass

    def closeEvent(self, event) -> None:
        event.ignore()


class IdleLock(QObject):
    """Watches for idleness over `window` and covers it with a LockScreen; `leave(reason)` asks the
    session to log out (the person chose 退出登录, or the account got locked at the lock screen)."""

    leave = Signal(str)

    def __init__(self, window: QWidget, interval_ms: int, who: str,
                 on_lock: Callable[[], None] | None = None) -> None:
        super().__init__(window)
        self.window, self.who, self.on_lock = window, who, on_lock
        self.screen: LockScreen | None = None
        self.watch = IdleWatch(interval_ms, self)
        self.watch.idle.connect(self.lock)

    @property
    def locked(self) -> bool:
        return self.screen is not None

    def set_interval(self, interval_ms: int) -> None:
        if not self.locked:
            self.watch.set_interval(interval_ms)
        else:
            self.watch.timer.setInterval(max(int(interval_ms), 1))

    def lock(self) -> None:
        if self.locked or not self.window.isVisible():
            return
        self.watch.pause()
        self.screen = LockScreen(self.window, self.who)
        self.screen.unlocked.connect(self._unlocked)
        self.screen.leave.connect(self.leave)
        self.screen.cover()
        if self.on_lock is not None:
            self.on_lock()

    def _unlocked(self) -> None:
        screen, self.screen = self.screen, None
        if screen is not None:
            screen.deleteLater()
        self.watch.resume()

    def stop(self) -> None:
        """The session ends (logout or quit): no more locking; a shown lock goes away."""
        self.watch.stop()
        screen, self.screen = self.screen, None
        if screen is not None:
            screen.done(QDialog.DialogCode.Accepted)
            screen.deleteLater()
