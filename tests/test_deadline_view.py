"""期限 page: every due item, red overdue and amber within 5 workdays, filters, as-of date, the banner;
and the 总览 page's deadline counts and next-year warning."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import wait_idle
from PySide6.QtCore import Qt
from sqlalchemy import select

from desktop.models import Agreement, MonthlyReport, Year
from desktop.models.enums import AgreementKind
from desktop.services.deadlines import deadline_service
from desktop.services.towns import town_service

D = dt.date
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture
def towns(db):
    ids = {name: town_service.create_town(db, name).id for name in ("甲镇", "乙镇")}
    with db.session() as s:
        year_id = s.scalar(select(Year.id).where(Year.year == 2024))
        s.add(MonthlyReport(town_id=ids["甲镇"], year_id=year_id, month=1, reported_on=D(2024, 1, 15)))
        s.add(Agreement(kind=AgreementKind.COOPERATION, town_id=ids["乙镇"], year_id=year_id, party_a="乙镇人民政府",
                        party_b="市城投集团", signed_on=D(2024, 2, 26)))
    return ids


@pytest.fixture
def page(qtbot, ctx, towns):
    from desktop.views.deadlines.deadline_view import DeadlinePage

    p = DeadlinePage(ctx)
    qtbot.addWidget(p)
    p.resize(1200, 700)
    p.show()
    p.set_as_of(D(2024, 3, 15))
    p.activate()
    wait_idle(qtbot, ctx)
    return p


def col(key):
    from desktop.views.deadlines.deadline_view import DeadlineModel

    return [k for k, _ in DeadlineModel.COLUMNS].index(key)


def cell(model, row, key, role=Qt.ItemDataRole.DisplayRole):
    return model.data(model.index(row, col(key)), role)


def table(model):
    return [(cell(model, r, "status"), cell(model, r, "kind"), cell(model, r, "town"), cell(model, r, "subject"))
            for r in range(model.rowCount())]


def test_deadline_model_passes_the_model_tester(qtmodeltester, db, towns):
    from desktop.views.deadlines.deadline_view import DeadlineModel

    model = DeadlineModel()
    model.set_rows(deadline_service.deadlines(db, as_of=D(2024, 3, 15)), D(2024, 3, 15))
    qtmodeltester.check(model)
    assert model.rowCount() > 0
    model.sort(col("due_date"), Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)


def test_overdue_rows_are_red_and_rows_within_5_workdays_amber(page):
    m = page.model
    statuses = [r.status for r in m.rows]
    assert "overdue" in statuses and "soon" in statuses
    for r, row in enumerate(m.rows):
        brush = cell(m, r, "subject", Qt.ItemDataRole.BackgroundRole)
        if row.status == "overdue":
            assert brush.color().name().lower() == "#f4c7c3"
        elif row.status == "soon":
            assert brush.color().name().lower() == "#ffe699"
        else:
            assert brush is None or row.status == "no_calendar"


def test_by_default_done_items_are_hidden_and_most_urgent_first(page):
    rows = table(page.model)
    assert all(s != "已完成" for s, *_ in rows)
    assert ("已逾期", "月度报送", "乙镇", "2024年1月完成情况报送") in rows
    assert ("已逾期", "月度报送", "甲镇", "2024年1月完成情况报送") not in rows  # reported on 15 Jan
    assert rows[0][0] == "已逾期"
    agreement = next(r for r in range(page.model.rowCount()) if cell(page.model, r, "kind") == "协议备案")
    assert cell(page.model, agreement, "due_date") == "2024-03-11" and cell(page.model, agreement, "status") == "已逾期"
    assert cell(page.model, agreement, "workdays_left") == "逾期 4 个工作日"


def test_the_counts_line_sums_up_the_filtered_rows(page):
    text = page.counts_label.text()
    assert "已逾期 4 项" in text and "5个工作日内到期 2 项" in text and "已完成 2 项" in text


def test_filters_by_town_kind_and_status(qtbot, page, towns):
    page.town_combo.setCurrentIndex(page.town_combo.findData(towns["甲镇"]))
    assert {cell(page.model, r, "town") for r in range(page.model.rowCount())} == {"甲镇"}
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("协议备案"))
    assert page.model.rowCount() == 0
    page.town_combo.setCurrentIndex(0)
    assert page.model.rowCount() == 1
    page.kind_combo.setCurrentIndex(0)
    page.status_combo.setCurrentIndex(page.status_combo.findText("已完成"))
    assert {cell(page.model, r, "status") for r in range(page.model.rowCount())} == {"已完成"}
    page.status_combo.setCurrentIndex(page.status_combo.findText("5个工作日内到期"))
    assert [cell(page.model, r, "subject") for r in range(page.model.rowCount())] == ["2024年3月完成情况报送"] * 2


def test_ctrl_f_goes_to_the_search_box_and_filters_the_text(qtbot, page):
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search.hasFocus()
    page.search.setText("城投")
    assert page.model.rowCount() == 1 and cell(page.model, 0, "kind") == "协议备案"


def test_sorting_by_due_date(page):
    page.table.sortByColumn(col("due_date"), Qt.SortOrder.AscendingOrder)
    dues = [cell(page.model, r, "due_date") for r in range(page.model.rowCount())]
    assert dues == sorted(dues)


def test_changing_the_as_of_date_recomputes(qtbot, page, ctx):
    page.set_as_of(D(2024, 1, 19))
    wait_idle(qtbot, ctx)
    rows = table(page.model)
    assert rows == [("即将到期", "月度报送", "乙镇", "2024年1月完成情况报送")]
    assert cell(page.model, 0, "workdays_left") == "0 个工作日"  # due Saturday the 20th


def test_the_banner_warns_from_november_when_next_year_is_missing(qtbot, page, ctx):
    assert not page.banner.isVisible()
    page.set_as_of(D(2026, 11, 2))
    wait_idle(qtbot, ctx)
    assert page.banner.isVisible() and "2027年节假日安排尚未录入" in page.banner.text()


def test_a_row_that_needs_a_missing_year_shows_the_note(qtbot, page, ctx, db, towns):
    with db.session() as s:
        year_id = s.scalar(select(Year.id).where(Year.year == 2024))
        s.add(Agreement(kind=AgreementKind.LAND_BANKING, town_id=towns["甲镇"], year_id=year_id,
                        signed_on=D(2026, 12, 24)))
    ctx.changed("agreement")
    page.set_as_of(D(2026, 12, 28))
    wait_idle(qtbot, ctx)
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("协议备案"))
    r = next(i for i in range(page.model.rowCount()) if "收储协议" in cell(page.model, i, "subject"))
    assert cell(page.model, r, "status") == "无法计算" and cell(page.model, r, "due_date") == "—"
    assert "2027年的节假日安排尚未录入" in cell(page.model, r, "note")


def test_a_change_elsewhere_refreshes_the_page(qtbot, page, ctx, db, towns):
    with db.session() as s:
        year_id = s.scalar(select(Year.id).where(Year.year == 2024))
        s.add(MonthlyReport(town_id=towns["乙镇"], year_id=year_id, month=1, reported_on=D(2024, 1, 30)))
    ctx.changed("monthly_report")
    wait_idle(qtbot, ctx)
    assert ("已逾期", "月度报送", "乙镇", "2024年1月完成情况报送") not in table(page.model)


def test_the_page_says_the_agreement_term_is_the_offices_practice(page):
    assert "惯例" in page.legend.text() and "10个工作日" in page.legend.text()


# ---- 总览 ------------------------------------------------------------------------------------------

def test_the_dashboard_shows_the_counts_and_the_next_year_warning(qtbot, ctx, towns, monkeypatch):
    from desktop.services.dashboard import dashboard_service
    from desktop.views.dashboard.dashboard_view import DashboardPage

    real = dashboard_service.summary
    monkeypatch.setattr(dashboard_service, "summary",
                        lambda db, year, *a, **k: real(db, year, *a, **{**k, "today": D(2026, 11, 2)}))
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    page.activate()
    wait_idle(qtbot, ctx)
    s = page.summary
    assert s.deadlines_overdue > 0
    text = page.deadline_label.text()
    assert f"逾期 {s.deadlines_overdue} 项" in text and f"5个工作日内到期 {s.deadlines_soon} 项" in text
    assert page.calendar_banner.isVisible() and "2027年节假日安排尚未录入" in page.calendar_banner.text()


def test_a_typed_as_of_date_recomputes_and_a_bad_one_is_kept_out(qtbot, page, ctx):
    from conftest import type_text

    edit = page.as_of_edit.field.edit
    edit.clear()
    type_text(qtbot, edit, "2024年1月19日")
    wait_idle(qtbot, ctx)
    assert page.as_of == D(2024, 1, 19) and "截至 2024-01-19" in page.counts_label.text()
    edit.clear()
    qtbot.keyClicks(edit, "2024.13.1")
    wait_idle(qtbot, ctx)
    assert page.as_of == D(2024, 1, 19) and not page.as_of_edit.field.check()


def test_sorting_by_workdays_puts_the_uncountable_last(qtbot, page, ctx, db, towns):
    with db.session() as s:
        year_id = s.scalar(select(Year.id).where(Year.year == 2024))
        s.add(Agreement(kind=AgreementKind.LAND_BANKING, town_id=towns["甲镇"], year_id=year_id,
                        signed_on=D(2026, 12, 24)))
    ctx.changed("agreement")
    page.set_as_of(D(2026, 12, 28))
    wait_idle(qtbot, ctx)
    page.status_combo.setCurrentIndex(page.status_combo.findText("全部"))
    page.table.sortByColumn(col("workdays_left"), Qt.SortOrder.AscendingOrder)
    assert page.model.rows[-1].workdays_left is None and page.model.rows[0].workdays_left is not None


def test_one_pass_filters_list_and_count_what_the_old_filters_did(qtbot, demo_ctx):
    """apply_filters walks the loaded rows once (counts and list together, search texts made once per load, the
    service's order kept, a stopped town still listed while it has rows): on the sample city every combination
    of town, kind, status and words lists the rows, and counts the statuses, the filters before did."""
    from desktop.views.deadlines.deadline_view import STATUS_FILTERS, DeadlinePage

    page = DeadlinePage(demo_ctx)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    wait_idle(qtbot, demo_ctx)
    rows = page.all_rows
    assert len(rows) > 100
    some_town = next(r for r in rows if r.status != deadline_service.DONE).town_id
    some_word = next(r for r in rows if r.town_id == some_town).town
    checked = 0
    for town_index in (0, page.town_combo.findData(some_town)):
        for kind_index in (0, page.kind_combo.findData(deadline_service.KIND_AGREEMENT)):
            for status_index in range(len(STATUS_FILTERS)):
                for text in ("", some_word, "备案 签订", "无此词"):
                    page.town_combo.setCurrentIndex(town_index)
                    page.kind_combo.setCurrentIndex(kind_index)
                    page.status_combo.setCurrentIndex(status_index)
                    page.search.setText(text)
                    town_id, kind = page.town_combo.currentData(), page.kind_combo.currentData()
                    base = [r for r in rows if (town_id is None or r.town_id == town_id)
                            and (kind is None or r.kind == kind)
                            and all(w in f"{r.subject} {r.town} {r.note} {r.kind}" for w in text.split())]
                    old = sorted((r for r in base if r.status in STATUS_FILTERS[status_index][1]),
                                 key=deadline_service.sort_key)
                    assert page.model.rows == old
                    counts = page.counts_label.text()
                    for status, label in ((deadline_service.OVERDUE, "已逾期"), (deadline_service.OK, "未到期"),
                                          (deadline_service.DONE, "已完成")):
                        assert f"{label} {sum(1 for r in base if r.status == status)} 项" in counts
                    assert f"（列出 {len(old)} 项）" in counts
                    checked += bool(old)
    assert checked > 10


def test_a_stopped_town_stays_in_the_town_filter_only_while_it_has_rows(qtbot, page, db, towns, ctx):
    empty = town_service.create_town(db, "丙镇").id
    town_service.set_active(db, towns["乙镇"], False)  # still has its agreement's filing duty
    town_service.set_active(db, empty, False)
    page.refresh()
    wait_idle(qtbot, ctx)
    listed = {page.town_combo.itemData(i): page.town_combo.itemText(i) for i in range(1, page.town_combo.count())}
    assert listed == {towns["甲镇"]: "甲镇", towns["乙镇"]: "乙镇（已停用）"}
