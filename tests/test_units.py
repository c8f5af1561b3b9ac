"""Units: 亩 is the unit of record; m² converts at 10000/15 m² per 亩."""

from __future__ import annotations

from decimal import Decimal

import pytest

from desktop.services import units
from desktop.services.errors import ValidationError


def test_square_metres_convert_to_mu():
    assert units.parse_area("6666.67", unit="m²") == Decimal("10.0000")
    assert units.m2_to_mu(Decimal("666.6667")) == Decimal("1.0000")


def test_text_with_a_unit_overrides_the_default_unit():
    assert units.parse_area("12.5亩", unit="m²") == Decimal("12.5000")
    assert units.parse_area("８０００㎡") == Decimal("12.0000")


def test_thousands_separators_and_full_width_digits():
    assert units.parse_decimal("１,２３４.５", field="x", label="面积") == Decimal("1234.5")


def test_negative_area_is_refused_with_the_field_named():
    with pytest.raises(ValidationError) as err:
        units.parse_area("-3", field="land_area_mu", label="占地面积")
    assert err.value.field == "land_area_mu"
    assert "不能为负数" in err.value.message


def test_non_numbers_are_refused_with_the_text_quoted():
    with pytest.raises(ValidationError, match="“十二亩”"):
        units.parse_area("十二亩", label="面积")


def test_empty_is_none():
    assert units.parse_area("  ") is None
