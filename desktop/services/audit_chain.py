"""The keyed audit chain: each record's hash is an HMAC over the record and the hash before it.

- The key is 32 random bytes in a file of its own in the program's protected settings folder
  (`paths.config_dir()/audit-keys/<id>.key`, owner-only), never in the ledger: someone with the
  ledger file alone cannot recompute the chain after an edit. The ledger keeps only the key's id
  (ledger_meta `audit.key_id`), so verification tells “本机没有此台账的审计密钥” from “被改动”.
- A hash covers the exact stored text of every field: before/after are serialised to JSON once,
  here, and stored as that text, so verifying reads raw rows (no ORM, no JSON parsing).
- The tip (audit_tip, id 1: last id, last hash, count, keyed mac) is rewritten in the same
  transaction as every append: deleting the newest records leaves the log short of its tip.
  Appends chain from the tip, not from the log's last row, so an append after such a deletion
  does not heal it. On PostgreSQL the tip row is taken FOR UPDATE before the head is read, so two
  PCs never fork the chain; SQLite writers are already serialised by BEGIN IMMEDIATE.
- A purge deletes only records older than six months and records the new chain base, keyed, in
  ledger_meta (`audit.base`), so the rest still verifies from there.
"""

from __future__ import annotations

import datetime as dt
import hmac
import itertools
import json
import os
import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection

from desktop import paths
from desktop.models.base import utcnow
from desktop.services.errors import Refused

KEY_ID = "audit.key_id"
BASE = "audit.base"
KEEP_MONTHS = 6  # 等保 2.0: audit records are kept at least six months
_AT_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite: the canonical text
_KEY_ID_SHAPE = re.compile(r"[0-9a-f]{16}")
_SEP = "\x1f"


class MissingKey(Refused):
    """This PC has no key for the ledger's chain: nothing can be appended or verified here."""


# ---- the key ---------------------------------------------------------------------------------

_keys: dict[tuple[str | None, str], bytes] = {}


def key_path(key_id: str) -> Path:
    return paths.config_dir() / "audit-keys" / f"{key_id}.key"


def new_key() -> str:
    """Make a fresh key file (owner-only, from the OS's random source) and return its id."""
    key_id = secrets.token_hex(8)
    path = key_path(key_id)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key.hex() + "\n")
        f.flush()
        os.fsync(f.fileno())
    _keys[(os.environ.get("ZZB_CONFIG_DIR"), key_id)] = key
    return key_id


