"""Who is acting: the OS user until accounts exist, or the logged-in account."""

from __future__ import annotations

import getpass
import os

_current_user: str | None = None


def current_user() -> str:
    if _current_user:
        return _current_user
    try:
        return getpass.getuser()
    except Exception:  # no login name on some service accounts
        return os.environ.get("USERNAME") or os.environ.get("USER") or "unknown"


def set_current_user(name: str | None) -> None:
    global _current_user
    _current_user = name
