"""The month's verification table (三(四)) as an .xlsx workbook: one row per reported entry, each verifying
department's result, date and note, the overall state and the late flags, and a totals row.

Numbers are written as numbers, dates as dates, every text from the database as a string (never a
formula, whatever it starts with). The sheet prints on A4 landscape, one page wide, with the header
rows repeated on every page. openpyxl is imported inside the writer (on the worker lane), never when the
page that offers the export opens.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from desktop.models.enums import VerifyResult
from desktop.services.dates import cn_date
from desktop.services.reports import report_service
from desktop.services.errors import Refused
from desktop.services.export_log import record_export
from desktop.services.reports.report_service import VerificationTable
from desktop.services.ledger import Ledger

AREA_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
COUNT_FORMAT = '0"项"'
RED = "C0392B"
HEADER_COLOUR = "DDE5F0"
TOTALS_COLOUR = "EEF2F7"
FONT_NAME = "宋体"

TITLE_ROW, INFO_ROW, HEAD1, HEAD2 = 1, 2, 3, 4
FIRST_DATA_ROW = 5

# Fixed columns before the departments: (header, width)
LEAD = [("序号", 6), ("镇(区、街道)", 12), ("治理对象", 30), ("统一社会信用代码", 21), ("报送日期", 11),
        ("完成面积（亩）", 11)]
DEPT_SUB = [("结果", 7), ("核实日期", 11), ("说明", 18)]
TAIL = [("核实状态", 10), ("核实面积（亩）", 11), ("逾期情况", 22)]


@dataclass
class ExportResult:
    path: Path
    rows: int


def _text(cell, value: str | None) -> None:
    """A string cell that stays text even when it starts with = + - @."""
    cell.value = "" if value is None else str(value)
    cell.data_type = "s"


def info_text(table: VerificationTable, today: dt.date, what: str = "导出日期", *, printed: bool = False) -> str:
    """The line under the title: the month's due days, the verifying departments, the day it was written
    (2024-03-05 in a workbook; 2024年3月5日 on a printed page)."""
    written = cn_date(today) if printed else f"{today:%Y-%m-%d}"
    return (f"报送截止：{table.report_due.month}月{table.report_due.day}日　"
            f"核实截止：{table.verify_due.month}月{table.verify_due.day}日　"
            f"核实部门：{'、'.join(table.departments)}　"
            f"{what}：{written}")


def summary_text(table: VerificationTable) -> str:
    """The totals row's count of items by overall state."""
    return (f"已核实 {table.count(report_service.OVERALL_VERIFIED)} 项，"
            f"未通过 {table.count(report_service.OVERALL_FAILED)} 项，"
            f"待核实 {table.count(report_service.OVERALL_PENDING)} 项")


