"""镇街数据包 out: one workbook per town and period (xlsxwriter), with locked identity columns, editable
progress columns with drop-downs and hints, a sheet for newly proposed entries and the very hidden meta sheet."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import secrets
from sqlalchemy import select

from desktop.models import GovernanceList, PacketImport, Town
from desktop.services import numbers
from desktop.services.accounts import permissions
from desktop.services.errors import UserError
from desktop.services.excel import packet_columns as pc
from desktop.services.excel.excel_common import CancelToken, Progress, check_cancel, written_atomically, xlsx_path
from desktop.services.excel import packet_seal
from desktop.services.excel.packet_rows import (
    DbRow, SNAPSHOT_CELL, pack_encoded, period_text, read_db_rows, record_json, town_of,
)
from desktop.services.ledger import Ledger
from desktop.services.lists import list_service
from desktop.services.towns import town_service


# Export ---------------------------------------------------------------------------------------

@dataclass
class ExportResult:
    path: Path
    packet_id: str
    town: str
    rows: int


def default_filename(town: str, year: int, month: int | None) -> str:
    period = f"{year}年{month}月" if month else f"{year}年度"
    return f"{town}_{period}_数据包.xlsx"


def _check_period(year: int, month: int | None) -> None:
    numbers.parse_year(year)
    numbers.parse_month(month)


def export_packet_by_name(ledger: Ledger, town: str, year: int, month: int | None, path) -> ExportResult:
    return export_packet(ledger, town_service.id_by_name(ledger, town), year, month, path)


def export_packet(ledger: Ledger, town_id: int, year: int, month: int | None, path, *, progress: Progress | None = None,
                  cancel: CancelToken | None = None, now: dt.datetime | None = None) -> ExportResult:
    """Write the town's packet to `path` (.xlsx), sealed with the office's key, and remember the export."""
    # Remembering the export is a write to the ledger: refused before any file is written, not after (a packet
    # the ledger does not know would be refused when it comes back).
    permissions.require(ledger, "ledger_write")
    _check_period(year, month)
    path = xlsx_path(path)
    office = packet_seal.office_key(ledger)
    with ledger.reader() as s:
        town = town_of(s, town_id)
        town_name = town.name
        rows = read_db_rows(s, town_id, year, month)
    packet_id = uuid.uuid4().hex
    now = now or ledger.now().replace(microsecond=0)
    meta = {
        "packet_id": packet_id, "kind": pc.KIND, "schema_version": pc.SCHEMA_VERSION, "town": town_name,
        "town_id": town_id, "year": year, "month": month or "", "exported_at": now.isoformat(),
        "exported_by": ledger.user, "office_id": office.office_id,
    }
    with written_atomically(path) as tmp:
        _write_packet(tmp, meta, rows, month is not None, office, progress, cancel)
    with ledger.session() as s:
        s.add(PacketImport(packet_id=packet_id, direction="export", kind=pc.KIND, town_id=town_id, year=year,
                           month=month, file_name=path.name, sha256=None, user=ledger.user,
                           counts={"rows": len(rows)}))
    return ExportResult(path, packet_id, town_name, len(rows))


def export_all(ledger: Ledger, year: int, month: int | None, folder, *, progress: Progress | None = None,
               cancel: CancelToken | None = None) -> list[ExportResult]:
    """One packet per active town that has a list this year, into `folder`."""
    permissions.require(ledger, "ledger_write")  # before the folder is made (see export_packet)
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"无法创建文件夹“{folder}”：{exc.strerror or exc}") from None
    with ledger.reader() as s:
        year_id = list_service._year_id(s, year)
        towns = s.execute(select(Town.id, Town.name).join(GovernanceList, GovernanceList.town_id == Town.id)
                          .where(GovernanceList.year_id == year_id, Town.active.is_(True))
                          .order_by(Town.sort_order, Town.id)).all()
    results = []
    for i, (tid, name) in enumerate(towns):
        check_cancel(cancel)
        results.append(export_packet(ledger, tid, year, month, folder / default_filename(name, year, month)))
        if progress:
            progress(i + 1, len(towns))
    return results


def _write_packet(path: Path, meta: dict, rows: list[DbRow], monthly: bool, office: packet_seal.OfficeKey, progress,
                  cancel) -> None:
    import xlsxwriter

    from desktop.services.excel import packet_sheet_xml as sx  # imports xlsxwriter

    cols = pc.entry_columns(monthly)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_urls": False, "strings_to_numbers": False})
    wb.set_properties({"title": f"{meta['town']} {period_text(meta)} 数据包", "company": "专项治理办公室",
                       "comments": f"packet {meta['packet_id']}"})
    password = secrets.token_urlsafe(12)  # protection only guides the town; edits are found by comparison
    fmt = _formats(wb)
    ws = wb.add_worksheet(pc.ENTRY_SHEET)
    date_at = next((i for i, c in enumerate(cols) if c.key == "report_done"), None) if monthly else None
    _sheet_frame(ws, fmt, cols, f"{meta['town']} {period_text(meta)} 治理清单进度填报",
                 f"灰色表头的列由市专治办维护，请勿修改；蓝色表头、浅黄底色的列请镇街填写。数据包编号 {meta['packet_id'][:8]}，"
                 f"导出于 {meta['exported_at'].replace('T', ' ')}。", report_date_at=date_at)
    styles = [(fmt["locked_" + c.kind] if c.locked else fmt["open_" + c.kind]) for c in cols]
    keys = [c.key for c in cols]
    last = pc.FIRST_DATA_ROW - 1 + max(len(rows), 1)
    records = []  # each row's snapshot record, encoded once: packed into the meta sheet and sealed
    total = len(rows)
    canon = pc.canon
    letters = sx.column_letters(len(cols))
    # (column, its letter, its cell style) in packet order; the packet's columns are ENTRY_COLUMNS' first len(cols)
    plan = [(c, letters[c], sx.style_attr(style)) for c, style in enumerate(styles)]
    text_cell, number_cell, to_serial = sx.text_cell, sx.number_cell, ws._convert_date_time
    if rows:
        sx.start_rows(ws, pc.FIRST_DATA_ROW - 1)
    out: list[str] = []
    for i, r in enumerate(rows):
        n = str(pc.FIRST_DATA_ROW + i)
        out.append(f'<row r="{n}">')
        cells = r.cells
        snap = []
        for c, letter, style in plan:
            v = cells[c]
            t = type(v)
            if t is str:
                snap.append(" ".join(v.split()))  # pc.canon_text, inlined: 600 000 calls
                if v:
                    out.append(text_cell(letter + n, style, v))
            elif v is None:
                snap.append("")  # blank: the column's format (unlocked where editable) applies
            elif t is bool:  # 本月报送完成: 是, or blank for 否 (the drop-down offers both)
                snap.append("是" if v else "否")
                if v:
                    out.append(text_cell(letter + n, style, "是"))
            elif t is Decimal:
                text = format(v.normalize(), "f")  # stored with four places at most: pc.canon_number's result
                snap.append("0" if text == "-0" else text)
                out.append(number_cell(letter + n, style, v))
            elif t is int:
                snap.append(str(v))
                out.append(number_cell(letter + n, style, v))
            elif t is dt.date or t is dt.datetime:
                snap.append(canon(v))
                out.append(number_cell(letter + n, style, to_serial(v)))
            else:  # an enum: its Chinese label
                text = v.label
                snap.append(text)
                out.append(text_cell(letter + n, style, text))
        out.append("</row>")
        records.append(record_json((r.entry_id, r.entry_revision, r.target_revision, snap)))
        if i % 500 == 499:
            sx.put_rows(ws, "".join(out))
            out.clear()
            check_cancel(cancel)
            if progress:
                progress(i, total)
    if rows:
        sx.put_rows(ws, "".join(out))
        sx.end_rows(ws, last, len(cols) - 1)
    for c, col in enumerate(cols):
        if not col.locked:
            _validation(ws, col, pc.FIRST_DATA_ROW - 1, last, c)
    ws.protect(password, {"autofilter": True, "sort": False, "format_columns": True, "select_locked_cells": True,
                          "select_unlocked_cells": True})
    ws.autofilter(pc.HEADER_ROW - 1, 0, last, len(cols) - 1)

    nw = wb.add_worksheet(pc.NEW_SHEET)
    _sheet_frame(nw, fmt, pc.NEW_COLUMNS, f"{meta['town']} {meta['year']}年 新增拟治理对象",
                 "如有新的拟治理对象，请逐行填写（带*的列必填）；市专治办导入后列入本镇街清单（草稿），再按程序报送审核。",
                 unlocked=True)
    first, end = pc.FIRST_DATA_ROW - 1, pc.FIRST_DATA_ROW - 2 + pc.NEW_ROWS_OFFERED
    for c, col in enumerate(pc.NEW_COLUMNS):
        _validation(nw, col, first, end, c)
    nw.protect(password, {"format_columns": True, "select_locked_cells": True, "select_unlocked_cells": True})

    hs = wb.add_worksheet(pc.HELP_SHEET)
    hs.set_column(0, 0, 100)
    for i, line in enumerate(_help_lines(meta, monthly)):
        hs.write_string(i, 0, line, fmt["title"] if i == 0 else fmt["wrap"])

    ms = wb.add_worksheet(pc.META_SHEET)
    # Each row's revisions and exported values, as compressed JSON cut into cells (a few dozen cells
    # instead of 80 000: faster to write and to read back), sealed as a whole and row by row.
    packed = pack_encoded(records)
    identity = {**meta, "columns": json.dumps(keys), "rows": len(rows)}
    meta_rows = [(k, identity[k], packet_seal.field_tag(office, meta["packet_id"], k, identity[k]))
                 for k in packet_seal.SEALED_FIELDS]
    meta_rows.append((packet_seal.SEAL, packet_seal.snapshot_seal(office, meta["packet_id"], packed), None))
    for i, (k, v, tag) in enumerate(meta_rows):
        ms.write_string(i, 0, k)
        if isinstance(v, str):
            ms.write_string(i, 1, v)
        else:
            ms.write_number(i, 1, v)
        if tag:
            ms.write_string(i, 2, tag)
    at = len(meta_rows) + 1
    for section, text in ((packet_seal.ROW_SEALS, packet_seal.row_tags(office, meta["packet_id"], records)),
                          ("snapshot", packed)):  # the snapshot last: every cell after its key is its text
        ms.write_string(at, 0, section)
        for i in range(0, len(text), SNAPSHOT_CELL):
            at += 1
            ms.write_string(at, 0, text[i:i + SNAPSHOT_CELL])
        at += 1
    ms.protect(password)
    ms.very_hidden()
    ws.activate()
    wb.close()
    if progress:
        progress(total, total)


def _formats(wb) -> dict:
    fill = "#FFF9E0"  # the cells a town fills in
    base = {"font_name": "宋体", "font_size": 10, "border": 1, "border_color": "#B0B0B0", "valign": "vcenter"}
    nums = {"text": "@", "note": "@", "int": "0", "area": "0.00##", "decimal": "#,##0.00##", "date": "yyyy-mm-dd",
            "enum": "@", "bool": "@"}
    fmt = {}
    for kind, num in nums.items():
        # Locked cells keep the default style (locked, no fill) except where a number format is needed:
        # 600 000 cells without a style attribute write noticeably faster.
        fmt["locked_" + kind] = (wb.add_format({"locked": True, "num_format": num}) if kind == "date" else None)
        fmt["open_" + kind] = wb.add_format({**base, "bg_color": fill, "locked": False, "num_format": num})
        # Blank cells take the column's format: unlocked, same number format, no border down the sheet.
        fmt["column_" + kind] = wb.add_format({"locked": False, "num_format": num, "font_name": "宋体",
                                               "font_size": 10})
    fmt["title"] = wb.add_format({"bold": True, "font_size": 14, "font_name": "宋体", "align": "left"})
    fmt["info"] = wb.add_format({"font_size": 9, "font_name": "宋体", "font_color": "#555555"})
    fmt["head_locked"] = wb.add_format({**base, "bold": True, "bg_color": "#C9C9C9", "text_wrap": True,
                                        "align": "center", "locked": True})
    fmt["head_open"] = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "text_wrap": True,
                                      "align": "center", "locked": True})
    fmt["wrap"] = wb.add_format({"text_wrap": True, "font_name": "宋体", "font_size": 11, "valign": "top"})
    return fmt


def _sheet_frame(ws, fmt, cols, title: str, info: str, *, unlocked: bool = False,
                 report_date_at: int | None = None) -> None:
    """Title, info line (with the 报送日期 cell of a monthly packet), header row; widths, frozen panes,
    A4 landscape with the header on every page. Rows go in order: the sheet is written in constant memory."""
    ws.write_string(pc.TITLE_ROW - 1, 0, title, fmt["title"])
    ws.write_string(pc.INFO_ROW - 1, 0, info, fmt["info"])
    if report_date_at is not None:
        ws.write_string(pc.INFO_ROW - 1, report_date_at, pc.REPORT_DATE_LABEL, fmt["head_open"])
        ws.write_blank(pc.INFO_ROW - 1, report_date_at + 1, None, fmt["open_date"])
        _validation(ws, pc.Column("report_date", "报送日期", "date", False, 12,
                                  "本月报送的日期，如 2024-11-15；不填按市专治办导入当天"),
                    pc.INFO_ROW - 1, pc.INFO_ROW - 1, report_date_at + 1)
    ws.set_row(pc.HEADER_ROW - 1, 32)
    for c, col in enumerate(cols):
        style = fmt["head_locked"] if col.locked else fmt["head_open"]
        ws.write_string(pc.HEADER_ROW - 1, c, col.header + ("*" if col.required else ""), style)
        ws.set_column(c, c, col.width, None if col.locked else fmt["column_" + col.kind])
    ws.freeze_panes(pc.HEADER_ROW, 0 if unlocked else 3)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.repeat_rows(pc.HEADER_ROW - 1)
    if not unlocked:
        # 30 columns do not fit one A4 width legibly: print across pages, each with the id and name columns.
        ws.repeat_columns(0, 2)
        ws.print_across()
        ws.set_print_scale(85)
    else:
        ws.fit_to_pages(1, 0)
    ws.set_footer("&C第 &P 页，共 &N 页")


def _validation(ws, col: pc.Column, first: int, last: int, c: int) -> None:
    opts = {"input_title": col.header[:32], "input_message": (col.hint or col.header)[:250],
            "error_title": "输入有误", "error_type": "stop", "ignore_blank": True}
    if col.choices:
        opts.update(validate="list", source=list(col.choices),
                    error_message=f"请从下拉列表中选择：{'、'.join(col.choices)}"[:250])
    elif col.kind in ("area", "decimal"):
        opts.update(validate="decimal", criteria=">=", value=0, error_message="请填写不小于0的数字")
    elif col.kind == "date":
        opts.update(validate="date", criteria="between", minimum=dt.date(2000, 1, 1), maximum=dt.date(2100, 12, 31),
                    error_message="请填写日期，如 2024-03-05")
    elif col.kind in ("text", "note"):
        limit = pc.TEXT_MAX if col.kind == "text" else pc.NOTE_MAX
        opts.update(validate="length", criteria="<=", value=limit, error_message=f"最多{limit}字")
    else:
        opts.update(validate="any")
    ws.data_validation(first, c, last, c, opts)


def _help_lines(meta: dict, monthly: bool) -> list[str]:
    lines = [
        f"{meta['town']} {period_text(meta)} 数据包 填报说明",
        "1．“清单条目”表列出本镇街本年度清单中的全部条目。灰色表头的列（条目编号、对象名称、信用代码、状态等）由市专治办维护，"
        "请勿修改；如有错误，请在“进展情况”中说明。浅黄底色的列由镇街填写：地址、法定代表人、行业、面积、权证、进展情况等。",
        "2．面积单位为亩（建筑面积为平方米）。日期写成 2024-03-05 或 2024年3月5日 均可。",
        "3．新的拟治理对象请填在“新增拟治理对象”表，带*的列必填，信用代码须为18位有效代码。",
        "4．请不要增删列、改动表头或改变工作表名称；可以筛选、调整列宽。",
        "5．填好后保存为 .xlsx（Excel 或 WPS 均可），交回市专治办。导入时逐格校验，有误的单元格将标红并附说明退回。",
    ]
    if monthly:
        lines.insert(3, f"3．本数据包用于{meta['month']}月报送：本月完成治理的“实施中”条目，在“本月报送完成”选“是”，"
                        "并填写本月完成面积（不填按计划治理面积）。已报送的条目不能在数据包中撤回。")
    return lines
