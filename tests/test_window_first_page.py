"""The window shows its frame first and builds its first page on the event loop's first turn (one long freeze
of the GUI thread was two); asking for that page meanwhile builds it at once, once."""

from __future__ import annotations

import pytest
from conftest import wait_idle
from PySide6.QtCore import QSettings


@pytest.fixture
def opened(qtbot, db, tmp_path):
    """Opens the window inside the test (pytest-qt runs the event loop between a fixture and its test)."""
    from desktop.app import make_window

    made = []

    def open_window():
        made.append(make_window(db, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)))
        qtbot.addWidget(made[-1])
        return made[-1]

    yield open_window
    for w in made:
        w.ctx.worker.stop()


def test_the_first_page_is_built_on_the_first_turn_of_the_event_loop(qtbot, opened):
    from desktop.views.dashboard.dashboard_view import DashboardPage

    window = opened()
    assert window.current_page() is None  # the frame alone: nothing of the page built yet
    qtbot.waitUntil(lambda: window.current_page() is not None)
    page = window.current_page()
    assert isinstance(page, DashboardPage) and window.stack.currentWidget().widget() is page
    wait_idle(qtbot, window.ctx)
    assert page.stack.currentWidget() is page.empty  # and it loaded: the fresh ledger has no towns


def test_asking_for_the_first_page_before_then_builds_it_once(qtbot, opened):
    window = opened()
    assert window.current_page() is None
    page = window.page("dashboard")
    assert window.current_page() is page
    qtbot.wait(50)  # the deferred build has had its turn
    assert window.current_page() is page and window.page("dashboard") is page
