"""One 综合体检 case: its enterprise, stage and overdue duties on top, the stage steps as buttons (each enabled
only when exam_states' one table allows it, its tooltip saying why not), and a tab per stage of 附件2:
启动, 初检, 会诊, 诊治, 督办, 打分."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QTabWidget, QVBoxLayout, QWidget

from desktop.services.exams import exam_pdf, exam_service, exam_states
from desktop.services.errors import NotFound
from desktop.services.exams.exam_service import ExamDetail
from desktop.views.exams.initial_tab import InitialTab
from desktop.views.exams.later_tabs import ConsultationTab, SupervisionTab, TreatmentTab
from desktop.views.exams.scoring_tab import ScoringTab
from desktop.views.exams.start_tab import StartTab
from desktop.views.kit.ops import forget, query, write
from desktop.views.kit.print_preview import add_print_action
from desktop.views.kit.rows import date_text
from desktop.views.kit.table import shortcut, title_label
from desktop.views.kit.undo import UndoKit
from desktop.views.kit.worker import show_error
from desktop.views.kit.widgets import button

CONFIRM = {"close": "结束后不能再录入初检、诊治和督办情况，只能由镇街对参与单位打分。确定结束本次综合体检？",
           "reexamine": "会诊认为需要补充体检：退回初检阶段？"}


class CaseView(QWidget):
    def __init__(self, ctx, *, back) -> None:
        super().__init__()
        self.ctx = ctx
        self.exam_id: int | None = None
        self.detail: ExamDetail | None = None
        self.undo = UndoKit(self, on_done=self.refresh)
        self.back = back
        self._build(back)

    def _build(self, back) -> None:
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        self.back_button = button("← 返回列表", back, tip="Esc")
        top.addWidget(self.back_button)
        self.title = title_label("")
        self.title.setObjectName("case_title")
        top.addWidget(self.title, 1)
        self.print_button = add_print_action(
            self, exam_pdf.consolidated_pdf, lambda: (self.detail.id,),
            title=lambda: f"综合体检问题汇总清单（{self.detail.enterprise}）", settings_key="exam_consolidated",
            button_text="打印汇总清单…")
        for w in (self.print_button, self.undo.undo_button, self.undo.redo_button):
            top.addWidget(w)
        outer.addLayout(top)

        steps = QHBoxLayout()
        self.stage_label = QLabel("")
        self.stage_label.setObjectName("stage_label")
        self.stage_label.setTextFormat(Qt.TextFormat.RichText)
        steps.addWidget(self.stage_label, 1)
        self.step_buttons: dict[str, QPushButton] = {}
        for action in exam_states.TRANSITIONS:
            b = button(exam_states.label(action), lambda a=action: self.take_step(a))
            b.setObjectName(f"step_{action}")
            self.step_buttons[action] = b
            steps.addWidget(b)
        outer.addLayout(steps)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("case_tabs")
        self.start_tab = StartTab(self)
        self.initial_tab = InitialTab(self)
        self.consultation_tab = ConsultationTab(self)
        self.treatment_tab = TreatmentTab(self)
        self.supervision_tab = SupervisionTab(self)
        self.scoring_tab = ScoringTab(self)
        for tab, text in ((self.start_tab, "启动"), (self.initial_tab, "初检"), (self.consultation_tab, "会诊"),
                          (self.treatment_tab, "诊治"), (self.supervision_tab, "督办"), (self.scoring_tab, "打分")):
            self.tabs.addTab(tab, text)
        outer.addWidget(self.tabs, 1)
        shortcut(self, QKeySequence(Qt.Key.Key_Escape), back)

    def case_tabs(self) -> list:
        return [self.tabs.widget(i) for i in range(self.tabs.count())]

    def layout_parts(self) -> dict:
        parts = {}
        for tab in self.case_tabs():
            parts.update(tab.layout_parts())
        return parts

    # Loading ----------------------------------------------------------------------------------------
    def show_case(self, exam_id: int) -> None:
        if exam_id != self.exam_id:
            self.exam_id = exam_id
            self.detail = None
            self.undo.stack.clear()
            self.title.setText("正在读取…")
            self.tabs.setCurrentIndex(_tab_of_stage(None))
            self._first_load = True
        self.refresh()

    def refresh(self) -> None:
        if self.exam_id is None:
            forget(self, "detail")
            return
        query(self, "detail", exam_service.detail, self.exam_id, done=self._loaded, failed=self._failed)

    def _failed(self, exc: BaseException) -> None:
        """The case is gone (deleted meanwhile): back to the list, saying so; anything else as usual."""
        if isinstance(exc, NotFound):
            self.exam_id = self.detail = None
            self.back()
            QMessageBox.information(self, "综合体检", exc.message)
        else:
            show_error(self, exc)

    def _loaded(self, d: ExamDetail) -> None:
        self.detail = d
        self.title.setText(f"{d.enterprise}　<span style='font-weight:normal;font-size:small;'>"
                           f"{d.town}提议　{d.credit_code}</span>")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        overdue = d.overdue
        parts = [f"当前阶段：<b>{d.stage.label}</b>"]
        if d.start_date:
            parts.append(f"启动于 {date_text(d.start_date)}")
        if d.closed_on:
            parts.append(f"结束于 {date_text(d.closed_on)}")
        if overdue:
            parts.append(f"<span style='color:#c0392b;'><b>{overdue} 项职责已逾期</b></span>")
        self.stage_label.setText("　".join(parts))
        for action, b in self.step_buttons.items():
            why = d.steps.get(action)
            b.setEnabled(why is None)
            b.setToolTip(why or f"{exam_states.label(action)}：转入“{exam_states.TRANSITIONS[action][1].label}”阶段")
        issues = sum(u.issue_count for u in d.units)
        self.print_button.setEnabled(issues > 0)
        self.print_button.setToolTip(f"各参与单位的体检问题清单汇总为一份（{issues} 个问题），报市专班" if issues
                                     else "尚无单位录入体检问题清单")
        for tab in self.case_tabs():
            tab.show_detail(d)
        if getattr(self, "_first_load", False):
            self._first_load = False
            self.tabs.setCurrentIndex(_tab_of_stage(d.stage))

    # Acts -------------------------------------------------------------------------------------------
    def take_step(self, action: str) -> None:
        d = self.detail
        if d is None or d.steps.get(action) is not None:
            return
        label = exam_states.label(action)
        text = CONFIRM.get(action, f"{label}：“{d.enterprise}”的综合体检转入“{exam_states.TRANSITIONS[action][1].label}”阶段？")
        if QMessageBox.question(self, label, text) == QMessageBox.StandardButton.Yes:
            write(self, exam_service.step, d.id, action, done=lambda _s: self._stepped(action))

    def _stepped(self, action: str) -> None:
        self.tabs.setCurrentIndex(_tab_of_stage(exam_states.TRANSITIONS[action][1]))


def _tab_of_stage(stage) -> int:
    """The tab a clerk works in at `stage` (a closed case opens on 打分)."""
    from desktop.models.enums import ExaminationStage as S

    order = [S.STARTED, S.INITIAL, S.CONSULTATION, S.TREATMENT, S.SUPERVISION, S.CLOSED]
    return 0 if stage is None else order.index(stage)
