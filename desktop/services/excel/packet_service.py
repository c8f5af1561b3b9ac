"""镇街数据包: export a town's entries to a workbook the liaison fills in, and bring it back.

Out: one .xlsx per town and period (xlsxwriter: about twice as fast as openpyxl at writing), with
locked identity columns, editable progress columns with drop-downs and hints, a sheet for newly
proposed entries, and a very hidden sheet holding the packet's identity and each row's revisions
and exported values. In: the packet is checked (kind, town, year, schema), each row is compared
three ways (sheet, exported, database), validated, and previewed; the clerk applies every valid
change in one transaction. The file's SHA-256 is remembered, so the same file cannot land twice.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import secrets
import uuid
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from desktop.models import (
    ContiguousArea,
    Evaluation,
    GovernanceList,
    ListEntry,
    MonthlyReport,
    MonthlyReportItem,
    PacketImport,
    Plan,
    Soe,
    Target,
    Town,
    Year,
)
from desktop.models.enums import Category, EntryState, Method, TargetKind
from desktop.services import audit
from desktop.services.lists import list_service
from desktop.services.reports import report_service
from desktop.services.towns import town_service
from desktop.services.year import year_service
from desktop.services.excel import packet_columns as pc
from desktop.services.errors import NotFound, Refused, UserError, ValidationError
from desktop.services.excel.excel_common import (
    CancelToken,
    CellProblem,
    ImportOutcome,
    ImportSummary,
    Progress,
    check_cancel,
    file_sha256,
    written_atomically,
    xlsx_path,
)
from desktop.services.ledger import Ledger

# Reading the database ------------------------------------------------------------------------

_KEY_INDEX = {c.key: i for i, c in enumerate(pc.ENTRY_COLUMNS)}


@dataclass
class DbRow:
    """One entry as the packet shows it: `cells` in ENTRY_COLUMNS order, plus what the importer needs."""

    entry_id: int
    target_id: int
    entry_revision: int
    target_revision: int
    state: EntryState
    item_id: int | None
    cells: tuple

    def value(self, key: str):
        return self.cells[_KEY_INDEX[key]]


def _db_rows(s, town_id: int, year: int, month: int | None, entry_ids: Iterable[int] | None = None) -> list[DbRow]:
    """The town's entries of the year, by target name, as plain rows (column selects: fast on 20 000)."""
    year_id = list_service._year_id(s, year)
    eval_year = year_service.params_in_session(s, year).evaluation_year
    q = (select(ListEntry.id, ListEntry.revision, ListEntry.state, ListEntry.state_reason, ListEntry.planned_method,
                ListEntry.planned_area_mu, ListEntry.completed_on, ListEntry.verified_on, ListEntry.verified_area_mu,
                ListEntry.note, Target.id, Target.revision, Target.name, Target.credit_code, Target.kind,
                Target.category, Target.address, Target.legal_rep, Target.industry, Target.land_area_mu,
                Target.building_area_m2, Target.land_cert_no, Target.owner, Target.note, ContiguousArea.name)
         .join(GovernanceList, GovernanceList.id == ListEntry.list_id)
         .join(Target, Target.id == ListEntry.target_id)
         .outerjoin(ContiguousArea, ContiguousArea.id == ListEntry.contiguous_area_id)
         .where(GovernanceList.town_id == town_id, GovernanceList.year_id == year_id)
         .order_by(Target.name, ListEntry.id))
    if entry_ids is not None:
        q = q.where(ListEntry.id.in_(list(entry_ids)))
    entries_of_town = (select(ListEntry.id).join(GovernanceList, GovernanceList.id == ListEntry.list_id)
                       .where(GovernanceList.town_id == town_id, GovernanceList.year_id == year_id))
    plans: dict[int, tuple] = {}
    for entry_id, filed_on, cost, soe in s.execute(
            select(Plan.entry_id, Plan.filed_on, Plan.planned_cost_wan, Soe.name)
            .outerjoin(Soe, Soe.id == Plan.soe_id).where(Plan.entry_id.in_(entries_of_town)).order_by(Plan.id)):
        plans[entry_id] = (filed_on, cost, soe)  # the latest plan wins
    grades = dict(s.execute(
        select(Evaluation.target_id, Evaluation.grade).join(ListEntry, ListEntry.target_id == Evaluation.target_id)
        .where(ListEntry.id.in_(entries_of_town), Evaluation.year == eval_year)).tuples().all())
    items: dict[int, tuple] = {}
    if month is not None:
        for item_id, entry_id, area, note in s.execute(
                select(MonthlyReportItem.id, MonthlyReportItem.entry_id, MonthlyReportItem.completed_area_mu,
                       MonthlyReportItem.note)
                .join(MonthlyReport, MonthlyReport.id == MonthlyReportItem.report_id)
                .where(MonthlyReport.town_id == town_id, MonthlyReport.year_id == year_id,
                       MonthlyReport.month == month)):
            items[entry_id] = (item_id, area, note)
    rows = []
    # Core execution on the session's connection: the same typed values without the ORM's row wrapping.
    for (eid, erev, state, reason, method, planned, completed, verified, verified_area, enote, tid, trev, name,
         code, kind, category, address, legal_rep, industry, land, building, cert, owner, tnote, park) in \
            s.connection().execute(q).all():
        filed_on, cost, soe = plans.get(eid, (None, None, None))
        item = items.get(eid)
        cells = (eid, tid, name, code or "", kind, category, grades.get(tid), park or "", method, planned, state,
                 reason, filed_on, cost, soe or "", completed, verified, verified_area, address, legal_rep,
                 industry, land, building, cert, owner, tnote, enote, item is not None,
                 item[1] if item else None, item[2] if item else "")
        rows.append(DbRow(eid, tid, erev, trev, state, item[0] if item else None, cells))
    return rows


