"""镇街数据包 cannot be forged: the identity sheet and every row carry a keyed hash (HMAC-SHA256) with the
office's secret; an edited identity or row is refused whole as 「数据包已被改动」, a packet of another
office's ledger as foreign, a packet of an older program with a request to export anew.

Packets are written by the program, edited with openpyxl as a town (or a forger) would, and read back."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from desktop.models import GovernanceList, ListEntry, PacketImport, Town
from desktop.services import audit
from desktop.services.errors import Refused
from desktop.services.excel import packet_columns as pc
from desktop.services.excel import packet_rows, packet_seal, packet_service
from test_packet_service import TODAY, _fill, _header, _rows, _town_with_work


@pytest.fixture
def packet(demo_db, tmp_path):
    town_id, town = _town_with_work(demo_db)
    result = packet_service.export_packet(demo_db, town_id, 2024, 11, tmp_path / "packet.xlsx")
    return demo_db, town_id, town, result


def _meta_row(ws, key: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key)


def _set_meta(path, **values) -> None:
    def edit(wb):
        ws = wb[pc.META_SHEET]
        for key, value in values.items():
            ws.cell(_meta_row(ws, key), 2).value = value

    _fill(path, edit)


def _edit_snapshot(path, change) -> None:
    """Unpack the hidden snapshot, let `change` edit the list of [entry, entry_rev, target_rev, values], repack."""
    def edit(wb):
        ws = wb[pc.META_SHEET]
        first = _meta_row(ws, "snapshot") + 1
        last = first
        while isinstance(ws.cell(last, 1).value, str) and ws.cell(last, 1).value not in ("row_seals", ""):
            last += 1
        body = packet_rows.unpack("".join(ws.cell(r, 1).value for r in range(first, last)))
        change(body)
        packed = packet_rows.pack(body)
        cells = [packed[i:i + packet_rows.SNAPSHOT_CELL] for i in range(0, len(packed), packet_rows.SNAPSHOT_CELL)]
        assert len(cells) == last - first  # the same number of cells: the rows after it stay where they are
        for r, text in zip(range(first, last), cells):
            ws.cell(r, 1).value = text

    _fill(path, edit)


def _refusal(db, path) -> str:
    """The message with which reading the packet is refused."""
    with pytest.raises(Refused) as err:
        packet_service.read_packet(db, path, today=TODAY)
    return err.value.message


def _nothing_imported(db) -> bool:
    with db.reader() as s:
        return s.scalar(select(PacketImport.id).where(PacketImport.direction == "import")) is None


def _other_town(db, town_id: int) -> tuple[int, str]:
    with db.reader() as s:
        return s.execute(select(Town.id, Town.name).join(GovernanceList, GovernanceList.town_id == Town.id)
                         .where(Town.id != town_id).order_by(Town.id).limit(1)).first()


def test_identity_sheet_edited_to_name_another_town_is_refused_as_tampered(packet):
    """Measured on main: the rows just failed one by one as not in the town's list."""
    db, town_id, _town, result = packet
    other_id, other = _other_town(db, town_id)
    _set_meta(result.path, town=other, town_id=other_id)
    message = _refusal(db, result.path)
    assert "数据包已被改动" in message and "镇街" in message and "packet.xlsx" in message
    with pytest.raises(Refused):
        packet_service.import_packet(db, result.path, today=TODAY)
    assert _nothing_imported(db)


def test_an_edited_month_is_refused_naming_the_month(packet):
    db, _town_id, _town, result = packet
    _set_meta(result.path, month=10)
    message = _refusal(db, result.path)
    assert "数据包已被改动" in message and "月份" in message
    assert "镇街" not in message  # only what was changed is named
    assert _nothing_imported(db)


def test_an_edited_packet_id_is_refused_naming_the_packet_id(packet):
    db, _town_id, _town, result = packet
    _set_meta(result.path, packet_id="0" * 32)
    message = _refusal(db, result.path)
    assert "数据包已被改动" in message and "数据包编号" in message


def test_an_edited_row_revision_is_refused_naming_the_row(packet):
    """A forger raising a row's exported revision (to hide that the office changed it since) is found."""
    db, _town_id, _town, result = packet
    ws = load_workbook(result.path)[pc.ENTRY_SHEET]
    head = _header(ws)
    row = _rows(ws)[2]
    entry_id = int(ws.cell(row, head["条目编号"]).value)

    def bump(body):
        record = next(r for r in body if r[0] == entry_id)
        record[1] += 1

    _edit_snapshot(result.path, bump)
    # The town's own edit of a progress cell alone would import: the refusal is for the revision.
    _fill(result.path, lambda wb: wb[pc.ENTRY_SHEET].cell(row, head["进展情况"]).__setattr__("value", "推进中"))
    message = _refusal(db, result.path)
    assert "数据包已被改动" in message and f"第{row}行" in message and str(entry_id) in message
    assert pc.ENTRY_SHEET in message
    assert _nothing_imported(db)


