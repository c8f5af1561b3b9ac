"""Composition root: open and migrate the database, seed the first year, build the window."""

from __future__ import annotations

import functools
import logging
import os
import sys

from desktop import APP_NAME, paths


def _setup_logging() -> None:
    path = paths.log_path()
    if path is None:  # neither the data folder nor the temp folder is writable: run without a log file
        return
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("zzb")
    if not root.handlers:
        root.addHandler(handler)
        root.setLevel(logging.INFO)


def _install_excepthook() -> None:
    """An unexpected error is logged with its traceback; the clerk sees a short Chinese message."""
    from desktop.views.kit.worker import show_error

    def hook(exc_type, exc, tb):
        import traceback

        logging.getLogger("zzb").error("uncaught: %s", "".join(traceback.format_exception(exc_type, exc, tb)))
        show_error(None, exc)

    sys.excepthook = hook


def _route_qt_messages() -> None:
    """Qt's own warnings go to the log file, not the clerk's console; the offscreen platform's
    note about size hints (it cannot forward them to a window manager) is dropped."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    log = logging.getLogger("zzb.qt")
    levels = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}

    def handler(kind, _context, message: str) -> None:
        if "propagateSizeHints" in message:
            return
        log.log(levels.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def _install_chinese_translation(app) -> None:
    """Qt's own buttons and dialogs (是/否, 取消, the file dialog) in Chinese, from Qt's bundled
    translations (kept in the PyInstaller bundle too)."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase",):
        translator = QTranslator(app)
        if translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), name, "_", folder):
            app.installTranslator(translator)


def run_gui(db: str | None = None, *, selftest: bool = False, after_show=None) -> int:
    """Start the program on `db` (path or URL; default the user-data file). Returns an exit code.

    A database without accounts first asks for the first administrator; then the login dialog; the
    window opens for the logged-in account. `after_show(window)` runs once the event loop has shown the
    window (used by the start benchmark). The self-test logs in with ZZB_USER / ZZB_PASSWORD.

    A ledger file at this program's revision (the usual start) gets its first dialog at once: a plain
    sqlite3 read says whether it has accounts, and the lane opens the database (SQLAlchemy, the models,
    argon2) while the person types. Anything else (a new file, an upgrade with its backup, a server, a file
    that cannot be opened) is opened before any dialog, as the self-test always does.
    """
    if selftest:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    from desktop.services import db_file
    from desktop.views.accounts.session import Session

    _setup_logging()
    _route_qt_messages()
    app = make_application()
    if selftest:
        return _selftest_on(app, db)
    _install_excepthook()

    fresh: list[bool] = []  # whether the start set the database up (first year, member units)
    databases: list = []  # the database once opened, to dispose of at the end
    facts = db_file.ready_to_open(db)
    if facts is None:
        from desktop.services.errors import UserError

        try:
            database = _open_and_set_up(db, fresh, databases)
        except UserError as exc:
            QMessageBox.critical(None, APP_NAME, exc.message)
            return 1
        session = Session(database, make_window)
    else:
        opener = functools.partial(_open_and_set_up, db, fresh, databases)
        session = Session(None, make_window, opener=opener, has_accounts=facts.has_accounts)
    offered = []

    def opened(window) -> None:
        from desktop.views.system.backup_actions import start_daily_backup

        start_daily_backup(window)  # the day's automatic backup, on the lane once the window shows
        if after_show is not None:
            QTimer.singleShot(0, lambda: after_show(window))
        if any(fresh) and not offered:  # the sample city is offered once, after the first administrator
            offered.append(True)
            QTimer.singleShot(0, lambda: offer_sample_data(window))

    session.window_opened.connect(opened)
    session.finished.connect(app.exit)
    session.start()
    try:
        return app.exec()
    finally:
        session.stop()
        for database in databases:
            database.dispose()


def _open_and_set_up(db, fresh: list, databases: list):
    """Open `db` (creating or migrating it, with its backup first) and seed what a new ledger needs; on the
    lane when the window's start hands it there. Returns the Database."""
    from desktop.services import setup_service
    from desktop.services.db import open_database

    database = open_database(db)
    databases.append(database)
    fresh.append(setup_service.initialize(database))
    return database


def _selftest_on(app, db) -> int:
    """`zzb --selftest`: open the database, log in with ZZB_USER/ZZB_PASSWORD, render every page, exit."""
    from desktop.services.errors import UserError

    databases: list = []
    try:
        database = _open_and_set_up(db, [], databases)
        window = make_window(selftest_login(database))
    except UserError as exc:
        print(f"selftest: {exc.message}", file=sys.stderr)
        for database in databases:
            database.dispose()
        return 1
    try:
        return _selftest(app, window)
    finally:
        window.ctx.worker.stop()
        database.dispose()


def selftest_login(database):
    """The self-test's ledger: on a database with accounts it logs in as the CLI does (ZZB_USER with
    ZZB_PASSWORD); on one without, it looks at the window as the setup does and creates nothing."""
    from desktop.cli_common import log_in
    from desktop.services.accounts import accounts_service
    from desktop.services.ledger import as_ledger

    ledger = as_ledger(database)
    return log_in(ledger) if accounts_service.has_accounts(ledger) else ledger


