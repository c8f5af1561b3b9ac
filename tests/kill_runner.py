"""Helper of tests/test_kill_safety.py: run one kind of work in forked child processes and kill -9 each at a
random moment.

    python tests/kill_runner.py MODE WORK RUNS SEED

MODE is import, migration or backup; WORK holds `source.sqlite3` (and `packet.xlsx` for an import). The
program is imported once here, then every run copies the source to WORK/run-N/ledger.sqlite3, forks a
child that does the work there, and kills it with SIGKILL after a random delay within the time one
complete run took (measured first, in WORK/reference). Prints one JSON object naming each run's folder;
the test then checks each database is as before or as after, never between.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sys
import time
from pathlib import Path

from desktop.services import backup_service
from desktop.services.db import open_database
from desktop.services.excel import packet_service
from desktop.services.ledger import Ledger


def _work(mode: str, folder: Path, work: Path) -> None:
    db = folder / "ledger.sqlite3"
    if mode == "import":
        ledger = Ledger(open_database(db, migrate=False), user="kill-test")
        try:
            packet_service.import_packet(ledger, work / "packet.xlsx")
        finally:
            ledger.dispose()
    elif mode == "migration":
        open_database(db, backup_dir=folder / "bk").dispose()
    elif mode == "backup":
        backup_service.write_backup(db, folder / "out.zzbak", user="kill-test")
    else:
        raise SystemExit(f"unknown mode {mode}")


def _child(mode: str, folder: Path, work: Path) -> int:
    pid = os.fork()
    if pid == 0:  # the child: do the work, leave without running the parent's cleanup
        code = 0
        try:
            _work(mode, folder, work)
        except BaseException as exc:  # pragma: no cover - reported to the test as a failed run
            (folder / "error.txt").write_text(repr(exc), encoding="utf-8")
            code = 1
        os._exit(code)
    return pid


def _fresh(work: Path, name: str) -> Path:
    folder = work / name
    folder.mkdir()
    shutil.copyfile(work / "source.sqlite3", folder / "ledger.sqlite3")
    return folder


def main(mode: str, work: Path, runs: int, seed: int) -> dict:
    rng = random.Random(seed)
    ref = _fresh(work, "reference")
    started = time.perf_counter()
    _pid, status = os.waitpid(_child(mode, ref, work), 0)
    took = time.perf_counter() - started
    report = {"mode": mode, "reference": str(ref), "reference_ok": os.waitstatus_to_exitcode(status) == 0,
              "seconds": took, "runs": []}
    for n in range(runs):
        folder = _fresh(work, f"run-{n}")
        delay = rng.uniform(0, took)
        pid = _child(mode, folder, work)
        time.sleep(delay)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _pid, status = os.waitpid(pid, 0)
        report["runs"].append({"folder": str(folder), "delay": delay,
                               "killed": os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL,
                               "exit": os.waitstatus_to_exitcode(status)})
    return report


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))))
