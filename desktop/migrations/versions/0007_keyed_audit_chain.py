"""A keyed audit chain that refuses edits: the log re-sealed, triggers against UPDATE and DELETE

- The old, unkeyed chain is verified first (records with an empty hash at the start of the log
  were written before the chain existed: pre-chain legacy). Then every record gets its keyed hash
  (HMAC with a key made now in the program's settings folder; services/audit_chain.py), the tip is
  written, and the upgrade is recorded in the log with whether the old chain was intact.
- SQLite: triggers refuse UPDATE on audit_log, and DELETE of a record younger than six months (a
  purge of older ones stays possible). PostgreSQL: one trigger function doing the same (TRUNCATE
  refused too), and REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC.

Revision ID: 0007
Revises: 0006
"""

import hashlib
import json

import sqlalchemy as sa
from alembic import op

from desktop.models.base import utcnow
from desktop.services import audit_chain
from desktop.services.ledger import os_login

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_CHUNK = 20000

_SQLITE_GUARDS = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, '操作日志只可追加，记录不可修改'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "WHEN OLD.at >= strftime('%Y-%m-%d %H:%M:%S', 'now', '-6 months') "
    "BEGIN SELECT RAISE(ABORT, '操作日志只可追加，六个月内的记录不可删除'); END",
]
_PG_GUARDS = [
    """CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.at < (now() AT TIME ZONE 'utc') - interval '6 months' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION '操作日志只可追加，六个月内的记录不可删除';
    END IF;
    RAISE EXCEPTION '操作日志只可追加，记录不可修改或清空';
END
$$""",
    "CREATE TRIGGER audit_log_guard BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE PROCEDURE audit_log_guard()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE PROCEDURE audit_log_guard()",
    "REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC",
]


def _old_digest(prev: str, at, user, action, object_type, object_id, label, before, after, result) -> str:
    """The unkeyed hash of revisions 0001–0006 (a frozen copy: the program no longer computes it)."""
    payload = json.dumps([prev, at.isoformat(), user, action, object_type, object_id, label, before, after, result],
                         ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _chunks(conn):
    log = sa.table("audit_log", *(sa.column(c) for c in ("id", "user", "action", "object_type", "object_id",
                                                          "object_label", "result", "prev_hash", "hash")),
                   sa.column("at", sa.DateTime), sa.column("before"), sa.column("after"))
    columns = [log.c.id, log.c.at, log.c.user, log.c.action, log.c.object_type, log.c.object_id, log.c.object_label,
               sa.cast(log.c.before, sa.Text), sa.cast(log.c.after, sa.Text), log.c.result, log.c.prev_hash, log.c.hash]
    last = 0
    while True:
        rows = conn.execute(sa.select(*columns).where(log.c.id > last).order_by(log.c.id).limit(_CHUNK)).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _reseal(conn) -> dict:
    """Verify the old chain and re-hash every record keyed; what was found, for the upgrade's record."""
    key = audit_chain.ledger_key(conn, create=True)
    old_prev, new_prev = "", ""
    legacy = total = 0
    broken_at = None
    in_prefix = True
    for rows in _chunks(conn):
        updates = []
        for rid, at, user, action, otype, oid, label, before, after, result, prev_hash, h in rows:
            total += 1
            in_prefix = in_prefix and not h
            if in_prefix:  # written before the chain existed
                legacy += 1
            elif broken_at is None:
                values = [json.loads(v) if v is not None else None for v in (before, after)]
                if prev_hash != old_prev or h != _old_digest(old_prev, at, user, action, otype, oid, label,
                                                             *values, result):
                    broken_at = rid
                old_prev = h
            new = audit_chain.link_hash(key, new_prev, audit_chain.at_text(at), user, action, otype, oid, label,
                                        before, after, result)
            updates.append({"i": rid, "p": new_prev, "h": new})
            new_prev = new
        conn.execute(sa.text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE id = :i"), updates)
    audit_chain.set_tip(conn, key, new_prev, total)
    return {"records": total, "legacy": legacy, "broken_at": broken_at}


def upgrade() -> None:
    conn = op.get_bind()
    found = _reseal(conn)
    if found["records"]:
        old = "完整" if found["broken_at"] is None else f"断裂（第 {found['broken_at']} 条）"
        audit_chain.append(conn, [{
            "at": utcnow(), "user": os_login(), "action": "upgrade",
            "object_type": "audit_log", "object_id": None, "object_label": "操作日志",
            "before": None, "after": {"旧哈希链": old, "链前旧记录": found["legacy"], "重新封存": found["records"]},
            "result": "成功"}])
    for statement in _PG_GUARDS if conn.dialect.name == "postgresql" else _SQLITE_GUARDS:
        conn.exec_driver_sql(statement)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_guard ON audit_log")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS audit_log_guard()")
    else:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_delete")