# The window's GUI thread and its database lane share one interpreter: while the lane runs Python (building a
# page's rows), the GUI thread waits up to this long each time it needs the interpreter back (a timer's slot, a
# model's cells). Python's default is 5 ms; at 1 ms the five-year city's longest GUI-thread stall was 59–88 ms
# against 71–97 in three interleaved rounds of bench/pages.py (总览 54–70 against 63–74).
SWITCH_INTERVAL_S = 0.001


def make_application():
    """The QApplication with the program's name, icon, Chinese Qt dialogs and a readable font."""
    from PySide6.QtGui import QFont, QIcon
    from PySide6.QtWidgets import QApplication

    sys.setswitchinterval(SWITCH_INTERVAL_S)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    _install_chinese_translation(app)
    icon = paths.resource("icons", "app.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    font = app.font()
    if font.pointSize() < 10:
        font.setPointSize(10)
        app.setFont(QFont(font))
    return app


def make_window(ledger, settings=None):
    """The main window of a logged-in ledger (or, for tools and tests, a bare database: role None), with
    its own worker lane (stop it after use: `window.ctx.worker.stop()`). `settings` (a QSettings) defaults
    to the user's settings file."""
    from desktop.services.accounts import permissions
    from desktop.services.ledger import as_ledger
    from desktop.services.year import year_service
    from desktop.views.kit.context import AppContext
    from desktop.views.kit.worker import Worker, freeze_long_lived, thaw_long_lived
    from desktop.views.main_window import MainWindow

    ledger = as_ledger(ledger)
    if permissions.why_not(ledger, "ledger_read") and permissions.why_not(ledger, "params"):
        year, years = ledger.today().year, []  # an auditor or the security administrator: no ledger years
    else:
        year = year_service.current_year(ledger)
        years = year_service.list_years(ledger)
    ctx = AppContext(ledger, Worker(), year, settings)
    window = MainWindow(ctx, years)
    freeze_long_lived()
    window.closed.connect(thaw_long_lived)
    return window


def wait_for_lane(app, window, timeout_s: float = 30.0) -> bool:
    """Let the window take every answer of its lane (and the queries those answers start); False on timeout.
    For the self-test and the screenshot script, which drive the window without a user."""
    import time

    deadline = time.monotonic() + timeout_s
    quiet = 0
    while time.monotonic() < deadline:
        app.processEvents()
        quiet = quiet + 1 if window.ctx.worker.pending() == 0 else 0
        if quiet >= 5:
            return True
        time.sleep(0.02)
    return False


def visit_every_page(app, window, on_page=None, *, before=None) -> list[str]:
    """Open each page of the sidebar in turn (`before(spec)` first), wait for its lane jobs, then call
    `on_page(spec, page)`. Returns the titles of pages that failed to build or to finish loading."""
    failures = []
    for spec in window._specs:
        if before is not None:
            before(spec)
        page = window.page(spec.key)
        settled = wait_for_lane(app, window)
        if page is None or not settled:
            failures.append(spec.title)
        elif on_page is not None:
            on_page(spec, page)
    return failures


def _selftest(app, window) -> int:
    """Render every page offscreen once; exit 0 when all build, load and paint."""
    window.show()

    def painted(spec, _page) -> None:
        if window.grab().isNull():
            failures.append(spec.title)

    failures: list[str] = []
    failures += visit_every_page(app, window, painted)
    window.ctx.settings.clear()
    window.close()
    if failures:
        print("selftest: pages failed: " + ", ".join(failures), file=sys.stderr)
        return 1
    print(f"selftest: ok ({len(window._specs)} pages, database {window.ctx.ledger.url})")
    return 0


def offer_sample_data(window) -> None:
    """First start: offer to fill a sample city (示例数据) to look around in."""
    from PySide6.QtWidgets import QMessageBox

    from desktop.views.kit.ops import long_write

    answer = QMessageBox.question(
        window, "欢迎使用" + APP_NAME,
        "这是一个新建的空数据库（已建立2024年度参数和21个成员单位）。\n\n"
        "是否载入示例数据（一个虚构城市的镇街、企业、片区和清单）以便熟悉功能？\n"
        "示例数据仅供演示，正式使用前请新建数据库。",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return

    def done(_summary) -> None:  # the write itself told every page what it filled
        window.refresh_years()
        window.statusBar().showMessage("示例数据已载入", 5000)

    long_write(window, "正在生成示例数据…", _generate_sample, done=done)


def _generate_sample(ledger, *, progress, token):
    """The lane's part of 载入示例数据: part of the first-run setup (offered only on a fresh database, right
    after its first administrator), so it fills the ledger as the setup does (role None), in the
    administrator's name, although a 系统管理员 may not keep the ledgers themselves."""
    import dataclasses

    from desktop.services.demo import demo_service

    return demo_service.generate(dataclasses.replace(ledger, role=None), progress=progress, cancel=token)
