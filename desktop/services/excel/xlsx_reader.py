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
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import mmap
import posixpath
import re
import struct
import threading
import warnings
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from desktop.services.errors import UserError
from desktop.services.excel.excel_common import CancelToken, Progress, check_cancel

MAX_TOTAL_UNCOMPRESSED = 1 << 30  # 1 GiB declared, all members together
MAX_RATIO = 100  # compression ratio refused for a member larger than RATIO_MIN_SIZE
RATIO_MIN_SIZE = 50 << 20
MAX_SHARED_STRINGS = 256 << 20  # bytes of sharedStrings.xml (calamine holds it all in memory)
SHARED_STRING_COUNT_SLACK = 1_000_000  # uniqueCount may exceed the real count by this much (calamine pre-allocates it)
DENSE_CELL_LIMIT = 5_000_000  # calamine allocates max_row × max_col cells
STRING_BYTES_LIMIT = 256 << 20  # bytes calamine would copy out of shared strings for one sheet
FALLBACK_CELL_LIMIT = 50_000_000  # cells the openpyxl fallback may materialise for one sheet
MAX_CELL_XML = 16 << 20  # one cell's XML (Excel's own limit is 32 767 characters)
CHUNK = 4 << 20  # inflated bytes per scanning step

_MB = 1 << 20


class BadWorkbook(UserError):
    """A file that cannot be read as a workbook; the Chinese message names the file (and sheet)."""

    def __init__(self, message: str, *, file_name: str = "", sheet: str | None = None):
        super().__init__(message)
        self.file_name = file_name
        self.sheet = sheet


@dataclass(frozen=True)
class CellError:
    """An Excel error value in a cell, e.g. CellError("#REF!")."""

    code: str

    def __str__(self) -> str:
        return self.code


class _NoCachedValue:
    """Sentinel type: a formula cell whose file holds no calculated result."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_CACHED_VALUE"

    def __reduce__(self):
        return (_NoCachedValue, ())


NO_CACHED_VALUE = _NoCachedValue()


@dataclass
class WorkbookInfo:
    file_name: str
    format: str  # "xlsx" | "xls" | "ods"
    sheet_names: list[str]
    visible_sheet_names: list[str]  # visible worksheets (no hidden ones, no chart sheets)


@dataclass
class SheetData:
    file_name: str
    name: str
    rows: list[tuple[int, tuple]]  # non-blank rows only: (1-based Excel row, values); values[0] is column A
    merged: list[tuple[int, int, int, int]]  # 1-based inclusive (min_row, min_col, max_row, max_col)
    engine: str  # "calamine" or "openpyxl"


def column_letter(index0: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA"."""
    if index0 < 0:
        raise ValueError(index0)
    letters = ""
    n = index0 + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _column_index(letters: bytes | str) -> int:
    """"A" → 1 (1-based)."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _size_text(n: int) -> str:
    if n >= 1 << 30:
        return f"{n / (1 << 30):.1f} GB"
    if n >= _MB:
        return f"{n / _MB:.0f} MB"
    return f"{max(n, 1) / 1024:.0f} KB"


# ------------------------------------------------------------------ pre-flight results


@dataclass
class _Sheet:
    name: str
    state: str = "visible"  # visible | hidden | veryHidden
    kind: str = "worksheet"  # worksheet | chartsheet | dialogsheet | macrosheet
    part: str = ""  # xlsx: the zip member of the sheet


@dataclass
class _Scan:
    """What the pre-flight learned about one sheet."""

    max_row: int = 0  # 1-based extent of cells with a value (0: none)
    max_col: int = 0
    s_cells: int = 0  # cells referring to a shared string
    string_bytes: int = 0  # bytes the parser would copy out of shared strings (estimate, xls/ods exact)
    overlay: dict[int, dict[int, object]] = field(default_factory=dict)  # row → {col0: CellError | NO_CACHED_VALUE}
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    fallback: str | None = None  # why calamine must not read this sheet (xlsx only)
    prefix: bytes = b""  # xlsx: namespace prefix of the sheet's elements

    def mark(self, row: int, col0: int, value) -> None:
        self.overlay.setdefault(row, {})[col0] = value
        self.max_row = max(self.max_row, row)
        self.max_col = max(self.max_col, col0 + 1)

    @property
    def dense(self) -> int:
        return self.max_row * self.max_col


@dataclass
class _Preflight:
    path: str
    file_name: str
    format: str
    sheets: list[_Sheet]
    scans: dict[str, _Scan]
    key: tuple = ()  # the file's identity when it was checked (path, size, mtime, inode)
    stream_digest: bytes = b""  # xls: digest of the Workbook stream that was walked

    def info(self) -> WorkbookInfo:
        return WorkbookInfo(
            self.file_name,
            self.format,
            [s.name for s in self.sheets],
            [s.name for s in self.sheets if s.state == "visible" and s.kind == "worksheet"],
        )

    def resolve(self, sheet: str | int | None) -> tuple[int, _Sheet]:
        names = [s.name for s in self.sheets]
        if sheet is None:
            for i, s in enumerate(self.sheets):
                if s.state == "visible" and s.kind == "worksheet":
                    return i, s
            raise BadWorkbook(f"文件“{self.file_name}”没有可见的工作表。", file_name=self.file_name)
        if isinstance(sheet, bool) or not isinstance(sheet, (int, str)):
            raise TypeError(sheet)
        if isinstance(sheet, int):
            if not 0 <= sheet < len(self.sheets):
                raise BadWorkbook(
                    f"文件“{self.file_name}”只有 {len(self.sheets)} 个工作表，没有第 {sheet + 1} 个。"
                    f"现有工作表：{'、'.join(names)}。",
                    file_name=self.file_name,
                )
            return sheet, self.sheets[sheet]
        for i, s in enumerate(self.sheets):
            if s.name == sheet:
                return i, s
        visible = [s.name for s in self.sheets if s.state == "visible"] or names
        raise BadWorkbook(
            f"文件“{self.file_name}”中没有名为“{sheet}”的工作表。现有工作表：{'、'.join(visible)}。",
            file_name=self.file_name,
            sheet=sheet,
        )


def _corrupt(file_name: str, detail: str = "") -> BadWorkbook:
    why = f"（{detail}）" if detail else ""
    return BadWorkbook(
        f"文件“{file_name}”已损坏，无法读取{why}：请让对方重新导出或重新复制该文件；"
        "如能在 Excel 或 WPS 中打开，请另存为 .xlsx 后再导入。",
        file_name=file_name,
    )


def _resave(file_name: str, what: str) -> BadWorkbook:
    return BadWorkbook(
        f"文件“{file_name}”{what}，不是 Excel 工作簿：请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入。",
        file_name=file_name,
    )


# ------------------------------------------------------------------ cache

_CACHE: dict[tuple, _Preflight] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 8


def _cache_key(path: Path) -> tuple:
    st = path.stat()
    return (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)


# ------------------------------------------------------------------ public API


def inspect(path) -> WorkbookInfo:
    """Sheets of a workbook (all, and the visible worksheets), after the pre-flight checks."""
    return _preflight(Path(path), None, None).info()


def read_sheet(path, sheet: str | int | None = None, *, progress: Progress | None = None,
               cancel: CancelToken | None = None) -> SheetData:
    """One sheet's non-blank rows. sheet None = first visible worksheet; int = index into sheet_names; str = exact name."""
    return read_sheets(path, [sheet], progress=progress, cancel=cancel)[0]


