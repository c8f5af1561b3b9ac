"""统一社会信用代码 (GB 32100-2015)."""

from __future__ import annotations

import pytest

from desktop.services import credit_code
from desktop.services.errors import ValidationError

# Codes in licence form; each also passes python-stdnum's cn.uscc, an independent implementation.
KNOWN_VALID = ["91350100M000100Y43", "91110000600037341L", "91310000775785552L", "91440300708461136T"]


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_published_codes_pass(code):
    assert credit_code.problem(code) is None


def test_weights_are_powers_of_three_mod_31():
    assert list(credit_code.WEIGHTS) == [pow(3, i, 31) for i in range(17)]


def test_lower_case_and_spaces_are_accepted_and_stored_upper():
    assert credit_code.validate(" 91350100m000100y43\u3000") == "91350100M000100Y43"


def test_full_width_characters_are_folded():
    assert credit_code.validate("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"


def test_wrong_check_character_names_the_expected_one():
    with pytest.raises(ValidationError, match="第18位应为 3"):
        credit_code.validate("91350100M000100Y44")


def test_forbidden_letters_are_named():
    with pytest.raises(ValidationError, match="I、O"):
        credit_code.validate("91350100M0001O0Y43")


def test_length_is_checked():
    with pytest.raises(ValidationError, match="18位，现为17位"):
        credit_code.validate("91350100M000100Y4")


@pytest.mark.parametrize("body, check", [("91320500MA1XYW120", "8"), ("12345678901234567", "8")])
def test_check_character_agrees_with_the_reference_implementation(body, check):
    # Expected values computed with python-stdnum's cn.uscc.calc_check_digit.
    assert credit_code.check_char(body) == check


def test_check_char_of_every_prefix_round_trips():
    base = "91320500MA1XYW12"
    for ch in credit_code.ALPHABET:
        body = (base + ch)[:17]
        assert credit_code.is_valid(body + credit_code.check_char(body))
