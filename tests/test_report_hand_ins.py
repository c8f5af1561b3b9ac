"""Each hand-in of a month's report keeps its own date and lateness (三(四), 四(五)): a town that hands in a
second packet for the same month after the due day is late for that hand-in, and its entries are dated by it."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from desktop.models import ListEntry, MonthlyReport, MonthlyReportHandIn, MonthlyReportItem
from desktop.services.errors import ValidationError
from desktop.services.excel import packet_columns as pc
from desktop.services.excel import packet_service
from desktop.services.reports import report_service
from test_report_service import make_entry, make_town


def _hand_in(db, town_id: int, entry_id: int, day: dt.date, path) -> None:
    """Export the town's October packet, mark one entry done with `day` as 报送日期, and import it on that day."""
    result = packet_service.export_packet(db, town_id, 2024, 10, path)
    wb = load_workbook(result.path)
    ws = wb[pc.ENTRY_SHEET]
    head = {c.value.rstrip("*"): c.column for c in ws[pc.HEADER_ROW] if c.value}
    row = next(r for r in range(pc.FIRST_DATA_ROW, ws.max_row + 1)
               if ws.cell(r, head["条目编号"]).value is not None and int(ws.cell(r, head["条目编号"]).value) == entry_id)
    ws.cell(row, head["本月报送完成"]).value = "是"
    date_col = next(c.column for c in ws[pc.INFO_ROW] if c.value == pc.REPORT_DATE_LABEL) + 1
    ws.cell(pc.INFO_ROW, date_col).value = day
    wb.save(result.path)
    preview = packet_service.read_packet(db, result.path, today=day)
    assert preview.problems == [] and preview.reported_on == day
    assert packet_service.apply(db, preview, today=day).applied


def test_a_second_packet_for_the_month_keeps_its_own_date_and_is_late(db, tmp_path):
    town = make_town(db)
    first, second = make_entry(db, town, "甲厂"), make_entry(db, town, "乙厂")
    _hand_in(db, town, first, dt.date(2024, 10, 16), tmp_path / "first.xlsx")
    _hand_in(db, town, second, dt.date(2024, 10, 28), tmp_path / "second.xlsx")

    with db.reader() as s:
        assert s.get(ListEntry, first).completed_on == dt.date(2024, 10, 16)
        assert s.get(ListEntry, second).completed_on == dt.date(2024, 10, 28)
    rows = {r.entry_id: r for r in report_service.verification_table(db, 2024, 10, as_of=dt.date(2024, 10, 28)).rows}
    assert (rows[first].reported_on, rows[first].report_late) == (dt.date(2024, 10, 16), False)
    assert (rows[second].reported_on, rows[second].report_late) == (dt.date(2024, 10, 28), True)
    # The month's report is still dated by its first hand-in; the late second one is counted on its own.
    info = report_service.get_report(db, town, 2024, 10)
    assert info.reported_on == dt.date(2024, 10, 16)
    late = {t.town_id: t for t in report_service.lateness(db, 2024, as_of=dt.date(2024, 10, 28))}[town]
    assert (late.reports, late.late_reports) == (2, 1)


def test_a_first_report_date_cannot_move_past_the_months_second_hand_in(db, tmp_path):
    town = make_town(db)
    first, second = make_entry(db, town, "甲厂"), make_entry(db, town, "乙厂")
    _hand_in(db, town, first, dt.date(2024, 10, 16), tmp_path / "first.xlsx")
    _hand_in(db, town, second, dt.date(2024, 10, 28), tmp_path / "second.xlsx")
    report = report_service.get_report(db, town, 2024, 10)
    with pytest.raises(ValidationError, match="2024-10-28") as caught:
        report_service.set_reported_on(db, report.id, dt.date(2024, 10, 29), today=dt.date(2024, 10, 30))
    assert caught.value.field == "reported_on"
    # Moving it within its reach re-dates only the first hand-in's entries.
    report_service.set_reported_on(db, report.id, dt.date(2024, 10, 18), today=dt.date(2024, 10, 30))
    with db.reader() as s:
        assert s.get(ListEntry, first).completed_on == dt.date(2024, 10, 18)
        assert s.get(ListEntry, second).completed_on == dt.date(2024, 10, 28)
    assert report_service.get_report(db, town, 2024, 10).reported_on == dt.date(2024, 10, 18)


def test_the_upgrade_makes_each_dated_report_one_hand_in_with_its_items(demo_db):
    from desktop.services.db import run_migrations

    with demo_db.reader() as s:
        before = s.execute(select(MonthlyReport.id, MonthlyReport.reported_on, MonthlyReport.is_late)
                           .where(MonthlyReport.reported_on.is_not(None))).all()
    assert before
    run_migrations(demo_db.engine, "0010", downgrade=True)  # the program's path: foreign keys off, checked
    run_migrations(demo_db.engine, "0011")
    with demo_db.reader() as s:
        hand_ins = s.execute(select(MonthlyReportHandIn.report_id, MonthlyReportHandIn.handed_in_on,
                                    MonthlyReportHandIn.is_late)).all()
        assert sorted(hand_ins) == sorted(before)
        items = s.execute(select(MonthlyReportItem.report_id, MonthlyReportHandIn.report_id)
                          .join(MonthlyReportHandIn, MonthlyReportHandIn.id == MonthlyReportItem.hand_in_id,
                                isouter=True)).all()
        assert items and all(own == via for own, via in items)
