"""The five-year city: one ledger the size of a real city's office after five years, built once and reused.

    .venv/bin/python bench/city.py [--enterprises 100000] [--years 5] [--audit 1000000] [--rebuild]

100 000 objects in the register; years 2022–2026 (2026 current), each with every town's list of about
1 200 entries, plans, land banking with groundwork steps and agreements, acquisitions, monthly reports with
the four departments' verifications for every month, about 300 quota loans with returns; about 30
综合体检 cases a year (the old years' closed and scored), the monthly 通报 issued with their rankings, a few
dozen 典型案例, a confirmed 考核评分 of towns, units and SOEs for every finished year; the bundled holiday table; and 1 000 000 audit records on the keyed chain. Everything goes through `zzb demo --years`
(desktop/services/demo) as multi-row INSERTs, except the audit records, written here by `append_audit_records`
through the chain's own bulk append (services/audit_chain.append_stored, the path under audit_chain.append),
so `zzb audit verify` passes on the city.

The city has one account, its system administrator: named by ZZB_USER (else cityadmin), with the password
from ZZB_PASSWORD, which must be set when the city is built (there is no default password). Log in with the
same two to open the city with the program or the CLI. The chain's key is made on this PC, in the program's
settings folder (ZZB_CONFIG_DIR, else the user's config folder); a cached city whose key is not on this PC
is built again.

The file lives under bench/.cache/, keyed by this generator's version, its parameters and the schema's
migrations, so a second run (and bench/pages.py) reuses it. Prints whether it was built or reused and how
long that took — when built, the wall and CPU seconds and the seconds of each part: init, the demo's parts
(register, years, areas, history, commit), the audit records, the final checkpoint and ANALYZE. Compare
builds by CPU seconds on a busy machine. `city_path()` is what other benchmarks call.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GENERATOR_VERSION = 3  # bump when what the city holds changes
CACHE = ROOT / "bench" / ".cache"
YEAR = 2026  # the current year of the city; the four before it are history
CITY_DAY = dt.date(YEAR, 11, 20)  # the day the city is generated on (fixed, so the file is the same every time)
SEED = 7


def _migrations_key() -> str:
    names = sorted(p.name for p in (ROOT / "desktop" / "migrations" / "versions").glob("*.py"))
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:8]


def city_path(enterprises: int = 100_000, years: int = 5, audit: int = 1_000_000, entries: int = 1200) -> Path:
    key = json.dumps([GENERATOR_VERSION, enterprises, years, audit, entries, SEED, YEAR, _migrations_key()])
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return CACHE / f"city-{enterprises}-{years}y-{digest}.sqlite3"


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def build(path: Path, *, enterprises: int, years: int, audit: int, entries: int,
          admin: tuple[str, str]) -> dict[str, float]:
    """Build the city into `path` (through a temporary file, renamed when complete), its administrator
    `admin` (name, password) first. Returns seconds per part."""
    from desktop.services import setup_service
    from desktop.services.demo import demo_service
    from desktop.services.ledger import open_ledger
    from desktop.services.year import year_service

    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    _remove(part)
    took: dict[str, float] = {}
    t = time.perf_counter()
    ledger = open_ledger(part, as_of=CITY_DAY, user="bench")
    try:
        setup_service.initialize(ledger)
        create_admin(ledger, *admin)
        for y in range(year_service.current_year(ledger) + 1, YEAR + 1):
            year_service.new_year(ledger, y)
        year_service.set_current_year(ledger, YEAR)
        took["init_s"] = time.perf_counter() - t
        t = time.perf_counter()
        summary = demo_service.generate(ledger, enterprises=enterprises, seed=SEED, year=YEAR, years=years,
                                        entries_per_year=entries)
        took["demo_s"] = time.perf_counter() - t
        took.update({f"demo_{name}_s": seconds for name, seconds in summary.phases.items()})
        t = time.perf_counter()
        append_audit_records(ledger, audit, first_day=dt.date(YEAR - years + 1, 1, 1), last_day=CITY_DAY)
        took["audit_s"] = time.perf_counter() - t
    finally:
        ledger.dispose()
    t = time.perf_counter()
    con = sqlite3.connect(part)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("ANALYZE")
    con.close()
    took["analyze_s"] = time.perf_counter() - t
    _remove(path)
    for suffix in ("-wal", "-shm"):
        Path(str(part) + suffix).unlink(missing_ok=True)
    part.rename(path)
    return took


# --- audit records ---------------------------------------------------------------------------------

USERS = ["zhangwei", "lina", "wangfang", "liuyang", "chenjing", "admin", "audit"]
OBJECTS = [("list_entry", "修改"), ("target", "修改"), ("monthly_report", "新增"), ("verification", "新增"),
           ("agreement", "新增"), ("quota_loan", "新增"), ("governance_list", "修改"), ("plan", "新增")]
ACTIONS = {"新增": "create", "修改": "update"}


def audit_records(n: int, *, first_day: dt.date, last_day: dt.date):
    """`n` audit records spread over the years, in time order, in their stored form (audit_chain.append_stored):
    every 25th a login, the others a create (after: {"id": …}) or an update (before {"note": ""}, after
    {"note": "第i次修改"}) of a random object. before/after are written as the JSON text json_text makes of those
    dicts (ints and CJK text need no escaping; tests/test_demo_years.py holds them equal), the time as at_text."""
    from desktop.services.audit_chain import at_text

    rng = random.Random(SEED)
    start = dt.datetime.combine(first_day, dt.time(8, 0))
    step = (dt.datetime.combine(last_day, dt.time(18, 0)) - start).total_seconds() / max(n, 1)
    draw, n_objects, n_users, timedelta = rng.random, len(OBJECTS), len(USERS), dt.timedelta
    objects = [(object_type, ACTIONS[verb], verb == "修改") for object_type, verb in OBJECTS]
    for i in range(n):
        object_type, action, update = objects[int(draw() * n_objects)]
        object_id = int(draw() * 100_000) + 1
        at = at_text(start + timedelta(seconds=i * step))
        if i % 25 == 0:
            yield at, USERS[i % n_users], "login", "app_user", None, "", None, None, "成功"
        elif update:
            yield (at, USERS[i % n_users], action, object_type, object_id, f"对象{object_id}", '{"note":""}',
                   f'{{"note":"第{i}次修改"}}', "成功")
        else:
            yield (at, USERS[i % n_users], action, object_type, object_id, f"对象{object_id}", None,
                   f'{{"id":{object_id}}}', "成功")


def append_audit_records(ledger, n: int, *, first_day: dt.date, last_day: dt.date) -> None:
    """Append `n` audit records (audit_records) onto the log's keyed chain, in one transaction.

    The one place the bench writes the audit log, and it writes it as the program does: through
    services/audit_chain.append_stored, the bulk path under audit_chain.append (each record's hash an HMAC
    with the ledger's key over the record and the hash before it, the tip moved in the same transaction).
    SQLite only, as the bench is."""
    from desktop.services import audit_chain

    with ledger.session() as s:
        conn = s.connection()
        # A bulk load's usual order: the log's secondary indexes made again after the rows, from their own text
        # (the same schema; half the load's CPU on a million records), in the same transaction.
        indexes = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                                       " AND tbl_name = 'audit_log' AND sql IS NOT NULL").all()
        for name, _sql in indexes:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
        audit_chain.append_stored(conn, audit_records(n, first_day=first_day, last_day=last_day))
        for _name, sql in indexes:
            conn.exec_driver_sql(sql)


# --- the administrator ------------------------------------------------------------------------------

ADMIN_NAME = "cityadmin"  # the account's name when ZZB_USER does not name one


def admin_credentials() -> tuple[str, str]:
    """The city's administrator: ZZB_USER (else cityadmin) with the password from ZZB_PASSWORD. There is no
    default password: without ZZB_PASSWORD the city is not built."""
    password = os.environ.get("ZZB_PASSWORD")
    if not password:
        raise SystemExit("city: set ZZB_PASSWORD (and optionally ZZB_USER) to the password of the city's "
                         "administrator account; the bench writes no default password")
    return os.environ.get("ZZB_USER") or ADMIN_NAME, password


def create_admin(ledger, name: str, password: str) -> None:
    """The city's system administrator, through the accounts service (its password rule applies)."""
    from desktop.services.accounts import accounts_service

    accounts_service.create_first_admin(ledger, name, password, "五年城市管理员")


def key_present(path: Path) -> bool:
    """Whether this PC holds the audit key the city's chain was written with (paths.config_dir()/audit-keys)."""
    from desktop.services import audit_chain

    con = sqlite3.connect(path)
    try:
        key_id = con.execute("SELECT value FROM ledger_meta WHERE key = ?", (audit_chain.KEY_ID,)).fetchone()
    finally:
        con.close()
    return bool(key_id) and audit_chain.load_key(key_id[0]) is not None


def ensure_city(*, enterprises: int = 100_000, years: int = 5, audit: int = 1_000_000, entries: int = 1200,
                rebuild: bool = False, quiet: bool = False) -> Path:
    """The cached city's path, building it first when missing (or when `rebuild`)."""
    path = city_path(enterprises, years, audit, entries)
    t, cpu = time.perf_counter(), time.process_time()
    if path.exists() and not rebuild and not key_present(path):
        if not quiet:
            print(f"city: {path.relative_to(ROOT)} was built with an audit key this PC does not hold; building again")
        rebuild = True
    if path.exists() and not rebuild:
        if not quiet:
            print(f"city: reused {path.relative_to(ROOT)} ({path.stat().st_size / 1e6:.0f} MB) in "
                  f"{(time.perf_counter() - t) * 1000:.0f} ms")
        return path
    admin = admin_credentials()
    took = build(path, enterprises=enterprises, years=years, audit=audit, entries=entries, admin=admin)
    total = time.perf_counter() - t
    if not quiet:
        parts = " ".join(f"{k}={v:.1f}" for k, v in took.items())
        print(f"city: built {path.relative_to(ROOT)} ({path.stat().st_size / 1e6:.0f} MB) in {total:.1f} s, "
              f"cpu {time.process_time() - cpu:.1f} s ({parts})")
        print(f"city: administrator {admin[0]} (system administrator; password from ZZB_PASSWORD)")
    return path


def describe(path: Path) -> str:
    con = sqlite3.connect(path)
    counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in (
        "target", "year", "governance_list", "list_entry", "plan", "land_banking", "groundwork_record", "agreement",
        "acquisition", "monthly_report", "monthly_report_item", "verification", "quota_loan", "quota_return",
        "examination", "examination_unit", "issue", "bulletin", "case", "scoring_session", "score", "holiday",
        "audit_log", "app_user")}
    con.close()
    return "city: " + " ".join(f"{k}={v}" for k, v in counts.items())


def main() -> int:
    ap = argparse.ArgumentParser(description="build (or reuse) the five-year city")
    ap.add_argument("--enterprises", type=int, default=100_000)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--entries", type=int, default=1200, help="list entries per year")
    ap.add_argument("--audit", type=int, default=1_000_000, help="audit records")
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    path = ensure_city(enterprises=args.enterprises, years=args.years, audit=args.audit, entries=args.entries,
                       rebuild=args.rebuild)
    print(describe(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
