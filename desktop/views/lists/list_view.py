"""年度清单 page (三(一)(二)): a town's list for the year — entries, submit, review (approve or return
with a reason), each entry's steps — with the contiguous share on the header, asked before 报送 and
shown on review; and the town's filed plans (治理方案备案).

Every rule is list_service's / plan_service's / entry_states'; a button is enabled only when the
selected entries (or the list) allow its act, its tooltip saying why not. The acts are in list_actions.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import EntryState, ListStatus
from desktop.services import audit
from desktop.services.lists import entry_states, list_service, plan_service
from desktop.services.lists.list_service import EntryRow, ListSummary, TownListRow
from desktop.services.lists.plan_service import PlanRow
from desktop.views.kit.columns import ColumnChooser
from desktop.views.kit.context import AppContext
from desktop.views.kit.forms import HINT_STYLE
from desktop.views.kit.ops import query
from desktop.views.kit.page_state import LazyRefresh
from desktop.views.kit.layouts import search_box
from desktop.views.kit.table import ActionBar, Layout, needs_one, reload_rows, selected_rows, \
    setup_table, shortcut, title_label
from desktop.views.kit.table_export import add_export_action, describe_filters
from desktop.views.kit.undo import UndoKit
from desktop.views.kit.widgets import button, splitter
from desktop.views.lists.list_actions import ELSEWHERE, LIST_LEVEL_ACTIONS, ListActions, step_label
from desktop.views.lists.share_banner import set_share_banner
from desktop.views.lists.list_models import LIST_STATUS_COLOURS, STATE_COLOURS, EntryModel, PlanModel, \
    TownOverviewModel

RELEVANT_TABLES = {"governance_list", "list_entry", "plan", "target", "town", "contiguous_area", "year",
                   "year_params", "soe", "quota_loan"}
NO_TOWN = "请先在“镇街与任务分解”中建立镇街"


def _time_text(at) -> str:
    return "—" if at is None else f"{audit.to_local(at):%Y-%m-%d %H:%M}"


class _TownData:
    __slots__ = ("town_id", "summary", "entries", "plans", "parks", "review_refusal")

    def __init__(self, town_id, summary, entries, plans, parks, review_refusal=None) -> None:
        self.town_id: int = town_id
        self.summary: ListSummary | None = summary
        self.entries: list[EntryRow] = entries
        self.plans: list[PlanRow] = plans
        self.parks: list[tuple[int, str]] = parks
        self.review_refusal: str | None = review_refusal  # not a leader, or the list's own submitter


def load_town(ledger, year: int, town_id: int) -> _TownData:
    summary = list_service.find_list(ledger, town_id, year)
    entries = list_service.entries(ledger, summary.id) if summary else []
    plans = plan_service.list_plans(ledger, year, list_id=summary.id) if summary else []
    parks = list_service.park_choices(ledger, town_id)
    review_refusal = list_service.why_not_review(ledger, summary.id) if summary else None
    return _TownData(town_id, summary, entries, plans, parks, review_refusal)


def _page_data(ledger, year: int, wanted: int | None) -> tuple[list[TownListRow], _TownData | None]:
    """The overview of every town and the chosen town's list (the first town when none is chosen)."""
    overview = list_service.town_overview(ledger, year)
    ids = [r.town_id for r in overview]
    town_id = wanted if wanted in ids else (ids[0] if ids else None)
    return overview, (load_town(ledger, year, town_id) if town_id is not None else None)


