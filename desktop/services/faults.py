"""Storage faults in words a clerk can act on: one place that names disk full, read-only, busy, missing,
not a database, damaged and I/O errors, for the database, backups and every file the program writes.

`kind(exc)` reads an exception (an OSError, a driver error, or SQLAlchemy's wrapper of one, following the
chain of causes) and says which fault it is; `database_error()` and `file_error()` turn it into the
user error with the one sentence for that fault. "文件已损坏或不是数据库" is said only when SQLite itself says
the file is not a database (or is damaged), never for a full disk or a read-only folder.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import sys
from pathlib import Path

from desktop.services.errors import DatabaseError, UserError

BUSY = "busy"
DISK_FULL = "disk_full"
READ_ONLY = "read_only"
MISSING = "missing"
NOT_A_DATABASE = "not_a_database"
DAMAGED = "damaged"
IO_ERROR = "io_error"

# The sentence shown when another PC or program holds the write lock longer than the busy timeout.
BUSY_MESSAGE = "数据库正忙（另一台电脑或程序正在写入），请稍后重试"

_ERRNO_KINDS = {
    errno.ENOSPC: DISK_FULL,
    errno.EDQUOT: DISK_FULL,
    errno.EFBIG: DISK_FULL,
    errno.EROFS: READ_ONLY,
    errno.EACCES: READ_ONLY,
    errno.EPERM: READ_ONLY,
    errno.ENOENT: MISSING,
    errno.ENOTDIR: MISSING,
    errno.EIO: IO_ERROR,
}
# SQLite's primary result codes (sqlite3 exceptions carry them as sqlite_errorname since Python 3.11).
_SQLITE_KINDS = {
    "SQLITE_BUSY": BUSY,
    "SQLITE_LOCKED": BUSY,
    "SQLITE_FULL": DISK_FULL,
    "SQLITE_READONLY": READ_ONLY,
    "SQLITE_PERM": READ_ONLY,
    "SQLITE_CANTOPEN": READ_ONLY,
    "SQLITE_NOTADB": NOT_A_DATABASE,
    "SQLITE_CORRUPT": DAMAGED,
    "SQLITE_IOERR": IO_ERROR,
}
# The same faults by the driver's message, for drivers and versions without result codes.
_MESSAGE_KINDS = (
    ("database is locked", BUSY),
    ("database is busy", BUSY),
    ("database table is locked", BUSY),
    ("database or disk is full", DISK_FULL),
    ("no space left on device", DISK_FULL),
    ("attempt to write a readonly database", READ_ONLY),
    ("unable to open database file", READ_ONLY),
    ("read-only file system", READ_ONLY),
    ("permission denied", READ_ONLY),
    ("file is not a database", NOT_A_DATABASE),
    ("database disk image is malformed", DAMAGED),
    ("disk i/o error", IO_ERROR),
)
# Why a file could not be read or written, as a clause of a longer sentence.
_REASONS = {
    BUSY: "文件正被另一个程序使用",
    DISK_FULL: "磁盘空间已满",
    READ_ONLY: "没有写入权限（文件夹或磁盘只读，或文件正被 Excel/WPS 打开）",
    MISSING: "路径不存在",
    NOT_A_DATABASE: "文件已损坏或不是数据库",
    DAMAGED: "文件已损坏",
    IO_ERROR: "读写磁盘出错（U 盘或移动硬盘可能已拔出，或磁盘损坏）",
}


# PostgreSQL SQLSTATEs (psycopg errors carry them as `sqlstate`; older drivers as `pgcode`).
_SQLSTATE_KINDS = {
    "55P03": BUSY,  # lock_not_available
    "40P01": BUSY,  # deadlock_detected
    "53100": DISK_FULL,  # disk_full
    "25006": READ_ONLY,  # read_only_sql_transaction
    "58030": IO_ERROR,  # io_error
}


def _causes(exc: BaseException):
    """The exception and what it wraps: SQLAlchemy's `orig`, an exception passed as an argument (xlsxwriter's
    FileCreateError(OSError)), the explicit cause — each once. Not __context__: an error raised while some
    unrelated one was being handled is not that one."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop(0)
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo.extend((getattr(e, "orig", None), *(a for a in e.args if isinstance(a, BaseException)), e.__cause__))


def kind(exc: BaseException) -> str | None:
    """Which storage fault `exc` is (BUSY, DISK_FULL, …), or None when it is none of them."""
    for e in _causes(exc):
        if isinstance(e, UserError):
            return None
        name = getattr(e, "sqlite_errorname", None)
        if isinstance(name, str):  # extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_WRITE) by their primary
            found = _SQLITE_KINDS.get("_".join(name.split("_")[:2]))
            if found:
                return found
        state = getattr(e, "sqlstate", None) or getattr(e, "pgcode", None)
        if isinstance(state, str) and state in _SQLSTATE_KINDS:
            return _SQLSTATE_KINDS[state]
        if isinstance(e, OSError) and e.errno in _ERRNO_KINDS:
            return _ERRNO_KINDS[e.errno]
        text = str(e).lower()
        for needle, found in _MESSAGE_KINDS:
            if needle in text:
                return found
    return None


