"""以奖代补 page (四(二)): the year's rate and park bonus, a proposal per town from verified area, and
overrides with a reason (recorded in the audit log); undo of the last change; exported to Excel."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialogButtonBox, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox, \
    QVBoxLayout

from desktop.services import units
from desktop.services.errors import ValidationError
from desktop.services.subsidy import subsidy_service
from desktop.services.subsidy.subsidy_service import NO_RATE, SubsidyRow, SubsidyTable
from desktop.services.year import year_service
from desktop.views.kit.context import AppContext
from desktop.views.kit.file_choice import ask_save_xlsx
from desktop.views.kit.file_export import export_file
from desktop.views.kit.forms import FormDialog, error_label, plain, show_at, show_field_error
from desktop.views.kit.layouts import hint_label, table_view
from desktop.views.kit.ops import query, write
from desktop.views.kit.page import Page
from desktop.views.kit.rows import MUTED, mu, plain_text
from desktop.views.kit.table import ActionBar, Layout, resort, select_id, selected_rows, shortcut, \
    title_label
from desktop.views.kit.totals import TotalsRowsModel
from desktop.views.kit.undo import Step, UndoKit
from desktop.views.kit.widgets import button

RELEVANT_TABLES = frozenset({"subsidy_proposal", "year_params", "year", "town", "town_target", "governance_list",
                   "list_entry", "contiguous_area", "verification", "monthly_report_item"})
OVERRIDE_BACKGROUND = QColor("#DCEBFA")
FORMULA = ("计划未规定测算公式：测算金额 = 已核实面积 × 每亩补助 + 本年度已启动园区数 × 园区启动奖励；只计已核实的面积"
           "（企业自主技改不计）。可逐镇调整金额，须填写原因，调整记入操作日志。")


class SubsidyModel(TotalsRowsModel):
    """One row per active town, then the 合计 row."""

    COLUMNS = [
        ("town", "镇街"), ("verified_mu", "已核实面积\n（亩）"), ("parks_started", "已启动园区\n（个）"),
        ("computed_wan", "测算金额\n（万元）"), ("override_wan", "调整后金额\n（万元）"), ("override_reason", "调整原因"),
        ("final_wan", "建议补助金额\n（万元）"),
    ]
    NUMERIC = {"verified_mu", "parks_started", "computed_wan", "override_wan", "final_wan"}
    AMOUNTS = ("computed_wan", "final_wan")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.table: SubsidyTable | None = None

    def set_table(self, table: SubsidyTable) -> None:
        self.table = table
        self.set_rows(table.rows, table.totals)

    def town_row(self, row: int) -> SubsidyRow | None:
        return self.item(row)

    def _no_rate(self) -> bool:
        return self.table is not None and not self.table.has_rate

    def display(self, r: SubsidyRow, key: str) -> str:
        if key in self.AMOUNTS and getattr(r, key) is None and self._no_rate():
            return NO_RATE
        return super().display(r, key)

    def total_display(self, totals: SubsidyRow, key: str) -> str:
        return plain_text(getattr(totals, key))

    def background(self, r: SubsidyRow, key: str) -> QColor | None:
        return OVERRIDE_BACKGROUND if r.overridden and key in ("override_wan", "override_reason", "final_wan") else None

    def foreground(self, r: SubsidyRow, key: str) -> QColor | None:
        muted = (r.overridden and key == "computed_wan") or (key in self.AMOUNTS and getattr(r, key) is None)
        return MUTED if muted else None

    def bold(self, r: SubsidyRow, key: str) -> bool:
        return key == "final_wan"

    def tooltip(self, r: SubsidyRow, key: str) -> str | None:
        if r.overridden:
            return f"已调整：测算 {mu(r.computed_wan) or '—'} 万元 → {mu(r.override_wan)} 万元。原因：{r.override_reason}"
        if key in self.AMOUNTS and self._no_rate():
            return "请先在上方填写补助标准（万元/已核实亩）"
        return None


class OverrideDialog(FormDialog):
    """调整补助金额 of one town: amount and a required reason; 恢复测算值 clears the override.

    `submitted(dict)`: amount (the typed text, or None to restore the computed value) and reason.
    """

    def __init__(self, row: SubsidyRow, parent=None) -> None:
        super().__init__(f"调整补助金额：{row.town}", parent, width=460)
        computed = f"{mu(row.computed_wan)} 万元" if row.computed_wan is not None else NO_RATE
        info = QLabel(f"<b>{row.town}</b>：已核实 {units.fmt(row.verified_mu, 2)} 亩，已启动园区 {row.parks_started} 个；"
                      f"测算金额 <b>{computed}</b>")
        info.setTextFormat(Qt.TextFormat.RichText)
        info.setWordWrap(True)
        self.layout().insertWidget(0, info)
        self.amount_edit = self.add("amount_wan", "调整后金额（万元）", QLineEdit(plain(row.override_wan)))
        self.amount_edit.setPlaceholderText("万元")
        self.reason_edit = self.add("reason", "调整原因", QLineEdit(row.override_reason))
        self.reason_edit.setPlaceholderText("必填，如：经领导小组研究……")
        self.clear_button = self.buttons.addButton("恢复测算值", QDialogButtonBox.ButtonRole.ResetRole)
        self.clear_button.setEnabled(row.overridden)
        self.clear_button.clicked.connect(self.clear)
        self.layout().insertWidget(2, hint_label("调整会记入操作日志（调整人、时间、前后金额和原因），可撤销（Ctrl+Z）。"))

    def values(self) -> dict:
        return {"amount": self.amount_edit.text(), "reason": self.reason_edit.text()}

    def clean(self, values: dict) -> dict:
        if subsidy_service.parse_amount(values["amount"]) is None:
            raise ValidationError("请填写调整后金额；如要取消调整，请点“恢复测算值”", field="amount_wan")
        if not values["reason"].strip():
            raise ValidationError("调整补助金额需要填写调整原因", field="reason")
        return values

    def clear(self) -> None:
        self.ok_button.setEnabled(False)
        self.submitted.emit({"amount": None, "reason": ""})


class SubsidyPage(Page):
    relevant_tables = RELEVANT_TABLES
    follows_year = True

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.data: SubsidyTable | None = None
        self.dialog: OverrideDialog | None = None
        self.last_export: Path | None = None
        self._loaded_rates: tuple[str, str] = ("", "")
        self._build()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.header = title_label("以奖代补")
        outer.addWidget(self.header)
        outer.addWidget(self._rates_box())
        self.formula = hint_label(FORMULA)
        outer.addWidget(self.formula)

        self.model = SubsidyModel(self)
        self.table = table_view(self.model, "subsidy_table", (110, 110, 100, 120, 120, 420, 130))
        # The reason takes what is left of the width; the numbers keep their (remembered) widths.
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.open_override_dialog())

        bar = QHBoxLayout()
        self.summary = QLabel("")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        bar.addWidget(self.summary, 1)
        self.actions = ActionBar(self.table, self)
        self.override_button = self.actions.add("调整金额…", self.open_override_dialog, tip="回车或双击",
                                                when=lambda rows: subsidy_service.why_not_override(_one(rows)))
        self.clear_button = self.actions.add("恢复测算值", self.clear_selected_override,
                                             when=lambda rows: subsidy_service.why_not_restore(_one(rows)))
        self.undo = UndoKit(self)
        self.export_button = button("导出", self.choose_export_file, tip="导出以奖代补测算表（.xlsx）")
        for b in (self.override_button, self.clear_button, self.undo.undo_button, self.undo.redo_button,
                  self.export_button):
            bar.addWidget(b)
        outer.addLayout(bar)
        outer.addWidget(self.table, 1)
        self.status = hint_label(wrap=False)
        outer.addWidget(self.status)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut(self.table, key, self.open_override_dialog, local=True)
        self.layout_state = Layout(self.ctx.settings, "subsidy", {"header": self.table.horizontalHeader()})

    def _rates_box(self) -> QGroupBox:
        box = QGroupBox("补助标准（年度参数）")
        bl = QHBoxLayout(box)
        self.rate_edits: dict[str, QLineEdit] = {}
        self.rate_errors = {}
        for key, label, unit, empty in (("subsidy_rate_wan_per_mu", "每亩补助", "万元/已核实亩", "未设置"),
                                        ("subsidy_park_bonus_wan", "园区启动奖励", "万元/个", "可不填")):
            edit = QLineEdit()
            edit.setObjectName(key)
            edit.setPlaceholderText(empty)
            edit.setMaximumWidth(120)
            err = error_label()
            self.rate_edits[key], self.rate_errors[key] = edit, err
            col = QVBoxLayout()
            row = QHBoxLayout()
            for w in (QLabel(label), edit, QLabel(unit)):
                row.addWidget(w)
            col.addLayout(row)
            col.addWidget(err)
            bl.addLayout(col)
            bl.addSpacing(16)
            edit.returnPressed.connect(self.save_rates)
            edit.textEdited.connect(lambda _t, e=err: (show_at(e, ""), self._rates_dirty()))
        self.rate_edit = self.rate_edits["subsidy_rate_wan_per_mu"]
        self.bonus_edit = self.rate_edits["subsidy_park_bonus_wan"]
        self.rate_error = self.rate_errors["subsidy_rate_wan_per_mu"]
        self.bonus_error = self.rate_errors["subsidy_park_bonus_wan"]
        self.save_rates_button = button("保存标准", self.save_rates)
        bl.addWidget(self.save_rates_button)
        bl.addStretch(1)
        return box

    def save_layout(self) -> None:
        self.layout_state.save()

    def confirm_close(self) -> bool:
        if not self._rates_dirty():
            return True
        answer = QMessageBox.question(self, "以奖代补", "补助标准已修改但未保存，仍要关闭吗？")
        return answer == QMessageBox.StandardButton.Yes

    # Loading -----------------------------------------------------------------------------
    def refresh(self) -> None:
        self._stale = False
        query(self, "proposals", subsidy_service.proposals, self.ctx.year, done=self._loaded)

    def _loaded(self, table: SubsidyTable) -> None:
        self.data = table
        selected = self.selected_row()
        self.model.set_table(table)
        resort(self.table)
        select_id(self.table, selected.town_id if selected else None)
        self.header.setText(f"{table.year}年度以奖代补（四(二)）")
        if not self._rates_dirty():  # never throw away what the clerk is typing
            self.rate_edit.setText(plain(table.rate_wan_per_mu))
            self.bonus_edit.setText(plain(table.park_bonus_wan))
            self._loaded_rates = self._rate_texts()
        self.summary.setText(_summary(table))

    # Rates -------------------------------------------------------------------------------
    def _rate_texts(self) -> tuple[str, str]:
        return (self.rate_edit.text().strip(), self.bonus_edit.text().strip())

    def _rates_dirty(self) -> bool:
        dirty = self._rate_texts() != self._loaded_rates
        self.save_rates_button.setText("保存标准 *" if dirty else "保存标准")
        return dirty

    def save_rates(self) -> None:
        for err in self.rate_errors.values():
            show_at(err, "")
        typed = {k: e.text() for k, e in self.rate_edits.items()}
        problems = year_service.form_problems(typed)
        if problems:
            for exc in problems:
                self._rate_error(exc)
            return
        year = self.ctx.year
        rate, bonus = self._rate_texts()
        before = self._loaded_rates
        revision = self.data.params_revision if self.data and self.data.year == year else None

        def done(_p) -> None:
            self._loaded_rates = self._rate_texts()
            self._rates_dirty()
            self.status.setText("已保存补助标准")
            self.undo.push(f"修改补助标准（{year}年度）", undo=Step(subsidy_service.set_rates, year, *before),
                           redo=Step(subsidy_service.set_rates, year, rate, bonus))

        write(self, subsidy_service.set_rates, year, rate, bonus, expected_revision=revision, done=done,
              failed=self._rate_error)

    def _rate_error(self, exc: BaseException) -> None:
        show_field_error(self, exc, self.rate_errors, self.rate_edits)

    # Overrides ---------------------------------------------------------------------------
    def selected_row(self) -> SubsidyRow | None:
        return _one(selected_rows(self.table))

    def open_override_dialog(self) -> None:
        row = self.selected_row()
        if row is None or self.data is None or subsidy_service.why_not_override(row):
            return
        dialog = OverrideDialog(row, self)
        dialog.submitted.connect(lambda v: self._override(dialog, row, v["amount"], v["reason"]))
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def clear_selected_override(self) -> None:
        row = self.selected_row()
        if row is None or self.data is None or subsidy_service.why_not_restore(row):
            return
        if QMessageBox.question(self, "恢复测算值", f"取消对“{row.town}”的调整（{mu(row.override_wan)} 万元），"
                                                  f"恢复为测算金额？") == QMessageBox.StandardButton.Yes:
            self._override(self, row, None, "")

    def _override(self, owner, row: SubsidyRow, amount: str | None, reason: str) -> None:
        """Save (or clear, amount None) the town's override; `owner` shows a refusal (the dialog or the page)."""
        year = self.data.year

        def done(r: SubsidyRow) -> None:
            if owner is not self:
                owner.accept()
            self.status.setText(f"已调整 {r.town}：{mu(r.override_wan)} 万元" if r.overridden
                                else f"已恢复 {r.town} 的测算值")
            before = (plain(row.override_wan) or None, row.override_reason)
            self.undo.push(f"调整“{row.town}”补助金额" if amount is not None else f"恢复“{row.town}”测算值",
                           undo=Step(subsidy_service.override, row.town_id, year, *before),
                           redo=Step(subsidy_service.override, row.town_id, year, amount, reason))

        write(owner, subsidy_service.override, row.town_id, year, amount, reason, done=done,
              failed=owner.show_error if owner is not self else None)

    # Export ------------------------------------------------------------------------------
    def choose_export_file(self) -> None:
        name = f"{self.ctx.year}年度以奖代补测算表-{self.ctx.ledger.today():%Y%m%d}.xlsx"
        if path := ask_save_xlsx(self, self.ctx.settings, "subsidy/export_dir", "导出以奖代补测算表", name):
            self.export_to(path)

    def export_to(self, path: Path) -> None:
        export_file(self, self.export_button, self.status, subsidy_service.export, self.ctx.year, path,
                    done=lambda p: setattr(self, "last_export", p))


def _one(rows: list) -> SubsidyRow | None:
    return rows[0] if len(rows) == 1 else None


def _summary(table: SubsidyTable) -> str:
    if not table.has_rate:
        return f"<span style='color:#b26a00'><b>{NO_RATE}</b>：请填写每亩补助标准后测算</span>"
    t = table.totals
    text = f"测算合计 <b>{mu(t.computed_wan)}</b> 万元"
    n = sum(1 for r in table.rows if r.overridden)
    if n:
        text += f"；已调整 <b>{n}</b> 个镇街"
    if t.final_wan is not None:
        text += f"；建议补助合计 <b>{mu(t.final_wan)}</b> 万元"
    return text
