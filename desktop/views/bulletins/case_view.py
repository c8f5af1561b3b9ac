"""典型案例 tab of the 通报 page (四(一)): the cases, add / edit / delete with undo, photos through the
attachment panel, and the link to the 通报 that carried a case."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QMessageBox, QPlainTextEdit, QTableView, QVBoxLayout, \
    QWidget

from desktop.models.enums import CaseKind
from desktop.services.bulletins import cases
from desktop.services.bulletins.cases import CaseRow, CaseValues
from desktop.views.kit.attachment_widget import AttachmentPanel
from desktop.views.kit.context import AppContext
from desktop.views.kit.date_field import DateField
from desktop.views.kit.forms import FormDialog
from desktop.views.kit.layouts import search_box
from desktop.views.kit.ops import query, write
from desktop.views.kit.page_state import LazyRefresh
from desktop.views.kit.rows import RowsModel
from desktop.views.kit.table import ActionBar, Layout, needs_one, resort, select_id, selected_rows, setup_table, \
    shortcut
from desktop.views.kit.undo import Step, UndoKit
from desktop.views.kit.widgets import splitter

NO_LINK = "（不关联）"


class CaseModel(RowsModel):
    COLUMNS = [("title", "标题"), ("kind", "类型"), ("target", "企业（治理对象）"), ("medium", "媒体"),
               ("published_on", "日期"), ("bulletin", "所载通报"), ("photos", "照片")]
    NUMERIC = {"photos"}

    def foreground(self, r: CaseRow, key: str):
        from PySide6.QtGui import QColor

        return QColor("#c62828") if key == "kind" and r.kind is CaseKind.EXPOSURE else None


class CaseDialog(FormDialog):
    """新增/编辑典型案例. Emits `submitted(values)`."""

    def __init__(self, targets: list[tuple[int, str]], bulletins: list[tuple[int, str]],
                 values: CaseValues | None = None, parent=None) -> None:
        super().__init__("编辑典型案例" if values else "新增典型案例", parent, width=560)
        self._revision = values.revision if values else None
        self.title_edit = self.add("title", "标题", QLineEdit())
        self.kind_combo = self.add("kind", "类型", QComboBox())
        for k in CaseKind:
            self.kind_combo.addItem(k.label, k)
        self.kind_combo.setCurrentIndex(-1)
        self.target_combo = self.add("target_id", "企业（治理对象）", QComboBox())
        self.target_combo.setEditable(True)
        self.target_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.target_combo.addItem(NO_LINK, None)
        for tid, name in targets:
            self.target_combo.addItem(name, tid)
        self.medium_edit = self.add("medium", "媒体", QLineEdit())
        self.medium_edit.setPlaceholderText("如 市日报、市电视台、政府网站")
        self.date_edit = self.add("published_on", "日期", DateField(label="日期", field="published_on"))
        self.bulletin_combo = self.add("bulletin_id", "所载通报", QComboBox())
        self.bulletin_combo.addItem(NO_LINK, None)
        for bid, label in bulletins:
            self.bulletin_combo.addItem(label, bid)
        self.summary_edit = self.add("summary", "案例内容", QPlainTextEdit())
        self.summary_edit.setMinimumHeight(120)
        if values:
            self.title_edit.setText(values.title)
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(values.kind))
            self.target_combo.setCurrentIndex(max(0, self.target_combo.findData(values.target_id)))
            self.medium_edit.setText(values.medium)
            self.date_edit.set_value(values.published_on)
            self.bulletin_combo.setCurrentIndex(max(0, self.bulletin_combo.findData(values.bulletin_id)))
            self.summary_edit.setPlainText(values.summary)

    def values(self) -> CaseValues:
        target = self.target_combo.findText(self.target_combo.currentText(), Qt.MatchFlag.MatchExactly)
        if target < 0:
            from desktop.services.errors import ValidationError

            raise ValidationError("请从列表中选择企业（或选“不关联”）", field="target_id")
        return CaseValues(self.title_edit.text(), self.kind_combo.currentData(), self.target_combo.itemData(target),
                          self.medium_edit.text(), self.date_edit.value(), self.summary_edit.toPlainText(),
                          self.bulletin_combo.currentData(), self._revision)

    def clean(self, values: CaseValues) -> CaseValues:
        return cases.clean(values)


def _choices(ledger):
    return cases.target_choices(ledger), cases.bulletin_choices(ledger)


class CasePanel(LazyRefresh, QWidget):
    relevant_tables = frozenset({"case", "attachment", "bulletin", "target"})

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.dialog: CaseDialog | None = None
        self.model = CaseModel(self)
        self.table = setup_table(QTableView())
        self.table.setObjectName("case_table")
        self.table.setModel(self.model)
        self.table.setColumnWidth(0, 260)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._case_selected())
        self.actions = ActionBar(self.table, self)
        self.add_button = self.actions.add("新增案例", self.add_case)
        self.edit_button = self.actions.add("编辑", self.edit_selected, when=needs_one, tip="回车或双击")
        self.delete_button = self.actions.add("删除", self.delete_selected, when=needs_one,
                                              keys=QKeySequence.StandardKey.Delete, local_keys=True)
        self.undo = UndoKit(self)
        self.search = search_box(self, "按标题、企业、媒体筛选", name="case_search")
        self.search.textChanged.connect(self.model.set_filter)
        bar = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.delete_button, self.undo.undo_button, self.undo.redo_button):
            bar.addWidget(b)
        bar.addWidget(self.search)
        bar.addStretch(1)
        self.photos = AttachmentPanel(ctx, "照片 / 材料")
        self.photos.changed.connect(self.refresh)
        self.split = splitter(Qt.Orientation.Horizontal, (self.table, 3), (self.photos, 1))
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.split, 1)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut(self.table, key, self.edit_selected, local=True)
        self.layout_state = Layout(ctx.settings, "cases", {"header": self.table.horizontalHeader(),
                                                             "splitter": self.split})
        ctx.data_changed.connect(self._on_data_changed)
        self._case_selected()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.activate()

    def refresh(self) -> None:
        self._stale = False
        query(self, "cases", cases.list_cases, done=self._loaded)

    def _loaded(self, rows: list[CaseRow]) -> None:
        selected = self._selected()
        self.model.set_rows(rows)
        resort(self.table)
        select_id(self.table, selected.id if selected else None)
        self._case_selected()

    def _selected(self) -> CaseRow | None:
        rows = selected_rows(self.table)
        return rows[0] if rows else None

    def _case_selected(self) -> None:
        case = self._selected()
        self.photos.set_object(cases.OBJECT_TYPE if case else None, case.id if case else None)

    # Add / edit / delete -----------------------------------------------------------------
    def add_case(self) -> None:
        query(self, "choices", _choices, done=lambda c: self._open_dialog(None, *c))

    def edit_selected(self) -> None:
        case = self._selected()
        if case is not None:
            query(self, "choices", _choices, done=lambda c: self._open_dialog(case, *c))

    def _open_dialog(self, case: CaseRow | None, targets, bulletins) -> None:
        before = cases.values_of(case) if case else None
        dialog = CaseDialog(targets, bulletins, before, self)
        dialog.submitted.connect(lambda values: self.undo.save_dialog(
            dialog, values, create=cases.create, update=cases.update, row_id=case.id if case else None,
            before=before, label=values.title.strip()))
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def delete_selected(self) -> None:
        case = self._selected()
        if case is None:
            return
        photos = f"及其 {case.photos} 张照片的关联" if case.photos else ""
        if QMessageBox.question(self, "删除案例", f"确定删除典型案例“{case.title}”{photos}？（可撤销）") \
                == QMessageBox.StandardButton.Yes:
            self.delete_now(case)

    def delete_now(self, case: CaseRow) -> None:
        """Delete without asking (the confirmed path; tests call it); the undo brings the photos back."""
        values = dataclasses.replace(cases.values_of(case), revision=None)
        ref = self.undo.ref(case.id)

        def deleted(photos) -> None:
            self.undo.push(f"删除“{case.title}”", undo=Step(cases.create, values, photos, sets=ref),
                           redo=Step(cases.delete, ref))

        write(self, cases.delete, case.id, done=deleted)
