"""Byte scanners of .xlsx XML parts: a worksheet's real extent of value cells, its error cells and formulas without
a cached result, its merged cells; the shared-string table's count and sizes. They read chunks as the zip pre-flight
inflates them, so a sheet of any size is measured in flat memory before a parser sees it."""

from __future__ import annotations

import functools
import re

from desktop.services.excel import workbook_limits as limits
from desktop.services.excel.workbook_types import (
    NO_CACHED_VALUE, BadWorkbook, CellError, Scan, column_index, column_letter,
)


P = rb"(?:[A-Za-z_][\w.-]*:)?"  # any namespace prefix
ATTRS = rb"""(?:[^>"']|"[^"]*"|'[^']*')*"""  # attributes, quote-aware
_ROOT_RE = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?(worksheet|dialogsheet|macrosheet|chartsheet)[\s>/]")
_TOKEN_RE = re.compile(rb"<(/?)" + P + rb"(row|c)(?=[\s/>])(" + ATTRS + rb")>")
_REF_ATTR_RE = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{1,4})([0-9]{1,8})["']""")
_T_E_RE = re.compile(rb"""t\s*=\s*["']e["']""")  # an error cell's type; found by error_attr_starts (tests compare)
_T_ATTR_RE = re.compile(rb"""\st\s*=\s*["']([A-Za-z]+)["']""")
_VALUE_START_RE = re.compile(rb"<" + P + rb"(?:v|is|f)[\s>/]")
_V_TEXT_RE = re.compile(rb"<" + P + rb"v\s*>([^<]*)<")
_FORMULA_RE = re.compile(rb"<" + P + rb"f[\s>/]")
_V_NONEMPTY_RE = re.compile(rb"<" + P + rb"v\s*>[^<]")
_EMPTY_V = rb"(<" + P + rb"v\s*/>|<" + P + rb"v\s*>\s*</" + P + rb"v\s*>)?"


@functools.lru_cache(maxsize=16)
def _nocache_res(prefix: bytes):
    """Formula ends (</f> or <f …/>) followed by nothing but an empty <v> and </c>: literal-prefix patterns, fast."""
    p = re.escape(prefix)
    close = rb"\s*" + _EMPTY_V + rb"\s*</" + p + rb"c\s*>"
    return (re.compile(rb"</" + p + rb"f\s*>" + close),
            re.compile(rb"<" + p + rb"f\s" + ATTRS + rb"(?<=/)>" + close))


_CELL_TAG_RE = re.compile(rb"<" + P + rb"c(\s" + ATTRS + rb")?>")
_MERGE_RE = re.compile(
    rb"<" + P + rb"mergeCell\s[^>]*?ref\s*=\s*[\"']([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?[\"']"
)
_FOREIGN_CELL_RE = re.compile(rb"<[A-Za-z_][\w.-]*:c[\s>/]")
_COLON_C_RE = re.compile(rb":c[\s>/]")  # in every match of _FOREIGN_CELL_RE; its search is quick (":" is rare)
_CELL_CLOSE_RE = re.compile(rb"</" + P + rb"c\s*>")
_V_ANY_RE = re.compile(rb"<" + P + rb"v[\s>/]")


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


_E_QUOTE_RE = re.compile(rb"""e["']""")
_XML_SPACE = b" \t\n\r\f\v"  # what \s matches in a bytes pattern


def error_attr_starts(buf: bytes) -> list[int]:
    """Where _T_E_RE (t, spaces, =, spaces, a quoted e) matches, found from the rare e" and e' and checked
    backwards, instead of trying the pattern at every t of the sheet: about a third of the time."""
    out = []
    for m in _E_QUOTE_RE.finditer(buf):
        i = m.start() - 1  # the opening quote
        if i < 0 or buf[i] not in b"\"'":
            continue
        i -= 1
        while i >= 0 and buf[i] in _XML_SPACE:
            i -= 1
        if i < 0 or buf[i] != 0x3D:  # =
            continue
        i -= 1
        while i >= 0 and buf[i] in _XML_SPACE:
            i -= 1
        if i >= 0 and buf[i] == 0x74:  # t
            out.append(i)
    return out


class SheetXmlScanner:
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
        self.scan = Scan()
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
        cut = cell_safe_cut(buf, b"<" + self.prefix + b"c", b"</" + self.prefix + b"c")
        if len(buf) - cut > limits.MAX_CELL_XML:
            raise BadWorkbook(f"文件“{self.file_name}”的工作表“{self.sheet}”中有一个单元格内容异常庞大，已拒绝读取。",
                              file_name=self.file_name, sheet=self.sheet)
        self._process(buf[:cut])
        self.buf = buf[cut:]

    def finish(self) -> Scan:
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
            foreign = _COLON_C_RE.search(buf) and _FOREIGN_CELL_RE.search(buf)  # the first: a cheap filter
        else:
            foreign = re.search(rb"<(?!" + re.escape(p) + rb"c[\s>/])" + P + rb"c[\s>/]", buf)
        if foreign:
            self.scan.fallback = "工作表使用了混合的命名空间前缀"
            return
        scan = self.scan
        tail = buf.rfind(b"</" + p + b"row>")
        if b"mergeCell" in buf[tail + 1:] if tail >= 0 else b"mergeCell" in buf:
            for m in _MERGE_RE.finditer(buf, max(tail, 0)):
                c1, r1, c2, r2 = m.groups()
                a, b = int(r1), column_index(c1)
                c, d = (int(r2), column_index(c2)) if c2 else (a, b)
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
            self.col_hint = max(self.col_hint, max(map(column_index, set(head))))
        c_max = self.col_hint
        if not c_max or r_max * max(c_max, self.scan.max_col) > limits.DENSE_CELL_LIMIT:
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
            scan.max_col = max(scan.max_col, max(map(column_index, set(cols))))
            scan.max_row = max(scan.max_row, max(map(int, set(rows))))
        return True

    def _specials(self, buf: bytes):
        """Error cells, formulas without a cached result and the count of shared-string cells; None when a cell has no r."""
        marks = []
        for start in error_attr_starts(buf):
            found = self._error_at(buf, start)
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
        return int(m.group(2)), column_index(m.group(1)) - 1

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
            pending = (int(ref.group(2)), column_index(ref.group(1)), attrs, m.end())
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


def cell_safe_cut(buf: bytes, open_tag: bytes, close_tag: bytes) -> int:
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
    tag = re.compile(re.escape(open_tag) + rb"(?:\s" + ATTRS + rb")?>").match(buf, last_open)
    if tag is None:
        return last_open  # the start tag itself is incomplete
    if tag.group(0).endswith(b"/>"):
        return last_lt if last_lt >= tag.end() else tag.end()
    close = re.compile(re.escape(close_tag) + rb"\s*>").search(buf, tag.end())
    if close is None:
        return last_open
    return last_lt if last_lt >= close.end() else close.end()


class SharedStringsScan:
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
            m = re.search(rb"<(?:([A-Za-z_][\w.-]*):)?sst(" + ATTRS + rb")>", buf[:1 << 16])
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
    def merge(cls, scans: list["SharedStringsScan"]) -> "SharedStringsScan":
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
        if self.unique_count is not None and self.unique_count > self.count + limits.SHARED_STRING_COUNT_SLACK:
            raise BadWorkbook(
                f"文件“{file_name}”的共享字符串表计数异常（声明 {self.unique_count} 个，实际 {self.count} 个），"
                "文件已损坏或被篡改，已拒绝读取。",
                file_name=file_name,
            )
