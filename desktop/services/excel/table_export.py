"""Any table as the clerk sees it, written to an .xlsx ready to print: title, filters in words, header.

The Qt side (views/table_export.py) collects the visible columns and rows; this module only writes.
Written with xlsxwriter in constant-memory mode to a temporary file first, so a cancelled or failed
export leaves nothing half-written. Text is always written as text, never as a formula.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator, Sequence, Sized
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from desktop.services.errors import UserError
from desktop.services.ledger import Ledger
from desktop.services.excel.excel_common import (  # noqa: F401  (xlsx_path: part of this module's API)
    EXCEL_CELL_LIMIT,
    Cancelled,
    Progress,
    written_atomically,
    xlsx_path,
)

if TYPE_CHECKING:
    from desktop.services.register import target_service

TITLE_ROW, SUBTITLE_ROW, HEADER_ROW = 0, 1, 2  # 0-based, as xlsxwriter counts
FIRST_DATA_ROW = HEADER_ROW + 1
STEP = 500  # rows between progress calls and cancel checks
WIDTH_SAMPLE = 300  # rows looked at to size the columns
MIN_WIDTH, MAX_WIDTH = 6, 60
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
FLOAT_FORMAT = "#,##0.00##"  # 2 to 4 decimals
HEADER_FILL = "#DDEBF7"
BORDER_COLOR = "#A6A6A6"
FONT_NAME = "宋体"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_BAD_FILE_CHARS = re.compile(r'[\\/:*?"<>|\r\n\t]')


@dataclass(frozen=True)
class Formatted:
    """A value with its own Excel number format: a percentage (0.3 shown as 30.00%), a number shown
    with or without thousands separators exactly as on screen, a date-time with seconds."""

    value: int | float | Decimal | dt.date | dt.datetime
    num_format: str


class SizedRows:
    """Rows produced lazily (fetched in chunks on the worker lane) whose count is known up front, so
    write_table can report progress against a total."""

    def __init__(self, total: int, rows: Iterable[Sequence]) -> None:
        self.total = total
        self._rows = rows

    def __len__(self) -> int:
        return self.total

    def __iter__(self) -> Iterator[Sequence]:
        return iter(self._rows)


def default_filename(title: str, today: dt.date) -> str:
    """“<title>_YYYYMMDD.xlsx” with characters Windows refuses in a file name replaced."""
    name = _BAD_FILE_CHARS.sub("_", title.strip()) or "导出"
    return f"{name}_{today:%Y%m%d}.xlsx"


def sheet_name(title: str) -> str:
    """A worksheet name Excel accepts: no []:*?/\\, at most 31 characters, not empty."""
    name = _BAD_SHEET_CHARS.sub("_", title).strip("' ") or "Sheet1"
    return name[:31]


def text_width(text: str) -> int:
    """Columns a text takes in Excel's units: a CJK (wide) character counts double."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _check_cancel(cancel) -> None:
    # Duck-typed: excel_common.CancelToken and the worker's token both have `cancelled`.
    if cancel is not None and cancel.cancelled:
        raise Cancelled("已取消导出，未生成文件。")


def _decimal_format(value: Decimal) -> str:
    """#,##0 with as many decimals as the Decimal carries (0 to 4)."""
    exponent = value.as_tuple().exponent
    places = min(max(-exponent, 0), 4) if isinstance(exponent, int) else 2
    return "#,##0" + ("." + "0" * places if places else "")


def _shown_width(value) -> int:
    """Approximate width of a value once Excel formats it (for the column width estimate)."""
    if isinstance(value, Formatted):
        if isinstance(value.value, dt.datetime):
            return 19 if "ss" in value.num_format else 16
        if isinstance(value.value, dt.date):
            return 10
        places = len(value.num_format.partition(".")[2].rstrip("%#"))
        if "%" in value.num_format:
            return len(f"{value.value * 100:,.{places}f}") + 1
        return len(f"{value.value:,.{places}f}")
    if value is None:
        return 0
    if isinstance(value, bool):
        return 2
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, (int, float, Decimal)):
        return len(f"{value:,.2f}") if isinstance(value, float) else len(f"{value:,}")
    return max((text_width(line) for line in _text(value).splitlines()), default=0)


