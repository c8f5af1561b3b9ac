"""数据交换 page: export a packet, a town fills it, import with preview, apply, receipt — in the window."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QFileDialog, QMessageBox
from sqlalchemy import select

from conftest import wait_idle
from desktop.models import ListEntry, PacketImport, Target
from desktop.models.enums import EntryState
from desktop.services.excel import packet_columns as pc


@pytest.fixture
def page(qtbot, demo_ctx):
    from desktop.views.excel.packet_view import PacketPage

    p = PacketPage(demo_ctx)
    qtbot.addWidget(p)
    p.show()
    p.activate()
    wait_idle(qtbot, demo_ctx)
    return p


def _header(ws) -> dict[str, int]:
    return {c.value.rstrip("*"): c.column for c in ws[pc.HEADER_ROW] if c.value}


def test_history_model_passes_the_model_tester(qtmodeltester, page):
    qtmodeltester.check(page.model)


def test_export_fill_import_preview_apply_and_receipt_in_the_window(qtbot, qtmodeltester, page, demo_ctx, tmp_path,
                                                                     monkeypatch):
    assert page.town_box.currentIndex() == 1  # the first town, not 全部镇街
    town = page.town_box.currentText()
    page.month_box.setCurrentIndex(page.month_box.findData(None))
    out = tmp_path / "镇街.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    page.choose_export()
    wait_idle(qtbot, demo_ctx)
    assert out.exists() and town in page.status.text()
    wait_idle(qtbot, demo_ctx)
    assert page.model.rowCount() == 1 and page.model.rows[0].direction == "export"

    wb = load_workbook(out)  # the town fills it in
    ws = wb[pc.ENTRY_SHEET]
    head = _header(ws)
    ws.cell(pc.FIRST_DATA_ROW, head["进展情况"]).value = "已完成土壤检测"
    ws.cell(pc.FIRST_DATA_ROW + 1, head["对象名称"]).value = "改了名字"  # locked: an error
    target_id = int(ws.cell(pc.FIRST_DATA_ROW, head["对象编号"]).value)
    entry_id = int(ws.cell(pc.FIRST_DATA_ROW, head["条目编号"]).value)
    wb.save(out)

    page.import_files([out])
    qtbot.waitUntil(lambda: page.last_preview_dialog is not None, timeout=10000)
    dialog = page.last_preview_dialog
    assert dialog.isVisible() and dialog.model.rowCount() > 2
    assert {"changed", "error", "unchanged"} <= {r.status for r in dialog.preview.rows}
    assert dialog.proxy.rowCount() == 2  # unchanged rows hidden by default
    qtmodeltester.check(dialog.model)
    receipt = tmp_path / "回执.xlsx"
    dialog.write_receipt(receipt)
    wait_idle(qtbot, demo_ctx)
    assert receipt.exists() and "已写出错误回执" in dialog.status.text()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.apply()
    qtbot.waitUntil(lambda: page.last_preview_dialog is None, timeout=10000)
    assert "已导入" in page.status.text() and "修改 1" in page.status.text()
    with demo_ctx.db.reader() as s:
        assert s.get(ListEntry, entry_id).note == "已完成土壤检测"
        assert s.get(Target, target_id).name != "改了名字"
        assert s.scalar(select(PacketImport.id).where(PacketImport.direction == "import")) is not None
    receipt = load_workbook(tmp_path / "回执.xlsx")
    bad = receipt[pc.ENTRY_SHEET].cell(pc.FIRST_DATA_ROW + 1, head["对象名称"])
    assert "不能修改" in bad.comment.text
    wait_idle(qtbot, demo_ctx)
    assert [r.direction for r in page.model.rows] == ["import", "export"]


def test_a_bad_file_shows_a_chinese_message_and_writes_nothing(qtbot, page, demo_ctx, tmp_path, monkeypatch):
    bad = tmp_path / "坏文件.xlsx"
    bad.write_text("名称,代码\n甲,1\n", encoding="utf-8")
    messages = []
    monkeypatch.setattr("desktop.views.excel.packet_view.show_error", lambda parent, exc: messages.append(str(exc)))
    page.import_files([bad])
    qtbot.waitUntil(lambda: bool(messages), timeout=10000)
    assert "坏文件.xlsx" in messages[0]
    with demo_ctx.db.reader() as s:
        assert s.scalar(select(PacketImport.id).where(PacketImport.direction == "import")) is None


def test_export_all_towns_writes_one_file_per_town(qtbot, page, demo_ctx, tmp_path, monkeypatch):
    page.town_box.setCurrentIndex(0)  # 全部镇街
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path / "out"))
    page.choose_export()
    wait_idle(qtbot, demo_ctx)
    files = sorted(Path(tmp_path / "out").glob("*.xlsx"))
    assert len(files) >= 10 and all("数据包" in f.name for f in files)
    assert "已导出" in page.status.text()


def test_entries_in_progress_can_be_reported_through_a_monthly_packet(demo_db, tmp_path):
    """The month's packet marks 本月报送完成 on 实施中 entries only."""
    from desktop.services.excel import packet_service

    with demo_db.reader() as s:
        e = s.scalar(select(ListEntry).where(ListEntry.state == EntryState.VERIFIED).limit(1))
        town_id = e.governance_list.town_id
    result = packet_service.export_packet(demo_db, town_id, 2024, 11, tmp_path / "m.xlsx")
    wb = load_workbook(result.path)
    ws = wb[pc.ENTRY_SHEET]
    head = _header(ws)
    row = next(r for r in range(pc.FIRST_DATA_ROW, ws.max_row + 1)
               if ws.cell(r, head["条目状态"]).value == EntryState.VERIFIED.label)
    ws.cell(row, head["本月报送完成"]).value = "是"
    wb.save(result.path)
    preview = packet_service.read_packet(demo_db, result.path)
    problem = next(p for p in preview.problems if p.row == row)
    assert "只有“实施中”的条目可以报送完成" in problem.message


