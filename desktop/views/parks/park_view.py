"""连片整治片区 page: parks with town, area, start date, status and their targets; started vs the year's target."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QDate, QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import ParkStatus
from desktop.services import units
from desktop.services.parks import park_service
from desktop.services.towns import town_service
from desktop.services.errors import ValidationError
from desktop.views.kit.context import AppContext
from desktop.views.kit.form_errors import FieldErrorDialog
from desktop.views.kit.page_state import LazyRefresh, restore_states, save_states
from desktop.views.kit.table_export import add_export_action, describe_filters
from desktop.views.kit.worker import show_error
from desktop.views.year.year_view import error_label, plain, show_at

RELEVANT_TABLES = {"*", "contiguous_area", "target", "town", "year_params", "year"}
EMPTY_DATE = QDate(1900, 1, 1)


def _sort_key(value):
    """None last-ish but comparable with anything of its column."""
    if value is None:
        return (0, "")
    if isinstance(value, ParkStatus):
        return (1, list(ParkStatus).index(value))
    if hasattr(value, "label"):
        return (1, value.label)
    return (1, value)


class _RowsModel(QAbstractTableModel):
    """Read-only rows of dataclasses; `COLUMNS` = (attribute, header); sortable in place."""

    COLUMNS: list[tuple[str, str]] = []
    NUMERIC: set[str] = set()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list = []

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_of(self, row_id: int | None) -> int:
        return next((i for i, r in enumerate(self.rows) if r.id == row_id), -1)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section][1]
        return None

    def display(self, row, key: str) -> str:
        value = getattr(row, key)
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return units.fmt(value, 2)
        if isinstance(value, dt.date):
            return f"{value.year}-{value.month:02d}-{value.day:02d}"
        if hasattr(value, "label"):
            return value.label
        return str(value)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        key = self.COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(self.rows[index.row()], key)
        if role == Qt.ItemDataRole.TextAlignmentRole and key in self.NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.COLUMNS):
            return
        key = self.COLUMNS[column][0]
        self.layoutAboutToBeChanged.emit()
        self.rows.sort(key=lambda r: _sort_key(getattr(r, key)), reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()


class ParkModel(_RowsModel):
    COLUMNS = [
        ("name", "片区名称"),
        ("town", "所属镇街"),
        ("area_mu", "面积（亩）"),
        ("start_date", "启动日期"),
        ("status", "状态"),
        ("target_count", "治理对象（个）"),
        ("target_land_mu", "对象占地（亩）"),
    ]
    NUMERIC = {"area_mu", "target_count", "target_land_mu"}


class ParkTargetModel(_RowsModel):
    COLUMNS = [("name", "名称"), ("category", "治理类别"), ("land_area_mu", "占地面积（亩）"), ("state", "状态")]
    NUMERIC = {"land_area_mu"}


class OptionalDateEdit(QDateEdit):
    """A QDateEdit that can be empty: the minimum date shows as “未定”; the calendar opens on today."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setMinimumDate(EMPTY_DATE)
        self.setSpecialValueText("未定")
        self.setDate(EMPTY_DATE)
        self.calendarWidget().installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.calendarWidget() and event.type() == QEvent.Type.Show and self.date() == EMPTY_DATE:
            today = QDate.currentDate()
            self.calendarWidget().setCurrentPage(today.year(), today.month())
        return super().eventFilter(obj, event)

    def value(self) -> dt.date | None:
        d = self.date()
        return None if d == EMPTY_DATE else dt.date(d.year(), d.month(), d.day())

    def set_value(self, value: dt.date | None) -> None:
        self.setDate(EMPTY_DATE if value is None else QDate(value.year, value.month, value.day))


