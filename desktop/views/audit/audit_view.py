"""操作日志: the append-only audit log, filtered, paged 500 at a time, with before → after per field.

The page only reads the log: it never edits or deletes a record.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services import audit
from desktop.services.audit import AuditFilter, AuditRow, FieldChange
from desktop.services.errors import ValidationError
from desktop.views.kit.widgets import button, splitter
from desktop.views.kit.columns import ColumnChooser
from desktop.views.kit.context import AppContext
from desktop.views.kit.date_field import DateField
from desktop.views.kit.ops import aside, long_write, query
from desktop.views.kit.page_state import LazyRefresh
from desktop.views.kit.rows import MUTED, RED, RowsModel
from desktop.views.kit.table import Layout, setup_table, shortcut, title_label
from desktop.views.kit.worker import show_error

PAGE_SIZE = 500
CHECKING_TEXT = "校验中…（正在用本机的审计密钥重新计算每条记录的哈希，记录可照常查看）"
ALL = "全部"
FAILED_RED = RED


def _object_text(r: AuditRow) -> str:
    if r.object_label:
        return r.object_label
    return f"编号 {r.object_id}" if r.object_id is not None else ""



def _nothing(ledger) -> None:
    """A lane job that reads nothing: its answer comes after every answer asked for before it."""

class AuditTableModel(RowsModel):
    """Audit records newest first; pages of 500 arrive from the lane as the view scrolls."""

    COLUMNS = [("at", "时间"), ("user", "用户"), ("action", "操作"), ("result", "结果"),
               ("object_type", "对象类型"), ("object", "对象")]  # the object, widest, stretches last
    page_loaded = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)  # the page: its ctx answers the queries
        self.filter = AuditFilter()
        self._exhausted = True
        self._loading = False

    # Loading ---------------------------------------------------------------------------
    def start(self, flt: AuditFilter) -> None:
        """Start over with a filter (or the same one, to pick up new records)."""
        self.filter = flt
        self.set_rows([])
        self._exhausted = False
        self._fetch()

    def is_loading(self) -> bool:
        return self._loading

    def _fetch(self) -> None:
        self._loading = True
        before = self.rows[-1].id if self.rows else None
        query(self, "page", audit.list_entries, limit=PAGE_SIZE, before_id=before, **self.filter.kwargs(),
              done=self._arrived, failed=self._failed)

    def _arrived(self, rows: list[AuditRow]) -> None:
        self._loading = False
        self._exhausted = len(rows) < PAGE_SIZE
        if rows:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._all.extend(rows)
            self.rows.extend(rows)
            self.endInsertRows()
        self.page_loaded.emit()

    def _failed(self, exc: BaseException) -> None:
        self._loading = False
        self._exhausted = True
        show_error(None, exc)

    # Cells -----------------------------------------------------------------------------
    def display(self, r: AuditRow, key: str) -> str:
        if key == "at":
            return audit.to_local(r.at).strftime("%Y-%m-%d %H:%M:%S")
        if key == "action":
            return audit.action_label(r.action)
        if key == "object_type":
            return audit.object_type_label(r.object_type)
        if key == "object":
            return _object_text(r)
        return super().display(r, key)

    def foreground(self, r: AuditRow, key: str) -> QColor | None:
        return FAILED_RED if r.result != "成功" else None

    def tooltip(self, r: AuditRow, key: str) -> str | None:
        return self.display(r, key) if key == "object" else None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.UserRole:
            r = self.item(index.row()) if index.isValid() else None
            return r.id if r is not None else None
        return super().data(index, role)

    # Qt paging -------------------------------------------------------------------------
    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent=QModelIndex()) -> None:
        if self.canFetchMore(parent):
            self._fetch()

    def record(self, row: int) -> AuditRow | None:
        return self.item(row)


class ChangesModel(RowsModel):
    """Before → after, one field per row, for the selected record."""

    COLUMNS = [("label", "字段"), ("before", "修改前"), ("after", "修改后")]

    def set_changes(self, rows: list[FieldChange]) -> None:
        self.set_rows(rows)

    def foreground(self, c: FieldChange, key: str) -> QColor | None:
        return MUTED if key == "label" and c.label == c.field else None  # no Chinese name known: the code name

    def tooltip(self, c: FieldChange, key: str) -> str:
        return self.display(c, key)


class AuditPage(LazyRefresh, QWidget):
    _focus_id: int | None = None  # a record to select once its page of the log has arrived
    _total: int | None = None  # records matching the filter (counted apart from the pages)
    _verified_once = False

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._build()
        ctx.data_changed.connect(self._on_data_changed)

    def _build(self) -> None:
        # Filters ---------------------------------------------------------------------------
        self.user_combo = QComboBox()
        self.action_combo = QComboBox()
        self.type_combo = QComboBox()
        for combo in (self.user_combo, self.action_combo, self.type_combo):
            combo.addItem(ALL, None)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumContentsLength(6)
            combo.currentIndexChanged.connect(self.apply_filters)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(300)
        self._search_timer.timeout.connect(self.apply_filters)
        self.from_edit = DateField(label="起始日期", year=self.ctx.year, show_error_line=False)
        self.to_edit = DateField(label="截止日期", year=self.ctx.year, show_error_line=False)
        for edit in (self.from_edit, self.to_edit):
            edit.setMaximumWidth(140)
            edit.changed.connect(self._search_timer.start)
        self.date_error = QLabel("")
        self.date_error.setStyleSheet("color: #c0392b;")
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索对象名称（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(160)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.clear_btn = button("清除筛选", self.clear_filters)
        shortcut(self, QKeySequence.StandardKey.Find, self._focus_search)

        filters = QHBoxLayout()
        filters.setSpacing(6)
        for label, w in (("用户", self.user_combo), ("操作", self.action_combo), ("对象类型", self.type_combo),
                         ("日期", self.from_edit), ("至", self.to_edit)):
            filters.addWidget(QLabel(label))
            filters.addWidget(w)
        filters.addWidget(self.date_error)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.clear_btn)

        # Actions ---------------------------------------------------------------------------
        self.count_label = QLabel("")
        self.status_label = QLabel("")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A long sentence (a file path) is cut at the page's edge, never widens the window; the tooltip has it all.
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.verify_btn = button("校验完整性", self.verify, tip="用本机的审计密钥重新计算每条记录的哈希，并核对链尾记录：\n"
                                 "查出被改动的记录、被删除的最新记录")
        self.export_btn = button("导出…", self._choose_export_file, tip="把当前筛选出的记录（可用起止日期选一段时间）导出为 Excel 或 CSV 文件；导出记入操作日志")
        actions = QHBoxLayout()
        actions.addWidget(title_label("操作日志"))
        actions.addSpacing(12)
        actions.addWidget(self.count_label)
        actions.addSpacing(12)
        actions.addWidget(self.status_label, 1)
        actions.addWidget(self.verify_btn)
        actions.addWidget(self.export_btn)

        # Table -----------------------------------------------------------------------------
        self.model = AuditTableModel(self)
        self.model.page_loaded.connect(self._page_loaded)
        self.table = setup_table(QTableView(), sortable=False)  # newest first, fetched page by page
        self.table.setObjectName("audit_table")
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setHighlightSections(False)
        for col, width in enumerate((150, 80, 76, 50, 110)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.columns = ColumnChooser(self.table)

        # Detail ----------------------------------------------------------------------------
        self.detail_title = QLabel("选择一条记录查看修改前后的内容")
        self.detail_title.setWordWrap(True)
        self.detail_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.changes_model = ChangesModel(self)
        self.changes_view = setup_table(QTableView(), sortable=False)
        self.changes_view.setModel(self.changes_model)
        self.changes_view.setWordWrap(True)
        self.changes_view.setColumnWidth(0, 130)
        self.changes_view.setColumnWidth(1, 160)
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(6, 0, 0, 0)
        dl.addWidget(self.detail_title)
        dl.addWidget(self.changes_view, 1)

        self.splitter = splitter(Qt.Orientation.Horizontal, (self.table, 3), (detail, 2), collapsible=False)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 8)
        lay.addLayout(actions)
        lay.addLayout(filters)
        lay.addWidget(self.splitter, 1)
        self.layout_state = Layout(self.ctx.settings, "audit", {"header": self.table.horizontalHeader(),
                                                                "splitter": self.splitter})

    def save_layout(self) -> None:
        self.layout_state.save()

    # Refresh ---------------------------------------------------------------------------
    def _on_data_changed(self, _what: frozenset[str]) -> None:
        self._refresh_if_visible()  # every write is logged: any change adds records

    def refresh(self) -> None:
        """Re-read the filter choices and the records (keeping the filter)."""
        self._stale = False
        query(self, "choices", audit.distinct_values, done=self._fill_choices)
        self.apply_filters()
        if not self._verified_once:  # the chain's state is shown when the page first opens
            self._verified_once = True
            # The check (seconds on a city's log, beside the lane) starts once the lane has answered what this
            # refresh asked: started with them, it shared the interpreter with their reading and drawing and
            # held the first records back. 校验中… shows meanwhile.
            self.verify_btn.setEnabled(False)
            self._set_status(CHECKING_TEXT, None)
            query(self, "verify_after", _nothing, done=lambda _none: self.verify())

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
    def _dates(self) -> tuple | None:
        """(since, until) as typed, or None (with the reason shown) while a date is not a date."""
        try:
            since, until = self.from_edit.value(), self.to_edit.value()
        except ValidationError as exc:  # shown beside the fields; the list stays as it was
            self.date_error.setText(exc.message)
            return None
        if since and until and since > until:
            self.date_error.setText("截止日期早于起始日期")
            return None
        self.date_error.setText("")
        return since, until

    def current_filter(self) -> AuditFilter | None:
        dates = self._dates()
        if dates is None:
            return None
        return AuditFilter(
            user=self.user_combo.currentData(),
            action=self.action_combo.currentData(),
            object_type=self.type_combo.currentData(),
            text=self.search.text().strip() or None,
            since=dates[0],
            until=dates[1],
        )

    def apply_filters(self) -> None:
        self._search_timer.stop()
        flt = self.current_filter()
        if flt is None:
            return
        self._total = None
        self.changes_model.set_changes([])
        self.detail_title.setText("选择一条记录查看修改前后的内容")
        self.model.start(flt)
        query(self, "count", audit.count_entries, flt, done=self._count_arrived)

    def _count_arrived(self, n: int) -> None:
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
        widgets = (self.user_combo, self.action_combo, self.type_combo, self.from_edit, self.to_edit, self.search)
        for w in widgets:
            w.blockSignals(True)
        for combo in (self.user_combo, self.action_combo, self.type_combo):
            combo.setCurrentIndex(0)
        self.from_edit.set_value(None)
        self.to_edit.set_value(None)
        self.search.clear()
        for w in widgets:
            w.blockSignals(False)
        self.apply_filters()

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # Selection and detail --------------------------------------------------------------
    def _page_loaded(self) -> None:
        self._update_count()
        if self._focus_id is not None:
            row = self.model.row_of(self._focus_id)
            if row >= 0:
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
        """Check the chain beside the lane: a million records take seconds, while the records, their filters and
        every other page's queries keep coming from the lane."""
        self.verify_btn.setEnabled(False)
        self._set_status(CHECKING_TEXT, None)
        aside(self, "verify", audit.check_chain, done=self._verified, failed=self._verify_failed)

    def _verified(self, check: audit.ChainCheck) -> None:
        """Verified (with the chain head's short hash, the paper anchor), broken at a record (selected),
        newest records deleted, or no key on this PC (not a verdict on the log: amber)."""
        self.verify_btn.setEnabled(True)
        if check.intact:
            self._set_status(f"{check.message}　链尾校验码 {check.head}", True)
        else:
            text = check.message.split("。")[0] if check.problem == "no_key" else check.message  # the rest: tooltip
            self._set_status(text, None if check.problem == "no_key" else False, warn=check.problem == "no_key",
                             tip=check.message)
        if check.problem == "edited" and check.broken_id is not None:
            self.show_record(check.broken_id)

    def _verify_failed(self, exc: BaseException) -> None:
        self.verify_btn.setEnabled(True)
        self._set_status("", None)
        show_error(self, exc)

    def _set_status(self, text: str, ok: bool | None, *, warn: bool = False, tip: str = "") -> None:
        color = "#b26a00" if warn else {True: "#2e7d32", False: "#c62828", None: "#57606a"}[ok]
        bold = ok is not None or warn
        self.status_label.setStyleSheet(f"color: {color}; font-weight: {'bold' if bold else 'normal'};")
        self.status_label.setText(text)
        self.status_label.setToolTip(tip or text)

    def _choose_export_file(self) -> None:
        default_dir = self.ctx.settings.value("audit/export_dir", str(Path.home()))
        dates = self._dates()
        if dates and dates[0] and dates[1]:
            name = f"操作日志-{dates[0]:%Y%m%d}至{dates[1]:%Y%m%d}.xlsx"
        else:
            name = f"操作日志-{self.ctx.ledger.today():%Y%m%d}.xlsx"
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
        """Export the filtered records to `path` (.xlsx or .csv) on the lane."""
        flt = self.current_filter()
        if flt is None:
            return
        self.export_btn.setEnabled(False)
        self._set_status("正在导出…", None)
        long_write(self, "正在导出操作日志…", audit.export, path, flt,
                   done=lambda n: self._exported(n, path), failed=self._export_failed)

    def _exported(self, n: int, path: Path) -> None:
        self.export_btn.setEnabled(True)
        self._set_status(f"已导出 {n} 条记录：{path}", True)

    def _export_failed(self, exc: BaseException) -> None:
        self.export_btn.setEnabled(True)
        self._set_status("导出未完成", False)
        show_error(self, exc)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
