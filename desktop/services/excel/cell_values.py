"""Parsers of one cell's value (as xlsx_reader returns it) into what the ledger stores.

Each returns None for an empty cell and raises ValidationError with a Chinese message for a bad one; the
caller wraps the message into a CellProblem naming sheet, row and column. Placeholders towns type into
number and date cells for “nothing” (/ - — 无) count as empty there, not in text cells.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from desktop.services import credit_code, numbers
from desktop.services.errors import ValidationError
from desktop.services.excel.excel_common import EXCEL_CELL_LIMIT
from desktop.services.excel.xlsx_reader import NO_CACHED_VALUE, CellError

MIN_YEAR, MAX_YEAR = 1990, 2100  # plausible dates in the office's sheets (serial numbers outside are not dates)
_EPOCH = dt.date(1899, 12, 30)  # Excel's 1900 system; serials ≥ 61 count from here (1900-02-29 never existed)
_SERIAL_MIN = (dt.date(MIN_YEAR, 1, 1) - _EPOCH).days
_SERIAL_MAX = (dt.date(MAX_YEAR, 12, 31) - _EPOCH).days

_HSPACE = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")  # horizontal spaces, full-width included
_INVISIBLE = numbers.INVISIBLE
_ALL_SPACE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_PLACEHOLDERS = {"/", "／", "-", "－", "—", "——", "–", "无", "\\"}
_DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
    r"(?:\s*[T ]?\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SCIENTIFIC_RE = re.compile(r"^\d(?:\.\d+)?E\+\d+$", re.IGNORECASE)
_BOOL_WORDS = {
    "是": True, "否": False, "Y": True, "N": False, "YES": True, "NO": False, "TRUE": True, "FALSE": False,
    "1": True, "0": False, "√": True, "×": False, "对": True, "错": False,
}


# ------------------------------------------------------------------ shared helpers


def _check_cell(value, label: str) -> None:
    """Error cells and formulas without a result are refused with what to do about them."""
    if isinstance(value, CellError):
        raise ValidationError(f"{label}的单元格是错误值 {value.code}（公式出错）：请改正公式或直接填写数值后再导入")
    if value is NO_CACHED_VALUE:
        raise ValidationError(f"{label}的单元格是公式但没有计算结果：请在 Excel 或 WPS 中打开并保存后再导入")


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not _ALL_SPACE.sub("", value))


def _is_placeholder(value) -> bool:
    return isinstance(value, str) and _ALL_SPACE.sub("", value) in _PLACEHOLDERS


_number_text = numbers.float_text
_compact = numbers.compact  # for numbers, dates, codes, words


def _float_decimal(value: float) -> Decimal:
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidOperation
    return Decimal(_number_text(value))


# ------------------------------------------------------------------ text


def parse_text(value, *, label: str, max_len: int = EXCEL_CELL_LIMIT, required: bool = False) -> str | None:
    """Text as typed, tidied: trimmed, full-width and odd spaces folded, runs of spaces collapsed; 12.0 → "12"."""
    _check_cell(value, label)
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, float):
        text = _number_text(value)
    elif isinstance(value, Decimal):
        text = format(value.normalize(), "f") if value.is_finite() else str(value)
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    elif isinstance(value, (dt.date, dt.time)):
        text = value.isoformat()
    elif value is None:
        text = ""
    else:
        text = str(value)
    text = _tidy(text)
    if not text:
        if required:
            raise ValidationError(f"{label}不能为空")
        return None
    if len(text) > max_len:
        raise ValidationError(f"{label}过长：有 {len(text)} 个字符，最多 {max_len} 个")
    return text


# text.translate(_INVISIBLE), as a pattern: a text holding none of them is scanned, not rebuilt (4 % of translate's
# time on Chinese text)
_ZERO_WIDTH = re.compile("[" + re.escape("".join(map(chr, _INVISIBLE))) + "]")


def _tidy(text: str) -> str:
    """parse_text's tidying of a text: zero-width characters dropped, horizontal spaces folded, each line trimmed."""
    text = _ZERO_WIDTH.sub("", text)
    if "\n" in text or "\r" in text:
        lines = [_HSPACE.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
        return "\n".join(lines).strip("\n")
    return _HSPACE.sub(" ", text).strip()  # one line, by far the common cell: the same result without splitting


_JOIN = "\x00"  # joins a column's texts: neither a zero-width character nor a horizontal space, nor typed


def tidy_texts(texts: list[str]) -> list[str]:
    """_tidy of each text (str cells of one column), the column at once: joined, zero-width characters dropped
    and spaces folded by one substitution each over the whole, split and trimmed: the same texts at a half of
    the cost. A column holding a line break (or the joining character) is tidied text by text."""
    if not texts:
        return []
    joined = _JOIN.join(texts)
    if "\n" in joined or "\r" in joined or joined.count(_JOIN) != len(texts) - 1:
        return [_tidy(t) for t in texts]
    return [t.strip() for t in _HSPACE.sub(" ", _ZERO_WIDTH.sub("", joined)).split(_JOIN)]


# ------------------------------------------------------------------ dates


def parse_date(value, *, label: str) -> dt.date | None:
    """A date from a date cell, an Excel serial number (1900 system) or text in any common form."""
    _check_cell(value, label)
    if _is_blank(value) or _is_placeholder(value):
        return None
    if isinstance(value, dt.datetime):
        return _check_year(value.date(), value.date().isoformat())
    if isinstance(value, dt.date):
        return _check_year(value, value.isoformat())
    if isinstance(value, dt.time):
        raise ValidationError(f"{label}“{value.isoformat()}”是时间而不是日期（可写成 2024-03-05）")
    if isinstance(value, bool):
        raise ValidationError(f"{label}应为日期，现为“{'TRUE' if value else 'FALSE'}”（可写成 2024-03-05）")
    if isinstance(value, (int, float, Decimal)):
        return _date_from_number(value, label)
    text = _compact(str(value)) if not isinstance(value, str) else _date_text(value)
    m = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if m is None:
        if text.isdigit() and len(text) == 5:  # a serial number stored as text
            return _date_from_number(int(text), label)
        raise ValidationError(f"{label}“{text}”不是可识别的日期（可写成 2024-03-05、2024/3/5 或 2024年3月5日）")
    return _ymd(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)


def _date_text(value: str) -> str:
    """Full-width digits folded, spaces trimmed and collapsed (a space may separate date and time)."""
    text = unicodedata.normalize("NFKC", value).translate(_INVISIBLE)
    return _HSPACE.sub(" ", text).strip()


def _date_from_number(value, label: str) -> dt.date:
    number = float(value)
    if number.is_integer() and 10000101 <= number <= 99991231:  # 20240305 typed as a number
        text = str(int(number))
        m = _COMPACT_DATE_RE.match(text)
        return _ymd(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
    if not _SERIAL_MIN <= number <= _SERIAL_MAX + 1:
        raise ValidationError(
            f"{label}“{_number_text(number)}”是数字而不是日期：作为 Excel 日期序号它不在 {MIN_YEAR}–{MAX_YEAR} 年之间"
            "（请把单元格设为日期格式，或写成 2024-03-05）"
        )
    return _EPOCH + dt.timedelta(days=int(number))


def _ymd(year: int, month: int, day: int, text: str) -> dt.date:
    if not 1 <= month <= 12:
        raise ValidationError(f"“{text}”不是有效日期：月份应为1–12")
    last = calendar.monthrange(year, month)[1] if 1 <= year <= 9999 else 31
    if not 1 <= day <= last:
        raise ValidationError(f"“{text}”不是有效日期：{year}年{month}月的日期应为1–{last}")
    return _check_year(dt.date(year, month, day), text)


def _check_year(day: dt.date, text: str) -> dt.date:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValidationError(f"“{text}”不是有效日期：年份应在{MIN_YEAR}–{MAX_YEAR}之间")
    return day


# ------------------------------------------------------------------ numbers


def _number_cell(value, label: str):
    """A cell's value ready for services/numbers.py, or None for an empty or “nothing” cell."""
    _check_cell(value, label)
    if _is_blank(value) or _is_placeholder(value):
        return None
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        raise ValidationError(f"{label}应为数字，现为日期或时间“{parse_text(value, label=label)}”")
    return value


def parse_decimal(value, *, label: str, allow_negative: bool = False, field: str | None = None) -> Decimal | None:
    """A number: numeric cells without binary noise, numbers stored as text, full-width digits, thousands separators."""
    value = _number_cell(value, label)
    if value is None:
        return None
    try:
        return numbers.parse_decimal(value, label=label, field=field, allow_negative=allow_negative)
    except ValidationError as exc:
        if isinstance(value, str) and "应为数字" in exc.message:
            raise ValidationError(f"{label}应为数字，现为“{parse_text(value, label=label)}”") from None
        raise


def parse_area(value, *, label: str, unit: str = "亩") -> Decimal | None:
    """Area in 亩 (4 places) from a number in `unit` (亩 or m²) or text with its own unit: “12.5亩”, “8000㎡”."""
    value = _number_cell(value, label)
    if value is None:
        return None
    try:
        return numbers.parse_area(value, label=label, unit=unit)
    except ValidationError as exc:
        if isinstance(value, str) and "应为数字" in exc.message:
            raise ValidationError(f"{label}应为数字（可带单位“亩”或“㎡”），现为“{parse_text(value, label=label)}”") from None
        raise


def parse_m2(value, *, label: str, unit: str = "m²") -> Decimal | None:
    """Building area in m² from a number in `unit` or text with its own unit (“1200㎡”, “1.8亩” converts)."""
    value = _number_cell(value, label)
    return None if value is None else numbers.parse_m2(value, label=label, unit=unit)


def parse_int(value, *, label: str, minimum: int | None = 0, maximum: int | None = numbers.MAX_COUNT) -> int | None:
    """A whole number (12, 12.0, “１２”); fractions and numbers outside minimum–maximum are refused."""
    value = _number_cell(value, label)
    return None if value is None else numbers.parse_int(value, label=label, minimum=minimum, maximum=maximum)


# ------------------------------------------------------------------ codes and choices


def parse_credit_code(value, *, label: str = "统一社会信用代码") -> str | None:
    """统一社会信用代码, normalised (upper case, no spaces, full-width folded) and checked against GB 32100."""
    _check_cell(value, label)
    if _is_blank(value):
        return None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return _code_as_number(value, label)
    text = credit_code.normalize(unicodedata.normalize("NFKC", str(value)).translate(_INVISIBLE))
    if _SCIENTIFIC_RE.match(text):
        raise ValidationError(
            f"{label}被存成了数字（{text}），后几位已丢失：请把该列设为文本格式后重新填写"
        )
    problem = credit_code.problem(text)
    if problem:
        raise ValidationError(problem if problem.startswith(label) else f"{label}：{problem}")
    return text


def _code_as_number(value, label: str) -> str:
    try:
        digits = format(_float_decimal(value) if isinstance(value, float) else Decimal(value), "f").split(".")[0]
    except InvalidOperation:
        digits = str(value)
    if len(digits.lstrip("-")) >= 16:  # Excel keeps 15 significant digits: the rest became zeros
        raise ValidationError(f"{label}被存成了数字（{digits}），后几位已丢失：请把该列设为文本格式后重新填写")
    raise ValidationError(f"{label}被存成了数字（{digits}）：应为18位文本，请把该列设为文本格式后重新填写")


def parse_enum(value, enum_cls, *, label: str):
    """A member of a LabelEnum by its Chinese label or English name; the message lists the allowed labels."""
    _check_cell(value, label)
    if _is_blank(value):
        return None
    text = _ALL_SPACE.sub("", parse_text(value, label=label) or "")
    for member in enum_cls:
        if text == member.value or text.upper() == member.name:
            return member
    folded = unicodedata.normalize("NFKC", text)
    for member in enum_cls:
        if folded == unicodedata.normalize("NFKC", member.value):
            return member
    allowed = "、".join(m.value for m in enum_cls)
    raise ValidationError(f"{label}“{text}”不是允许的值，应为：{allowed}")


def parse_bool(value, *, label: str) -> bool | None:
    """是/否, Y/N, TRUE/FALSE, 1/0 (also √/×); a checkbox cell's TRUE/FALSE."""
    _check_cell(value, label)
    if _is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)) and value in (0, 1):
        return bool(value)
    text = _compact(parse_text(value, label=label) or "").upper()
    if text in _BOOL_WORDS:
        return _BOOL_WORDS[text]
    raise ValidationError(f"{label}“{parse_text(value, label=label)}”应为“是”或“否”")
