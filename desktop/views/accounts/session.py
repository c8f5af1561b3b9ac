"""One run of the program as people use it: the first administrator (a database with no account), the
login, a forced password change, the window of the logged-in account with its idle lock and 系统 menu
items, and 退出登录 back to the login dialog.

Before the window there is a small AppContext of its own over the bare ledger (role None), so the
dialogs run the accounts service on a lane like every page does; the window then gets the ledger that
`login` returned, which carries the account's name and role.

The program's start (app.run_gui) may hand over a database still to be opened: `opener` runs as the lane's
first job while the first dialog already shows (chosen by what a plain read of the file found), and the
dialog's answer waits for it. SQLAlchemy, the models and argon2 are then loaded on the lane while the person
types, not before the first window: this module imports the accounts service only inside its functions.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop import APP_NAME
from desktop.views.accounts.account_dialogs import ChangePasswordDialog, FirstAdminDialog, LoginDialog
from desktop.views.kit.context import AppContext
from desktop.views.kit.first_paint import AfterFirstPaint
from desktop.views.kit.ops import query, write
from desktop.views.kit.worker import Worker, show_error

if TYPE_CHECKING:
    from desktop.services.ledger import Ledger
    from desktop.views.accounts.lock_screen import IdleLock

MINUTE_MS = 60_000


def _first_start_facts(ledger: Ledger) -> bool:
    from desktop.services.accounts import accounts_service

    return accounts_service.has_accounts(ledger)


def _create_first_admin(ledger: Ledger, username: str, password: str, display_name: str):
    from desktop.services.accounts import accounts_service

    return accounts_service.create_first_admin(ledger, username, password, display_name)


def _login(ledger: Ledger, username: str, password: str):
    """The lane's part of 登录: the acting ledger and the account (must it change its password first?)."""
    from desktop.services.accounts import accounts_service

    acting = accounts_service.login(ledger, username, password)
    return acting, accounts_service.current_account(acting)


