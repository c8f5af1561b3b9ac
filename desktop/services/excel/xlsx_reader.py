"""Safe workbook reader: pre-flight checks on the raw file, then python-calamine (fast) or openpyxl (guarded fallback).

Every file is sniffed and checked before any parser sees it, because python-calamine aborts the whole
process (not an exception) on some hostile or merely odd files. What the pre-flight does and its limits:

- Not a workbook (missing, empty, folder, CSV/text, HTML, PDF, images, Word/PowerPoint, plain zip, .xlsb,
  password-protected) → BadWorkbook saying what the file is and what to do.
- Zip (xlsx, ods): the declared uncompressed total must stay under MAX_TOTAL_UNCOMPRESSED (1 GiB) and no
  member over RATIO_MIN_SIZE (50 MB) may compress better than MAX_RATIO (100:1). Every member is then
  inflated once, in chunks (memory stays flat), checking that it does not inflate beyond its declared size
  (a lying header) and that its CRC matches; XML parts holding <!DOCTYPE or <!ENTITY are refused.
- The same pass scans each worksheet's XML for the real extent of cells that carry a value, for error
  cells (t="e" → CellError) and for formulas without a cached result (→ NO_CACHED_VALUE), and measures the
  shared strings. A sheet whose dense size (max row × max column) exceeds DENSE_CELL_LIMIT (5 million
  cells), or whose shared strings would be copied into more than STRING_BYTES_LIMIT (256 MB), is read with
  openpyxl read-only instead of calamine (openpyxl shares one Python str per shared string).
- A shared-string table over MAX_SHARED_STRINGS (256 MB) or whose uniqueCount exceeds its real count by
  more than SHARED_STRING_COUNT_SLACK (calamine pre-allocates it) is refused; so are zips with two parts of
  one name and workbooks with two sheets of one name (we could check one while the parser reads the other).
- .xls: the OLE2 container and the BIFF records are walked (sheet extents, error cells, the counts and
  lengths calamine trusts), and calamine then parses that very Workbook stream re-wrapped in a clean
  container; .ods: content.xml is walked with its repeat counts. Both formats are parsed whole by calamine
  when opened, so an oversized sheet there refuses the file (“另存为 .xlsx”).
- Results are cached per file identity (path, size, mtime); a file changed between check and parse is refused.

Values in SheetData.rows: None, str (as in the file), float or int (calamine gives float for .xlsx/.ods
numbers and int for whole .xls numbers; whole floats are NOT converted — compare numerically), bool,
datetime.date (a date cell with no time), datetime.datetime, datetime.time, datetime.timedelta (duration
cells), CellError, NO_CACHED_VALUE. Trailing empty cells of a row are dropped. progress(done, total) is
called with total 100.

Where each part lives (this module is the façade and the sniffing): workbook_types (results, errors, the cache),
workbook_limits (the numbers above), zip_preflight (.xlsx/.ods container and XML), sheet_xml_scan and ods_scan
(the byte scanners), xls_preflight (OLE2/BIFF), workbook_parsers (calamine and openpyxl cell reading).
"""

from __future__ import annotations

import threading
from pathlib import Path

from desktop.services.excel.excel_common import CancelToken, Progress
from desktop.services.excel.workbook_limits import (  # noqa: F401 - the limits, named where callers look
    DENSE_CELL_LIMIT, MAX_RATIO, MAX_TOTAL_UNCOMPRESSED, RATIO_MIN_SIZE, STRING_BYTES_LIMIT,
)
from desktop.services.excel.workbook_parsers import open_calamine, read_calamine, read_openpyxl
from desktop.services.excel.workbook_types import (  # noqa: F401 - public names of the reader
    NO_CACHED_VALUE, BadWorkbook, CellError, Preflight, Scan, SheetData, WorkbookInfo, cache_key, cached,
    column_letter, forget, remember, resave,
)
from desktop.services.excel.xls_preflight import OLE_MAGIC, preflight_ole
from desktop.services.excel.zip_preflight import preflight_zip


# ------------------------------------------------------------------ public API


def inspect(path) -> WorkbookInfo:
    """Sheets of a workbook (all, and the visible worksheets), after the pre-flight checks."""
    return _preflight(Path(path), None, None).info()


def read_sheet(path, sheet: str | int | None = None, *, progress: Progress | None = None,
               cancel: CancelToken | None = None) -> SheetData:
    """One sheet's non-blank rows. sheet None = first visible worksheet; int = index into sheet_names; str = exact name."""
    return read_sheets(path, [sheet], progress=progress, cancel=cancel)[0]


