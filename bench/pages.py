"""Every page of the window measured on the five-year city (bench/city.py).

    .venv/bin/python bench/pages.py            (offscreen; or under xvfb-run -a)

First logs in as the city's administrator (ZZB_USER, else cityadmin, with the password from ZZB_PASSWORD:
see bench/city.py), checking the account without writing to the cached city. Then opens the real window
(desktop/app.make_application + make_window, its own worker lane and a throw-away settings file) on a
role-None ledger — the trusted in-process caller, which sees every page (a system administrator's window
shows only the administration pages), with the idle lock's input watch a logged-in window runs, after what the
login dialog prepares while the password is typed (the first screen's modules) — and for each
page of the sidebar, in order:
- first_screen_ms: from choosing the page in the sidebar (building it on first visit) until its lane is idle — every
  answer of its first queries delivered — and the window has painted what changed. The dashboard opens with the window,
  so its figure covers building the window too. Work a page runs beside the lane (Worker.run_aside: the
  操作日志 page's check of the whole audit chain, whose state the page shows as 校验中… meanwhile) is not
  part of the first screen: it is measured apart, as
- chain_check_ms: from asking for the page until that work's answer is shown too (printed for a page that
  starts such work; the GUI timer keeps running meanwhile, so its stalls count in max_stall_ms);
- refresh_ms: the same after a data_changed of everything (what a write elsewhere sends);
- first_cpu_ms / refresh_cpu_ms: the process's CPU time over the same spans (both threads), which a busy
  machine inflates far less than the clock;
- max_stall_ms: the longest gap between two ticks of a 10 ms QTimer on the GUI thread while the page opens
  and refreshes (10 when nothing ever blocks the thread);
- stall_gui_cpu_ms / stall_lane_cpu_ms: the CPU time the GUI thread and the lane spent in that longest gap
  (Linux; 0 where the lane's clock cannot be read): a gap much longer than both was the machine's other
  processes, one near their sum was the two threads taking turns with the interpreter.
Baselines measured in the same run: a bare page (a QTableView over 100 rows of a QStandardItemModel) shown
the same way, and the timer's longest gap while the window sits idle (what the machine's load alone costs).
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TICK_MS = 10


def _lane_clock():
    """The CPU clock of the window's lane thread (Linux: read from this thread), or None."""
    import threading

    getclock = getattr(time, "pthread_getcpuclockid", None)
    lane = next((t for t in threading.enumerate() if t.name == "db-lane"), None)
    return getclock(lane.ident) if getclock and lane is not None else None


class StallMeter:
    """The longest gap between ticks of a 10 ms timer on the GUI thread, since start(); and in that gap, the
    CPU time the GUI thread itself and the lane spent (what a gap was made of: the GUI thread's own work, the
    lane's work holding the interpreter, or, if neither, the machine's other processes)."""

    def __init__(self):
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.last = self.worst = 0.0
        self.worst_cpu = (0.0, 0.0)  # (GUI thread, lane) CPU seconds in the worst gap
        self._clock = None

    def _cpu(self) -> tuple[float, float]:
        if self._clock is None:
            self._clock = _lane_clock()
        return time.thread_time(), (time.clock_gettime(self._clock) if self._clock is not None else 0.0)

    def start(self) -> None:
        self.last, self.worst, self.worst_cpu = time.perf_counter(), 0.0, (0.0, 0.0)
        self.last_cpu = self._cpu()
        self.timer.start()

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), self._cpu()
        if now - self.last > self.worst:
            self.worst = now - self.last
            self.worst_cpu = (cpu[0] - self.last_cpu[0], cpu[1] - self.last_cpu[1])
        self.last, self.last_cpu = now, cpu

    def stop(self) -> float:
        self._tick()  # a stall still going on when the measure ends counts too
        self.timer.stop()
        return self.worst * 1000

    def stall_cpu_text(self) -> str:
        gui, lane = self.worst_cpu
        return f"stall_gui_cpu_ms={gui * 1000:.0f} stall_lane_cpu_ms={lane * 1000:.0f}"


