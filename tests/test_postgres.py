"""The same services on a real PostgreSQL server, started by this test session on 127.0.0.1.

The server comes from the Debian `postgresql` package's binaries (scripts/test.sh installs it
when run as root). As root, the cluster is created and run as the unprivileged `nobody`
(PostgreSQL refuses to run as root). Without binaries the tests are skipped for a normal user,
and fail for root, who could have installed them.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest

from desktop.models.enums import Category, EvaluationClass, TargetKind, TargetState

pytestmark = pytest.mark.postgres

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (uv sync installs it with the dev group)")

IS_ROOT = os.geteuid() == 0


def _pg_bindir() -> Path | None:
    """The newest /usr/lib/postgresql/<N>/bin with initdb and pg_ctl, else the ones on PATH."""
    def version(path: str) -> int:
        m = re.search(r"/postgresql/(\d+)/", path)
        return int(m.group(1)) if m else 0

    for cand in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True):
        if os.access(Path(cand, "initdb"), os.X_OK) and os.access(Path(cand, "pg_ctl"), os.X_OK):
            return Path(cand)
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return Path(pg_ctl).parent
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server:
    """A throw-away cluster: initdb into a temporary folder, pg_ctl start/stop."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        # As root the folder must be reachable by `nobody`: /tmp is, a private TMPDIR may not be.
        self.root = Path(tempfile.mkdtemp(prefix="zzb-pg-", dir="/tmp" if IS_ROOT else None))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = _free_port()
        self.run_as: dict = {}
        self.watchdog: subprocess.Popen | None = None
        if IS_ROOT:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.root, nobody.pw_uid, nobody.pw_gid)
            self.run_as = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}

    def _run(self, *args: str, timeout: int = 120) -> None:
        proc = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]], cwd=self.root, env=self._env(), capture_output=True,
            text=True, timeout=timeout, **self.run_as,
        )
        if proc.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}\n{log}")

    def _env(self) -> dict:
        return {**os.environ, "HOME": str(self.root), "LC_ALL": "C", "LANG": "C"}

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C")
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._start_watchdog()
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")

    def _start_watchdog(self) -> None:
        """pg_ctl detaches the server: if this test process is killed (a CI timeout), teardown never
        runs, so a small shell in its own session stops the server once this process is gone."""
        script = ('while [ -d "/proc/$1" ]; do sleep 1; done; '
                  '"$2/pg_ctl" -D "$3" -m immediate -w stop >/dev/null 2>&1; rm -rf "$4"')
        self.watchdog = subprocess.Popen(
            ["sh", "-c", script, "zzb-pg-watchdog", str(os.getpid()), str(self.bindir), str(self.data), str(self.root)],
            cwd="/", env=self._env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True, **self.run_as,
        )

    def stop(self) -> None:
        try:
            if self.watchdog is not None:
                os.killpg(self.watchdog.pid, signal.SIGKILL)  # the shell and its `sleep`
                self.watchdog.wait(timeout=10)
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"


@pytest.fixture(scope="session")
def pg_server():
    bindir = _pg_bindir()
    if bindir is None:
        reason = ("no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin or on PATH; "
                  "install the Debian package `postgresql` (bash scripts/test.sh does so when run as root)")
        if IS_ROOT:
            pytest.fail(reason + " — running as root, so they should have been installed")
        pytest.skip(reason)
    server = _Server(bindir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server, request):
    """A fresh, empty database on the session's server; dropped afterwards."""
    name = "zzb_" + re.sub(r"\W", "_", request.node.name.lower())[:50]
    admin = psycopg.connect(f"host=127.0.0.1 port={pg_server.port} user=postgres dbname=postgres", autocommit=True)
    try:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')
        yield pg_server.url(name)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


@pytest.fixture
def pg_db(pg_url):
    from desktop.services.db import open_database
    from desktop.services.ledger import Ledger

    database = open_database(pg_url)
    yield Ledger(database)
    database.dispose()


def _valid_code(first17: str) -> str:
    from desktop.services.credit_code import check_char

    return first17 + check_char(first17)


def _make_town(db, name: str) -> int:
    from desktop.services.towns import town_service

    return town_service.create_town(db, name).id


