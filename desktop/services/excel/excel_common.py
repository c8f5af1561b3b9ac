"""What every Excel import and export shares: the problem record, the summary, cancel tokens."""

from __future__ import annotations

import gc
import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from desktop.services import faults
from desktop.services.errors import UserError

# A progress callback: (done, total) — total 0 when unknown. Called from the worker thread.
Progress = Callable[[int, int], None]

EXCEL_CELL_LIMIT = 32767  # characters Excel keeps in one cell


def xlsx_path(path) -> Path:
    """The path with .xlsx added when it has another ending (or none)."""
    p = Path(path)
    if not str(path).strip() or not p.name:
        raise UserError(f"“{path}”不是文件名，请写出要保存的文件名（如 数据包.xlsx）。")
    return p if p.suffix.lower() == ".xlsx" else p.with_name(p.name + ".xlsx")


_GC_LOCK = threading.Lock()
_gc_pausers = 0  # imports running with the collector paused (several lanes or nested calls)
_gc_resume = False  # whether the collector was on when the first of them began


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while an import builds its rows (also usable as a decorator).

    An import makes hundreds of thousands of tuples, dicts and values that outlive the collector's young
    generations, and every automatic collection walks them again: 0.3–0.5 s of a 20 000-row import went to
    collections that found nothing, as its objects form no cycles (reference counting frees them). The
    collector resumes when the last import running ends, unless it was off before the first began."""
    global _gc_pausers, _gc_resume
    with _GC_LOCK:
        if _gc_pausers == 0:
            _gc_resume = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_resume:
                gc.enable()


os_reason = faults.os_reason  # why a file could not be written, in words a clerk can act on


@contextmanager
def written_atomically(path) -> Iterator[Path]:
    """Yield `<path>.part` to write into, then put it in place of `path`.

    A bad folder fails before any work; a failure or a cancel leaves neither file behind."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"“{path}”是一个文件夹，请另选文件名。")
    if not path.parent.is_dir():
        raise UserError(f"文件夹“{path.parent}”不存在，无法写入“{path.name}”。")
    tmp = path.with_name(path.name + ".part")
    try:
        with open(tmp, "wb"):
            pass
    except OSError as exc:
        raise faults.file_error(exc, path) from exc
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        # A writer library may wrap the OS error (xlsxwriter's FileCreateError): faults reads the chain.
        fault = faults.file_error(exc, path) if isinstance(exc, Exception) else None
        if fault is None:
            raise
        raise fault from exc


def file_sha256(path) -> str:
    """The file's SHA-256 (hex), read in 1 MB pieces."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Cancelled(UserError):
    """The clerk pressed 取消; nothing was written."""

    def __init__(self, message: str = "已取消，未写入任何内容。"):
        super().__init__(message)


class CancelToken:
    """Set from the GUI thread, checked by long work between rows."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()


def check_cancel(cancel) -> None:
    """Raise Cancelled when the token (anything with a `cancelled` flag) was set."""
    if cancel is not None and cancel.cancelled:
        raise Cancelled()


@dataclass(frozen=True)
class CellProblem:
    """One bad value: where it is (sheet, 1-based Excel row, column letter or header) and what is wrong."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def to_json(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}

    def where(self, file_name: str = "") -> str:
        parts = [f"文件“{file_name}”" if file_name else "", f"工作表“{self.sheet}”" if self.sheet else ""]
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"{self.column}列")
        return "".join(parts)

    def text(self, file_name: str = "") -> str:
        where = self.where(file_name)
        return f"{where}：{self.message}" if where else self.message


@dataclass
class ImportSummary:
    """The counts every import prints (`--json`) and records with its PacketImport row."""

    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    conflicts: int = 0
    area_mu: Decimal = Decimal(0)  # land area of the rows applied
    errors: list[CellProblem] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "rows_read": self.rows_read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "conflicts": self.conflicts,
            "area_mu": format(self.area_mu.normalize(), "f") if self.area_mu else "0",  # 540, not 5.4E+2
            "errors": [e.to_json() for e in self.errors],
        }


@dataclass
class ImportOutcome:
    """What an import did: its counts, whether it wrote anything, and why not when refused."""

    summary: ImportSummary
    applied: bool = False
    dry_run: bool = False
    refused: str | None = None  # Chinese reason when nothing was written because of the file's content

    @property
    def exit_code(self) -> int:
        return 1 if self.refused else 0

    def to_json(self) -> dict:
        data = self.summary.to_json()
        data["applied"] = self.applied
        data["dry_run"] = self.dry_run
        if self.refused:
            data["refused"] = self.refused
        return data


def refused_outcome(message: str, *, sheet: str = "", dry_run: bool = False) -> ImportOutcome:
    """A whole-file refusal (bad file, wrong packet) in the shape `--json` prints."""
    summary = ImportSummary(errors=[CellProblem(sheet, None, None, message)])
    return ImportOutcome(summary, applied=False, dry_run=dry_run, refused=message)
