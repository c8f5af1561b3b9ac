"""The holiday table as a file: import a year's State Council notice from .xlsx or CSV (日期 | 类型 | 名称 | 来源,
all or nothing, every problem named by file, sheet, row and column), the import template, and a year exported in
the same layout."""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select

from desktop.models import CalendarYear, Holiday
from desktop.services.export_log import record_export
from desktop.models.base import utcnow
from desktop.services import audit
from desktop.services.dates import parse_date
from desktop.services.deadlines.holiday_table import (
    HOLIDAY_WORDS, WORKDAY_WORDS, list_days, source_example, weekday_label, year_range,
)
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.excel.excel_common import written_atomically
from desktop.services.ledger import Ledger

LAYOUT_HEADERS = ("日期", "类型", "名称", "来源")
# Header synonyms per field (a header matches when it starts with one of them, spaces ignored).
_HEADER_SYNONYMS = {
    "day": ("日期", "date"),
    "kind": ("类型", "类别", "放假/上班", "性质"),
    "name": ("名称", "节日", "节假日名称", "节假日"),
    "source": ("来源", "依据", "文件", "通知"),
}
_HEADER_SCAN_ROWS = 10
# A file holds one year's notice; a few days of the neighbouring year (the New Year holiday that
# starts on 31 Dec …) may come with it and are added without marking that year complete.
MAX_SPILL_DAYS = 7


class HolidayImportError(ValidationError):
    """The file is refused as a whole; `problems` lists every error, each naming file, sheet, row and column."""

    def __init__(self, problems: list[str]):
        shown = problems[:20]
        more = f"\n……另有 {len(problems) - len(shown)} 处错误" if len(problems) > len(shown) else ""
        super().__init__(f"文件有 {len(problems)} 处错误，未导入任何内容：\n" + "\n".join(shown) + more)
        self.problems = problems


class YearExists(Refused):
    """The year of an import is already in the table: the caller asks whether to replace it."""

    def __init__(self, year: int, days: int, complete: bool):
        state = "已完整录入" if complete else "已录入部分日期"
        super().__init__(f"{year}年的节假日安排{state}（{days} 天）。是否用文件中的安排替换？")
        self.year, self.days, self.complete = year, days, complete


def _parse_kind(value) -> bool:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or "")))
    if not text:
        raise ValueError("类型为空（应为“放假”或“上班”）")
    if text in HOLIDAY_WORDS:
        return False
    if text in WORKDAY_WORDS:
        return True
    raise ValueError(f"类型“{text}”无法识别（应为“放假”或“上班”）")


def _col_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell_text(value) -> str:
    """A cell as text, kept as written (full-width （） and 〔〕 of a document number stay as they are)."""
    if value is None:
        return ""
    return str(value).strip()


@dataclass(frozen=True)
class ImportRow:
    day: dt.date
    is_workday: bool
    name: str
    source: str
    row: int  # row number in the sheet (1-based, as Excel shows it)


@dataclass
class ImportPlan:
    """What a valid file holds: the notice's year, its days and any neighbouring-year days."""

    file: str
    sheet: str
    year: int
    source: str
    rows: list[ImportRow]
    spill: list[ImportRow] = field(default_factory=list)

    @property
    def holidays(self) -> int:
        return sum(1 for r in self.rows if not r.is_workday)

    @property
    def workdays(self) -> int:
        return sum(1 for r in self.rows if r.is_workday)


@dataclass(frozen=True)
class ImportResult:
    year: int
    holidays: int
    workdays: int
    spill_days: int
    source: str
    replaced_days: int  # days of the year that were in the table before (0 when new)