def test_fresh_postgres_database_is_migrated_to_head_and_initialised(pg_db):
    from sqlalchemy import func, inspect, select

    from desktop.models import Department
    from desktop.services import setup_service
    from desktop.services.year import year_service
    from desktop.services.db import current_revision, head_revision

    assert pg_db.engine.dialect.name == "postgresql"
    assert not pg_db.is_sqlite and pg_db.path is None
    assert current_revision(pg_db.engine) == head_revision()
    with pg_db.engine.connect() as conn:
        assert {"year", "town", "target", "audit_log"} <= set(inspect(conn).get_table_names())

    assert setup_service.initialize(pg_db) is True
    assert setup_service.initialize(pg_db) is False
    assert year_service.list_years(pg_db) == [2024]
    params = year_service.get_params(pg_db, 2024)
    assert params.evaluation_year == 2022
    with pg_db.reader() as s:
        assert s.scalar(select(func.count(Department.id))) == 21


def test_target_on_postgres_is_found_by_text_and_filters(pg_db):
    from desktop.services import setup_service
    from desktop.services.register import target_service
    from desktop.services.register.target_service import NO_PARK, RegisterFilter, TargetValues

    setup_service.initialize(pg_db)
    east, west = _make_town(pg_db, "东城街道"), _make_town(pg_db, "西山镇")
    code = _valid_code("91320500MA1XYQ123")
    hongda = target_service.create(pg_db, TargetValues(
        kind=TargetKind.ENTERPRISE, name="宏达化工有限公司", town_id=east, category=Category.D_CLASS,
        grade=EvaluationClass.D, address="东城街道工业路8号", land_area_mu=Decimal("12.50"),
        credit_code=code.lower(), legal_rep="王建国", industry="化学原料制造",
    ), year=2024)
    dock = target_service.create(pg_db, TargetValues(
        kind=TargetKind.PARCEL, name="老码头地块", town_id=west, category=Category.OTHER,
        address="西山镇滨江路", land_area_mu=Decimal("30"),
    ), year=2024)

    def ids(**kw):
        return target_service.search_ids(pg_db, RegisterFilter(**kw), year=2024)

    assert ids(text="宏达") == [hongda]
    assert ids(text=code[4:10].lower()) == [hongda]  # code fragment, any case
    assert ids(text="工业路 化工") == [hongda]  # every term must match
    assert ids(text="码头") == [dock]
    assert ids(text="不存在的企业") == []
    assert ids(town_id=east) == [hongda]
    assert ids(category=Category.OTHER) == [dock]
    assert ids(grade=EvaluationClass.D) == [hongda]
    assert ids(grade=EvaluationClass.A) == []
    assert set(ids(state=TargetState.PENDING)) == {hongda, dock}
    assert ids(state=TargetState.DONE) == []
    assert set(ids(contiguous_area_id=NO_PARK)) == {hongda, dock}
    assert ids(kind=TargetKind.PARCEL) == [dock]
    # Sorting through the joined columns (town order, evaluation class) works on PostgreSQL too.
    by_town = target_service.search_ids(pg_db, RegisterFilter(), year=2024, sort="town")
    assert by_town == [hongda, dock]
    assert target_service.search_ids(pg_db, RegisterFilter(), year=2024, sort="town", descending=True) == [dock, hongda]
    by_grade = target_service.search_ids(pg_db, RegisterFilter(), year=2024, sort="grade")
    assert set(by_grade) == {hongda, dock}

    rows = target_service.fetch_rows(pg_db, [dock, hongda], year=2024)
    assert [r.name for r in rows] == ["老码头地块", "宏达化工有限公司"]
    # A keystroke's first screen (ids and rows in one read) on PostgreSQL: no trigram walk, the same answer.
    first = target_service.first_screen(pg_db, RegisterFilter(text="路"), year=2024, limit=5, rows=1)
    both = ids(text="路")
    assert set(both) == {hongda, dock} and first[:2] == (both, both[:1])
    assert first[2] == target_service.fetch_rows(pg_db, both[:1], year=2024)
    assert rows[1].credit_code == code and rows[1].grade == EvaluationClass.D
    assert rows[1].land_area_mu == Decimal("12.5000")


def test_audit_chain_verifies_on_postgres(pg_db):
    from desktop.services import audit, setup_service
    from desktop.services.register import target_service
    from desktop.services.register.target_service import TargetValues

    setup_service.initialize(pg_db)
    town = _make_town(pg_db, "南湖街道")
    values = TargetValues(name="南湖纸箱厂", town_id=town, category=Category.POINT)
    tid = target_service.create(pg_db, values, year=2024)
    values.address = "南湖街道纸厂路1号"
    target_service.update(pg_db, tid, values, year=2024)

    assert audit.count(pg_db) >= 4  # 初始化, town, target created, target updated
    assert audit.verify_chain(pg_db) == (True, None)
    history = audit.list_entries(pg_db, object_type="target", object_id=tid)
    assert [h.action for h in history] == ["update", "create"]
    assert history[0].before == {"address": ""} and history[0].after == {"address": "南湖街道纸厂路1号"}
    assert [h.object_id for h in audit.list_entries(pg_db, text="纸箱")] == [tid, tid]


