"""操作日志 page: lists the log newest first, filters narrow it, pages of 500 load on demand,
the detail shows before → after, integrity check and export run on the worker."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from conftest import type_text, wait_idle
from PySide6.QtCore import Qt
from sqlalchemy import text

from desktop.models import Town
from desktop.services import audit


def shown_in_host(qtbot, page, width=1080, height=740):
    """Show a page inside a host whose layout sets no size constraint (as the main window's stack);
    a top-level page would make the offscreen plugin warn about size hints."""
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


def add_towns(db) -> dict[str, int]:
    with db.session() as s:
        east, west = Town(name="东城街道", liaison_name="张三"), Town(name="西山镇")
        s.add_all([east, west])
        s.flush()
        ids = {"east": east.id, "west": west.id}
    with db.session() as s:
        s.get(Town, ids["east"]).liaison_name = "李四"
    return ids


@pytest.fixture
def page(qtbot, ctx):
    from desktop.views.audit.audit_view import AuditPage

    p = AuditPage(ctx)
    host = shown_in_host(qtbot, p)
    yield p
    host.close()


def rows(page) -> list[tuple[str, ...]]:
    m = page.model
    return [tuple(m.index(r, c).data() for c in range(m.columnCount())) for r in range(m.rowCount())]


def test_lists_every_record_newest_first_in_chinese(qtbot, ctx, db, page):
    add_towns(db)
    page.activate()
    wait_idle(qtbot, ctx)
    shown = rows(page)
    assert len(shown) == audit.count(db)
    assert shown[0][2:] == ("修改", "成功", "镇街", "东城街道")
    assert shown[-1][2] == "初始化"
    assert page.count_label.text() == f"共 {audit.count(db)} 条"
    newest = audit.list_entries(db, limit=1)[0]
    assert shown[0][0] == audit.to_local(newest.at).strftime("%Y-%m-%d %H:%M:%S")


def test_object_type_and_search_filters_narrow_the_list(qtbot, ctx, db, page):
    add_towns(db)
    page.activate()
    wait_idle(qtbot, ctx)
    idx = page.type_combo.findData("town")
    assert page.type_combo.itemText(idx) == "镇街"
    page.type_combo.setCurrentIndex(idx)
    wait_idle(qtbot, ctx)
    assert {r[4] for r in rows(page)} == {"镇街"} and len(rows(page)) == 3
    page.action_combo.setCurrentIndex(page.action_combo.findData("create"))
    wait_idle(qtbot, ctx)
    assert len(rows(page)) == 2
    page.search.setText("西山")
    qtbot.waitUntil(lambda: len(rows(page)) == 1 and rows(page)[0][5] == "西山镇")
    wait_idle(qtbot, ctx)
    assert page.count_label.text() == "共 1 条"
    page.clear_filters()
    wait_idle(qtbot, ctx)
    assert len(rows(page)) == audit.count(db)


def test_date_range_outside_the_records_shows_nothing(qtbot, ctx, db, page):
    add_towns(db)
    page.activate()
    wait_idle(qtbot, ctx)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    start = yesterday - dt.timedelta(days=5)
    type_text(qtbot, page.from_edit.edit, f"{start.year}.{start.month}.{start.day}")
    type_text(qtbot, page.to_edit.edit, f"{yesterday.year}年{yesterday.month}月{yesterday.day}日")
    qtbot.waitUntil(lambda: page.model.filter.until == yesterday)
    wait_idle(qtbot, ctx)
    assert page.model.rowCount() == 0
    page.to_edit.edit.clear()
    type_text(qtbot, page.to_edit.edit, dt.date.today().strftime("%Y%m%d"))
    qtbot.waitUntil(lambda: page.model.filter.until == dt.date.today())
    wait_idle(qtbot, ctx)
    assert page.model.rowCount() == audit.count(db)


def test_a_bad_date_is_shown_at_the_filter_and_the_list_stays(qtbot, ctx, db, page):
    add_towns(db)
    page.activate()
    wait_idle(qtbot, ctx)
    before = page.model.rowCount()
    type_text(qtbot, page.from_edit.edit, "2024.13.1")
    page.apply_filters()
    wait_idle(qtbot, ctx)
    assert "起始日期" in page.date_error.text() and page.model.rowCount() == before
    assert page.model.filter.since is None


def test_fetch_more_pages_beyond_500_records(qtbot, ctx, db):
    from desktop.views.audit.audit_view import PAGE_SIZE, AuditPage

    with db.session() as s:
        for i in range(1200):
            audit.record(s, "导入", "target", i, label=f"企业{i:04d}")
    total = audit.count(db)
    p = AuditPage(ctx)  # not shown, so only explicit fetchMore loads pages
    qtbot.addWidget(p)
    p.activate()
    wait_idle(qtbot, ctx)
    m = p.model
    assert m.rowCount() == PAGE_SIZE and m.canFetchMore()
    assert p.count_label.text().startswith(f"共 {total} 条，已载入 {PAGE_SIZE} 条")
    m.fetchMore()
    assert not m.canFetchMore()  # one page at a time
    wait_idle(qtbot, ctx)
    assert m.rowCount() == 2 * PAGE_SIZE
    while m.canFetchMore():
        m.fetchMore()
        wait_idle(qtbot, ctx)
    assert m.rowCount() == total
    ids = [m.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(m.rowCount())]
    assert ids == sorted(set(ids), reverse=True)
    assert m.index(0, 5).data() == "企业1199"


def test_scrolling_to_the_bottom_loads_the_next_page(qtbot, ctx, db, page):
    from desktop.views.audit.audit_view import PAGE_SIZE

    with db.session() as s:
        for i in range(700):
            audit.record(s, "导入", "target", i, label=f"企业{i:04d}")
    page.activate()
    wait_idle(qtbot, ctx)
    assert page.model.rowCount() == PAGE_SIZE
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() == audit.count(db))


def test_detail_shows_before_and_after_of_the_selected_record(qtbot, ctx, db, page):
    add_towns(db)
    page.activate()
    wait_idle(qtbot, ctx)
    page.table.selectRow(0)  # the newest: 东城街道's liaison changed
    cm = page.changes_model
    shown = [tuple(cm.index(r, c).data() for c in range(3)) for r in range(cm.rowCount())]
    assert shown == [("联络人", "张三", "李四")]
    assert "修改" in page.detail_title.text() and "东城街道" in page.detail_title.text()
    page.table.selectRow(1)  # 西山镇 created: every field after, nothing before
    created = {cm.index(r, 0).data(): (cm.index(r, 1).data(), cm.index(r, 2).data()) for r in range(cm.rowCount())}
    assert created["名称"] == ("", "西山镇") and created["启用"] == ("", "是")


def test_table_models_pass_the_model_tester(qtbot, qtmodeltester, ctx, db, page):
    add_towns(db)
    page.activate()
    wait_idle(qtbot, ctx)
    qtmodeltester.check(page.model)
    page.table.selectRow(1)
    assert page.changes_model.rowCount() > 3
    qtmodeltester.check(page.changes_model)


def test_integrity_check_reports_intact_log_and_then_the_tampered_record(qtbot, ctx, db, page):
    add_towns(db)
    page.activate()
    wait_idle(qtbot, ctx)
    page.verify_btn.click()
    wait_idle(qtbot, ctx)
    assert page.status_label.text() == f"日志完整，共{audit.count(db)}条　链尾校验码 {audit.head_short_hash(db)}"
    victim = audit.list_entries(db, object_type="town", action="update")[0].id
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")  # someone with the file drops the guard first
        conn.execute(text("UPDATE audit_log SET object_label = '改过的' WHERE id = :id"), {"id": victim})
    page.verify_btn.click()
    wait_idle(qtbot, ctx)
    assert "校验失败" in page.status_label.text() and str(victim) in page.status_label.text()
    assert page.model.record(page.table.currentIndex().row()).id == victim  # the page jumps to it


def test_export_writes_the_filtered_rows(qtbot, ctx, db, page, tmp_path):
    add_towns(db)
    page.activate()
    wait_idle(qtbot, ctx)
    page.type_combo.setCurrentIndex(page.type_combo.findData("town"))
    wait_idle(qtbot, ctx)
    out = tmp_path / "日志.csv"
    page.export_to(out)
    wait_idle(qtbot, ctx)
    with open(out, encoding="utf-8-sig", newline="") as f:
        lines = list(csv.reader(f))
    assert len(lines) == 1 + 3 and {r[4] for r in lines[1:]} == {"镇街"}
    assert "已导出 3 条" in page.status_label.text()


def test_show_record_clears_filters_and_selects_it(qtbot, ctx, db, page):
    add_towns(db)
    page.activate()
    wait_idle(qtbot, ctx)
    page.type_combo.setCurrentIndex(page.type_combo.findData("year"))
    wait_idle(qtbot, ctx)
    first = min(r.id for r in audit.list_entries(db))
    page.show_record(first)
    wait_idle(qtbot, ctx)
    assert page.type_combo.currentData() is None
    assert page.model.record(page.table.currentIndex().row()).id == first


def test_new_records_appear_when_data_changes(qtbot, ctx, db, page):
    page.activate()
    wait_idle(qtbot, ctx)
    before = page.model.rowCount()
    add_towns(db)
    ctx.changed("town")
    wait_idle(qtbot, ctx)
    assert page.model.rowCount() == before + 3
    assert page.type_combo.findData("town") > 0


@pytest.mark.parametrize("typed", ["2024-3-5", "2024.3.5", "2024/3/5", "20240305", "2024年3月5日"])
def test_each_typed_date_form_filters_from_that_day(qtbot, ctx, db, page, typed):
    add_towns(db)
    page.activate()
    wait_idle(qtbot, ctx)
    type_text(qtbot, page.from_edit.edit, typed)
    qtbot.waitUntil(lambda: page.model.filter.since == dt.date(2024, 3, 5))
    wait_idle(qtbot, ctx)
    assert page.date_error.text() == "" and page.model.rowCount() == audit.count(db)  # every record is later


def test_opening_the_page_shows_the_verified_chain(qtbot, ctx, db, page):
    add_towns(db)
    page.activate()
    wait_idle(qtbot, ctx)
    assert page.status_label.text().startswith(f"日志完整，共{audit.count(db)}条")


def test_the_page_says_when_the_newest_records_were_deleted(qtbot, ctx, db, page):
    add_towns(db)
    last = audit.list_entries(db, limit=1)[0].id
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_log_no_delete")  # someone with the file drops the guard first
        conn.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": last})
    page.activate()
    wait_idle(qtbot, ctx)
    assert "最新的 1 条记录被删除" in page.status_label.text() and f"第 {last} 号" in page.status_label.text()


def test_the_page_says_when_this_pc_has_no_key(qtbot, ctx, db, page, tmp_path, monkeypatch):
    add_towns(db)
    monkeypatch.setenv("ZZB_CONFIG_DIR", str(tmp_path / "another-pc"))
    page.activate()
    wait_idle(qtbot, ctx)
    assert "本机没有此台账的审计密钥" in page.status_label.text()


def test_exporting_a_period_writes_its_records_and_logs_the_export(qtbot, ctx, db, page, tmp_path):
    from openpyxl import load_workbook

    add_towns(db)
    page.activate()
    wait_idle(qtbot, ctx)
    today = db.today()
    page.from_edit.set_value(today)
    page.to_edit.set_value(today)
    wait_idle(qtbot, ctx)
    n = audit.count(db)
    out = tmp_path / "period.xlsx"
    page.export_to(out)
    wait_idle(qtbot, ctx)
    assert len(list(load_workbook(out, read_only=True).active.iter_rows(values_only=True))) == n + 1
    last = audit.list_entries(db, limit=1)[0]
    assert last.action == "export" and last.object_label == f"操作日志（{today} 至 {today}）"
    assert last.after["count"] == n


def test_the_records_are_listed_while_the_chain_check_is_still_running(qtbot, ctx, db, page, monkeypatch):
    import threading

    from desktop.views.audit.audit_view import CHECKING_TEXT

    add_towns(db)
    release, real = threading.Event(), audit.check_chain

    def slow_check(ledger, token=None):  # a million records: the check takes seconds
        assert release.wait(10)
        return real(ledger, token=token)

    monkeypatch.setattr(audit, "check_chain", slow_check)
    page.activate()
    qtbot.waitUntil(lambda: ctx.worker.lane_pending() == 0)  # the lane is free although the check goes on
    assert ctx.worker.pending() == 1 and page.model.rowCount() == audit.count(db)
    assert page.status_label.text() == CHECKING_TEXT and not page.verify_btn.isEnabled()
    release.set()
    wait_idle(qtbot, ctx)
    assert page.status_label.text().startswith(f"日志完整，共{audit.count(db)}条") and page.verify_btn.isEnabled()


def test_closing_the_window_cancels_a_running_check(qtbot, ctx, db, page, monkeypatch):
    import threading

    add_towns(db)
    started, seen = threading.Event(), []

    def waiting_check(ledger, token=None):
        started.set()
        while not token.cancelled:
            threading.Event().wait(0.01)
        seen.append("cancelled")
        token.check()

    monkeypatch.setattr(audit, "check_chain", waiting_check)
    page.activate()
    qtbot.waitUntil(started.is_set, timeout=10000)
    ctx.worker.stop()
    qtbot.waitUntil(lambda: seen == ["cancelled"])


def test_the_chain_check_starts_once_the_first_records_are_in(qtbot, ctx, db, page, monkeypatch):
    """The check (seconds on a city's log, beside the lane) waits for the lane's first answers, which it slowed
    down when started with them; 校验中… shows from the start."""
    from desktop.views.audit.audit_view import CHECKING_TEXT

    add_towns(db)
    order = []
    real = audit.check_chain
    monkeypatch.setattr(audit, "check_chain", lambda ledger, token=None: order.append("check") or real(ledger, token))
    page.model.page_loaded.connect(lambda: order.append("records"))
    page.activate()
    assert CHECKING_TEXT in page.status_label.text() and not page.verify_btn.isEnabled()
    wait_idle(qtbot, ctx)
    assert order[:2] == ["records", "check"] and page.verify_btn.isEnabled()
