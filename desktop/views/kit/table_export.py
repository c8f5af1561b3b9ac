"""导出Excel… on every table page: what the clerk sees — the visible columns in their on-screen order,
the rows in the view's order with its filters — written to .xlsx on the worker lane.

Use: `bar.addWidget(add_export_action(page, table, title=lambda: "…", settings_key="parks"))`.
Ctrl+E on the page exports the table that has the focus, else the first one shown.

Which cells become numbers (so that sums work in Excel), in order:
1. the model gives an int/float/Decimal for EditRole: that number;
2. the cell is right-aligned (TextAlignmentRole, the house's mark of a numeric column) and its shown text
   is a plain number — “1,234.50”, “-3”, “30.00%” — that number, with a format that shows the same text;
3. a shown text exactly like 2024-03-05 (or 2024-03-05 14:30) becomes a date;
everything else is the shown text (DisplayRole). UserRole is not used: models keep ids there.
Pages whose model fetches rows lazily (the register) pass `fetch_all`, which exports every matching row.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from PySide6.QtCore import QDate, QDateTime, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    
    QMessageBox,
    QPushButton,
    QTableView,
    QWidget,
)

from desktop.services.excel import table_export
from desktop.services.excel.excel_common import Cancelled
from desktop.services.excel.table_export import Formatted
from desktop.services.ledger import Ledger
from desktop.services.export_log import record_export
from desktop.views.kit.date_field import DateField
from desktop.views.kit.file_choice import ask_save_xlsx
from desktop.views.kit.ops import long_write
from desktop.views.kit.worker import show_error
from desktop.views.kit.widgets import tell

SHORTCUT = "Ctrl+E"
BUTTON_TEXT = "导出Excel…"
TOOLTIP = "把表中显示的行和列导出为 Excel（.xlsx）：筛选、排序和列的顺序与屏幕一致（Ctrl+E）"
# The rows of a lazily fetched table: called on the GUI thread with the logical columns to export
# (visible, in visual order), it returns a function of the ledger, run on the worker lane, that yields
# the rows (a service function with its plain arguments bound, never a widget).
FetchAll = Callable[[list[int]], Callable[[Ledger], Iterable[Sequence]]]

_NUMBER = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(%?)$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2}))?$")
MAX_DIGITS = 15  # beyond this Excel rounds: keep such “numbers” (codes) as text
_RIGHT = Qt.AlignmentFlag.AlignRight.value
_DISPLAY, _EDIT, _ALIGN = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.TextAlignmentRole


# What the clerk sees ------------------------------------------------------------------------------

def visible_columns(view: QTableView) -> list[int]:
    """Logical indices of the shown columns in the order the header shows them."""
    header = view.horizontalHeader()
    logical = (header.logicalIndex(v) for v in range(header.count()))
    return [c for c in logical if c >= 0 and not header.isSectionHidden(c)]


def header_texts(view: QTableView, columns: list[int]) -> list[str]:
    model = view.model()
    texts = []
    for c in columns:
        text = model.headerData(c, Qt.Orientation.Horizontal, _DISPLAY)
        texts.append("" if text is None else str(text))
    return texts


def _alignment(value) -> int:
    if value is None:
        return 0
    return value.value if hasattr(value, "value") else int(value)


def number_from_text(text: str) -> Formatted | None:
    """A shown number as a number with a format that shows the same text; None if it is not one."""
    m = _NUMBER.match(text.strip())
    if m is None:
        return None
    sign, whole, decimals, percent = m.groups()
    digits = whole.replace(",", "")
    if len(digits) > 1 and digits.startswith("0"):  # 007: a code, not a number
        return None
    if len(digits.lstrip("0")) + len(decimals or "") > MAX_DIGITS:
        return None
    try:
        value = Decimal(f"{sign}{digits}.{decimals}" if decimals else f"{sign}{digits}")
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None
    places = "." + "0" * len(decimals) if decimals else ""
    if percent:
        return Formatted(value / 100, f"0{places}%")
    grouped = "," in whole or len(digits) <= 3  # shown with separators (or too short to need them)
    return Formatted(value, ("#,##0" if grouped else "0") + places)


def date_from_text(text: str) -> Formatted | None:
    """2024-03-05 → a date; 2024-03-05 14:30(:05) → a date-time; anything else None."""
    try:
        m = _DATE.match(text)
        if m:
            return Formatted(dt.date(*map(int, m.groups())), table_export.DATE_FORMAT)
        m = _DATETIME.match(text)
        if m:
            parts = [int(p) for p in m.groups() if p is not None]
            seconds = m.group(6) is not None
            return Formatted(dt.datetime(*parts), table_export.DATETIME_FORMAT + (":ss" if seconds else ""))
    except ValueError:  # 2024-02-30: shown as typed
        return None
    return None


def cell_value(index: QModelIndex):
    """One cell for the workbook, by the rule in the module docstring."""
    edit = index.data(_EDIT)
    if isinstance(edit, (int, float, Decimal)) and not isinstance(edit, bool):
        return edit
    shown = index.data(_DISPLAY)
    if shown is None:
        return None
    if isinstance(shown, QDate):
        return shown.toPython()
    if isinstance(shown, QDateTime):
        return shown.toPython()
    if not isinstance(shown, str):
        return shown  # a number, date or bool the model shows as such
    text = shown.strip()
    if not text:
        return None
    when = date_from_text(text)
    if when is not None:
        return when
    if _alignment(index.data(_ALIGN)) & _RIGHT:
        number = number_from_text(text)
        if number is not None:
            return number
    return shown


def collect_rows(view: QTableView, columns: list[int]) -> list[list]:
    """The rows the view shows, in its order (through any proxy model), hidden rows skipped."""
    model = view.model()
    rows = []
    for r in range(model.rowCount()):
        if view.isRowHidden(r):
            continue
        rows.append([cell_value(model.index(r, c)) for c in columns])
    return rows


def sort_words(view: QTableView) -> str:
    """“排序：名称 降序” when the view is sorted by a column, else ""."""
    header = view.horizontalHeader()
    if not view.isSortingEnabled() or not header.isSortIndicatorShown():
        return ""
    section = header.sortIndicatorSection()
    if not 0 <= section < header.count() or header.isSectionHidden(section):
        return ""
    name = view.model().headerData(section, Qt.Orientation.Horizontal, _DISPLAY)
    if not name:
        return ""
    order = "升序" if header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder else "降序"
    return f"排序：{name} {order}"


def describe_filters(*items: tuple[str, QWidget | str | None], prefix: str = "筛选：") -> str:
    """Filters in words, e.g. “筛选：镇街=某镇；搜索=“化工””. A combo showing “全部…”, an empty box, an
    empty (or not yet valid) date field or an unticked check box is no filter and is left out; "" when
    nothing filters."""
    parts = []
    for label, item in items:
        if isinstance(item, QComboBox):
            text = item.currentText()
            if item.currentIndex() >= 0 and text and not text.startswith("全部"):
                parts.append(f"{label}={text}")
        elif isinstance(item, QLineEdit):
            if item.text().strip():
                parts.append(f"{label}=“{item.text().strip()}”")
        elif isinstance(item, QCheckBox):
            if item.isChecked():
                parts.append(label or item.text())
        elif isinstance(item, DateField):
            if item.is_valid() and item.value() is not None:
                parts.append(f"{label}={item.value():%Y-%m-%d}")
        elif isinstance(item, QDateEdit):
            parts.append(f"{label}={item.date().toString('yyyy-MM-dd')}")
        elif item:
            parts.append(f"{label}={item}" if label else str(item))
    return prefix + "；".join(parts) if parts else ""


# The action ----------------------------------------------------------------------------------------

class TableExporter(QObject):
    """One table's export: its button, the file dialog, the collection and the job on the lane."""

    exported = Signal(int, str)  # rows written, path — on the GUI thread
    finished = Signal()  # after success, failure or cancel

    def __init__(self, page: QWidget, view: QTableView | Callable[[], QTableView], *, title: Callable[[], str],
                 subtitle: Callable[[], str] | None = None, fetch_all: FetchAll | None = None, settings_key: str,
                 status: QLabel | Callable[[], QLabel] | None = None, ctx=None) -> None:
        super().__init__(page)
        self.page = page
        self.ctx = ctx if ctx is not None else page.ctx
        self._view = view
        self._title = title
        self._subtitle = subtitle
        self._fetch_all = fetch_all
        self.settings_key = settings_key
        self.status = status
        self.busy = False
        self.last_path: Path | None = None
        self.last_rows: int | None = None
        self.message_box: QMessageBox | None = None
        self.button = QPushButton(BUTTON_TEXT)
        self.button.setToolTip(TOOLTIP)
        self.button.clicked.connect(self.choose_file)

    def view(self) -> QTableView:
        return self._view() if callable(self._view) else self._view

    def title(self) -> str:
        return (self._title() or "").strip() or "导出"

    def subtitle(self) -> str:
        parts = [self._subtitle() if self._subtitle else "", sort_words(self.view())]
        return "　".join(p for p in parts if p)

    # File ----------------------------------------------------------------------------------------
    def _dir_key(self) -> str:
        return f"{self.settings_key}/export_dir"

    def choose_file(self) -> None:
        """Ask for the file (remembered folder, “<title>_YYYYMMDD.xlsx”), then export."""
        if self.busy:
            return
        p = ask_save_xlsx(self.page, self.ctx.settings, self._dir_key(), "导出Excel",
                          table_export.default_filename(self.title(), self.ctx.ledger.today()))
        if p is not None:
            self.export_to(p)

    # Export --------------------------------------------------------------------------------------
    def export_to(self, path: str | Path) -> None:
        """Collect what the view shows now and write it to `path` on the worker lane."""
        if self.busy:
            return
        path = table_export.xlsx_path(path)
        view = self.view()
        columns = visible_columns(view)
        headers = header_texts(view, columns)
        title, subtitle = self.title(), self.subtitle()
        # What the lane writes: the rows collected now, or (lazily fetched tables) a function of the ledger.
        rows = self._fetch_all(columns) if self._fetch_all is not None else collect_rows(view, columns)
        self._set_busy(True)
        long_write(self.page, "正在导出Excel…", _write_rows, path, title, headers, rows, subtitle,
                   done=lambda n: self._done(n, path), failed=self._failed)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.button.setEnabled(not busy)

    def _done(self, rows: int, path: Path) -> None:
        self._set_busy(False)
        self.last_path, self.last_rows = path, rows
        self._tell(f"已导出 {rows} 行：{path}")
        self.exported.emit(rows, str(path))
        self.finished.emit()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, Cancelled):
            self._tell("已取消导出，未生成文件。")
        else:
            self._tell("导出未完成")
            show_error(self.page, exc)
        self.finished.emit()

    def _tell(self, text: str) -> None:
        """The page's status label if it has one, else the main window's status bar, else a message box."""
        if tell(self.page, self.status, text):
            return
        if text.startswith("已导出"):
            box = QMessageBox(QMessageBox.Icon.Information, "导出完成", text, QMessageBox.StandardButton.Ok, self.page)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()  # not modal to the program: the clerk carries on
            self.message_box = box


