"""导入外部表格, finding the table: the header among title rows (one or two rows, merged cells), its columns,
and the data rows without totals, notes, section titles or repeated headers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from desktop.services import numbers
from desktop.services.errors import ValidationError
from desktop.services.excel.excel_common import CancelToken, Progress, file_sha256
from desktop.services.excel.legacy_fields import (
    FieldSpec, HEADER_SCAN_ROWS, SPECS, check_kind, display, header_key, header_keys, header_text,
    is_blank, is_blank_row, strip_paren,
)


_TOTALS_RE = re.compile(r"^(总?合计|小计|总计|共计|累计)($|[:(（\d])")
_NOTE_RE = re.compile(r"^(备注|注|说明|填表说明|填报说明|附注|注释)($|[:\d、.])")
_FOOTER_RE = re.compile(r"^(填报人|填表人|制表人|制表|审核人|审核|负责人|联系人|联系电话|填报日期|制表日期|单位负责人|"
                        r"分管领导|主要领导|经办人)[:]")
_SERIAL_KEYS = {"序号", "序", "编号", "no", "no."}


UNIT_OF_WORD = numbers.UNIT_OF_WORD


def unit_word(key: str) -> str | None:
    """The area unit a header (part) names: “亩”, “（平方米）”, “面积㎡”, “（万平方米）”, “公顷” …"""
    if not key:
        return None
    bare = key.strip("()")
    if bare in UNIT_OF_WORD:
        return UNIT_OF_WORD[bare]
    m = re.search(r"\((万平方米|万m2|亩|平方米|平米|m2|平方|公顷)\)|(万平方米|万m2|亩|平方米|平米|m2|公顷)$", key)
    if m:
        return UNIT_OF_WORD[m.group(1) or m.group(2)]
    return None


def match_field(key: str, specs, extra: dict[str, str] | None = None) -> tuple[str | None, int]:
    """The field a header key names and how sure: 3 = a synonym (units and brackets aside), 1 = contains one."""
    if not key or len(key) > 40:
        return None, 0
    if extra and key in extra:
        return extra[key], 3
    bare = strip_paren(key)
    bare_nounit = re.sub(r"(亩|平方米|平米|m2)$", "", bare)
    for spec in specs:
        for syn in _syn_keys(spec):
            if key == syn or bare == syn or (bare_nounit and bare_nounit == syn):
                return spec.key, 3
    if any(w in key for w in ("电话", "手机", "联系方式", "邮箱", "邮编", "日期", "时间", "金额", "万元", "人数", "税额", "产值")):
        return None, 0
    best, best_len = None, 0
    for spec in specs:
        for syn in _syn_keys(spec):
            if len(syn) >= 3 and syn in bare and len(syn) > best_len:
                best, best_len = spec.key, len(syn)
    return (best, 1) if best else (None, 0)


_SYN_CACHE: dict[str, tuple[str, ...]] = {}


def _syn_keys(spec: FieldSpec) -> tuple[str, ...]:
    keys = _SYN_CACHE.get(spec.key + "@" + spec.label)
    if keys is None:
        keys = tuple(dict.fromkeys(header_key(s) for s in spec.synonyms))
        _SYN_CACHE[spec.key + "@" + spec.label] = keys
    return keys


# The table under the titles -----------------------------------------------------------------------

@dataclass
class SourceColumn:
    """One column of the sheet as the mapping dialog shows it."""

    index: int  # 0-based
    letter: str
    header: str  # display text; a two-row header joins parent and child: “占地面积/亩”
    key: str  # unique name a saved mapping uses (the header; “（F列）” when empty; “备注[2]” when repeated)
    parts: tuple[str, ...] = ()
    samples: list[str] = field(default_factory=list)
    filled: int = 0  # data rows with a value in this column


@dataclass
class LegacyTable:
    """A sheet reduced to its header and data rows (totals, blank, note and section rows dropped)."""

    file_name: str
    sheet: str
    header_rows: list[int]  # 1-based Excel rows of the header (one or two)
    title_lines: list[str]  # texts above the header (title, “填报单位：…”)
    columns: list[SourceColumn]
    data: list[tuple[int, tuple]]  # (Excel row, values) of the data rows
    found_header: bool = True
    skipped: dict[str, int] = field(default_factory=dict)  # totals / blank / section / header rows dropped
    sha256: str = ""

    def column(self, index: int | None) -> SourceColumn | None:
        if index is None or not 0 <= index < len(self.columns):
            return None
        return self.columns[index]

    def letter(self, index: int | None) -> str | None:
        col = self.column(index)
        return col.letter if col else None


def _row_score(values, specs, extra) -> int:
    fields, serial = set(), 0
    for v in values:
        if not isinstance(v, str):
            continue
        k = header_key(v)
        if k in _SERIAL_KEYS:
            serial = 1
            continue
        f, _score = match_field(k, specs, extra)
        if f:
            fields.add(f)
    return len(fields) + serial


def _merge_index(merged, rows: set[int], width: int) -> dict[tuple[int, int], tuple[int, int]]:
    """(row, col) → top-left (row, col) of its merged range, for the given rows (1-based, col capped)."""
    index: dict[tuple[int, int], tuple[int, int]] = {}
    for r1, c1, r2, c2 in merged:
        for r in rows:
            if r1 <= r <= r2:
                for c in range(c1, min(c2, width) + 1):
                    if (r, c) != (r1, c1):
                        index[(r, c)] = (r1, c1)
    return index


def _cell(row_by_no, r: int, c0: int):
    values = row_by_no.get(r)
    if values is None or c0 >= len(values):
        return None
    return values[c0]


def _is_two_row(top: int, bottom: int, row_by_no, merged, specs, extra) -> bool:
    """Is `top` the parent row of a two-row header whose children sit in `bottom`?"""
    if bottom != top + 1 or top not in row_by_no or bottom not in row_by_no:
        return False
    upper, lower = row_by_no[top], row_by_no[bottom]
    texts = [(c, v) for c, v in enumerate(lower) if not is_blank(v)]
    if not texts or any(not isinstance(v, str) or len(v.strip()) > 30 for _c, v in texts):
        return False
    if sum(1 for v in upper if not is_blank(v)) < 2:  # a title line, not a parent row
        return False
    units_only = all(unit_word(header_key(v)) for _c, v in texts)
    if not units_only and _row_score(upper, specs, extra) < 1:
        return False
    spans = [(c1 - 1, c2 - 1) for r1, c1, r2, c2 in merged if r1 == top and r2 == top and c2 > c1]
    if spans:
        # Every child sits under a parent spanning several columns; the other columns are merged downwards.
        return all(any(a <= c <= b for a, b in spans) for c, _v in texts)
    if any(r1 == top and r2 >= bottom for r1, _c1, r2, _c2 in merged):
        return True
    # No merges at all (e.g. a sheet pasted as values): a lower row of unit words under blank-right parents.
    return units_only


def _header_rows(h: int, row_by_no, merged, specs, extra) -> list[int]:
    if _is_two_row(h, h + 1, row_by_no, merged, specs, extra):
        return [h, h + 1]
    if _is_two_row(h - 1, h, row_by_no, merged, specs, extra):
        return [h - 1, h]
    return [h]


def _columns(header_rows: list[int], row_by_no, merged) -> list[SourceColumn]:
    width = max(len(row_by_no.get(r, ())) for r in header_rows)
    for r1, c1, r2, c2 in merged:  # a parent merged beyond the last written cell
        if any(r1 <= r <= r2 for r in header_rows) and c1 <= width:
            width = max(width, min(c2, width + 50))
    index = _merge_index(merged, set(header_rows), width)
    unmerged = not any(any(r1 <= r <= r2 for r in header_rows) for r1, _c, r2, _c2 in merged)
    grid: list[list[str]] = []
    for r in header_rows:
        texts = []
        for c0 in range(width):
            src = index.get((r, c0 + 1))
            value = _cell(row_by_no, src[0], src[1] - 1) if src else _cell(row_by_no, r, c0)
            texts.append(header_text(value))
        grid.append(texts)
    if len(grid) == 2 and unmerged:
        # A pasted two-row header without merges: a blank parent belongs to the parent on its left.
        for c0 in range(1, width):
            if not grid[0][c0] and grid[1][c0] and unit_word(header_key(grid[1][c0])):
                grid[0][c0] = grid[0][c0 - 1]
    while width and not any(g[width - 1] for g in grid):
        width -= 1
    columns, seen = [], {}
    for c0 in range(width):
        parts = tuple(dict.fromkeys(g[c0] for g in grid if g[c0]))
        header = "/".join(parts)
        letter = get_column_letter(c0 + 1)
        if not header:
            key = f"（{letter}列）"
        else:
            seen[header] = seen.get(header, 0) + 1
            key = header if seen[header] == 1 else f"{header}[{seen[header]}]"
        columns.append(SourceColumn(c0, letter, header, key, parts))
    return columns


_NONE = type(None)


def _is_note_row(values) -> bool:
    types = set(map(type, values))  # a row holding a number or a date is no note: decided without a cell loop
    if not types <= {str, _NONE} and not all(t is _NONE or issubclass(t, str) for t in types):
        return False
    texts = [v for v in values if not is_blank(v)]
    if not texts or not all(isinstance(v, str) for v in texts):
        return False
    if len(texts) == 1 and _NOTE_RE.match(header_key(texts[0])):
        return True
    return all(_FOOTER_RE.match(header_key(v)) for v in texts)


def _is_totals_row(values) -> bool:
    # Every totals word has 计 (NFKC leaves it alone): most rows are decided without building a key.
    return any(isinstance(v, str) and "计" in v and _TOTALS_RE.match(header_key(v)) for v in values)


def _is_section_row(r: int, values, merged, wide_rows: set[int]) -> bool:
    """“一、城东街道” merged across the table: a heading inside the data, not a row."""
    if r not in wide_rows:  # no range of three or more columns starts in this row
        return False
    filled = [c for c, v in enumerate(values) if not is_blank(v)]
    if len(filled) != 1:
        return False
    c = filled[0] + 1
    return any(r1 == r and c1 == c and c2 - c1 >= 2 for r1, c1, _r2, c2 in merged)


def _header_cells(values, is_header: dict[str, bool]) -> int:
    """How many cells of a row read as one of the header's texts (is_header: every text of the body, keyed)."""
    return sum(is_header[v] for v in values if isinstance(v, str))