def _text(value) -> str:
    label = getattr(value, "label", None)  # our enums show their Chinese label
    text = label if isinstance(label, str) else str(value)
    return text[:EXCEL_CELL_LIMIT]


class _Writer:
    """The workbook's formats, made once, and the typed write of one cell."""

    def __init__(self, workbook) -> None:
        self._wb = workbook
        self._formats: dict[str, object] = {}
        base = {"font_name": FONT_NAME, "font_size": 10, "border": 1, "border_color": BORDER_COLOR,
                "valign": "vcenter"}
        self._base = base
        self.text = workbook.add_format(base)
        self.title = workbook.add_format({"font_name": FONT_NAME, "bold": True, "font_size": 14,
                                          "align": "center", "valign": "vcenter"})
        self.subtitle = workbook.add_format({"font_name": FONT_NAME, "font_size": 9, "font_color": "#595959",
                                             "align": "left", "valign": "vcenter"})
        self.header = workbook.add_format({**base, "bold": True, "bg_color": HEADER_FILL, "align": "center",
                                           "text_wrap": True})

    def number_format(self, num_format: str):
        fmt = self._formats.get(num_format)
        if fmt is None:
            fmt = self._formats[num_format] = self._wb.add_format({**self._base, "num_format": num_format})
        return fmt

    def cell(self, ws, row: int, col: int, value) -> None:
        if isinstance(value, Formatted):
            fmt = self.number_format(value.num_format)
            if isinstance(value.value, (dt.date, dt.datetime)):
                ws.write_datetime(row, col, value.value, fmt)
            else:
                ws.write_number(row, col, float(value.value), fmt)
        elif value is None or value == "":
            ws.write_blank(row, col, None, self.text)
        elif isinstance(value, bool):  # before int: a bool is an int to Python
            ws.write_string(row, col, "是" if value else "否", self.text)
        elif isinstance(value, Decimal):
            if value.is_finite():
                ws.write_number(row, col, float(value), self.number_format(_decimal_format(value)))
            else:
                ws.write_blank(row, col, None, self.text)
        elif isinstance(value, int):
            ws.write_number(row, col, value, self.text)
        elif isinstance(value, float):
            ws.write_number(row, col, value, self.number_format(FLOAT_FORMAT))
        elif isinstance(value, dt.datetime):
            with_seconds = value.second or value.microsecond
            ws.write_datetime(row, col, value, self.number_format(DATETIME_FORMAT + (":ss" if with_seconds else "")))
        elif isinstance(value, dt.date):
            ws.write_datetime(row, col, value, self.number_format(DATE_FORMAT))
        else:
            ws.write_string(row, col, _text(value), self.text)  # never a formula, whatever it starts with


def _column_widths(headers: list[str], sample: list[Sequence]) -> list[float]:
    widths = []
    for c, header in enumerate(headers):
        longest = max([text_width(header)] + [_shown_width(r[c]) for r in sample if c < len(r)])
        widths.append(min(max(longest + 2, MIN_WIDTH), MAX_WIDTH))
    return widths


