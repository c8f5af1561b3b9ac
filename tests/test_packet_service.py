"""镇街数据包: export, fill as a town would (openpyxl), import with preview, apply, receipt, refusals."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from desktop.models import AuditLog, ListEntry, MonthlyReportItem, PacketImport, Target
from desktop.models.enums import EntryState, Role
from desktop.services import audit
from desktop.services.excel import packet_rows, packet_service
from desktop.services.register import target_service
from desktop.services.excel import packet_columns as pc
from desktop.services.errors import Refused

TODAY = dt.date(2024, 11, 15)


def _town_with_work(db) -> tuple[int, str]:
    """A town whose list has an 实施中 entry (so a monthly packet can report one)."""
    from desktop.models import GovernanceList, Town

    with db.reader() as s:
        row = s.execute(select(Town.id, Town.name).join(GovernanceList, GovernanceList.town_id == Town.id)
                        .join(ListEntry, ListEntry.list_id == GovernanceList.id)
                        .where(ListEntry.state == EntryState.IN_PROGRESS).order_by(Town.id).limit(1)).first()
    return row[0], row[1]


def _header(ws) -> dict[str, int]:
    return {c.value.rstrip("*"): c.column for c in ws[pc.HEADER_ROW] if c.value}


def _rows(ws) -> list[int]:
    return [r for r in range(pc.FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, 1).value is not None]


@pytest.fixture
def packet(demo_db, tmp_path):
    town_id, town = _town_with_work(demo_db)
    result = packet_service.export_packet(demo_db, town_id, 2024, 11, tmp_path / "packet.xlsx")
    return demo_db, town_id, town, result


def test_export_writes_locked_identity_editable_progress_and_a_very_hidden_meta_sheet(packet):
    db, town_id, town, result = packet
    wb = load_workbook(result.path)
    assert wb.sheetnames == [pc.ENTRY_SHEET, pc.NEW_SHEET, pc.HELP_SHEET, pc.META_SHEET]
    assert wb[pc.META_SHEET].sheet_state == "veryHidden"
    assert wb[pc.META_SHEET].protection.sheet and wb[pc.ENTRY_SHEET].protection.sheet
    ws = wb[pc.ENTRY_SHEET]
    head = _header(ws)
    assert list(head) == [c.header for c in pc.entry_columns(True)]
    assert len(head) == 30
    rows = _rows(ws)
    assert len(rows) == result.rows > 0
    first = rows[0]
    assert ws.cell(first, head["对象名称"]).protection.locked is True
    assert ws.cell(first, head["地址"]).protection.locked is False
    # Blank editable cells take their column's format, which is unlocked (Excel, WPS and LibreOffice).
    from openpyxl.utils import get_column_letter

    assert ws.column_dimensions[get_column_letter(head["进展情况"])].protection.locked is False
    assert ws.column_dimensions[get_column_letter(head["对象名称"])].protection.locked is True
    assert ws.freeze_panes == "D4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert any('"是,否"' in dv.formula1 for dv in lists)
    assert all(dv.prompt for dv in ws.data_validations.dataValidation)
    meta = {r[0]: r[1] for r in wb[pc.META_SHEET].iter_rows(max_row=11, values_only=True)}
    assert meta["packet_id"] == result.packet_id and meta["town"] == town and meta["year"] == 2024
    assert meta["month"] == 11 and meta["schema_version"] == pc.SCHEMA_VERSION
    with db.reader() as s:
        rec = s.scalar(select(PacketImport).where(PacketImport.packet_id == result.packet_id))
        assert rec.direction == "export" and rec.counts == {"rows": result.rows}


def test_text_from_the_database_never_becomes_a_formula(demo_db, tmp_path):
    town_id, _town = _town_with_work(demo_db)
    with demo_db.reader() as s:
        target_id = s.scalar(select(ListEntry.target_id).where(ListEntry.state == EntryState.IN_PROGRESS).limit(1))
    detail = target_service.get(demo_db, target_id, year=2024)
    detail.values.address = '=HYPERLINK("http://x","点我")'
    detail.values.revision = None
    target_service.update(demo_db, target_id, detail.values, year=2024)
    with demo_db.reader() as s:
        town_id = s.get(Target, target_id).town_id
    result = packet_service.export_packet(demo_db, town_id, 2024, None, tmp_path / "p.xlsx")
    ws = load_workbook(result.path)[pc.ENTRY_SHEET]
    col = _header(ws)["地址"]
    cells = [ws.cell(r, col) for r in _rows(ws) if str(ws.cell(r, col).value).startswith("=HYPERLINK")]
    assert len(cells) == 1 and cells[0].data_type == "s"


def _fill(path, edit) -> None:
    wb = load_workbook(path)
    edit(wb)
    wb.save(path)


def _in_progress_row(ws) -> int:
    head = _header(ws)
    return next(r for r in _rows(ws) if ws.cell(r, head["条目状态"]).value == EntryState.IN_PROGRESS.label)


def test_round_trip_previews_then_applies_every_change_in_one_go(packet):
    db, town_id, town, result = packet
    ws = load_workbook(result.path)[pc.ENTRY_SHEET]
    head = _header(ws)
    rows = _rows(ws)
    reported = _in_progress_row(ws)
    other = next(r for r in rows if r != reported)
    reported_entry = int(ws.cell(reported, head["条目编号"]).value)
    other_target = int(ws.cell(other, head["对象编号"]).value)

    def edit(wb):
        e = wb[pc.ENTRY_SHEET]
        e.cell(other, head["地址"]).value = "新地址 88 号"
        e.cell(other, head["占地面积（亩）"]).value = "１２.５亩"
        e.cell(reported, head["本月报送完成"]).value = "是"
        e.cell(reported, head["本月完成面积（亩）"]).value = 3.25
        e.cell(reported, head["进展情况"]).value = "已拆除完毕"
        date_col = next(c.column for c in e[pc.INFO_ROW] if c.value == pc.REPORT_DATE_LABEL) + 1
        e.cell(pc.INFO_ROW, date_col).value = "2024年11月12日"
        n = wb[pc.NEW_SHEET]
        nh = _header(n)
        n.cell(pc.FIRST_DATA_ROW, nh["对象名称"]).value = "新发现的小作坊"
        n.cell(pc.FIRST_DATA_ROW, nh["对象类型"]).value = "地块"
        n.cell(pc.FIRST_DATA_ROW, nh["计划治理方式"]).value = "收储"
        n.cell(pc.FIRST_DATA_ROW, nh["计划治理面积（亩）"]).value = "4.5"
        n.cell(pc.FIRST_DATA_ROW, nh["占地面积（亩）"]).value = 5

    _fill(result.path, edit)
    preview = packet_service.read_packet(db, result.path, today=TODAY)
    assert preview.problems == []
    assert preview.count("changed") == 2 and preview.count("new") == 1
    assert preview.count("unchanged") == result.rows - 2
    assert preview.reported_on == dt.date(2024, 11, 12)
    changed = {r.row: r for r in preview.rows if r.status == "changed"}
    address = next(c for c in changed[other].changes if c.column == "地址")
    assert address.new == "新地址 88 号" and address.old != address.new
    land = next(c for c in changed[other].changes if c.column == "占地面积（亩）")
    assert land.new == "12.5"
    with db.reader() as s:
        assert s.get(Target, other_target).address != "新地址 88 号"  # a preview writes nothing

    outcome = packet_service.apply(db, preview, today=TODAY)
    assert outcome.applied and outcome.summary.updated == 2 and outcome.summary.created == 1
    with db.reader() as s:
        t = s.get(Target, other_target)
        assert t.address == "新地址 88 号" and t.land_area_mu == Decimal("12.5")
        e = s.get(ListEntry, reported_entry)
        assert e.state is EntryState.REPORTED and e.note == "已拆除完毕" and e.completed_on == dt.date(2024, 11, 12)
        item = s.scalar(select(MonthlyReportItem).where(MonthlyReportItem.entry_id == reported_entry))
        assert item.completed_area_mu == Decimal("3.25")
        new = s.scalar(select(Target).where(Target.name == "新发现的小作坊"))
        assert new.town_id == town_id and new.land_area_mu == Decimal(5)
        new_entry = s.scalar(select(ListEntry).where(ListEntry.target_id == new.id))
        assert new_entry.state is EntryState.DRAFT and new_entry.planned_area_mu == Decimal("4.5")
        rec = s.scalar(select(PacketImport).where(PacketImport.direction == "import"))
        assert rec.packet_id == result.packet_id and rec.sha256 == preview.sha256
        assert rec.counts["updated"] == 2 and rec.counts["created"] == 1
        sources = [a.after.get("_source") for a in s.scalars(
            select(AuditLog).where(AuditLog.object_type == "target", AuditLog.object_id == other_target))
            if a.after]
        assert any(src and "packet.xlsx" in src for src in sources)
    history = target_service.get(db, other_target, year=2024).history
    assert any(c.label == "来源" and "packet.xlsx" in c.after for line in history for c in line.changes)


def test_the_same_file_again_is_refused_with_the_date_it_was_first_imported(packet):
    db, _town_id, _town, result = packet
    _fill(result.path, lambda wb: wb[pc.ENTRY_SHEET].cell(_rows(wb[pc.ENTRY_SHEET])[0],
                                                          _header(wb[pc.ENTRY_SHEET])["进展情况"]).__setattr__(
        "value", "推进中"))
    packet_service.import_packet(db, result.path, today=TODAY)
    with pytest.raises(Refused) as err:
        packet_service.read_packet(db, result.path, today=TODAY)
    assert "已于" in err.value.message and "导入过" in err.value.message


def test_edit_of_a_locked_column_is_found_by_comparison_even_with_protection_lifted(packet, tmp_path):
    db, _town_id, _town, result = packet

    def edit(wb):
        ws = wb[pc.ENTRY_SHEET]
        ws.protection.sheet = False
        ws.cell(_rows(ws)[1], _header(ws)["计划治理面积（亩）"]).value = 999

    _fill(result.path, edit)
    preview = packet_service.read_packet(db, result.path, today=TODAY)
    assert preview.count("error") == 1
    problem = preview.problems[0]
    assert problem.sheet == pc.ENTRY_SHEET and problem.row == pc.FIRST_DATA_ROW + 1 and problem.column == "J"
    assert "不能修改" in problem.message and "999" in problem.message
    outcome = packet_service.import_packet(db, result.path, errors_out=tmp_path / "回执.xlsx", today=TODAY)
    assert outcome.refused and not outcome.applied and outcome.exit_code == 1
    receipt = load_workbook(tmp_path / "回执.xlsx")
    assert receipt.sheetnames[0] == "错误汇总"
    bad = receipt[pc.ENTRY_SHEET].cell(problem.row, 10)
    assert bad.fill.fgColor.rgb.endswith("FFC7CE") and "不能修改" in bad.comment.text
    summary = [r for r in receipt["错误汇总"].iter_rows(min_row=5, values_only=True)]
    assert summary == [(pc.ENTRY_SHEET, problem.row, "J", problem.message)]


def test_bad_values_are_named_by_sheet_row_and_column(packet):
    db, _town_id, _town, result = packet

    def edit(wb):
        ws = wb[pc.ENTRY_SHEET]
        head = _header(ws)
        rows = _rows(ws)
        ws.cell(rows[0], head["建筑面积（㎡）"]).value = "很大"
        date_col = next(c.column for c in ws[pc.INFO_ROW] if c.value == pc.REPORT_DATE_LABEL) + 1
        ws.cell(pc.INFO_ROW, date_col).value = "2024.13.1"
        n = wb[pc.NEW_SHEET]
        nh = _header(n)
        n.cell(pc.FIRST_DATA_ROW, nh["对象名称"]).value = "某公司"
        n.cell(pc.FIRST_DATA_ROW, nh["统一社会信用代码"]).value = "91320000000000000X"
        n.cell(pc.FIRST_DATA_ROW, nh["计划治理方式"]).value = "拆了"
        n.cell(pc.FIRST_DATA_ROW, nh["计划治理面积（亩）"]).value = 3

    _fill(result.path, edit)
    preview = packet_service.read_packet(db, result.path, today=TODAY)
    where = {(p.sheet, p.row, p.column): p.message for p in preview.problems}
    assert "数字" in where[(pc.ENTRY_SHEET, pc.FIRST_DATA_ROW, "W")]
    date_problem = next(m for (sh, r, _c), m in where.items() if r == pc.INFO_ROW)
    assert "2024.13.1" in date_problem and "月" in date_problem
    assert "校验" in where[(pc.NEW_SHEET, pc.FIRST_DATA_ROW, "B")]
    assert "收储" in where[(pc.NEW_SHEET, pc.FIRST_DATA_ROW, "G")]
    outcome = packet_service.import_packet(db, result.path, today=TODAY)
    assert outcome.refused
    with db.reader() as s:
        assert s.scalar(select(PacketImport.id).where(PacketImport.direction == "import")) is None


def test_a_cell_changed_in_the_database_since_export_is_a_conflict_and_not_applied(packet):
    db, _town_id, _town, result = packet
    ws = load_workbook(result.path)[pc.ENTRY_SHEET]
    head = _header(ws)
    row = _rows(ws)[0]
    target_id = int(ws.cell(row, head["对象编号"]).value)
    detail = target_service.get(db, target_id, year=2024)
    detail.values.address = "市里改的地址"
    detail.values.revision = None
    target_service.update(db, target_id, detail.values, year=2024)
    _fill(result.path, lambda wb: wb[pc.ENTRY_SHEET].cell(row, head["地址"]).__setattr__("value", "镇里改的地址"))
    preview = packet_service.read_packet(db, result.path, today=TODAY)
    r = next(x for x in preview.rows if x.row == row)
    assert r.status == "conflict" and r.changes[0].conflict
    assert r.changes[0].old == "市里改的地址" and r.changes[0].new == "镇里改的地址"
    packet_service.apply(db, preview, today=TODAY)
    with db.reader() as s:
        assert s.get(Target, target_id).address == "市里改的地址"


def test_a_packet_from_another_database_is_refused(packet, template_db, tmp_path):
    import shutil

    from desktop.services.demo import demo_service
    from desktop.services.db import open_database
    from desktop.services.ledger import Ledger

    _db, _town_id, _town, result = packet
    other_path = tmp_path / "other.sqlite3"
    shutil.copyfile(template_db, other_path)
    other = Ledger(open_database(other_path, backup_dir=tmp_path))
    try:
        demo_service.generate(other, enterprises=60)
        with pytest.raises(Refused) as err:
            packet_service.read_packet(other, result.path)
    finally:
        other.dispose()
    assert "不是本数据库导出的" in err.value.message


def test_meta_sheet_holds_each_rows_revisions_and_exported_values(packet):
    db, town_id, _town, result = packet
    meta = load_workbook(result.path)[pc.META_SHEET]
    cells = [r[0] for r in meta.iter_rows(values_only=True)]
    packed = "".join(cells[cells.index("snapshot") + 1:])
    body = packet_rows.unpack(packed)
    assert len(body) == result.rows
    with db.reader() as s:
        rows = {r.entry_id: r for r in packet_rows.read_db_rows(s, town_id, 2024, 11)}
    entry_id, entry_rev, target_rev, values = body[0]
    assert (entry_rev, target_rev) == (rows[entry_id].entry_revision, rows[entry_id].target_revision)
    assert len(values) == 30 and values[0] == str(entry_id)
    assert values[2] == rows[entry_id].value("name")


def _preview_of_edits(db, path, cells: dict[tuple[int, int], object]):
    """The entry sheet's cells (row, column) set as a town would, then previewed."""

    def edit(wb):
        for (r, c), value in cells.items():
            wb[pc.ENTRY_SHEET].cell(r, c).value = value

    _fill(path, edit)
    return packet_service.read_packet(db, path, today=TODAY)


