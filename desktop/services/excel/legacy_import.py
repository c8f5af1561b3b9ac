"""导入外部表格: legacy sheets (工信's D-class list, tax lists, town ledgers) into 治理对象 or 附件1.

The sheet may have title rows, merged two-row headers, totals, blank and note rows. The header is
found by header synonyms, a column mapping is proposed (and can be saved by header text), every
row is validated with the register's own rules (target_service.clean), a preview says per row
create / update / unchanged / invalid / duplicate, and `apply` writes the valid rows in one
transaction through the ORM, so the audit hook records each change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl.utils import get_column_letter
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from desktop.models import ColumnMapping, ContiguousArea, Evaluation, PacketImport, Target, Town, TownTarget, Year
from desktop.models.enums import Category, EvaluationClass, TargetKind
from desktop.services import units
from desktop.services.excel import cell_values
from desktop.services.register import target_service
from desktop.services.towns import town_service
from desktop.services.year import year_service
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.excel.excel_common import (
    CancelToken,
    CellProblem,
    ImportOutcome,
    ImportSummary,
    Progress,
    check_cancel,
    file_sha256,
)
from desktop.services.ledger import Ledger

KINDS = ("enterprises", "targets")
KIND_LABELS = {"enterprises": "治理对象", "targets": "任务分解表"}

CREATE, UPDATE, UNCHANGED, INVALID, DUPLICATE = "create", "update", "unchanged", "invalid", "duplicate"
SKIPPED_LABELS = {"totals": "合计行", "blank": "空行", "sections": "分节标题行", "headers": "重复的表头行"}
ACTION_LABELS = {CREATE: "新建", UPDATE: "更新", UNCHANGED: "未变", INVALID: "有错误", DUPLICATE: "表内重复"}

MU, M2, WAN_M2, HECTARE = "亩", "m²", "万m²", "公顷"
AREA_UNITS = (MU, M2, WAN_M2, HECTARE)
HEADER_SCAN_ROWS = 40  # the header is looked for among the first 40 non-blank rows
MAPPING_NAME_MAX = 60
_CHUNK = 500  # ids per IN (...) query
_FLUSH_EVERY = 1000


# Fields and their header synonyms ----------------------------------------------------------------

@dataclass(frozen=True)
class FieldSpec:
    """One importable field: code name, Chinese label, header synonyms, default unit of an area."""

    key: str
    label: str
    synonyms: tuple[str, ...]
    unit: str | None = None


ENTERPRISE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "名称", ("企业名称", "单位名称", "公司名称", "名称", "对象名称", "企业（地块）名称", "地块名称",
                              "纳税人名称", "企业全称", "单位全称", "主体名称", "市场主体名称", "企业名", "企业")),
    FieldSpec("credit_code", "统一社会信用代码", ("统一社会信用代码", "社会信用代码", "信用代码", "统一代码",
                                          "社会统一信用代码", "纳税人识别号", "统一社会信用代码（纳税人识别号）")),
    FieldSpec("town", "所属镇街", ("所属镇", "镇街", "所属镇街", "属地", "镇（街道）", "乡镇", "镇（区、街道）",
                               "所属镇（区、街道）", "所在镇街", "所属乡镇", "所属街道", "镇区", "属地镇街", "街道乡镇",
                               "乡镇街道", "所属镇（街道）", "镇别", "镇")),
    FieldSpec("land_area", "占地面积", ("占地面积", "用地面积", "土地面积", "宗地面积", "土地使用面积", "占地"), unit=MU),
    FieldSpec("building_area", "建筑面积", ("建筑面积", "房屋面积", "厂房面积", "房屋建筑面积"), unit=M2),
    FieldSpec("address", "地址", ("地址", "企业地址", "生产经营地址", "坐落", "注册地址", "经营地址", "坐落位置",
                                "地块位置", "详细地址", "所在地址", "位置", "地块坐落")),
    FieldSpec("legal_rep", "法定代表人", ("法定代表人", "法人", "法人代表", "法定代表人（负责人）", "负责人")),
    FieldSpec("industry", "行业", ("行业", "所属行业", "行业类别", "行业名称", "行业门类", "国民经济行业")),
    FieldSpec("category", "治理类别", ("类别", "治理类别", "类型", "整治类别", "治理类型", "对象类别")),
    FieldSpec("kind", "对象类型", ("对象类型", "企业或地块", "企业/地块")),
    FieldSpec("grade", "评价类别", ("综合评价", "评价等级", "亩均效益评价", "评价类别", "综合评价等级", "综合效益评价",
                                  "亩均效益评价等级", "亩均评价", "评价结果", "综合评价类别", "评价分类", "评级")),
    FieldSpec("land_cert_no", "不动产权证号", ("土地证号", "不动产权证号", "土地证", "不动产证号", "土地证号码",
                                         "不动产权证书号", "权证号", "土地使用证号", "不动产权证")),
    FieldSpec("owner", "权利人", ("权利人", "土地使用权人", "产权人", "土地权利人")),
    FieldSpec("park", "连片整治片区", ("连片整治片区", "所在片区", "片区", "片区名称", "所属片区", "所属园区", "园区名称",
                                    "老旧工业园区")),
    FieldSpec("note", "备注", ("备注",)),
)

TARGET_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("town", "镇街", ("镇街", "镇（街道）", "单位", "镇（区、街道）", "镇区", "乡镇", "所属镇", "所属镇街",
                             "镇", "地区", "责任单位", "镇（区）")),
    FieldSpec("target_area", "目标面积", ("目标任务面积", "治理面积", "任务面积", "目标面积", "整治面积", "治理任务",
                                       "整治任务", "年度任务面积", "目标任务", "年度目标", "整治目标"), unit=MU),
    FieldSpec("target_parks", "目标园区数", ("园区数", "老旧工业园区", "改造园区个数", "目标园区", "园区个数",
                                         "连片整治园区", "老旧工业园区连片整治", "连片整治", "园区")),
)

_SPECS = {"enterprises": ENTERPRISE_FIELDS, "targets": TARGET_FIELDS}
REQUIRED = {"enterprises": ("name", "town"), "targets": ("town",)}
# Register attribute (target_service.TargetValues) → import field, to place clean()'s errors on a column.
_ATTR_FIELD = {"name": "name", "town_id": "town", "credit_code": "credit_code", "land_area_mu": "land_area",
               "building_area_m2": "building_area", "address": "address", "legal_rep": "legal_rep",
               "industry": "industry", "category": "category", "kind": "kind", "grade": "grade", "note": "note",
               "land_cert_no": "land_cert_no", "owner": "owner", "contiguous_area_id": "park"}

_CATEGORY_WORDS = {
    "d类低效": Category.D_CLASS, "d类": Category.D_CLASS, "d类企业": Category.D_CLASS, "低效": Category.D_CLASS,
    "低质低效": Category.D_CLASS, "低质低效企业": Category.D_CLASS, "d类低效企业": Category.D_CLASS,
    "点状问题": Category.POINT, "点状": Category.POINT, "点状问题企业": Category.POINT,
    "连片整治": Category.CONTIGUOUS, "连片": Category.CONTIGUOUS, "连片整治企业": Category.CONTIGUOUS,
    "其他": Category.OTHER, "其它": Category.OTHER,
}
_KIND_WORDS = {"企业": TargetKind.ENTERPRISE, "地块": TargetKind.PARCEL, "码头": TargetKind.PARCEL}


def field_specs(kind: str) -> tuple[FieldSpec, ...]:
    """The fields a kind of import knows, in the order the mapping dialog lists them."""
    _check_kind(kind)
    return _SPECS[kind]


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValidationError(f"未知的导入内容“{kind}”，应为 enterprises（治理对象）或 targets（任务分解表）", field="kind")


# Text helpers -------------------------------------------------------------------------------------

def _key(text) -> str:
    """A header or name for comparison: NFKC (full-width folded), lower case, no spaces or markers."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).lower()
    s = re.sub(r"\s+", "", s)
    return s.strip("*※★:：")


