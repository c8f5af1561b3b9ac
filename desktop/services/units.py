"""Area and money units: 亩 is the unit of record; m² input is converted (1 亩 = 10000/15 m²)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from desktop.services.errors import ValidationError

M2_PER_MU = Decimal(10000) / Decimal(15)
AREA_PLACES = Decimal("0.0001")
_FULLWIDTH_DIGITS = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９．－＋"}
_UNIT_RE = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*(亩|平方米|平米|㎡|m2|m²)?\s*$", re.IGNORECASE)


def m2_to_mu(m2: Decimal) -> Decimal:
    return (Decimal(m2) / M2_PER_MU).quantize(AREA_PLACES, rounding=ROUND_HALF_UP)


def mu_to_m2(mu: Decimal) -> Decimal:
    return (Decimal(mu) * M2_PER_MU).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def parse_decimal(text, *, field: str, label: str, allow_negative: bool = False, allow_empty: bool = True) -> Decimal | None:
    """A number from user text: full-width digits and thousands separators accepted."""
    if text is None or (isinstance(text, str) and not text.strip()):
        if allow_empty:
            return None
        raise ValidationError(f"{label}不能为空", field=field)
    if isinstance(text, (int, float, Decimal)):
        value = Decimal(str(text))
    else:
        s = str(text).translate(_FULLWIDTH_DIGITS).replace(",", "").replace("，", "").strip()
        try:
            value = Decimal(s)
        except InvalidOperation:
            raise ValidationError(f"{label}应为数字，现为“{text}”", field=field) from None
    if not value.is_finite():
        raise ValidationError(f"{label}应为数字，现为“{text}”", field=field)
    if value < 0 and not allow_negative:
        raise ValidationError(f"{label}不能为负数", field=field)
    return value


def parse_area(text, *, unit: str = "亩", field: str = "land_area_mu", label: str = "面积") -> Decimal | None:
    """Area in 亩 from a number plus a unit ("亩" or "m²"), or from text like “12.5亩” / “8000㎡”."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, str):
        m = _UNIT_RE.match(text.translate(_FULLWIDTH_DIGITS).replace(",", ""))
        if m and m.group(2):
            unit = "亩" if m.group(2) == "亩" else "m²"
            text = m.group(1)
    value = parse_decimal(text, field=field, label=label)
    if value is None:
        return None
    if unit in ("m²", "m2", "平方米", "㎡"):
        return m2_to_mu(value)
    return value.quantize(AREA_PLACES, rounding=ROUND_HALF_UP)


def fmt(value: Decimal | None, places: int = 2) -> str:
    if value is None:
        return ""
    q = Decimal(1).scaleb(-places)
    return f"{Decimal(value).quantize(q, rounding=ROUND_HALF_UP):,}"
