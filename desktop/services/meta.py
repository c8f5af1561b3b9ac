"""This ledger's own settings and secrets, kept in the `ledger_meta` table (key → text).

Settings of the security administrator (lockout, idle lock), of the system administrator
(automatic backups) and secrets that must travel with the office's database (the packet key)
all live here, under dotted keys such as ``security.max_failures`` or ``packet.secret``.
"""

from __future__ import annotations

import json
import secrets as _secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import LedgerMeta


def get(session: Session, key: str, default: str | None = None) -> str | None:
    value = session.scalar(select(LedgerMeta.value).where(LedgerMeta.key == key))
    return default if value is None else value


def put(session: Session, key: str, value: str) -> None:
    row = session.get(LedgerMeta, key)
    if row is None:
        session.add(LedgerMeta(key=key, value=value))
    elif row.value != value:
        row.value = value


def get_json(session: Session, key: str, default=None):
    text = get(session, key)
    if text is None:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def put_json(session: Session, key: str, value) -> None:
    put(session, key, json.dumps(value, ensure_ascii=False, sort_keys=True))


def secret(session: Session, key: str, nbytes: int = 32) -> str:
    """The secret stored under `key` (hex), made from the OS's random source on first use."""
    value = get(session, key)
    if not value:
        value = _secrets.token_hex(nbytes)
        put(session, key, value)
        session.flush()
    return value
