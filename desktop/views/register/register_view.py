"""治理对象 register page: search as you type, filters, sortable and configurable columns, a detail
pane, add/edit/delete with undo.

Like Anki's browser: each keystroke queues `target_service.search_ids` on the worker lane (only the
latest query's answer is applied), the model holds the ids and fetches rows as they are drawn.
"""

from __future__ import annotations

import dataclasses
import traceback

from PySide6.QtCore import QByteArray, QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import Category, EvaluationClass, TargetKind, TargetState
from desktop.services import units
from desktop.services.register import target_service
from desktop.services.errors import NotFound
from desktop.services.register.target_service import NO_PARK, FilterOptions, RegisterFilter, TargetDetail, TargetValues
from desktop.views.register.register_table_model import RecordTableModel, RegisterTableModel
from desktop.views.kit.table_export import add_export_action, describe_filters, register_fetch_all
from desktop.views.register.target_dialog import TargetDialog
from desktop.views.kit.worker import show_error

SETTINGS_PREFIX = "register"
DEFAULT_WIDTHS = {
    "name": 220, "kind": 44, "town": 72, "category": 72, "grade": 64, "credit_code": 178, "address": 190,
    "legal_rep": 72, "land_area_mu": 100, "building_area_m2": 100, "industry": 84, "contiguous_area": 130,
    "state": 72,
}
DEFAULT_HIDDEN: frozenset[str] = frozenset()  # every column shows at first; the header menu hides
ALL = None  # combo data of the "全部…" items


class _Latest:
    """The generation of the newest request; read on the lane to skip work already superseded."""

    def __init__(self) -> None:
        self.value = 0

    def next(self) -> int:
        self.value += 1
        return self.value


def _run_latest(worker, latest: _Latest, generation: int, fn, on_done, on_error) -> int:
    """Run `fn` on the lane unless superseded meanwhile; hand back its answer only if still the latest.

    Errors travel back as values: the worker shows the error of a job whose callbacks were forgotten,
    and a superseded search or detail load (say, of a row just deleted) must fail silently.
    """

    def job():
        if generation != latest.value:
            return None, None
        try:
            return fn(), None
        except Exception as exc:  # noqa: BLE001 - handed to on_error on the GUI thread
            exc.__traceback_text__ = traceback.format_exc()
            return None, exc

    def done(outcome) -> None:
        result, exc = outcome
        if generation != latest.value:
            return
        if exc is not None:
            on_error(exc)
        else:
            on_done(result)

    return worker.run(job, done)


class _Ref:
    """The current id of one target across undo/redo (deleting and re-creating gives a new id)."""

    def __init__(self, target_id: int) -> None:
        self.id = target_id


# Undo commands -----------------------------------------------------------------------------------
class _ServiceCommand(QUndoCommand):
    """A change already made through the service; undo/redo call the service on the worker lane.

    The jobs run on the lane one after another, so a redo queued right after an undo sees the id the
    undo produced (they update the shared _Ref on the lane, not in the GUI callback).
    """

    def __init__(self, page: RegisterPage, text: str, ref: _Ref, year: int) -> None:
        super().__init__(text)
        self._page = page
        self.db = page.ctx.db  # captured here: the jobs run on the lane and touch no Qt object
        self.ref = ref
        self.year = year
        self._first = True  # push() calls redo(); the change is already made

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._page._run_command(self._redo_job, self.ref)

    def undo(self) -> None:
        self._page._run_command(self._undo_job, self.ref)

    def _redo_job(self) -> None:
        raise NotImplementedError

    def _undo_job(self) -> None:
        raise NotImplementedError


class _CreateCommand(_ServiceCommand):
    def __init__(self, page, ref: _Ref, name: str, year: int) -> None:
        super().__init__(page, f"新增“{name}”", ref, year)
        self.values: TargetValues | None = None

    def _undo_job(self) -> None:
        self.values = target_service.delete(self.db, self.ref.id, year=self.year)

    def _redo_job(self) -> None:
        self.ref.id = target_service.create(self.db, self.values, year=self.year)


