"""协议 tab: every agreement of the year, filtered by kind, town and SOE; add, edit and delete through the
agreement dialog (with its live cost line); the selected agreement's scans. Adding, editing and deleting
(an agreement without scans) can be undone (Ctrl+Z)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox, QVBoxLayout

from desktop.models.enums import AgreementKind
from desktop.services import units
from desktop.services.landbank import agreement_service, filing_service
from desktop.views.accounts.approval import ApprovalCheck
from desktop.views.kit.layouts import hbox, search_box
from desktop.views.kit.attachment_widget import AttachmentPanel
from desktop.views.kit.ops import query, write
from desktop.views.kit.table import ActionBar, needs_one, reload_rows, shortcut
from desktop.views.kit.table_export import add_export_action, describe_filters
from desktop.views.kit.town_filter import sync_town_filter, town_filter_box
from desktop.views.kit.widgets import splitter
from desktop.views.landbank.agreement_dialog import open_agreement_dialog, push_deleted
from desktop.views.landbank.landbank_models import AgreementModel, Choice, TabBase, bar, enum_box, first, \
    new_table, show_scans


def _agreements_and_choices(ledger, year: int, *, kind, town_id, soe_id, text: str):
    return (agreement_service.list_agreements(ledger, year, kind=kind, town_id=town_id, soe_id=soe_id, text=text),
            agreement_service.choices(ledger, year))


class AgreementTab(TabBase):
    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._pending: dict[QComboBox, object] = {}
        self._build()
        self.remember(agreements=self.table)

    def _build(self) -> None:
        self.kind_filter = enum_box("全部协议", AgreementKind)
        self.town_filter = town_filter_box(110)
        self.soe_filter = town_filter_box(150)
        self.soe_filter.setItemText(0, "全部国企")
        self.search = search_box(self, "甲方、乙方、治理对象（Ctrl+F）")
        self.model = AgreementModel(self)
        self.table = new_table("agreement_table", self.model, {
            "kind": 90, "town": 75, "soe": 170, "target": 170, "party_a": 130, "party_b": 160, "signed_on": 90,
            "amount_wan": 100, "area_mu": 80, "cost_per_mu": 100, "filed_on": 90, "over_cap_confirmed": 70},
            selected=self._selected_changed, opened=self.edit_selected)
        actions = ActionBar(self.table, self)
        self.add_button = actions.add("新增协议", self.add_agreement, keys=QKeySequence.StandardKey.New)
        self.edit_button = actions.add("编辑", self.edit_selected, when=needs_one, tip="回车或双击")
        self.delete_button = actions.add("删除", self.delete_selected, when=needs_one,
                                         keys=QKeySequence.StandardKey.Delete, local_keys=True)
        self.filing_check = ApprovalCheck(self, "filing_check", filing_service.why_not_approve_filing,
                                          nothing="请先选择一份协议")
        self.approve_filing_button = actions.add("备案审核", self.approve_filing, needs="approve",
                                                 when=self.filing_check.follow(actions),
                                                 tip="领导审核同意协议备案（录入备案的人不能审核）")
        export = add_export_action(
            self, lambda: self.table, title=lambda: f"{self.ctx.year}年度协议", settings_key="landbank",
            subtitle=lambda: describe_filters(("类型", self.kind_filter), ("镇街", self.town_filter),
                                              ("国企", self.soe_filter), ("关键词", self.search)))
        self.attachments = AttachmentPanel(self.ctx, "扫描件（请先选择协议）")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.splitter = splitter(Qt.Orientation.Vertical, (self.table, 4),
                                 (hbox((self.attachments, 3), (self.summary, 2)), 1))
        outer = QVBoxLayout(self)  # filters above, acts below: together they would not fit a 1366×768 laptop
        outer.addLayout(bar("类型：", self.kind_filter, "镇街：", self.town_filter, "国企：", self.soe_filter, self.search,
                            None, export))
        outer.addLayout(bar(self.add_button, self.edit_button, self.delete_button, self.undo.undo_button,
                            self.undo.redo_button, self.approve_filing_button, None))
        outer.addWidget(self.splitter, 1)

        self.refresh_on(self.kind_filter, self.town_filter, self.soe_filter, self.search)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut(self.table, key, self.edit_selected, local=True)
        self._selected_changed()

    # Loading ----------------------------------------------------------------------------------------
    def set_filters(self, *, kind: AgreementKind | None = None, town_id: int | None = None,
                    soe_id: int | None = None) -> None:
        """Show one pair's (or kind's) agreements — used by the 成本均价 tab."""
        self._pending = {self.kind_filter: kind, self.town_filter: town_id, self.soe_filter: soe_id}
        self._apply_pending()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.refresh()

    def _apply_pending(self) -> None:
        """Select the wanted filter values once the combos hold them (the towns and SOEs load lazily)."""
        for combo, value in list(self._pending.items()):
            idx = 0 if value is None else combo.findData(value)
            if idx >= 0:
                combo.blockSignals(True)
                combo.setCurrentIndex(idx)
                combo.blockSignals(False)
                del self._pending[combo]

    def _filter(self, combo: QComboBox):
        return self._pending[combo] if combo in self._pending else combo.currentData()

    def refresh(self) -> None:
        self._stale = False
        query(self, "agreements", _agreements_and_choices, self.ctx.year, kind=self._filter(self.kind_filter),
              town_id=self._filter(self.town_filter), soe_id=self._filter(self.soe_filter), text=self.search.text(),
              done=self._loaded)

    def _loaded(self, result) -> None:
        rows, choices = result
        sync_town_filter(self.town_filter, [Choice(i, n) for i, n in choices.towns])
        sync_town_filter(self.soe_filter, [Choice(i, n) for i, n in choices.soes])
        self._apply_pending()
        reload_rows(self.table, rows)
        by_kind = Counter(r.kind for r in rows)
        kinds = "、".join(f"{k.label} {by_kind[k]}" for k in AgreementKind if by_kind[k])
        banks = [r for r in rows if r.kind is AgreementKind.LAND_BANKING]
        amount = sum((r.amount_wan or Decimal(0) for r in banks), Decimal(0))
        area = sum((r.area_mu or Decimal(0) for r in banks), Decimal(0))
        confirmed = sum(1 for r in rows if r.over_cap_confirmed)
        unfiled = sum(1 for r in rows if r.filed_on is None)
        text = f"{self.ctx.year}年度 共 <b>{len(rows)}</b> 份协议" + (f"（{kinds}）" if kinds else "")
        if banks:
            text += f"；<br>收储协议金额合计 {units.fmt(amount, 2)} 万元、面积合计 {units.fmt(area, 2)} 亩"
        text += f"；<br>尚未备案 {unfiled} 份"
        if confirmed:
            text += f"；<span style='color:#c0392b'>经确认超均价上限 {confirmed} 份</span>"
        self.summary.setText(text + "。")
        self._selected_changed()

    # Selection and actions --------------------------------------------------------------------------
    def _selected_changed(self) -> None:
        a = first(self.table)
        show_scans(self.attachments, a, a and f"扫描件：{a.kind.label}（{a.party_a} — {a.party_b}）")
        if not self.approve_filing_button.isHidden():
            self.filing_check.ask(a.id if a is not None else None)

    def approve_filing(self) -> None:
        a = first(self.table)
        if a is not None and QMessageBox.question(
                self, "备案审核", f"审核同意{a.kind.label}“{a.party_a} — {a.party_b}”的备案（{a.filed_on}）？"
        ) == QMessageBox.StandardButton.Yes:
            write(self, filing_service.approve_filing, a.id)

    def add_agreement(self) -> None:
        open_agreement_dialog(self, self.ctx, kind=self.kind_filter.currentData() or AgreementKind.LAND_BANKING,
                              town_id=self.town_filter.currentData(), soe_id=self.soe_filter.currentData())

    def edit_selected(self) -> None:
        a = first(self.table)
        if a is not None:
            open_agreement_dialog(self, self.ctx, row=a)

    def delete_selected(self) -> None:
        a = first(self.table)
        if a is None:
            return
        text = f"确定删除{a.kind.label}“{a.party_a} — {a.party_b}”（{a.signed_on or '未签订'}）？"
        if a.attachments:
            text += f"\n\n其 {a.attachments} 份扫描件的链接一并移除，不能撤销。"
        if QMessageBox.question(self, "删除协议", text) == QMessageBox.StandardButton.Yes:
            write(self, agreement_service.delete_agreement, a.id, done=lambda _r: push_deleted(self.undo, a))
