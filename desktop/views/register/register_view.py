"""治理对象 register page: search as you type, filters, sortable and configurable columns, a detail
pane, add/edit/delete with undo.

Like Anki's browser: each keystroke asks the lane for `target_service.search_ids` (a search already
superseded when its turn comes is skipped, and only the latest answer is shown), and the model holds
the ids and fetches rows as they are drawn.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMenu, QMessageBox,
                               QTableView, QVBoxLayout, QWidget)

from desktop.models.enums import Category, EvaluationClass, TargetKind, TargetState
from desktop.services.db import Superseded
from desktop.services.errors import NotFound, Refused
from desktop.services.register import target_service
from desktop.services.register.target_service import NO_PARK, FilterOptions, RegisterFilter, TargetDetail, TargetValues
from desktop.views.kit.columns import ColumnChooser
from desktop.views.kit.ops import forget, query, write
from desktop.views.kit.table import ActionBar, Layout, needs_one, setup_table, shortcut
from desktop.views.kit.table_export import add_export_action, describe_filters, register_fetch_all
from desktop.views.kit.town_filter import sync_choices
from desktop.views.kit.undo import Ref, Step, UndoKit
from desktop.views.kit.widgets import button, splitter
from desktop.views.kit.worker import show_error
from desktop.views.register.register_detail import DetailPane
from desktop.views.register.register_table import RegisterTable
from desktop.views.register.register_table_model import RegisterTableModel
from desktop.views.register.target_dialog import TargetDialog

SETTINGS_PREFIX = "register"
DEFAULT_WIDTHS = {
    "name": 220, "kind": 44, "town": 72, "category": 72, "grade": 64, "credit_code": 178, "address": 190,
    "legal_rep": 72, "land_area_mu": 100, "building_area_m2": 100, "industry": 84, "contiguous_area": 130,
    "state": 72,
}
# Shown at first: what a clerk scans for; the rest one right-click away on the header (fits 1366×768).
DEFAULT_HIDDEN: frozenset[str] = frozenset({"legal_rep", "building_area_m2", "industry"})
ALL = None  # combo data of the "全部…" items


class Latest:
    """The generation of the newest request of one kind; read on the lane to skip superseded work."""

    def __init__(self) -> None:
        self.value = 0

    def next(self) -> int:
        self.value += 1
        return self.value


def latest_only(ledger, latest: Latest, generation: int, fn, *args, **kwargs):
    """On the lane: `fn(ledger, …)` unless a newer request has been made meanwhile (then None, which the
    op bridge drops anyway as a stale answer). Typing six letters costs one search, not six."""
    if latest.value != generation:
        return None
    return fn(ledger, *args, **kwargs)


def latest_search(ledger, latest: Latest, generation: int, flt: RegisterFilter, **kwargs):
    """On the lane: the register's search unless a newer one has been asked for; one asked for while it
    reads stops it (db.Superseded, dropped by the op bridge as a stale answer). Typing on while the
    whole result of the last keystroke is still being read does not wait for it."""
    def superseded() -> bool:
        return latest.value != generation

    return None if superseded() else target_service.search_ids(ledger, flt, cancelled=superseded, **kwargs)


def latest_first_screen(ledger, latest: Latest, generation: int, flt: RegisterFilter, **kwargs):
    """On the lane: a keystroke's first screen in one job and one read (target_service.first_screen: its ids
    and the rows of its first `rows` ids not in the model's cache yet, so that the GUI thread draws them
    without reading the ledger), unless a newer search has been asked for (then None, or db.Superseded)."""
    def superseded() -> bool:
        return latest.value != generation

    return None if superseded() else target_service.first_screen(ledger, flt, cancelled=superseded, **kwargs)


class RegisterColumns(ColumnChooser):
    """The register's column menu: 恢复默认列 also puts the columns back in order at their widths."""

    def apply_defaults(self) -> None:
        for i, key in enumerate(self.view.model().keys):
            self.header.moveSection(self.header.visualIndex(i), i)
            self.header.resizeSection(i, DEFAULT_WIDTHS.get(key, 100))
        super().apply_defaults()


