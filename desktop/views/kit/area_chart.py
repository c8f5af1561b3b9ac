"""A cumulative-area chart: verified area (亩) at each month's end against the target line (QtCharts).

    chart = AreaChart()
    chart.show_series("甲镇", [1, 2, 3], [Decimal(10), Decimal(25), Decimal(40)], Decimal(100))

Used by the 通报 page (one town at a time) and the dashboard (the whole city).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from PySide6.QtCharts import QCategoryAxis, QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

VERIFIED_COLOR = "#3a7d44"
TARGET_COLOR = "#c62828"


def nice_ceiling(value: float) -> float:
    """A round axis maximum a little above `value` (1, 2, 2.5 or 5 times a power of ten: a fifth of it is round)."""
    if value <= 0:
        return 1.0
    power = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value * 1.05:
            return step * power
    return 10 * power


class AreaChart(QChartView):
    """One line of cumulative verified area by month with the target as a dashed horizontal line."""

    # Below this height the plot has no room for six labels on the value axis (Qt elides them to “…”).
    LOW_HEIGHT = 320

    def __init__(self, parent=None, *, ticks: int = 5) -> None:
        super().__init__(parent)
        self.most_ticks = ticks  # 5 or 2 (a low chart): a fifth or a half of a round top is round too
        self._args = None  # what show_series drew last, drawn again when a resize changes the ticks
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)
        self.shown: tuple[str, tuple[Decimal, ...], Decimal] | None = None  # what is drawn (tests read it)
        self._chart = QChart()
        self._chart.setMargins(QMargins(4, 4, 4, 4))
        self._chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.setChart(self._chart)

    def clear(self, title: str = "") -> None:
        self._chart.removeAllSeries()
        for axis in self._chart.axes():
            self._chart.removeAxis(axis)
        self._chart.setTitle(title)
        self.shown = None
        self._args = None

    @property
    def ticks(self) -> int:
        """Intervals on the value axis: as many as asked when the chart is tall enough, else 2."""
        return self.most_ticks if self.height() >= self.LOW_HEIGHT else 2

    def resizeEvent(self, event) -> None:
        before = 2 if event.oldSize().height() < self.LOW_HEIGHT else self.most_ticks
        super().resizeEvent(event)
        if self._args is not None and before != self.ticks:
            self.show_series(*self._args)

    def show_series(self, title: str, months: Sequence[int], cumulative: Sequence[Decimal], target: Decimal) -> None:
        """Draw `cumulative` (亩 at the end of each of `months`) and the `target` line."""
        self.clear(title)
        self._args = (title, months, cumulative, target)
        if not months:
            return
        verified = QLineSeries()
        verified.setName("累计已核实面积（亩）")
        verified.setPen(QPen(QColor(VERIFIED_COLOR), 2.5))
        verified.setPointsVisible(True)
        for m, v in zip(months, cumulative):
            verified.append(QPointF(m, float(v)))
        goal = QLineSeries()
        goal.setName(f"年度目标 {target:,.2f} 亩" if target else "未设目标面积")
        pen = QPen(QColor(TARGET_COLOR), 2)
        pen.setStyle(Qt.PenStyle.DashLine)
        goal.setPen(pen)
        first = months[0]
        last = max(months[-1], first + 1)
        for m in (first, last):
            goal.append(QPointF(m, float(target)))
        self._chart.addSeries(verified)
        self._chart.addSeries(goal)
        x = QCategoryAxis()
        x.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        for m in range(first, last + 1):
            x.append(str(m), m)
        x.setRange(first, last)
        x.setTitleText("月份")
        y = QValueAxis()
        y.setLabelFormat("%.0f")
        top = nice_ceiling(max([float(target), *(float(v) for v in cumulative)]))
        y.setRange(0, top)
        # Ticks on round numbers (a fifth of a round top: 0, 100, 200 … or 0, 50, 100 …), never 63 or 188.
        y.setTickType(QValueAxis.TickType.TicksDynamic)
        y.setTickAnchor(0)
        y.setTickInterval(top / self.ticks)
        y.setTitleText("亩")
        self._chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        self._chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        for s in (verified, goal):
            s.attachAxis(x)
            s.attachAxis(y)
        self.shown = (title, tuple(cumulative), target)
