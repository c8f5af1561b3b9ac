"""导入外部表格, the words: what each kind of import knows (fields, header synonyms, units, the words of a
category or grade) and the text helpers every step shares."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal

from desktop.models.enums import Category, TargetKind
from desktop.services import numbers
from desktop.services.errors import ValidationError


KINDS = ("enterprises", "targets")
KIND_LABELS = {"enterprises": "治理对象", "targets": "任务分解表"}

CREATE, UPDATE, UNCHANGED, INVALID, DUPLICATE = "create", "update", "unchanged", "invalid", "duplicate"
SKIPPED_LABELS = {"totals": "合计行", "blank": "空行", "sections": "分节标题行", "headers": "重复的表头行"}
ACTION_LABELS = {CREATE: "新建", UPDATE: "更新", UNCHANGED: "未变", INVALID: "有错误", DUPLICATE: "表内重复"}

MU, M2, WAN_M2, HECTARE = numbers.MU, numbers.M2, numbers.WAN_M2, numbers.HECTARE
AREA_UNITS = (MU, M2, WAN_M2, HECTARE)
HEADER_SCAN_ROWS = 40  # the header is looked for among the first 40 non-blank rows
MAPPING_NAME_MAX = 60
IDS_PER_QUERY = 500  # ids per IN (...) query
FLUSH_EVERY = 1000


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

SPECS = {"enterprises": ENTERPRISE_FIELDS, "targets": TARGET_FIELDS}
REQUIRED = {"enterprises": ("name", "town"), "targets": ("town",)}
# Register attribute (target_service.TargetValues) → import field, to place clean()'s errors on a column.
ATTR_FIELD = {"name": "name", "town_id": "town", "credit_code": "credit_code", "land_area_mu": "land_area",
               "building_area_m2": "building_area", "address": "address", "legal_rep": "legal_rep",
               "industry": "industry", "category": "category", "kind": "kind", "grade": "grade", "note": "note",
               "land_cert_no": "land_cert_no", "owner": "owner", "contiguous_area_id": "park"}

CATEGORY_WORDS = {
    "d类低效": Category.D_CLASS, "d类": Category.D_CLASS, "d类企业": Category.D_CLASS, "低效": Category.D_CLASS,
    "低质低效": Category.D_CLASS, "低质低效企业": Category.D_CLASS, "d类低效企业": Category.D_CLASS,
    "点状问题": Category.POINT, "点状": Category.POINT, "点状问题企业": Category.POINT,
    "连片整治": Category.CONTIGUOUS, "连片": Category.CONTIGUOUS, "连片整治企业": Category.CONTIGUOUS,
    "其他": Category.OTHER, "其它": Category.OTHER,
}
KIND_WORDS = {"企业": TargetKind.ENTERPRISE, "地块": TargetKind.PARCEL, "码头": TargetKind.PARCEL}


def field_specs(kind: str) -> tuple[FieldSpec, ...]:
    """The fields a kind of import knows, in the order the mapping dialog lists them."""
    check_kind(kind)
    return SPECS[kind]


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValidationError(f"未知的导入内容“{kind}”，应为 enterprises（治理对象）或 targets（任务分解表）", field="kind")


# Text helpers -------------------------------------------------------------------------------------



def header_key(text) -> str:
    """A header or name for comparison: NFKC (full-width folded), lower case, no spaces or markers."""
    if text is None:
        return ""
    return _key(text if type(text) is str else str(text))


@lru_cache(maxsize=1 << 16)  # towns, headers and names recur across rows and passes
def _key(text: str) -> str:
    return _folded(text).strip(_MARKERS)


_MARKERS = "*※★:："


def _folded(text: str) -> str:
    """NFKC, lower case, no whitespace (str.split() splits on exactly the characters \\s matches, a test holds)."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


_JOIN = "\x00"  # joins texts for header_keys: a starter that composes with nothing, no space, not cased, not typed


def header_keys(texts: list[str]) -> list[str]:
    """header_key of each text, the texts at once: joined by NUL, normalised, lower-cased and stripped of spaces as
    one string (NFKC and lower() do not act across a NUL: it is a starter no character composes with, and it is
    neither cased nor case-ignorable for the final sigma), then split. The same keys as one by one, at a fifth of
    the cost; texts holding a NUL go one by one."""
    if not texts:
        return []
    joined = _JOIN.join(texts)
    if joined.count(_JOIN) != len(texts) - 1:
        return [header_key(t) for t in texts]
    folded = _folded(joined)
    parts = folded.split(_JOIN)
    if any(m in folded for m in _MARKERS):
        return [p.strip(_MARKERS) for p in parts]
    return parts


def strip_paren(key: str) -> str:
    return re.sub(r"[(\[【][^)\]】]*[)\]】]", "", key)


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_blank_row(values) -> bool:
    for v in values:  # is_blank inline: a row is looked at two or three times, a cell a call each
        if v is not None and (not isinstance(v, str) or v.strip()):
            return False
    return True


def header_text(value) -> str:
    """A header cell as shown: line breaks and stray spaces dropped inside Chinese text."""
    if is_blank(value):
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


def fmt_value(value) -> str:
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
