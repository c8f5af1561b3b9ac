"""导出台账 of the 周转指标库 (四(三)): the ledger as an .xlsx workbook — per loan, per SOE, per town.

openpyxl is imported inside the writer, on the worker lane, never when a page that shows the ledger opens.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from desktop.services.dates import cn_date  # noqa: F401  (quota_service imports it from here)
from desktop.services.export_log import record_export
from desktop.services.ledger import Ledger
from desktop.services.quota.quota_ledger import DUE_SOON_DAYS, LedgerTotal, LoanLedgerRow, QuotaLedger, due_soon, \
    ledger_report, ledger_total

LOAN_COLUMNS: list[tuple[str, str]] = [
    ("town", "镇街"), ("soe", "合作国企"), ("plan", "收储方案（治理对象）"), ("loan_date", "预借日期"),
    ("purpose", "用途"), ("area_mu", "预借面积（亩）"), ("returned_mu", "已归还（亩）"), ("balance_mu", "未还余额（亩）"),
    ("due_date", "归还期限"), ("days_overdue", "逾期天数"), ("fee_wan", "指标使用费（万元）"),
]
TOTAL_COLUMNS: list[tuple[str, str]] = [
    ("name", ""), ("loans", "预借笔数"), ("borrowed_mu", "预借面积（亩）"), ("returned_mu", "已归还（亩）"),
    ("balance_mu", "未还余额（亩）"), ("overdue_loans", "逾期笔数"), ("overdue_mu", "逾期未还（亩）"),
    ("fee_wan", "指标使用费（万元）"),
]


def ledger_note(report: QuotaLedger, overdue: str = "红色", soon: str = "黄色") -> str:
    """What the colours (or the printed marks) and the due dates mean, from the parameters (四(三))."""
    t = report.terms
    rule = (f"归还期限为{t.due_text}，逾期未还的每亩收取指标使用费（{t.year}年度参数为 {t.fee_text}）；"
            if t is not None else "")
    return f"{rule}按各笔预借所在年度的参数计算。{overdue}为逾期未还，{soon}为 {DUE_SOON_DAYS} 天内到期。"


def loan_cell(report: QuotaLedger, row: LoanLedgerRow, key: str):
    """The value of one export/table cell of a loan row."""
    if key == "plan":
        return report.plan_labels.get(row.plan_id, "")
    return getattr(row, key)


def total_cell(total: LedgerTotal, key: str):
    """The 合计 row's cell under the loan column `key` (areas and fee; the other columns stay empty)."""
    return {"area_mu": total.borrowed_mu, "returned_mu": total.returned_mu, "balance_mu": total.balance_mu,
            "fee_wan": total.fee_wan}.get(key, "")


def write_workbook(report: QuotaLedger, path: Path) -> Path:
    """Write the ledger workbook (openpyxl): 台账明细, 按国企汇总, 按镇街汇总."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="DDE4EE")
    red_fill = PatternFill("solid", fgColor="F4C7C3")
    amber_fill = PatternFill("solid", fgColor="FFE699")
    bold = Font(bold=True)
    scope = "、".join(x for x in (report.town_name, report.soe_name) if x)
    subtitle = f"截至 {cn_date(report.as_of)}" + (f"　范围：{scope}" if scope else "")

    def text(cell, value: str) -> None:
        cell.value = value
        cell.data_type = "s"  # never a formula, whatever the text starts with

    def put(ws, r: int, c: int, value, number_format: str | None = None):
        cell = ws.cell(row=r, column=c)
        if isinstance(value, str):
            text(cell, value)
        else:
            cell.value = value
        if number_format:
            cell.number_format = number_format
        cell.border = border
        return cell

    def fmt_of(key: str) -> str | None:
        if key.endswith("_mu") or key.endswith("_wan"):
            return "#,##0.00"
        if key.endswith("_date"):
            return "yyyy-mm-dd"
        if key in ("days_overdue", "loans", "overdue_loans"):
            return "0"
        return None

    def heading(ws, title: str, ncols: int) -> None:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
        text(ws.cell(row=1, column=1), title)
        ws.cell(row=1, column=1).font = Font(bold=True, size=16)
        ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncols)
        text(ws.cell(row=2, column=1), subtitle)
        ws.cell(row=2, column=1).alignment = Alignment(horizontal="center")

    def header_row(ws, r: int, labels: list[str]) -> None:
        for c, label in enumerate(labels, 1):
            cell = put(ws, r, c, label)
            cell.font = bold
            cell.fill = head_fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    wb = Workbook()
    ws = wb.active
    ws.title = "台账明细"
    heading(ws, "周转指标库台账", len(LOAN_COLUMNS) + 1)
    header_row(ws, 4, ["序号"] + [label for _k, label in LOAN_COLUMNS])
    r = 5
    for n, row in enumerate(report.rows, 1):
        fill = red_fill if row.days_overdue > 0 else amber_fill if due_soon(row, report.as_of) else None
        put(ws, r, 1, n, "0")
        for c, (key, _label) in enumerate(LOAN_COLUMNS, 2):
            cell = put(ws, r, c, loan_cell(report, row, key), fmt_of(key))
            if fill is not None:
                cell.fill = fill
        r += 1
    total = report.total or ledger_total(report.rows)
    put(ws, r, 1, "合计").font = bold
    for c, (key, _label) in enumerate(LOAN_COLUMNS, 2):
        put(ws, r, c, total_cell(total, key), fmt_of(key)).font = bold
    note_row = r + 2
    text(ws.cell(row=note_row, column=1), "说明：" + ledger_note(report))
    for c, width in enumerate([6, 12, 30, 28, 12, 22, 14, 12, 14, 12, 10, 18], 1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A5"

    for title, first, groups in (("按国企汇总", "合作国企", report.by_soe), ("按镇街汇总", "镇街", report.by_town)):
        ws = wb.create_sheet(title)
        heading(ws, f"周转指标库台账（{title}）", len(TOTAL_COLUMNS))
        header_row(ws, 4, [first] + [label for _k, label in TOTAL_COLUMNS[1:]])
        r = 5
        for g in list(groups) + [total]:
            for c, (key, _label) in enumerate(TOTAL_COLUMNS, 1):
                cell = put(ws, r, c, getattr(g, key), fmt_of(key))
                if g is total:
                    cell.font = bold
            r += 1
        ws.column_dimensions["A"].width = 30
        for c in range(2, len(TOTAL_COLUMNS) + 1):
            ws.column_dimensions[get_column_letter(c)].width = 16
        ws.freeze_panes = "A5"

    for sheet in wb.worksheets:  # A4 landscape, one page wide, the header row on every page
        sheet.print_title_rows = "4:4"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True

    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def export_ledger(ledger: Ledger, path, *, as_of: dt.date | None = None, town_id: int | None = None,
                  soe_id: int | None = None) -> Path:
    """导出台账: per-loan sheet plus per-SOE and per-town summaries; numbers as numbers, text never a formula."""
    written = write_workbook(ledger_report(ledger, as_of=as_of, town_id=town_id, soe_id=soe_id), Path(path))
    record_export(ledger, "周转指标库台账", written)
    return written