def write_verification_table(table: VerificationTable, path: str | os.PathLike,
                             progress: Callable[[int, int], None] | None = None, cancel=None, *,
                             today: dt.date) -> ExportResult:
    """Write the table to `path` (replaced only when the whole workbook is written); `today` is its 导出日期."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    header_fill = PatternFill("solid", fgColor=HEADER_COLOUR)
    totals_fill = PatternFill("solid", fgColor=TOTALS_COLOUR)
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    path = Path(path)
    n_dept = len(table.departments)
    total = len(table.rows)
    wb = Workbook()
    ws = wb.active
    ws.title = f"{table.month}月核实情况"[:31]
    last_col = len(LEAD) + n_dept * len(DEPT_SUB) + len(TAIL)
    dept_col = len(LEAD) + 1  # first department column
    tail_col = dept_col + n_dept * len(DEPT_SUB)

    base = Font(name=FONT_NAME, size=10)
    bold = Font(name=FONT_NAME, size=10, bold=True)
    red = Font(name=FONT_NAME, size=10, color=RED)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    right = Alignment(horizontal="right", vertical="center")

    merges: list[tuple[int, int, int, int]] = []  # applied last: a merged cell takes no value

    # Title and the month's due days
    merges.append((TITLE_ROW, 1, TITLE_ROW, last_col))
    c = ws.cell(TITLE_ROW, 1)
    _text(c, table.title)
    c.font = Font(name=FONT_NAME, size=16, bold=True)
    c.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[TITLE_ROW].height = 30
    merges.append((INFO_ROW, 1, INFO_ROW, last_col))
    c = ws.cell(INFO_ROW, 1)
    _text(c, info_text(table, today))
    c.font = base
    c.alignment = Alignment(horizontal="right", vertical="center")

    # Two header rows: department names over 结果 / 核实日期 / 说明
    def head(row: int, col: int, text: str) -> None:
        cell = ws.cell(row, col)
        _text(cell, text)
        cell.font = bold
        cell.alignment = center
        cell.fill = header_fill
        cell.border = border

    for i, (text, width) in enumerate(LEAD, start=1):
        merges.append((HEAD1, i, HEAD2, i))
        head(HEAD1, i, text)
        head(HEAD2, i, "")
        ws.column_dimensions[get_column_letter(i)].width = width
    for d, name in enumerate(table.departments):
        col = dept_col + d * len(DEPT_SUB)
        merges.append((HEAD1, col, HEAD1, col + len(DEPT_SUB) - 1))
        for k, (sub, width) in enumerate(DEPT_SUB):
            head(HEAD1, col + k, name if k == 0 else "")
            head(HEAD2, col + k, sub)
            ws.column_dimensions[get_column_letter(col + k)].width = width
    for k, (text, width) in enumerate(TAIL):
        col = tail_col + k
        merges.append((HEAD1, col, HEAD2, col))
        head(HEAD1, col, text)
        head(HEAD2, col, "")
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[HEAD1].height = 20
    ws.row_dimensions[HEAD2].height = 20

    def put(row: int, col: int, value, *, fmt: str | None = None, font=base, align=None) -> None:
        cell = ws.cell(row, col)
        if value is None:
            pass
        elif isinstance(value, str):
            _text(cell, value)
        else:
            cell.value = value
        if fmt:
            cell.number_format = fmt
        cell.font = font
        cell.alignment = align or (left if isinstance(value, str) else right)
        cell.border = border

    row = FIRST_DATA_ROW
    for n, r in enumerate(table.rows, start=1):
        if cancel is not None and getattr(cancel, "cancelled", False):
            raise Refused("已取消导出")
        put(row, 1, n, align=center)
        put(row, 2, r.town)
        put(row, 3, r.target)
        put(row, 4, r.credit_code or "")
        put(row, 5, r.reported_on, fmt=DATE_FORMAT, font=red if r.report_late else base, align=center)
        put(row, 6, r.completed_area_mu, fmt=AREA_FORMAT)
        for d, cell in enumerate(r.cells):
            col = dept_col + d * len(DEPT_SUB)
            failed = cell.result is VerifyResult.FAIL
            put(row, col, cell.text, font=red if failed else base, align=center)
            put(row, col + 1, cell.verified_on, fmt=DATE_FORMAT, font=red if cell.is_late else base, align=center)
            put(row, col + 2, cell.note)
        put(row, tail_col, r.overall, font=red if r.overall == report_service.OVERALL_FAILED else base, align=center)
        put(row, tail_col + 1, r.verified_area_mu, fmt=AREA_FORMAT)
        put(row, tail_col + 2, r.late_text, font=red if r.late_text else base)
        row += 1
        if progress is not None:
            progress(n, total)

    # Totals: items, completed area, verified area
    for col in range(1, last_col + 1):
        put(row, col, None, font=bold)
        ws.cell(row, col).fill = totals_fill
    put(row, 1, "合计", font=bold, align=center)
    merges.append((row, 1, row, 2))
    put(row, 3, len(table.rows), fmt=COUNT_FORMAT, font=bold)
    put(row, 6, table.completed_area_mu, fmt=AREA_FORMAT, font=bold)
    summary = summary_text(table)
    if n_dept:
        merges.append((row, dept_col, row, tail_col - 1))
    put(row, dept_col if n_dept else tail_col, summary, font=bold)
    put(row, tail_col + 1, table.verified_area_mu, fmt=AREA_FORMAT, font=bold)
    for col in range(1, last_col + 1):
        ws.cell(row, col).fill = totals_fill

    for r1, c1, r2, c2 in merges:
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)

    # Frozen header and identity columns; print setup
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 4)
    ws.print_title_rows = f"{HEAD1}:{HEAD2}"
    ws.print_area = f"A1:{get_column_letter(last_col)}{row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"

    # Write beside the target and move into place: a cancelled or failed export leaves no half file.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        if cancel is not None and getattr(cancel, "cancelled", False):
            raise Refused("已取消导出")
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return ExportResult(path, len(table.rows))


def export_month(ledger: Ledger, year: int, month: int, path: str | os.PathLike,
                 progress: Callable[[int, int], None] | None = None, cancel=None, *,
                 token=None) -> ExportResult:
    """导出核实表: the whole month (every town) to `path`. `token` is the op bridge's name for `cancel`."""
    table = report_service.verification_table(ledger, year, month)
    result = write_verification_table(table, path, progress, cancel or token, today=ledger.today())
    record_export(ledger, f"{year}年{month}月整治核实情况表", path)
    return result


def default_file_name(year: int, month: int) -> str:
    return f"{year}年{month}月整治核实情况表.xlsx"