def _read_sheets(path: Path) -> list[tuple[str, list[tuple]]]:
    """(sheet name, rows) for each sheet; a CSV is one sheet named after the file, as Excel shows it."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same message to the admin
            raise HolidayImportError([f"文件“{path.name}”无法作为 Excel 工作簿打开：{exc}"]) from None
        try:
            return [(ws.title, [tuple(r) for r in ws.iter_rows(values_only=True)]) for ws in wb.worksheets]
        finally:
            wb.close()
    if suffix in (".csv", ".txt"):
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes any byte string
            raise HolidayImportError([f"文件“{path.name}”的文字编码无法识别（请另存为 UTF-8 或 GBK 编码的 CSV）"])
        return [(path.stem, [tuple(r) for r in csv.reader(text.splitlines())])]
    if suffix == ".xls":
        raise HolidayImportError([f"文件“{path.name}”是旧版 .xls 格式，请在 Excel 或 WPS 中另存为 .xlsx 或 CSV 后再导入"])
    raise HolidayImportError([f"文件“{path.name}”不是 Excel（.xlsx）或 CSV 文件"])


def _find_header(rows: list[tuple]) -> tuple[int, dict[str, int]] | None:
    for i, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for j, value in enumerate(row):
            text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", _cell_text(value))).lower()
            if not text:
                continue
            for key, words in _HEADER_SYNONYMS.items():
                if key not in found and any(text.startswith(w) for w in words):
                    found[key] = j
                    break
        if "day" in found and "kind" in found:
            return i, found
    return None


def read_import_file(path) -> ImportPlan:
    """Read and validate a holiday file (日期 | 类型 | 名称 | 来源, one row per day) without touching the
    database. Raises HolidayImportError listing every problem."""
    path = Path(path)
    if not path.exists():
        raise HolidayImportError([f"文件“{path}”不存在"])
    sheets = _read_sheets(path)
    chosen = None
    for sheet, rows in sheets:
        header = _find_header(rows)
        if header is not None:
            chosen = (sheet, rows, *header)
            break
    if chosen is None:
        names = "、".join(f"“{s}”" for s, _ in sheets) or "（无工作表）"
        raise HolidayImportError([f"文件“{path.name}”工作表{names}：前 {_HEADER_SCAN_ROWS} 行中找不到表头"
                                  f"“{' | '.join(LAYOUT_HEADERS)}”（可先下载模板，按模板填写）"])
    sheet, rows, header_index, cols = chosen
    where = f"文件“{path.name}”工作表“{sheet}”"
    problems: list[str] = []
    for key, label in (("name", "名称"), ("source", "来源")):
        if key not in cols:
            problems.append(f"{where}第{header_index + 1}行：缺少“{label}”列")
    if problems:
        raise HolidayImportError(problems)

    def at(row_no: int, key: str) -> str:
        j = cols[key]
        return f"{where}第{row_no}行第{_col_letter(j)}列（{rows[header_index][j]}）"

    def cell(row: tuple, key: str):
        j = cols[key]
        return row[j] if j < len(row) else None

    parsed: list[ImportRow] = []
    seen: dict[dt.date, int] = {}
    last = {"name": "", "source": ""}
    for i in range(header_index + 1, len(rows)):
        row, row_no = rows[i], i + 1
        if all(_cell_text(v) == "" for v in row):
            continue
        ok = True
        try:
            day = parse_date(cell(row, "day"))
        except ValueError as exc:
            problems.append(f"{at(row_no, 'day')}：{exc}")
            ok, day = False, None
        try:
            is_workday = _parse_kind(cell(row, "kind"))
        except ValueError as exc:
            problems.append(f"{at(row_no, 'kind')}：{exc}")
            ok, is_workday = False, None
        texts = {}
        for key, label in (("name", "名称"), ("source", "来源")):
            text = _cell_text(cell(row, key))
            # A blank cell takes the one above (merged cells read that way too).
            texts[key] = text or last[key]
            if not texts[key]:
                problems.append(f"{at(row_no, key)}：{label}为空")
                ok = False
            last[key] = texts[key]
        if day is not None and is_workday and day.weekday() < 5:
            problems.append(f"{at(row_no, 'kind')}：{day.isoformat()}是{weekday_label(day)}，本来就是工作日；"
                            "“上班”只用于调休的星期六、星期日")
            ok = False
        if day is not None:
            if day in seen:
                problems.append(f"{at(row_no, 'day')}：{day.isoformat()}与第{seen[day]}行重复")
                ok = False
            else:
                seen[day] = row_no
        if ok:
            parsed.append(ImportRow(day, is_workday, texts["name"], texts["source"], row_no))
    if not parsed and not problems:
        problems.append(f"{where}：表头下没有任何日期行")
    if problems:
        raise HolidayImportError(problems)

    by_year = Counter(r.day.year for r in parsed)
    year = max(by_year, key=lambda y: (by_year[y], y))
    rows_in, spill = [r for r in parsed if r.day.year == year], [r for r in parsed if r.day.year != year]
    far = [r for r in spill if abs(r.day.year - year) > 1]
    for r in far:
        problems.append(f"{at(r.row, 'day')}：{r.day.isoformat()}不属于{year}年的安排（一个文件只导入一个年度）")
    if not far and len(spill) > MAX_SPILL_DAYS:
        others = "、".join(f"{y}年 {n} 天" for y, n in sorted(by_year.items()))
        problems.append(f"{where}：文件包含多个年度（{others}），一个文件只能导入一个年度的安排")
    if not any(not r.is_workday for r in rows_in):
        problems.append(f"{where}：{year}年没有任何“放假”的日期")
    if problems:
        raise HolidayImportError(problems)
    source = Counter(r.source for r in rows_in).most_common(1)[0][0]
    return ImportPlan(path.name, sheet, year, source, rows_in, spill)


def import_file(ledger: Ledger, path, *, replace: bool = False) -> ImportResult:
    """Import a year's holiday table from a file and mark the year complete, all in one transaction.

    Nothing is written unless the whole file is valid. A year already in the table raises YearExists
    unless `replace` is true, in which case its days are replaced by the file's.
    """
    plan = read_import_file(path)
    year = plan.year
    with ledger.session() as s:
        before = list(s.scalars(select(Holiday).where(*year_range(year))))
        mark = s.get(CalendarYear, year)
        if (before or mark is not None) and not replace:
            raise YearExists(year, len(before), mark is not None)
        s.info["skip_audit"] = True
        try:
            s.execute(delete(Holiday).where(*year_range(year)))
            s.execute(delete(CalendarYear).where(CalendarYear.year == year))
            s.expunge_all()
            s.add_all(Holiday(day=r.day, is_workday=r.is_workday, name=r.name, source=r.source) for r in plan.rows)
            for r in plan.spill:  # neighbouring-year days: added or corrected one by one
                h = s.get(Holiday, r.day)
                if h is None:
                    s.add(Holiday(day=r.day, is_workday=r.is_workday, name=r.name, source=r.source))
                else:
                    h.is_workday, h.name, h.source = r.is_workday, r.name, r.source
            s.add(CalendarYear(year=year, source=plan.source, loaded_at=utcnow()))
            s.flush()
        finally:
            s.info["skip_audit"] = False
        audit.record(
            s, "导入节假日", "calendar_year", year, label=f"{year}年（{plan.file}）",
            before={"days": len(before), "complete": mark is not None, "source": mark.source if mark else ""}
            if (before or mark is not None) else None,
            after={"file": plan.file, "sheet": plan.sheet, "holidays": plan.holidays, "workdays": plan.workdays,
                   "spill_days": [r.day.isoformat() for r in plan.spill], "source": plan.source},
        )
    return ImportResult(year, plan.holidays, plan.workdays, len(plan.spill), plan.source, len(before))


def _write_layout(path: Path, title: str, rows: list[tuple[dt.date, str, str, str]], notes: list[str]) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = title
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for j, h in enumerate(LAYOUT_HEADERS, start=1):
        c = ws.cell(row=1, column=j, value=h)
        c.font = Font(bold=True)
        c.fill = header_fill
        c.alignment = Alignment(horizontal="center")
    for i, (day, kind, name, source) in enumerate(rows, start=2):
        c = ws.cell(row=i, column=1, value=day)
        c.number_format = "yyyy-mm-dd"
        for j, text in enumerate((kind, name, source), start=2):
            c = ws.cell(row=i, column=j, value=text)
            c.data_type = "s"  # text, never a formula
    kinds = DataValidation(type="list", formula1='"放假,上班"', allow_blank=False, showErrorMessage=True,
                           errorTitle="类型", error="请选择“放假”或“上班”")
    kinds.add("B2:B400")
    ws.add_data_validation(kinds)
    for col, width in zip("ABCD", (14, 10, 18, 70)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    help_ws = wb.create_sheet("填写说明")
    help_ws.column_dimensions["A"].width = 100
    for i, line in enumerate(notes, start=1):
        c = help_ws.cell(row=i, column=1, value=line)
        c.data_type = "s"
    path = Path(path)
    with written_atomically(path) as tmp:
        wb.save(tmp)
    return path


def _layout_notes(year: int) -> list[str]:
    return [
        "节假日安排导入说明",
        "1. 每个日期一行：日期 | 类型 | 名称 | 来源。只列放假日和调休上班日；其余周一至周五为工作日、周六周日为休息日。",
        "2. 日期可写 2027-01-01、2027/1/1、2027年1月1日，或使用 Excel 日期格式。",
        "3. 类型填“放假”或“上班”（调休上班的星期六、星期日填“上班”）。",
        "4. 名称填节日名称，如“春节”“国庆节”；来源填国务院办公厅通知的名称和文号，例如：",
        f"   {source_example(year)}",
        "5. 名称、来源为空时沿用上一行（合并单元格亦可）。",
        "6. 一个文件只导入一个年度；文件有任何错误时整份不导入，并逐条指出文件、工作表、行和列。",
    ]


def write_template(path, year: int) -> Path:
    """An import template (.xlsx): the header and one example row, plus a sheet of instructions."""
    example = [(dt.date(year, 1, 1), "放假", "元旦", source_example(year))]
    return _write_layout(Path(path), "节假日安排", example, _layout_notes(year))


def export_year(ledger: Ledger, year: int, path) -> Path:
    """A year's table in the import layout (to check it, or as a worked example for the next year)."""
    days = list_days(ledger, year)
    if not days:
        raise NotFound(f"节假日表中没有{year}年的安排")
    rows = [(d.day, "上班" if d.is_workday else "放假", d.name, d.source) for d in days]
    written = _write_layout(Path(path), f"{year}年节假日安排", rows, _layout_notes(year + 1))
    record_export(ledger, f"{year}年节假日安排", written, len(rows))
    return written
