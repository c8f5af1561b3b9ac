"""统一社会信用代码 (GB 32100-2015): normalise, validate, compute the check character."""

from __future__ import annotations

import operator
import re
from functools import lru_cache

from desktop.services.errors import ValidationError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3**(i) mod 31
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
_FULLWIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"}


def normalize(code: str) -> str:
    """Upper case, full-width folded, every kind of space removed (str.split() splits on the characters \\s
    matches; an ASCII text has nothing to fold: an import normalises each of 20 000 codes twice)."""
    text = str(code)
    if not text.isascii():
        text = text.translate(_FULLWIDTH)
    return "".join(text.split()).upper()


def check_char(first17: str) -> str:
    total = sum(map(operator.mul, map(_INDEX.__getitem__, first17), WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


_ALLOWED = re.compile(f"[{ALPHABET}]*")


@lru_cache(maxsize=1 << 16)  # an import checks each code up to three times (cell, register rules, compare)
def problem(code: str) -> str | None:
    """Why a (normalised) code is wrong, in Chinese, or None when it is valid."""
    if len(code) != 18:
        return f"统一社会信用代码应为18位，现为{len(code)}位"
    bad = [] if _ALLOWED.fullmatch(code) else sorted({ch for ch in code if ch not in _INDEX})
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