@dataclass(frozen=True)
class _BodyTexts:
    """The body's distinct texts, keyed all at once: which read as a header text, and whether any does, reads as
    a totals word or is blank. A sheet without any of those has no row to test for them, cell by cell."""

    is_header: dict[str, bool]
    any_header: bool
    any_totals: bool
    any_blank: bool


def _body_texts(body: dict[int, list], header_texts: set[str]) -> _BodyTexts:
    texts = list({v for values in body.values() for v in values if isinstance(v, str)})
    keys = header_keys(texts)
    is_header = {t: k in header_texts for t, k in zip(texts, keys)}
    return _BodyTexts(is_header, any(is_header.values()),
                      any("计" in t and _TOTALS_RE.match(k) for t, k in zip(texts, keys)),  # as _is_totals_row
                      any(not t.strip() for t in texts))


def _fill_columns(columns: list[SourceColumn], data: list[tuple[int, tuple]], any_blank: bool) -> None:
    """Each column's count of data rows with a value, and its first three values as samples."""
    for col in columns:
        i = col.index
        cells = [values[i] for _r, values in data]
        if any_blank:
            col.filled = sum(1 for v in cells if not is_blank(v))
        else:  # no text of the body is blank: only None is
            col.filled = len(cells) - cells.count(None)
        for v in cells:
            if len(col.samples) == 3:
                break
            if not is_blank(v):
                col.samples.append(display(v)[:60])


