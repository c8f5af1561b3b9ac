"""导入外部表格, the rows: what previewing a row found (PreviewRow, LegacyPreview) and the reading of each
cell into a field value (towns as typed, areas in any unit, categories, grades)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from desktop.models.enums import Category, EvaluationClass, TargetKind
from desktop.services.errors import Refused, ValidationError
from desktop.services.excel import cell_values
from desktop.services.excel.excel_common import EXCEL_CELL_LIMIT, CellProblem, ImportSummary, check_cancel
from desktop.services.excel.legacy_fields import (
    CATEGORY_WORDS, CREATE, DUPLICATE, FLUSH_EVERY, FieldSpec, IDS_PER_QUERY, INVALID, KIND_WORDS, M2, MU,
    UNCHANGED, UPDATE, header_key, is_blank,
)
from desktop.services.excel.legacy_mapping import Mapping
from desktop.services.excel.legacy_table import LegacyTable, SourceColumn, UNIT_OF_WORD


# Preview ------------------------------------------------------------------------------------------

@dataclass
class PreviewRow:
    """One data row: what importing it would do, and why not when it cannot."""

    excel_row: int
    action: str  # create | update | unchanged | invalid | duplicate
    label: str = ""  # the row's name (or town) for the list
    target_id: int | None = None  # the matched 治理对象 (or TownTarget for targets)
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field label, old, new)
    problems: list[CellProblem] = field(default_factory=list)
    values: dict = field(default_factory=dict)  # field → parsed value from the sheet
    area_mu: Decimal = Decimal(0)  # land (or target) area this row carries when applied
    final: object = None  # what apply writes: TargetValues, or _TargetRow for targets
    revision: int | None = None  # the matched row's revision when previewed


@dataclass
class LegacyPreview:
    """What importing a legacy sheet would do, row by row; `apply` writes it."""

    file_name: str
    sheet: str
    kind: str
    year: int
    header_rows: list[int]
    mapping: Mapping
    columns: list[SourceColumn]
    rows: list[PreviewRow]
    title_lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    refusal: str | None = None  # why this sheet cannot be imported with this mapping at all
    new_towns: list[str] = field(default_factory=list)
    sha256: str = ""
    mapping_name: str | None = None
    skipped: dict[str, int] = field(default_factory=dict)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def rejected(self) -> int:
        return sum(1 for r in self.rows if r.action in (INVALID, DUPLICATE))

    def problems(self) -> list[CellProblem]:
        return [p for r in self.rows for p in r.problems]

    def summary(self) -> ImportSummary:
        """Counts of what applying would do (rows with errors counted as rejected)."""
        applied = [r for r in self.rows if r.action in (CREATE, UPDATE)]
        errors = ([CellProblem(self.sheet, None, None, self.refusal)] if self.refusal else []) + self.problems()
        return ImportSummary(
            rows_read=len(self.rows), created=self.count(CREATE), updated=self.count(UPDATE),
            unchanged=self.count(UNCHANGED), rejected=self.rejected, conflicts=0,
            area_mu=sum((r.area_mu for r in applied), Decimal(0)), errors=errors,
        )


class TownIndex:
    """Town names as typed in sheets: exact (spaces, full width aside), else without 镇/街道/区 when unique."""

    _SUFFIX = re.compile(r"(街道办事处|街道办|街道|镇|乡|区)$")

    def __init__(self, towns: list[tuple[int, str]]):
        self.towns = towns
        self.by_key = {header_key(n): (i, n) for i, n in towns}
        self.by_stem: dict[str, list[tuple[int, str]]] = {}
        for i, n in towns:
            self.by_stem.setdefault(self._stem(n), []).append((i, n))

    def _stem(self, name: str) -> str:
        k = header_key(name)
        stem = self._SUFFIX.sub("", k)
        return stem if len(stem) >= 2 else k

    def find(self, text: str) -> tuple[int, str] | None:
        """“城东” finds 城东街道; “城东镇” does not (it names another kind of town)."""
        k = header_key(text)
        hit = self.by_key.get(k)
        if hit:
            return hit
        stem = self._stem(text)
        same = [t for t in self.by_stem.get(stem, []) if stem == k or header_key(t[1]) == stem]
        return same[0] if len(same) == 1 else None

    def known(self, limit: int = 6) -> str:
        if not self.towns:
            return "数据库中还没有任何镇街，请先在“镇街与任务分解”中添加"
        names = "、".join(n for _i, n in self.towns[:limit])
        more = f"等{len(self.towns)}个" if len(self.towns) > limit else ""
        return f"已有镇街：{names}{more}"

    def in_text(self, text: str) -> list[tuple[int, str]]:
        """Towns named in a title line (longest names first, each once)."""
        k = header_key(text)
        found = []
        for i, n in sorted(self.towns, key=lambda t: -len(t[1])):
            nk = header_key(n)
            if nk and nk in k and not any(nk in header_key(m) for _j, m in found):
                found.append((i, n))
        return found


def title_unit(title_lines: list[str]) -> str | None:
    """“单位：平方米” above the table gives the unit of land-area columns whose header does not."""
    for line in title_lines:
        m = re.search(r"单位[:]\s*(万平方米|万m2|亩|平方米|平米|m2|公顷)", unicodedata.normalize("NFKC", line))
        if m:
            return UNIT_OF_WORD[m.group(1)]
    return None


def _area_mu(value, unit: str, label: str) -> Decimal | None:
    """A land area in 亩 from a cell in `unit` (a “12.5亩” / “8000㎡” text names its own unit)."""
    return cell_values.parse_area(value, label=label, unit=unit)


def _parse_grade(text: str, label: str) -> EvaluationClass:
    k = header_key(text).upper().rstrip("类级档")
    try:
        return EvaluationClass.from_label(k)
    except ValueError:
        raise ValidationError(f"{label}应为 A、B、C、D 之一，现为“{text}”") from None


def _parse_category(text: str, label: str) -> Category:
    hit = CATEGORY_WORDS.get(header_key(text))
    if hit is None:
        allowed = "、".join(c.label for c in Category)
        raise ValidationError(f"{label}应为 {allowed} 之一，现为“{text}”")
    return hit


def _parse_kind(text: str, label: str) -> TargetKind:
    hit = KIND_WORDS.get(header_key(text))
    if hit is None:
        raise ValidationError(f"{label}应为“企业”或“地块”，现为“{text}”")
    return hit


def _parse_building(value, unit: str, label: str) -> Decimal | None:
    """Building area in m² (the register's unit): “1200㎡”, “1,200”, “1.8亩” (converted)."""
    return cell_values.parse_m2(value, label=label, unit=unit)


def _parse_value(spec: FieldSpec, value, unit: str | None):
    """One cell → the field's value (None when empty); ValidationError with a Chinese message."""
    if spec.key == "credit_code":
        return cell_values.parse_credit_code(value, label=spec.label)
    if spec.key in ("land_area", "target_area"):
        return _area_mu(value, unit or spec.unit or MU, spec.label)
    if spec.key == "building_area":
        return _parse_building(value, unit or spec.unit or M2, spec.label)
    if spec.key == "target_parks":
        return cell_values.parse_int(value, label=spec.label, minimum=0)
    text = cell_values.parse_text(value, label=spec.label)
    if not text:
        return None
    if spec.key == "grade":
        return _parse_grade(text, spec.label)
    if spec.key == "category":
        return _parse_category(text, spec.label)
    if spec.key == "kind":
        return _parse_kind(text, spec.label)
    return text


@dataclass
class _Parsed:
    excel_row: int
    values: dict
    problems: list[CellProblem]


_MISSING = object()
_BLANK = object()  # a cell parse_rows leaves out (empty, or only spaces)
_MEMO_TYPES = frozenset((str, int, float, bool))  # immutable cells whose parse depends on nothing else
_PARSED_AS_TEXT = frozenset(("credit_code", "land_area", "target_area", "building_area", "target_parks", "grade",
                             "category", "kind"))  # fields _parse_value reads otherwise than as plain text


def _parse_column(spec: FieldSpec, unit: str | None, column: list) -> list:
    """Each cell of one column → its value, None, a ValidationError, or _BLANK: what _parse_value gives, with
    is_blank cells left out. A column's values repeat (towns, industries, grades, units), so each distinct cell
    is parsed once; the str cells of a plain-text field (names, addresses: mostly distinct) are tidied together."""
    out = [_BLANK] * len(column)
    todo = range(len(column))
    if spec.key not in _PARSED_AS_TEXT:
        texts = [n for n, v in enumerate(column) if type(v) is str]
        for n, text in zip(texts, cell_values.tidy_texts([column[n] for n in texts])):
            if text:
                # parse_text's message for a text past a cell's limit: parse it alone
                out[n] = text if len(text) <= EXCEL_CELL_LIMIT else _parsed(spec, column[n], unit)
            elif column[n].strip():
                out[n] = None  # only zero-width characters: an empty field, yet not an empty cell
        todo = [n for n, v in enumerate(column) if type(v) is not str]
    seen: dict[tuple, object] = {}
    for n in todo:
        value = column[n]
        if is_blank(value):
            continue
        # keyed by type too: 1, 1.0 and True are one dict key but not one cell
        memo = (type(value), value) if type(value) in _MEMO_TYPES else None
        result = seen.get(memo, _MISSING) if memo else _MISSING
        if result is _MISSING:
            result = _parsed(spec, value, unit)
            if memo:
                seen[memo] = result
        out[n] = result
    return out


def _parsed(spec: FieldSpec, value, unit: str | None):
    try:
        return _parse_value(spec, value, unit)
    except ValidationError as exc:
        return exc


def mapping_defaults(table: LegacyTable, mapping: Mapping, by_key: dict) -> tuple[dict, list[CellProblem]]:
    """The mapping's default values parsed as cells of their fields, and the problems of those that are not."""
    problems: list[CellProblem] = []
    defaults = {}
    for f, raw in mapping.defaults.items():
        if f in by_key and raw not in (None, ""):
            try:
                defaults[f] = _parse_value(by_key[f], raw, by_key[f].unit)
            except ValidationError as exc:
                problems.append(CellProblem(table.sheet, None, None, f"默认值：{exc.message}"))
    return defaults, problems


def parse_rows(table: LegacyTable, mapping: Mapping, specs, title_unit, cancel, progress,
                content_fields) -> tuple[list[_Parsed], list[CellProblem]]:
    """Parse every mapped cell; defaults fill fields whose cell is empty. Rows with no content are dropped."""
    by_key = {s.key: s for s in specs}
    sources = [(by_key[f], src.column, src.unit or (title_unit if f in ("land_area", "target_area") else None))
               for f, src in mapping.fields.items() if f in by_key and src.column is not None]
    defaults, default_problems = mapping_defaults(table, mapping, by_key)
    # Column by column (see _parse_column); then the rows are put together in the mapping's order, as the
    # row-wise loop did.
    data = table.data
    total = len(data)
    columns = []  # (field, column letter, a content field?, the column's parsed cells)
    for k, (spec, c0, unit) in enumerate(sources):
        check_cancel(cancel)
        if progress:
            progress(total * k // max(len(sources), 1), total)
        column = [values[c0] if c0 < len(values) else None for _r, values in data]
        columns.append((spec.key, table.letter(c0), spec.key in content_fields, _parse_column(spec, unit, column)))
    parsed = []
    sheet, blank = table.sheet, _BLANK
    cells_of_rows = zip(*(c[3] for c in columns)) if columns else ((),) * total
    fields = [c[:3] for c in columns]
    for (r, _values), cells in zip(data, cells_of_rows):
        got, problems = {}, []
        has_content = False
        for (key, letter, content), result in zip(fields, cells):
            if result is blank:
                continue
            if content:
                has_content = True
            if isinstance(result, ValidationError):
                problems.append(CellProblem(sheet, r, letter, result.message))
            elif result is not None:
                got[key] = result
        if not has_content and not problems:
            continue  # only a serial number or a merged-down town: not a row of the table
        for f, v in defaults.items():
            got.setdefault(f, v)
        parsed.append(_Parsed(r, got, problems))
    return parsed, default_problems


def chunked(items: list, size: int = IDS_PER_QUERY):
    for i in range(0, len(items), size):
        yield items[i:i + size]


class Stale(Refused):
    """The database changed between preview and apply."""


def tick_write(n: int, total: int, s, progress, cancel) -> None:
    check_cancel(cancel)
    if n and n % FLUSH_EVERY == 0:
        s.flush()
        if progress:
            progress(n, total)
