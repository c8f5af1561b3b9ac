"""The pre-flight of .xls files: the OLE2 compound file and the BIFF records walked by hand (sheet list, extents,
error cells, the counts and lengths calamine trusts), and the clean container calamine then parses instead."""

from __future__ import annotations

import hashlib
import mmap
import struct
from pathlib import Path

from desktop.services.excel.excel_common import check_cancel
from desktop.services.excel.workbook_types import (
    BadWorkbook, CellError, Preflight, Scan, Sheet, corrupt, refuse_unsafe, resave,
)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class _Ole:
    """Minimal OLE2 compound-file reader: directory names and stream bytes (for sniffing and the BIFF guard)."""

    FREE, END = 0xFFFFFFFF, 0xFFFFFFFE

    def __init__(self, data, file_name: str):
        self.data = data
        self.file_name = file_name
        if len(data) < 512:
            raise corrupt(file_name, "OLE 文件头不完整")
        shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise corrupt(file_name, "OLE 文件头无效")
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
            raise corrupt(self.file_name, "OLE 扇区越界")
        return bytes(self.data[off: off + self.ss])

    def _mini_sector(self, index: int) -> bytes:
        off = index * 64
        if off >= len(self.ministream):
            raise corrupt(self.file_name, "OLE 小扇区越界")
        return self.ministream[off: off + 64]

    def _chain_bytes(self, start: int, table, read) -> bytes:
        out = bytearray()
        sec = start
        steps = 0
        while sec < 0xFFFFFFFA:
            out += read(sec)
            if sec >= len(table):
                raise corrupt(self.file_name, "OLE 分配表损坏")
            sec = table[sec]
            steps += 1
            if steps > len(table):
                raise corrupt(self.file_name, "OLE 分配表有循环")
        return bytes(out)

    def names(self) -> set[str]:
        return {e[0] for e in self.entries}

    def names_list(self) -> list[str]:
        return [e[0] for e in self.entries]

    def stream(self, name: str) -> bytes | None:
        for ename, typ, start, size in self.entries:
            if typ == 2 and ename.lower() == name.lower():
                if size > len(self.data):
                    raise corrupt(self.file_name, f"“{name}”流的大小无效")
                if size < self.mini_cutoff:
                    data = self._chain_bytes(start, self.minifat, self._mini_sector)
                else:
                    data = self._chain_bytes(start, self.fat, self._sector)
                if len(data) < size:
                    raise corrupt(self.file_name, f"“{name}”流不完整")
                return data[:size]
        return None


def preflight_ole(f, path: Path, name: str, cancel) -> Preflight:
    try:
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (ValueError, OSError) as exc:
        raise corrupt(name, "无法映射文件") from exc
    try:
        try:
            ole = _Ole(mm, name)
        except struct.error as exc:
            raise corrupt(name, "OLE 结构无效") from exc
        names = {n.lower() for n in ole.names()}
        if "encryptedpackage" in names or "encryptioninfo" in names:
            raise BadWorkbook(
                f"文件“{name}”设有打开密码，无法读取：请在 Excel 或 WPS 中用密码打开，取消打开密码后另存为 .xlsx，再导入。",
                file_name=name,
            )
        stream_name = "Workbook" if "workbook" in names else ("Book" if "book" in names else None)
        if stream_name and sum(1 for n in ole.names_list() if n.lower() == stream_name.lower()) > 1:
            raise corrupt(name, "文件中有两个工作簿流")
        if stream_name is None:
            if "worddocument" in names:
                raise BadWorkbook(f"文件“{name}”是 Word 97-2003 文档（.doc），不是 Excel 工作簿：如果表格在 Word 里，"
                                  "请把它复制到 Excel 或 WPS 表格中，保存为 .xlsx 后再导入。", file_name=name)
            if "powerpoint document" in names:
                raise BadWorkbook(f"文件“{name}”是 PowerPoint 97-2003 演示文稿（.ppt），不是 Excel 工作簿：请向对方索取 Excel 原表。",
                                  file_name=name)
            raise resave(name, "是 Office 复合文档，但其中没有 Excel 工作簿")
        try:
            stream = ole.stream(stream_name)
        except struct.error as exc:
            raise corrupt(name, "OLE 结构无效") from exc
    finally:
        mm.close()
    check_cancel(cancel)
    try:
        sheets, scans = _scan_biff(stream, name, cancel)
    except struct.error as exc:
        raise corrupt(name, "记录不完整") from exc
    for s in sheets:
        refuse_unsafe(name, s.name, scans[s.name])
    return Preflight(str(path), name, "xls", sheets, scans, stream_digest=_digest(stream))


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def xls_stream(pre: Preflight) -> bytes:
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


