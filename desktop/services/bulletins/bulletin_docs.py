"""通报 as documents: the .xlsx (openpyxl: the rankings, the text, each town's verified area by month with a
line chart against its target) and the PDF on GB/T 9704 pages through the document module. Both are
audited under the acting user (an export, a print)."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

from desktop.services import units
from desktop.services.accounts import permissions
from desktop.services.bulletins.bulletin_draft import BulletinDraft, BulletinRow
from desktop.services.dates import cn_date
from desktop.services.documents import gbt9704 as page
from desktop.services.excel.excel_common import written_atomically
from desktop.services.export_log import record_export, record_print
from desktop.services.ledger import Ledger

ISSUER = "市“危污乱散低”专项治理领导小组办公室"
HEADERS = ["排名", "镇（区、街道）", "目标面积（亩）", "已核实面积（亩）", "完成率", "启动园区（个）", "按时报送（次）",
           "逾期报送（次）", "逾期未报（月）", "核实通过率"]
PDF_WIDTHS = [11, 17, 13, 13, 11, 9, 9, 9, 9, 11]
PDF_ALIGN = "CLRRRRRRRR"


def pct_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def row_values(r: BulletinRow) -> list:
    """One town's cells (numbers as numbers, for the .xlsx)."""
    return [r.rank_label, r.town, r.target_mu, r.verified_mu, r.completion_pct, r.parks_started, r.on_time_reports,
            r.late_reports, r.missing_reports, r.pass_rate_pct]


def row_texts(r: BulletinRow) -> list[str]:
    """One town's cells as printed."""
    return [r.rank_label, r.town, units.fmt(r.target_mu), units.fmt(r.verified_mu), pct_text(r.completion_pct),
            str(r.parks_started), str(r.on_time_reports), str(r.late_reports), str(r.missing_reports),
            pct_text(r.pass_rate_pct)]


def period_text(d: BulletinDraft) -> str:
    return f"统计期间：{d.year}年1月1日至{cn_date(d.period_end)}（完成面积只计已核实）"


# ---- .xlsx ------------------------------------------------------------------------------------

def _text(cell, value: str) -> None:
    cell.value = value
    cell.data_type = "s"  # text, never a formula, whatever it starts with


def write_xlsx(ledger: Ledger, d: BulletinDraft, path: str | os.PathLike, *, number_label: str = "",
               body: str | None = None) -> Path:
    """The bulletin as a workbook: 通报 (the ranking), 正文 (the text), 逐月核实面积 (the chart and its data)."""
    from openpyxl import Workbook
    from openpyxl.chart import LineChart, Reference
    from openpyxl.styles import Alignment, Font

    permissions.require(ledger, "ledger_read")
    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = "通报"
    _text(ws.cell(1, 1), d.title)
    ws.cell(1, 1).font = Font(bold=True, size=14)
    _text(ws.cell(2, 1), " ".join(t for t in (number_label, period_text(d)) if t))
    for col, head in enumerate(HEADERS, start=1):
        _text(ws.cell(4, col), head)
        ws.cell(4, col).font = Font(bold=True)
        ws.cell(4, col).alignment = Alignment(horizontal="center", wrap_text=True)
    for n, r in enumerate(d.rows, start=5):
        for col, value in enumerate(row_values(r), start=1):
            c = ws.cell(n, col)
            if isinstance(value, str):
                _text(c, value)
            elif isinstance(value, Decimal):
                c.value = float(value) / 100 if col in (5, 10) else float(value)
                c.number_format = "0.00%" if col in (5, 10) else "#,##0.00"
            else:
                c.value = value
    for col, width in enumerate([10, 14, 14, 16, 10, 14, 14, 14, 14, 12], start=1):
        ws.column_dimensions[chr(64 + col)].width = width

    text = wb.create_sheet("正文")
    text.column_dimensions["A"].width = 100
    for n, line in enumerate((body if body is not None else d.body).splitlines(), start=1):
        _text(text.cell(n, 1), line)
        text.cell(n, 1).alignment = Alignment(wrap_text=True)

    data = wb.create_sheet("逐月核实面积")
    _text(data.cell(1, 1), "月份")
    for col, series in enumerate(d.chart, start=2):
        _text(data.cell(1, col), series.town)
    for i, m in enumerate(d.months, start=2):
        _text(data.cell(i, 1), f"{m}月")
        for col, series in enumerate(d.chart, start=2):
            data.cell(i, col).value = float(series.cumulative_mu[i - 2])
            data.cell(i, col).number_format = "#,##0.00"
    last = len(d.months) + 1
    target_row = last + 2
    _text(data.cell(target_row, 1), "年度目标")
    for col, series in enumerate(d.chart, start=2):
        data.cell(target_row, col).value = float(series.target_mu)
    if d.chart and d.months:
        chart = LineChart()
        chart.title = "各镇街累计已核实面积（亩）"
        chart.y_axis.title = "亩"
        chart.add_data(Reference(data, min_col=2, max_col=len(d.chart) + 1, min_row=1, max_row=last),
                       titles_from_data=True)
        chart.set_categories(Reference(data, min_col=1, min_row=2, max_row=last))
        chart.width, chart.height = 24, 12
        data.add_chart(chart, f"A{target_row + 2}")
    with written_atomically(path) as tmp:
        wb.save(tmp)
    record_export(ledger, f"通报 {d.title}", path, len(d.rows))
    return path


