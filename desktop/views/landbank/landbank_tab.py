"""政府收储 tab (三(三)1): the entries whose filed plan is 收储, each with its four groundwork steps (date,
result, evidence) and its 合作协议 / 收储协议. A step is recorded in the form under the steps (a bad
date refused at the field); steps and agreements can be undone (Ctrl+Z)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QVBoxLayout

from desktop.models.enums import AgreementKind
from desktop.services import units
from desktop.services.landbank import landbank_service
from desktop.services.landbank.landbank_service import LandBankDetail, LandBankRow, StepRow
from desktop.services.towns import town_service
from desktop.views.kit.attachment_widget import AttachmentPanel
from desktop.views.kit.columns import ColumnChooser
from desktop.views.kit.date_field import DateField
from desktop.views.kit.forms import FieldForm
from desktop.views.kit.ops import query, write
from desktop.views.kit.layouts import search_box
from desktop.views.kit.table import ActionBar, needs_one, reload_rows
from desktop.views.kit.table_export import add_export_action, describe_filters
from desktop.views.kit.town_filter import town_filter_box
from desktop.views.kit.undo import Step
from desktop.views.kit.widgets import splitter
from desktop.views.landbank.agreement_dialog import open_agreement_dialog
from desktop.views.landbank.landbank_models import LandBankEntryModel, ShortAgreementModel, StepModel, TabBase, bar, \
    first, fit_rows, group, new_table, show_files, show_scans

PICK_ENTRY = "请先选择治理对象"


def _entries_and_towns(ledger, year: int, *, town_id, text):
    return (landbank_service.land_banking_entries(ledger, year, town_id=town_id, text=text),
            town_service.list_towns(ledger))


class LandBankTab(TabBase):
    """政府收储 (三(三)1)."""

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._detail: LandBankDetail | None = None
        self._build()

    # Layout ---------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.town_filter = town_filter_box(110)
        self.search = search_box(self, "按治理对象筛选（Ctrl+F）", width=230)
        self.count_label = QLabel()
        export = add_export_action(
            self, lambda: self.table, title=lambda: f"{self.ctx.year}年度政府收储", settings_key="landbank",
            subtitle=lambda: describe_filters(("镇街", self.town_filter), ("治理对象", self.search)))
        outer = QVBoxLayout(self)
        outer.addLayout(bar("镇街：", self.town_filter, self.search, self.undo.undo_button, self.undo.redo_button, None,
                            self.count_label, export))
        self.model = LandBankEntryModel(self)
        self.table = new_table("landbank_table", self.model, {
            "town": 70, "target": 180, "planned_area_mu": 95, "soe": 180, "state": 80, "steps_text": 65,
            "missing_steps": 130, "cooperation_signed_on": 88, "landbank_signed_on": 88, "landbank_cost_per_mu": 125},
            selected=self._entry_selected)
        self.columns = ColumnChooser(self.table, hidden={"state"})  # every entry here is 方案已备案 or later
        self.splitter = splitter(Qt.Orientation.Vertical, (self.table, 3), (self._detail_panes(), 2))
        outer.addWidget(self.splitter, 1)

        self.remember(landbank_entries=self.table, landbank_steps=self.step_table,
                      landbank_agreements=self.agreement_table, splitter=self.splitter,
                      detail_splitter=self.detail_splitter)
        self.refresh_on(self.town_filter, self.search)
        self.step_result.returnPressed.connect(self.save_step)
        self.show_detail(None)

    def _detail_panes(self):
        # Groundwork steps: the table, the form of the selected step, its evidence.
        self.step_model = StepModel(self)
        self.step_table = new_table("landbank_step_table", self.step_model,
                                    {"step": 80, "done_on": 90, "attachments": 70}, sortable=False,
                                    selected=self._step_selected)
        fit_rows(self.step_table, len(landbank_service.STEPS))
        steps = ActionBar(self.step_table, self)
        self.save_step_button = steps.add("保存本步", self.save_step, when=lambda rows: needs_one(rows) and "请先选择步骤")
        self.clear_step_button = steps.add("清除", self.clear_step, when=self._why_not_clear)
        self.step_form = FieldForm(self.save_step_button)
        self.step_date = self.step_form.add("done_on", "完成日期",
                                            DateField(label="完成日期", field="done_on", year=self.ctx.year))
        self.step_result = self.step_form.add("result", "结果", QLineEdit())
        self.step_result.setPlaceholderText("结果，如：土壤检测合格")
        self.step_attachments = AttachmentPanel(self.ctx, "证明材料")
        self.steps_box = group("前期工作", self.step_table, self.step_form,
                               bar(self.save_step_button, self.clear_step_button, None), (self.step_attachments, 1))

        # Agreements: 合作协议 and 收储协议 of the selected entry, and the selected one's scans.
        self.agreement_model = ShortAgreementModel(self)
        self.agreement_table = new_table("landbank_agreement_table", self.agreement_model, {
            "kind": 68, "party_a": 100, "party_b": 120, "signed_on": 82, "amount_wan": 80, "area_mu": 58,
            "cost_per_mu": 92, "filed_on": 82}, selected=self._agreement_selected, opened=self.edit_agreement)
        self.agreement_columns = ColumnChooser(self.agreement_table, hidden={"party_a", "area_mu"})  # 甲方: the town
        entry = ActionBar(self.table, self)
        self.coop_button = entry.add("签订合作协议…", lambda: self.new_agreement(AgreementKind.COOPERATION),
                                     when=lambda rows: needs_one(rows) and PICK_ENTRY,
                                     tip="镇街与市级国企签订合作协议（三(三)1）")
        self.bank_button = entry.add("签订收储协议…", lambda: self.new_agreement(AgreementKind.LAND_BANKING),
                                     when=lambda rows: needs_one(rows) and PICK_ENTRY,
                                     tip="镇街与治理企业签订收储协议；保存前核对前期工作、合作协议和国企×镇街年度成本均价")
        self.edit_agreement_button = ActionBar(self.agreement_table, self).add(
            "编辑协议…", self.edit_agreement, when=needs_one, tip="双击协议也可编辑")
        self.agreement_attachments = AttachmentPanel(self.ctx, "扫描件")
        self.agreements_box = group("协议", (self.agreement_table, 3),
                                    bar(self.coop_button, self.bank_button, self.edit_agreement_button, None),
                                    (self.agreement_attachments, 2))
        self.detail_splitter = splitter(Qt.Orientation.Horizontal, (self.steps_box, 4), (self.agreements_box, 5))
        self.detail_splitter.setSizes([480, 600])
        return self.detail_splitter

    # Loading --------------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._stale = False
        query(self, "entries", _entries_and_towns, self.ctx.year, town_id=self.town_filter.currentData(),
              text=self.search.text(), done=self._loaded)

    @staticmethod
    def count_text(rows: list[LandBankRow]) -> str:
        complete = sum(1 for r in rows if r.steps_done == len(landbank_service.STEPS))
        signed = sum(1 for r in rows if r.landbank_signed_on)
        return f"收储对象 {len(rows)} 个：前期工作完成 {complete} 个，已签收储协议 {signed} 个"

    def load_detail(self, row: LandBankRow) -> None:
        query(self, "detail", landbank_service.detail, row.entry_id, done=self.show_detail)

    def show_detail(self, d: LandBankDetail | None) -> None:
        self._detail = d
        self.step_form.setEnabled(d is not None)
        if d is None:
            self.steps_box.setTitle("前期工作（请选择治理对象）")
            self.agreements_box.setTitle("协议")
            self.step_model.set_rows([])
            self.agreement_model.set_rows([])
            self._step_selected()
            self._agreement_selected()
            return
        r = d.row
        missing = f"，未完成：{'、'.join(r.missing_steps)}" if r.missing_steps else "，已全部完成"
        self.steps_box.setTitle(f"前期工作：{r.target}（{r.steps_text}{missing}）")
        cost = f"，收储单价 {units.fmt(r.landbank_cost_per_mu, 2)} 万元/亩" if r.landbank_cost_per_mu is not None else ""
        self.agreements_box.setTitle(f"协议：{r.town} ↔ {r.soe or '（方案未定国企）'}{cost}")
        reload_rows(self.step_table, d.steps)
        if first(self.step_table) is None:
            self.step_table.selectRow(next((i for i, s in enumerate(d.steps) if not s.done), 0))
        reload_rows(self.agreement_table, d.agreements)
        self._step_selected()
        self._agreement_selected()

    # Steps ----------------------------------------------------------------------------------------
    @staticmethod
    def _why_not_clear(rows: list[StepRow]) -> str | None:
        if not rows:
            return "请先选择步骤"
        return None if rows[0].record_id is not None else f"{rows[0].step.label}尚未登记"

    def _step_selected(self) -> None:
        step: StepRow | None = first(self.step_table)
        self.step_form.clear_errors()
        self.step_date.set_value(step.done_on if step else None)
        self.step_result.setText(step.result if step else "")
        if step is None:
            show_files(self.step_attachments, "证明材料")
        elif step.record_id is None:
            show_files(self.step_attachments, f"{step.step.label}的证明材料（先登记完成日期）")
        else:
            show_files(self.step_attachments, f"{step.step.label}的证明材料", landbank_service.STEP_OBJECT_TYPE,
                       step.record_id)

    def save_step(self) -> None:
        step: StepRow | None = first(self.step_table)
        if step is None or self._detail is None or not self.step_form.dates_ok():
            return
        entry_id, done_on, result = self._detail.row.entry_id, self.step_date.value(), self.step_result.text()
        self.save_step_button.setEnabled(False)
        write(self, landbank_service.record_step, entry_id, step.step, done_on, result,
              failed=self.step_form.show_error, done=lambda _r: self._step_saved(entry_id, step, done_on, result))

    def _step_saved(self, entry_id: int, before: StepRow, done_on, result: str) -> None:
        self.save_step_button.setEnabled(True)
        if before.record_id is None:
            undo = Step(landbank_service.clear_step, entry_id, before.step)
        else:
            undo = Step(landbank_service.record_step, entry_id, before.step, before.done_on, before.result)
        self.undo.push(f"登记{before.step.label}", undo=undo,
                       redo=Step(landbank_service.record_step, entry_id, before.step, done_on, result))

    def clear_step(self) -> None:
        step: StepRow | None = first(self.step_table)
        if step is None or step.record_id is None or self._detail is None:
            return
        text = f"确定清除“{step.step.label}”的登记（{step.done_on}）？"
        if step.attachments:
            text += f"\n\n其 {step.attachments} 份证明材料的链接一并移除，不能撤销。"
        if QMessageBox.question(self, "清除前期工作", text) != QMessageBox.StandardButton.Yes:
            return
        entry_id = self._detail.row.entry_id
        write(self, landbank_service.clear_step, entry_id, step.step,
              done=lambda _r: self._step_cleared(entry_id, step))

    def _step_cleared(self, entry_id: int, before: StepRow) -> None:
        if not before.attachments:  # evidence links once removed do not come back
            record = Step(landbank_service.record_step, entry_id, before.step, before.done_on, before.result)
            self.undo.push(f"清除{before.step.label}", undo=record,
                           redo=Step(landbank_service.clear_step, entry_id, before.step))

    # Agreements -----------------------------------------------------------------------------------
    def _agreement_selected(self) -> None:
        a = first(self.agreement_table)
        show_scans(self.agreement_attachments, a, a and f"{a.kind.label}扫描件")

    def new_agreement(self, kind: AgreementKind) -> None:
        if self._detail is not None:
            r = self._detail.row
            open_agreement_dialog(self, self.ctx, kind=kind, entry_id=r.entry_id, town_id=r.town_id, soe_id=r.soe_id)

    def edit_agreement(self) -> None:
        a = first(self.agreement_table)
        if a is not None:
            open_agreement_dialog(self, self.ctx, row=a)
