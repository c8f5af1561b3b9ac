"""The zip/XML pre-flight of .xlsx and .ods files: container limits (zip bombs, lying headers, CRC, duplicate parts,
DTD/entities), the workbook's sheet list from its XML and relationships, then one streaming pass over every member
that hands the worksheet and shared-string parts to the byte scanners (sheet_xml_scan, ods_scan)."""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from collections import Counter
from pathlib import Path

from desktop.services.excel import workbook_limits as limits
from desktop.services.excel import workbook_parsers
from desktop.services.excel.excel_common import check_cancel
from desktop.services.excel.ods_scan import OdsScanner
from desktop.services.excel.sheet_xml_scan import P, SharedStringsScan, SheetXmlScanner, cell_safe_cut
from desktop.services.excel.workbook_types import (
    MB, BadWorkbook, Preflight, Scan, Sheet, corrupt, refuse_unsafe, resave, size_text,
)


_ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
_ODF_KINDS = {
    "application/vnd.oasis.opendocument.text": "是 OpenDocument 文本文档（.odt）",
    "application/vnd.oasis.opendocument.presentation": "是 OpenDocument 演示文稿（.odp）",
    "application/vnd.oasis.opendocument.graphics": "是 OpenDocument 图形文件（.odg）",
}
_REL_OFFICE_DOC = "/officeDocument"
_XML_SUFFIXES = (".xml", ".rels", ".vml")