def wrap_cfb(stream: bytes) -> bytes:
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
    header = (OLE_MAGIC + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 4, 0xFFFE, 12, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 1, n_fat, dir_start, 0, 4096, end, 0, end, 0)
              + struct.pack("<109I", *difat)).ljust(ss, b"\0")
    return header + data + directory + b"\0" * ss + struct.pack(f"<{len(fat)}I", *fat)


_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
                0x2A: "#N/A", 0x2B: "#GETTING_DATA"}
_BIFF_VALUE_RECORDS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x00D6}


def _scan_biff(stream: bytes, name: str, cancel) -> tuple[list[Sheet], dict[str, Scan]]:
    """Walk the BIFF records: sheet list, every sheet's value extent and error cells, and the counts calamine trusts."""
    n = len(stream)
    u16 = struct.Struct("<H").unpack_from
    hdr = struct.Struct("<HH").unpack_from
    if n < 8:
        raise corrupt(name, "工作簿流为空")
    typ, ln = hdr(stream, 0)
    if typ not in (0x0809, 0x0409, 0x0209, 0x0009) or ln < 2:
        raise corrupt(name, "不是有效的 Excel 97-2003 工作簿")
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
            raise corrupt(name, "记录超出工作簿流")
        data = stream[start:end]
        if typ in (0x002F, 0x0042, 0x0022, 0x0809) and ln < 2:
            raise corrupt(name, "记录过短")
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
                raise corrupt(name, "工作表记录过短")
            ply, hs, dt_ = struct.unpack_from("<IBB", data, 0)
            bounds.append((ply, hs & 0x3F, dt_, data[6:]))
        elif typ == 0x0018:
            _check_lbl(data, name)
        elif typ == 0x0017:
            if ln < 2:
                raise corrupt(name, "ExternSheet 记录过短")
            cxti = u16(data, 0)[0]
            if cxti * 6 > ln - 2 and (ln - 2) % 6:
                raise corrupt(name, "ExternSheet 记录长度不符")
        elif typ == 0x00FC:
            segs = [data]
            p2 = end
            while p2 + 4 <= n and u16(stream, p2)[0] == 0x003C:
                l2 = u16(stream, p2 + 2)[0]
                if p2 + 4 + l2 > n:
                    raise corrupt(name, "Continue 记录超出工作簿流")
                segs.append(stream[p2 + 4:p2 + 4 + l2])
                p2 += 4 + l2
            sst_lengths = _sst_lengths(segs, name)
            pos = p2
            continue
        elif typ == 0x000A:
            pos = end
            break
        pos = end

    sheets: list[Sheet] = []
    scans: dict[str, Scan] = {}
    for i, (ply, hs, dt_, raw_name) in enumerate(bounds):
        sheet_name = _biff_sheet_name(raw_name, biff8, codepage) or f"Sheet{i + 1}"
        kind = {0: "worksheet", 1: "macrosheet", 2: "chartsheet", 6: "worksheet"}.get(dt_)
        state = {0: "visible", 1: "hidden", 2: "veryHidden"}.get(hs)
        if kind is None or state is None:
            raise corrupt(name, "工作表记录无效")
        if ply + 4 > n:
            raise corrupt(name, f"工作表“{sheet_name}”的位置超出工作簿流")
        check_cancel(cancel)
        scans[sheet_name] = _scan_biff_sheet(stream, ply, sst_lengths, name, sheet_name)
        sheets.append(Sheet(sheet_name, state, kind))
    if not sheets:
        raise corrupt(name, "工作簿中没有工作表")
    return sheets, scans


