"""The append-only audit log: every ORM write is recorded by a session hook, with a hash chain.

Services write through ORM sessions; the hook below records each insert, update and delete
with before/after values, so nothing reaches the database unrecorded. Bulk loads (sample data)
call `record()` once with counts; imports writing with bulk statements call `record_many()`, one
record per row written. Each record's hash is keyed and covers the previous record's hash, and a
chain tip moves with every append (services/audit_chain.py), so a silent edit or deletion, even of
the newest records, is found by `check_chain`.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import enum
import itertools
import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from desktop.models import AuditLog, Base
from desktop.services import audit_chain
from desktop.services.audit_chain import local_midnight_utc
from desktop.models.base import utcnow
from desktop.services.ledger import actor
from desktop.services.errors import Refused
from desktop.services.ledger import Ledger
from desktop.services.audit_labels import action_label, field_label, format_value, object_type_label

NOT_AUDITED = {"audit_log"}
SOURCE_KEY = "_source"  # set from session.info["audit_source"] (e.g. “数据包 某镇_2024-11.xlsx”)
SKIPPED_COLUMNS = {"created_at", "updated_at", "revision", "search_text", "password_hash"}


def _jsonable(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


# Rows with no name of their own are labelled by their parent's (a 任务分解 by its town …).
_PARENT_LABEL: dict[str, tuple[str, str, str]] = {
    "town_target": ("town_id", "town", "name"),
    "governance_list": ("town_id", "town", "name"),
    "monthly_report": ("town_id", "town", "name"),
    "subsidy_proposal": ("town_id", "town", "name"),
    "list_entry": ("target_id", "target", "name"),
    "evaluation": ("target_id", "target", "name"),
    "examination": ("target_id", "target", "name"),
    "sanction": ("target_id", "target", "name"),
    "exam_accountability": ("department_id", "department", "name"),
    "exam_criterion": ("year_id", "year", "year"),
    "year_params": ("year_id", "year", "year"),
    "agreement": ("town_id", "town", "name"),
    "quota_loan": ("town_id", "town", "name"),
}


def _label(session: Session, obj) -> str:
    """A human name for the log: the row's own name column, else its parent's (never a relationship)."""
    table = obj.__tablename__
    parent = _PARENT_LABEL.get(table)
    if parent is not None:
        fk, parent_table, column = parent
        parent_id = getattr(obj, fk, None)
        if parent_id is not None:
            t = Base.metadata.tables[parent_table]
            value = session.connection().execute(select(t.c[column]).where(t.c.id == parent_id)).scalar()
            if value:
                return f"{value}年度" if column == "year" else str(value)
    columns = {a.key for a in inspect(obj).mapper.column_attrs}
    for attr in ("name", "title", "username", "year"):
        value = getattr(obj, attr, None) if attr in columns else None
        if value:
            return f"{value}年度" if attr == "year" and table == "year" else str(value)
    return ""


SECRET_TEXT = "（密钥不记录）"


def _masked(obj, values: dict) -> dict:
    """A secret kept in ledger_meta (a key whose name ends in "secret") never reaches the log, which the
    audit administrator reads and exports: its value is replaced by a note."""
    if getattr(obj, "__tablename__", None) == "ledger_meta" and str(getattr(obj, "key", "")).endswith("secret") \
            and "value" in values:
        return {**values, "value": SECRET_TEXT}
    return values


def _columns(obj) -> dict:
    mapper = inspect(obj).mapper
    return _masked(obj, {
        attr.key: _jsonable(getattr(obj, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in SKIPPED_COLUMNS
    })


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
    return _masked(obj, before), _masked(obj, after)


def _write(conn, rows: list[dict]) -> None:
    audit_chain.append(conn, rows)


# Verification and purging live beside the keyed chain (services/audit_chain.py); callers say audit.*.
ChainCheck = audit_chain.ChainCheck
check_chain = audit_chain.check_chain
verify_chain = audit_chain.verify_chain
head_short_hash = audit_chain.head_short_hash
purge_before = audit_chain.purge_before


def _row(action, object_type, object_id, label, before, after, result="成功", user: str = "") -> dict:
    return {
        "at": utcnow(), "user": user, "action": action, "object_type": object_type,
        "object_id": object_id, "object_label": label or "", "before": before, "after": after, "result": result,
    }


def record(session: Session, action: str, object_type: str, object_id: int | None = None, *,
           label: str = "", before: dict | None = None, after: dict | None = None,
           result: str = "成功", user: str | None = None) -> None:
    """Record an action that is not a plain row change (bulk load, backup, login …)."""
    session.flush()
    _write(session.connection(), [_row(action, object_type, object_id, label, before, after, result, user or actor(session))])


_AS_IS = frozenset((str, int, float, bool, type(None)))


def _as_logged(values: dict | None) -> dict | None:
    """Column values as the hook logs them (plain JSON values, bookkeeping columns left out)."""
    if values is None:
        return None
    return {k: v if type(v) in _AS_IS else _jsonable(v) for k, v in values.items() if k not in SKIPPED_COLUMNS}


def _name_source(session: Session, rows: list[dict]) -> None:
    """An import names itself on every row it writes, so each touched object shows where the change came from."""
    source = session.info.get("audit_source")
    if source:
        for row in rows:
            side = "before" if row["action"] == "delete" else "after"
            row[side] = {**(row[side] or {}), SOURCE_KEY: source}


@dataclass(frozen=True)
class Created:
    """Rows of one table inserted by bulk statements, given column by column: recorded as record_many records
    ("create", object_type, id, label, None, {"id": id, **row}) would be, the JSON made a column at a time."""

    object_type: str
    ids: list[int]
    labels: list[str]
    columns: dict[str, list]  # column → its values in the rows' order (the order of the inserted row dicts)

    def changes(self):
        """The same records as record_many's change tuples."""
        keys = list(self.columns)
        for i, (object_id, label) in enumerate(zip(self.ids, self.labels)):
            yield "create", self.object_type, object_id, label, None, {"id": object_id,
                                                                       **{k: self.columns[k][i] for k in keys}}


