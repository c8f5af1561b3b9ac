"""任务分解表 (附件1) with progress as .xlsx: opened back, its numbers equal progress_service's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from test_town_service import add_entry, add_park

from desktop.models.enums import EntryState, ParkStatus
from desktop.services.towns import progress_export, progress_service, town_service

D = Decimal
TITLE = "2024年度全市“危污乱散低”专项治理任务分解表"


@pytest.fixture
def towns(db):
    a = town_service.create_town(db, "甲镇").id
    b = town_service.create_town(db, "=乙镇").id  # a name that looks like a formula stays text
    c = town_service.create_town(db, "丙镇").id  # no list yet: no share, no completion
    town_service.set_target(db, a, 2024, target_area_mu="100", target_parks="1")
    town_service.set_target(db, b, 2024, target_area_mu="50.5")
    town_service.set_target(db, c, 2024, target_area_mu="20")
    park = add_park(db, a, "甲镇老工业园", ParkStatus.STARTED, dt.date(2024, 4, 1))
    add_entry(db, a, "甲1", "30", EntryState.VERIFIED, park_id=park, verified="28.5")
    add_entry(db, a, "甲2", "70", EntryState.APPROVED)
    add_entry(db, b, "乙1", "10", EntryState.APPROVED, park_id=park)
    add_entry(db, b, "乙2", "90", EntryState.VERIFIED, verified="90")
    return {"甲镇": a, "=乙镇": b, "丙镇": c}


@pytest.fixture
def exported(db, towns, tmp_path):
    path = progress_export.export_task_table(db, 2024, tmp_path / "任务分解表.xlsx", today=dt.date(2024, 6, 30))
    return load_workbook(path), progress_service.year_progress(db, 2024)


def as_decimal(value) -> Decimal:
    return Decimal(str(value))


def test_title_and_header_are_the_plans(exported):
    wb, _ = exported
    ws = wb.active
    assert ws["A1"].value == TITLE
    headers = [c.value for c in ws[progress_export.HEADER_ROW]]
    assert headers[:2] == ["序号", "镇（区、街道）"] and headers[2] == "目标面积（亩）" and headers[3] == "目标园区（个）"
    assert [h.split("（")[0] for h in headers[4:]] == ["已列清单面积", "其中连片面积", "连片占比", "已核实面积", "完成率", "已启动园区"]
    assert "2024年6月30日" in ws["A2"].value and "4,000.00" in ws["A2"].value


def test_every_number_equals_progress_service_and_is_a_number(exported):
    wb, progress = exported
    ws = wb.active
    rows = list(ws.iter_rows(min_row=progress_export.FIRST_DATA_ROW, max_row=progress_export.FIRST_DATA_ROW + len(progress.towns),
                             values_only=True))
    for i, (t, row) in enumerate(zip(progress.towns + [progress.totals], rows)):
        assert row[1] == t.town
        assert as_decimal(row[2]) == t.target_area_mu and row[3] == t.target_parks
        assert as_decimal(row[4]) == t.listed_mu and as_decimal(row[5]) == t.contiguous_mu
        assert as_decimal(row[7]) == t.verified_mu and row[9] == t.parks_started
        for cell, pct in ((row[6], t.share_pct), (row[8], t.completion_pct)):
            if pct is None:
                assert cell == "—"
            else:
                assert isinstance(cell, (int, float)) and as_decimal(cell) * 100 == pct
        if t.town_id is not None:
            assert row[0] == i + 1


def test_the_totals_row_is_judged_against_the_city_target(exported):
    wb, progress = exported
    ws = wb.active
    r = progress_export.FIRST_DATA_ROW + len(progress.towns)
    assert ws.cell(r, 2).value == "合计" and ws.cell(r, 2).font.bold
    assert as_decimal(ws.cell(r, 8).value) == D("118.5")
    # 118.5 of the city's 4000 亩, not of the towns' 170.5
    assert as_decimal(ws.cell(r, 9).value) * 100 == progress.totals.completion_pct == D("2.96")


def test_number_formats_fill_and_text_safety(exported):
    wb, progress = exported
    ws = wb.active
    first = progress_export.FIRST_DATA_ROW
    assert ws.cell(first, 3).number_format == progress_export.AREA_FORMAT
    assert ws.cell(first, 7).number_format == "0.00%" and ws.cell(first, 9).number_format == "0.00%"
    b_row = first + [t.town for t in progress.towns].index("=乙镇")
    assert ws.cell(b_row, 2).value == "=乙镇" and ws.cell(b_row, 2).data_type == "s"
    assert ws.cell(b_row, 7).fill.fgColor.rgb.endswith(progress_export.AMBER)  # 10 % < 30 %
    assert not ws.cell(first, 7).fill.fgColor.rgb.endswith(progress_export.AMBER)  # 甲镇 exactly 30 %


def test_printed_a4_landscape_with_frozen_and_repeated_header(exported):
    wb, _ = exported
    ws = wb.active
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.freeze_panes == f"C{progress_export.FIRST_DATA_ROW}"
    assert ws.print_title_rows == f"${progress_export.HEADER_ROW}:${progress_export.HEADER_ROW}"
    assert ws.column_dimensions["B"].width >= 14


# ---- the button on 镇街与任务分解 -----------------------------------------------------------------

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def test_the_town_page_exports_the_table_on_the_worker(qtbot, ctx, towns, tmp_path):
    from conftest import wait_idle

    from desktop.views.towns.town_view import TownPage

    page = TownPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    wait_idle(qtbot, ctx)
    assert page.export_button.text().startswith("导出任务分解表")
    target = tmp_path / "out.xlsx"
    page.export_to(target)
    wait_idle(qtbot, ctx)
    assert target.exists() and "已导出" in page.export_status.text()
    assert load_workbook(target).active["A1"].value == TITLE
    assert page.export_button.isEnabled()
