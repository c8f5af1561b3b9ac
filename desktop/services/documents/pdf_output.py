"""Where a printed document's PDF goes once made: a file (另存为PDF) or a CUPS queue (`lp`), each recorded in the
audit log under the acting user. Qt-free: the window's print kit calls these on the worker lane.

A document is made by `fn(ledger, *args) -> bytes` (the document module's builders); `make_pdf` runs it and
checks that what came back is a PDF, so a broken builder is a clear message, not a blank page.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable

from desktop.services.errors import UserError
from desktop.services.excel.excel_common import written_atomically
from desktop.services.export_log import record_export, record_print
from desktop.services.ledger import Ledger

LP_TIMEOUT_S = 60


def make_pdf(ledger: Ledger, fn: Callable[..., bytes], *args) -> bytes:
    """`fn(ledger, *args)`, refused unless it is a PDF."""
    data = fn(ledger, *args)
    if not isinstance(data, (bytes, bytearray)) or not bytes(data[:5]) == b"%PDF-":
        raise UserError("生成的文件不是有效的 PDF，无法打印或保存，请联系维护人员。")
    return bytes(data)


def pdf_path(path) -> Path:
    """The path with .pdf added when it has another ending (or none)."""
    p = Path(path)
    if not str(path).strip() or not p.name:
        raise UserError(f"“{path}”不是文件名，请写出要保存的文件名（如 体检问题清单.pdf）。")
    return p if p.suffix.lower() == ".pdf" else p.with_name(p.name + ".pdf")


def write_pdf(ledger: Ledger, data: bytes, path, what: str) -> Path:
    """Write `data` to `path` through `<path>.part` and a rename; record the export. Returns the path."""
    path = pdf_path(path)
    with written_atomically(path) as part:
        part.write_bytes(data)
    record_export(ledger, what, path)
    return path


def save_pdf(ledger: Ledger, fn: Callable[..., bytes], args: tuple, path, what: str) -> Path:
    """另存为PDF: make the document, write it, record it (one lane job)."""
    return write_pdf(ledger, make_pdf(ledger, fn, *args), path, what)


# CUPS ---------------------------------------------------------------------------------------------

def lp_command() -> str | None:
    """The CUPS `lp` program where there is one (Linux/UOS/麒麟, macOS); never on Windows."""
    if sys.platform.startswith("win"):
        return None
    return shutil.which("lp")


def lp_arguments(lp: str, printer: str, title: str, *, copies: int = 1, pages: tuple[int, int] | None = None,
                 two_sided: bool = False) -> list[str]:
    """`lp` for one PDF at 100 % on A4: no fit-to-page, the page range and copies the clerk chose."""
    args = [lp, "-d", printer, "-t", title, "-n", str(max(1, copies)), "-o", "media=A4",
            "-o", "print-scaling=none", "-o", "fit-to-page=false"]
    if pages is not None:
        args += ["-P", f"{pages[0]}-{pages[1]}"]
    args += ["-o", "sides=two-sided-long-edge" if two_sided else "sides=one-sided"]
    return args


def send_to_cups(ledger: Ledger, data: bytes, printer: str, what: str, *, pages_in_document: int,
                 copies: int = 1, pages: tuple[int, int] | None = None, two_sided: bool = False) -> str:
    """Hand the PDF itself to the CUPS queue `printer` (it stays vector); record the print. Returns lp's answer."""
    lp = lp_command()
    if lp is None:
        raise UserError("本机没有 CUPS 打印命令（lp），请改用“打印”对话框直接打印。")
    fd, name = tempfile.mkstemp(prefix="zzb-print-", suffix=".pdf")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        args = lp_arguments(lp, printer, what, copies=copies, pages=pages, two_sided=two_sided) + [name]
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=LP_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise UserError(f"无法把文件送到打印机“{printer}”：{exc}") from exc
        if done.returncode != 0:
            said = (done.stderr or done.stdout or "").strip() or f"lp 退出码 {done.returncode}"
            raise UserError(f"打印机“{printer}”未接受打印任务：{said}")
    finally:
        Path(name).unlink(missing_ok=True)  # lp has copied the file to the spool by the time it returns
    printed = pages_in_document if pages is None else pages[1] - pages[0] + 1
    record_print(ledger, what, printer=printer, sheets=printed * max(1, copies))
    return done.stdout.strip()



# The documents the existing pages print: services/documents/table_docs.py (reportlab) loaded when first
# printed, on the lane, never when a page that offers the print opens.

def task_table_pdf(ledger: Ledger, year: int) -> bytes:
    from desktop.services.documents import table_docs

    return table_docs.task_table_pdf(ledger, year)


def verification_pdf(ledger: Ledger, year: int, month: int) -> bytes:
    from desktop.services.documents import table_docs

    return table_docs.verification_pdf(ledger, year, month)


def quota_ledger_pdf(ledger: Ledger, as_of=None) -> bytes:
    from desktop.services.documents import table_docs

    return table_docs.quota_ledger_pdf(ledger, as_of)


def score_sheet_pdf(ledger: Ledger, session_id: int) -> bytes:
    """考核评分表 (summary and signed sheets) of a scoring session; reportlab loaded when first printed."""
    from desktop.services.scoring import score_sheet

    return score_sheet.score_sheet_pdf(ledger, session_id)