def _town(s, town_id: int) -> Town:
    town = s.get(Town, town_id)
    if town is None:
        raise NotFound("该镇街已不存在")
    return town


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
    if month is not None and not 1 <= month <= 12:
        raise ValidationError(f"月份应为1–12，现为{month}", field="month")


def export_packet_by_name(ledger: Ledger, town: str, year: int, month: int | None, path) -> ExportResult:
    return export_packet(ledger, town_service.id_by_name(ledger, town), year, month, path)


def export_packet(ledger: Ledger, town_id: int, year: int, month: int | None, path, *, progress: Progress | None = None,
                  cancel: CancelToken | None = None, now: dt.datetime | None = None) -> ExportResult:
    """Write the town's packet to `path` (.xlsx) and remember the export (packet id, counts)."""
    _check_period(year, month)
    path = xlsx_path(path)
    with ledger.reader() as s:
        town = _town(s, town_id)
        town_name = town.name
        rows = _db_rows(s, town_id, year, month)
    packet_id = uuid.uuid4().hex
    now = now or ledger.now().replace(microsecond=0)
    meta = {
        "packet_id": packet_id, "kind": pc.KIND, "schema_version": pc.SCHEMA_VERSION, "town": town_name,
        "town_id": town_id, "year": year, "month": month or "", "exported_at": now.isoformat(),
        "exported_by": ledger.user,
    }
    with written_atomically(path) as tmp:
        _write_packet(tmp, meta, rows, month is not None, progress, cancel)
    with ledger.session() as s:
        s.add(PacketImport(packet_id=packet_id, direction="export", kind=pc.KIND, town_id=town_id, year=year,
                           month=month, file_name=path.name, sha256=None, user=ledger.user,
                           counts={"rows": len(rows)}))
    return ExportResult(path, packet_id, town_name, len(rows))


def export_all(ledger: Ledger, year: int, month: int | None, folder, *, progress: Progress | None = None,
               cancel: CancelToken | None = None) -> list[ExportResult]:
    """One packet per active town that has a list this year, into `folder`."""
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