def test_changed_rows_are_written_in_bulk_each_with_its_own_audit_record_old_and_new(packet):
    db, _town_id, _town, result = packet
    ws = load_workbook(result.path)[pc.ENTRY_SHEET]
    head = _header(ws)
    row = _rows(ws)[0]
    entry_id, target_id = int(ws.cell(row, head["条目编号"]).value), int(ws.cell(row, head["对象编号"]).value)
    with db.reader() as s:
        t, e = s.get(Target, target_id), s.get(ListEntry, entry_id)
        old_address, old_note, revisions = t.address, e.note, (t.revision, e.revision)

    preview = _preview_of_edits(db, result.path, {(row, head["地址"]): "镇里新填的地址 9 号",
                                                  (row, head["进展情况"]): "已签约"})
    assert preview.count("changed") == 1
    assert packet_service.apply(db, preview, today=TODAY).applied
    with db.reader() as s:
        t, e = s.get(Target, target_id), s.get(ListEntry, entry_id)
        assert (t.address, e.note) == ("镇里新填的地址 9 号", "已签约")
        assert (t.revision, e.revision) == (revisions[0] + 1, revisions[1] + 1)
        assert t.search_text == f"{t.name} {t.credit_code or ''} 镇里新填的地址 9 号".lower()
        records = {a.object_type: a for a in s.scalars(select(AuditLog).where(AuditLog.action == "update"))}
        assert records["target"].object_id == target_id and records["target"].object_label == t.name
        assert records["target"].before == {"address": old_address}
        assert records["target"].after["address"] == "镇里新填的地址 9 号"
        assert records["list_entry"].before == {"note": old_note} and records["list_entry"].after["note"] == "已签约"
        assert all("packet.xlsx" in a.after["_source"] for a in records.values())


