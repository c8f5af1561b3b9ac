"""月度报送与核实 page (三(四)): pick a month; the towns' reports (on time, late, missing) on the left;
the selected town's report on the right — its date, the entries it completed, the verification grid
(items × verifying departments, a dialog per cell) and each item's evidence. 导出核实表 writes the
month's verification table to .xlsx on the worker."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import VerifyResult
from desktop.services import units
from desktop.services.lists import list_service
from desktop.services.reports import report_export, report_service
from desktop.services.reports.report_service import ItemRow, ReportInfo
from desktop.views.kit.attachment_widget import AttachmentPanel
from desktop.views.kit.context import AppContext, touches
from desktop.views.kit.file_choice import ask_save_xlsx
from desktop.views.reports.report_dialogs import AddItemsDialog, ItemDialog, VerificationDialog, pydate, qdate
from desktop.views.reports.report_models import ItemGridModel, OverviewModel, date_text, short_date
from desktop.views.kit.table_export import add_export_action, describe_filters
from desktop.views.kit.worker import run_with_progress, show_error

RELEVANT_TABLES = {"*", "monthly_report", "monthly_report_item", "verification", "list_entry", "governance_list",
                   "town", "year", "year_params", "department", "attachment", "target"}
RED_STYLE = "color: #C0392B; font-weight: bold;"
HINT_STYLE = "color: #606060;"


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
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)


class ReportPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._stale = True
        self._token = 0
        self._month: int | None = None
        self._town_id: int | None = None  # None: every town (the totals row)
        self._report: ReportInfo | None = None
        self._overview: report_service.MonthOverview | None = None
        self._table: report_service.VerificationTable | None = None
        self.dialog = None
        self._loading = False
        self._grid_departments: int | None = None  # the grid's department columns its widths are for
        self._build()
        self._restore_layout()
        ctx.data_changed.connect(self._on_data_changed)
        ctx.year_changed.connect(self._on_year_changed)

    # Layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.title = QLabel("月度报送与核实")
        f = self.title.font()
        f.setPointSize(f.pointSize() + 3)
        f.setBold(True)
        self.title.setFont(f)
        bar.addWidget(self.title)
        bar.addSpacing(16)
        self.year_label = QLabel()
        bar.addWidget(self.year_label)
        self.month_combo = QComboBox()
        for m in range(1, 13):
            self.month_combo.addItem(f"{m}月", m)
        self.month_combo.setToolTip("选择月份")
        bar.addWidget(self.month_combo)
        self.due_label = QLabel()
        self.due_label.setStyleSheet(HINT_STYLE)
        bar.addSpacing(12)
        bar.addWidget(self.due_label)
        bar.addStretch(1)
        self.export_button = QPushButton("导出核实表…")
        self.export_button.setToolTip("把本月全部镇街的核实情况导出为 Excel（.xlsx）")
        self.export_button.clicked.connect(self.export)
        bar.addWidget(self.export_button)
        outer.addLayout(bar)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.summary)
        self.month_combo.currentIndexChanged.connect(self._month_changed)

        # Left: the towns of the month
        self.overview_model = OverviewModel(self)
        self.overview = QTableView()
        self.overview.setObjectName("report_overview")
        self.overview.setModel(self.overview_model)
        _setup_table(self.overview)
        for col, width in enumerate((76, 64, 70, 40, 48, 48, 48, 56)):
            self.overview.setColumnWidth(col, width)
        self.overview.selectionModel().currentRowChanged.connect(lambda *_: self._town_selected())

        # Right: the selected town's report
        self.report_box = QGroupBox("报送")
        rl = QVBoxLayout(self.report_box)
        line = QHBoxLayout()
        self.date_caption = QLabel("报送日期：")
        line.addWidget(self.date_caption)
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        line.addWidget(self.date_edit)
        self.save_date_button = QPushButton("保存报送日期")
        self.save_date_button.clicked.connect(self.save_date)
        line.addWidget(self.save_date_button)
        self.late_label = QLabel()
        self.late_label.setStyleSheet(RED_STYLE)
        line.addWidget(self.late_label)
        self.report_hint = QLabel()
        self.report_hint.setStyleSheet(HINT_STYLE)
        line.addWidget(self.report_hint, 1)
        rl.addLayout(line)

        actions = QHBoxLayout()
        self.add_button = QPushButton("添加完成条目…")
        self.add_button.clicked.connect(self.add_items)
        self.edit_button = QPushButton("修改面积…")
        self.edit_button.clicked.connect(self.edit_item)
        self.verify_button = QPushButton("录入核实结果…")
        self.verify_button.setToolTip("双击核实部门的格子亦可")
        self.verify_button.clicked.connect(lambda: self.open_verification())
        self.remove_button = QPushButton("移除条目")
        self.remove_button.setToolTip("Delete：移除尚未核实的条目，条目退回“实施中”")
        self.remove_button.clicked.connect(self.remove_item)
        self.resume_button = QPushButton("重新实施")
        self.resume_button.setToolTip("核实未通过的条目退回“实施中”，整改后在以后月份重新报送")
        self.resume_button.clicked.connect(self.resume_item)
        for b in (self.add_button, self.edit_button, self.verify_button, self.remove_button, self.resume_button):
            actions.addWidget(b)
        actions.addStretch(1)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("筛选治理对象（Ctrl+F）")
        self.filter.setClearButtonEnabled(True)
        self.filter.setMaximumWidth(220)
        self.filter.textChanged.connect(self._filter_changed)
        actions.addWidget(self.filter)
        actions.addWidget(add_export_action(
            self, lambda: self.grid, settings_key="reports",
            title=lambda: f"{self.ctx.year}年{self._month or ''}月{self._town_name()}报送条目核实情况",
            subtitle=lambda: describe_filters(("治理对象", self.filter))))
        rl.addLayout(actions)

        self.grid_model = ItemGridModel(self)
        self.grid = QTableView()
        self.grid.setObjectName("report_grid")
        self.grid.setModel(self.grid_model)
        _setup_table(self.grid)
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.grid.horizontalHeader().setDefaultSectionSize(84)
        self.grid.doubleClicked.connect(self._grid_activated)
        self.grid.selectionModel().currentChanged.connect(lambda *_: self._item_selected())
        self.grid_model.modelReset.connect(self._apply_grid_widths)
        rl.addWidget(self.grid, 1)
        self.empty_label = QLabel()
        self.empty_label.setStyleSheet(HINT_STYLE)
        rl.addWidget(self.empty_label)

        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.attachments = AttachmentPanel(self.ctx, "证明材料（所选条目）")
        bottom = QWidget()
        bl = QHBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(self.detail, 3)
        bl.addWidget(self.attachments, 2)

        self.right_split = QSplitter(Qt.Orientation.Vertical)
        self.right_split.addWidget(self.report_box)
        self.right_split.addWidget(bottom)
        self.right_split.setStretchFactor(0, 4)
        self.right_split.setStretchFactor(1, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.overview)
        self.splitter.addWidget(self.right_split)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setSizes([490, 1010])
        self.right_split.setSizes([520, 170])
        outer.addWidget(self.splitter, 1)

        for seq, slot, widget, context in (
            (QKeySequence.StandardKey.Find, self._focus_filter, self, Qt.ShortcutContext.WidgetWithChildrenShortcut),
            (QKeySequence.StandardKey.Delete, self.remove_item, self.grid, Qt.ShortcutContext.WidgetShortcut),
            (QKeySequence(Qt.Key.Key_Return), self._grid_enter, self.grid, Qt.ShortcutContext.WidgetShortcut),
            (QKeySequence(Qt.Key.Key_Enter), self._grid_enter, self.grid, Qt.ShortcutContext.WidgetShortcut),
        ):
            sc = QShortcut(seq, widget)
            sc.setContext(context)
            sc.activated.connect(slot)
        self._show_report()

    def _focus_filter(self) -> None:
        self.filter.setFocus()
        self.filter.selectAll()

    def _apply_grid_widths(self) -> None:
        """Column widths when the grid's columns change (first load, another year's departments);
        a reload of the same columns keeps what the clerk dragged."""
        n = len(self.grid_model.departments)
        if n == self._grid_departments:
            return
        self._grid_departments = n
        header = self.grid.horizontalHeader()
        key = f"reports/grid_header/{n}"
        state = self.ctx.settings.value(key)
        if isinstance(state, QByteArray) and header.restoreState(state):
            return
        widths = [64, 200, 90] + [66] * len(self.grid_model.departments) + [74, 120, 44]
        for col, w in enumerate(widths):
            self.grid.setColumnWidth(col, w)

    def _restore_layout(self) -> None:
        s = self.ctx.settings
        for key, widget in (("reports/splitter", self.splitter), ("reports/right_splitter", self.right_split)):
            state = s.value(key)
            if isinstance(state, QByteArray):
                widget.restoreState(state)
        state = s.value("reports/overview_header")
        if isinstance(state, QByteArray):
            self.overview.horizontalHeader().restoreState(state)

    def save_layout(self) -> None:
        s = self.ctx.settings
        s.setValue("reports/splitter", self.splitter.saveState())
        s.setValue("reports/right_splitter", self.right_split.saveState())
        s.setValue("reports/overview_header", self.overview.horizontalHeader().saveState())
        if self._grid_departments is not None:
            self._save_grid_header(self._grid_departments)

    def _save_grid_header(self, departments: int) -> None:
        self.ctx.settings.setValue(f"reports/grid_header/{departments}", self.grid.horizontalHeader().saveState())

    # Loading -----------------------------------------------------------------------------
    def activate(self) -> None:
        if self._month is None:
            self._pick_default_month()
        elif self._stale:
            self.refresh()

    def _on_data_changed(self, what: frozenset[str]) -> None:
        if touches(what, RELEVANT_TABLES):
            if self.isVisible():
                self.refresh()
            else:
                self._stale = True

    def _on_year_changed(self, _year: int) -> None:
        self._month = None
        if self.isVisible():
            self._pick_default_month()
        else:
            self._stale = True

    def _pick_default_month(self) -> None:
        """This month in the running year; else the latest month with a report (else January)."""
        year, db, today = self.ctx.year, self.ctx.db, dt.date.today()
        if year == today.year:
            self.set_month(today.month)
            return
        self.ctx.worker.run(lambda: report_service.latest_month(db, year),
                            lambda m: self.set_month(m or 1), lambda e: show_error(self, e))

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
        self._token += 1
        token, db, year, month, town_id = self._token, self.ctx.db, self.ctx.year, self._month, self._town_id

        def fetch():
            overview = report_service.month_overview(db, year, month)
            if town_id is not None and all(t.town_id != town_id for t in overview.towns):
                tid = None
            else:
                tid = town_id
            table = report_service.verification_table(db, year, month, town_id=tid)
            report = report_service.get_report(db, tid, year, month) if tid is not None else None
            return overview, table, report, tid

        self.ctx.worker.run(fetch, lambda r: self._loaded(token, *r), lambda e: self._failed(token, e))

    def _failed(self, token: int, exc: BaseException) -> None:
        if token == self._token:
            show_error(self, exc)

    def _loaded(self, token: int, overview, table, report, town_id) -> None:
        if token != self._token:
            return
        self._overview, self._table, self._report, self._town_id = overview, table, report, town_id
        self.year_label.setText(f"{overview.year}年")
        self.due_label.setText(f"报送截止 {short_date(overview.report_due)}　核实截止 {short_date(overview.verify_due)}"
                               f"　核实部门：{'、'.join(overview.departments)}")
        self._show_summary(overview)
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

    def _show_summary(self, ov: report_service.MonthOverview) -> None:
        t = ov.totals
        towns = len(ov.towns)
        late = sum(1 for r in ov.towns if r.is_late)
        missing = sum(1 for r in ov.towns if r.overdue)
        parts = [f"{ov.month}月：{towns} 个镇街中 <b>{ov.reported}</b> 个已报送"]
        flags = []
        if late:
            flags.append(f"<span style='color:#C0392B'>逾期报送 {late} 个</span>")
        if missing:
            flags.append(f"<span style='color:#C0392B'>逾期未报 {missing} 个</span>")
        if flags:
            parts[0] += "（" + "，".join(flags) + "）"
        parts.append(f"报送条目 <b>{t.items}</b> 项、完成面积 {units.fmt(t.completed_area_mu, 2)} 亩")
        verified = f"已核实 <b>{t.verified}</b> 项（{units.fmt(t.verified_area_mu, 2)} 亩）"
        failed = f"<span style='color:#C0392B'>未通过 {t.failed} 项</span>" if t.failed else "未通过 0 项"
        parts.append(f"{verified}，{failed}，待核实 {t.pending} 项")
        if t.late_verifications:
            parts.append(f"<span style='color:#C0392B'>核实逾期 {t.late_verifications} 次</span>")
        self.summary.setText("；".join(parts))

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
        if not single:
            self.report_box.setTitle(f"全部镇街 {month}月报送条目与核实" if month else "报送条目与核实")
            self.report_hint.setText("选择左侧的镇街，可填写报送日期、添加完成条目")
        else:
            self.report_box.setTitle(f"{self._town_name()} {month}月报送")
            if report is None or report.reported_on is None:
                self.report_hint.setText("尚未报送：填写报送日期并保存后可添加完成条目")
            else:
                self.report_hint.setText(f"报送截止 {short_date(report.report_due)}，本报送 {report.item_count} 个条目")
        for w in (self.date_caption, self.date_edit, self.save_date_button, self.add_button):
            w.setVisible(single)
        for w in (self.date_edit, self.save_date_button):
            w.setEnabled(single and self._month is not None)
        if single and self._month is not None:
            year = self.ctx.year
            first = dt.date(year, self._month, 1)
            self.date_edit.setMinimumDate(qdate(first))
            self.date_edit.setMaximumDate(qdate(max(dt.date.today(), first)))
            if report is not None and report.reported_on is not None:
                self.date_edit.setDate(qdate(report.reported_on))
            else:
                due = self._overview.report_due if self._overview else first
                self.date_edit.setDate(qdate(min(dt.date.today(), due)))
        late = single and report is not None and report.is_late
        self.late_label.setText(f"逾期（截止 {short_date(report.report_due)}，计入考核排名）" if late else "")
        self.add_button.setEnabled(single and report is not None and report.reported_on is not None)
        self.add_button.setToolTip("" if self.add_button.isEnabled() else "请先选择镇街并保存报送日期")
        if self.grid_model.rowCount():
            self.empty_label.setVisible(False)
        else:
            self.empty_label.setVisible(True)
            self.empty_label.setText("本月没有报送条目。" if not single else
                                     "本报送还没有条目。" if report is not None and report.reported_on else
                                     "该镇街本月尚未报送。")

    def _selected_item(self) -> ItemRow | None:
        index = self.grid.currentIndex()
        return self.grid_model.item(index.row()) if index.isValid() else None

    def _item_selected(self) -> None:
        item = self._selected_item()
        self.edit_button.setEnabled(item is not None and item.can_edit)
        self.verify_button.setEnabled(item is not None and item.can_verify)
        self.remove_button.setEnabled(item is not None and item.can_remove)
        self.resume_button.setEnabled(item is not None and item.can_resume)
        if item is None:
            self.detail.setText("<span style='color:#606060'>选择一个条目查看各部门核实情况和证明材料</span>")
            self.attachments.set_object(None, None)
            return
        code = f"，{item.credit_code}" if item.credit_code else ""
        lines = [f"<b>{item.target}</b>（{item.town}{code}，{item.method.label}）　报送 {date_text(item.reported_on)}"
                 + ("　<span style='color:#C0392B'>报送逾期</span>" if item.report_late else ""),
                 f"完成面积 {units.fmt(item.completed_area_mu, 2)} 亩（计划 {units.fmt(item.planned_area_mu, 2)} 亩）"
                 f"　核实状态：{item.overall}　条目状态：{item.entry_state.label}"]
        for c in item.cells:
            if c.result is None:
                lines.append(f"{c.department}：<span style='color:#8A8A8A'>尚未核实</span>")
                continue
            colour = "#C0392B" if c.result is VerifyResult.FAIL else "#1E7B34"
            text = f"{c.department}：<span style='color:{colour}'>{c.text}</span> {date_text(c.verified_on)}"
            if c.is_late:
                text += " <span style='color:#C0392B'>逾期</span>"
            if c.note:
                text += f"　{c.note}"
            lines.append(text)
        if not item.is_current:
            lines.append("<span style='color:#8A8A8A'>该条目已重新实施并另行报送，本月记录仅供查阅。</span>")
        self.detail.setText("<br>".join(lines))
        if self.attachments.object_id != item.item_id:
            self.attachments.set_object(report_service.OBJECT_TYPE, item.item_id)

    def _filter_changed(self, text: str) -> None:
        self.grid_model.set_filter(text)
        self._item_selected()

    # Report date -------------------------------------------------------------------------
    def save_date(self) -> None:
        if self._town_id is None or self._month is None:
            return
        db, town_id, year, month = self.ctx.db, self._town_id, self.ctx.year, self._month
        day = pydate(self.date_edit.date())
        report_id = self._report.id if self._report is not None else None

        def work():
            if report_id is None:
                return report_service.open_report(db, town_id, year, month, day)
            return report_service.set_reported_on(db, report_id, day)

        self.ctx.worker.run(work, lambda _info: self.ctx.changed("monthly_report"), lambda e: show_error(self, e))

    # Items -------------------------------------------------------------------------------
    def add_items(self) -> None:
        report = self._report
        if report is None or report.reported_on is None:
            return
        db, town_id, year = self.ctx.db, report.town_id, self.ctx.year
        self.ctx.worker.run(lambda: report_service.reportable_entries(db, town_id, year),
                            lambda rows: self._open_add_dialog(report, rows), lambda e: show_error(self, e))

    def _open_add_dialog(self, report: ReportInfo, rows) -> None:
        dialog = AddItemsDialog(report.town, report.month, report.reported_on, rows, self)
        db = self.ctx.db

        def save(chosen) -> None:
            self.ctx.worker.run(lambda: report_service.add_items(db, report.id, chosen),
                                lambda _ids: self._saved(dialog, "monthly_report_item"), dialog.show_error)

        dialog.submitted.connect(save)
        self._open(dialog)

    def _open(self, dialog) -> None:
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def _saved(self, dialog, what: str) -> None:
        dialog.accept()
        self.ctx.changed(what)

    def edit_item(self) -> None:
        item = self._selected_item()
        if item is None or not item.can_edit:
            return
        dialog = ItemDialog(item, self)
        db = self.ctx.db

        def save(area, note) -> None:
            self.ctx.worker.run(lambda: report_service.update_item(db, item.item_id, completed_area_mu=area, note=note),
                                lambda _r: self._saved(dialog, "monthly_report_item"), dialog.show_error)

        dialog.submitted.connect(save)
        self._open(dialog)

    def remove_item(self) -> None:
        item = self._selected_item()
        if item is None:
            return
        if not item.can_remove:
            QMessageBox.information(self, "不能移除", f"条目当前状态为“{item.entry_state.label}”，"
                                    "只有“已报完成”、尚未核实的条目可以移除。")
            return
        if QMessageBox.question(self, "移除条目", f"确定从本月报送中移除“{item.target}”吗？\n\n"
                                "该条目将退回“实施中”，已录入的部门核实记录一并删除。") != QMessageBox.StandardButton.Yes:
            return
        db = self.ctx.db
        self.ctx.worker.run(lambda: report_service.remove_item(db, item.item_id),
                            lambda _r: self.ctx.changed("monthly_report_item"), lambda e: show_error(self, e))

    def resume_item(self) -> None:
        item = self._selected_item()
        if item is None or not item.can_resume:
            return
        if QMessageBox.question(self, "重新实施", f"“{item.target}”核实未通过，确定退回“实施中”吗？\n\n"
                                "整改完成后可在以后月份重新报送。") != QMessageBox.StandardButton.Yes:
            return
        db = self.ctx.db
        self.ctx.worker.run(lambda: list_service.transition(db, item.entry_id, "resume"),
                            lambda _r: self.ctx.changed("list_entry"), lambda e: show_error(self, e))

    # Verification ------------------------------------------------------------------------
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
        if not item.can_verify:
            QMessageBox.information(self, "不能更改", f"条目当前状态为“{item.entry_state.label}”，核实记录不能再更改。")
            return None
        if column is None:
            column = self.grid.currentIndex().column()
        d = self.grid_model.department_index(column)
        if d is None:  # first department not yet recorded
            d = next((i for i, c in enumerate(item.cells) if c.result is None), 0)
        dialog = VerificationDialog(item, self._table.departments, d, self._table.verify_due, parent=self)
        db = self.ctx.db

        def save(v: dict) -> None:
            self.ctx.worker.run(
                lambda: report_service.record_verification(db, item.item_id, v["department"], v["result"],
                                                           v["verified_on"], v["note"]),
                lambda _state: self._saved(dialog, "verification"), dialog.show_error)

        def clear(department: str) -> None:
            if QMessageBox.question(dialog, "清除记录", f"确定清除{department}对该条目的核实记录吗？") \
                    != QMessageBox.StandardButton.Yes:
                dialog.ok_button.setEnabled(True)
                dialog.clear_button.setEnabled(True)
                return
            self.ctx.worker.run(lambda: report_service.clear_verification(db, item.item_id, department),
                                lambda _state: self._saved(dialog, "verification"), dialog.show_error)

        dialog.submitted.connect(save)
        dialog.cleared.connect(clear)
        self._open(dialog)
        return dialog

    # Export ------------------------------------------------------------------------------
    def export(self) -> None:
        if self._month is None:
            return
        path = ask_save_xlsx(self, self.ctx.settings, "reports/export_dir", "导出核实表",
                             report_export.default_file_name(self.ctx.year, self._month))
        if path is not None:
            self.export_to(str(path))

    def export_to(self, path: str, on_done=None) -> None:
        """Write the month's verification table on the worker, with a progress dialog and 取消."""
        db, year, month = self.ctx.db, self.ctx.year, self._month

        def done(result: report_export.ExportResult) -> None:
            if on_done is not None:
                on_done(result)
            else:
                QMessageBox.information(self, "导出完成", f"已导出 {result.rows} 个条目到：\n{result.path}")

        run_with_progress(self, self.ctx.worker, "正在导出核实表…",
                          lambda progress, token: report_export.export_month(db, year, month, path, progress, token),
                          done)