@pytest.mark.parametrize("also_in_snapshot", [False, True], ids=["sheet-only", "sheet-and-snapshot"])
def test_an_extra_row_with_a_forged_entry_id_is_refused(packet, also_in_snapshot):
    db, _town_id, _town, result = packet
    with db.reader() as s:
        foreign_entry = s.scalar(select(ListEntry.id).order_by(ListEntry.id.desc()).limit(1)) + 1000
    ws = load_workbook(result.path)[pc.ENTRY_SHEET]
    head = _header(ws)
    extra = max(_rows(ws)) + 1
    template = _rows(ws)[0]
    width = len(pc.entry_columns(True))

    def add_row(wb):
        e = wb[pc.ENTRY_SHEET]
        for c in range(1, width + 1):
            e.cell(extra, c).value = e.cell(template, c).value
        e.cell(extra, head["条目编号"]).value = foreign_entry
        e.cell(extra, head["进展情况"]).value = "已拆除"

    if also_in_snapshot:
        _edit_snapshot(result.path, lambda body: body.append([foreign_entry, 1, 1, list(body[0][3])]))
    _fill(result.path, add_row)
    message = _refusal(db, result.path)
    assert "数据包已被改动" in message and f"第{extra}行" in message and "条目编号" in message
    assert _nothing_imported(db)


def test_a_changed_entry_id_in_the_sheet_is_refused_naming_the_cell(packet):
    db, _town_id, _town, result = packet
    ws = load_workbook(result.path)[pc.ENTRY_SHEET]
    head = _header(ws)
    first, second = _rows(ws)[:2]
    other_entry = ws.cell(second, head["条目编号"]).value  # a real entry of the packet, now twice
    _fill(result.path, lambda wb: wb[pc.ENTRY_SHEET].cell(first, head["条目编号"]).__setattr__("value", other_entry))
    message = _refusal(db, result.path)
    assert "数据包已被改动" in message and f"第{first}行" in message
    assert "A列" in message and "被改动" in message


def test_a_packet_exported_from_another_ledger_is_refused_as_foreign(packet, demo_template, tmp_path):
    """Another office's database (here: a second copy of the same sample city, with its own secret)."""
    from contextlib import contextmanager

    from conftest import _copy, _opened

    db, town_id, _town, _result = packet
    with contextmanager(_opened)(_copy(demo_template, tmp_path / "other.sqlite3")) as other:
        foreign = packet_service.export_packet(other, town_id, 2024, 11, tmp_path / "外来.xlsx")
    message = _refusal(db, foreign.path)
    assert "此数据包不是本台账导出的" in message and "外来.xlsx" in message
    # Claiming this office's id does not help: the keyed hashes do not match this office's key.
    with db.reader() as s:
        office = packet_seal.known_office_key(s).office_id
    _set_meta(foreign.path, office_id=office)
    message = _refusal(db, foreign.path)
    assert "数据包已被改动" in message and "台账编号" in message
    assert _nothing_imported(db)


def test_a_packet_of_an_older_program_without_a_seal_is_refused_asking_for_a_new_export(packet):
    db, _town_id, _town, result = packet

    def strip_seal(wb):
        ws = wb[pc.META_SHEET]
        for key in ("office_id", "seal"):
            ws.delete_rows(_meta_row(ws, key))
        for r in range(1, ws.max_row + 1):
            ws.cell(r, 3).value = None
        ws.cell(_meta_row(ws, "schema_version"), 2).value = 1
        first = _meta_row(ws, "row_seals")
        ws.delete_rows(first, _meta_row(ws, "snapshot") - first)

    _fill(result.path, strip_seal)
    message = _refusal(db, result.path)
    assert "旧版本" in message and "重新导出" in message
    assert _nothing_imported(db)


