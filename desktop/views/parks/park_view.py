"""连片整治片区 page: parks with town, area, start date, status and their targets; started vs the year's target."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import ParkStatus
from desktop.services import units
from desktop.services.parks import park_service
from desktop.services.towns import town_service
from desktop.views.kit.context import AppContext
from desktop.views.kit.date_field import DateField
from desktop.views.kit.forms import FormDialog, plain
from desktop.views.kit.ops import query, write
from desktop.views.kit.page_state import LazyRefresh
from desktop.views.kit.rows import RowsModel
from desktop.views.kit.table import ActionBar, Layout, needs_one, resort, select_id, selected_rows, setup_table, \
    shortcut, title_label
from desktop.views.kit.table_export import add_export_action, describe_filters
from desktop.views.kit.town_filter import sync_town_filter
from desktop.views.kit.undo import Step, UndoKit

RELEVANT_TABLES = {"contiguous_area", "target", "town", "year_params", "year"}


class ParkModel(RowsModel):
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


class ParkTargetModel(RowsModel):
    COLUMNS = [("name", "名称"), ("category", "治理类别"), ("land_area_mu", "占地面积（亩）"), ("state", "状态")]
    NUMERIC = {"land_area_mu"}


class ParkDialog(FormDialog):
    """新增/编辑片区. Emits `submitted(values)`; the page saves and calls `accept()` or `show_error(exc)`."""

    def __init__(self, towns: list[tuple[int, str]], values: park_service.ParkValues | None = None,
                 parent=None, *, year: int | None = None) -> None:
        super().__init__("编辑片区" if values else "新增片区", parent)
        self._revision = values.revision if values else None
        self.name_edit = self.add("name", "片区名称", QLineEdit())
        self.town_combo = self.add("town_id", "所属镇街", QComboBox())
        for tid, name in towns:
            self.town_combo.addItem(name, tid)
        self.town_combo.setCurrentIndex(-1)
        self.area_edit = QLineEdit()
        self.area_edit.setPlaceholderText("如 320 或 12.5亩")
        self.unit_combo = QComboBox()
        self.unit_combo.addItems(["亩", "㎡"])
        area_w = QWidget()
        area_row = QHBoxLayout(area_w)
        area_row.setContentsMargins(0, 0, 0, 0)
        area_row.addWidget(self.area_edit, 1)
        area_row.addWidget(self.unit_combo)
        self.add("area_mu", "面积", self.area_edit, shown=area_w)
        self.date_edit = self.add("start_date", "启动日期", DateField(label="启动日期", field="start_date", year=year))
        self.status_combo = self.add("status", "状态", QComboBox())
        for st in ParkStatus:
            self.status_combo.addItem(st.label, st)
        self.status_combo.currentIndexChanged.connect(lambda: self.date_edit.show_error(""))
        self.note_edit = self.add("note", "备注", QLineEdit())
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

    def clean(self, values: park_service.ParkValues) -> park_service.ParkValues:
        return park_service.clean(values)


class ParkPage(LazyRefresh, QWidget):
    relevant_tables = frozenset(RELEVANT_TABLES)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._towns: list[tuple[int, str]] = []  # active towns, for the dialog
        self.dialog: ParkDialog | None = None
        self._build()
        ctx.data_changed.connect(self._on_data_changed)
        ctx.year_changed.connect(lambda _y: self._refresh_if_visible())

    # Layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.header = title_label("连片整治片区")
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

        self.model = ParkModel(self)
        self.table = setup_table(QTableView())
        self.table.setObjectName("park_table")
        self.table.setModel(self.model)
        self.table.setColumnWidth(0, 220)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._park_selected())
        self.actions = ActionBar(self.table, self)
        self.add_button = self.actions.add("新增片区", self.add_park, keys=QKeySequence.StandardKey.New)
        self.edit_button = self.actions.add("编辑", self.edit_selected, when=needs_one, tip="回车或双击")
        self.delete_button = self.actions.add("删除", self.delete_selected, when=needs_one,
                                              keys=QKeySequence.StandardKey.Delete, local_keys=True)
        self.undo = UndoKit(self)
        for b in (self.add_button, self.edit_button, self.delete_button, self.undo.undo_button, self.undo.redo_button):
            bar.addWidget(b)
        bar.addWidget(add_export_action(
            self, lambda: self.table, title=lambda: "连片整治片区", settings_key="parks",
            subtitle=lambda: describe_filters(("镇街", self.town_filter), ("状态", self.status_filter),
                                              ("名称", self.search))))
        outer.addLayout(bar)
        self.town_filter.currentIndexChanged.connect(lambda: self.refresh())
        self.status_filter.currentIndexChanged.connect(lambda: self.refresh())
        self.search.textChanged.connect(lambda: self.refresh())

        self.target_model = ParkTargetModel(self)
        self.target_table = setup_table(QTableView())
        self.target_table.setObjectName("park_target_table")
        self.target_table.setModel(self.target_model)
        self.target_table.setColumnWidth(0, 260)
        self.targets_box = QGroupBox("片区内治理对象")
        QVBoxLayout(self.targets_box).addWidget(self.target_table)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.targets_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        outer.addWidget(self.splitter, 1)

        shortcut(self, QKeySequence.StandardKey.Find, self._focus_search)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut(self.table, key, self.edit_selected, local=True)
        self.layout_state = Layout(self.ctx.settings, "parks", {
            "header": self.table.horizontalHeader(), "target_header": self.target_table.horizontalHeader(),
            "splitter": self.splitter})
        self._park_selected()

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def save_layout(self) -> None:
        self.layout_state.save()

    # Loading -----------------------------------------------------------------------------
    def refresh(self) -> None:
        self._stale = False
        query(self, "parks", _page_data, self.ctx.year, town_id=self.town_filter.currentData(),
              status=self.status_filter.currentData(), text=self.search.text(), done=self._loaded)

    def _loaded(self, result) -> None:
        parks, summary, towns = result
        mark = "" if summary.started >= summary.target else "　（未达目标）"
        self.header.setText(f"连片整治片区　　本年度已启动 {summary.started} 个 / 目标 {summary.target} 个{mark}")
        self.header.setToolTip(f"{summary.year}年度内有启动日期、状态为已启动或已完成的片区（一、总体目标）")
        self._towns = [(t.id, t.name) for t in towns if t.active]
        sync_town_filter(self.town_filter, towns)
        selected = self._selected()
        self.model.set_rows(parks)
        resort(self.table)
        select_id(self.table, selected.id if selected else None)
        self._park_selected()

    # Selection ---------------------------------------------------------------------------
    def _selected(self) -> park_service.ParkRow | None:
        rows = selected_rows(self.table)
        return rows[0] if rows else None

    def _park_selected(self) -> None:
        park = self._selected()
        if park is None:
            self.targets_box.setTitle("片区内治理对象（请选择片区）")
            self.target_model.set_rows([])
            return
        self.targets_box.setTitle(f"“{park.name}”内的治理对象（{park.target_count} 个，占地 {units.fmt(park.target_land_mu, 2)} 亩）")
        query(self, "targets", park_service.targets_of, park.id, done=self.target_model.set_rows)

    # Add / edit / delete -----------------------------------------------------------------
    def add_park(self) -> None:
        self._open_dialog(None)

    def edit_selected(self) -> None:
        park = self._selected()
        if park is not None:
            self._open_dialog(park)

    def _open_dialog(self, park: park_service.ParkRow | None) -> None:
        dialog = ParkDialog(self._towns, park_service.values_of(park) if park else None, self, year=self.ctx.year)
        if park is None and self.town_filter.currentData() is not None:
            dialog.town_combo.setCurrentIndex(dialog.town_combo.findData(self.town_filter.currentData()))
        before = park_service.values_of(park) if park else None

        def save(values: park_service.ParkValues) -> None:
            if park is None:
                write(dialog, park_service.create, values, failed=dialog.show_error,
                      done=lambda new_id: (dialog.accept(), self._created(new_id, values)))
            else:
                write(dialog, park_service.update, park.id, values, failed=dialog.show_error,
                      done=lambda _r: (dialog.accept(), self._edited(park.id, before, values)))

        dialog.submitted.connect(save)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def _created(self, park_id: int, values: park_service.ParkValues) -> None:
        ref = self.undo.ref(park_id)
        self.undo.push(f"新增“{values.name.strip()}”", undo=Step(park_service.delete, ref),
                       redo=Step(park_service.create, values, sets=ref))

    def _edited(self, park_id: int, before: park_service.ParkValues, after: park_service.ParkValues) -> None:
        # Undo restores the clerk's own last slip: no revision check against the edit just made.
        ref = self.undo.ref(park_id)
        self.undo.push(f"修改“{after.name.strip()}”",
                       undo=Step(park_service.update, ref, dataclasses.replace(before, revision=None)),
                       redo=Step(park_service.update, ref, dataclasses.replace(after, revision=None)))

    def delete_selected(self) -> None:
        park = self._selected()
        if park is not None:
            query(self, None, park_service.delete_impact, park.id, done=lambda i: self._confirm_delete(park, i))

    def _confirm_delete(self, park: park_service.ParkRow, impact: park_service.DeleteImpact) -> None:
        if impact.entry_count:
            QMessageBox.information(self, "不能删除", f"片区“{impact.name}”已有 {impact.entry_count} 条治理清单记录计入连片面积，不能删除。")
            return
        text = f"确定删除片区“{impact.name}”？"
        if impact.target_names:
            shown = "、".join(impact.target_names[:8]) + ("等" if len(impact.target_names) > 8 else "")
            text += f"\n\n其中 {len(impact.target_names)} 个治理对象（{shown}）将改为“不属于任何片区”，对象本身保留。"
        if QMessageBox.question(self, "删除片区", text) == QMessageBox.StandardButton.Yes:
            write(self, park_service.delete, park.id)


def _page_data(ledger, year: int, *, town_id, status, text):
    """What the page shows, read in one lane job: the parks, the year's started count, the towns."""
    return (park_service.list_parks(ledger, town_id=town_id, status=status, text=text),
            park_service.started_summary(ledger, year), town_service.list_towns(ledger))
