"""The packet import's fast paths give what the plain paths gave: the narrow per-entry read equals the full rows'
ids, revisions, state, item and name; a preview of awkward edits equals the one the pre-change comparison
(kept here verbatim as the oracle, over every entry's full row) made of the same file and database; and sheets
read on a helper thread are the sheets read in line, their errors first."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, func, select

from desktop.models import GovernanceList, ListEntry, MonthlyReport, MonthlyReportItem, Plan, Town, Year
from desktop.models.enums import EntryState
from desktop.services.errors import Refused, ValidationError
from desktop.services.excel import packet_read, packet_rows, packet_service, xlsx_reader
from desktop.services.excel import packet_columns as pc
from desktop.services.excel.excel_common import CellProblem, check_cancel
from desktop.services.excel.xlsx_reader import BadWorkbook
from desktop.services.register import target_service

TODAY = dt.date(2024, 11, 15)


def _busiest_town(s) -> int:
    """The town with the most 2024 list entries."""
    year_id = s.scalar(select(Year.id).where(Year.year == 2024))
    return s.scalar(select(GovernanceList.town_id).join(ListEntry, ListEntry.list_id == GovernanceList.id)
                    .where(GovernanceList.year_id == year_id).group_by(GovernanceList.town_id)
                    .order_by(func.count().desc(), GovernanceList.town_id).limit(1))


def test_the_narrow_entry_read_equals_the_full_rows_of_every_town_year_and_month(demo_db):
    with demo_db.reader() as s:
        towns = list(s.scalars(select(Town.id).order_by(Town.id)))
        years = list(s.scalars(select(Year.year)))
        months = [None, *sorted(set(s.scalars(select(MonthlyReport.month))) | {11})]
        compared = 0
        for town_id in towns:
            for year in years:
                for month in months:
                    full = packet_rows.read_db_rows(s, town_id, year, month)
                    light = packet_rows.read_light_rows(s, town_id, year, month)
                    assert light == {r.entry_id: packet_rows.LightRow(
                        r.entry_id, r.target_id, r.entry_revision, r.target_revision, r.state, r.item_id,
                        r.value("name")) for r in full}
                    compared += len(full)
        with_items = s.scalar(select(MonthlyReportItem.id).limit(1))
    assert compared > 100 and with_items is not None


def test_changed_rows_read_by_id_in_chunks_or_whole_equal_the_whole_list_read(demo_db, monkeypatch):
    with demo_db.reader() as s:
        town_id = _busiest_town(s)
        whole = {r.entry_id: r for r in packet_rows.read_db_rows(s, town_id, 2024, 11)}
        ids = sorted(whole)[::2]
        monkeypatch.setattr(packet_rows, "ID_CHUNK", 3)
        chunked = packet_rows.read_full_rows(s, town_id, 2024, 11, ids)
        monkeypatch.setattr(packet_rows, "FULL_READ", 1)
        at_once = packet_rows.read_full_rows(s, town_id, 2024, 11, ids)
    assert len(ids) > 6
    assert chunked == {i: whole[i] for i in ids}
    assert set(at_once) >= set(ids) and all(at_once[i] == whole[i] for i in ids)


# The oracle: the comparison as it was before the narrow read, over every entry's full row -------------------

def _oracle_compare(sheet, cols, snapshots, db_rows, out, problems, cancel, forged) -> int:
    from desktop.services.excel.xlsx_reader import column_letter

    _id, _int, _same_id = packet_read._id, packet_read._int, packet_read._same_id
    where = packet_read._header_map(sheet, cols, problems)
    if where is None:
        return 0
    canon = pc.canon
    plan = [(col, where[col.key], i) for i, col in enumerate(cols)]
    width = max(where.values()) + 1
    entry_at, target_at, name_at = where["entry_id"], where["target_id"], where["name"]
    row_of: dict[int, int] = {}
    entry_of = None
    read = 0

    def forged_cell(excel_row, key, what):
        forged.append(f"“{sheet.name}”表第{excel_row}行{column_letter(where[key])}列{what}")

    for n, (excel_row, values) in enumerate(sheet.rows):
        if excel_row <= pc.HEADER_ROW:
            continue
        if n % 1000 == 0:
            check_cancel(cancel)
        read += 1
        if len(values) < width:
            values = tuple(values) + (None,) * (width - len(values))
        entry_id = _id(values[entry_at])
        row = packet_read.PreviewRow(sheet.name, excel_row, "unchanged", canon(values[name_at]), entry_id)
        out.append(row)

        def bad(key, message, row=row, excel_row=excel_row):
            p = CellProblem(sheet.name, excel_row, column_letter(where[key]), message)
            row.problems.append(p)
            problems.append(p)

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
            if was is not None:
                forged_cell(excel_row, "entry_id", f"条目编号“{entry_id}”被改动（导出时为“{was}”）")
            else:
                forged_cell(excel_row, "target_id", f"对象编号“{canon(values[target_at]) or '空'}”被改动"
                                                    f"（导出时为“{snap[2][1]}”）")
            continue
        if snap is not None:
            row_of[entry_id] = excel_row
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
            if raw == was or (raw is None and (was == "" or (was == "否" and col.kind == "bool"))):
                continue
            if type(raw) is float:
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
                parsed = packet_read._parse(col, raw)
            except ValidationError as exc:
                bad(col.key, exc.message)
                continue
            new = packet_read._canon_parsed(col, parsed)
            if new == was:
                continue
            old_value = current.value(col.key)
            old = ("是" if old_value else "否") if col.kind == "bool" else canon(old_value)
            if new == old:
                continue
            clash = not db_same and old != was
            if clash:
                conflict = True
            row.changes.append(packet_read.CellChange(col.header, old, new, clash))
            row.updates[col.key] = parsed
        packet_read._check_report_cells(row, current, bad)
        if row.problems:
            row.status = "error"
        elif conflict:
            row.status = "conflict"
        elif row.changes:
            row.status = "changed"
    return read


def _read_by_oracle(db, path, monkeypatch):
    def compare(sheet, cols, snapshots, light, full_rows, out, problems, cancel, forged):
        return _oracle_compare(sheet, cols, snapshots, full_rows(sorted(light)), out, problems, cancel, forged)

    with monkeypatch.context() as m:
        m.setattr(packet_read, "_compare_entries", compare)
        return packet_service.read_packet(db, path, today=TODAY)


def _shape(preview):
    return ([dataclasses.astuple(r) for r in preview.rows], [dataclasses.astuple(p) for p in preview.problems],
            preview.rows_read, preview.reported_on)


def _header(ws) -> dict[str, int]:
    return {c.value.rstrip("*"): c.column for c in ws[pc.HEADER_ROW] if c.value}


@pytest.fixture
def exported(demo_db, tmp_path):
    """The monthly packet of the town with the most entries, its sheet, header and data rows."""
    with demo_db.reader() as s:
        town_id = _busiest_town(s)
    result = packet_service.export_packet(demo_db, town_id, 2024, 11, tmp_path / "packet.xlsx")
    ws = load_workbook(result.path)[pc.ENTRY_SHEET]
    rows = [r for r in range(pc.FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, 1).value is not None]
    return demo_db, result.path, ws, _header(ws), rows


def test_a_preview_of_awkward_edits_equals_the_one_over_every_full_row(exported, monkeypatch):
    db, path, ws, head, rows = exported
    assert len(rows) >= 20
    state = {r: ws.cell(r, head["条目状态"]).value for r in rows[11:-1]}  # rows left for the report cells
    in_progress = [r for r in state if state[r] == EntryState.IN_PROGRESS.label]
    others = [r for r in state if state[r] != EntryState.IN_PROGRESS.label]
    assert in_progress and others
    # In the database since export: a changed address (the town's edit then clashes) and one changed to
    # exactly what the town will write (not a change at all).
    for r, address in ((rows[0], "市里改的地址"), (rows[1], "两边一样的地址")):
        target_id = int(ws.cell(r, head["对象编号"]).value)
        detail = target_service.get(db, target_id, year=2024)
        detail.values.address = address
        detail.values.revision = None
        target_service.update(db, target_id, detail.values, year=2024)
    gone = rows[-1]  # removed from the list after export (its plan, items and steps first)
    gone_id = int(ws.cell(gone, head["条目编号"]).value)
    with db.session() as s:
        s.info["skip_audit"] = True
        for table in (MonthlyReportItem, Plan):
            s.execute(delete(table).where(table.entry_id == gone_id))
        s.execute(delete(ListEntry).where(ListEntry.id == gone_id))

    wb = load_workbook(path)
    sheet = wb[pc.ENTRY_SHEET]

    def put(r, header, value):
        sheet.cell(r, head[header]).value = value

    put(rows[0], "地址", "镇里改的地址")
    put(rows[1], "地址", "两边一样的地址")
    put(rows[2], "地址", "  " + str(ws.cell(rows[2], head["地址"]).value or "") + "\u3000 ")  # same, written wider
    put(rows[2], "占地面积（亩）", "8000㎡")
    put(rows[3], "计划治理面积（亩）", 999)  # locked
    put(rows[3], "对象名称", None)  # locked, emptied: the row is named from the database
    put(rows[4], "建筑面积（㎡）", "很大")
    put(rows[4], "进展情况", "本月完成拆除")
    put(rows[5], "占地面积（亩）", True)
    put(rows[5], "法定代表人", None)
    put(in_progress[0], "本月报送完成", "是")
    put(in_progress[0], "本月完成面积（亩）", 1.5)
    put(others[0], "本月报送完成", "是")
    put(rows[6], "本月完成面积（亩）", 2)
    put(rows[7], "报送说明", "无")
    put(rows[8], "权利人", str(ws.cell(rows[8], head["权利人"]).value or "") + "有限")
    put(rows[8], "对象备注", 12.5)
    put(rows[9], "占地面积（亩）", ws.cell(rows[9], head["占地面积（亩）"]).value)  # as it was
    put(rows[10], "建筑面积（㎡）", str(ws.cell(rows[10], head["建筑面积（㎡）"]).value or 0) + "0")
    put(gone, "进展情况", "已删除的条目也填了")
    wb.save(path)

    new = packet_service.read_packet(db, path, today=TODAY)
    old = _read_by_oracle(db, path, monkeypatch)
    assert _shape(new) == _shape(old)
    statuses = {r.status for r in new.rows}
    assert {"changed", "conflict", "error", "unchanged"} <= statuses
    assert len(new.problems) >= 5 and sum(bool(r.changes) for r in new.rows) >= 4


def test_a_row_changed_between_the_narrow_and_the_full_read_is_refused_not_misread(exported, monkeypatch):
    db, path, _ws, head, rows = exported
    wb = load_workbook(path)
    wb[pc.ENTRY_SHEET].cell(rows[0], head["地址"]).value = "镇里改的地址"
    wb.save(path)
    real = packet_rows.read_light_rows

    def stale(s, *args):
        return {eid: r._replace(target_revision=r.target_revision - 1) for eid, r in real(s, *args).items()}

    monkeypatch.setattr(packet_read, "read_light_rows", stale)
    with pytest.raises(Refused) as err:
        packet_service.read_packet(db, path, today=TODAY)
    assert f"第{rows[0]}行" in err.value.message and "请重新导入" in err.value.message


# The entry sheet parsed beside the identity checks ----------------------------------------------------------

@pytest.fixture
def three_sheets(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "甲"
    wb["甲"].append(["身份", 1])
    big = wb.create_sheet("乙")
    for i in range(2000):
        big.append([i, f"第{i}行", i / 4, None, "尾"])
    wb.create_sheet("丙").append([None, "最后"])
    wb.save(tmp_path / "三表.xlsx")
    xlsx_reader._clear_cache()
    return tmp_path / "三表.xlsx"


def _failing(sheet_name: str, monkeypatch):
    """The reader fails on one sheet, as on a sheet calamine cannot read."""
    real = xlsx_reader.read_calamine

    def read(pre, book, index, sheet, *args):
        if sheet.name == sheet_name:
            raise BadWorkbook(f"文件“{pre.file_name}”的工作表“{sheet.name}”无法读取", file_name=pre.file_name,
                              sheet=sheet.name)
        return real(pre, book, index, sheet, *args)

    monkeypatch.setattr(xlsx_reader, "read_calamine", read)


def test_sheets_read_beside_the_caller_are_the_sheets_read_in_line(three_sheets):
    in_line = xlsx_reader.read_sheets(three_sheets, ["甲", "乙", "丙"])
    with xlsx_reader.SheetsReading(three_sheets, ["甲", "乙", "丙"]) as reading:
        beside = [reading.sheet(i) for i in (2, 0, 1)]
    assert [beside[1], beside[2], beside[0]] == in_line
    assert len(in_line[1].rows) == 2000 and in_line[2].rows == [(1, (None, "最后"))]


def test_a_sheet_that_fails_beside_comes_before_the_callers_own_refusal(three_sheets, monkeypatch):
    _failing("乙", monkeypatch)
    with pytest.raises(BadWorkbook) as err:
        with xlsx_reader.SheetsReading(three_sheets, ["甲", "乙", "丙"]) as reading:
            assert reading.sheet(0).rows == [(1, ("身份", 1.0))]
            raise Refused("调用方自己的拒绝")
    assert err.value.sheet == "乙" and "无法读取" in err.value.message
    with pytest.raises(BadWorkbook) as err:
        with xlsx_reader.SheetsReading(three_sheets, ["甲", "乙", "丙"]) as reading:
            reading.sheet(2)  # a later sheet: the failure of the one before it
    assert err.value.sheet == "乙"


def test_the_callers_refusal_stands_when_every_sheet_reads(three_sheets):
    with pytest.raises(Refused) as err:
        with xlsx_reader.SheetsReading(three_sheets, ["甲", "乙"]):
            raise Refused("调用方自己的拒绝")
    assert err.value.message == "调用方自己的拒绝"
    with pytest.raises(BadWorkbook) as err:
        with xlsx_reader.SheetsReading(three_sheets, ["没有这张表"]) as reading:
            reading.sheet(0)
    assert "没有这张表" in err.value.message


def test_a_tampered_packet_whose_entry_sheet_fails_gets_the_sheets_message_as_before(exported, monkeypatch):
    """read_sheets read every sheet before the identity was checked: the sheet's failure is still what is said."""
    db, path, _ws, _head, _rows = exported
    wb = load_workbook(path)
    meta = wb[pc.META_SHEET]
    town_row = next(r for r in range(1, meta.max_row + 1) if meta.cell(r, 1).value == "town")
    meta.cell(town_row, 2).value = "别的镇"
    wb.save(path)
    with pytest.raises(Refused) as err:
        packet_service.read_packet(db, path, today=TODAY)
    assert "数据包已被改动" in err.value.message
    _failing(pc.ENTRY_SHEET, monkeypatch)
    with pytest.raises(BadWorkbook) as err:
        packet_service.read_packet(db, path, today=TODAY)
    assert err.value.sheet == pc.ENTRY_SHEET