class ParkDialog(FieldErrorDialog, QDialog):
    """新增/编辑片区. Emits `submitted(values)`; the page saves and calls `accept()` or `show_error(exc)`."""

    submitted = Signal(object)

    def __init__(self, towns: list[tuple[int, str]], values: park_service.ParkValues | None = None,
                 parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("编辑片区" if values else "新增片区")
        self._revision = values.revision if values else None
        self.setMinimumWidth(440)
        form = QFormLayout()
        self.errors = {n: error_label() for n in ("name", "town_id", "area_mu", "start_date", "status", "note")}

        self.name_edit = QLineEdit()
        self.town_combo = QComboBox()
        for tid, name in towns:
            self.town_combo.addItem(name, tid)
        self.town_combo.setCurrentIndex(-1)
        self.area_edit = QLineEdit()
        self.area_edit.setPlaceholderText("如 320 或 12.5亩")
        self.unit_combo = QComboBox()
        self.unit_combo.addItems(["亩", "㎡"])
        area_row = QHBoxLayout()
        area_row.setContentsMargins(0, 0, 0, 0)
        area_row.addWidget(self.area_edit, 1)
        area_row.addWidget(self.unit_combo)
        area_w = QWidget()
        area_w.setLayout(area_row)
        self.date_edit = OptionalDateEdit()
        clear = QToolButton()
        clear.setText("清空")
        clear.clicked.connect(lambda: self.date_edit.set_value(None))
        date_row = QHBoxLayout()
        date_row.setContentsMargins(0, 0, 0, 0)
        date_row.addWidget(self.date_edit, 1)
        date_row.addWidget(clear)
        date_w = QWidget()
        date_w.setLayout(date_row)
        self.status_combo = QComboBox()
        for st in ParkStatus:
            self.status_combo.addItem(st.label, st)
        self.note_edit = QLineEdit()
        self.focus_of = {"name": self.name_edit, "town_id": self.town_combo, "area_mu": self.area_edit,
                         "start_date": self.date_edit, "status": self.status_combo, "note": self.note_edit}
        for key, label, widget in (("name", "片区名称", self.name_edit), ("town_id", "所属镇街", self.town_combo),
                                   ("area_mu", "面积", area_w), ("start_date", "启动日期", date_w),
                                   ("status", "状态", self.status_combo), ("note", "备注", self.note_edit)):
            holder = QWidget()
            hl = QVBoxLayout(holder)
            hl.setContentsMargins(0, 0, 0, 0)
            hl.setSpacing(2)
            hl.addWidget(widget)
            hl.addWidget(self.errors[key])
            form.addRow(label, holder)
        self.name_edit.textEdited.connect(lambda: show_at(self.errors["name"], ""))
        self.area_edit.textEdited.connect(lambda: show_at(self.errors["area_mu"], ""))
        self.date_edit.dateChanged.connect(lambda: show_at(self.errors["start_date"], ""))
        self.status_combo.currentIndexChanged.connect(lambda: show_at(self.errors["start_date"], ""))
        self.town_combo.currentIndexChanged.connect(lambda: show_at(self.errors["town_id"], ""))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

        if values:
            self.name_edit.setText(values.name)
            self.town_combo.setCurrentIndex(self.town_combo.findData(values.town_id))
            self.area_edit.setText(plain(values.area_mu))
            self.date_edit.set_value(values.start_date)
            self.status_combo.setCurrentIndex(self.status_combo.findData(values.status))
            self.note_edit.setText(values.note)

    def values(self) -> park_service.ParkValues:
        """The typed values (area converted to 亩); ValidationError names the field."""
        area = units.parse_area(self.area_edit.text(), unit=self.unit_combo.currentText(), field="area_mu",
                                label="片区面积")
        return park_service.ParkValues(
            name=self.name_edit.text(), town_id=self.town_combo.currentData(), area_mu=area,
            start_date=self.date_edit.value(), status=self.status_combo.currentData(),
            note=self.note_edit.text(), revision=self._revision)

    def submit(self) -> None:
        for err in self.errors.values():
            show_at(err, "")
        try:
            values = park_service.clean(self.values())
        except ValidationError as exc:
            self.show_error(exc)
            return
        self.ok_button.setEnabled(False)
        self.submitted.emit(values)


class ParkPage(LazyRefresh, QWidget):
    relevant_tables = frozenset(RELEVANT_TABLES)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._stale = True
        self._token = 0
        self._towns: list[tuple[int, str]] = []  # active towns, for the dialog
        self.dialog: ParkDialog | None = None
        self._build()
        self._restore_layout()
        ctx.data_changed.connect(self._on_data_changed)
        ctx.year_changed.connect(lambda _y: self._refresh_if_visible())

    # Layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.header = QLabel("连片整治片区")
        f = self.header.font()
        f.setPointSize(f.pointSize() + 3)
        f.setBold(True)
        self.header.setFont(f)
        outer.addWidget(self.header)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("镇街："))
        self.town_filter = QComboBox()
        self.town_filter.setMinimumWidth(120)
        self.town_filter.addItem("全部镇街", None)
        bar.addWidget(self.town_filter)
        bar.addWidget(QLabel("状态："))
        self.status_filter = QComboBox()
        self.status_filter.addItem("全部状态", None)
        for st in ParkStatus:
            self.status_filter.addItem(st.label, st)
        bar.addWidget(self.status_filter)
        self.search = QLineEdit()
        self.search.setPlaceholderText("按名称筛选（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(220)
        bar.addWidget(self.search)
        bar.addStretch(1)
        self.add_button = QPushButton("新增片区")
        self.add_button.setToolTip("Ctrl+N")
        self.add_button.clicked.connect(self.add_park)
        self.edit_button = QPushButton("编辑")
        self.edit_button.setToolTip("回车或双击")
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button = QPushButton("删除")
        self.delete_button.setToolTip("Delete")
        self.delete_button.clicked.connect(self.delete_selected)
        for b in (self.add_button, self.edit_button, self.delete_button):
            bar.addWidget(b)
        bar.addWidget(add_export_action(
            self, lambda: self.table, title=lambda: "连片整治片区", settings_key="parks",
            subtitle=lambda: describe_filters(("镇街", self.town_filter), ("状态", self.status_filter),
                                              ("名称", self.search))))
        outer.addLayout(bar)
        self.town_filter.currentIndexChanged.connect(lambda: self.refresh())
        self.status_filter.currentIndexChanged.connect(lambda: self.refresh())
        self.search.textChanged.connect(lambda: self.refresh())

        self.model = ParkModel(self)
        self.table = QTableView()
        self.table.setObjectName("park_table")
        self.table.setModel(self.model)
        self._setup_table(self.table)
        self.table.setColumnWidth(0, 220)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._park_selected())

        self.target_model = ParkTargetModel(self)
        self.target_table = QTableView()
        self.target_table.setObjectName("park_target_table")
        self.target_table.setModel(self.target_model)
        self._setup_table(self.target_table)
        self.target_table.setColumnWidth(0, 260)
        self.targets_box = QGroupBox("片区内治理对象")
        tl = QVBoxLayout(self.targets_box)
        tl.addWidget(self.target_table)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.targets_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        outer.addWidget(self.splitter, 1)

        for seq, slot, widget, ctx in (
            (QKeySequence.StandardKey.Find, self._focus_search, self, Qt.ShortcutContext.WidgetWithChildrenShortcut),
            (QKeySequence.StandardKey.New, self.add_park, self, Qt.ShortcutContext.WidgetWithChildrenShortcut),
            (QKeySequence.StandardKey.Delete, self.delete_selected, self.table, Qt.ShortcutContext.WidgetShortcut),
            (QKeySequence(Qt.Key.Key_Return), self.edit_selected, self.table, Qt.ShortcutContext.WidgetShortcut),
            (QKeySequence(Qt.Key.Key_Enter), self.edit_selected, self.table, Qt.ShortcutContext.WidgetShortcut),
        ):
            sc = QShortcut(seq, widget)
            sc.setContext(ctx)
            sc.activated.connect(slot)
        self._park_selected()

    @staticmethod
    def _setup_table(table: QTableView) -> None:
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        table.setAlternatingRowColors(True)
        table.setSortingEnabled(True)
        table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        table.horizontalHeader().setSortIndicatorClearable(True)
        table.horizontalHeader().setStretchLastSection(True)
        table.horizontalHeader().setDefaultSectionSize(110)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _layout_parts(self) -> dict:
        return {
            "parks/header": self.table.horizontalHeader(),
            "parks/target_header": self.target_table.horizontalHeader(),
            "parks/splitter": self.splitter,
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
        town_id, status, text = self.town_filter.currentData(), self.status_filter.currentData(), self.search.text()

        def fetch():
            return (park_service.list_parks(db, town_id=town_id, status=status, text=text),
                    park_service.started_summary(db, year), town_service.list_towns(db))

        self.ctx.worker.run(fetch, lambda r: self._loaded(token, *r), lambda e: self._failed(token, e))

    def _failed(self, token: int, exc: BaseException) -> None:
        if token == self._token:
            show_error(self, exc)

    def _loaded(self, token: int, parks, summary: park_service.StartedSummary, towns) -> None:
        if token != self._token:
            return
        mark = "" if summary.started >= summary.target else "　（未达目标）"
        self.header.setText(f"连片整治片区　　本年度已启动 {summary.started} 个 / 目标 {summary.target} 个{mark}")
        self.header.setToolTip(f"{summary.year}年度内有启动日期、状态为已启动或已完成的片区（一、总体目标）")
        self._towns = [(t.id, t.name) for t in towns if t.active]
        self._sync_town_filter(towns)
        selected = self._selected()
        header = self.table.horizontalHeader()
        self.model.set_rows(parks)
        if header.sortIndicatorSection() >= 0:
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        row = self.model.row_of(selected.id if selected else None)
        if row >= 0:
            self.table.selectRow(row)
        self._park_selected()

    def _sync_town_filter(self, towns: list[town_service.TownRow]) -> None:
        wanted = [(t.id, t.name if t.active else f"{t.name}（已停用）") for t in towns]
        have = [(self.town_filter.itemData(i), self.town_filter.itemText(i)) for i in range(1, self.town_filter.count())]
        if wanted == have:
            return
        current = self.town_filter.currentData()
        self.town_filter.blockSignals(True)
        while self.town_filter.count() > 1:
            self.town_filter.removeItem(1)
        for tid, name in wanted:
            self.town_filter.addItem(name, tid)
        idx = self.town_filter.findData(current)
        self.town_filter.setCurrentIndex(max(idx, 0))
        self.town_filter.blockSignals(False)

    # Selection ---------------------------------------------------------------------------
    def _selected(self) -> park_service.ParkRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        r = rows[0].row()
        return self.model.rows[r] if 0 <= r < len(self.model.rows) else None

    def _park_selected(self) -> None:
        park = self._selected()
        self.edit_button.setEnabled(park is not None)
        self.delete_button.setEnabled(park is not None)
        if park is None:
            self.targets_box.setTitle("片区内治理对象（请选择片区）")
            self.target_model.set_rows([])
            return
        self.targets_box.setTitle(f"“{park.name}”内的治理对象（{park.target_count} 个，占地 {units.fmt(park.target_land_mu, 2)} 亩）")
        db, park_id = self.ctx.db, park.id

        def show(rows) -> None:
            current = self._selected()
            if current is not None and current.id == park_id:
                self.target_model.set_rows(rows)

        self.ctx.worker.run(lambda: park_service.targets_of(db, park_id), show, lambda e: show_error(self, e))

    # Add / edit / delete -----------------------------------------------------------------
    def add_park(self) -> None:
        self._open_dialog(None)

    def edit_selected(self) -> None:
        park = self._selected()
        if park is not None:
            self._open_dialog(park)

    def _open_dialog(self, park: park_service.ParkRow | None) -> None:
        dialog = ParkDialog(self._towns, park_service.values_of(park) if park else None, self)
        if park is None and self.town_filter.currentData() is not None:
            idx = dialog.town_combo.findData(self.town_filter.currentData())
            dialog.town_combo.setCurrentIndex(idx)
        db = self.ctx.db
        park_id = park.id if park else None

        def save(values: park_service.ParkValues) -> None:
            if park_id is None:
                fn = lambda: park_service.create(db, values)  # noqa: E731
            else:
                fn = lambda: park_service.update(db, park_id, values)  # noqa: E731
            self.ctx.worker.run(fn, lambda _r: self._saved(dialog), dialog.show_error)

        dialog.submitted.connect(save)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def _saved(self, dialog: ParkDialog) -> None:
        dialog.accept()
        self.ctx.changed("contiguous_area")

    def delete_selected(self) -> None:
        park = self._selected()
        if park is None:
            return
        db = self.ctx.db
        self.ctx.worker.run(lambda: park_service.delete_impact(db, park.id), lambda i: self._confirm_delete(park, i),
                            lambda e: show_error(self, e))

    def _confirm_delete(self, park: park_service.ParkRow, impact: park_service.DeleteImpact) -> None:
        if impact.entry_count:
            QMessageBox.information(self, "不能删除", f"片区“{impact.name}”已有 {impact.entry_count} 条治理清单记录计入连片面积，不能删除。")
            return
        text = f"确定删除片区“{impact.name}”？"
        if impact.target_names:
            shown = "、".join(impact.target_names[:8]) + ("等" if len(impact.target_names) > 8 else "")
            text += f"\n\n其中 {len(impact.target_names)} 个治理对象（{shown}）将改为“不属于任何片区”，对象本身保留。"
        if QMessageBox.question(self, "删除片区", text) != QMessageBox.StandardButton.Yes:
            return
        db = self.ctx.db
        self.ctx.worker.run(lambda: park_service.delete(db, park.id), lambda _n: self._deleted(),
                            lambda e: show_error(self, e))

    def _deleted(self) -> None:
        self.ctx.changed("contiguous_area")
        self.ctx.changed("target")