def load_key(key_id: str) -> bytes | None:
    """The key of that id from this PC's settings folder; None when it is not here (or not a key)."""
    if not _KEY_ID_SHAPE.fullmatch(key_id or ""):
        return None
    cache = (os.environ.get("ZZB_CONFIG_DIR"), key_id)
    key = _keys.get(cache)
    if key is None:
        try:
            key = bytes.fromhex(key_path(key_id).read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            return None
        if len(key) < 32:
            return None
        _keys[cache] = key
    return key


def missing_key_message(key_id: str) -> str:
    where = key_path(key_id) if _KEY_ID_SHAPE.fullmatch(key_id or "") else paths.config_dir() / "audit-keys"
    return (f"本机没有此台账的审计密钥（编号 {key_id}）。请在建立此台账的电脑上操作，"
            f"或由系统管理员把那台电脑上的密钥文件复制到本机：{where}")


def _meta(conn: Connection, key: str) -> str | None:
    return conn.execute(text("SELECT value FROM ledger_meta WHERE key = :k"), {"k": key}).scalar()


def _put_meta(conn: Connection, key: str, value: str) -> None:
    if conn.execute(text("UPDATE ledger_meta SET value = :v WHERE key = :k"), {"k": key, "v": value}).rowcount == 0:
        conn.execute(text("INSERT INTO ledger_meta (key, value) VALUES (:k, :v)"), {"k": key, "v": value})


def ledger_key(conn: Connection, *, create: bool = False) -> bytes:
    """The key named by the ledger; made on first use when `create` (an empty chain) and none is named yet."""
    key_id = _meta(conn, KEY_ID)
    if not key_id:
        if not create:
            raise Refused("台账中没有审计密钥编号（台账设置被改动），无法继续记录操作日志。请联系系统管理员。")
        key_id = new_key()
        _put_meta(conn, KEY_ID, key_id)
    key = load_key(key_id)
    if key is None:
        raise MissingKey(missing_key_message(key_id))
    return key


# ---- hashing ---------------------------------------------------------------------------------


def at_text(at) -> str:
    """A record's time as the canonical text the hash covers (SQLite's stored form, microseconds always)."""
    if isinstance(at, str):
        if len(at) == 26 and at[10] == " ":
            return at
        at = dt.datetime.fromisoformat(at)
    if type(at) is dt.datetime and at.tzinfo is None and at.year >= 1000:
        return at.isoformat(" ", "microseconds")  # the same text as strftime(_AT_FORMAT), a third of its cost
    return at.strftime(_AT_FORMAT)


# json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str), its encoder built once, not per call
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode


def json_text(value) -> str | None:
    """before/after serialised once: this text is stored and hashed as it is."""
    return None if value is None else _encode(value)


def link_hash(key: bytes, prev: str, at: str, user: str, action: str, object_type: str, object_id,
              label: str, before: str | None, after: str | None, result: str) -> str:
    """HMAC-SHA256 of one record and the hash before it.

    The fields are joined by U+001F, which JSON text never holds raw and `append` keeps out of the
    other texts: a message has exactly nine separators, so it splits into fields one way only, and no
    other record gives the same message. A NULL is "N", a text "T…", so NULL and any text differ."""
    msg = _message(prev, at, user, action, object_type, object_id, label, before, after, result)
    return hmac.digest(key, msg.encode("utf-8"), "sha256").hex()


def _message(prev: str, at: str, user: str, action: str, object_type: str, object_id, label: str,
             before: str | None, after: str | None, result: str) -> str:
    """The text a record's hash is taken over (link_hash; append_stored keys it the same way)."""
    return _SEP.join((prev, at, user, action, object_type, "N" if object_id is None else str(object_id), label,
                      "N" if before is None else "T" + before, "N" if after is None else "T" + after, result))


def _plain(value: str) -> str:
    """A text field as stored: without the field separator (a control character no person types)."""
    return value.replace(_SEP, " ") if _SEP in value else value


def _mac(key: bytes, *parts) -> str:
    return hmac.digest(key, "|".join(map(str, parts)).encode("utf-8"), "sha256").hex()


def tip_mac(key: bytes, last_id: int, last_hash: str, count: int) -> str:
    return _mac(key, "tip", last_id, last_hash, count)


def base_mac(key: bytes, after_id: int, last_hash: str, purged: int) -> str:
    return _mac(key, "base", after_id, last_hash, purged)


# ---- appending -------------------------------------------------------------------------------

_COLUMNS = 'at, "user", action, object_type, object_id, object_label, before, after, result, prev_hash, hash'
# Driver-level statements (positional parameters, one executemany): SQLAlchemy's processing of 40 000 parameter
# dicts cost more than the inserts themselves.
_INSERT = {
    "sqlite": f"INSERT INTO audit_log ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    # PostgreSQL's json keeps its input text as typed: the stored text is the hashed text.
    "postgresql": f"INSERT INTO audit_log ({_COLUMNS}) VALUES (CAST(%s AS TIMESTAMP), %s, %s, %s, %s, %s,"
                  " CAST(%s AS JSON), CAST(%s AS JSON), %s, %s, %s)",
}
# On SQLite a batch goes as multi-row INSERT … VALUES statements of this many records (11 parameters each, under
# the 999 variables of an old SQLite): the driver binds and steps one statement per 90 records instead of one
# per record, about a third less time for the 40 000 records of a 20 000-row import.
_SQLITE_ROWS = 90
_SQLITE_MANY = (f"INSERT INTO audit_log ({_COLUMNS}) VALUES "
                + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * _SQLITE_ROWS))


