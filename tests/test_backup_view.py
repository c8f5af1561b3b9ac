"""The 系统 menu: back up, restore (asked once; twice for a chain warning), automatic backup settings."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import replace

import pytest
from conftest import wait_idle

from desktop.models.enums import Role
from desktop.services import attachment_service, auto_backup, backup_service
from desktop.views.system import backup_actions


@pytest.fixture
def window(qtbot, ctx):
    from desktop.views.main_window import MainWindow

    win = MainWindow(ctx, [2024])
    qtbot.addWidget(win)
    return win


@pytest.fixture
def boxes(monkeypatch):
    """Every question and message the actions show, answered from `replies` (True: the first button)."""
    seen = {"questions": [], "infos": [], "replies": []}

    def answer(box):
        seen["questions"].append((box.objectName(), box.text()))
        return seen["replies"].pop(0)

    monkeypatch.setattr(backup_actions, "answer", answer)
    monkeypatch.setattr(backup_actions, "inform", lambda _p, title, text: seen["infos"].append((title, text)))
    return seen


def _choose(monkeypatch, path) -> None:
    monkeypatch.setattr(backup_actions, "choose", lambda _parent, _kind, _start: str(path))


def _action(window, name):
    menu = window.findChild(type(window.system_actions.menu), "system_menu")
    return next(a for a in menu.actions() if a.objectName() == name)


def test_the_system_menu_offers_backup_restore_and_settings(window):
    menu = window.system_actions.menu
    assert menu.title() == "系统" and menu.menuAction() in window.menuBar().actions()
    assert [a.text() for a in menu.actions()] == ["备份…", "恢复…", "自动备份设置…"]
    assert all(a.isEnabled() for a in menu.actions())


def test_the_menu_says_why_a_clerk_may_not(qtbot, ctx):
    from desktop.views.main_window import MainWindow

    ctx.ledger = replace(ctx.ledger, role=Role.CLERK)
    win = MainWindow(ctx, [2024])
    qtbot.addWidget(win)
    for act in win.system_actions.actions:
        assert not act.isEnabled() and "经办无权" in act.toolTip()


def test_backup_from_the_window_writes_a_verified_file(qtbot, window, ctx, boxes, monkeypatch, tmp_path):
    dest = tmp_path / "今天的备份"
    _choose(monkeypatch, dest)
    _action(window, "backup_action").trigger()
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: bool(boxes["infos"]), timeout=10000)
    title, text = boxes["infos"][0]
    assert title == "备份完成" and "已校验" in text and str(tmp_path / "今天的备份.zzbak") in text
    assert backup_service.examine(ctx.ledger, tmp_path / "今天的备份.zzbak").chain_intact


def _spoiled_copy(ledger, tmp_path):
    """An old-style plain backup of the ledger whose first audit record was edited afterwards."""
    plain = tmp_path / "spoiled.sqlite3"
    src, out = sqlite3.connect(ledger.path), sqlite3.connect(plain)
    src.backup(out)
    src.close()
    out.execute("DROP TRIGGER IF EXISTS audit_log_no_update")  # someone with the file drops the guard first
    out.execute("UPDATE audit_log SET user = '别人' WHERE id = (SELECT min(id) FROM audit_log)")
    out.commit()
    out.close()
    return plain


def test_restore_asks_once_then_reloads_every_page(qtbot, window, ctx, boxes, monkeypatch, tmp_path):
    scan = tmp_path / "扫描件.pdf"
    scan.write_bytes(b"%PDF" * 100)
    row = attachment_service.attach(ctx.ledger, "agreement", 1, scan)
    saved = backup_service.backup(ctx.ledger, tmp_path / "saved.zzbak").path
    attachment_service.stored_path(row.sha256).unlink()
    announced = []
    ctx.data_changed.connect(announced.append)
    _choose(monkeypatch, saved)
    boxes["replies"] = [True]
    _action(window, "restore_action").trigger()
    qtbot.waitUntil(lambda: bool(boxes["infos"]), timeout=20000)
    assert [name for name, _t in boxes["questions"]] == ["restore_question"]
    assert "附件 1 个" in boxes["questions"][0][1] and "恢复前会先自动备份" in boxes["questions"][0][1]
    assert boxes["infos"][0][0] == "恢复完成" and "已恢复附件文件 1 个" in boxes["infos"][0][1]
    assert frozenset({"*"}) in announced
    assert attachment_service.file_to_open(ctx.ledger, row.id).read_bytes() == b"%PDF" * 100


def test_a_chain_warning_needs_a_second_explicit_yes(qtbot, window, ctx, boxes, monkeypatch, tmp_path):
    spoiled = _spoiled_copy(ctx.ledger, tmp_path)
    _choose(monkeypatch, spoiled)
    boxes["replies"] = [True, False]  # yes to the restore, no to the warning
    _action(window, "restore_action").trigger()
    qtbot.waitUntil(lambda: len(boxes["questions"]) == 2, timeout=20000)
    wait_idle(qtbot, ctx)
    name, text = boxes["questions"][1]
    assert name == "restore_warning" and "操作日志未通过校验" in text and "第" in text
    assert boxes["infos"] == []  # nothing restored

    boxes["questions"].clear()
    boxes["replies"] = [True, True]
    _action(window, "restore_action").trigger()
    qtbot.waitUntil(lambda: bool(boxes["infos"]), timeout=20000)
    assert [n for n, _t in boxes["questions"]] == ["restore_question", "restore_warning"]
    assert boxes["infos"][0][0] == "恢复完成"


def test_automatic_backup_settings_are_saved_from_the_dialog(qtbot, window, ctx, tmp_path):
    _action(window, "auto_backup_action").trigger()
    qtbot.waitUntil(lambda: window.findChild(backup_actions.AutoBackupDialog) is not None, timeout=5000)
    dialog = window.findChild(backup_actions.AutoBackupDialog)
    assert dialog.auto_box.isChecked() and dialog.keep_box.value() == 7
    dialog.auto_box.setChecked(False)
    dialog.keep_box.setValue(0)
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.errors["keep"].text() != "", timeout=5000)
    assert "1 到 365" in dialog.errors["keep"].text()
    dialog.keep_box.setValue(14)
    dialog.folder_edit.setText(str(tmp_path))
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert auto_backup.settings(ctx.ledger) == auto_backup.AutoBackupSettings(False, 14, str(tmp_path))


def test_the_daily_backup_runs_beside_the_lane_after_the_window_shows(qtbot, window, ctx, tmp_path, monkeypatch):
    """No progress box to wait out: the status bar says the backup is being made, and the lane answers meanwhile."""
    import threading

    from PySide6.QtWidgets import QProgressDialog

    from desktop.services.towns import town_service
    from desktop.views.kit.ops import query

    auto_backup.set_settings(ctx.ledger, auto_backup.AutoBackupSettings(True, 7, str(tmp_path)))
    ctx.ledger = ctx.ledger.as_of(dt.date(2024, 11, 4))
    window.show()
    gate, real = threading.Event(), auto_backup.daily_backup
    monkeypatch.setattr(auto_backup, "daily_backup", lambda ledger, **kw: gate.wait(10) and real(ledger, **kw))
    backup_actions.start_daily_backup(window)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == backup_actions.DAILY_RUNNING, timeout=5000)
    listed = []
    query(window, "towns", town_service.list_towns, done=listed.append)
    qtbot.waitUntil(lambda: bool(listed), timeout=5000)  # while the backup is still held
    assert not (tmp_path / "ledger-auto-2024-11-04.zzbak").exists()
    assert not any(d.isVisible() for d in window.findChildren(QProgressDialog))
    gate.set()
    qtbot.waitUntil(lambda: (tmp_path / "ledger-auto-2024-11-04.zzbak").exists(), timeout=20000)
    qtbot.waitUntil(lambda: "今日自动备份已完成" in window.statusBar().currentMessage(), timeout=10000)
