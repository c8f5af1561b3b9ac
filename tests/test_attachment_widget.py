"""The attachment panel lists, adds, opens and removes an object's files through the service."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import wait_idle
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox

from desktop.services import attachment_service
from desktop.views.kit.attachment_widget import AttachmentPanel


def _files(tmp_path, *names) -> list[str]:
    files = []
    for name in names:
        f = tmp_path / name
        f.write_bytes(name.encode() * 50)
        files.append(str(f))
    return files


@pytest.fixture
def panel(qtbot, ctx):
    p = AttachmentPanel(ctx)
    qtbot.addWidget(p)
    return p


def test_panel_adds_lists_and_removes_files(qtbot, ctx, panel, tmp_path, qtmodeltester, monkeypatch):
    assert not panel.add_button.isEnabled()  # no object yet
    panel.set_object("agreement", 3)
    wait_idle(qtbot, ctx)
    assert panel.add_button.isEnabled()
    panel.add_paths(_files(tmp_path, "收储协议.pdf", "现场照片.jpg"))
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)
    qtmodeltester.check(panel.model)
    assert "收储协议.pdf" in panel.model.index(0, 0).data()
    panel.view.setCurrentIndex(panel.model.index(0, 0))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    panel.remove_selected()
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    assert [r.file_name for r in attachment_service.list_for(ctx.db, "agreement", 3)] == ["现场照片.jpg"]


def test_open_and_remove_follow_the_selection(qtbot, ctx, panel, tmp_path):
    panel.set_object("agreement", 3)
    panel.add_paths(_files(tmp_path, "a.pdf"))
    wait_idle(qtbot, ctx)
    assert not panel.open_button.isEnabled() and "请先选择" in panel.open_button.toolTip()
    panel.view.setCurrentIndex(panel.model.index(0, 0))
    assert panel.open_button.isEnabled() and panel.remove_button.isEnabled()


@pytest.mark.parametrize("name", ["收储协议扫描件.pdf", "现场照片.JPG"])
def test_open_hands_the_viewer_a_copy_with_the_original_name(qtbot, ctx, panel, tmp_path, monkeypatch, name):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    panel.set_object("agreement", 3)
    panel.add_paths(_files(tmp_path, name))
    wait_idle(qtbot, ctx)
    panel.view.setCurrentIndex(panel.model.index(0, 0))
    panel.open_button.click()
    wait_idle(qtbot, ctx)
    assert len(opened) == 1 and opened[0].endswith("/" + name)
    row = panel.model.rows[0]
    assert Path(opened[0]).read_bytes() == attachment_service.stored_path(row.sha256).read_bytes()


def test_a_missing_stored_file_says_so_in_chinese(qtbot, ctx, panel, tmp_path, monkeypatch):
    said, opened = [], []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *a: said.append(text))
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    panel.set_object("agreement", 3)
    panel.add_paths(_files(tmp_path, "协议.pdf"))
    wait_idle(qtbot, ctx)
    attachment_service.stored_path(panel.model.rows[0].sha256).unlink()
    panel.view.setCurrentIndex(panel.model.index(0, 0))
    panel.open_selected()
    wait_idle(qtbot, ctx)
    assert not opened and len(said) == 1 and "附件文件缺失" in said[0] and "协议.pdf" in said[0]
