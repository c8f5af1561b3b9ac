"""Maintenance: initialise and check the ledger database, and read SQLite files without changing them.

Shared by the CLI (`zzb init/check`) and by services/backup_service.py (backup and restore, which use
the file readers below). PostgreSQL-compatible servers are backed up with their own dump tools, not
from here.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import urllib.parse
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from desktop.models import AuditLog, ContiguousArea, GovernanceList, ListEntry, Target, Town, Year
from desktop.models.enums import TargetKind
from desktop.services import audit, db as dbm, faults, setup_service
from desktop.services.errors import DatabaseError, Refused

SQLITE_HEADER = b"SQLite format 3\x00"
SERVER_BACKUP_HINT = "服务器数据库（PostgreSQL、人大金仓、openGauss 等）请使用服务器自带的备份工具（如 pg_dump / pg_restore）。"

# Count key (JSON) → label (text report)
COUNT_LABELS = {
    "years": "年度",
    "towns": "镇街",
    "targets": "治理对象",
    "enterprises": "其中企业",
    "parcels": "其中地块",
    "parks": "连片整治片区",
    "lists": "年度清单",
    "list_entries": "清单条目",
    "audit_records": "操作日志",
}


def display_url(url: str) -> str:
    """The database as shown to people: a file path, or the URL without its password."""
    path = dbm.sqlite_path(url)
    if path is not None:
        return str(path)
    return make_url(url).render_as_string(hide_password=True)


# ---- init ---------------------------------------------------------------------------------


@dataclass
class InitResult:
    database: str
    file_created: bool
    seeded: bool
    revision_before: str | None
    revision: str | None


def init_database(db_arg: str | os.PathLike | None) -> InitResult:
    """Create or migrate the database and seed the first year (idempotent)."""
    url = dbm.to_url(db_arg)
    path = dbm.sqlite_path(url)
    created = path is not None and (not path.exists() or path.stat().st_size == 0)
    before = None
    if path is not None and not created:
        try:
            before = peek(path).revision
        except sqlite3.DatabaseError:
            before = None  # open_database below explains what is wrong with the file
    database = dbm.open_database(url)
    try:
        seeded = setup_service.initialize(database)
        rev = dbm.current_revision(database.engine)
    finally:
        database.dispose()
    return InitResult(display_url(url), created, seeded, before, rev)


# ---- check --------------------------------------------------------------------------------


@dataclass
class CheckReport:
    database: str
    integrity: list[str]
    revision: str | None
    head: str
    counts: dict[str, int] = field(default_factory=dict)
    audit_intact: bool | None = None
    audit_first_broken_id: int | None = None
    audit_message: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def integrity_ok(self) -> bool:
        return self.integrity == ["ok"]

    @property
    def schema_ok(self) -> bool:
        return self.revision == self.head

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {
            "database": self.database,
            "ok": self.ok,
            "integrity": {"ok": self.integrity_ok, "messages": self.integrity},
            "schema": {"current": self.revision, "head": self.head, "ok": self.schema_ok},
            "counts": dict(self.counts),
            "audit_chain": {"ok": self.audit_intact, "first_broken_id": self.audit_first_broken_id,
                            "message": self.audit_message},
            "problems": list(self.problems),
        }


def _counts(s) -> dict[str, int]:
    def n(model, *where) -> int:
        q = select(func.count()).select_from(model.__table__)
        for w in where:
            q = q.where(w)
        return s.scalar(q) or 0

    return {
        "years": n(Year),
        "towns": n(Town),
        "targets": n(Target),
        "enterprises": n(Target, Target.__table__.c.kind == TargetKind.ENTERPRISE),
        "parcels": n(Target, Target.__table__.c.kind == TargetKind.PARCEL),
        "parks": n(ContiguousArea),
        "lists": n(GovernanceList),
        "list_entries": n(ListEntry),
        "audit_records": n(AuditLog),
    }


def check(database: dbm.Database) -> CheckReport:
    """Integrity check, schema revision against the program's, main counts, audit hash chain."""
    integrity = dbm.integrity_check(database)
    report = CheckReport(display_url(database.url), integrity, dbm.current_revision(database.engine),
                         dbm.head_revision())
    if not report.integrity_ok:
        report.problems.append("完整性检查未通过：" + "；".join(integrity[:5]))
    if report.revision is None:
        report.problems.append("数据库尚未建立（请先运行 zzb init）")
        return report
    if not report.schema_ok:
        report.problems.append(f"数据库版本 {report.revision} 低于程序版本 {report.head}，启动程序或运行 zzb init 即可升级")
    try:
        with database.reader() as s:
            report.counts = _counts(s)
        if report.schema_ok:  # an older schema has no keyed chain yet: upgrading seals it
            chain = audit.check_chain(database)
            report.audit_intact, report.audit_first_broken_id = chain.intact, chain.broken_id
            report.audit_message = chain.message
    except (SQLAlchemyError, sqlite3.Error) as exc:
        report.problems.append(f"读取数据失败：{getattr(exc, 'orig', exc)}")
        return report
    if report.audit_intact is False:
        report.problems.append(f"操作日志哈希链：{report.audit_message}")
    return report


