"""镇街与任务分解 page (附件1): the year's per-town task and progress table with a totals row, and the
town directory (add, rename, order, liaison, deactivate or delete)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services import units
from desktop.services.towns import progress_service, town_service
from desktop.services.errors import UserError, ValidationError
from desktop.views.kit.context import AppContext
from desktop.views.kit.file_choice import ask_save_xlsx
from desktop.views.kit.page_state import LazyRefresh, restore_states, save_states
from desktop.views.kit.table_export import add_export_action
from desktop.views.kit.worker import show_error
from desktop.views.kit.forms import ERROR_STYLE, error_label, plain, show_at

AMBER = QColor("#FFD966")
TOTALS_BACKGROUND = QColor("#EEF2F7")
INACTIVE_FOREGROUND = QColor("#909090")
RELEVANT_TABLES = {"*", "town", "town_target", "year_params", "year", "governance_list", "list_entry", "target",
                   "contiguous_area"}


def fmt_pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{units.fmt(value, 2)}%"


class ProgressModel(QAbstractTableModel):
    """One row per active town from progress_service.year_progress, then the 合计 row (always last)."""

    COLUMNS = [
        ("town", "镇街"),
        ("target_area_mu", "目标面积\n（亩）"),
        ("target_parks", "目标园区\n（个）"),
        ("listed_mu", "已列清单面积\n（亩）"),
        ("contiguous_mu", "其中连片面积\n（亩）"),
        ("share_pct", "连片占比"),
        ("verified_mu", "已核实面积\n（亩）"),
        ("completion_pct", "完成率"),
        ("parks_started", "已启动园区\n（个）"),
    ]
    EDITABLE = ("target_area_mu", "target_parks")
    target_edited = Signal(int, str, object)  # town id, field, parsed value

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[progress_service.TownProgress] = []
        self._totals: progress_service.TownProgress | None = None
        self._share_min: Decimal | None = None
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)
        self._original: list[progress_service.TownProgress] = []

    # Data in -----------------------------------------------------------------------------
    def set_progress(self, progress: progress_service.YearProgress) -> None:
        self.beginResetModel()
        self._original = list(progress.towns)
        self._rows = list(progress.towns)
        self._totals = progress.totals
        self._share_min = progress.share_min_pct
        self._apply_sort()
        self.endResetModel()

    def town_id(self, row: int) -> int | None:
        return self._rows[row].town_id if 0 <= row < len(self._rows) else None

    def row_of_town(self, town_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.town_id == town_id), -1)

    def _item(self, row: int) -> progress_service.TownProgress | None:
        if 0 <= row < len(self._rows):
            return self._rows[row]
        if row == len(self._rows) and self._totals is not None:
            return self._totals
        return None

    def is_totals(self, row: int) -> bool:
        return self._totals is not None and row == len(self._rows)

    # Qt model ----------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        if parent.isValid():
            return 0
        return len(self._rows) + (1 if self._totals is not None else 0)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.COLUMNS[section][1]
            if role == Qt.ItemDataRole.ToolTipRole and self.COLUMNS[section][0] in self.EDITABLE:
                return "双击或按 F2 修改，回车确认"
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.COLUMNS[index.column()][0] in self.EDITABLE and not self.is_totals(index.row()):
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self._item(index.row())
        if r is None:
            return None
        key = self.COLUMNS[index.column()][0]
        value = getattr(r, key)
        totals = self.is_totals(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "town":
                return value
            if key in ("share_pct", "completion_pct"):
                return fmt_pct(value)
            if isinstance(value, Decimal):
                return units.fmt(value, 2)
            return str(value)
        if role == Qt.ItemDataRole.EditRole:
            return plain(value) if key != "town" else value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if key == "town":
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if key == "share_pct" and r.share_below_min:
                return QBrush(AMBER)
            if totals:
                return QBrush(TOTALS_BACKGROUND)
            return None
        if role == Qt.ItemDataRole.FontRole and totals:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "share_pct" and r.share_below_min:
                return f"连片面积占比低于年度下限 {plain(self._share_min)}%（三(一)）"
            if key == "completion_pct" and totals:
                return "合计完成率按全市年度目标计算"
            if key in self.EDITABLE and not totals:
                return "双击或按 F2 修改，回车确认"
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        key = self.COLUMNS[index.column()][0]
        try:
            parsed = self.parse(key, value)
        except ValidationError:
            return False
        row = self._rows[index.row()]
        if getattr(row, key) == parsed:
            return True
        updated = dataclasses.replace(row, **{key: parsed})
        self._rows[index.row()] = updated
        self._original = [updated if r.town_id == updated.town_id else r for r in self._original]
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        self.target_edited.emit(row.town_id, key, parsed)
        return True

    @staticmethod
    def parse(key: str, value):
        """The service's rule for a target cell (non-negative number; parks a whole number)."""
        if key == "target_area_mu":
            return town_service.parse_target_area(value)
        return town_service.parse_target_parks(value)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply_sort()
        self.layoutChanged.emit()

    def _apply_sort(self) -> None:
        column, order = self._sort
        if not 0 <= column < len(self.COLUMNS):
            self._rows = list(self._original)
            return
        key = self.COLUMNS[column][0]
        # None (no list yet) sorts first ascending; the totals row is outside the sorted rows.
        self._rows = sorted(self._original, key=lambda r: (getattr(r, key) is not None, getattr(r, key) or 0),
                            reverse=order == Qt.SortOrder.DescendingOrder)