_encode_str = json.encoder.encode_basestring  # what the audit's encoder writes for a str (ensure_ascii=False)


def _json_value(value) -> str:
    """One value's JSON text exactly as json_text(_as_logged(...)) writes it inside a record."""
    t = type(value)
    if t not in _AS_IS:  # an enum, a Decimal, a date …: the value _as_logged keeps
        value = _jsonable(value)
        t = type(value)
    if t is str:
        return _encode_str(value)  # what the encoder writes for a str, with or without the encoder around it
    if value is None:
        return "null"
    if t is int:
        return int.__repr__(value)
    return audit_chain.json_text(value)


def _json_column(values: list) -> list[str]:
    types = set(map(type, values))
    if types <= {str}:
        return list(map(_encode_str, values))
    if types <= {int}:
        return list(map(int.__repr__, values))
    if len(types) == 1 and issubclass(next(iter(types)), enum.Enum):  # one enum's members: each encoded once
        text = {member: _json_value(member) for member in set(values)}
        return [text[v] for v in values]
    return [_json_value(v) for v in values]


def _created_stored(block: Created, at: str, user: str, source: str | None):
    """A Created block's records in their stored form. Built column-wise: each column's values encoded in one
    pass, then one %-template per record (the keys and the import's source written once), byte for byte the
    text the per-record path writes (a test holds the two equal)."""
    keys = [k for k in block.columns if k not in SKIPPED_COLUMNS]
    if "id" in block.columns or SOURCE_KEY in block.columns:  # keys the template could not place as the dict does
        yield from _changes_stored(list(block.changes()), at, user, source)
        return
    pairs = [("id", None)] + [(k, None) for k in keys] + ([(SOURCE_KEY, _encode_str(source))] if source else [])
    template = "{" + ",".join(_encode_str(k).replace("%", "%%") + ":" + ("%s" if v is None else v.replace("%", "%%"))
                              for k, v in pairs) + "}"
    columns = [list(map(int.__repr__, block.ids)) if set(map(type, block.ids)) <= {int} else
               [_json_value(i) for i in block.ids]] + [_json_column(block.columns[k]) for k in keys]
    for object_id, label, values in zip(block.ids, block.labels, zip(*columns)):
        yield at, user, "create", block.object_type, object_id, label or "", None, template % values, "成功"


def _changes_stored(changes, at: str, user: str, source: str | None):
    for action, object_type, object_id, label, before, after in changes:
        before, after = _as_logged(before), _as_logged(after)
        if source:
            if action == "delete":
                before = {**(before or {}), SOURCE_KEY: source}
            else:
                after = {**(after or {}), SOURCE_KEY: source}
        yield (at, user, action, object_type, object_id, label or "", audit_chain.json_text(before),
               audit_chain.json_text(after), "成功")


