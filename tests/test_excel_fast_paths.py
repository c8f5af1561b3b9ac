"""The fast paths of the Excel exchange (issue 12) give the same answers as the plain ones they replaced."""

from __future__ import annotations

from sqlalchemy import select

import search_samples
from desktop.models import Target
from desktop.models.enums import Category, TargetKind, TargetState
from desktop.services.db import insert_returning_ids
from desktop.services.search_text import search_text_for
from desktop.services.towns import town_service


def _target_rows(town_id: int, n: int) -> list[dict]:
    rows = []
    for i in range(n):
        name, code, address = f"批量{i:05d}五金制品厂", f"91320500MA{i:06d}X", f"东港镇工业路{i}号"
        rows.append({"kind": TargetKind.ENTERPRISE, "name": name, "town_id": town_id, "category": Category.OTHER,
                     "state": TargetState.IN_PROGRESS, "credit_code": code, "address": address, "legal_rep": "",
                     "industry": "", "land_cert_no": "", "owner": "", "note": "", "credit_code_override": False,
                     "search_text": search_text_for(name, code, address)})
    return rows


def test_insert_returning_ids_gives_each_row_its_id_in_order_across_several_statements(db):
    """Multi-row INSERT statements (more rows than one statement holds) keep the ids in the rows' order, and
    the search index follows every row as it did with one statement per row."""
    town_id = town_service.create_town(db, "东港镇").id
    rows = _target_rows(town_id, 2600)
    with db.session() as s:
        ids = insert_returning_ids(s, Target.__table__, rows)
    assert len(ids) == len(set(ids)) == 2600
    with db.reader() as s:
        stored = dict(s.execute(select(Target.id, Target.name)).tuples().all())
        assert [stored[i] for i in ids] == [r["name"] for r in rows]
        conn = s.connection()
        for k in (0, 999, 1000, 1999, 2000, 2599):  # the first and last row of each statement
            assert search_samples.ordered_ids(conn, [rows[k]["credit_code"].lower()], indexed=True) == [ids[k]]
        assert search_samples.ordered_ids(conn, ["五金制品"], indexed=True) == sorted(ids, key=lambda i: stored[i])