def _insert(conn: Connection, params: list[tuple]) -> None:
    """Insert records (parameter tuples, in chain order: the ids follow that order on both databases)."""
    if conn.dialect.name != "sqlite":
        conn.exec_driver_sql(_INSERT[conn.dialect.name], params)
        return
    whole = len(params) - len(params) % _SQLITE_ROWS
    for start in range(0, whole, _SQLITE_ROWS):
        conn.exec_driver_sql(_SQLITE_MANY, tuple(itertools.chain.from_iterable(params[start:start + _SQLITE_ROWS])))
    if whole < len(params):
        conn.exec_driver_sql(_INSERT["sqlite"], params[whole:])


def locked_tip(conn: Connection) -> tuple[str, int]:
    """(last hash, count) of the tip, locked until the transaction ends (FOR UPDATE; SQLite holds its
    write lock already). A missing tip row is put back empty: verification then shows the gap."""
    lock = " FOR UPDATE" if conn.dialect.name == "postgresql" else ""
    tip = conn.execute(text(f"SELECT last_hash, count FROM audit_tip WHERE id = 1{lock}")).first()
    if tip is None:
        conn.execute(text("INSERT INTO audit_tip (id, last_id, last_hash, count, mac) VALUES (1, 0, '', 0, '')"))
        return "", 0
    return tip[0], tip[1]


def set_tip(conn: Connection, key: bytes, last_hash: str, count: int) -> None:
    """Point the tip at the log's newest record (whose hash is `last_hash`), keyed."""
    last_id = conn.execute(text("SELECT max(id) FROM audit_log")).scalar() or 0
    values = {"i": last_id, "h": last_hash, "c": count, "m": tip_mac(key, last_id, last_hash, count)}
    if conn.execute(text("UPDATE audit_tip SET last_id = :i, last_hash = :h, count = :c, mac = :m WHERE id = 1"),
                    values).rowcount == 0:
        conn.execute(text("INSERT INTO audit_tip (id, last_id, last_hash, count, mac) VALUES (1, :i, :h, :c, :m)"),
                     values)


def append(conn: Connection, rows: list[dict]) -> None:
    """Append records (dicts: at, user, action, object_type, object_id, object_label, before, after,
    result) to the chain and move the tip, in the caller's transaction."""
    if rows:
        append_stored(conn, _stored(rows))


def _stored(rows):
    """Record dicts as append_stored takes them (the time as its canonical text, before/after as JSON text)."""
    at_obj = at = None
    for row in rows:
        if row["at"] is not at_obj:  # a batch mostly shares one time: its text made once
            at_obj = row["at"]
            at = at_text(at_obj)
        yield (at, row["user"], row["action"], row["object_type"], row["object_id"], row["object_label"] or "",
               json_text(row["before"]), json_text(row["after"]), row["result"])


STORED_BATCH = 50_000  # records hashed, then inserted, at a time (one statement's parameters in memory)


def append_stored(conn: Connection, records) -> int:
    """Append records already in their stored form — tuples (at, user, action, object_type, object_id,
    object_label, before, after, result) with `at` a time or its at_text, before/after None or their
    json_text — to the chain and move the tip, in the caller's transaction; returns how many.

    The bulk path (bench/city.py's million records; `append` goes through it too): each record's hash is
    link_hash's HMAC (the same message, the key set up once and its state copied per record, as _Keyed), a
    text holding the field separator stored without it (_plain). Records are hashed and inserted
    STORED_BATCH at a time, the tip moved once at the end."""
    records = iter(records)
    first = next(records, None)
    if first is None:
        return 0
    records = itertools.chain((first,), records)
    prev, count = locked_tip(conn)
    key = ledger_key(conn, create=count == 0 and prev == "")
    keyed, sep, n = hmac.new(key, digestmod="sha256"), _SEP, 0
    message = _message
    while True:
        params = []
        for at, user, action, object_type, object_id, label, before, after, result in records:
            if at.__class__ is not str or len(at) != 26 or at[10] != " ":
                at = at_text(at)
            if sep in user or sep in action or sep in object_type or sep in label or sep in result:
                user, action, object_type, label, result = map(_plain, (user, action, object_type, label, result))
            h = keyed.copy()
            h.update(message(prev, at, user, action, object_type, object_id, label, before, after,
                             result).encode("utf-8"))
            h = h.hexdigest()
            params.append((at, user, action, object_type, object_id, label, before, after, result, prev, h))
            prev = h
            if len(params) == STORED_BATCH:
                break
        if not params:
            break
        _insert(conn, params)
        n += len(params)
    set_tip(conn, key, prev, count + n)
    return n


