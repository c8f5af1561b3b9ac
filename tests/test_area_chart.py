"""The chart of verified area by month keeps its value labels readable at the height it is given.

Seen on the 通报 page at 1366×768: the chart got about 200 px, the value axis asked for six labels
(0 … 5000) and Qt elided every one of them to “…”."""

from __future__ import annotations

from decimal import Decimal

from desktop.views.kit.area_chart import AreaChart


def value_axis(chart):
    return next(a for a in chart.chart().axes() if a.orientation().name == "Vertical")


def test_a_low_chart_has_three_value_labels_and_a_tall_one_six(qtbot):
    chart = AreaChart()
    qtbot.addWidget(chart)
    chart.resize(600, 220)
    chart.show()
    chart.show_series("全市", [1, 2, 3], [Decimal(100), Decimal(900), Decimal(2090)], Decimal(4000))
    axis = value_axis(chart)
    assert (axis.min(), axis.max(), axis.tickInterval()) == (0, 5000, 2500)  # 0, 2500, 5000
    chart.resize(600, 420)
    qtbot.waitUntil(lambda: value_axis(chart).tickInterval() == 1000)  # 0, 1000 … 5000
    assert chart.shown == ("全市", (Decimal(100), Decimal(900), Decimal(2090)), Decimal(4000))
