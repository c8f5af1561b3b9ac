"""The main window: sidebar navigation, a stack of pages built on first visit, the year selector."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect, QSize, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QScrollArea,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from desktop import APP_NAME, __version__
from desktop.services.year import year_service
from desktop.views.kit.context import AppContext
from desktop.views.kit.ops import query
from desktop.views.pages import page_specs
from desktop.views.system import backup_actions

PREFERRED_SIZE = QSize(1600, 1000)  # room for every page's columns; less on a smaller screen
SCREEN_MARGIN = 24  # around a first window, so its title bar and edges stay on the screen
NAV_WIDTH = 150


def _scrolling(page: QWidget) -> QScrollArea:
    """A page inside a frameless scroll area: a page wider or taller than the screen scrolls, rather than
    growing the window past the screen's edge (a QStackedWidget is as large as its largest page)."""
    area = QScrollArea()
    area.setObjectName("page_area")
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setWidget(page)
    return area


def first_geometry(available: QRect, preferred: QSize = PREFERRED_SIZE, margin: int = SCREEN_MARGIN) -> QRect:
    """The first window: the preferred size, no larger than the screen's available area less a margin, centred.

    On the commonest office laptop (1366×768 less the taskbar) this is about 1318×680 — the old fixed
    1280×800 was taller than the screen."""
    width = max(min(preferred.width(), available.width() - 2 * margin), 1)
    height = max(min(preferred.height(), available.height() - 2 * margin), 1)
    rect = QRect(0, 0, width, height)
    rect.moveCenter(available.center())
    return rect


def pulled_back(rect: QRect, available: QRect) -> QRect:
    """A remembered window as it was when it lies on the screen; else shrunk to fit and moved onto it
    (the laptop now has a smaller screen, or the second monitor it was on has gone)."""
    if available.contains(rect):
        return QRect(rect)
    r = QRect(rect)
    r.setSize(r.size().boundedTo(available.size()))
    r.moveLeft(max(available.left(), min(r.left(), available.right() - r.width() + 1)))
    r.moveTop(max(available.top(), min(r.top(), available.bottom() - r.height() + 1)))
    return r


