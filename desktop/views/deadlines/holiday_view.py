"""节假日 page: the holiday table that workday deadlines are computed from.

Left, the years in the table (complete or still being entered) with their source; right, the days
of the selected year. The admin adds, corrects or deletes days, marks a hand-entered year complete
with the notice it comes from, imports a year from an Excel/CSV file (日期 | 类型 | 名称 | 来源) and
downloads the template. Every change goes through calendar_service and into the audit log.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.deadlines import calendar_service
from desktop.services.deadlines.calendar_service import CalendarYearRow, HolidayDay, HolidayImportError, YearExists
from desktop.services.errors import UserError
from desktop.views.kit.context import AppContext
from desktop.views.kit.file_choice import ask_save_xlsx
from desktop.views.kit.page_state import LazyRefresh, restore_states, save_states
from desktop.views.kit.worker import show_error
from desktop.views.kit.forms import HINT_STYLE, error_label, show_at

WORKDAY_BACKGROUND = QColor("#E3F0FF")  # 调休上班 rows
INCOMPLETE_FOREGROUND = QColor("#b26a00")
BANNER_STYLE = "background: #fff4ce; border: 1px solid #e0b252; border-radius: 4px; padding: 6px 10px; color: #5c4400;"
COMMON_NAMES = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节", "国庆节、中秋节",
                "春节调休上班", "劳动节调休上班", "国庆节调休上班"]
RELEVANT_TABLES = {"*", "holiday", "calendar_year"}


def qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(d: QDate) -> dt.date:
    return dt.date(d.year(), d.month(), d.day())


class YearModel(QAbstractTableModel):
    """The years of the table: 年度, 状态, 放假, 调休上班, 来源."""

    HEADERS = ("年度", "状态", "放假（天）", "调休上班（天）", "来源")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[CalendarYearRow] = []

    def set_rows(self, rows: list[CalendarYearRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_of(self, year: int | None) -> int:
        return next((i for i, r in enumerate(self.rows) if r.year == year), -1)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        r, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (f"{r.year}年", "已完整录入" if r.complete else "录入中", str(r.holidays), str(r.workdays),
                    r.source)[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 1 and not r.complete:
                return "尚未标记为完整：该年的期限不会按工作日计算。录入完毕后请点击“标记为完整录入”。"
            if col == 4:
                return r.source or None
        if role == Qt.ItemDataRole.ForegroundRole and col == 1 and not r.complete:
            return QBrush(INCOMPLETE_FOREGROUND)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class DayModel(QAbstractTableModel):
    """The days of one year: 日期, 星期, 类型, 名称, 来源 (sortable)."""

    HEADERS = ("日期", "星期", "类型", "名称", "来源")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[HolidayDay] = []
        self._sort: tuple[int, Qt.SortOrder] = (0, Qt.SortOrder.AscendingOrder)

    def set_rows(self, rows: list[HolidayDay]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self._apply_sort()
        self.endResetModel()

    def row_of(self, day: dt.date | None) -> int:
        return next((i for i, r in enumerate(self.rows) if r.day == day), -1)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        r, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (r.day.isoformat(), r.weekday, r.kind, r.name, r.source)[col]
        if role == Qt.ItemDataRole.ToolTipRole and col == 4:
            return r.source
        if role == Qt.ItemDataRole.BackgroundRole and r.is_workday:
            return QBrush(WORKDAY_BACKGROUND)
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply_sort()
        self.layoutChanged.emit()

    def _apply_sort(self) -> None:
        column, order = self._sort
        keys = (lambda r: r.day, lambda r: (r.day.weekday(), r.day), lambda r: (r.is_workday, r.day),
                lambda r: (r.name, r.day), lambda r: (r.source, r.day))
        key = keys[column] if 0 <= column < len(keys) else keys[0]
        self.rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)


class DayDialog(QDialog):
    """Add or correct one day. A refused field shows its message beside it; the input stays."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, *, day: HolidayDay | None = None,
                 year: int | None = None, default_source: str = "") -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.original = day
        self.saved: HolidayDay | None = None
        self.setWindowTitle("修改日期" if day else "新增日期")
        self.setMinimumWidth(560)
        form = QFormLayout(self)
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        start = day.day if day else dt.date(year or dt.date.today().year, 1, 1)
        self.date_edit.setDate(qdate(start))
        self.weekday = QLabel(calendar_service.weekday_label(start))
        self.date_edit.dateChanged.connect(self._date_changed)
        self.kind_combo = QComboBox()
        self.kind_combo.addItem(calendar_service.HOLIDAY_LABEL, False)
        self.kind_combo.addItem(calendar_service.WORKDAY_LABEL, True)
        self.kind_combo.setCurrentIndex(1 if day and day.is_workday else 0)
        self.name_edit = QLineEdit(day.name if day else "")
        self.name_edit.setPlaceholderText("如 春节、国庆节、春节调休上班")
        self.name_edit.setCompleter(QCompleter(COMMON_NAMES, self.name_edit))
        self.source_edit = QLineEdit(day.source if day else default_source)
        self.source_edit.setPlaceholderText(calendar_service.source_example(start.year))
        self.errors = {k: error_label() for k in ("day", "is_workday", "name", "source")}

        def field(widget, err, extra=None) -> QWidget:
            holder = QWidget()
            v = QVBoxLayout(holder)
            v.setContentsMargins(0, 0, 0, 0)
            v.setSpacing(2)
            if extra is not None:
                row = QHBoxLayout()
                row.addWidget(widget)
                row.addWidget(extra)
                row.addStretch(1)
                v.addLayout(row)
            else:
                v.addWidget(widget)
            v.addWidget(err)
            return holder

        form.addRow("日期", field(self.date_edit, self.errors["day"], self.weekday))
        form.addRow("类型", field(self.kind_combo, self.errors["is_workday"]))
        form.addRow("名称", field(self.name_edit, self.errors["name"]))
        form.addRow("来源", field(self.source_edit, self.errors["source"]))
        hint = QLabel("调休上班只用于调休的星期六、星期日。来源填国务院办公厅通知的名称和文号。")
        hint.setStyleSheet(HINT_STYLE)
        hint.setWordWrap(True)
        form.addRow("", hint)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        for edit, key in ((self.name_edit, "name"), (self.source_edit, "source")):
            edit.textEdited.connect(lambda _t, k=key: show_at(self.errors[k], ""))
        self.kind_combo.currentIndexChanged.connect(lambda _i: show_at(self.errors["is_workday"], ""))
        self.name_edit.setFocus()

    def _date_changed(self, d: QDate) -> None:
        show_at(self.errors["day"], "")
        show_at(self.errors["is_workday"], "")
        self.weekday.setText(calendar_service.weekday_label(pydate(d)))

    def values(self) -> tuple[dt.date, bool, str, str]:
        return (pydate(self.date_edit.date()), bool(self.kind_combo.currentData()), self.name_edit.text(),
                self.source_edit.text())

    def save(self) -> None:
        for err in self.errors.values():
            show_at(err, "")
        day, is_workday, name, source = self.values()
        db = self.ctx.db
        replacing = self.original.day if self.original else None
        self.buttons.setEnabled(False)

        def done(saved: HolidayDay) -> None:
            self.buttons.setEnabled(True)
            self.saved = saved
            self.ctx.changed("holiday")
            self.accept()

        self.ctx.worker.run(lambda: calendar_service.save_day(db, day, is_workday, name, source, replacing=replacing),
                            done, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        name = getattr(exc, "field", None)
        if isinstance(exc, UserError) and name in self.errors:
            show_at(self.errors[name], exc.message)
            {"day": self.date_edit, "is_workday": self.kind_combo, "name": self.name_edit,
             "source": self.source_edit}[name].setFocus()
        else:
            show_error(self, exc)


class CompleteDialog(QDialog):
    """Mark a hand-entered year complete, naming the notice it comes from (required)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, year: int, source: str) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.year = year
        self.setWindowTitle(f"{year}年节假日安排：标记为完整录入")
        self.setMinimumWidth(620)
        lay = QVBoxLayout(self)
        text = QLabel(f"确认{year}年的放假日和调休上班日已按国务院办公厅通知全部录入。"
                      f"标记后，{year}年内的期限将按此表计算工作日。")
        text.setWordWrap(True)
        lay.addWidget(text)
        lay.addWidget(QLabel("来源（通知名称和文号）："))
        self.source_edit = QLineEdit(source)
        self.source_edit.setPlaceholderText(calendar_service.source_example(year))
        lay.addWidget(self.source_edit)
        self.error = error_label()
        lay.addWidget(self.error)
        self.source_edit.textEdited.connect(lambda _t: show_at(self.error, ""))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("标记为完整录入")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)

    def save(self) -> None:
        show_at(self.error, "")
        db, year, source = self.ctx.db, self.year, self.source_edit.text()
        self.buttons.setEnabled(False)

        def done(_row) -> None:
            self.buttons.setEnabled(True)
            self.ctx.changed("calendar_year")
            self.accept()

        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            if isinstance(exc, UserError):
                show_at(self.error, exc.message)
                self.source_edit.setFocus()
            else:
                show_error(self, exc)

        self.ctx.worker.run(lambda: calendar_service.mark_year_complete(db, year, source), done, failed)


class HolidayPage(LazyRefresh, QWidget):
    relevant_tables = frozenset(RELEVANT_TABLES)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._stale = True
        self._token = 0
        self._year: int | None = None  # the selected year
        self._keep_day: dt.date | None = None
        self._selecting = False
        self.last_import_problems: list[str] = []
        self.day_dialog: DayDialog | None = None  # the open dialog, if any
        self.complete_dialog: CompleteDialog | None = None
        self._build()
        self._restore_layout()
        ctx.data_changed.connect(self._on_data_changed)

    # Layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        title = QLabel("节假日安排")
        f = title.font()
        f.setPointSize(f.pointSize() + 3)
        f.setBold(True)
        title.setFont(f)
        outer.addWidget(title)
        intro = QLabel("期限中的“N个工作日”按国务院办公厅每年发布的节假日安排计算（放假日不计，调休上班日计入）。"
                       "内置 2004–2026 年的安排；新一年的通知发布后，请在此录入或导入，并标记为完整录入。")
        intro.setWordWrap(True)
        intro.setStyleSheet(HINT_STYLE)
        outer.addWidget(intro)
        self.banner = QLabel("")
        self.banner.setObjectName("calendar_banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setVisible(False)
        outer.addWidget(self.banner)

        # Import problems: kept on the page so the admin can read them while fixing the file.
        self.problems_box = QGroupBox("导入未完成：文件中的错误")
        self.problems_box.setStyleSheet("QGroupBox { color: #c0392b; font-weight: bold; }")
        pb = QVBoxLayout(self.problems_box)
        self.problems_text = QPlainTextEdit()
        self.problems_text.setReadOnly(True)
        self.problems_text.setMaximumHeight(140)
        self.problems_text.setStyleSheet("color: #c0392b; font-weight: normal;")
        pb.addWidget(self.problems_text)
        close = QPushButton("关闭")
        close.clicked.connect(lambda: self.problems_box.setVisible(False))
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        pb.addLayout(row)
        self.problems_box.setVisible(False)
        outer.addWidget(self.problems_box)

        # Years
        left = QGroupBox("年度")
        ll = QVBoxLayout(left)
        self.year_model = YearModel(self)
        self.year_table = QTableView()
        self.year_table.setObjectName("year_table")
        self.year_table.setModel(self.year_model)
        self.year_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.year_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.year_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.year_table.verticalHeader().setVisible(False)
        row_height = self.year_table.fontMetrics().height() + 10
        self.year_table.verticalHeader().setDefaultSectionSize(row_height)
        for col, width in enumerate((70, 90, 80, 100)):
            self.year_table.setColumnWidth(col, width)
        self.year_table.horizontalHeader().setStretchLastSection(True)
        self.year_table.selectionModel().selectionChanged.connect(lambda *_: self._year_selected())
        ll.addWidget(self.year_table)
        self.year_source = QLabel("")
        self.year_source.setObjectName("year_source")
        self.year_source.setWordWrap(True)
        self.year_source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        ll.addWidget(self.year_source)
        yb1 = QHBoxLayout()
        self.import_button = QPushButton("导入…")
        self.import_button.setToolTip("从 Excel（.xlsx）或 CSV 文件导入一个年度的安排：日期 | 类型 | 名称 | 来源")
        self.import_button.clicked.connect(self._choose_import_file)
        self.template_button = QPushButton("下载模板…")
        self.template_button.clicked.connect(self._choose_template_file)
        self.export_button = QPushButton("导出该年…")
        self.export_button.setToolTip("按导入模板的格式导出所选年度")
        self.export_button.clicked.connect(self._choose_export_file)
        for b in (self.import_button, self.template_button, self.export_button):
            yb1.addWidget(b)
        yb1.addStretch(1)
        ll.addLayout(yb1)
        yb2 = QHBoxLayout()
        self.complete_button = QPushButton("标记为完整录入…")
        self.complete_button.clicked.connect(self.mark_complete)
        self.uncomplete_button = QPushButton("取消完整标记")
        self.uncomplete_button.clicked.connect(self.unmark_complete)
        self.delete_year_button = QPushButton("删除该年度")
        self.delete_year_button.clicked.connect(self.delete_year)
        for b in (self.complete_button, self.uncomplete_button, self.delete_year_button):
            yb2.addWidget(b)
        yb2.addStretch(1)
        ll.addLayout(yb2)

        # Days
        right = QGroupBox("放假与调休上班")
        self.days_box = right
        rl = QVBoxLayout(right)
        db1 = QHBoxLayout()
        self.add_button = QPushButton("新增日期")
        self.add_button.setToolTip("Insert")
        self.add_button.clicked.connect(self.add_day)
        self.edit_button = QPushButton("修改")
        self.edit_button.setToolTip("双击或回车")
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button = QPushButton("删除")
        self.delete_button.setToolTip("Delete")
        self.delete_button.clicked.connect(self.delete_selected)
        for b in (self.add_button, self.edit_button, self.delete_button):
            db1.addWidget(b)
        db1.addStretch(1)
        rl.addLayout(db1)
        self.day_model = DayModel(self)
        self.day_table = QTableView()
        self.day_table.setObjectName("day_table")
        self.day_table.setModel(self.day_model)
        self.day_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.day_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.day_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.day_table.verticalHeader().setVisible(False)
        self.day_table.verticalHeader().setDefaultSectionSize(row_height)
        self.day_table.setSortingEnabled(True)
        self.day_table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        for col, width in enumerate((100, 70, 80, 150)):
            self.day_table.setColumnWidth(col, width)
        self.day_table.horizontalHeader().setStretchLastSection(True)
        self.day_table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.day_table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        rl.addWidget(self.day_table)
        legend = QLabel("浅蓝底色：调休上班日。未列出的日期：周一至周五为工作日，周六、周日休息。")
        legend.setStyleSheet(HINT_STYLE)
        rl.addWidget(legend)

        self.status = QLabel("")
        self.status.setWordWrap(True)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([480, 720])
        outer.addWidget(self.splitter, 1)
        outer.addWidget(self.status)

        for key, slot in ((QKeySequence.StandardKey.Delete, self.delete_selected),
                          (QKeySequence(Qt.Key.Key_Return), self.edit_selected),
                          (QKeySequence(Qt.Key.Key_Enter), self.edit_selected),
                          (QKeySequence(Qt.Key.Key_Insert), self.add_day)):
            sc = QShortcut(QKeySequence(key), self.day_table)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
            sc.activated.connect(slot)
        self._update_buttons()

    def _layout_parts(self) -> dict:
        return {
            "holidays/year_header": self.year_table.horizontalHeader(),
            "holidays/day_header": self.day_table.horizontalHeader(),
            "holidays/splitter": self.splitter,
        }

    def _restore_layout(self) -> None:
        restore_states(self.ctx.settings, self._layout_parts())

    def save_layout(self) -> None:
        save_states(self.ctx.settings, self._layout_parts())

    # Loading -----------------------------------------------------------------------------
    def refresh(self) -> None:
        self._stale = False
        self._token += 1
        token, db = self._token, self.ctx.db
        self.ctx.worker.run(
            lambda: (calendar_service.list_years(db), calendar_service.next_year_missing_warning(db)),
            lambda r: self._years_loaded(token, *r), lambda e: self._failed(token, e))

    def _failed(self, token: int, exc: BaseException) -> None:
        if token == self._token:
            show_error(self, exc)

    def _years_loaded(self, token: int, years: list[CalendarYearRow], warning: str | None) -> None:
        if token != self._token:
            return
        self.banner.setText(f"⚠ {warning}" if warning else "")
        self.banner.setVisible(bool(warning))
        present = {y.year for y in years}
        keep = self._year
        if keep not in present:  # first visit, or the year was deleted: this year, else the newest
            today = dt.date.today().year
            keep = today if today in present else (years[0].year if years else None)
        self.year_model.set_rows(years)
        row = self.year_model.row_of(keep)
        if row >= 0:
            self._selecting = True
            try:
                self.year_table.selectRow(row)
            finally:
                self._selecting = False
            self.year_table.scrollTo(self.year_model.index(row, 0))
            self._load_days(self.year_model.rows[row])
        else:
            self._year = None
            self.year_source.setText("")
            self.day_model.set_rows([])
            self._update_buttons()

    def select_year(self, year: int) -> None:
        row = self.year_model.row_of(year)
        if row >= 0:
            self.year_table.selectRow(row)

    def _selected_year_row(self) -> CalendarYearRow | None:
        rows = self.year_table.selectionModel().selectedRows()
        if not rows:
            return None
        i = rows[0].row()
        return self.year_model.rows[i] if 0 <= i < len(self.year_model.rows) else None

    def _year_selected(self) -> None:
        r = self._selected_year_row()
        self._update_buttons()
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
        self._token += 1
        token, db, year = self._token, self.ctx.db, r.year
        self.ctx.worker.run(lambda: calendar_service.list_days(db, year), lambda days: self._days_loaded(token, days),
                            lambda e: self._failed(token, e))

    def _days_loaded(self, token: int, days: list[HolidayDay]) -> None:
        if token != self._token:
            return
        keep = self._selected_day()
        keep_day = self._keep_day or (keep.day if keep else None)
        self.day_model.set_rows(days)
        row = self.day_model.row_of(keep_day)
        if row >= 0:
            self.day_table.selectRow(row)
            self.day_table.scrollTo(self.day_model.index(row, 0))
        self._keep_day = None
        self._update_buttons()

    def _selected_day(self) -> HolidayDay | None:
        rows = self.day_table.selectionModel().selectedRows()
        if not rows:
            return None
        i = rows[0].row()
        return self.day_model.rows[i] if 0 <= i < len(self.day_model.rows) else None

    def _update_buttons(self) -> None:
        y = self._selected_year_row()
        has_day = self._selected_day() is not None
        self.edit_button.setEnabled(has_day)
        self.delete_button.setEnabled(has_day)
        self.export_button.setEnabled(y is not None and (y.holidays + y.workdays) > 0)
        self.complete_button.setEnabled(y is not None)
        self.complete_button.setText("修改来源…" if y is not None and y.complete else "标记为完整录入…")
        self.uncomplete_button.setEnabled(y is not None and y.complete)
        self.delete_year_button.setEnabled(y is not None)

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
            newest = max((r.year for r in self.year_model.rows), default=dt.date.today().year)
            year = newest + 1
        db = self.ctx.db
        self.ctx.worker.run(lambda: calendar_service.default_source(db, year),
                            lambda source: self._open_day_dialog(None, year, source))

    def edit_selected(self) -> None:
        day = self._selected_day()
        if day is not None:
            self._open_day_dialog(day, day.day.year, day.source)

    def _open_day_dialog(self, day: HolidayDay | None, year: int, source: str) -> DayDialog:
        dialog = DayDialog(self.ctx, self, day=day, year=year, default_source=source)
        dialog.finished.connect(lambda result: self._day_dialog_closed(dialog, result))
        self.day_dialog = dialog
        dialog.open()
        return dialog

    def _day_dialog_closed(self, dialog: DayDialog, result: int) -> None:
        if result == QDialog.DialogCode.Accepted and dialog.saved is not None:
            saved = dialog.saved
            self._set_status(f"已保存：{saved.day.isoformat()} {saved.weekday} {saved.kind} {saved.name}")
            self._keep_day = saved.day
            self._year = saved.day.year
        if self.day_dialog is dialog:
            self.day_dialog = None
        dialog.deleteLater()

    def delete_selected(self) -> None:
        day = self._selected_day()
        if day is None:
            return
        answer = QMessageBox.question(self, "删除日期", f"确定从节假日表中删除 {day.day.isoformat()}（{day.kind}，{day.name}）？")
        if answer != QMessageBox.StandardButton.Yes:
            return
        db = self.ctx.db

        def done(_r) -> None:
            self._set_status(f"已删除：{day.day.isoformat()} {day.name}")
            self.ctx.changed("holiday")

        self.ctx.worker.run(lambda: calendar_service.delete_day(db, day.day), done, lambda e: show_error(self, e))

    # Years -------------------------------------------------------------------------------
    def mark_complete(self) -> None:
        y = self._selected_year_row()
        if y is None:
            return
        db = self.ctx.db
        self.ctx.worker.run(lambda: calendar_service.default_source(db, y.year),
                            lambda source: self._open_complete_dialog(y.year, source or calendar_service.source_example(y.year)))

    def _open_complete_dialog(self, year: int, source: str) -> CompleteDialog:
        dialog = CompleteDialog(self.ctx, self, year, source)
        dialog.accepted.connect(lambda: self._set_status(f"{year}年已标记为完整录入：{dialog.source_edit.text().strip()}"))
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
        if y is None or not y.complete:
            return
        if QMessageBox.question(self, "取消完整标记", f"取消{y.year}年的完整标记？\n取消后，{y.year}年内的期限将不再按工作日计算，"
                                "直至重新标记。") != QMessageBox.StandardButton.Yes:
            return
        db = self.ctx.db
        self.ctx.worker.run(lambda: calendar_service.unmark_year_complete(db, y.year),
                            lambda _r: (self._set_status(f"{y.year}年已改为录入中"), self.ctx.changed("calendar_year")),
                            lambda e: show_error(self, e))

    def delete_year(self) -> None:
        y = self._selected_year_row()
        if y is None:
            return
        if QMessageBox.question(self, "删除年度", f"确定删除{y.year}年的全部节假日安排（{y.holidays + y.workdays} 天）？\n"
                                f"删除后{y.year}年内的期限将无法按工作日计算。") != QMessageBox.StandardButton.Yes:
            return
        db = self.ctx.db

        def done(n: int) -> None:
            self._set_status(f"已删除{y.year}年的节假日安排（{n} 天）")
            self._year = None
            self.ctx.changed("calendar_year")

        self.ctx.worker.run(lambda: calendar_service.delete_year(db, y.year), done, lambda e: show_error(self, e))

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
        """Import on the worker; a year already present asks before replacing; errors are listed on the page."""
        db = self.ctx.db
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
            self.ctx.changed("calendar_year")

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

        self.ctx.worker.run(lambda: calendar_service.import_file(db, path, replace=replace), done, failed)

    def _choose_template_file(self) -> None:
        year = dt.date.today().year + 1
        path = ask_save_xlsx(self, self.ctx.settings, "holidays/dir", "下载导入模板", f"节假日安排导入模板（{year}年）.xlsx")
        if path is not None:
            self.write_template(path, year)

    def write_template(self, path: Path, year: int) -> None:
        self.ctx.worker.run(lambda: calendar_service.write_template(path, year),
                            lambda p: self._set_status(f"已保存模板：{p}"), lambda e: show_error(self, e))

    def _choose_export_file(self) -> None:
        y = self._selected_year_row()
        if y is None:
            return
        target = ask_save_xlsx(self, self.ctx.settings, "holidays/dir", "导出节假日安排", f"{y.year}年节假日安排.xlsx")
        if target is not None:
            db, year = self.ctx.db, y.year
            self.ctx.worker.run(lambda: calendar_service.export_year(db, year, target),
                                lambda p: self._set_status(f"已导出{year}年：{p}"), lambda e: show_error(self, e))
