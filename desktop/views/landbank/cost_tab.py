"""成本均价 tab of 收储与收购 (四(二)): every SOE × town cooperation of the year against the cap, over-cap pairs in red."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QLabel, QVBoxLayout

from desktop.services.landbank import agreement_service
from desktop.views.kit.ops import query
from desktop.views.kit.table import ActionBar, needs_one, reload_rows, selected_rows
from desktop.views.kit.table_export import add_export_action, describe_filters
from desktop.views.landbank.landbank_models import PairModel, TabBase, bar, new_table


class CostTab(TabBase):
    """成本均价 (四(二)): SOE × town pairs of the year over their 收储协议, over-cap pairs red."""

    def __init__(self, ctx, show_agreements=None) -> None:
        super().__init__(ctx)
        self._show_agreements = show_agreements
        self.only_over = QCheckBox("只看超上限")
        self.summary = QLabel()
        self.model = PairModel(self)
        self.table = new_table("cost_pair_table", self.model, {
            "soe": 240, "town": 90, "agreements": 100, "total_amount_wan": 120, "total_area_mu": 110, "average": 130,
            "cap": 100, "over": 70}, opened=self.open_selected)
        self.open_button = ActionBar(self.table, self).add("查看协议", self.open_selected, when=needs_one, needs=None,
                                                           tip="双击一行也可查看该国企与镇街的收储协议")
        export = add_export_action(
            self, lambda: self.table, title=lambda: f"{self.ctx.year}年度国企与镇街合作收储成本均价",
            settings_key="landbank", subtitle=lambda: describe_filters(("", self.only_over)))
        outer = QVBoxLayout(self)
        outer.addLayout(bar(self.only_over, self.summary, None, self.open_button, export))
        outer.addWidget(self.table, 1)
        self.rule = QLabel()
        self.rule.setWordWrap(True)
        self.rule.setStyleSheet("color: #555;")
        outer.addWidget(self.rule)
        self.refresh_on(self.only_over)
        self.remember(cost_pairs=self.table)

    def refresh(self) -> None:
        self._stale = False
        query(self, "pairs", agreement_service.over_cap_report, self.ctx.year, only_over=self.only_over.isChecked(),
              done=self._loaded)

    def _loaded(self, rows) -> None:
        reload_rows(self.table, rows)
        over = sum(1 for r in rows if r.over)
        cap = rows[0].cap if rows else None
        if self.only_over.isChecked():
            text = f"{self.ctx.year}年度 超上限的国企×镇街合作 <b>{over}</b> 对"
        else:
            text = f"{self.ctx.year}年度 国企×镇街合作 {len(rows)} 对，其中超上限 <b>{over}</b> 对"
        self.summary.setText(text)
        cap_text = f"{format(cap.normalize(), 'f')} 万元/亩" if cap is not None else "年度参数所定上限"
        self.rule.setText(f"四(二)：市级国企与镇(区、街道)合作收储的成本均价不得高于 {cap_text}。"
                          "均价 = 该国企与该镇街本年度全部收储协议的金额合计 ÷ 面积合计；恰好等于上限不算超限。")

    def open_selected(self) -> None:
        pairs = selected_rows(self.table)
        if pairs and self._show_agreements is not None:
            self._show_agreements(pairs[0].town_id, pairs[0].soe_id)
