"""Area and money units: 亩 is the unit of record; m² input is converted (1 亩 = 10000/15 m²).

The forms' entry points; the reading itself (full-width digits, separators, units, ranges) is
services/numbers.py.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from desktop.services import numbers
from desktop.services.numbers import AREA_PLACES, M2_PER_MU, m2_to_mu, mu_to_m2  # noqa: F401  (the units' API)


def parse_decimal(text, *, field: str | None, label: str, allow_negative: bool = False,
                  allow_empty: bool = True) -> Decimal | None:
    """A number from user text, in the range of its field (numbers.range_for: _mu, _wan, _pct …)."""
    return numbers.parse_decimal(text, label=label, field=field, allow_negative=allow_negative,
                                 required=not allow_empty)


def parse_area(text, *, unit: str = "亩", field: str | None = "land_area_mu", label: str = "面积") -> Decimal | None:
    """Area in 亩 from a number plus a unit ("亩" or "m²"), or from text like “12.5亩” / “8000㎡”."""
    return numbers.parse_area(text, label=label, field=field, unit=unit)


def fmt(value: Decimal | None, places: int = 2) -> str:
    if value is None:
        return ""
    q = Decimal(1).scaleb(-places)
    return f"{Decimal(value).quantize(q, rounding=ROUND_HALF_UP):,}"
