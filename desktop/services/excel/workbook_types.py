"""What the workbook reader hands out (SheetData, CellError, NO_CACHED_VALUE) and what its pre-flight learns about
a file (Sheet, Scan, Preflight), with the refusals every format shares and the per-file cache of pre-flight results."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from desktop.services.errors import UserError
from desktop.services.excel import workbook_limits as limits

MB = 1 << 20


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


def column_index(letters: bytes | str) -> int:
    """"A" → 1 (1-based)."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def size_text(n: int) -> str:
    if n >= 1 << 30:
        return f"{n / (1 << 30):.1f} GB"
    if n >= MB:
        return f"{n / MB:.0f} MB"
    return f"{max(n, 1) / 1024:.0f} KB"


# ------------------------------------------------------------------ pre-flight results


@dataclass
class Sheet:
    name: str
    state: str = "visible"  # visible | hidden | veryHidden
    kind: str = "worksheet"  # worksheet | chartsheet | dialogsheet | macrosheet
    part: str = ""  # xlsx: the zip member of the sheet


@dataclass
class Scan:
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
class Preflight:
    path: str
    file_name: str
    format: str
    sheets: list[Sheet]
    scans: dict[str, Scan]
    key: tuple = ()  # the file's identity when it was checked (path, size, mtime, inode)
    stream_digest: bytes = b""  # xls: digest of the Workbook stream that was walked

    def info(self) -> WorkbookInfo:
        return WorkbookInfo(
            self.file_name,
            self.format,
            [s.name for s in self.sheets],
            [s.name for s in self.sheets if s.state == "visible" and s.kind == "worksheet"],
        )

    def resolve(self, sheet: str | int | None) -> tuple[int, Sheet]:
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


def corrupt(file_name: str, detail: str = "") -> BadWorkbook:
    why = f"（{detail}）" if detail else ""
    return BadWorkbook(
        f"文件“{file_name}”已损坏，无法读取{why}：请让对方重新导出或重新复制该文件；"
        "如能在 Excel 或 WPS 中打开，请另存为 .xlsx 后再导入。",
        file_name=file_name,
    )


def resave(file_name: str, what: str) -> BadWorkbook:
    return BadWorkbook(
        f"文件“{file_name}”{what}，不是 Excel 工作簿：请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入。",
        file_name=file_name,
    )


def refuse_unsafe(file_name: str, sheet: str, scan: Scan) -> None:
    """xls/ods: calamine parses every sheet when the file is opened, so an oversized sheet refuses the file."""
    if scan.dense > limits.DENSE_CELL_LIMIT:
        far = f"{column_letter(max(scan.max_col, 1) - 1)}{scan.max_row}"
        raise BadWorkbook(
            f"文件“{file_name}”的工作表“{sheet}”数据分布范围过大（最远的单元格在 {far}，约 {scan.dense:,} 个单元格），"
            "无法安全读取：请删除远处多余的单元格，或在 Excel 或 WPS 中另存为 .xlsx 后再导入。",
            file_name=file_name, sheet=sheet,
        )
    if scan.string_bytes > limits.STRING_BYTES_LIMIT:
        raise BadWorkbook(
            f"文件“{file_name}”的工作表“{sheet}”中的文字重复引用过多（展开后约 {size_text(scan.string_bytes)}），"
            "无法安全读取：请在 Excel 或 WPS 中另存为 .xlsx 后再导入。",
            file_name=file_name, sheet=sheet,
        )


# ------------------------------------------------------------------ cache of pre-flight results

_CACHE: dict[tuple, Preflight] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 8


def cache_key(path: Path) -> tuple:
    """The file's identity: a file changed since its pre-flight has another key."""
    st = path.stat()
    return (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)


def cached(key: tuple) -> Preflight | None:
    with _CACHE_LOCK:
        return _CACHE.get(key)


def remember(key: tuple, pre: Preflight) -> None:
    with _CACHE_LOCK:
        _CACHE[key] = pre
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))


def forget(key: tuple | None = None) -> None:
    """Drop one file's pre-flight result, or all of them (key None)."""
    with _CACHE_LOCK:
        if key is None:
            _CACHE.clear()
        else:
            _CACHE.pop(key, None)