class Session(QObject):
    """Drives first start → login → window → logout → login … `finished(code)` when the person quits.

    `make_window(ledger)` builds the window of a logged-in ledger (app.make_window); `idle_ms` overrides
    the security settings' idle minutes (tests); `window_opened(window)` follows each shown window.

    `database` None: `opener()` opens it on the lane (returns the Database) and `has_accounts` says which
    dialog to show meanwhile; when the opening fails, its message is shown and the session ends with 1."""

    finished = Signal(int)
    window_opened = Signal(object)

    def __init__(self, database, make_window, *, settings: QSettings | None = None,
                 idle_ms: int | None = None, opener: Callable | None = None, has_accounts: bool = True) -> None:
        super().__init__()
        self.base = None
        self.ctx = AppContext(None, Worker(), 0, settings)
        self._waiting: list[Callable[[], None]] | None = []  # what waits for the database; None once open
        self._opener, self._has_accounts = opener, has_accounts
        if database is not None:
            self._open(database)
        self.make_window = make_window
        self.idle_ms = idle_ms
        self.dialog = None  # the dialog now shown (tests drive it)
        self.window = None
        self.idle_lock: IdleLock | None = None
        self.last_user = ""
        self._prepared = False  # the first screen's modules imported ahead (_prepare_first_screen)
        self._quit_flag = QApplication.instance().quitOnLastWindowClosed()
        QApplication.instance().setQuitOnLastWindowClosed(False)  # between window and login dialog, no quit

    # The database ------------------------------------------------------------------------------
    def _open(self, database) -> None:
        self.ctx.set_ledger(database)
        self.base = self.ctx.ledger
        waiting, self._waiting = self._waiting, None
        for job in waiting:
            job()

    def _when_open(self, job: Callable[[], None]) -> None:
        """Run `job` (a lane request) now, or as soon as the lane has opened the database."""
        if self._waiting is None:
            job()
        else:
            self._waiting.append(job)

    def _open_failed(self, exc: BaseException) -> None:
        """The database could not be opened: say why (in Chinese; a fault in the log) and end with 1."""
        from desktop.services.errors import UserError

        if self.dialog is not None:
            self.dialog.rejected.disconnect()
            self.dialog.done(0)
            self.dialog = None
        if isinstance(exc, UserError):
            QMessageBox.critical(None, APP_NAME, exc.message)
        else:
            show_error(None, exc)
        self._end(1)

    # First start -------------------------------------------------------------------------------
    def start(self) -> None:
        if self._opener is None:
            query(self, "start", _first_start_facts, done=self._started)
            return
        self._started(self._has_accounts)  # the first dialog shows now; the lane opens the database meanwhile
        opener, self._opener = self._opener, None
        # Once the dialog is drawn: the lane's imports hold the GIL in turns and would slow its first paint.
        AfterFirstPaint(self, self.dialog, lambda: self.ctx.worker.run(opener, self._open, self._open_failed))

    def _started(self, has_accounts: bool) -> None:
        if has_accounts:
            self.ask_login()
            return
        dialog = self.dialog = FirstAdminDialog(self.ctx)

        def create(v: dict) -> None:
            self._when_open(lambda: write(
                dialog, _create_first_admin, v["username"], v["password"], v["display_name"],
                done=lambda account: self._admin_created(dialog, account), failed=dialog.show_error))
        dialog.submitted.connect(create)
        dialog.rejected.connect(lambda: self._end(0))
        dialog.open()

    def _admin_created(self, dialog, account) -> None:
        dialog.accept()
        self.ask_login(account.username, note=f"系统管理员 {account.username} 已创建，请登录。")

    # Login -------------------------------------------------------------------------------------
    def ask_login(self, username: str = "", note: str = "") -> None:
        dialog = self.dialog = LoginDialog(self.ctx, username=username or self.last_user, note=note)

        def attempt(v: dict) -> None:
            self._when_open(lambda: write(dialog, _login, v["username"], v["password"],
                                          done=lambda answer: self._logged_in(dialog, *answer),
                                          failed=dialog.show_error))
        dialog.submitted.connect(attempt)
        dialog.rejected.connect(lambda: self._end(0))
        dialog.open()
        if not self._prepared:
            self._prepared = True
            AfterFirstPaint(self, dialog, self._prepare_first_screen)

    def _prepare_first_screen(self) -> None:
        """While the clerk types the password: the modules of the window's first screen, its services on the lane
        (after the database is open) and its page's view here. Imported as the window opened, they held its first
        screen back ~45 ms; here they cost a turn of ~15 ms of the dialog's thread, unseen while typing."""
        from desktop.services import preload
        from desktop.views.pages import preload_first_page

        self._when_open(lambda: self.ctx.worker.run(preload.first_screen_services))
        QTimer.singleShot(0, self, preload_first_page)

    def _logged_in(self, dialog, ledger: Ledger, account) -> None:
        self.last_user = ledger.user
        dialog.rejected.disconnect()  # accepted: logging in is not quitting
        dialog.accept()
        if account is not None and account.must_change_password:
            self._force_change(ledger)
        else:
            self.open_window(ledger)

    def _force_change(self, ledger: Ledger) -> None:
        from desktop.services.accounts import accounts_service

        ctx = AppContext(ledger, self.ctx.worker, 0, self.ctx.settings)
        dialog = self.dialog = ChangePasswordDialog(ctx, ledger.user, forced=True)

        def change(v: dict) -> None:
            write(dialog, accounts_service.change_own_password, v["old"], v["new"],
                  done=lambda _r: (dialog.accept(), self.open_window(ledger)), failed=dialog.show_error)
        dialog.submitted.connect(change)
        dialog.rejected.connect(lambda: self._logout_ledger(ledger, then_login=True))
        dialog.open()

    # The window --------------------------------------------------------------------------------
    def open_window(self, ledger: Ledger) -> None:
        from desktop.views.accounts.account_menu import install_account_menu

        window = self.window = self.make_window(ledger)
        window.closed.connect(self._window_closed)
        install_account_menu(window, self)
        window.show()
        self.dialog = None
        self._watch_idle(window)
        self.window_opened.emit(window)

    def _watch_idle(self, window) -> None:
        """Lock `window` after the idle minutes (the default until the security settings are read); the lock
        goes to the audit log on the lane."""
        from desktop.services.accounts import accounts_service
        from desktop.views.accounts.lock_screen import IdleLock

        default_ms = accounts_service.SecuritySettings().idle_minutes * MINUTE_MS
        self.idle_lock = IdleLock(window, self.idle_ms or default_ms, window.ctx.ledger.user,
                                  on_lock=lambda: write(window, accounts_service.record_screen_lock))
        self.idle_lock.leave.connect(self.logout)
        self.apply_security_settings()

    def _stop_idle(self) -> None:
        if self.idle_lock is not None:
            self.idle_lock.stop()
            self.idle_lock = None

    def apply_security_settings(self) -> None:
        """Read the idle minutes again (at login, and after the security administrator saved them)."""
        if self.window is not None and self.idle_ms is None:
            from desktop.services.accounts import accounts_service

            query(self.window, "security", accounts_service.security_settings,
                  done=lambda s: self.idle_lock and self.idle_lock.set_interval(s.idle_minutes * MINUTE_MS))

    def logout(self, reason: str = "") -> None:
        """退出登录: close the window (its pages may ask to keep unsaved work first), then the login dialog."""
        window = self.window
        if window is None:
            return
        self.window = None
        self._stop_idle()
        if not window.close():  # a page kept its unsaved work: the session goes on
            self.window = window
            self._watch_idle(window)
            return
        ledger = window.ctx.ledger
        window.ctx.worker.stop()
        window.deleteLater()
        self._logout_ledger(ledger, then_login=True, note=reason)

    def _logout_ledger(self, ledger: Ledger, *, then_login: bool, note: str = "") -> None:
        from desktop.services.accounts import accounts_service

        self.ctx.worker.run(functools.partial(accounts_service.logout, ledger))
        if then_login:
            self.ask_login(ledger.user, note=note)

    def _window_closed(self) -> None:
        """The person closed the window (not 退出登录): the program ends, the logout is recorded."""
        window = self.window
        if window is None:
            return
        self.window = None
        self._stop_idle()
        self._logout_ledger(window.ctx.ledger, then_login=False)
        self._end(0)

    def _end(self, code: int) -> None:
        QApplication.instance().setQuitOnLastWindowClosed(self._quit_flag)
        self.finished.emit(code)

    def stop(self) -> None:
        """After the event loop: finish the lanes (the logout record is written first)."""
        self._stop_idle()
        if self.window is not None:
            self.window.ctx.worker.stop()
        self.ctx.worker.stop()
