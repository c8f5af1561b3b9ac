"""月度报送与核实 page (三(四)): pick a month; the towns' reports (on time, late, missing) on the left;
the selected town's report on the right — its date, the entries it completed, the verification grid
(items × verifying departments, a dialog per cell) and each item's evidence. The buttons follow the
selected item (from the transition table) and say why not; Ctrl+Z undoes the last slip. 导出核实表
writes the month's verification table to .xlsx on the worker lane (openpyxl is loaded there, not here)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout

from desktop.models.enums import EntryState
from desktop.services.errors import ValidationError
from desktop.services.lists import list_service
from desktop.services.documents import pdf_output
from desktop.services.reports import report_export, report_service, verification_service
from desktop.services.reports.report_service import ItemRow, ReportInfo
from desktop.services.accounts import permissions
from desktop.views.accounts.approval import ApprovalCheck
from desktop.views.kit.attachment_widget import AttachmentPanel
from desktop.views.kit.columns import ColumnChooser
from desktop.views.kit.context import AppContext
from desktop.views.kit.date_field import DateField
from desktop.views.kit.file_choice import ask_save_xlsx
from desktop.views.kit.layouts import hbox, hint_label, search_box, table_view
from desktop.views.kit.ops import long_write, query, write
from desktop.views.kit.page import Page
from desktop.views.kit.table import ActionBar, Layout, selected_rows, shortcut, title_label
from desktop.views.kit.print_preview import add_print_action
from desktop.views.kit.table_export import add_export_action, describe_filters
from desktop.views.kit.undo import Ref, Step, UndoKit
from desktop.views.kit.widgets import button, splitter
from desktop.views.kit.worker import show_error
from desktop.views.reports.report_dialogs import AddItemsDialog, ItemDialog, VerificationDialog
from desktop.views.reports.report_models import ItemGridModel, OverviewModel, short_date
from desktop.views.reports.report_summary import item_detail, month_summary

RELEVANT_TABLES = frozenset({"monthly_report", "monthly_report_item", "verification", "list_entry", "governance_list",
                   "town", "year", "year_params", "department", "attachment", "target"})
RED_STYLE = "color: #C0392B; font-weight: bold;"


class ReportPage(Page):
    relevant_tables = RELEVANT_TABLES

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self._month: int | None = None
        self._town_id: int | None = None  # None: every town (the totals row)
        self._report: ReportInfo | None = None
        self._overview: report_service.MonthOverview | None = None
        self._table: report_service.VerificationTable | None = None
        self.dialog = None
        self._loading = False
        self._grid_departments: int | None = None  # the grid's department columns its widths are for
        ctx.year_changed.connect(self._on_year_changed)
        self._build()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.title = title_label("月度报送与核实")
        bar.addWidget(self.title)
        bar.addSpacing(16)
        self.year_label = QLabel()
        bar.addWidget(self.year_label)
        self.month_combo = QComboBox()
        for m in range(1, 13):
            self.month_combo.addItem(f"{m}月", m)
        self.month_combo.setToolTip("选择月份")
        bar.addWidget(self.month_combo)
        self.due_label = hint_label(wrap=False)
        bar.addSpacing(12)
        bar.addWidget(self.due_label)
        bar.addStretch(1)
        self.export_button = button("导出核实表…", self.export, tip="把本月全部镇街的核实情况导出为 Excel（.xlsx）")
        bar.addWidget(self.export_button)
        bar.addWidget(add_print_action(self, pdf_output.verification_pdf, lambda: (self.ctx.year, self._month),
                                       title=lambda: f"{self.ctx.year}年{self._month}月核实表", settings_key="reports"))
        outer.addLayout(bar)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.summary)
        self.month_combo.currentIndexChanged.connect(self._month_changed)

        # Left: the towns of the month
        self.overview_model = OverviewModel(self)
        self.overview = table_view(self.overview_model, "report_overview", (72, 62, 66, 40, 48, 48, 48, 56))
        # What fits beside the grid on a 1366×768 laptop; the summary line above counts both.
        self.overview_columns = ColumnChooser(self.overview, hidden={"verified", "late_verifications"})
        self.overview.selectionModel().currentRowChanged.connect(lambda *_: self._town_selected())

        self.report_box = QGroupBox("报送")
        rl = QVBoxLayout(self.report_box)
        rl.addLayout(self._date_line())
        rl.addLayout(self._item_actions())
        rl.addWidget(self.grid, 1)
        self.empty_label = hint_label(wrap=False)
        rl.addWidget(self.empty_label)

        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.attachments = AttachmentPanel(self.ctx, "证明材料（所选条目）")
        self.right_split = splitter(Qt.Orientation.Vertical, (self.report_box, 4),
                                    (hbox((self.detail, 3), (self.attachments, 2)), 1))
        self.splitter = splitter(Qt.Orientation.Horizontal, (self.overview, 2), (self.right_split, 5))
        self.right_split.setSizes([520, 170])
        self.splitter.setSizes([490, 1010])  # the first share; a remembered one wins
        outer.addWidget(self.splitter, 1)
        self.layout_state = Layout(self.ctx.settings, "reports", {
            "splitter": self.splitter, "right_splitter": self.right_split,
            "overview_header": self.overview.horizontalHeader()})
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut(self.grid, key, self._grid_enter, local=True)
        self._show_report()

    def _date_line(self) -> QHBoxLayout:
        """报送日期 of the selected town's report, saved with its button."""
        line = QHBoxLayout()
        self.date_caption = QLabel("报送日期：")
        line.addWidget(self.date_caption, 0, Qt.AlignmentFlag.AlignTop)
        self.date_edit = DateField(label="报送日期", field="reported_on", year=self.ctx.year, required=True)
        self.date_edit.setMaximumWidth(220)
        line.addWidget(self.date_edit, 0, Qt.AlignmentFlag.AlignTop)
        self.save_date_button = QPushButton("保存报送日期")
        self.save_date_button.clicked.connect(self.save_date)
        self.date_edit.edit.returnPressed.connect(self.save_date)
        line.addWidget(self.save_date_button, 0, Qt.AlignmentFlag.AlignTop)
        self.late_label = QLabel()
        self.late_label.setStyleSheet(RED_STYLE)
        line.addWidget(self.late_label, 0, Qt.AlignmentFlag.AlignTop)
        self.report_hint = hint_label(wrap=False)
        line.addWidget(self.report_hint, 1, Qt.AlignmentFlag.AlignTop)
        return line

    def _item_actions(self) -> QHBoxLayout:
        """The grid and the buttons that follow its selected item."""
        self.grid_model = ItemGridModel(self)
        self.grid = table_view(self.grid_model, "report_grid", section=84)
        self.grid.doubleClicked.connect(self._grid_activated)
        self.grid.selectionModel().selectionChanged.connect(lambda *_: self._item_selected())
        self.grid_model.modelReset.connect(self._apply_grid_widths)
        self.actions = ActionBar(self.grid, self)
        self.add_button = self.actions.add("添加完成条目…", self.add_items, when=lambda _rows: self._why_not_add())
        self.edit_button = self.actions.add("修改面积…", self.edit_item, when=self._rule("edit"))
        self.verify_button = self.actions.add("录入核实结果…", lambda: self.open_verification(),
                                              when=self._rule("verify"), tip="双击核实部门的格子亦可")
        self.remove_button = self.actions.add("移除条目", self.remove_item, when=self._rule("remove"),
                                              keys=QKeySequence.StandardKey.Delete, local_keys=True,
                                              tip="移除尚未核实的条目，条目退回“实施中”")
        self.resume_button = self.actions.add("重新实施", self.resume_item, when=self._rule("resume"),
                                              tip="核实未通过的条目退回“实施中”，整改后在以后月份重新报送")
        self.confirm_check = ApprovalCheck(self, "confirm_check", verification_service.why_not_confirm_month,
                                           nothing="请先选择镇街")
        self.confirm_button = self.actions.add("核实确认", self.confirm_month, needs="approve",
                                               when=self.confirm_check.follow(self.actions),
                                               tip="领导确认该镇街本月的核实结果（录入核实结果的人不能确认）")
        self.undo = UndoKit(self)
        line = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.verify_button, self.remove_button, self.resume_button,
                  self.undo.undo_button, self.undo.redo_button, self.confirm_button):
            line.addWidget(b)
        line.addStretch(1)
        self.filter = search_box(self, "筛选治理对象（Ctrl+F）")
        self.filter.textChanged.connect(self._filter_changed)
        line.addWidget(self.filter)
        line.addWidget(add_export_action(
            self, lambda: self.grid, settings_key="reports",
            title=lambda: f"{self.ctx.year}年{self._month or ''}月{self._town_name()}报送条目核实情况",
            subtitle=lambda: describe_filters(("治理对象", self.filter))))
        return line

    def _rule(self, action: str):
        return lambda rows: report_service.why_not(rows[0] if len(rows) == 1 else None, action)

    def _why_not_add(self) -> str | None:
        if self._town_id is None:
            return "请先在左侧选择镇街"
        if self._report is None or self._report.reported_on is None:
            return "请先填写并保存报送日期"
        return None

    def _apply_grid_widths(self) -> None:
        """Column widths when the grid's columns change (first load, another year's departments);
        a reload of the same columns keeps what the clerk dragged."""
        n = len(self.grid_model.departments)
        if n == self._grid_departments:
            return
        self._grid_departments = n
        header = self.grid.horizontalHeader()
        state = self.ctx.settings.value(f"reports/grid_header/{n}")
        if isinstance(state, QByteArray) and header.restoreState(state):
            return
        for col, w in enumerate([56, 160, 80] + [58] * n + [66, 92, 40]):  # fits 1366×768
            self.grid.setColumnWidth(col, w)

    def save_layout(self) -> None:
        self.layout_state.save()
        if self._grid_departments is not None:
            self.ctx.settings.setValue(f"reports/grid_header/{self._grid_departments}",
                                       self.grid.horizontalHeader().saveState())

    # Loading -----------------------------------------------------------------------------
    def activate(self) -> None:
        if self._month is None:
            self._pick_default_month()
        elif self._stale:
            self.refresh()

    def _on_year_changed(self, _year: int) -> None:
        self._month = None
        if self.isVisible():
            self._pick_default_month()
        else:
            self._stale = True

    def _pick_default_month(self) -> None:
        """This month in the running year; else the latest month with a report (else January)."""
        today = self.ctx.ledger.today()
        if self.ctx.year == today.year:
            self.set_month(today.month)
        else:
            query(self, "month", report_service.latest_month, self.ctx.year, done=lambda m: self.set_month(m or 1))

    def set_month(self, month: int) -> None:
        self._month = month
        idx = self.month_combo.findData(month)
        if idx != self.month_combo.currentIndex():
            self.month_combo.setCurrentIndex(idx)  # → _month_changed → refresh
        else:
            self.refresh()

    def _month_changed(self) -> None:
        self._month = self.month_combo.currentData()
        self._report = None
        self.refresh()

    def refresh(self) -> None:
        if self._month is None:
            return
        self._stale = False
        query(self, "report", _page_data, self.ctx.year, self._month, town_id=self._town_id, done=self._loaded)

    def _loaded(self, result) -> None:
        overview, table, report, town_id = result
        self._overview, self._table, self._report, self._town_id = overview, table, report, town_id
        self.year_label.setText(f"{overview.year}年")
        self.due_label.setText(f"报送截止 {short_date(overview.report_due)}　核实截止 {short_date(overview.verify_due)}"
                               f"　核实部门：{'、'.join(overview.departments)}")
        self.summary.setText(month_summary(overview))
        self.overview_model.set_overview(overview)
        row = self.overview_model.row_of_town(town_id)
        self._loading = True
        try:
            self.overview.selectRow(row if row >= 0 else self.overview_model.rowCount() - 1)
        finally:
            self._loading = False
        selected = self._selected_item()
        column = self.grid.currentIndex().column()
        self.grid_model.set_table(table)
        self.grid.setColumnHidden(0, town_id is not None)
        if selected is not None:
            r = self.grid_model.row_of(selected.item_id)
            if r >= 0:
                self.grid.setCurrentIndex(self.grid_model.index(r, max(column, 0)))
        self._show_report()
        self._item_selected()

    # Selection ---------------------------------------------------------------------------
    def _town_selected(self) -> None:
        if self._loading:
            return
        row = self.overview.currentIndex().row()
        item = self.overview_model.row_item(row)
        if item is None:
            return
        town_id = None if self.overview_model.is_totals(row) else item.town_id
        if town_id != self._town_id:
            self._town_id = town_id
            self._report = None
            self.refresh()

    def select_town(self, town_id: int | None) -> None:
        """Select a town's row (None: all towns); loads its report."""
        row = self.overview_model.row_of_town(town_id)
        if row >= 0:
            self.overview.setCurrentIndex(self.overview_model.index(row, 0))

    def _town_name(self) -> str:
        if self._town_id is None or self._overview is None:
            return "全部镇街"
        return next((t.town for t in self._overview.towns if t.town_id == self._town_id), "")

    def _show_report(self) -> None:
        month = self._month or 0
        single = self._town_id is not None
        report = self._report
        reported = report is not None and report.reported_on is not None
        if not single:
            self.report_box.setTitle(f"全部镇街 {month}月报送条目与核实" if month else "报送条目与核实")
            self.report_hint.setText("选择左侧的镇街，可填写报送日期、添加完成条目")
        else:
            self.report_box.setTitle(f"{self._town_name()} {month}月报送")
            self.report_hint.setText(f"报送截止 {short_date(report.report_due)}，本报送 {report.item_count} 个条目"
                                     if reported else "尚未报送：填写报送日期并保存后可添加完成条目")
        for w in (self.date_caption, self.date_edit, self.save_date_button, self.add_button):
            w.setVisible(single)
        refused = permissions.why_not(self.ctx.ledger, "ledger_write")  # a leader reads, a clerk keeps the dates
        self.save_date_button.setEnabled(single and self._month is not None and refused is None)
        self.save_date_button.setToolTip(refused or "")
        if single and self._month is not None:
            due = self._overview.report_due if self._overview else dt.date(self.ctx.year, self._month, 1)
            self.date_edit.set_value(report.reported_on if reported else min(self.ctx.ledger.today(), due))
        late = single and report is not None and report.is_late
        self.late_label.setText(f"逾期（截止 {short_date(report.report_due)}，计入考核排名）" if late else "")
        if not self.confirm_button.isHidden():
            self.confirm_check.ask(report.id if single and report is not None else None)
        self.actions.update()
        self.empty_label.setVisible(not self.grid_model.rowCount())
        self.empty_label.setText("本月没有报送条目。" if not single else
                                 "本报送还没有条目。" if reported else "该镇街本月尚未报送。")

    def _selected_item(self) -> ItemRow | None:
        rows = selected_rows(self.grid)
        return rows[0] if rows else None

    def _item_selected(self) -> None:
        item = self._selected_item()
        self.detail.setText(item_detail(item))
        if item is None:
            self.attachments.set_object(None, None)
        elif self.attachments.object_id != item.item_id:
            self.attachments.set_object(report_service.OBJECT_TYPE, item.item_id)

    def _filter_changed(self, text: str) -> None:
        self.grid_model.set_filter(text)
        self._item_selected()

    # Report date -------------------------------------------------------------------------
    def save_date(self) -> None:
        if self._town_id is None or self._month is None:
            return
        try:
            day = self.date_edit.value()
        except ValidationError as exc:
            self.date_edit.show_error(exc.message)
            return
        town_id, year, month = self._town_id, self.ctx.year, self._month
        report = self._report
        before = report.reported_on if report is not None else None

        def done(info: ReportInfo) -> None:
            if report is None:
                ref = Ref(info.id)
                self.undo.push(f"填写{info.town}{month}月报送日期", undo=Step(report_service.delete_report, ref),
                               redo=Step(report_service.open_report, town_id, year, month, day, sets=ref))
            elif before is not None and before != day:
                self.undo.push(f"修改{info.town}{month}月报送日期",
                               undo=Step(report_service.set_reported_on, info.id, before),
                               redo=Step(report_service.set_reported_on, info.id, day))

        write(self, _save_report_date, town_id, year, month, report.id if report else None, day, done=done,
              failed=self._date_refused)

    def _date_refused(self, exc: BaseException) -> None:
        if getattr(exc, "field", None) == "reported_on":
            self.date_edit.show_error(exc.message)
            self.date_edit.setFocus()
        else:
            show_error(self, exc)

    # Items -------------------------------------------------------------------------------
    def add_items(self) -> None:
        report = self._report
        if self._why_not_add() is None:
            query(self, "reportable", report_service.reportable_entries, report.town_id, self.ctx.year,
                  done=lambda rows: self._open_add_dialog(report, rows))

    def _open_add_dialog(self, report: ReportInfo, rows) -> None:
        dialog = AddItemsDialog(report.town, report.month, report.reported_on, rows, self)

        def saved(chosen) -> None:
            entry_ids = [entry_id for entry_id, _area in chosen]
            self.undo.push(f"添加{len(chosen)}个完成条目",
                           undo=Step(report_service.remove_entries, report.id, entry_ids),
                           redo=Step(report_service.add_items, report.id, chosen))

        self._open(dialog, lambda chosen: write(dialog, report_service.add_items, report.id, chosen,
                                                failed=dialog.show_error,
                                                done=lambda _ids: (dialog.accept(), saved(chosen))))

    def _open(self, dialog, save) -> None:
        dialog.submitted.connect(save)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def edit_item(self) -> None:
        item = self._selected_item()
        if report_service.why_not(item, "edit"):
            return
        dialog = ItemDialog(item, self)

        def saved(v: dict) -> None:
            dialog.accept()
            self.undo.push(f"修改“{item.target}”完成面积",
                           undo=Step(report_service.update_item, item.item_id, completed_area_mu=item.completed_area_mu,
                                     note=item.note),
                           redo=Step(report_service.update_item, item.item_id, completed_area_mu=v["area"],
                                     note=v["note"]))

        self._open(dialog, lambda v: write(dialog, report_service.update_item, item.item_id,
                                           completed_area_mu=v["area"], note=v["note"], failed=dialog.show_error,
                                           done=lambda _r: saved(v)))

    def remove_item(self) -> None:
        item = self._selected_item()
        why = report_service.why_not(item, "remove")
        if item is None:
            return
        if why:
            QMessageBox.information(self, "不能移除", why)
            return
        recorded = any(c.result is not None for c in item.cells)
        text = f"确定从本月报送中移除“{item.target}”吗？\n\n该条目将退回“实施中”。"
        text += "已录入的部门核实记录一并删除，不能撤销。" if recorded else "可按 Ctrl+Z 撤销。"
        if QMessageBox.question(self, "移除条目", text) != QMessageBox.StandardButton.Yes:
            return

        def done(_r) -> None:
            if not recorded:  # the records of departments cannot be put back: no undo then (asked above)
                self.undo.push(f"移除“{item.target}”",
                               undo=Step(report_service.add_items, item.report_id,
                                         [(item.entry_id, item.completed_area_mu)], note=item.note),
                               redo=Step(report_service.remove_entries, item.report_id, [item.entry_id]))

        write(self, report_service.remove_item, item.item_id, done=done)

    def resume_item(self) -> None:
        item = self._selected_item()
        if report_service.why_not(item, "resume"):
            return
        if QMessageBox.question(self, "重新实施", f"“{item.target}”核实未通过，确定退回“实施中”吗？\n\n"
                                "整改完成后可在以后月份重新报送（此操作不能撤销）。") == QMessageBox.StandardButton.Yes:
            write(self, list_service.transition, item.entry_id, "resume")

    # Verification ------------------------------------------------------------------------
    def confirm_month(self) -> None:
        report = self._report
        if report is not None and QMessageBox.question(
                self, "核实确认", f"确认{report.town}{report.year}年{report.month}月报送条目的核实结果？"
        ) == QMessageBox.StandardButton.Yes:
            write(self, verification_service.confirm_month, report.id)

    def _grid_activated(self, index) -> None:
        if self.grid_model.department_index(index.column()) is not None:
            self.open_verification(index.column())
        else:
            self.edit_item()

    def _grid_enter(self) -> None:
        index = self.grid.currentIndex()
        if index.isValid():
            self._grid_activated(index)

    def open_verification(self, column: int | None = None) -> VerificationDialog | None:
        item = self._selected_item()
        if item is None or self._table is None:
            return None
        why = report_service.why_not(item, "verify")
        if why:
            QMessageBox.information(self, "不能更改", why)
            return None
        if column is None:
            column = self.grid.currentIndex().column()
        d = self.grid_model.department_index(column)
        if d is None:  # first department not yet recorded
            d = next((i for i, c in enumerate(item.cells) if c.result is None), 0)
        dialog = VerificationDialog(item, self._table.departments, d, self._table.verify_due,
                                    self.ctx.ledger.today(), parent=self)

        def save(v: dict) -> None:
            write(dialog, report_service.record_verification, item.item_id, v["department"], v["result"],
                  v["verified_on"], v["note"], failed=dialog.show_error,
                  done=lambda state: self._recorded(dialog, item, v, state))

        def clear(department: str) -> None:
            if QMessageBox.question(dialog, "清除记录", f"确定清除{department}对该条目的核实记录吗？") \
                    != QMessageBox.StandardButton.Yes:
                dialog.ok_button.setEnabled(True)
                dialog.clear_button.setEnabled(True)
                return
            write(dialog, report_service.clear_verification, item.item_id, department, failed=dialog.show_error,
                  done=lambda state: self._recorded(dialog, item, {"department": department, "result": None}, state))

        dialog.cleared.connect(clear)
        self._open(dialog, save)
        return dialog

    def _recorded(self, dialog: VerificationDialog, item: ItemRow, v: dict, state: EntryState) -> None:
        """After a record is saved or cleared: undo puts the department's previous record back — unless
        the record verified the entry, which closes it for good (已核实 counts toward completion)."""
        dialog.accept()
        if state is EntryState.VERIFIED:
            return
        department = v["department"]
        old = next(c for c in item.cells if c.department == department)
        undo = Step(report_service.clear_verification, item.item_id, department) if old.result is None else \
            Step(report_service.record_verification, item.item_id, department, old.result, old.verified_on, old.note)
        redo = Step(report_service.clear_verification, item.item_id, department) if v["result"] is None else \
            Step(report_service.record_verification, item.item_id, department, v["result"], v["verified_on"], v["note"])
        self.undo.push(f"{department}核实“{item.target}”", undo=undo, redo=redo)

    # Export ------------------------------------------------------------------------------
    def export(self) -> None:
        if self._month is None:
            return
        path = ask_save_xlsx(self, self.ctx.settings, "reports/export_dir", "导出核实表",
                             report_export.default_file_name(self.ctx.year, self._month))
        if path is not None:
            self.export_to(str(path))

    def export_to(self, path: str, on_done=None) -> None:
        """Write the month's verification table on the worker lane, with a progress dialog and 取消."""

        def done(result: report_export.ExportResult) -> None:
            if on_done is not None:
                on_done(result)
            else:
                QMessageBox.information(self, "导出完成", f"已导出 {result.rows} 个条目到：\n{result.path}")

        long_write(self, "正在导出核实表…", report_export.export_month, self.ctx.year, self._month, path, done=done)


def _page_data(ledger, year: int, month: int, *, town_id: int | None):
    """The month in one lane job: the towns' overview, the grid (all towns or one) and the town's report."""
    overview = report_service.month_overview(ledger, year, month)
    if town_id is not None and all(t.town_id != town_id for t in overview.towns):
        town_id = None
    table = report_service.verification_table(ledger, year, month, town_id=town_id)
    report = report_service.get_report(ledger, town_id, year, month) if town_id is not None else None
    return overview, table, report, town_id


def _save_report_date(ledger, town_id: int, year: int, month: int, report_id: int | None, day: dt.date) -> ReportInfo:
    """报送日期: opens the town's report for the month on first use."""
    if report_id is None:
        return report_service.open_report(ledger, town_id, year, month, day)
    return report_service.set_reported_on(ledger, report_id, day)
