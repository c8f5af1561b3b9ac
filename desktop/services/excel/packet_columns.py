"""The columns of a town's 数据包 and how their values are compared: the packet's schema, in one place.

Identity and office-owned columns are locked; the town fills the progress columns. Every value is
compared in a canonical text form (`canon`), so a value read back from Excel equals the value the
database wrote when nothing was changed, whatever engine read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from desktop.models.enums import Category, LabelEnum, Method, TargetKind

SCHEMA_VERSION = 2  # 2: the identity sheet and the rows are sealed (packet_seal)
KIND = "town-progress"  # 镇街进度数据包
KIND_LABEL = "镇街数据包"

ENTRY_SHEET = "清单条目"
NEW_SHEET = "新增拟治理对象"
HELP_SHEET = "填报说明"
META_SHEET = "_packet"

TITLE_ROW = 1  # Excel rows (1-based) of the entry and new-entry sheets
INFO_ROW = 2
HEADER_ROW = 3
FIRST_DATA_ROW = 4
NEW_ROWS_OFFERED = 300  # blank, unlocked rows with drop-downs on the new-entry sheet

REPORT_DATE_LABEL = "报送日期（镇街填写）"  # monthly packets: row 2, the cell right of this label

TEXT_MAX = 200
NOTE_MAX = 2000


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str  # text | note | int | area | decimal | date | enum | bool
    locked: bool
    width: float
    hint: str = ""  # the input message Excel shows on an editable cell
    choices: tuple[str, ...] = ()
    monthly: bool = False  # only in a packet for a month
    required: bool = False  # new-entry sheet only


def _labels(enum_cls: type[LabelEnum], skip=()) -> tuple[str, ...]:
    return tuple(m.label for m in enum_cls if m not in skip)


ENTRY_COLUMNS: tuple[Column, ...] = (
    Column("entry_id", "条目编号", "int", True, 9),
    Column("target_id", "对象编号", "int", True, 9),
    Column("name", "对象名称", "text", True, 30),
    Column("credit_code", "统一社会信用代码", "text", True, 21),
    Column("target_kind", "对象类型", "text", True, 8),
    Column("category", "治理类别", "text", True, 10),
    Column("grade", "综合评价类别", "text", True, 8),
    Column("park", "所在连片片区", "text", True, 16),
    Column("method", "计划治理方式", "text", True, 12),
    Column("planned_area", "计划治理面积（亩）", "area", True, 11),
    Column("state", "条目状态", "text", True, 10),
    Column("state_reason", "状态说明", "text", True, 18),
    Column("plan_filed", "方案备案日期", "date", True, 12),
    Column("plan_cost", "方案计划成本（万元）", "decimal", True, 11),
    Column("soe", "实施国企", "text", True, 16),
    Column("completed_on", "完成日期", "date", True, 12),
    Column("verified_on", "核实日期", "date", True, 12),
    Column("verified_area", "核实面积（亩）", "area", True, 11),
    Column("address", "地址", "text", False, 26, "企业或地块的地址（最多200字）"),
    Column("legal_rep", "法定代表人", "text", False, 10, "法定代表人姓名"),
    Column("industry", "所属行业", "text", False, 14, "所属行业，如“金属制品业”"),
    Column("land_area", "占地面积（亩）", "area", False, 11, "单位：亩。也可写“8000㎡”，会换算为亩"),
    Column("building_area", "建筑面积（㎡）", "decimal", False, 11, "单位：平方米，填数字"),
    Column("land_cert_no", "不动产权证号", "text", False, 18, "不动产权证（土地证）号"),
    Column("owner", "权利人", "text", False, 14, "土地或房屋的权利人"),
    Column("target_note", "对象备注", "note", False, 20, "关于企业或地块本身的说明"),
    Column("progress", "进展情况", "note", False, 30, "本条目的治理进展、存在问题和下步计划"),
    Column("report_done", "本月报送完成", "bool", False, 10,
           "本月已完成治理的条目填“是”（仅“实施中”的条目可报送完成）", ("是", "否"), monthly=True),
    Column("report_area", "本月完成面积（亩）", "area", False, 11,
           "报送完成时填写完成面积（亩）；不填按计划治理面积", monthly=True),
    Column("report_note", "报送说明", "note", False, 20, "报送完成的说明（可不填）", monthly=True),
)

NEW_COLUMNS: tuple[Column, ...] = (
    Column("name", "对象名称", "text", False, 30, "企业名称或地块名称（必填）", required=True),
    Column("credit_code", "统一社会信用代码", "text", False, 21, "企业填18位代码；地块不填"),
    Column("target_kind", "对象类型", "enum", False, 9, "企业或地块", _labels(TargetKind)),
    Column("category", "治理类别", "enum", False, 12, "不填为“其他”", _labels(Category, skip=(Category.CONTIGUOUS,))),
    Column("address", "地址", "text", False, 26, "地址"),
    Column("land_area", "占地面积（亩）", "area", False, 11, "单位：亩"),
    Column("method", "计划治理方式", "enum", False, 12, "收储、收购、再利用或企业自主技改（必填）",
           _labels(Method), required=True),
    Column("planned_area", "计划治理面积（亩）", "area", False, 11, "单位：亩（必填，大于0）", required=True),
    Column("progress", "备注", "note", False, 30, "说明（可不填）"),
)


def entry_columns(monthly: bool) -> tuple[Column, ...]:
    return tuple(c for c in ENTRY_COLUMNS if monthly or not c.monthly)


# Canonical text ------------------------------------------------------------------------------

_QUANTUM = Decimal("0.0001")


def canon_text(value: str | None) -> str:
    """Trimmed, every run of whitespace (also full-width and non-breaking spaces) one plain space."""
    return " ".join(value.split()) if value else ""


def canon_number(value) -> str:
    """A number as text with at most four decimals and no trailing zeros: 12.5000 → "12.5"."""
    if value is None or value == "":
        return ""
    try:
        d = value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(value, float) else str(value))
        d = d.quantize(_QUANTUM, rounding=ROUND_HALF_UP).normalize()
    except (InvalidOperation, ValueError):
        return canon_text(str(value))
    text = format(d, "f")
    return "0" if text in ("-0", "") else text


def _canon_int(value: int) -> str:
    return str(value)


def _canon_date(value: dt.date) -> str:
    return value.isoformat()


def _canon_datetime(value: dt.datetime) -> str:
    return value.date().isoformat()


def _canon_bool(value: bool) -> str:
    return "是" if value else "否"


_CANON_BY_TYPE = {str: canon_text, int: _canon_int, bool: _canon_bool, float: canon_number, Decimal: canon_number,
                  dt.date: _canon_date, dt.datetime: _canon_datetime, type(None): lambda _v: ""}


def canon(value) -> str:
    """The comparable text of any value the database or a sheet may hold."""
    fn = _CANON_BY_TYPE.get(type(value))
    if fn is not None:
        return fn(value)
    if isinstance(value, LabelEnum):
        return value.label
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)):
        return canon_number(value)
    return canon_text(str(value))
