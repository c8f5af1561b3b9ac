"""操作日志: the append-only audit log, filtered, paged 500 at a time, with before → after per field.

The page only reads the log: it never edits or deletes a record.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QByteArray, QDate, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services import audit
from desktop.services.audit import AuditFilter, AuditRow, FieldChange
from desktop.views.kit.context import AppContext
from desktop.views.kit.worker import run_with_progress, show_error

PAGE_SIZE = 500
ALL = "全部"
FAILED_RED = QColor("#c62828")


def _object_text(r: AuditRow) -> str:
    if r.object_label:
        return r.object_label
    return f"编号 {r.object_id}" if r.object_id is not None else ""


class AuditTableModel(QAbstractTableModel):
    """Audit records newest first; pages of 500 arrive from the worker as the view scrolls."""

    HEADERS = ("时间", "用户", "操作", "结果", "对象类型", "对象")  # the object, widest, stretches last
    OBJECT_COLUMN = 5
    page_loaded = Signal()

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._filter = AuditFilter()
        self._rows: list[AuditRow] = []
        self._display: list[tuple[str, ...]] = []
        self._exhausted = True
        self._loading = False
        self._generation = 0
        self._job: int | None = None

    # Loading ---------------------------------------------------------------------------
    @property
    def filter(self) -> AuditFilter:
        return self._filter

    def set_filter(self, flt: AuditFilter) -> None:
        """Start over with a new filter (or the same one, to pick up new records)."""
        if self._job is not None:
            self.ctx.worker.forget(self._job)
            self._job = None
        self.beginResetModel()
        self._filter = flt
        self._rows, self._display = [], []
        self._exhausted, self._loading = False, False
        self._generation += 1
        self.endResetModel()
        self._fetch()

    def is_loading(self) -> bool:
        return self._loading

    def _fetch(self) -> None:
        self._loading = True
        generation, flt, db = self._generation, self._filter, self.ctx.db
        before = self._rows[-1].id if self._rows else None
        self._job = self.ctx.worker.run(
            lambda: audit.list_entries(db, limit=PAGE_SIZE, before_id=before, **flt.kwargs()),
            lambda rows: self._arrived(generation, rows),
            lambda exc: self._failed(generation, exc),
        )

    def _arrived(self, generation: int, rows: list[AuditRow]) -> None:
        if generation != self._generation:
            return
        self._job = None
        self._loading = False
        self._exhausted = len(rows) < PAGE_SIZE
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self._display.extend(
                (audit.to_local(r.at).strftime("%Y-%m-%d %H:%M:%S"), r.user, audit.action_label(r.action),
                 r.result, audit.object_type_label(r.object_type), _object_text(r))
                for r in rows
            )
            self.endInsertRows()
        self.page_loaded.emit()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._job = None
        self._loading = False
        self._exhausted = True
        show_error(None, exc)

    # Qt model --------------------------------------------------------------------------
    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent=QModelIndex()) -> None:
        if self.canFetchMore(parent):
            self._fetch()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        if role == Qt.ItemDataRole.DisplayRole or (role == Qt.ItemDataRole.ToolTipRole and index.column() == self.OBJECT_COLUMN):
            return self._display[index.row()][index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and self._rows[index.row()].result != "成功":
            return FAILED_RED
        if role == Qt.ItemDataRole.UserRole:
            return self._rows[index.row()].id
        return None

    def record(self, row: int) -> AuditRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, record_id: int) -> int | None:
        for i, r in enumerate(self._rows):
            if r.id == record_id:
                return i
        return None


class ChangesModel(QAbstractTableModel):
    """Before → after, one field per row, for the selected record."""

    HEADERS = ("字段", "修改前", "修改后")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[FieldChange] = []

    def set_changes(self, rows: list[FieldChange]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        c = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (c.label, c.before, c.after)[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 0 and c.label == c.field:
            return QColor("#57606a")  # no Chinese name known: the code name, greyed
        return None


class AuditPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._stale = True
        self._focus_id: int | None = None
        self._count_job: int | None = None
        self._total: int | None = None

        # Filters ---------------------------------------------------------------------------
        self.user_combo = QComboBox()
        self.action_combo = QComboBox()
        self.type_combo = QComboBox()
        for combo in (self.user_combo, self.action_combo, self.type_combo):
            combo.addItem(ALL, None)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumContentsLength(6)
            combo.currentIndexChanged.connect(self.apply_filters)
        self.date_check = QCheckBox("日期")
        today = QDate.currentDate()
        self.from_edit = QDateEdit(today.addDays(-30))
        self.to_edit = QDateEdit(today)
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
            edit.dateChanged.connect(self._dates_changed)
        self.date_check.toggled.connect(self._date_toggled)
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索对象名称（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(180)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(300)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.clear_btn = QPushButton("清除筛选")
        self.clear_btn.clicked.connect(self.clear_filters)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, activated=self._focus_search)

        filters = QHBoxLayout()
        filters.setSpacing(6)
        for label, w in (("用户", self.user_combo), ("操作", self.action_combo), ("对象类型", self.type_combo)):
            filters.addWidget(QLabel(label))
            filters.addWidget(w)
            filters.addSpacing(6)
        filters.addWidget(self.date_check)
        filters.addWidget(self.from_edit)
        filters.addWidget(QLabel("至"))
        filters.addWidget(self.to_edit)
        filters.addSpacing(6)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.clear_btn)

        # Actions ---------------------------------------------------------------------------
        self.count_label = QLabel("")
        self.status_label = QLabel("")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verify_btn = QPushButton("校验完整性")
        self.verify_btn.setToolTip("重新计算每条记录的哈希链，检查日志是否被改动或删除")
        self.verify_btn.clicked.connect(self.verify)
        self.export_btn = QPushButton("导出…")
        self.export_btn.setToolTip("把当前筛选出的记录导出为 Excel 或 CSV 文件")
        self.export_btn.clicked.connect(self._choose_export_file)
        actions = QHBoxLayout()
        actions.addWidget(self.count_label)
        actions.addSpacing(12)
        actions.addWidget(self.status_label, 1)
        actions.addWidget(self.verify_btn)
        actions.addWidget(self.export_btn)

        # Table -----------------------------------------------------------------------------
        self.model = AuditTableModel(ctx, self)
        self.model.page_loaded.connect(self._page_loaded)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        for col, width in enumerate((150, 80, 76, 50, 110)):
            header.resizeSection(col, width)
        header.setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)

        # Detail ----------------------------------------------------------------------------
        self.detail_title = QLabel("选择一条记录查看修改前后的内容")
        self.detail_title.setWordWrap(True)
        self.detail_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.changes_model = ChangesModel(self)
        self.changes_view = QTableView()
        self.changes_view.setModel(self.changes_model)
        self.changes_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.changes_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.changes_view.setWordWrap(True)
        self.changes_view.verticalHeader().setVisible(False)
        self.changes_view.setAlternatingRowColors(True)
        ch = self.changes_view.horizontalHeader()
        ch.resizeSection(0, 130)
        ch.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        ch.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(6, 0, 0, 0)
        dl.addWidget(self.detail_title)
        dl.addWidget(self.changes_view, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([600, 400])
        self.splitter.setChildrenCollapsible(False)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 8)
        lay.addLayout(filters)
        lay.addLayout(actions)
        lay.addWidget(self.splitter, 1)

        self._restore_layout()
        ctx.data_changed.connect(self._on_changed)

    # Refresh ---------------------------------------------------------------------------
    def activate(self) -> None:
        if self._stale:
            self.reload()

    def _on_changed(self, _what: frozenset[str]) -> None:
        self._stale = True
        if self.isVisible():
            self.reload()

    def reload(self) -> None:
        """Re-read the filter choices and the records (keeping the filter)."""
        self._stale = False
        db = self.ctx.db
        self.ctx.worker.run(lambda: audit.distinct_values(db), self._fill_choices)
        self.apply_filters()

    def _fill_choices(self, values: dict[str, list[str]]) -> None:
        labels = {"user": str, "action": audit.action_label, "object_type": audit.object_type_label}
        changed = False
        for key, combo in (("user", self.user_combo), ("action", self.action_combo), ("object_type", self.type_combo)):
            current = combo.currentData()
            items = sorted(values.get(key, []), key=lambda v, f=labels[key]: f(v))
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(ALL, None)
            for v in items:
                combo.addItem(labels[key](v), v)
            idx = combo.findData(current) if current is not None else 0
            if idx < 0:  # the chosen value has gone from the log: show everything
                idx, changed = 0, True
            combo.setCurrentIndex(idx)
            combo.blockSignals(False)
        if changed:
            self.apply_filters()

    # Filters ---------------------------------------------------------------------------
    def current_filter(self) -> AuditFilter:
        since = until = None
        if self.date_check.isChecked():
            since, until = self.from_edit.date().toPython(), self.to_edit.date().toPython()
        return AuditFilter(
            user=self.user_combo.currentData(),
            action=self.action_combo.currentData(),
            object_type=self.type_combo.currentData(),
            text=self.search.text().strip() or None,
            since=since,
            until=until,
        )

    def apply_filters(self) -> None:
        self._search_timer.stop()
        flt = self.current_filter()
        self._total = None
        self.changes_model.set_changes([])
        self.detail_title.setText("选择一条记录查看修改前后的内容")
        self.model.set_filter(flt)
        if self._count_job is not None:
            self.ctx.worker.forget(self._count_job)
        db = self.ctx.db
        self._count_job = self.ctx.worker.run(lambda: audit.count_entries(db, flt), self._count_arrived)

    def _count_arrived(self, n: int) -> None:
        self._count_job = None
        self._total = n
        self._update_count()

    def _update_count(self) -> None:
        total = self._total
        loaded = self.model.rowCount()
        if total is None:
            self.count_label.setText(f"已载入 {loaded} 条")
        elif loaded < total:
            self.count_label.setText(f"共 {total} 条，已载入 {loaded} 条（向下滚动载入更多）")
        else:
            self.count_label.setText(f"共 {total} 条")

    def clear_filters(self) -> None:
        for w in (self.user_combo, self.action_combo, self.type_combo, self.date_check, self.search):
            w.blockSignals(True)
        self.user_combo.setCurrentIndex(0)
        self.action_combo.setCurrentIndex(0)
        self.type_combo.setCurrentIndex(0)
        self.date_check.setChecked(False)
        self.from_edit.setEnabled(False)
        self.to_edit.setEnabled(False)
        self.search.clear()
        for w in (self.user_combo, self.action_combo, self.type_combo, self.date_check, self.search):
            w.blockSignals(False)
        self.apply_filters()

    def _date_toggled(self, on: bool) -> None:
        self.from_edit.setEnabled(on)
        self.to_edit.setEnabled(on)
        self.apply_filters()

    def _dates_changed(self, _d) -> None:
        if self.from_edit.date() > self.to_edit.date():
            edit = self.to_edit if self.sender() is self.from_edit else self.from_edit
            edit.blockSignals(True)
            edit.setDate(self.from_edit.date() if edit is self.to_edit else self.to_edit.date())
            edit.blockSignals(False)
        if self.date_check.isChecked():
            self.apply_filters()

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # Selection and detail --------------------------------------------------------------
    def _page_loaded(self) -> None:
        self._update_count()
        if self._focus_id is not None:
            row = self.model.row_of(self._focus_id)
            if row is not None:
                self._focus_id = None
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtCenter)
            elif self.model.canFetchMore():
                self.model.fetchMore()
            else:
                self._focus_id = None

    def show_record(self, record_id: int) -> None:
        """Show every record and select this one (the dashboard's 最近变更 lands here)."""
        self._focus_id = record_id
        self._stale = False
        self.clear_filters()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        r = self.model.record(current.row()) if current.isValid() else None
        if r is None:
            self.changes_model.set_changes([])
            return
        what = audit.object_type_label(r.object_type)
        obj = _object_text(r)
        ref = f"（编号 {r.object_id}）" if r.object_id is not None and r.object_label else ""
        self.detail_title.setText(
            f"<b>{audit.to_local(r.at):%Y-%m-%d %H:%M:%S}</b>　{_escape(r.user)}　<b>{audit.action_label(r.action)}</b>　"
            f"{what}「{_escape(obj)}」{ref}<br>"
            f"<span style='color:#57606a'>结果：{_escape(r.result)}　日志编号 {r.id}</span>"
        )
        self.changes_model.set_changes(audit.field_changes(r))
        self.changes_view.resizeRowsToContents()

    # Integrity and export --------------------------------------------------------------
    def verify(self) -> None:
        self.verify_btn.setEnabled(False)
        self._set_status("正在校验日志完整性…", None)
        db = self.ctx.db

        def done(check: audit.ChainCheck) -> None:
            self.verify_btn.setEnabled(True)
            self._set_status(check.message, check.intact)
            if not check.intact and check.broken_id is not None:
                self.show_record(check.broken_id)

        def failed(exc: BaseException) -> None:
            self.verify_btn.setEnabled(True)
            self._set_status("", None)
            show_error(self, exc)

        self.ctx.worker.run(lambda: audit.check_chain(db), done, failed)

    def _set_status(self, text: str, ok: bool | None) -> None:
        color = {True: "#2e7d32", False: "#c62828", None: "#57606a"}[ok]
        self.status_label.setStyleSheet(f"color: {color}; font-weight: {'bold' if ok is not None else 'normal'};")
        self.status_label.setText(text)

    def _choose_export_file(self) -> None:
        default_dir = self.ctx.settings.value("audit/export_dir", str(Path.home()))
        name = f"操作日志-{dt.date.today():%Y%m%d}.xlsx"
        path, chosen = QFileDialog.getSaveFileName(self, "导出操作日志", str(Path(default_dir) / name),
                                                   "Excel 工作簿 (*.xlsx);;CSV 文件 (*.csv)")
        if not path:
            return
        p = Path(path)
        if p.suffix.lower() not in (".xlsx", ".csv"):
            p = p.with_suffix(".csv" if "csv" in chosen.lower() else ".xlsx")
        self.ctx.settings.setValue("audit/export_dir", str(p.parent))
        self.export_to(p)

    def export_to(self, path: Path) -> None:
        """Export the filtered records to `path` (.xlsx or .csv) on the worker."""
        flt, db = self.current_filter(), self.ctx.db
        self.export_btn.setEnabled(False)
        self._set_status("正在导出…", None)

        def done(n: int) -> None:
            self.export_btn.setEnabled(True)
            self._set_status(f"已导出 {n} 条记录：{path}", True)

        def failed(exc: BaseException) -> None:
            self.export_btn.setEnabled(True)
            self._set_status("导出未完成", False)
            show_error(self, exc)

        run_with_progress(self, self.ctx.worker, "正在导出操作日志…",
                          lambda progress, token: audit.export(db, path, flt, progress, token), done, failed)

    # Layout ----------------------------------------------------------------------------
    def _restore_layout(self) -> None:
        s = self.ctx.settings
        header = s.value("audit/header")
        if isinstance(header, QByteArray):
            self.table.horizontalHeader().restoreState(header)
        split = s.value("audit/splitter")
        if isinstance(split, QByteArray):
            self.splitter.restoreState(split)

    def save_layout(self) -> None:
        s = self.ctx.settings
        s.setValue("audit/header", self.table.horizontalHeader().saveState())
        s.setValue("audit/splitter", self.splitter.saveState())


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
