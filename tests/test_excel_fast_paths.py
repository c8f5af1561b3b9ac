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
