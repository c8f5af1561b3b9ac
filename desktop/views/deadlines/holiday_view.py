"""节假日 page: the holiday table that workday deadlines are computed from.

Left, the years in the table (complete or still being entered) with their source; right, the days
of the selected year. The admin adds, corrects or deletes days (Ctrl+Z undoes the last), marks a
hand-entered year complete with the notice it comes from, imports a year from an Excel/CSV file
(日期 | 类型 | 名称 | 来源) and downloads the template. Every change goes through calendar_service and
into the audit log.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QFileDialog, QGroupBox, QHBoxLayout, QLabel, QMessageBox, QPlainTextEdit, \
    QVBoxLayout

from desktop.services.deadlines import calendar_service
from desktop.services.deadlines.calendar_service import CalendarYearRow, HolidayDay, HolidayImportError, YearExists
from desktop.views.deadlines.holiday_dialogs import CompleteDialog, DayDialog
from desktop.views.deadlines.holiday_models import INCOMPLETE_FOREGROUND, DayModel, YearModel
from desktop.views.kit.context import AppContext
from desktop.views.kit.file_choice import ask_save_xlsx
from desktop.views.kit.layouts import hbox, hint_label, table_view
from desktop.views.kit.ops import query, write
from desktop.views.kit.page import Page
from desktop.views.kit.rows import date_text
from desktop.views.kit.table import ActionBar, Layout, needs_one, select_id, selected_rows, shortcut, \
    title_label
from desktop.views.kit.undo import Step, UndoKit
from desktop.views.kit.widgets import button, splitter
from desktop.views.kit.worker import show_error

BANNER_STYLE = "background: #fff4ce; border: 1px solid #e0b252; border-radius: 4px; padding: 6px 10px; color: #5c4400;"
RELEVANT_TABLES = frozenset({"holiday", "calendar_year"})
INTRO = ("期限中的“N个工作日”按国务院办公厅每年发布的节假日安排计算（放假日不计，调休上班日计入）。"
         "内置 2004–2026 年的安排；新一年的通知发布后，请在此录入或导入，并标记为完整录入。")


class HolidayPage(Page):
    relevant_tables = RELEVANT_TABLES

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self._year: int | None = None  # the selected year
        self._keep_day: dt.date | None = None
        self._selecting = False
        self.last_import_problems: list[str] = []
        self.day_dialog: DayDialog | None = None  # the open dialog, if any
        self.complete_dialog: CompleteDialog | None = None
        self._build()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.addWidget(title_label("节假日安排"))
        outer.addWidget(hint_label(INTRO))
        self.banner = QLabel("")
        self.banner.setObjectName("calendar_banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setVisible(False)
        outer.addWidget(self.banner)
        outer.addWidget(self._problems_box())

        self.splitter = splitter(Qt.Orientation.Horizontal, (self._years_box(), 2), (self._days_box(), 3))
        self.splitter.setSizes([480, 720])
        outer.addWidget(self.splitter, 1)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        outer.addWidget(self.status)
        self.layout_state = Layout(self.ctx.settings, "holidays", {
            "year_header": self.year_table.horizontalHeader(), "day_header": self.day_table.horizontalHeader(),
            "splitter": self.splitter})

    def _problems_box(self) -> QGroupBox:
        """Import problems: kept on the page so the admin can read them while fixing the file."""
        self.problems_box = QGroupBox("导入未完成：文件中的错误")
        self.problems_box.setStyleSheet("QGroupBox { color: #c0392b; font-weight: bold; }")
        pb = QVBoxLayout(self.problems_box)
        self.problems_text = QPlainTextEdit()
        self.problems_text.setReadOnly(True)
        self.problems_text.setMaximumHeight(140)
        self.problems_text.setStyleSheet("color: #c0392b; font-weight: normal;")
        pb.addWidget(self.problems_text)
        pb.addWidget(hbox(1, button("关闭", lambda: self.problems_box.setVisible(False))))
        self.problems_box.setVisible(False)
        return self.problems_box

    def _years_box(self) -> QGroupBox:
        box = QGroupBox("年度")
        ll = QVBoxLayout(box)
        self.year_model = YearModel(self)
        self.year_table = table_view(self.year_model, "year_table", (64, 84, 72, 96), sortable=False)
        self.year_table.selectionModel().selectionChanged.connect(lambda *_: self._year_selected())
        ll.addWidget(self.year_table)
        self.year_source = hint_label()
        self.year_source.setObjectName("year_source")
        self.year_source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        ll.addWidget(self.year_source)
        bar = ActionBar(self.year_table, self)
        self.year_actions = bar
        self.import_button = bar.add("导入…", self._choose_import_file, needs="holidays",
                                     tip="从 Excel（.xlsx）或 CSV 文件导入一个年度的安排：日期 | 类型 | 名称 | 来源")
        self.template_button = bar.add("下载模板…", self._choose_template_file, needs=None)
        self.export_button = bar.add("导出该年…", self._choose_export_file, tip="按导入模板的格式导出所选年度", needs=None,
                                     when=lambda rows: calendar_service.why_not_export(_one(rows)))
        self.complete_button = bar.add("标记为完整录入…", self.mark_complete, needs="holidays",
                                       when=lambda rows: None if rows else "请先选择年度")
        self.uncomplete_button = bar.add("取消完整标记", self.unmark_complete, needs="holidays",
                                         when=lambda rows: calendar_service.why_not_unmark(_one(rows)))
        self.delete_year_button = bar.add("删除该年度", self.delete_year, needs="holidays",
                                          when=lambda rows: None if rows else "请先选择年度")
        for buttons in ((self.import_button, self.template_button, self.export_button),
                        (self.complete_button, self.uncomplete_button, self.delete_year_button)):
            line = QHBoxLayout()
            for b in buttons:
                line.addWidget(b)
            line.addStretch(1)
            ll.addLayout(line)
        return box

    def _days_box(self) -> QGroupBox:
        self.days_box = QGroupBox("放假与调休上班")
        rl = QVBoxLayout(self.days_box)
        self.day_model = DayModel(self)
        self.day_table = table_view(self.day_model, "day_table", (100, 70, 80, 150))
        self.day_table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.day_table.doubleClicked.connect(lambda _i: self.edit_selected())
        bar = ActionBar(self.day_table, self)
        self.add_button = bar.add("新增日期", self.add_day, keys=Qt.Key.Key_Insert, local_keys=True, needs="holidays")
        self.edit_button = bar.add("修改", self.edit_selected, when=needs_one, tip="双击或回车", needs="holidays")
        self.delete_button = bar.add("删除", self.delete_selected, when=needs_one, needs="holidays",
                                     keys=QKeySequence.StandardKey.Delete, local_keys=True)
        self.undo = UndoKit(self)
        line = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.delete_button, self.undo.undo_button, self.undo.redo_button):
            line.addWidget(b)
        line.addStretch(1)
        rl.addLayout(line)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut(self.day_table, key, self.edit_selected, local=True)
        rl.addWidget(self.day_table)
        rl.addWidget(hint_label("浅蓝底色：调休上班日。未列出的日期：周一至周五为工作日，周六、周日休息。"))
        return self.days_box

    def save_layout(self) -> None:
        self.layout_state.save()

    # Loading -----------------------------------------------------------------------------
    def refresh(self) -> None:
        self._stale = False
        query(self, "years", _years_data, done=self._years_loaded)

    def _years_loaded(self, result) -> None:
        years, warning = result
        self.banner.setText(f"⚠ {warning}" if warning else "")
        self.banner.setVisible(bool(warning))
        present = {y.year for y in years}
        keep = self._year
        if keep not in present:  # first visit, or the year was deleted: this year, else the newest
            this_year = self.ctx.ledger.today().year
            keep = this_year if this_year in present else (years[0].year if years else None)
        self._selecting = True
        try:
            self.year_model.set_rows(years)
            found = select_id(self.year_table, keep)
        finally:
            self._selecting = False
        if found:
            row = self.year_model.row_of(keep)
            self.year_table.scrollTo(self.year_model.index(row, 0))
            self._load_days(self.year_model.rows[row])
        else:
            self._year = None
            self.year_source.setText("")
            self.day_model.set_rows([])

    def select_year(self, year: int) -> None:
        select_id(self.year_table, year)

    def _selected_year_row(self) -> CalendarYearRow | None:
        return _one(selected_rows(self.year_table))

    def _year_selected(self) -> None:
        r = self._selected_year_row()
        self.complete_button.setText("修改来源…" if r is not None and r.complete else "标记为完整录入…")
        if r is None or self._selecting:
            return
        if r.year != self._year:
            self._keep_day = None
        self._load_days(r)

    def _load_days(self, r: CalendarYearRow) -> None:
        self._year = r.year
        if r.complete:
            self.year_source.setText(f"{r.year}年来源：{r.source}")
            self.year_source.setStyleSheet("")
        else:
            self.year_source.setText(f"{r.year}年录入中：尚未标记为完整录入，该年的期限不按工作日计算。")
            self.year_source.setStyleSheet(f"color: {INCOMPLETE_FOREGROUND.name()};")
        self.days_box.setTitle(f"{r.year}年 放假与调休上班" + ("" if r.complete else "（录入中）"))
        self.complete_button.setText("修改来源…" if r.complete else "标记为完整录入…")
        query(self, "days", calendar_service.list_days, r.year, done=self._days_loaded)

    def _days_loaded(self, days: list[HolidayDay]) -> None:
        keep = self._selected_day()
        keep_day = self._keep_day or (keep.day if keep else None)
        self.day_model.set_rows(days)
        if select_id(self.day_table, keep_day):
            self.day_table.scrollTo(self.day_model.index(self.day_model.row_of(keep_day), 0))
        self._keep_day = None

    def _selected_day(self) -> HolidayDay | None:
        return _one(selected_rows(self.day_table))

    def _set_status(self, text: str, ok: bool | None = True) -> None:
        color = {True: "#2e7d32", False: "#c0392b", None: "#57606a"}[ok]
        self.status.setStyleSheet(f"color: {color};")
        self.status.setText(text)

    # Days ------------------------------------------------------------------------------
    def add_day(self) -> None:
        """A new day: in the selected year while it is being entered, else in the year after the newest
        (entering next year's notice is the usual reason to add days)."""
        selected = self._selected_year_row()
        if selected is not None and not selected.complete:
            year = selected.year
        else:
            year = max((r.year for r in self.year_model.rows), default=self.ctx.ledger.today().year) + 1
        query(self, "source", calendar_service.default_source, year,
              done=lambda source: self._open_day_dialog(None, year, source))

    def edit_selected(self) -> None:
        day = self._selected_day()
        if day is not None:
            self._open_day_dialog(day, day.day.year, day.source)

    def _open_day_dialog(self, day: HolidayDay | None, year: int, source: str) -> DayDialog:
        dialog = DayDialog(self, day=day, year=year, default_source=source)
        replacing = day.day if day else None

        def save(v: dict) -> None:
            write(dialog, calendar_service.save_day, v["day"], v["is_workday"], v["name"], v["source"],
                  replacing=replacing, failed=dialog.show_error, done=lambda saved: self._day_saved(dialog, saved))

        dialog.submitted.connect(save)
        dialog.finished.connect(lambda result: self._day_dialog_closed(dialog, result))
        self.day_dialog = dialog
        dialog.open()
        return dialog

    def _day_saved(self, dialog: DayDialog, saved: HolidayDay) -> None:
        dialog.saved = saved
        old = dialog.original
        new = (saved.day, saved.is_workday, saved.name, saved.source)
        if old is None:
            self.undo.push(f"新增 {date_text(saved.day)}", undo=Step(calendar_service.delete_day, saved.day),
                           redo=Step(calendar_service.save_day, *new))
        else:
            self.undo.push(f"修改 {date_text(old.day)}",
                           undo=Step(calendar_service.save_day, old.day, old.is_workday, old.name, old.source,
                                     replacing=saved.day),
                           redo=Step(calendar_service.save_day, *new, replacing=old.day))
        dialog.accept()

    def _day_dialog_closed(self, dialog: DayDialog, result: int) -> None:
        if result == QDialog.DialogCode.Accepted and dialog.saved is not None:
            saved = dialog.saved
            self._set_status(f"已保存：{date_text(saved.day)} {saved.weekday} {saved.kind} {saved.name}")
            self._keep_day = saved.day
            self._year = saved.day.year
        if self.day_dialog is dialog:
            self.day_dialog = None
        dialog.deleteLater()

    def delete_selected(self) -> None:
        day = self._selected_day()
        if day is None:
            return
        if QMessageBox.question(self, "删除日期", f"确定从节假日表中删除 {date_text(day.day)}（{day.kind}，{day.name}）？") \
                != QMessageBox.StandardButton.Yes:
            return

        def done(_r) -> None:
            self._set_status(f"已删除：{date_text(day.day)} {day.name}")
            self.undo.push(f"删除 {date_text(day.day)}",
                           undo=Step(calendar_service.save_day, day.day, day.is_workday, day.name, day.source),
                           redo=Step(calendar_service.delete_day, day.day))

        write(self, calendar_service.delete_day, day.day, done=done)

    # Years -------------------------------------------------------------------------------
    def mark_complete(self) -> None:
        y = self._selected_year_row()
        if y is not None:
            query(self, "source", calendar_service.default_source, y.year,
                  done=lambda s: self._open_complete_dialog(y.year, s or calendar_service.source_example(y.year)))

    def _open_complete_dialog(self, year: int, source: str) -> CompleteDialog:
        dialog = CompleteDialog(self, year, source)

        def save(v: dict) -> None:
            write(dialog, calendar_service.mark_year_complete, year, v["source"], failed=dialog.show_error,
                  done=lambda row: (self._set_status(f"{year}年已标记为完整录入：{row.source}"), dialog.accept()))

        dialog.submitted.connect(save)
        dialog.finished.connect(lambda _r: self._complete_dialog_closed(dialog))
        self.complete_dialog = dialog
        dialog.open()
        return dialog

    def _complete_dialog_closed(self, dialog: CompleteDialog) -> None:
        if self.complete_dialog is dialog:
            self.complete_dialog = None
        dialog.deleteLater()

    def unmark_complete(self) -> None:
        y = self._selected_year_row()
        if y is None or calendar_service.why_not_unmark(y):
            return
        if QMessageBox.question(self, "取消完整标记", f"取消{y.year}年的完整标记？\n取消后，{y.year}年内的期限将不再按工作日计算，"
                                "直至重新标记。") == QMessageBox.StandardButton.Yes:
            write(self, calendar_service.unmark_year_complete, y.year,
                  done=lambda _r: self._set_status(f"{y.year}年已改为录入中"))

    def delete_year(self) -> None:
        y = self._selected_year_row()
        if y is None:
            return
        if QMessageBox.question(self, "删除年度", f"确定删除{y.year}年的全部节假日安排（{y.holidays + y.workdays} 天）？\n"
                                f"删除后{y.year}年内的期限将无法按工作日计算。") != QMessageBox.StandardButton.Yes:
            return

        def done(n: int) -> None:
            self._set_status(f"已删除{y.year}年的节假日安排（{n} 天）")
            self._year = None

        write(self, calendar_service.delete_year, y.year, done=done)

    # Import, template, export ------------------------------------------------------------
    def _dir(self) -> str:
        return str(self.ctx.settings.value("holidays/dir", str(Path.home())))

    def _choose_import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "导入节假日安排", self._dir(),
                                              "Excel 或 CSV (*.xlsx *.xlsm *.csv);;所有文件 (*)")
        if path:
            self.ctx.settings.setValue("holidays/dir", str(Path(path).parent))
            self.import_from(Path(path))

    def import_from(self, path: Path, *, replace: bool = False) -> None:
        """Import on the lane; a year already present asks before replacing; errors are listed on the page."""
        self.problems_box.setVisible(False)
        self.import_button.setEnabled(False)
        self._set_status(f"正在导入 {path.name}…", None)

        def done(r: calendar_service.ImportResult) -> None:
            self.import_button.setEnabled(True)
            extra = f"，另含相邻年度 {r.spill_days} 天" if r.spill_days else ""
            replaced = f"（替换原有 {r.replaced_days} 天）" if r.replaced_days else ""
            self._set_status(f"已导入{r.year}年节假日安排{replaced}：放假 {r.holidays} 天，调休上班 {r.workdays} 天{extra}；"
                             f"已标记为完整录入。来源：{r.source}")
            self._year = r.year

        def failed(exc: BaseException) -> None:
            self.import_button.setEnabled(True)
            if isinstance(exc, YearExists):
                self._set_status("", None)
                if QMessageBox.question(self, "替换年度", exc.message) == QMessageBox.StandardButton.Yes:
                    self.import_from(path, replace=True)
                else:
                    self._set_status(f"未导入：{exc.year}年的安排保持不变", None)
            elif isinstance(exc, HolidayImportError):
                self.last_import_problems = list(exc.problems)
                self.problems_box.setTitle(f"导入未完成：{path.name} 有 {len(exc.problems)} 处错误，未写入任何内容")
                self.problems_text.setPlainText("\n".join(exc.problems))
                self.problems_box.setVisible(True)
                self._set_status("导入未完成：请按上面列出的错误修改文件后重新导入", False)
            else:
                self._set_status("导入未完成", False)
                show_error(self, exc)

        write(self, calendar_service.import_file, path, replace=replace, done=done, failed=failed)

    def _choose_template_file(self) -> None:
        year = self.ctx.ledger.today().year + 1
        path = ask_save_xlsx(self, self.ctx.settings, "holidays/dir", "下载导入模板", f"节假日安排导入模板（{year}年）.xlsx")
        if path is not None:
            self.write_template(path, year)

    def write_template(self, path: Path, year: int) -> None:
        query(self, None, _write_template, path, year, done=lambda p: self._set_status(f"已保存模板：{p}"))

    def _choose_export_file(self) -> None:
        y = self._selected_year_row()
        if y is None:
            return
        target = ask_save_xlsx(self, self.ctx.settings, "holidays/dir", "导出节假日安排", f"{y.year}年节假日安排.xlsx")
        if target is not None:
            query(self, None, calendar_service.export_year, y.year, target,
                  done=lambda p: self._set_status(f"已导出{y.year}年：{p}"))


def _one(rows: list):
    return rows[0] if len(rows) == 1 else None


def _years_data(ledger):
    """The years of the table and, from November, the warning that next year's is missing."""
    return calendar_service.list_years(ledger), calendar_service.next_year_missing_warning(ledger)


def _write_template(_ledger, path: Path, year: int) -> Path:
    """The import template (it reads nothing from the ledger)."""
    return calendar_service.write_template(path, year)