# The pre-scan's quicker searches find what the plain patterns find ----------------------------------------

def _awkward_xml(rng) -> bytes:
    pieces = ['t="e"', "t='e'", 't = "e"', "t\n=\t'e\"", 't="e', 'x="e"', 'at="e"', 'tt="e"', '="e"', 't=e"',
              'e"', "e'", '"e"', 't="s"', 't="str"', '<c r="A1" t="e">', "<x:c ", "<x:c>", "<x:col ", ":c ", ":c/",
              ":c>", "a:cx", "<c ", " t ", "=", '"', "'", "e", "t", "\n", "中文", "<v>#N/A</v>", "</c>"]
    return "".join(rng.choice(pieces) for _ in range(rng.randint(0, 60))).encode()


def test_error_cells_found_from_the_quoted_e_are_where_the_plain_pattern_matches():
    import random

    from desktop.services.excel import sheet_xml_scan as scan

    rng = random.Random(13)
    found = 0
    for _ in range(5000):
        buf = _awkward_xml(rng)
        plain = [m.start() for m in scan._T_E_RE.finditer(buf)]
        assert scan.error_attr_starts(buf) == plain, buf
        found += len(plain)
    assert found > 1000


def test_the_foreign_prefix_filter_lets_through_every_sheet_the_plain_test_flags():
    import random

    from desktop.services.excel import sheet_xml_scan as scan

    rng = random.Random(14)
    flagged = 0
    for _ in range(5000):
        buf = _awkward_xml(rng)
        plain = bool(b":c" in buf and scan._FOREIGN_CELL_RE.search(buf))
        assert bool(scan._COLON_C_RE.search(buf) and scan._FOREIGN_CELL_RE.search(buf)) == plain, buf
        flagged += plain
    assert flagged > 500