def test_export_says_why_not_when_there_is_no_town(qtbot, ctx):
    from desktop.views.excel.packet_view import PacketPage

    p = PacketPage(ctx)
    qtbot.addWidget(p)
    p.activate()
    wait_idle(qtbot, ctx)
    assert not p.export_btn.isEnabled() and "尚无镇街" in p.export_btn.toolTip()


def test_the_preview_filters_by_status_and_words_and_sorts_rows_as_numbers(qtbot, page, demo_ctx, tmp_path,
                                                                           monkeypatch):
    from PySide6.QtCore import Qt

    out = tmp_path / "p.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    page.choose_export()
    wait_idle(qtbot, demo_ctx)
    wb = load_workbook(out)
    ws = wb[pc.ENTRY_SHEET]
    head = _header(ws)
    for i in range(11):  # rows 1…11 changed: “10” and “11” sort after “9” only as numbers
        ws.cell(pc.FIRST_DATA_ROW + i, head["进展情况"]).value = f"进展{i}"
    ws.cell(pc.FIRST_DATA_ROW + 12, head["对象名称"]).value = "改了名字"
    wb.save(out)
    page.import_files([out])
    qtbot.waitUntil(lambda: page.last_preview_dialog is not None, timeout=10000)
    dialog = page.last_preview_dialog
    assert dialog.proxy.rowCount() == 12
    dialog.status_box.setCurrentIndex(dialog.status_box.findData("error"))
    assert dialog.proxy.rowCount() == 1 and dialog.proxy.item(0).status == "error"
    dialog.status_box.setCurrentIndex(dialog.status_box.findData("changed"))
    dialog.view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    shown = [dialog.proxy.item(r).row for r in range(dialog.proxy.rowCount())]
    assert shown == sorted(shown, reverse=True) and len(shown) == 11
    dialog.search.setText("进展1")
    assert {dialog.proxy.item(r).row for r in range(dialog.proxy.rowCount())} == {pc.FIRST_DATA_ROW + 1,
                                                                                   pc.FIRST_DATA_ROW + 10}
    dialog.reject()
