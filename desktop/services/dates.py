"""The one way a typed or cell date is read: every form, importer and the CLI call `parse_date`."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s*[T ]\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
MIN_YEAR, MAX_YEAR = 2000, 2099


def parse_date(value) -> dt.date:
    """A date from a cell or typed text: 2027-01-01, 2027/1/1, 2027.1.1, 2027年1月1日, 20270101,
    or an Excel date cell. Raises ValueError with the reason in Chinese."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f"“{value:g}”是数字而不是日期（请把单元格设为日期格式，或写成 2027-01-01）")
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not text:
        raise ValueError("日期为空")
    m = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if not m:
        raise ValueError(f"“{text}”不是可识别的日期（可写成 2027-01-01、2027/1/1 或 2027年1月1日）")
    year, month, day = (int(g) for g in m.groups())
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"“{text}”的年份 {year} 不在 {MIN_YEAR}–{MAX_YEAR} 之间")
    if not 1 <= month <= 12:
        raise ValueError(f"“{text}”不是有效日期：月份应为 1–12，现为 {month}")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"“{text}”不是有效日期：{year}年{month}月没有{day}日") from None


def cn_date(day: dt.date) -> str:
    """2024年3月5日 (Arabic numerals, no leading zeros), as printed documents write dates (GB/T 9704)."""
    return f"{day.year}年{day.month}月{day.day}日"


def date_text(value: dt.date | None) -> str:
    """A date as the office writes it in tables: 2024-03-05 (empty for None)."""
    return "" if value is None else f"{value.year}-{value.month:02d}-{value.day:02d}"
