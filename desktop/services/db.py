"""The engine module: the only place that knows SQLite from PostgreSQL.

Opens a database by path or URL, sets SQLite up for a desktop (WAL, foreign keys, busy timeout),
backs the file up before migrating, refuses a database newer than the program, and runs Alembic
one transaction per step.

Several processes (the window, `zzb`, another PC on a shared folder) may write one SQLite file. A write
session therefore begins with BEGIN IMMEDIATE: it takes the write lock up front and waits for it (busy
timeout) instead of starting as a reader and failing at its first INSERT when another process wrote in
between, which no waiting can cure. Read sessions begin deferred and never take the write lock. A lock
held longer than the busy timeout, a full disk, a read-only folder … reach the caller as a DatabaseError
with one Chinese sentence (services/faults.py), the transaction rolled back.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import bindparam, create_engine, event, func, insert, inspect, select, text, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from desktop import paths
from desktop.services import db_file, faults, revisions, session_hooks
from desktop.services.clock import file_stamp
from desktop.services.db_file import busy_timeout_ms
from desktop.services.errors import DatabaseError

# A read that still finds the database locked after the busy timeout is tried again after these pauses (s).
READ_RETRY_PAUSES = (0.05, 0.25)
CHANGED_KEY = "changed_tables"  # session.info: tables a write session changed (ledger collects it for the pages)
# Connection execution option read by the begin event: set on write sessions only.
_WRITE_OPTION = "zzb_write"
# Tables whose presence marks a database as one of ours (restore and open refuse others).
SIGNATURE_TABLES = {"alembic_version", "year", "town", "target", "audit_log"}


def to_url(db: str | os.PathLike | None) -> str:
    """A path (or None for ZZB_DB, else the default file) or a SQLAlchemy URL → URL string."""
    path = db_file.plain_path(db)
    return db_file.chosen(db) if path is None else "sqlite:///" + str(path)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def _sqlite_on_connect(timeout_ms: int):
    def on_connect(dbapi_conn, _record):
        # Python's sqlite3 opens its own transactions; let SQLAlchemy issue BEGIN itself.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={timeout_ms}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    return on_connect


def _sqlite_on_close(dbapi_conn, _record):
    """Before a connection closes (the program's end, a logout), SQLite gathers the planner statistics its
    queries on this connection would have used (PRAGMA optimize: it analyses only the tables whose indexes
    were used and have no or stale statistics, usually none). Without them a ledger is never analysed, and
    some queries take a plan many times slower (the 通报 draft's verification counts: ~210 ms instead of
    ~13 on a five-year city). Best effort: a busy or read-only file keeps the statistics it has."""
    try:
        dbapi_conn.execute("PRAGMA optimize")
    except sqlite3.Error:
        pass


def _sqlite_on_begin(conn):
    # A writer takes the write lock now (waiting up to the busy timeout); a reader takes no lock.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE_OPTION) else "BEGIN")


def make_engine(url: str, *, busy_timeout: int | None = None) -> Engine:
    if is_sqlite(url):
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        timeout_ms = busy_timeout_ms(busy_timeout)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": timeout_ms / 1000})
        event.listen(engine, "connect", _sqlite_on_connect(timeout_ms))
        event.listen(engine, "begin", _sqlite_on_begin)
        event.listen(engine, "close", _sqlite_on_close)
        return engine
    return create_engine(url, pool_pre_ping=True)


def writing(engine_or_connection):
    """The same engine (or connection, before its first statement) marked so its transactions begin IMMEDIATE."""
    return engine_or_connection.execution_options(**{_WRITE_OPTION: True})


def case_insensitive_like(column, pattern: str):
    """`column LIKE pattern` ignoring ASCII case on both SQLite and PostgreSQL."""
    return column.ilike(pattern, escape="\\")


class Superseded(Exception):
    """A read abandoned because its answer is no longer wanted (a newer search replaced it)."""


PROGRESS_STEPS = 2000  # SQLite virtual machine steps between two looks at `cancelled` (well under 1 ms)


@contextmanager
def interruptible(conn, cancelled: Callable[[], bool] | None) -> Iterator[None]:
    """Statements run on `conn` inside stop as soon as `cancelled()` says so, raising Superseded.

    SQLite only (its progress handler; the one lane runs one statement at a time, so a search typed on
    does not wait for the whole result of the keystroke before it). On PostgreSQL the statement runs to
    its end."""
    if cancelled is None or conn.dialect.name != "sqlite":
        yield
        return
    raw = conn.connection.driver_connection
    raw.set_progress_handler(lambda: 1 if cancelled() else 0, PROGRESS_STEPS)
    try:
        yield
    except (OperationalError, sqlite3.OperationalError) as exc:
        if cancelled():
            raise Superseded() from exc
        raise
    finally:
        raw.set_progress_handler(None, PROGRESS_STEPS)


def driver_rows(conn, statement, params: dict | None = None) -> list[tuple]:
    """A statement's rows as the database driver gives them: plain tuples, no SQLAlchemy row objects and no type
    processing (dates stay as the driver gives them: date objects from PostgreSQL, ISO text from SQLite). For
    reads of thousands of rows whose values need no converting, or few of them."""
    result = conn.execute(statement, params)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _alembic_config(connection=None):
    from alembic.config import Config  # Alembic only when a migration is due (see services/revisions.py)

    cfg = Config()
    cfg.set_main_option("script_location", str(paths.migrations_dir()))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    return revisions.head()


def known_revisions() -> set[str]:
    return revisions.known()


def _stored_revision(conn) -> str | None:
    """The revision recorded in alembic_version (None when the table is missing or empty)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return _stored_revision(conn)


def _pause(seconds: float) -> None:
    time.sleep(seconds)


@dataclass
class Database:
    """An open, migrated database: engine plus a session factory.

    `immediate_writes=False` restores the old deferred BEGIN for write sessions; it exists only so
    bench/writers.py can measure what BEGIN IMMEDIATE saves.
    """

    url: str
    engine: Engine
    sessionmaker: sessionmaker
    immediate_writes: bool = True

    def __post_init__(self) -> None:
        session_hooks.install()  # the audit log, search column and role checks, before any session
        self._write_bind = writing(self.engine) if self.immediate_writes else self.engine

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    def _fault(self, exc: BaseException) -> DatabaseError | None:
        return faults.database_error(exc, self.path or None)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any error.

        On SQLite it begins IMMEDIATE (see the module docstring); a lock still held after the busy timeout,
        a full disk or a read-only file raise DatabaseError with the sentence for it, nothing written."""
        with self.sessionmaker(bind=self._write_bind) as s:
            try:
                yield s
                s.commit()
            except BaseException as exc:
                s.rollback()
                fault = self._fault(exc)
                if fault is not None:
                    raise fault from exc
                raise

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only session (rolled back at the end); takes no write lock.

        On SQLite it starts its read at once and, when the database stays locked past the busy timeout,
        tries again after a short pause (READ_RETRY_PAUSES) before giving up with DatabaseError."""
        s = self._open_reader()
        with s:
            try:
                yield s
            except BaseException as exc:
                fault = self._fault(exc)
                if fault is not None:
                    raise fault from exc
                raise
            finally:
                s.rollback()

    def _open_reader(self) -> Session:
        if not self.is_sqlite:
            return self.sessionmaker()
        pauses = iter(READ_RETRY_PAUSES)
        while True:
            s = self.sessionmaker()
            try:
                # Reading the schema page starts the read transaction: from here on its snapshot is held.
                s.execute(text("SELECT 1 FROM sqlite_master LIMIT 1"))
                return s
            except OperationalError as exc:
                s.close()
                pause = next(pauses, None) if faults.is_busy(exc) else None
                if pause is None:
                    fault = self._fault(exc)
                    if fault is None:
                        raise
                    raise fault from exc
            _pause(pause)

    def dispose(self) -> None:
        self.engine.dispose()


def sqlite_backup(src: Path, dest: Path) -> Path:
    """Consistent copy of a live SQLite file (the backup API copes with WAL and readers).

    Written as `<dest>.part` and renamed when whole: a copy cut short never bears the backup's name."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    s = sqlite3.connect(str(src))
    try:
        d = sqlite3.connect(str(part))
        try:
            s.backup(d)
        finally:
            d.close()
    finally:
        s.close()
    os.replace(part, dest)
    return dest


def _read_tables_and_revision(engine: Engine, url: str, timeout_ms: int) -> tuple[set[str], str | None]:
    """Table names and Alembic revision, read without changing anything.

    A SQLite file is read through a read-only connection first, so a database we refuse keeps
    every byte (our engine would switch it to WAL on connect).
    """
    path = sqlite_path(url)
    if path is not None:
        if not path.exists() or path.stat().st_size == 0:
            return set(), None
        try:
            tables, rev = db_file.read_tables_and_revision(path, timeout_ms)
        except sqlite3.DatabaseError as exc:
            # “文件已损坏或不是数据库” only when SQLite says so; a full disk, a read-only folder or a lock
            # held elsewhere get their own sentence.
            raise (faults.database_error(exc, path) or DatabaseError(f"无法打开数据库 {path}：{exc}")) from exc
        return tables, rev
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names()), _stored_revision(conn)
    except SADatabaseError as exc:
        raise (faults.database_error(exc, url) or DatabaseError(f"无法打开数据库 {url}：{exc.orig}")) from exc


def _check_ours_and_version(engine: Engine, url: str, timeout_ms: int) -> str | None:
    """Return the current revision; raise DatabaseError when the database is not ours or too new."""
    tables, rev = _read_tables_and_revision(engine, url, timeout_ms)
    if not tables:
        return None
    if "alembic_version" not in tables or rev is None:
        raise DatabaseError(f"{url} 不是本程序的数据库（缺少版本信息），为安全起见不做任何改动。")
    if rev not in known_revisions():
        raise DatabaseError(
            f"数据库版本 {rev} 比本程序更新（本程序最高支持 {head_revision()}）。"
            "请升级专治台账后再打开；数据库未做任何改动。"
        )
    return rev


def open_database(db: str | os.PathLike | None = None, *, migrate: bool = True, backup_dir: Path | None = None,
                  busy_timeout: int | None = None, immediate_writes: bool = True) -> Database:
    """Open (creating if needed) and migrate a database; back it up first when an upgrade is due.

    `busy_timeout` (ms) overrides ZZB_BUSY_TIMEOUT_MS and the 5 s default; `immediate_writes` see Database."""
    session_hooks.install()  # before the migrations too, as when importing services installed them
    url = to_url(db)
    engine = make_engine(url, busy_timeout=busy_timeout)
    try:
        rev = _check_ours_and_version(engine, url, busy_timeout_ms(busy_timeout))
        head = head_revision()
        if migrate and rev != head:
            path = sqlite_path(url)
            if rev is not None and path is not None and path.exists():
                stamp = file_stamp()
                folder = backup_dir or paths.backups_dir()
                sqlite_backup(path, folder / f"{path.stem}-before-upgrade-{rev}-{stamp}.sqlite3")
            run_migrations(engine)
    except (OperationalError, sqlite3.Error) as exc:
        engine.dispose()
        fault = faults.database_error(exc, sqlite_path(url) or url)
        raise (fault or DatabaseError(f"无法打开数据库 {url}：{getattr(exc, 'orig', exc)}")) from exc
    except BaseException:
        engine.dispose()
        raise
    return Database(url=url, engine=engine, sessionmaker=sessionmaker(engine, expire_on_commit=False),
                    immediate_writes=immediate_writes)


def run_migrations(engine: Engine, revision: str = "head", *, downgrade: bool = False) -> None:
    """Every pending step in one transaction: a kill or a failure half-way leaves the database as it was.

    On SQLite, foreign keys are off while the steps run (SQLite's own procedure for changing a table:
    https://www.sqlite.org/lang_altertable.html#otheralter). Alembic's batch mode rebuilds a table by
    copying it and dropping the old one; with foreign keys on, that DROP deletes every row that refers to
    the table through ON DELETE CASCADE (rebuilding monthly_report_item emptied verification) or fails
    outright (rebuilding department). `PRAGMA foreign_key_check` then runs inside the same transaction,
    and any dangling reference the steps left rolls everything back.
    """
    from alembic import command  # only when a migration is due (services/revisions.py)

    step = command.downgrade if downgrade else command.upgrade
    with writing(engine).connect() as conn:
        raw = conn.connection.driver_connection if engine.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")  # outside any transaction, or SQLite ignores it
        try:
            with conn.begin():
                step(_alembic_config(conn), revision)
                if raw is not None:
                    dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if dangling:
                        table, rowid, parent, _fk = dangling[0]
                        raise DatabaseError(f"数据库升级后发现 {len(dangling)} 处无效引用（如表 {table} 第 {rowid} 行"
                                            f"引用的 {parent} 不存在），升级已撤销，数据库保持原样。")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def integrity_check(database: Database) -> list[str]:
    """SQLite's own integrity check; on other servers there is nothing file-level to check."""
    if not database.is_sqlite:
        return ["ok"]
    with database.engine.connect() as conn:
        return [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]


def ping(database: Database) -> None:
    with database.engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def insert_returning_ids(session: Session, table, rows: list[dict]) -> list[int]:
    """INSERT many rows in a few statements and return their new ids, in the order of `rows`.

    SQLite cannot promise RETURNING's order for a multi-row INSERT, so SQLAlchemy would send one row at a
    time; there the ids are given instead: a write session holds the only write lock (BEGIN IMMEDIATE), so
    max(id)+1 onwards is free (and a clash, should it ever happen, is an IntegrityError: nothing written).
    Other servers return the sequence's ids with RETURNING, in parameter order.

    On SQLite the rows go as multi-row INSERT … VALUES statements, straight to the driver (_sqlite_insert;
    the returned ids are the given ones): an executemany runs one statement per row, and the FTS5 search
    index (target_fts) writes a segment at the end of every statement, which made 20 000 targets cost 1.5 s
    instead of 0.2 s."""
    if not rows:
        return []
    if session.get_bind().dialect.name == "sqlite":
        first = (session.execute(select(func.max(table.c.id))).scalar() or 0) + 1
        ids = list(range(first, first + len(rows)))
        if _sqlite_insert(session.connection(), table, rows, ids):
            _announce(session, table)
        else:
            session.execute(insert(table).returning(table.c.id), [{**row, "id": i} for row, i in zip(rows, ids)])
        return ids
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(session.execute(stmt, rows).scalars())


def update_many(session: Session, table, rows: list[dict], match: tuple[str, ...] = ("id",)) -> int | None:
    """UPDATE every row in one executemany: each row dict sets its columns where the `match` columns equal its
    "b_<column>" values (so a column can be both matched and set, e.g. revision). Returns the rows changed, or
    None where the driver cannot count an executemany.

    On SQLite the values go to the driver prepared column by column (each column's bind processor), as in
    insert_returning_ids; elsewhere Core's executemany."""
    if not rows:
        return 0
    where = [f"b_{k}" for k in match]
    keys = [k for k in rows[0] if k not in where]
    conn = session.connection()
    if conn.dialect.name != "sqlite" or any(r.keys() != rows[0].keys() for r in rows):
        stmt = (update(table).where(*(table.c[k] == bindparam(b) for k, b in zip(match, where)))
                .values({k: bindparam(k) for k in keys}))
        result = session.execute(stmt, rows)
        return result.rowcount if conn.dialect.supports_sane_multi_rowcount else None
    columns = [table.c[k] for k in keys] + [table.c[k] for k in match]
    values = [_prepared(conn, table.c[k], [r[k] for r in rows]) for k in keys]
    values += [_prepared(conn, table.c[k], [r[b] for r in rows]) for k, b in zip(match, where)]
    quote = conn.dialect.identifier_preparer
    sets = ", ".join(f"{quote.quote(c.name)} = ?" for c in columns[:len(keys)])
    matches = " AND ".join(f"{quote.quote(c.name)} = ?" for c in columns[len(keys):])
    sql = f"UPDATE {quote.format_table(table)} SET {sets} WHERE {matches}"
    count = conn.exec_driver_sql(sql, list(zip(*values))).rowcount
    _announce(session, table)
    return count


def _announce(session: Session, table) -> None:
    """A table written past the session's execute, named as its bulk statements are (ledger._collect_bulk_statements):
    the window's pages hear that it changed."""
    session.info.setdefault(CHANGED_KEY, set()).update({table.name, "audit_log"})


def _prepared(conn, column, values: list) -> list:
    """A column's values as its bind processor hands them to the driver. A column mostly holding a few objects
    many times (an enum's members, one time for a whole import, True/False) has each object processed once."""
    process = column.type._cached_bind_processor(conn.dialect)
    if process is None:
        return values
    objects = {id(v): v for v in values}  # the values stay alive meanwhile: an id names one object
    if len(objects) * 2 > len(values):
        return [process(v) for v in values]
    processed = {i: process(v) for i, v in objects.items()}
    return [processed[id(v)] for v in values]


_SQLITE_VARIABLES = 32766 if sqlite3.sqlite_version_info >= (3, 32) else 999
_ROWS_PER_INSERT = 1000  # as SQLAlchemy's insertmanyvalues batches


def _sqlite_insert(conn, table, rows: list[dict], ids: list[int]) -> bool:
    """The rows with the given ids as multi-row INSERT … VALUES through the driver, the values prepared as Core's
    insert prepares them (each column's bind processor, its Python default where a row leaves it out) but
    column by column: SQLAlchemy's own per-row parameter processing cost ~1 s for 20 000 targets. False (nothing
    written) when the rows do not all name the same columns or a default is not a plain value or function."""
    keys = rows[0].keys()
    if "id" in keys or any(r.keys() != keys for r in rows):
        return False
    columns, values = [table.c.id], [ids]
    for key in keys:
        columns.append(table.c[key])
        values.append([r[key] for r in rows])
    for column in table.c:
        if column.key in keys or column.key == "id" or column.default is None:
            continue
        default = column.default
        if default.is_scalar:
            values.append([default.arg] * len(rows))
        elif default.is_callable:
            values.append([default.arg(None) for _ in rows])  # per row, as SQLAlchemy calls it
        else:
            return False
        columns.append(column)
    values = [_prepared(conn, column, v) for column, v in zip(columns, values)]
    quote = conn.dialect.identifier_preparer
    head = f"INSERT INTO {quote.format_table(table)} ({', '.join(quote.quote(c.name) for c in columns)}) VALUES "
    one = "(" + ", ".join("?" * len(columns)) + ")"
    per = max(1, min(_ROWS_PER_INSERT, _SQLITE_VARIABLES // len(columns)))
    tuples = list(zip(*values))
    for start in range(0, len(tuples), per):
        chunk = tuples[start:start + per]
        conn.exec_driver_sql(head + ", ".join([one] * len(chunk)), tuple(itertools.chain.from_iterable(chunk)))
    return True
