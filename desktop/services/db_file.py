"""A ledger file read before SQLAlchemy is loaded: which file a --db argument names, and what the window's
start must know of it (is it ours, at this program's revision, does it have accounts).

Plain sqlite3 through a read-only connection, so nothing is changed, not even the journal mode, and a file
the program refuses keeps every byte. services/db.py reads a file through here too before it opens an engine.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from desktop import paths
from desktop.services import revisions

# models/system.py's User.__tablename__ (the models are what this module is read without).
ACCOUNTS_TABLE = "app_user"
# How long a statement waits for another process's lock before giving up; ZZB_BUSY_TIMEOUT_MS overrides it.
SQLITE_BUSY_TIMEOUT_MS = 5000


def busy_timeout_ms(value: int | None = None) -> int:
    """The busy timeout: `value`, else the environment variable ZZB_BUSY_TIMEOUT_MS, else 5 s."""
    if value is None:
        try:
            value = int(os.environ.get("ZZB_BUSY_TIMEOUT_MS", ""))
        except ValueError:
            value = SQLITE_BUSY_TIMEOUT_MS
    return max(0, int(value))


def chosen(db: str | os.PathLike | None) -> str:
    """The --db argument, else the environment variable ZZB_DB, else the default file in the user-data folder."""
    if db is None or str(db) == "":
        db = os.environ.get("ZZB_DB") or paths.default_db_path()
    return str(db)


def plain_path(db: str | os.PathLike | None) -> Path | None:
    """The absolute path of the SQLite file `db` names, or None when it is a URL (a server, or sqlite://…)."""
    s = chosen(db)
    if "://" in s:
        return None
    return Path(s).expanduser().resolve()


def _read_only(path: Path, timeout_ms: int) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout_ms / 1000)


def _tables_and_revision(con: sqlite3.Connection) -> tuple[set[str], str | None]:
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    rev = None
    if "alembic_version" in tables:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        rev = row[0] if row else None
    return tables, rev


def read_tables_and_revision(path: Path, timeout_ms: int) -> tuple[set[str], str | None]:
    """Table names and Alembic revision of an existing file (raises sqlite3.DatabaseError for one SQLite
    cannot read)."""
    con = _read_only(path, timeout_ms)
    try:
        return _tables_and_revision(con)
    finally:
        con.close()


@dataclass(frozen=True)
class StartFacts:
    """An existing ledger file at this program's revision, and whether it has any account."""

    path: Path
    has_accounts: bool


def ready_to_open(db: str | os.PathLike | None, timeout_ms: int | None = None) -> StartFacts | None:
    """The facts of a ledger file that opens without a migration; None for anything else (a server, a missing
    or empty file, one that is damaged, not ours, older or newer than the program): services/db.open_database
    then opens it the full way, with its backup, its migration and its message for the clerk."""
    path, timeout_ms = plain_path(db), busy_timeout_ms(timeout_ms)
    try:
        if path is None or not path.is_file() or path.stat().st_size == 0:
            return None
        con = _read_only(path, timeout_ms)  # one connection for both questions
        try:
            tables, rev = _tables_and_revision(con)
            if rev is None or rev != revisions.head():
                return None
            has_accounts = (ACCOUNTS_TABLE in tables
                            and con.execute(f"SELECT 1 FROM {ACCOUNTS_TABLE} LIMIT 1").fetchone() is not None)
        finally:
            con.close()
    except (OSError, sqlite3.Error, RuntimeError):  # RuntimeError: the scripts' revisions do not chain
        return None
    return StartFacts(path, has_accounts)
