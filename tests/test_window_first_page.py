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
    assert isinstance(page, DashboardPage)
    wait_idle(qtbot, window.ctx)  # and shown on a later turn
    assert window.stack.currentWidget().widget() is page
    assert page.stack.currentWidget() is page.empty  # and it loaded: the fresh ledger has no towns


def test_asking_for_the_first_page_before_then_builds_it_once(qtbot, opened):
    window = opened()
    assert window.current_page() is None
    page = window.page("dashboard")
    assert window.current_page() is page
    qtbot.wait(50)  # the deferred build has had its turn
    assert window.current_page() is page and window.page("dashboard") is page


def test_waiting_for_the_lane_waits_for_the_put_off_page_and_its_queries(qtbot, opened):
    """The first page's turn counts as the lane's pending work: a wait for the lane to settle (wait_idle, the
    page benchmark) ends only once the page is built and its first queries answered."""
    window = opened()
    assert window.current_page() is None and window.ctx.worker.lane_pending() >= 1
    wait_idle(qtbot, window.ctx)
    page = window.current_page()
    assert page is not None and window.ctx.worker.pending() == 0
    assert page.stack.currentWidget() is page.empty  # its summary was answered before the wait ended


def test_a_put_off_turn_is_dropped_with_its_window(qtbot):
    """Worker.later runs nothing for a context already deleted, and stop() forgets it (nothing waits forever)."""
    from PySide6.QtCore import QObject

    from desktop.views.kit.worker import Worker

    worker = Worker()
    ran = []
    gone = QObject()
    worker.later(gone, lambda: ran.append("gone"))
    assert worker.pending() == 1
    del gone  # deleted before the event loop's next turn: its job is forgotten
    assert worker.pending() == 0
    kept = QObject()
    worker.later(kept, lambda: ran.append("kept"))
    qtbot.waitUntil(lambda: "kept" in ran)
    assert ran == ["kept"]
    worker.later(kept, lambda: ran.append("after stop"))
    worker.stop()
    qtbot.wait(20)
    assert ran == ["kept"] and worker.pending() == 0


def test_a_page_chosen_in_the_sidebar_takes_three_short_turns(qtbot, opened):
    """A first visit from the sidebar imports the page's modules, builds the page on the next turn of the event
    loop and raises and loads it on the one after (three short freezes, not one long); a wait for the lane
    waits for all of it. Choosing another page in between shows that one and the first goes no further; the
    page asked for by code (page()) is built and shown at once."""
    import sys

    window = opened()
    window.show()
    wait_idle(qtbot, window.ctx)
    keys = [s.key for s in window._specs]
    towns, parks = keys.index("towns"), keys.index("parks")
    window.nav.setCurrentRow(towns)
    assert "desktop.views.towns.town_view" in sys.modules and towns not in window._pages
    assert window.ctx.worker.lane_pending() >= 1
    qtbot.waitUntil(lambda: towns in window._pages)
    built = window._pages[towns]
    wait_idle(qtbot, window.ctx)
    assert window.stack.currentWidget().widget() is built and window.current_page() is built

    window.nav.setCurrentRow(parks)  # imported, and before its next turn comes …
    window.nav.setCurrentRow(towns)  # … the clerk goes back: the built page shows at once
    assert window.stack.currentWidget().widget() is built
    wait_idle(qtbot, window.ctx)
    assert window.stack.currentWidget().widget() is built and parks not in window._pages
    assert window.page("parks") is window.stack.currentWidget().widget()
    units = window.page("units")  # by code: built and shown on the spot
    assert window.stack.currentWidget().widget() is units and window.current_page() is units


def test_steps_put_off_let_the_timers_already_due_run_between_them(qtbot):
    """Worker.later runs after the timers already due: two steps put off one after the other are two freezes
    with a due timer's tick between them, not one (a zero timer ran them back to back)."""
    import time

    from PySide6.QtCore import QObject, QTimer

    from desktop.views.kit.worker import Worker

    worker = Worker()
    owner = QObject()
    order = []
    tick = QTimer()
    tick.setInterval(5)
    tick.timeout.connect(lambda: order.append("tick"))
    tick.start()

    def step(n):
        time.sleep(0.02)  # a step longer than the timer's interval: the tick is due when it ends
        order.append(f"step {n}")
        if n == 1:
            worker.later(owner, lambda: step(2))

    qtbot.wait(20)
    order.clear()
    worker.later(owner, lambda: step(1))
    qtbot.waitUntil(lambda: "step 2" in order)
    tick.stop()
    worker.stop()
    first, second = order.index("step 1"), order.index("step 2")
    assert "tick" in order[first + 1:second]