def read_sheets(path, sheets: list[str | int | None], *, progress: Progress | None = None,
                cancel: CancelToken | None = None) -> list[SheetData]:
    """Several sheets of one file with one pre-flight and one parser open (e.g. a packet's data and meta sheets)."""
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
            scan = pre.scans.get(s.name) or _Scan(fallback="未检查的工作表" if pre.format == "xlsx" else None)
            span = (40 + 60 * n // len(wanted), 40 + 60 * (n + 1) // len(wanted))
            if pre.format == "xlsx" and scan.fallback:
                rows = _read_openpyxl(pre, s, scan, progress, cancel, span)
                engine = "openpyxl"
            else:
                if calamine_book is None:
                    calamine_book = _open_calamine(pre)
                rows = _read_calamine(pre, calamine_book, index, s, scan, progress, cancel, span)
                engine = "calamine"
            results.append(SheetData(pre.file_name, s.name, rows, list(scan.merged), engine))
    finally:
        if calamine_book is not None:
            try:
                calamine_book.close()
            except Exception:  # noqa: BLE001 - closing a failed workbook must not mask the real error
                pass
    if progress:
        progress(100, 100)
    return results


# ------------------------------------------------------------------ sniffing


def _preflight(path: Path, progress, cancel) -> _Preflight:
    name = path.name or str(path)
    try:
        if not path.exists():
            raise BadWorkbook(f"找不到文件“{name}”：请确认文件仍在原处（U 盘是否已拔出）。", file_name=name)
        if path.is_dir():
            raise BadWorkbook(f"“{name}”是一个文件夹，不是 Excel 文件：请选择其中的 .xlsx 文件。", file_name=name)
        key = _cache_key(path)
        with _CACHE_LOCK:
            hit = _CACHE.get(key)
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
                pre = _preflight_zip(f, path, name, progress, cancel)
            elif kind == "ole":
                pre = _preflight_ole(f, path, name, cancel)
            else:
                raise _describe_other(head, name)
    except PermissionError:
        raise BadWorkbook(f"无法读取文件“{name}”：没有读取权限，或文件正被其他程序（如 Excel、WPS）占用。"
                          "请关闭该程序后重试。", file_name=name) from None
    except OSError as exc:
        raise BadWorkbook(f"无法读取文件“{name}”：{exc.strerror or exc}。", file_name=name) from None
    pre.key = key
    with _CACHE_LOCK:
        _CACHE[key] = pre
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
    if progress:
        progress(40, 100)
    return pre


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _sniff(head: bytes) -> str:
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return "zip"
    if head[:8] == _OLE_MAGIC:
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
            return _resave(name, "是 Excel 2003 XML 表格")
        if start.startswith("mime-version:") or "content-type: multipart/related" in start:
            return _resave(name, "是网页存档（.mht），只是扩展名像 Excel")
        if (start.startswith(("<!doctype html", "<html", "<table", "<meta", "<head", "<body"))
                or "<html" in start or "<table" in start):
            return _resave(name, "是网页（HTML）文件，只是扩展名像 Excel")
        if start.startswith("<?xml") or start.startswith("<"):
            return _resave(name, "是 XML 文本文件")
        return _resave(name, "是文本文件（CSV 或纯文本）")
    if head[:4] in (b"\x09\x00\x04\x00", b"\x09\x02", b"\x09\x04"):
        return _resave(name, "是 Excel 2.x–4.x 的旧格式")
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


# ------------------------------------------------------------------ zip (xlsx, ods)


_ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
_ODF_KINDS = {
    "application/vnd.oasis.opendocument.text": "是 OpenDocument 文本文档（.odt）",
    "application/vnd.oasis.opendocument.presentation": "是 OpenDocument 演示文稿（.odp）",
    "application/vnd.oasis.opendocument.graphics": "是 OpenDocument 图形文件（.odg）",
}
_REL_OFFICE_DOC = "/officeDocument"
_XML_SUFFIXES = (".xml", ".rels", ".vml")


def _preflight_zip(f, path: Path, name: str, progress, cancel) -> _Preflight:
    try:
        zf = zipfile.ZipFile(f)
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error, NotImplementedError) as exc:
        raise _corrupt(name, "不是完整的 zip 结构，可能复制不完整或被截断") from exc
    if len({i.filename for i in infos}) != len(infos):
        # two parts under one name: we could check one while the parser reads the other
        raise _corrupt(name, "压缩包中有重名的部件")
    if not infos:
        raise BadWorkbook(f"文件“{name}”是一个空的 zip 压缩包，不是 Excel 工作簿。", file_name=name)
    if any(i.flag_bits & 0x1 for i in infos):
        raise BadWorkbook(f"文件“{name}”设有密码（压缩包加密），无法读取：请取消密码后另存为 .xlsx 再导入。",
                          file_name=name)
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise BadWorkbook(
            f"文件“{name}”解压后过大（声明约 {_size_text(total)}，本程序最多读取 {_size_text(MAX_TOTAL_UNCOMPRESSED)}），"
            "疑似压缩炸弹，已拒绝读取。如确为正常表格，请删除多余内容或拆分后再导入。",
            file_name=name,
        )
    for i in infos:
        if i.file_size > RATIO_MIN_SIZE and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            ratio = i.file_size // max(i.compress_size, 1)
            raise BadWorkbook(
                f"文件“{name}”中的“{i.filename}”压缩比异常（约 {ratio}:1，解压后约 {_size_text(i.file_size)}），"
                "疑似压缩炸弹，已拒绝读取。",
                file_name=name,
            )
    by_name = {i.filename: i for i in infos}
    reader = _ZipReader(f, name)

    if "mimetype" in by_name:
        mime = reader.read_small(by_name["mimetype"], 512).decode("ascii", "replace").strip()
        if mime == _ODS_MIME or mime.startswith(_ODS_MIME + "-template"):
            return _preflight_ods(reader, infos, by_name, path, name, progress, cancel)
        if mime in _ODF_KINDS:
            raise _resave(name, _ODF_KINDS[mime])
        if mime.startswith("application/vnd.oasis.opendocument"):
            raise _resave(name, "是 OpenDocument 文件，但不是电子表格")
    if "word/document.xml" in by_name and "xl/workbook.xml" not in by_name:
        raise BadWorkbook(f"文件“{name}”是 Word 文档（.docx），不是 Excel 工作簿：如果表格在 Word 里，"
                          "请把它复制到 Excel 或 WPS 表格中，保存为 .xlsx 后再导入。", file_name=name)
    if "ppt/presentation.xml" in by_name and "xl/workbook.xml" not in by_name:
        raise BadWorkbook(f"文件“{name}”是 PowerPoint 演示文稿（.pptx），不是 Excel 工作簿：请向对方索取 Excel 原表。",
                          file_name=name)
    workbook_part = _office_document(reader, by_name)
    if workbook_part is None or workbook_part not in by_name:
        if "xl/workbook.bin" in by_name or (workbook_part or "").endswith(".bin"):
            raise BadWorkbook(f"文件“{name}”是 Excel 二进制工作簿（.xlsb），本程序不读取：请在 Excel 中另存为 .xlsx 后再导入。",
                              file_name=name)
        if workbook_part is not None or "[Content_Types].xml" in by_name:
            raise _corrupt(name, "缺少工作簿部件 xl/workbook.xml")
        raise BadWorkbook(f"文件“{name}”是一个 zip 压缩包，不是 Excel 工作簿：请先解压，再选择其中的 Excel 文件。",
                          file_name=name)
    if workbook_part.endswith(".bin"):
        raise BadWorkbook(f"文件“{name}”是 Excel 二进制工作簿（.xlsb），本程序不读取：请在 Excel 中另存为 .xlsx 后再导入。",
                          file_name=name)
    sheets = _xlsx_sheets(reader, by_name, workbook_part)
    part_to_sheet = {s.part: s for s in sheets if s.kind != "chartsheet" and s.part}
    # the relationship's target and the fixed path a parser may read instead: check both when both exist
    sst_parts = {_shared_strings_part(reader, by_name, workbook_part), "xl/sharedStrings.xml"} & set(by_name)

    scans: dict[str, _Scan] = {}
    ssts: list[_SharedStringsScan] = []
    done = 0
    grand = sum(i.compress_size for i in infos) or 1
    for info in infos:
        check_cancel(cancel)
        sheet = part_to_sheet.get(info.filename)
        if sheet is not None:
            scanner = _SheetXmlScanner(name, sheet.name)
            for chunk in reader.iter_member(info, cancel, xml=True):
                scanner.feed(chunk)
            scans[sheet.name] = scanner.finish()
        elif info.filename in sst_parts:
            if info.file_size > MAX_SHARED_STRINGS:
                raise BadWorkbook(
                    f"文件“{name}”的共享字符串表过大（约 {_size_text(info.file_size)}，本程序最多读取 "
                    f"{_size_text(MAX_SHARED_STRINGS)}），已拒绝读取。请拆分后再导入。", file_name=name)
            sst = _SharedStringsScan()
            for chunk in reader.iter_member(info, cancel, xml=True):
                sst.feed(chunk)
            sst.finish(name)
            ssts.append(sst)
        else:
            for _ in reader.iter_member(info, cancel, xml=info.filename.lower().endswith(_XML_SUFFIXES)):
                pass
        done += info.compress_size
        if progress:
            progress(min(39, 40 * done // grand), 100)
    sst = _SharedStringsScan.merge(ssts)

    for s in sheets:
        if s.kind == "chartsheet":
            continue
        scan = scans.get(s.name)
        if scan is None:  # a sheet whose part we could not find: never hand it to calamine unguarded
            scans[s.name] = scan = _Scan(fallback="找不到工作表部件")
            continue
        if scan.fallback:
            continue
        if scan.dense > DENSE_CELL_LIMIT:
            scan.fallback = f"数据范围 {scan.max_row}×{scan.max_col}"
            continue
        if scan.s_cells and sst.count:
            scan.string_bytes = scan.s_cells * sst.max_len
            if scan.string_bytes > STRING_BYTES_LIMIT:
                scan.string_bytes = _exact_string_bytes(reader, by_name[s.part], scan, sst, cancel)
                if scan.string_bytes > STRING_BYTES_LIMIT:
                    scan.fallback = "共享字符串重复引用过多"
    return _Preflight(str(path), name, "xlsx", sheets, scans)


class _ZipReader:
    """Reads members straight from the raw zip: our own inflate with a cap, so a lying header cannot expand."""

    def __init__(self, f, file_name: str):
        self.f = f
        self.file_name = file_name

    def _data_offset(self, info: zipfile.ZipInfo) -> int:
        self.f.seek(info.header_offset)
        header = self.f.read(30)
        if len(header) != 30 or header[:4] != b"PK\x03\x04":
            raise _corrupt(self.file_name, f"“{info.filename}”的文件头无效")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        return info.header_offset + 30 + name_len + extra_len

    def _raw(self, info: zipfile.ZipInfo):
        """The member's compressed bytes in pieces of at most 1 MB."""
        self.f.seek(self._data_offset(info))
        left = info.compress_size
        while left > 0:
            raw = self.f.read(min(left, _MB))
            if not raw:
                raise _corrupt(self.file_name, f"“{info.filename}”的数据不完整（文件被截断）")
            left -= len(raw)
            yield raw

    def _inflate(self, info: zipfile.ZipInfo):
        if info.compress_type == zipfile.ZIP_STORED:
            yield from self._raw(info)
            return
        if info.compress_type != zipfile.ZIP_DEFLATED:
            raise _corrupt(self.file_name, f"“{info.filename}”使用了不支持的压缩方式")
        inflater = zlib.decompressobj(-15)
        source = self._raw(info)
        full = False
        try:
            while not inflater.eof:
                if inflater.unconsumed_tail:
                    data = inflater.unconsumed_tail
                elif full:
                    data = b""  # output was capped: zlib may still hold more for the same input
                else:
                    data = next(source, None)
                    if data is None:
                        break
                out = inflater.decompress(data, CHUNK)
                full = len(out) == CHUNK
                if out:
                    yield out
        except zlib.error as exc:
            raise _corrupt(self.file_name, f"“{info.filename}”的压缩数据有误") from exc
        if not inflater.eof:
            raise _corrupt(self.file_name, f"“{info.filename}”的压缩数据不完整（文件被截断）")

    def iter_member(self, info: zipfile.ZipInfo, cancel=None, *, xml: bool = False):
        """Yield the member's inflated bytes in chunks of at most CHUNK; check size, CRC and (xml) DOCTYPE."""
        name = self.file_name
        produced = 0
        crc = 0
        prev = b""
        for out in self._inflate(info):
            if produced == 0 and xml:
                _check_xml_start(out, info.filename, name)
            produced += len(out)
            if produced > info.file_size:
                raise BadWorkbook(
                    f"文件“{name}”中的“{info.filename}”实际解压后的大小超过其声明的大小，"
                    "文件已损坏或被篡改（疑似压缩炸弹），已拒绝读取。",
                    file_name=name,
                )
            crc = zlib.crc32(out, crc)
            if xml:
                edge = prev + out[:16]
                if (b"!" in out and (b"<!DOCTYPE" in out or b"<!ENTITY" in out)
                        or b"<!DOCTYPE" in edge or b"<!ENTITY" in edge):
                    raise _entity_refused(name, info.filename)
                prev = out[-16:]
            yield out
            check_cancel(cancel)
        if produced != info.file_size:
            raise _corrupt(name, f"“{info.filename}”的大小与记录不符")
        if crc != info.CRC:
            raise _corrupt(name, f"“{info.filename}”校验失败（CRC 错误）")

    def read_small(self, info: zipfile.ZipInfo, limit: int = 64 * _MB) -> bytes:
        if info.file_size > limit:
            raise BadWorkbook(f"文件“{self.file_name}”中的“{info.filename}”异常庞大（{_size_text(info.file_size)}），已拒绝读取。",
                              file_name=self.file_name)
        return b"".join(self.iter_member(info, xml=True))


def _entity_refused(name: str, part: str) -> BadWorkbook:
    return BadWorkbook(
        f"文件“{name}”的“{part}”含有 XML 文档类型或实体声明（<!DOCTYPE / <!ENTITY），正常的 Excel 文件不会有这些内容，"
        "疑似恶意文件，已拒绝读取。请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入。",
        file_name=name,
    )


def _check_xml_start(first: bytes, part: str, name: str) -> None:
    """Refuse UTF-16/32 XML parts (our byte scanners and Excel both use UTF-8) and entity tricks in them."""
    if first.startswith((b"\xff\xfe", b"\xfe\xff")) or first[:2] in (b"<\x00", b"\x00<"):
        sample = first[: 1 << 16]
        for enc in ("utf-16-le", "utf-16-be"):
            if "<!DOCTYPE".encode(enc) in sample or "<!ENTITY".encode(enc) in sample:
                raise _entity_refused(name, part)
        raise BadWorkbook(
            f"文件“{name}”的“{part}”使用了非常规的文本编码（UTF-16），本程序无法安全读取：请在 Excel 或 WPS 中另存为 .xlsx 后再导入。",
            file_name=name,
        )


def _parse_xml(data: bytes, part: str, name: str):
    from defusedxml import ElementTree as SafeET

    try:
        return SafeET.fromstring(data)
    except Exception as exc:  # noqa: BLE001 - defusedxml raises several kinds; all mean a broken part
        raise _corrupt(name, f"“{part}”不是有效的 XML") from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _rels(reader: _ZipReader, by_name: dict, rels_part: str) -> list[tuple[str, str, str]]:
    """(Id, Type, Target) of a .rels part; empty when it is missing."""
    info = by_name.get(rels_part)
    if info is None:
        return []
    root = _parse_xml(reader.read_small(info), rels_part, reader.file_name)
    out = []
    for el in root:
        if _local(el.tag) == "Relationship":
            out.append((el.get("Id", ""), el.get("Type", ""), el.get("Target", "")))
    return out


def _resolve(base_part: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def _rels_part_of(part: str) -> str:
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def _office_document(reader: _ZipReader, by_name: dict) -> str | None:
    for _id, typ, target in _rels(reader, by_name, "_rels/.rels"):
        if typ.endswith(_REL_OFFICE_DOC):
            return _resolve("", target)
    if "xl/workbook.xml" in by_name:
        return "xl/workbook.xml"
    return None


def _xlsx_sheets(reader: _ZipReader, by_name: dict, workbook_part: str) -> list[_Sheet]:
    name = reader.file_name
    root = _parse_xml(reader.read_small(by_name[workbook_part]), workbook_part, name)
    if _local(root.tag) != "workbook":
        raise _corrupt(name, "工作簿部件无效")
    rels = {rid: (typ, target) for rid, typ, target in _rels(reader, by_name, _rels_part_of(workbook_part))}
    sheets = []
    for el in root.iter():
        if _local(el.tag) != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
        typ, target = rels.get(rid, ("", ""))
        kind = typ.rsplit("/", 1)[-1].lower() if typ else "worksheet"
        if kind == "xlmacrosheet":
            kind = "macrosheet"
        state = el.get("state", "visible")
        if state not in ("visible", "hidden", "veryHidden"):
            state = "hidden"
        sheets.append(_Sheet(el.get("name", ""), state, kind, _resolve(workbook_part, target) if target else ""))
    if not sheets:
        raise _corrupt(name, "工作簿中没有工作表")
    if len({s.name for s in sheets}) != len(sheets):
        raise _corrupt(name, "工作簿中有重名的工作表")
    return sheets


def _shared_strings_part(reader: _ZipReader, by_name: dict, workbook_part: str) -> str | None:
    for _id, typ, target in _rels(reader, by_name, _rels_part_of(workbook_part)):
        if typ.endswith("/sharedStrings"):
            return _resolve(workbook_part, target)
    return "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in by_name else None


# ------------------------------------------------------------------ worksheet XML scan

_P = rb"(?:[A-Za-z_][\w.-]*:)?"  # any namespace prefix
_ATTRS = rb"""(?:[^>"']|"[^"]*"|'[^']*')*"""  # attributes, quote-aware
_ROOT_RE = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?(worksheet|dialogsheet|macrosheet|chartsheet)[\s>/]")
_TOKEN_RE = re.compile(rb"<(/?)" + _P + rb"(row|c)(?=[\s/>])(" + _ATTRS + rb")>")
_REF_ATTR_RE = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{1,4})([0-9]{1,8})["']""")
_T_E_RE = re.compile(rb"""t\s*=\s*["']e["']""")
_T_ATTR_RE = re.compile(rb"""\st\s*=\s*["']([A-Za-z]+)["']""")
_VALUE_START_RE = re.compile(rb"<" + _P + rb"(?:v|is|f)[\s>/]")
_V_TEXT_RE = re.compile(rb"<" + _P + rb"v\s*>([^<]*)<")
_FORMULA_RE = re.compile(rb"<" + _P + rb"f[\s>/]")
_V_NONEMPTY_RE = re.compile(rb"<" + _P + rb"v\s*>[^<]")
_EMPTY_V = rb"(<" + _P + rb"v\s*/>|<" + _P + rb"v\s*>\s*</" + _P + rb"v\s*>)?"


@functools.lru_cache(maxsize=16)
def _nocache_res(prefix: bytes):
    """Formula ends (</f> or <f …/>) followed by nothing but an empty <v> and </c>: literal-prefix patterns, fast."""
    p = re.escape(prefix)
    close = rb"\s*" + _EMPTY_V + rb"\s*</" + p + rb"c\s*>"
    return (re.compile(rb"</" + p + rb"f\s*>" + close),
            re.compile(rb"<" + p + rb"f\s" + _ATTRS + rb"(?<=/)>" + close))


_CELL_TAG_RE = re.compile(rb"<" + _P + rb"c(\s" + _ATTRS + rb")?>")
_MERGE_RE = re.compile(
    rb"<" + _P + rb"mergeCell\s[^>]*?ref\s*=\s*[\"']([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?[\"']"
)
_FOREIGN_CELL_RE = re.compile(rb"<[A-Za-z_][\w.-]*:c[\s>/]")
_CELL_CLOSE_RE = re.compile(rb"</" + _P + rb"c\s*>")
_V_ANY_RE = re.compile(rb"<" + _P + rb"v[\s>/]")


@functools.lru_cache(maxsize=16)
def _value_col_re(prefix: bytes):
    p = re.escape(prefix)
    return re.compile(rb'<' + p + rb'c r="([A-Z]{1,3})[0-9]{1,7}"[^>]*>\s*<' + p + rb'(?:v|is|f)[\s>/]')


@functools.lru_cache(maxsize=16)
def _value_row_re(prefix: bytes):
    p = re.escape(prefix)
    return re.compile(rb'<' + p + rb'c r="[A-Z]{1,3}([0-9]{1,7})"[^>]*>\s*<' + p + rb'(?:v|is|f)[\s>/]')


@functools.lru_cache(maxsize=16)
def _any_cell_col_re(prefix: bytes):
    return re.compile(rb'<' + re.escape(prefix) + rb'c r="([A-Z]{1,3})[0-9]{1,7}"')


@functools.lru_cache(maxsize=16)
def _row_re(prefix: bytes):
    return re.compile(rb'<' + re.escape(prefix) + rb'row r="([1-9][0-9]{0,6})"')


@functools.lru_cache(maxsize=64)
def _bound_re(prefix: bytes, max_col: int, max_row: int):
    """Matches any cell tag that is NOT written r="A1" first within columns ≤ max_col and rows ≤ max_row."""
    letters = column_letter(max_col - 1)
    inside = rb"(?:" + _le_pattern(letters.encode(), b"A", b"Z", b"A") + rb")(?:" + \
        _le_pattern(str(max_row).encode(), b"0", b"9", b"1") + rb")"
    return re.compile(rb"<" + re.escape(prefix) + rb'c(?! r="' + inside + rb'")[\s>/]')


def _le_pattern(limit: bytes, lo: bytes, hi: bytes, first_lo: bytes) -> bytes:
    """Regex for strings of the alphabet lo..hi (no leading lo unless first_lo == lo) not greater than limit,
    compared as numbers in that base: shorter ones, or same length and not greater position by position."""
    k = len(limit)
    alts = []
    if k > 1:
        alts.append(b"[" + first_lo + b"-" + hi + b"][" + lo + b"-" + hi + b"]{0,%d}" % (k - 2))
    for i in range(k):
        low = first_lo if i == 0 else lo
        ch = limit[i]
        if ch > low[0]:
            alts.append(re.escape(limit[:i]) + b"[" + low + b"-" + bytes([ch - 1]) + b"]"
                        + (b"[" + lo + b"-" + hi + b"]{%d}" % (k - i - 1) if k - i - 1 else b""))
    alts.append(re.escape(limit))
    return b"|".join(alts)


class _SheetXmlScanner:
    """Streams one worksheet part and finds the real extent of value cells, error cells and formulas without results.

    Per chunk, cheapest first: (1) one regex pass proving every cell tag is written r="A1" first inside a
    bound (widest column near the chunk's start × highest <row r>), as Excel, WPS, openpyxl and xlsxwriter
    write; (2) two C-speed findalls giving the exact extent of value cells, checked by counting </c>;
    (3) a per-cell tokenizer for other attribute orders. What a byte scanner cannot vouch for — cells
    without r, foreign namespace prefixes, comments, CDATA — sends the sheet to openpyxl. About 0.2 s for a
    20 000 × 30 sheet.
    """

    def __init__(self, file_name: str, sheet: str):
        self.file_name = file_name
        self.sheet = sheet
        self.scan = _Scan()
        self.buf = b""
        self.prefix: bytes | None = None
        self.not_worksheet = False
        self.started = False  # past the first chunk (whose XML declaration is a legitimate <?)
        self.col_hint = 0  # widest column seen near the start of a chunk (a bound candidate)

    def feed(self, chunk: bytes) -> None:
        buf = self.buf + chunk if self.buf else chunk
        if self.prefix is None:
            m = _ROOT_RE.search(buf, 0, 1 << 16)
            if m is None:
                if len(buf) < 1 << 16:
                    self.buf = buf
                    return
                self.scan.fallback = "无法识别的工作表结构"
                self.prefix = b""
            else:
                self.prefix = (m.group(1) + b":") if m.group(1) else b""
                self.scan.prefix = self.prefix
                if m.group(2) == b"chartsheet":
                    self.not_worksheet = True
        if self.scan.fallback or self.not_worksheet:
            self.buf = b""
            return
        cut = _cell_safe_cut(buf, b"<" + self.prefix + b"c", b"</" + self.prefix + b"c")
        if len(buf) - cut > MAX_CELL_XML:
            raise BadWorkbook(f"文件“{self.file_name}”的工作表“{self.sheet}”中有一个单元格内容异常庞大，已拒绝读取。",
                              file_name=self.file_name, sheet=self.sheet)
        self._process(buf[:cut])
        self.buf = buf[cut:]

    def finish(self) -> _Scan:
        if self.buf and not self.scan.fallback and not self.not_worksheet:
            self._process(self.buf)
        self.buf = b""
        return self.scan

    def _process(self, buf: bytes) -> None:
        if not buf or self.scan.fallback:
            return
        if b"!" in buf and (b"<!--" in buf or b"<![CDATA[" in buf):
            # Comments and CDATA can hide or fake markup from a byte scanner: openpyxl's XML parser reads such a sheet.
            self.scan.fallback = "工作表含有注释或 CDATA"
            return
        if b"?" in buf and buf.find(b"<?", 0 if self.started else 5) != -1:
            self.scan.fallback = "工作表含有处理指令"
            return
        self.started = True
        p = self.prefix or b""
        if p == b"":
            foreign = b":c" in buf and _FOREIGN_CELL_RE.search(buf)
        else:
            foreign = re.search(rb"<(?!" + re.escape(p) + rb"c[\s>/])" + _P + rb"c[\s>/]", buf)
        if foreign:
            self.scan.fallback = "工作表使用了混合的命名空间前缀"
            return
        scan = self.scan
        tail = buf.rfind(b"</" + p + b"row>")
        if b"mergeCell" in buf[tail + 1:] if tail >= 0 else b"mergeCell" in buf:
            for m in _MERGE_RE.finditer(buf, max(tail, 0)):
                c1, r1, c2, r2 = m.groups()
                a, b = int(r1), _column_index(c1)
                c, d = (int(r2), _column_index(c2)) if c2 else (a, b)
                scan.merged.append((min(a, c), min(b, d), max(a, c), max(b, d)))
        specials = self._specials(buf)
        if specials is None or not (self._bounded(buf) or self._findall(buf)):
            self._exact(buf)
            return
        marks, s_cells = specials
        for row, col0, value in marks:
            scan.mark(row, col0, value)
        scan.s_cells += s_cells

    def _bounded(self, buf: bytes) -> bool:
        """Cheapest check: every cell tag has r="…" first and lies inside (max column seen near the start,
        max <row r>) — one regex pass that finds nothing. The bound may overestimate rows; refined when it matters."""
        p = self.prefix or b""
        rows = _row_re(p).findall(buf)
        if not rows:
            return False
        r_max = max(map(int, set(rows)))
        head = _any_cell_col_re(p).findall(buf, 0, 1 << 16)
        if head:
            self.col_hint = max(self.col_hint, max(map(_column_index, set(head))))
        c_max = self.col_hint
        if not c_max or r_max * max(c_max, self.scan.max_col) > DENSE_CELL_LIMIT:
            return False
        if _bound_re(p, c_max, r_max).search(buf):
            return False
        scan = self.scan
        scan.max_row = max(scan.max_row, r_max)
        scan.max_col = max(scan.max_col, c_max)
        return True

    def _findall(self, buf: bytes) -> bool:
        """Exact extent of value cells by two C-speed findalls; False when some cell is not written r="A1" first."""
        p = self.prefix or b""
        cols = _value_col_re(p).findall(buf)
        if len(cols) != buf.count(b"</" + p + b"c>"):
            return False
        if cols:
            rows = _value_row_re(p).findall(buf)
            if len(rows) != len(cols):
                return False
            scan = self.scan
            scan.max_col = max(scan.max_col, max(map(_column_index, set(cols))))
            scan.max_row = max(scan.max_row, max(map(int, set(rows))))
        return True

    def _specials(self, buf: bytes):
        """Error cells, formulas without a cached result and the count of shared-string cells; None when a cell has no r."""
        marks = []
        for m in _T_E_RE.finditer(buf):
            found = self._error_at(buf, m.start())
            if found is None:
                return None
            if found:
                marks.append(found)
        for pattern in _nocache_res(self.prefix or b""):
            for m in pattern.finditer(buf):
                found = self._nocache_at(buf, m)
                if found is None:
                    return None
                if found:
                    marks.append(found)
        s_cells = buf.count(b't="s"')
        if b"'" in buf:
            s_cells += buf.count(b"t='s'")
        return marks, s_cells

    @staticmethod
    def _cell_ref(tag: bytes) -> tuple[int, int] | None:
        m = _REF_ATTR_RE.search(tag)
        if m is None:
            return None
        return int(m.group(2)), _column_index(m.group(1)) - 1

    def _error_at(self, buf: bytes, pos: int):
        """(row, col0, CellError) for an error cell at pos, False when t="e" is not on a cell, None without r."""
        start = buf.rfind(b"<", 0, pos)
        tag_m = _CELL_TAG_RE.match(buf, start)
        if tag_m is None:
            return False
        ref = self._cell_ref(tag_m.group(0))
        if ref is None:
            return None
        end = _CELL_CLOSE_RE.search(buf, tag_m.end())
        body = buf[tag_m.end(): end.start() if end else len(buf)]
        v = _V_TEXT_RE.search(body)
        code = v.group(1).decode("utf-8", "replace").strip() if v else ""
        return ref[0], ref[1], CellError(code or "#VALUE!")

    def _nocache_at(self, buf: bytes, m):
        """(row, col0, NO_CACHED_VALUE) for a formula cell without a result, False when it has one, None without r."""
        start = m.start()
        if buf.startswith(b"</", start):  # </f>: step back over <f ...>formula
            start = buf.rfind(b"<", 0, start)
        cell_start = buf.rfind(b"<", 0, start)
        tag_m = _CELL_TAG_RE.match(buf, cell_start)
        if tag_m is None or tag_m.end() != start:
            return None
        tag = tag_m.group(0)
        ref = self._cell_ref(tag)
        if ref is None:
            return None
        t = _T_ATTR_RE.search(tag)
        t = t.group(1) if t else b"n"
        if t == b"e" or (t == b"str" and m.group(1)):
            return False  # an error cell (handled above) or a text formula whose cached result is ""
        return ref[0], ref[1], NO_CACHED_VALUE

    def _exact(self, buf: bytes) -> None:
        """Per-cell tokenizer for a chunk the fast path could not vouch for (cells still need r)."""
        pending = None  # (row, col, attrs, body_start)
        for m in _TOKEN_RE.finditer(buf):
            closing, kind, attrs = m.group(1), m.group(2), m.group(3)
            if kind == b"row":
                continue
            if closing:
                if pending is not None:
                    self._exact_cell(buf, pending, m.start())
                    pending = None
                continue
            ref = _REF_ATTR_RE.search(b" " + attrs)
            if ref is None:
                self.scan.fallback = "单元格没有位置标记"
                return
            if attrs.endswith(b"/"):
                continue
            pending = (int(ref.group(2)), _column_index(ref.group(1)), attrs, m.end())
        if pending is not None:
            self._exact_cell(buf, pending, len(buf))

    def _exact_cell(self, buf: bytes, pending, body_end: int) -> None:
        row, col, attrs, body_start = pending
        body = buf[body_start:body_end]
        if not _VALUE_START_RE.search(body):
            return
        scan = self.scan
        scan.max_row = max(scan.max_row, row)
        scan.max_col = max(scan.max_col, col)
        t = _T_ATTR_RE.search(b" " + attrs)
        t = t.group(1) if t else b"n"
        if t == b"s":
            scan.s_cells += 1
        if t == b"e":
            v = _V_TEXT_RE.search(body)
            code = v.group(1).decode("utf-8", "replace").strip() if v else ""
            scan.mark(row, col - 1, CellError(code or "#VALUE!"))
        elif _FORMULA_RE.search(body) and not _V_NONEMPTY_RE.search(body):
            has_v = _V_ANY_RE.search(body) is not None
            if not (t == b"str" and has_v):
                scan.mark(row, col - 1, NO_CACHED_VALUE)


def _cell_safe_cut(buf: bytes, open_tag: bytes, close_tag: bytes) -> int:
    """Where to split a buffer so that no cell (open_tag … close_tag) is cut: before the last tag,
    or before the last cell when that cell is not complete yet."""
    last_lt = buf.rfind(b"<")
    if last_lt < 0:
        return len(buf)
    last_open = -1
    for lo in (max(0, last_lt - (1 << 16)), 0):  # the last cell is near the end: look there first
        last_open = max(buf.rfind(open_tag + ch, lo) for ch in (b" ", b">", b"/", b"\t", b"\n", b"\r"))
        if last_open >= 0 or lo == 0:
            break
    if last_open < 0:
        return last_lt
    tag = re.compile(re.escape(open_tag) + rb"(?:\s" + _ATTRS + rb")?>").match(buf, last_open)
    if tag is None:
        return last_open  # the start tag itself is incomplete
    if tag.group(0).endswith(b"/>"):
        return last_lt if last_lt >= tag.end() else tag.end()
    close = re.compile(re.escape(close_tag) + rb"\s*>").search(buf, tag.end())
    if close is None:
        return last_open
    return last_lt if last_lt >= close.end() else close.end()


class _SharedStringsScan:
    """Counts the shared strings and their XML sizes (an upper bound of each string's UTF-8 length)."""

    def __init__(self):
        self.prefix: bytes | None = None
        self.buf = b""
        self.lengths: list[int] = []
        self.current = -1  # length of the open <si>, -1 before the first
        self.unique_count: int | None = None

    @property
    def count(self) -> int:
        return len(self.lengths)

    @property
    def max_len(self) -> int:
        return max(self.lengths) if self.lengths else 0

    def feed(self, chunk: bytes) -> None:
        buf = self.buf + chunk if self.buf else chunk
        if self.prefix is None:
            m = re.search(rb"<(?:([A-Za-z_][\w.-]*):)?sst(" + _ATTRS + rb")>", buf[:1 << 16])
            if m is None:
                if len(buf) < 1 << 16:
                    self.buf = buf
                    return
                self.prefix = b""
            else:
                self.prefix = (m.group(1) + b":") if m.group(1) else b""
                u = re.search(rb"""uniqueCount\s*=\s*["']\s*([0-9]+)""", m.group(2))
                if u:
                    self.unique_count = int(u.group(1))
        cut = buf.rfind(b"<")
        if cut <= 0:
            cut = len(buf) if cut < 0 else 0
        self._process(buf[:cut])
        self.buf = buf[cut:]

    def _process(self, buf: bytes) -> None:
        parts = buf.split(b"<" + (self.prefix or b"") + b"si")
        if self.current >= 0:
            self.current += len(parts[0])
        for part in parts[1:]:
            if self.current >= 0:
                self.lengths.append(self.current)
            self.current = len(part)

    @classmethod
    def merge(cls, scans: list["_SharedStringsScan"]) -> "_SharedStringsScan":
        """One view of several candidate tables: the larger length at each index (a safe over-estimate)."""
        if len(scans) == 1:
            return scans[0]
        merged = cls()
        for other in scans:
            for i, n in enumerate(other.lengths):
                if i < len(merged.lengths):
                    merged.lengths[i] = max(merged.lengths[i], n)
                else:
                    merged.lengths.append(n)
        return merged

    def finish(self, file_name: str) -> None:
        self._process(self.buf)
        self.buf = b""
        if self.current >= 0:
            self.lengths.append(self.current)
            self.current = -1
        if self.unique_count is not None and self.unique_count > self.count + SHARED_STRING_COUNT_SLACK:
            raise BadWorkbook(
                f"文件“{file_name}”的共享字符串表计数异常（声明 {self.unique_count} 个，实际 {self.count} 个），"
                "文件已损坏或被篡改，已拒绝读取。",
                file_name=file_name,
            )


_S_REF_RE = re.compile(rb"""\st\s*=\s*["']s["']""" + rb"[^>]*>\s*<" + _P + rb"v\s*>\s*([0-9]+)\s*<")


def _exact_string_bytes(reader: _ZipReader, info, scan: _Scan, sst: _SharedStringsScan, cancel) -> int:
    """Sum of the shared-string sizes over every cell that refers to one (second pass, only when the cheap bound is high)."""
    counts: Counter = Counter()
    tail = b""
    open_tag, close_tag = b"<" + scan.prefix + b"c", b"</" + scan.prefix + b"c"
    for chunk in reader.iter_member(info, cancel, xml=True):
        buf = tail + chunk
        cut = _cell_safe_cut(buf, open_tag, close_tag)
        counts.update(_S_REF_RE.findall(buf, 0, cut))
        tail = buf[cut:]
    counts.update(_S_REF_RE.findall(tail))
    lengths = sst.lengths
    total = 0
    for idx, n in counts.items():
        i = int(idx)
        if i < len(lengths):
            total += lengths[i] * n
    return total


# ------------------------------------------------------------------ ods


_ODS_TABLE_NS_RE = re.compile(
    rb"""xmlns:([A-Za-z_][\w.-]*)\s*=\s*["']urn:oasis:names:tc:opendocument:xmlns:table:1\.0["']""")
_ODS_ATTR_RE = re.compile(rb"""([A-Za-z_][\w.-]*):([\w.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _preflight_ods(reader: _ZipReader, infos, by_name, path: Path, name: str, progress, cancel) -> _Preflight:
    if "content.xml" not in by_name:
        raise _corrupt(name, "缺少 content.xml")
    scanner = _OdsScanner(name)
    done = 0
    grand = sum(i.compress_size for i in infos) or 1
    for info in infos:
        check_cancel(cancel)
        is_xml = info.filename.lower().endswith(_XML_SUFFIXES)
        if info.filename == "content.xml":
            for chunk in reader.iter_member(info, cancel, xml=True):
                scanner.feed(chunk)
            scanner.finish()
        else:
            for _ in reader.iter_member(info, cancel, xml=is_xml):
                pass
        done += info.compress_size
        if progress:
            progress(min(39, 40 * done // grand), 100)
    for sheet_name, scan in scanner.scans.items():
        _refuse_unsafe(name, sheet_name, scan)
    # names and visibility as calamine reports them (it parses the whole file when opened; the scan made that safe)
    book = _calamine_open(str(path), "ods", name)
    try:
        sheets = _calamine_sheets(book)
    finally:
        book.close()
    scans = {}
    ordered = list(scanner.scans.values())
    for i, s in enumerate(sheets):
        scans[s.name] = scanner.scans.get(s.name) or (ordered[i] if i < len(ordered) else _Scan())
    return _Preflight(str(path), name, "ods", sheets, scans)


def _refuse_unsafe(file_name: str, sheet: str, scan: _Scan) -> None:
    """xls/ods: calamine parses every sheet when the file is opened, so an oversized sheet refuses the file."""
    if scan.dense > DENSE_CELL_LIMIT:
        far = f"{column_letter(max(scan.max_col, 1) - 1)}{scan.max_row}"
        raise BadWorkbook(
            f"文件“{file_name}”的工作表“{sheet}”数据分布范围过大（最远的单元格在 {far}，约 {scan.dense:,} 个单元格），"
            "无法安全读取：请删除远处多余的单元格，或在 Excel 或 WPS 中另存为 .xlsx 后再导入。",
            file_name=file_name, sheet=sheet,
        )
    if scan.string_bytes > STRING_BYTES_LIMIT:
        raise BadWorkbook(
            f"文件“{file_name}”的工作表“{sheet}”中的文字重复引用过多（展开后约 {_size_text(scan.string_bytes)}），"
            "无法安全读取：请在 Excel 或 WPS 中另存为 .xlsx 后再导入。",
            file_name=file_name, sheet=sheet,
        )


class _OdsScanner:
    """Walks content.xml: each table's extent of value cells (with repeat counts), merges and repeated-text volume."""

    def __init__(self, file_name: str):
        self.file_name = file_name
        self.scans: dict[str, _Scan] = {}
        self.buf = b""
        self.prefix: bytes | None = None
        self.token_re = None
        self.scan: _Scan | None = None
        self.depth = 0  # nesting of table:table (sub-tables are ignored)
        self.row = 0  # 0-based index of the current row
        self.row_repeat = 1
        self.row_has_value = False
        self.col = 0
        self.cell = None  # (col, repeat, has_value_attr, body_start)

    def feed(self, chunk: bytes) -> None:
        buf = self.buf + chunk if self.buf else chunk
        if self.prefix is None:
            m = _ODS_TABLE_NS_RE.search(buf, 0, 1 << 16)
            if m is None and len(buf) < 1 << 16 and chunk:
                self.buf = buf
                return
            self._set_prefix(m.group(1) if m else b"table")
        p = self.prefix
        cut = min(_cell_safe_cut(buf, b"<" + p + b":table-cell", b"</" + p + b":table-cell"),
                  _cell_safe_cut(buf, b"<" + p + b":covered-table-cell", b"</" + p + b":covered-table-cell"))
        if len(buf) - cut > MAX_CELL_XML:
            raise BadWorkbook(f"文件“{self.file_name}”中有一个单元格内容异常庞大，已拒绝读取。", file_name=self.file_name)
        self._process(buf[:cut])
        self.buf = buf[cut:]

    def _set_prefix(self, prefix: bytes) -> None:
        self.prefix = prefix
        p = re.escape(prefix)
        self.token_re = re.compile(
            rb"<(/?)" + p + rb":(table-row|table-cell|covered-table-cell|table)(?=[\s/>])(" + _ATTRS + rb")>")

    def finish(self) -> None:
        if self.token_re is None:
            m = _ODS_TABLE_NS_RE.search(self.buf)
            self._set_prefix(m.group(1) if m else b"table")
        self._process(self.buf)
        self.buf = b""

    def _process(self, buf: bytes) -> None:
        if b"<!--" in buf or b"<![CDATA[" in buf:
            raise BadWorkbook(f"文件“{self.file_name}”的内容含有注释或 CDATA，本程序无法安全读取：请在 Excel 或 WPS 中另存为 .xlsx 后再导入。",
                              file_name=self.file_name)
        for m in self.token_re.finditer(buf):
            closing, kind, attrs = m.groups()
            self_closing = attrs.endswith(b"/")
            if kind == b"table":
                if closing:
                    self.depth -= 1
                elif not self_closing:
                    self.depth += 1
                    if self.depth == 1:
                        name = self._attr(attrs, b"name") or f"Sheet{len(self.scans) + 1}"
                        self.scan = self.scans.setdefault(name, _Scan())
                        self.row = 0
                continue
            if self.depth != 1 or self.scan is None:
                continue
            if kind == b"table-row":
                if closing:
                    self._end_row()
                else:
                    self.row_repeat = self._count(attrs, b"number-rows-repeated")
                    self.row_has_value = False
                    self.col = 0
                    if self_closing:
                        self._end_row()
                continue
            if closing:  # </table:table-cell> or </table:covered-table-cell>
                if self.cell is not None:
                    self._end_cell(m.start() - self.cell[3])
                continue
            repeat = self._count(attrs, b"number-columns-repeated")
            has_value = b"value-type" in attrs
            if kind == b"table-cell":
                cs = self._count(attrs, b"number-columns-spanned")
                rs = self._count(attrs, b"number-rows-spanned")
                if cs > 1 or rs > 1:
                    self.scan.merged.append((self.row + 1, self.col + 1, self.row + rs, self.col + cs))
            self.cell = (self.col, repeat, has_value, m.end())
            if self_closing:
                self._end_cell(0)

    def _end_cell(self, body_len: int) -> None:
        col, repeat, has_value, _ = self.cell
        self.cell = None
        self.col = col + repeat
        if has_value or body_len > 0:
            scan = self.scan
            scan.max_col = max(scan.max_col, col + repeat)
            self.row_has_value = True
            scan.string_bytes += body_len * repeat * self.row_repeat

    def _end_row(self) -> None:
        if self.row_has_value:
            self.scan.max_row = max(self.scan.max_row, self.row + self.row_repeat)
        self.row += self.row_repeat
        self.row_repeat = 1
        self.row_has_value = False

    @staticmethod
    def _attr(attrs: bytes, local: bytes) -> str | None:
        for m in _ODS_ATTR_RE.finditer(attrs):
            if m.group(2) == local:
                raw = m.group(3) if m.group(3) is not None else m.group(4)
                return _xml_unescape(raw.decode("utf-8", "replace"))
        return None

    def _count(self, attrs: bytes, local: bytes) -> int:
        if local not in attrs:
            return 1
        value = self._attr(attrs, local)
        try:
            n = int(value or 1)
        except ValueError:
            return 1
        return max(1, min(n, 1 << 24))


def _xml_unescape(text: str) -> str:
    import html

    return html.unescape(text)


# ------------------------------------------------------------------ ole2 / xls


class _Ole:
    """Minimal OLE2 compound-file reader: directory names and stream bytes (for sniffing and the BIFF guard)."""

    FREE, END = 0xFFFFFFFF, 0xFFFFFFFE

    def __init__(self, data, file_name: str):
        self.data = data
        self.file_name = file_name
        if len(data) < 512:
            raise _corrupt(file_name, "OLE 文件头不完整")
        shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise _corrupt(file_name, "OLE 文件头无效")
        self.ss = 1 << shift
        (n_fat, dir_start, _tx, self.mini_cutoff, minifat_start, n_minifat, difat_start, n_difat) = struct.unpack_from(
            "<IIIIIIII", data, 0x2C)
        self.n_sectors = max(0, (len(data) - self.ss) // self.ss + (1 if (len(data) - self.ss) % self.ss else 0))
        fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < 0xFFFFFFFA]
        sec = difat_start
        seen = 0
        per = self.ss // 4
        while sec < 0xFFFFFFFA and seen < n_difat and seen <= self.n_sectors:
            entries = struct.unpack_from(f"<{per}I", self._sector(sec))
            fat_sectors.extend(s for s in entries[:-1] if s < 0xFFFFFFFA)
            sec = entries[-1]
            seen += 1
        fat_sectors = fat_sectors[:max(n_fat, 0)] if n_fat else fat_sectors
        fat = bytearray()
        for s in fat_sectors:
            fat += self._sector(s)
        self.fat = struct.unpack(f"<{len(fat) // 4}I", bytes(fat))
        self.entries = []
        dir_bytes = self._chain_bytes(dir_start, self.fat, self._sector)
        for off in range(0, len(dir_bytes) - 127, 128):
            raw = dir_bytes[off:off + 128]
            name_len = struct.unpack_from("<H", raw, 0x40)[0]
            typ = raw[0x42]
            if typ == 0 or name_len < 2 or name_len > 64:
                continue
            name = raw[: name_len - 2].decode("utf-16-le", "replace")
            start, size = struct.unpack_from("<II", raw, 0x74)
            self.entries.append((name, typ, start, size))
        self.minifat = ()
        self.ministream = b""
        root = next((e for e in self.entries if e[1] == 5), None)
        if root is not None and n_minifat:
            mf = self._chain_bytes(minifat_start, self.fat, self._sector)
            self.minifat = struct.unpack(f"<{len(mf) // 4}I", mf[: len(mf) // 4 * 4])
            self.ministream = self._chain_bytes(root[2], self.fat, self._sector)[: root[3]]

    def _sector(self, index: int) -> bytes:
        off = (index + 1) * self.ss
        if index >= 0xFFFFFFFA or off >= len(self.data):
            raise _corrupt(self.file_name, "OLE 扇区越界")
        return bytes(self.data[off: off + self.ss])

    def _mini_sector(self, index: int) -> bytes:
        off = index * 64
        if off >= len(self.ministream):
            raise _corrupt(self.file_name, "OLE 小扇区越界")
        return self.ministream[off: off + 64]

    def _chain_bytes(self, start: int, table, read) -> bytes:
        out = bytearray()
        sec = start
        steps = 0
        while sec < 0xFFFFFFFA:
            out += read(sec)
            if sec >= len(table):
                raise _corrupt(self.file_name, "OLE 分配表损坏")
            sec = table[sec]
            steps += 1
            if steps > len(table):
                raise _corrupt(self.file_name, "OLE 分配表有循环")
        return bytes(out)

    def names(self) -> set[str]:
        return {e[0] for e in self.entries}

    def names_list(self) -> list[str]:
        return [e[0] for e in self.entries]

    def stream(self, name: str) -> bytes | None:
        for ename, typ, start, size in self.entries:
            if typ == 2 and ename.lower() == name.lower():
                if size > len(self.data):
                    raise _corrupt(self.file_name, f"“{name}”流的大小无效")
                if size < self.mini_cutoff:
                    data = self._chain_bytes(start, self.minifat, self._mini_sector)
                else:
                    data = self._chain_bytes(start, self.fat, self._sector)
                if len(data) < size:
                    raise _corrupt(self.file_name, f"“{name}”流不完整")
                return data[:size]
        return None


def _preflight_ole(f, path: Path, name: str, cancel) -> _Preflight:
    try:
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (ValueError, OSError) as exc:
        raise _corrupt(name, "无法映射文件") from exc
    try:
        try:
            ole = _Ole(mm, name)
        except struct.error as exc:
            raise _corrupt(name, "OLE 结构无效") from exc
        names = {n.lower() for n in ole.names()}
        if "encryptedpackage" in names or "encryptioninfo" in names:
            raise BadWorkbook(
                f"文件“{name}”设有打开密码，无法读取：请在 Excel 或 WPS 中用密码打开，取消打开密码后另存为 .xlsx，再导入。",
                file_name=name,
            )
        stream_name = "Workbook" if "workbook" in names else ("Book" if "book" in names else None)
        if stream_name and sum(1 for n in ole.names_list() if n.lower() == stream_name.lower()) > 1:
            raise _corrupt(name, "文件中有两个工作簿流")
        if stream_name is None:
            if "worddocument" in names:
                raise BadWorkbook(f"文件“{name}”是 Word 97-2003 文档（.doc），不是 Excel 工作簿：如果表格在 Word 里，"
                                  "请把它复制到 Excel 或 WPS 表格中，保存为 .xlsx 后再导入。", file_name=name)
            if "powerpoint document" in names:
                raise BadWorkbook(f"文件“{name}”是 PowerPoint 97-2003 演示文稿（.ppt），不是 Excel 工作簿：请向对方索取 Excel 原表。",
                                  file_name=name)
            raise _resave(name, "是 Office 复合文档，但其中没有 Excel 工作簿")
        try:
            stream = ole.stream(stream_name)
        except struct.error as exc:
            raise _corrupt(name, "OLE 结构无效") from exc
    finally:
        mm.close()
    check_cancel(cancel)
    try:
        sheets, scans = _scan_biff(stream, name, cancel)
    except struct.error as exc:
        raise _corrupt(name, "记录不完整") from exc
    for s in sheets:
        _refuse_unsafe(name, s.name, scans[s.name])
    return _Preflight(str(path), name, "xls", sheets, scans, stream_digest=_digest(stream))


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _xls_stream(pre: _Preflight) -> bytes:
    """The Workbook stream again, refused unless it is byte for byte the one the pre-flight walked."""
    with open(pre.path, "rb") as f:
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            ole = _Ole(mm, pre.file_name)
            names = {n.lower() for n in ole.names()}
            stream = ole.stream("Workbook" if "workbook" in names else "Book")
        except struct.error:
            stream = None
        finally:
            mm.close()
    if stream is None or _digest(stream) != pre.stream_digest:
        raise BadWorkbook(f"文件“{pre.file_name}”在读取过程中被修改了：请关闭正在编辑它的程序后重试。",
                          file_name=pre.file_name)
    return stream


def _wrap_cfb(stream: bytes) -> bytes:
    """A clean version-4 compound file (4096-byte sectors) holding only the Workbook stream, so the parser sees
    exactly the bytes the guard walked, whatever the original container's quirks."""
    ss, end, free, fatsect = 4096, 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    size = max(len(stream), ss)  # at least the mini-stream cutoff: no mini stream needed
    data = stream.ljust(-(-size // ss) * ss, b"\0")
    n_data = len(data) // ss
    n_fat = 1
    while n_data + 2 + n_fat > n_fat * (ss // 4):
        n_fat += 1
    if n_fat > 109:
        raise ValueError("stream too large")
    dir_start = n_data
    root_start = n_data + 1  # an empty sector: version-4 readers expect the root to own one

    def entry(name: str, typ: int, child: int, start: int, length: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0" if name else b""
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), typ, 1) + struct.pack("<III", free, free, child)
                + b"\0" * 36 + struct.pack("<IQ", start, length))

    directory = (entry("Root Entry", 5, 1, root_start, 0) + entry("Workbook", 2, free, 0, size)).ljust(ss, b"\0")
    fat = list(range(1, n_data)) + [end, end, end] + [fatsect] * n_fat
    fat += [free] * (n_fat * (ss // 4) - len(fat))
    difat = [root_start + 1 + k for k in range(n_fat)] + [free] * (109 - n_fat)
    header = (_OLE_MAGIC + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 4, 0xFFFE, 12, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 1, n_fat, dir_start, 0, 4096, end, 0, end, 0)
              + struct.pack("<109I", *difat)).ljust(ss, b"\0")
    return header + data + directory + b"\0" * ss + struct.pack(f"<{len(fat)}I", *fat)


_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
                0x2A: "#N/A", 0x2B: "#GETTING_DATA"}
_BIFF_VALUE_RECORDS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x00D6}


def _scan_biff(stream: bytes, name: str, cancel) -> tuple[list[_Sheet], dict[str, _Scan]]:
    """Walk the BIFF records: sheet list, every sheet's value extent and error cells, and the counts calamine trusts."""
    n = len(stream)
    u16 = struct.Struct("<H").unpack_from
    hdr = struct.Struct("<HH").unpack_from
    if n < 8:
        raise _corrupt(name, "工作簿流为空")
    typ, ln = hdr(stream, 0)
    if typ not in (0x0809, 0x0409, 0x0209, 0x0009) or ln < 2:
        raise _corrupt(name, "不是有效的 Excel 97-2003 工作簿")
    version = u16(stream, 4)[0]
    biff8 = version != 0x0500
    codepage = "cp1252" if not biff8 else "utf-16-le"
    bounds: list[tuple[int, int, int, bytes]] = []
    sst_lengths: list[int] = []
    pos = 0
    while pos + 4 <= n:
        typ, ln = hdr(stream, pos)
        start, end = pos + 4, pos + 4 + ln
        if end > n:
            raise _corrupt(name, "记录超出工作簿流")
        data = stream[start:end]
        if typ in (0x002F, 0x0042, 0x0022, 0x0809) and ln < 2:
            raise _corrupt(name, "记录过短")
        if typ == 0x002F and u16(data, 0)[0] != 0:
            raise BadWorkbook(
                f"文件“{name}”设有打开密码，无法读取：请在 Excel 或 WPS 中用密码打开，取消打开密码后另存为 .xlsx，再导入。",
                file_name=name,
            )
        if typ == 0x0042 and not biff8:
            cp = u16(data, 0)[0]
            codepage = {1200: "utf-16-le", 936: "gbk", 950: "big5", 65001: "utf-8"}.get(cp, f"cp{cp}")
        elif typ == 0x0085:
            if ln < 8:
                raise _corrupt(name, "工作表记录过短")
            ply, hs, dt_ = struct.unpack_from("<IBB", data, 0)
            bounds.append((ply, hs & 0x3F, dt_, data[6:]))
        elif typ == 0x0018:
            _check_lbl(data, name)
        elif typ == 0x0017:
            if ln < 2:
                raise _corrupt(name, "ExternSheet 记录过短")
            cxti = u16(data, 0)[0]
            if cxti * 6 > ln - 2 and (ln - 2) % 6:
                raise _corrupt(name, "ExternSheet 记录长度不符")
        elif typ == 0x00FC:
            segs = [data]
            p2 = end
            while p2 + 4 <= n and u16(stream, p2)[0] == 0x003C:
                l2 = u16(stream, p2 + 2)[0]
                if p2 + 4 + l2 > n:
                    raise _corrupt(name, "Continue 记录超出工作簿流")
                segs.append(stream[p2 + 4:p2 + 4 + l2])
                p2 += 4 + l2
            sst_lengths = _sst_lengths(segs, name)
            pos = p2
            continue
        elif typ == 0x000A:
            pos = end
            break
        pos = end

    sheets: list[_Sheet] = []
    scans: dict[str, _Scan] = {}
    for i, (ply, hs, dt_, raw_name) in enumerate(bounds):
        sheet_name = _biff_sheet_name(raw_name, biff8, codepage) or f"Sheet{i + 1}"
        kind = {0: "worksheet", 1: "macrosheet", 2: "chartsheet", 6: "worksheet"}.get(dt_)
        state = {0: "visible", 1: "hidden", 2: "veryHidden"}.get(hs)
        if kind is None or state is None:
            raise _corrupt(name, "工作表记录无效")
        if ply + 4 > n:
            raise _corrupt(name, f"工作表“{sheet_name}”的位置超出工作簿流")
        check_cancel(cancel)
        scans[sheet_name] = _scan_biff_sheet(stream, ply, sst_lengths, name, sheet_name)
        sheets.append(_Sheet(sheet_name, state, kind))
    if not sheets:
        raise _corrupt(name, "工作簿中没有工作表")
    return sheets, scans


def _check_lbl(data: bytes, name: str) -> None:
    """A defined name (Lbl) whose lengths point outside the record would make calamine panic."""
    if len(data) < 14:
        raise _corrupt(name, "名称记录过短")
    cch = data[3]
    cce = struct.unpack_from("<H", data, 4)[0]
    if 14 + 1 + cch > len(data) or cce > len(data):
        raise _corrupt(name, "名称记录长度不符")


def _biff_sheet_name(raw: bytes, biff8: bool, codepage: str) -> str:
    if not raw:
        return ""
    cch = raw[0]
    if biff8:
        high = raw[1] & 1 if len(raw) > 1 else 0
        body = raw[2:2 + cch * (2 if high else 1)]
        text = body.decode("utf-16-le", "replace") if high else body.decode("latin-1")
    else:
        body = raw[1:1 + cch]
        try:
            text = body.decode(codepage)
        except (LookupError, UnicodeDecodeError):
            text = body.decode("latin-1")
    return text.replace("\x00", "")


def _sst_lengths(segs: list[bytes], name: str) -> list[int]:
    """Character count of every string in the SST (and a check of the count calamine pre-allocates from)."""
    first = segs[0]
    if len(first) < 8:
        raise _corrupt(name, "共享字符串记录过短")
    unique = struct.unpack_from("<i", first, 4)[0]
    total_bytes = sum(len(s) for s in segs) - 8
    if unique < 0 or unique * 3 > total_bytes + 3:
        raise _corrupt(name, f"共享字符串计数异常（声明 {unique} 个）")
    lengths = []
    si, pos = 0, 8

    def need(k):
        nonlocal si, pos
        while pos >= len(segs[si]):
            si += 1
            pos = 0
            if si >= len(segs):
                raise _corrupt(name, "共享字符串数据不完整")
        if pos + k > len(segs[si]):
            raise _corrupt(name, "共享字符串数据不完整")

    for _ in range(unique):
        need(3)
        seg = segs[si]
        cch, flags = struct.unpack_from("<HB", seg, pos)
        pos += 3
        c_run = ext = 0
        if flags & 0x8:
            need(2)
            c_run = struct.unpack_from("<H", segs[si], pos)[0]
            pos += 2
        if flags & 0x4:
            need(4)
            ext = struct.unpack_from("<i", segs[si], pos)[0]
            pos += 4
            if ext < 0:
                raise _corrupt(name, "共享字符串数据无效")
        left = cch
        high = flags & 1
        while left > 0:
            avail = len(segs[si]) - pos
            width = 2 if high else 1
            take = min(left, avail // width)
            pos += take * width
            left -= take
            if left > 0:
                si += 1
                if si >= len(segs) or not segs[si]:
                    raise _corrupt(name, "共享字符串数据不完整")
                high = segs[si][0] & 1
                pos = 1
        skip = c_run * 4 + ext
        while skip > 0:
            avail = len(segs[si]) - pos
            if avail <= 0:
                si += 1
                pos = 0
                if si >= len(segs):
                    raise _corrupt(name, "共享字符串数据不完整")
                continue
            step = min(avail, skip)
            pos += step
            skip -= step
        lengths.append(cch)
    return lengths


def _scan_biff_sheet(stream: bytes, ply: int, sst_lengths: list[int], name: str, sheet: str) -> _Scan:
    scan = _Scan()
    n = len(stream)
    hdr = struct.Struct("<HH").unpack_from
    rc = struct.Struct("<HH").unpack_from
    typ, _ = hdr(stream, ply)
    if typ not in (0x0809, 0x0409, 0x0209, 0x0009):
        raise _corrupt(name, f"工作表“{sheet}”的位置无效")
    pos = ply
    max_row = max_col = 0
    string_chars = 0
    value_records = _BIFF_VALUE_RECORDS
    while pos + 4 <= n:
        typ, ln = hdr(stream, pos)
        start = pos + 4
        end = start + ln
        if end > n:
            raise _corrupt(name, f"工作表“{sheet}”的记录超出工作簿流")
        if typ in value_records:
            if ln < 6:
                raise _corrupt(name, f"工作表“{sheet}”的单元格记录过短")
            row, col = rc(stream, start)
            if row >= max_row:
                max_row = row + 1
            if col >= max_col:
                max_col = col + 1
            if typ == 0x00FD:
                if ln >= 10:
                    idx = struct.unpack_from("<I", stream, start + 6)[0]
                    if idx < len(sst_lengths):
                        string_chars += sst_lengths[idx]
            elif typ == 0x0205:
                if ln >= 8 and stream[start + 7] == 1:
                    scan.mark(row + 1, col, CellError(_BIFF_ERRORS.get(stream[start + 6], "#VALUE!")))
            elif typ == 0x0006:
                if ln < 22:
                    raise _corrupt(name, f"工作表“{sheet}”的公式记录过短")
                if stream[start + 12:start + 14] == b"\xff\xff" and stream[start + 6] == 2:
                    scan.mark(row + 1, col, CellError(_BIFF_ERRORS.get(stream[start + 8], "#VALUE!")))
                cce = struct.unpack_from("<H", stream, start + 20)[0]
                if 22 + cce > ln:
                    raise _corrupt(name, f"工作表“{sheet}”的公式记录长度不符")
        elif typ == 0x00BD:  # MulRk
            if ln < 6:
                raise _corrupt(name, f"工作表“{sheet}”的记录过短")
            row, first = rc(stream, start)
            last = struct.unpack_from("<H", stream, end - 2)[0]
            if last < first:
                raise _corrupt(name, f"工作表“{sheet}”的记录无效")
            max_row = max(max_row, row + 1)
            max_col = max(max_col, last + 1)
        elif typ == 0x0200:  # Dimensions: calamine reserves rows × cols cells from it
            if ln == 14:
                rf, rl, cf, cl = struct.unpack_from("<IIHH", stream, start)
            elif ln == 10:
                rf, rl, cf, cl = struct.unpack_from("<HHHH", stream, start)
            else:
                rf = rl = cf = cl = 0
            if rl >= 1 and cl >= 1 and (rl - 1 < rf or cl - 1 < cf or rl > 65536 or cl > 256):
                raise _corrupt(name, f"工作表“{sheet}”的尺寸记录无效")
        elif typ == 0x00E5:  # MergeCells
            if ln < 2:
                raise _corrupt(name, f"工作表“{sheet}”的合并单元格记录过短")
            count = struct.unpack_from("<H", stream, start)[0]
            if 2 + 8 * count > ln:
                raise _corrupt(name, f"工作表“{sheet}”的合并单元格记录长度不符")
            for k in range(count):
                r1, r2, c1, c2 = struct.unpack_from("<HHHH", stream, start + 2 + 8 * k)
                scan.merged.append((r1 + 1, c1 + 1, r2 + 1, c2 + 1))
        elif typ == 0x000A:
            break
        pos = end
    scan.max_row = max(scan.max_row, max_row)
    scan.max_col = max(scan.max_col, max_col)
    scan.string_bytes = string_chars * 3  # UTF-8 bytes, at most 3 per character of the BMP
    return scan


# ------------------------------------------------------------------ calamine


def _calamine_open(path: str, fmt: str, file_name: str):
    import python_calamine

    def load():
        if Path(path).suffix.lower() == "." + fmt:
            return python_calamine.CalamineWorkbook.from_path(path)
        with open(path, "rb") as fh:
            return python_calamine.CalamineWorkbook.from_filelike(fh)

    return _calamine_call(load, file_name)


def _calamine_from_bytes(data: bytes, file_name: str):
    import python_calamine

    return _calamine_call(lambda: python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)), file_name)


def _calamine_call(load, file_name: str):
    """Open with python-calamine; its errors (and Rust panics, raised as BaseException) become BadWorkbook."""
    import python_calamine

    try:
        return load()
    except python_calamine.PasswordError:
        raise BadWorkbook(
            f"文件“{file_name}”设有打开密码，无法读取：请在 Excel 或 WPS 中用密码打开，取消打开密码后另存为 .xlsx，再导入。",
            file_name=file_name,
        ) from None
    except BaseException as exc:  # noqa: BLE001 - calamine raises its own errors and pyo3 PanicException
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        raise _corrupt(file_name, _calamine_detail(exc)) from None


def _calamine_detail(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"解析出错：{text[:120]}"


def _calamine_sheets(book) -> list[_Sheet]:
    states = {"Visible": "visible", "Hidden": "hidden", "VeryHidden": "veryHidden"}
    kinds = {"WorkSheet": "worksheet", "ChartSheet": "chartsheet", "MacroSheet": "macrosheet",
             "DialogSheet": "dialogsheet"}
    return [_Sheet(m.name, states.get(str(m.visible).rsplit(".", 1)[-1], "hidden"),
                   kinds.get(str(m.typ).rsplit(".", 1)[-1], "worksheet")) for m in book.sheets_metadata]


def _check_unchanged(pre: _Preflight) -> None:
    """The parser must read the file the pre-flight checked: refuse one changed in between."""
    try:
        same = _cache_key(Path(pre.path)) == pre.key
    except OSError:
        same = False
    if not same:
        with _CACHE_LOCK:
            _CACHE.pop(pre.key, None)
        raise BadWorkbook(f"文件“{pre.file_name}”在读取过程中被修改或移走了：请关闭正在编辑它的程序后重试。",
                          file_name=pre.file_name)


def _open_calamine(pre: _Preflight):
    _check_unchanged(pre)
    if pre.format == "xls":
        # calamine parses exactly the Workbook stream the guard walked, re-wrapped in a clean container
        stream = _xls_stream(pre)
        return _calamine_from_bytes(_wrap_cfb(stream), pre.file_name)
    return _calamine_open(pre.path, pre.format, pre.file_name)


def _read_calamine(pre: _Preflight, book, index: int, sheet: _Sheet, scan: _Scan, progress, cancel,
                   span: tuple[int, int]) -> list[tuple[int, tuple]]:
    name = pre.file_name
    try:
        if pre.format == "xlsx":
            cs = book.get_sheet_by_name(sheet.name)
        else:
            cs = book.get_sheet_by_index(index)
        start = cs.start
        end = cs.end
        height = cs.height
    except BaseException as exc:  # noqa: BLE001 - see _calamine_open
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        raise BadWorkbook(
            f"文件“{name}”的工作表“{sheet.name}”无法读取（{_calamine_detail(exc)}）：文件可能已损坏，"
            "请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入。", file_name=name, sheet=sheet.name) from None
    out: list[tuple[int, tuple]] = []
    if start is not None:
        c0 = start[1]
        pad = (None,) * c0
        total = max(end[0] + 1, 1)
        lo, hi = span
        i = -1
        append = out.append
        try:
            for i, raw in enumerate(cs.iter_rows()):
                if not i & 1023:
                    check_cancel(cancel)
                    if progress:
                        progress(lo + (hi - lo) * i // total, 100)
                if "" in raw:
                    raw = [None if v == "" else v for v in raw]
                    while raw and raw[-1] is None:
                        raw.pop()
                    if not raw:
                        continue
                append((i, pad + tuple(raw) if c0 else tuple(raw)))
        except BaseException as exc:  # noqa: BLE001 - see _calamine_open
            if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, UserError)):
                raise
            raise _corrupt(name, _calamine_detail(exc)) from None
        # python-calamine yields the leading empty rows but not the leading empty columns; check, do not assume
        offset = 1 if i + 1 == end[0] + 1 else start[0] + 1 if i + 1 == height else 1
        out = [(n + offset, values) for n, values in out]
    return _finish_rows(out, scan)


def _finish_rows(out: list[tuple[int, tuple]], scan: _Scan) -> list[tuple[int, tuple]]:
    """Apply the pre-scan's error and no-result cells (rows are tuples, 1-based numbers, ascending)."""
    if not scan.overlay:
        return out
    by_row = dict(out)
    for row_no, cells in scan.overlay.items():
        values = list(by_row.get(row_no, ()))
        for col0, value in cells.items():
            if len(values) <= col0:
                values.extend([None] * (col0 + 1 - len(values)))
            values[col0] = value
        by_row[row_no] = tuple(values)
    return sorted(by_row.items())


# ------------------------------------------------------------------ openpyxl fallback


def _read_openpyxl(pre: _Preflight, sheet: _Sheet, scan: _Scan, progress, cancel,
                   span: tuple[int, int]) -> list[tuple[int, tuple]]:
    """Read-only openpyxl for sheets calamine must not see: slow, but sparse rows and shared strings are safe."""
    import openpyxl

    _check_unchanged(pre)

    name = pre.file_name
    out: list[tuple[int, tuple]] = []
    materialised = 0
    lo, hi = span
    total = max(scan.max_row, 1)
    try:
        with open(pre.path, "rb") as fh, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not know; the values are what count
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
            try:
                ws = wb[sheet.name]
                ws.reset_dimensions()
                for row_no, raw in enumerate(ws.iter_rows(values_only=True), start=1):
                    if not row_no & 1023:
                        check_cancel(cancel)
                        if progress:
                            progress(min(hi, lo + (hi - lo) * row_no // total), 100)
                    if not raw:
                        continue
                    materialised += len(raw)
                    if materialised > FALLBACK_CELL_LIMIT:
                        raise BadWorkbook(
                            f"文件“{name}”的工作表“{sheet.name}”数据量过大（超过 {FALLBACK_CELL_LIMIT:,} 个单元格），"
                            "无法读取：请删除多余内容或拆分后再导入。", file_name=name, sheet=sheet.name)
                    values = [_from_openpyxl(v) for v in raw]
                    while values and values[-1] is None:
                        values.pop()
                    if values:
                        out.append((row_no, tuple(values)))
            finally:
                wb.close()
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is a damaged file for the clerk
        raise BadWorkbook(
            f"文件“{name}”的工作表“{sheet.name}”无法读取（{type(exc).__name__}）：文件可能已损坏，"
            "请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入。", file_name=name, sheet=sheet.name) from None
    return _finish_rows(out, scan)


def _from_openpyxl(value):
    """openpyxl → the calamine conventions: "" is blank, a date cell without time is a date."""
    if value == "":
        return None
    if type(value) is dt.datetime and not (value.hour or value.minute or value.second or value.microsecond):
        return value.date()
    return value


def _clear_cache() -> None:
    """Forget pre-flight results (tests)."""
    with _CACHE_LOCK:
        _CACHE.clear()


__all__ = [
    "BadWorkbook", "CellError", "NO_CACHED_VALUE", "WorkbookInfo", "SheetData", "inspect", "read_sheet",
    "read_sheets", "column_letter", "DENSE_CELL_LIMIT", "STRING_BYTES_LIMIT", "MAX_TOTAL_UNCOMPRESSED",
    "MAX_RATIO", "RATIO_MIN_SIZE",
]
