"""The ledgers the office already exports to Excel, printed as PDF on GB/T 9704 pages (portrait):
任务分解表 with the year's progress, the month's 核实表, the 周转指标库 ledger.

The rows are the Excel exports' own (progress_export.numbered_rows / row_values, report_service's
VerificationTable, quota_export's columns and cells): only the page is different. Wide tables print in
小五 and wrap inside their cells, never past the type area. Every print is recorded in the audit log
under the acting user, like an export.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from desktop.services import units
from desktop.services.accounts import permissions
from desktop.services.dates import cn_date, date_text
from desktop.services.documents import gbt9704 as page
from desktop.services.export_log import record_print
from desktop.services.ledger import Ledger

NOTE_SIZE = page.TABLE_SIZE


def cell_text(value, fmt: str | None = None) -> str:
    """A cell as printed: areas and money with two decimals and thousands separators, fractions as percent,
    dates as 2024年3月5日, None as —."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date):
        return cn_date(value)
    if fmt and fmt.endswith("%"):
        return f"{units.fmt(Decimal(value) * 100)}%"
    if isinstance(value, Decimal) or (fmt and "0.00" in fmt):
        return units.fmt(Decimal(value))
    return str(value)


def note(text: str):
    """A small note under a table (五号 仿宋)."""
    return page.cell(text, size=NOTE_SIZE)


def printed_on(today: dt.date):
    return page.cell(f"制表日期：{cn_date(today)}", size=NOTE_SIZE, align="R")


def _record(ledger: Ledger, what: str, pdf: bytes, rows: int) -> bytes:
    record_print(ledger, what, rows)
    return pdf


# ---- 任务分解表 (附件1) ------------------------------------------------------------------------

TASK_WIDTHS = [6, 14, 13, 9, 13, 13, 12, 13, 10, 9]
TASK_ALIGN = "CLRRRRRRRR"


def task_table_story(ledger: Ledger, year: int) -> tuple[list, int]:
    from desktop.services.towns import progress_export as x
    from desktop.services.towns import progress_service

    progress = progress_service.year_progress(ledger, year)
    rows, emphasise = [], []
    for number, t, totals in x.numbered_rows(progress):
        values = x.row_values(number, t)
        cells = [cell_text(v, fmt) if fmt else (str(v) if v is not None else "") for v, fmt in zip(values, x.FORMATS)]
        if t.share_below_min:
            cells[6] += "▲"
        if totals:
            emphasise.append(len(rows))
        rows.append(cells)
    story = [
        *page.title(x.title(year)),
        note(x.note(progress, ledger.today())),
        page.table([name for name, _w in x.COLUMNS], rows, TASK_WIDTHS, size=page.SMALL_TABLE_SIZE,
                   align=TASK_ALIGN, emphasise=tuple(emphasise)),
        *(note(t) for t in x.footnotes(progress, "以▲标出")),
        printed_on(ledger.today()),
    ]
    return story, len(progress.towns)


def task_table_pdf(ledger: Ledger, year: int) -> bytes:
    """任务分解表 of `year` with its progress (PDF bytes); the print is logged."""
    from desktop.services.towns import progress_export

    permissions.require(ledger, "ledger_read")
    story, rows = task_table_story(ledger, year)
    pdf = page.render(story, doc_title=progress_export.title(year))
    return _record(ledger, progress_export.title(year), pdf, rows)


# ---- the month's 核实表 (三(四)) ------------------------------------------------------------------

def _short(day: dt.date | None) -> str:
    return f"{day.month}月{day.day}日" if day else ""


def verification_story(ledger: Ledger, year: int, month: int) -> tuple[list, int]:
    from desktop.models.enums import VerifyResult
    from desktop.services.reports import report_export, report_service

    table = report_service.verification_table(ledger, year, month)
    # 镇街, not the workbook's 镇（区、街道）: the narrow column would break it in four; town names stay whole
    header = ["序号", "镇街", "治理对象（统一社会信用代码）", "报送日期", "完成面积（亩）", *table.departments,
              "核实状态", "核实面积（亩）", "逾期情况"]
    n_dept = len(table.departments)
    widths = [5, 10, 25, 12, 9.5, *([12] * n_dept), 10, 9.5, 10]  # at 8 pt: 9月12日 and a credit code on one line
    rows = []
    for n, r in enumerate(table.rows, start=1):
        depts = []
        for c in r.cells:
            mark = "▲" if c.result is VerifyResult.FAIL else ""
            parts = [c.text + mark, _short(c.verified_on) + ("（逾期）" if c.is_late else ""), c.note]
            depts.append("\n".join(p for p in parts if p))
        target = r.target + (f"\n{r.credit_code}" if r.credit_code else "")
        rows.append([str(n), r.town, target, _short(r.reported_on) + ("（迟报）" if r.report_late else ""),
                     cell_text(r.completed_area_mu), *depts, r.overall,
                     cell_text(r.verified_area_mu) if r.verified_area_mu is not None else "", r.late_text or ""])
    rows.append(["合计", "", f"{len(table.rows)}项", "", cell_text(table.completed_area_mu),
                 *([""] * n_dept), "", cell_text(table.verified_area_mu), ""])
    size = 8 if n_dept <= 4 else 7.5  # a little under 小五: the month's table is the widest the office prints
    story = [
        *page.title(table.title),
        note(report_export.info_text(table, ledger.today(), "制表日期", printed=True)),
        page.table(header, rows, widths, size=size, align="CCLCR" + "C" * n_dept + "CRL",
                   emphasise=(len(rows) - 1,)),
        note(f"合计：{report_export.summary_text(table)}。▲ 核实未通过；（迟报）报送晚于截止日；（逾期）核实晚于截止日。"),
    ]
    return story, len(table.rows)


