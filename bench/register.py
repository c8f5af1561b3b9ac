"""Register benchmark: start, first screen, search-as-you-type latency and memory over a big ledger.

    env -u PYTHONDONTWRITEBYTECODE .venv/bin/python -m compileall -q desktop   # as an installed program runs
    .venv/bin/python bench/register.py --enterprises 100000
    .venv/bin/python bench/register.py --enterprises 1000000               # builds once in several minutes

Builds (or reuses, migrated to the program's revision first) a database of N objects with `zzb demo`,
then measures in one run:
- start_ms: program start (process spawn) to its first window shown (the login dialog), in a child process;
- first_screen_ms: the register page built and its first rows drawn;
- search_p50_ms / search_p95_ms: keystroke to results drawn (the first screen of rows: Qt's paint of what the
  result changed), over 50
  varied queries (1–4 Chinese characters, code and address fragments), through the real page and
  worker lane; search_cpu_p95_ms: the CPU time the GUI thread and the lane spent on it (steadier than
  the clock on a busy machine); the time until the whole result and its count are in the model is printed too, and
  the search service alone (what the lane runs, without Qt's hand-overs);
- rss_mb: peak resident memory of this process (the GUI part; the database is built in a child).
Baselines run in the same process: a bare Python+Qt window start, and the same queries as the old
scan in raw sqlite3 (LIKE over the narrow covering index, every row read and sorted: the first screen
as a top-200 and the whole result), so the ratios say what the search by index saves.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The program now opens on its login dialog (or, on a ledger without accounts, the first administrator's):
# the start is timed to the first window on screen, whichever it is, through the entry point the program
# starts by (`zzb --db FILE`: desktop.cli.main, which opens the window through app.run_gui). The probe
# prints what the first window is, which heavy modules were loaded by then (the lane may be loading them) and
# when the window was first painted (the lane, importing meanwhile, competes with the painting for the GIL).
START_PROBE = """
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
import desktop.app as app_mod
make_application = app_mod.make_application
HEAVY = ("sqlalchemy", "alembic", "argon2", "openpyxl", "reportlab", "xlsxwriter", "python_calamine")
class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and not painted:
            painted.append(time.time())
            QTimer.singleShot(0, lambda: (print("PAINTED", painted[0], flush=True), QApplication.instance().exit(0)))
        return False
painted = []
def first_window_shown():
    app = make_application()
    spy = FirstPaint(app)
    def poll():
        shown = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        if shown:
            loaded = sorted(m for m in HEAVY if m in sys.modules)
            print("SHOWN", time.time(), type(shown[0]).__name__, ",".join(loaded) or "-", flush=True)
            for widget in (shown[0], *shown[0].findChildren(QObject)):
                widget.installEventFilter(spy)
        else:
            QTimer.singleShot(1, poll)
    QTimer.singleShot(0, poll)
    return app
app_mod.make_application = first_window_shown
from desktop.cli import main
sys.exit(main(["--db", sys.argv[1]]))
"""

BARE_PROBE = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.resize(1280, 800); w.show()
QTimer.singleShot(0, lambda: (print("SHOWN", time.time(), flush=True), app.quit()))
app.exec()
"""


BENCH_ADMIN, BENCH_PASSWORD = "benchadmin", "Bench-2024-zzb!"


