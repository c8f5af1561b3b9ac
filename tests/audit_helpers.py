"""Shared by the audit tests: tampering like someone who has the file, two writer processes at once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from desktop.services import audit

ROOT = Path(__file__).resolve().parent.parent
GUARDS = ("audit_log_no_update", "audit_log_no_delete")


def drop_guards(conn) -> None:
    """What someone with the SQLite file does first: drop the triggers that refuse UPDATE and DELETE on the log.
    `conn`: a sqlite3 connection or a SQLAlchemy one."""
    for name in GUARDS:
        sql = f"DROP TRIGGER IF EXISTS {name}"
        conn.exec_driver_sql(sql) if hasattr(conn, "exec_driver_sql") else conn.execute(sql)


WRITER = """
import json, sys
from desktop.services.db import open_database
from desktop.services.ledger import Ledger
from desktop.services.towns import town_service
url, index, writes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
db = Ledger(open_database(url))
print("ready", flush=True)
sys.stdin.readline()
ok, errors = 0, []
own = None
for i in range(writes):
    try:
        if own is None or i % 2 == 0:
            own = town_service.create_town(db, f"进程{index}-{i}镇").id
        else:
            town_service.update_town(db, own, name=f"进程{index}-{i}镇", liaison_name=f"联络员{i}")
        ok += 1
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
db.dispose()
print(json.dumps({"ok": ok, "errors": errors[:3]}), flush=True)
"""


def run_two_writers(url: str, writes: int = 150) -> list[dict]:
    """Two processes, each making `writes` audited writes, started together; their outcomes."""
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, url, str(i), str(writes)], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(2)]
    for p in procs:
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def assert_one_chain(db, before: int, writes: int = 150) -> None:
    """Every write is in the log, each record names the one before it, and the chain verifies."""
    from sqlalchemy import text

    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT prev_hash, hash FROM audit_log ORDER BY id")).all()
    assert len(rows) == before + 2 * writes
    distinct = len({r[0] for r in rows})
    assert distinct == len(rows), f"forked: {len(rows)} records, {distinct} distinct prev_hash"  # no two follow one
    assert all(rows[i][0] == rows[i - 1][1] for i in range(1, len(rows)))
    check = audit.check_chain(db)
    assert check.intact, check.message