class ListPage(ListActions, LazyRefresh, QWidget):
    relevant_tables = frozenset(RELEVANT_TABLES)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._filling_combo = False
        self._shown_town_id: int | None = None
        self._select_after: list[int] = []
        self._dialog = None
        self.summary: ListSummary | None = None
        self._review_refusal: str | None = None
        self.parks: list[tuple[int, str]] = []
        saved = ctx.settings.value("lists/town")
        self._town_id: int | None = int(saved) if saved not in (None, "") else None
        self._build()
        ctx.data_changed.connect(self._on_data_changed)
        ctx.year_changed.connect(lambda _y: self._refresh_if_visible())

    # Layout --------------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = title_label("年度拟治理清单")
        top.addWidget(self.title)
        top.addSpacing(24)
        top.addWidget(QLabel("镇街："))
        self.town_combo = QComboBox()
        self.town_combo.setObjectName("town_combo")
        self.town_combo.setMinimumWidth(160)
        self.town_combo.currentIndexChanged.connect(self._town_chosen)
        top.addWidget(self.town_combo)
        top.addStretch(1)
        self.undo = UndoKit(self)  # entry and plan edits (Ctrl+Z)
        for w in (self.undo.undo_button, self.undo.redo_button, button("刷新", self.refresh, tip="F5")):
            top.addWidget(w)
        outer.addLayout(top)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel("各镇街清单"))
        self.overview_model = TownOverviewModel(self)
        self.overview = setup_table(QTableView(), section=70)
        self.overview.setObjectName("overview_table")
        self.overview.setModel(self.overview_model)
        self.overview.horizontalHeader().setMinimumSectionSize(36)
        for col, width in enumerate((80, 58, 40, 84, 66)):
            self.overview.setColumnWidth(col, width)
        self.overview.selectionModel().currentRowChanged.connect(self._overview_clicked)
        ll.addWidget(self.overview)
        self.overview_hint = QLabel("")
        self.overview_hint.setStyleSheet(HINT_STYLE)
        self.overview_hint.setWordWrap(True)
        ll.addWidget(self.overview_hint)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.status_label, self.share_banner, self.counts_label = QLabel(""), QLabel(""), QLabel("")
        for name, label in (("status_label", self.status_label), ("share_banner", self.share_banner),
                            ("counts_label", self.counts_label)):
            label.setObjectName(name)
            label.setWordWrap(True)
            if label is not self.share_banner:
                label.setTextFormat(Qt.TextFormat.RichText)
            rl.addWidget(label)
        set_share_banner(self.share_banner, None)

        self.entry_model = EntryModel(self)
        self.entry_table = setup_table(QTableView(), single=False)
        self.entry_table.setObjectName("entry_table")
        self.entry_table.setModel(self.entry_model)
        for col, width in enumerate((200, 168, 76, 150, 96, 130, 84, 140, 96)):
            self.entry_table.setColumnWidth(col, width)
        # 状态 and 原因 stay on a 1366×768 screen; the code, verified area and note are a right-click away.
        self.entry_columns = ColumnChooser(self.entry_table, hidden={"credit_code", "verified_area_mu", "note"})
        self.entry_table.doubleClicked.connect(lambda _i: self.edit_entry())
        self.entry_table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.entry_table.customContextMenuRequested.connect(self._entry_menu)
        rl.addLayout(self._entry_buttons())
        self.tabs = QTabWidget()
        self.tabs.setCornerWidget(self._corner(), Qt.Corner.TopRightCorner)
        self.tabs.addTab(self.entry_table, "清单条目")
        self.tabs.addTab(self._plans_tab(), "治理方案")
        rl.addWidget(self.tabs, 1)
        legend = QLabel("　".join(f"<span style='background:{STATE_COLOURS[s]};'>&nbsp;{s.label}&nbsp;</span>"
                                 for s in EntryState))
        legend.setTextFormat(Qt.TextFormat.RichText)
        legend.setToolTip("状态颜色；只有“已核实”的面积计入完成量")
        rl.addWidget(legend)

        self.splitter = splitter(Qt.Orientation.Horizontal, (left, 0), (right, 1))
        self.splitter.setSizes([340, 1160])
        outer.addWidget(self.splitter, 1)

        shortcut(self, QKeySequence(Qt.Key.Key_F5), self.refresh)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut(self.entry_table, key, self.edit_entry, local=True)
        self.layout_state = Layout(self.ctx.settings, "lists", {
            "overview_header": self.overview.horizontalHeader(), "entry_header": self.entry_table.horizontalHeader(),
            "plan_header": self.plan_table.horizontalHeader(), "splitter": self.splitter})

    def _entry_buttons(self) -> QHBoxLayout:
        """添加/修改/删除, the list's 报送/审核通过/退回, 方案备案 and the entries' steps: each enabled only
        when the selected entries (or the list) allow it, its tooltip saying why not."""
        self.actions = ActionBar(self.entry_table, self)
        add = self.actions.add
        self.add_button = add("添加条目", self.add_entry, keys=QKeySequence("Ctrl+N"),
                              when=lambda _rows: None if self._town_id is not None else NO_TOWN)
        self.edit_button = add("修改", self.edit_entry, tip="回车或双击", when=self.why_not_edit)
        self.delete_button = add("删除", self.delete_entries, keys=QKeySequence.StandardKey.Delete, local_keys=True,
                                 when=self.why_not_delete)
        self.submit_button = add("报送", self.submit, tip="报送草稿和退回修改后的条目；先显示连片面积占比",
                                 when=lambda _rows: self.why_not_list("submit"))
        self.approve_button = add("审核通过", self.approve, when=lambda _rows: self.why_not_list("approve"), needs="approve")
        self.return_button = add("退回…", self.return_list, tip="退回须填写原因", needs="approve",
                                 when=lambda _rows: self.why_not_list("return"))
        self.plan_button = add("方案备案…", self.open_plan_dialog, when=self.why_not_file,
                               tip="为所选已审核条目备案治理方案（可多选，同批共用备案编号）")
        self.steps_button = add("条目操作", lambda: None, when=self.why_no_steps)
        self.steps_menu = QMenu(self.steps_button)
        self.steps_menu.setToolTipsVisible(True)
        self.steps_menu.aboutToShow.connect(lambda: self._fill_steps(self.steps_menu))
        self.steps_button.setMenu(self.steps_menu)
        buttons = QHBoxLayout()
        for group in ((self.add_button, self.edit_button, self.delete_button),
                      (self.submit_button, self.approve_button, self.return_button),
                      (self.plan_button, self.steps_button)):
            for w in group:
                buttons.addWidget(w)
            buttons.addSpacing(12)
        buttons.addStretch(1)
        return buttons

    def _corner(self) -> QWidget:
        self.filter_edit = search_box(self, "筛选条目（Ctrl+F）", width=200,
                                      before=lambda: self.tabs.setCurrentIndex(0))
        self.filter_edit.setObjectName("entry_filter")
        self.filter_edit.textChanged.connect(self._filter_changed)
        corner = QWidget()
        cl = QHBoxLayout(corner)
        cl.setContentsMargins(0, 0, 4, 2)
        cl.addWidget(self.filter_edit)
        cl.addWidget(add_export_action(
            self, lambda: self.plan_table if self.tabs.currentIndex() == 1 else self.entry_table,
            title=lambda: f"{self.town_combo.currentText()}{self.ctx.year}年度"
                          + ("治理方案备案" if self.tabs.currentIndex() == 1 else "拟治理清单"),
            subtitle=lambda: describe_filters(("关键词", self.filter_edit)), settings_key="lists"))
        return corner

    def _plans_tab(self) -> QWidget:
        plans = QWidget()
        pl = QVBoxLayout(plans)
        pl.setContentsMargins(4, 4, 4, 4)
        self.plan_model = PlanModel(self)
        self.plan_table = setup_table(QTableView())
        self.plan_table.setObjectName("plan_table")
        self.plan_table.setModel(self.plan_model)
        for col, width in enumerate((130, 180, 110, 96, 110, 104, 180, 90, 84, 72)):
            self.plan_table.setColumnWidth(col, width)
        self.plan_table.doubleClicked.connect(lambda _i: self.edit_plan())
        self.plan_actions = ActionBar(self.plan_table, self)
        self.edit_plan_button = self.plan_actions.add(
            "修改方案…", self.edit_plan,
            when=lambda rows: needs_one(rows) or plan_service.why_not_update(rows[0].loan_count))
        prow = QHBoxLayout()
        prow.addWidget(self.edit_plan_button)
        self.plan_hint = QLabel("在“清单条目”中选择已审核的条目，点“方案备案…”；企业自主技改的方案只记录，不计入统计。")
        self.plan_hint.setStyleSheet(HINT_STYLE)
        prow.addWidget(self.plan_hint, 1)
        pl.addLayout(prow)
        pl.addWidget(self.plan_table)
        return plans

    def save_layout(self) -> None:
        self.layout_state.save()
        if self._town_id is not None:
            self.ctx.settings.setValue("lists/town", self._town_id)

    # What the buttons allow ----------------------------------------------------------------------
    def why_not_list(self, action: str) -> str | None:
        """报送 / 审核通过 / 退回 of the whole list, from the transition table."""
        s = self.summary
        if s is None:
            return NO_TOWN if self._town_id is None else "本镇街尚未建立清单"
        why = entry_states.why_not_list(action, s.state_counts, s.status.label)
        if why is None and action in ("approve", "return"):
            return self._review_refusal
        return why

    @staticmethod
    def why_not_delete(rows: list[EntryRow]) -> str | None:
        return entry_states.why_not_any("delete", [(e.target_name, e.state) for e in rows], name_one=False)

    @staticmethod
    def why_not_edit(rows: list[EntryRow]) -> str | None:
        return needs_one(rows) or entry_states.why_not("edit", rows[0].state)

    @staticmethod
    def why_not_file(rows: list[EntryRow]) -> str | None:
        if not rows:
            return "请先选择已审核的条目"
        return plan_service.why_not_file([(e.target_name, e.state) for e in rows])

    def why_no_steps(self, rows: list[EntryRow]) -> str | None:
        if not rows:
            return "请先选择条目"
        return None if self.step_actions(rows) else "所选条目没有共同的可用操作"

    def step_actions(self, entries: list[EntryRow]) -> list[str]:
        """Steps open to every selected entry, from the transition table (list-level ones excluded)."""
        common = None
        for e in entries:
            acts = [a for a in entry_states.actions_from(e.state) if a not in LIST_LEVEL_ACTIONS]
            common = acts if common is None else [a for a in common if a in acts]
        return common or []

    # Loading -------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the overview and the chosen town (the first town when none was chosen)."""
        self._stale = False
        query(self, "page", _page_data, self.ctx.year, self._town_id, done=self._loaded)

    def _loaded(self, result) -> None:
        overview, data = result
        self.title.setText(f"{self.ctx.year}年度拟治理清单")
        self.overview_model.set_rows(overview)
        below = [r.town for r in overview if r.below_minimum]
        self.overview_hint.setText(f"连片占比低于年度下限：{'、'.join(below)}" if below else "")
        self._filling_combo = True
        try:
            self.town_combo.clear()
            for r in overview:
                self.town_combo.addItem(r.town, r.town_id)
        finally:
            self._filling_combo = False
        self._show_town(data)

    def _town_chosen(self, index: int) -> None:
        if self._filling_combo or index < 0:
            return
        town_id = self.town_combo.itemData(index)
        if town_id is not None and town_id != self._town_id:
            self.choose_town(town_id)

    def choose_town(self, town_id: int) -> None:
        """Show another town's list (the combo, the overview and the tables follow)."""
        self._town_id = town_id
        self.refresh()

    def _overview_clicked(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._filling_combo:
            return
        row = self.overview_model.item(current.row())
        if row is not None and row.town_id != self._town_id:
            self.town_combo.setCurrentIndex(self.town_combo.findData(row.town_id))

    def _show_town(self, data: _TownData | None) -> None:
        if (data.town_id if data else None) != self._shown_town_id:  # another town: nothing stays selected
            self.entry_table.clearSelection()
            self.plan_table.clearSelection()
        self._shown_town_id = self._town_id = data.town_id if data else None
        self.summary = data.summary if data else None
        self._review_refusal = data.review_refusal if data else None
        self.parks = data.parks if data else []
        self._filling_combo = True
        try:
            if data is not None:
                self.town_combo.setCurrentIndex(self.town_combo.findData(data.town_id))
                row = self.overview_model.row_of_town(data.town_id)
                if row >= 0:
                    self.overview.selectRow(row)
        finally:
            self._filling_combo = False
        reload_rows(self.entry_table, data.entries if data else [])
        reload_rows(self.plan_table, data.plans if data else [])
        if self._select_after:
            self.select_entries(self._select_after)
            self._select_after = []
        self._show_header()

    def _show_header(self) -> None:
        s = self.summary
        town = self.town_combo.currentText()
        self.tabs.setTabText(0, f"清单条目（{len(self.entry_model.rows)}）" if s else "清单条目")
        self.tabs.setTabText(1, f"治理方案（{self.plan_model.total()}）" if s else "治理方案")
        if s is None:
            self.status_label.setText(f"<b>{town}</b> {self.ctx.year}年度尚未建立清单；点“添加条目”开始编制。"
                                      if town else f"{NO_TOWN}。")
            set_share_banner(self.share_banner, None)
            self.counts_label.setText("")
            return
        parts = [f"<b>{s.town}</b>　清单状态：<span style='background:{LIST_STATUS_COLOURS[s.status]};'>"
                 f"&nbsp;<b>{s.status.label}</b>&nbsp;</span>",
                 f"报送时间：{_time_text(s.submitted_at)}",
                 f"审核时间：{_time_text(s.reviewed_at)}",
                 f"审核人：{s.reviewer or '—'}"]
        text = "　".join(parts)
        if s.return_reason and s.status is ListStatus.RETURNED:
            text += f"<br><span style='color:#c0392b;'>退回原因：{_escape(s.return_reason)}</span>"
        self.status_label.setText(text)
        set_share_banner(self.share_banner, s.share)
        counts = [f"<span style='background:{STATE_COLOURS[st]};'>&nbsp;{st.label} {n}&nbsp;</span>"
                  for st in EntryState if (n := s.state_counts.get(st, 0))]
        self.counts_label.setText(f"条目 {s.entry_count} 个：" + " ".join(counts) if counts else "清单中还没有条目")

    def _filter_changed(self, text: str) -> None:
        self.entry_model.set_filter(text)
        self.plan_model.set_filter(text)
        self._show_header()

    # Selection -----------------------------------------------------------------------------------
    def selected_entries(self) -> list[EntryRow]:
        return selected_rows(self.entry_table)

    def select_entries(self, entry_ids) -> None:
        self.entry_table.clearSelection()
        selection = self.entry_table.selectionModel()
        for entry_id in entry_ids:
            row = self.entry_model.row_of(entry_id)
            if row >= 0:
                selection.select(self.entry_model.index(row, 0),
                                 selection.SelectionFlag.Select | selection.SelectionFlag.Rows)

    def current_plan(self) -> PlanRow | None:
        rows = selected_rows(self.plan_table)
        return rows[0] if rows else None

    def _fill_steps(self, menu: QMenu, *, clear: bool = True) -> None:
        if clear:
            menu.clear()
        entries = self.selected_entries()
        actions = self.step_actions(entries)
        if not actions:
            empty = menu.addAction("（所选条目没有共同的可用操作）" if len(entries) > 1 else "（没有可用操作）")
            empty.setEnabled(False)
            return
        for action in actions:
            item = menu.addAction(step_label(action))
            item.setData(action)
            if action in ELSEWHERE:
                item.setEnabled(False)
                item.setToolTip(ELSEWHERE[action])
            else:
                item.triggered.connect(lambda _c=False, a=action: self.run_step(a))

    def build_entry_menu(self) -> QMenu:
        """修改, 删除 (each enabled only when the selection allows it, saying why not) and the selected
        entries' steps: the table's context menu."""
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        entries = self.selected_entries()
        for text, slot, why in (("修改…", self.edit_entry, self.why_not_edit(entries)),
                                ("删除", self.delete_entries, self.why_not_delete(entries))):
            item = menu.addAction(text, slot)
            if why is not None:
                item.setEnabled(False)
                item.setToolTip(why)
        menu.addSeparator()
        self._fill_steps(menu, clear=False)
        return menu

    def _entry_menu(self, pos) -> None:
        if not self.selected_entries():
            return
        menu = self.build_entry_menu()
        menu.exec(self.entry_table.viewport().mapToGlobal(pos))
        menu.deleteLater()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