def record_many(session: Session, changes, created: list[Created] = ()) -> None:
    """Record rows written by bulk statements (imports) as the flush hook records ORM writes: one record per
    (action, object_type, object_id, label, before, after), then one per row of each `created` block, naming
    session.info["audit_source"].

    The records go onto the keyed chain in one append (audit_chain.append_stored: each record's hash keyed and
    linked to the one before, the tip moved) inside the caller's transaction, so the rows and their records
    commit or roll back together and the chain verifies afterwards."""
    if session.info.get("skip_audit"):
        return
    # one time for the batch: its records are written together
    user, at, source = actor(session), audit_chain.at_text(utcnow()), session.info.get("audit_source")
    records = itertools.chain(_changes_stored(changes, at, user, source),
                              *(_created_stored(block, at, user, source) for block in created))
    audit_chain.append_stored(session.connection(), records)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _ctx) -> None:
    if session.info.get("skip_audit"):
        return
    user = actor(session)
    rows = []
    for obj in session.new:
        table = getattr(obj, "__tablename__", None)
        if isinstance(obj, Base) and table not in NOT_AUDITED:
            rows.append(_row("create", table, getattr(obj, "id", None), _label(session, obj), None, _columns(obj), user=user))
    for obj in session.dirty:
        table = getattr(obj, "__tablename__", None)
        if isinstance(obj, Base) and table not in NOT_AUDITED and session.is_modified(obj, include_collections=False):
            before, after = _changes(obj)
            if after:
                rows.append(_row("update", table, getattr(obj, "id", None), _label(session, obj), before, after, user=user))
    for obj in session.deleted:
        table = getattr(obj, "__tablename__", None)
        if isinstance(obj, Base) and table not in NOT_AUDITED:
            rows.append(_row("delete", table, getattr(obj, "id", None), _label(session, obj), _columns(obj), None, user=user))
    _name_source(session, rows)
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


@dataclass(frozen=True)
class AuditFilter:
    """What the 操作日志 page filters by. Dates are local calendar days (the stored `at` is UTC)."""

    user: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: int | None = None
    text: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def kwargs(self) -> dict:
        return {f: getattr(self, f) for f in ("user", "action", "object_type", "object_id", "text", "since", "until")}