# ---- reading database files (restore, backup_service) -------------------------------------


@dataclass
class FileInfo:
    """What a SQLite file holds, read without changing it."""

    tables: set[str]
    revision: str | None
    quick_check: list[str]


@contextmanager
def open_readonly(path: Path) -> Iterator[sqlite3.Connection]:
    """Read a SQLite file without writing a byte: immutable when closed (no -wal), else read-only."""
    uri_path = urllib.parse.quote(str(path.resolve()))
    wal = Path(str(path) + "-wal")
    shm = Path(str(path) + "-shm")
    had = {p: p.exists() for p in (wal, shm)}
    mode = "mode=ro" if had[wal] else "mode=ro&immutable=1"
    con = sqlite3.connect(f"file:{uri_path}?{mode}", uri=True)
    try:
        yield con
    finally:
        con.close()
        for p, existed in had.items():  # a read-only open of a WAL file may leave empty side files
            if not existed and p.exists() and (p is shm or p.stat().st_size == 0):
                try:
                    p.unlink()
                except OSError:
                    pass


def peek(path: Path) -> FileInfo:
    with open_readonly(path) as con:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        rev = None
        if "alembic_version" in tables:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            rev = row[0] if row else None
        return FileInfo(tables, rev, [])


def inspect_backup_file(path: str | os.PathLike, *, label: str = "") -> FileInfo:
    """Refuse (Refused) a file that is not an intact SQLite database of ours, or one too new.

    `label` names the file in messages (the backup file a database copy came out of)."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise Refused(f"文件不存在：{path}")
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    name = label or path.name
    if header != SQLITE_HEADER:
        raise Refused(f"{name} 既不是本程序的备份文件，也不是 SQLite 数据库文件，未做任何恢复。")
    try:
        with open_readonly(path) as con:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = dbm.SIGNATURE_TABLES - tables
            if missing:
                raise Refused(f"{name} 不是本程序的数据库（缺少 {', '.join(sorted(missing))} 表），未做任何恢复。")
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            rev = row[0] if row else None
            if rev is None:
                raise Refused(f"{name} 缺少版本信息，不是完整的本程序数据库，未做任何恢复。")
            if rev not in dbm.known_revisions():
                raise Refused(f"{name} 来自更新版本的程序（数据库版本 {rev}，本程序最高支持 {dbm.head_revision()}），"
                              "请先升级专治台账；未做任何恢复。")
            quick = [r[0] for r in con.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        if faults.kind(exc) not in (None, faults.NOT_A_DATABASE, faults.DAMAGED):  # locked, disk fault …: not the file
            raise Refused(f"{name} 无法读取（{faults.describe(exc)}），未做任何恢复。") from exc
        raise Refused(f"{name} 已损坏或无法读取（{exc}），未做任何恢复。") from exc
    if quick != ["ok"]:
        raise Refused(f"{name} 已损坏（{'；'.join(quick[:3])}），未做任何恢复。")
    return FileInfo(tables, rev, quick)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def side_files(path: Path) -> list[Path]:
    return [Path(str(path) + "-wal"), Path(str(path) + "-shm")]


def require_exclusive(target: Path) -> None:
    """Refuse while another connection (an open program window, another PC) uses the database.

    Leaving WAL mode needs the only connection; it changes no data.
    """
    try:
        with closing(sqlite3.connect(str(target), timeout=1)) as con:
            mode = con.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    except sqlite3.OperationalError as exc:
        if faults.is_busy(exc):
            mode = "busy"
        else:
            raise (faults.database_error(exc, target) or DatabaseError(f"无法打开当前数据库 {target}：{exc}")) from exc
    except sqlite3.DatabaseError:
        return  # a damaged current file: the safety copy below keeps its bytes anyway
    if str(mode).lower() != "delete":
        raise Refused("数据库正被使用（程序窗口或其他电脑未关闭），请先关闭后再恢复；未做任何改动。")


def overwrite_database(src_file: Path, target: Path, *, src_readonly: bool) -> None:
    """Replace the target's content with the source's through the backup API (no other connection open)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with closing(sqlite3.connect(str(target))) as probe:
            # Leave WAL first: folds any -wal into the file and lets a different page size through.
            probe.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.OperationalError:
        raise
    except sqlite3.DatabaseError:  # the current file is damaged beyond SQLite's reach: start it afresh
        for p in [target, *side_files(target)]:
            p.unlink(missing_ok=True)
    with closing(sqlite3.connect(str(target))) as dst:
        if src_readonly:
            with open_readonly(src_file) as src:
                src.backup(dst)
        else:
            with closing(sqlite3.connect(str(src_file))) as src:
                src.backup(dst)
