"""One way to read a number: text typed in a form, a cell's value or a command-line argument becomes a
Decimal or int the ledger can store, or a ValidationError naming the field and the allowed range.

Accepted: full-width digits and signs, thousands separators (, ，), spaces anywhere, numbers stored as
text, a float cell without its binary noise (15 significant digits, as Excel shows it), and for areas a
unit after the number (“12.5亩”, “8000㎡”, “1.2公顷”). Refused: NaN, infinity, more than MAX_DIGITS
digits, and anything outside the range of the quantity.

Ranges: every amount is stored as a scaled 64-bit integer (models/base.py ScaledDecimal: four decimals,
at most about 9.2 × 10¹⁴), so one value up to MAX_AMOUNT (99,999,999.99 — of 亩 that is 66,666 km², more
than any city) always fits, and a whole ledger's sum of such values still fits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from desktop.services.dates import MAX_YEAR, MIN_YEAR  # the work years the ledger (and its holidays) can hold
from desktop.services.errors import ValidationError

MAX_AMOUNT = Decimal("99999999.99")  # one area (亩, m²) or sum of money (万元)
MAX_COUNT = 1_000_000  # a count of things (parks, objects, entries)
MAX_INT = 10**15 - 1  # any other whole number (ids): fits a 64-bit column and a float without loss
MAX_DIGITS = 100  # digits in a typed number; more is a paste accident, not a value

M2_PER_MU = Decimal(10000) / Decimal(15)  # for display; conversions below multiply by 15/10000 exactly
AREA_PLACES = Decimal("0.0001")

# Area units and the words that name them in cells, headers and title lines (after NFKC: ㎡ → m2).
MU, M2, WAN_M2, HECTARE = "亩", "m²", "万m²", "公顷"
UNIT_OF_WORD = {"亩": MU, "平方米": M2, "平米": M2, "m2": M2, "平方": M2, "万平方米": WAN_M2, "万m2": WAN_M2,
                "公顷": HECTARE}
_M2_PER_UNIT = {M2: Decimal(1), WAN_M2: Decimal(10000), HECTARE: Decimal(10000)}  # 亩: see _to_m2
_AREA_TEXT = re.compile(r"([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)(万平方米|万m2|平方米|平米|平方|m2|亩|公顷)?",
                        re.IGNORECASE)
_EXPONENT_CAP = 1000
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))  # zero-width characters
_SPACES = re.compile(r"[\s\u00a0\u3000]+")


@dataclass(frozen=True)
class Range:
    """What one kind of number may be: its unit (said in messages) and its largest value."""

    unit: str
    maximum: Decimal = MAX_AMOUNT


AREA = Range("亩")
AREA_M2 = Range("平方米")
MONEY = Range("万元")
MONEY_PER_MU = Range("万元/亩")
PERCENT = Range("%", Decimal(100))
AMOUNT = Range("")  # any other stored decimal (a rate, a score)


def range_for(field: str | None) -> Range:
    """The range a field holds, by the unit its code name ends with (target_area_mu, amount_wan, …)."""
    name = field or ""
    if name.endswith("_wan_per_mu"):
        return MONEY_PER_MU
    if name.endswith("_pct"):
        return PERCENT
    if name.endswith("_m2"):
        return AREA_M2
    if name.endswith("_mu"):
        return AREA
    if name.endswith("_wan"):
        return MONEY
    return AMOUNT


# ---- reading -----------------------------------------------------------------------------------


def float_text(value: float) -> str:
    """A float as Excel shows it: 15 significant digits, no binary noise (0.1 + 0.2 → "0.3", 12.0 → "12")."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.15g}"


