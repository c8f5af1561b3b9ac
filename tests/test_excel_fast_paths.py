"""The fast paths of the Excel exchange (issue 12) give the same answers as the plain ones they replaced."""

from __future__ import annotations

import gc
import threading

import pytest
from sqlalchemy import select

import search_samples
from desktop.models import AuditLog, Target
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


# ---- the packet export's rows written as XML ---------------------------------------------------------------


AWKWARD = ["plain", "A&B <公司>", " leading", "trailing ", "two\nlines", "tab\there", "ctl\x01\x1f", "_x0041_ kept",
           "\ufffe odd", "引号\"'", "  ", "全角　空格　", "emoji 🏭"]


def _sheet_xml(path) -> str:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_rows_written_as_xml_are_the_xml_xlsxwriter_writes_for_the_same_cells(tmp_path):
    import datetime as dt
    from decimal import Decimal

    import xlsxwriter

    from desktop.services.excel import packet_sheet_xml as sx

    values = AWKWARD + [Decimal("12.5000"), Decimal("0.0001"), Decimal("-3"), 7, 123456789012, dt.date(2024, 3, 5),
                        dt.datetime(2024, 12, 31, 0, 0)]
    rows = [[values[(i * 7 + c) % len(values)] for c in range(6)] for i in range(40)]

    def book(path):
        wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                             "strings_to_urls": False, "strings_to_numbers": False})
        ws = wb.add_worksheet("s")
        styles = [None, wb.add_format({"locked": False, "bg_color": "#FFF9E0"}), None,
                  wb.add_format({"num_format": "yyyy-mm-dd"}), wb.add_format({"locked": False}), None]
        ws.write_string(0, 0, "标题")
        ws.set_row(1, 30)
        ws.write_string(1, 2, "表头")
        return wb, ws, styles

    old = tmp_path / "old.xlsx"
    wb, ws, styles = book(old)
    for i, line in enumerate(rows):
        for c, v in enumerate(line):
            if isinstance(v, str):
                ws.write_string(2 + i, c, v, styles[c])
            elif isinstance(v, dt.date):
                ws.write_datetime(2 + i, c, v, styles[c])
            else:
                ws.write_number(2 + i, c, v, styles[c])
    ws.data_validation(2, 1, 41, 1, {"validate": "any", "input_message": "说明"})
    wb.close()

    new = tmp_path / "new.xlsx"
    wb, ws, styles = book(new)
    letters = sx.column_letters(6)
    attrs = [sx.style_attr(s) for s in styles]
    sx.start_rows(ws, 2)
    for i, line in enumerate(rows):
        n = str(3 + i)
        xml = [f'<row r="{n}">']
        for c, v in enumerate(line):
            if isinstance(v, str):
                xml.append(sx.text_cell(letters[c] + n, attrs[c], v))
            elif isinstance(v, dt.date):
                xml.append(sx.number_cell(letters[c] + n, attrs[c], ws._convert_date_time(v)))
            else:
                xml.append(sx.number_cell(letters[c] + n, attrs[c], v))
        sx.put_rows(ws, "".join(xml) + "</row>")
    sx.end_rows(ws, 41, 5)
    ws.data_validation(2, 1, 41, 1, {"validate": "any", "input_message": "说明"})
    wb.close()

    assert _sheet_xml(new) == _sheet_xml(old)
    assert "_x0001_" in _sheet_xml(new) and "A&amp;B &lt;公司&gt;" in _sheet_xml(new)  # the awkward cells are there


# ---- insert_returning_ids on SQLite: the rows prepared column by column for the driver ---------------------


def _awkward_target_rows(town_id: int, n: int) -> list[dict]:
    """Rows whose values Core converts on the way in: enums, Decimals, booleans, NULLs, quotes, text with odd characters."""
    from decimal import Decimal

    rows = _target_rows(town_id, n)
    for i, row in enumerate(rows):
        row["name"] = f"{AWKWARD[i % len(AWKWARD)]}{i}"
        row["land_area_mu"] = [None, Decimal("12.5000"), Decimal("0.0001"), Decimal("123456.78")][i % 4]
        row["building_area_m2"] = [Decimal("-3"), None, Decimal("1E+2")][i % 3]
        row["credit_code_override"] = i % 2 == 0
        row["category"] = list(Category)[i % len(Category)]
        row["note"] = "它说：'不', \"再\"" if i % 5 == 0 else ""
        row.pop("owner")  # left to the column's default
    return rows


