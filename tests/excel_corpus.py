"""Generates the corpus of bad (and tricky but good) workbooks the reader must handle, in well under 2 s.

build(folder) writes every file and returns {name: path}; EXPECTED maps each file that must be refused to
a fragment of its Chinese message. The only binary fixture is tests/fixtures/excel/legacy.xls, a real
Excel 97-2003 file LibreOffice made once from an openpyxl workbook (see LEGACY_XLS below).
"""

from __future__ import annotations

import datetime as dt
import shutil
import struct
import warnings
import zipfile
from pathlib import Path

import openpyxl

FIXTURES = Path(__file__).parent / "fixtures" / "excel"
# legacy.xls: sheet “名单” (A1:E1 merged title; 企业名称/统一社会信用代码/占地面积（亩）/认定日期/备注;
# 甲公司 … 12.5, 2024-03-05, =1/0 → #DIV/0!; 乙公司 … 8, 2024-04-01, 无; 合计 … =C3+C4 → 20.5) and a hidden sheet
# “说明”; made with `soffice --headless --convert-to xls` from the openpyxl workbook described here.
LEGACY_XLS = FIXTURES / "legacy.xls"

GOOD_CODE = "91350100M000100Y43"  # a valid 统一社会信用代码

# file name → a fragment of the refusal message
EXPECTED: dict[str, str] = {
    "missing.xlsx": "找不到文件",
    "empty.xlsx": "空文件（0 字节）",
    "folder.xlsx": "是一个文件夹",
    "csv_saved_as.xlsx": "是文本文件（CSV 或纯文本）",
    "html_saved_as.xlsx": "是网页（HTML）文件",
    "spreadsheetml_2003.xls": "是 Excel 2003 XML 表格",
    "pdf_renamed.xlsx": "是 PDF 文档",
    "picture_renamed.xlsx": "是图片（PNG）",
    "rar_renamed.xlsx": "是 RAR 压缩包",
    "password_protected.xlsx": "设有打开密码",
    "word_97.xls": "是 Word 97-2003 文档（.doc）",
    "word_document.xlsx": "是 Word 文档（.docx）",
    "slides.xlsx": "是 PowerPoint 演示文稿（.pptx）",
    "plain_zip.xlsx": "是一个 zip 压缩包",
    "binary_workbook.xlsx": "Excel 二进制工作簿（.xlsb）",
    "odf_text.ods": "是 OpenDocument 文本文档（.odt）",
    "truncated.xlsx": "已损坏",
    "bad_crc.xlsx": "CRC 错误",
    "corrupt_data.xlsx": "已损坏",
    "zip_bomb_declared.xlsx": "解压后过大",
    "zip_bomb_ratio.xlsx": "压缩比异常",
    "zip_bomb_lying_header.xlsx": "超过其声明的大小",
    "xml_entities.xlsx": "<!DOCTYPE / <!ENTITY",
    "utf16_sheet.xlsx": "UTF-16",
    "shared_strings_count_lie.xlsx": "共享字符串表计数异常",
    "far_cell.xls": "数据分布范围过大",
    "far_cell.ods": "数据分布范围过大",
    "password_97.xls": "设有打开密码",
    "duplicate_parts.xlsx": "重名的部件",
    "duplicate_sheet_names.xlsx": "重名的工作表",
}

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