class _DeleteCommand(_ServiceCommand):
    def __init__(self, page, ref: _Ref, values: TargetValues, year: int) -> None:
        super().__init__(page, f"删除“{values.name}”", ref, year)
        self.values = values

    def _undo_job(self) -> None:
        self.ref.id = target_service.create(self.db, self.values, year=self.year)

    def _redo_job(self) -> None:
        self.values = target_service.delete(self.db, self.ref.id, year=self.year)


class _EditCommand(_ServiceCommand):
    def __init__(self, page, ref: _Ref, before: TargetValues, after: TargetValues, year: int) -> None:
        super().__init__(page, f"修改“{after.name.strip()}”", ref, year)
        self.before, self.after = before, after

    def _undo_job(self) -> None:
        target_service.update(self.db, self.ref.id, self.before, year=self.year)

    def _redo_job(self) -> None:
        target_service.update(self.db, self.ref.id, self.after, year=self.year)


# Detail pane -------------------------------------------------------------------------------------
class DetailPane(QWidget):
    """The selected target: main fields, its list entries, and its change history."""

    FIELDS = [
        ("kind", "类型"), ("town", "所属镇街"), ("category", "治理类别"), ("grade", "综合评价"),
        ("credit_code", "信用代码"), ("legal_rep", "法定代表人"), ("land_area", "占地面积"),
        ("building_area", "建筑面积"), ("industry", "行业"), ("park", "连片整治片区"), ("state", "状态"),
        ("land_cert_no", "不动产权证号"), ("owner", "权利人"), ("address", "地址"), ("note", "备注"),
    ]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("detail_title")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        fields_box = QWidget()
        grid = QGridLayout(fields_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        self.values: dict[str, QLabel] = {}
        self._captions: dict[str, QLabel] = {}
        for i, (key, caption) in enumerate(self.FIELDS):
            cap = QLabel(caption + "：")
            cap.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            cap.setStyleSheet("color: #616161;")
            val = QLabel()
            val.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            val.setWordWrap(key in ("address", "note", "park"))
            wide = key in ("address", "note")
            row, col = (i // 2, (i % 2) * 2) if not wide else (i, 0)
            grid.addWidget(cap, row, col)
            grid.addWidget(val, row, col + 1, 1, 3 if wide else 1)
            self.values[key] = val
            self._captions[key] = cap
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.setRowStretch(len(self.FIELDS) + 1, 1)
        scroll = QScrollArea()
        scroll.setWidget(fields_box)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.fields_group = QGroupBox("基本信息")
        QVBoxLayout(self.fields_group).addWidget(scroll)

        self.entries_model = RecordTableModel(["年度", "镇街", "治理方式", "计划面积（亩）", "状态", "核实面积（亩）"],
                                              numeric_columns=(3, 5), parent=self)
        self.entries_view = self._small_table(self.entries_model, [56, 84, 84, 110, 90, 110])
        self.history_model = RecordTableModel(["时间", "用户", "操作", "变更内容"], parent=self)
        self.history_view = self._small_table(self.history_model, [128, 70, 60, 400])
        self.tabs = QTabWidget()
        self.tabs.addTab(self.entries_view, "治理清单")
        self.tabs.addTab(self.history_view, "变更记录")

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("register_detail_splitter")
        self.splitter.addWidget(self.fields_group)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([500, 620])

        self.placeholder = QLabel("选择一行查看详情")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet("color: #757575;")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.placeholder, 1)
        self.target_id: int | None = None
        self.clear()

    @staticmethod
    def _small_table(model, widths: list[int]) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setWordWrap(False)
        view.verticalHeader().hide()
        view.horizontalHeader().setStretchLastSection(True)
        for i, w in enumerate(widths):
            view.setColumnWidth(i, w)
        return view

    def clear(self, message: str = "选择一行查看详情") -> None:
        self.target_id = None
        self.title.setText("")
        self.title.hide()
        self.splitter.hide()
        self.placeholder.setText(message)
        self.placeholder.show()
        self.entries_model.set_rows([])
        self.history_model.set_rows([])

    def show_detail(self, d: TargetDetail, evaluation_year: int | None) -> None:
        v = d.values
        self.target_id = d.id
        self.title.setText(f"{v.name}（{v.kind.label}）")
        parcel = v.kind == TargetKind.PARCEL
        code = v.credit_code or ""
        if code and v.credit_code_override:
            code += "（保留的特殊代码）"
        land = ""
        if v.land_area_mu is not None:
            land = f"{units.fmt(v.land_area_mu, 2)} 亩（{units.fmt(units.mu_to_m2(v.land_area_mu), 0)} ㎡）"
        texts = {
            "kind": v.kind.label, "town": d.town, "category": v.category.label,
            "grade": f"{v.grade.label}类" if v.grade else "—", "credit_code": code, "legal_rep": v.legal_rep,
            "land_area": land,
            "building_area": f"{units.fmt(v.building_area_m2, 2)} ㎡" if v.building_area_m2 is not None else "",
            "industry": v.industry, "park": d.contiguous_area, "state": v.state.label,
            "land_cert_no": v.land_cert_no, "owner": v.owner, "address": v.address, "note": v.note,
        }
        hidden = {"land_cert_no", "owner"} if not parcel else {"credit_code", "legal_rep", "industry"}
        for key, label in self.values.items():
            label.setText(texts[key] or "—")
            visible = key not in hidden
            label.setVisible(visible)
            self._captions[key].setVisible(visible)
        self._captions["grade"].setText(f"{evaluation_year}年度评价：" if evaluation_year else "综合评价：")
        self.entries_model.set_rows([
            (str(e.year), e.town, e.method, units.fmt(e.planned_area_mu, 2), e.state,
             units.fmt(e.verified_area_mu, 2)) for e in d.entries
        ])
        self.tabs.setTabText(0, f"治理清单（{len(d.entries)}）")
        self.history_model.set_rows([
            (h.at.strftime("%Y-%m-%d %H:%M"), h.user, h.action, h.summary()) for h in d.history
        ])
        self.tabs.setTabText(1, f"变更记录（{len(d.history)}）")
        self.placeholder.hide()
        self.title.show()
        self.splitter.show()


# The page ----------------------------------------------------------------------------------------
class RegisterPage(QWidget):
    """Every enterprise and parcel: search, filter, sort, add/edit/delete with undo, detail pane."""

    results_shown = Signal(int)  # emitted right after the model shows a new search result (rows shown)
    results_complete = Signal(int)  # emitted when the whole result (and its count) is in the model
    FIRST_SCREEN = 200  # rows fetched first; more than a screen, so scrolling starts with rows there

    def __init__(self, ctx) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("register_page")
        self.model = RegisterTableModel(ctx.db, ctx.year, self)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(100)
        self._search_latest = _Latest()
        self._search_job: int | None = None
        self._detail_latest = _Latest()
        self._detail_job: int | None = None
        self._detail_wanted: int | None = None  # the target whose detail was asked for last
        self._last_selected: int | None = None
        self._options = FilterOptions([], [])
        self._evaluation_year: int | None = None
        self._started = False
        self._dirty = False
        self._select_after: int | None = None
        self._refs: list[_Ref] = []
        self._dialog: TargetDialog | None = None
        self._restoring = False

        self._build_actions()
        self._build_ui()
        self._restore_layout()
        self.model.sort_requested.connect(lambda _k, _d: self._search() if self._started else None)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.year_changed.connect(self._on_year_changed)

    # Building ----------------------------------------------------------------------------------
    def _action(self, text: str, slot, shortcuts=(), context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
                tip: str = "") -> QAction:
        act = QAction(text, self)
        if shortcuts:
            act.setShortcuts([QKeySequence(s) for s in shortcuts])
            act.setShortcutContext(context)
            keys = "、".join(QKeySequence(s).toString(QKeySequence.SequenceFormat.NativeText) for s in shortcuts[:1])
            act.setToolTip(f"{tip or text}（{keys}）")
        act.triggered.connect(slot)
        return act

    def _build_actions(self) -> None:
        self.act_add = self._action("新增", self.add_target, [QKeySequence.StandardKey.New], tip="新增治理对象")
        self.act_edit = self._action("编辑", self.edit_current, [Qt.Key.Key_Return, Qt.Key.Key_Enter],
                                     Qt.ShortcutContext.WidgetShortcut, tip="编辑所选对象")
        self.act_delete = self._action("删除", self.delete_current, [QKeySequence.StandardKey.Delete],
                                       Qt.ShortcutContext.WidgetShortcut, tip="删除所选对象")
        self.act_undo = self._action("撤销", self.undo_stack.undo, [QKeySequence.StandardKey.Undo])
        self.act_redo = self._action("重做", self.undo_stack.redo, [QKeySequence.StandardKey.Redo, QKeySequence("Ctrl+Y")])
        self.act_undo.setEnabled(False)
        self.act_redo.setEnabled(False)
        self.undo_stack.canUndoChanged.connect(self.act_undo.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.act_redo.setEnabled)
        self.undo_stack.undoTextChanged.connect(lambda t: self.act_undo.setToolTip(f"撤销{t}（Ctrl+Z）" if t else "撤销"))
        self.undo_stack.redoTextChanged.connect(lambda t: self.act_redo.setToolTip(f"重做{t}" if t else "重做"))
        self.act_find = self._action("查找", self.focus_search, [QKeySequence.StandardKey.Find])
        for act in (self.act_add, self.act_undo, self.act_redo, self.act_find):
            self.addAction(act)
        self.act_edit.setEnabled(False)
        self.act_delete.setEnabled(False)

    def _build_ui(self) -> None:
        bar = QToolBar()
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for act in (self.act_add, self.act_edit, self.act_delete):
            bar.addAction(act)
        bar.addSeparator()
        bar.addAction(self.act_undo)
        bar.addAction(self.act_redo)

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
        self.count_label.setMinimumWidth(90)

        top = QHBoxLayout()
        top.addWidget(bar)
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

        self.town_filter = self._combo("全部镇街", search=False)  # searches after refilling the parks
        self.category_filter = self._combo("全部类别", [(c.label, c.name) for c in Category])
        self.grade_filter = self._combo("全部评价", [(f"评价{g.label}类", g.name) for g in EvaluationClass])
        self.state_filter = self._combo("全部状态", [(s.label, s.name) for s in TargetState])
        self.park_filter = self._combo("全部片区")
        self.kind_filter = self._combo("全部类型", [(k.label, k.name) for k in TargetKind])
        self.town_filter.currentIndexChanged.connect(self._town_filter_changed)
        self.clear_filters_button = QPushButton("清除筛选")
        self.clear_filters_button.clicked.connect(self.clear_filters)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("筛选："))
        for combo in self.filter_combos():
            filters.addWidget(combo)
        filters.addWidget(self.clear_filters_button)
        filters.addStretch(1)

        self.table = QTableView()
        self.table.setObjectName("register_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        vh = self.table.verticalHeader()
        vh.hide()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._show_column_menu)
        header.setToolTip("点击列标题排序；拖动调整顺序；右键选择显示的列")
        for i, key in enumerate(self.model.keys):
            header.resizeSection(i, DEFAULT_WIDTHS.get(key, 100))
            header.setSectionHidden(i, key in DEFAULT_HIDDEN)
        header.setSortIndicator(self.model.column_of("name"), Qt.SortOrder.AscendingOrder)
        self.table.addAction(self.act_edit)
        self.table.addAction(self.act_delete)
        self.table.doubleClicked.connect(lambda _i: self.edit_current())
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)

        self.detail = DetailPane()
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("register_splitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([460, 260])

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)

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
    def _key(self, name: str) -> str:
        return f"{SETTINGS_PREFIX}/{name}"

    def _restore_layout(self) -> None:
        s = self.ctx.settings
        header = self.table.horizontalHeader()
        self._restoring = True
        try:
            state = s.value(self._key("header"))
            # A saved state is only used with the same columns (the program may add columns later).
            if isinstance(state, QByteArray) and s.value(self._key("columns")) == ",".join(self.model.keys):
                header.restoreState(state)
            for name, splitter in (("splitter", self.splitter), ("detail_splitter", self.detail.splitter)):
                value = s.value(self._key(name))
                if isinstance(value, QByteArray):
                    splitter.restoreState(value)
        finally:
            self._restoring = False
        # Enabling sorting asks the model to sort by the (restored) indicator: it only records the key.
        self.table.setSortingEnabled(True)
        header.sectionMoved.connect(lambda *_: self._save_header())
        header.sectionResized.connect(lambda *_: self._save_header())
        header.sortIndicatorChanged.connect(lambda *_: self._save_header())
        self.splitter.splitterMoved.connect(lambda *_: self._save_splitters())
        self.detail.splitter.splitterMoved.connect(lambda *_: self._save_splitters())

    def _save_header(self) -> None:
        if self._restoring:
            return
        self.ctx.settings.setValue(self._key("header"), self.table.horizontalHeader().saveState())
        self.ctx.settings.setValue(self._key("columns"), ",".join(self.model.keys))

    def _save_splitters(self) -> None:
        self.ctx.settings.setValue(self._key("splitter"), self.splitter.saveState())
        self.ctx.settings.setValue(self._key("detail_splitter"), self.detail.splitter.saveState())

    def save_layout(self) -> None:
        self._save_header()
        self._save_splitters()

    def confirm_close(self) -> bool:
        """The window is closing: an open dialog with unsaved input asks first."""
        if self._dialog is None or not self._dialog.is_dirty():
            return True
        answer = QMessageBox.question(
            self, "尚未保存", "治理对象对话框中填写的内容尚未保存，确定关闭吗？",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    # Column menu -------------------------------------------------------------------------------
    def column_menu(self) -> QMenu:
        """Checkable column list (in shown order) and a reset; the header's context menu."""
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        menu.setObjectName("register_column_menu")
        visible = [i for i in range(header.count()) if not header.isSectionHidden(i)]
        for visual in range(header.count()):
            logical = header.logicalIndex(visual)
            act = menu.addAction(self.model.labels[logical])
            act.setCheckable(True)
            act.setChecked(not header.isSectionHidden(logical))
            act.setEnabled(not (len(visible) == 1 and logical in visible))  # keep one column
            act.toggled.connect(lambda checked, col=logical: self.set_column_visible(col, checked))
        menu.addSeparator()
        menu.addAction("恢复默认列").triggered.connect(self.reset_columns)
        return menu

    def _show_column_menu(self, pos) -> None:
        menu = self.column_menu()
        menu.popup(self.table.horizontalHeader().mapToGlobal(pos))
        menu.aboutToHide.connect(menu.deleteLater)

    def set_column_visible(self, column: int, visible: bool) -> None:
        self.table.horizontalHeader().setSectionHidden(column, not visible)
        if visible and self.table.horizontalHeader().sectionSize(column) < 20:
            self.table.horizontalHeader().resizeSection(column, DEFAULT_WIDTHS.get(self.model.keys[column], 100))
        self._save_header()

    def reset_columns(self) -> None:
        header = self.table.horizontalHeader()
        for i, key in enumerate(self.model.keys):
            header.moveSection(header.visualIndex(i), i)
            header.setSectionHidden(i, key in DEFAULT_HIDDEN)
            header.resizeSection(i, DEFAULT_WIDTHS.get(key, 100))
        self._save_header()

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
        self._on_data_changed("*")

    def _load_options(self) -> None:
        db, year = self.ctx.db, self.ctx.year
        self.ctx.worker.run(lambda: target_service.filter_options(db, year), self._apply_options,
                            lambda exc: show_error(self, exc))

    def _apply_options(self, options: FilterOptions) -> None:
        self._options = options
        self._evaluation_year = options.evaluation_year
        self.grade_filter.setToolTip(f"按{options.evaluation_year}年度综合评价筛选" if options.evaluation_year else "")
        self._refill(self.town_filter, options.towns)
        self._refill_parks()

    def _refill(self, combo: QComboBox, items: list[tuple]) -> None:
        """Replace a combo's choices after its "全部…" item, keeping the current choice if still there."""
        current = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for data, text in items:
            combo.addItem(text, data)
        idx = combo.findData(current) if current is not ALL else 0
        combo.setCurrentIndex(max(idx, 0))
        combo.blockSignals(False)
        if idx < 0:  # the chosen town or park is gone: show everything it filtered
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

    def _search(self) -> None:
        """Queue a search for what the box and filters say; any older search still queued is dropped."""
        if not self._started:
            return
        latest = self._search_latest
        generation = latest.next()
        if self._search_job is not None:
            self.ctx.worker.forget(self._search_job)
        flt, sort, descending = self.current_filter(), self.model.sort_key, self.model.descending
        db, year = self.ctx.db, self.ctx.year

        # Two steps on the lane: the first screen (a top-N query, fast even when nearly every row
        # matches), then, unless the first screen already held everything, the whole id list.
        def first_screen():
            return target_service.search_ids(db, flt, year=year, sort=sort, descending=descending,
                                             limit=self.FIRST_SCREEN)

        def all_ids():
            return target_service.search_ids(db, flt, year=year, sort=sort, descending=descending)

        def shown(ids: list[int]) -> None:
            complete = len(ids) < self.FIRST_SCREEN
            self._show_results(generation, ids, complete=complete)
            if not complete:
                self._search_job = _run_latest(
                    self.ctx.worker, latest, generation, all_ids,
                    lambda full: self._show_results(generation, full, complete=True),
                    lambda exc: self._search_failed(generation, exc),
                )

        self._search_job = _run_latest(self.ctx.worker, latest, generation, first_screen, shown,
                                       lambda exc: self._search_failed(generation, exc))

    def _show_results(self, generation: int, ids: list[int], *, complete: bool = True) -> None:
        if generation != self._search_latest.value:
            return
        if not complete:
            # First screen: rows to look at now; the count and the rest follow from the lane.
            self.model.set_ids(ids)
            self.count_label.setText(f"共 {len(ids)}+ 条，统计中…")
            self.results_shown.emit(len(ids))
            return
        self._search_job = None
        # Keep the clerk's row selected across searches (and come back to it when the search is cleared).
        keep = self._select_after if self._select_after is not None else self._last_selected
        self._select_after = None
        first_shown = len(self.model.ids()) == self.FIRST_SCREEN and self.model.ids() == ids[:self.FIRST_SCREEN]
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

    def _search_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._search_latest.value:
            return
        self._search_job = None
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
        has = current.isValid()
        if has:
            self._last_selected = self.model.id_at(current.row())
        self.act_edit.setEnabled(has)
        self.act_delete.setEnabled(has)
        self._load_detail()

    def _load_detail(self, force: bool = False) -> None:
        target_id = self.current_id()
        if target_id is None:
            self._detail_latest.next()
            self._detail_wanted = None
            self.detail.clear()
            return
        if target_id == self._detail_wanted and not force:
            return
        self._detail_wanted = target_id
        latest = self._detail_latest
        generation = latest.next()
        if self._detail_job is not None:
            self.ctx.worker.forget(self._detail_job)
        db, year = self.ctx.db, self.ctx.year

        def done(detail: TargetDetail) -> None:
            self._detail_job = None
            self.detail.show_detail(detail, self._evaluation_year)

        def failed(exc: BaseException) -> None:
            self._detail_job = None
            if isinstance(exc, NotFound):
                self._detail_wanted = None
                self.detail.clear(exc.message)
            else:
                show_error(self, exc)

        self._detail_job = _run_latest(self.ctx.worker, latest, generation,
                                       lambda: target_service.get(db, target_id, year=year), done, failed)

    # Add, edit, delete -------------------------------------------------------------------------
    def _open_dialog(self, detail: TargetDetail | None, town_id: int | None = None) -> TargetDialog:
        dialog = TargetDialog(self.ctx, self._options, self._evaluation_year or self.ctx.year, detail, self,
                              town_id=town_id)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialog = dialog
        dialog.finished.connect(lambda _r: setattr(self, "_dialog", None))
        dialog.open()
        return dialog

    def add_target(self) -> TargetDialog:
        """Open the dialog for a new target (defaults to the town filtered on)."""
        dialog = self._open_dialog(None, town_id=self.town_filter.currentData())
        dialog.saved.connect(self._created)
        return dialog

    def _created(self, target_id: int, values: TargetValues) -> None:
        self.undo_stack.push(_CreateCommand(self, self._ref_for(target_id), values.name.strip(), self.ctx.year))
        self._select_after = target_id
        self.ctx.changed("target")

    def edit_current(self) -> None:
        """Load the current target and open the edit dialog (nothing happens without a selection)."""
        target_id = self.current_id()
        if target_id is None or self._dialog is not None:
            return
        db, year = self.ctx.db, self.ctx.year
        self.ctx.worker.run(lambda: target_service.get(db, target_id, year=year), self._open_edit,
                            lambda exc: show_error(self, exc))

    def _open_edit(self, detail: TargetDetail) -> None:
        if self._dialog is not None:
            return
        dialog = self._open_dialog(detail)
        before = dataclasses.replace(detail.values, revision=None)
        dialog.saved.connect(lambda target_id, after: self._edited(target_id, before, after))

    def _edited(self, target_id: int, before: TargetValues, after: TargetValues) -> None:
        self.undo_stack.push(_EditCommand(self, self._ref_for(target_id), before, after, self.ctx.year))
        self._select_after = target_id
        self.ctx.changed("target")

    def delete_current(self) -> None:
        """Ask, then delete the current target (undo re-creates it)."""
        target_id = self.current_id()
        if target_id is None:
            return
        row = self.model.row_data(self.table.currentIndex().row())
        name = row.name if row else ""
        answer = QMessageBox.question(
            self, "删除治理对象", f"确定删除“{name}”吗？\n\n删除后可用“撤销”（Ctrl+Z）恢复。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        db, year = self.ctx.db, self.ctx.year
        next_id = self.model.id_at(self.table.currentIndex().row() + 1) or self.model.id_at(
            self.table.currentIndex().row() - 1)

        def done(values: TargetValues) -> None:
            self.undo_stack.push(_DeleteCommand(self, self._ref_for(target_id), values, year))
            self._select_after = next_id
            self.ctx.changed("target")

        self.ctx.worker.run(lambda: target_service.delete(db, target_id, year=year), done,
                            lambda exc: show_error(self, exc))

    # Undo plumbing -----------------------------------------------------------------------------
    def _ref_for(self, target_id: int) -> _Ref:
        for ref in self._refs:
            if ref.id == target_id:
                return ref
        ref = _Ref(target_id)
        self._refs.append(ref)
        return ref

    def _run_command(self, job, ref: _Ref) -> None:
        def done(_result) -> None:
            self._select_after = ref.id
            self.ctx.changed("target")

        def failed(exc: BaseException) -> None:
            # The ledger no longer matches the undo history (someone changed it meanwhile): start afresh.
            self.undo_stack.clear()
            self._refs.clear()
            show_error(self, exc)
            self.ctx.changed("target")

        self.ctx.worker.run(job, done, failed)