def build_database(path: Path, n: int, rebuild: bool) -> float:
    if path.exists() and not rebuild:
        return 0.0
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    # The CLI logs in: the first run creates the benchmark's own administrator.
    env = dict(os.environ, ZZB_USER=BENCH_ADMIN, ZZB_PASSWORD=BENCH_PASSWORD)
    for args in (["init", "--admin", BENCH_ADMIN], ["demo", "--enterprises", str(n), "--seed", "7"]):
        subprocess.run([sys.executable, "-m", "desktop", "--db", str(path), *args], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t


MIGRATE = """
import sys
from pathlib import Path
from desktop.services.db import open_database
open_database(sys.argv[1], backup_dir=Path(sys.argv[1]).parent / "backups").dispose()
"""


def migrate(path: Path) -> float:
    """Bring a kept database to the program's revision, so that the start is not timed migrating."""
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", MIGRATE, str(path)], cwd=ROOT, check=True)
    return time.perf_counter() - t


def time_start(code: str, db: Path, runs: int) -> float:
    """Median ms from spawning a Python process to its window being shown."""
    env = dict(os.environ, ZZB_DATA_DIR=str(db.parent / "userdata"))
    samples, seen, painted = [], [], []
    for _ in range(runs):
        t0 = time.time()
        out = subprocess.run([sys.executable, "-c", code, str(db)], cwd=ROOT, env=env, capture_output=True, timeout=300,
                             text=True, check=True).stdout
        fields = next(line.split() for line in out.splitlines() if line.startswith("SHOWN"))
        samples.append((float(fields[1]) - t0) * 1000)
        if len(fields) > 2 and not seen:
            seen.append(f"first window {fields[2]}; heavy modules loaded by then: {fields[3]}")
        painted += [(float(line.split()[1]) - t0) * 1000 for line in out.splitlines() if line.startswith("PAINTED")]
    if seen:
        paint = f"; first painted at {statistics.median(painted):.0f} ms" if painted else ""
        print(f"start probe: {seen[0]}{paint}")
    return statistics.median(samples)


def make_queries(db: Path, count: int, seed: int = 11) -> list[str]:
    rnd = random.Random(seed)
    con = sqlite3.connect(db)
    # Seeded, not ORDER BY random(): every run (and every branch compared) types the same queries.
    top = con.execute("SELECT max(id) FROM target").fetchone()[0]
    picked = sorted(rnd.sample(range(1, top + 1), min(400, top)))
    rows = con.execute(f"SELECT name, coalesce(credit_code, ''), address FROM target WHERE id IN ({','.join(map(str, picked))})"
                       " ORDER BY id").fetchall()
    con.close()
    queries = []
    while len(queries) < count:
        name, code, address = rnd.choice(rows)
        kind = rnd.random()
        if kind < 0.55 and name:
            n = rnd.randint(1, 4)
            i = rnd.randrange(max(1, len(name) - n + 1))
            queries.append(name[i:i + n])
        elif kind < 0.8 and code:
            n = rnd.randint(4, 8)
            i = rnd.randrange(len(code) - n + 1)
            q = code[i:i + n]
            queries.append(q.lower() if rnd.random() < 0.5 else q)
        elif address:
            n = rnd.randint(2, 4)
            i = rnd.randrange(max(1, len(address) - n + 1))
            queries.append(address[i:i + n])
    return queries


def raw_sql_ms(db: Path, queries: list[str], limit: int | None = None) -> list[float]:
    """Baseline: the old bare LIKE scan in sqlite3, no ORM, no Qt (`+name`: every match read and sorted,
    as before the name-ordered index; with `limit`, the top-N of the first screen)."""
    con = sqlite3.connect(db)
    sql = "SELECT id FROM target WHERE search_text LIKE ? ORDER BY +name, id" + (f" LIMIT {limit}" if limit else "")
    out = []
    for q in queries:
        t = time.perf_counter()
        con.execute(sql, (f"%{q.lower()}%",)).fetchall()
        out.append((time.perf_counter() - t) * 1000)
    con.close()
    return out


FIRST_SCREEN = 200  # RegisterPage.FIRST_SCREEN (not imported: the page pulls in Qt)


def service_ms(db_path: Path, queries: list[str]) -> tuple[list[float], list[float]]:
    """The search service alone, as the lane runs it (no Qt): the first screen, then the whole result."""
    from desktop.services.db import open_database
    from desktop.services.ledger import Ledger
    from desktop.services.register import target_service
    from desktop.services.year import year_service

    database = open_database(db_path, migrate=False)
    ledger = Ledger(database)
    year = year_service.current_year(ledger)
    first, whole = [], []
    for q in queries:
        flt = target_service.RegisterFilter(text=q)
        t = time.perf_counter()
        target_service.search_ids(ledger, flt, year=year, limit=FIRST_SCREEN)
        first.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        target_service.search_ids(ledger, flt, year=year)
        whole.append((time.perf_counter() - t) * 1000)
    database.dispose()
    return first, whole


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def gui_measures(db_path: Path, queries: list[str]) -> tuple[float, list[float], list[float], int]:
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QSettings, QTimer

    from desktop.services.year import year_service
    from desktop.services.db import open_database
    from desktop.views.kit.context import AppContext
    from desktop.views.register.register_view import RegisterPage
    from desktop.views.kit.worker import Worker

    from desktop.app import make_application

    make_application()  # the program's application: its font, and the interpreter's switch interval
    db = open_database(db_path)
    worker = Worker()
    settings = QSettings(str(db_path.parent / "bench-settings.ini"), QSettings.Format.IniFormat)
    settings.clear()
    ctx = AppContext(db, worker, year_service.current_year(db), settings)

    marks: dict[str, float] = {}
    page_ref: list = []

    waiting: list = []  # (name, loop) while the event loop runs for a mark

    def until(name: str, timeout_ms: int = 30000) -> None:
        """Run the event loop until the page has emitted `name` (recorded with its time). The loop sleeps until
        then: the signal quits it (a polling timer would wake the GUI thread every millisecond and take the
        interpreter from the lane while it searches, which a window waiting for an answer does not do)."""
        if name in marks:
            return
        loop = QEventLoop()
        waiting.append((name, loop))
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()
        waiting.clear()
        if name not in marks:
            raise SystemExit(f"benchmark: the register did not emit {name} in time")

    def mark(name: str) -> None:
        marks.setdefault(name, time.perf_counter())
        for wanted, loop in waiting:
            if wanted == name:
                loop.quit()

    # CPU time of the GUI thread and of the lane (read from the GUI thread through the lane's CPU clock): what
    # a keystroke costs however busy the machine is, where the clock time also counts waiting for a core.
    lane_clock = time.pthread_getcpuclockid(worker._thread.ident)

    def cpu_now() -> tuple[float, float]:
        return time.thread_time(), time.clock_gettime(lane_clock)

    def on_shown(_count):
        # Draw what the result changed (the table's rows, the count, the box) now, as the next turn of the event
        # loop would, before taking the time: the layouts and updates Qt has pending, then the window's paint of
        # its changed regions (a forced repaint of the whole page would draw its filters and detail pane again).
        QCoreApplication.sendPostedEvents()
        QCoreApplication.sendEvent(page_ref[0], QEvent(QEvent.Type.UpdateRequest))
        marks.setdefault("shown_cpu", cpu_now())
        mark("shown")

    def on_complete(_count):
        mark("complete")

    t = time.perf_counter()
    page = RegisterPage(ctx)
    page_ref.append(page)
    page.results_shown.connect(on_shown)
    page.results_complete.connect(on_complete)
    page.resize(1280, 760)
    page.show()
    if hasattr(page, "activate"):
        page.activate()
    until("complete")
    first_screen = (marks["shown"] - t) * 1000
    total = page.model.rowCount()

    latencies, completes, cpus = [], [], []
    for q in queries:
        marks.clear()
        gui0, lane0 = cpu_now()
        t = time.perf_counter()
        page.set_search_text(q)
        until("complete")
        latencies.append((marks["shown"] - t) * 1000)
        completes.append((marks["complete"] - t) * 1000)
        gui1, lane1 = marks["shown_cpu"]
        cpus.append(((gui1 - gui0) * 1000, (lane1 - lane0) * 1000))
    page.close()
    worker.stop()
    db.dispose()
    return first_screen, latencies, completes, total, cpus


def main() -> int:
    ap = argparse.ArgumentParser(description="register benchmark")
    ap.add_argument("--enterprises", type=int, default=100000)
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--start-runs", type=int, default=3)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--dir", type=Path, default=ROOT / "build" / "bench")
    args = ap.parse_args()

    db = args.dir / f"register-{args.enterprises}.sqlite3"
    built = build_database(db, args.enterprises, args.rebuild)
    if built:
        print(f"built {db.name} with `zzb demo` in {built:.1f} s")
    migrated = migrate(db)
    if migrated > 5:
        print(f"migrated {db.name} in {migrated:.1f} s")

    bare_start = time_start(BARE_PROBE, db, args.start_runs)
    start = time_start(START_PROBE, db, args.start_runs)
    print(f"start: {start:.0f} ms to the first window, the login (bare Qt window: {bare_start:.0f} ms, ratio {start / bare_start:.2f})")

    queries = make_queries(db, args.queries)
    first_screen, latencies, completes, total, cpus = gui_measures(db, queries)
    raw = raw_sql_ms(db, queries)
    raw_first = raw_sql_ms(db, queries, limit=FIRST_SCREEN)
    svc_first, svc_whole = service_ms(db, queries)
    p50, p95_ = statistics.median(latencies), p95(latencies)
    raw50, raw95 = statistics.median(raw), p95(raw)
    first50, first95 = statistics.median(raw_first), p95(raw_first)
    c50, c95 = statistics.median(completes), p95(completes)
    print(f"first screen: {first_screen:.0f} ms ({total} objects)")
    print(f"search complete (every id and the count in the model): p50 {c50:.1f} ms, p95 {c95:.1f} ms "
          f"(old scan, whole result in raw sqlite3: p50 {raw50:.1f} ms, p95 {raw95:.1f} ms; ratio p95 {c95 / raw95:.2f})")
    print(f"search: p50 {p50:.1f} ms, p95 {p95_:.1f} ms over {len(queries)} queries "
          f"(old scan, first screen in raw sqlite3: p50 {first50:.1f} ms, p95 {first95:.1f} ms; "
          f"ratio p95 {p95_ / first95:.2f})")
    cpu = [g + lane for g, lane in cpus]
    print(f"search CPU (GUI thread + lane, keystroke to results drawn): p50 {statistics.median(cpu):.1f} ms, "
          f"p95 {p95(cpu):.1f} ms (GUI thread p50 {statistics.median(g for g, _ in cpus):.1f} ms, "
          f"lane p50 {statistics.median(lane for _, lane in cpus):.1f} ms)")
    s95, w95 = p95(svc_first), p95(svc_whole)
    print(f"search service alone (the lane's part, no Qt): first screen p50 {statistics.median(svc_first):.1f} ms, "
          f"p95 {s95:.1f} ms (ratio p95 to the old scan {s95 / first95:.2f}); whole result p50 "
          f"{statistics.median(svc_whole):.1f} ms, p95 {w95:.1f} ms (ratio {w95 / raw95:.2f})")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"register: objects={total} start_ms={start:.0f} first_screen_ms={first_screen:.0f} "
          f"search_p50_ms={p50:.1f} search_p95_ms={p95_:.1f} search_cpu_p95_ms={p95(cpu):.1f} "
          f"search_complete_p95_ms={c95:.1f} "
          f"old_scan_first_p95_ms={first95:.1f} old_scan_whole_p95_ms={raw95:.1f} rss_mb={rss_mb:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
