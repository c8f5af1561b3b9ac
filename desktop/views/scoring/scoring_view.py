"""考核评分 page (四(五)): the year's sessions for towns, member units and city SOEs; the score grid with
computed criteria filled from the ledger and entered criteria typed in place; totals and ranks (并列) live
as scores are typed; the Excel template out and back; two-person confirmation; unlocking with a reason;
signed score sheets printed. Every rule is the scoring service's: this page asks and shows."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.excel.excel_common import xlsx_path
from desktop.services.documents import pdf_output
from desktop.services.scoring import scoring_template
from desktop.services.scoring import scoring_service as svc
from desktop.views.kit.context import AppContext
from desktop.views.kit.file_choice import ask_save_xlsx
from desktop.views.kit.file_export import export_file
from desktop.views.kit.forms import ERROR_STYLE, HINT_STYLE, show_at
from desktop.views.kit.ops import query, write
from desktop.views.kit.page_state import LazyRefresh
from desktop.views.kit.print_preview import add_print_action
from desktop.views.kit.table import Layout, edit_in_place, refusal, select_id, setup_table, shortcut, title_label
from desktop.views.kit.undo import Step, UndoKit
from desktop.views.kit.widgets import button, splitter
from desktop.views.kit.worker import show_error
from desktop.views.scoring.scoring_dialogs import CriteriaDialog, NewSessionDialog, UnlockDialog
from desktop.views.scoring.scoring_models import ScoreDelegate, ScoreGridModel, SessionModel

RELEVANT_TABLES = frozenset({"scoring_session", "criterion", "score", "town", "department", "soe", "year"})
NO_SESSION = "请先选择一场考核评分"


class ScoringPage(LazyRefresh, QWidget):
    relevant_tables = RELEVANT_TABLES

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.info: svc.SessionInfo | None = None  # the selected session, as last loaded
        self.why_not_confirm: str | None = NO_SESSION
        self.dialog = None
        self._build()
        ctx.data_changed.connect(self._on_data_changed)
        ctx.year_changed.connect(lambda _y: self._refresh_if_visible())

    # Layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.undo = UndoKit(self, on_done=self._load_grid)
        self.status = QLabel("")
        self.status.setObjectName("scoring_status")
        self.print_button = add_print_action(self, pdf_output.score_sheet_pdf, lambda: (self.session_id(),),
                                             title=lambda: f"考核评分表 {self.info.title if self.info else ''}",
                                             settings_key="scoring", status=self.status)
        head = QHBoxLayout()
        head.addWidget(title_label("考核评分"))
        head.addStretch(1)
        for w in (self.status, self.undo.undo_button, self.undo.redo_button, self.print_button):
            head.addWidget(w)
        outer.addLayout(head)

        self.session_model = SessionModel(self)
        self.session_table = setup_table(QTableView(), section=120)
        self.session_table.setObjectName("scoring_sessions")
        self.session_table.setModel(self.session_model)
        self.session_table.setColumnWidth(0, 300)
        self.session_table.selectionModel().selectionChanged.connect(lambda *_: self._session_selected())
        self.new_button = button("新建评分…", self.new_session, tip="镇街、成员单位或市级国企的年度考核评分")
        self.criteria_button = button("评分项目…", self.edit_criteria)
        self.open_button = button("开始评分", self.open_session)
        self.refresh_button = button("重算计算项", self.refresh_computed)
        self.confirm_button = button("确认", self.confirm)
        self.unlock_button = button("解锁…", self.unlock)
        side = QVBoxLayout()
        for b in (self.new_button, self.criteria_button, self.open_button, self.refresh_button, self.confirm_button,
                  self.unlock_button):
            side.addWidget(b)
        side.addStretch(1)
        top = QWidget()
        top_row = QHBoxLayout(top)
        top_row.setContentsMargins(0, 0, 0, 0)
        top_row.addWidget(self.session_table, 1)
        top_row.addLayout(side)

        self.state_label = QLabel("")
        self.search = QLineEdit()
        self.search.setPlaceholderText("筛选评分对象（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(190)
        self.search.textChanged.connect(lambda t: self.model.set_filter(t))
        self.export_button = button("导出评分模板…", self.choose_template_file,
                                    tip="每个评分对象一行、每个录入项目一列的 Excel，供评分人填写")
        self.import_button = button("导入评分表…", self.choose_import_file,
                                    tip="读回填好的评分表：有错时逐一指出工作表、行、列，一项也不写入")
        bar = QHBoxLayout()
        bar.addWidget(self.state_label, 1)
        for w in (self.search, self.export_button, self.import_button):
            bar.addWidget(w)

        self.model = ScoreGridModel(self)
        self.model.score_typed.connect(self._save_score)
        self.model.refused.connect(lambda message: show_at(self.edit_error, f"{message}（未保存，请修改后回车）"))
        self.table = edit_in_place(setup_table(QTableView(), section=96))
        self.table.setObjectName("score_grid")
        self.table.setModel(self.model)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.delegate = ScoreDelegate(self.table)
        self.delegate.install(self.table)
        self.edit_error = QLabel("")
        self.edit_error.setStyleSheet(ERROR_STYLE)
        self.edit_error.setWordWrap(True)
        self.edit_error.setVisible(False)
        hint = QLabel("灰底项目由台账数据计算，不能录入；其余项目直接输入得分，回车保存（每格一次保存，Ctrl+Z 撤销）。"
                      "总分和名次随输入即时重算，点“总分”列头按总分排序。")
        hint.setStyleSheet(HINT_STYLE)
        hint.setWordWrap(True)
        bottom = QWidget()
        column = QVBoxLayout(bottom)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(bar)
        for w in (self.edit_error, self.table, hint):
            column.addWidget(w)
        column.setStretch(2, 1)

        self.splitter = splitter(Qt.Orientation.Vertical, (top, 1), (bottom, 4))
        self.splitter.setSizes([150, 520])
        outer.addWidget(self.splitter, 1)
        shortcut(self, QKeySequence.StandardKey.Find, self._focus_search)
        self.layout_state = Layout(self.ctx.settings, "scoring", {"sessions": self.session_table.horizontalHeader(),
                                                                  "splitter": self.splitter})
        self._update_buttons()

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def save_layout(self) -> None:
        self.layout_state.save()

    # Loading -----------------------------------------------------------------------------
    def session_id(self) -> int | None:
        return self.info.id if self.info else self._selected_id()

    def _selected_id(self) -> int | None:
        rows = sorted(i.row() for i in self.session_table.selectionModel().selectedRows())
        row = self.session_model.item(rows[0]) if rows else None
        return row.id if row else None

    def refresh(self) -> None:
        self._stale = False
        query(self, "sessions", svc.list_sessions, self.ctx.year, done=self._sessions_loaded)

    def _sessions_loaded(self, sessions: list[svc.SessionInfo], select: int | None = None) -> None:
        keep = select or self._selected_id()
        self.session_model.set_rows(sessions)
        if not select_id(self.session_table, keep) and sessions:
            self.session_table.selectRow(0)
        self._session_selected()

    def _session_selected(self) -> None:
        if self._selected_id() is None:
            self.info, self.why_not_confirm = None, NO_SESSION
            self.model.set_grid(None, locked=True)
            self.state_label.setText("本年度还没有考核评分：点“新建评分…”" if not self.session_model.rows else NO_SESSION)
            self._update_buttons()
            return
        self._load_grid()

    def _load_grid(self) -> None:
        sid = self._selected_id()
        if sid is not None:
            query(self, "grid", _grid_data, sid, done=self._grid_loaded)

    def _grid_loaded(self, result) -> None:
        grid, why_not = result
        if self.table.state() == QAbstractItemView.State.EditingState:
            QTimer.singleShot(300, self._load_grid)  # never pull the grid from under an open editor
            return
        if grid.session.id != self._selected_id():
            return
        current = self.table.currentIndex()
        subject = self.model.subject_at(current.row())
        self.info, self.why_not_confirm = grid.session, why_not
        locked = grid.session.state == svc.CONFIRMED or refusal(self, "ledger_write") is not None
        self.model.set_grid(grid, locked=locked)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 150)
        for col in range(1, self.model.columnCount()):
            self.table.setColumnWidth(col, 128 if self.model.criterion_at(col) else 84)
        if subject is not None and (row := self.model.row_of_subject(subject.id)) >= 0:
            self.table.setCurrentIndex(self.model.index(row, current.column()))
        if not self.model.rejected:
            show_at(self.edit_error, "")
        self.state_label.setText(_state_text(grid))
        self._update_buttons()

    # Buttons -----------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        info = self.info
        state = info.state if info else None
        write_why = refusal(self, "ledger_write")
        self.new_button.setEnabled(write_why is None)
        self.new_button.setToolTip(write_why or "镇街、成员单位或市级国企的年度考核评分")
        rules = {
            self.criteria_button: NO_SESSION if info is None else None,
            self.open_button: write_why or (NO_SESSION if info is None else None)
            or (None if state == svc.DRAFT else "本场评分已开始（录入第一个得分时也会自动开始）"),
            self.refresh_button: write_why or (NO_SESSION if info is None else None)
            or (None if state == svc.OPEN else "评分中的评分才能重算计算项"),
            self.confirm_button: self.why_not_confirm,
            self.unlock_button: (NO_SESSION if info is None else None)
            or (None if state == svc.CONFIRMED else "本场评分尚未确认，无需解锁"),
            self.export_button: NO_SESSION if info is None else None,
            self.import_button: write_why or (NO_SESSION if info is None else None)
            or (svc.LOCKED if state == svc.CONFIRMED else None),
            self.print_button: NO_SESSION if info is None else None,
        }
        tips = {self.criteria_button: "查看或修改评分项目、权重和满分（开始评分后只读）",
                self.open_button: "冻结评分项目和权重，并从台账计算“计算项”的得分",
                self.refresh_button: "按台账现状重新计算“计算项”的得分（确认前）",
                self.confirm_button: "由未录入得分的另一账户确认；确认后锁定",
                self.unlock_button: "解锁后可修改得分，须写明原因并重新确认",
                self.export_button: "每个评分对象一行、每个录入项目一列的 Excel，供评分人填写",
                self.import_button: "读回填好的评分表：有错时逐一指出工作表、行、列，一项也不写入",
                self.print_button: "打印预览、打印或另存为 PDF：汇总表和每个对象的签字评分表"}
        for b, why in rules.items():
            b.setEnabled(why is None)
            b.setToolTip(why if why is not None else tips[b])

    # Sessions ----------------------------------------------------------------------------
    def new_session(self) -> None:
        dialog = NewSessionDialog(self.ctx.year, self)

        def save(values) -> None:
            kind, name = values
            write(dialog, svc.new_session, self.ctx.year, kind, name, failed=dialog.show_error,
                  done=lambda sid: (dialog.accept(), self._created(sid)))

        dialog.submitted.connect(save)
        self._show(dialog)

    def _created(self, sid: int) -> None:
        self.status.setText("已新建；请核对评分项目和权重，然后开始评分")
        query(self, "sessions", svc.list_sessions, self.ctx.year,
              done=lambda rows: (self._sessions_loaded(rows, select=sid), self.edit_criteria()))

    def edit_criteria(self) -> None:
        sid = self.session_id()
        if sid is not None:
            query(self, "criteria", svc.grid, sid, done=self._show_criteria)

    def _show_criteria(self, grid: svc.ScoreGrid) -> None:
        dialog = CriteriaDialog(grid.session, grid.criteria, self)
        dialog.submitted.connect(lambda specs: write(dialog, svc.set_criteria, grid.session.id, specs,
                                                     failed=dialog.show_error, done=lambda _r: dialog.accept()))
        self._show(dialog)

    def open_session(self) -> None:
        info = self.info
        if info is None:
            return
        if QMessageBox.question(self, "开始评分", f"开始“{info.title}”的评分？\n\n开始后评分项目和权重冻结，"
                                "计算项的得分从台账数据算出。") == QMessageBox.StandardButton.Yes:
            write(self, svc.open_session, info.id, done=lambda _r: self.status.setText("已开始评分，权重已冻结"))

    def refresh_computed(self) -> None:
        if self.info is not None:
            write(self, svc.refresh_computed, self.info.id,
                  done=lambda n: self.status.setText(f"已按台账重算 {n} 项计算得分"))

    def confirm(self) -> None:
        info = self.info
        if info is None or self.why_not_confirm is not None:
            return
        if QMessageBox.question(self, "确认评分", f"确认“{info.title}”的评分结果？\n\n确认后锁定，"
                                "如需修改须解锁并写明原因。") == QMessageBox.StandardButton.Yes:
            write(self, svc.confirm, info.id, done=lambda _r: self.status.setText("已确认，本场评分已锁定"))

    def unlock(self) -> None:
        info = self.info
        if info is None or info.state != svc.CONFIRMED:
            return
        dialog = UnlockDialog(info, self)
        dialog.submitted.connect(lambda reason: write(
            dialog, svc.unlock, info.id, reason, failed=dialog.show_error,
            done=lambda _r: (dialog.accept(), self.status.setText("已解锁；修改后须重新确认"))))
        self._show(dialog)

    def _show(self, dialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        dialog.open()

    # Scores ------------------------------------------------------------------------------
    def _save_score(self, subject_id: int, criterion_id: int, before, points) -> None:
        """One typed score, saved in one write; Ctrl+Z writes the score before it back."""
        sid = self.info.id
        show_at(self.edit_error, "")
        s = next(x for x in self.model.grid.subjects if x.id == subject_id)
        c = next(x for x in self.model.criteria if x.id == criterion_id)
        key = (subject_id, criterion_id)

        def saved(_n) -> None:
            self.undo.push(f"{s.name}“{c.name}”的得分", undo=Step(svc.set_scores, sid, {key: before}),
                           redo=Step(svc.set_scores, sid, {key: points}))

        def failed(exc: BaseException) -> None:
            show_at(self.edit_error, getattr(exc, "message", None) or str(exc))
            self._load_grid()

        write(self, svc.set_scores, sid, {key: points}, done=saved, failed=failed)

    def edit_cell(self, subject: str, criterion: str) -> QPersistentModelIndex:
        """The index of one cell, by names (for shortcuts and tests)."""
        row = next(n for n, s in enumerate(self.model.subjects) if s.name == subject)
        return QPersistentModelIndex(self.model.index(row, self.model.column_of(criterion)))

    # Excel -------------------------------------------------------------------------------
    def choose_template_file(self) -> None:
        if self.info is None:
            return
        path = ask_save_xlsx(self, self.ctx.settings, "scoring/template_dir", "导出评分模板",
                             f"{self.info.title}评分表.xlsx")
        if path is not None:
            self.export_template(path)

    def export_template(self, path) -> None:
        export_file(self, self.export_button, self.status, scoring_template.write_template, self.info.id,
                    str(xlsx_path(path)))

    def choose_import_file(self) -> None:
        if self.info is None:
            return
        folder = self.ctx.settings.value("scoring/template_dir", str(Path.home()))
        path, _f = QFileDialog.getOpenFileName(self, "导入评分表", str(folder), "Excel 工作簿 (*.xlsx)")
        if path:
            self.import_file(path)

    def import_file(self, path) -> None:
        self.import_button.setEnabled(False)
        self.status.setText("正在导入评分表…")

        def done(r: scoring_template.ImportResult) -> None:
            self.status.setText(f"已导入“{r.file_name}”：{r.subjects} 个评分对象，{r.changed} 项得分有变化")
            self._update_buttons()

        def failed(exc: BaseException) -> None:
            self.status.setText("评分表未导入，得分未改动")
            self._update_buttons()
            show_error(self, exc)

        write(self, scoring_template.import_template, self.info.id, str(path), done=done, failed=failed)


def _state_text(grid: svc.ScoreGrid) -> str:
    i = grid.session
    head = f"{i.title}：{len(grid.subjects)} 个评分对象，{len(grid.criteria)} 个评分项目　状态：{i.state}"
    if i.state == svc.CONFIRMED:
        return f"{head}（{i.confirmed_by}），已锁定；如需修改请先解锁"
    if i.state == svc.DRAFT:
        return f"{head}；评分项目和权重可修改，录入第一个得分或点“开始评分”后冻结"
    return head + (f"；录入：{'、'.join(i.scorers)}" if i.scorers else "")


def _grid_data(ledger, session_id: int):
    """The grid and whether this account may confirm it, read in one lane job."""
    return svc.grid(ledger, session_id), svc.why_not_confirm(ledger, session_id)