def verification_pdf(ledger: Ledger, year: int, month: int) -> bytes:
    """The month's 核实表 for every town (PDF bytes); the print is logged."""
    permissions.require(ledger, "ledger_read")
    story, rows = verification_story(ledger, year, month)
    what = f"{year}年{month}月整治核实情况表"
    return _record(ledger, what, page.render(story, doc_title=what), rows)


# ---- 周转指标库台账 (四(三)) -----------------------------------------------------------------------

# mm at 8 pt (156 in all): 序号 + quota_export.LOAN_COLUMNS; a date column holds 2024-03-05 on one line
LOAN_WIDTHS = [7, 13.5, 16, 21, 16, 12.5, 11, 10.5, 11, 16, 8, 13.5]  # 已归还 holds （亩） on one line
TOTAL_WIDTHS = [22, 8, 12, 12, 12, 8, 12, 13]  # quota_export.TOTAL_COLUMNS


def loan_text(value) -> str:
    """A loan cell: dates as 2024-03-05 (the ledger's two date columns must stay one line wide)."""
    return date_text(value) if isinstance(value, dt.date) else cell_text(value)


def quota_ledger_story(ledger: Ledger, as_of: dt.date | None = None) -> tuple[list, int]:
    from desktop.services.quota import quota_export as x
    from desktop.services.quota.quota_ledger import due_soon, ledger_report, ledger_total

    report = ledger_report(ledger, as_of=as_of)
    total = report.total or ledger_total(report.rows)
    loans = []
    for n, row in enumerate(report.rows, start=1):
        mark = "▲" if row.days_overdue > 0 else "△" if due_soon(row, report.as_of) else ""
        loans.append([f"{n}{mark}"] + [loan_text(x.loan_cell(report, row, key)) for key, _label in x.LOAN_COLUMNS])
    loans.append(["", "合计"] + [cell_text(x.total_cell(total, key)) for key, _label in x.LOAN_COLUMNS[1:]])

    def totals(first: str, groups) -> list:
        header = [first] + [label for _key, label in x.TOTAL_COLUMNS[1:]]
        rows = [[cell_text(getattr(g, key)) for key, _label in x.TOTAL_COLUMNS] for g in (*groups, total)]
        rows[-1][0] = "合计"
        return [page.table(header, rows, TOTAL_WIDTHS, size=page.SMALL_TABLE_SIZE, align="LRRRRRRR",
                           emphasise=(len(rows) - 1,))]

    story = [
        *page.title("周转指标库台账"),
        note(f"截至{cn_date(report.as_of)}。" + x.ledger_note(report, "▲", "△")),
        *page.heading1("一、预借明细"),
        page.table(["序号"] + [label for _key, label in x.LOAN_COLUMNS], loans, LOAN_WIDTHS,
                   size=8, align="CLLLCLRRRCRR", emphasise=(len(loans) - 1,)),
        *page.heading1("二、汇总"),
        *page.heading2("（一）按合作国企"),
        *totals("合作国企", report.by_soe),
        *page.heading2("（二）按镇街"),
        *totals("镇街", report.by_town),
        printed_on(ledger.today()),
    ]
    return story, len(report.rows)


def quota_ledger_pdf(ledger: Ledger, as_of: dt.date | None = None) -> bytes:
    """周转指标库台账 as of `as_of` (default today): per loan, per SOE, per town (PDF bytes); the print is logged."""
    permissions.require(ledger, "ledger_read")
    story, rows = quota_ledger_story(ledger, as_of)
    return _record(ledger, "周转指标库台账", page.render(story, doc_title="周转指标库台账"), rows)
