"""The main window: sidebar navigation, a stack of pages built on first visit, the year selector."""

from __future__ import annotations

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from desktop import APP_NAME, __version__
from desktop.services.year import year_service
from desktop.views.kit.context import AppContext
from desktop.views.pages import page_specs


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, years: list[int]) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle(f"{APP_NAME} {__version__}")
        self.resize(1280, 800)
        self._specs = page_specs()
        self._pages: dict[int, QWidget] = {}

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(150)
        self.nav.setSpacing(2)
        self.nav.setStyleSheet("QListWidget#nav { font-size: 11pt; } QListWidget#nav::item { padding: 6px 8px; }")
        for spec in self._specs:
            QListWidgetItem(spec.title, self.nav)
        self.stack = QStackedWidget()
        for _ in self._specs:
            self.stack.addWidget(QWidget())
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

        where = ctx.db.path or ctx.db.engine.url.render_as_string(hide_password=True)
        self.statusBar().addPermanentWidget(QLabel(f"数据库：{where}"))

        for i, spec in enumerate(self._specs[:9]):
            act = QAction(spec.title, self)
            act.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            act.triggered.connect(lambda _=False, row=i: self.nav.setCurrentRow(row))
            self.addAction(act)

        self.nav.currentRowChanged.connect(self._show_page)
        ctx.year_changed.connect(lambda _y: self._sync_year_combo())
        self._restore_layout()
        if self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)

    # Pages -------------------------------------------------------------------------------
    def page(self, key: str) -> QWidget:
        """The page by key, building it if needed (tests and shortcuts use this)."""
        row = next(i for i, s in enumerate(self._specs) if s.key == key)
        self.nav.setCurrentRow(row)
        return self._pages[row]

    def _show_page(self, row: int) -> None:
        if row < 0:
            return
        if row not in self._pages:
            widget = self._specs[row].factory(self.ctx)
            old = self.stack.widget(row)
            self.stack.removeWidget(old)
            old.deleteLater()
            self.stack.insertWidget(row, widget)
            self._pages[row] = widget
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
        self.ctx.worker.run(lambda: year_service.list_years(self.ctx.db), self.set_years)

    # Layout ------------------------------------------------------------------------------
    def _restore_layout(self) -> None:
        s = self.ctx.settings
        geo = s.value("main/geometry")
        if isinstance(geo, QByteArray):
            self.restoreGeometry(geo)
        state = s.value("main/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        row = s.value("main/page")
        if row is not None:
            try:
                self.nav.setCurrentRow(int(row))
            except (TypeError, ValueError):
                pass

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
        s.setValue("main/page", self.nav.currentRow())
        s.sync()
        super().closeEvent(event)