def is_busy(exc: BaseException) -> bool:
    return kind(exc) == BUSY


def reason(exc: BaseException) -> str | None:
    """Why a file could not be read or written, as a clause (“磁盘空间已满”), or None when unknown."""
    return _REASONS.get(kind(exc))


def describe(exc: BaseException) -> str:
    """A short Chinese why for a message that has its own beginning (“备份失败：…”)."""
    if isinstance(exc, UserError):
        return exc.message
    return reason(exc) or str(exc)


def os_reason(exc: OSError) -> str:
    """Why a file could not be written, in words a clerk can act on (the OS's own words when unknown)."""
    return reason(exc) or exc.strerror or str(exc)


def _where(target) -> str:
    if target is None:
        return ""
    if isinstance(target, (str, os.PathLike)) and "://" not in str(target):
        return str(Path(target))
    return str(target)


def database_sentence(fault: str, target=None, detail: str = "") -> str:
    """The one sentence for a fault of the database (its file or server)."""
    where = _where(target)
    at = f"（{where}）" if where else ""
    if fault == BUSY:
        return BUSY_MESSAGE
    if fault == DISK_FULL:
        return (f"磁盘空间已满，数据库无法写入{at}。本次操作未保存，已有数据未受影响；"
                "请清理磁盘或把数据库移到空间充足的位置后重试。")
    if fault == READ_ONLY:
        return (f"无法打开或写入数据库{at}：文件或所在文件夹是只读的，或当前用户没有写入权限。已有数据未受影响；"
                "请把数据库放在可写的文件夹中，或请管理员开放权限。")
    if fault == MISSING:
        return f"数据库文件或所在文件夹不存在{at}。"
    if fault == NOT_A_DATABASE:
        return f"无法打开数据库{' ' + where if where else ''}：文件已损坏或不是数据库" + (f"（{detail}）" if detail else "")
    if fault == DAMAGED:
        return (f"数据库文件已损坏{at}：请在“备份与恢复”中从最近的备份恢复，"
                "或运行 zzb check 查看详情。")
    if fault == IO_ERROR:
        return f"读写数据库时磁盘出错{at}：U 盘或移动硬盘可能已拔出，或磁盘损坏。本次操作未保存，请检查磁盘后重试。"
    raise ValueError(fault)


# Below this many free bytes a write that failed is put down to a full disk.
NEARLY_FULL_BYTES = 1 << 20


def _refine(fault: str, target) -> str:
    """SQLite says “disk I/O error” or “unable to open” when the disk is full or the folder read-only
    (it cannot create its -shm/-wal files): look at the folder to tell which."""
    if fault not in (IO_ERROR, READ_ONLY) or target is None or "://" in str(target):
        return fault
    path = Path(target)
    folder = path.parent
    if not folder.is_dir():
        return MISSING
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):  # no statvfs on Windows
        return fault
    if st.f_flag & getattr(os, "ST_RDONLY", 1):
        return READ_ONLY
    if st.f_bavail * st.f_frsize < NEARLY_FULL_BYTES:
        return DISK_FULL
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return READ_ONLY
    return fault


def database_error(exc: BaseException, target=None) -> DatabaseError | None:
    """The DatabaseError for a storage fault of the database, or None when `exc` is not one."""
    fault = kind(exc)
    if fault is None:
        return None
    fault = _refine(fault, target)
    detail = ""
    if fault == NOT_A_DATABASE:
        detail = str(getattr(exc, "orig", None) or exc)
    return DatabaseError(database_sentence(fault, target, detail))


def file_error(exc: BaseException, path=None, *, action: str = "写入") -> UserError | None:
    """The user error for a file that could not be read or written: a storage fault's sentence, an OS error
    in its own words; None when `exc` is neither."""
    if isinstance(exc, UserError):
        return None
    why = reason(exc)
    if why is None:
        if not isinstance(exc, OSError):
            return None
        why = exc.strerror or str(exc)
    hint = {DISK_FULL: "请清理磁盘或另选一个位置。", READ_ONLY: "请另选一个文件夹。"}.get(kind(exc), "")
    what = f"“{path}”" if path else "文件"
    return UserError(f"无法{action}{what}：{why}。{hint}")


def _is_database_error(exc: BaseException) -> bool:
    # SQLAlchemy's errors only when SQLAlchemy is loaded: none can exist before, and the window's first dialog
    # (which shows errors through this module) comes up before SQLAlchemy is imported.
    sa_exc = sys.modules.get("sqlalchemy.exc")
    kinds = (sqlite3.Error, sa_exc.SQLAlchemyError) if sa_exc is not None else (sqlite3.Error,)
    return any(isinstance(e, kinds) or hasattr(e, "sqlstate") for e in _causes(exc))


def user_error(exc: BaseException) -> UserError | None:
    """Any storage fault as a user error (the CLI's and the window's last resort before “内部错误”)."""
    if isinstance(exc, UserError):
        return exc
    if kind(exc) is None:
        return None
    if _is_database_error(exc):
        return database_error(exc)
    return file_error(exc, next((e.filename for e in _causes(exc) if getattr(e, "filename", None)), None))
