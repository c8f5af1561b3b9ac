"""Issue 10, printing in the window: 任务分解表, the month's 核实表 and the quota ledger each have 打印… (打印预览 /
打印 / 另存为PDF) next to their Excel export, and print the document of what the page shows."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from conftest import wait_idle
from test_print_preview import sample_pdf

from desktop.services.documents import pdf_output

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

PAGES = {  # settings key: (module, page class, document function's name)
    "towns": ("desktop.views.towns.town_view", "TownPage", "task_table_pdf"),
    "reports": ("desktop.views.reports.report_view", "ReportPage", "verification_pdf"),
    "quota": ("desktop.views.quota.quota_view", "QuotaPage", "quota_ledger_pdf"),
}


def open_page(qtbot, ctx, key):
    module, cls, _fn = PAGES[key]
    page = getattr(importlib.import_module(module), cls)(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    page.activate()
    wait_idle(qtbot, ctx)
    return page


def expected(page, key):
    if key == "reports":
        return (2024, page._month)
    return (dt.date(2024, 6, 30),) if key == "quota" else (2024,)


@pytest.mark.parametrize("key", sorted(PAGES))
def test_page_prints_its_document_for_what_it_shows_next_to_its_export(qtbot, demo_ctx, tmp_path, key):
    page = open_page(qtbot, demo_ctx, key)
    action = page.print_actions[key]
    assert action.button.isVisible() and action.button.parentWidget() is page.export_button.parentWidget()
    assert [a.text() for a in action.button.menu().actions()] == ["打印预览…", "打印…", "另存为PDF…"]
    assert action.fn is getattr(pdf_output, PAGES[key][2])  # table_docs loaded when printed
    if key == "quota":
        page.set_as_of(dt.date(2024, 6, 30))
        wait_idle(qtbot, demo_ctx)
    asked = []
    action.fn = lambda ledger, *args: asked.append(args) or sample_pdf()
    action.save_pdf_to(tmp_path / "out.pdf")
    wait_idle(qtbot, demo_ctx)
    assert asked == [expected(page, key)]
    assert (tmp_path / "out.pdf").read_bytes()[:5] == b"%PDF-"
    assert str(tmp_path / "out.pdf") in str(action.last_path)
