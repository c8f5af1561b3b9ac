"""周转指标库 page (四(三)): the ledger per loan, per SOE or per town as of a date; new loans against a
filed 收储 plan (cap shown live), partial returns, undo of the last slip, and the ledger exported to Excel.

The legend and the forms say the year's rules (cap, return due, fee) from the parameters, never from
numbers written here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QLabel, QMessageBox, QStackedWidget, QVBoxLayout

from desktop.services.documents import pdf_output
from desktop.services.quota import quota_ledger, quota_service
from desktop.services.quota.quota_ledger import LoanLedgerRow, QuotaLedger, ReturnRow
from desktop.views.kit.as_of import AsOfField
from desktop.views.kit.columns import ColumnChooser
from desktop.views.kit.context import AppContext
from desktop.views.kit.file_choice import ask_save_xlsx
from desktop.views.kit.file_export import export_file
from desktop.views.kit.layouts import hint_label, search_box, table_view
from desktop.views.kit.ops import query, write
from desktop.views.kit.page import Page
from desktop.views.kit.rows import date_text, mu
from desktop.views.kit.table import ActionBar, Layout, needs_one, resort, select_id, selected_rows, \
    shortcut, title_label
from desktop.views.kit.print_preview import add_print_action
from desktop.views.kit.table_export import add_export_action, describe_filters
from desktop.views.kit.town_filter import sync_town_filter, town_filter_box
from desktop.views.kit.undo import Ref, Step, UndoKit
from desktop.views.kit.widgets import button, splitter
from desktop.views.quota.quota_dialogs import LendDialog, ReturnDialog
from desktop.views.quota.quota_models import LedgerTotalsModel, LoanLedgerModel, ReturnsModel

RELEVANT_TABLES = frozenset({"quota_loan", "quota_return", "quota_pool", "plan", "list_entry", "year_params", "year",
                   "town", "soe"})
VIEWS = [("loans", "按笔"), ("soe", "按国企汇总"), ("town", "按镇街汇总")]


class QuotaPage(Page):
    relevant_tables = RELEVANT_TABLES

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.report: QuotaLedger | None = None
        self.dialog: LendDialog | ReturnDialog | None = None
        self.last_export: Path | None = None
        self._build()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.addWidget(title_label("周转指标库"))
        self.summary = QLabel("")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.summary)

        bar = QHBoxLayout()
        self.as_of_edit = AsOfField(self.ctx.ledger.today, year=self.ctx.year,
                                    tip="台账按此日期计算余额、逾期天数和使用费（此日之后的预借和归还不计）")
        bar.addWidget(self.as_of_edit)
        bar.addSpacing(12)
        bar.addWidget(QLabel("镇街："))
        self.town_filter = town_filter_box(110)
        bar.addWidget(self.town_filter)
        bar.addWidget(QLabel("国企："))
        self.soe_filter = town_filter_box(150)
        self.soe_filter.setItemText(0, "全部国企")
        bar.addWidget(self.soe_filter)
        self.view_combo = QComboBox()
        for key, label in VIEWS:
            self.view_combo.addItem(label, key)
        bar.addWidget(self.view_combo)
        self.search = search_box(self, "筛选（Ctrl+F）", width=180)
        bar.addWidget(self.search)
        bar.addStretch(1)
        outer.addLayout(bar)
        actions = QHBoxLayout()  # a line of its own: the filters and the buttons together overflow 1366×768

        self.model = LoanLedgerModel(self)
        self.table = table_view(self.model, "loan_table", (72, 160, 170, 88, 130, 80, 76, 80, 88, 66, 96),
                                section=100)
        # What fits a 1366×768 laptop: 用途 and 已归还 (the balance says it) can be shown from the header menu.
        self.columns = ColumnChooser(self.table, hidden={"purpose", "returned_mu"})
        self.table.doubleClicked.connect(lambda _i: self.open_return_dialog())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._loan_selected())
        self.actions = ActionBar(self.table, self)
        self.lend_button = self.actions.add("新增预借", self.open_lend_dialog, keys=QKeySequence.StandardKey.New)
        self.return_button = self.actions.add("归还…", self.open_return_dialog, when=self._why_not_return,
                                              tip="回车或双击")
        self.delete_button = self.actions.add("删除", self.delete_selected_loan, when=self._why_not_delete,
                                              keys=QKeySequence.StandardKey.Delete, local_keys=True,
                                              tip="删除误录的预借")
        self.undo = UndoKit(self)
        self.export_button = button("导出台账", self.choose_export_file, tip="导出台账明细及按国企、按镇街汇总（.xlsx）")
        for b in (self.lend_button, self.return_button, self.delete_button, self.undo.undo_button,
                  self.undo.redo_button):
            actions.addWidget(b)
        actions.addStretch(1)
        actions.addWidget(self.export_button)
        actions.addWidget(add_print_action(self, pdf_output.quota_ledger_pdf, lambda: (self.as_of(),),
                                           title=lambda: f"周转指标库台账（截至{self.as_of():%Y-%m-%d}）",
                                           settings_key="quota", status=lambda: self.status))
        actions.addWidget(add_export_action(
            self, lambda: self.stack.currentWidget(), settings_key="quota", status=lambda: self.status,
            title=lambda: f"周转指标库台账（{self.view_combo.currentText()}）",
            subtitle=lambda: describe_filters(("截至", date_text(self.as_of())), ("镇街", self.town_filter),
                                              ("国企", self.soe_filter), ("关键词", self.search), prefix="")))
        outer.addLayout(actions)

        self.totals_model = LedgerTotalsModel(self)
        self.totals_table = table_view(self.totals_model, "totals_table", (240,), section=100)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.totals_table)

        self.returns_model = ReturnsModel(self)
        self.returns_table = table_view(self.returns_model, "returns_table", section=100)
        self.returns_box = QGroupBox("归还记录")
        rl = QVBoxLayout(self.returns_box)
        rl.addWidget(self.returns_table)
        self.return_actions = ActionBar(self.returns_table, self)
        self.delete_return_button = self.return_actions.add(
            "删除归还记录", self.delete_selected_return, when=needs_one, keys=QKeySequence.StandardKey.Delete,
            local_keys=True, tip="删除误录的归还记录（操作日志保留原记录）")
        rbar = QHBoxLayout()
        rbar.addStretch(1)
        rbar.addWidget(self.delete_return_button)
        rl.addLayout(rbar)

        self.splitter = splitter(Qt.Orientation.Vertical, (self.stack, 4), (self.returns_box, 1))
        self.splitter.setSizes([520, 160])
        outer.addWidget(self.splitter, 1)
        self.legend = hint_label()
        outer.addWidget(self.legend)
        self.status = hint_label(wrap=False)
        outer.addWidget(self.status)

        self.as_of_edit.changed.connect(lambda _d: self.refresh())
        self.town_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.soe_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.view_combo.currentIndexChanged.connect(lambda _i: self._show_view())
        self.search.textChanged.connect(self._search_changed)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut(self.table, key, self.open_return_dialog, local=True)
        self.layout_state = Layout(self.ctx.settings, "quota", {
            "header": self.table.horizontalHeader(), "totals_header": self.totals_table.horizontalHeader(),
            "returns_header": self.returns_table.horizontalHeader(), "splitter": self.splitter})

    def save_layout(self) -> None:
        self.layout_state.save()

    # Loading -----------------------------------------------------------------------------
    def as_of(self) -> dt.date:
        return self.as_of_edit.value()

    def set_as_of(self, day: dt.date) -> None:
        self.as_of_edit.set_value(day)  # reloads when the day changes

    def refresh(self) -> None:
        self._stale = False
        query(self, "ledger", _page_data, self.as_of(), town_id=self.town_filter.currentData(),
              soe_id=self.soe_filter.currentData(), done=self._loaded)

    def _loaded(self, result) -> None:
        report, (towns, soes) = result
        self.report = report
        selected = self.selected_loan()
        self.model.set_report(report)
        resort(self.table)
        select_id(self.table, selected.loan_id if selected else None)
        sync_town_filter(self.town_filter, towns)
        sync_town_filter(self.soe_filter, soes)
        self._show_view()
        self._loan_selected()
        self.summary.setText(_summary(report))
        t = report.terms
        self.legend.setText(
            f"红色：逾期未还（归还期限为{t.due_text}，逾期未还的每亩收取指标使用费，{t.year} 年度参数为 {t.fee_text}；"
            f"按各笔预借所在年度的参数计算）。黄色：{quota_ledger.DUE_SOON_DAYS} 天内到期。双击一笔预借可登记归还。")

    def _show_view(self) -> None:
        key = self.view_combo.currentData()
        if key == "loans" or self.report is None:
            self.stack.setCurrentWidget(self.table)
        else:
            groups = self.report.by_soe if key == "soe" else self.report.by_town
            self.totals_model.set_totals("合作国企" if key == "soe" else "镇街", groups, self.report.total)
            self.stack.setCurrentWidget(self.totals_table)
        self.returns_box.setVisible(key == "loans")
        self.actions.update()

    def _search_changed(self, text: str) -> None:
        selected = self.selected_loan()
        self.model.set_filter(text)
        select_id(self.table, selected.loan_id if selected else None)
        self._loan_selected()

    # Selection ---------------------------------------------------------------------------
    def selected_loan(self) -> LoanLedgerRow | None:
        rows = selected_rows(self.table)
        return rows[0] if rows else None

    def selected_return(self) -> ReturnRow | None:
        rows = selected_rows(self.returns_table)
        return rows[0] if rows else None

    def _loans_view(self, rows: list) -> str | None:
        if self.view_combo.currentData() != "loans":
            return "请先切换到“按笔”查看"
        return needs_one(rows)

    def _why_not_return(self, rows: list) -> str | None:
        return self._loans_view(rows) or quota_ledger.why_not_return(rows[0])

    def _why_not_delete(self, rows: list) -> str | None:
        return self._loans_view(rows) or quota_ledger.why_not_delete(rows[0])

    def _loan_selected(self) -> None:
        loan = self.selected_loan()
        if loan is None or self.report is None:
            self.returns_box.setTitle("归还记录（请选择一笔预借）")
            self.returns_model.set_rows([])
            return
        returns = self.report.returns.get(loan.loan_id, [])
        self.returns_box.setTitle(f"归还记录：{loan.town}｜{self.model.plan_label(loan)}，{date_text(loan.loan_date)} "
                                  f"预借 {mu(loan.area_mu)} 亩（{len(returns)} 次归还）")
        self.returns_model.set_rows(returns)

    # New loan ----------------------------------------------------------------------------
    def open_lend_dialog(self) -> None:
        day = self.ctx.ledger.today()
        query(self, "lend", _lend_data, day, done=lambda data: self._show_lend_dialog(data, day))

    def _show_lend_dialog(self, data, day: dt.date) -> None:
        dialog = LendDialog(*data, day, self)
        dialog.year_changed.connect(lambda on: query(dialog, "plans", _lend_data, on, done=dialog.set_data))

        def save(v: dict) -> None:
            write(dialog, quota_service.lend, v["plan_id"], loan_date=v["loan_date"], area_mu=v["area_mu"],
                  purpose=v["purpose"], failed=dialog.show_error,
                  done=lambda row: (dialog.accept(), self._lent(row, v)))

        self._open(dialog, save)

    def _open(self, dialog, save) -> None:
        dialog.submitted.connect(save)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def _lent(self, row: LoanLedgerRow, v: dict) -> None:
        self.status.setText(f"已登记预借：{row.town} {row.soe} {date_text(row.loan_date)} {mu(row.area_mu)} 亩，"
                            f"应于 {date_text(row.due_date)} 前归还")
        ref = self.undo.ref(row.loan_id)
        self.undo.push(f"预借 {mu(row.area_mu)} 亩（{row.town}）", undo=Step(quota_service.delete_loan, ref),
                       redo=Step(quota_service.lend, v["plan_id"], loan_date=v["loan_date"], area_mu=v["area_mu"],
                                 purpose=v["purpose"], sets=ref))

    # Return ------------------------------------------------------------------------------
    def open_return_dialog(self) -> None:
        loan = self.selected_loan()
        if loan is None or self._why_not_return([loan]):
            return
        # The balance with every return counted (not as of the page's date): what may still be returned.
        query(self, "balance", quota_service.balance_of, loan.loan_id,
              done=lambda balance: self._show_return_dialog(loan, balance))

    def _show_return_dialog(self, loan: LoanLedgerRow, balance: Decimal) -> None:
        if balance <= 0:
            QMessageBox.information(self, "归还", "该笔预借已全部归还（含截至日期之后的归还）。")
            return
        dialog = ReturnDialog(loan, self.model.plan_label(loan), balance, self.ctx.ledger.today(), self)

        def save(v: dict) -> None:
            write(dialog, quota_service.return_quota, loan.loan_id, return_date=v["return_date"],
                  area_mu=v["area_mu"], note=v["note"], failed=dialog.show_error,
                  done=lambda r: (dialog.accept(), self._returned(loan, r, v)))

        self._open(dialog, save)

    def _returned(self, loan: LoanLedgerRow, r: ReturnRow, v: dict) -> None:
        self.status.setText(f"已登记归还：{date_text(r.return_date)} {mu(r.area_mu)} 亩")
        ref, loan_ref = Ref(r.id), self.undo.ref(loan.loan_id)  # a return's own ref: ids of two tables
        self.undo.push(f"归还 {mu(r.area_mu)} 亩（{loan.town}）", undo=Step(quota_service.delete_return, ref),
                       redo=Step(quota_service.return_quota, loan_ref, return_date=v["return_date"],
                                 area_mu=v["area_mu"], note=v["note"], sets=ref))

    # Delete ------------------------------------------------------------------------------
    def delete_selected_loan(self) -> None:
        loan = self.selected_loan()
        if loan is None:
            return
        text = (f"确定删除这笔预借？\n{loan.town}｜{self.model.plan_label(loan)}\n{loan.soe}，"
                f"{date_text(loan.loan_date)} 预借 {mu(loan.area_mu)} 亩\n\n仅用于删除误录的记录；操作日志会保留原记录。")
        if QMessageBox.question(self, "删除预借", text) == QMessageBox.StandardButton.Yes:
            write(self, quota_service.delete_loan, loan.loan_id)

    def delete_selected_return(self) -> None:
        r = self.selected_return()
        if r is None:
            return
        if QMessageBox.question(self, "删除归还记录", f"确定删除 {date_text(r.return_date)} 归还 {mu(r.area_mu)} 亩的记录？") \
                == QMessageBox.StandardButton.Yes:
            write(self, quota_service.delete_return, r.id)

    # Export ------------------------------------------------------------------------------
    def choose_export_file(self) -> None:
        p = ask_save_xlsx(self, self.ctx.settings, "quota/export_dir", "导出周转指标库台账",
                          f"周转指标库台账-{self.as_of():%Y%m%d}.xlsx")
        if p is not None:
            self.export_to(p)

    def export_to(self, path: Path) -> None:
        """Write the ledger as shown (date, town, SOE) to `path` on the worker lane."""
        export_file(self, self.export_button, self.status, quota_service.export_ledger, path, as_of=self.as_of(),
                    town_id=self.town_filter.currentData(), soe_id=self.soe_filter.currentData(),
                    done=lambda p: setattr(self, "last_export", p))


def _summary(report: QuotaLedger) -> str:
    t = report.total
    parts = [f"截至 {date_text(report.as_of)}：预借 <b>{t.loans}</b> 笔 <b>{mu(t.borrowed_mu)}</b> 亩，"
             f"已归还 <b>{mu(t.returned_mu)}</b> 亩，未还 <b>{mu(t.balance_mu)}</b> 亩"]
    if t.overdue_loans:
        parts.append(f"<span style='color:#A61B1B'>逾期未还 <b>{t.overdue_loans}</b> 笔 <b>{mu(t.overdue_mu)}</b> 亩</span>")
    if t.fee_wan:
        parts.append(f"<span style='color:#A61B1B'>应收指标使用费 <b>{mu(t.fee_wan)}</b> 万元</span>")
    soon = sum(1 for r in report.rows if quota_ledger.due_soon(r, report.as_of))
    if soon:
        parts.append(f"<span style='background:#FFE699'>{quota_ledger.DUE_SOON_DAYS} 天内到期 <b>{soon}</b> 笔</span>")
    return "；".join(parts)


def _page_data(ledger, as_of: dt.date, *, town_id, soe_id):
    """What the page shows, in one lane job: the ledger as of the day, and the towns and SOEs to filter by."""
    return (quota_ledger.ledger_report(ledger, as_of=as_of, town_id=town_id, soe_id=soe_id),
            quota_ledger.filter_choices(ledger))


def _lend_data(ledger, on: dt.date):
    """The plans that may lend on `on`, and the rules of that loan year."""
    return quota_ledger.lendable_plans(ledger, on=on), quota_ledger.loan_terms(ledger, on.year)