def _check_lbl(data: bytes, name: str) -> None:
    """A defined name (Lbl) whose lengths point outside the record would make calamine panic."""
    if len(data) < 14:
        raise corrupt(name, "名称记录过短")
    cch = data[3]
    cce = struct.unpack_from("<H", data, 4)[0]
    if 14 + 1 + cch > len(data) or cce > len(data):
        raise corrupt(name, "名称记录长度不符")


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
        raise corrupt(name, "共享字符串记录过短")
    unique = struct.unpack_from("<i", first, 4)[0]
    total_bytes = sum(len(s) for s in segs) - 8
    if unique < 0 or unique * 3 > total_bytes + 3:
        raise corrupt(name, f"共享字符串计数异常（声明 {unique} 个）")
    lengths = []
    si, pos = 0, 8

    def need(k):
        nonlocal si, pos
        while pos >= len(segs[si]):
            si += 1
            pos = 0
            if si >= len(segs):
                raise corrupt(name, "共享字符串数据不完整")
        if pos + k > len(segs[si]):
            raise corrupt(name, "共享字符串数据不完整")

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
                raise corrupt(name, "共享字符串数据无效")
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
                    raise corrupt(name, "共享字符串数据不完整")
                high = segs[si][0] & 1
                pos = 1
        skip = c_run * 4 + ext
        while skip > 0:
            avail = len(segs[si]) - pos
            if avail <= 0:
                si += 1
                pos = 0
                if si >= len(segs):
                    raise corrupt(name, "共享字符串数据不完整")
                continue
            step = min(avail, skip)
            pos += step
            skip -= step
        lengths.append(cch)
    return lengths


def _scan_biff_sheet(stream: bytes, ply: int, sst_lengths: list[int], name: str, sheet: str) -> Scan:
    scan = Scan()
    n = len(stream)
    hdr = struct.Struct("<HH").unpack_from
    rc = struct.Struct("<HH").unpack_from
    typ, _ = hdr(stream, ply)
    if typ not in (0x0809, 0x0409, 0x0209, 0x0009):
        raise corrupt(name, f"工作表“{sheet}”的位置无效")
    pos = ply
    max_row = max_col = 0
    string_chars = 0
    value_records = _BIFF_VALUE_RECORDS
    while pos + 4 <= n:
        typ, ln = hdr(stream, pos)
        start = pos + 4
        end = start + ln
        if end > n:
            raise corrupt(name, f"工作表“{sheet}”的记录超出工作簿流")
        if typ in value_records:
            if ln < 6:
                raise corrupt(name, f"工作表“{sheet}”的单元格记录过短")
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
                    raise corrupt(name, f"工作表“{sheet}”的公式记录过短")
                if stream[start + 12:start + 14] == b"\xff\xff" and stream[start + 6] == 2:
                    scan.mark(row + 1, col, CellError(_BIFF_ERRORS.get(stream[start + 8], "#VALUE!")))
                cce = struct.unpack_from("<H", stream, start + 20)[0]
                if 22 + cce > ln:
                    raise corrupt(name, f"工作表“{sheet}”的公式记录长度不符")
        elif typ == 0x00BD:  # MulRk
            if ln < 6:
                raise corrupt(name, f"工作表“{sheet}”的记录过短")
            row, first = rc(stream, start)
            last = struct.unpack_from("<H", stream, end - 2)[0]
            if last < first:
                raise corrupt(name, f"工作表“{sheet}”的记录无效")
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
                raise corrupt(name, f"工作表“{sheet}”的尺寸记录无效")
        elif typ == 0x00E5:  # MergeCells
            if ln < 2:
                raise corrupt(name, f"工作表“{sheet}”的合并单元格记录过短")
            count = struct.unpack_from("<H", stream, start)[0]
            if 2 + 8 * count > ln:
                raise corrupt(name, f"工作表“{sheet}”的合并单元格记录长度不符")
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
