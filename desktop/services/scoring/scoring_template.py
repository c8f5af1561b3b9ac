"""The Excel template scorers fill (四(五)): one row per subject (its name in column A), one column per entered
criterion (its name in the header row); and reading it back through the house's safe workbook reader.

Import is all or nothing: every bad cell (a score outside 0 – full points, text, an error cell), an unknown
or computed column, a subject the session does not have or one missing from the sheet is reported with file,
sheet, row and column, and nothing is written. An empty cell clears that score; a criterion without a column
keeps its scores as they are.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from desktop.services import audit, units
from desktop.services.accounts import permissions
from desktop.services.errors import Refused, ValidationError
from desktop.services.excel.excel_common import CellProblem, written_atomically
from desktop.services.export_log import record_export
from desktop.services.ledger import Ledger
from desktop.services.scoring import scoring_service as svc

SHEET = "评分"
NOTES_SHEET = "说明"
META_SHEET = "_meta"
SUBJECT_HEADER = "评分对象"
MAX_SHOWN = 20  # problems listed in one refusal


def _text(cell, value: str) -> None:
    cell.value = value
    cell.data_type = "s"  # text, never a formula, whatever it starts with


def write_template(ledger: Ledger, session_id: int, path: str | os.PathLike) -> Path:
    """The session's template as .xlsx, with the entered scores so far; the export is logged."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    g = svc.grid(ledger, session_id)
    entered = [c for c in g.criteria if not c.computed]
    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    _text(ws.cell(1, 1), SUBJECT_HEADER)
    for col, c in enumerate(entered, start=2):
        _text(ws.cell(1, col), c.name)
        dv = DataValidation(type="decimal", operator="between", formula1="0",
                            formula2=format(c.max_points.normalize(), "f"), allow_blank=True, showErrorMessage=True,
                            errorTitle="得分超出范围", error=f"“{c.name}”的得分应在 0 至 {units.fmt(c.max_points)} 之间")
        ws.add_data_validation(dv)
        letter = get_column_letter(col)
        dv.add(f"{letter}2:{letter}{len(g.subjects) + 1}")
        ws.column_dimensions[letter].width = max(12, min(30, 2.2 * len(c.name)))
    head = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font, cell.fill = head, fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for n, x in enumerate(g.subjects, start=2):
        _text(ws.cell(n, 1), x.name)
        for col, c in enumerate(entered, start=2):
            p = g.points.get((x.id, c.id))
            if p is not None:
                ws.cell(n, col).value = float(p)
    ws.column_dimensions["A"].width = 22
    ws.freeze_panes = "B2"

    notes = wb.create_sheet(NOTES_SHEET)
    info = g.session
    lines = [f"{info.title}（{info.year}年度，{info.kind_label}，编号 {info.id}）",
             "请在“评分”表中逐项填写得分（0 至满分，可有小数）；不要改动第一列的评分对象和第一行的项目名称。",
             "总分由程序按权重计算，不必填写。", "", "录入项目：满分 / 权重"]
    lines += [f"  {c.name}：满分 {units.fmt(c.max_points)} / 权重 {units.fmt(c.weight)}" for c in entered]
    computed = [c for c in g.criteria if c.computed]
    if computed:
        lines += ["", "以下项目由台账数据计算，不在本表填写："]
        lines += [f"  {c.name}（{c.source_label}）：满分 {units.fmt(c.max_points)} / 权重 {units.fmt(c.weight)}"
                  for c in computed]
    for n, line in enumerate(lines, start=1):
        _text(notes.cell(n, 1), line)
    notes.column_dimensions["A"].width = 90

    meta = wb.create_sheet(META_SHEET)
    for n, (key, value) in enumerate((("session_id", info.id), ("year", info.year), ("kind", info.kind_key)),
                                     start=1):
        _text(meta.cell(n, 1), key)
        meta.cell(n, 2).value = value
    meta.sheet_state = "hidden"
    with written_atomically(path) as tmp:
        wb.save(tmp)
    record_export(ledger, f"评分表 {info.title}", path, len(g.subjects))
    return path


@dataclass(frozen=True)
class ImportResult:
    file_name: str
    subjects: int  # rows read
    changed: int  # scores written, changed or cleared


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _meta_session(sheet) -> int | None:
    for _n, values in sheet.rows:
        if len(values) > 1 and _cell_text(values[0]) == "session_id":
            try:
                return int(float(values[1]))
            except (TypeError, ValueError):
                return None
    return None