def run_until(done, timeout_s: float = 60.0, worker=None) -> bool:
    """Run the event loop (timers and all) until done() holds; False on timeout.

    With the window's `worker`, the loop sleeps until a job's answer (or a step a page put off) has been handed
    back and done() holds: it is asked after each. Without, done() is polled every millisecond — which wakes the
    GUI thread that often and takes the interpreter from the lane meanwhile, so a page's first screen is not
    waited for that way."""
    from PySide6.QtCore import QEventLoop, QTimer

    if done():
        return True
    loop = QEventLoop()
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    if worker is None:
        poll = QTimer()
        poll.setInterval(1)
        poll.timeout.connect(lambda: loop.quit() if done() else None)
        poll.start()
        loop.exec()
        poll.stop()
        return done()
    finished = worker._finished  # every answer and put-off step ends there (kit/worker.py)

    def handed_back(*args) -> None:
        finished(*args)
        if done():
            loop.quit()

    worker._finished = handed_back
    try:
        loop.exec()
    finally:
        del worker._finished  # the class's own again
    return done()


def settled(window, meter: StallMeter, start: float, *, aside: bool = False) -> float:
    """ms from `start` until the window's lane is idle (with `aside`: the work beside it finished too) and the
    window has painted what changed: turns of the event loop, as Qt runs them, until one passes without a
    layout, a paint or a queued call (a chart lays itself out and is drawn a few turns after its data is set).
    A forced repaint of the whole window instead would draw everything again (~10 ms at 1366×768) inside the
    stall the page is measured by, and could end the measure before a chart's own paint."""
    from PySide6.QtCore import QCoreApplication

    worker = window.ctx.worker
    if not run_until(lambda: (worker.pending() if aside else worker.lane_pending()) == 0, worker=worker):
        raise SystemExit("benchmark: a page's queries did not finish within a minute")
    app = QCoreApplication.instance()
    activity = _activity_class()(app)
    app.installEventFilter(activity)
    try:
        for _turn in range(50):
            activity.seen = False
            QCoreApplication.processEvents()
            if not activity.seen:
                break
    finally:
        app.removeEventFilter(activity)
    return (time.perf_counter() - start) * 1000


@functools.cache
def _activity_class():
    """Made on first use: this module imports Qt only inside its functions."""
    from PySide6.QtCore import QEvent, QObject

    drawing = {QEvent.Type.Paint, QEvent.Type.UpdateRequest, QEvent.Type.LayoutRequest, QEvent.Type.MetaCall}

    class Activity(QObject):
        """Notes whether a turn of the event loop laid out, painted or ran a queued call."""
        seen = False

        def eventFilter(self, _obj, event) -> bool:
            if event.type() in drawing:
                self.seen = True
            return False

    return Activity


def cpu_ms(since: float) -> float:
    """CPU time of this process (GUI thread and lane together) since `since`: steadier than the clock on a
    busy machine."""
    return (time.process_time() - since) * 1000


def bare_page_ms(window) -> float:
    """Baseline: a bare table page (100 rows, no database) shown in the window's stack the same way."""
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QTableView

    shown = window.stack.currentIndex()
    t = time.perf_counter()
    model = QStandardItemModel(100, 8)
    for r in range(100):
        for c in range(8):
            model.setItem(r, c, QStandardItem(f"{r}-{c}"))
    view = QTableView()
    view.setModel(model)
    window.stack.addWidget(view)
    window.stack.setCurrentWidget(view)
    window.repaint()
    ms = (time.perf_counter() - t) * 1000
    window.stack.removeWidget(view)
    window.stack.setCurrentIndex(shown)  # the page shown before stays visible (its refresh is measured next)
    view.deleteLater()
    return ms


