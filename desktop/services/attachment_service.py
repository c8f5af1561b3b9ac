"""附件 / 证明材料: files kept in the data folder under their content hash, linked to any object.

The same file attached twice (to one object or many) is stored once. Links are rows of the
`attachment` table (object_type = a table name, object_id); removing a link never deletes a file
another link still uses.

Opening: the store names files by hash with no extension, so the system knows no program for them.
`file_to_open` hands out a named read-only copy, <data folder>/tmp/open/<attachment id>/<original
name>, made again when missing. A copy rather than storing the extension: the store stays one file
per content (the same scan attached as 协议.pdf and 扫描件.PDF), no migration touches the files, and
the viewer's title bar shows the name the clerk attached. Read-only, so an edit in the viewer can
never pass for the evidence.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from desktop import paths
from desktop.models import Attachment
from desktop.services.errors import NotFound, ValidationError
from desktop.services.ledger import Ledger

CHUNK = 1 << 20
MAX_BYTES = 512 * 1024 * 1024  # a scan or photo set beyond this is surely a mistake
MAX_NAME = 120
# A stored file's name is its SHA-256 in lower-case hex and nothing else: a name read from the database
# (a restored or edited file may carry "../victim.txt") is checked before any file is touched.
HASH_NAME = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class AttachmentRow:
    id: int
    file_name: str
    size: int
    sha256: str
    description: str
    object_type: str
    object_id: int


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def is_hash_name(name: object) -> bool:
    return isinstance(name, str) and HASH_NAME.fullmatch(name) is not None


def stored_path(sha256: str, *, file_name: str = "") -> Path:
    """Where a file with this hash lives: attachments/ab/abcdef… (two-level fan-out).

    Refuses (ValidationError) a stored name that is not a bare hash, so no path ever leaves the store."""
    if not is_hash_name(sha256):
        raise ValidationError(f"附件记录无效：{file_name or '该附件'}的存储名不是哈希值，已拒绝访问文件")
    return paths.attachments_dir() / sha256[:2] / sha256


def _store(src: Path) -> tuple[str, int]:
    if not src.is_file():
        raise ValidationError(f"找不到文件：{src}")
    size = src.stat().st_size
    if size > MAX_BYTES:
        raise ValidationError(f"文件过大（{size / 1048576:.0f} MB）：{src.name}")
    digest = _sha256(src)
    dest = stored_path(digest)
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_suffix(".part")
        shutil.copyfile(src, tmp)
        tmp.replace(dest)  # atomic: a half-copied file never has the final name
    return digest, size


def _row(a: Attachment) -> AttachmentRow:
    return AttachmentRow(a.id, a.file_name, a.size, a.sha256, a.description, a.object_type, a.object_id)


def attach(ledger: Ledger, object_type: str, object_id: int, src: str | Path, *, description: str = "") -> AttachmentRow:
    """Copy `src` into the store (once per content) and link it to the object."""
    src = Path(src)
    digest, size = _store(src)
    with ledger.session() as s:
        existing = s.scalar(select(Attachment).where(
            Attachment.object_type == object_type, Attachment.object_id == object_id, Attachment.sha256 == digest))
        if existing is not None:
            return _row(existing)
        a = Attachment(sha256=digest, file_name=src.name, size=size, object_type=object_type, object_id=object_id,
                       description=description or "")
        s.add(a)
        s.flush()
        return _row(a)


def attach_files(ledger: Ledger, object_type: str, object_id: int, sources: list[str]) -> list[AttachmentRow]:
    """Several files onto one object (the panel's 添加文件…), each in its own unit of work."""
    return [attach(ledger, object_type, object_id, src) for src in sources]


def attach_in_session(session, object_type: str, object_id: int, src: str | Path, *, description: str = "") -> Attachment:
    """The same inside a caller's unit of work (e.g. an agreement saved with its scan)."""
    src = Path(src)
    digest, size = _store(src)
    a = Attachment(sha256=digest, file_name=src.name, size=size, object_type=object_type, object_id=object_id,
                   description=description or "")
    session.add(a)
    return a


def list_for(ledger: Ledger, object_type: str, object_id: int) -> list[AttachmentRow]:
    with ledger.reader() as s:
        q = select(Attachment).where(Attachment.object_type == object_type, Attachment.object_id == object_id)
        return [_row(a) for a in s.scalars(q.order_by(Attachment.id))]


def counts_for(ledger: Ledger, object_type: str, object_ids: list[int]) -> dict[int, int]:
    if not object_ids:
        return {}
    with ledger.reader() as s:
        q = (select(Attachment.object_id, func.count(Attachment.id))
             .where(Attachment.object_type == object_type, Attachment.object_id.in_(object_ids))
             .group_by(Attachment.object_id))
        return dict(s.execute(q).tuples().all())


def path_of(ledger: Ledger, attachment_id: int) -> Path:
    """The stored file of an attachment (for opening with the system's viewer)."""
    with ledger.reader() as s:
        a = s.get(Attachment, attachment_id)
        if a is None:
            raise NotFound("该附件已不存在")
        digest, name = a.sha256, a.file_name  # read inside the session: the row is expired after it
    p = stored_path(digest, file_name=name)
    if not p.is_file():
        raise NotFound(f"附件文件缺失：{name}（数据文件夹中找不到 {p.name}）")
    return p


def open_dir() -> Path:
    """Where named copies for the system's viewer go (safe to empty at any time)."""
    return paths.data_dir() / "tmp" / "open"


_UNSAFE = re.compile(r'[\x00-\x1f<>:"/\\|?*]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_file_name(name: str) -> str:
    """The attached name as a file name every system accepts (Windows is the strictest); the extension kept."""
    name = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip().rstrip(". ")
    if name.split(".")[0].upper() in _RESERVED:
        name = "_" + name
    if len(name) > MAX_NAME:  # keep the whole path short enough for older Windows viewers
        stem, dot, ext = name.rpartition(".")
        ext = ext if dot and stem and len(ext) <= 16 else ""
        stem = (stem if ext else name)[: MAX_NAME - len(ext) - 1].rstrip(". ")
        name = f"{stem}.{ext}" if ext else stem
    return name or "附件"


def file_to_open(ledger: Ledger, attachment_id: int) -> Path:
    """A read-only copy of the attachment under its original name, for the system's viewer."""
    with ledger.reader() as s:
        a = s.get(Attachment, attachment_id)
        if a is None:
            raise NotFound("该附件已不存在")
        digest, name, size = a.sha256, a.file_name, a.size
    src = stored_path(digest, file_name=name)
    if not src.is_file():
        raise NotFound(f"附件文件缺失：{name}（数据文件夹中找不到 {src.name}），请重新添加该附件")
    dest = open_dir() / str(attachment_id) / safe_file_name(name)
    try:
        if dest.is_file() and dest.stat().st_size == src.stat().st_size == size:
            return dest
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".part")
        if tmp.exists():  # left by an interrupted copy, read-only
            os.chmod(tmp, stat.S_IREAD | stat.S_IWRITE)
            tmp.unlink()
        shutil.copyfile(src, tmp)
        os.chmod(tmp, stat.S_IREAD | stat.S_IRGRP | stat.S_IROTH)
        if dest.exists():
            os.chmod(dest, stat.S_IREAD | stat.S_IWRITE)  # Windows will not replace a read-only file
        tmp.replace(dest)
    except OSError as exc:
        if dest.is_file():  # e.g. the viewer still holds the earlier copy open
            return dest
        raise ValidationError(f"无法为打开附件“{name}”准备副本：{exc.strerror or exc}") from None
    return dest


def _forget_copies(attachment_id: int) -> None:
    folder = open_dir() / str(attachment_id)
    if folder.is_dir():
        for f in folder.iterdir():
            try:
                os.chmod(f, stat.S_IREAD | stat.S_IWRITE)
                f.unlink()
            except OSError:
                pass  # a viewer still has it open: tmp/open may be emptied at any time
        try:
            folder.rmdir()
        except OSError:
            pass


def remove(ledger: Ledger, attachment_id: int) -> None:
    """Unlink; the stored file goes only when no other link uses it.

    A link whose stored name is not a bare hash is dropped without touching any file."""
    with ledger.session() as s:
        a = s.get(Attachment, attachment_id)
        if a is None:
            raise NotFound("该附件已不存在")
        digest = a.sha256
        s.delete(a)
        s.flush()
        still_used = s.scalar(select(func.count(Attachment.id)).where(Attachment.sha256 == digest))
    if not still_used and is_hash_name(digest):
        stored_path(digest).unlink(missing_ok=True)
    _forget_copies(attachment_id)
