"""Audit chain benchmark: build a keyed chain of N records, verify it, time single appends.

    .venv/bin/python bench/audit.py [--records 1000000] [--appends 1000] [--db PATH]

Builds a fresh SQLite ledger, appends --records records in batches of 10 000 through the program's own
append path (services/audit_chain.append: keyed hash, tip moved in the same transaction), then verifies
the whole chain against its tip (check_chain: a raw read, every HMAC recomputed), then makes --appends
audited writes of one record each, one transaction each (audit.record in ledger.session(), as a clerk's
write costs). Keys go to a temporary settings folder unless ZZB_CONFIG_DIR is set. Prints

    audit: records=1000000 verify_s=… append_per_s=…

and a line with the bulk build rate. Goal: verify_s ≤ 10.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 10_000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--appends", type=int, default=1000)
    ap.add_argument("--db", type=Path, default=None)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="zzb-audit-bench-"))
    os.environ.setdefault("ZZB_CONFIG_DIR", str(work / "config"))
    os.environ.setdefault("ZZB_DATA_DIR", str(work / "data"))

    from desktop.models.base import utcnow
    from desktop.services import audit, audit_chain
    from desktop.services.db import open_database
    from desktop.services.ledger import Ledger

    path = args.db or work / "audit.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    ledger = Ledger(open_database(path, backup_dir=work))

    started = time.perf_counter()
    done = 0
    while done < args.records:
        n = min(BATCH, args.records - done)
        at = utcnow()
        rows = [{"at": at, "user": "clerk", "action": "update", "object_type": "target", "object_id": done + i,
                 "object_label": f"测试企业{done + i}", "before": {"address": "旧地址", "land_area_mu": "12.5"},
                 "after": {"address": f"工业路{done + i}号", "land_area_mu": "13"}, "result": "成功"}
                for i in range(n)]
        with ledger.session() as s:
            audit_chain.append(s.connection(), rows)
        done += n
    build_s = time.perf_counter() - started

    started = time.perf_counter()
    check = audit.check_chain(ledger)
    verify_s = time.perf_counter() - started
    if not check.intact or check.total != args.records:
        print(f"verification failed: {check.message}", file=sys.stderr)
        return 1

    started = time.perf_counter()
    for i in range(args.appends):
        with ledger.session() as s:
            audit.record(s, "备注", "target", i, label="单条追加", after={"i": i})
    append_s = time.perf_counter() - started
    ledger.dispose()

    print(f"audit bulk build: records={args.records} build_s={build_s:.1f} bulk_per_s={args.records / build_s:.0f}")
    print(f"audit: records={check.total} verify_s={verify_s:.2f} append_per_s={args.appends / append_s:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
