"""导入外部表格, the write: the previewed 治理对象 rows in bulk statements (Core INSERT/UPDATE of lists of
dicts inside the caller's one transaction), with one audit record per row written, as the ORM hook would.

The ORM path spent about 1.5 ms a row (unit of work, one label query per evaluation in the audit hook);
a city's 20 000-row list took 25–48 s. Here the same rows are a few executemany statements.
"""

from __future__ import annotations

from sqlalchemy import select

from desktop.models import Evaluation, Target
from desktop.models.base import utcnow
from desktop.services import audit
from desktop.services.db import insert_returning_ids, update_many
from desktop.services.excel.excel_common import check_cancel
from desktop.services.excel.legacy_fields import CREATE, IDS_PER_QUERY, UPDATE
from desktop.services.excel.legacy_rows import PreviewRow, Stale, chunked
from desktop.services.register import target_service
from desktop.services.search_text import search_text_for
from desktop.services.year import year_service

FIELDS = target_service.EDITABLE_FIELDS
WRITE_CHUNK = 2000  # rows per statement batch: progress and 取消 between batches
_T = Target.__table__
_E = Evaluation.__table__


def _stale(r: PreviewRow) -> Stale:
    return Stale(f"第{r.excel_row}行对应的“{r.label}”在预览之后已被修改或删除，未写入任何内容。请重新预览后再导入。")


def _values(v: target_service.TargetValues) -> dict:
    values = {name: getattr(v, name) for name in FIELDS}
    values["search_text"] = search_text_for(v.name, v.credit_code, v.address)
    return values


def write_enterprises(s, preview, todo: list[PreviewRow], progress, cancel) -> None:
    """Write the previewed creates and updates (targets and their grades); Stale when a matched row changed."""
    eval_year = year_service.params_in_session(s, preview.year).evaluation_year
    source = f"导入：{preview.file_name}"[:200]
    total, done = len(todo), 0
    changes: list[tuple] = []  # audit of the updates: (action, object_type, object_id, label, before, after)
    grade_inserts: list[tuple[int, str, object]] = []  # (target id, label, grade)

    def tick(n: int) -> None:
        nonlocal done
        done += n
        check_cancel(cancel)
        if progress:
            progress(done, total)

    updates = [r for r in todo if r.action == UPDATE]
    for chunk in chunked(updates, IDS_PER_QUERY):
        grade_inserts += _update_chunk(s, chunk, eval_year, changes)
        tick(len(chunk))
    creates = [r for r in todo if r.action == CREATE]
    created: list[audit.Created] = []  # audit: the created rows, column by column
    now = utcnow()  # the rows' created_at and updated_at: one time for the import, as its updates and audit records
    for chunk in chunked(creates, WRITE_CHUNK):
        rows = [_values(r.final) for r in chunk]
        for row in rows:
            row["created_at"] = row["updated_at"] = now
        ids = insert_returning_ids(s, _T, rows)
        labels = [r.final.name for r in chunk]
        created.append(audit.Created("target", ids, labels, {k: [row[k] for row in rows] for k in rows[0]}))
        grade_inserts += [(tid, label, r.final.grade) for tid, label, r in zip(ids, labels, chunk)
                          if r.final.grade is not None]
        tick(len(chunk))
    for chunk in chunked(grade_inserts, WRITE_CHUNK):
        rows = [{"target_id": tid, "year": eval_year, "grade": grade, "source": source} for tid, _label, grade in chunk]
        ids = insert_returning_ids(s, _E, rows)
        created.append(audit.Created("evaluation", ids, [label for _tid, label, _g in chunk],
                                     {k: [row[k] for row in rows] for k in rows[0]}))
        check_cancel(cancel)
    audit.record_many(s, changes, created)


def _update_chunk(s, chunk: list[PreviewRow], eval_year: int, changes: list) -> list[tuple]:
    """Updates of matched targets (only the fields that differ, revision checked) and of their grades."""
    ids = [r.target_id for r in chunk]
    current = {row.id: row for row in s.execute(select(_T.c.id, _T.c.revision, _T.c.search_text,
                                                      *(_T.c[n] for n in FIELDS)).where(_T.c.id.in_(ids)))}
    grades = {tid: (eid, grade) for eid, tid, grade in s.execute(
        select(_E.c.id, _E.c.target_id, _E.c.grade).where(_E.c.target_id.in_(ids), _E.c.year == eval_year))}
    now = utcnow()
    target_rows, grade_rows, new_grades = [], [], []
    for r in chunk:
        cur = current.get(r.target_id)
        if cur is None or cur.revision != r.revision:
            raise _stale(r)
        v: target_service.TargetValues = r.final
        before = {n: getattr(cur, n) for n in FIELDS if getattr(cur, n) != getattr(v, n)}
        if before:
            values = _values(v)
            if values["search_text"] == cur.search_text:
                del values["search_text"]  # not set: the search index re-indexes a row whose text is set
            target_rows.append({"b_id": cur.id, "b_revision": cur.revision, "revision": cur.revision + 1,
                                "updated_at": now, **values})
            changes.append(("update", "target", cur.id, v.name, before, {n: values[n] for n in before}))
        if v.grade is not None:
            old = grades.get(cur.id)
            if old is None:
                new_grades.append((cur.id, v.name, v.grade))
            elif old[1] != v.grade:
                grade_rows.append({"b_id": old[0], "grade": v.grade})
                changes.append(("update", "evaluation", old[0], v.name, {"grade": old[1]}, {"grade": v.grade}))
    # one statement for the rows whose search text changes and one for the others (a statement sets one list
    # of columns)
    for group in (
            [r for r in target_rows if "search_text" in r], [r for r in target_rows if "search_text" not in r]):
        changed = update_many(s, _T, group, match=("id", "revision"))
        if changed is not None and changed != len(group):
            raise Stale("导入的治理对象在预览之后已被修改，未写入任何内容。请重新预览后再导入。")
    update_many(s, _E, grade_rows)
    return new_grades
