"""综合体检 page (四(四), 附件2): every case in one table — enterprise, town, stage, units, overdue duties in
red — filtered by stage and town, found with Ctrl+F; Enter or a double click opens the case, whose tabs
follow the examination from the town's proposal to the town's scoring of the units (case_view)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QMessageBox, QStackedWidget, QVBoxLayout, QWidget

from desktop.models.enums import ExaminationStage
from desktop.services.exams import exam_service
from desktop.services.exams.exam_deadlines import DUTY_TERMS, KIND_LIST, KIND_PROGRESS, KIND_RECTIFY
from desktop.services.exams.exam_states import why_not_record
from desktop.services.towns import town_service
from desktop.views.exams.case_kit import open_dialog
from desktop.views.exams.exam_dialogs import ProposalDialog, proposal_choices
from desktop.views.exams.exam_models import ExamListModel
from desktop.views.kit.context import AppContext
from desktop.views.kit.layouts import hint_label, search_box, table_view
from desktop.views.kit.ops import query, write
from desktop.views.kit.page import Page
from desktop.views.kit.table import ActionBar, Layout, needs_one, reload_rows, select_id, selected_rows, shortcut, \
    title_label
from desktop.views.kit.table_export import add_export_action, describe_filters
from desktop.views.kit.town_filter import sync_town_filter, town_filter_box
from desktop.views.kit.undo import Step, UndoKit
from desktop.views.kit.widgets import button

RELEVANT_TABLES = frozenset({
    "examination", "examination_unit", "issue_list", "issue", "consultation", "treatment", "sanction",
    "supervision", "town", "target", "department", "holiday", "calendar_year", "year_params",
    "examination_finding", "examination_party", "exam_accountability", "exam_unit_score", "exam_criterion",
    "attachment"})


def _page_data(ledger):
    """The cases and the towns (for the filter), read in one lane job."""
    return exam_service.list_rows(ledger), town_service.list_towns(ledger)


class ExamPage(Page):
    relevant_tables = RELEVANT_TABLES

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.dialog = None
        self._open_after: int | None = None  # a case just proposed opens once the reload brings it
        self._case = None
        self._build()

    # Layout -----------------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack)
        self.stack.addWidget(self._list_panel())
        self.layout_state = Layout(self.ctx.settings, "exams", {"header": self.table.horizontalHeader()})
        self.case_layout: Layout | None = None

    @property
    def case(self):
        """The case view (case_view.CaseView), built when first wanted: its six tabs and their modules were ~60 ms
        of the list's first screen on the GUI thread, for a view the clerk may not open."""
        if self._case is None:
            from desktop.views.exams.case_view import CaseView

            self._case = CaseView(self.ctx, back=self.show_list)
            self.stack.addWidget(self._case)
            self.case_layout = Layout(self.ctx.settings, "exams", self._case.layout_parts())
        return self._case

    def _list_panel(self) -> QWidget:
        panel = QWidget()
        # Proposals can be undone (Ctrl+Z) while the list is shown; a case has its own undo.
        self.undo = UndoKit(panel)
        outer = QVBoxLayout(panel)
        top = QHBoxLayout()
        top.addWidget(title_label("综合体检"))
        top.addSpacing(16)
        top.addWidget(QLabel("阶段："))
        self.stage_filter = QComboBox()
        self.stage_filter.setObjectName("stage_filter")
        self.stage_filter.addItem("全部阶段", None)
        for stage in ExaminationStage:
            self.stage_filter.addItem(stage.label, stage)
        top.addWidget(self.stage_filter)
        top.addWidget(QLabel("镇街："))
        self.town_filter = town_filter_box()
        self.town_filter.setObjectName("town_filter")
        top.addWidget(self.town_filter)
        self.search = search_box(self, "按企业、镇街或单位查找（Ctrl+F）", width=240, name="search",
                                 before=lambda: self.show_list(focus=False))
        top.addWidget(self.search)
        top.addStretch(1)
        outer.addLayout(top)

        self.model = ExamListModel(self)
        self.table = table_view(self.model, "exam_table", (220, 80, 60, 360, 80, 96, 96))
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut(self.table, key, self.open_selected, local=True)

        self.actions = ActionBar(self.table, self)
        self.propose_button = self.actions.add("登记镇街提议…", self.propose, keys=QKeySequence.StandardKey.New,
                                               tip="镇街提议启动综合体检：企业、日期、理由")
        self.open_button = self.actions.add("打开", self.open_selected, when=needs_one, needs=None, tip="回车或双击")
        self.delete_button = self.actions.add(
            "删除提议", self.delete_selected, when=lambda rows: needs_one(rows) or why_not_record("delete", rows[0].stage),
            keys=QKeySequence.StandardKey.Delete, local_keys=True, tip="误录的提议，仅限启动阶段")
        bar = QHBoxLayout()
        for w in (self.propose_button, self.open_button, self.delete_button, self.undo.undo_button,
                  self.undo.redo_button):
            bar.addWidget(w)
        bar.addStretch(1)
        self.count_label = QLabel("")
        self.count_label.setObjectName("count_label")
        self.count_label.setTextFormat(Qt.TextFormat.RichText)
        bar.addWidget(self.count_label)
        bar.addWidget(button("刷新", self.refresh, tip="F5"))
        bar.addWidget(add_export_action(
            self, lambda: self.table, title=lambda: "综合体检一览", settings_key="exams",
            subtitle=lambda: describe_filters(("阶段", self.stage_filter), ("镇街", self.town_filter),
                                              ("关键词", self.search))))
        outer.addLayout(bar)
        outer.addWidget(self.table, 1)
        outer.addWidget(hint_label(f"逾期职责：体检问题清单（{DUTY_TERMS[KIND_LIST]}）、整改进展（{DUTY_TERMS[KIND_PROGRESS]}）、"
                                   f"{DUTY_TERMS[KIND_RECTIFY]}，已过期未完成的以红色显示（数字见年度参数）。"))
        for combo in (self.stage_filter, self.town_filter):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.search.textChanged.connect(lambda _t: self.apply_filters())
        shortcut(self, QKeySequence(Qt.Key.Key_F5), self.refresh)
        return panel

    def save_layout(self) -> None:
        self.layout_state.save()
        if self.case_layout is not None:
            self.case_layout.save()

    # Loading ----------------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._stale = False
        query(self, "cases", _page_data, done=self._loaded)
        if self._case is not None and self.stack.currentWidget() is self._case:
            self._case.refresh()

    def _loaded(self, result) -> None:
        rows, towns = result
        sync_town_filter(self.town_filter, towns)
        self.all_rows = rows
        self.apply_filters()
        if self._open_after is not None and select_id(self.table, self._open_after):
            self._open_after = None
            self.open_selected()

    def apply_filters(self) -> None:
        rows = getattr(self, "all_rows", [])
        stage, town = self.stage_filter.currentData(), self.town_filter.currentData()
        shown = [r for r in rows if (stage is None or r.stage == stage) and (town is None or r.town_id == town)]
        self.model.set_filter(self.search.text())
        reload_rows(self.table, shown)
        overdue = sum(1 for r in self.model.rows if r.overdue)
        text = f"共 {len(self.model.rows)} 件"
        if overdue:
            text += f"，<span style='color:#c0392b;'>{overdue} 件有逾期职责</span>"
        self.count_label.setText(text)

    # Acts -------------------------------------------------------------------------------------------
    def open_selected(self) -> None:
        rows = selected_rows(self.table)
        if len(rows) == 1:
            self.open_case(rows[0].id)

    def open_case(self, exam_id: int) -> None:
        self.case.show_case(exam_id)
        self.stack.setCurrentWidget(self.case)

    def show_list(self, focus: bool = True) -> None:
        self.stack.setCurrentWidget(self.stack.widget(0))
        if focus:
            self.table.setFocus()

    def propose(self) -> None:
        if self.dialog is None:
            query(self, None, proposal_choices, done=self._open_proposal)

    def _open_proposal(self, choices) -> None:
        if self.dialog is not None:
            return
        dialog = ProposalDialog(choices, self, year=self.ctx.year)
        open_dialog(self, dialog, lambda values: write(
            dialog, exam_service.propose, failed=dialog.show_error, **values,
            done=lambda new_id: (dialog.accept(), self._proposed(new_id, values))))

    def _proposed(self, exam_id: int, values: dict) -> None:
        self._open_after = exam_id
        ref = self.undo.ref(exam_id)
        self.undo.push("登记镇街提议", undo=Step(exam_service.delete_proposal, ref),
                       redo=Step(exam_service.propose, sets=ref, **values))

    def delete_selected(self) -> None:
        rows = selected_rows(self.table)
        if len(rows) != 1 or why_not_record("delete", rows[0].stage) is not None:
            return
        row = rows[0]
        if QMessageBox.question(self, "删除提议", f"确定删除“{row.enterprise}”的综合体检提议（{row.town}）？\n"
                                f"提议、实施方案、参与单位和关联方一并删除。") == QMessageBox.StandardButton.Yes:
            write(self, exam_service.delete_proposal, row.id)
