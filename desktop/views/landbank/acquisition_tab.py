"""市场化收购 tab (三(三)2): the entries with a filed 收购 plan; per entry the investor, new project and the
stage dates with the 会审 result, its agreements (收购/投资监管协议 only after a passed 会审, the menu
saying why not), and the monthly tax feedback with 缺报 months red. Progress and tax records can be
undone (Ctrl+Z)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMenu, QMessageBox, QVBoxLayout, QWidget

from desktop.models.enums import AcquisitionStage, AgreementKind
from desktop.services import units
from desktop.services.errors import ValidationError
from desktop.services.landbank import acquisition_service
from desktop.services.landbank.acquisition_service import AcquisitionRow, AcquisitionValues, TaxMonthRow
from desktop.services.towns import town_service
from desktop.views.kit.date_field import DateField
from desktop.views.kit.forms import plain
from desktop.views.kit.ops import query, write
from desktop.views.kit.rows import date_text
from desktop.views.kit.layouts import search_box
from desktop.views.kit.table import ActionBar, needs_one, reload_rows
from desktop.views.kit.table_export import add_export_action, describe_filters
from desktop.views.kit.town_filter import town_filter_box
from desktop.views.kit.undo import Step
from desktop.views.kit.widgets import splitter
from desktop.views.landbank.acquisition_forms import ProgressForm, TaxForm, TaxRecordDialog, values_of
from desktop.views.landbank.agreement_dialog import open_agreement_dialog
from desktop.views.landbank.landbank_models import AcquisitionModel, ShortAgreementModel, TabBase, TaxMonthModel, \
    bar, enum_box, first, group, new_table

PICK_ENTRY = "请先选择治理对象"
SIGNABLE = (AgreementKind.ACQUISITION, AgreementKind.INVESTMENT_SUPERVISION, AgreementKind.OTHER)


def default_as_of(year: int, today: dt.date) -> dt.date:
    """Tax months are counted to today, or to the end of a past year being looked at."""
    return min(today, dt.date(year, 12, 31))


def _acquisitions(ledger, year: int, *, town_id, stage, text: str, as_of: dt.date):
    rows = acquisition_service.acquisition_entries(ledger, year, town_id=town_id, text=text, as_of=as_of)
    return [r for r in rows if stage is None or r.stage is stage], town_service.list_towns(ledger)


def _detail(ledger, entry_id: int, as_of: dt.date):
    """One acquisition, its agreements and its tax months."""
    acq = acquisition_service.get_acquisition(ledger, entry_id, as_of=as_of)
    months = acquisition_service.tax_months(ledger, acq.acquisition_id, as_of) if acq.acquisition_id else []
    return acq, acquisition_service.agreements_of(ledger, entry_id), months


def _put_tax(ledger, acquisition_id: int, month: dt.date, due: str | None, paid: str, note: str) -> None:
    """Undo and redo of one month's tax feedback: save it, or (due None) remove that month's record."""
    if due is not None:
        acquisition_service.save_tax_record(ledger, acquisition_id, month, due, paid, note)
        return
    for m in acquisition_service.tax_months(ledger, acquisition_id, month):
        if m.month == month and m.record_id is not None:
            acquisition_service.delete_tax_record(ledger, m.record_id)


class AcquisitionTab(TabBase):
    """市场化收购 (三(三)2)."""

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.tax_dialog: TaxRecordDialog | None = None
        self._row: AcquisitionRow | None = None
        self._as_of_year = ctx.year
        self._as_of = default_as_of(ctx.year, ctx.ledger.today())
        self._build()

    # Layout ---------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.town_filter = town_filter_box(110)
        self.stage_filter = enum_box("全部阶段", AcquisitionStage)
        self.search = search_box(self, "按治理对象筛选（Ctrl+F）", width=200)
        self.as_of_edit = DateField(label="税收统计截至日期", field="as_of", year=self.ctx.year, show_error_line=False)
        self.as_of_edit.set_value(self._as_of)
        self.count_label = QLabel()
        export = add_export_action(
            self, lambda: self.table, title=lambda: f"{self.ctx.year}年度市场化收购", settings_key="landbank",
            subtitle=lambda: "　".join(filter(None, (
                describe_filters(("镇街", self.town_filter), ("阶段", self.stage_filter), ("治理对象", self.search)),
                describe_filters(("税收统计截至", date_text(self._as_of)), prefix="")))))
        outer = QVBoxLayout(self)
        outer.addLayout(bar("镇街：", self.town_filter, "阶段：", self.stage_filter, self.search, "税收统计截至：",
                            self.as_of_edit, self.undo.undo_button, self.undo.redo_button, None, self.count_label,
                            export))
        self.model = AcquisitionModel(self)
        self.table = new_table("acquisition_table", self.model, {
            "town": 70, "target": 160, "planned_area_mu": 75, "investor": 165, "new_project": 150, "stage_text": 95,
            "joint_review_text": 135, "signed_on": 92, "filed_on": 92, "missing_months": 98, "unpaid_wan": 90},
            selected=self._entry_selected)
        entry = ActionBar(self.table, self)
        self.save_button = entry.add("保存进度", self.save_progress, when=lambda rows: needs_one(rows) and PICK_ENTRY)
        self.new_agreement_button = entry.add("签订协议 ▾", lambda: None, when=lambda rows: needs_one(rows) and PICK_ENTRY)
        self.progress = ProgressForm(self.save_button, self.ctx.year)
        self.progress_box = group("收购进度", self.progress, (QWidget(), 1))
        self.detail_splitter = splitter(Qt.Orientation.Horizontal, (self.progress_box, 3), (self._agreements_box(), 4),
                                        (self._tax_box(), 4))
        self.splitter = splitter(Qt.Orientation.Vertical, (self.table, 1), (self.detail_splitter, 1))
        outer.addWidget(self.splitter, 1)

        self.refresh_on(self.town_filter, self.stage_filter, self.search)
        self.as_of_edit.changed.connect(self._as_of_edited)
        for widget in (self.progress.investor_edit, self.progress.project_edit):
            widget.returnPressed.connect(self.save_progress)
        self.show_detail(None)
        self.remember(acquisitions=self.table, acquisition_agreements=self.agreement_table,
                      acquisition_tax=self.tax_table, acquisition_splitter=self.splitter,
                      acquisition_detail_splitter=self.detail_splitter)

    def _agreements_box(self):
        self.agreement_model = ShortAgreementModel(self)
        self.agreement_table = new_table("acquisition_agreement_table", self.agreement_model, {
            "kind": 90, "party_a": 130, "party_b": 150, "signed_on": 85, "amount_wan": 90, "area_mu": 65,
            "cost_per_mu": 95, "filed_on": 85}, opened=self.edit_agreement)
        menu = QMenu(self.new_agreement_button)
        menu.setToolTipsVisible(True)
        self.agreement_actions = {kind: menu.addAction(kind.label, lambda k=kind: self.new_agreement(k))
                                  for kind in SIGNABLE}
        self.new_agreement_button.setMenu(menu)
        self.edit_agreement_button = ActionBar(self.agreement_table, self).add(
            "编辑协议…", self.edit_agreement, when=needs_one, tip="双击协议也可编辑")
        self.gate_label = QLabel()
        self.gate_label.setWordWrap(True)
        self.agreements_box = group("协议", (self.agreement_table, 1), self.gate_label,
                                    bar(self.new_agreement_button, self.edit_agreement_button, None))
        return self.agreements_box

    def _tax_box(self):
        self.tax_model = TaxMonthModel(self)
        self.tax_table = new_table("tax_month_table", self.tax_model,
                                   {"month": 85, "due_wan": 85, "paid_wan": 85, "status": 100}, sortable=False,
                                   opened=self.edit_tax)
        self.tax_summary = QLabel()
        self.tax_summary.setWordWrap(True)
        tax = ActionBar(self.tax_table, self)
        self.tax_button = tax.add("登记/修改…", self.edit_tax, when=lambda _rows: self._why_no_tax())
        self.tax_delete_button = tax.add(
            "删除", self.delete_tax,
            when=lambda rows: needs_one(rows) or (None if rows[0].record_id is not None else "该月尚未登记"))
        self.tax_box = group("税收反馈（每月）", (self.tax_table, 1), self.tax_summary,
                             bar(self.tax_button, self.tax_delete_button, None))
        return self.tax_box

    def _why_no_tax(self) -> str | None:
        if self._row is None:
            return PICK_ENTRY
        return None if self._row.acquisition_id is not None else "请先保存收购进度"

    # The as-of day of the tax count ----------------------------------------------------------------
    def _as_of_edited(self) -> None:
        try:
            day = self.as_of_edit.value()
        except ValidationError:
            return  # still being typed, or bad: the tab keeps the last good day
        if day is not None and day != self._as_of:
            self._as_of = day
            self.refresh()

    def set_as_of(self, day: dt.date) -> None:
        self.as_of_edit.set_value(day)
        self._as_of_edited()

    def as_of(self) -> dt.date:
        return self._as_of

    # Loading --------------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._stale = False
        if self._as_of_year != self.ctx.year:  # another year chosen: count its tax months to its end (or today)
            self._as_of_year = self.ctx.year
            self._as_of = default_as_of(self.ctx.year, self.ctx.ledger.today())
            self.as_of_edit.set_value(self._as_of)
        query(self, "entries", _acquisitions, self.ctx.year, town_id=self.town_filter.currentData(),
              stage=self.stage_filter.currentData(), text=self.search.text(), as_of=self._as_of, done=self._loaded)

    @staticmethod
    def count_text(rows: list[AcquisitionRow]) -> str:
        missing = sum(1 for r in rows if r.missing_months)
        unpaid = sum(1 for r in rows if r.unpaid_wan > 0)
        return f"收购对象 {len(rows)} 个；税收缺报 {missing} 个，欠缴 {unpaid} 个"

    def load_detail(self, row: AcquisitionRow) -> None:
        query(self, "detail", _detail, row.entry_id, self._as_of, done=lambda r: self.show_detail(*r))

    def show_detail(self, row: AcquisitionRow | None, agreements=(), months=()) -> None:
        self._row = row
        self.progress.show_row(row)
        reload_rows(self.agreement_table, list(agreements))
        reload_rows(self.tax_table, list(months))
        if row is None:
            self.progress_box.setTitle("收购进度（请选择治理对象）")
            self.agreements_box.setTitle("协议")
            self.tax_box.setTitle("税收反馈（每月）")
            self.gate_label.clear()
            self.tax_summary.clear()
            return
        self.progress_box.setTitle(f"收购进度：{row.target}（{row.stage_text}）")
        self.agreements_box.setTitle(f"协议：{row.target}")
        for kind, action in self.agreement_actions.items():
            why = acquisition_service.why_not_sign(kind, row.joint_review_on, row.joint_review_passed)
            action.setEnabled(why is None)
            action.setToolTip(why or "")
        if row.joint_review_passed:
            self.gate_label.setText(f"会审已于 {date_text(row.joint_review_on)} 通过，可签订收购、投资监管等协议。")
            self.gate_label.setStyleSheet("color: #2e7d32;")
        else:
            why = "会审未通过" if row.joint_review_passed is False else "尚未会审"
            self.gate_label.setText(f"{why}：须经市产业项目全流程服务领导小组会审通过后方可签订收购、投资监管协议。")
            self.gate_label.setStyleSheet("color: #c0392b;")
        self.tax_box.setTitle(f"税收反馈（截至 {date_text(self._as_of)}）")
        if row.signed_on is None:
            self.tax_summary.setText("收购协议签订后，按月登记税务部门的反馈。")
        else:
            missing = [m for m in months if m.missing]
            unpaid = [m for m in months if m.unpaid]
            parts = [f"自 {row.signed_on.year}年{row.signed_on.month}月 起共 {len(months)} 个月",
                     f"<span style='color:#c0392b'>缺报 {len(missing)} 个月</span>" if missing else "无缺报"]
            if unpaid:
                parts.append(f"欠缴 {units.fmt(sum((m.balance_wan for m in unpaid), Decimal(0)), 2)} 万元")
            self.tax_summary.setText("，".join(parts) + "。")

    # Progress -------------------------------------------------------------------------------------
    def save_progress(self) -> None:
        row = self._row
        if row is None or not self.progress.dates_ok():
            return
        try:
            values = self.progress.values(row.revision)
        except ValidationError as exc:
            self.progress.show_error(exc)
            return
        self.save_button.setEnabled(False)
        write(self, acquisition_service.save_acquisition, row.entry_id, values, as_of=self._as_of,
              failed=self.progress.show_error, done=lambda _saved: self._progress_saved(row, values))

    def _progress_saved(self, before: AcquisitionRow, after: AcquisitionValues) -> None:
        self.save_button.setEnabled(True)
        self.undo.push(f"修改“{before.target}”的收购进度",
                       undo=Step(acquisition_service.save_acquisition, before.entry_id, values_of(before)),
                       redo=Step(acquisition_service.save_acquisition, before.entry_id, replace(after, revision=None)))

    # Agreements -----------------------------------------------------------------------------------
    def new_agreement(self, kind: AgreementKind) -> None:
        if self._row is not None:
            open_agreement_dialog(self, self.ctx, kind=kind, entry_id=self._row.entry_id, town_id=self._row.town_id)

    def edit_agreement(self) -> None:
        a = first(self.agreement_table)
        if a is not None:
            open_agreement_dialog(self, self.ctx, row=a)

    # Tax ------------------------------------------------------------------------------------------
    def edit_tax(self) -> None:
        row = self._row
        if row is None or row.acquisition_id is None:
            return
        tax: TaxMonthRow | None = first(self.tax_table)
        month = tax.month if tax is not None else dt.date(self._as_of.year, self._as_of.month, 1)
        dialog = TaxRecordDialog(month, tax, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        acq_id, recorded = row.acquisition_id, {m.month: m for m in self.tax_model.rows if m.record_id is not None}

        def save(f: TaxForm) -> None:
            write(dialog, acquisition_service.save_tax_record, acq_id, f.month, f.due, f.paid, f.note,
                  failed=dialog.show_error,
                  done=lambda _r: (dialog.accept(), self._tax_saved(acq_id, recorded.get(f.month), f)))

        dialog.submitted.connect(save)
        dialog.finished.connect(lambda _r: setattr(self, "tax_dialog", None))
        self.tax_dialog = dialog
        dialog.open()

    def _tax_saved(self, acq_id: int, before: TaxMonthRow | None, f: TaxForm) -> None:
        month = f"{f.month.year}年{f.month.month}月"
        self.undo.push(f"登记{month}税收反馈", undo=self._tax_step(acq_id, f.month, before),
                       redo=Step(_put_tax, acq_id, f.month, f.due, f.paid, f.note))

    @staticmethod
    def _tax_step(acq_id: int, month: dt.date, record: TaxMonthRow | None) -> Step:
        """The step that puts `month` back as `record` was (None: no record)."""
        if record is None:
            return Step(_put_tax, acq_id, month, None, "", "")
        return Step(_put_tax, acq_id, month, plain(record.due_wan), plain(record.paid_wan), record.note)

    def delete_tax(self) -> None:
        tax: TaxMonthRow | None = first(self.tax_table)
        if tax is None or tax.record_id is None or self._row is None:
            return
        if QMessageBox.question(self, "删除税收反馈", f"确定删除 {tax.month.year}年{tax.month.month}月 的税收反馈记录？") \
                != QMessageBox.StandardButton.Yes:
            return
        acq_id = self._row.acquisition_id
        write(self, acquisition_service.delete_tax_record, tax.record_id,
              done=lambda _r: self.undo.push(f"删除{tax.month.year}年{tax.month.month}月税收反馈",
                                             undo=self._tax_step(acq_id, tax.month, tax),
                                             redo=self._tax_step(acq_id, tax.month, None)))
