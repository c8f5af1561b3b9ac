"""统一社会信用代码 (GB 32100-2015): normalise, validate, compute the check character."""

from __future__ import annotations

import re
from functools import lru_cache

from desktop.services.errors import ValidationError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3**(i) mod 31
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
_SPACES = re.compile(r"\s+")
_FULLWIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"}


def normalize(code: str) -> str:
    """Upper case, full-width folded, every kind of space removed."""
    return _SPACES.sub("", str(code).translate(_FULLWIDTH)).upper()


def check_char(first17: str) -> str:
    total = sum(_INDEX[ch] * w for ch, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


@lru_cache(maxsize=1 << 16)  # an import checks each code up to three times (cell, register rules, compare)
def problem(code: str) -> str | None:
    """Why a (normalised) code is wrong, in Chinese, or None when it is valid."""
    if len(code) != 18:
        return f"统一社会信用代码应为18位，现为{len(code)}位"
    bad = sorted({ch for ch in code if ch not in _INDEX})
    if bad:
        return f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、Z、S、V）"
    expected = check_char(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误：第18位应为 {expected}，现为 {code[17]}"
    return None


def validate(code: str, *, field: str = "credit_code") -> str:
    """Normalise and validate; return the stored form or raise ValidationError."""
    norm = normalize(code)
    msg = problem(norm)
    if msg:
        raise ValidationError(msg, field=field)
    return norm


def is_valid(code: str) -> bool:
    return problem(normalize(code)) is None