def _present(rows: list) -> list:
    return [r for r in rows if r is not None]  # a row deleted since the search reads as None


class RegisterPage(QWidget):
    """Every enterprise and parcel: search, filter, sort, add/edit/delete with undo, detail pane."""

    results_shown = Signal(int)  # emitted right after the model shows a new search result (rows shown)
    results_complete = Signal(int)  # emitted when the whole result (and its count) is in the model
    FIRST_SCREEN = 200  # rows fetched first; more than a screen, so scrolling starts with rows there

    def __init__(self, ctx) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("register_page")
        self.model = RegisterTableModel(ctx.ledger, ctx.year, self)
        self._searches, self._details = Latest(), Latest()
        self._detail_wanted: int | None = None  # the target whose detail was asked for last
        self._last_selected: int | None = None
        self._select_after: Ref | int | None = None  # the row to select when the next result comes
        self._options = FilterOptions([], [])
        self._evaluation_year: int | None = None
        self._started = False
        self._dirty = False
        self._dialog: TargetDialog | None = None
        self._build()
        self.model.sort_requested.connect(lambda _k, _d: self._search() if self._started else None)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.year_changed.connect(self._on_year_changed)

    # Building ----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("register_search")
        self.search_edit.setPlaceholderText("搜索名称、信用代码、地址…")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(300)
        self.search_edit.setToolTip("边输入边搜索；多个词用空格分开（Ctrl+F 定位到此处，Esc 清空）")
        self.search_edit.textChanged.connect(lambda _t: self._search())
        self.search_edit.installEventFilter(self)
        self.count_label = QLabel("")
        self.count_label.setObjectName("register_count")
        # As wide as its longest text from the start: a width following each count laid the search row out
        # again on every keystroke, and Qt drew the box, the row and the page behind them once more.
        self.count_label.setFixedWidth(self.count_label.fontMetrics().horizontalAdvance("共 10000000+ 条，统计中…") + 8)

        self.town_filter = self._combo("全部镇街", search=False)  # searches after refilling the parks
        self.category_filter = self._combo("全部类别", [(c.label, c.name) for c in Category])
        self.grade_filter = self._combo("全部评价", [(f"评价{g.label}类", g.name) for g in EvaluationClass])
        self.state_filter = self._combo("全部状态", [(s.label, s.name) for s in TargetState])
        self.park_filter = self._combo("全部片区")
        self.kind_filter = self._combo("全部类型", [(k.label, k.name) for k in TargetKind])
        self.town_filter.currentIndexChanged.connect(self._town_filter_changed)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("筛选："))
        for combo in self.filter_combos():
            filters.addWidget(combo)
        filters.addWidget(button("清除筛选", self.clear_filters))
        filters.addStretch(1)

        self.table = self._build_table()
        self.detail = DetailPane()
        self.splitter = splitter(Qt.Orientation.Vertical, (self.table, 3), (self.detail, 2), collapsible=False)
        self.splitter.setObjectName("register_splitter")
        self.splitter.setSizes([460, 260])  # the detail pane shows its fields at once

        layout = QVBoxLayout(self)
        layout.addLayout(self._top_bar())
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)
        self._restore_layout()

    def _top_bar(self) -> QHBoxLayout:
        """新增/编辑/删除 (following the selection), 撤销/重做, the search box and the count, 导出."""
        self.actions = ActionBar(self.table, self)
        self.add_button = self.actions.add("新增", self.add_target, keys=QKeySequence.StandardKey.New,
                                           tip="新增治理对象")
        self.edit_button = self.actions.add("编辑", self.edit_current, when=lambda rows: needs_one(_present(rows)),
                                            tip="编辑所选对象（回车或双击）")
        self.delete_button = self.actions.add("删除", self.delete_current, when=self._why_not_delete,
                                              keys=QKeySequence.StandardKey.Delete, local_keys=True,
                                              tip="删除所选对象（可撤销）")
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut(self.table, key, self.edit_current, local=True)
        shortcut(self, QKeySequence.StandardKey.Find, self.focus_search)
        self.undo = UndoKit(self)
        self._undo_index = 0
        self.undo.stack.indexChanged.connect(self._undo_moved)
        top = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.delete_button, self.undo.undo_button,
                  self.undo.redo_button):
            top.addWidget(b)
        top.addStretch(1)
        top.addWidget(self.search_edit, 2)
        top.addWidget(self.count_label)
        top.addWidget(add_export_action(
            self, lambda: self.table, title=lambda: "治理对象名录", settings_key=SETTINGS_PREFIX,
            subtitle=lambda: describe_filters(
                ("搜索", self.search_edit), ("镇街", self.town_filter), ("类别", self.category_filter),
                ("综合评价", self.grade_filter), ("状态", self.state_filter), ("片区", self.park_filter),
                ("类型", self.kind_filter)),
            fetch_all=register_fetch_all(self)))
        return top

    def _build_table(self) -> QTableView:
        table = setup_table(RegisterTable(), sortable=False)  # sorting is switched on once the header is restored
        table.setObjectName("register_table")
        table.setModel(self.model)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setSortIndicatorShown(True)
        header.setToolTip("点击列标题排序；拖动调整顺序；右键选择显示的列")
        self.columns = RegisterColumns(table, hidden=[self.model.column_of(k) for k in DEFAULT_HIDDEN])
        header.setSortIndicator(self.model.column_of("name"), Qt.SortOrder.AscendingOrder)
        table.doubleClicked.connect(lambda _i: self.edit_current())
        table.selectionModel().currentRowChanged.connect(self._current_changed)
        return table

    def _combo(self, all_text: str, items: list[tuple[str, str]] = (), search: bool = True) -> QComboBox:
        combo = QComboBox()
        combo.addItem(all_text, ALL)
        for text, data in items:
            combo.addItem(text, data)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        if search:
            combo.currentIndexChanged.connect(lambda _i: self._search())
        return combo

    def filter_combos(self) -> list[QComboBox]:
        return [self.town_filter, self.category_filter, self.grade_filter, self.state_filter, self.park_filter,
                self.kind_filter]

    # Layout memory -----------------------------------------------------------------------------
    def _columns_key(self) -> str:
        return ",".join(self.model.keys)

    def _restore_layout(self) -> None:
        s = self.ctx.settings
        # A saved header is only used with the same columns (the program may add columns later).
        if s.value(f"{SETTINGS_PREFIX}/columns") != self._columns_key():
            s.remove(f"{SETTINGS_PREFIX}/header")
        self.layout_state = Layout(s, SETTINGS_PREFIX, {
            "header": self.table.horizontalHeader(), "splitter": self.splitter,
            "detail_splitter": self.detail.splitter})
        # Enabling sorting asks the model to sort by the (restored) indicator: it only records the key.
        self.table.setSortingEnabled(True)

    def save_layout(self) -> None:
        self.layout_state.save()
        self.ctx.settings.setValue(f"{SETTINGS_PREFIX}/columns", self._columns_key())

    def confirm_close(self) -> bool:
        """The window is closing: an open dialog with unsaved input asks first."""
        if self._dialog is None or not self._dialog.is_dirty():
            return True
        answer = QMessageBox.question(
            self, "尚未保存", "治理对象对话框中填写的内容尚未保存，确定关闭吗？",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def column_menu(self) -> QMenu:
        """The header's context menu: a tick per column, and 恢复默认列."""
        return self.columns.menu()

    # Activation and refresh ---------------------------------------------------------------------
    def activate(self) -> None:
        """Shown: first time load the filters and search; later only if data changed meanwhile."""
        if not self._started:
            self._started = True
            self._load_options()
            self._search()
        elif self._dirty:
            self.refresh()

    def refresh(self) -> None:
        """Data changed: reload filter choices, re-run the search, forget cached rows, reload the detail."""
        self._dirty = False
        self._load_options()
        self.model.invalidate()
        self._search()
        self._load_detail(force=True)

    def _on_data_changed(self, _what: frozenset[str]) -> None:
        if not self._started:
            return
        if self.isVisible():
            self.refresh()
        else:
            self._dirty = True

    def _on_year_changed(self, year: int) -> None:
        self.model.set_year(year)  # the evaluation class shown depends on the year
        self._on_data_changed(frozenset({"*"}))

    def _load_options(self) -> None:
        query(self, "options", target_service.filter_options, self.ctx.year, done=self._apply_options)

    def _apply_options(self, options: FilterOptions) -> None:
        self._options = options
        self._evaluation_year = options.evaluation_year
        self.grade_filter.setToolTip(f"按{options.evaluation_year}年度综合评价筛选" if options.evaluation_year else "")
        self._refill(self.town_filter, options.towns)
        self._refill_parks()

    def _refill(self, combo: QComboBox, items: list[tuple]) -> None:
        """Replace a combo's choices after its "全部…" item, keeping the current choice if still there."""
        if not sync_choices(combo, items):  # the chosen town or park is gone: show everything it filtered
            self._search()

    def _refill_parks(self) -> None:
        town_id = self.town_filter.currentData()
        parks = [(pid, name) for pid, name in self._options.parks
                 if town_id is None or self._options.park_town.get(pid) == town_id]
        self._refill(self.park_filter, [(NO_PARK, "不在片区"), *parks])

    def _town_filter_changed(self) -> None:
        self._refill_parks()  # the park filter offers the chosen town's parks only
        self._search()

    def clear_filters(self) -> None:
        for combo in self.filter_combos():
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self._refill_parks()
        self._search()

    # Search ------------------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def set_search_text(self, text: str) -> None:
        """Put text in the search box and search now (the benchmark's entry point)."""
        self.search_edit.blockSignals(True)
        self.search_edit.setText(text)
        self.search_edit.blockSignals(False)
        self._search()

    def current_filter(self) -> RegisterFilter:
        def enum_of(combo: QComboBox, cls):
            data = combo.currentData()
            return cls[data] if data is not ALL else None

        return RegisterFilter(
            text=self.search_edit.text(),
            town_id=self.town_filter.currentData(),
            category=enum_of(self.category_filter, Category),
            grade=enum_of(self.grade_filter, EvaluationClass),
            state=enum_of(self.state_filter, TargetState),
            contiguous_area_id=self.park_filter.currentData(),
            kind=enum_of(self.kind_filter, TargetKind),
        )

    def _search(self, *, complete: bool = False) -> None:
        """Ask for what the box and filters say; any older search still queued is skipped.

        Two steps: the first screen (a top-N query, fast even when nearly every row matches), then,
        unless the first screen already held everything, the whole id list (`complete`)."""
        if not self._started:
            return
        sort = {"year": self.ctx.year, "sort": self.model.sort_key, "descending": self.model.descending}
        if complete:
            query(self, "search", latest_search, self._searches, self._searches.next(), self.current_filter(),
                  **sort, done=self._show_results, failed=self._search_failed)
            return
        query(self, "search", latest_first_screen, self._searches, self._searches.next(), self.current_filter(),
              **sort, limit=self.FIRST_SCREEN, rows=self._rows_on_screen(), cached=self.model.cached_ids(),
              evaluation_year=self.model.evaluation_year, done=self._first_screen, failed=self._search_failed)

    def _rows_on_screen(self) -> int:
        """How many rows the table shows at its height: the rows a keystroke's lane job reads with the ids
        (more are read as they are drawn, a block at a time)."""
        height = self.table.verticalHeader().defaultSectionSize()
        return min(self.model.BLOCK, self.table.viewport().height() // max(1, height) + 1)

    def _first_screen(self, answer: tuple) -> None:
        ids, *rows = answer
        self.model.put_rows(*rows)  # read on the lane with the ids: drawn without reading the ledger
        if len(ids) < self.FIRST_SCREEN:
            self._show_results(ids)
            return
        # Rows to look at now; the count and the rest follow from the lane.
        self.model.set_ids(ids)
        self.count_label.setText(f"共 {len(ids)}+ 条，统计中…")
        self.results_shown.emit(len(ids))
        self._search(complete=True)

    def _show_results(self, ids: list[int]) -> None:
        # Keep the clerk's row selected across searches (and come back to it when the search is cleared).
        keep = self._select_after if self._select_after is not None else self._last_selected
        keep = getattr(keep, "id", keep)
        self._select_after = None
        head = self.model.ids()
        first_shown = len(head) == self.FIRST_SCREEN and head == ids[:self.FIRST_SCREEN]
        if first_shown:
            self.model.extend_ids(ids)
        else:
            self.model.set_ids(ids)
        self.count_label.setText(f"共 {len(ids)} 条")
        row = self.model.row_of(keep) if keep is not None else None
        if row is not None:
            index = self.model.index(row, 0)
            self.table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.table.scrollTo(index)
        else:
            self._current_changed(QModelIndex())
        if not first_shown:
            self.results_shown.emit(len(ids))
        self.results_complete.emit(len(ids))

    def _search_failed(self, exc: BaseException) -> None:
        if isinstance(exc, Superseded):
            return  # a newer search is on its way
        self.count_label.setText("搜索出错")
        show_error(self, exc)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.search_edit and event.type() == QEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Escape and self.search_edit.text():
                self.search_edit.clear()
                return True
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.model.rowCount():
                self.table.setFocus()
                if not self.table.currentIndex().isValid():
                    self.table.selectRow(0)
                return True
        return super().eventFilter(obj, event)

    # Selection and detail ----------------------------------------------------------------------
    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.id_at(index.row()) if index.isValid() else None

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex | None = None) -> None:
        if current.isValid():
            self._last_selected = self.model.id_at(current.row())
        self._load_detail()

    def _load_detail(self, force: bool = False) -> None:
        target_id = self.current_id()
        if target_id is None:
            self._details.next()  # the lane skips a detail still queued …
            forget(self, "detail")  # … and its answer (None, or one already read) is not shown
            self._detail_wanted = None
            self.detail.clear()
            self.actions.update()
            return
        if target_id == self._detail_wanted and not force:
            return
        self._detail_wanted = target_id
        query(self, "detail", latest_only, self._details, self._details.next(), target_service.get, target_id,
              year=self.ctx.year, done=self._detail_loaded, failed=self._detail_failed)

    def _detail_loaded(self, detail: TargetDetail) -> None:
        self.detail.show_detail(detail, self._evaluation_year)
        self.actions.update()  # 删除 depends on the detail (a listed target is never deleted)

    def _detail_failed(self, exc: BaseException) -> None:
        if isinstance(exc, NotFound):
            self._detail_wanted = None
            self.detail.clear(exc.message)
        else:
            show_error(self, exc)

    def _why_not_delete(self, rows: list) -> str | None:
        """删除 needs one row, and (from the loaded detail) one that is on no list."""
        why = needs_one(_present(rows))
        if why is None and self.detail.detail is not None and self.detail.target_id == self.current_id():
            why = target_service.why_not_delete(self.detail.detail)
        return why

    # Add, edit, delete -------------------------------------------------------------------------
    def _open_dialog(self, detail: TargetDetail | None, town_id: int | None = None) -> TargetDialog:
        dialog = TargetDialog(self._options, self._evaluation_year or self.ctx.year, detail, self, town_id=town_id)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(lambda values: self._save(dialog, detail, values))
        dialog.finished.connect(lambda _r: setattr(self, "_dialog", None))
        self._dialog = dialog
        dialog.open()
        return dialog

    def _save(self, dialog: TargetDialog, detail: TargetDetail | None, values: TargetValues) -> None:
        after = dataclasses.replace(values, revision=None)
        if detail is None:
            write(dialog, target_service.create, values, year=self.ctx.year, failed=dialog.show_error,
                  done=lambda target_id: (dialog.accept(), self._created(target_id, after)))
        else:
            before = dataclasses.replace(detail.values, revision=None)
            write(dialog, target_service.update, detail.id, values, year=self.ctx.year, failed=dialog.show_error,
                  done=lambda _r: (dialog.accept(), self._edited(detail.id, before, after)))

    def add_target(self) -> TargetDialog:
        """Open the dialog for a new target (defaults to the town filtered on)."""
        return self._open_dialog(None, town_id=self.town_filter.currentData())

    def _push(self, text: str, ref: Ref, undo: Step, redo: Step) -> None:
        """An undo step about one target; undoing or redoing it selects that target again."""
        self.undo.push(text, undo=undo, redo=redo)
        self.undo.stack.command(self.undo.stack.count() - 1).target_ref = ref
        self._select_after = ref

    def _undo_moved(self, index: int) -> None:
        """撤销/重做 ran (or a step was pushed): select the target of the command it ran."""
        touched = self.undo.stack.command(min(index, self._undo_index))
        self._undo_index = index
        ref = getattr(touched, "target_ref", None)
        if ref is not None:
            self._select_after = ref

    def _created(self, target_id: int, values: TargetValues) -> None:
        ref, year = self.undo.ref(target_id), self.ctx.year
        self._push(f"新增“{values.name.strip()}”", ref, undo=Step(target_service.delete, ref, year=year),
                   redo=Step(target_service.create, values, year=year, sets=ref))

    def edit_current(self) -> None:
        """Load the current target and open the edit dialog (nothing happens without a selection)."""
        target_id = self.current_id()
        if target_id is not None and self._dialog is None:
            query(self, "edit", target_service.get, target_id, year=self.ctx.year, done=self._open_edit)

    def _open_edit(self, detail: TargetDetail) -> None:
        if self._dialog is None:
            self._open_dialog(detail)

    def _edited(self, target_id: int, before: TargetValues, after: TargetValues) -> None:
        ref, year = self.undo.ref(target_id), self.ctx.year
        self._push(f"修改“{after.name.strip()}”", ref, undo=Step(target_service.update, ref, before, year=year),
                   redo=Step(target_service.update, ref, after, year=year))

    def delete_current(self) -> None:
        """Ask, then delete the current target (undo re-creates it); a listed target is refused at once."""
        target_id = self.current_id()
        if target_id is None:
            return
        why = self._why_not_delete([self.model.row_data(self.table.currentIndex().row())])
        if why is not None:
            show_error(self, Refused(why))
            return
        row = self.model.row_data(self.table.currentIndex().row())
        answer = QMessageBox.question(
            self, "删除治理对象", f"确定删除“{row.name if row else ''}”吗？\n\n删除后可用“撤销”（Ctrl+Z）恢复。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        current = self.table.currentIndex().row()
        next_id = self.model.id_at(current + 1) or self.model.id_at(current - 1)
        write(self, target_service.delete, target_id, year=self.ctx.year,
              done=lambda values: self._deleted(target_id, values, next_id))

    def _deleted(self, target_id: int, values: TargetValues, next_id: int | None) -> None:
        ref, year = self.undo.ref(target_id), self.ctx.year
        self._push(f"删除“{values.name}”", ref, undo=Step(target_service.create, values, year=year, sets=ref),
                   redo=Step(target_service.delete, ref, year=year))
        self._select_after = next_id