def test_insert_returning_ids_stores_on_sqlite_what_the_core_insert_stored(db, tmp_path):
    """The driver-level multi-row INSERT (values by the columns' bind processors, defaults filled in) leaves the
    same rows as Core's insert of the same dicts, across statements, and the search index finds them alike."""
    from sqlalchemy import insert

    from desktop.services import setup_service
    from desktop.services.db import open_database
    from desktop.services.ledger import as_ledger

    other = as_ledger(open_database(tmp_path / "core.sqlite3", backup_dir=tmp_path))
    setup_service.initialize(other)
    stored = []
    for ledger, fast in ((db, True), (other, False)):
        town_id = town_service.create_town(ledger, "东港镇").id
        rows = _awkward_target_rows(town_id, 2100)
        with ledger.session() as s:
            if fast:
                ids = insert_returning_ids(s, Target.__table__, rows)
            else:
                first = (s.execute(select(Target.id).order_by(Target.id.desc())).scalar() or 0) + 1
                ids = list(range(first, first + len(rows)))
                s.execute(insert(Target.__table__), [{**r, "id": i} for r, i in zip(rows, ids)])
        with ledger.reader() as s:
            conn = s.connection()
            cols = [c for c in Target.__table__.c if c.name not in ("created_at", "updated_at")]
            table = [tuple(r) for r in conn.exec_driver_sql(
                f"SELECT {', '.join(c.name for c in cols)}, typeof(land_area_mu), typeof(created_at),"
                " length(created_at) FROM target ORDER BY id")]
            found = [search_samples.ordered_ids(conn, [q], indexed=True) for q in ("五金制品", "工业路20", "ma000017", "东港镇工业路2099号")]
        stored.append((ids, table, found))
    other.dispose()
    assert stored[0] == stored[1]
    assert len(stored[0][1]) == 2100 and stored[0][1][1][-2:] == ("text", 26)  # created_at by its default
    assert all(found for found in stored[0][2])


# ---- the audit chain's bulk append: positional rows to the driver, one encoder, one time per batch ---------


def test_a_bulk_append_stores_the_texts_and_hashes_the_plain_serialisation_gives_and_verifies(db):
    """Records with awkward values (separators, quotes, non-ASCII, Decimals and dates by default=str, NULL sides,
    a shared and a distinct time) are stored as json.dumps writes them, each hash is link_hash over exactly the
    stored fields, and the chain verifies."""
    import datetime as dt
    import json
    from decimal import Decimal

    from desktop.services import audit, audit_chain

    shared = dt.datetime(2024, 3, 5, 8, 0, 0, 123456)
    values = [{"name": "A\x1fB “引号” \"q\"", "area": Decimal("12.50"), "day": dt.date(2024, 1, 2)},
              {"emoji": "🏭", "nested": {"k": [1, 2.5, None, True]}, "ctl": "\x01\n\t"}, None, {}]
    rows = [{"at": shared if i % 3 else dt.datetime(2024, 3, 5, 8, 0, 1), "user": f"clerk\x1f{i}", "action": "create",
             "object_type": "target", "object_id": i if i % 4 else None, "object_label": ["", None, "标签", "x\x1fy"][i % 4],
             "before": values[(i + 2) % 4], "after": values[i % 4], "result": "成功"} for i in range(50)]
    with db.session() as s:
        audit_chain.append(s.connection(), rows)
    dumps = [None if v is None else json.dumps(v, ensure_ascii=False, separators=(",", ":"), default=str)
             for v in values]
    with db.reader() as s:
        stored = s.connection().exec_driver_sql(
            'SELECT at, "user", object_id, object_label, before, after, prev_hash, hash FROM audit_log'
            " WHERE object_type = 'target' ORDER BY id").all()
        key = audit_chain.ledger_key(s.connection())
    assert len(stored) == 50
    for i, (at, user, oid, label, before, after, prev, h) in enumerate(stored):
        assert (before, after) == (dumps[(i + 2) % 4], dumps[i % 4])
        assert user == f"clerk {i}" and oid == (i if i % 4 else None) and "\x1f" not in (label or "")
        assert at == audit_chain.at_text(rows[i]["at"])
        assert h == audit_chain.link_hash(key, prev, at, user, "create", "target", oid, label, before, after, "成功")
    assert audit.check_chain(db).intact


