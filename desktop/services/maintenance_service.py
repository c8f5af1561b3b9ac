"""Maintenance: initialise, check, back up and restore the ledger database.

Shared by the CLI (`zzb init/check/backup/restore`) and the GUI's admin page. Backups use
SQLite's backup API (consistent while the program runs) and are written as plain single files.
A restore checks the file first (a SQLite database, ours, not newer than the program, intact),
backs the current database up, copies the file's content in, migrates it when older and
records the restore in the audit log. PostgreSQL-compatible servers are backed up with their
own dump tools, not from here.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import urllib.parse
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from desktop import paths
from desktop.models import AuditLog, ContiguousArea, GovernanceList, ListEntry, Target, Town, Year
from desktop.models.enums import TargetKind
from desktop.services import audit, db as dbm, faults, setup_service
from desktop.services.clock import file_stamp
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
            before = _peek(path).revision
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
            "audit_chain": {"ok": self.audit_intact, "first_broken_id": self.audit_first_broken_id},
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
        report.audit_intact, report.audit_first_broken_id = audit.verify_chain(database)
    except SQLAlchemyError as exc:
        report.problems.append(f"读取数据失败：{getattr(exc, 'orig', exc)}")
        return report
    if not report.audit_intact:
        report.problems.append(f"操作日志哈希链断裂：第 {report.audit_first_broken_id} 条记录被改动或其前面的记录被删除")
    return report


# ---- backup -------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    size: int
    database: str


def default_backup_path(db_path: Path, folder: Path | None = None, *, label: str = "") -> Path:
    """`<stem>[-label]-YYYYmmdd-HHMMSS.sqlite3` in the backups folder, never an existing file."""
    folder = folder or paths.backups_dir()
    stamp = file_stamp()
    base = f"{db_path.stem}{'-' + label if label else ''}-{stamp}"
    candidate = folder / f"{base}.sqlite3"
    n = 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{base}-{n}.sqlite3"
    return candidate


def _copy_sqlite(src: Path, dest: Path) -> None:
    """Consistent copy via the backup API, written as one self-contained file (no -wal beside it)."""
    dbm.sqlite_backup(src, dest)
    with closing(sqlite3.connect(str(dest))) as con:
        con.execute("PRAGMA journal_mode=DELETE")


def backup(database: dbm.Database, dest: str | os.PathLike | None = None, *,
           folder: Path | None = None) -> BackupResult:
    """Back the (SQLite) database up to `dest`, or to a timestamped file in the backups folder."""
    if not database.is_sqlite:
        raise Refused("备份只适用于本机数据库文件。" + SERVER_BACKUP_HINT)
    src = database.path
    if src is None or not src.exists():
        raise Refused("数据库文件不存在，无法备份")
    target = Path(dest).expanduser().resolve() if dest else default_backup_path(src, folder)
    if target.exists():
        raise Refused(f"目标文件已存在：{target}（为避免覆盖，请换一个文件名）")
    if target == src.resolve():
        raise Refused("备份文件不能与数据库是同一个文件")
    if not target.parent.is_dir():
        raise Refused(f"目标文件夹不存在：{target.parent}")
    try:
        _copy_sqlite(src, target)
    except (sqlite3.Error, OSError) as exc:
        target.unlink(missing_ok=True)
        raise DatabaseError(f"备份失败：{faults.file_error(exc, target) or exc}") from exc
    size = target.stat().st_size
    with database.session() as s:
        audit.record(s, "备份", "database", label=target.name, after={"file": str(target), "size": size})
    return BackupResult(target, size, display_url(database.url))


# ---- restore ------------------------------------------------------------------------------


@dataclass
class FileInfo:
    """What a SQLite file holds, read without changing it."""

    tables: set[str]
    revision: str | None
    quick_check: list[str]


@contextmanager
def _open_readonly(path: Path) -> Iterator[sqlite3.Connection]:
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


def _peek(path: Path) -> FileInfo:
    with _open_readonly(path) as con:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        rev = None
        if "alembic_version" in tables:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            rev = row[0] if row else None
        return FileInfo(tables, rev, [])


def inspect_backup_file(path: str | os.PathLike) -> FileInfo:
    """Refuse (Refused) a file that is not an intact SQLite database of ours, or one too new."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise Refused(f"文件不存在：{path}")
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise Refused(f"{path.name} 不是 SQLite 数据库文件，未做任何恢复。")
    try:
        with _open_readonly(path) as con:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = dbm.SIGNATURE_TABLES - tables
            if missing:
                raise Refused(f"{path.name} 不是本程序的数据库（缺少 {', '.join(sorted(missing))} 表），未做任何恢复。")
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            rev = row[0] if row else None
            if rev is None:
                raise Refused(f"{path.name} 缺少版本信息，不是完整的本程序数据库，未做任何恢复。")
            if rev not in dbm.known_revisions():
                raise Refused(f"{path.name} 来自更新版本的程序（数据库版本 {rev}，本程序最高支持 {dbm.head_revision()}），"
                              "请先升级专治台账；未做任何恢复。")
            quick = [r[0] for r in con.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as exc:
        if faults.kind(exc) not in (None, faults.NOT_A_DATABASE, faults.DAMAGED):  # locked, disk fault …: not the file
            raise Refused(f"{path.name} 无法读取（{faults.describe(exc)}），未做任何恢复。") from exc
        raise Refused(f"{path.name} 已损坏或无法读取（{exc}），未做任何恢复。") from exc
    if quick != ["ok"]:
        raise Refused(f"{path.name} 已损坏（{'；'.join(quick[:3])}），未做任何恢复。")
    return FileInfo(tables, rev, quick)


@dataclass
class RestoreResult:
    database: str
    source: Path
    source_sha256: str
    source_revision: str
    revision: str | None
    migrated: bool
    safety_backup: Path | None

    def as_dict(self) -> dict:
        d = asdict(self)
        d["source"] = str(self.source)
        d["safety_backup"] = str(self.safety_backup) if self.safety_backup else None
        return d


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _side_files(path: Path) -> list[Path]:
    return [Path(str(path) + "-wal"), Path(str(path) + "-shm")]


def _safety_copy(target: Path, folder: Path | None) -> Path:
    """Back the current database up before a restore; a damaged file is kept byte for byte."""
    dest = default_backup_path(target, folder or paths.backups_dir(), label="before-restore")
    try:
        _copy_sqlite(target, dest)
    except sqlite3.DatabaseError:
        dest.unlink(missing_ok=True)
        shutil.copy2(target, dest)
        wal = _side_files(target)[0]
        if wal.exists():
            shutil.copy2(wal, Path(str(dest) + "-wal"))
    return dest


def _require_exclusive(target: Path) -> None:
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


def _overwrite(src_file: Path, target: Path, *, src_readonly: bool) -> None:
    """Replace the target's content with the source's through the backup API (no other connection open)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with closing(sqlite3.connect(str(target))) as probe:
            # Leave WAL first: folds any -wal into the file and lets a different page size through.
            probe.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.OperationalError:
        raise
    except sqlite3.DatabaseError:  # the current file is damaged beyond SQLite's reach: start it afresh
        for p in [target, *_side_files(target)]:
            p.unlink(missing_ok=True)
    with closing(sqlite3.connect(str(target))) as dst:
        if src_readonly:
            with _open_readonly(src_file) as src:
                src.backup(dst)
        else:
            with closing(sqlite3.connect(str(src_file))) as src:
                src.backup(dst)


def restore(db_arg: str | os.PathLike | None, source: str | os.PathLike, *,
            backup_folder: Path | None = None) -> RestoreResult:
    """Replace the database's content with a backup file's.

    The caller must have closed every connection to the target (dispose the engine) first.
    Refuses a bad file before touching anything; backs the current database up; migrates an
    older backup; records the restore in the audit log. If anything fails after the copy,
    the previous content is put back.
    """
    url = dbm.to_url(db_arg)
    if not dbm.is_sqlite(url):
        raise Refused("恢复只适用于本机数据库文件。" + SERVER_BACKUP_HINT)
    target = dbm.sqlite_path(url)
    if target is None:
        raise Refused("内存数据库无法恢复")
    source = Path(source).expanduser().resolve()
    info = inspect_backup_file(source)
    if target.exists() and target.resolve() == source:
        raise Refused("要恢复的文件就是当前数据库本身")
    digest = _sha256(source)

    safety = None
    created = not target.exists()
    if target.exists() and target.stat().st_size > 0:
        try:
            current = _peek(target)
        except sqlite3.DatabaseError:
            current = None
        if current is not None and current.tables and "alembic_version" not in current.tables:
            raise Refused(f"{target} 不是本程序的数据库，为安全起见不覆盖它。")
        _require_exclusive(target)
        try:
            safety = _safety_copy(target, backup_folder)
        except (sqlite3.Error, OSError) as exc:
            raise DatabaseError(f"恢复前备份当前数据库失败（{faults.describe(exc)}），未做任何恢复。") from exc

    try:
        _overwrite(source, target, src_readonly=True)
        database = dbm.open_database(url, backup_dir=backup_folder)
        try:
            rev = dbm.current_revision(database.engine)
            result = RestoreResult(display_url(url), source, digest, info.revision, rev, rev != info.revision, safety)
            with database.session() as s:
                audit.record(s, "恢复", "database", label=source.name, after={
                    "source": str(source), "sha256": digest, "source_revision": info.revision,
                    "revision": rev, "safety_backup": str(safety) if safety else None,
                })
        finally:
            database.dispose()
    except BaseException as exc:
        if safety is not None:
            _overwrite(safety, target, src_readonly=False)
            raise DatabaseError(f"恢复失败（{faults.describe(exc)}），已还原为恢复前的数据库。") from exc
        if created:
            for p in [target, *_side_files(target)]:
                p.unlink(missing_ok=True)
        raise
    return result