def seal_empty(conn: Connection) -> None:
    """Give a ledger with an empty log its key and an empty, keyed tip (a new database)."""
    prev, count = locked_tip(conn)
    set_tip(conn, ledger_key(conn, create=True), prev, count)


# ---- verifying -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainCheck:
    """What verification found. `problem`: "" (intact), "edited", "newest_deleted", "tip", "no_key", "no_key_id"."""

    intact: bool
    broken_id: int | None
    total: int
    problem: str = ""
    deleted: int = 0  # newest records missing against the tip
    last_id: int | None = None  # the log's newest record
    tip_id: int | None = None  # the newest record the tip names
    detail: str = ""
    head: str = ""  # the first 12 hex of the tip's hash when intact: the paper anchor

    @property
    def message(self) -> str:
        if self.intact:
            return f"日志完整，共{self.total}条"
        if self.problem == "edited":
            return f"日志校验失败：第 {self.broken_id} 号记录被改动，或它之前的记录被删除（共{self.total}条）"
        if self.problem == "newest_deleted":
            if self.total == 0:
                return f"日志校验失败：全部 {self.deleted} 条记录被删除（链尾记录为第 {self.tip_id} 号）"
            return (f"日志校验失败：最新的 {self.deleted} 条记录被删除（日志止于第 {self.last_id} 号，"
                    f"链尾记录为第 {self.tip_id} 号；现存{self.total}条）")
        if self.problem == "no_key":
            return f"无法校验：{self.detail}"
        if self.problem == "no_key_id":
            return "日志校验失败：台账中没有审计密钥编号（台账设置被改动），无法确认日志未被改动"
        return f"日志校验失败：{self.detail}"


def _log_sql(pg: bool) -> str:
    side = "CAST({0} AS TEXT)" if pg else "{0}"
    return (f'SELECT id, at, "user", action, object_type, object_id, object_label, {side.format("before")},'
            f' {side.format("after")}, result, prev_hash, hash FROM audit_log ORDER BY id')


_BATCH = 20000  # records fetched at a time; the cancel token is looked at between batches


@contextmanager
def _raw_snapshot(engine):
    """A DBAPI connection in one read transaction (one snapshot of log, tip and settings) and a
    function running a query on it: the raw rows, streamed. `as_bytes`: texts come back as their
    UTF-8 bytes (SQLite), which the hashes are taken of — no decoding a million records to str."""
    raw = engine.raw_connection()
    opened = []
    try:
        con = raw.driver_connection
        if engine.dialect.name == "sqlite":
            con.execute("BEGIN")

            def run(sql: str, params=(), as_bytes: bool = False):
                con.text_factory = bytes if as_bytes else str
                return con.execute(sql, params)
        else:
            con.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

            def run(sql: str, params=(), as_bytes: bool = False):
                if sql.startswith("SELECT id, at"):  # the log itself: streamed from the server
                    cur = con.cursor(name=f"audit_{secrets.token_hex(4)}")
                    cur.itersize = _BATCH
                    opened.append(cur)
                    cur.execute(sql)
                    return _Batches(cur) if as_bytes else cur
                return con.execute(sql.replace("?", "%s"), params)
        yield run
    finally:
        for cur in opened:
            cur.close()
        if engine.dialect.name == "sqlite":
            raw.driver_connection.text_factory = str  # the connection goes back to the pool as it came
        raw.rollback()
        raw.close()