# ------------------------------------------------------------------ raw xlsx


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def sheet_xml(cells_xml: str, *, dimension: str | None = "A1", prefix: str = "", head: str = "",
              tail: str = "", declaration: str = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n') -> str:
    """A worksheet part around ready-made <row>…</row> markup (prefix: a namespace prefix like "x")."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{_NS}"' if prefix else f'xmlns="{_NS}"'
    dim = f'<{p}dimension ref="{dimension}"/>' if dimension else ""
    return (f'{declaration}{head}<{p}worksheet {xmlns} xmlns:r="{_REL_NS}">{dim}'
            f"<{p}sheetData>{cells_xml}</{p}sheetData>{tail}</{p}worksheet>")


def write_xlsx(path: Path, sheets: list[tuple[str, str]], *, shared: list[str] | None = None,
               sst_xml: str | None = None, states: dict[str, str] | None = None,
               encodings: dict[str, str] | None = None) -> Path:
    """A minimal valid .xlsx from sheet parts written by hand: every trick of the corpus starts here."""
    states = states or {}
    encodings = encodings or {}
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        f'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    has_sst = shared is not None or sst_xml is not None
    if has_sst:
        overrides += ('<Override PartName="/xl/sharedStrings.xml" '
                      'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{overrides}</Types>"
    )
    root_rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    sheet_tags = "".join(
        f'<sheet name="{_esc(name)}" sheetId="{i}" r:id="rId{i}"'
        + (f' state="{states[name]}"' if name in states else "") + "/>"
        for i, (name, _xml) in enumerate(sheets, start=1)
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}">'
        f"<sheets>{sheet_tags}</sheets></workbook>"
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    if has_sst:
        rels += f'<Relationship Id="rId{len(sheets) + 1}" Type="{_REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
    wb_rels = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL}">{rels}</Relationships>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        for i, (name, xml) in enumerate(sheets, start=1):
            if isinstance(xml, str):
                z.writestr(f"xl/worksheets/sheet{i}.xml", xml.encode(encodings.get(name, "utf-8")))
            else:  # an iterable of byte chunks, streamed (for parts too big to hold)
                with z.open(f"xl/worksheets/sheet{i}.xml", "w") as part:
                    for chunk in xml:
                        part.write(chunk)
        if sst_xml is not None:
            z.writestr("xl/sharedStrings.xml", sst_xml)
        elif shared is not None:
            items = "".join(f"<si><t>{_esc(s)}</t></si>" for s in shared)
            z.writestr("xl/sharedStrings.xml",
                       f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                       f'<sst xmlns="{_NS}" count="{len(shared)}" uniqueCount="{len(shared)}">{items}</sst>')
    return path


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{_esc(text)}</t></is></c>'


def _num(ref: str, value) -> str:
    return f'<c r="{ref}"><v>{value}</v></c>'


# ------------------------------------------------------------------ ods


def write_ods(path: Path, tables_xml: str, *, mimetype: str = "application/vnd.oasis.opendocument.spreadsheet") -> Path:
    """An OpenDocument file written by hand (mimetype first and stored, as the format requires)."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables_xml}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), mimetype)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path


def _ods_text(text: str) -> str:
    return f'<table:table-cell office:value-type="string"><text:p>{_esc(text)}</text:p></table:table-cell>'


# ------------------------------------------------------------------ OLE2 (compound file) writer


def write_cfb(path: Path, streams: dict[str, bytes]) -> Path:
    """A minimal version-3 compound file (512-byte sectors); streams are padded to 4096 bytes so none needs the
    mini stream. Enough for the reader's sniffing (encrypted workbooks, old Word files)."""
    sector = 512
    end, free, fatsect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    data_sectors: list[bytes] = []
    chains: list[tuple[str, int, int]] = []
    for name, data in streams.items():
        data = data.ljust(max(len(data), 4096), b"\0")
        start = len(data_sectors)
        for off in range(0, len(data), sector):
            data_sectors.append(data[off:off + sector].ljust(sector, b"\0"))
        chains.append((name, start, len(data)))
    entries = [("Root Entry", 5, end, 0)] + [(n, 2, s, size) for n, s, size in chains]
    dir_bytes = b""
    for i, (name, typ, start, size) in enumerate(entries):
        raw = name.encode("utf-16-le") + b"\0\0"
        child = 1 if i == 0 and len(entries) > 1 else free
        right = i + 1 if 0 < i < len(entries) - 1 else free
        dir_bytes += (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), typ, 1)
                      + struct.pack("<III", free, right, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
                      + struct.pack("<IQ", start, size))
    dir_bytes = dir_bytes.ljust(-(-len(dir_bytes) // sector) * sector, b"\0")
    dir_start = len(data_sectors)
    n_dir = len(dir_bytes) // sector
    n_fat = 1
    while (len(data_sectors) + n_dir + n_fat) > n_fat * (sector // 4):
        n_fat += 1
    fat = []
    for _name, start, size in chains:
        count = size // sector
        fat += [start + k + 1 for k in range(count - 1)] + [end]
    fat += [dir_start + k + 1 for k in range(n_dir - 1)] + [end]
    fat += [fatsect] * n_fat
    fat += [free] * (n_fat * (sector // 4) - len(fat))
    fat_start = dir_start + n_dir
    difat = [fat_start + k for k in range(n_fat)] + [free] * (109 - n_fat)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, n_fat, dir_start, 0, 4096, end, 0, end, 0)
              + struct.pack("<109I", *difat))
    body = b"".join(data_sectors) + dir_bytes + struct.pack(f"<{len(fat)}I", *fat)
    path.write_bytes(header + body)
    return path


# ------------------------------------------------------------------ zip surgery


def _patch_member(path: Path, member: str, local_offset: int, central_offset: int, value: int) -> None:
    """Overwrite one 32-bit field of a member in its local header and its central-directory entry."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        offset = z.getinfo(member).header_offset
    struct.pack_into("<I", data, offset + local_offset, value)
    name = member.encode()
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46:pos + 46 + name_len]) == name:
            struct.pack_into("<I", data, pos + central_offset, value)
        pos = data.find(b"PK\x01\x02", pos + 4)
    path.write_bytes(bytes(data))


def set_declared_size(path: Path, member: str, size: int) -> None:
    """A lying zip: the member's uncompressed size rewritten in both headers."""
    _patch_member(path, member, 22, 24, size)


def set_crc(path: Path, member: str, crc: int) -> None:
    """A damaged zip: the member's data is intact but its recorded CRC-32 is wrong."""
    _patch_member(path, member, 14, 16, crc)


# ------------------------------------------------------------------ the corpus


def normal_workbook(path: Path) -> Path:
    """A town's ordinary sheet: merged title, header, typed values, a hidden and a very hidden sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(["2024年某镇D类企业名单"])
    ws.merge_cells("A1:E1")
    ws.append(["企业名称", "统一社会信用代码", "占地面积（亩）", "认定日期", "是否完成"])
    ws.append(["甲公司", GOOD_CODE, 12.5, dt.date(2024, 3, 5), True])
    ws.append(["乙公司", "91330100MA27XXXX0X", 8, dt.date(2024, 4, 1), False])
    ws.append([])
    ws.append(["合计", None, 20.5])
    hidden = wb.create_sheet("说明")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "填表说明"
    meta = wb.create_sheet("_meta")
    meta.sheet_state = "veryHidden"
    meta["A1"] = "packet_id"
    meta["B1"] = "P-0001"
    wb.save(path)
    return path


def build(folder: Path) -> dict[str, Path]:
    """Write every corpus file into folder; returns {file name: path} (missing.xlsx is a path that does not exist)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}

    def add(name: str) -> Path:
        out[name] = folder / name
        return out[name]

    # --- refused: not a workbook at all
    add("missing.xlsx")
    add("empty.xlsx").write_bytes(b"")
    add("folder.xlsx").mkdir(exist_ok=True)
    add("csv_saved_as.xlsx").write_bytes("企业名称,统一社会信用代码,占地面积\n甲公司,91350100M000100Y43,12.5\n".encode("gbk"))
    add("html_saved_as.xlsx").write_text(
        "<html><head><meta charset='utf-8'></head><body><table><tr><td>企业名称</td></tr></table></body></html>",
        encoding="utf-8")
    add("spreadsheetml_2003.xls").write_text(
        '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="名单"/></Workbook>',
        encoding="utf-8")
    add("pdf_renamed.xlsx").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    add("picture_renamed.xlsx").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + b"\0" * 17)
    add("rar_renamed.xlsx").write_bytes(b"Rar!\x1a\x07\x01\x00" + b"\0" * 32)
    write_cfb(add("password_protected.xlsx"), {"EncryptionInfo": b"\x04\x00\x04\x00" + b"\0" * 60,
                                               "EncryptedPackage": b"\x10\0\0\0\0\0\0\0" + bytes(range(256)) * 20})
    write_cfb(add("word_97.xls"), {"WordDocument": b"\xec\xa5" + b"\0" * 500, "1Table": b"\0" * 100})
    with zipfile.ZipFile(add("word_document.xlsx"), "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels",
                   f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" Type="{_REL_NS}/officeDocument" '
                   'Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml", '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>')
    with zipfile.ZipFile(add("slides.xlsx"), "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("ppt/presentation.xml", "<p:presentation/>")
    with zipfile.ZipFile(add("plain_zip.xlsx"), "w") as z:
        z.writestr("说明.txt", "不是表格")
    with zipfile.ZipFile(add("binary_workbook.xlsx"), "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels",
                   f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" Type="{_REL_NS}/officeDocument" '
                   'Target="xl/workbook.bin"/></Relationships>')
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
    write_ods(add("odf_text.ods"), "", mimetype="application/vnd.oasis.opendocument.text")

    # --- refused: damaged or hostile workbooks
    normal = normal_workbook(add("normal.xlsx"))
    raw = normal.read_bytes()
    add("truncated.xlsx").write_bytes(raw[: len(raw) // 2])
    shutil.copyfile(normal, add("bad_crc.xlsx"))
    with zipfile.ZipFile(normal) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    set_crc(out["bad_crc.xlsx"], info.filename, info.CRC ^ 0x5A5A5A5A)
    bad = bytearray(raw)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(8):
        bad[start + info.compress_size // 3 + k] ^= 0xFF
    add("corrupt_data.xlsx").write_bytes(bytes(bad))

    shutil.copyfile(normal, add("zip_bomb_declared.xlsx"))
    set_declared_size(out["zip_bomb_declared.xlsx"], "xl/worksheets/sheet1.xml", 0x7FFFFFFF)

    def ratio_bomb():  # ~60 MB of one repeated row: deflate squeezes it about 400:1
        yield sheet_xml("", dimension=None).split("<sheetData>")[0].encode() + b"<sheetData>"
        block = b'<row><c t="inlineStr"><is><t>0</t></is></c></row>' * 20000
        for _ in range(60 * (1 << 20) // len(block)):
            yield block
        yield b"</sheetData></worksheet>"

    write_xlsx(add("zip_bomb_ratio.xlsx"), [("数据", ratio_bomb())])

    lying = sheet_xml("".join(f'<row r="{i}">{_num(f"A{i}", i)}</row>' for i in range(1, 20001)), dimension="A1")
    write_xlsx(add("zip_bomb_lying_header.xlsx"), [("数据", lying)])
    set_declared_size(out["zip_bomb_lying_header.xlsx"], "xl/worksheets/sheet1.xml", 1000)

    entities = sheet_xml(f'<row r="1">{_inline("A1", "&lol9;")}</row>', head=(
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol9 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'))
    write_xlsx(add("xml_entities.xlsx"), [("数据", entities.replace("&amp;lol9;", "&lol9;"))])

    utf16 = sheet_xml(f'<row r="1">{_inline("A1", "名称")}</row>',
                      declaration='<?xml version="1.0" encoding="UTF-16" standalone="yes"?>\n')
    write_xlsx(add("utf16_sheet.xlsx"), [("数据", "\ufeff" + utf16)], encodings={"数据": "utf-16-le"})

    write_xlsx(add("shared_strings_count_lie.xlsx"),
               [("数据", sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'))],
               sst_xml=f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{_NS}" count="1" '
                       'uniqueCount="4000000000"><si><t>名称</t></si></sst>')

    shutil.copyfile(normal, add("duplicate_parts.xlsx"))
    with warnings.catch_warnings(), zipfile.ZipFile(out["duplicate_parts.xlsx"], "a") as z:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate: that is the point
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml('<row r="1048576">' + _num("XFD1048576", 1) + "</row>"))
    same = sheet_xml(f'<row r="1">{_inline("A1", "同名")}</row>')
    write_xlsx(add("duplicate_sheet_names.xlsx"), [("名单", same), ("名单", same)])

    shutil.copyfile(LEGACY_XLS, add("far_cell.xls"))
    _move_xls_cell_far(out["far_cell.xls"])
    shutil.copyfile(LEGACY_XLS, add("password_97.xls"))
    _mark_xls_encrypted(out["password_97.xls"])

    write_ods(add("far_cell.ods"),
              '<table:table table:name="表1"><table:table-row>' + _ods_text("名称") + "</table:table-row>"
              '<table:table-row table:number-rows-repeated="1048570"><table:table-cell/></table:table-row>'
              '<table:table-row><table:table-cell table:number-columns-repeated="16383"/>' + _ods_text("远")
              + "</table:table-row></table:table>")

    # --- read: tricky but good
    header = f'<row r="1">{_inline("A1", "名称")}{_inline("B1", "面积")}</row>'
    body = "".join(f'<row r="{i}">{_inline(f"A{i}", f"企业{i}")}{_num(f"B{i}", i / 2)}</row>' for i in range(2, 2001))
    write_xlsx(add("lying_dimension.xlsx"), [("数据", sheet_xml(header + body, dimension="A1"))])
    write_xlsx(add("missing_dimension.xlsx"), [("数据", sheet_xml(header + body, dimension=None))])
    far = header + '<row r="1048576">' + _inline("XFD1048576", "远处") + "</row>"
    write_xlsx(add("stray_far_cell.xlsx"), [("数据", sheet_xml(far, dimension="A1:XFD1048576"))])
    blank_far = header + '<row r="1048576"><c r="XFD1048576" s="0"/></row>'
    write_xlsx(add("far_blank_formatted.xlsx"), [("数据", sheet_xml(blank_far, dimension="A1:XFD1048576"))])
    wide = header + '<row r="3">' + _inline("XFD3", "最右") + "</row>"
    write_xlsx(add("wide_but_small.xlsx"), [("数据", sheet_xml(wide))])

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "公式"
    ws["A1"] = 2
    ws["B1"] = "=A1*3"  # openpyxl stores no cached result
    ws["A2"] = "#REF!"
    ws["A2"].data_type = "e"
    ws["B2"] = "=#REF!+1"
    ws["C3"] = "正常文本"
    wb.save(add("formulas_and_errors.xlsx"))

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["企业名称", "统一社会信用代码"])
    ws.append(["甲公司", 913501000000001000])  # typed as a number: Excel keeps 15 significant digits
    ws.append(["乙公司", GOOD_CODE])
    wb.save(add("code_as_number.xlsx"))

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号日期", "日期格式"])
    ws.append([45356, dt.date(2024, 3, 5)])
    ws.append([45383.5, dt.datetime(2024, 4, 1, 9, 30)])
    ws["B2"].number_format = "yyyy-mm-dd"
    wb.save(add("serial_dates.xlsx"))

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["开工日期"])
    for text in ["2024年3月5日", "2024.3.5", "２０２４／３／５", "20240305", " 2024-03-05 00:00:00 ", "2024.13.1"]:
        ws.append([text])
    wb.save(add("chinese_dates.xlsx"))

    long_text = "长" * 40000
    write_xlsx(add("cell_over_limit.xlsx"), [("数据", sheet_xml(f'<row r="1">{_inline("A1", long_text)}</row>'))])

    giant = "巨" * 32767  # ~98 KB of UTF-8, referenced by 3 000 cells: calamine would copy ~295 MB
    refs = "".join(f'<row r="{i}"><c r="A{i}" t="s"><v>0</v></c><c r="B{i}" t="s"><v>1</v></c></row>'
                   for i in range(1, 3001))
    write_xlsx(add("shared_strings_bomb.xlsx"), [("数据", sheet_xml(refs))], shared=[giant, "短"])

    prefixed = sheet_xml('<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>前缀</x:t></x:is></x:c>'
                         '<x:c r="B1"><x:v>7</x:v></x:c></x:row>', prefix="x")
    write_xlsx(add("namespace_prefix.xlsx"), [("数据", prefixed)])
    odd_order = sheet_xml('<row r="1"><c t="inlineStr" r="A1"><is><t>属性顺序</t></is></c>'
                          "<c s=\"0\" r='C1'><v>3</v></c></row>")
    write_xlsx(add("attribute_order.xlsx"), [("数据", odd_order)])
    no_refs = sheet_xml('<row><c t="inlineStr"><is><t>无位置</t></is></c><c><v>5</v></c></row>'
                        '<row><c/><c><v>6</v></c></row>')
    write_xlsx(add("no_cell_refs.xlsx"), [("数据", no_refs)])
    commented = sheet_xml(f'<row r="1">{_inline("A1", "注释")}</row><!-- <c r="B1"><v>9</v></c> -->')
    write_xlsx(add("xml_comment.xlsx"), [("数据", commented)])

    write_ods(add("town_sheet.ods"),
              '<table:table table:name="表1"><table:table-row>' + _ods_text("名称")
              + '<table:table-cell office:value-type="float" office:value="12.5"><text:p>12.5</text:p></table:table-cell>'
              '<table:table-cell office:value-type="date" office:date-value="2024-03-05"><text:p>2024-03-05</text:p>'
              "</table:table-cell></table:table-row>"
              '<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="1024"/>'
              "</table:table-row><table:table-row>"
              '<table:table-cell table:number-columns-spanned="2" office:value-type="string"><text:p>合并</text:p>'
              "</table:table-cell><table:covered-table-cell/></table:table-row></table:table>"
              '<table:table table:name="表2"><table:table-row>' + _ods_text("第二页") + "</table:table-row></table:table>")
    shutil.copyfile(out["town_sheet.ods"], add("ods_named_xlsx.xlsx"))
    shutil.copyfile(LEGACY_XLS, add("legacy.xls"))
    shutil.copyfile(LEGACY_XLS, add("xls_named_xlsx.xlsx"))
    return out


def _move_xls_cell_far(path: Path) -> None:
    """Move the “合计” label (row 5, column A) of legacy.xls to IV65536, in place (same record length)."""
    data = bytearray(path.read_bytes())
    # LabelSst record: type 0x00FD, length 10, row 4 (0-based), column 0
    pos = data.find(b"\xfd\x00\x0a\x00\x04\x00\x00\x00")
    if pos < 0:
        raise RuntimeError("legacy.xls: the 合计 cell record was not found")
    struct.pack_into("<HH", data, pos + 4, 0xFFFF, 0x00FF)
    path.write_bytes(bytes(data))


def _mark_xls_encrypted(path: Path) -> None:
    """Turn the InterfaceHdr record (type 0x00E1, 2 bytes) right after the BOF into a FilePass record: the
    workbook now says it is encrypted, as an .xls saved with an open password does."""
    data = bytearray(path.read_bytes())
    pos = data.find(b"\xe1\x00\x02\x00")
    if pos < 0:
        raise RuntimeError("legacy.xls: the InterfaceHdr record was not found")
    data[pos:pos + 2] = b"\x2f\x00"
    path.write_bytes(bytes(data))
