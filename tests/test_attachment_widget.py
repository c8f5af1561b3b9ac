"""The attachment panel lists, adds and removes an object's files through the service."""

from __future__ import annotations

from conftest import wait_idle
from PySide6.QtWidgets import QMessageBox

from desktop.services import attachment_service
from desktop.views.kit.attachment_widget import AttachmentPanel


def test_panel_adds_lists_and_removes_files(qtbot, ctx, tmp_path, qtmodeltester, monkeypatch):
    panel = AttachmentPanel(ctx)
    qtbot.addWidget(panel)
    assert not panel.add_button.isEnabled()  # no object yet
    panel.set_object("agreement", 3)
    wait_idle(qtbot, ctx)
    assert panel.add_button.isEnabled()
    files = []
    for name in ("收储协议.pdf", "现场照片.jpg"):
        f = tmp_path / name
        f.write_bytes(name.encode() * 50)
        files.append(str(f))
    panel.add_paths(files)
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)
    qtmodeltester.check(panel.model)
    assert "收储协议.pdf" in panel.model.index(0).data()
    panel.view.setCurrentIndex(panel.model.index(0))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    panel.remove_selected()
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    assert [r.file_name for r in attachment_service.list_for(ctx.db, "agreement", 3)] == ["现场照片.jpg"]

