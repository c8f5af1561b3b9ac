"""期限 page: every due item of the year's work in one table — overdue red, due within 5 workdays amber.

Rows come from deadline_service.deadlines as of a chosen day (default today); the page filters them by
town, kind, status and text, and sorts them. Rows whose computation needs a year with no holiday table
say so in their note, and from November a banner warns that next year's table is missing.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout

from desktop.services.deadlines import calendar_service, deadline_service
from desktop.services.deadlines.deadline_service import (
    DONE, NO_CALENDAR, OK, OVERDUE, SOON, STATUS_ORDER, DeadlineRow)
from desktop.services.towns import town_service
from desktop.views.kit.as_of import AsOfField
from desktop.views.kit.context import AppContext
from desktop.views.kit.layouts import hint_label, search_box, table_view
from desktop.views.kit.ops import query
from desktop.views.kit.page import Page
from desktop.views.kit.rows import RowsModel, date_text
from desktop.views.kit.table import Layout, resort, shortcut, title_label
from desktop.views.kit.table_export import add_export_action, describe_filters
from desktop.views.kit.town_filter import sync_town_filter, town_filter_box
from desktop.views.kit.widgets import button

RED = QColor("#F4C7C3")
AMBER = QColor("#FFE699")
NO_CALENDAR_BACKGROUND = QColor("#E7E6F2")
DONE_FOREGROUND = QColor("#808080")
BACKGROUNDS = {OVERDUE: RED, SOON: AMBER, NO_CALENDAR: NO_CALENDAR_BACKGROUND}
BANNER_STYLE = "background: #fff4ce; border: 1px solid #e0b252; border-radius: 4px; padding: 6px 10px; color: #5c4400;"
# Tables whose change can move a deadline (reports, verifications, loans, agreements, the calendar …).
RELEVANT_TABLES = frozenset({"town", "year", "year_params", "monthly_report", "monthly_report_item", "verification",
                   "quota_loan", "quota_return", "agreement", "holiday", "calendar_year", "department"})
UNKNOWN_LAST = 10 ** 9  # a row whose workdays cannot be counted sorts after every counted one

# Status filter: label → statuses shown. The first (default) hides what is done.
STATUS_FILTERS: list[tuple[str, frozenset[str]]] = [
    ("未完成", frozenset({OVERDUE, SOON, NO_CALENDAR, OK})),
    ("已逾期", frozenset({OVERDUE})),
    (f"{deadline_service.SOON_WORKDAYS}个工作日内到期", frozenset({SOON})),
    ("无法计算（节假日未录入）", frozenset({NO_CALENDAR})),
    ("未到期", frozenset({OK})),
    ("已完成", frozenset({DONE})),
    ("全部", frozenset({OVERDUE, SOON, NO_CALENDAR, OK, DONE})),
]


class DeadlineModel(RowsModel):
    """The filtered deadline rows: 状态, 类型, 镇街, 事项, 到期日, 剩余工作日, 说明; most urgent first until sorted."""

    COLUMNS = [("status", "状态"), ("kind", "类型"), ("town", "镇街"), ("subject", "事项"), ("due_date", "到期日"),
               ("workdays_left", "剩余工作日"), ("note", "说明")]
    NUMERIC = {"due_date", "workdays_left"}

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.as_of: dt.date | None = None

    def set_rows(self, rows: list[DeadlineRow], as_of: dt.date | None = None) -> None:
        """Rows in deadline_service.deadlines()'s order (most urgent first), or a filtered part of it: the
        service has sorted them, so they are not sorted again (a header sort still applies)."""
        self.as_of = as_of
        super().set_rows(rows)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.COLUMNS) and self.COLUMNS[section][0] == "workdays_left":
            return "到期日之前还剩的工作日（到期日当天为 0）；逾期的为已过的工作日"
        return super().headerData(section, orientation, role)

    def value(self, r: DeadlineRow, key: str):
        if key == "status":
            return deadline_service.STATUS_ORDER.index(r.status)
        if key == "due_date":
            return r.due_date or dt.date.max
        if key == "workdays_left":
            return UNKNOWN_LAST if r.workdays_left is None else r.workdays_left
        return str(getattr(r, key) or "")

    def display(self, r: DeadlineRow, key: str) -> str:
        if key == "status":
            return r.status_label
        if key == "due_date":
            return date_text(r.due_date) or "—"
        if key == "workdays_left":
            return deadline_service.workdays_left_text(r, self.as_of)
        if key == "town":
            return r.town or "—"
        return str(getattr(r, key) or "")

    def background(self, r: DeadlineRow, key: str) -> QColor | None:
        return BACKGROUNDS.get(r.status)

    def foreground(self, r: DeadlineRow, key: str) -> QColor | None:
        return DONE_FOREGROUND if r.status == DONE else None

    def tooltip(self, r: DeadlineRow, key: str) -> str | None:
        if key == "note" and r.note:
            return r.note
        if key == "subject":
            return r.subject
        if key == "status" and r.done_on is not None:
            return f"完成日期：{date_text(r.done_on)}"
        return None


class DeadlinePage(Page):
    relevant_tables = RELEVANT_TABLES

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.all_rows: list[DeadlineRow] = []
        self._haystacks: list[str] | None = None
        self.rows_as_of: dt.date | None = None
        self._build()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(title_label("期限"))
        top.addSpacing(16)
        self.as_of_edit = AsOfField(self.ctx.ledger.today, year=self.ctx.year)
        self.as_of_edit.setObjectName("as_of")
        self.as_of_edit.changed.connect(lambda _d: self.refresh())
        top.addWidget(self.as_of_edit)
        self.today_button = self.as_of_edit.today_button
        self.refresh_button = button("刷新", self.refresh, tip="F5")
        top.addWidget(self.refresh_button)
        top.addStretch(1)
        outer.addLayout(top)

        self.banner = QLabel("")
        self.banner.setObjectName("calendar_banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.banner.linkActivated.connect(lambda _l: self._open_page("holidays"))
        self.banner.setVisible(False)
        outer.addWidget(self.banner)

        filters = QHBoxLayout()
        filters.addWidget(QLabel("镇街："))
        self.town_combo = town_filter_box()
        self.town_combo.setObjectName("town_filter")
        filters.addWidget(self.town_combo)
        filters.addSpacing(8)
        filters.addWidget(QLabel("类型："))
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("kind_filter")
        self.kind_combo.addItem("全部", None)
        for k in deadline_service.kinds():
            self.kind_combo.addItem(k, k)
        filters.addWidget(self.kind_combo)
        filters.addSpacing(8)
        filters.addWidget(QLabel("状态："))
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("status_filter")
        for label, statuses in STATUS_FILTERS:
            self.status_combo.addItem(label, statuses)
        filters.addWidget(self.status_combo)
        filters.addSpacing(8)
        self.search = search_box(self, "按事项、镇街或说明筛选（Ctrl+F）", width=None, name="search")
        self.search.setMinimumWidth(220)
        filters.addWidget(self.search, 1)
        filters.addWidget(add_export_action(
            self, lambda: self.table, title=lambda: f"期限一览（截至{date_text(self.as_of)}）", settings_key="deadlines",
            subtitle=lambda: describe_filters(("镇街", self.town_combo), ("类型", self.kind_combo),
                                              ("状态", self.status_combo), ("关键词", self.search))))
        outer.addLayout(filters)
        for combo in (self.town_combo, self.kind_combo, self.status_combo):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.search.textChanged.connect(lambda _t: self.apply_filters())

        self.counts_label = QLabel("")
        self.counts_label.setObjectName("counts")
        self.counts_label.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.counts_label)

        self.model = DeadlineModel(self)
        self.table = table_view(self.model, "deadline_table", (70, 72, 84, 430, 92, 124))
        outer.addWidget(self.table, 1)

        self.legend = hint_label(
            f"<span style='background:{RED.name()};'>&nbsp;红色&nbsp;</span> 已逾期　"
            f"<span style='background:{AMBER.name()};'>&nbsp;黄色&nbsp;</span> "
            f"{deadline_service.SOON_WORKDAYS}个工作日内到期（到期日当天计 0）　"
            f"<span style='background:{NO_CALENDAR_BACKGROUND.name()};'>&nbsp;灰紫&nbsp;</span> "
            "所需年份的节假日安排未录入，无法计算<br>" + deadline_service.AGREEMENT_NOTE)
        self.legend.setObjectName("legend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.legend)
        shortcut(self, QKeySequence.StandardKey.Refresh, self.refresh)
        self.layout_state = Layout(self.ctx.settings, "deadlines", {"header": self.table.horizontalHeader()})

    def save_layout(self) -> None:
        self.layout_state.save()

    def _open_page(self, key: str) -> None:
        open_page = getattr(self.window(), "page", None)
        if open_page is not None:
            open_page(key)

    # Loading -----------------------------------------------------------------------------
    @property
    def as_of(self) -> dt.date:
        return self.as_of_edit.value()

    def set_as_of(self, day: dt.date) -> None:
        self.as_of_edit.set_value(day)  # refreshes when it changes

    def set_today(self) -> None:
        self.set_as_of(self.ctx.ledger.today())

    def refresh(self) -> None:
        self._stale = False
        query(self, "deadlines", _page_data, self.as_of, done=self._loaded)

    def _loaded(self, result) -> None:
        rows, towns, warning, as_of = result
        self.all_rows = rows
        self._haystacks = None
        self.rows_as_of = as_of
        self.banner.setText(f"⚠ {warning}　<a href='holidays'>打开节假日</a>" if warning else "")
        self.banner.setVisible(bool(warning))
        # A stopped town stays in the box while it still has rows: the rows' towns are gathered once.
        listed = {r.town_id for r in rows} if any(not t.active for t in towns) else ()
        sync_town_filter(self.town_combo, [t for t in towns if t.active or t.id in listed])
        self.apply_filters()

    def apply_filters(self) -> None:
        """One pass over the loaded rows (kept in the service's order): those matching town, kind and words are
        counted by status, and those of the chosen statuses listed; the model is reset once."""
        town_id = self.town_combo.currentData()
        kind = self.kind_combo.currentData()
        statuses = self.status_combo.currentData() or frozenset()
        words = self.search.text().split()
        haystacks = self._search_texts() if words else None
        n = dict.fromkeys(STATUS_ORDER, 0)
        shown = []
        for i, r in enumerate(self.all_rows):
            if (town_id is not None and r.town_id != town_id) or (kind is not None and r.kind != kind):
                continue
            if words and not all(w in haystacks[i] for w in words):
                continue
            n[r.status] += 1
            if r.status in statuses:
                shown.append(r)
        self.model.set_rows(shown, self.rows_as_of)
        resort(self.table)
        self._show_counts(n)

    def _search_texts(self) -> list[str]:
        """What the words are looked for in, one text per loaded row: made on the first search after a load and
        kept until the next load replaces the rows."""
        if self._haystacks is None:
            self._haystacks = [f"{r.subject} {r.town} {r.note} {r.kind}" for r in self.all_rows]
        return self._haystacks

    def _show_counts(self, n: dict[str, int]) -> None:
        """The counts line: `n` = rows matching town, kind and words, by status."""
        parts = [f"<b style='color:#c62828;'>已逾期 {n[OVERDUE]} 项</b>",
                 f"<b style='color:#b26a00;'>{deadline_service.SOON_WORKDAYS}个工作日内到期 {n[SOON]} 项</b>"]
        if n[NO_CALENDAR]:
            parts.append(f"无法计算 {n[NO_CALENDAR]} 项")
        parts.append(f"未到期 {n[OK]} 项")
        parts.append(f"已完成 {n[DONE]} 项")
        shown = self.model.rowCount()
        self.counts_label.setText(f"截至 {date_text(self.rows_as_of or self.as_of)}：" + "，".join(parts)
                                  + f"　（列出 {shown} 项）")


def _page_data(ledger, as_of: dt.date):
    """The page in one lane job: the deadlines as of the day, the towns, and next year's calendar warning."""
    return (deadline_service.deadlines(ledger, as_of=as_of), town_service.list_towns(ledger),
            calendar_service.next_year_missing_warning(ledger, as_of), as_of)