def test_the_untouched_packet_and_the_towns_own_edits_still_import(packet):
    db, _town_id, _town, result = packet
    meta = {r[0]: r[1:] for r in load_workbook(result.path)[pc.META_SHEET].iter_rows(values_only=True) if r[0]}
    assert len(meta["office_id"][0]) == 32 and len(meta["seal"][0]) == 64
    assert all(len(meta[k][1]) == 32 for k in ("packet_id", "town", "town_id", "year", "month", "office_id"))
    assert packet_service.read_packet(db, result.path, today=TODAY).problems == []
    ws = load_workbook(result.path)[pc.ENTRY_SHEET]
    head = _header(ws)
    row = _rows(ws)[0]
    _fill(result.path, lambda wb: wb[pc.ENTRY_SHEET].cell(row, head["地址"]).__setattr__("value", "新地址 1 号"))
    outcome = packet_service.import_packet(db, result.path, today=TODAY)
    assert outcome.applied and outcome.summary.updated == 1


def test_the_packet_page_shows_the_refusal_of_a_tampered_packet_in_chinese(qtbot, demo_ctx, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from conftest import wait_idle
    from desktop.views.excel.packet_view import PacketPage

    db = demo_ctx.db
    town_id, _town = _town_with_work(db)
    result = packet_service.export_packet(db, town_id, 2024, 11, tmp_path / "改过的.xlsx")
    other_id, other = _other_town(db, town_id)
    _set_meta(result.path, town=other, town_id=other_id)
    page = PacketPage(demo_ctx)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    wait_idle(qtbot, demo_ctx)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append((title, text)))
    page.import_files([result.path])
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    title, text = shown[0]
    assert title == "提示" and text.startswith("数据包已被改动") and "改过的.xlsx" in text and "镇街" in text
    assert page.last_preview_dialog is None  # no preview of a forged packet
    assert _nothing_imported(db)


def test_the_packet_key_is_made_once_and_never_written_into_the_audit_log(packet, tmp_path):
    from desktop.models import AuditLog
    from desktop.services import meta

    db, town_id, _town, _result = packet
    packet_service.export_packet(db, town_id, 2024, None, tmp_path / "again.xlsx")
    with db.reader() as s:
        key = meta.get(s, "packet.secret")
        logged = [(a.before, a.after) for a in s.scalars(select(AuditLog))]
    made = [after for _before, after in logged if after and after.get("key") == "packet.secret"]
    assert len(key) == 64 and len(made) == 1 and made[0]["value"] == "（密钥不记录）"
    assert not any(key in str(side) for pair in logged for side in pair)


def test_a_clerk_makes_the_key_on_the_ledgers_first_export_and_a_copy_of_the_ledger_is_the_same_office(
        demo_db, demo_db_path, tmp_path):
    import sqlite3
    from contextlib import closing, contextmanager
    from dataclasses import replace

    from conftest import _opened
    from desktop.models.enums import Role

    clerk = replace(demo_db, user="clerk", role=Role.CLERK)
    town_id, _town = _town_with_work(demo_db)
    result = packet_service.export_packet(clerk, town_id, 2024, 11, tmp_path / "p.xlsx")
    copy = tmp_path / "restored.sqlite3"  # a backup restored on another PC (SQLite's online backup: WAL too)
    with closing(sqlite3.connect(demo_db_path)) as src, closing(sqlite3.connect(copy)) as dst:
        src.backup(dst)
    with contextmanager(_opened)(copy) as restored:
        preview = packet_service.read_packet(replace(restored, user="clerk", role=Role.CLERK), result.path,
                                             today=TODAY)
    assert preview.problems == [] and preview.packet_id == result.packet_id


def test_a_forged_row_is_refused_before_the_bulk_apply_writes_any_of_the_towns_edits(packet):
    """import_packet checks the seal first: the row whose revision was raised, and every other row, stay
    as they were, and the log gains nothing."""
    db, _town_id, _town, result = packet
    ws = load_workbook(result.path)[pc.ENTRY_SHEET]
    head = _header(ws)
    forged_row, honest_row = _rows(ws)[:2]
    forged = int(ws.cell(forged_row, head["条目编号"]).value)
    _edit_snapshot(result.path, lambda body: next(r for r in body if r[0] == forged).__setitem__(1, 99))
    _fill(result.path, lambda wb: [wb[pc.ENTRY_SHEET].cell(r, head["进展情况"]).__setattr__("value", "推进中")
                                   for r in (forged_row, honest_row)])
    with db.reader() as s:
        notes = dict(s.execute(select(ListEntry.id, ListEntry.note)).tuples().all())
    log_before = audit.count(db)
    with pytest.raises(Refused, match="数据包已被改动"):
        packet_service.import_packet(db, result.path, today=TODAY)
    with db.reader() as s:
        assert dict(s.execute(select(ListEntry.id, ListEntry.note)).tuples().all()) == notes
    assert audit.count(db) == log_before and _nothing_imported(db)