def _strip_paren(key: str) -> str:
    return re.sub(r"[(\[【][^)\]】]*[)\]】]", "", key)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _blank_row(values) -> bool:
    return all(_blank(v) for v in values)


def _header_text(value) -> str:
    """A header cell as shown: line breaks and stray spaces dropped inside Chinese text."""
    if _blank(value):
        return ""
    s = str(value).replace("\u3000", " ").replace("\xa0", " ").strip()
    if re.search(r"[\u4e00-\u9fff]", s):
        return re.sub(r"\s+", "", s)
    return re.sub(r"\s+", " ", s)


def display(value) -> str:
    """A cell value as a clerk reads it (samples in the mapping dialog)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    code = getattr(value, "code", None)
    if isinstance(code, str):
        return code  # an error cell: #REF! …
    from desktop.services.excel import xlsx_reader

    if value is xlsx_reader.NO_CACHED_VALUE:
        return "（公式无计算结果）"
    return str(value).strip()


def _fmt(value) -> str:
    """Old/new values in the preview's change list."""
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if hasattr(value, "label"):
        return value.label
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


_TOTALS_RE = re.compile(r"^(总?合计|小计|总计|共计|累计)($|[:(（\d])")
_NOTE_RE = re.compile(r"^(备注|注|说明|填表说明|填报说明|附注|注释)($|[:\d、.])")
_FOOTER_RE = re.compile(r"^(填报人|填表人|制表人|制表|审核人|审核|负责人|联系人|联系电话|填报日期|制表日期|单位负责人|"
                        r"分管领导|主要领导|经办人)[:]")
_SERIAL_KEYS = {"序号", "序", "编号", "no", "no."}


_UNIT_OF_WORD = {"亩": MU, "平方米": M2, "平米": M2, "m2": M2, "平方": M2, "万平方米": WAN_M2, "万m2": WAN_M2,
                 "公顷": HECTARE}


def _unit_word(key: str) -> str | None:
    """The area unit a header (part) names: “亩”, “（平方米）”, “面积㎡”, “（万平方米）”, “公顷” …"""
    if not key:
        return None
    bare = key.strip("()")
    if bare in _UNIT_OF_WORD:
        return _UNIT_OF_WORD[bare]
    m = re.search(r"\((万平方米|万m2|亩|平方米|平米|m2|平方|公顷)\)|(万平方米|万m2|亩|平方米|平米|m2|公顷)$", key)
    if m:
        return _UNIT_OF_WORD[m.group(1) or m.group(2)]
    return None


def _match(key: str, specs, extra: dict[str, str] | None = None) -> tuple[str | None, int]:
    """The field a header key names and how sure: 3 = a synonym (units and brackets aside), 1 = contains one."""
    if not key or len(key) > 40:
        return None, 0
    if extra and key in extra:
        return extra[key], 3
    bare = _strip_paren(key)
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
        keys = tuple(dict.fromkeys(_key(s) for s in spec.synonyms))
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
        k = _key(v)
        if k in _SERIAL_KEYS:
            serial = 1
            continue
        f, _score = _match(k, specs, extra)
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
    texts = [(c, v) for c, v in enumerate(lower) if not _blank(v)]
    if not texts or any(not isinstance(v, str) or len(v.strip()) > 30 for _c, v in texts):
        return False
    if sum(1 for v in upper if not _blank(v)) < 2:  # a title line, not a parent row
        return False
    units_only = all(_unit_word(_key(v)) for _c, v in texts)
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
            texts.append(_header_text(value))
        grid.append(texts)
    if len(grid) == 2 and unmerged:
        # A pasted two-row header without merges: a blank parent belongs to the parent on its left.
        for c0 in range(1, width):
            if not grid[0][c0] and grid[1][c0] and _unit_word(_key(grid[1][c0])):
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


def _is_note_row(values) -> bool:
    texts = [v for v in values if not _blank(v)]
    if not texts or not all(isinstance(v, str) for v in texts):
        return False
    keys = [_key(v) for v in texts]
    if len(texts) == 1 and _NOTE_RE.match(keys[0]):
        return True
    return all(_FOOTER_RE.match(k) for k in keys)


def _is_totals_row(values) -> bool:
    return any(isinstance(v, str) and _TOTALS_RE.match(_key(v)) for v in values)


def _is_section_row(r: int, values, merged) -> bool:
    """“一、城东街道” merged across the table: a heading inside the data, not a row."""
    filled = [c for c, v in enumerate(values) if not _blank(v)]
    if len(filled) != 1:
        return False
    c = filled[0] + 1
    return any(r1 == r and c1 == c and c2 - c1 >= 2 for r1, c1, _r2, c2 in merged)


