"""总览: the dashboard service arranges progress_service's figures (no Qt), and the page shows them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from desktop.models import ContiguousArea, GovernanceList, ListEntry, Target, Town, TownTarget, Year
from desktop.models.enums import Category, EntryState, Method, ParkStatus, TargetKind
from desktop.services import audit
from desktop.services.dashboard import dashboard_service
from desktop.services.towns import progress_service

D = Decimal


def make_small_city(db, year: int = 2024) -> dict[str, int]:
    """Two towns with targets, one started park, and entries in several states."""
    with db.session() as s:
        year_id = s.scalar(select(Year.id).where(Year.year == year))
        east = Town(name="东城街道", sort_order=1)
        west = Town(name="西山镇", sort_order=2)
        s.add_all([east, west])
        s.flush()
        s.add_all([
            TownTarget(town_id=east.id, year_id=year_id, target_area_mu=D("100"), target_parks=1),
            TownTarget(town_id=west.id, year_id=year_id, target_area_mu=D("50"), target_parks=1),
        ])
        park = ContiguousArea(name="东城老工业区", town_id=east.id, area_mu=D("80"),
                              start_date=dt.date(year, 3, 1), status=ParkStatus.STARTED)
        idle = ContiguousArea(name="西山旧园区", town_id=west.id, area_mu=D("40"), status=ParkStatus.PLANNED)
        s.add_all([park, idle])
        s.flush()
        lists = {t.id: GovernanceList(town_id=t.id, year_id=year_id) for t in (east, west)}
        s.add_all(lists.values())
        s.flush()

        def entry(town, name, state, planned, verified=None, in_park=None, method=Method.LAND_BANKING):
            t = Target(kind=TargetKind.ENTERPRISE, name=name, town_id=town.id, category=Category.OTHER,
                       contiguous_area_id=in_park)
            s.add(t)
            s.flush()
            s.add(ListEntry(list_id=lists[town.id].id, target_id=t.id, planned_method=method,
                            planned_area_mu=D(planned), state=state, contiguous_area_id=in_park,
                            verified_area_mu=D(verified) if verified else None))

        entry(east, "甲厂", EntryState.VERIFIED, "30", verified="28", in_park=park.id)
        entry(east, "乙厂", EntryState.IN_PROGRESS, "20", in_park=park.id)
        entry(east, "丙厂", EntryState.DRAFT, "10")
        entry(east, "丁厂", EntryState.VERIFIED, "6", verified="6", method=Method.SELF_RENOVATION)
        entry(west, "戊厂", EntryState.APPROVED, "40")
        entry(west, "己厂", EntryState.CANCELLED, "5")
        entry(west, "庚厂", EntryState.VERIFIED, "12", verified="12")
        return {"east": east.id, "west": west.id}


# --- service (no Qt) -------------------------------------------------------------------------

def test_headline_figures_match_progress_service(db):
    make_small_city(db)
    progress = progress_service.year_progress(db, 2024)
    s = dashboard_service.summary(db, 2024)
    assert s.town_count == 2 and not s.is_empty
    assert s.city_target_mu == progress.city_target_mu == D("4000")
    assert s.verified_mu == progress.totals.verified_mu == D("40")  # 28 + 12; 技改 never counts
    assert s.completion_pct == progress.totals.completion_pct == D("1.00")
    assert s.listed_mu == progress.totals.listed_mu
    assert s.parks_started == progress.totals.parks_started == 1
    assert s.parks_target == progress.city_parks_target == 12
    assert s.share_min_pct == D("30")


def test_towns_below_contiguous_share_are_named(db):
    make_small_city(db)
    s = dashboard_service.summary(db, 2024)
    assert s.towns_below_share == ["西山镇"]  # 0 of 52 亩 in parks; 东城 has 50 of 60
    bars = {b.town: b for b in s.towns}
    assert list(bars) == ["东城街道", "西山镇"]
    assert (bars["东城街道"].target_mu, bars["东城街道"].listed_mu, bars["东城街道"].verified_mu) == (D("100"), D("60"), D("28"))
    assert bars["西山镇"].share_below_min and not bars["东城街道"].share_below_min


def test_entries_by_state_lists_every_state_in_life_order_with_zeros(db):
    make_small_city(db)
    s = dashboard_service.summary(db, 2024)
    assert [state for state, _ in s.entries_by_state] == list(EntryState)
    counts = dict(s.entries_by_state)
    assert counts[EntryState.VERIFIED] == 3 and counts[EntryState.DRAFT] == 1
    assert counts[EntryState.CANCELLED] == 1 and counts[EntryState.REPORTED] == 0
    assert s.entry_total == 7


def test_recent_changes_are_newest_first_with_chinese_labels(db):
    ids = make_small_city(db)
    with db.session() as s:
        s.get(Town, ids["west"]).liaison_name = "王五"
    s = dashboard_service.summary(db, 2024)
    assert len(s.recent) == dashboard_service.RECENT_LIMIT
    assert [r.id for r in s.recent] == sorted((r.id for r in s.recent), reverse=True)
    first = s.recent[0]
    assert (first.action, first.object_type, first.object_label) == ("修改", "镇街", "西山镇")
    assert first.id == audit.list_entries(db, limit=1)[0].id


def test_empty_database_is_reported_empty(db):
    s = dashboard_service.summary(db, 2024)
    assert s.is_empty and s.towns == [] and s.verified_mu == 0
    assert all(n == 0 for _, n in s.entries_by_state)
    assert s.recent  # the initialisation itself is in the log


# --- page (qtbot) ----------------------------------------------------------------------------

def shown_in_host(qtbot, page, width=1080, height=740):
    """Show a page inside a host window whose layout sets no size constraint, as the main window's
    stack does; a top-level page would make the offscreen plugin warn about size hints."""
    from PySide6.QtWidgets import QLayout, QVBoxLayout, QWidget

    host = QWidget()
    lay = QVBoxLayout(host)
    lay.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(page)
    qtbot.addWidget(host)
    host.resize(width, height)
    host.show()
    return host


@pytest.fixture
def dashboard(qtbot, ctx):
    from desktop.views.dashboard.dashboard_view import DashboardPage

    page = DashboardPage(ctx)
    host = shown_in_host(qtbot, page)
    yield page
    host.close()


def test_page_shows_figures_and_one_chart_category_per_town(qtbot, ctx, db, dashboard):
    from conftest import wait_idle
    from PySide6.QtCharts import QBarCategoryAxis, QBarSeries

    make_small_city(db)
    ctx.changed("town")  # what a write through the op bridge announces (the page asked as it was built)
    wait_idle(qtbot, ctx)
    assert dashboard.verified_value.text() == "40.00"
    assert "4,000.00" in dashboard.verified_caption.text()
    assert dashboard.parks_value.text() == "1 / 12"
    assert dashboard.share_value.text() == "1"
    assert "西山镇" in dashboard.share_value.toolTip() or "西山镇" in dashboard.share_caption.text()
    assert dashboard.completion_bar.value() == 1
    chart = dashboard.chart_view.chart()
    axis = next(a for a in chart.axes() if isinstance(a, QBarCategoryAxis))
    assert axis.categories() == ["东城街道", "西山镇"]
    series = next(s for s in chart.series() if isinstance(s, QBarSeries))
    assert [b.label() for b in series.barSets()] == ["任务目标", "列入清单", "已核实"]
    assert [series.barSets()[2].at(i) for i in range(2)] == [28.0, 12.0]
    assert dashboard.state_labels[EntryState.VERIFIED].text() == "3"
    assert dashboard.state_labels[EntryState.REPORTED].text() == "0"
    assert dashboard.stack.currentWidget() is dashboard.content


def test_empty_database_shows_the_friendly_empty_state(qtbot, ctx, dashboard):
    from conftest import wait_idle

    dashboard.activate()
    wait_idle(qtbot, ctx)
    assert dashboard.stack.currentWidget() is dashboard.empty
    assert "尚无镇街" in dashboard.empty_label.text()


def test_page_refreshes_when_data_changes(qtbot, ctx, db, dashboard):
    from conftest import wait_idle

    dashboard.activate()
    wait_idle(qtbot, ctx)
    make_small_city(db)
    ctx.changed("town")
    wait_idle(qtbot, ctx)
    assert dashboard.stack.currentWidget() is dashboard.content
    assert dashboard.verified_value.text() == "40.00"


def test_recent_changes_model_passes_the_model_tester(qtbot, qtmodeltester, ctx, db, dashboard):
    from conftest import wait_idle

    make_small_city(db)
    ctx.changed("town")
    wait_idle(qtbot, ctx)
    model = dashboard.recent_model
    assert model.rowCount() == dashboard_service.RECENT_LIMIT
    assert model.index(0, 2).data() in ("新增", "修改", "删除")
    qtmodeltester.check(model)


def test_double_clicking_a_recent_change_opens_it_in_the_log(qtbot, ctx, db):
    from conftest import wait_idle

    from desktop.views.main_window import MainWindow

    make_small_city(db)
    window = MainWindow(ctx, [2024])
    qtbot.addWidget(window)
    page = window.page("dashboard")
    wait_idle(qtbot, ctx)
    wanted = page.recent_model.record_id(3)
    page.recent_view.doubleClicked.emit(page.recent_model.index(3, 0))
    wait_idle(qtbot, ctx)
    log = window.page("audit")
    assert window.stack.currentWidget().widget() is log  # each page sits in a scroll area
    assert log.model.record(log.table.currentIndex().row()).id == wanted


def test_the_page_asks_for_its_summary_as_it_is_built_and_once(qtbot, ctx, db, monkeypatch):
    """The summary is asked for before the page's widgets are built (the lane reads while they are made), and
    showing the page then asks nothing more."""
    from conftest import wait_idle

    from desktop.views.dashboard import dashboard_view

    make_small_city(db)
    asked = []
    real = dashboard_view._summary
    monkeypatch.setattr(dashboard_view, "_summary", lambda ledger, year: asked.append(year) or real(ledger, year))
    page = dashboard_view.DashboardPage(ctx)
    assert ctx.worker.lane_pending() == 1
    host = shown_in_host(qtbot, page)
    page.activate()
    wait_idle(qtbot, ctx)
    assert asked == [ctx.year] and page.verified_value.text() == "40.00"
    host.close()


def test_the_summary_is_drawn_over_later_turns_and_a_newer_one_supersedes_the_steps_left(qtbot, ctx, db):
    """The figures on the answer's turn; the charts, then the latest 通报 and the deadlines, each on a later turn
    (one turn with their paint froze the GUI thread ~50 ms on a city); steps of a summary already replaced by
    a newer one do nothing."""
    import dataclasses

    from conftest import wait_idle

    from desktop.views.dashboard.dashboard_view import DashboardPage

    make_small_city(db)
    page = DashboardPage(ctx)
    host = shown_in_host(qtbot, page)
    page.activate()
    wait_idle(qtbot, ctx)
    calls = []

    def recorder(name):
        return lambda s: calls.append((name, s.year))

    page._build_chart = recorder("chart")
    page.city_curve.show_summary = recorder("curve")
    page.latest_bulletin.show_summary = recorder("bulletin")
    page._show_deadlines = recorder("deadlines")
    first = page.summary
    page._show(first)
    assert calls == [] and page.verified_value.text() == "40.00"
    qtbot.waitUntil(lambda: len(calls) >= 2)
    assert calls[:2] == [("chart", first.year), ("curve", first.year)]
    wait_idle(qtbot, ctx)
    assert [name for name, _ in calls] == ["chart", "curve", "bulletin", "deadlines"]
    calls.clear()
    newer = dataclasses.replace(first, year=first.year + 1)
    page._show(first)
    page._show(newer)
    wait_idle(qtbot, ctx)
    assert calls == [("chart", newer.year), ("curve", newer.year), ("bulletin", newer.year), ("deadlines", newer.year)]
    host.close()


def test_the_page_says_it_is_reading_until_its_first_figures_then_shows_them(qtbot, ctx, db):
    """Until the first figures are in, one line (no page of dashes drawn and then drawn again with the texts);
    the figures come in with the year's title and the page shows them."""
    from conftest import wait_idle

    from desktop.views.dashboard.dashboard_view import DashboardPage

    make_small_city(db)
    page = DashboardPage(ctx)
    host = shown_in_host(qtbot, page)
    assert page.stack.currentWidget() is page.loading and page.loading.text() == "正在读取…"
    page.activate()
    wait_idle(qtbot, ctx)
    assert page.stack.currentWidget() is page.content
    assert page.title.text() == f"{ctx.year}年度 工作总览" and page.verified_value.text() == "40.00"
    assert "逾期" in page.deadline_label.text() and "统计中" not in page.deadline_label.text()
    host.close()
