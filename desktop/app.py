"""Composition root: open and migrate the database, seed the first year, build the window."""

from __future__ import annotations

import logging
import os
import sys

from desktop import APP_NAME, paths


def _setup_logging() -> None:
    handler = logging.FileHandler(paths.data_dir() / "zzb.log", encoding="utf-8")
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
    """Start the window on `db` (path or URL; default the user-data file). Returns an exit code.

    `after_show(window)` runs once the event loop has shown the window (used by the start benchmark).
    """
    if selftest:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QFont, QIcon
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop.services import setup_service
    from desktop.services.year import year_service
    from desktop.services.db import open_database
    from desktop.services.errors import UserError
    from desktop.views.kit.context import AppContext
    from desktop.views.main_window import MainWindow
    from desktop.views.kit.worker import Worker

    _setup_logging()
    _route_qt_messages()
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
    if not selftest:
        _install_excepthook()

    try:
        database = open_database(db)
        fresh = setup_service.initialize(database)
        year = year_service.current_year(database)
        years = year_service.list_years(database)
    except UserError as exc:
        if selftest:
            print(f"selftest: {exc.message}", file=sys.stderr)
        else:
            QMessageBox.critical(None, APP_NAME, exc.message)
        return 1

    worker = Worker()
    ctx = AppContext(database, worker, year)
    window = MainWindow(ctx, years)
    try:
        if selftest:
            return _selftest(app, window)
        window.show()
        if after_show is not None:
            QTimer.singleShot(0, lambda: after_show(window))
        if fresh:
            QTimer.singleShot(0, lambda: offer_sample_data(window))
        return app.exec()
    finally:
        worker.stop()
        database.dispose()


def _selftest(app, window) -> int:
    """Render every page offscreen once; exit 0 when all build and paint."""
    window.show()
    failures = []
    for spec in window._specs:
        page = window.page(spec.key)
        app.processEvents()
        if window.grab().isNull() or page is None:
            failures.append(spec.title)
    window.ctx.settings.clear()
    window.close()
    if failures:
        print("selftest: pages failed: " + ", ".join(failures), file=sys.stderr)
        return 1
    print(f"selftest: ok ({len(window._specs)} pages, database {window.ctx.db.url})")
    return 0


def offer_sample_data(window) -> None:
    """First start: offer to fill a sample city (示例数据) to look around in."""
    from PySide6.QtWidgets import QMessageBox

    from desktop.services.demo import demo_service
    from desktop.views.kit.worker import run_with_progress

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
    ctx = window.ctx

    def done(_summary) -> None:
        window.refresh_years()
        ctx.changed("*")
        window.statusBar().showMessage("示例数据已载入", 5000)

    run_with_progress(window, ctx.worker, "正在生成示例数据…",
                      lambda progress, token: demo_service.generate(ctx.db, progress=progress, cancel=token), done)