# ---- the legacy import parses each distinct cell of a column once ------------------------------------------


def test_a_legacy_column_parsed_once_per_distinct_cell_gives_each_cell_its_own_parse():
    """Cells equal as dict keys but not as cells (1, 1.0, True, "1") and repeated texts, numbers and bad values
    come out as parsing every cell on its own gives them: values, problems and their cells."""
    from desktop.services.errors import ValidationError
    from desktop.services.excel.legacy_fields import ENTERPRISE_FIELDS
    from desktop.services.excel.legacy_mapping import FieldSource, Mapping
    from desktop.services.excel.legacy_rows import _parse_value, parse_rows
    from desktop.services.excel.legacy_table import locate_table

    cells = [1, 1.0, True, "1", 12.5, "12.5亩", 12.5, "x", 0, False, -3, "8000㎡", None, "  ", 1.0, "12.5亩", True]
    rows = [(1, ("企业名称", "占地面积（亩）", "建筑面积（㎡）", "行业"))]
    rows += [(r + 2, (f"企业{r}", v, v, v)) for r, v in enumerate(cells)]
    table = locate_table(rows, [], kind="enterprises", sheet="S")
    mapping = Mapping("enterprises", {"name": FieldSource("企业名称", 0), "land_area": FieldSource("占地面积（亩）", 1),
                                      "building_area": FieldSource("建筑面积（㎡）", 2), "industry": FieldSource("行业", 3)})
    parsed, _ = parse_rows(table, mapping, ENTERPRISE_FIELDS, None, None, None, {"name"})
    specs = {s.key: s for s in ENTERPRISE_FIELDS}
    assert len(parsed) == len(cells)
    for p, value in zip(parsed, cells):
        expected, problems = {"name": f"企业{p.excel_row - 2}"}, []
        for key, letter, unit in (("land_area", "B", None), ("building_area", "C", None), ("industry", "D", None)):
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            try:
                got = _parse_value(specs[key], value, unit)
            except ValidationError as exc:
                problems.append((letter, exc.message))
                continue
            if got is not None:
                expected[key] = got
        assert p.values == expected and type(p.values.get("industry")) is type(expected.get("industry"))
        assert [(pr.column, pr.message) for pr in p.problems] == problems


# ---- the legacy import's updates: the search text set only on rows whose text changed ---------------------


def test_a_legacy_update_sets_the_search_text_only_where_it_changed_and_the_index_follows(db, tmp_path):
    """One import updating some targets' addresses (their search text changes) and others' areas only (it does
    not): both statements apply, revisions move once, the stored text and the index's answers are those of
    the register's own rule, and the audit records name only the changed fields."""
    import legacy_samples as samples
    from desktop.services.excel import legacy_import as li
    from desktop.services.search_text import search_text_for

    town_names = ["城东街道", "城西街道"]
    for name in town_names:
        town_service.create_town(db, name)
    firms = samples.firms(6, town_names)
    header = ["企业名称", "统一社会信用代码", "所属镇", "地址", "占地面积（亩）"]
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    samples.write_custom(first, header, [[f.name, f.code, f.town, f.address, float(f.land_mu)] for f in firms])
    assert li.run_import(db, first, kind="enterprises", year=2024).summary.created == 6
    moved = {f.name: f"{f.town}新路{i}号" if i % 2 else f.address for i, f in enumerate(firms)}
    samples.write_custom(second, header, [[f.name, f.code, f.town, moved[f.name], float(f.land_mu) + 1 + i]
                                          for i, f in enumerate(firms)])
    assert li.run_import(db, second, kind="enterprises", year=2024).summary.updated == 6
    with db.reader() as s:
        stored = {name: (address, text, revision, area) for name, address, text, revision, area in s.execute(
            select(Target.name, Target.address, Target.search_text, Target.revision, Target.land_area_mu))}
        conn = s.connection()
        for i, f in enumerate(firms):
            assert stored[f.name][:3] == (moved[f.name], search_text_for(f.name, f.code, moved[f.name]), 2)
            assert float(stored[f.name][3]) == float(f.land_mu) + 1 + i
            hits = search_samples.ordered_ids(conn, [moved[f.name]], indexed=True)
            assert hits == search_samples.ordered_ids(conn, [moved[f.name]], indexed=False) and len(hits) == 1
        assert search_samples.ordered_ids(conn, [firms[1].address], indexed=True) == []
        fields = [set(after) - {"_source"} for (after,) in s.execute(
            select(AuditLog.after).where(AuditLog.action == "update", AuditLog.object_type == "target")
            .order_by(AuditLog.id))]
    assert sorted(map(sorted, fields)) == sorted([["address", "land_area_mu"]] * 3 + [["land_area_mu"]] * 3)