def check_login(db_path: Path) -> None:
    """The city's administrator logs in (read-only: no bookkeeping written into the cached city)."""
    from city import ADMIN_NAME

    from desktop.services.accounts import accounts_service
    from desktop.services.errors import UserError
    from desktop.services.ledger import open_ledger

    name, password = os.environ.get("ZZB_USER") or ADMIN_NAME, os.environ.get("ZZB_PASSWORD")
    if not password:
        raise SystemExit("pages: set ZZB_PASSWORD (and ZZB_USER unless the account is cityadmin) to log in to the city")
    ledger = open_ledger(db_path)
    try:
        acting = accounts_service.login_read_only(ledger, name, password)
    except UserError as exc:
        raise SystemExit(f"pages: {name} cannot log in to {db_path.name}: {exc}") from None
    finally:
        ledger.dispose()
    print(f"login: {acting.user} ({acting.role.label}, password from ZZB_PASSWORD); pages measured as role None")


def measure(db_path: Path, only: list[str] | None = None) -> list[tuple[str, str, float, float, float]]:
    from PySide6.QtCore import QSettings

    from desktop.app import make_application, make_window
    from desktop.services.db import open_database

    make_application()
    from desktop.services import preload
    from desktop.views.accounts.lock_screen import IdleWatch
    from desktop.views.pages import preload_first_page

    # What the login dialog does while the clerk types the password (views/accounts/session.py), before the
    # window exists: the first screen's services imported (on its lane there) and its page's modules.
    preload.first_screen_services()
    preload_first_page()

    idle_watch = IdleWatch(600_000)  # what a logged-in window runs for its idle lock (filters the windows' input)
    database = open_database(db_path)
    settings_file = Path(tempfile.mkdtemp(prefix="zzb-pages-")) / "settings.ini"
    settings = QSettings(str(settings_file), QSettings.Format.IniFormat)
    meter = StallMeter()
    rows = []

    meter.start()
    t, c = time.perf_counter(), time.process_time()
    window = make_window(database, settings)
    window.resize(1366, 768)
    window.show()
    first = settled(window, meter, t)
    first_cpu = cpu_ms(c)
    try:
        idle = StallMeter()
        idle.start()
        run_until(lambda: False, 0.5)
        idle_stall = idle.stop()
        bare = bare_page_ms(window)
        for i, spec in enumerate(window._specs):
            if only and spec.key not in only:
                continue
            if i > 0:
                meter.start()
                t, c = time.perf_counter(), time.process_time()
                window.nav.setCurrentRow(i)  # as a clerk chooses it in the sidebar
                first = settled(window, meter, t)
                first_cpu = cpu_ms(c)
            aside = ""
            if window.ctx.worker.pending():
                aside = f" chain_check_ms={settled(window, meter, t, aside=True):.0f}"
            t, c = time.perf_counter(), time.process_time()
            window.ctx.changed()
            refresh = settled(window, meter, t)
            refresh_cpu = cpu_ms(c)
            rows.append((spec.key, spec.title, first, refresh, meter.stop()))
            print(f"page: name={spec.key} first_screen_ms={first:.0f} refresh_ms={refresh:.0f} "
                  f"max_stall_ms={rows[-1][4]:.0f} first_cpu_ms={first_cpu:.0f} refresh_cpu_ms={refresh_cpu:.0f} "
                  f"{meter.stall_cpu_text()}{aside}  ({spec.title})", flush=True)
    finally:
        settings.clear()
        idle_watch.stop()
        window.close()
        window.ctx.worker.stop()
        database.dispose()
    worst_first = max(r[2] for r in rows)
    worst_stall = max(r[4] for r in rows)
    print(f"baseline: bare_page_ms={bare:.0f} idle_stall_ms={idle_stall:.0f}")
    print(f"pages: worst_first_screen_ms={worst_first:.0f} worst_stall_ms={worst_stall:.0f} "
          f"(ratio to bare page {worst_first / max(bare, 1):.1f}; goals 200 and 50)")
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description="every page measured on the five-year city")
    ap.add_argument("--db", type=Path, help="a ledger file (default: the cached five-year city)")
    ap.add_argument("--page", action="append", help="only this page key (repeatable)")
    ap.add_argument("--enterprises", type=int, default=100_000)
    args = ap.parse_args()
    if args.db is None:
        from city import describe, ensure_city

        args.db = ensure_city(enterprises=args.enterprises)
        print(describe(args.db))
    check_login(args.db)
    measure(args.db, args.page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