def compact(text: str) -> str:
    """Text with full-width forms folded (NFKC), zero-width characters and every space removed."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text).translate(INVISIBLE))


def clean_text(text: str) -> str:
    """Number text ready for Decimal: compact, without thousands separators."""
    return compact(text).replace(",", "")


def shown(value) -> str:
    """The value as the clerk typed it, short enough for a message."""
    text = float_text(value) if isinstance(value, float) else str(value).strip()
    return text if len(text) <= 24 else f"{text[:16]}…（共 {len(text)} 个字符）"


def _not_a_number(value, label: str, field: str | None) -> ValidationError:
    return ValidationError(f"{label}应为数字，现为“{shown(value)}”", field=field)


def to_decimal(value, *, label: str, field: str | None = None) -> Decimal | None:
    """Any value → a finite Decimal (None for None or blank text); no range is checked here."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValidationError(f"{label}应为数字，现为“{'TRUE' if value else 'FALSE'}”", field=field)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _not_a_number(value, label, field)
        return Decimal(float_text(value))
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        number = value
    else:
        text = clean_text(str(value))
        if not text:
            return None
        if sum(c.isdigit() for c in text) > MAX_DIGITS:
            raise ValidationError(f"{label}位数过多（最多 {MAX_DIGITS} 位数字），现为“{shown(value)}”", field=field)
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _not_a_number(value, label, field) from None
    if not number.is_finite():
        raise _not_a_number(value, label, field)
    # Beyond any range either way: keep arithmetic inside the decimal context (1e999999999 would overflow it).
    if number and number.adjusted() > _EXPONENT_CAP:
        return Decimal(f"{'-' if number < 0 else ''}1e{_EXPONENT_CAP}")
    if number and number.adjusted() < -_EXPONENT_CAP:
        return Decimal(0)
    return number


def limit_text(number, unit: str = "") -> str:
    """99999999.99 → "99,999,999.99 亩"; 100 with % → "100%"."""
    text = format(Decimal(number), ",f")
    if not unit:
        return text
    return text + unit if unit == "%" else f"{text} {unit}"


def in_range(number: Decimal, rng: Range, *, label: str, field: str | None = None, allow_negative: bool = False,
             original=None) -> Decimal:
    """`number` when it lies in the range (0 … maximum, or ± maximum with allow_negative); else ValidationError."""
    if number < 0 and not allow_negative:
        raise ValidationError(f"{label}不能为负数", field=field)
    if abs(number) > rng.maximum:
        bound = "最小 " + limit_text(-rng.maximum, rng.unit) if number < 0 else "最大 " + limit_text(rng.maximum, rng.unit)
        now = shown(number if original is None else original)
        raise ValidationError(f"{label}超出范围：{bound}，现为“{now}”", field=field)
    return number


def parse_decimal(value, *, label: str, field: str | None = None, rng: Range | None = None,
                  allow_negative: bool = False, required: bool = False) -> Decimal | None:
    """A number in the range of `rng` (by default the field's, see range_for); None when empty."""
    number = to_decimal(value, label=label, field=field)
    if number is None:
        if required:
            raise ValidationError(f"{label}不能为空", field=field)
        return None
    return in_range(number, rng or range_for(field), label=label, field=field, allow_negative=allow_negative,
                    original=value)


def check(value, *, label: str, field: str | None = None, rng: Range | None = None,
          allow_negative: bool = False) -> Decimal | None:
    """A value a form already parsed (Decimal, int, float or None), checked again at the service's door."""
    return parse_decimal(value, label=label, field=field, rng=rng, allow_negative=allow_negative)


def _to_m2(number: Decimal, unit: str) -> Decimal:
    return number * 10000 / 15 if unit == MU else number * _M2_PER_UNIT[unit]


def _from_m2(m2: Decimal, unit: str) -> Decimal:
    return m2 * 15 / 10000 if unit == MU else m2 / _M2_PER_UNIT[unit]  # 1 亩 = 10000/15 m², exactly


def m2_to_mu(m2: Decimal) -> Decimal:
    return _from_m2(Decimal(m2), MU).quantize(AREA_PLACES, rounding=ROUND_HALF_UP)