# ---- PDF --------------------------------------------------------------------------------------

def _month_table(d: BulletinDraft):
    """Each town's cumulative verified area at each month's end (亩, one decimal) and its target."""
    header = ["镇街", *(f"{m}月" for m in d.months), "目标"]
    rows = [[s.town, *(units.fmt(v, 1) for v in s.cumulative_mu), units.fmt(s.target_mu, 1)] for s in d.chart]
    widths = [16, *([10] * len(d.months)), 11]
    return page.table(header, rows, widths, size=7 if len(d.months) > 8 else page.SMALL_TABLE_SIZE,
                      align="L" + "R" * (len(d.months) + 1))


def bulletin_pdf(ledger: Ledger, d: BulletinDraft, *, number_label: str = "", body: str | None = None,
                 issued_on: dt.date | None = None) -> bytes:
    """The bulletin on GB/T 9704 pages (PDF bytes): title, number, text, ranking, area by month, signature;
    the print is logged."""
    permissions.require(ledger, "ledger_read")
    story = [*page.title(d.title)]
    if number_label:
        story.append(page.GridText(number_label, align="C"))
    for line in (body if body is not None else d.body).splitlines():
        if line.strip():
            story.append(page.body(line.strip(), indent_chars=2))
    story += [
        *page.heading1("一、各镇街完成情况排名"),
        page.cell(period_text(d), size=page.TABLE_SIZE),
        page.table(HEADERS, [row_texts(r) for r in d.rows], PDF_WIDTHS, size=page.SMALL_TABLE_SIZE,
                   align=PDF_ALIGN),
        page.cell("完成率相同的镇街并列同一名次，其后名次顺延。", size=page.TABLE_SIZE),
        *page.heading1("二、各镇街逐月累计已核实面积（亩）"),
        _month_table(d),
        page.SignatureBlock(ISSUER, cn_date(issued_on or ledger.today())),
    ]
    pdf = page.render(story, doc_title=d.title)
    record_print(ledger, f"通报 {d.title}", len(d.rows))
    return pdf



# ---- what the window prints and exports (plain arguments, run on the lane) ---------------------

def _shown(ledger: Ledger, year: int, month: int | None, body: str, bulletin_id: int | None):
    """The draft of the period with the clerk's text, or an issued bulletin exactly as issued."""
    from desktop.services.bulletins import bulletin_service
    from desktop.services.bulletins.bulletin_draft import draft

    if bulletin_id is not None:
        b = bulletin_service.get(ledger, bulletin_id)
        return b.draft, {"number_label": b.number_label, "body": b.body}, b.issued_on
    return draft(ledger, year, month), {"body": body}, None


def period_pdf(ledger: Ledger, year: int, month: int | None, body: str, bulletin_id: int | None = None) -> bytes:
    """The PDF of the page's bulletin: the period's draft with the typed text, or the issued one."""
    d, texts, issued_on = _shown(ledger, year, month, body, bulletin_id)
    return bulletin_pdf(ledger, d, issued_on=issued_on, **texts)


def period_xlsx(ledger: Ledger, path: str | os.PathLike, year: int, month: int | None, body: str,
                bulletin_id: int | None = None) -> Path:
    """The .xlsx of the page's bulletin (as period_pdf)."""
    d, texts, _issued_on = _shown(ledger, year, month, body, bulletin_id)
    return write_xlsx(ledger, d, path, **texts)