def locate_table(rows, merged=(), *, kind: str, sheet: str = "", file_name: str = "",
                 header_row: int | None = None, extra_headers=()) -> LegacyTable:
    """Find the header (rows scored by header synonyms) and the data rows of a sheet given as (Excel row, values).
    `header_row` forces the header; `extra_headers` (a saved mapping's headers) count as synonyms."""
    _check_kind(kind)
    specs = _SPECS[kind]
    merged = [tuple(m) for m in merged]
    extra: dict[str, str] = {}
    for text, fld in (extra_headers.items() if isinstance(extra_headers, dict) else ((h, "_") for h in extra_headers)):
        for part in str(text).split("/"):
            if _key(part):
                extra[_key(part)] = fld
    nonblank = [(r, tuple(v)) for r, v in rows if not _blank_row(v)]
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
        line = "  ".join(display(v) for v in values if not _blank(v))
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
                if r in body and _blank(body[r][c1 - 1]):
                    body[r][c1 - 1] = value
    header_texts = {_key(p) for c in columns for p in c.parts}
    skipped = {"totals": 0, "blank": sum(1 for r, v in rows if r > last and _blank_row(v)), "sections": 0, "headers": 0}
    data: list[tuple[int, tuple]] = []
    for r in sorted(body):
        values = body[r]
        if _blank_row(values):
            skipped["blank"] += 1
            continue
        if _is_note_row(values):
            break
        if _is_totals_row(values):
            skipped["totals"] += 1
            continue
        if _is_section_row(r, values, merged):
            skipped["sections"] += 1
            continue
        if sum(1 for v in values if isinstance(v, str) and _key(v) in header_texts) >= 2:
            skipped["headers"] += 1  # the header repeated on a printed page
            continue
        data.append((r, tuple(values)))
    for col in columns:
        for _r, values in data:
            v = values[col.index]
            if not _blank(v):
                col.filled += 1
                if len(col.samples) < 3:
                    col.samples.append(display(v)[:60])
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



# Column mapping -----------------------------------------------------------------------------------

@dataclass
class FieldSource:
    """Where a field comes from: the column's header text (how a saved mapping finds it again)."""

    header: str
    column: int | None = None  # 0-based index in the current table, once resolved
    unit: str | None = None  # 亩 or m² for areas; None = from the header, else the field's default


@dataclass
class Mapping:
    """Field → source column, plus values for fields the sheet lacks (e.g. the town of a town's ledger)."""

    kind: str
    fields: dict[str, FieldSource] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)

    def column_of(self, key: str) -> int | None:
        src = self.fields.get(key)
        return src.column if src else None

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "fields": {k: {"header": s.header, **({"unit": s.unit} if s.unit else {})} for k, s in self.fields.items()},
            "defaults": dict(self.defaults),
        }

    @classmethod
    def from_json(cls, data: dict) -> Mapping:
        kind = data.get("kind", "enterprises")
        known = {s.key for s in _SPECS.get(kind, ())}
        fields = {k: FieldSource(str(v.get("header", "")), None, v.get("unit"))
                  for k, v in (data.get("fields") or {}).items() if k in known and isinstance(v, dict)}
        defaults = {k: str(v) for k, v in (data.get("defaults") or {}).items() if k in known and v not in (None, "")}
        return cls(kind, fields, defaults)


def _column_match(col: SourceColumn, specs) -> tuple[str | None, int, str | None]:
    best, best_score = None, 0
    candidates = list(col.parts) + (["".join(col.parts)] if len(col.parts) > 1 else [])
    for part in candidates:
        f, score = _match(_key(part), specs)
        if f and score > best_score:
            best, best_score = f, score
        elif f and score == best_score and part in col.parts:
            best = f  # the child names the column more precisely than its parent
    return best, best_score, _column_unit(col)


def _column_unit(col: SourceColumn) -> str | None:
    """The area unit a column's header names (the child's over the parent's)."""
    unit = None
    for part in col.parts:
        unit = _unit_word(_key(part)) or unit
    return unit


def propose_mapping(table: LegacyTable, kind: str) -> Mapping:
    """Guess each field's column from header synonyms, one field per column. Where two columns fit one field
    (占地面积 in 亩 and in 平方米), the better-filled one wins, then 亩."""
    _check_kind(kind)
    specs = _SPECS[kind]
    candidates: dict[str, list[tuple[int, int, int, SourceColumn, str | None]]] = {}
    for col in table.columns:
        f, score, unit = _column_match(col, specs)
        if f:
            candidates.setdefault(f, []).append((score, col.filled, 1 if unit != M2 else 0, col, unit))
    if kind == "enterprises" and "category" in candidates:
        # “类型” holding 企业/地块 is the kind of target, not the governance category.
        keep = []
        for cand in candidates["category"]:
            col = cand[3]
            if col.samples and all(_key(s) in _KIND_WORDS for s in col.samples):
                candidates.setdefault("kind", []).append(cand)
            else:
                keep.append(cand)
        candidates["category"] = keep
    mapping = Mapping(kind)
    used: set[int] = set()
    order = sorted(candidates, key=lambda f: -max((c[0] for c in candidates[f]), default=0))
    for f in order:
        options = sorted((c for c in candidates[f] if c[3].index not in used),
                         key=lambda c: (-c[0], -c[1], -c[2], c[3].index))
        if options:
            _score, _filled, _mu, col, unit = options[0]
            mapping.fields[f] = FieldSource(col.key, col.index, unit)
            used.add(col.index)
    return mapping


def resolve_mapping(mapping: Mapping, table: LegacyTable) -> tuple[Mapping, list[str]]:
    """Point a (saved) mapping at this table's columns by header text; warnings for headers not found."""
    by_key = {}
    for col in table.columns:
        by_key.setdefault(_key(col.key), col)
        by_key.setdefault(_key(col.header), col)
    labels = {s.key: s.label for s in _SPECS.get(mapping.kind, ())}
    resolved = Mapping(mapping.kind, {}, dict(mapping.defaults))
    warnings = []
    for f, src in mapping.fields.items():
        if f not in labels:
            continue
        col = by_key.get(_key(src.header)) if src.header else table.column(src.column)
        if col is None:
            warnings.append(f"列对应方案中的“{src.header}”列在本表中找不到，{labels[f]}不导入")
            continue
        resolved.fields[f] = FieldSource(col.key, col.index, src.unit or _column_unit(col))
    return resolved, warnings


def _clean_mapping_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("请填写列对应方案的名称", field="name")
    if len(name) > MAPPING_NAME_MAX:
        raise ValidationError(f"方案名称过长（最多{MAPPING_NAME_MAX}字）", field="name")
    return name


def save_mapping(ledger: Ledger, name: str, kind: str, mapping: Mapping) -> None:
    """Save a mapping by name (headers, units, defaults); an existing name is replaced."""
    _check_kind(kind)
    name = _clean_mapping_name(name)
    if not mapping.fields and not mapping.defaults:
        raise ValidationError("列对应方案是空的：请至少对应一列", field="mapping")
    data = Mapping(kind, mapping.fields, mapping.defaults).to_json()
    with ledger.session() as s:
        row = s.scalar(select(ColumnMapping).where(ColumnMapping.name == name))
        if row is None:
            s.add(ColumnMapping(name=name, kind=kind, mapping=data))
        else:
            if row.kind != kind:
                row.kind = kind
            if row.mapping != data:
                row.mapping = data


