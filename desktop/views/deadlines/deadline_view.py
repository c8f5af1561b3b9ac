"""期限 page: every due item of the year's work in one table — overdue red, due within 5 workdays amber.

Rows come from deadline_service.deadlines as of a chosen day (default today); the page filters them by
town, kind, status and text, and sorts them. Rows whose computation needs a year with no holiday table
say so in their note, and from November a banner warns that next year's table is missing.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QAbstractTableModel, QByteArray, QDate, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.deadlines import calendar_service, deadline_service
from desktop.services.towns import town_service
from desktop.services.deadlines.deadline_service import DONE, NO_CALENDAR, OK, OVERDUE, SOON, DeadlineRow
from desktop.views.kit.context import AppContext
from desktop.views.kit.page_state import LazyRefresh
from desktop.views.kit.table_export import add_export_action, describe_filters
from desktop.views.kit.worker import show_error
from desktop.views.kit.forms import HINT_STYLE

RED = QColor("#F4C7C3")
AMBER = QColor("#FFE699")
NO_CALENDAR_BACKGROUND = QColor("#E7E6F2")
DONE_FOREGROUND = QColor("#808080")
BACKGROUNDS = {OVERDUE: RED, SOON: AMBER, NO_CALENDAR: NO_CALENDAR_BACKGROUND}
BANNER_STYLE = "background: #fff4ce; border: 1px solid #e0b252; border-radius: 4px; padding: 6px 10px; color: #5c4400;"
# Tables whose change can move a deadline (reports, verifications, loans, agreements, the calendar …).
RELEVANT_TABLES = {"*", "town", "year", "year_params", "monthly_report", "monthly_report_item", "verification",
                   "quota_loan", "quota_return", "agreement", "holiday", "calendar_year", "department"}

# Status filter: label → statuses shown. The first (default) hides what is done.
STATUS_FILTERS: list[tuple[str, frozenset[str]]] = [
    ("未完成", frozenset({OVERDUE, SOON, NO_CALENDAR, OK})),
    ("已逾期", frozenset({OVERDUE})),
    (f"{deadline_service.SOON_WORKDAYS}个工作日内到期", frozenset({SOON})),
    ("无法计算（节假日未录入）", frozenset({NO_CALENDAR})),
    ("未到期", frozenset({OK})),
    ("已完成", frozenset({DONE})),
    ("全部", frozenset({OVERDUE, SOON, NO_CALENDAR, OK, DONE})),
]


class DeadlineModel(QAbstractTableModel):
    """The filtered deadline rows: 状态, 类型, 镇街, 事项, 到期日, 剩余工作日, 说明 (sortable)."""

    COLUMNS = [("status", "状态"), ("kind", "类型"), ("town", "镇街"), ("subject", "事项"), ("due_date", "到期日"),
               ("workdays_left", "剩余工作日"), ("note", "说明")]

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[DeadlineRow] = []
        self.as_of: dt.date | None = None
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)

    def set_rows(self, rows: list[DeadlineRow], as_of: dt.date | None = None) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.as_of = as_of
        self._apply_sort()
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.COLUMNS[section][1]
            if role == Qt.ItemDataRole.ToolTipRole and self.COLUMNS[section][0] == "workdays_left":
                return "到期日之前还剩的工作日（到期日当天为 0）；逾期的为已过的工作日"
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        r = self.rows[index.row()]
        key = self.COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(r, key, self.as_of)
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "note" and r.note:
                return r.note
            if key == "subject":
                return r.subject
            if key == "status" and r.done_on is not None:
                return f"完成日期：{r.done_on.isoformat()}"
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            color = BACKGROUNDS.get(r.status)
            return QBrush(color) if color is not None else None
        if role == Qt.ItemDataRole.ForegroundRole and r.status == DONE:
            return QBrush(DONE_FOREGROUND)
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("due_date", "workdays_left"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def text(r: DeadlineRow, key: str, as_of: dt.date | None = None) -> str:
        if key == "status":
            return r.status_label
        if key == "due_date":
            return r.due_date.isoformat() if r.due_date else "—"
        if key == "workdays_left":
            return deadline_service.workdays_left_text(r, as_of)
        if key == "town":
            return r.town or "—"
        return str(getattr(r, key) or "")

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply_sort()
        self.layoutChanged.emit()

    def _apply_sort(self) -> None:
        column, order = self._sort
        if not 0 <= column < len(self.COLUMNS):
            self.rows.sort(key=deadline_service.sort_key)
            return
        key = self.COLUMNS[column][0]

        def value(r: DeadlineRow):
            if key == "status":
                return deadline_service.STATUS_ORDER.index(r.status)
            if key == "due_date":
                return r.due_date or dt.date.max
            if key == "workdays_left":  # unknown counts after every known one
                return (r.workdays_left is None, r.workdays_left or 0)
            return str(getattr(r, key) or "")

        self.rows.sort(key=lambda r: (value(r), deadline_service.sort_key(r)),
                       reverse=order == Qt.SortOrder.DescendingOrder)


class DeadlinePage(LazyRefresh, QWidget):
    relevant_tables = frozenset(RELEVANT_TABLES)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._stale = True
        self._token = 0
        self.all_rows: list[DeadlineRow] = []
        self.rows_as_of: dt.date | None = None
        self._build()
        self._restore_layout()
        ctx.data_changed.connect(self._on_data_changed)

    # Layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        title = QLabel("期限")
        f = title.font()
        f.setPointSize(f.pointSize() + 3)
        f.setBold(True)
        title.setFont(f)
        top.addWidget(title)
        top.addSpacing(16)
        top.addWidget(QLabel("截至："))
        self.as_of_edit = QDateEdit()
        self.as_of_edit.setObjectName("as_of")
        self.as_of_edit.setCalendarPopup(True)
        self.as_of_edit.setDisplayFormat("yyyy-MM-dd")
        today = dt.date.today()
        self.as_of_edit.setDate(QDate(today.year, today.month, today.day))
        self.as_of_edit.dateChanged.connect(lambda _d: self.refresh())
        top.addWidget(self.as_of_edit)
        self.today_button = QPushButton("今天")
        self.today_button.clicked.connect(self.set_today)
        top.addWidget(self.today_button)
        self.refresh_button = QPushButton("刷新")
        self.refresh_button.setToolTip("F5")
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(self.refresh_button)
        top.addStretch(1)
        outer.addLayout(top)

        self.banner = QLabel("")
        self.banner.setObjectName("calendar_banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.banner.linkActivated.connect(lambda _l: self._open_page("holidays"))
        self.banner.setVisible(False)
        outer.addWidget(self.banner)

        filters = QHBoxLayout()
        filters.addWidget(QLabel("镇街："))
        self.town_combo = QComboBox()
        self.town_combo.setObjectName("town_filter")
        self.town_combo.setMinimumWidth(120)
        self.town_combo.addItem("全部", None)
        filters.addWidget(self.town_combo)
        filters.addSpacing(8)
        filters.addWidget(QLabel("类型："))
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("kind_filter")
        self.kind_combo.addItem("全部", None)
        for k in deadline_service.kinds():
            self.kind_combo.addItem(k, k)
        filters.addWidget(self.kind_combo)
        filters.addSpacing(8)
        filters.addWidget(QLabel("状态："))
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("status_filter")
        for label, statuses in STATUS_FILTERS:
            self.status_combo.addItem(label, statuses)
        filters.addWidget(self.status_combo)
        filters.addSpacing(8)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("按事项、镇街或说明筛选（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        filters.addWidget(self.search, 1)
        filters.addWidget(add_export_action(
            self, lambda: self.table, title=lambda: f"期限一览（截至{self.as_of.isoformat()}）", settings_key="deadlines",
            subtitle=lambda: describe_filters(("镇街", self.town_combo), ("类型", self.kind_combo),
                                              ("状态", self.status_combo), ("关键词", self.search))))
        outer.addLayout(filters)
        for combo in (self.town_combo, self.kind_combo, self.status_combo):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.search.textChanged.connect(lambda _t: self.apply_filters())

        self.counts_label = QLabel("")
        self.counts_label.setObjectName("counts")
        self.counts_label.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.counts_label)

        self.model = DeadlineModel(self)
        self.table = QTableView()
        self.table.setObjectName("deadline_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        self.table.setSortingEnabled(True)
        header = self.table.horizontalHeader()
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((70, 72, 84, 430, 92, 124)):
            self.table.setColumnWidth(col, width)
        outer.addWidget(self.table, 1)

        legend = QLabel(
            f"<span style='background:{RED.name()};'>&nbsp;红色&nbsp;</span> 已逾期　"
            f"<span style='background:{AMBER.name()};'>&nbsp;黄色&nbsp;</span> "
            f"{deadline_service.SOON_WORKDAYS}个工作日内到期（到期日当天计 0）　"
            f"<span style='background:{NO_CALENDAR_BACKGROUND.name()};'>&nbsp;灰紫&nbsp;</span> "
            "所需年份的节假日安排未录入，无法计算<br>" + deadline_service.AGREEMENT_NOTE)
        legend.setObjectName("legend")
        legend.setTextFormat(Qt.TextFormat.RichText)
        legend.setWordWrap(True)
        legend.setStyleSheet(HINT_STYLE)
        self.legend = legend
        outer.addWidget(legend)

        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(self._focus_search)
        again = QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self)
        again.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        again.activated.connect(self.refresh)

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _restore_layout(self) -> None:
        state = self.ctx.settings.value("deadlines/header")
        if isinstance(state, QByteArray):
            self.table.horizontalHeader().restoreState(state)

    def save_layout(self) -> None:
        self.ctx.settings.setValue("deadlines/header", self.table.horizontalHeader().saveState())

    def _open_page(self, key: str) -> None:
        open_page = getattr(self.window(), "page", None)
        if open_page is not None:
            open_page(key)

    # Loading -----------------------------------------------------------------------------
    @property
    def as_of(self) -> dt.date:
        d = self.as_of_edit.date()
        return dt.date(d.year(), d.month(), d.day())

    def set_as_of(self, day: dt.date) -> None:
        self.as_of_edit.setDate(QDate(day.year, day.month, day.day))  # refreshes when it changes

    def set_today(self) -> None:
        self.set_as_of(dt.date.today())

    def refresh(self) -> None:
        self._stale = False
        self._token += 1
        token, db, as_of = self._token, self.ctx.db, self.as_of

        def load():
            return (deadline_service.deadlines(db, as_of=as_of), town_service.list_towns(db),
                    calendar_service.next_year_missing_warning(db, as_of))

        self.ctx.worker.run(load, lambda r: self._loaded(token, *r), lambda e: self._failed(token, e))

    def _failed(self, token: int, exc: BaseException) -> None:
        if token == self._token:
            show_error(self, exc)

    def _loaded(self, token: int, rows: list[DeadlineRow], towns, warning: str | None) -> None:
        if token != self._token:
            return
        self.all_rows = rows
        self.rows_as_of = self.as_of
        self.banner.setText(f"⚠ {warning}　<a href='holidays'>打开节假日</a>" if warning else "")
        self.banner.setVisible(bool(warning))
        current = self.town_combo.currentData()
        self.town_combo.blockSignals(True)
        self.town_combo.clear()
        self.town_combo.addItem("全部", None)
        for t in towns:
            if t.active or any(r.town_id == t.id for r in rows):
                self.town_combo.addItem(t.name, t.id)
        idx = self.town_combo.findData(current)
        self.town_combo.setCurrentIndex(idx if idx >= 0 else 0)
        self.town_combo.blockSignals(False)
        self.apply_filters()

    def apply_filters(self) -> None:
        town_id = self.town_combo.currentData()
        kind = self.kind_combo.currentData()
        statuses = self.status_combo.currentData() or frozenset()
        words = self.search.text().split()
        base = [r for r in self.all_rows
                if (town_id is None or r.town_id == town_id) and (kind is None or r.kind == kind)
                and all(w in f"{r.subject} {r.town} {r.note} {r.kind}" for w in words)]
        self.model.set_rows([r for r in base if r.status in statuses], self.rows_as_of)
        self._show_counts(base)

    def _show_counts(self, rows: list[DeadlineRow]) -> None:
        n = {k: sum(1 for r in rows if r.status == k) for k in (OVERDUE, SOON, NO_CALENDAR, OK, DONE)}
        parts = [f"<b style='color:#c62828;'>已逾期 {n[OVERDUE]} 项</b>",
                 f"<b style='color:#b26a00;'>{deadline_service.SOON_WORKDAYS}个工作日内到期 {n[SOON]} 项</b>"]
        if n[NO_CALENDAR]:
            parts.append(f"无法计算 {n[NO_CALENDAR]} 项")
        parts.append(f"未到期 {n[OK]} 项")
        parts.append(f"已完成 {n[DONE]} 项")
        shown = self.model.rowCount()
        self.counts_label.setText(f"截至 {self.as_of.isoformat()}：" + "，".join(parts) + f"　（列出 {shown} 项）")
