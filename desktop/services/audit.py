"""The append-only audit log: every ORM write is recorded by a session hook, with a hash chain.

Services write through ORM sessions; the hook below records each insert, update and delete
with before/after values, so nothing reaches the database unrecorded. Bulk loads (sample data,
imports) call `record()` once with counts. Each record's hash covers the previous record's
hash, so a silent edit or deletion breaks the chain (`verify_chain`).
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import event, func, inspect, insert, select
from sqlalchemy.orm import Session

from desktop.models import AuditLog, Base
from desktop.models.base import utcnow
from desktop.services.context import current_user

NOT_AUDITED = {"audit_log"}
SKIPPED_COLUMNS = {"created_at", "updated_at", "revision", "search_text", "password_hash"}

ACTION_LABELS = {"create": "新增", "update": "修改", "delete": "删除"}


def _jsonable(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _label(obj) -> str:
    for attr in ("name", "title", "username", "year"):
        value = getattr(obj, attr, None)
        if value:
            return str(value)
    return ""


def _columns(obj) -> dict:
    mapper = inspect(obj).mapper
    return {
        attr.key: _jsonable(getattr(obj, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in SKIPPED_COLUMNS
    }


def _changes(obj) -> tuple[dict, dict]:
    state = inspect(obj)
    before, after = {}, {}
    for attr in state.mapper.column_attrs:
        if attr.key in SKIPPED_COLUMNS:
            continue
        hist = state.attrs[attr.key].history
        if hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if _jsonable(old) != _jsonable(new):
                before[attr.key] = _jsonable(old)
                after[attr.key] = _jsonable(new)
    return before, after


def _digest(prev_hash: str, row: dict) -> str:
    payload = json.dumps(
        [prev_hash, row["at"].isoformat(), row["user"], row["action"], row["object_type"], row["object_id"],
         row["object_label"], row["before"], row["after"], row["result"]],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _last_hash(conn) -> str:
    return conn.execute(select(AuditLog.hash).order_by(AuditLog.id.desc()).limit(1)).scalar() or ""


def _write(conn, rows: list[dict]) -> None:
    if not rows:
        return
    prev = _last_hash(conn)
    for row in rows:
        row["prev_hash"] = prev
        row["hash"] = prev = _digest(prev, row)
    conn.execute(insert(AuditLog.__table__), rows)


def _row(action, object_type, object_id, label, before, after, result="成功", user=None) -> dict:
    return {
        "at": utcnow(), "user": user or current_user(), "action": action, "object_type": object_type,
        "object_id": object_id, "object_label": label or "", "before": before, "after": after, "result": result,
    }


def record(session: Session, action: str, object_type: str, object_id: int | None = None, *,
           label: str = "", before: dict | None = None, after: dict | None = None,
           result: str = "成功", user: str | None = None) -> None:
    """Record an action that is not a plain row change (bulk load, backup, login …)."""
    session.flush()
    _write(session.connection(), [_row(action, object_type, object_id, label, before, after, result, user)])


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _ctx) -> None:
    if session.info.get("skip_audit"):
        return
    rows = []
    for obj in session.new:
        table = getattr(obj, "__tablename__", None)
        if isinstance(obj, Base) and table not in NOT_AUDITED:
            rows.append(_row("create", table, getattr(obj, "id", None), _label(obj), None, _columns(obj)))
    for obj in session.dirty:
        table = getattr(obj, "__tablename__", None)
        if isinstance(obj, Base) and table not in NOT_AUDITED and session.is_modified(obj, include_collections=False):
            before, after = _changes(obj)
            if after:
                rows.append(_row("update", table, getattr(obj, "id", None), _label(obj), before, after))
    for obj in session.deleted:
        table = getattr(obj, "__tablename__", None)
        if isinstance(obj, Base) and table not in NOT_AUDITED:
            rows.append(_row("delete", table, getattr(obj, "id", None), _label(obj), _columns(obj), None))
    _write(session.connection(), rows)


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime
    user: str
    action: str
    object_type: str
    object_id: int | None
    object_label: str
    before: dict | None
    after: dict | None
    result: str


def _to_row(a: AuditLog) -> AuditRow:
    return AuditRow(a.id, a.at, a.user, a.action, a.object_type, a.object_id, a.object_label, a.before, a.after, a.result)


def list_entries(db, *, object_type: str | None = None, object_id: int | None = None, user: str | None = None,
                 action: str | None = None, text: str | None = None, since: dt.date | None = None,
                 until: dt.date | None = None, limit: int = 500, offset: int = 0) -> list[AuditRow]:
    """Audit records, newest first, filtered."""
    q = select(AuditLog)
    if object_type:
        q = q.where(AuditLog.object_type == object_type)
    if object_id is not None:
        q = q.where(AuditLog.object_id == object_id)
    if user:
        q = q.where(AuditLog.user == user)
    if action:
        q = q.where(AuditLog.action == action)
    if text:
        q = q.where(AuditLog.object_label.contains(text, autoescape=True))
    if since:
        q = q.where(AuditLog.at >= dt.datetime.combine(since, dt.time()))
    if until:
        q = q.where(AuditLog.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
    q = q.order_by(AuditLog.id.desc()).limit(limit).offset(offset)
    with db.reader() as s:
        return [_to_row(a) for a in s.scalars(q)]


def distinct_values(db) -> dict[str, list[str]]:
    """Users, actions and object types present in the log (for filter drop-downs)."""
    with db.reader() as s:
        return {
            "user": sorted(s.scalars(select(AuditLog.user).distinct())),
            "action": sorted(s.scalars(select(AuditLog.action).distinct())),
            "object_type": sorted(s.scalars(select(AuditLog.object_type).distinct())),
        }


def count(db) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count(AuditLog.id))) or 0


def verify_chain(db) -> tuple[bool, int | None]:
    """Recompute every hash; return (intact, id of the first broken record)."""
    prev = ""
    with db.reader() as s:
        for a in s.execute(select(AuditLog).order_by(AuditLog.id)).scalars():
            row = {"at": a.at, "user": a.user, "action": a.action, "object_type": a.object_type,
                   "object_id": a.object_id, "object_label": a.object_label, "before": a.before,
                   "after": a.after, "result": a.result}
            if a.prev_hash != prev or a.hash != _digest(prev, row):
                return False, a.id
            prev = a.hash
    return True, None
