"""镇街与任务分解 page (附件1): the year's per-town task and progress table with a totals row, and the
town directory (add, rename, order, liaison, deactivate or delete). Edits are undone with Ctrl+Z."""

from __future__ import annotations

from PySide6.QtCore import QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QMessageBox, QTableView, QVBoxLayout, QWidget)

from desktop.services import units
from desktop.services.errors import UserError, ValidationError
from desktop.services.documents import pdf_output
from desktop.services.towns import progress_export, progress_service, town_service
from desktop.views.kit.context import AppContext
from desktop.views.kit.file_choice import ask_save_xlsx
from desktop.views.kit.forms import HINT_STYLE, error_label, plain, show_at, show_field_error
from desktop.views.kit.ops import query, write
from desktop.views.kit.page_state import LazyRefresh
from desktop.views.kit.rows import pct_text
from desktop.views.kit.table import ActionBar, Layout, needs_one, selected_rows, setup_table, title_label
from desktop.views.kit.print_preview import add_print_action
from desktop.views.kit.table_export import add_export_action
from desktop.views.kit.undo import Step, UndoKit
from desktop.views.kit.widgets import button, splitter
from desktop.views.kit.worker import show_error
from desktop.views.towns.town_models import ProgressModel, TargetDelegate, TownListModel

RELEVANT_TABLES = {"town", "town_target", "year_params", "year", "governance_list", "list_entry", "target",
                   "contiguous_area"}
FORM_FIELDS = (("name", "镇街名称"), ("liaison_name", "联络员"), ("liaison_phone", "联系电话"))
TARGET_LABELS = {"target_area_mu": "目标面积", "target_parks": "目标园区"}


def _page_data(ledger, year: int):
    """What the page shows, read in one lane job: the year's progress and the town directory."""
    return progress_service.year_progress(ledger, year), town_service.list_towns(ledger)


def summary_html(p: progress_service.YearProgress) -> str:
    """The lines above the table: the city's targets against the towns' sum, and the year's progress."""
    t = p.totals
    first = f"全市目标 <b>{units.fmt(p.city_target_mu, 2)}</b> 亩，分解合计 <b>{units.fmt(t.target_area_mu, 2)}</b> 亩"
    diff = t.target_area_mu - p.city_target_mu
    if diff != 0:
        word = "多" if diff > 0 else "少"
        first += (f"　<span style='background:#FFD966;'>⚠ 分解合计比全市目标{word} "
                  f"{units.fmt(abs(diff), 2)} 亩，请核对</span>")
    second = f"园区启动目标 <b>{p.city_parks_target}</b> 个，分解合计 <b>{t.target_parks}</b> 个，已启动 <b>{t.parks_started}</b> 个"
    if t.target_parks != p.city_parks_target:
        second += "　<span style='background:#FFD966;'>⚠ 园区分解合计与全市目标不一致</span>"
    third = (f"已核实 <b>{units.fmt(t.verified_mu, 2)}</b> 亩，完成率 <b>{pct_text(t.completion_pct)}</b>；"
             f"连片面积占比下限 {plain(p.share_min_pct)}%")
    return "<br>".join([first, second, third])


