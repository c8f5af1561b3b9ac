"""Writers benchmark: several processes writing one SQLite ledger at once, through the services.

    .venv/bin/python bench/writers.py --processes 2 --writes 500 [--db PATH] [--baseline]

Creates a fresh database (open_database + setup_service.initialize), then starts N writer processes
(multiprocessing, spawn) and one reader. Each writer makes --writes small writes in turn: create a town,
rename its liaison (update_town), set the town's 附件1 target for the year (set_target). The reader lists
the towns in a loop until the writers are done. Every failure is counted; `locked` counts those that
were the busy error (「数据库正忙……」). At the end the town count in the file is checked against the
creates that succeeded.

--baseline first runs the same with write sessions beginning deferred (the behaviour before BEGIN
IMMEDIATE, switched by open_database(immediate_writes=False)) and prints its figures on a line of its own.
The last line is always the run with the program's behaviour:

    writers: ok=1000 failed=0 locked=0 elapsed_s=2.1 writes_per_s=476
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEAR = 2024


def fresh_database(path: Path) -> None:
    from desktop.services import setup_service
    from desktop.services.db import open_database
    from desktop.services.ledger import Ledger

    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Ledger(open_database(path, backup_dir=path.parent))
    try:
        setup_service.initialize(db)
    finally:
        db.dispose()


def writer(path: str, index: int, writes: int, immediate: bool, start, out) -> None:
    """One process: `writes` small writes through the services; puts (ok, failed, locked, towns created)."""
    sys.path.insert(0, str(ROOT))
    from desktop.services import faults
    from desktop.services.db import open_database
    from desktop.services.errors import DatabaseError
    from desktop.services.ledger import Ledger
    from desktop.services.towns import town_service

    db = Ledger(open_database(path, immediate_writes=immediate))
    ok = failed = locked = created = 0
    own: int | None = None
    start.wait()
    try:
        for i in range(writes):
            try:
                if own is None or i % 3 == 0:
                    row = town_service.create_town(db, f"写入{index}-{i}镇", "联络员", "0571-12345678")
                    own, created = row.id, created + 1
                elif i % 3 == 1:
                    row = town_service.update_town(db, own, name=f"写入{index}-{i}镇", liaison_name=f"联络员{i}")
                else:
                    town_service.set_target(db, own, YEAR, target_area_mu=f"{i}.5", target_parks=i % 7)
                ok += 1
            except DatabaseError as exc:
                failed += 1
                locked += exc.message == faults.BUSY_MESSAGE
            except Exception:  # any other failure is counted too (raw "database is locked" before the fix)
                failed += 1
    finally:
        db.dispose()
    out.put(("writer", ok, failed, locked, created))


def reader(path: str, immediate: bool, start, stop, out) -> None:
    """Lists the towns until `stop` is set; puts (reads, failed)."""
    sys.path.insert(0, str(ROOT))
    from desktop.services.db import open_database
    from desktop.services.ledger import Ledger
    from desktop.services.towns import town_service

    db = Ledger(open_database(path, immediate_writes=immediate))
    reads = failed = 0
    start.wait()
    try:
        while not stop.is_set():
            try:
                town_service.list_towns(db)
                reads += 1
            except Exception:
                failed += 1
    finally:
        db.dispose()
    out.put(("reader", reads, failed))


def count_towns(path: Path) -> int:
    from desktop.services.db import open_database
    from desktop.services.ledger import Ledger
    from desktop.services.towns import town_service

    db = Ledger(open_database(path))
    try:
        return len(town_service.list_towns(db))
    finally:
        db.dispose()


def run(path: Path, processes: int, writes: int, immediate: bool) -> dict:
    fresh_database(path)
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(processes + 2)
    stop = ctx.Event()
    out = ctx.Queue()
    writers = [ctx.Process(target=writer, args=(str(path), i, writes, immediate, start, out))
               for i in range(processes)]
    read = ctx.Process(target=reader, args=(str(path), immediate, start, stop, out))
    for p in (*writers, read):
        p.start()
    start.wait()  # every process has imported and opened the database
    t0 = time.perf_counter()
    results = [out.get() for _ in writers]
    elapsed = time.perf_counter() - t0
    stop.set()
    results.append(out.get())
    for p in (*writers, read):
        p.join()
    w = [r for r in results if r[0] == "writer"]
    r = next(r for r in results if r[0] == "reader")
    ok, failed, locked, created = (sum(x[i] for x in w) for i in range(1, 5))
    towns = count_towns(path)
    return {"ok": ok, "failed": failed, "locked": locked, "elapsed_s": elapsed,
            "writes_per_s": ok / elapsed if elapsed else 0.0, "reads": r[1], "read_failed": r[2],
            "created": created, "towns_in_file": towns}


def line(name: str, f: dict) -> str:
    return (f"{name}: ok={f['ok']} failed={f['failed']} locked={f['locked']} elapsed_s={f['elapsed_s']:.1f} "
            f"writes_per_s={f['writes_per_s']:.0f}")


def details(f: dict) -> str:
    return (f"  reader: reads={f['reads']} failed={f['read_failed']}; towns created {f['created']}, "
            f"in the file {f['towns_in_file']}")


def main() -> int:
    ap = argparse.ArgumentParser(description="writers benchmark (several processes, one SQLite file)")
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--writes", type=int, default=500, help="writes per process")
    ap.add_argument("--db", type=Path, default=ROOT / "build" / "bench" / "writers.sqlite3")
    ap.add_argument("--baseline", action="store_true", help="also run with deferred BEGIN for writes (old behaviour)")
    args = ap.parse_args()
    os.environ.setdefault("ZZB_DATA_DIR", str(args.db.parent / "userdata"))

    if args.baseline:
        base = run(args.db, args.processes, args.writes, immediate=False)
        print(line("baseline (deferred BEGIN)", base))
        print(details(base))
    f = run(args.db, args.processes, args.writes, immediate=True)
    print(details(f))
    print(line("writers", f))
    return 0


if __name__ == "__main__":
    sys.exit(main())
