"""通报 page (四(五)): choose the month (or the year so far); the draft's ranking (并列第N shaded), the late
reporters and highlights; the text the clerk edits; each town's verified area by month against its target;
打印 / 打印预览 / 另存为PDF and 导出Excel; 保存草稿 (经办) and 签发 (领导, with its number 第N期), after which
the bulletin is read-only; the issued bulletins to reopen and reprint; and the 典型案例 tab.

Typed text is never lost: each period's unsaved text is kept in the page and in the settings file (so a
page switch, a reload after someone else's change, or a restart brings it back) until it is saved as the
draft or issued.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.bulletins import bulletin_service
from desktop.services.bulletins.bulletin_draft import BulletinDraft, draft
from desktop.services.bulletins.bulletin_service import IssuedBulletin, SavedDraft
from desktop.services.dates import cn_date
from desktop.views.bulletins.bulletin_models import IssuedModel, RankingModel
from desktop.views.kit.area_chart import AreaChart
from desktop.views.kit.file_choice import ask_save_xlsx
from desktop.views.kit.file_export import export_file
from desktop.views.kit.layouts import hint_label
from desktop.views.kit.ops import query, write
from desktop.views.kit.page import Page
from desktop.views.kit.print_preview import add_print_action
from desktop.views.kit.table import ActionBar, Layout, needs_one, refusal, selected_rows, setup_table, shortcut, \
    title_label
from desktop.views.kit.widgets import button, replace_tab, splitter
from desktop.views.kit.worker import show_error

YEAR_SO_FAR = 0  # the period combo's data for 年初至今 (month None)
CASES_TAB = 2  # the 典型案例 tab's index
CITY = "全市合计"
UNSAVED_KEY = "bulletin/unsaved/{year}-{month}"
READ_ONLY_STYLE = "background: #eef3f8; border: 1px solid #9fb3c8; border-radius: 4px; padding: 6px 10px;"


def _pdf(ledger, *args) -> bytes:
    """On the lane: the PDF (reportlab loads there, never on the GUI thread)."""
    from desktop.services.bulletins import bulletin_docs

    return bulletin_docs.period_pdf(ledger, *args)


def _xlsx(ledger, *args):
    """On the lane: the .xlsx (openpyxl loads there)."""
    from desktop.services.bulletins import bulletin_docs

    return bulletin_docs.period_xlsx(ledger, *args)


def _page_data(ledger, year: int, month: int | None):
    """What the page shows for a period, read in one lane job: the draft, its saved text, the issued ones."""
    return (draft(ledger, year, month), bulletin_service.saved_draft(ledger, year, month),
            bulletin_service.list_issued(ledger, year))


class BulletinPage(Page):
    follows_year = True
    relevant_tables = frozenset({"bulletin", "list_entry", "governance_list", "monthly_report", "monthly_report_item",
                                 "monthly_report_hand_in", "verification", "town", "town_target", "contiguous_area",
                                 "year", "year_params"})

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.draft: BulletinDraft | None = None
        self.saved: SavedDraft | None = None
        self.viewing: IssuedBulletin | None = None  # an issued bulletin shown read-only
        self._loading = False
        self._build()

    # Layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.header = title_label("通报")
        outer.addWidget(self.header)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("期间："))
        self.period = QComboBox()
        self.period.addItem("年初至今", YEAR_SO_FAR)
        for m in range(1, 13):
            self.period.addItem(f"{m}月", m)
        self.period.setCurrentIndex(self.period.findData(self._default_month()))
        self.period.currentIndexChanged.connect(lambda: self._period_changed())
        bar.addWidget(self.period)
        self.save_button = button("保存草稿", self.save_draft, tip="把正文存为本期草稿，供领导签发（Ctrl+S）")
        self.issue_button = button("签发…", self.issue, tip="领导签发：编定期号（第N期），签发后不能再修改")
        self.back_button = button("返回起草", self.back_to_draft, tip="回到本期的草稿")
        self.print_button = add_print_action(self, _pdf, self._print_args, title=self._what,
                                             settings_key="bulletin", status=lambda: self.status)
        self.export_button = button("导出Excel…", self.export_xlsx, tip="排名、正文和逐月核实面积（含折线图）")
        for w in (self.save_button, self.issue_button, self.back_button, self.print_button, self.export_button):
            bar.addWidget(w)
        bar.addStretch(1)
        self.status = QLabel()
        bar.addWidget(self.status)
        outer.addLayout(bar)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_draft_tab(), "起草与签发")
        self.tabs.addTab(self._build_issued_tab(), "已签发通报")
        self._cases = None
        self.tabs.addTab(QWidget(), "典型案例")  # built when first shown (see `cases`)
        self.tabs.currentChanged.connect(lambda i: self.cases if i == CASES_TAB else None)
        outer.addWidget(self.tabs, 1)
        shortcut(self, "Ctrl+S", self.save_draft)
        self.layout_state = Layout(self.ctx.settings, "bulletin", {
            "header": self.ranking.horizontalHeader(), "issued_header": self.issued_table.horizontalHeader(),
            "splitter": self.main_split, "top": self.top_split})
        self._show_mode()

    def _build_draft_tab(self) -> QWidget:
        self.banner = QLabel()
        self.banner.setStyleSheet(READ_ONLY_STYLE)
        self.banner.setWordWrap(True)
        self.ranking_model = RankingModel(self)
        self.ranking = setup_table(QTableView())
        self.ranking.setObjectName("bulletin_ranking")
        self.ranking.setModel(self.ranking_model)
        for col, width in enumerate((74, 100, 86, 80, 66, 62, 62, 62, 84, 74)):
            self.ranking.setColumnWidth(col, width)
        self.ranking.selectionModel().selectionChanged.connect(lambda *_: self._town_selected())
        self.notes = hint_label()
        self.notes.setObjectName("bulletin_notes")

        self.text_label = QLabel("通报正文")
        self.regenerate_button = button("按台账重写", self.regenerate, tip="用台账生成的要点替换正文（先问）")
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("bulletin_text")
        self.editor.textChanged.connect(self._typed)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.text_label, 1)
        head.addWidget(self.regenerate_button)
        rv.addLayout(head)
        rv.addWidget(self.editor, 3)
        rv.addWidget(self.notes, 2)

        self.chart_town = QComboBox()
        self.chart_town.setMinimumWidth(140)
        self.chart_town.currentIndexChanged.connect(lambda: self._draw_chart())
        self.chart = AreaChart()
        self.chart.setMinimumHeight(170)
        chart_box = QGroupBox("逐月累计已核实面积与年度目标")
        cv = QVBoxLayout(chart_box)
        cv.setContentsMargins(6, 4, 6, 4)
        pick = QHBoxLayout()
        pick.addWidget(QLabel("镇街："))
        pick.addWidget(self.chart_town)
        pick.addWidget(hint_label("（在排名表中选中镇街也可切换）", wrap=False))
        pick.addStretch(1)
        cv.addLayout(pick)
        cv.addWidget(self.chart, 1)
        chart_box.setMaximumHeight(270)  # the ranking keeps the room: a dozen towns without scrolling

        self.main_split = splitter(Qt.Orientation.Vertical, (self.ranking, 3), (chart_box, 2))
        self.top_split = splitter(Qt.Orientation.Horizontal, (self.main_split, 3), (right, 2))
        tab = QWidget()
        v = QVBoxLayout(tab)
        v.addWidget(self.banner)
        v.addWidget(self.top_split, 1)
        return tab

    def _build_issued_tab(self) -> QWidget:
        self.issued_model = IssuedModel(self)
        self.issued_table = setup_table(QTableView())
        self.issued_table.setObjectName("bulletin_issued")
        self.issued_table.setModel(self.issued_model)
        self.issued_table.setColumnWidth(0, 120)
        self.issued_table.setColumnWidth(1, 460)
        self.issued_table.doubleClicked.connect(lambda _i: self.open_selected())
        self.issued_actions = ActionBar(self.issued_table, self)
        self.open_button = self.issued_actions.add("打开", self.open_selected, when=needs_one, needs=None,
                                                   tip="显示签发时的原样，可再打印、导出（回车或双击）")
        tab = QWidget()
        v = QVBoxLayout(tab)
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addWidget(hint_label("已签发的通报保持签发时的数字和正文，不能修改。", wrap=False))
        row.addStretch(1)
        v.addLayout(row)
        v.addWidget(self.issued_table, 1)
        return tab

    @property
    def cases(self):
        """The 典型案例 panel (case_view.CasePanel), built in its placeholder's place when first shown or asked
        for: its module, services and table were ~12 ms of the 通报 tab's first screen on the GUI thread."""
        if self._cases is None:
            from desktop.views.bulletins.case_view import CasePanel

            self._cases = CasePanel(self.ctx)
            replace_tab(self.tabs, CASES_TAB, self._cases)
        return self._cases

    def save_layout(self) -> None:
        self.layout_state.save()

    # Period and text ---------------------------------------------------------------------------
    def _default_month(self) -> int:
        today = self.ctx.ledger.today()
        return max(1, today.month - 1) if today.year == self.ctx.year else 12

    @property
    def month(self) -> int | None:
        m = self.period.currentData()
        return None if m == YEAR_SO_FAR else m

    def _key(self) -> str:
        return UNSAVED_KEY.format(year=self.ctx.year, month=self.period.currentData())

    def _unsaved(self) -> str | None:
        value = self.ctx.settings.value(self._key())
        return None if value is None else str(value)

    def _typed(self) -> None:
        if self._loading or self.viewing is not None:
            return
        text = self.editor.toPlainText()
        if text == self._stored_text():
            self._forget_unsaved()
        else:
            self.ctx.settings.setValue(self._key(), text)
        self._show_mode()

    def _forget_unsaved(self) -> None:
        self.ctx.settings.remove(self._key())

    def _stored_text(self) -> str:
        if self.saved is not None:
            return self.saved.body
        return self.draft.body if self.draft is not None else ""

    def _set_text(self, text: str) -> None:
        self._loading = True
        try:
            if self.editor.toPlainText() != text:
                self.editor.setPlainText(text)
        finally:
            self._loading = False

    def _period_changed(self) -> None:
        self.viewing = None
        self.refresh()

    def regenerate(self) -> None:
        if self.draft is None or self.viewing is not None:
            return
        if self.editor.toPlainText().strip() and QMessageBox.question(
                self, "按台账重写", "用台账生成的要点替换当前正文？（替换后可 Ctrl+Z 撤回）") != QMessageBox.StandardButton.Yes:
            return
        cursor = self.editor.textCursor()
        cursor.select(cursor.SelectionType.Document)
        cursor.insertText(self.draft.body)  # one undoable edit in the editor

    # Loading -----------------------------------------------------------------------------
    def refresh(self) -> None:
        self._stale = False
        self.status.setText("正在读取…")
        query(self, "bulletin", _page_data, self.ctx.year, self.month, done=self._loaded, failed=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.status.setText("")
        show_error(self, exc)

    def _loaded(self, result) -> None:
        self.draft, self.saved, issued = result
        self.status.setText("")
        self.issued_model.set_rows(issued)
        if self.viewing is not None:
            return  # an issued bulletin stays on screen; its figures never change
        self._show_draft()

    def _show_draft(self) -> None:
        d = self.draft
        self.header.setText(f"通报　　{d.title}")
        self._show_rows(d)
        typed = self._unsaved()
        self._set_text(typed if typed is not None else self._stored_text())
        if typed is not None and typed == self._stored_text():
            self._forget_unsaved()
        self._show_mode()

    def _show_rows(self, d: BulletinDraft) -> None:
        selected = selected_rows(self.ranking)
        self.ranking_model.set_rows(d.rows)
        # The ledger's figures beside the editor, for reference while the clerk rewrites the text: headed
        # as such (it is the same wording the draft text starts from) and only the count of late reporters.
        lines = ["台账要点（供核对，不随正文修改）："] + ["· " + h for h in d.highlights]
        if d.late_reporters:
            lines.append(f"· 报送不及时的镇街 {len(d.late_reporters)} 个（名单见正文和排名表）")
        self.notes.setText("\n".join(lines))
        current = self.chart_town.currentText()
        self.chart_town.blockSignals(True)
        self.chart_town.clear()
        self.chart_town.addItem(CITY)
        for series in d.chart:
            self.chart_town.addItem(series.town)
        self.chart_town.setCurrentIndex(max(0, self.chart_town.findText(selected[0].town if selected else current)))
        self.chart_town.blockSignals(False)
        self._draw_chart()

    def _town_selected(self) -> None:
        rows = selected_rows(self.ranking)
        if rows:
            self.chart_town.setCurrentIndex(max(0, self.chart_town.findText(rows[0].town)))

    def _shown_draft(self) -> BulletinDraft | None:
        return self.viewing.draft if self.viewing is not None else self.draft

    def _draw_chart(self) -> None:
        d = self._shown_draft()
        if d is None:
            return
        name = self.chart_town.currentText()
        series = next((s for s in d.chart if s.town == name), None)
        if series is None:  # 全市合计
            totals = [sum((s.cumulative_mu[i] for s in d.chart), Decimal(0)) for i in range(len(d.months))]
            self.chart.show_series(f"全市 {d.year}年", d.months, totals, d.city_target_mu)
        else:
            self.chart.show_series(f"{series.town} {d.year}年", d.months, series.cumulative_mu, series.target_mu)

    def _show_mode(self) -> None:
        """Buttons, banner and the editor for a draft (editable) or an issued bulletin (read-only)."""
        issued = self.viewing
        self.banner.setVisible(issued is not None)
        self.back_button.setVisible(issued is not None)
        self.editor.setReadOnly(issued is not None)
        self.regenerate_button.setEnabled(issued is None)
        self.period.setEnabled(issued is None)
        if issued is not None:
            self.banner.setText(f"{issued.number_label}　{issued.title}\n已于{cn_date(issued.issued_on)}签发"
                                f"（起草：{issued.drafted_by or '—'}，签发：{issued.issued_by or '—'}），只读；"
                                "可再打印、导出。")
            self.text_label.setText(f"通报正文（{issued.number_label}，已签发，只读）")
            self.save_button.setEnabled(False)
            self.issue_button.setEnabled(False)
            return
        unsaved = self._unsaved() is not None
        state = "未保存的修改" if unsaved else ("已保存为草稿" if self.saved is not None else "尚未保存")
        by = f"，起草：{self.saved.drafted_by}" if self.saved is not None and self.saved.drafted_by else ""
        self.text_label.setText(f"通报正文（{state}{by}）")
        write_refused = refusal(self, "ledger_write")
        self.save_button.setEnabled(write_refused is None and self.draft is not None)
        self.save_button.setToolTip(write_refused or "把正文存为本期草稿，供领导签发（Ctrl+S）")
        approve_refused = refusal(self, "approve")
        self.issue_button.setVisible(approve_refused is None)  # a role that never approves sees no 签发
        self.issue_button.setEnabled(approve_refused is None and self.draft is not None)

    # Save, issue, open -------------------------------------------------------------------------
    def save_draft(self) -> None:
        if self.viewing is not None or not self.save_button.isEnabled():
            return
        key = self._key()
        write(self, bulletin_service.save_draft, self.ctx.year, self.month, self.editor.toPlainText(),
              done=lambda saved: self._saved_done(key, saved), failed=self._failed)

    def _saved_done(self, key: str, saved: SavedDraft) -> None:
        if key == self._key():
            self.saved = saved
            if self.editor.toPlainText().strip() == saved.body:
                self._forget_unsaved()
        self.status.setText("草稿已保存")
        self._show_mode()

    def issue(self) -> None:
        if self.viewing is not None or self.draft is None:
            return
        period = self.period.currentText()
        if QMessageBox.question(self, "签发通报", f"签发{self.ctx.year}年{period}的通报？\n签发后编定期号，"
                                "内容和数字都不能再修改。") != QMessageBox.StandardButton.Yes:
            return
        self.issue_now()

    def issue_now(self) -> None:
        """签发 without asking (the confirmed path; tests call it)."""
        key = self._key()
        write(self, bulletin_service.issue, self.ctx.year, self.month, body=self.editor.toPlainText(),
              done=lambda b: self._issued(key, b), failed=self._failed)

    def _issued(self, key: str, b: IssuedBulletin) -> None:
        self.ctx.settings.remove(key)
        self.status.setText(f"已签发：{b.number_label}")
        self.show_issued(b)

    def open_selected(self) -> None:
        rows = selected_rows(self.issued_table)
        if rows:
            self.show_issued(rows[0])

    def show_issued(self, b: IssuedBulletin) -> None:
        """Show an issued bulletin as it was issued (figures, text), read-only."""
        self.viewing = b
        self.tabs.setCurrentIndex(0)
        self.header.setText(f"通报　　{b.number_label}　{b.title}")
        self._show_rows(b.draft)
        self._set_text(b.body)
        self._show_mode()

    def back_to_draft(self) -> None:
        self.viewing = None
        self.refresh()

    # Print and export ----------------------------------------------------------------------------
    def _print_args(self) -> tuple:
        issued_id = self.viewing.id if self.viewing is not None else None
        return self.ctx.year, self.month, self.editor.toPlainText(), issued_id

    def _what(self) -> str:
        if self.viewing is not None:
            return f"通报{self.viewing.number_label}"
        return f"通报（草稿）{self.ctx.year}年{self.period.currentText()}"

    def export_xlsx(self) -> None:
        path = ask_save_xlsx(self, self.ctx.settings, "bulletin/xlsx_dir", "导出通报", f"{self._what()}.xlsx")
        if path is not None:
            self.export_to(path)

    def export_to(self, path) -> None:
        export_file(self, self.export_button, self.status, _xlsx, str(path), *self._print_args(),
                    done=lambda p: setattr(self, "last_export", p))