class _Batches:
    """A server-side cursor's rows with their texts as UTF-8 bytes and the time as its canonical text, read
    `fetchmany` at a time like a SQLite cursor's (PostgreSQL hands back str and datetime)."""

    def __init__(self, cur) -> None:
        self.cur = cur

    def fetchmany(self, size: int) -> list[tuple]:
        def b(v):
            return None if v is None else v.encode("utf-8")
        return [(rid, at_text(at).encode("ascii"), b(user), b(action), b(otype), oid, b(label), b(before), b(after),
                 b(result), b(prev_hash), b(h))
                for rid, at, user, action, otype, oid, label, before, after, result, prev_hash, h
                in self.cur.fetchmany(size)]


class _Keyed:
    """HMAC-SHA256 under one key, the key set up once: each record costs a copy of the keyed state (the
    standard library's HMAC.copy) instead of hmac.digest setting the key up again, ~25 % less over a million
    records; the same digest as hmac.digest (a test holds them equal)."""

    def __init__(self, key: bytes) -> None:
        self.keyed = hmac.new(key, digestmod="sha256")

    def hex(self, msg: bytes) -> bytes:
        h = self.keyed.copy()
        h.update(msg)
        return h.hexdigest().encode("ascii")


def _verify_log(cursor, key: bytes, prev: str, after_id: int, token=None) -> tuple[int | None, int, int | None, str]:
    """Walk the log (rows as bytes, oldest first) recomputing each record's hash exactly as link_hash makes it.
    Returns (first broken id or None, records verified, last id, last hash)."""
    keyed, sep, n, last_id = _Keyed(key), _SEP.encode(), 0, None
    prev_b = prev.encode("ascii", "replace")
    while True:
        if token is not None:
            token.check()
        rows = cursor.fetchmany(_BATCH)
        if not rows:
            return None, n, last_id, prev_b.decode("ascii", "replace")
        for rid, at, user, action, otype, oid, label, before, after, result, prev_hash, h in rows:
            if len(at) != 26 or at[10] != 32:  # not SQLite's canonical text: the hash covers the canonical form
                at = at_text(at.decode("utf-8")).encode("ascii")
            msg = sep.join((prev_b, at, user, action, otype, b"N" if oid is None else str(oid).encode("ascii"), label,
                            b"N" if before is None else b"T" + before, b"N" if after is None else b"T" + after, result))
            if rid <= after_id or prev_hash != prev_b or h != keyed.hex(msg):
                return rid, n, last_id, prev_b.decode("ascii", "replace")
            prev_b, last_id, n = h, rid, n + 1


def check_chain(ledger, token=None) -> ChainCheck:
    """Recompute every keyed hash from the chain base, then hold the log's end and count against the tip.
    `token` (a CancelToken): stop between batches when cancelled (raises Cancelled)."""
    engine = ledger.engine
    with _raw_snapshot(engine) as run:
        key_id = (run("SELECT value FROM ledger_meta WHERE key = ?", (KEY_ID,)).fetchone() or [None])[0]
        base_text = (run("SELECT value FROM ledger_meta WHERE key = ?", (BASE,)).fetchone() or [None])[0]
        tip = run("SELECT last_id, last_hash, count, mac FROM audit_tip WHERE id = 1").fetchone()
        total = run("SELECT count(*) FROM audit_log").fetchone()[0]
        if not key_id:
            return ChainCheck(False, None, total, "no_key_id")
        key = load_key(key_id)
        if key is None:
            return ChainCheck(False, None, total, "no_key", detail=missing_key_message(key_id))
        prev, after_id = "", 0
        if base_text:
            try:
                base = json.loads(base_text)
                after_id, prev, purged = int(base["after_id"]), str(base["hash"]), int(base["purged"])
                base_ok = hmac.compare_digest(str(base["mac"]), base_mac(key, after_id, prev, purged))
            except (ValueError, KeyError, TypeError):
                base_ok = False
            if not base_ok:
                return ChainCheck(False, None, total, "tip", detail="日志起点（清理后的链基）被改动")
        broken, n, last_id, prev = _verify_log(run(_log_sql(engine.dialect.name == "postgresql"), as_bytes=True),
                                               key, prev, after_id, token)
        if broken is not None:
            return ChainCheck(False, broken, total, "edited")
    return _against_tip(key, tip, n, last_id, prev)