def list_mappings(ledger: Ledger, kind: str | None = None) -> list[str]:
    """Names of the saved mappings (of one kind), alphabetical."""
    q = select(ColumnMapping.name).order_by(ColumnMapping.name)
    if kind is not None:
        q = q.where(ColumnMapping.kind == kind)
    with ledger.reader() as s:
        return list(s.scalars(q))


def load_mapping(ledger: Ledger, name: str) -> Mapping:
    """A saved mapping by name; an unknown name is refused with the names that exist."""
    with ledger.reader() as s:
        row = s.scalar(select(ColumnMapping).where(ColumnMapping.name == (name or "").strip()))
        if row is None:
            names = list(s.scalars(select(ColumnMapping.name).order_by(ColumnMapping.name)))
            known = f"已保存的方案：{'、'.join(names)}" if names else "还没有保存任何列对应方案"
            raise Refused(f"没有名为“{name}”的列对应方案。{known}。")
        data = dict(row.mapping or {})
        data["kind"] = row.kind
        return Mapping.from_json(data)


def delete_mapping(ledger: Ledger, name: str) -> None:
    with ledger.session() as s:
        row = s.scalar(select(ColumnMapping).where(ColumnMapping.name == name))
        if row is None:
            raise NotFound(f"没有名为“{name}”的列对应方案")
        s.delete(row)


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


class _TownIndex:
    """Town names as typed in sheets: exact (spaces, full width aside), else without 镇/街道/区 when unique."""

    _SUFFIX = re.compile(r"(街道办事处|街道办|街道|镇|乡|区)$")

    def __init__(self, towns: list[tuple[int, str]]):
        self.towns = towns
        self.by_key = {_key(n): (i, n) for i, n in towns}
        self.by_stem: dict[str, list[tuple[int, str]]] = {}
        for i, n in towns:
            self.by_stem.setdefault(self._stem(n), []).append((i, n))

    def _stem(self, name: str) -> str:
        k = _key(name)
        stem = self._SUFFIX.sub("", k)
        return stem if len(stem) >= 2 else k

    def find(self, text: str) -> tuple[int, str] | None:
        """“城东” finds 城东街道; “城东镇” does not (it names another kind of town)."""
        k = _key(text)
        hit = self.by_key.get(k)
        if hit:
            return hit
        stem = self._stem(text)
        same = [t for t in self.by_stem.get(stem, []) if stem == k or _key(t[1]) == stem]
        return same[0] if len(same) == 1 else None

    def known(self, limit: int = 6) -> str:
        if not self.towns:
            return "数据库中还没有任何镇街，请先在“镇街与任务分解”中添加"
        names = "、".join(n for _i, n in self.towns[:limit])
        more = f"等{len(self.towns)}个" if len(self.towns) > limit else ""
        return f"已有镇街：{names}{more}"

    def in_text(self, text: str) -> list[tuple[int, str]]:
        """Towns named in a title line (longest names first, each once)."""
        k = _key(text)
        found = []
        for i, n in sorted(self.towns, key=lambda t: -len(t[1])):
            nk = _key(n)
            if nk and nk in k and not any(nk in _key(m) for _j, m in found):
                found.append((i, n))
        return found


def _title_unit(title_lines: list[str]) -> str | None:
    """“单位：平方米” above the table gives the unit of land-area columns whose header does not."""
    for line in title_lines:
        m = re.search(r"单位[:]\s*(万平方米|万m2|亩|平方米|平米|m2|公顷)", unicodedata.normalize("NFKC", line))
        if m:
            return _UNIT_OF_WORD[m.group(1)]
    return None


def _area_mu(value, unit: str, label: str) -> Decimal | None:
    """A land area in 亩 from a cell in `unit` (a “12.5亩” / “8000㎡” text names its own unit)."""
    if unit in (WAN_M2, HECTARE) and not (isinstance(value, str) and re.search(r"[亩㎡²米]", value)):
        number = cell_values.parse_decimal(value, label=label)
        if number is None:
            return None
        return units.m2_to_mu(number * 10000) if unit == WAN_M2 else (number * 15).quantize(units.AREA_PLACES)
    return cell_values.parse_area(value, label=label, unit=MU if unit == MU else M2)


def _parse_grade(text: str, label: str) -> EvaluationClass:
    k = _key(text).upper().rstrip("类级档")
    try:
        return EvaluationClass.from_label(k)
    except ValueError:
        raise ValidationError(f"{label}应为 A、B、C、D 之一，现为“{text}”") from None


def _parse_category(text: str, label: str) -> Category:
    hit = _CATEGORY_WORDS.get(_key(text))
    if hit is None:
        allowed = "、".join(c.label for c in Category)
        raise ValidationError(f"{label}应为 {allowed} 之一，现为“{text}”")
    return hit


def _parse_kind(text: str, label: str) -> TargetKind:
    hit = _KIND_WORDS.get(_key(text))
    if hit is None:
        raise ValidationError(f"{label}应为“企业”或“地块”，现为“{text}”")
    return hit


def _parse_building(value, unit: str, label: str) -> Decimal | None:
    """Building area in m² (the register's unit): “1200㎡”, “1,200”, “1.8亩” (converted)."""
    if isinstance(value, str):
        t = unicodedata.normalize("NFKC", value).replace(",", "").strip()
        m = re.fullmatch(r"([-+]?\d+(?:\.\d+)?)\s*(亩|平方米|平米|m2|平方)?", t, re.IGNORECASE)
        if m:
            if m.group(2):
                unit = MU if m.group(2) == "亩" else M2
            value = m.group(1)
    number = cell_values.parse_decimal(value, label=label)
    if number is None:
        return None
    if unit == MU:
        return units.mu_to_m2(number)
    if unit == HECTARE:
        return number * 10000
    return number * 10000 if unit == WAN_M2 else number


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