def locate_table(rows, merged=(), *, kind: str, sheet: str = "", file_name: str = "",
                 header_row: int | None = None, extra_headers=()) -> LegacyTable:
    """Find the header (rows scored by header synonyms) and the data rows of a sheet given as (Excel row, values).
    `header_row` forces the header; `extra_headers` (a saved mapping's headers) count as synonyms."""
    check_kind(kind)
    specs = SPECS[kind]
    merged = [tuple(m) for m in merged]
    extra: dict[str, str] = {}
    for text, fld in (extra_headers.items() if isinstance(extra_headers, dict) else ((h, "_") for h in extra_headers)):
        for part in str(text).split("/"):
            if header_key(part):
                extra[header_key(part)] = fld
    nonblank, blank_rows = [], []
    for r, v in rows:
        if is_blank_row(v):
            blank_rows.append(r)
        else:
            nonblank.append((r, tuple(v)))
    row_by_no = dict(nonblank)
    if not nonblank:
        return LegacyTable(file_name, sheet, [], [], [], [], found_header=False)
    found = True
    if header_row is not None:
        if header_row not in row_by_no:
            raise ValidationError(f"工作表“{sheet}”第{header_row}行是空行，不能作为表头", field="header_row")
        h = header_row
        header_rows = [h, h + 1] if _is_two_row(h, h + 1, row_by_no, merged, specs, extra) else [h]
    else:
        best, h = 0, nonblank[0][0]
        for r, values in nonblank[:HEADER_SCAN_ROWS]:
            score = _row_score(values, specs, extra)
            if score > best:
                best, h = score, r
        found = best >= 2
        header_rows = _header_rows(h, row_by_no, merged, specs, extra) if found else [h]
    columns = _columns(header_rows, row_by_no, merged)
    width = len(columns)
    title_lines = []
    for r, values in nonblank:
        if r >= header_rows[0]:
            break
        line = "  ".join(display(v) for v in values if not is_blank(v))
        if line:
            title_lines.append(line)
    last = header_rows[-1]
    body = {r: list(v[:width]) + [None] * (width - len(v[:width])) for r, v in nonblank if r > last}
    # Values merged down (a town merged over its enterprises) belong to every row they cover.
    bottom = max(body, default=0)
    for r1, c1, r2, _c2 in merged:
        if r1 > last and r2 > r1 and c1 <= width and r1 in body:
            value = body[r1][c1 - 1]
            for r in range(r1 + 1, min(r2, bottom) + 1):
                if r in body and is_blank(body[r][c1 - 1]):
                    body[r][c1 - 1] = value
    header_texts = {header_key(p) for c in columns for p in c.parts}
    skipped = {"totals": 0, "blank": sum(1 for r in blank_rows if r > last), "sections": 0, "headers": 0}
    data: list[tuple[int, tuple]] = []
    wide_rows = {r1 for r1, c1, _r2, c2 in merged if c2 - c1 >= 2}
    texts = _body_texts(body, header_texts)
    for r in sorted(body):
        values = body[r]
        if is_blank_row(values):
            skipped["blank"] += 1
            continue
        if _is_note_row(values):
            break
        if texts.any_totals and _is_totals_row(values):
            skipped["totals"] += 1
            continue
        if _is_section_row(r, values, merged, wide_rows):
            skipped["sections"] += 1
            continue
        if texts.any_header and _header_cells(values, texts.is_header) >= 2:
            skipped["headers"] += 1  # the header repeated on a printed page
            continue
        data.append((r, tuple(values)))
    _fill_columns(columns, data, texts.any_blank)
    return LegacyTable(file_name, sheet, header_rows, title_lines, columns, data, found_header=found, skipped=skipped)


def read_table(path, *, kind: str, sheet: str | int | None = None, header_row: int | None = None,
               extra_headers=(), progress: Progress | None = None, cancel: CancelToken | None = None) -> LegacyTable:
    """Read one sheet of a workbook (.xlsx, .xls, .ods) and locate its table; BadWorkbook for a bad file."""
    from desktop.services.excel import xlsx_reader

    data = xlsx_reader.read_sheet(path, sheet, progress=progress, cancel=cancel)
    table = locate_table(data.rows, data.merged, kind=kind, sheet=data.name, file_name=data.file_name,
                         header_row=header_row, extra_headers=extra_headers)
    table.sha256 = file_sha256(path)
    return table