def test_a_bulk_legacy_import_on_postgres_keeps_ids_in_order_and_the_chain_verifies(pg_db, tmp_path):
    """insert_returning_ids takes the sequence's ids by RETURNING in parameter order; record_many appends
    one keyed record per row (the tip taken FOR UPDATE)."""
    import legacy_samples as samples
    from sqlalchemy import select

    from desktop.models import Target
    from desktop.services import audit, setup_service
    from desktop.services.excel import legacy_import

    setup_service.initialize(pg_db)
    towns = ["城东街道", "城西街道"]
    for name in towns:
        _make_town(pg_db, name)
    items = samples.firms(7, towns)
    written = samples.write_d_class_list(tmp_path / "d.xlsx", items)
    outcome = legacy_import.run_import(pg_db, written.path, kind="enterprises", year=2024)
    assert outcome.applied and outcome.summary.created == 7
    path = tmp_path / "u.xlsx"
    samples.write_custom(path, ["企业名称", "统一社会信用代码", "所属镇", "地址"],
                         [[f.name, f.code, f.town, f"新地址 {i} 号"] for i, f in enumerate(items[:3])])
    assert legacy_import.run_import(pg_db, path, kind="enterprises", year=2024).summary.updated == 3
    with pg_db.reader() as s:
        ids = dict(s.execute(select(Target.name, Target.id)).tuples().all())
    created = audit.list_entries(pg_db, object_type="target", action="create")
    assert sorted((a.object_label, a.object_id) for a in created) == sorted(ids.items())
    assert all(a.after["name"] == a.object_label for a in created)
    updated = audit.list_entries(pg_db, object_type="target", action="update")
    assert sorted(a.object_id for a in updated) == sorted(ids[f.name] for f in items[:3])
    assert audit.verify_chain(pg_db) == (True, None)


def test_reopening_a_postgres_database_does_not_migrate_again(pg_url, monkeypatch):
    from desktop.services import db as dbmod
    from desktop.services import setup_service

    first = dbmod.open_database(pg_url)
    setup_service.initialize(first)
    first.dispose()

    def refuse(*_a, **_k):
        raise AssertionError("migrations ran on an up-to-date database")

    monkeypatch.setattr(dbmod, "run_migrations", refuse)
    again = dbmod.open_database(pg_url)
    try:
        assert dbmod.current_revision(again.engine) == dbmod.head_revision()
        assert setup_service.initialize(again) is False
    finally:
        again.dispose()


def test_sample_city_loads_on_postgres_and_ids_keep_counting(pg_db):
    """The bulk loader inserts with Core (RETURNING ids): PostgreSQL's sequences must stay in step."""
    from desktop.services import audit, setup_service
    from desktop.services.demo import demo_service
    from desktop.services.register import target_service
    from desktop.services.towns import progress_service
    from desktop.services.register.target_service import RegisterFilter, TargetValues

    setup_service.initialize(pg_db)
    summary = demo_service.generate(pg_db, enterprises=60, seed=7)
    assert summary.counts()
    found = target_service.search_ids(pg_db, RegisterFilter(), year=2024)
    assert len(found) == target_service.count(pg_db) >= 60

    town = _make_town(pg_db, "新设开发区")  # ORM insert after the bulk load: no duplicate key
    tid = target_service.create(pg_db, TargetValues(name="后加企业", town_id=town, category=Category.OTHER), year=2024)
    assert tid > max(found)
    assert target_service.search_ids(pg_db, RegisterFilter(text="后加"), year=2024) == [tid]
    assert audit.verify_chain(pg_db) == (True, None)
    progress = progress_service.year_progress(pg_db, 2024)  # sums over scaled-integer areas in SQL
    assert progress.totals.listed_mu > 0
    assert sum(progress.entries_by_state.values()) == summary.entries


def test_two_processes_writing_at_once_on_postgres_keep_one_chain(pg_db, pg_url):
    """The chain head is taken under a lock: 2 × 150 audited writes give one chain, none lost."""
    from audit_helpers import assert_one_chain, run_two_writers

    from desktop.services import audit

    before = audit.count(pg_db)
    results = run_two_writers(pg_url)
    assert [r["ok"] for r in results] == [150, 150], [r["errors"] for r in results]
    assert_one_chain(pg_db, before)


