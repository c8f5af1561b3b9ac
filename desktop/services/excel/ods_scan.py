"""The byte scanner of an .ods file's content.xml: each table's extent of value cells (with repeat counts),
merged cells and the volume of repeated text, so that calamine only sees what it can parse safely."""

from __future__ import annotations

import html
import re

from desktop.services.excel import workbook_limits as limits
from desktop.services.excel.sheet_xml_scan import ATTRS, cell_safe_cut
from desktop.services.excel.workbook_types import BadWorkbook, Scan


_ODS_TABLE_NS_RE = re.compile(
    rb"""xmlns:([A-Za-z_][\w.-]*)\s*=\s*["']urn:oasis:names:tc:opendocument:xmlns:table:1\.0["']""")
_ODS_ATTR_RE = re.compile(rb"""([A-Za-z_][\w.-]*):([\w.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


class OdsScanner:
    """Walks content.xml: each table's extent of value cells (with repeat counts), merges and repeated-text volume."""

    def __init__(self, file_name: str):
        self.file_name = file_name
        self.scans: dict[str, Scan] = {}
        self.buf = b""
        self.prefix: bytes | None = None
        self.token_re = None
        self.scan: Scan | None = None
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
        cut = min(cell_safe_cut(buf, b"<" + p + b":table-cell", b"</" + p + b":table-cell"),
                  cell_safe_cut(buf, b"<" + p + b":covered-table-cell", b"</" + p + b":covered-table-cell"))
        if len(buf) - cut > limits.MAX_CELL_XML:
            raise BadWorkbook(f"文件“{self.file_name}”中有一个单元格内容异常庞大，已拒绝读取。", file_name=self.file_name)
        self._process(buf[:cut])
        self.buf = buf[cut:]

    def _set_prefix(self, prefix: bytes) -> None:
        self.prefix = prefix
        p = re.escape(prefix)
        self.token_re = re.compile(
            rb"<(/?)" + p + rb":(table-row|table-cell|covered-table-cell|table)(?=[\s/>])(" + ATTRS + rb")>")

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
                        self.scan = self.scans.setdefault(name, Scan())
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
    return html.unescape(text)