def mu_to_m2(mu: Decimal) -> Decimal:
    return _to_m2(Decimal(mu), MU).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def unit_of(word: str) -> str | None:
    """The area unit a word names (亩, m², 万m², 公顷 and their spellings), or None."""
    if word in (MU, M2, WAN_M2, HECTARE):
        return word
    return UNIT_OF_WORD.get(compact(word).lower())


def split_unit(value, unit: str) -> tuple[object, str]:
    """“12.5亩” → ("12.5", 亩); a value without a unit word keeps `unit`."""
    if isinstance(value, str):
        m = _AREA_TEXT.fullmatch(clean_text(value))
        if m:
            return m.group(1), (unit_of(m.group(2)) if m.group(2) else unit)
    return value, unit


def _area(value, *, label: str, field: str | None, unit: str, into: str, rng: Range) -> tuple[Decimal | None, bool]:
    """An area in `into` from a value in `unit` (or naming its own), refused beyond `rng`; True when converted."""
    number, unit = split_unit(value, unit_of(unit) or into)
    number = to_decimal(number, label=label, field=field)
    if number is None:
        return None, False
    if unit == into:
        return in_range(number, rng, label=label, field=field, original=value), False
    # The limit said in the unit typed, checked before converting (a huge figure must not overflow).
    limit = _from_m2(_to_m2(rng.maximum, into), unit).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    in_range(number, Range(unit, limit), label=label, field=field, original=value)
    return _from_m2(_to_m2(number, unit), into), True


def parse_area(value, *, label: str, field: str | None = None, unit: str = MU) -> Decimal | None:
    """Area in 亩 (four places) from a number in `unit` (亩, m², 万m², 公顷) or text naming its own unit."""
    mu, _converted = _area(value, label=label, field=field, unit=unit, into=MU, rng=AREA)
    return None if mu is None else mu.quantize(AREA_PLACES, rounding=ROUND_HALF_UP)


def parse_m2(value, *, label: str, field: str | None = None, unit: str = M2) -> Decimal | None:
    """Area in m² (building areas) from a number in `unit` or text naming its own unit (“1.8亩” converts)."""
    m2, converted = _area(value, label=label, field=field, unit=unit, into=M2, rng=AREA_M2)
    return m2.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if converted else m2


def parse_int(value, *, label: str, field: str | None = None, minimum: int | None = 0,
              maximum: int | None = MAX_COUNT, required: bool = False) -> int | None:
    """A whole number (12, 12.0, “１２”) between minimum and maximum; None when empty."""
    number = to_decimal(value, label=label, field=field)
    if number is None:
        if required:
            raise ValidationError(f"{label}不能为空", field=field)
        return None
    if number != number.to_integral_value():
        raise ValidationError(f"{label}应为整数，现为 {shown(format(number.normalize(), 'f'))}", field=field)
    if minimum is not None and number < minimum:
        raise ValidationError(f"{label}不能小于 {minimum}，现为 {shown(format(number.normalize(), 'f'))}", field=field)
    top = MAX_INT if maximum is None else maximum
    if number > top:
        raise ValidationError(f"{label}超出范围：最大 {top:,}，现为“{shown(value)}”", field=field)
    return int(number)


def _whole_between(value, low: int, high: int, *, label: str, field: str | None, refusal: str) -> int | None:
    number = to_decimal(value, label=label, field=field)
    if number is None:
        return None
    if number != number.to_integral_value() or not low <= number <= high:
        raise ValidationError(refusal.format(label=label, low=low, high=high, now=shown(value)), field=field)
    return int(number)


def parse_year(value, *, label: str = "年度", field: str | None = "year") -> int | None:
    """A work year the ledger can hold (2000–2099)."""
    return _whole_between(value, MIN_YEAR, MAX_YEAR, label=label, field=field,
                          refusal="{label}应为 {low}–{high} 之间的年份，现为“{now}”")


def parse_month(value, *, label: str = "月份", field: str | None = "month") -> int | None:
    return _whole_between(value, 1, 12, label=label, field=field, refusal="{label}应为{low}–{high}，现为{now}")
