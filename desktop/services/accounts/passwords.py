"""Password rules and hashes: Argon2id (argon2-cffi), never a reversible or fast hash.

passlib is not used: it breaks with bcrypt ≥ 4.1, and Argon2id is the current recommendation.
"""

from __future__ import annotations

MIN_LENGTH = 8
RULE = f"至少 {MIN_LENGTH} 个字符，含大写字母、小写字母、数字、符号中的至少三类，不能与用户名相同"  # shown at the field

# Argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile), made on first use: the login dialog
# shows (and checks the rule of) a password before argon2 is loaded (issue 12's start). Tests set a cheap one.
_HASHER = None


def _hasher():
    global _HASHER
    if _HASHER is None:
        from argon2 import PasswordHasher

        _HASHER = PasswordHasher()
    return _HASHER


def _classes(password: str) -> int:
    upper = any(c.isupper() for c in password)
    lower = any(c.islower() for c in password)
    digit = any(c.isdigit() for c in password)
    other = any(not (c.isupper() or c.islower() or c.isdigit()) for c in password)
    return upper + lower + digit + other


def strength_problem(password: str, username: str = "") -> str | None:
    """Why `password` is too weak for `username` (Chinese), or None when it is strong enough."""
    if not password:
        return "密码不能为空"
    if len(password) < MIN_LENGTH:
        return f"密码至少需要 {MIN_LENGTH} 个字符，现为 {len(password)} 个"
    if _classes(password) < 3:
        return "密码须包含大写字母、小写字母、数字、符号中的至少三类"
    name = (username or "").strip().lower()
    if name and password.strip().lower() == name:
        return "密码不能与用户名相同"
    return None


def hash_password(password: str) -> str:
    """A salted Argon2id hash (the salt and parameters are inside the returned string)."""
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """Whether `password` matches `password_hash`; False for an empty or damaged hash."""
    from argon2.exceptions import InvalidHashError, VerificationError

    if not password_hash:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's."""
    from argon2.exceptions import InvalidHashError

    try:
        return _hasher().check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True