def test_postgres_refuses_update_delete_and_truncate_of_the_log_and_the_chain_verifies(pg_db):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from desktop.services import audit

    town = _make_town(pg_db, "北塘镇")
    for statement in ("UPDATE audit_log SET \"user\" = 'mallory'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
        with pytest.raises(DBAPIError, match="操作日志只可追加"):
            with pg_db.engine.begin() as conn:
                conn.execute(text(statement))
    with pg_db.engine.connect() as conn:
        granted = conn.execute(text("SELECT count(*) FROM information_schema.role_table_grants WHERE table_name ="
                                    " 'audit_log' AND grantee = 'PUBLIC' AND privilege_type IN ('UPDATE', 'DELETE')"))
        assert granted.scalar() == 0
    check = audit.check_chain(pg_db)
    assert check.intact and check.total == audit.count(pg_db) >= 1 and town
    assert audit.head_short_hash(pg_db) == check.head


def test_search_by_pg_trgm_index_equals_the_plain_scan(pg_db):
    """Issue 12: the GIN trigram index answers the register's LIKE; with it forced and with it barred the
    answers are the same on a sample of queries (1, 2, 3+ characters, Chinese, code digits, % _ ' ")."""
    import search_samples
    from sqlalchemy import text

    from desktop.services import setup_service
    from desktop.services.register import target_service
    from desktop.services.register.target_service import RegisterFilter, normalize_query

    setup_service.initialize(pg_db)
    search_samples.load(pg_db)
    with pg_db.engine.connect() as conn:
        assert conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first()
        assert conn.execute(text("SELECT 1 FROM pg_indexes WHERE indexname = 'ix_target_search_trgm'")).first()
        conn.execute(text("ANALYZE target"))
        # The sample is small: without the name-ordered btree (dropped in this transaction only, rolled
        # back below) and with scans discouraged, the planner must use the trigram index where it can.
        conn.execute(text("DROP INDEX ix_target_name_search"))
        conn.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(conn.execute(text("EXPLAIN SELECT id FROM target WHERE search_text LIKE '%ma1xyq%'")).scalars())
        assert "ix_target_search_trgm" in plan
        answers = {}
        for q in search_samples.queries(search_samples.rows()):
            terms = normalize_query(q)
            if not terms:
                continue
            conn.execute(text("SET enable_seqscan = off; SET enable_bitmapscan = on; SET enable_indexscan = on"))
            by_index = search_samples.ordered_ids(conn, terms, indexed=True)
            conn.execute(text("SET enable_seqscan = on; SET enable_bitmapscan = off; SET enable_indexscan = off"))
            by_scan = search_samples.ordered_ids(conn, terms, indexed=True)
            assert by_index == by_scan, terms
            answers[q] = set(by_scan)
        conn.rollback()
    assert len(answers) > 200
    for q, expected in answers.items():  # the service's own search, with every index back
        assert set(target_service.search_ids(pg_db, RegisterFilter(text=q), year=2024)) == expected, q


def test_register_first_screens_on_postgresql_are_the_heads_of_the_whole_answers(pg_db):
    """Issue 12: the first screen (limit) of a search is the head of its whole answer, both directions, and
    a search that may be stopped (`cancelled`, SQLite's progress handler) reads to its end here."""
    import search_samples

    from desktop.services import setup_service
    from desktop.services.register import target_service
    from desktop.services.register.target_service import RegisterFilter, normalize_query

    setup_service.initialize(pg_db)
    search_samples.load(pg_db)
    queries = [q for q in search_samples.queries(search_samples.rows())[::3] if normalize_query(q)]
    assert len(queries) > 50
    for q in queries:
        for descending in (False, True):
            flt = RegisterFilter(text=q)
            whole = target_service.search_ids(pg_db, flt, year=2024, descending=descending)
            assert target_service.search_ids(pg_db, flt, year=2024, descending=descending, limit=5,
                                             cancelled=lambda: True) == whole[:5], q


def test_the_deadlines_on_postgres_equal_those_on_sqlite(pg_db, db):
    """The providers read some rows as the driver gives them (dates as date objects on PostgreSQL, ISO text on
    SQLite): the same sample city gives the same deadlines, done days included, on both."""
    import datetime as dt

    from desktop.services import setup_service
    from desktop.services.deadlines import deadline_service
    from desktop.services.demo import demo_service

    for ledger in (pg_db, db):
        setup_service.initialize(ledger)
        demo_service.generate(ledger, enterprises=60, seed=7)
    for as_of in (dt.date(2024, 11, 20), dt.date(2024, 6, 3)):
        on_pg = deadline_service.deadlines(pg_db, as_of=as_of)
        on_sqlite = deadline_service.deadlines(db, as_of=as_of)
        assert on_pg == on_sqlite
        assert any(r.kind == deadline_service.KIND_VERIFY and r.done_on for r in on_pg)