def write_table(path: str | os.PathLike, *, title: str, headers: list[str], rows: Iterable[Sequence],
                subtitle: str = "", progress: Progress | None = None, cancel=None,
                now: dt.datetime) -> int:
    """Write one table to `path` (.xlsx added if missing) and return the number of rows written.

    Title row (merged, bold), a row with `subtitle` and the export time, the header row (frozen,
    autofilter, repeated on every printed page), then the rows. A4 landscape, one page wide.
    Values: str as text; Decimal/int/float as numbers; date/datetime as dates; bool as 是/否; None empty;
    `Formatted` with its own number format. `cancel` (anything with `.cancelled`) is checked between rows.
    """
    import xlsxwriter

    if not headers:
        raise UserError("表中没有可导出的列。")
    path = xlsx_path(path)
    total = len(rows) if isinstance(rows, Sized) else 0
    n_cols = len(headers)
    done = 0
    with written_atomically(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False,
                                            "strings_to_numbers": False, "constant_memory": True,
                                            "remove_timezone": True, "nan_inf_to_errors": True})
        try:
            ws = wb.add_worksheet(sheet_name(title))
            w = _Writer(wb)
            iterator = iter(rows)
            sample: list[Sequence] = []
            for r in iterator:  # the first rows size the columns, then are written like the rest
                sample.append(list(r))
                if len(sample) >= WIDTH_SAMPLE:
                    break
            for c, width in enumerate(_column_widths(headers, sample)):
                ws.set_column(c, c, width)

            stamp = f"导出时间：{now:%Y-%m-%d %H:%M}"
            sub = f"{subtitle}　　{stamp}" if subtitle else stamp
            if n_cols > 1:
                ws.merge_range(TITLE_ROW, 0, TITLE_ROW, n_cols - 1, title, w.title)
                ws.merge_range(SUBTITLE_ROW, 0, SUBTITLE_ROW, n_cols - 1, sub, w.subtitle)
            else:
                ws.write_string(TITLE_ROW, 0, title, w.title)
                ws.write_string(SUBTITLE_ROW, 0, sub, w.subtitle)
            ws.set_row(TITLE_ROW, 26)
            ws.set_row(SUBTITLE_ROW, 18)
            for c, header in enumerate(headers):
                ws.write_string(HEADER_ROW, c, _text(header), w.header)

            def write(values: Sequence) -> None:
                nonlocal done
                row = FIRST_DATA_ROW + done
                for c in range(n_cols):
                    w.cell(ws, row, c, values[c] if c < len(values) else None)
                done += 1
                if done % STEP == 0:
                    _check_cancel(cancel)
                    if progress:
                        progress(done, max(total, done))

            _check_cancel(cancel)
            for values in sample:
                write(values)
            for values in iterator:
                write(values)
            _check_cancel(cancel)

            last_row = FIRST_DATA_ROW + done - 1
            ws.autofilter(HEADER_ROW, 0, max(last_row, HEADER_ROW), n_cols - 1)
            ws.freeze_panes(FIRST_DATA_ROW, 0)
            ws.repeat_rows(HEADER_ROW)
            ws.set_landscape()
            ws.set_paper(9)  # A4
            ws.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
            ws.center_horizontally()
            ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
            ws.set_footer("&C第 &P 页，共 &N 页")
        finally:
            wb.close()
    if progress:
        progress(done, max(total, done))
    return done


# The register's rows for an export of every matching target ----------------------------------------

REGISTER_CHUNK = 1000


def register_value(row: target_service.RegisterRow, key: str):
    """A register cell as the page shows it, typed: areas as two-decimal numbers, enums by label."""
    value = getattr(row, key)
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"))
    label = getattr(value, "label", None)
    return label if isinstance(label, str) else value


def register_rows(ledger: Ledger, flt: target_service.RegisterFilter, *, year: int, keys: list[str], sort: str = "name",
                  descending: bool = False, chunk: int = REGISTER_CHUNK) -> SizedRows:
    """Every target matching `flt`, in the register's sort, as rows of `keys` (columns of
    target_service.COLUMNS); the ids are searched now, the rows fetched `chunk` at a time as written."""
    # Imported here: every page with an export button imports this module, and the register's service is a few
    # ms of import on the GUI thread of a page that never uses it (镇街's page: 52 → 46 ms to import).
    from desktop.services.register import target_service

    ids = target_service.search_ids(ledger, flt, year=year, sort=sort, descending=descending)
    eval_year = target_service.evaluation_year(ledger, year)

    def generate() -> Iterator[list]:
        for start in range(0, len(ids), chunk):
            for r in target_service.fetch_rows(ledger, ids[start:start + chunk], year=year, evaluation_year=eval_year):
                yield [register_value(r, k) for k in keys]

    return SizedRows(len(ids), generate())