def exporters(page: QWidget) -> list[TableExporter]:
    """The table exports added to a page, in the order added."""
    found = getattr(page, "_table_exporters", None)
    if found is None:
        found = []
        page._table_exporters = found
    return found


def _shortcut_target(page: QWidget) -> TableExporter | None:
    """Ctrl+E: the table with the focus; else the first table shown; else the first."""
    found = exporters(page)
    focus = QApplication.focusWidget()
    for e in found:
        view = e.view()
        if focus is not None and (focus is view or view.isAncestorOf(focus)):
            return e
    return next((e for e in found if e.view().isVisible()), found[0] if found else None)


def add_export_action(page: QWidget, view: QTableView | Callable[[], QTableView], *, title: Callable[[], str],
                      subtitle: Callable[[], str] | None = None, fetch_all: FetchAll | None = None,
                      settings_key: str, status: QLabel | Callable[[], QLabel] | None = None,
                      ctx=None) -> QPushButton:
    """A “导出Excel…” button for `view` (or a function giving the table now shown); the page places it.

    The first call on a page also adds Ctrl+E to the page. `title()` and `subtitle()` (filters in words)
    are read at export time; `settings_key` keeps the folder last exported to; `status` (a label) shows
    the outcome, else the main window's status bar does. `fetch_all`: see FetchAll.
    """
    exporter = TableExporter(page, view, title=title, subtitle=subtitle, fetch_all=fetch_all,
                             settings_key=settings_key, status=status, ctx=ctx)
    found = exporters(page)
    if not found:
        shortcut = QShortcut(QKeySequence(SHORTCUT), page)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(lambda: (_shortcut_target(page) or exporter).choose_file())
        page._table_export_shortcut = shortcut
    found.append(exporter)
    return exporter.button


__all__ = ["BUTTON_TEXT", "SHORTCUT", "FetchAll", "TableExporter", "add_export_action", "cell_value",
           "collect_rows", "describe_filters", "exporters", "visible_columns"]


def _write_rows(ledger: Ledger, path: Path, title: str, headers: list[str],
                rows: list[list] | Callable[[Ledger], Iterable[Sequence]], subtitle: str, *, progress, token) -> int:
    """The lane's part of an export: fetch the rows if the table fetches lazily, write the workbook."""
    if callable(rows):
        rows = rows(ledger)
    written = table_export.write_table(path, title=title, headers=headers, rows=rows, subtitle=subtitle,
                                       now=ledger.now(), progress=progress, cancel=token)
    record_export(ledger, title, path, written)
    return written


def register_fetch_all(page) -> FetchAll:
    """The register's `fetch_all`: every target matching the page's search and filters, in its SQL sort,
    fetched in chunks on the lane (the page's model holds only the rows drawn so far)."""

    def fetch(columns: list[int]):
        return functools.partial(table_export.register_rows, flt=page.current_filter(), year=page.ctx.year,
                                 keys=[page.model.keys[c] for c in columns], sort=page.model.sort_key,
                                 descending=page.model.descending)

    return fetch