def test_update_many_stores_on_sqlite_what_the_core_update_stored_and_counts_the_rows_it_matched(db, tmp_path):
    """The driver-level executemany UPDATE (values by the columns' bind processors, revision both matched and
    set) leaves the same rows as Core's executemany of the same dicts; a row whose revision moved is not
    changed and not counted."""
    from decimal import Decimal

    from sqlalchemy import bindparam, update

    from desktop.services import setup_service
    from desktop.services.db import open_database, update_many
    from desktop.services.ledger import CHANGED_KEY, as_ledger

    other = as_ledger(open_database(tmp_path / "core.sqlite3", backup_dir=tmp_path))
    setup_service.initialize(other)
    stored, counts = [], []
    for ledger, fast in ((db, True), (other, False)):
        town_id = town_service.create_town(ledger, "东港镇").id
        with ledger.session() as s:
            ids = insert_returning_ids(s, Target.__table__, _awkward_target_rows(town_id, 300))
        changes = [{"b_id": tid, "b_revision": 1 if n % 7 else 5, "revision": 2, "name": f"{AWKWARD[n % len(AWKWARD)]}改{n}",
                    "land_area_mu": [None, Decimal("7.12345"), Decimal("0")][n % 3], "category": list(Category)[n % 3],
                    "credit_code_override": n % 2 == 1, "state": TargetState.PENDING} for n, tid in enumerate(ids)]
        with ledger.session() as s:
            if fast:
                counts.append(update_many(s, Target.__table__, changes, match=("id", "revision")))
                assert "target" in s.info[CHANGED_KEY]  # the pages hear of it
            else:
                t = Target.__table__
                stmt = (update(t).where(t.c.id == bindparam("b_id"), t.c.revision == bindparam("b_revision"))
                        .values({k: bindparam(k) for k in changes[0] if not k.startswith("b_")}))
                counts.append(s.execute(stmt, changes).rowcount)
        with ledger.reader() as s:
            cols = [c.name for c in Target.__table__.c if c.name not in ("created_at", "updated_at")]
            stored.append([tuple(r) for r in s.connection().exec_driver_sql(
                f"SELECT {', '.join(cols)}, typeof(land_area_mu) FROM target ORDER BY id")])
    other.dispose()
    assert stored[0] == stored[1] and counts[0] == counts[1] == 300 - len(range(0, 300, 7))
    assert {r[-1] for r in stored[0]} == {"null", "integer"}


# ---- imports run with the cyclic garbage collector paused ------------------------------------------------


@pytest.fixture
def collector_on():
    """The collector on for the test (a window's GUI-thread collector, views/kit/worker.py, turns it off), as before after."""
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_the_collector_is_paused_during_an_import_and_resumes_after_the_last_one_even_on_an_error(collector_on):
    from desktop.services.excel.excel_common import gc_paused

    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested: the inner end does not resume it
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError):
        gc_paused()(lambda: 1 / 0)()  # as a decorator, ended by an error
    assert gc.isenabled()
    # two lanes overlapping: the collector resumes when the later one ends
    first_in, second_done = threading.Event(), threading.Event()
    seen = []

    def first():
        with gc_paused():
            first_in.set()
            second_done.wait(5)
            seen.append(gc.isenabled())

    t = threading.Thread(target=first)
    t.start()
    first_in.wait(5)
    with gc_paused():
        pass
    seen.append(gc.isenabled())
    second_done.set()
    t.join(5)
    assert seen == [False, False] and gc.isenabled()
    gc.disable()  # a caller that turned it off (the window) keeps it off
    with gc_paused():
        pass
    assert not gc.isenabled()
