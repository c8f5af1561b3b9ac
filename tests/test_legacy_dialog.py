"""导入外部表格 dialog: a 工信 D-class list with titles and a two-row header, mapped, previewed, imported."""

from __future__ import annotations

from sqlalchemy import select

from conftest import wait_idle
from desktop.models import ColumnMapping, Target
from desktop.services.excel import legacy_import
from desktop.services.towns import town_service
from legacy_samples import firms, write_d_class_list


def _towns(db) -> list[str]:
    for name in ("城东街道", "城西镇"):
        town_service.create_town(db, name)
    return ["城东街道", "城西镇"]


def _open(qtbot, ctx, path):
    from desktop.views.excel.legacy_dialog import LegacyImportDialog

    dialog = LegacyImportDialog(ctx, path=path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=10000)
    return dialog


def test_the_dialog_finds_the_header_maps_columns_previews_and_imports(qtbot, qtmodeltester, ctx, tmp_path):
    towns = _towns(ctx.db)
    items = firms(6, towns)
    written = write_d_class_list(tmp_path / "D类名单.xlsx", items, quirks=False)
    dialog = _open(qtbot, ctx, written.path)
    assert dialog.sheet_box.currentText() == written.sheet
    box, unit = dialog.field_boxes["land_area"]
    assert box.currentData() is not None  # 占地面积 found under its merged parent
    assert dialog.field_boxes["credit_code"][0].currentData() is not None
    assert dialog.preview.count("create") == 6 and dialog.model.rowCount() == 6
    qtmodeltester.check(dialog.model)
    assert "新建 <b>6</b>" in dialog.summary.text()
    assert dialog.import_btn.isEnabled()
    dialog.run_import()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10000)
    assert dialog.outcome.applied and "已导入" in dialog.status.text()
    with ctx.db.reader() as s:
        names = set(s.scalars(select(Target.name)))
    assert {f.name for f in items} <= names


def test_an_invalid_row_blocks_import_until_skip_is_chosen_and_a_mapping_is_saved(qtbot, ctx, tmp_path):
    towns = _towns(ctx.db)
    items = firms(4, towns)
    items[1].town = "不存在镇"
    written = write_d_class_list(tmp_path / "名单.xlsx", items, quirks=False)
    dialog = _open(qtbot, ctx, written.path)
    assert dialog.preview.count("invalid") == 1
    assert not dialog.import_btn.isEnabled()
    dialog.skip_box.setChecked(True)
    assert dialog.import_btn.isEnabled()
    dialog.save_mapping_as("工信D类名单")
    wait_idle(qtbot, ctx)
    with ctx.db.reader() as s:
        assert s.scalar(select(ColumnMapping.name)) == "工信D类名单"
    assert dialog.mapping_box.currentText() == "工信D类名单"
    assert legacy_import.load_mapping(ctx.db, "工信D类名单").fields["credit_code"].header
    dialog.run_import()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10000)
    assert dialog.outcome.summary.created == 3 and dialog.outcome.summary.rejected == 1


def test_unmapping_a_column_changes_the_preview(qtbot, ctx, tmp_path):
    towns = _towns(ctx.db)
    written = write_d_class_list(tmp_path / "名单.xlsx", firms(3, towns), quirks=False)
    dialog = _open(qtbot, ctx, written.path)
    box, _unit = dialog.field_boxes["name"]
    box.setCurrentIndex(0)  # （不导入）
    dialog.run_preview()
    wait_idle(qtbot, ctx)
    assert dialog.preview.refusal and "名称" in dialog.preview.refusal
    assert not dialog.import_btn.isEnabled()


def test_an_import_tells_the_other_pages_that_targets_changed(qtbot, ctx, tmp_path):
    towns = _towns(ctx.db)
    written = write_d_class_list(tmp_path / "名单.xlsx", firms(2, towns), quirks=False)
    heard = []
    ctx.data_changed.connect(heard.append)
    dialog = _open(qtbot, ctx, written.path)
    dialog.run_import()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10000)
    assert any("target" in tables for tables in heard)
    dialog.action_box.setCurrentIndex(dialog.action_box.findData(None))
    dialog.search.setText(firms(2, towns)[1].name)
    assert dialog.proxy.rowCount() == 1