class TargetDelegate(QStyledItemDelegate):
    """In-place editing of target cells: a refused value is reported and the editor reopens with it."""

    refused = Signal(QPersistentModelIndex, str, str)  # index, typed text, message

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.pending: dict[tuple[int, int], str] = {}

    def createEditor(self, parent, option, index):
        editor = QLineEdit(parent)
        editor.setAlignment(Qt.AlignmentFlag.AlignRight)
        return editor

    def setEditorData(self, editor, index):
        text = self.pending.pop((index.row(), index.column()), None)
        editor.setText(text if text is not None else str(index.data(Qt.ItemDataRole.EditRole) or ""))

    def setModelData(self, editor, model, index):
        text = editor.text()
        key = ProgressModel.COLUMNS[index.column()][0]
        try:
            ProgressModel.parse(key, text)
        except ValidationError as exc:
            self.refused.emit(QPersistentModelIndex(index), text, exc.message)
            return
        model.setData(index, text, Qt.ItemDataRole.EditRole)


class TownListModel(QAbstractTableModel):
    """The town directory: order, name, liaison, phone, state."""

    COLUMNS = [("order", "序号"), ("name", "镇街"), ("liaison_name", "联络人"), ("liaison_phone", "联系电话"),
               ("active", "状态")]

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[town_service.TownRow] = []

    def set_rows(self, rows: list[town_service.TownRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_of(self, town_id: int | None) -> int:
        return next((i for i, r in enumerate(self.rows) if r.id == town_id), -1)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section][1]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        r = self.rows[index.row()]
        key = self.COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "order":
                return str(index.row() + 1)
            if key == "active":
                return "在用" if r.active else "已停用"
            return getattr(r, key)
        if role == Qt.ItemDataRole.ForegroundRole and not r.active:
            return QBrush(INACTIVE_FOREGROUND)
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "order":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class TownPage(LazyRefresh, QWidget):
    relevant_tables = frozenset(RELEVANT_TABLES)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._stale = True
        self._token = 0
        self._progress: progress_service.YearProgress | None = None
        self._editing_id: int | None = None  # town in the form; None = new town
        self._resetting = False
        self._form_loaded: tuple[str, str, str] = ("", "", "")
        self._build()
        self._restore_layout()
        ctx.data_changed.connect(self._on_data_changed)
        ctx.year_changed.connect(lambda _y: self._refresh_if_visible())

    # Layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.title = QLabel("年度任务分解（附件1）")
        f = self.title.font()
        f.setPointSize(f.pointSize() + 3)
        f.setBold(True)
        self.title.setFont(f)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title)
        title_row.addStretch(1)
        self.export_status = QLabel("")
        self.export_status.setObjectName("export_status")
        title_row.addWidget(self.export_status)
        self.export_button = QPushButton("导出任务分解表…")
        self.export_button.setToolTip("导出附件1任务分解表（含进度）为 Excel，可直接打印（A4 横向）")
        self.export_button.clicked.connect(self._choose_export_file)
        title_row.addWidget(self.export_button)
        outer.addLayout(title_row)
        self.summary = QLabel("")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.summary)
        self.edit_error = QLabel("")
        self.edit_error.setStyleSheet(ERROR_STYLE)
        self.edit_error.setVisible(False)

        self.model = ProgressModel(self)
        self.model.target_edited.connect(self._save_target)
        self.table = QTableView()
        self.table.setObjectName("progress_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().setSortIndicatorClearable(True)
        self.delegate = TargetDelegate(self.table)
        self.delegate.refused.connect(self._target_refused)
        for key in ProgressModel.EDITABLE:
            self.table.setItemDelegateForColumn([k for k, _ in ProgressModel.COLUMNS].index(key), self.delegate)
        header = self.table.horizontalHeader()
        header.setDefaultSectionSize(104)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.setColumnWidth(0, 110)
        row_height = self.table.fontMetrics().height() + 10
        self.table.verticalHeader().setDefaultSectionSize(row_height)

        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.edit_error)
        tl.addWidget(self.table)
        hint = QLabel("目标面积、目标园区可直接在表中修改（双击或 F2，回车确认）；连片占比低于年度下限时以黄色标出。")
        hint.setStyleSheet("color: #707070;")
        tl.addWidget(hint)

        # Directory
        bottom = QGroupBox("镇街名录")
        bl = QHBoxLayout(bottom)
        left = QVBoxLayout()
        buttons = QHBoxLayout()
        self.add_button = QPushButton("新增镇街")
        self.add_button.clicked.connect(lambda: self.start_new_town())
        self.up_button = QPushButton("上移")
        self.up_button.setToolTip("Alt+↑")
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button = QPushButton("下移")
        self.down_button.setToolTip("Alt+↓")
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.active_button = QPushButton("停用")
        self.active_button.clicked.connect(self.toggle_active)
        self.delete_button = QPushButton("删除")
        self.delete_button.setToolTip("Delete；有数据的镇街只能停用")
        self.delete_button.clicked.connect(self.delete_selected)
        for b in (self.add_button, self.up_button, self.down_button, self.active_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(add_export_action(self, lambda: self.town_table, title=lambda: "镇街名录",
                                            settings_key="towns", status=self.export_status))
        left.addLayout(buttons)
        self.town_model = TownListModel(self)
        self.town_table = QTableView()
        self.town_table.setObjectName("town_table")
        self.town_table.setModel(self.town_model)
        self.town_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.town_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.town_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.town_table.verticalHeader().setVisible(False)
        self.town_table.verticalHeader().setDefaultSectionSize(row_height)
        self.town_table.horizontalHeader().setStretchLastSection(True)
        self.town_table.setColumnWidth(0, 50)
        self.town_table.setColumnWidth(1, 120)
        self.town_table.setColumnWidth(3, 130)
        self.town_table.selectionModel().selectionChanged.connect(lambda *_: self._town_selected(self._selected_row()))
        left.addWidget(self.town_table)
        bl.addLayout(left, 3)

        form_box = QGroupBox("镇街信息")
        self.form_box = form_box
        form = QFormLayout(form_box)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("name")
        self.liaison_edit = QLineEdit()
        self.liaison_edit.setObjectName("liaison_name")
        self.phone_edit = QLineEdit()
        self.phone_edit.setObjectName("liaison_phone")
        self.phone_edit.setPlaceholderText("如 0512-12345678 或 13912345678")
        self.form_errors = {name: error_label() for name in ("name", "liaison_name", "liaison_phone")}
        self.form_edits = {"name": self.name_edit, "liaison_name": self.liaison_edit, "liaison_phone": self.phone_edit}
        for name, label in (("name", "镇街名称"), ("liaison_name", "联络员"), ("liaison_phone", "联系电话")):
            edit = self.form_edits[name]
            edit.returnPressed.connect(self.save_town)
            edit.textEdited.connect(lambda _t, n=name: show_at(self.form_errors[n], ""))
            holder = QWidget()
            hl = QVBoxLayout(holder)
            hl.setContentsMargins(0, 0, 0, 0)
            hl.setSpacing(2)
            hl.addWidget(edit)
            hl.addWidget(self.form_errors[name])
            form.addRow(label, holder)
        self.save_town_button = QPushButton("保存镇街信息")
        self.save_town_button.clicked.connect(self.save_town)
        form.addRow("", self.save_town_button)
        bl.addWidget(form_box, 2)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([520, 260])
        outer.addWidget(self.splitter, 1)

        for keys, slot in ((QKeySequence("Alt+Up"), lambda: self.move_selected(-1)),
                           (QKeySequence("Alt+Down"), lambda: self.move_selected(1))):
            sc = QShortcut(keys, self.town_table)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
            sc.activated.connect(slot)
        delete = QShortcut(QKeySequence.StandardKey.Delete, self.town_table)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.delete_selected)
        self.start_new_town(focus=False)

    def _layout_parts(self) -> dict:
        return {
            "towns/progress_header": self.table.horizontalHeader(),
            "towns/list_header": self.town_table.horizontalHeader(),
            "towns/splitter": self.splitter,
        }

    def _restore_layout(self) -> None:
        restore_states(self.ctx.settings, self._layout_parts())

    def save_layout(self) -> None:
        save_states(self.ctx.settings, self._layout_parts())

    # Loading -----------------------------------------------------------------------------
    def refresh(self) -> None:
        self._stale = False
        self._token += 1
        token, db, year = self._token, self.ctx.db, self.ctx.year
        self.ctx.worker.run(lambda: (progress_service.year_progress(db, year), town_service.list_towns(db)),
                            lambda r: self._loaded(token, *r), lambda e: self._load_failed(token, e))

    def _load_failed(self, token: int, exc: BaseException) -> None:
        if token == self._token:
            show_error(self, exc)

    def _loaded(self, token: int, progress: progress_service.YearProgress, towns: list[town_service.TownRow]) -> None:
        if token != self._token:
            return
        if self.table.state() == QAbstractItemView.State.EditingState:
            self._stale = True  # do not pull the table from under an open editor; refresh next time
            QTimer.singleShot(500, self._refresh_if_visible)
            return
        self._progress = progress
        current_town = self.model.town_id(self.table.currentIndex().row())
        current_col = max(self.table.currentIndex().column(), 0)
        self.model.set_progress(progress)
        if current_town is not None and (row := self.model.row_of_town(current_town)) >= 0:
            self.table.setCurrentIndex(self.model.index(row, current_col))
        self.title.setText(f"{progress.year}年度任务分解（附件1）")
        self.summary.setText(self._summary_html(progress))

        selected = self._selected_town()
        keep = selected.id if selected else self._editing_id
        self._resetting = True
        try:
            self.town_model.set_rows(towns)
            row = self.town_model.row_of(keep)
            if row >= 0:
                self.town_table.selectRow(row)
        finally:
            self._resetting = False
        self._update_town_buttons()
        if not self._form_dirty():  # never throw away what the clerk is typing in the form
            if row >= 0:
                self._fill_form(self.town_model.rows[row])
            elif keep is not None:
                self.start_new_town(focus=False)

    @staticmethod
    def _summary_html(p: progress_service.YearProgress) -> str:
        t = p.totals
        parts = [f"全市目标 <b>{units.fmt(p.city_target_mu, 2)}</b> 亩，分解合计 <b>{units.fmt(t.target_area_mu, 2)}</b> 亩"]
        diff = t.target_area_mu - p.city_target_mu
        if diff != 0:
            word = "多" if diff > 0 else "少"
            parts[0] += (f"　<span style='background:#FFD966;'>⚠ 分解合计比全市目标{word} "
                         f"{units.fmt(abs(diff), 2)} 亩，请核对</span>")
        line2 = f"园区启动目标 <b>{p.city_parks_target}</b> 个，分解合计 <b>{t.target_parks}</b> 个，已启动 <b>{t.parks_started}</b> 个"
        if t.target_parks != p.city_parks_target:
            line2 += "　<span style='background:#FFD966;'>⚠ 园区分解合计与全市目标不一致</span>"
        line3 = (f"已核实 <b>{units.fmt(t.verified_mu, 2)}</b> 亩，完成率 <b>{fmt_pct(t.completion_pct)}</b>；"
                 f"连片面积占比下限 {plain(p.share_min_pct)}%")
        return "<br>".join([parts[0], line2, line3])

    # Target editing ----------------------------------------------------------------------
    def _target_refused(self, index: QPersistentModelIndex, text: str, message: str) -> None:
        show_at(self.edit_error, f"{message}（已保留输入，请修改后回车）")
        if not index.isValid():
            return
        self.delegate.pending[(index.row(), index.column())] = text

        def reopen() -> None:
            if index.isValid():
                idx = self.model.index(index.row(), index.column())
                self.table.setCurrentIndex(idx)
                self.table.edit(idx)

        QTimer.singleShot(0, reopen)

    def _save_target(self, town_id: int, key: str, value) -> None:
        show_at(self.edit_error, "")
        db, year = self.ctx.db, self.ctx.year
        kwargs = {key: value}

        def failed(exc: BaseException) -> None:
            if isinstance(exc, UserError):
                show_at(self.edit_error, exc.message)
            else:
                show_error(self, exc)
            self.refresh()

        self.ctx.worker.run(lambda: town_service.set_target(db, town_id, year, **kwargs),
                            lambda _r: self.ctx.changed("town_target"), failed)

    # Directory ---------------------------------------------------------------------------
    def _selected_row(self) -> int:
        rows = self.town_table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _selected_town(self) -> town_service.TownRow | None:
        row = self._selected_row()
        return self.town_model.rows[row] if 0 <= row < len(self.town_model.rows) else None

    def _town_selected(self, row: int) -> None:
        self._update_town_buttons()
        if self._resetting:
            return
        town = self.town_model.rows[row] if 0 <= row < len(self.town_model.rows) else None
        if town is not None:
            self._fill_form(town)

    def _update_town_buttons(self) -> None:
        town = self._selected_town()
        has = town is not None
        for b in (self.up_button, self.down_button, self.active_button, self.delete_button):
            b.setEnabled(has)
        self.active_button.setText("启用" if has and not town.active else "停用")

    def _fill_form(self, town: town_service.TownRow) -> None:
        for err in self.form_errors.values():
            show_at(err, "")
        self._editing_id = town.id
        self.form_box.setTitle(f"镇街信息：{town.name}")
        self.name_edit.setText(town.name)
        self.liaison_edit.setText(town.liaison_name)
        self.phone_edit.setText(town.liaison_phone)
        self._form_loaded = self._form_texts()

    def _form_texts(self) -> tuple[str, str, str]:
        return (self.name_edit.text(), self.liaison_edit.text(), self.phone_edit.text())

    def _form_dirty(self) -> bool:
        return self._form_texts() != self._form_loaded

    def start_new_town(self, focus: bool = True) -> None:
        self.town_table.clearSelection()
        self._editing_id = None
        self.form_box.setTitle("新增镇街")
        for edit in self.form_edits.values():
            edit.clear()
        for err in self.form_errors.values():
            show_at(err, "")
        self._form_loaded = self._form_texts()
        self._update_town_buttons()
        if focus:
            self.name_edit.setFocus()

    def save_town(self) -> None:
        for err in self.form_errors.values():
            show_at(err, "")
        name, liaison, phone = self.name_edit.text(), self.liaison_edit.text(), self.phone_edit.text()
        try:  # the service's own checks, at once and at the field
            town_service.clean_name(name)
            town_service.clean_phone(phone)
        except ValidationError as exc:
            self._town_field_error(exc)
            return
        db, town_id = self.ctx.db, self._editing_id
        if town_id is None:
            fn = lambda: town_service.create_town(db, name, liaison, phone)  # noqa: E731
        else:
            row = self.town_model.rows[self.town_model.row_of(town_id)] if self.town_model.row_of(town_id) >= 0 else None
            rev = row.revision if row else None
            fn = lambda: town_service.update_town(db, town_id, name=name, liaison_name=liaison,  # noqa: E731
                                                  liaison_phone=phone, expected_revision=rev)

        def done(row: town_service.TownRow) -> None:
            self._fill_form(row)
            self.ctx.changed("town")

        self.ctx.worker.run(fn, done, self._town_field_error)

    def _town_field_error(self, exc: BaseException) -> None:
        name = getattr(exc, "field", None)
        if name in self.form_errors:
            show_at(self.form_errors[name], exc.message)
            self.form_edits[name].setFocus()
        else:
            show_error(self, exc)

    def move_selected(self, delta: int) -> None:
        town = self._selected_town()
        if town is None:
            return
        db = self.ctx.db
        self.ctx.worker.run(lambda: town_service.move_town(db, town.id, delta), lambda _r: self.ctx.changed("town"),
                            lambda e: show_error(self, e))

    def toggle_active(self) -> None:
        town = self._selected_town()
        if town is None:
            return
        if town.active and not self._confirm(
                "停用镇街", f"停用“{town.name}”？\n停用后不再出现在任务分解表中，已有数据保留，可随时启用。"):
            return
        db = self.ctx.db
        self.ctx.worker.run(lambda: town_service.set_active(db, town.id, not town.active),
                            lambda _r: self.ctx.changed("town"), lambda e: show_error(self, e))

    def delete_selected(self) -> None:
        town = self._selected_town()
        if town is None:
            return
        db = self.ctx.db
        self.ctx.worker.run(lambda: town_service.usage(db, town.id), lambda u: self._confirm_delete(town, u),
                            lambda e: show_error(self, e))

    def _confirm_delete(self, town: town_service.TownRow, use: town_service.TownUsage) -> None:
        db = self.ctx.db
        if use.has_data:
            if not town.active:
                QMessageBox.information(self, "不能删除", f"“{town.name}”已有数据（{use.describe()}），不能删除；它已停用。")
                return
            if self._confirm("不能删除", f"“{town.name}”已有数据（{use.describe()}），不能删除。\n是否改为停用？"):
                self.ctx.worker.run(lambda: town_service.set_active(db, town.id, False),
                                    lambda _r: self.ctx.changed("town"), lambda e: show_error(self, e))
            return
        if self._confirm("删除镇街", f"确定删除镇街“{town.name}”？"):
            self.ctx.worker.run(lambda: town_service.delete_town(db, town.id), lambda _r: self._deleted(),
                                lambda e: show_error(self, e))

    def _deleted(self) -> None:
        self._editing_id = None
        self.ctx.changed("town")

    # Export (附件1 with progress) --------------------------------------------------------
    def _choose_export_file(self) -> None:

        from desktop.services.towns import progress_export

        target = ask_save_xlsx(self, self.ctx.settings, "towns/export_dir", "导出任务分解表",
                               progress_export.default_filename(self.ctx.year))
        if target is not None:
            self.export_to(target)

    def export_to(self, path) -> None:
        """Write the year's 任务分解表 with progress on the worker."""
        from desktop.services.towns import progress_export

        db, year = self.ctx.db, self.ctx.year
        self.export_button.setEnabled(False)
        self.export_status.setStyleSheet("color: #57606a;")
        self.export_status.setText("正在导出…")

        def done(p) -> None:
            self.export_button.setEnabled(True)
            self.export_status.setStyleSheet("color: #2e7d32;")
            self.export_status.setText(f"已导出：{p}")

        def failed(exc: BaseException) -> None:
            self.export_button.setEnabled(True)
            self.export_status.setText("")
            show_error(self, exc)

        self.ctx.worker.run(lambda: progress_export.export_task_table(db, year, path), done, failed)

    def _confirm(self, title: str, message: str) -> bool:
        return QMessageBox.question(self, title, message) == QMessageBox.StandardButton.Yes
