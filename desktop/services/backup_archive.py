"""The backup file (.zzbak): one zip holding the database copy, every attachment and a manifest.

    manifest.json          format, program version, schema revision, created at/by, and for every
                           member its sha256 and size
    ledger.sqlite3         the database, copied with SQLite's backup API
    attachments/<sha256>   each attached file under its content hash

Written to `<name>.part`, read back and checked against the manifest, then renamed: a backup killed
half-way leaves only a `.part` file that no restore accepts. Reading checks every member's name, size
and hash before anything is extracted; a member name is never used as a path.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from desktop.services.attachment_service import is_hash_name
from desktop.services.errors import Refused

SUFFIX = ".zzbak"
FORMAT = "zzb-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "ledger.sqlite3"
ATTACHMENTS = "attachments/"
CHUNK = 1 << 20
ZIP_MAGIC = b"PK\x03\x04"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Member:
    name: str
    sha256: str
    size: int


@dataclass
class Manifest:
    program_version: str
    schema_revision: str | None
    created_at: str
    created_by: str
    source: str
    members: list[Member] = field(default_factory=list)
    # attachments the ledger names but the store lacks (or holds damaged) when the backup was made
    missing: list[str] = field(default_factory=list)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")

    @property
    def attachments(self) -> list[Member]:
        return [m for m in self.members if m.name.startswith(ATTACHMENTS)]

    @property
    def database(self) -> Member:
        return next(m for m in self.members if m.name == DATABASE)


def is_archive(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(len(ZIP_MAGIC)) == ZIP_MAGIC


def _check_cancel(token) -> None:
    if token is not None and token.cancelled:
        raise Refused("已取消，未生成备份文件。")


class _Tally:
    """Progress in bytes over the whole archive."""

    def __init__(self, total: int, progress: Progress | None, token) -> None:
        self.done, self.total, self.progress, self.token = 0, max(total, 1), progress, token

    def add(self, n: int) -> None:
        self.done += n
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)
        _check_cancel(self.token)


def _copy_hashing(src, dst, tally: _Tally | None) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    for block in iter(lambda: src.read(CHUNK), b""):
        h.update(block)
        size += len(block)
        if dst is not None:
            dst.write(block)
        if tally is not None:
            tally.add(len(block))
    return h.hexdigest(), size


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some network shares do not sync; the rename below still comes after the close
        pass
    finally:
        os.close(fd)


def write(dest: Path, database: Path, attachments: Iterable[tuple[str, Path]], manifest: Manifest, *,
          progress: Progress | None = None, token=None) -> Manifest:
    """Write the archive to `dest` through `<dest>.part`, verify it, rename it. Returns the manifest written.

    `attachments` are (sha256, stored file) pairs; a file whose content does not match its name is
    left out and listed as missing, so a restore never brings back a damaged file as evidence."""
    attachments = list(attachments)
    total = database.stat().st_size + sum(p.stat().st_size for _, p in attachments if p.is_file())
    tally = _Tally(total * 2, progress, token)  # written once, read back once
    part = dest.with_name(dest.name + ".part")
    try:
        with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as z:
            with database.open("rb") as src, z.open(DATABASE, "w", force_zip64=True) as out:
                digest, size = _copy_hashing(src, out, tally)
            manifest.members = [Member(DATABASE, digest, size)]
            for sha, path in attachments:
                name = ATTACHMENTS + sha
                info = zipfile.ZipInfo(name)
                info.compress_type = zipfile.ZIP_STORED  # scans and photos are compressed already
                try:
                    with path.open("rb") as src, z.open(info, "w", force_zip64=True) as out:
                        digest, size = _copy_hashing(src, out, tally)
                except FileNotFoundError:
                    manifest.missing.append(sha)
                    continue
                if digest != sha:
                    manifest.missing.append(sha)  # damaged in the store; it stays in the zip but unlisted
                    continue
                manifest.members.append(Member(name, digest, size))
            z.writestr(MANIFEST, manifest.to_json())
        _fsync(part)
        read_manifest(part, tally=tally)
        os.replace(part, dest)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return manifest


def _member_name_ok(name: str) -> bool:
    if name in (DATABASE, MANIFEST):
        return True
    return name.startswith(ATTACHMENTS) and is_hash_name(name[len(ATTACHMENTS):])


def _parse_manifest(raw: bytes, label: str) -> Manifest:
    try:
        data = json.loads(raw.decode("utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError("format")
        if int(data.get("format_version", 0)) > FORMAT_VERSION:
            raise Refused(f"{label} 由更新版本的程序制作，请先升级专治台账；未做任何恢复。")
        members = [Member(str(m["name"]), str(m["sha256"]), int(m["size"])) for m in data["members"]]
        manifest = Manifest(str(data["program_version"]), data.get("schema_revision"), str(data["created_at"]),
                            str(data["created_by"]), str(data.get("source", "")), members,
                            [str(x) for x in data.get("missing", [])])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise Refused(f"{label} 的清单（manifest.json）无法读取，不是完整的备份文件；未做任何恢复。") from exc
    names = [m.name for m in members]
    if DATABASE not in names or len(set(names)) != len(names) or not all(_member_name_ok(n) for n in names):
        raise Refused(f"{label} 的清单内容不合规（文件名不合规或缺少数据库）；未做任何恢复。")
    return manifest


def read_manifest(path: Path, *, extract_database: Path | None = None, tally: _Tally | None = None) -> Manifest:
    """Check the archive whole (names, sizes, hashes of every listed member); optionally extract the database.

    Raises Refused naming the first problem; nothing outside `extract_database` is written."""
    label = path.name
    try:
        with zipfile.ZipFile(path) as z:
            try:
                raw = z.read(MANIFEST)
            except KeyError:
                raise Refused(f"{label} 不是本程序的备份文件（缺少清单 manifest.json）；未做任何恢复。") from None
            manifest = _parse_manifest(raw, label)
            present = {i.filename: i for i in z.infolist()}
            for m in manifest.members:
                if m.name not in present:
                    raise Refused(f"{label} 缺少文件 {m.name}，备份不完整；未做任何恢复。")
                if present[m.name].file_size != m.size:
                    raise Refused(f"{label} 中的 {m.name} 大小与清单不符，备份已被改动或损坏；未做任何恢复。")
                target = extract_database if m.name == DATABASE else None
                with z.open(m.name) as src:
                    if target is not None:
                        with target.open("wb") as out:
                            digest, _ = _copy_hashing(src, out, tally)
                    else:
                        digest, _ = _copy_hashing(src, None, tally)
                if digest != m.sha256 or (m.name.startswith(ATTACHMENTS) and digest != m.name[len(ATTACHMENTS):]):
                    raise Refused(f"{label} 中的 {m.name} 与清单的哈希值不符，备份已被改动或损坏；未做任何恢复。")
    except zipfile.BadZipFile as exc:
        raise Refused(f"{label} 已损坏或不完整（{exc}），未做任何恢复。") from exc
    except OSError as exc:
        raise Refused(f"{label} 无法读取（{exc.strerror or exc}），未做任何恢复。") from exc
    return manifest


def extract_attachments(path: Path, manifest: Manifest, stored_path: Callable[[str], Path], *,
                        progress: Progress | None = None, token=None) -> int:
    """Copy the archive's attachments into the store (those it lacks), each checked against its hash
    and renamed into place only when whole. Returns how many files were added."""
    added = 0
    todo = [m for m in manifest.attachments if not stored_path(m.sha256).is_file()]
    tally = _Tally(sum(m.size for m in todo), progress, token)
    with zipfile.ZipFile(path) as z:
        for m in todo:
            dest = stored_path(m.sha256)
            dest.parent.mkdir(parents=True, exist_ok=True)
            part = dest.with_name(dest.name + ".part")
            with z.open(m.name) as src, part.open("wb") as out:
                digest, _ = _copy_hashing(src, out, tally)
            if digest != m.sha256:
                part.unlink(missing_ok=True)
                raise Refused(f"{path.name} 中的 {m.name} 与清单的哈希值不符；附件未恢复。")
            part.replace(dest)
            added += 1
    return added


def copy_file(src: Path, dest: Path) -> None:
    """A plain byte copy through `<dest>.part` and a rename (a damaged database kept as it is)."""
    part = dest.with_name(dest.name + ".part")
    try:
        shutil.copyfile(src, part)
        os.replace(part, dest)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
