"""成员单位 page (附件2): the member units in their order with 分管领导, 联系人, 电话 and 状态; add, edit, deactivate,
move up or down, delete one entered by mistake; each unit's electronic seal (PNG) shown as a thumbnail.

Every account that reads the ledger sees the list; the buttons follow the `units` permission (系统管理员).
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.exams import department_service
from desktop.services.exams.department_service import DepartmentRow
from desktop.views.kit.context import AppContext
from desktop.views.kit.forms import FormDialog
from desktop.views.kit.ops import query, write
from desktop.views.kit.page_state import LazyRefresh
from desktop.views.kit.rows import MUTED, RowsModel
from desktop.views.kit.table import ActionBar, Layout, needs_one, reload_rows, select_id, selected_rows, \
    setup_table, shortcut, title_label
from desktop.views.kit.table_export import add_export_action

RELEVANT_TABLES = frozenset({"department", "attachment"})
THUMB = 120  # px: the seal thumbnail's side


class UnitModel(RowsModel):
    COLUMNS = [("sort_order", "序号"), ("name", "单位名称"), ("short_name", "简称"), ("leader", "分管领导"),
               ("contact", "联系人"), ("phone", "电话"), ("has_seal", "电子印章"), ("active", "状态")]
    NUMERIC = {"sort_order"}

    def display(self, row: DepartmentRow, key: str) -> str:
        if key == "has_seal":
            return "已设置" if row.has_seal else "手工盖章"
        if key == "active":
            return "启用" if row.active else "停用"
        return super().display(row, key)

    def foreground(self, row: DepartmentRow, key: str):
        return None if row.active else MUTED


FIELDS = (("name", "单位名称"), ("short_name", "简称"), ("leader", "分管领导"), ("contact", "联系人"), ("phone", "电话"))


class UnitDialog(FormDialog):
    """新增/编辑成员单位. Emits `submitted(values)` (a dict of the fields); the page saves and calls `accept()`, or
    `show_error(exc)` when the service refuses a field."""

    def __init__(self, unit: DepartmentRow | None = None, parent=None) -> None:
        super().__init__("编辑成员单位" if unit else "新增成员单位", parent)
        self.edits = {key: self.add(key, label, QLineEdit()) for key, label in FIELDS}
        self.edits["leader"].setPlaceholderText("如 张三（副市长）")
        self.edits["phone"].setPlaceholderText("如 0571-88888888")
        if unit:
            for key, edit in self.edits.items():
                edit.setText(getattr(unit, key))

    def values(self) -> dict[str, str]:
        return {key: edit.text() for key, edit in self.edits.items()}


def _active_rule(active: bool):
    def rule(rows: list[DepartmentRow]) -> str | None:
        if len(rows) != 1:
            return "请先选择一行"
        return None if rows[0].active == active else ("该单位已启用" if active else "该单位已停用")
    return rule


class UnitsPage(LazyRefresh, QWidget):
    relevant_tables = RELEVANT_TABLES

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.dialog: UnitDialog | None = None
        self._build()
        ctx.data_changed.connect(self._on_data_changed)

    # Layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.addWidget(title_label("成员单位（联席会议成员单位，附件2）"))
        self.model = UnitModel(self)
        self.table = setup_table(QTableView(), sortable=False)
        self.table.setObjectName("unit_table")
        self.table.setModel(self.model)
        for column, width in ((0, 50), (1, 160), (2, 80), (3, 130), (4, 100), (5, 150), (6, 80), (7, 60)):
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._unit_selected())

        bar = QHBoxLayout()
        self.actions = ActionBar(self.table, self)
        add = self.actions.add
        self.add_button = add("新增单位", self.add_unit, keys=QKeySequence.StandardKey.New, needs="units")
        self.edit_button = add("编辑", self.edit_selected, when=needs_one, tip="回车或双击", needs="units")
        self.up_button = add("上移", lambda: self.move_selected(-1), when=needs_one, needs="units")
        self.down_button = add("下移", lambda: self.move_selected(+1), when=needs_one, needs="units")
        self.deactivate_button = add("停用", lambda: self.set_selected_active(False), when=_active_rule(True),
                                     needs="units", tip="停用的单位保留其记录，不再供新的体检选用")
        self.activate_button = add("启用", lambda: self.set_selected_active(True), when=_active_rule(False),
                                   needs="units")
        self.delete_button = add("删除", self.delete_selected, when=needs_one, keys=QKeySequence.StandardKey.Delete,
                                 local_keys=True, needs="units", tip="只能删除误录、未被任何记录使用的单位")
        for b in self.actions.actions:
            bar.addWidget(b.button)
        bar.addStretch(1)
        bar.addWidget(add_export_action(self, lambda: self.table, title=lambda: "成员单位", settings_key="units"))
        outer.addLayout(bar)

        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addWidget(self._seal_box())
        outer.addLayout(body, 1)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut(self.table, key, self.edit_selected, local=True)
        self.layout_state = Layout(self.ctx.settings, "units", {"header": self.table.horizontalHeader()})

    def _seal_box(self) -> QGroupBox:
        box = QGroupBox("电子印章")
        box.setFixedWidth(200)
        col = QVBoxLayout(box)
        self.seal_label = QLabel()
        self.seal_label.setFixedSize(THUMB + 20, THUMB + 20)
        self.seal_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.seal_label.setStyleSheet("border: 1px dashed #b0b7c0; background: white;")
        self.seal_note = QLabel()
        self.seal_note.setWordWrap(True)
        seal_bar = ActionBar(self.table, self)
        self.seal_set_button = seal_bar.add("设置印章…", self.choose_seal, when=needs_one, needs="units",
                                            tip="选择透明底色的 PNG 印章图片，打印体检问题清单时盖在落款处")
        self.seal_clear_button = seal_bar.add("清除印章", self.clear_seal, when=self._has_seal, needs="units")
        self.seal_actions = seal_bar
        for w in (self.seal_label, self.seal_note, self.seal_set_button, self.seal_clear_button):
            col.addWidget(w)
        col.addStretch(1)
        return box

    def save_layout(self) -> None:
        self.layout_state.save()

    # Loading -----------------------------------------------------------------------------
    def refresh(self) -> None:
        self._stale = False
        query(self, "units", department_service.list_departments, done=self._loaded)

    def _loaded(self, rows: list[DepartmentRow]) -> None:
        reload_rows(self.table, rows)
        self._unit_selected()

    def _selected(self) -> DepartmentRow | None:
        rows = selected_rows(self.table)
        return rows[0] if len(rows) == 1 else None

    @staticmethod
    def _has_seal(rows: list[DepartmentRow]) -> str | None:
        if len(rows) != 1:
            return "请先选择一行"
        return None if rows[0].has_seal else "该单位未设置电子印章"

    def _unit_selected(self) -> None:
        self.seal_actions.update()
        unit = self._selected()
        self.seal_label.clear()
        if unit is None:
            self.seal_note.setText("选择一个单位，查看或设置其电子印章。")
            return
        if not unit.has_seal:
            self.seal_label.setText("（无）")
            self.seal_note.setText(f"“{unit.name}”未设置电子印章：打印的体检问题清单留出盖章位置，手工盖章。")
            return
        self.seal_note.setText(f"“{unit.name}”的电子印章，打印时盖在落款处。")
        query(self, "seal", department_service.seal_image, unit.id, done=self._show_seal)

    def _show_seal(self, png: bytes | None) -> None:
        pixmap = QPixmap()
        if png is None or not pixmap.loadFromData(QByteArray(png), "PNG"):
            self.seal_label.setText("（图片无法显示）")
            return
        self.seal_label.setPixmap(pixmap.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                                Qt.TransformationMode.SmoothTransformation))

    # Changes ------------------------------------------------------------------------------
    def add_unit(self) -> None:
        self._open_dialog(None)

    def edit_selected(self) -> None:
        unit = self._selected()
        if unit is not None and self.edit_button.isEnabled():
            self._open_dialog(unit)

    def _open_dialog(self, unit: DepartmentRow | None) -> None:
        dialog = UnitDialog(unit, self)

        def save(values: dict[str, str]) -> None:
            if unit is None:
                name = values.pop("name")
                write(dialog, department_service.add_department, name, **values,
                      failed=dialog.show_error, done=lambda new_id: (dialog.accept(), self._select_later(new_id)))
            else:
                write(dialog, department_service.update_department, unit.id, **values,
                      expected_revision=unit.revision, failed=dialog.show_error, done=lambda _r: dialog.accept())

        dialog.submitted.connect(save)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def _select_later(self, unit_id: int) -> None:
        query(self, "units", department_service.list_departments,
              done=lambda rows: (self._loaded(rows), select_id(self.table, unit_id)))

    def move_selected(self, step: int) -> None:
        unit = self._selected()
        if unit is not None:
            write(self, department_service.move, unit.id, step, done=lambda _r: self._select_later(unit.id))

    def set_selected_active(self, active: bool) -> None:
        unit = self._selected()
        if unit is not None:
            write(self, department_service.set_active, unit.id, active)

    def delete_selected(self) -> None:
        unit = self._selected()
        if unit is not None and QMessageBox.question(self, "删除成员单位", f"确定删除“{unit.name}”？") \
                == QMessageBox.StandardButton.Yes:
            write(self, department_service.delete_department, unit.id)

    def choose_seal(self) -> None:
        unit = self._selected()
        if unit is None:
            return
        folder = self.ctx.settings.value("units/seal_dir", "")
        path, _f = QFileDialog.getOpenFileName(self, f"选择“{unit.name}”的电子印章", str(folder), "PNG 图片 (*.png)")
        if path:
            self.ctx.settings.setValue("units/seal_dir", path.rsplit("/", 1)[0])
            self.set_seal(unit.id, path)

    def set_seal(self, unit_id: int, path: str) -> None:
        write(self, department_service.set_seal, unit_id, path)

    def clear_seal(self) -> None:
        unit = self._selected()
        if unit is not None and QMessageBox.question(
                self, "清除电子印章", f"清除“{unit.name}”的电子印章？之后打印的体检问题清单需手工盖章。") \
                == QMessageBox.StandardButton.Yes:
            write(self, department_service.set_seal, unit.id, None)
