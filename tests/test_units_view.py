"""The 成员单位 page: the units in their order, add/edit through the dialog, move, deactivate, the seal
thumbnail; a clerk reads the list with every change button disabled and saying why."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from conftest import type_text, wait_idle
from PySide6.QtWidgets import QMessageBox

from desktop.models.enums import Role
from desktop.services.exams import department_service
from desktop.views.kit.table import select_id

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def open_page(qtbot, ctx):
    from desktop.views.units.units_view import UnitsPage

    page = UnitsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 700)
    page.show()
    page.activate()
    wait_idle(qtbot, ctx)
    return page


def shot(widget, name):
    folder = os.environ.get("ZZB_SHOTS")
    if folder:
        widget.grab().save(str(Path(folder) / name))


def column_texts(page, key):
    c = page.model.column(key)
    return [page.model.index(r, c).data() for r in range(page.model.rowCount())]


def unit_id(db, name):
    return next(u.id for u in department_service.list_departments(db) if u.name == name)


def test_page_lists_the_units_in_order_and_adds_one_through_the_dialog(qtbot, ctx, db):
    page = open_page(qtbot, ctx)
    assert column_texts(page, "name")[:3] == ["市政府办", "法院", "发改委"]
    assert set(column_texts(page, "has_seal")) == {"手工盖章"}
    page.add_button.click()
    dialog = page.dialog
    type_text(qtbot, dialog.edits["name"], "数据局")
    type_text(qtbot, dialog.edits["leader"], "王五")
    type_text(qtbot, dialog.edits["phone"], "电话")
    dialog.ok_button.click()
    wait_idle(qtbot, ctx)
    assert "只能包含数字" in dialog.errors["phone"].text()  # refused at the field, nothing written
    assert page.dialog is dialog and len(department_service.list_departments(db)) == 21
    dialog.edits["phone"].clear()
    type_text(qtbot, dialog.edits["phone"], "0571-88888888")
    assert dialog.errors["phone"].text() == ""
    shot(dialog, "units_edit_dialog.png")
    dialog.submit()
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.dialog is None)
    wait_idle(qtbot, ctx)
    assert column_texts(page, "name")[-1] == "数据局"
    assert page._selected().name == "数据局" and page._selected().leader == "王五"


def test_move_deactivate_and_the_seal_thumbnail(qtbot, ctx, db, tmp_path, monkeypatch):
    gx = unit_id(db, "工信局")
    from PySide6.QtGui import QColor, QImage

    image = QImage(200, 200, QImage.Format.Format_ARGB32)
    image.fill(QColor(0, 0, 0, 0))
    from PySide6.QtGui import QPainter, QPen

    p = QPainter(image)
    p.setPen(QPen(QColor("#d0021b"), 10))
    p.drawEllipse(10, 10, 180, 180)
    p.end()
    png = tmp_path / "seal.png"
    image.save(str(png))
    department_service.update_department(db, gx, name="工信局", short_name="工信", leader="张三（副市长）", contact="李四",
                                         phone="0571-87654321")
    page = open_page(qtbot, ctx)
    select_id(page.table, gx)
    page.up_button.click()
    wait_idle(qtbot, ctx)
    assert column_texts(page, "name")[2] == "工信局" and page._selected().id == gx
    page.set_seal(gx, str(png))
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.seal_label.pixmap() is not None and not page.seal_label.pixmap().isNull())
    assert page.seal_clear_button.isEnabled()
    page.deactivate_button.click()
    wait_idle(qtbot, ctx)
    assert column_texts(page, "active")[2] == "停用" and page.activate_button.isEnabled()
    shot(page, "units_page.png")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.clear_seal()
    wait_idle(qtbot, ctx)
    assert department_service.seal_image(db, gx) is None and page.seal_label.text() == "（无）"


def test_a_bad_seal_file_is_a_message(qtbot, ctx, db, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    page = open_page(qtbot, ctx)
    bad = tmp_path / "x.png"
    bad.write_bytes(b"not a png")
    page.set_seal(unit_id(db, "工信局"), str(bad))
    wait_idle(qtbot, ctx)
    assert shown and "PNG" in shown[0]


def test_a_clerk_reads_the_list_but_every_change_is_disabled_with_the_reason(qtbot, ctx, db):
    ctx.ledger = dataclasses.replace(ctx.ledger, role=Role.CLERK)
    page = open_page(qtbot, ctx)
    select_id(page.table, unit_id(db, "工信局"))
    assert page.model.rowCount() == 21
    for b in (page.add_button, page.edit_button, page.up_button, page.deactivate_button, page.delete_button,
              page.seal_set_button):
        assert not b.isEnabled() and "经办无权维护成员单位" in b.toolTip()