def preflight_zip(f, path: Path, name: str, progress, cancel) -> Preflight:
    try:
        zf = zipfile.ZipFile(f)
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error, NotImplementedError) as exc:
        raise corrupt(name, "不是完整的 zip 结构，可能复制不完整或被截断") from exc
    if len({i.filename for i in infos}) != len(infos):
        # two parts under one name: we could check one while the parser reads the other
        raise corrupt(name, "压缩包中有重名的部件")
    if not infos:
        raise BadWorkbook(f"文件“{name}”是一个空的 zip 压缩包，不是 Excel 工作簿。", file_name=name)
    if any(i.flag_bits & 0x1 for i in infos):
        raise BadWorkbook(f"文件“{name}”设有密码（压缩包加密），无法读取：请取消密码后另存为 .xlsx 再导入。",
                          file_name=name)
    total = sum(i.file_size for i in infos)
    if total > limits.MAX_TOTAL_UNCOMPRESSED:
        raise BadWorkbook(
            f"文件“{name}”解压后过大（声明约 {size_text(total)}，本程序最多读取 {size_text(limits.MAX_TOTAL_UNCOMPRESSED)}），"
            "疑似压缩炸弹，已拒绝读取。如确为正常表格，请删除多余内容或拆分后再导入。",
            file_name=name,
        )
    for i in infos:
        if i.file_size > limits.RATIO_MIN_SIZE and i.file_size > limits.MAX_RATIO * max(i.compress_size, 1):
            ratio = i.file_size // max(i.compress_size, 1)
            raise BadWorkbook(
                f"文件“{name}”中的“{i.filename}”压缩比异常（约 {ratio}:1，解压后约 {size_text(i.file_size)}），"
                "疑似压缩炸弹，已拒绝读取。",
                file_name=name,
            )
    by_name = {i.filename: i for i in infos}
    reader = ZipReader(f, name)

    if "mimetype" in by_name:
        mime = reader.read_small(by_name["mimetype"], 512).decode("ascii", "replace").strip()
        if mime == _ODS_MIME or mime.startswith(_ODS_MIME + "-template"):
            return _preflight_ods(reader, infos, by_name, path, name, progress, cancel)
        if mime in _ODF_KINDS:
            raise resave(name, _ODF_KINDS[mime])
        if mime.startswith("application/vnd.oasis.opendocument"):
            raise resave(name, "是 OpenDocument 文件，但不是电子表格")
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
            raise corrupt(name, "缺少工作簿部件 xl/workbook.xml")
        raise BadWorkbook(f"文件“{name}”是一个 zip 压缩包，不是 Excel 工作簿：请先解压，再选择其中的 Excel 文件。",
                          file_name=name)
    if workbook_part.endswith(".bin"):
        raise BadWorkbook(f"文件“{name}”是 Excel 二进制工作簿（.xlsb），本程序不读取：请在 Excel 中另存为 .xlsx 后再导入。",
                          file_name=name)
    sheets = _xlsx_sheets(reader, by_name, workbook_part)
    part_to_sheet = {s.part: s for s in sheets if s.kind != "chartsheet" and s.part}
    # the relationship's target and the fixed path a parser may read instead: check both when both exist
    sst_parts = {_shared_strings_part(reader, by_name, workbook_part), "xl/sharedStrings.xml"} & set(by_name)

    scans: dict[str, Scan] = {}
    ssts: list[SharedStringsScan] = []
    done = 0
    grand = sum(i.compress_size for i in infos) or 1
    for info in infos:
        check_cancel(cancel)
        sheet = part_to_sheet.get(info.filename)
        if sheet is not None:
            scanner = SheetXmlScanner(name, sheet.name)
            for chunk in reader.iter_member(info, cancel, xml=True):
                scanner.feed(chunk)
            scans[sheet.name] = scanner.finish()
        elif info.filename in sst_parts:
            if info.file_size > limits.MAX_SHARED_STRINGS:
                raise BadWorkbook(
                    f"文件“{name}”的共享字符串表过大（约 {size_text(info.file_size)}，本程序最多读取 "
                    f"{size_text(limits.MAX_SHARED_STRINGS)}），已拒绝读取。请拆分后再导入。", file_name=name)
            sst = SharedStringsScan()
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
    sst = SharedStringsScan.merge(ssts)

    for s in sheets:
        if s.kind == "chartsheet":
            continue
        scan = scans.get(s.name)
        if scan is None:  # a sheet whose part we could not find: never hand it to calamine unguarded
            scans[s.name] = scan = Scan(fallback="找不到工作表部件")
            continue
        if scan.fallback:
            continue
        if scan.dense > limits.DENSE_CELL_LIMIT:
            scan.fallback = f"数据范围 {scan.max_row}×{scan.max_col}"
            continue
        if scan.s_cells and sst.count:
            scan.string_bytes = scan.s_cells * sst.max_len
            if scan.string_bytes > limits.STRING_BYTES_LIMIT:
                scan.string_bytes = exact_string_bytes(reader, by_name[s.part], scan, sst, cancel)
                if scan.string_bytes > limits.STRING_BYTES_LIMIT:
                    scan.fallback = "共享字符串重复引用过多"
    return Preflight(str(path), name, "xlsx", sheets, scans)


