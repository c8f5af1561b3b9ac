"""年度清单 page (三(一)(二)): a town's list for the year — entries, submit, review (approve or return
with a reason), each entry's steps — with the contiguous share on the header, on submit and on
review; and the town's filed plans (治理方案备案).

Every rule is list_service's / plan_service's / entry_states'; this page lays them out and shows
their Chinese refusals as they are.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import EntryState, ListStatus
from desktop.services import audit
from desktop.services.lists import entry_states, list_service, plan_service
from desktop.services.parks import park_service
from desktop.services.year import year_service
from desktop.services.errors import Refused
from desktop.services.lists.list_service import EntryRow, ListSummary, ShareCheck, TownListRow
from desktop.services.lists.plan_service import FilingResult, PlanRow
from desktop.views.kit.context import AppContext
from desktop.views.kit.page_state import LazyRefresh, restore_states, save_states
from desktop.views.lists.list_dialogs import EntryDialog, ReasonDialog, set_share_banner
from desktop.views.lists.list_models import LIST_STATUS_COLOURS, STATE_COLOURS, EntryModel, PlanModel, TownOverviewModel
from desktop.views.lists.plan_dialog import PlanDialog
from desktop.views.kit.table_export import add_export_action, describe_filters
from desktop.views.kit.worker import show_error

RELEVANT_TABLES = {"*", "governance_list", "list_entry", "plan", "target", "town", "contiguous_area", "year",
                   "year_params", "soe", "quota_loan"}
# Steps of the whole list (报送, 审核通过, 退回) have their own buttons; 退回修改 happens on 报送.
LIST_LEVEL_ACTIONS = frozenset({"submit", "approve", "return", "redraft"})
# 三(四): completion is reported, and verified per department, on the monthly page (its report
# items go with these steps), so here they are shown disabled with where to do them.
VERIFY_ACTIONS = frozenset({"verify_pass", "verify_fail"})
VERIFY_TIP = "在“月度报送与核实”中核实"
REPORT_ACTIONS = frozenset({"report_done", "withdraw_report"})
REPORT_TIP = "在“月度报送与核实”中报送或撤回"
ELSEWHERE = {**{a: VERIFY_TIP for a in VERIFY_ACTIONS}, **{a: REPORT_TIP for a in REPORT_ACTIONS}}
HINT_STYLE = "color: #707070;"


def _time_text(at) -> str:
    return "—" if at is None else f"{audit.to_local(at):%Y-%m-%d %H:%M}"


def step_label(action: str) -> str:
    label = entry_states.TRANSITIONS[action][2]
    if action == "file_plan" or (action in entry_states.NEEDS_REASON and action not in ELSEWHERE):
        label += "…"
    return label


class _TownData:
    __slots__ = ("town_id", "summary", "entries", "plans", "parks")

    def __init__(self, town_id, summary, entries, plans, parks) -> None:
        self.town_id: int = town_id
        self.summary: ListSummary | None = summary
        self.entries: list[EntryRow] = entries
        self.plans: list[PlanRow] = plans
        self.parks: list[tuple[int, str]] = parks


def load_town(db, year: int, town_id: int) -> _TownData:
    summary = list_service.find_list(db, town_id, year)
    entries = list_service.entries(db, summary.id) if summary else []
    plans = plan_service.list_plans(db, year, list_id=summary.id) if summary else []
    parks = [(p.id, p.name) for p in park_service.list_parks(db, town_id=town_id)]
    return _TownData(town_id, summary, entries, plans, parks)


class ListPage(LazyRefresh, QWidget):
    relevant_tables = frozenset(RELEVANT_TABLES)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._stale = True
        self._token = 0
        self._filling_combo = False
        self._dialog = None
        self.summary: ListSummary | None = None
        self.parks: list[tuple[int, str]] = []
        saved = ctx.settings.value("lists/town")
        self._town_id: int | None = int(saved) if saved not in (None, "") else None
        self._build()
        self._restore_layout()
        ctx.data_changed.connect(self._on_data_changed)
        ctx.year_changed.connect(lambda _y: self._refresh_if_visible())

    # Layout --------------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = QLabel("年度拟治理清单")
        f = self.title.font()
        f.setPointSize(f.pointSize() + 3)
        f.setBold(True)
        self.title.setFont(f)
        top.addWidget(self.title)
        top.addSpacing(24)
        top.addWidget(QLabel("镇街："))
        self.town_combo = QComboBox()
        self.town_combo.setObjectName("town_combo")
        self.town_combo.setMinimumWidth(160)
        self.town_combo.currentIndexChanged.connect(self._town_chosen)
        top.addWidget(self.town_combo)
        top.addStretch(1)
        self.refresh_button = QPushButton("刷新")
        self.refresh_button.setToolTip("F5")
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(self.refresh_button)
        outer.addLayout(top)

        # Left: every town's list at a glance.
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel("各镇街清单"))
        self.overview_model = TownOverviewModel(self)
        self.overview = QTableView()
        self.overview.setObjectName("overview_table")
        self._setup_table(self.overview, self.overview_model, single=True)
        self.overview.horizontalHeader().setMinimumSectionSize(36)
        self.overview.horizontalHeader().setDefaultSectionSize(70)
        for col, width in enumerate((80, 58, 40, 84, 66)):
            self.overview.setColumnWidth(col, width)
        self.overview.selectionModel().currentRowChanged.connect(self._overview_clicked)
        ll.addWidget(self.overview)
        self.overview_hint = QLabel("")
        self.overview_hint.setStyleSheet(HINT_STYLE)
        self.overview_hint.setWordWrap(True)
        ll.addWidget(self.overview_hint)

        # Right: the chosen town's list.
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.status_label = QLabel("")
        self.status_label.setObjectName("status_label")
        self.status_label.setTextFormat(Qt.TextFormat.RichText)
        self.status_label.setWordWrap(True)
        rl.addWidget(self.status_label)
        self.share_banner = QLabel("")
        self.share_banner.setObjectName("share_banner")
        self.share_banner.setWordWrap(True)
        set_share_banner(self.share_banner, None)
        rl.addWidget(self.share_banner)
        self.counts_label = QLabel("")
        self.counts_label.setObjectName("counts_label")
        self.counts_label.setTextFormat(Qt.TextFormat.RichText)
        self.counts_label.setWordWrap(True)
        rl.addWidget(self.counts_label)

        buttons = QHBoxLayout()
        self.add_button = QPushButton("添加条目")
        self.add_button.setToolTip("Ctrl+N")
        self.add_button.clicked.connect(self.add_entry)
        self.edit_button = QPushButton("修改")
        self.edit_button.setToolTip("回车或双击；仅草稿或退回的条目可修改")
        self.edit_button.clicked.connect(self.edit_entry)
        self.delete_button = QPushButton("删除")
        self.delete_button.setToolTip("Delete；仅草稿或退回的条目可删除")
        self.delete_button.clicked.connect(self.delete_entries)
        self.submit_button = QPushButton("报送")
        self.submit_button.setToolTip("报送草稿和退回修改后的条目，显示连片面积占比")
        self.submit_button.clicked.connect(self.submit)
        self.approve_button = QPushButton("审核通过")
        self.approve_button.clicked.connect(self.approve)
        self.return_button = QPushButton("退回…")
        self.return_button.setToolTip("退回须填写原因")
        self.return_button.clicked.connect(self.return_list)
        self.plan_button = QPushButton("方案备案…")
        self.plan_button.setToolTip("为所选已审核条目备案治理方案（可多选，同批共用备案编号）")
        self.plan_button.clicked.connect(self.open_plan_dialog)
        self.steps_button = QToolButton()
        self.steps_button.setText("条目操作")
        self.steps_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.steps_menu = QMenu(self.steps_button)
        self.steps_menu.setToolTipsVisible(True)
        self.steps_menu.aboutToShow.connect(lambda: self._fill_steps(self.steps_menu))
        self.steps_button.setMenu(self.steps_menu)
        for w in (self.add_button, self.edit_button, self.delete_button):
            buttons.addWidget(w)
        buttons.addSpacing(12)
        for w in (self.submit_button, self.approve_button, self.return_button):
            buttons.addWidget(w)
        buttons.addSpacing(12)
        buttons.addWidget(self.plan_button)
        buttons.addWidget(self.steps_button)
        buttons.addStretch(1)
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("entry_filter")
        self.filter_edit.setPlaceholderText("筛选条目（Ctrl+F）")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setFixedWidth(200)
        self.filter_edit.textChanged.connect(self._filter_changed)
        rl.addLayout(buttons)

        self.tabs = QTabWidget()
        corner = QWidget()
        cl = QHBoxLayout(corner)
        cl.setContentsMargins(0, 0, 4, 2)
        cl.addWidget(self.filter_edit)
        cl.addWidget(add_export_action(
            self, lambda: self.plan_table if self.tabs.currentIndex() == 1 else self.entry_table,
            title=lambda: f"{self.town_combo.currentText()}{self.ctx.year}年度"
                          + ("治理方案备案" if self.tabs.currentIndex() == 1 else "拟治理清单"),
            subtitle=lambda: describe_filters(("关键词", self.filter_edit)), settings_key="lists"))
        self.tabs.setCornerWidget(corner, Qt.Corner.TopRightCorner)
        self.entry_model = EntryModel(self)
        self.entry_table = QTableView()
        self.entry_table.setObjectName("entry_table")
        self._setup_table(self.entry_table, self.entry_model, single=False)
        for col, width in enumerate((200, 168, 76, 150, 96, 130, 84, 140, 96)):
            self.entry_table.setColumnWidth(col, width)
        self.entry_table.doubleClicked.connect(lambda _i: self.edit_entry())
        self.entry_table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.entry_table.customContextMenuRequested.connect(self._entry_menu)
        self.entry_table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.tabs.addTab(self.entry_table, "清单条目")

        plans = QWidget()
        pl = QVBoxLayout(plans)
        pl.setContentsMargins(4, 4, 4, 4)
        prow = QHBoxLayout()
        self.edit_plan_button = QPushButton("修改方案…")
        self.edit_plan_button.setToolTip("已有周转指标预借的方案不能修改")
        self.edit_plan_button.clicked.connect(self.edit_plan)
        prow.addWidget(self.edit_plan_button)
        self.plan_hint = QLabel("在“清单条目”中选择已审核的条目，点“方案备案…”；企业自主技改的方案只记录，不计入统计。")
        self.plan_hint.setStyleSheet(HINT_STYLE)
        prow.addWidget(self.plan_hint, 1)
        pl.addLayout(prow)
        self.plan_model = PlanModel(self)
        self.plan_table = QTableView()
        self.plan_table.setObjectName("plan_table")
        self._setup_table(self.plan_table, self.plan_model, single=True)
        for col, width in enumerate((130, 180, 110, 96, 110, 104, 180, 90, 84, 72)):
            self.plan_table.setColumnWidth(col, width)
        self.plan_table.doubleClicked.connect(lambda _i: self.edit_plan())
        self.plan_table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        pl.addWidget(self.plan_table)
        self.tabs.addTab(plans, "治理方案")
        rl.addWidget(self.tabs, 1)
        legend = QLabel("　".join(f"<span style='background:{STATE_COLOURS[s]};'>&nbsp;{s.label}&nbsp;</span>"
                                 for s in EntryState))
        legend.setTextFormat(Qt.TextFormat.RichText)
        legend.setToolTip("状态颜色；只有“已核实”的面积计入完成量")
        rl.addWidget(legend)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([340, 1160])
        outer.addWidget(self.splitter, 1)

        for keys, slot, widget, context in (
                (QKeySequence.StandardKey.Find, self._focus_filter, self, Qt.ShortcutContext.WidgetWithChildrenShortcut),
                (QKeySequence("Ctrl+N"), self.add_entry, self, Qt.ShortcutContext.WidgetWithChildrenShortcut),
                (QKeySequence(Qt.Key.Key_F5), self.refresh, self, Qt.ShortcutContext.WidgetWithChildrenShortcut),
                (QKeySequence.StandardKey.Delete, self.delete_entries, self.entry_table, Qt.ShortcutContext.WidgetShortcut),
                (QKeySequence(Qt.Key.Key_Return), self.edit_entry, self.entry_table, Qt.ShortcutContext.WidgetShortcut),
                (QKeySequence(Qt.Key.Key_Enter), self.edit_entry, self.entry_table, Qt.ShortcutContext.WidgetShortcut)):
            sc = QShortcut(keys, widget)
            sc.setContext(context)
            sc.activated.connect(slot)
        self._update_buttons()

    def _setup_table(self, table: QTableView, model, *, single: bool) -> None:
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection if single
                               else QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
        table.setAlternatingRowColors(True)
        table.setSortingEnabled(True)
        header = table.horizontalHeader()
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorClearable(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)

    def _layout_parts(self) -> dict:
        return {
            "lists/overview_header": self.overview.horizontalHeader(),
            "lists/entry_header": self.entry_table.horizontalHeader(),
            "lists/plan_header": self.plan_table.horizontalHeader(),
            "lists/splitter": self.splitter,
        }

    def _restore_layout(self) -> None:
        restore_states(self.ctx.settings, self._layout_parts())

    def save_layout(self) -> None:
        save_states(self.ctx.settings, self._layout_parts())
        if self._town_id is not None:
            self.ctx.settings.setValue("lists/town", self._town_id)

    def _focus_filter(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    # Loading -------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the overview and the chosen town (the first town when none was chosen)."""
        self._stale = False
        self._token += 1
        token, db, year, wanted = self._token, self.ctx.db, self.ctx.year, self._town_id

        def load():
            overview = list_service.town_overview(db, year)
            ids = [r.town_id for r in overview]
            town_id = wanted if wanted in ids else (ids[0] if ids else None)
            return overview, (load_town(db, year, town_id) if town_id is not None else None)

        self.ctx.worker.run(load, lambda r: self._loaded(token, *r), lambda e: self._failed(token, e))

    def _failed(self, token: int, exc: BaseException) -> None:
        if token == self._token:
            show_error(self, exc)

    def _loaded(self, token: int, overview: list[TownListRow], data: _TownData | None) -> None:
        if token != self._token:
            return
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
        self._token += 1
        token, db, year = self._token, self.ctx.db, self.ctx.year
        self.ctx.worker.run(lambda: load_town(db, year, town_id), lambda d: self._town_loaded(token, d),
                            lambda e: self._failed(token, e))

    def _town_loaded(self, token: int, data: _TownData) -> None:
        if token == self._token:
            self._show_town(data)

    def _overview_clicked(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._filling_combo:
            return
        row = self.overview_model.item(current.row())
        if row is not None and row.town_id != self._town_id:
            self.town_combo.setCurrentIndex(self.town_combo.findData(row.town_id))

    def _show_town(self, data: _TownData | None) -> None:
        keep_entries = set(self.selected_entry_ids())
        keep_plan = self.current_plan().id if self.current_plan() else None
        self._town_id = data.town_id if data else None
        self.summary = data.summary if data else None
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
        self.entry_model.set_rows(data.entries if data else [])
        self.plan_model.set_rows(data.plans if data else [])
        selection = self.entry_table.selectionModel()
        for entry_id in keep_entries:
            row = self.entry_model.row_of(entry_id)
            if row >= 0:
                selection.select(self.entry_model.index(row, 0),
                                 selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
        if keep_plan is not None and (row := self.plan_model.row_of(keep_plan)) >= 0:
            self.plan_table.selectRow(row)
        self._show_header()
        self._update_buttons()

    def _show_header(self) -> None:
        s = self.summary
        town = self.town_combo.currentText()
        self.tabs.setTabText(0, f"清单条目（{len(self.entry_model.rows)}）" if s else "清单条目")
        self.tabs.setTabText(1, f"治理方案（{self.plan_model.total()}）" if s else "治理方案")
        if s is None:
            self.status_label.setText(f"<b>{town}</b> {self.ctx.year}年度尚未建立清单；点“添加条目”开始编制。"
                                      if town else "请先在“镇街与任务分解”中建立镇街。")
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
        self._update_buttons()

    # Selection -----------------------------------------------------------------------------------
    def selected_entries(self) -> list[EntryRow]:
        rows = sorted({i.row() for i in self.entry_table.selectionModel().selectedRows()})
        return [self.entry_model.rows[r] for r in rows if 0 <= r < len(self.entry_model.rows)]

    def selected_entry_ids(self) -> list[int]:
        return [e.id for e in self.selected_entries()]

    def select_entries(self, entry_ids) -> None:
        self.entry_table.clearSelection()
        selection = self.entry_table.selectionModel()
        for entry_id in entry_ids:
            row = self.entry_model.row_of(entry_id)
            if row >= 0:
                selection.select(self.entry_model.index(row, 0),
                                 selection.SelectionFlag.Select | selection.SelectionFlag.Rows)

    def current_plan(self) -> PlanRow | None:
        rows = self.plan_table.selectionModel().selectedRows()
        return self.plan_model.item(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        has_town = self._town_id is not None
        has_list = self.summary is not None
        picked = self.selected_entries()
        self.add_button.setEnabled(has_town)
        self.edit_button.setEnabled(len(picked) == 1)
        self.delete_button.setEnabled(bool(picked))
        for b in (self.submit_button, self.approve_button, self.return_button):
            b.setEnabled(has_list)
        self.plan_button.setEnabled(bool(picked))
        self.steps_button.setEnabled(bool(picked))
        self.edit_plan_button.setEnabled(self.current_plan() is not None)

    # Entry steps ---------------------------------------------------------------------------------
    def step_actions(self, entries: list[EntryRow]) -> list[str]:
        """Steps open to every selected entry, from the transition table (list-level ones excluded)."""
        if not entries:
            return []
        common = None
        for e in entries:
            acts = [a for a in entry_states.actions_from(e.state) if a not in LIST_LEVEL_ACTIONS]
            common = acts if common is None else [a for a in common if a in acts]
        return common or []

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
            item: QAction = menu.addAction(step_label(action))
            item.setData(action)
            if action in ELSEWHERE:
                item.setEnabled(False)
                item.setToolTip(ELSEWHERE[action])
            else:
                item.triggered.connect(lambda _c=False, a=action: self.run_step(a))

    def build_entry_menu(self) -> QMenu:
        """修改, 删除 and the selected entries' steps (the table's context menu)."""
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        menu.addAction("修改…", self.edit_entry).setEnabled(len(self.selected_entries()) == 1)
        menu.addAction("删除", self.delete_entries)
        menu.addSeparator()
        self._fill_steps(menu, clear=False)
        return menu

    def _entry_menu(self, pos: QPoint) -> None:
        if not self.selected_entries():
            return
        menu = self.build_entry_menu()
        menu.exec(self.entry_table.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def run_step(self, action: str) -> None:
        """One step of the transition table for the selected entries (all or nothing)."""
        entries = self.selected_entries()
        if not entries:
            return
        if action == "file_plan":
            self.open_plan_dialog()
            return
        if action in ELSEWHERE:
            QMessageBox.information(self, "月度报送与核实", ELSEWHERE[action])
            return
        label = entry_states.TRANSITIONS[action][2]
        if action in entry_states.NEEDS_REASON:
            names = "、".join(e.target_name for e in entries[:3]) + (" 等" if len(entries) > 3 else "")
            dialog = ReasonDialog(label, f"{label}：{names}（{len(entries)} 个条目）。请填写原因：", label, self)
            self._show_dialog(dialog)
            dialog.accepted.connect(lambda: self._do_step([e.id for e in entries], action, dialog.text()))
            return
        self._do_step([e.id for e in entries], action, "")

    def _do_step(self, entry_ids: list[int], action: str, reason: str) -> None:
        db = self.ctx.db
        self.ctx.worker.run(lambda: list_service.transition_many(db, entry_ids, action, reason=reason),
                            lambda _n: self.ctx.changed("list_entry"), lambda e: show_error(self, e))

    # Add, edit, delete ---------------------------------------------------------------------------
    def _show_dialog(self, dialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialog = dialog
        dialog.finished.connect(lambda _r, d=dialog: setattr(self, "_dialog", None) if self._dialog is d else None)
        dialog.open()

    def add_entry(self) -> None:
        """Open the add dialog (the town's list is created first when it has none)."""
        if self._town_id is None or self._dialog is not None:
            return
        if self.summary is not None:
            self._open_add(self.summary)
            return
        db, year, town_id = self.ctx.db, self.ctx.year, self._town_id
        self.ctx.worker.run(lambda: list_service.get_or_create_list(db, town_id, year), self._list_created,
                            lambda e: show_error(self, e))

    def _list_created(self, summary: ListSummary) -> None:
        if summary.town_id != self._town_id:
            return
        self.summary = summary
        self._show_header()
        self._update_buttons()
        self.ctx.changed("governance_list")
        self._open_add(summary)

    def _open_add(self, summary: ListSummary) -> None:
        dialog = EntryDialog(self.ctx, summary.id, summary.town, self.parks, None, self)
        dialog.saved.connect(self._entry_saved)
        self._show_dialog(dialog)

    def _entry_saved(self, entry_id: int) -> None:
        self.ctx.changed("list_entry")
        self.select_entries([entry_id])

    def edit_entry(self) -> None:
        entries = self.selected_entries()
        if len(entries) != 1 or self.summary is None or self._dialog is not None:
            return
        entry = entries[0]
        try:
            list_service.check_editable(entry.state, "修改")  # the service's rule and message, before typing
        except Refused as exc:
            show_error(self, exc)
            return
        dialog = EntryDialog(self.ctx, self.summary.id, self.summary.town, self.parks, entry, self)
        dialog.saved.connect(lambda _id: self.ctx.changed("list_entry"))
        self._show_dialog(dialog)

    def delete_entries(self) -> None:
        entries = self.selected_entries()
        if not entries:
            return
        names = "、".join(e.target_name for e in entries[:5]) + (f" 等 {len(entries)} 个条目" if len(entries) > 5 else "")
        if QMessageBox.question(self, "删除条目", f"确定从清单中删除：{names}？") != QMessageBox.StandardButton.Yes:
            return
        db, ids = self.ctx.db, [e.id for e in entries]
        self.ctx.worker.run(lambda: list_service.remove_entries(db, ids), lambda _n: self.ctx.changed("list_entry"),
                            lambda e: show_error(self, e))

    # Submit and review ---------------------------------------------------------------------------
    def submit(self) -> None:
        s = self.summary
        if s is None:
            return
        if QMessageBox.question(self, "报送清单", f"报送{s.town}{s.year}年度清单中的草稿和退回修改的条目？\n"
                                "报送后条目不能再修改，须等待审核。") != QMessageBox.StandardButton.Yes:
            return
        db, list_id = self.ctx.db, s.id
        self.ctx.worker.run(lambda: list_service.submit(db, list_id), self._submitted, lambda e: show_error(self, e))

    def _submitted(self, share: ShareCheck) -> None:
        self.ctx.changed("governance_list")
        text = f"已报送。\n\n{share.message}"
        if share.below_minimum:
            QMessageBox.warning(self, "已报送 — 连片占比偏低", text)
        else:
            QMessageBox.information(self, "已报送", text)

    def approve(self) -> None:
        """审核通过: the share first, then the reviewer decides."""
        s = self.summary
        if s is None:
            return
        db, list_id = self.ctx.db, s.id
        self.ctx.worker.run(lambda: list_service.share_check(db, list_id), lambda share: self._ask_approve(s, share),
                            lambda e: show_error(self, e))

    def _ask_approve(self, s: ListSummary, share: ShareCheck) -> None:
        text = f"审核通过{s.town}{s.year}年度清单中已报送的条目？\n\n{share.message}"
        ask = QMessageBox.warning if share.below_minimum else QMessageBox.question
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        if ask(self, "审核通过", text, buttons, QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
            return
        db = self.ctx.db
        self.ctx.worker.run(lambda: list_service.review(db, s.id, approve=True),
                            lambda _share: self.ctx.changed("governance_list"), lambda e: show_error(self, e))

    def return_list(self) -> None:
        """退回: the share first, in the dialog that asks for the (required) reason."""
        s = self.summary
        if s is None or self._dialog is not None:
            return
        db, list_id = self.ctx.db, s.id
        self.ctx.worker.run(lambda: list_service.share_check(db, list_id), lambda share: self._ask_return(s, share),
                            lambda e: show_error(self, e))

    def _ask_return(self, s: ListSummary, share: ShareCheck) -> None:
        if self._dialog is not None:
            return
        dialog = ReasonDialog("退回清单", f"退回{s.town}{s.year}年度清单中已报送的条目，镇街修改后重新报送。请填写退回原因：",
                              "退回", self, share=share)
        db = self.ctx.db

        def go() -> None:
            reason = dialog.text()
            self.ctx.worker.run(lambda: list_service.review(db, s.id, approve=False, reason=reason),
                                lambda _share: self.ctx.changed("governance_list"), lambda e: show_error(self, e))

        dialog.accepted.connect(go)
        self._show_dialog(dialog)

    # Plans ---------------------------------------------------------------------------------------
    def open_plan_dialog(self) -> None:
        """方案备案 for the selected entries; an entry not yet approved is refused by the transition
        table's own message before the dialog opens."""
        entries = self.selected_entries()
        if not entries or self._dialog is not None:
            return
        for e in entries:
            try:
                entry_states.next_state(e.state, "file_plan")
            except Refused as exc:
                show_error(self, Refused(f"“{e.target_name}”：{exc.message}（仅已审核的条目可备案方案）"))
                return
        town = self.summary.town if self.summary else self.town_combo.currentText()
        self._with_plan_choices(lambda soes, params: self._open_plan(entries, soes, params, town, None))

    def edit_plan(self) -> None:
        plan = self.current_plan()
        if plan is None or self._dialog is not None:
            return
        self._with_plan_choices(lambda soes, params: self._open_plan([], soes, params, plan.town, plan))

    def _with_plan_choices(self, then) -> None:
        db, year = self.ctx.db, self.ctx.year
        self.ctx.worker.run(
            lambda: (plan_service.soe_choices(db), year_service.get_params(db, year)),
            lambda r: then(*r), lambda e: show_error(self, e))

    def _open_plan(self, entries, soes, params, town: str, plan: PlanRow | None) -> None:
        if self._dialog is not None:
            return
        dialog = PlanDialog(self.ctx, entries, soes, params, self, town=town, plan=plan)
        dialog.filed.connect(self._plans_filed)
        dialog.updated.connect(lambda _id: self.ctx.changed("plan"))
        self._show_dialog(dialog)

    def _plans_filed(self, result: FilingResult) -> None:
        self.ctx.changed("plan")
        self.tabs.setCurrentIndex(1)
        self.plan_hint.setText(f"已备案 {len(result.plan_ids)} 个方案，备案编号 {result.batch_no}。")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