class MainWindow(QMainWindow):
    closed = Signal()  # the window has closed (its pages agreed)
    _opening = False  # while __init__ restores the layout: the first page waits for the event loop
    _showing: int | None = None  # a page on its way to being shown over the next turns (see _show_page)

    def __init__(self, ctx: AppContext, years: list[int]) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle(f"{APP_NAME} {__version__}")
        self._specs = page_specs(ctx.ledger)  # only the pages the logged-in role may use
        self._pages: dict[int, QWidget] = {}

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(NAV_WIDTH)
        self.nav.setSpacing(2)
        self.nav.setStyleSheet("QListWidget#nav { font-size: 11pt; } QListWidget#nav::item { padding: 6px 8px; }")
        for spec in self._specs:
            QListWidgetItem(spec.title, self.nav)
        self.stack = QStackedWidget()
        for _ in self._specs:
            self.stack.addWidget(QWidget())
        if not self._specs:  # the security administrator works only through the 系统 menu
            self.stack.addWidget(QLabel("  本账户没有台账页面：请从“系统”菜单进入账户管理或安全设置。"))
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        bar = QToolBar("年度")
        bar.setObjectName("year_toolbar")
        bar.setMovable(False)
        bar.addWidget(QLabel(" 年度："))
        self.year_combo = QComboBox()
        self.year_combo.setObjectName("year_combo")
        self.set_years(years)
        self.year_combo.currentIndexChanged.connect(self._on_year_chosen)
        bar.addWidget(self.year_combo)
        self.addToolBar(bar)
        bar.setVisible(bool(years))  # an auditor has no ledger years to choose

        where = ctx.ledger.path or ctx.ledger.engine.url.render_as_string(hide_password=True)
        self.statusBar().addPermanentWidget(QLabel(f"数据库：{where}"))
        backup_actions.install(self)  # the 系统 menu

        for i, spec in enumerate(self._specs[:9]):
            act = QAction(spec.title, self)
            act.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            act.triggered.connect(lambda _=False, row=i: self.nav.setCurrentRow(row))
            self.addAction(act)

        self.nav.currentRowChanged.connect(self._show_page)
        ctx.year_changed.connect(lambda _y: self._sync_year_combo())
        # The first page is built once the window has drawn its frame (or soon, if it is never shown): building
        # it here too made one long freeze of the GUI thread (page() still builds at once). The lane counts
        # it as pending work, so whoever waits for the window to settle waits for the page.
        self._opening = True
        self._restore_layout()
        if self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)
        self._opening = False
        ctx.worker.later(self, self._show_first_page, after_paint_of=self)

    def system_menu(self) -> QMenu:
        """The 系统 menu (accounts, backups …), made on first use so every part adds its items to one menu."""
        menu = getattr(self, "_system_menu", None)
        if menu is None:
            menu = self._system_menu = QMenu("系统", self)
            menu.setObjectName("system_menu")
            self.menuBar().addMenu(menu)
        return menu

    # Pages -------------------------------------------------------------------------------
    def page(self, key: str) -> QWidget:
        """The page by key, built and shown at once (tests and shortcuts use this)."""
        row = next(i for i, s in enumerate(self._specs) if s.key == key)
        self.nav.setCurrentRow(row)
        if self._showing == row or row not in self._pages:  # not shown yet: its remaining steps now
            self._build(row)
            self._show_built(row)
        return self._pages[row]

    def current_page(self) -> QWidget | None:
        return self._pages.get(self.nav.currentRow())

    def _show_first_page(self) -> None:
        if self.nav.currentRow() not in self._pages:  # unless page() has built it meanwhile
            self._show_page(self.nav.currentRow())

    def _show_page(self, row: int) -> None:
        """Show the page chosen in the sidebar. A first visit takes three short turns of the event loop instead
        of one long freeze: its modules are imported on this turn, the page is built on the next and shown
        (laid out, drawn, asked to load) on the one after; each step is pending work for the lane's waiters.
        A step whose page is no longer the one chosen does nothing more."""
        if row < 0 or self._opening:
            return
        if row in self._pages and self._showing != row:
            self._show_built(row)
            return
        self._showing = row
        self._specs[row].load()  # the page's modules
        self.ctx.worker.later(self, lambda: self._next_step(row))

    def _next_step(self, row: int) -> None:
        if self._showing != row or self.nav.currentRow() != row:
            return  # the clerk has moved on (or page() has done the rest)
        if row not in self._pages:
            self._build(row)
            self.ctx.worker.later(self, lambda: self._next_step(row))
        else:
            self._show_built(row)

    def _build(self, row: int) -> None:
        if row in self._pages:
            return
        widget = self._specs[row].factory(self.ctx)
        old = self.stack.widget(row)
        self.stack.removeWidget(old)
        old.deleteLater()
        self.stack.insertWidget(row, _scrolling(widget))
        self._pages[row] = widget

    def _show_built(self, row: int) -> None:
        if self._showing == row:
            self._showing = None
        self.stack.setCurrentIndex(row)
        activate = getattr(self._pages[row], "activate", None)
        if activate:
            activate()

    # Year --------------------------------------------------------------------------------
    def set_years(self, years: list[int]) -> None:
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for y in years:
            self.year_combo.addItem(f"{y}年度", y)
        self.year_combo.blockSignals(False)
        self._sync_year_combo()

    def _sync_year_combo(self) -> None:
        idx = self.year_combo.findData(self.ctx.year)
        if idx >= 0 and idx != self.year_combo.currentIndex():
            self.year_combo.blockSignals(True)
            self.year_combo.setCurrentIndex(idx)
            self.year_combo.blockSignals(False)

    def _on_year_chosen(self, idx: int) -> None:
        year = self.year_combo.itemData(idx)
        if year is not None:
            self.ctx.set_year(int(year))

    def refresh_years(self) -> None:
        query(self, "years", year_service.list_years, done=self.set_years)

    # Layout ------------------------------------------------------------------------------
    def _available(self, rect: QRect | None = None) -> QRect:
        """The available area (less taskbars) of the screen showing `rect`'s centre, else the primary one."""
        screen = QGuiApplication.screenAt(rect.center()) if rect is not None else None
        screen = screen or self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry()

    def _restore_geometry(self) -> None:
        """The remembered window if it fits the screen now, pulled back onto it if not; else a first size."""
        geo = self.ctx.settings.value("main/geometry")
        if isinstance(geo, QByteArray) and self.restoreGeometry(geo):
            if not (self.isMaximized() or self.isFullScreen()):
                self.setGeometry(pulled_back(self.geometry(), self._available(self.geometry())))
            return
        self.setGeometry(first_geometry(self._available()))

    def _restore_layout(self) -> None:
        s = self.ctx.settings
        self._restore_geometry()
        state = s.value("main/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        key = s.value("main/page")  # the page's key: the sidebar differs from one role to another
        rows = [i for i, spec in enumerate(self._specs) if spec.key == key]
        if rows:
            self.nav.setCurrentRow(rows[0])

    def closeEvent(self, event) -> None:
        for page in self._pages.values():
            confirm = getattr(page, "confirm_close", None)
            if confirm and not confirm():
                event.ignore()
                return
            save = getattr(page, "save_layout", None)
            if save:
                save()
        s = self.ctx.settings
        s.setValue("main/geometry", self.saveGeometry())
        s.setValue("main/state", self.saveState())
        row = self.nav.currentRow()
        if 0 <= row < len(self._specs):
            s.setValue("main/page", self._specs[row].key)
        s.sync()
        super().closeEvent(event)
        self.closed.emit()