def read_sheets(path, sheets: list[str | int | None], *, progress: Progress | None = None,
                cancel: CancelToken | None = None, ready=None) -> list[SheetData]:
    """Several sheets of one file with one pre-flight and one parser open (e.g. a packet's data and meta sheets).
    `ready(i, sheet_data)` is called as each sheet is read (SheetsReading hands it over to another thread)."""
    p = Path(path)
    pre = _preflight(p, progress, cancel)
    wanted = [pre.resolve(s) for s in sheets]
    for _, s in wanted:
        if s.kind == "chartsheet":
            raise BadWorkbook(f"文件“{pre.file_name}”的“{s.name}”是图表工作表，没有表格数据。",
                              file_name=pre.file_name, sheet=s.name)
    results: list[SheetData] = []
    calamine_book = None
    try:
        for n, (index, s) in enumerate(wanted):
            scan = pre.scans.get(s.name) or Scan(fallback="未检查的工作表" if pre.format == "xlsx" else None)
            span = (40 + 60 * n // len(wanted), 40 + 60 * (n + 1) // len(wanted))
            if pre.format == "xlsx" and scan.fallback:
                rows = read_openpyxl(pre, s, scan, progress, cancel, span)
                engine = "openpyxl"
            else:
                if calamine_book is None:
                    calamine_book = open_calamine(pre)
                rows = read_calamine(pre, calamine_book, index, s, scan, progress, cancel, span)
                engine = "calamine"
            results.append(SheetData(pre.file_name, s.name, rows, list(scan.merged), engine))
            if ready is not None:
                ready(n, results[-1])
    finally:
        if calamine_book is not None:
            try:
                calamine_book.close()
            except Exception:  # noqa: BLE001 - closing a failed workbook must not mask the real error
                pass
    if progress:
        progress(100, 100)
    return results


class SheetsReading:
    """`read_sheets` on a helper thread, each sheet handed over as soon as it is read: python-calamine lets go of
    the interpreter while it parses, so the caller can check a packet's identity sheet and query the database
    while the big sheet is parsed. Use as a context manager; leaving it waits for the thread. The sheets are
    read in the order asked and their errors come first, as from `read_sheets` before any check of the caller:
    an error of the caller's while a sheet failed gives way to the sheet's."""

    def __init__(self, path, sheets: list[str | int | None], *, progress: Progress | None = None,
                 cancel: CancelToken | None = None):
        self._done: dict[int, SheetData] = {}
        self._error: BaseException | None = None
        self._finished = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, args=(path, sheets, progress, cancel),
                                        name="xlsx-sheets", daemon=True)
        self._thread.start()

    def _run(self, path, sheets, progress, cancel) -> None:
        try:
            read_sheets(path, sheets, progress=progress, cancel=cancel, ready=self._ready)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread by sheet()
            with self._cond:
                self._error = exc
        finally:
            with self._cond:
                self._finished = True
                self._cond.notify_all()

    def _ready(self, index: int, data: SheetData) -> None:
        with self._cond:
            self._done[index] = data
            self._cond.notify_all()

    def sheet(self, index: int) -> SheetData:
        """The index-th sheet asked for, once read; the reading's error when it (or a sheet before it) failed."""
        with self._cond:
            while index not in self._done and not self._finished:
                self._cond.wait()
            if index in self._done:
                return self._done[index]
            error = self._error
        raise error if error is not None else IndexError(index)

    def __enter__(self) -> "SheetsReading":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._thread.join()
        if exc is not None and self._error is not None and self._error is not exc:
            raise self._error from None


# ------------------------------------------------------------------ sniffing


def _preflight(path: Path, progress, cancel) -> Preflight:
    name = path.name or str(path)
    try:
        if not path.exists():
            raise BadWorkbook(f"找不到文件“{name}”：请确认文件仍在原处（U 盘是否已拔出）。", file_name=name)
        if path.is_dir():
            raise BadWorkbook(f"“{name}”是一个文件夹，不是 Excel 文件：请选择其中的 .xlsx 文件。", file_name=name)
        key = cache_key(path)
        hit = cached(key)
        if hit is not None:
            if progress:
                progress(40, 100)
            return hit
        if key[1] == 0:
            raise BadWorkbook(f"文件“{name}”是空文件（0 字节），可能复制时没有完成：请重新复制或重新导出后再导入。",
                              file_name=name)
        with open(path, "rb") as f:
            head = f.read(8192)
            kind = _sniff(head)
            if kind == "zip":
                pre = preflight_zip(f, path, name, progress, cancel)
            elif kind == "ole":
                pre = preflight_ole(f, path, name, cancel)
            else:
                raise _describe_other(head, name)
    except PermissionError:
        raise BadWorkbook(f"无法读取文件“{name}”：没有读取权限，或文件正被其他程序（如 Excel、WPS）占用。"
                          "请关闭该程序后重试。", file_name=name) from None
    except OSError as exc:
        raise BadWorkbook(f"无法读取文件“{name}”：{exc.strerror or exc}。", file_name=name) from None
    pre.key = key
    remember(key, pre)
    if progress:
        progress(40, 100)
    return pre


