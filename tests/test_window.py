"""The real window as a clerk meets it: on a 1366×768 laptop screen it fits, the columns that matter are
on screen, and opening a page never loads a heavy module (openpyxl, xlsxwriter, python_calamine,
reportlab) on the GUI thread. Run in a subprocess over the sample city (tests/window_probe.py), so the
test process's own imports do not count and the offscreen screen can be given its size."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSize

from desktop.views.main_window import first_geometry, pulled_back
from desktop.views.pages import page_specs

HERE = Path(__file__).parent
LAPTOP = (1366, 768)
# Pages of this work whose every shown column must be on screen at 1366×768.
FULLY_SHOWN = ("dashboard", "register", "towns", "parks", "lists", "landbank", "reports", "quota", "subsidy", "exams",
               "deadlines", "packets", "holidays", "year", "audit")


def run_probe(folder: Path, ledger: Path, screen: tuple[int, int]) -> dict:
    config = folder / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": screen[0],
                                               "height": screen[1], "logicalDpi": 96, "dpr": 1}]}))
    out = folder / "probe.json"
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", ZZB_DATA_DIR=str(folder / "data"))
    done = subprocess.run([sys.executable, str(HERE / "window_probe.py"), str(ledger), str(folder / "settings.ini"),
                           str(out)], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def probe(demo_template, tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("probe")
    ledger = shutil.copyfile(demo_template, folder / "demo.sqlite3")
    return run_probe(folder, Path(ledger), LAPTOP)


def test_every_page_opens_and_loads(probe):
    assert probe["failures"] == [] and set(probe["pages"]) == {s.key for s in page_specs()}


def test_the_window_fits_a_1366x768_screen_after_every_page_was_opened(probe):
    available = QRect(*probe["available"])
    assert (available.width(), available.height()) == LAPTOP
    assert available.contains(QRect(*probe["window"])), probe["window"]
    too_big = {key: p["window"] for key, p in probe["pages"].items() if not available.contains(QRect(*p["window"]))}
    assert too_big == {}


@pytest.mark.parametrize("key", FULLY_SHOWN)
def test_no_column_falls_off_the_right_at_1366x768(probe, key):
    page = probe["pages"][key]
    cut = {table: columns for table, columns in page["cut_off"].items() if columns}
    assert cut == {} and page["sideways"] == 0 and page["downwards"] == 0


@pytest.mark.parametrize("key", [s.key for s in page_specs()])
def test_opening_a_page_loads_no_heavy_module_on_the_gui_thread(probe, key):
    on_gui_thread = {name.partition(".")[0] for name, seen in probe["imports"].items()
                     if seen["main"] and seen["page"] == key}
    assert sorted(on_gui_thread) == []  # import it inside the lane job (the service function), not at the top


def test_heavy_modules_load_only_on_the_lane_or_before_any_page(probe):
    """Nothing heavy is imported on the GUI thread while the window starts (before the first page)."""
    assert sorted({n.partition(".")[0] for n, seen in probe["imports"].items()
                   if seen["main"] and seen["page"] is None}) == []


# The first window size and a remembered one (no screen needed) ----------------------------------------

def test_the_first_window_fits_a_laptop_screen_less_its_taskbar():
    available = QRect(0, 0, 1366, 728)  # 1366×768 less a 40 px taskbar
    rect = first_geometry(available)
    assert available.contains(rect) and rect.height() <= 728 - 2 * 24 and rect.width() >= 1300
    assert rect.center() == available.center()


def test_on_a_large_screen_the_first_window_has_the_preferred_size():
    rect = first_geometry(QRect(0, 0, 2560, 1400))
    assert rect.size() == QSize(1600, 1000)


def test_a_remembered_window_that_fits_stays_where_it_was():
    assert pulled_back(QRect(100, 50, 1000, 600), QRect(0, 0, 1366, 728)) == QRect(100, 50, 1000, 600)


@pytest.mark.parametrize("remembered", [QRect(2000, 100, 1200, 700),  # was on a second monitor, now gone
                                        QRect(-900, -300, 1000, 600),  # dragged off the top-left
                                        QRect(200, 100, 1580, 980)])   # from a larger screen
def test_a_remembered_window_off_the_screen_is_pulled_back(remembered):
    available = QRect(0, 0, 1366, 728)
    rect = pulled_back(remembered, available)
    assert available.contains(rect)
    assert rect.width() == min(remembered.width(), 1366) and rect.height() == min(remembered.height(), 728)


def test_the_main_window_restores_a_remembered_size_that_fits_and_pulls_back_one_that_does_not(qtbot, ctx):
    from desktop.views.main_window import MainWindow

    first = MainWindow(ctx, [2024])
    qtbot.addWidget(first)
    screen = first.screen().availableGeometry()
    assert screen.contains(first.frameGeometry())
    size = QSize(screen.width() // 2, screen.height() // 2)
    first.setGeometry(QRect(QPoint(screen.x() + 10, screen.y() + 40), size))
    first.close()  # the settings (ctx.settings) carry the geometry to the next window
    again = MainWindow(ctx, [2024])
    qtbot.addWidget(again)
    assert again.size() == size and again.x() == screen.x() + 10
    assert abs(again.y() - (screen.y() + 40)) <= 32  # Qt allows for a title bar the offscreen screen lacks
    again.setGeometry(QRect(QPoint(screen.right() + 500, 10), size))  # on a monitor since unplugged
    again.close()
    third = MainWindow(ctx, [2024])
    qtbot.addWidget(third)
    assert screen.contains(third.geometry()) and third.size() == size


def test_the_first_start_sample_data_loads_through_the_lane_and_every_page_hears_it(qtbot, ctx, monkeypatch):
    from conftest import wait_idle
    from PySide6.QtWidgets import QMessageBox

    from desktop.app import offer_sample_data
    from desktop.services.towns import town_service
    from desktop.views.main_window import MainWindow

    window = MainWindow(ctx, [2024])
    qtbot.addWidget(window)
    window.show()
    dashboard = window.page("dashboard")
    wait_idle(qtbot, ctx)
    assert dashboard.stack.currentWidget() is dashboard.empty
    heard = []
    ctx.data_changed.connect(heard.append)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    offer_sample_data(window)
    wait_idle(qtbot, ctx, timeout=120000)
    assert town_service.list_towns(ctx.ledger) and any({"town", "target"} <= tables for tables in heard)
    qtbot.waitUntil(lambda: dashboard.stack.currentWidget() is dashboard.content, timeout=10000)
    assert "示例数据已载入" in window.statusBar().currentMessage()


def test_the_window_process_hands_the_interpreter_to_the_gui_thread_quickly():
    """The GUI thread waits at most the switch interval for the interpreter while the lane runs Python: the
    program's application sets it to 1 ms (Python's default is 5), measured to shorten the page stalls. In a
    process of its own (the application's name, font and translator would stay in this one's)."""
    from desktop import app

    code = ("import sys; from desktop.app import make_application; "
            "print(sys.getswitchinterval()); make_application(); print(sys.getswitchinterval())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parent.parent, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    before, after = (float(x) for x in done.stdout.split())
    assert before == pytest.approx(0.005) and after == pytest.approx(app.SWITCH_INTERVAL_S) and after < before
