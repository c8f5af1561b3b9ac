"""Backup and restore of a ledger: the database and every attachment in one verified file (.zzbak).

Backing up never writes into the source (a write-protected USB stick backs up fine): the database is
copied through a read-only connection with SQLite's backup API, the backup is recorded in the copy's own
audit log, the copy must pass SQLite's integrity check, and the archive is read back against its manifest
before it gets its final name. Restoring checks the file whole (members and hashes, integrity, schema,
attachment names, its audit chain) on a private copy before the current ledger is touched, then backs the
current state up, copies the database and the attachments in, and records the restore in the restored
ledger's log. An old plain SQLite backup (.sqlite3) is still accepted.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import urllib.parse
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path

from desktop import __version__, paths
from desktop.services import attachment_service, audit, backup_archive, db as dbm, faults
from desktop.services.accounts import permissions
from desktop.services.backup_archive import DATABASE, SUFFIX, Manifest
from desktop.services.clock import SYSTEM_CLOCK, Clock, file_stamp
from desktop.services.errors import DatabaseError, Refused
from desktop.services.ledger import Ledger, os_login
from desktop.services.maintenance_service import (
    SERVER_BACKUP_HINT, display_url, inspect_backup_file, open_readonly, overwrite_database, require_exclusive,
    sha256_of, side_files,
)


def why_not(ledger: Ledger, action: str) -> str | None:
    """Why the ledger's user may not do `action` ("backup", "restore"); None when allowed.

    Backups, restores and their settings are the system administrator's (role None: a trusted caller)."""
    return permissions.why_not(ledger, action)


def require(ledger: Ledger, action: str) -> None:
    permissions.require(ledger, action)


# ---- backup -------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    size: int
    database: str
    attachments: int
    # attachments the ledger names whose files are missing or damaged (file names as attached)
    missing: list[str] = field(default_factory=list)


def default_backup_path(db_path: Path, folder: Path | None = None, *, label: str = "") -> Path:
    """`<stem>[-label]-YYYYmmdd-HHMMSS.zzbak` in the backups folder, never an existing file."""
    folder = folder or paths.backups_dir()
    base = f"{db_path.stem}{'-' + label if label else ''}-{file_stamp()}"
    candidate = folder / f"{base}{SUFFIX}"
    n = 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{base}-{n}{SUFFIX}"
    return candidate


def _stamp(path: Path) -> tuple:
    st = path.stat()
    with path.open("rb") as fh:
        fh.seek(24)
        counter = fh.read(4)  # SQLite's file change counter
    return st.st_mtime_ns, st.st_size, counter


def _copy_live(src: Path, dest: Path) -> None:
    """Copy the live ledger with the backup API without writing a byte (nor a side file) beside it.

    With no -wal beside it nobody is writing: it is read as immutable, and read again properly if the file
    changed meanwhile. With a -wal (the window is open) it is read through a read-only connection, which
    sees the WAL; a write-protected folder that cannot give that connection its -shm falls back to immutable."""
    uri = urllib.parse.quote(str(src.resolve()))
    if not side_files(src)[0].exists():
        before = _stamp(src)
        with closing(sqlite3.connect(f"file:{uri}?mode=ro&immutable=1", uri=True)) as con, \
                closing(sqlite3.connect(str(dest))) as out:
            con.backup(out)
        if _stamp(src) == before:
            return
        dest.unlink()
    try:
        con = sqlite3.connect(f"file:{uri}?mode=ro", uri=True)
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        con = sqlite3.connect(f"file:{uri}?mode=ro&immutable=1", uri=True)
    with closing(con), closing(sqlite3.connect(str(dest))) as out:
        con.backup(out)


def _single_file(path: Path) -> None:
    """Leave WAL: the copy becomes one self-contained file."""
    with closing(sqlite3.connect(str(path))) as con:
        con.execute("PRAGMA journal_mode=DELETE")


def _record_in_copy(copy: Path, user: str, clock: Clock, after: dict) -> None:
    """Record the backup in the copy's own log (a copy at the program's schema; an older one stays as it was)."""
    database = dbm.open_database(copy, migrate=False)
    try:
        if dbm.current_revision(database.engine) == dbm.head_revision():
            with Ledger(database, user=user, clock=clock).session() as s:
                audit.record(s, "备份", "database", label=after["file"], after=after)
    finally:
        database.dispose()
    _single_file(copy)