def _against_tip(key: bytes, tip, n: int, last_id: int | None, last_hash: str) -> ChainCheck:
    if tip is None:
        return ChainCheck(False, None, n, "tip", last_id=last_id, detail="链尾记录缺失")
    tip_id, tip_hash, tip_count, mac = tip
    if not hmac.compare_digest(mac or "", tip_mac(key, tip_id, tip_hash, tip_count)):
        return ChainCheck(False, None, n, "tip", last_id=last_id, tip_id=tip_id,
                          detail="链尾记录被改动（最新的记录可能被删除）")
    if tip_hash == last_hash and tip_count == n and (tip_id == last_id or n == 0 and not tip_hash):
        return ChainCheck(True, None, n, last_id=last_id, tip_id=tip_id, head=tip_hash[:12])
    if n < tip_count:
        return ChainCheck(False, None, n, "newest_deleted", deleted=tip_count - n, last_id=last_id, tip_id=tip_id)
    return ChainCheck(False, None, n, "tip", last_id=last_id, tip_id=tip_id,
                      detail=f"日志有{n}条，止于第 {last_id} 号；链尾记录为{tip_count}条，止于第 {tip_id} 号")


def verify_chain(ledger) -> tuple[bool, int | None]:
    """(intact, id of the first broken record): check_chain in short."""
    check = check_chain(ledger)
    return check.intact, check.broken_id


def head_short_hash(ledger) -> str:
    """The first 12 hex of the tip's hash: the paper anchor printed in the footer of bulletins and score sheets."""
    with ledger.reader() as s:
        return (s.connection().execute(text("SELECT last_hash FROM audit_tip WHERE id = 1")).scalar() or "")[:12]


# ---- purging ---------------------------------------------------------------------------------


def local_midnight_utc(day: dt.date) -> dt.datetime:
    """Local midnight at the start of `day`, as the naive UTC the log stores."""
    return dt.datetime.combine(day, dt.time()).astimezone(dt.timezone.utc).replace(tzinfo=None)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (the month's last day when it has no such day)."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(y, m, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _may_purge(ledger) -> None:
    """Purging old records is a system administrator's act, as backups are."""
    from desktop.services.accounts import permissions

    permissions.require(ledger, "backup")


def purge_before(ledger, day: dt.date) -> int:
    """Delete the records made before `day` (local), never one younger than six months; the chain
    still verifies from the recorded base. Returns how many records went; the purge itself is logged."""
    _may_purge(ledger)
    limit = months_before(ledger.today(), KEEP_MONTHS)
    if day > limit:
        raise Refused(f"六个月内的操作日志不可清理：最晚只能清理 {limit:%Y-%m-%d} 以前的记录。")
    check = check_chain(ledger)
    if not check.intact:
        raise Refused(f"操作日志校验未通过，不能清理。{check.message}")
    with ledger.session() as s:
        conn = s.connection()
        prev, count = locked_tip(conn)
        key = ledger_key(conn)
        first_kept = conn.execute(text("SELECT min(id) FROM audit_log WHERE at >= :cut"),
                                  {"cut": at_text(local_midnight_utc(day))}).scalar()
        bound = "" if first_kept is None else " WHERE id < :first"
        params = {} if first_kept is None else {"first": first_kept}
        last = conn.execute(text(f"SELECT id, hash FROM audit_log{bound} ORDER BY id DESC LIMIT 1"), params).first()
        if last is None:
            return 0
        n = conn.execute(text("DELETE FROM audit_log WHERE id <= :last"), {"last": last[0]}).rowcount
        base = json.loads(_meta(conn, BASE) or "{}")
        purged = int(base.get("purged", 0)) + n
        _put_meta(conn, BASE, json.dumps({"after_id": last[0], "hash": last[1], "purged": purged,
                                          "mac": base_mac(key, last[0], last[1], purged)}))
        set_tip(conn, key, prev, count - n)
        append(conn, [{"at": utcnow(), "user": ledger.user,
                       "action": "purge", "object_type": "audit_log", "object_id": None, "object_label": "操作日志",
                       "before": None, "after": {"清理截至": day.isoformat(), "清理条数": n}, "result": "成功"}])
    return n
