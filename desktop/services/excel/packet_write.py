"""镇街数据包, the write of changed rows: the towns' edits of 治理对象 fields and 进展情况 as bulk UPDATEs
(revisions checked, only what differs), with one audit record per row written, as the ORM hook would."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import bindparam, select, update

from desktop.models import ListEntry, Target
from desktop.models.base import utcnow
from desktop.services.errors import Refused
from desktop.services.search_text import search_text_for

IDS_PER_QUERY = 500
_T = Target.__table__
_E = ListEntry.__table__


def _chunks(items: list, size: int = IDS_PER_QUERY):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def write_changed(s, rows, fields: dict[str, str], changes: list) -> Decimal:
    """Write each changed row's target fields (`fields`: column key → attribute) and progress note; the land
    area the rows carry. Audit records are appended to `changes`; Refused when a row changed since the preview."""
    area = Decimal(0)
    now = utcnow()
    by_columns: dict[tuple[str, ...], list[dict]] = {}  # target updates, grouped by the columns they set
    notes: list[dict] = []
    attrs = tuple(dict.fromkeys(fields.values()))
    for chunk in _chunks(rows):
        entries = {e.id: e for e in s.execute(select(_E.c.id, _E.c.revision, _E.c.note)
                                              .where(_E.c.id.in_([r.entry_id for r in chunk])))}
        columns = dict.fromkeys(("id", "revision", "name", "credit_code", "address", "land_area_mu") + attrs)
        targets = {t.id: t for t in s.execute(select(*(_T.c[c] for c in columns))
                                              .where(_T.c.id.in_([r.target_id for r in chunk])))}
        for r in chunk:
            e, t = entries.get(r.entry_id), targets.get(r.target_id)
            if e is None or t is None or (e.revision, t.revision) != r.revisions:
                raise Refused(f"“{r.name}”在预览之后又被修改，请重新导入预览。未写入任何内容。")
            u = r.updates
            after = {}
            for key, attr in fields.items():
                if key in u:
                    value = u[key] if u[key] is not None or attr.endswith(("_mu", "_m2")) else ""
                    if getattr(t, attr) != value:
                        after[attr] = value
            if after:
                values = {"b_id": t.id, "b_revision": t.revision, "revision": t.revision + 1, "updated_at": now,
                          **after}
                if "address" in after:
                    values["search_text"] = search_text_for(t.name, t.credit_code, after["address"])
                by_columns.setdefault(tuple(sorted(values)), []).append(values)
                changes.append(("update", "target", t.id, t.name, {a: getattr(t, a) for a in after}, after))
            if "progress" in u and (u["progress"] or "") != e.note:
                notes.append({"b_id": e.id, "b_revision": e.revision, "revision": e.revision + 1, "updated_at": now,
                              "note": u["progress"] or ""})
                changes.append(("update", "list_entry", e.id, t.name, {"note": e.note}, {"note": u["progress"] or ""}))
            area += after.get("land_area_mu", t.land_area_mu) or Decimal(0)
    for table, batches in ((_T, list(by_columns.values())), (_E, [notes] if notes else [])):
        for batch in batches:
            stmt = (update(table).where(table.c.id == bindparam("b_id"), table.c.revision == bindparam("b_revision"))
                    .values({k: bindparam(k) for k in batch[0] if not k.startswith("b_")}))
            result = s.execute(stmt, batch)
            if s.get_bind().dialect.supports_sane_multi_rowcount and result.rowcount != len(batch):
                raise Refused("数据包中的条目在预览之后又被修改，请重新导入预览。未写入任何内容。")
    return area