class ZipReader:
    """Reads members straight from the raw zip: our own inflate with a cap, so a lying header cannot expand."""

    def __init__(self, f, file_name: str):
        self.f = f
        self.file_name = file_name

    def _data_offset(self, info: zipfile.ZipInfo) -> int:
        self.f.seek(info.header_offset)
        header = self.f.read(30)
        if len(header) != 30 or header[:4] != b"PK\x03\x04":
            raise corrupt(self.file_name, f"“{info.filename}”的文件头无效")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        return info.header_offset + 30 + name_len + extra_len

    def _raw(self, info: zipfile.ZipInfo):
        """The member's compressed bytes in pieces of at most 1 MB."""
        self.f.seek(self._data_offset(info))
        left = info.compress_size
        while left > 0:
            raw = self.f.read(min(left, MB))
            if not raw:
                raise corrupt(self.file_name, f"“{info.filename}”的数据不完整（文件被截断）")
            left -= len(raw)
            yield raw

    def _inflate(self, info: zipfile.ZipInfo):
        if info.compress_type == zipfile.ZIP_STORED:
            yield from self._raw(info)
            return
        if info.compress_type != zipfile.ZIP_DEFLATED:
            raise corrupt(self.file_name, f"“{info.filename}”使用了不支持的压缩方式")
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
                out = inflater.decompress(data, limits.CHUNK)
                full = len(out) == limits.CHUNK
                if out:
                    yield out
        except zlib.error as exc:
            raise corrupt(self.file_name, f"“{info.filename}”的压缩数据有误") from exc
        if not inflater.eof:
            raise corrupt(self.file_name, f"“{info.filename}”的压缩数据不完整（文件被截断）")

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
            raise corrupt(name, f"“{info.filename}”的大小与记录不符")
        if crc != info.CRC:
            raise corrupt(name, f"“{info.filename}”校验失败（CRC 错误）")

    def read_small(self, info: zipfile.ZipInfo, limit: int = 64 * MB) -> bytes:
        if info.file_size > limit:
            raise BadWorkbook(f"文件“{self.file_name}”中的“{info.filename}”异常庞大（{size_text(info.file_size)}），已拒绝读取。",
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
        raise corrupt(name, f"“{part}”不是有效的 XML") from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _rels(reader: ZipReader, by_name: dict, rels_part: str) -> list[tuple[str, str, str]]:
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


def _office_document(reader: ZipReader, by_name: dict) -> str | None:
    for _id, typ, target in _rels(reader, by_name, "_rels/.rels"):
        if typ.endswith(_REL_OFFICE_DOC):
            return _resolve("", target)
    if "xl/workbook.xml" in by_name:
        return "xl/workbook.xml"
    return None


def _xlsx_sheets(reader: ZipReader, by_name: dict, workbook_part: str) -> list[Sheet]:
    name = reader.file_name
    root = _parse_xml(reader.read_small(by_name[workbook_part]), workbook_part, name)
    if _local(root.tag) != "workbook":
        raise corrupt(name, "工作簿部件无效")
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
        sheets.append(Sheet(el.get("name", ""), state, kind, _resolve(workbook_part, target) if target else ""))
    if not sheets:
        raise corrupt(name, "工作簿中没有工作表")
    if len({s.name for s in sheets}) != len(sheets):
        raise corrupt(name, "工作簿中有重名的工作表")
    return sheets


def _shared_strings_part(reader: ZipReader, by_name: dict, workbook_part: str) -> str | None:
    for _id, typ, target in _rels(reader, by_name, _rels_part_of(workbook_part)):
        if typ.endswith("/sharedStrings"):
            return _resolve(workbook_part, target)
    return "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in by_name else None


def _preflight_ods(reader: ZipReader, infos, by_name, path: Path, name: str, progress, cancel) -> Preflight:
    if "content.xml" not in by_name:
        raise corrupt(name, "缺少 content.xml")
    scanner = OdsScanner(name)
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
        refuse_unsafe(name, sheet_name, scan)
    # names and visibility as calamine reports them (it parses the whole file when opened; the scan made that safe)
    book = workbook_parsers.calamine_open(str(path), "ods", name)
    try:
        sheets = workbook_parsers.calamine_sheets(book)
    finally:
        book.close()
    scans = {}
    ordered = list(scanner.scans.values())
    for i, s in enumerate(sheets):
        scans[s.name] = scanner.scans.get(s.name) or (ordered[i] if i < len(ordered) else Scan())
    return Preflight(str(path), name, "ods", sheets, scans)


_S_REF_RE = re.compile(rb"""\st\s*=\s*["']s["']""" + rb"[^>]*>\s*<" + P + rb"v\s*>\s*([0-9]+)\s*<")


def exact_string_bytes(reader: ZipReader, info, scan: Scan, sst: SharedStringsScan, cancel) -> int:
    """Sum of the shared-string sizes over every cell that refers to one (second pass, only when the cheap bound is high)."""
    counts: Counter = Counter()
    tail = b""
    open_tag, close_tag = b"<" + scan.prefix + b"c", b"</" + scan.prefix + b"c"
    for chunk in reader.iter_member(info, cancel, xml=True):
        buf = tail + chunk
        cut = cell_safe_cut(buf, open_tag, close_tag)
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