def _parse_rows(table: LegacyTable, mapping: Mapping, specs, title_unit, cancel, progress,
                content_fields) -> tuple[list[_Parsed], list[CellProblem]]:
    """Parse every mapped cell; defaults fill fields whose cell is empty. Rows with no content are dropped."""
    by_key = {s.key: s for s in specs}
    sources = [(by_key[f], src.column, src.unit or (title_unit if f in ("land_area", "target_area") else None))
               for f, src in mapping.fields.items() if f in by_key and src.column is not None]
    default_problems: list[CellProblem] = []
    defaults = {}
    for f, raw in mapping.defaults.items():
        if f in by_key and raw not in (None, ""):
            try:
                defaults[f] = _parse_value(by_key[f], raw, by_key[f].unit)
            except ValidationError as exc:
                default_problems.append(CellProblem(table.sheet, None, None, f"默认值：{exc.message}"))
    parsed = []
    total = len(table.data)
    for n, (r, values) in enumerate(table.data):
        check_cancel(cancel)
        if progress and n % 500 == 0:
            progress(n, total)
        got, problems = {}, []
        has_content = False
        for spec, c0, unit in sources:
            value = values[c0] if c0 < len(values) else None
            if _blank(value):
                continue
            if spec.key in content_fields:
                has_content = True
            try:
                parsed_value = _parse_value(spec, value, unit)
            except ValidationError as exc:
                problems.append(CellProblem(table.sheet, r, table.letter(c0), exc.message))
                continue
            if parsed_value is not None:
                got[spec.key] = parsed_value
        if not has_content and not problems:
            continue  # only a serial number or a merged-down town: not a row of the table
        for f, v in defaults.items():
            got.setdefault(f, v)
        parsed.append(_Parsed(r, got, problems))
    return parsed, default_problems