def read_cells(ledger: Ledger, session_id: int, path) -> tuple[str, list[svc.CellValue], int]:
    """Check a filled template against the session; (file name, the cells to write, rows read). Refused with
    every problem named (file, sheet, row, column); nothing is written here."""
    from openpyxl.utils import get_column_letter

    from desktop.services.excel import cell_values, xlsx_reader

    permissions.require(ledger, "ledger_read")
    g = svc.grid(ledger, session_id)
    info = xlsx_reader.inspect(Path(path))
    file_name = info.file_name
    name = SHEET if SHEET in info.sheet_names else (info.visible_sheet_names or [None])[0]
    wanted = [name] + ([META_SHEET] if META_SHEET in info.sheet_names else [])
    sheets = xlsx_reader.read_sheets(Path(path), wanted)
    if len(sheets) > 1:
        other = _meta_session(sheets[1])
        if other is not None and other != session_id:
            raise Refused(f"文件“{file_name}”是编号 {other} 的考核评分的评分表，不是编号 {session_id} 的"
                          f"（{g.session.title}）")
    sheet = sheets[0]
    problems: list[CellProblem] = []

    def problem(row, col, message) -> None:
        problems.append(CellProblem(sheet.name, row, get_column_letter(col + 1) if col is not None else None,
                                    message))

    if not sheet.rows:
        raise ValidationError(f"文件“{file_name}”工作表“{sheet.name}”是空的：请用 zzb scoring template 导出的评分表填写")
    head_row, head = sheet.rows[0]
    by_name = {c.name: c for c in g.criteria}
    columns: dict[int, svc.CriterionInfo] = {}
    for col, value in enumerate(head[1:], start=1):
        text = _cell_text(value)
        if not text:
            continue
        c = by_name.get(text)
        if c is None:
            problem(head_row, col, f"表头“{text}”不是本场评分的录入项目（可填写："
                    + "、".join(x.name for x in g.criteria if not x.computed) + "）")
        elif c.computed:
            problem(head_row, col, f"“{text}”由台账数据计算（{c.source_label}），不能在评分表中填写")
        elif c in columns.values():
            problem(head_row, col, f"项目“{text}”的列重复")
        else:
            columns[col] = c
    subjects = {x.name: x for x in g.subjects}
    seen: dict[str, int] = {}
    cells: list[svc.CellValue] = []
    for row, values in sheet.rows[1:]:
        subject = _cell_text(values[0] if values else None)
        if not subject:
            problem(row, 0, "评分对象名称为空")
            continue
        x = subjects.get(subject)
        if x is None:
            problem(row, 0, f"“{subject}”不是本场评分的评分对象（{g.session.kind_label}）")
            continue
        if subject in seen:
            problem(row, 0, f"“{subject}”重复（第{seen[subject]}行已有）")
            continue
        seen[subject] = row
        for col, c in columns.items():
            value = values[col] if col < len(values) else None
            label = f"“{subject}”的“{c.name}”得分"
            try:
                p = cell_values.parse_decimal(value, label=label)
                if p is not None and p > c.max_points:
                    raise ValidationError(f"{label}应在 0 至 {units.fmt(c.max_points)} 之间，现为 {p.normalize():f}")
            except ValidationError as exc:
                problem(row, col, exc.message.replace("不能为负数", f"应在 0 至 {units.fmt(c.max_points)} 之间"))
                continue
            cells.append(svc.CellValue(x.id, c.id, p))
    for x in g.subjects:
        if x.name not in seen:
            problems.append(CellProblem(sheet.name, None, "A", f"缺少评分对象“{x.name}”的行"))
    if problems:
        shown = "\n".join(p.text(file_name) for p in problems[:MAX_SHOWN])
        more = f"\n……共 {len(problems)} 处问题" if len(problems) > MAX_SHOWN else ""
        raise ValidationError(f"评分表有 {len(problems)} 处问题，未导入任何得分：\n{shown}{more}")
    return file_name, cells, len(seen)


def import_template(ledger: Ledger, session_id: int, path) -> ImportResult:
    """Enter the scores of a filled template, all or nothing, in one write unit named after the file."""
    from desktop.models import ScoringSession

    file_name, cells, rows = read_cells(ledger, session_id, path)
    with ledger.session() as s:
        sess = s.get(ScoringSession, session_id)
        s.info["audit_source"] = f"评分表 {file_name}"
        try:
            changed = svc.write_entered(ledger, s, sess, cells)
            audit.record(s, "导入评分表", "scoring_session", session_id, label=sess.title,
                         after={"file_name": file_name, "count": changed})
        finally:
            s.info.pop("audit_source", None)
    return ImportResult(file_name, rows, changed)
