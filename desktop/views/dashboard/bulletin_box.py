"""总览's 通报 corner: the city's cumulative verified area by month against the year's target (the chart) and
the latest issued bulletin's ranking (并列 shaded, as on the 通报 page)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QGroupBox, QLabel, QTableView, QVBoxLayout

from desktop.views.kit.area_chart import AreaChart
from desktop.views.kit.table import setup_table

if TYPE_CHECKING:
    from desktop.services.dashboard.dashboard_service import DashboardSummary

SHOWN = ("rank_label", "town", "completion_pct")  # the rest are on the 通报 page


class CityCurveBox(QGroupBox):
    """The city's cumulative verified area at each month's end against the target line."""

    def __init__(self) -> None:
        super().__init__("全市累计已核实面积（亩）")
        self.chart = AreaChart(ticks=2)  # low on the dashboard: 0, half, top
        self.chart.setMinimumHeight(190)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.chart)

    def show_summary(self, s: DashboardSummary) -> None:
        months = list(range(1, len(s.verified_by_month) + 1))
        self.chart.show_series("", months, s.verified_by_month, s.city_target_mu or 0)


class LatestBulletinBox(QGroupBox):
    """The latest issued 通报 of the year: its number and its ranking."""

    def __init__(self) -> None:
        super().__init__("最新通报排名")
        self.caption = QLabel("读取中…")  # a line from the start: its text arriving lays nothing else out anew
        self.caption.setWordWrap(True)
        self.model = None  # the ranking's model, made with the first summary (see _ranking_model)
        self.table = setup_table(QTableView(), sortable=False)
        self.table.setObjectName("latest_bulletin_ranking")
        self.table.setMinimumHeight(130)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.caption)
        lay.addWidget(self.table, 1)

    def _ranking_model(self):
        """The 通报 page's ranking model, made when the first summary arrives: its module reads the bulletins'
        services, which the summary's lane job has imported by then — not on the GUI thread as the window opens."""
        if self.model is None:
            from desktop.views.bulletins.bulletin_models import RankingModel

            self.model = RankingModel(self)
            self.table.setModel(self.model)
            for col, (key, _header) in enumerate(RankingModel.COLUMNS):
                self.table.setColumnHidden(col, key not in SHOWN)
            self.table.setColumnWidth(0, 80)
            self.table.setColumnWidth(1, 100)
        return self.model

    def show_summary(self, s: DashboardSummary) -> None:
        b = s.latest_bulletin
        model = self._ranking_model()
        if b is None:
            self.caption.setText(f"{s.year}年度尚未签发通报（在“通报与典型案例”中起草、签发）")
            model.set_rows([])
            return
        self.caption.setText(f"{b.number_label}（截至{b.draft.period_end.month}月{b.draft.period_end.day}日，"
                             f"{b.issued_on.month}月{b.issued_on.day}日签发）")
        model.set_rows(b.draft.rows)
