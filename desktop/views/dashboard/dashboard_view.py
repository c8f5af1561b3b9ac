"""总览: headline figures of the year, a bar chart per town, list entries by state, the latest changes."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QMargins, QModelIndex, QPoint, Qt
from PySide6.QtGui import QColor, QCursor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import EntryState
from desktop.services.errors import UserError
from desktop.views.dashboard.bulletin_box import CityCurveBox, LatestBulletinBox
from desktop.views.kit.columns import ColumnChooser
from desktop.views.kit.context import AppContext
from desktop.views.kit.ops import query
from desktop.views.kit.page_state import LazyRefresh
from desktop.views.kit.rows import RowsModel, mu, pct_text
from desktop.views.kit.table import Layout, setup_table, title_label
from desktop.views.kit.worker import show_error

if TYPE_CHECKING:
    from desktop.services.dashboard.dashboard_service import DashboardSummary, RecentChange

EMPTY_TEXT = "尚无镇街，请在“镇街与任务分解”中添加，或载入示例数据"
AMBER = "#b26a00"
OK_GREEN = "#2e7d32"
DEADLINE_RED = "#c62828"
BANNER_STYLE = "background: #fff4ce; border: 1px solid #e0b252; border-radius: 4px; padding: 6px 10px; color: #5c4400;"
BAR_COLORS = ("#9fb3c8", "#f0a04b", "#3a9d5d")  # target, listed, verified
# Category labels are turned when the longest name is wider than its slot; with very many towns
# they are also shortened (the full name is in the bar's tooltip).
SHORTEN_AFTER = 16
SHORT_NAME_CHARS = 5
STATE_COLUMNS = 3

CARD_STYLE = """
QFrame#card { background: palette(base); border: 1px solid #d0d7de; border-radius: 6px; }
QLabel#card_title { color: #57606a; }
QLabel#card_value { font-size: 26px; font-weight: bold; color: #1f3b5a; }
QLabel#card_caption { color: #57606a; }
"""


class RecentChangesModel(RowsModel):
    """The latest audit records (a handful), read-only."""

    COLUMNS = [("at", "时间"), ("user", "用户"), ("action", "操作"), ("object_type", "对象类型"), ("object_label", "对象")]

    def display(self, r: RecentChange, key: str) -> str:
        return r.at.strftime("%Y-%m-%d %H:%M") if key == "at" else super().display(r, key)

    def tooltip(self, r: RecentChange, key: str) -> str:
        return self.display(r, key)

    def record_id(self, row: int) -> int | None:
        r = self.item(row)
        return r.id if r is not None else None


class _Card(QFrame):
    """A headline figure: title, big value, caption and an optional progress bar."""

    def __init__(self, title: str, with_bar: bool = False) -> None:
        super().__init__()
        self.setObjectName("card")
        # The cards' look on the cards alone: a style sheet on the whole page had Qt polish and draw every widget
        # of it (charts and tables too) through the style sheet engine: ~5 ms more to build the page alone.
        self.setStyleSheet(CARD_STYLE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 10, 14, 10)
        lay.setSpacing(4)
        t = QLabel(title)
        t.setObjectName("card_title")
        self.value = QLabel("—")
        self.value.setObjectName("card_value")
        self.caption = QLabel("")
        self.caption.setObjectName("card_caption")
        # no word wrap: a wrapped label makes the scroll area size the page by its preferred height,
        # which scrolls on a 1366×768 laptop; captions are kept short instead
        lay.addWidget(t)
        lay.addWidget(self.value)
        self.bar: QProgressBar | None = None
        if with_bar:
            self.bar = QProgressBar()
            self.bar.setRange(0, 100)
            self.bar.setTextVisible(False)  # the caption says the percentage
            self.bar.setFixedHeight(10)
            lay.addWidget(self.bar)
        lay.addWidget(self.caption)
        lay.addStretch(1)


def _summary(ledger, year: int) -> DashboardSummary:
    """The page's lane job. The dashboard's services (reports, bulletins, deadlines, progress) are imported
    here, on the lane, rather than on the GUI thread while the window opens with this page."""
    from desktop.services.dashboard import dashboard_service

    return dashboard_service.summary(ledger, year)


class DashboardPage(LazyRefresh, QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.summary: DashboardSummary | None = None
        self._category_axis: QBarCategoryAxis | None = None
        # Ask for the summary first: the lane reads it while the widgets below are built (its answer is handed
        # back on a later turn of the event loop, when they all exist).
        self.refresh()

        self.stack = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

        # Empty state --------------------------------------------------------------------
        self.empty = QWidget()
        e = QVBoxLayout(self.empty)
        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("font-size: 16px; color: #57606a;")
        e.addStretch(1)
        e.addWidget(self.empty_label)
        e.addStretch(2)

        # Content ------------------------------------------------------------------------
        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.setContentsMargins(16, 10, 16, 10)
        lay.setSpacing(8)
        # The title and the deadline line hold their final height from the start (text, not empty), so that the
        # answers filling them lay nothing out anew: a label growing from nothing pushed the whole page down,
        # and Qt drew all of it again (three times over on a city's first screen).
        self.title = title_label(f"{ctx.year}年度 工作总览")
        lay.addWidget(self.title)
        # 期限: overdue and due-soon counts (a link to the 期限 page) and the next-year holiday warning.
        self.deadline_label = QLabel("期限：统计中…")
        self.deadline_label.setObjectName("deadline_label")
        self.deadline_label.setTextFormat(Qt.TextFormat.RichText)
        self.deadline_label.linkActivated.connect(lambda _link: self._open_page("deadlines"))
        lay.addWidget(self.deadline_label)
        self.calendar_banner = QLabel("")
        self.calendar_banner.setObjectName("calendar_banner")
        self.calendar_banner.setTextFormat(Qt.TextFormat.RichText)
        self.calendar_banner.setStyleSheet(BANNER_STYLE)
        self.calendar_banner.linkActivated.connect(lambda _link: self._open_page("holidays"))
        self.calendar_banner.setVisible(False)
        lay.addWidget(self.calendar_banner)

        cards = QHBoxLayout()
        cards.setSpacing(10)
        self.verified_card = _Card("已核实面积（亩）", with_bar=True)
        self.parks_card = _Card("已启动连片整治园区（个）", with_bar=True)
        self.share_card = _Card("连片占比不足的镇街（个）")
        self.listed_card = _Card("列入清单面积（亩）")
        for c in (self.verified_card, self.parks_card, self.share_card, self.listed_card):
            cards.addWidget(c, 1)
        lay.addLayout(cards)
        # Handy names for the figures (tests and future bulletins read these).
        self.verified_value, self.verified_caption = self.verified_card.value, self.verified_card.caption
        self.completion_bar = self.verified_card.bar
        self.parks_value, self.parks_caption, self.parks_bar = self.parks_card.value, self.parks_card.caption, self.parks_card.bar
        self.share_value, self.share_caption = self.share_card.value, self.share_card.caption
        self.listed_value, self.listed_caption = self.listed_card.value, self.listed_card.caption

        chart_box = QGroupBox("各镇街任务与进度（亩）")
        cb = QVBoxLayout(chart_box)
        cb.setContentsMargins(6, 6, 6, 6)
        chart = QChart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setBackgroundRoundness(0)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)
        self.chart_view = QChartView(chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(190)  # the whole page fits a 1366×768 laptop without scrolling
        # The charts take the room the layout's stretch gives them, whatever they hold: a size hint following
        # their axes made every new summary lay the whole page out again, and Qt draw all of it.
        self.chart_view.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        chart.plotAreaChanged.connect(self._fit_category_labels)
        cb.addWidget(self.chart_view)
        charts = QHBoxLayout()
        charts.setSpacing(10)
        charts.addWidget(chart_box, 3)
        self.city_curve = CityCurveBox()
        self.city_curve.chart.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        charts.addWidget(self.city_curve, 2)
        lay.addLayout(charts, 3)

        bottom = QHBoxLayout()
        bottom.setSpacing(10)
        recent_box = QGroupBox("最近变更（双击打开操作日志）")
        rb = QVBoxLayout(recent_box)
        rb.setContentsMargins(6, 6, 6, 6)
        self.recent_model = RecentChangesModel(self)
        self.recent_view = setup_table(QTableView(), sortable=False)  # newest first
        self.recent_view.setObjectName("recent_changes")
        self.recent_view.setModel(self.recent_model)
        self.recent_view.setMinimumHeight(130)
        for col, width in enumerate((130, 80, 76, 110)):
            self.recent_view.setColumnWidth(col, width)
        self.recent_columns = ColumnChooser(self.recent_view)
        self.layout_state = Layout(ctx.settings, "dashboard", {"recent_header": self.recent_view.horizontalHeader()})
        self.recent_view.doubleClicked.connect(self._open_in_log)
        rb.addWidget(self.recent_view)
        bottom.addWidget(recent_box, 3)

        states_box = QGroupBox("清单条目状态（条）")
        grid = QGridLayout(states_box)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(6)
        self.state_labels: dict[EntryState, QLabel] = {}
        states = list(EntryState)
        half = -(-len(states) // STATE_COLUMNS)  # rows: three name/count pairs side by side keep the box low
        for i, state in enumerate(states):
            row, col = i % half, (i // half) * 2
            name = QLabel(state.label)
            count = QLabel("0")
            count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            count.setStyleSheet("font-weight: bold;")
            grid.addWidget(name, row, col)
            grid.addWidget(count, row, col + 1)
            self.state_labels[state] = count
        self.state_total = QLabel("")
        self.state_total.setStyleSheet("color: #57606a;")
        grid.addWidget(self.state_total, half, 0, 1, 2 * STATE_COLUMNS)
        grid.setRowStretch(half + 1, 1)
        bottom.addWidget(states_box, 2)
        self.latest_bulletin = LatestBulletinBox()
        bottom.addWidget(self.latest_bulletin, 2)
        lay.addLayout(bottom, 2)

        self.content = QScrollArea()
        self.content.setWidgetResizable(True)
        self.content.setFrameShape(QFrame.Shape.NoFrame)
        self.content.setWidget(inner)

        # Until the first figures are in, a line saying so: the page's widgets are first shown with their texts
        # (laid out and drawn once, not drawn empty and then again as the texts grow).
        self.loading = QLabel("正在读取…")
        self.loading.setObjectName("dashboard_loading")
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.loading)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.content)
        self.stack.setCurrentWidget(self.loading)

        ctx.data_changed.connect(self._on_data_changed)
        ctx.year_changed.connect(lambda _y: self._refresh_if_visible())

    def save_layout(self) -> None:
        self.layout_state.save()

    # Refresh ---------------------------------------------------------------------------
    def _on_data_changed(self, _what: frozenset[str]) -> None:
        self._refresh_if_visible()  # the figures draw on most tables, and every write is a recent change

    def refresh(self) -> None:
        self._stale = False
        # One read: split in two (the figures drawn while the lane read the rest), the drawing and the lane's
        # Python took turns with the interpreter and the GUI thread's longest turn doubled (~40 → ~80 ms).
        query(self, "summary", _summary, self.ctx.year, done=self._show, failed=self._failed)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.empty_label.setText(exc.message)
            self.stack.setCurrentWidget(self.empty)
        else:
            show_error(self, exc)

    # Showing ---------------------------------------------------------------------------
    def _show(self, s: DashboardSummary) -> None:
        self.summary = s
        self.recent_model.set_rows(s.recent)
        if s.is_empty:
            self.empty_label.setText(EMPTY_TEXT)
            self.stack.setCurrentWidget(self.empty)
            return
        self.title.setText(f"{s.year}年度 工作总览")
        self._show_calendar_warning(s)

        self.verified_value.setText(mu(s.verified_mu or 0))
        self.verified_caption.setText(f"目标 {mu(s.city_target_mu or 0)} 亩，完成 {pct_text(s.completion_pct)}")
        self._set_bar(self.completion_bar, s.completion_pct)

        self.parks_value.setText(f"{s.parks_started} / {s.parks_target}")
        self.parks_caption.setText(f"目标 {s.parks_target} 个，完成 {pct_text(s.parks_pct)}")
        self._set_bar(self.parks_bar, s.parks_pct)

        below = s.towns_below_share
        self.share_value.setText(str(len(below)))
        self.share_value.setStyleSheet(f"color: {AMBER if below else OK_GREEN};")
        if below:
            names = "、".join(below)
            shown = names if len(names) <= 24 else names[:23] + "…"
            self.share_caption.setText(f"连片面积占比低于 {s.share_min_pct.normalize():f}%：{shown}")
            self.share_card.setToolTip(f"连片面积占比低于 {s.share_min_pct.normalize():f}% 的镇街：\n{names}")
        else:
            self.share_caption.setText(f"各镇街连片面积占比均不低于 {s.share_min_pct.normalize():f}%")
            self.share_card.setToolTip("")
        self.share_value.setToolTip(self.share_card.toolTip())

        self.listed_value.setText(mu(s.listed_mu or 0))
        self.listed_caption.setText(f"其中连片整治 {mu(s.contiguous_mu or 0)} 亩，占 {pct_text(s.city_share_pct)}")

        for state, n in s.entries_by_state:
            self.state_labels[state].setText(str(n))
        self.state_total.setText(f"合计 {s.entry_total} 条（只有“已核实”的面积计入完成）")

        self.stack.setCurrentWidget(self.content)
        # The rest on later turns of the event loop, each drawn on its own: the figures above, then the charts,
        # then the latest 通报 and the deadlines. In one turn with their paint they kept the GUI thread ~50 ms on
        # a city's ledger (a freeze a clerk feels); a newer summary arriving meanwhile supersedes the steps left.
        self._after(s, [(self._build_chart, self.city_curve.show_summary),
                        (self.latest_bulletin.show_summary, self._show_deadlines)])

    def _after(self, s: DashboardSummary, turns: list[tuple]) -> None:
        """Each group of steps on a turn of its own (the next put off only once this one has run)."""
        def run() -> None:
            if self.summary is not s:
                return
            for step in turns[0]:
                step(s)
            if len(turns) > 1:
                self._after(s, turns[1:])
        self.ctx.worker.later(self, run)

    def _show_deadlines(self, s: DashboardSummary) -> None:
        overdue_color = DEADLINE_RED if s.deadlines_overdue else OK_GREEN
        soon_color = AMBER if s.deadlines_soon else OK_GREEN
        text = (f"期限：<b style='color:{overdue_color};'>逾期 {s.deadlines_overdue} 项</b> / "
                f"<b style='color:{soon_color};'>5个工作日内到期 {s.deadlines_soon} 项</b>")
        if s.deadlines_no_calendar:
            text += f"　（{s.deadlines_no_calendar} 项因节假日安排未录入无法计算）"
        self.deadline_label.setText(text + "　<a href='deadlines'>查看期限</a>")

    def _show_calendar_warning(self, s: DashboardSummary) -> None:
        warning = s.calendar_warning
        self.calendar_banner.setText(f"⚠ {warning}　<a href='holidays'>打开节假日</a>" if warning else "")
        self.calendar_banner.setVisible(bool(warning))

    def _open_page(self, key: str) -> None:
        open_page = getattr(self.window(), "page", None)
        if open_page is not None:
            open_page(key)

    @staticmethod
    def _set_bar(bar: QProgressBar, pct: Decimal | None) -> None:
        value = 0 if pct is None else max(0, min(100, int(pct)))
        bar.setValue(value)
        bar.setFormat(pct_text(pct))

    def _build_chart(self, s: DashboardSummary) -> None:
        chart = self.chart_view.chart()
        self._category_axis = None
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
            axis.deleteLater()
        series = QBarSeries()
        sets = []
        for label, color, attr in zip(("任务目标", "列入清单", "已核实"), BAR_COLORS,
                                      ("target_mu", "listed_mu", "verified_mu")):
            bs = QBarSet(label)
            bs.setColor(QColor(color))
            bs.setBorderColor(QColor(color))
            bs.append([float(getattr(t, attr)) for t in s.towns])
            sets.append(bs)
        series.append(sets)
        series.hovered.connect(self._bar_hovered)
        chart.addSeries(series)

        many = len(s.towns) > SHORTEN_AFTER
        categories = [self._short(t.town) if many else t.town for t in s.towns]
        x = QBarCategoryAxis()
        x.append(categories)
        font = QFont(self.font())
        if len(s.towns) > SHORTEN_AFTER:
            font.setPointSizeF(max(8.0, font.pointSizeF() - 1))
        x.setLabelsFont(font)
        x.setTruncateLabels(False)  # we shorten names ourselves; Qt's eliding leaves "东…"
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(x)
        self._category_axis = x
        self._fit_category_labels()

        y = QValueAxis()
        top = max([float(getattr(t, a)) for t in s.towns for a in ("target_mu", "listed_mu", "verified_mu")] or [0])
        y.setRange(0, top * 1.05 if top > 0 else 10)  # headroom so the tallest bar does not touch the frame
        y.applyNiceNumbers()
        y.setLabelFormat("%.0f")
        y.setTitleText("面积（亩）")
        y.setLabelsFont(font)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(y)

    def _fit_category_labels(self, *_args) -> None:
        """Turn the town names 45° only when the longest does not fit its slot under the bars."""
        axis = self._category_axis
        if axis is None or axis.count() == 0:
            return
        metrics = QFontMetrics(axis.labelsFont())
        widest = max(metrics.horizontalAdvance(c) for c in axis.categories())
        slot = self.chart_view.chart().plotArea().width() / axis.count()
        angle = 0 if widest + 8 <= slot else -45
        if axis.labelsAngle() != angle:
            axis.setLabelsAngle(angle)

    @staticmethod
    def _short(name: str) -> str:
        return name if len(name) <= SHORT_NAME_CHARS else name[: SHORT_NAME_CHARS - 1] + "…"

    def _bar_hovered(self, status: bool, index: int, barset: QBarSet) -> None:
        if not status or self.summary is None or not (0 <= index < len(self.summary.towns)):
            QToolTip.hideText()
            return
        town = self.summary.towns[index]
        QToolTip.showText(QCursor.pos() + QPoint(12, 12),
                          f"{town.town}\n任务目标 {mu(town.target_mu or 0)} 亩\n列入清单 {mu(town.listed_mu or 0)} 亩\n"
                          f"已核实 {mu(town.verified_mu or 0)} 亩\n（当前：{barset.label()} {barset.at(index):,.2f} 亩）")

    # Navigation ------------------------------------------------------------------------
    def _open_in_log(self, index: QModelIndex) -> None:
        record_id = self.recent_model.record_id(index.row())
        window = self.window()
        open_page = getattr(window, "page", None)
        if record_id is None or open_page is None:
            return
        page = open_page("audit")
        show = getattr(page, "show_record", None)
        if show:
            show(record_id)
