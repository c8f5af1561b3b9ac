"""镇街数据包 back in, read and previewed (nothing written): the packet's seal is checked (packet_seal: not
forged, not edited, of this office), then its identity (kind, town, year, schema, this database, not imported
before), each row compared three ways (sheet, exported, database) and validated, new proposed entries
matched against the register."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from desktop.models import GovernanceList, ListEntry, PacketImport, Target, Town, Year
from desktop.models.enums import Category, Method, TargetKind
from desktop.services import audit
from desktop.services.errors import Refused, ValidationError
from desktop.services.excel import packet_columns as pc
from desktop.services.excel import packet_seal
from desktop.services.excel.excel_common import (
    CancelToken, CellProblem, ImportSummary, Progress, check_cancel, file_sha256, gc_paused,
)
from desktop.services.excel.packet_meta import read_meta, sealed_records, snapshots_of
from desktop.services.excel.packet_meta import whole_number as _int
from desktop.services.excel.packet_rows import LightRow, read_full_rows, read_light_rows
from desktop.services.ledger import Ledger
from desktop.services.lists import list_service
from desktop.services.reports import report_service


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



def already_imported(s, sha: str) -> PacketImport | None:
    return s.scalar(select(PacketImport).where(PacketImport.sha256 == sha, PacketImport.direction == "import"))


def refuse_twice(prev: PacketImport, file_name: str) -> Refused:
    at = audit.to_local(prev.at).strftime("%Y-%m-%d %H:%M")
    return Refused(f"文件“{file_name}”已于 {at} 由 {prev.user} 导入过（内容完全相同），不再重复导入。")


@gc_paused()
def read_packet(ledger: Ledger, path, *, progress: Progress | None = None, cancel: CancelToken | None = None,
                today: dt.date | None = None) -> PacketPreview:
    """Check a returned packet and compare it with the database; nothing is written."""
    from desktop.services.excel import xlsx_reader

    path = Path(path)
    info = xlsx_reader.inspect(path)  # refuses what is not a readable workbook, with a message
    file_name = info.file_name
    sha = file_sha256(path)
    with ledger.reader() as s:
        prev = already_imported(s, sha)
        if prev is not None:
            raise refuse_twice(prev, file_name)
    if pc.META_SHEET not in info.sheet_names or pc.ENTRY_SHEET not in info.sheet_names:
        raise Refused(f"文件“{file_name}”不是本程序导出的数据包（缺少数据包信息或“{pc.ENTRY_SHEET}”表）。"
                      "外部表格请用“导入外部表格”。")
    wanted = [pc.META_SHEET, pc.ENTRY_SHEET] + ([pc.NEW_SHEET] if pc.NEW_SHEET in info.sheet_names else [])
    # The identity sheet is checked and the database asked while the entry sheet is parsed beside
    with xlsx_reader.SheetsReading(path, wanted, progress=progress, cancel=cancel) as sheets:
        return _preview(ledger, path, file_name, sha, sheets, len(wanted) > 2, cancel, today)


def _preview(ledger: Ledger, path: Path, file_name: str, sha: str, sheets, with_new: bool, cancel,
             today: dt.date | None) -> PacketPreview:
    sheet = read_meta(sheets.sheet(0))
    meta = sheet.fields
    with ledger.reader() as s:
        office = packet_seal.check_identity(s, file_name, meta, sheet.tags)
    snapshots = snapshots_of(sealed_records(office, file_name, sheet, lambda: sheets.sheet(1)), file_name)
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
    with ledger.reader() as s:
        light = read_light_rows(s, town_id, year, month)
        entry_sheet = sheets.sheet(1)
        new_sheet = sheets.sheet(2) if with_new else None
        rows: list[PreviewRow] = []
        problems: list[CellProblem] = []
        forged: list[str] = []
        rows_read = _compare_entries(entry_sheet, pc.entry_columns(monthly), snapshots, light,
                                     lambda ids: read_full_rows(s, town_id, year, month, ids), rows, problems,
                                     cancel, forged)
        if forged:
            raise packet_seal.refuse_rows(file_name, forged)
        reported_on = _report_date(entry_sheet, year, month, today or ledger.today(), problems) if monthly else None
        if new_sheet is not None:
            rows_read += _read_new(s, new_sheet, town_id, town_name, year, rows, problems)
    return PacketPreview(path, file_name, sha, packet_id, town_id, town_name, year, month,
                         str(meta.get("exported_at") or ""), rows, problems, rows_read, reported_on)


def _id(value) -> int | None:
    """`_int` of an id cell, without its parse for the usual case: a whole positive float as the reader gives it."""
    if type(value) is float and value.is_integer() and 0 < value < _EXACT:
        return int(value)
    return _int(value)


_EXACT = 2.0 ** 53  # floats below this hold every whole number exactly


def _same_id(raw, exported: str) -> bool:
    """The id cell still holds the exported id (a float from the reader, an int, or text): one per row, kept cheap."""
    if type(raw) is float:
        return raw.is_integer() and str(int(raw)) == exported
    if type(raw) is int:
        return str(raw) == exported
    return _int(raw) is not None and _int(raw) == _int(exported)


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


def _compare_entries(sheet, cols, snapshots, light: dict[int, LightRow], full_rows, out: list[PreviewRow],
                     problems: list[CellProblem], cancel, forged: list[str]) -> int:
    """Each row three ways: sheet vs exported (what the town changed), exported vs database (what changed
    here since), and every changed cell parsed and validated. Unchanged cells are not parsed: a cell
    whose text equals the exported text is the database's own value. A row whose 条目编号 or 对象编号 is not
    the exported one (added, edited, twice) goes to `forged`: the caller refuses the whole packet.

    Every entry's ids, revisions and state come from `light`; the database values of the cells a town changed
    come from `full_rows(entry ids)`, asked once for all such rows after the sheet is walked (most rows of a
    returned packet are unchanged). Each row's problems are kept with the row and listed in row order at the end."""
    from desktop.services.excel.xlsx_reader import column_letter

    where = _header_map(sheet, cols, problems)
    if where is None:
        return 0
    canon = pc.canon
    # (column, sheet index, snapshot index) in packet order; the snapshot follows the exported columns.
    plan = [(col, where[col.key], i) for i, col in enumerate(cols)]
    width = max(where.values()) + 1
    entry_at = where["entry_id"]
    target_at = where["target_id"]
    name_at = where["name"]
    row_of: dict[int, int] = {}  # entry id → the first Excel row holding it
    entry_of: dict[int, int] | None = None  # target id → exported entry id, made when a pair does not match
    letters = {key: column_letter(at) for key, at in where.items()}
    first = len(out)
    waiting: list[tuple] = []  # (row, its light row, db_same, [(column, parsed, canonical new, exported)])
    read = 0

    def forged_cell(excel_row: int, key: str, what: str) -> None:
        forged.append(f"“{sheet.name}”表第{excel_row}行{letters[key]}列{what}")

    def bad(row: PreviewRow, key: str, message: str) -> None:
        row.problems.append(CellProblem(sheet.name, row.row, letters[key], message))

    for n, (excel_row, values) in enumerate(sheet.rows):
        if excel_row <= pc.HEADER_ROW:
            continue
        if n % 1000 == 0:
            check_cancel(cancel)
        read += 1
        if len(values) < width:
            values = tuple(values) + (None,) * (width - len(values))
        entry_id = _id(values[entry_at])
        row = PreviewRow(sheet.name, excel_row, "unchanged", canon(values[name_at]), entry_id)
        out.append(row)
        snap = snapshots.get(entry_id) if entry_id is not None else None
        if snap is None and values[entry_at] not in (None, ""):
            forged_cell(excel_row, "entry_id", f"条目编号“{canon(values[entry_at])}”不是导出的条目")
            continue
        if snap is not None and entry_id in row_of:
            forged_cell(excel_row, "entry_id", f"条目编号 {entry_id} 与第{row_of[entry_id]}行重复")
            continue
        if snap is not None and not _same_id(values[target_at], snap[2][1]):
            if entry_of is None:
                entry_of = {_int(s[2][1]): eid for eid, s in snapshots.items()}
            was = entry_of.get(_int(values[target_at]))
            if was is not None:  # the target is another exported row's: its 条目编号 was edited
                forged_cell(excel_row, "entry_id", f"条目编号“{entry_id}”被改动（导出时为“{was}”）")
            else:
                forged_cell(excel_row, "target_id", f"对象编号“{canon(values[target_at]) or '空'}”被改动"
                                                    f"（导出时为“{snap[2][1]}”）")
            continue
        if snap is not None:
            row_of[entry_id] = excel_row
        if snap is None:
            bad(row, "entry_id", "条目编号不是导出时的条目（请勿在本表增加行或修改条目编号；新的对象请填在"
                                 f"“{pc.NEW_SHEET}”表）")
            row.status = "error"
            continue
        erev, trev, exported = snap
        if len(exported) < len(plan):  # a cell the snapshot does not hold was exported blank
            exported = exported + [""] * (len(plan) - len(exported))
        current = light.get(entry_id)
        if current is None:
            bad(row, "entry_id", "该条目已在数据库中删除或移出本镇街清单，不能导入")
            row.status = "error"
            continue
        row.target_id = current.target_id
        row.item_id = current.item_id
        row.name = row.name or canon(current.name)
        row.revisions = (current.entry_revision, current.target_revision)
        db_same = current.entry_revision == erev and current.target_revision == trev
        pending = None
        for col, at, si in plan:
            raw = values[at]
            was = exported[si]
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
                bad(row, col.key, f"“{col.header}”由市专治办维护，不能修改：导出时为“{was or '空'}”，"
                                  f"现为“{seen or '空'}”。请改回原值")
                continue
            try:
                parsed = _parse(col, raw)
            except ValidationError as exc:
                bad(row, col.key, exc.message)
                continue
            new = _canon_parsed(col, parsed)
            if new == was:
                continue  # the town left it as exported (written differently)
            if pending is None:
                pending = []
            pending.append((col, parsed, new, was))
        if pending is None:  # no update: the report cells' rules have nothing to check
            if row.problems:
                row.status = "error"
        else:
            waiting.append((row, current, db_same, pending))
    if waiting:
        full = full_rows([row.entry_id for row, _current, _same, _pending in waiting])
        for row, current, db_same, pending in waiting:
            db_row = full.get(row.entry_id)
            if db_row is None or (db_row.entry_revision, db_row.target_revision) != row.revisions:
                raise Refused(f"核对数据包“{sheet.file_name}”期间，第{row.row}行的条目在数据库中被修改了：请重新导入。")
            conflict = False
            for col, parsed, new, was in pending:
                old_value = db_row.value(col.key)
                old = ("是" if old_value else "否") if col.kind == "bool" else canon(old_value)
                if new == old:
                    continue  # the database already holds it
                clash = not db_same and old != was
                if clash:
                    conflict = True
                row.changes.append(CellChange(col.header, old, new, clash))
                row.updates[col.key] = parsed
            _finish_row(row, current, conflict, bad)
    for row in out[first:]:
        problems.extend(row.problems)
    return read


def _finish_row(row: PreviewRow, current: LightRow, conflict: bool, bad) -> None:
    """The report cells' rules, then the row's status."""
    _check_report_cells(row, current, lambda key, message: bad(row, key, message))
    if row.problems:
        row.status = "error"
    elif conflict:
        row.status = "conflict"
    elif row.changes:
        row.status = "changed"


def _check_report_cells(row: PreviewRow, current: LightRow, bad) -> None:
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
    listed: set[int] | None = None  # targets on the town's list: read at the first proposed row (most packets have none)
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
            if listed is None:
                year_id = list_service._year_id(s, year)
                listed = set(s.scalars(select(ListEntry.target_id)
                                       .join(GovernanceList, GovernanceList.id == ListEntry.list_id)
                                       .where(GovernanceList.town_id == town_id, GovernanceList.year_id == year_id)))
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