class TownPage(LazyRefresh, QWidget):
    relevant_tables = frozenset(RELEVANT_TABLES)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._progress: progress_service.YearProgress | None = None
        self._editing_id: int | None = None  # town in the form; None = new town
        self._resetting = False
        self._form_loaded: tuple[str, ...] = ("", "", "")
        self._build()
        ctx.data_changed.connect(self._on_data_changed)
        ctx.year_changed.connect(lambda _y: self._refresh_if_visible())

    # Layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.undo = UndoKit(self)
        self.title = title_label("年度任务分解（附件1）")
        self.export_status = QLabel("")
        self.export_status.setObjectName("export_status")
        self.export_button = button("导出任务分解表…", self._choose_export_file,
                                         tip="导出附件1任务分解表（含进度）为 Excel，可直接打印（A4 横向）")
        title_row = QHBoxLayout()
        title_row.addWidget(self.title)
        title_row.addStretch(1)
        self.print_button = add_print_action(self, pdf_output.task_table_pdf, lambda: (self.ctx.year,),
                                             title=lambda: f"{self.ctx.year}年任务分解表", settings_key="towns",
                                             status=self.export_status)
        for w in (self.export_status, self.undo.undo_button, self.undo.redo_button, self.export_button,
                  self.print_button):
            title_row.addWidget(w)
        outer.addLayout(title_row)
        self.summary = QLabel("")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.summary)

        self.splitter = splitter(Qt.Orientation.Vertical, (self._progress_part(), 3), (self._directory_part(), 2))
        self.splitter.setSizes([520, 260])
        outer.addWidget(self.splitter, 1)
        self.layout_state = Layout(self.ctx.settings, "towns", {
            "progress_header": self.table.horizontalHeader(), "list_header": self.town_table.horizontalHeader(),
            "splitter": self.splitter})
        self.start_new_town(focus=False)

    def _progress_part(self) -> QWidget:
        self.edit_error = error_label()
        self.model = ProgressModel(self)
        self.model.target_edited.connect(self._save_target)
        self.table = setup_table(QTableView(), section=104)
        self.table.setObjectName("progress_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.setColumnWidth(0, 110)
        self.delegate = TargetDelegate(self.table)
        self.delegate.refused.connect(self._target_refused)
        self.delegate.restored.connect(lambda: show_at(self.edit_error, ""))
        for key in ProgressModel.EDITABLE:
            self.table.setItemDelegateForColumn(self.model.column(key), self.delegate)
        hint = QLabel("目标面积、目标园区可直接在表中修改（双击或 F2，回车确认，Esc 取消）；连片占比低于年度下限时以黄色标出。")
        hint.setStyleSheet(HINT_STYLE)
        part = QWidget()
        column = QVBoxLayout(part)
        column.setContentsMargins(0, 0, 0, 0)
        for w in (self.edit_error, self.table, hint):
            column.addWidget(w)
        return part

    def _directory_part(self) -> QWidget:
        self.town_model = TownListModel(self)
        self.town_table = setup_table(QTableView(), sortable=False)
        self.town_table.setObjectName("town_table")
        self.town_table.setModel(self.town_model)
        for column, width in ((0, 50), (1, 120), (3, 130)):
            self.town_table.setColumnWidth(column, width)
        self.town_table.selectionModel().selectionChanged.connect(lambda *_: self._town_selected())
        actions = ActionBar(self.town_table, self)
        self.add_button = button("新增镇街", self.start_new_town)
        self.up_button = actions.add("上移", lambda: self.move_selected(-1), when=lambda rows: self._why_not_move(rows, -1),
                                     keys=QKeySequence("Alt+Up"), local_keys=True)
        self.down_button = actions.add("下移", lambda: self.move_selected(1), when=lambda rows: self._why_not_move(rows, 1),
                                       keys=QKeySequence("Alt+Down"), local_keys=True)
        self.active_button = actions.add("停用", self.toggle_active, when=needs_one)
        self.delete_button = actions.add("删除", self.delete_selected, when=needs_one, tip="有数据的镇街只能停用",
                                         keys=QKeySequence.StandardKey.Delete, local_keys=True)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.up_button, self.down_button, self.active_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(add_export_action(self, lambda: self.town_table, title=lambda: "镇街名录",
                                            settings_key="towns", status=self.export_status))
        left = QVBoxLayout()
        left.addLayout(buttons)
        left.addWidget(self.town_table)

        self.form_box = QGroupBox("镇街信息")
        form = QFormLayout(self.form_box)
        self.form_edits: dict[str, QLineEdit] = {}
        self.form_errors: dict[str, QLabel] = {}
        for name, label in FORM_FIELDS:
            edit = self.form_edits[name] = QLineEdit()
            edit.setObjectName(name)
            edit.returnPressed.connect(self.save_town)
            edit.textEdited.connect(lambda _t, n=name: show_at(self.form_errors[n], ""))
            self.form_errors[name] = error_label()
            form.addRow(label, edit)
            form.addRow("", self.form_errors[name])
        self.name_edit, self.liaison_edit, self.phone_edit = (self.form_edits[n] for n, _l in FORM_FIELDS)
        self.phone_edit.setPlaceholderText("如 0512-12345678 或 13912345678")
        self.save_town_button = button("保存镇街信息", self.save_town)
        form.addRow("", self.save_town_button)

        box = QGroupBox("镇街名录")
        row = QHBoxLayout(box)
        row.addLayout(left, 3)
        row.addWidget(self.form_box, 2)
        return box

    def save_layout(self) -> None:
        self.layout_state.save()

    # Loading -----------------------------------------------------------------------------
    def refresh(self) -> None:
        self._stale = False
        query(self, "page", _page_data, self.ctx.year, done=self._loaded)

    def _loaded(self, result) -> None:
        progress, towns = result
        if self.table.state() == QAbstractItemView.State.EditingState:
            self._stale = True  # do not pull the table from under an open editor; refresh next time
            QTimer.singleShot(500, self._refresh_if_visible)
            return
        self._progress = progress
        current = self.table.currentIndex()
        current_town, current_col = self.model.town_id(current.row()), max(current.column(), 0)
        self.model.set_progress(progress)
        if current_town is not None and (row := self.model.row_of_town(current_town)) >= 0:
            self.table.setCurrentIndex(self.model.index(row, current_col))
        self.title.setText(f"{progress.year}年度任务分解（附件1）")
        self.summary.setText(summary_html(progress))

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
        self._town_buttons()
        if not self._form_dirty():  # never throw away what the clerk is typing in the form
            if row >= 0:
                self._fill_form(self.town_model.rows[row])
            elif keep is not None:
                self.start_new_town(focus=False)

    # Target editing ----------------------------------------------------------------------
    def _target_refused(self, index: QPersistentModelIndex, text: str, message: str) -> None:
        show_at(self.edit_error, f"{message}（已保留输入，请修改后回车；Esc 恢复原值）")
        if not index.isValid():
            return
        self.delegate.pending[(index.row(), index.column())] = text

        def reopen() -> None:
            if index.isValid():
                idx = self.model.index(index.row(), index.column())
                self.table.setCurrentIndex(idx)
                self.table.edit(idx)

        QTimer.singleShot(0, reopen)

    def _save_target(self, town_id: int, key: str, before, value) -> None:
        show_at(self.edit_error, "")
        year = self.ctx.year
        town = self.model.item(self.model.row_of_town(town_id))
        name = town.town if town else ""

        def saved(_row) -> None:
            self.undo.push(f"修改{name}{TARGET_LABELS[key]}",
                           undo=Step(town_service.set_target, town_id, year, **{key: before}),
                           redo=Step(town_service.set_target, town_id, year, **{key: value}))

        def failed(exc: BaseException) -> None:
            if isinstance(exc, UserError):
                show_at(self.edit_error, exc.message)
            else:
                show_error(self, exc)
            self.refresh()

        write(self, town_service.set_target, town_id, year, done=saved, failed=failed, **{key: value})

    # Directory ---------------------------------------------------------------------------
    def _selected_town(self) -> town_service.TownRow | None:
        rows = selected_rows(self.town_table)
        return rows[0] if rows else None

    def _why_not_move(self, rows: list, delta: int) -> str | None:
        return needs_one(rows) or town_service.why_not_move([t.id for t in self.town_model.rows], rows[0].id, delta)

    def _town_selected(self) -> None:
        self._town_buttons()
        town = self._selected_town()
        if not self._resetting and town is not None:
            self._fill_form(town)

    def _town_buttons(self) -> None:
        town = self._selected_town()
        self.active_button.setText("启用" if town is not None and not town.active else "停用")

    def _fill_form(self, town: town_service.TownRow) -> None:
        for err in self.form_errors.values():
            show_at(err, "")
        self._editing_id = town.id
        self.form_box.setTitle(f"镇街信息：{town.name}")
        for name, _label in FORM_FIELDS:
            self.form_edits[name].setText(getattr(town, name))
        self._form_loaded = self._form_texts()

    def _form_texts(self) -> tuple[str, ...]:
        return tuple(self.form_edits[name].text() for name, _label in FORM_FIELDS)

    def _form_dirty(self) -> bool:
        return self._form_texts() != self._form_loaded

    def start_new_town(self, focus: bool = True) -> None:
        self.town_table.clearSelection()
        self._editing_id = None
        self.form_box.setTitle("新增镇街")
        for name, _label in FORM_FIELDS:
            self.form_edits[name].clear()
            show_at(self.form_errors[name], "")
        self._form_loaded = self._form_texts()
        self._town_buttons()
        if focus:
            self.name_edit.setFocus()

    def save_town(self) -> None:
        for err in self.form_errors.values():
            show_at(err, "")
        name, liaison, phone = self._form_texts()
        try:  # the service's own checks, at once and at the field
            town_service.clean_name(name)
            town_service.clean_phone(phone)
        except ValidationError as exc:
            self._town_field_error(exc)
            return
        town_id = self._editing_id
        if town_id is None:
            write(self, town_service.create_town, name, liaison, phone, done=self._town_created,
                  failed=self._town_field_error)
            return
        row = self.town_model.item(self.town_model.row_of(town_id))
        write(self, town_service.update_town, town_id, name=name, liaison_name=liaison, liaison_phone=phone,
              expected_revision=row.revision if row else None, failed=self._town_field_error,
              done=lambda new: self._town_updated(row, new))

    def _town_created(self, town: town_service.TownRow) -> None:
        self._fill_form(town)
        ref = self.undo.ref(town.id)
        self.undo.push(f"新增镇街“{town.name}”", undo=Step(town_service.delete_town, ref),
                       redo=Step(town_service.create_town, town.name, town.liaison_name, town.liaison_phone, sets=ref))

    def _town_updated(self, before: town_service.TownRow | None, after: town_service.TownRow) -> None:
        self._fill_form(after)
        if before is None:
            return
        ref = self.undo.ref(after.id)

        def step(t: town_service.TownRow) -> Step:
            return Step(town_service.update_town, ref, name=t.name, liaison_name=t.liaison_name,
                        liaison_phone=t.liaison_phone)

        self.undo.push(f"修改镇街“{after.name}”", undo=step(before), redo=step(after))

    def _town_field_error(self, exc: BaseException) -> None:
        show_field_error(self, exc, self.form_errors, self.form_edits)

    def move_selected(self, delta: int) -> None:
        town = self._selected_town()
        if town is not None:
            ref = self.undo.ref(town.id)
            write(self, town_service.move_town, town.id, delta, done=lambda _r: self.undo.push(
                f"{'上移' if delta < 0 else '下移'}“{town.name}”", undo=Step(town_service.move_town, ref, -delta),
                redo=Step(town_service.move_town, ref, delta)))

    def _set_active(self, town: town_service.TownRow, active: bool) -> None:
        ref = self.undo.ref(town.id)
        write(self, town_service.set_active, town.id, active, done=lambda _r: self.undo.push(
            f"{'启用' if active else '停用'}“{town.name}”", undo=Step(town_service.set_active, ref, not active),
            redo=Step(town_service.set_active, ref, active)))

    def toggle_active(self) -> None:
        town = self._selected_town()
        if town is None:
            return
        if town.active and not self._confirm(
                "停用镇街", f"停用“{town.name}”？\n停用后不再出现在任务分解表中，已有数据保留，可随时启用。"):
            return
        self._set_active(town, not town.active)

    def delete_selected(self) -> None:
        """Ask first (a deleted town cannot be undone); a town with data is offered deactivation instead."""
        town = self._selected_town()
        if town is None:
            return
        query(self, None, town_service.usage, town.id, done=lambda use: self._confirm_delete(town, use))

    def _confirm_delete(self, town: town_service.TownRow, use: town_service.TownUsage) -> None:
        if use.has_data:
            if not town.active:
                QMessageBox.information(self, "不能删除", f"“{town.name}”已有数据（{use.describe()}），不能删除；它已停用。")
            elif self._confirm("不能删除", f"“{town.name}”已有数据（{use.describe()}），不能删除。\n是否改为停用？"):
                self._set_active(town, False)
            return
        if self._confirm("删除镇街", f"确定删除镇街“{town.name}”？\n删除后不能撤销。"):
            write(self, town_service.delete_town, town.id, done=lambda _r: setattr(self, "_editing_id", None))

    def _confirm(self, title: str, message: str) -> bool:
        return QMessageBox.question(self, title, message) == QMessageBox.StandardButton.Yes

    # Export (附件1 with progress) --------------------------------------------------------
    def _choose_export_file(self) -> None:
        target = ask_save_xlsx(self, self.ctx.settings, "towns/export_dir", "导出任务分解表",
                               progress_export.default_filename(self.ctx.year, self.ctx.ledger.today()))
        if target is not None:
            self.export_to(target)

    def export_to(self, path) -> None:
        """Write the year's 任务分解表 with progress on the lane."""
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

        query(self, "export", progress_export.export_task_table, self.ctx.year, path, done=done, failed=failed)