def _sniff(head: bytes) -> str:
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return "zip"
    if head[:8] == OLE_MAGIC:
        return "ole"
    return "other"


_SIGNATURES = [
    (b"%PDF", "是 PDF 文档", "请向对方索取 Excel 原表（.xlsx）。"),
    (b"\x89PNG", "是图片（PNG）", "请向对方索取 Excel 原表（.xlsx）。"),
    (b"\xff\xd8\xff", "是图片（JPEG）", "请向对方索取 Excel 原表（.xlsx）。"),
    (b"GIF8", "是图片（GIF）", "请向对方索取 Excel 原表（.xlsx）。"),
    (b"BM", "是图片（BMP）", "请向对方索取 Excel 原表（.xlsx）。"),
    (b"II*\x00", "是图片（TIFF）", "请向对方索取 Excel 原表（.xlsx）。"),
    (b"MM\x00*", "是图片（TIFF）", "请向对方索取 Excel 原表（.xlsx）。"),
    (b"Rar!", "是 RAR 压缩包", "请先解压，再选择其中的 Excel 文件。"),
    (b"7z\xbc\xaf\x27\x1c", "是 7z 压缩包", "请先解压，再选择其中的 Excel 文件。"),
    (b"\x1f\x8b", "是 gzip 压缩文件", "请先解压，再选择其中的 Excel 文件。"),
    (b"{\\rtf", "是 RTF 文档", "请把表格复制到 Excel 或 WPS 表格中，保存为 .xlsx 后再导入。"),
]


def _describe_other(head: bytes, name: str) -> BadWorkbook:
    """Say what a file that is neither a zip nor an OLE2 container is."""
    for magic, what, todo in _SIGNATURES:
        if head.startswith(magic):
            if magic == b"BM" and len(head) > 14 and b"\x00" not in head[2:6]:
                break  # “BM” text, not a bitmap
            return BadWorkbook(f"文件“{name}”{what}，不是 Excel 工作簿：{todo}", file_name=name)
    text = _decode_text(head)
    if text is not None:
        low = text.lstrip("\ufeff \t\r\n").lower()
        start = low[:2048]
        if "urn:schemas-microsoft-com:office:spreadsheet" in low[:8192] or "progid=\"excel.sheet\"" in start:
            return resave(name, "是 Excel 2003 XML 表格")
        if start.startswith("mime-version:") or "content-type: multipart/related" in start:
            return resave(name, "是网页存档（.mht），只是扩展名像 Excel")
        if (start.startswith(("<!doctype html", "<html", "<table", "<meta", "<head", "<body"))
                or "<html" in start or "<table" in start):
            return resave(name, "是网页（HTML）文件，只是扩展名像 Excel")
        if start.startswith("<?xml") or start.startswith("<"):
            return resave(name, "是 XML 文本文件")
        return resave(name, "是文本文件（CSV 或纯文本）")
    if head[:4] in (b"\x09\x00\x04\x00", b"\x09\x02", b"\x09\x04"):
        return resave(name, "是 Excel 2.x–4.x 的旧格式")
    return BadWorkbook(
        f"文件“{name}”不是 Excel 工作簿，也不是本程序认识的格式：请确认选对了文件；"
        "如能在 Excel 或 WPS 中打开，请另存为 .xlsx 后再导入。",
        file_name=name,
    )


def _decode_text(head: bytes) -> str | None:
    """The start of a text file (UTF-8, UTF-16 with BOM, GB18030), or None for binary content."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return head[: len(head) // 2 * 2].decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in head:
        return None
    for codec in ("utf-8", "gb18030"):
        try:
            return head.decode(codec)
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut at the end of the sample
                return head[: exc.start].decode(codec, errors="ignore")
    return None


def _clear_cache() -> None:
    """Forget pre-flight results (tests)."""
    forget()


__all__ = [
    "BadWorkbook", "CellError", "NO_CACHED_VALUE", "WorkbookInfo", "SheetData", "inspect", "read_sheet",
    "read_sheets", "SheetsReading", "column_letter", "DENSE_CELL_LIMIT", "STRING_BYTES_LIMIT", "MAX_TOTAL_UNCOMPRESSED",
    "MAX_RATIO", "RATIO_MIN_SIZE",
]