def to_local(at: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time as naive local time, for display."""
    return at.replace(tzinfo=dt.timezone.utc).astimezone().replace(tzinfo=None)


def _filtered(q, *, object_type=None, object_id=None, user=None, action=None, text=None, since=None, until=None):
    if object_type:
        q = q.where(AuditLog.object_type == object_type)
    if object_id is not None:
        q = q.where(AuditLog.object_id == object_id)
    if user:
        q = q.where(AuditLog.user == user)
    if action:
        q = q.where(AuditLog.action == action)
    if text and text.strip():
        q = q.where(AuditLog.object_label.icontains(text.strip(), autoescape=True))
    if since:
        q = q.where(AuditLog.at >= local_midnight_utc(since))
    if until:
        q = q.where(AuditLog.at < local_midnight_utc(until + dt.timedelta(days=1)))
    return q


def list_entries(ledger: Ledger, *, object_type: str | None = None, object_id: int | None = None, user: str | None = None,
                 action: str | None = None, text: str | None = None, since: dt.date | None = None,
                 until: dt.date | None = None, limit: int = 500, offset: int = 0,
                 before_id: int | None = None) -> list[AuditRow]:
    """Audit records, newest first, filtered. `since`/`until` are local dates, both inclusive.

    Page with `before_id` (the last id already shown): unlike an offset it does not shift when new
    records arrive between pages.
    """
    q = _filtered(select(AuditLog), object_type=object_type, object_id=object_id, user=user, action=action,
                  text=text, since=since, until=until)
    if before_id is not None:
        q = q.where(AuditLog.id < before_id)
    q = q.order_by(AuditLog.id.desc()).limit(limit).offset(offset)
    with ledger.reader() as s:
        return [_to_row(a) for a in s.scalars(q)]


def count_entries(ledger: Ledger, flt: AuditFilter | None = None) -> int:
    """How many records match the filter."""
    q = _filtered(select(func.count(AuditLog.id)), **(flt or AuditFilter()).kwargs())
    with ledger.reader() as s:
        return s.scalar(q) or 0


def distinct_values(ledger: Ledger) -> dict[str, list[str]]:
    """Users, actions and object types present in the log (for filter drop-downs)."""
    with ledger.reader() as s:
        return {"user": _distinct(s, AuditLog.user), "action": _distinct(s, AuditLog.action),
                "object_type": _distinct(s, AuditLog.object_type)}


def _distinct(s, column) -> list[str]:
    """The distinct values of an indexed column, one index seek each (a million records hold a handful of
    users and actions; a DISTINCT would read them all)."""
    out = []
    value = s.scalar(select(func.min(column)))
    while value is not None:
        out.append(value)
        value = s.scalar(select(func.min(column)).where(column > value))
    return sorted(out)


def count(ledger: Ledger) -> int:
    with ledger.reader() as s:
        return s.scalar(select(func.count(AuditLog.id))) or 0


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


def field_changes(row: AuditRow) -> list[FieldChange]:
    """Before → after per field: every field of a create or delete, the changed ones of an update."""
    before, after = row.before or {}, row.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):  # a record(...) with a bare value
        return [FieldChange("", "内容", format_value(before), format_value(after))]
    keys = list(after) + [k for k in before if k not in after]
    return [FieldChange(k, field_label(row.object_type, k), format_value(before.get(k)), format_value(after.get(k)))
            for k in keys]


# --- Export -----------------------------------------------------------------------------------

EXPORT_HEADERS = ["编号", "时间", "用户", "操作", "对象类型", "对象编号", "对象", "结果", "修改前", "修改后"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXPORT_PAGE = 1000


def _summary(row: AuditRow, side: dict | None) -> str:
    if not side:
        return ""
    if not isinstance(side, dict):
        return format_value(side)
    return "；".join(f"{field_label(row.object_type, k)}：{format_value(v)}" for k, v in side.items())


def export_row(row: AuditRow) -> list:
    """One record as the cells of an exported row (the id a number, everything else text)."""
    return [row.id, to_local(row.at).strftime("%Y-%m-%d %H:%M:%S"), row.user, action_label(row.action),
            object_type_label(row.object_type), "" if row.object_id is None else str(row.object_id),
            row.object_label, row.result, _summary(row, row.before), _summary(row, row.after)]


def iter_export_rows(ledger: Ledger, flt: AuditFilter | None = None, page: int = EXPORT_PAGE):
    """Matching records, newest first, as export rows; read a page at a time."""
    kwargs = (flt or AuditFilter()).kwargs()
    last = None
    while True:
        rows = list_entries(ledger, limit=page, before_id=last, **kwargs)
        for r in rows:
            yield export_row(r)
        if len(rows) < page:
            return
        last = rows[-1].id


def safe_text(value) -> str:
    """Text for a CSV cell that a spreadsheet will not run as a formula."""
    s = "" if value is None else str(value)
    return "'" + s if s.startswith(_FORMULA_START) else s


def _check_cancel(token) -> None:
    if token is not None and token.cancelled:
        raise Refused("已取消导出，未生成文件。")


def export(ledger: Ledger, path, flt: AuditFilter | None = None, progress=None, token=None) -> int:
    """Write the filtered log to `path` (.xlsx, else CSV in UTF-8 with BOM); return the row count.

    Written to a temporary file first, so a cancelled or failed export leaves nothing half-written.
    """
    path = Path(path)
    total = count_entries(ledger, flt)
    tmp = path.with_name(path.name + ".part")
    done = 0
    try:
        if path.suffix.lower() == ".xlsx":
            from openpyxl import Workbook
            from openpyxl.cell import WriteOnlyCell
            from openpyxl.styles import Font

            wb = Workbook(write_only=True)
            ws = wb.create_sheet("操作日志")
            for col, width in zip("ABCDEFGHIJ", (8, 20, 12, 10, 16, 10, 28, 8, 60, 60)):
                ws.column_dimensions[col].width = width
            bold = Font(bold=True)
            header = []
            for h in EXPORT_HEADERS:
                c = WriteOnlyCell(ws, value=h)
                c.font = bold
                header.append(c)
            ws.append(header)
            for values in iter_export_rows(ledger, flt):
                cells = [values[0]]
                for v in values[1:]:
                    c = WriteOnlyCell(ws, value=v)
                    c.data_type = "s"  # text, never a formula, whatever it starts with
                    cells.append(c)
                ws.append(cells)
                done += 1
                if done % 500 == 0:
                    _check_cancel(token)
                    if progress:
                        progress(done, total)
            wb.save(tmp)
        else:
            with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
                w = csv.writer(f)
                w.writerow(EXPORT_HEADERS)
                for values in iter_export_rows(ledger, flt):
                    w.writerow([values[0]] + [safe_text(v) for v in values[1:]])
                    done += 1
                    if done % 500 == 0:
                        _check_cancel(token)
                        if progress:
                            progress(done, total)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if progress:
        progress(done, total)
    # Recorded as services/export_log.record_export records every export (that module imports this one).
    f = flt or AuditFilter()
    with ledger.session() as s:
        record(s, "export", "file", label=f"操作日志（{f.since or '最早'} 至 {f.until or '最新'}）",
               after={"file_name": path.name, "count": done})
    return done