def test_a_row_edited_in_the_database_after_the_preview_refuses_the_apply_and_writes_nothing(packet):
    db, _town_id, _town, result = packet
    ws = load_workbook(result.path)[pc.ENTRY_SHEET]
    head = _header(ws)
    first, second = _rows(ws)[:2]
    target_id = int(ws.cell(second, head["对象编号"]).value)

    preview = _preview_of_edits(db, result.path, {(first, head["进展情况"]): "推进中", (second, head["进展情况"]): "已拆除"})
    assert preview.count("changed") == 2
    detail = target_service.get(db, target_id, year=2024)
    detail.values.legal_rep = "刚刚改过"
    detail.values.revision = None
    target_service.update(db, target_id, detail.values, year=2024)
    with db.reader() as s:
        notes = dict(s.execute(select(ListEntry.id, ListEntry.note)).tuples().all())
        imports = s.scalar(select(func.count(PacketImport.id)))
    with pytest.raises(Refused, match="预览之后又被修改"):
        packet_service.apply(db, preview, today=TODAY)
    with db.reader() as s:
        assert dict(s.execute(select(ListEntry.id, ListEntry.note)).tuples().all()) == notes
        assert s.scalar(select(func.count(PacketImport.id))) == imports


@pytest.mark.parametrize("role, refusal", [(Role.LEADER, "无权修改台账数据"), (Role.AUDITOR, "无权查阅台账")])
def test_a_leader_or_an_auditor_cannot_apply_a_packet_the_bulk_statements_are_refused(packet, role, refusal):
    """The role hook sees the bulk UPDATEs (Session.execute of Core statements), not only ORM flushes."""
    db, _town_id, _town, result = packet
    ws = load_workbook(result.path)[pc.ENTRY_SHEET]
    head = _header(ws)
    row = _rows(ws)[0]
    preview = _preview_of_edits(db, result.path, {(row, head["地址"]): "领导想改的地址", (row, head["进展情况"]): "已签约"})
    assert preview.count("changed") == 1
    with db.reader() as s:
        before = (dict(s.execute(select(Target.id, Target.address)).tuples().all()),
                  dict(s.execute(select(ListEntry.id, ListEntry.note)).tuples().all()))
    log_before = audit.count(db)
    with pytest.raises(Refused, match=refusal):
        packet_service.apply(dataclasses.replace(db, role=role), preview, today=TODAY)
    with db.reader() as s:
        assert (dict(s.execute(select(Target.id, Target.address)).tuples().all()),
                dict(s.execute(select(ListEntry.id, ListEntry.note)).tuples().all())) == before
    assert audit.count(db) == log_before


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.LEADER, Role.AUDITOR])
def test_a_role_that_may_not_write_the_ledger_is_refused_before_any_file_is_written(demo_db, tmp_path, role):
    """Exporting remembers the packet in the ledger, which only a clerk may write: a system administrator (or a
    leader, an auditor) is refused at once, and no packet file is left behind that the ledger would not know
    when it came back (the file used to be written first, and the refusal came with remembering it)."""
    town_id, _town = _town_with_work(demo_db)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "packet.xlsx"
    with pytest.raises(Refused) as refused:
        packet_service.export_packet(dataclasses.replace(demo_db, user="someone", role=role), town_id, 2024, None,
                                     target)
    assert "无权录入和修改台账" in refused.value.message
    assert not target.exists() and list(out.iterdir()) == []  # nor a half-written temporary file
    with demo_db.reader() as s:
        assert s.scalar(select(func.count()).select_from(PacketImport)) == 0
    clerk = dataclasses.replace(demo_db, user="zhang", role=Role.CLERK)
    assert packet_service.export_packet(clerk, town_id, 2024, None, target).path.exists()