def _chunks(items: list, size: int = _CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _refusal_for_mapping(kind: str, mapping: Mapping, table: LegacyTable) -> str | None:
    if not table.columns and not table.data:
        return f"工作表“{table.sheet}”是空的"
    labels = {s.key: s.label for s in _SPECS[kind]}
    if not table.found_header and not mapping.fields:
        return (f"在工作表“{table.sheet}”的前{HEADER_SCAN_ROWS}行中找不到表头（至少要认出两列，如“企业名称”"
                f"“统一社会信用代码”“所属镇街”）。请指定表头行并对应各列。")
    missing = [labels[f] for f in REQUIRED[kind] if f not in mapping.fields and f not in mapping.defaults]
    if kind == "targets" and "target_area" not in mapping.fields and "target_parks" not in mapping.fields:
        missing.append("目标面积或目标园区数")
    if missing:
        return f"工作表“{table.sheet}”中找不到必需的列：{'、'.join(missing)}。请在列对应中指定。"
    return None


def preview_table(ledger: Ledger, table: LegacyTable, *, kind: str, year: int, mapping: Mapping | None = None,
                  mapping_name: str | None = None, progress: Progress | None = None,
                  cancel: CancelToken | None = None) -> LegacyPreview:
    """Validate and match every row of a located table (nothing written)."""
    _check_kind(kind)
    if mapping is None:
        mapping, warnings = propose_mapping(table, kind), []
    else:
        mapping, warnings = resolve_mapping(mapping, table)
    preview = LegacyPreview(table.file_name, table.sheet, kind, year, table.header_rows, mapping, table.columns, [],
                            title_lines=table.title_lines, warnings=warnings, sha256=table.sha256,
                            mapping_name=mapping_name, skipped=dict(table.skipped))
    with ledger.reader() as s:
        towns = [(i, n) for i, n in s.execute(select(Town.id, Town.name).order_by(Town.sort_order, Town.id))]
    town_index = _TownIndex(towns)
    if kind == "enterprises" and "town" not in mapping.fields and "town" not in mapping.defaults:
        named = [t for line in table.title_lines for t in town_index.in_text(line)]
        if len({i for i, _n in named}) == 1:
            mapping.defaults["town"] = named[0][1]
            preview.warnings.append(f"表中没有镇街列，按标题中的“{named[0][1]}”作为全部行的所属镇街")
    preview.refusal = _refusal_for_mapping(kind, mapping, table)
    if preview.refusal:
        if warnings:
            preview.refusal += "（" + "；".join(warnings) + "）"
        return preview
    if kind == "enterprises":
        _preview_enterprises(ledger, preview, table, town_index, progress, cancel)
    else:
        _preview_targets(ledger, preview, table, town_index, progress, cancel)
    if progress:
        progress(len(table.data), len(table.data))
    return preview


def preview(ledger: Ledger, path, *, kind: str = "enterprises", year: int, sheet: str | int | None = None,
            mapping: Mapping | None = None, mapping_name: str | None = None, header_row: int | None = None,
            progress: Progress | None = None, cancel: CancelToken | None = None) -> LegacyPreview:
    """Read a legacy sheet and preview its import (with `mapping`, else a proposed one)."""
    _check_kind(kind)
    extra = {src.header: f for f, src in mapping.fields.items()} if mapping else ()
    table = read_table(path, kind=kind, sheet=sheet, header_row=header_row, extra_headers=extra,
                       progress=progress, cancel=cancel)
    return preview_table(ledger, table, kind=kind, year=year, mapping=mapping, mapping_name=mapping_name,
                         progress=progress, cancel=cancel)


# Enterprises (治理对象) -----------------------------------------------------------------------------

_VALUE_FIELDS = {"name": "name", "credit_code": "credit_code", "land_area": "land_area_mu",
                 "building_area": "building_area_m2", "address": "address", "legal_rep": "legal_rep",
                 "industry": "industry", "category": "category", "grade": "grade", "land_cert_no": "land_cert_no",
                 "owner": "owner", "note": "note"}
_COMPARED = tuple(f for f in target_service.EDITABLE_FIELDS if f != "credit_code_override") + ("grade",)
_LABELS = dict(target_service.FIELD_LABELS, grade="评价类别")


def _current_values(ledger: Ledger, ids: list[int], eval_year: int) -> dict[int, tuple[target_service.TargetValues, int]]:
    """The register's values (and revision) of matched targets, read in chunks."""
    out = {}
    names = [f.name for f in dataclasses.fields(target_service.TargetValues) if f.name not in ("grade", "revision")]
    cols = [getattr(Target, n) for n in names]
    with ledger.reader() as s:
        for chunk in _chunks(ids):
            grades = dict(s.execute(select(Evaluation.target_id, Evaluation.grade)
                                    .where(Evaluation.target_id.in_(chunk), Evaluation.year == eval_year)).all())
            for row in s.execute(select(Target.id, Target.revision, *cols).where(Target.id.in_(chunk))):
                kw = dict(zip(names, row[2:]))
                out[row[0]] = (target_service.TargetValues(**kw, grade=grades.get(row[0]), revision=row[1]), row[1])
    return out


def _preview_enterprises(ledger: Ledger, preview: LegacyPreview, table: LegacyTable, towns: _TownIndex, progress, cancel) -> None:
    mapping, sheet = preview.mapping, table.sheet
    eval_year = year_service.get_params(ledger, preview.year).evaluation_year
    content = {"name", "credit_code", "land_area", "building_area", "address", "legal_rep", "industry", "grade",
               "land_cert_no", "owner", "note"}
    parsed, default_problems = _parse_rows(table, mapping, ENTERPRISE_FIELDS, _title_unit(table.title_lines),
                                           cancel, progress, content)
    if default_problems:
        preview.refusal = default_problems[0].message
        return

    def letter(f: str) -> str | None:
        return table.letter(mapping.column_of(f))

    with ledger.reader() as s:
        parks = s.execute(select(ContiguousArea.id, ContiguousArea.name, ContiguousArea.town_id)).all()
        # Town ids named in the file, then every target of those towns and every code of the file: two queries.
        town_ids = set()
        for p in parsed:
            hit = towns.find(p.values["town"]) if p.values.get("town") else None
            p.values["_town"] = hit
            if hit:
                town_ids.add(hit[0])
        by_name: dict[tuple[int, str], list[tuple[int, str | None]]] = {}
        for chunk in _chunks(sorted(town_ids)):
            q = select(Target.id, Target.town_id, Target.name, Target.credit_code).where(Target.town_id.in_(chunk))
            for tid, town_id, name, code in s.execute(q):
                by_name.setdefault((town_id, _key(name)), []).append((tid, code))
        codes = sorted({p.values["credit_code"] for p in parsed if p.values.get("credit_code")})
        by_code = {}
        for chunk in _chunks(codes):
            q = select(Target.credit_code, Target.id).where(Target.credit_code.in_(chunk))
            by_code.update(dict(s.execute(q).all()))
    park_index = {(town_id, _key(name)): pid for pid, name, town_id in parks}
    park_names = {pid: name for pid, name, _t in parks}
    town_names = {i: n for i, n in towns.towns}

    # Pass 1: duplicates inside the file and the match in the database.
    matches: dict[int, int] = {}
    seen_codes: dict[str, int] = {}
    seen_names: dict[tuple[int, str], tuple[int, str | None]] = {}
    rows: list[PreviewRow] = []
    for p in parsed:
        v = p.values
        row = PreviewRow(p.excel_row, INVALID, label=v.get("name", ""),
                         values={k: x for k, x in v.items() if not k.startswith("_")}, problems=list(p.problems))
        rows.append(row)
        town = v.get("_town")
        if not v.get("name") and not any(pr.column == letter("name") for pr in row.problems):
            row.problems.append(CellProblem(sheet, p.excel_row, letter("name"), "名称不能为空"))
        if not v.get("town"):
            if not any(pr.column == letter("town") for pr in row.problems):
                row.problems.append(CellProblem(sheet, p.excel_row, letter("town"), "所属镇街不能为空"))
        elif town is None:
            row.problems.append(CellProblem(sheet, p.excel_row, letter("town"),
                                            f"所属镇街“{v['town']}”不存在。{towns.known()}"))
        code, name = v.get("credit_code"), v.get("name")
        name_key = (town[0], _key(name)) if town and name else None
        first = None
        if code and code in seen_codes:
            first = (seen_codes[code], f"统一社会信用代码 {code} 相同", "credit_code")
        elif name_key and name_key in seen_names and (not code or not seen_names[name_key][1]):
            first = (seen_names[name_key][0], "同一镇街内名称相同", "name")
        if code:
            seen_codes.setdefault(code, p.excel_row)
        if name_key:
            seen_names.setdefault(name_key, (p.excel_row, code))
        if first:
            row.action = DUPLICATE
            row.problems.append(CellProblem(sheet, p.excel_row, letter(first[2]),
                                            f"与第{first[0]}行重复（{first[1]}），本行不导入"))
            continue
        if row.problems:
            continue
        if code and code in by_code:
            matches[p.excel_row] = by_code[code]
        elif name_key:
            same = by_name.get(name_key, [])
            if len(same) > 1:
                row.problems.append(CellProblem(sheet, p.excel_row, letter("name"),
                                                f"{town[1]}有{len(same)}个名为“{name}”的治理对象，无法确定对应哪一个"
                                                "（请填写统一社会信用代码）"))
            elif same:
                tid, db_code = same[0]
                if code and db_code and db_code != code:
                    row.problems.append(CellProblem(
                        sheet, p.excel_row, letter("credit_code"),
                        f"与已登记的“{name}”同名，但统一社会信用代码不同（已登记 {db_code}）"))
                else:
                    matches[p.excel_row] = tid

    current = _current_values(ledger, sorted(set(matches.values())), eval_year)
    # Pass 2: the register's values after the row, checked by the register's own rules.
    for row, p in zip(rows, parsed):
        check_cancel(cancel)
        if row.action == DUPLICATE or row.problems:
            row.action = INVALID if row.action != DUPLICATE else DUPLICATE
            continue
        v = p.values
        tid = matches.get(p.excel_row)
        base = dataclasses.replace(current[tid][0]) if tid in current else None
        if tid is not None and base is None:  # deleted between the two reads
            tid = None
        if base is None:
            # A new target is 其他 unless the sheet (or the mapping's default) names its category: a grade of
            # D alone does not make it D类低效, which is the office's decision on the year's list.
            kind = v.get("kind") or (TargetKind.PARCEL if not v.get("credit_code") and v.get("land_cert_no")
                                     else TargetKind.ENTERPRISE)
            base = target_service.TargetValues(kind=kind, category=Category.OTHER)
        elif v.get("kind") and v["kind"] != base.kind:
            row.problems.append(CellProblem(sheet, p.excel_row, letter("kind"),
                                            f"已登记为{base.kind.label}，不能改为{v['kind'].label}（类型不能更改）"))
            row.action = INVALID
            continue
        new = dataclasses.replace(base, town_id=v["_town"][0], revision=None)
        for f, attr in _VALUE_FIELDS.items():
            if f in v:
                setattr(new, attr, v[f])
        if v.get("park"):
            pid = park_index.get((new.town_id, _key(v["park"])))
            if pid is None:
                row.problems.append(CellProblem(sheet, p.excel_row, letter("park"),
                                                f"{v['_town'][1]}没有名为“{v['park']}”的连片整治片区"))
                row.action = INVALID
                continue
            new.contiguous_area_id = pid
        elif tid is not None and base.town_id != new.town_id and base.contiguous_area_id is not None:
            new.contiguous_area_id = None  # a park belongs to the old town
        try:
            new = target_service.clean(new)
        except ValidationError as exc:
            f = _ATTR_FIELD.get(exc.field or "", None)
            row.problems.append(CellProblem(sheet, p.excel_row, letter(f) if f else None, exc.message))
            row.action = INVALID
            continue
        row.final = new
        row.area_mu = new.land_area_mu or Decimal(0)
        row.label = new.name
        if tid is None:
            row.action = CREATE
            continue
        row.target_id, row.revision = tid, current[tid][1]
        old = current[tid][0]
        for attr in _COMPARED:
            before, after = getattr(old, attr), getattr(new, attr)
            if before != after and not (before in (None, "") and after in (None, "")):
                shown = {"town_id": town_names, "contiguous_area_id": park_names}.get(attr)
                row.changes.append((_LABELS.get(attr, attr),
                                    shown.get(before, "") if shown else _fmt(before),
                                    shown.get(after, "") if shown else _fmt(after)))
        row.action = UPDATE if row.changes else UNCHANGED
    preview.rows = rows


# Targets (附件1 任务分解表) -----------------------------------------------------------------------

@dataclass
class _TargetRow:
    town_name: str
    town_id: int | None  # None: a town to create
    area_mu: Decimal
    parks: int


def _preview_targets(ledger: Ledger, preview: LegacyPreview, table: LegacyTable, towns: _TownIndex, progress, cancel) -> None:
    mapping, sheet = preview.mapping, table.sheet
    parsed, default_problems = _parse_rows(table, mapping, TARGET_FIELDS, _title_unit(table.title_lines),
                                           cancel, progress, {"town", "target_area", "target_parks"})
    if default_problems:
        preview.refusal = default_problems[0].message
        return
    with ledger.reader() as s:
        year_id = s.scalar(select(Year.id).where(Year.year == preview.year))
        if year_id is None:
            raise NotFound(f"没有 {preview.year} 年度，请先在“年度参数”中新建该年度")
        existing = {tt.town_id: (tt.id, tt.target_area_mu, tt.target_parks)
                    for tt in s.scalars(select(TownTarget).where(TownTarget.year_id == year_id))}

    def letter(f: str) -> str | None:
        return table.letter(mapping.column_of(f))

    seen: dict[str, int] = {}
    new_towns: list[str] = []
    for p in parsed:
        v = p.values
        row = PreviewRow(p.excel_row, INVALID, label=v.get("town", ""), values=dict(v), problems=list(p.problems))
        preview.rows.append(row)
        if not v.get("town"):
            if not row.problems:
                row.problems.append(CellProblem(sheet, p.excel_row, letter("town"), "镇街不能为空"))
            continue
        hit = towns.find(v["town"])
        name = hit[1] if hit else v["town"]
        if not hit:
            try:
                name = town_service.clean_name(name)
            except ValidationError as exc:
                row.problems.append(CellProblem(sheet, p.excel_row, letter("town"), exc.message))
        k = _key(name)
        if k in seen:
            row.action = DUPLICATE
            row.problems.append(CellProblem(sheet, p.excel_row, letter("town"),
                                            f"与第{seen[k]}行重复（镇街“{name}”相同），本行不导入"))
            continue
        seen[k] = p.excel_row
        if row.problems:
            continue
        row.label = name
        old = existing.get(hit[0]) if hit else None
        area = v.get("target_area")
        parks = v.get("target_parks")
        if old is None:
            final = _TargetRow(name, hit[0] if hit else None, area if area is not None else Decimal(0), parks or 0)
            row.action = CREATE
            if not hit:
                new_towns.append(name)
                row.changes.append(("镇街", "", f"{name}（新建）"))
            row.changes += [("目标面积（亩）", "", _fmt(final.area_mu)), ("目标园区（个）", "", str(final.parks))]
        else:
            final = _TargetRow(name, hit[0], old[1] if area is None else area, old[2] if parks is None else parks)
            row.target_id = old[0]
            if final.area_mu != old[1]:
                row.changes.append(("目标面积（亩）", _fmt(old[1]), _fmt(final.area_mu)))
            if final.parks != old[2]:
                row.changes.append(("目标园区（个）", str(old[2]), str(final.parks)))
            row.action = UPDATE if row.changes else UNCHANGED
        row.final = final
        row.area_mu = final.area_mu
    preview.new_towns = new_towns


# Apply --------------------------------------------------------------------------------------------

class _Stale(Refused):
    """The database changed between preview and apply."""


def outcome_of(preview: LegacyPreview, *, skip_invalid: bool = False, dry_run: bool = False) -> ImportOutcome | None:
    """The outcome when nothing is to be written (a refusal, or a dry run); None when apply should write."""
    summary = preview.summary()
    if preview.refusal:
        return ImportOutcome(ImportSummary(rows_read=summary.rows_read, rejected=summary.rejected,
                                           errors=summary.errors), dry_run=dry_run, refused=preview.refusal)
    if summary.rejected and not skip_invalid:
        message = (f"文件“{preview.file_name}”工作表“{preview.sheet}”有{summary.rejected}行无效或重复，"
                   "整个文件未导入。请修正后重新导入，或选择只导入有效行（--skip-invalid）。")
        return ImportOutcome(ImportSummary(rows_read=summary.rows_read, rejected=summary.rejected,
                                           errors=summary.errors), dry_run=dry_run, refused=message)
    if dry_run:
        return ImportOutcome(summary, applied=False, dry_run=True)
    return None


def apply(ledger: Ledger, preview: LegacyPreview, *, skip_invalid: bool = False, progress: Progress | None = None,
          cancel: CancelToken | None = None) -> ImportOutcome:
    """Write the previewed rows in one transaction and record the import. Any invalid row refuses the file
    unless `skip_invalid`; a cancel, or a change in the database since the preview, writes nothing."""
    early = outcome_of(preview, skip_invalid=skip_invalid)
    if early is not None:
        return early
    summary = preview.summary()
    todo = [r for r in preview.rows if r.action in (CREATE, UPDATE)]
    try:
        with ledger.session() as s:
            # Every row written names the file it came from in the audit log (see audit.SOURCE_KEY).
            s.info["audit_source"] = f"外部表格 {preview.file_name}（{preview.sheet}）"
            try:
                if preview.kind == "enterprises":
                    _write_enterprises(s, preview, todo, progress, cancel)
                else:
                    _write_targets(s, preview, todo, progress, cancel)
                check_cancel(cancel)
                counts = {k: v for k, v in summary.to_json().items() if k != "errors"}
                counts.update(errors=len(summary.errors), sheet=preview.sheet, sha256=preview.sha256,
                              mapping=preview.mapping_name or "", new_towns=len(preview.new_towns))
                s.add(PacketImport(packet_id=uuid.uuid4().hex, direction="import", kind=f"legacy-{preview.kind}",
                                   town_id=None, year=preview.year, file_name=preview.file_name, sha256=None,
                                   user=ledger.user, counts=counts))
                s.flush()
            finally:
                s.info.pop("audit_source", None)
    except _Stale as exc:
        return ImportOutcome(ImportSummary(rows_read=summary.rows_read, errors=[CellProblem(preview.sheet, None, None,
                                                                                            exc.message)]),
                             refused=exc.message)
    except IntegrityError:
        message = "数据库在预览之后已有变动（例如别人刚登记了同一信用代码），未写入任何内容。请重新预览后再导入。"
        return ImportOutcome(ImportSummary(rows_read=summary.rows_read,
                                           errors=[CellProblem(preview.sheet, None, None, message)]), refused=message)
    if progress:
        progress(len(todo), len(todo))
    return ImportOutcome(summary, applied=True)


def _tick(n: int, total: int, s, progress, cancel) -> None:
    check_cancel(cancel)
    if n and n % _FLUSH_EVERY == 0:
        s.flush()
        if progress:
            progress(n, total)


def _write_enterprises(s, preview: LegacyPreview, todo: list[PreviewRow], progress, cancel) -> None:
    eval_year = year_service.params_in_session(s, preview.year).evaluation_year
    source = f"导入：{preview.file_name}"[:200]
    total = len(todo)
    updates = [r for r in todo if r.action == UPDATE]
    n = 0
    for chunk in _chunks(updates):
        ids = [r.target_id for r in chunk]
        targets = {t.id: t for t in s.scalars(select(Target).where(Target.id.in_(ids)))}
        evals = {e.target_id: e for e in s.scalars(
            select(Evaluation).where(Evaluation.target_id.in_(ids), Evaluation.year == eval_year))}
        for r in chunk:
            t = targets.get(r.target_id)
            if t is None or t.revision != r.revision:
                raise _Stale(f"第{r.excel_row}行对应的“{r.label}”在预览之后已被修改或删除，未写入任何内容。请重新预览后再导入。")
            v: target_service.TargetValues = r.final
            for name in target_service.EDITABLE_FIELDS:
                new = getattr(v, name)
                if getattr(t, name) != new:
                    setattr(t, name, new)
            if v.grade is not None:
                ev = evals.get(t.id)
                if ev is None:
                    s.add(Evaluation(target_id=t.id, year=eval_year, grade=v.grade, source=source))
                elif ev.grade != v.grade:
                    ev.grade = v.grade
            n += 1
            _tick(n, total, s, progress, cancel)
    for r in todo:
        if r.action != CREATE:
            continue
        v = r.final
        cls = Target.__mapper__.polymorphic_map[v.kind].class_
        t = cls(**{name: getattr(v, name) for name in target_service.EDITABLE_FIELDS})
        if v.grade is not None:
            t.evaluations.append(Evaluation(year=eval_year, grade=v.grade, source=source))
        s.add(t)
        n += 1
        _tick(n, total, s, progress, cancel)
    s.flush()


def _write_targets(s, preview: LegacyPreview, todo: list[PreviewRow], progress, cancel) -> None:
    year_id = s.scalar(select(Year.id).where(Year.year == preview.year))
    if year_id is None:
        raise _Stale(f"没有 {preview.year} 年度，未写入任何内容")
    towns = {_key(name): tid for tid, name in s.execute(select(Town.id, Town.name))}
    last_order = s.scalar(select(func.max(Town.sort_order))) or 0
    existing = {tt.town_id: tt for tt in s.scalars(select(TownTarget).where(TownTarget.year_id == year_id))}
    for n, r in enumerate(todo, start=1):
        f: _TargetRow = r.final
        town_id = f.town_id if f.town_id is not None else towns.get(_key(f.town_name))
        if town_id is None:
            last_order += 1
            town = Town(name=f.town_name, sort_order=last_order)
            s.add(town)
            s.flush()
            town_id = towns[_key(f.town_name)] = town.id
        tt = existing.get(town_id)
        if tt is None:
            tt = existing[town_id] = TownTarget(town_id=town_id, year_id=year_id, target_area_mu=f.area_mu,
                                                target_parks=f.parks)
            s.add(tt)
        else:
            if tt.target_area_mu != f.area_mu:
                tt.target_area_mu = f.area_mu
            if tt.target_parks != f.parks:
                tt.target_parks = f.parks
        _tick(n, len(todo), s, progress, cancel)
    s.flush()


# The whole import (CLI `zzb import-legacy`) -------------------------------------------------------

def run_import(ledger: Ledger, path, *, kind: str = "enterprises", year: int | None = None, sheet: str | int | None = None,
               mapping_name: str | None = None, skip_invalid: bool = False, dry_run: bool = False,
               progress: Progress | None = None, cancel: CancelToken | None = None) -> ImportOutcome:
    """Read, map (saved mapping or proposed), preview, then apply — or only report with `dry_run`."""
    _check_kind(kind)
    if year is None:
        if kind == "targets":
            raise Refused("导入任务分解表需要指定年度（--year），例如 --year 2024")
        year = year_service.current_year(ledger)
    if year not in year_service.list_years(ledger):
        raise Refused(f"没有 {year} 年度。已有年度：{'、'.join(str(y) for y in year_service.list_years(ledger)) or '无'}")
    mapping = None
    if mapping_name:
        mapping = load_mapping(ledger, mapping_name)
        if mapping.kind != kind:
            raise Refused(f"列对应方案“{mapping_name}”用于导入{KIND_LABELS.get(mapping.kind, mapping.kind)}，"
                          f"不能用于导入{KIND_LABELS[kind]}")
    p = preview(ledger, path, kind=kind, year=year, sheet=sheet, mapping=mapping, mapping_name=mapping_name,
                progress=progress, cancel=cancel)
    early = outcome_of(p, skip_invalid=skip_invalid, dry_run=dry_run)
    if early is not None:
        return early
    return apply(ledger, p, skip_invalid=skip_invalid, progress=progress, cancel=cancel)


__all__ = [
    "ENTERPRISE_FIELDS", "TARGET_FIELDS", "FieldSpec", "FieldSource", "LegacyPreview", "LegacyTable", "Mapping",
    "PreviewRow", "SourceColumn", "apply", "delete_mapping", "field_specs", "list_mappings", "load_mapping",
    "locate_table", "outcome_of", "preview", "preview_table", "propose_mapping", "read_table", "resolve_mapping",
    "run_import", "save_mapping",
]
