"""任务分解表 (附件1) with the year's progress, as an .xlsx ready to print.

Every figure comes from progress_service.year_progress (never recomputed here): the per-town rows
and the 合计 row, whose completion is measured against the city's own target.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from desktop.services.dates import cn_date
from desktop.services.export_log import record_export
from desktop.services.towns import progress_service
from desktop.services.excel.excel_common import written_atomically
from desktop.services.ledger import Ledger

COLUMNS = (
    ("序号", 6),
    ("镇（区、街道）", 16),
    ("目标面积（亩）", 13),
    ("目标园区（个）", 11),
    ("已列清单面积（亩）", 14),
    ("其中连片面积（亩）", 14),
    ("连片占比", 10),
    ("已核实面积（亩）", 14),
    ("完成率", 10),
    ("已启动园区（个）", 12),
)
TITLE_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 3
FIRST_DATA_ROW = HEADER_ROW + 1
AREA_FORMAT = "#,##0.00"
PCT_FORMAT = "0.00%"
COUNT_FORMAT = "0"
AMBER = "FFD966"
TOTALS_FILL = "EEF2F7"
HEADER_FILL = "DDEBF7"


def title(year: int) -> str:
    return f"{year}年度全市“危污乱散低”专项治理任务分解表"


def default_filename(year: int, today: dt.date) -> str:
    return f"{year}年度任务分解表（截至{today:%Y%m%d}）.xlsx"


def _fraction(pct: Decimal | None) -> Decimal | None:
    """progress_service gives percentages (30.00); a cell formatted 0.00% holds the fraction (0.3)."""
    return None if pct is None else pct / 100


FORMATS = (COUNT_FORMAT, None, AREA_FORMAT, COUNT_FORMAT, AREA_FORMAT, AREA_FORMAT, PCT_FORMAT, AREA_FORMAT,
           PCT_FORMAT, COUNT_FORMAT)  # one per column of COLUMNS


def row_values(number, t: progress_service.TownProgress) -> list:
    """The cells of one town's row (or the 合计 row), in COLUMNS order; percentages as fractions."""
    return [number, t.town, t.target_area_mu, t.target_parks, t.listed_mu, t.contiguous_mu, _fraction(t.share_pct),
            t.verified_mu, _fraction(t.completion_pct), t.parks_started]


def numbered_rows(progress: progress_service.YearProgress):
    """(序号, row, is the totals row) for every town, then the 合计 row progress_service computed."""
    for i, t in enumerate(progress.towns, start=1):
        yield i, t, False
    yield "", progress.totals, True


def note(progress: progress_service.YearProgress, today: dt.date) -> str:
    share_min = progress.share_min_pct.normalize()
    return (f"全市年度目标：整治 {progress.city_target_mu:,.2f} 亩，启动老旧工业园区连片整治 {progress.city_parks_target} 个；"
            f"连片面积占比不低于 {share_min:f}%。数据截至 {cn_date(today)}。")


def footnotes(progress: progress_service.YearProgress, marked: str) -> list[str]:
    """The notes under the table; `marked` says how a share below the minimum is shown (colour, sign)."""
    share_min = progress.share_min_pct.normalize()
    return [
        f"注：1. 合计行的完成率按全市年度目标 {progress.city_target_mu:,.2f} 亩计算；各镇（区、街道）按本镇目标计算。",
        f"　　2. 只有“已核实”的面积计入完成；企业自主技改不计入统计。连片占比低于 {share_min:f}% 的{marked}。",
    ]


def _text(ws, row: int, col: int, value: str):
    c = ws.cell(row=row, column=col, value=value)
    c.data_type = "s"  # text, never a formula, whatever it starts with
    return c


def export_task_table(ledger: Ledger, year: int, path, *, today: dt.date | None = None) -> Path:
    """Write the year's 任务分解表 with progress to `path` (.xlsx); returns the path.

    Written to a temporary file first, so a failed export leaves nothing half-written.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    progress = progress_service.year_progress(ledger, year)
    today = today or ledger.today()
    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}年度任务分解表"
    n_cols = len(COLUMNS)
    last_col = get_column_letter(n_cols)

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    c = _text(ws, TITLE_ROW, 1, title(year))
    c.font = Font(size=16, bold=True)
    c.alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(f"A{TITLE_ROW}:{last_col}{TITLE_ROW}")
    ws.row_dimensions[TITLE_ROW].height = 30
    c = _text(ws, NOTE_ROW, 1, note(progress, today))
    c.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    ws.merge_cells(f"A{NOTE_ROW}:{last_col}{NOTE_ROW}")
    ws.row_dimensions[NOTE_ROW].height = 20

    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    for j, (name, width) in enumerate(COLUMNS, start=1):
        c = _text(ws, HEADER_ROW, j, name)
        c.font = Font(bold=True)
        c.fill = header_fill
        c.alignment = center
        c.border = border
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.row_dimensions[HEADER_ROW].height = 32

    amber = PatternFill("solid", fgColor=AMBER)
    totals_fill = PatternFill("solid", fgColor=TOTALS_FILL)

    def write_row(row: int, number, t: progress_service.TownProgress, *, totals: bool) -> None:
        for j, (value, fmt) in enumerate(zip(row_values(number, t), FORMATS), start=1):
            if fmt is None or isinstance(value, str):
                c = _text(ws, row, j, value if value is not None else "")
            elif value is None:  # no list yet: no share, no completion rate
                c = _text(ws, row, j, "—")
                c.alignment = Alignment(horizontal="center")
            else:
                c = ws.cell(row=row, column=j, value=value)
                c.number_format = fmt
            c.border = border
            if totals:
                c.font = Font(bold=True)
                c.fill = totals_fill
        if t.share_below_min:
            ws.cell(row=row, column=7).fill = amber

    row = FIRST_DATA_ROW
    for number, t, totals in numbered_rows(progress):
        write_row(row, number, t, totals=totals)
        row += 1
    totals_row = row - 1

    notes = footnotes(progress, "以黄色标出")
    for k, text in enumerate(notes, start=totals_row + 2):
        _text(ws, k, 1, text)
        ws.merge_cells(f"A{k}:{last_col}{k}")

    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=3)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{last_col}{totals_row + 1 + len(notes)}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"

    path = Path(path)
    with written_atomically(path) as tmp:
        wb.save(tmp)
    record_export(ledger, title(year), path, len(progress.towns))
    return path