def _scalar_rows(path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(str(path))) as con:
        return con.execute(sql).fetchall()


def _attachments_of(copy: Path) -> tuple[dict[str, str], list[str]]:
    """{stored hash: a file name} of the copy's attachments, and the names of rows whose stored name is no hash."""
    valid: dict[str, str] = {}
    invalid: list[str] = []
    tables = {r[0] for r in _scalar_rows(copy, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "attachment" not in tables:
        return valid, invalid
    for sha, name in _scalar_rows(copy, "SELECT sha256, file_name FROM attachment ORDER BY id"):
        if attachment_service.is_hash_name(sha):
            valid.setdefault(sha, name)
        else:
            invalid.append(str(name))
    return valid, invalid


def _check_copy(copy: Path) -> None:
    result = [r[0] for r in _scalar_rows(copy, "PRAGMA integrity_check")]
    if result != ["ok"]:
        raise DatabaseError(f"备份失败：数据库副本未通过完整性检查（{'；'.join(result[:3])}），请先运行 zzb check；"
                            "未生成备份文件。")


def write_backup(src: Path, target: Path, *, user: str, clock: Clock = SYSTEM_CLOCK, source_label: str = "",
                 progress=None, token=None) -> BackupResult:
    """Back the SQLite file `src` and its attachments up to `target` (no permission check: callers decide)."""
    with tempfile.TemporaryDirectory(prefix="zzb-backup-") as tmp:
        copy = Path(tmp) / DATABASE
        try:
            _copy_live(src, copy)
            _single_file(copy)
        except (sqlite3.Error, OSError) as exc:
            raise DatabaseError(f"备份失败：读取数据库时出错（{faults.describe(exc)}），未生成备份文件。") from exc
        tables = {r[0] for r in _scalar_rows(copy, "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not dbm.SIGNATURE_TABLES <= tables:
            raise Refused(f"{source_label or src} 不是本程序的数据库，未生成备份文件。")
        _record_in_copy(copy, user, clock, {"file": target.name, "folder": str(target.parent)})
        _check_copy(copy)
        revision = _scalar_rows(copy, "SELECT version_num FROM alembic_version")[0][0]
        found, invalid = _attachments_of(copy)
        manifest = Manifest(__version__, revision, clock.now().isoformat(timespec="seconds"), user,
                            source_label or str(src))
        files = [(sha, attachment_service.stored_path(sha)) for sha in found]
        try:
            written = backup_archive.write(target, copy, files, manifest, progress=progress, token=token)
        except OSError as exc:
            raise DatabaseError(f"备份失败：{faults.file_error(exc, target) or exc}") from exc
    missing = [found[sha] for sha in written.missing] + invalid
    return BackupResult(target, target.stat().st_size, source_label or str(src), len(written.attachments), missing)


def backup(ledger: Ledger, dest: str | os.PathLike | None = None, *, folder: Path | None = None,
           progress=None, token=None) -> BackupResult:
    """Back the ledger (database and attachments) up to `dest`, or to a timestamped file in the backups folder."""
    require(ledger, "backup")
    if not ledger.is_sqlite:
        raise Refused("备份只适用于本机数据库文件。" + SERVER_BACKUP_HINT)
    src = ledger.path
    if src is None or not src.exists():
        raise Refused("数据库文件不存在，无法备份")
    target = Path(dest).expanduser().resolve() if dest else default_backup_path(src, folder)
    if target.exists():
        raise Refused(f"目标文件已存在：{target}（为避免覆盖，请换一个文件名）")
    if target == src.resolve():
        raise Refused("备份文件不能与数据库是同一个文件")
    if not target.parent.is_dir():
        raise Refused(f"目标文件夹不存在：{target.parent}")
    return write_backup(src, target, user=ledger.user, clock=ledger.clock, source_label=display_url(ledger.url),
                        progress=progress, token=token)


# ---- what a backup file holds ------------------------------------------------------------------


@dataclass
class BackupSummary:
    """What the restore confirmation shows, read from a checked private copy."""

    source: Path
    archive: bool
    revision: str
    created_at: str | None
    created_by: str | None
    program_version: str | None
    attachments: int
    chain_intact: bool
    chain_message: str


class ChainWarning(Refused):
    """The file's audit log does not verify: restored only when the administrator confirms (force)."""

    def __init__(self, summary: BackupSummary) -> None:
        super().__init__(f"{summary.source.name} 的操作日志未通过校验：{summary.chain_message}。"
                         "这可能说明备份中的记录被删除或改动过；如确认仍要恢复，请由系统管理员明确确认"
                         "（命令行加 --force）。未做任何恢复。")
        self.summary = summary


@dataclass
class _Prepared:
    summary: BackupSummary
    database: Path  # the private copy, migrated to the program's schema
    manifest: Manifest | None


def _check_attachment_names(copy: Path, label: str) -> None:
    _found, invalid = _attachments_of(copy)
    if invalid:
        raise Refused(f"{label} 中有附件记录的存储名不是哈希值（{'、'.join(invalid[:3])}），文件可能被改动过；"
                      "未做任何恢复。")


def _prepare(source: Path, workdir: Path, *, progress=None, token=None) -> _Prepared:
    """Check `source` whole on a private copy in `workdir`; nothing else is written."""
    if not source.is_file():
        raise Refused(f"文件不存在：{source}")
    copy = workdir / DATABASE
    manifest = None
    if backup_archive.is_archive(source):
        manifest = backup_archive.read_manifest(source, extract_database=copy)
        info = inspect_backup_file(copy, label=source.name)
    else:
        info = inspect_backup_file(source)
        with open_readonly(source) as src, closing(sqlite3.connect(str(copy))) as dest:
            src.backup(dest)
    _check_attachment_names(copy, source.name)
    database = dbm.open_database(copy, backup_dir=workdir)  # migrates the copy, never the ledger
    try:
        chain = audit.check_chain(Ledger(database, user=os_login()))
        with database.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        database.dispose()
    _single_file(copy)
    summary = BackupSummary(source, manifest is not None, info.revision,
                            manifest.created_at if manifest else None, manifest.created_by if manifest else None,
                            manifest.program_version if manifest else None,
                            len(manifest.attachments) if manifest else 0, bool(chain.intact), chain.message)
    return _Prepared(summary, copy, manifest)


def examine(ledger: Ledger, source: str | os.PathLike, *, progress=None, token=None) -> BackupSummary:
    """Check a backup file and say what it holds (for the confirmation before a restore)."""
    require(ledger, "restore")
    with tempfile.TemporaryDirectory(prefix="zzb-restore-") as tmp:
        return _prepare(Path(source).expanduser().resolve(), Path(tmp), progress=progress, token=token).summary


# ---- restore ------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    database: str
    source: Path
    source_sha256: str
    source_revision: str
    revision: str | None
    migrated: bool
    safety_backup: Path | None
    attachments_added: int = 0
    chain_intact: bool = True
    chain_message: str = ""

    def as_dict(self) -> dict:
        d = asdict(self)
        d["source"] = str(self.source)
        d["safety_backup"] = str(self.safety_backup) if self.safety_backup else None
        return d


def _safety_backup(target: Path, folder: Path | None, user: str, clock: Clock) -> Path:
    """Back the current state (database and attachments) up before a restore; a damaged file is kept byte for byte."""
    folder = folder or paths.backups_dir()
    folder.mkdir(parents=True, exist_ok=True)
    dest = default_backup_path(target, folder, label="before-restore")
    try:
        return write_backup(target, dest, user=user, clock=clock).path
    except DatabaseError:
        raw = dest.with_suffix(".sqlite3")
        backup_archive.copy_file(target, raw)
        wal = side_files(target)[0]
        if wal.exists():
            backup_archive.copy_file(wal, Path(str(raw) + "-wal"))
        return raw


def _put_back(safety: Path, target: Path, workdir: Path) -> None:
    if backup_archive.is_archive(safety):
        copy = workdir / "safety.sqlite3"
        backup_archive.read_manifest(safety, extract_database=copy)
        overwrite_database(copy, target, src_readonly=False)
    else:
        overwrite_database(safety, target, src_readonly=False)


def restore(db_arg: str | os.PathLike | None, source: str | os.PathLike, *, backup_folder: Path | None = None,
            force: bool = False, user: str = "", clock: Clock = SYSTEM_CLOCK, progress=None,
            token=None) -> RestoreResult:
    """Replace the database's content (and add the attachments) with a backup file's.

    The caller must have closed every connection to the target first. Refuses a bad file before touching
    anything, and a file whose audit chain does not verify unless `force`; backs the current state up;
    records the restore in the restored ledger's log. If anything fails after the copy, the previous
    database is put back."""
    url = dbm.to_url(db_arg)
    if not dbm.is_sqlite(url):
        raise Refused("恢复只适用于本机数据库文件。" + SERVER_BACKUP_HINT)
    target = dbm.sqlite_path(url)
    if target is None:
        raise Refused("内存数据库无法恢复")
    source = Path(source).expanduser().resolve()
    if target.exists() and source.exists() and target.resolve() == source:
        raise Refused("要恢复的文件就是当前数据库本身")
    user = user or os_login()
    with tempfile.TemporaryDirectory(prefix="zzb-restore-") as tmp:
        workdir = Path(tmp)
        prepared = _prepare(source, workdir, progress=progress, token=token)
        summary = prepared.summary
        if not summary.chain_intact and not force:
            raise ChainWarning(summary)
        digest = sha256_of(source)

        safety = None
        created = not target.exists()
        if target.exists() and target.stat().st_size > 0:
            current = _current_tables(target)
            if current and "alembic_version" not in current:
                raise Refused(f"{target} 不是本程序的数据库，为安全起见不覆盖它。")
            require_exclusive(target)
            try:
                safety = _safety_backup(target, backup_folder, user, clock)
            except (sqlite3.Error, OSError, Refused) as exc:
                raise DatabaseError(f"恢复前备份当前数据失败（{faults.describe(exc)}），未做任何恢复。") from exc

        try:
            overwrite_database(prepared.database, target, src_readonly=False)
            added = 0
            if prepared.manifest is not None:
                added = backup_archive.extract_attachments(source, prepared.manifest, attachment_service.stored_path)
            database = dbm.open_database(url, backup_dir=backup_folder)
            try:
                rev = dbm.current_revision(database.engine)
                result = RestoreResult(display_url(url), source, digest, summary.revision, rev,
                                       rev != summary.revision, safety, added, summary.chain_intact,
                                       summary.chain_message)
                with Ledger(database, user=user, clock=clock).session() as s:
                    audit.record(s, "恢复", "database", label=source.name, after={
                        "source": str(source), "sha256": digest, "source_revision": summary.revision,
                        "revision": rev, "safety_backup": str(safety) if safety else None,
                        "attachments_added": added, "chain": summary.chain_message,
                        "chain_intact": summary.chain_intact, "forced": bool(force and not summary.chain_intact),
                    })
            finally:
                database.dispose()
        except BaseException as exc:
            if safety is not None:
                _put_back(safety, target, workdir)
                raise DatabaseError(f"恢复失败（{faults.describe(exc)}），已还原为恢复前的数据库。") from exc
            if created:
                for p in [target, *side_files(target)]:
                    p.unlink(missing_ok=True)
            raise
    return result


def _current_tables(target: Path) -> set[str] | None:
    try:
        with open_readonly(target) as con:
            return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError:
        return None  # damaged: the safety copy keeps its bytes


def restore_ledger(ledger: Ledger, source: str | os.PathLike, *, force: bool = False,
                   backup_folder: Path | None = None, progress=None, token=None) -> RestoreResult:
    """The window's restore: the administrator's ledger lets go of its connections, then `restore`.

    The engine reconnects to the restored file on its next use."""
    require(ledger, "restore")
    if not ledger.is_sqlite:
        raise Refused("恢复只适用于本机数据库文件。" + SERVER_BACKUP_HINT)
    ledger.dispose()
    return restore(ledger.url, source, backup_folder=backup_folder, force=force, user=ledger.user,
                   clock=ledger.clock, progress=progress, token=token)