def _write_packet(path: Path, meta: dict, rows: list[DbRow], monthly: bool, progress, cancel) -> None:
    import xlsxwriter

    cols = pc.entry_columns(monthly)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_urls": False, "strings_to_numbers": False})
    wb.set_properties({"title": f"{meta['town']} {_period(meta)} 数据包", "company": "专项治理办公室",
                       "comments": f"packet {meta['packet_id']}"})
    password = secrets.token_urlsafe(12)  # protection only guides the town; edits are found by comparison
    fmt = _formats(wb)
    ws = wb.add_worksheet(pc.ENTRY_SHEET)
    date_at = next((i for i, c in enumerate(cols) if c.key == "report_done"), None) if monthly else None
    _sheet_frame(ws, fmt, cols, f"{meta['town']} {_period(meta)} 治理清单进度填报",
                 f"灰色表头的列由市专治办维护，请勿修改；蓝色表头、浅黄底色的列请镇街填写。数据包编号 {meta['packet_id'][:8]}，"
                 f"导出于 {meta['exported_at'].replace('T', ' ')}。", report_date_at=date_at)
    styles = [(fmt["locked_" + c.kind] if c.locked else fmt["open_" + c.kind]) for c in cols]
    keys = [c.key for c in cols]
    last = pc.FIRST_DATA_ROW - 1 + max(len(rows), 1)
    snapshots = []
    total = len(rows)
    write_string, write_number, write_datetime = ws.write_string, ws.write_number, ws.write_datetime
    canon = pc.canon
    plan = list(zip(range(len(cols)), styles))  # the packet's columns are ENTRY_COLUMNS' first len(cols)
    for i, r in enumerate(rows):
        row = pc.FIRST_DATA_ROW - 1 + i
        cells = r.cells
        snap = []
        for c, style in plan:
            v = cells[c]
            t = type(v)
            if t is str:
                snap.append(" ".join(v.split()))  # pc.canon_text, inlined: 600 000 calls
                if v:
                    write_string(row, c, v, style)
            elif v is None:
                snap.append("")  # blank: the column's format (unlocked where editable) applies
            elif t is bool:  # 本月报送完成: 是, or blank for 否 (the drop-down offers both)
                snap.append("是" if v else "否")
                if v:
                    write_string(row, c, "是", style)
            elif t is Decimal:
                text = format(v.normalize(), "f")  # stored with four places at most: pc.canon_number's result
                snap.append("0" if text == "-0" else text)
                write_number(row, c, v, style)
            elif t is int:
                snap.append(str(v))
                write_number(row, c, v, style)
            elif t is dt.date or t is dt.datetime:
                snap.append(canon(v))
                write_datetime(row, c, v, style)
            else:  # an enum: its Chinese label
                text = v.label
                snap.append(text)
                write_string(row, c, text, style)
        snapshots.append((r.entry_id, r.entry_revision, r.target_revision, snap))
        if i % 500 == 0:
            check_cancel(cancel)
            if progress:
                progress(i, total)
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
    meta_rows = [(k, meta[k]) for k in ("packet_id", "kind", "schema_version", "town", "town_id", "year", "month",
                                        "exported_at", "exported_by")]
    meta_rows += [("columns", json.dumps(keys)), ("rows", len(rows))]
    for i, (k, v) in enumerate(meta_rows):
        ms.write_string(i, 0, k)
        if isinstance(v, str):
            ms.write_string(i, 1, v)
        else:
            ms.write_number(i, 1, v)
    # Each row's revisions and exported values, as compressed JSON cut into cells (a few dozen cells
    # instead of 80 000: faster to write and to read back).
    packed = _pack(snapshots)
    base = len(meta_rows) + 1
    ms.write_string(base, 0, "snapshot")
    for i in range(0, len(packed), SNAPSHOT_CELL):
        ms.write_string(base + 1 + i // SNAPSHOT_CELL, 0, packed[i:i + SNAPSHOT_CELL])
    ms.protect(password)
    ms.very_hidden()
    ws.activate()
    wb.close()
    if progress:
        progress(total, total)


SNAPSHOT_CELL = 30000  # characters per cell (Excel keeps 32 767)


def _pack(snapshots: list) -> str:
    raw = json.dumps(snapshots, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(zlib.compress(raw, 1)).decode("ascii")


def _unpack(text: str) -> list:
    return json.loads(zlib.decompress(base64.b64decode(text.encode("ascii"), validate=True), bufsize=1 << 20))


def _period(meta: dict) -> str:
    return f"{meta['year']}年{meta['month']}月" if meta.get("month") else f"{meta['year']}年度"


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
        f"{meta['town']} {_period(meta)} 数据包 填报说明",
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


# Reading a returned packet --------------------------------------------------------------------

@dataclass
class CellChange:
    column: str  # header text
    old: str
    new: str
    conflict: bool = False  # the database changed this cell since export, to another value


@dataclass
class PreviewRow:
    sheet: str
    row: int  # Excel row
    status: str  # new | changed | unchanged | conflict | error
    name: str
    entry_id: int | None = None
    target_id: int | None = None
    changes: list[CellChange] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)
    updates: dict = field(default_factory=dict)  # column key → parsed value to write
    revisions: tuple[int, int] | None = None  # (entry, target) revisions the preview compared against
    item_id: int | None = None  # this month's report item of the entry, when it has one


STATUS_LABELS = {"new": "新增", "changed": "修改", "unchanged": "未变", "conflict": "冲突", "error": "错误"}


@dataclass
class PacketPreview:
    path: Path
    file_name: str
    sha256: str
    packet_id: str
    town_id: int
    town: str
    year: int
    month: int | None
    exported_at: str
    rows: list[PreviewRow]
    problems: list[CellProblem]  # every bad cell (rows' problems and sheet-level ones)
    rows_read: int
    reported_on: dt.date | None = None  # monthly packets: the town's report date

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def has_errors(self) -> bool:
        return bool(self.problems)

    def summary(self) -> ImportSummary:
        return ImportSummary(rows_read=self.rows_read, created=self.count("new"), updated=self.count("changed"),
                             unchanged=self.count("unchanged"), rejected=self.count("error"),
                             conflicts=self.count("conflict"), area_mu=Decimal(0), errors=list(self.problems))



def _already_imported(s, sha: str) -> PacketImport | None:
    return s.scalar(select(PacketImport).where(PacketImport.sha256 == sha, PacketImport.direction == "import"))


def _refuse_twice(prev: PacketImport, file_name: str) -> Refused:
    at = audit.to_local(prev.at).strftime("%Y-%m-%d %H:%M")
    return Refused(f"文件“{file_name}”已于 {at} 由 {prev.user} 导入过（内容完全相同），不再重复导入。")


def _meta(sheet, file_name: str) -> tuple[dict, dict[int, tuple[int, int, list[str]]]]:
    meta: dict = {}
    chunks: list[str] = []
    in_snapshot = False
    for _row, values in sheet.rows:
        key = values[0] if values else None
        if key == "snapshot":
            in_snapshot = True
        elif in_snapshot:
            chunks.append(key if isinstance(key, str) else "")
        elif isinstance(key, str) and len(values) > 1:
            meta[key] = values[1]
    try:
        snapshots = {int(eid): (int(erev), int(trev), list(snap)) for eid, erev, trev, snap in _unpack("".join(chunks))}
    except (TypeError, ValueError, zlib.error, binascii.Error):
        raise Refused(f"文件“{file_name}”的数据包信息已损坏，无法核对，请重新导出数据包。") from None
    return meta, snapshots


def _int(value) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def read_packet(ledger: Ledger, path, *, progress: Progress | None = None, cancel: CancelToken | None = None,
                today: dt.date | None = None) -> PacketPreview:
    """Check a returned packet and compare it with the database; nothing is written."""
    from desktop.services.excel import xlsx_reader

    path = Path(path)
    info = xlsx_reader.inspect(path)  # refuses what is not a readable workbook, with a message
    file_name = info.file_name
    sha = file_sha256(path)
    with ledger.reader() as s:
        prev = _already_imported(s, sha)
        if prev is not None:
            raise _refuse_twice(prev, file_name)
    if pc.META_SHEET not in info.sheet_names or pc.ENTRY_SHEET not in info.sheet_names:
        raise Refused(f"文件“{file_name}”不是本程序导出的数据包（缺少数据包信息或“{pc.ENTRY_SHEET}”表）。"
                      "外部表格请用“导入外部表格”。")
    wanted = [pc.META_SHEET, pc.ENTRY_SHEET] + ([pc.NEW_SHEET] if pc.NEW_SHEET in info.sheet_names else [])
    sheets = xlsx_reader.read_sheets(path, wanted, progress=progress, cancel=cancel)
    meta, snapshots = _meta(sheets[0], file_name)
    if meta.get("kind") != pc.KIND:
        raise Refused(f"文件“{file_name}”的数据包类型为“{meta.get('kind')}”，不是{pc.KIND_LABEL}。")
    version = _int(meta.get("schema_version"))
    if version != pc.SCHEMA_VERSION:
        raise Refused(f"文件“{file_name}”的数据包版本为 {meta.get('schema_version')}，本程序只能导入版本 "
                      f"{pc.SCHEMA_VERSION}：请用本程序重新导出数据包。")
    town_id, year, month = _int(meta.get("town_id")), _int(meta.get("year")), _int(meta.get("month"))
    packet_id = str(meta.get("packet_id") or "")
    with ledger.reader() as s:
        town = s.get(Town, town_id) if town_id else None
        town_name = town.name if town is not None else None
        if town is None or town_name != meta.get("town"):
            raise Refused(f"文件“{file_name}”是“{meta.get('town')}”的数据包，本数据库中没有这个镇街"
                          "（可能来自其他数据库）。")
        if year is None or s.scalar(select(Year.id).where(Year.year == year)) is None:
            raise Refused(f"文件“{file_name}”是{meta.get('year')}年度的数据包，本数据库中没有该年度。")
        exported = s.scalar(select(PacketImport.id).where(PacketImport.packet_id == packet_id,
                                                          PacketImport.direction == "export"))
        if exported is None:
            raise Refused(f"文件“{file_name}”的数据包编号 {packet_id[:8]} 不是本数据库导出的"
                          "（可能来自其他电脑的数据库），不能导入。")
    check_cancel(cancel)
    monthly = month is not None
    entry_sheet = sheets[1]
    new_sheet = sheets[2] if len(sheets) > 2 else None
    with ledger.reader() as s:
        db_rows = {r.entry_id: r for r in _db_rows(s, town_id, year, month)}
        rows: list[PreviewRow] = []
        problems: list[CellProblem] = []
        rows_read = _compare_entries(entry_sheet, pc.entry_columns(monthly), snapshots, db_rows, rows, problems,
                                     cancel)
        reported_on = _report_date(entry_sheet, year, month, today or ledger.today(), problems) if monthly else None
        if new_sheet is not None:
            rows_read += _read_new(s, new_sheet, town_id, town_name, year, rows, problems)
    return PacketPreview(path, file_name, sha, packet_id, town_id, town_name, year, month,
                         str(meta.get("exported_at") or ""), rows, problems, rows_read, reported_on)


def _report_date(sheet, year: int, month: int, today: dt.date, problems: list[CellProblem]) -> dt.date | None:
    """The date the town wrote beside 报送日期 in row 2: any common form; within the month's reach, not future."""
    from desktop.services.excel import cell_values
    from desktop.services.excel.xlsx_reader import column_letter

    values = next((v for r, v in sheet.rows if r == pc.INFO_ROW), ())
    at = next((i for i, v in enumerate(values) if isinstance(v, str) and v.strip() == pc.REPORT_DATE_LABEL), None)
    if at is None or at + 1 >= len(values):
        return None
    where = column_letter(at + 1)
    try:
        day = cell_values.parse_date(values[at + 1], label="报送日期")
    except ValidationError as exc:
        problems.append(CellProblem(sheet.name, pc.INFO_ROW, where, exc.message))
        return None
    if day is not None and day < dt.date(year, month, 1):
        problems.append(CellProblem(sheet.name, pc.INFO_ROW, where,
                                    f"报送日期 {day.isoformat()} 早于 {year}年{month}月1日（报送的是{month}月完成的条目）"))
        return None
    if day is not None and day > today:
        problems.append(CellProblem(sheet.name, pc.INFO_ROW, where, f"报送日期 {day.isoformat()} 晚于今天"))
        return None
    return day


def _header_map(sheet, cols: tuple[pc.Column, ...], problems: list[CellProblem]) -> dict[str, int] | None:
    """Column key → index, found by header text in the header row (columns may have been moved)."""
    from desktop.services.excel.xlsx_reader import column_letter

    header = next((v for r, v in sheet.rows if r == pc.HEADER_ROW), ())
    found: dict[str, int] = {}
    texts = {pc.canon_text(str(h)).rstrip("*"): i for i, h in enumerate(header) if h not in (None, "")}
    for col in cols:
        if col.header in texts:
            found[col.key] = texts[col.header]
    missing = [c.header for c in cols if c.key not in found]
    if missing:
        problems.append(CellProblem(sheet.name, pc.HEADER_ROW, None,
                                    f"表头缺少列：{'、'.join(missing)}（请不要改动表头；可重新导出数据包）"))
        return None
    known = {c.header for c in cols}
    for text, i in texts.items():
        if text not in known:
            problems.append(CellProblem(sheet.name, pc.HEADER_ROW, column_letter(i),
                                        f"多出的列“{text}”不是数据包的列，其内容不会导入"))
    return found


def _parse(col: pc.Column, value):
    """A sheet value parsed by the column's kind; raises ValidationError with the expected form."""
    from desktop.services.excel import cell_values

    label = col.header
    if col.kind in ("text", "note"):
        return cell_values.parse_text(value, label=label, max_len=pc.TEXT_MAX if col.kind == "text" else pc.NOTE_MAX)
    if col.kind == "area":
        return cell_values.parse_area(value, label=label)
    if col.kind == "decimal":
        return cell_values.parse_decimal(value, label=label)
    if col.kind == "date":
        return cell_values.parse_date(value, label=label)
    if col.kind == "bool":
        return cell_values.parse_bool(value, label=label)
    if col.kind == "int":
        return cell_values.parse_int(value, label=label)
    raise AssertionError(col.kind)


def _canon_parsed(col: pc.Column, value) -> str:
    if col.kind == "bool":
        return "是" if value else "否"
    return pc.canon(value)


def _compare_entries(sheet, cols, snapshots, db_rows: dict[int, DbRow], out: list[PreviewRow],
                     problems: list[CellProblem], cancel) -> int:
    """Each row three ways: sheet vs exported (what the town changed), exported vs database (what changed
    here since), and every changed cell parsed and validated. Unchanged cells are not parsed: a cell
    whose text equals the exported text is the database's own value."""
    from desktop.services.excel.xlsx_reader import column_letter

    where = _header_map(sheet, cols, problems)
    if where is None:
        return 0
    canon = pc.canon
    # (column, sheet index, snapshot index) in packet order; the snapshot follows the exported columns.
    plan = [(col, where[col.key], i) for i, col in enumerate(cols)]
    width = max(where.values()) + 1
    entry_at = where["entry_id"]
    name_at = where["name"]
    read = 0
    for n, (excel_row, values) in enumerate(sheet.rows):
        if excel_row <= pc.HEADER_ROW:
            continue
        if n % 1000 == 0:
            check_cancel(cancel)
        read += 1
        if len(values) < width:
            values = tuple(values) + (None,) * (width - len(values))
        entry_id = _int(values[entry_at])
        row = PreviewRow(sheet.name, excel_row, "unchanged", canon(values[name_at]), entry_id)
        out.append(row)

        def bad(key: str, message: str) -> None:
            p = CellProblem(sheet.name, excel_row, column_letter(where[key]), message)
            row.problems.append(p)
            problems.append(p)

        snap = snapshots.get(entry_id) if entry_id is not None else None
        if snap is None:
            bad("entry_id", "条目编号不是导出时的条目（请勿在本表增加行或修改条目编号；新的对象请填在"
                            f"“{pc.NEW_SHEET}”表）")
            row.status = "error"
            continue
        erev, trev, exported = snap
        current = db_rows.get(entry_id)
        if current is None:
            bad("entry_id", "该条目已在数据库中删除或移出本镇街清单，不能导入")
            row.status = "error"
            continue
        row.target_id = current.target_id
        row.item_id = current.item_id
        row.name = row.name or canon(current.value("name"))
        row.revisions = (current.entry_revision, current.target_revision)
        db_same = current.entry_revision == erev and current.target_revision == trev
        conflict = False
        for col, at, si in plan:
            raw = values[at]
            was = exported[si] if si < len(exported) else ""
            # Fast path: the cell as exported (same text, both blank, or a blank 否).
            if raw == was or (raw is None and (was == "" or (was == "否" and col.kind == "bool"))):
                continue
            if type(raw) is float:  # numbers come back as floats: 12.5 → "12.5", 101.0 → "101"
                text = repr(raw)
                if text == was or (text[-2:] == ".0" and text[:-2] == was):
                    continue
            seen = canon(raw)
            if seen == was:
                continue
            if col.locked:
                bad(col.key, f"“{col.header}”由市专治办维护，不能修改：导出时为“{was or '空'}”，"
                             f"现为“{seen or '空'}”。请改回原值")
                continue
            try:
                parsed = _parse(col, raw)
            except ValidationError as exc:
                bad(col.key, exc.message)
                continue
            new = _canon_parsed(col, parsed)
            if new == was:
                continue  # the town left it as exported (written differently)
            old_value = current.value(col.key)
            old = ("是" if old_value else "否") if col.kind == "bool" else canon(old_value)
            if new == old:
                continue  # the database already holds it
            clash = not db_same and old != was
            if clash:
                conflict = True
            row.changes.append(CellChange(col.header, old, new, clash))
            row.updates[col.key] = parsed
        _check_report_cells(row, current, bad)
        if row.problems:
            row.status = "error"
        elif conflict:
            row.status = "conflict"
        elif row.changes:
            row.status = "changed"
    return read


def _check_report_cells(row: PreviewRow, current: DbRow, bad) -> None:
    """本月报送完成 through report_service's rules; a report cannot be withdrawn by packet."""
    u = row.updates
    if "report_done" in u:
        if u["report_done"]:
            try:
                report_service.check_reportable(row.name, current.state)
            except Refused as exc:
                bad("report_done", exc.message)
        elif current.item_id is not None:
            bad("report_done", "本月已报送完成的条目不能在数据包中撤回，如需撤回请联系市专治办")
    done = u.get("report_done", current.item_id is not None)
    if ("report_area" in u or "report_note" in u) and not done:
        key = "report_area" if "report_area" in u else "report_note"
        bad(key, "只有“本月报送完成”为“是”的条目才填写完成面积和报送说明")
    if u.get("report_area") is not None:
        try:
            report_service.clean_completed_area(u["report_area"])
        except ValidationError as exc:
            bad("report_area", exc.message)


def _read_new(s, sheet, town_id: int, town_name: str, year: int, out: list[PreviewRow],
              problems: list[CellProblem]) -> int:
    """Rows of 新增拟治理对象: validate, find the target (by code, then by name in the town) or plan a new one."""
    from desktop.services.excel import cell_values
    from desktop.services.excel.xlsx_reader import column_letter

    where = _header_map(sheet, pc.NEW_COLUMNS, problems)
    if where is None:
        return 0
    year_id = list_service._year_id(s, year)
    listed = set(s.scalars(select(ListEntry.target_id).join(GovernanceList, GovernanceList.id == ListEntry.list_id)
                           .where(GovernanceList.town_id == town_id, GovernanceList.year_id == year_id)))
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    read = 0
    for excel_row, values in sheet.rows:
        if excel_row <= pc.HEADER_ROW:
            continue
        cells = {c.key: (values[where[c.key]] if where[c.key] < len(values) else None) for c in pc.NEW_COLUMNS}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
            continue
        read += 1
        row = PreviewRow(sheet.name, excel_row, "new", pc.canon(cells["name"]))
        out.append(row)

        def bad(key: str, message: str) -> None:
            p = CellProblem(sheet.name, excel_row, column_letter(where[key]), message)
            row.problems.append(p)
            problems.append(p)

        parsed = {}
        for col in pc.NEW_COLUMNS:
            try:
                if col.key == "credit_code":
                    value = cell_values.parse_credit_code(cells[col.key], label=col.header)
                elif col.kind == "enum":
                    enum_cls = {"target_kind": TargetKind, "category": Category, "method": Method}[col.key]
                    value = cell_values.parse_enum(cells[col.key], enum_cls, label=col.header)
                else:
                    value = _parse(col, cells[col.key])
            except ValidationError as exc:
                bad(col.key, exc.message)
                continue
            if col.required and value in (None, ""):
                bad(col.key, f"“{col.header}”必填")
                continue
            parsed[col.key] = value
        if not row.problems:
            _match_new(s, row, parsed, town_id, town_name, listed, seen_codes, seen_names, bad)
        row.updates = parsed
        row.changes = [CellChange(c.header, "", _canon_parsed(c, parsed.get(c.key)))
                       for c in pc.NEW_COLUMNS if parsed.get(c.key) not in (None, "")]
        if row.problems:
            row.status = "error"
    return read


def _match_new(s, row: PreviewRow, parsed: dict, town_id: int, town_name: str, listed: set[int],
               seen_codes: dict, seen_names: dict, bad) -> None:
    code, name = parsed.get("credit_code"), parsed.get("name")
    kind = parsed.get("target_kind") or TargetKind.ENTERPRISE
    parsed["target_kind"] = kind
    if kind is TargetKind.PARCEL and code:
        bad("credit_code", "地块不填统一社会信用代码；如是企业，请把对象类型改为“企业”")
        return
    if parsed.get("category") is Category.D_CLASS and kind is TargetKind.PARCEL:
        bad("category", "D类低效指综合评价为D类的企业，地块请选择其他治理类别")
        return
    first = seen_codes.get(code) if code else seen_names.get(name)
    if first is not None:
        bad("credit_code" if code else "name", f"与本表第{first}行重复")
        return
    if code:
        seen_codes[code] = row.row
    seen_names[name] = row.row
    target = None
    if code:
        target = s.execute(select(Target.id, Target.town_id, Target.name).where(Target.credit_code == code)).first()
        if target is not None and target[1] != town_id:
            other = s.scalar(select(Town.name).where(Town.id == target[1]))
            bad("credit_code", f"该信用代码已登记为{other}的“{target[2]}”，不能列入{town_name}清单")
            return
    if target is None:
        target = s.execute(select(Target.id, Target.town_id, Target.name)
                           .where(Target.town_id == town_id, Target.name == name)).first()
    if target is not None:
        row.target_id = target[0]
        if target[0] in listed:
            bad("name", f"“{target[2]}”已在本镇街本年度清单中")


# Applying --------------------------------------------------------------------------------------

TARGET_FIELDS = {"address": "address", "legal_rep": "legal_rep", "industry": "industry", "land_area": "land_area_mu",
                 "building_area": "building_area_m2", "land_cert_no": "land_cert_no", "owner": "owner",
                 "target_note": "note"}


def apply(ledger: Ledger, preview: PacketPreview, *, today: dt.date | None = None) -> ImportOutcome:
    """Write every valid change of the preview in one transaction (errors and conflicts are left out)."""
    today = today or ledger.today()
    summary = preview.summary()
    source = f"数据包 {preview.file_name}（{preview.packet_id[:8]}）"
    with ledger.session() as s:
        s.info["audit_source"] = source
        try:
            prev = _already_imported(s, preview.sha256)
            if prev is not None:
                raise _refuse_twice(prev, preview.file_name)
            area = _apply_rows(s, preview, today)
            summary.area_mu = area
            s.add(PacketImport(packet_id=preview.packet_id, direction="import", kind=pc.KIND, town_id=preview.town_id,
                               year=preview.year, month=preview.month, file_name=preview.file_name,
                               sha256=preview.sha256, user=ledger.user, counts=_counts(summary, preview)))
            s.flush()
        finally:
            s.info.pop("audit_source", None)
    return ImportOutcome(summary, applied=True)


def _counts(summary: ImportSummary, preview: PacketPreview) -> dict:
    data = summary.to_json()
    data.pop("errors")
    data["errors"] = len(summary.errors)
    data["entries"] = sorted(r.entry_id for r in preview.rows if r.status == "changed" and r.entry_id)
    return data


def _apply_rows(s, preview: PacketPreview, today: dt.date) -> Decimal:
    area = Decimal(0)
    changed = [r for r in preview.rows if r.status == "changed"]
    report_items: list[tuple[int, object, str]] = []
    for r in changed:
        e = s.get(ListEntry, r.entry_id)
        t = s.get(Target, r.target_id)
        if e is None or t is None or (e.revision, t.revision) != r.revisions:
            raise Refused(f"“{r.name}”在预览之后又被修改，请重新导入预览。未写入任何内容。")
        u = r.updates
        for key, attr in TARGET_FIELDS.items():
            if key in u:
                value = u[key] if u[key] is not None or attr.endswith(("_mu", "_m2")) else ""
                setattr(t, attr, value)
        if "progress" in u:
            e.note = u["progress"] or ""
        if u.get("report_done"):
            report_items.append((e.id, u.get("report_area"), u.get("report_note") or ""))
        elif ("report_area" in u or "report_note" in u) and r.item_id is not None:
            item = s.get(MonthlyReportItem, r.item_id)
            if item is not None:
                new_area = u.get("report_area", item.completed_area_mu) or item.completed_area_mu
                report_service.update_item_in_session(s, item, new_area, u.get("report_note", item.note) or "")
        area += t.land_area_mu or Decimal(0)
    if report_items:
        r = report_service.open_report_in_session(s, preview.town_id, preview.year, preview.month,
                                                  preview.reported_on or today, today=today)
        report_service.add_items_in_session(s, r, report_items)
    news = [r for r in preview.rows if r.status == "new"]
    if news:
        lst = list_service.get_or_create_list_in_session(s, preview.town_id, preview.year)
        for r in news:
            u = r.updates
            if r.target_id is not None:
                t = s.get(Target, r.target_id)
            else:
                kind = u.get("target_kind") or TargetKind.ENTERPRISE
                cls = Target.__mapper__.polymorphic_map[kind].class_
                t = cls(kind=kind, name=u["name"], town_id=preview.town_id, category=u.get("category") or Category.OTHER,
                        credit_code=u.get("credit_code"), address=u.get("address") or "",
                        land_area_mu=u.get("land_area"))
                s.add(t)
                s.flush()
            list_service.add_entry_in_session(s, lst, t, u["method"], u["planned_area"], note=u.get("progress") or "")
            area += t.land_area_mu or Decimal(0)
    return area


def import_packet(ledger: Ledger, path, *, dry_run: bool = False, errors_out=None, progress: Progress | None = None,
                  cancel: CancelToken | None = None, today: dt.date | None = None) -> ImportOutcome:
    """The CLI's import: preview, then apply when there is no error (else refuse, with a receipt if asked)."""
    preview = read_packet(ledger, path, progress=progress, cancel=cancel, today=today)
    summary = preview.summary()
    if preview.has_errors:
        if errors_out:
            write_receipt(preview, errors_out)
        reason = f"数据包有{len(preview.problems)}处错误" + ("，已写出错误回执" if errors_out else "")
        return ImportOutcome(summary, applied=False, dry_run=dry_run, refused=reason)
    if dry_run:
        return ImportOutcome(summary, applied=False, dry_run=True)
    return apply(ledger, preview, today=today)


# The error receipt -----------------------------------------------------------------------------

def write_receipt(preview: PacketPreview, out_path, *, progress: Progress | None = None) -> Path:
    """A copy of the town's workbook with each bad cell red and commented, and a summary sheet first."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import column_index_from_string

    out_path = xlsx_path(out_path)
    try:
        wb = load_workbook(preview.path)
    except Exception as exc:  # the file was readable a moment ago; say what happened, never a traceback
        raise UserError(f"无法打开“{preview.file_name}”来写错误回执：{exc}") from None
    red = PatternFill("solid", fgColor="FFC7CE")
    for i, p in enumerate(preview.problems):
        if p.sheet not in wb.sheetnames or p.row is None:
            continue
        ws = wb[p.sheet]
        col = column_index_from_string(p.column) if p.column else 1
        c = ws.cell(p.row, col)
        c.fill = red
        text = p.message if c.comment is None else c.comment.text + "\n" + p.message
        comment = Comment(text, "市专治办")
        comment.width, comment.height = 320, 120
        c.comment = comment
        if progress and i % 200 == 0:
            progress(i, len(preview.problems))
    ws = wb.create_sheet("错误汇总", 0)
    ws.sheet_properties.tabColor = "C00000"
    ws.append([f"{preview.town} 数据包错误回执"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"文件：{preview.file_name}；共{len(preview.problems)}处错误。请按说明修改标红的单元格"
               "（鼠标移到单元格上可看批注），保存后交回市专治办重新导入。"])
    ws.append([])
    ws.append(["工作表", "行", "列", "问题与要求"])
    for c in ws[4]:
        c.font = Font(bold=True)
    for p in preview.problems:
        ws.append([p.sheet, p.row, p.column or "", p.message])
        for c in ws[ws.max_row]:
            if isinstance(c.value, str):
                c.data_type = "s"
    for letter, width in zip("ABCD", (16, 7, 6, 72)):
        ws.column_dimensions[letter].width = width
    ws.merge_cells("A2:D2")
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[2].height = 32
    for row in ws.iter_rows(min_row=5):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "4:4"
    wb.active = 0
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = sheet is ws
    with written_atomically(out_path) as tmp:
        wb.save(tmp)
    return out_path


# History ------------------------------------------------------------------------------------------

@dataclass
class PacketRecord:
    id: int
    at: dt.datetime
    direction: str
    town: str
    year: int | None
    month: int | None
    file_name: str
    user: str
    packet_id: str
    counts: dict
    kind_label: str = ""


KIND_LABELS = {pc.KIND: "", "legacy-enterprises": "外部表格·治理对象", "legacy-targets": "外部表格·任务分解"}


def history(ledger: Ledger, *, limit: int = 500) -> list[PacketRecord]:
    """Exports and imports, newest first (the 数据交换 page's record)."""
    with ledger.reader() as s:
        q = (select(PacketImport, Town.name).outerjoin(Town, Town.id == PacketImport.town_id)
             .order_by(PacketImport.id.desc()).limit(limit))
        return [PacketRecord(p.id, audit.to_local(p.at), p.direction, town or "", p.year, p.month, p.file_name,
                             p.user, p.packet_id, dict(p.counts or {}), KIND_LABELS.get(p.kind, p.kind))
                for p, town in s.execute(q)]
