"""导出核实表: the month's verification table as .xlsx, opened back with openpyxl."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from test_report_service import make_entry, make_town, verify_all

from desktop.models import ListEntry
from desktop.models.enums import VerifyResult
from desktop.services.reports import report_export, report_service
from desktop.services.errors import Refused
from desktop.services.reports.report_export import FIRST_DATA_ROW, HEAD1, HEAD2, LEAD

D = Decimal
PASS, FAIL = VerifyResult.PASS, VerifyResult.FAIL


@pytest.fixture
def march(db):
    """Two towns' March reports: one item verified, one failed, one pending; a formula-like name."""
    a, b = make_town(db, "甲镇"), make_town(db, "乙镇")
    e1 = make_entry(db, a, "甲镇宏达机械有限公司", "12.5")
    e2 = make_entry(db, a, "=HYPERLINK(\"x\")地块", "7.25")
    e3 = make_entry(db, b, "乙镇老码头1号泊位", "30")
    with db.session() as s:
        s.get(ListEntry, e1).target.credit_code = "91320981MA1MXXXX0X"
    ra = report_service.open_report(db, a, 2024, 3, dt.date(2024, 3, 18))
    rb = report_service.open_report(db, b, 2024, 3, dt.date(2024, 3, 22))
    i1 = report_service.add_item(db, ra.id, e1, "12")
    i2 = report_service.add_item(db, ra.id, e2)
    i3 = report_service.add_item(db, rb.id, e3)
    verify_all(db, i1, [PASS] * 4, dt.date(2024, 3, 24))
    verify_all(db, i2, [PASS, FAIL, None, None], dt.date(2024, 3, 26))
    report_service.record_verification(db, i3, "资规局", PASS, dt.date(2024, 3, 23))
    return db


def _open(path):
    wb = openpyxl.load_workbook(path)
    return wb, wb.active


def test_export_has_the_title_and_a_header_with_the_department_names(march, tmp_path):
    path = tmp_path / "核实表.xlsx"
    result = report_export.export_month(march, 2024, 3, path)
    assert result.rows == 3 and path.exists()
    _wb, ws = _open(path)
    assert ws["A1"].value == "2024年3月“危污乱散低”整治核实情况表"
    heads = [ws.cell(HEAD1, c).value for c in range(1, ws.max_column + 1)]
    assert heads[:len(LEAD)] == [h for h, _w in LEAD]
    assert [h for h in heads[len(LEAD):] if h] == ["资规局", "工信局", "交通运输局", "税务局", "核实状态", "核实面积（亩）", "逾期情况"]
    subs = [ws.cell(HEAD2, c).value for c in range(len(LEAD) + 1, len(LEAD) + 4)]
    assert subs == ["结果", "核实日期", "说明"]


def test_export_has_one_row_per_item_with_numbers_as_numbers(march, tmp_path):
    path = tmp_path / "t.xlsx"
    report_export.export_month(march, 2024, 3, path)
    _wb, ws = _open(path)
    rows = list(ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True))
    data, totals = rows[:3], rows[3]
    assert [r[0] for r in data] == [1, 2, 3]
    assert [(r[1], r[2]) for r in data] == [("甲镇", "=HYPERLINK(\"x\")地块"), ("甲镇", "甲镇宏达机械有限公司"),
                                           ("乙镇", "乙镇老码头1号泊位")]
    failed, verified, pending = data
    assert verified[3] == "91320981MA1MXXXX0X"
    assert isinstance(verified[5], (int, float)) and verified[5] == pytest.approx(12.0)
    assert failed[5] == pytest.approx(7.25) and pending[5] == pytest.approx(30)
    assert verified[4] == dt.datetime(2024, 3, 18)
    # 资规局 result, date, note; then the overall state, verified area and late flags
    assert verified[6:8] == ("通过", dt.datetime(2024, 3, 24))
    tail = len(LEAD) + 12
    assert verified[tail:tail + 2] == ("已核实", pytest.approx(12.0))
    assert failed[9] == "不通过" and failed[11] == "地上建筑物未拆除到位" and failed[tail] == "核实未通过"
    assert failed[tail + 1] is None and "核实逾期（资规局、工信局）" in failed[tail + 2]
    assert pending[tail] == "待核实" and pending[tail + 2].startswith("报送逾期")
    assert totals[0] == "合计" and totals[2] == 3
    assert totals[5] == pytest.approx(49.25) and totals[tail + 1] == pytest.approx(12.0)


def test_text_that_looks_like_a_formula_stays_text(march, tmp_path):
    path = tmp_path / "t.xlsx"
    report_export.export_month(march, 2024, 3, path)
    _wb, ws = _open(path)
    cell = ws.cell(FIRST_DATA_ROW, 3)
    assert cell.value.startswith("=") and cell.data_type == "s"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_export_freezes_the_header_and_prints_a4_landscape_with_repeated_header(march, tmp_path):
    path = tmp_path / "t.xlsx"
    report_export.export_month(march, 2024, 3, path)
    _wb, ws = _open(path)
    assert ws.freeze_panes == f"D{FIRST_DATA_ROW}"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.print_title_rows == f"${HEAD1}:${HEAD2}"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.column_dimensions["C"].width == 30


def test_an_empty_month_exports_headers_and_a_zero_totals_row(db, tmp_path):
    path = tmp_path / "empty.xlsx"
    assert report_export.export_month(db, 2024, 1, path).rows == 0
    _wb, ws = _open(path)
    assert ws.cell(FIRST_DATA_ROW, 1).value == "合计" and ws.cell(FIRST_DATA_ROW, 3).value == 0


def test_progress_is_reported_and_a_cancelled_export_leaves_no_file(march, tmp_path):
    seen = []
    report_export.export_month(march, 2024, 3, tmp_path / "ok.xlsx", progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (3, 3)

    class Cancelled:
        cancelled = True

    path = tmp_path / "cancelled.xlsx"
    with pytest.raises(Refused, match="已取消"):
        report_export.export_month(march, 2024, 3, path, cancel=Cancelled())
    assert not path.exists() and not list(tmp_path.glob(".export-*"))
