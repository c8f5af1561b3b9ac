"""导入外部表格: header detection, column mapping, preview, apply, and the `zzb import-legacy` contract."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

import legacy_samples as samples
import search_samples
from desktop.models import AuditLog, Evaluation, PacketImport, Target, Town, TownTarget
from desktop.models.enums import Category, EvaluationClass, Role, TargetKind
from desktop.services.excel import legacy_import as li
from desktop.services.excel.excel_common import file_sha256
from desktop.services import audit, search_index, units
from desktop.services.parks import park_service
from desktop.services.register import target_service
from desktop.services.towns import town_service
from desktop.services.excel.excel_common import Cancelled, CancelToken
from desktop.services.excel.legacy_import import Mapping, locate_table, propose_mapping

TOWNS = ["城东街道", "城西街道", "北山镇"]
YEAR = 2024


@pytest.fixture
def towns(db) -> dict[str, int]:
    return {name: town_service.create_town(db, name).id for name in TOWNS}


def _targets(db) -> dict[str, Target]:
    with db.reader() as s:
        found = {t.name: t for t in s.scalars(select(Target))}
        s.expunge_all()  # keep the loaded values after the reader rolls back
        return found


def _count(db, model) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(model))


def _grades(db) -> dict[str, EvaluationClass]:
    with db.reader() as s:
        return {name: grade for name, grade in s.execute(
            select(Target.name, Evaluation.grade).join(Evaluation, Evaluation.target_id == Target.id))}


def _opened(path: Path):
    """Every sheet a test writes is opened back with openpyxl (the file is what a clerk would send)."""
    wb = load_workbook(path)
    return wb[wb.sheetnames[0]]


def _import(db, path, **kw):
    kw.setdefault("kind", "enterprises")
    kw.setdefault("year", YEAR)
    for k in ("sheet", "mapping_name"):
        kw.setdefault(k, None)
    kw.setdefault("skip_invalid", False)
    kw.setdefault("dry_run", False)
    return li.run_import(db, path, **kw)


# ---- finding the table (plain rows, no workbook) ---------------------------------------------------


def test_header_is_found_under_a_title_and_a_fill_in_line():
    rows = [
        (1, ("2024年某镇D类企业名单",)),
        (2, ("填报单位：某镇经发局", None, None, "日期：2024年3月5日")),
        (4, ("序号", "企业名称", "统一社会信用代码", "所属镇")),
        (5, (1, "甲公司", "91320500000000119C", "某镇")),
    ]
    table = locate_table(rows, [(1, 1, 1, 4)], kind="enterprises", sheet="S")
    assert table.found_header and table.header_rows == [4]
    assert table.title_lines == ["2024年某镇D类企业名单", "填报单位：某镇经发局  日期：2024年3月5日"]
    assert [r for r, _v in table.data] == [5]
    assert [c.header for c in table.columns] == ["序号", "企业名称", "统一社会信用代码", "所属镇"]


def test_merged_two_row_header_joins_parent_and_child_for_each_column():
    rows = [
        (1, ("企业名单",)),
        (2, ("序号", "企业信息", None, "占地面积", None, "所属镇")),
        (3, (None, "名称", "信用代码", "亩", "平方米", None)),
        (4, (1, "甲公司", None, 12.5, 8333.33, "某镇")),
    ]
    merged = [(1, 1, 1, 6), (2, 1, 3, 1), (2, 2, 2, 3), (2, 4, 2, 5), (2, 6, 3, 6)]
    table = locate_table(rows, merged, kind="enterprises")
    assert table.header_rows == [2, 3]
    assert [c.header for c in table.columns] == ["序号", "企业信息/名称", "企业信息/信用代码", "占地面积/亩",
                                                 "占地面积/平方米", "所属镇"]
    mapping = propose_mapping(table, "enterprises")
    assert mapping.fields["name"].header == "企业信息/名称"
    assert mapping.fields["credit_code"].header == "企业信息/信用代码"
    assert (mapping.fields["land_area"].header, mapping.fields["land_area"].unit) == ("占地面积/亩", "亩")
    assert mapping.fields["town"].column == 5


def test_the_best_scoring_child_row_finds_its_parent_above():
    rows = [
        (1, ("序号", "单位信息", None, "属地")),
        (2, (None, "单位名称", "统一社会信用代码", None)),
        (3, (1, "乙公司", "91320500000000119C", "某镇")),
    ]
    merged = [(1, 1, 2, 1), (1, 2, 1, 3), (1, 4, 2, 4)]
    table = locate_table(rows, merged, kind="enterprises")
    assert table.header_rows == [1, 2]
    assert table.columns[1].header == "单位信息/单位名称"


def test_a_pasted_two_row_header_without_merges_takes_units_from_the_row_below():
    rows = [
        (1, ("企业名称", "所属镇", "占地面积", None)),
        (2, (None, None, "亩", "平方米")),
        (3, ("甲公司", "某镇", "１２．５", "8333")),
    ]
    table = locate_table(rows, [], kind="enterprises")
    assert table.header_rows == [1, 2]
    assert [c.header for c in table.columns] == ["企业名称", "所属镇", "占地面积/亩", "占地面积/平方米"]


def test_totals_blank_section_and_note_rows_are_not_data():
    rows = [
        (1, ("序号", "企业名称", "所属镇", "占地面积（亩）")),
        (2, ("一、城东街道", None, None, None)),
        (3, (1, "甲公司", "城东街道", 10)),
        (4, (None, "小计", None, 10)),
        (5, ("  ", None, "\u3000", None)),
        (6, (2, "乙公司", "城西街道", 5)),
        (7, ("合 计", None, None, 15)),
        (8, ("序号", "企业名称", "所属镇", "占地面积（亩）")),
        (9, (3, "丙公司", "北山镇", 2)),
        (10, ("备注：面积以不动产权证为准", None, None, None)),
        (11, (4, "丁公司", "北山镇", 1)),
    ]
    table = locate_table(rows, [(2, 1, 2, 4)], kind="enterprises")
    assert [r for r, _v in table.data] == [3, 6, 9]
    assert table.skipped == {"totals": 2, "blank": 1, "sections": 1, "headers": 1}


def test_a_town_merged_down_over_its_enterprises_fills_every_row():
    rows = [
        (1, ("企业名称", "镇街", "占地面积")),
        (2, ("甲公司", "城东街道", 1)),
        (3, ("乙公司", None, 2)),
        (4, ("丙公司", None, 3)),
        (5, ("丁公司", "城西街道", 4)),
    ]
    table = locate_table(rows, [(2, 2, 4, 2)], kind="enterprises")
    assert [v[1] for _r, v in table.data] == ["城东街道", "城东街道", "城东街道", "城西街道"]


def test_a_sheet_without_recognisable_headers_is_refused_with_a_reason(db, towns):
    rows = [(1, ("甲", "乙", "丙")), (2, ("a", "b", "c"))]
    table = locate_table(rows, [], kind="enterprises", sheet="杂表")
    assert not table.found_header
    preview = li.preview_table(db, table, kind="enterprises", year=YEAR)
    assert preview.refusal and "找不到表头" in preview.refusal and "杂表" in preview.refusal
    outcome = li.apply(db, preview)
    assert outcome.refused == preview.refusal and not outcome.applied


def test_headers_of_a_saved_mapping_find_a_header_of_no_synonyms():
    rows = [(1, ("清单",)), (2, ("主体", "区域", "面积数")), (3, ("甲公司", "城东街道", 3))]
    assert not locate_table(rows, [], kind="enterprises").found_header
    table = locate_table(rows, [], kind="enterprises", extra_headers={"主体": "name", "区域": "town"})
    assert table.found_header and table.header_rows == [2]


# ---- a real D-class list from 工信 -----------------------------------------------------------------


def test_d_class_list_imports_every_firm_with_normalised_values(db, towns, tmp_path):
    items = samples.firms(8, TOWNS)
    written = samples.write_d_class_list(tmp_path / "d.xlsx", items)
    ws = _opened(written.path)
    assert ws["E5"].value == str(items[0].land_mu).translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789."})
    assert ws["E6"].value == f"{items[1].land_mu}亩" and ws["C8"].value.strip() != items[3].code

    outcome = _import(db, written.path)

    assert outcome.applied and not outcome.refused
    s = outcome.summary
    assert (s.rows_read, s.created, s.updated, s.unchanged, s.rejected, s.conflicts) == (8, 8, 0, 0, 0, 0)
    assert s.area_mu == sum(f.land_mu for f in items)
    got = _targets(db)
    assert set(got) == {f.name for f in items}  # the name with stray spaces is trimmed
    for f in items:
        t = got[f.name]
        assert t.credit_code == f.code  # the lower-case code with spaces is stored upper case
        assert t.land_area_mu == f.land_mu
        assert t.building_area_m2 == f.building_m2
        assert t.town_id == towns[f.town]
        assert t.category == Category.OTHER and t.kind == TargetKind.ENTERPRISE
        assert (t.legal_rep, t.industry) == (f.legal_rep, f.industry)
    assert set(_grades(db).values()) == {EvaluationClass.D}


def test_preview_of_the_d_class_list_shows_header_rows_columns_and_samples(db, towns, tmp_path):
    items = samples.firms(4, TOWNS)
    written = samples.write_d_class_list(tmp_path / "d.xlsx", items, quirks=False)
    p = li.preview(db, written.path, kind="enterprises", year=YEAR)
    assert (p.file_name, p.sheet, p.header_rows) == ("d.xlsx", "D类企业", [3, 4])
    by_letter = {c.letter: c for c in p.columns}
    assert by_letter["E"].header == "占地面积/亩" and by_letter["F"].header == "占地面积/平方米"
    assert by_letter["B"].samples == [f.name for f in items[:3]]
    assert p.mapping.fields["land_area"].column == 4  # 亩 preferred over 平方米
    assert [r.excel_row for r in p.rows] == [written.firm_rows[f.name] for f in items]
    assert all(r.action == li.CREATE for r in p.rows)
    assert p.rows[0].values["credit_code"] == items[0].code
    assert _count(db, Target) == 0  # a preview writes nothing


def test_importing_the_same_file_again_creates_nothing(db, towns, tmp_path):
    written = samples.write_d_class_list(tmp_path / "d.xlsx", samples.firms(6, TOWNS))
    first = _import(db, written.path)
    audit_before = _count(db, AuditLog)
    again = _import(db, written.path)
    assert first.summary.created == 6
    assert (again.summary.created, again.summary.updated, again.summary.unchanged) == (0, 0, 6)
    assert again.applied and again.summary.area_mu == 0
    assert _count(db, Target) == 6
    assert _count(db, PacketImport) == 2  # both imports are on record; the second changed nothing
    assert _count(db, AuditLog) == audit_before + 1  # only the second PacketImport row


def test_an_import_is_recorded_with_its_counts_and_every_row_in_the_audit_log(db, towns, tmp_path):
    written = samples.write_d_class_list(tmp_path / "d.xlsx", samples.firms(3, TOWNS))
    _import(db, written.path)
    with db.reader() as s:
        rec = s.scalar(select(PacketImport))
        creates = list(s.scalars(select(AuditLog)
                                 .where(AuditLog.object_type == "target", AuditLog.action == "create")))
        assert {a.after[audit.SOURCE_KEY] for a in creates} == {"外部表格 d.xlsx（D类企业）"}
        assert (rec.direction, rec.kind, rec.file_name, rec.sha256, rec.year) == (
            "import", "legacy-enterprises", "d.xlsx", None, YEAR)
        assert rec.counts["created"] == 3 and rec.counts["rows_read"] == 3
        assert rec.counts["sha256"] == file_sha256(written.path) and rec.counts["sheet"] == "D类企业"
    assert len(creates) == 3


# ---- other layouts ----------------------------------------------------------------------------------


def test_tax_list_with_other_headers_maps_by_synonyms_and_converts_square_metres(db, towns, tmp_path):
    items = samples.firms(4, TOWNS)
    written = samples.write_tax_list(tmp_path / "tax.xlsx", items)
    assert _opened(written.path)["H3"].value == float(items[0].land_m2)
    p = li.preview(db, written.path, kind="enterprises", year=YEAR)
    m = p.mapping.fields
    assert (m["credit_code"].header, m["name"].header, m["town"].header) == ("纳税人识别号", "纳税人名称", "街道乡镇")
    assert (m["land_area"].header, m["land_area"].unit) == ("用地面积（平方米）", "m²")
    assert m["legal_rep"].header == "法定代表人（负责人）" and m["address"].header == "生产经营地址"
    assert "category" not in m  # “登记注册类型” is not the governance category
    outcome = li.apply(db, p)
    assert outcome.summary.created == 4
    got = _targets(db)
    for f in items:
        assert got[f.name].land_area_mu == units.m2_to_mu(f.land_m2)
        assert got[f.name].address == f.address


def test_town_ledger_with_sections_and_a_merged_town_column_imports(db, towns, tmp_path):
    items = samples.firms(6, TOWNS)
    written = samples.write_town_ledger(tmp_path / "ledger.xlsx", items)
    assert _opened(written.path)["D5"].value in TOWNS
    outcome = _import(db, written.path)
    assert outcome.applied and outcome.summary.created == 6 and outcome.summary.rows_read == 6
    got = _targets(db)
    assert all(got[f.name].town_id == towns[f.town] for f in items)


def test_a_town_named_in_the_title_is_the_town_of_a_sheet_without_a_town_column(db, towns, tmp_path):
    path = tmp_path / "ledger.xlsx"
    samples.write_custom(path, ["序号", "企业名称", "统一社会信用代码", "占地面积（亩）"],
                         [[1, "甲公司", samples.credit_code(1), 3], [2, "乙公司", samples.credit_code(2), 4]],
                         title="北山镇低效企业台账")
    p = li.preview(db, path, kind="enterprises", year=YEAR)
    assert p.mapping.defaults == {"town": "北山镇"} and any("北山镇" in w for w in p.warnings)
    li.apply(db, p)
    assert {t.town_id for t in _targets(db).values()} == {towns["北山镇"]}


# ---- mappings -------------------------------------------------------------------------------------


def _custom_rows(order: list[str], firms) -> tuple[list[str], list[list]]:
    values = {"主体": lambda f: f.name, "区域": lambda f: f.town, "代码": lambda f: f.code,
              "面积数": lambda f: str(f.land_mu), "负责人姓名": lambda f: f.legal_rep}
    return order, [[values[h](f) for h in order] for f in firms]


def test_a_saved_mapping_applies_to_next_months_file_with_moved_columns(db, towns, tmp_path):
    items = samples.firms(5, TOWNS)
    header, rows = _custom_rows(["主体", "区域", "代码", "面积数"], items[:3])
    march = samples.write_custom(tmp_path / "march.xlsx", header, rows)
    table = li.read_table(march.path, kind="enterprises", header_row=2)
    mapping = Mapping("enterprises")
    for field, h in (("name", "主体"), ("town", "区域"), ("credit_code", "代码"), ("land_area", "面积数")):
        col = next(c for c in table.columns if c.header == h)
        mapping.fields[field] = li.FieldSource(col.key, col.index, "亩" if field == "land_area" else None)
    li.save_mapping(db, "经信月报", "enterprises", mapping)
    assert li.list_mappings(db, "enterprises") == ["经信月报"] and li.list_mappings(db, "targets") == []

    header, rows = _custom_rows(["代码", "面积数", "负责人姓名", "区域", "主体"], items)
    april = samples.write_custom(tmp_path / "april.xlsx", header, rows, title="4月")
    assert _opened(april.path)["E2"].value == "主体"
    outcome = _import(db, april.path, mapping_name="经信月报")
    assert outcome.applied and outcome.summary.created == 5
    got = _targets(db)
    assert all(got[f.name].credit_code == f.code and got[f.name].land_area_mu == f.land_mu for f in items)
    assert all(got[f.name].legal_rep == "" for f in items)  # an unmapped column is left alone


def test_saving_a_mapping_under_an_existing_name_replaces_it(db):
    first = Mapping("enterprises", {"name": li.FieldSource("名称")})
    second = Mapping("enterprises", {"name": li.FieldSource("企业"), "town": li.FieldSource("镇")},
                     defaults={"category": "D类低效"})
    li.save_mapping(db, "工信", "enterprises", first)
    li.save_mapping(db, " 工信 ", "enterprises", second)
    loaded = li.load_mapping(db, "工信")
    assert li.list_mappings(db) == ["工信"]
    assert {k: v.header for k, v in loaded.fields.items()} == {"name": "企业", "town": "镇"}
    assert loaded.defaults == {"category": "D类低效"}


def test_an_unknown_mapping_name_is_refused_listing_the_saved_ones(db, towns, tmp_path):
    li.save_mapping(db, "税务", "enterprises", Mapping("enterprises", {"name": li.FieldSource("纳税人名称")}))
    written = samples.write_tax_list(tmp_path / "tax.xlsx", samples.firms(1, TOWNS))
    with pytest.raises(li.Refused) as err:
        _import(db, written.path, mapping_name="工信")
    assert "没有名为“工信”的列对应方案" in err.value.message and "税务" in err.value.message


def test_a_default_category_in_the_mapping_applies_to_every_row(db, towns, tmp_path):
    items = samples.firms(3, TOWNS)
    written = samples.write_d_class_list(tmp_path / "d.xlsx", items, quirks=False)
    table = li.read_table(written.path, kind="enterprises")
    mapping = propose_mapping(table, "enterprises")
    mapping.defaults["category"] = "D类低效"
    p = li.preview_table(db, table, kind="enterprises", year=YEAR, mapping=mapping)
    li.apply(db, p)
    assert {t.category for t in _targets(db).values()} == {Category.D_CLASS}


# ---- rows that cannot be imported ------------------------------------------------------------------


def test_duplicates_in_the_file_are_flagged_on_the_later_rows_naming_the_first(db, towns, tmp_path):
    a, b, c = samples.firms(3, TOWNS)
    no_code = samples.with_changes(c, code=None)
    path = tmp_path / "dup.xlsx"
    header = ["企业名称", "统一社会信用代码", "所属镇街", "占地面积"]
    rows = [[a.name, a.code, a.town, 1], [b.name, b.code, b.town, 2], ["另一名称", a.code.lower(), a.town, 3],
            [no_code.name, None, no_code.town, 4], [no_code.name, None, no_code.town, 5]]
    samples.write_custom(path, header, rows)
    p = li.preview(db, path, kind="enterprises", year=YEAR)
    assert [r.action for r in p.rows] == [li.CREATE, li.CREATE, li.DUPLICATE, li.CREATE, li.DUPLICATE]
    assert p.rows[2].problems[0].message.startswith("与第3行重复（统一社会信用代码") and p.rows[2].problems[0].column == "B"
    assert p.rows[4].problems[0].message.startswith("与第6行重复（同一镇街内名称相同）")
    outcome = li.apply(db, p)
    assert outcome.refused and outcome.summary.rejected == 2 and _count(db, Target) == 0


def test_an_enterprise_in_an_unknown_town_is_invalid_and_the_message_lists_known_towns(db, towns, tmp_path):
    path = tmp_path / "x.xlsx"
    samples.write_custom(path, ["企业名称", "所属镇街"], [["甲公司", "南湖镇"], ["乙公司", "城东街道"]])
    p = li.preview(db, path, kind="enterprises", year=YEAR)
    bad = p.rows[0]
    assert bad.action == li.INVALID and p.rows[1].action == li.CREATE
    assert (bad.problems[0].row, bad.problems[0].column) == (3, "B")
    assert "所属镇街“南湖镇”不存在" in bad.problems[0].message and "城东街道、城西街道、北山镇" in bad.problems[0].message


def test_a_bad_credit_code_is_an_error_naming_row_and_column(db, towns, tmp_path):
    items = samples.firms(3, TOWNS)
    items[1] = samples.with_changes(items[1], code=samples.bad_check(items[1].code))
    written = samples.write_d_class_list(tmp_path / "d.xlsx", items, quirks=False)
    outcome = _import(db, written.path)
    assert outcome.refused and not outcome.applied
    (err,) = outcome.summary.errors
    assert (err.sheet, err.row, err.column) == ("D类企业", written.firm_rows[items[1].name], "C")
    assert "校验位" in err.message
    assert outcome.summary.rejected == 1 and outcome.summary.created == 0
    assert _count(db, Target) == 0


def test_an_18_digit_code_typed_as_a_number_is_an_error(db, towns, tmp_path):
    path = tmp_path / "n.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["企业名称", "统一社会信用代码", "所属镇"])
    ws.append(["甲公司", 913205000000001190, "城东街道"])
    wb.save(path)
    assert isinstance(_opened(path)["B2"].value, (int, float))  # a number: the last digits are gone
    p = li.preview(db, path, kind="enterprises", year=YEAR)
    (problem,) = p.rows[0].problems
    assert p.rows[0].action == li.INVALID and problem.column == "B" and "数字" in problem.message


def test_a_register_rule_refuses_the_row_the_register_would_refuse(db, towns, tmp_path):
    path = tmp_path / "rule.xlsx"
    samples.write_custom(path, ["企业名称", "所属镇", "治理类别", "综合评价", "占地面积"],
                         [["甲公司", "城东街道", "D类低效", "B", 1], ["乙公司", "城东街道", "连片整治", None, 2],
                          ["丙公司", "城东街道", "点状问题", None, "-3"]])
    p = li.preview(db, path, kind="enterprises", year=YEAR)
    assert [r.action for r in p.rows] == [li.INVALID] * 3
    assert "评价类别应为D" in p.rows[0].problems[0].message and p.rows[0].problems[0].column == "D"
    assert "连片整治片区" in p.rows[1].problems[0].message
    assert "不能为负数" in p.rows[2].problems[0].message and p.rows[2].problems[0].column == "E"


def test_without_skip_invalid_one_bad_row_refuses_the_whole_file(db, towns, tmp_path):
    path = tmp_path / "mixed.xlsx"
    samples.write_custom(path, ["企业名称", "所属镇"], [["甲公司", "城东街道"], ["乙公司", "无此镇"]])
    outcome = _import(db, path)
    assert outcome.refused and "1行无效" in outcome.refused and outcome.exit_code == 1
    assert _count(db, Target) == 0 and _count(db, PacketImport) == 0


def test_skip_invalid_writes_only_the_valid_rows_and_counts_the_rest_rejected(db, towns, tmp_path):
    path = tmp_path / "mixed.xlsx"
    samples.write_custom(path, ["企业名称", "所属镇", "占地面积（亩）"],
                         [["甲公司", "城东街道", "2.5"], ["乙公司", "无此镇", 3], ["丙公司", "城西街道", "1,000.5"]])
    outcome = _import(db, path, skip_invalid=True)
    assert outcome.applied and not outcome.refused
    s = outcome.summary
    assert (s.rows_read, s.created, s.rejected, s.area_mu) == (3, 2, 1, Decimal("1003"))
    assert [(e.row, e.column) for e in s.errors] == [(4, "B")]
    assert set(_targets(db)) == {"甲公司", "丙公司"}


# ---- updates ----------------------------------------------------------------------------------------


def test_an_update_changes_only_what_the_sheet_provides_and_lists_old_and_new(db, towns, tmp_path):
    f = samples.firms(1, TOWNS)[0]
    tid = target_service.create(db, target_service.TargetValues(
        name=f.name, town_id=towns[f.town], category=Category.POINT, credit_code=f.code, land_area_mu=Decimal("10"),
        legal_rep="老张", industry="纺织业", address="旧地址"), year=YEAR)
    path = tmp_path / "u.xlsx"
    samples.write_custom(path, ["企业名称", "统一社会信用代码", "所属镇", "占地面积（亩）", "法定代表人", "地址"],
                         [[f.name, f.code, f.town, "12.5亩", "新李", None]])
    p = li.preview(db, path, kind="enterprises", year=YEAR)
    (row,) = p.rows
    assert (row.action, row.target_id) == (li.UPDATE, tid)
    assert row.changes == [("占地面积（亩）", "10", "12.5"), ("法定代表人", "老张", "新李")]
    li.apply(db, p)
    t = _targets(db)[f.name]
    assert (t.land_area_mu, t.legal_rep, t.address, t.industry, t.category) == (
        Decimal("12.5"), "新李", "旧地址", "纺织业", Category.POINT)


def test_rows_without_code_match_by_name_within_the_town(db, towns, tmp_path):
    same_name = "恒达化工有限公司"
    east = target_service.create(db, target_service.TargetValues(name=same_name, town_id=towns["城东街道"],
                                                                 category=Category.OTHER), year=YEAR)
    path = tmp_path / "n.xlsx"
    samples.write_custom(path, ["企业名称", "所属镇", "行业"],
                         [["恒达化工有限公司", "城东", "化工"], ["恒达化工（苏州）有限公司", "城西街道", "化工"],
                          [same_name, "城西街道", "化工"]])
    p = li.preview(db, path, kind="enterprises", year=YEAR)
    assert [(r.action, r.target_id) for r in p.rows] == [(li.UPDATE, east), (li.CREATE, None), (li.CREATE, None)]


def test_a_same_name_with_another_code_is_not_silently_merged(db, towns, tmp_path):
    a, b = samples.firms(2, TOWNS)
    target_service.create(db, target_service.TargetValues(name=a.name, town_id=towns[a.town], category=Category.OTHER,
                                                          credit_code=a.code), year=YEAR)
    path = tmp_path / "c.xlsx"
    samples.write_custom(path, ["企业名称", "统一社会信用代码", "所属镇"], [[a.name, b.code, a.town]])
    (row,) = li.preview(db, path, kind="enterprises", year=YEAR).rows
    assert row.action == li.INVALID and "统一社会信用代码不同" in row.problems[0].message


def test_a_row_without_code_but_with_a_land_certificate_is_a_parcel(db, towns, tmp_path):
    path = tmp_path / "p.xlsx"
    samples.write_custom(path, ["名称", "所属镇", "土地证号", "占地面积（平方米）"],
                         [["原新丰码头地块", "北山镇", "苏(2019)某市不动产权第0001234号", 6666.67]])
    outcome = _import(db, path)
    assert outcome.applied
    t = _targets(db)["原新丰码头地块"]
    assert t.kind == TargetKind.PARCEL and t.land_area_mu == Decimal("10.0000")
    assert t.land_cert_no.endswith("0001234号")


def test_a_park_column_links_targets_to_the_contiguous_area_of_their_town(db, towns, tmp_path):
    park = park_service.create(db, park_service.ParkValues(name="东区老工业园", town_id=towns["城东街道"]))
    path = tmp_path / "park.xlsx"
    samples.write_custom(path, ["企业名称", "所属镇", "治理类别", "所在片区"],
                         [["甲公司", "城东街道", "连片整治", "东区老工业园"], ["乙公司", "城西街道", "连片", "东区老工业园"]])
    p = li.preview(db, path, kind="enterprises", year=YEAR)
    assert p.rows[0].action == li.CREATE and p.rows[0].final.contiguous_area_id == park
    assert p.rows[1].action == li.INVALID and "城西街道没有名为“东区老工业园”" in p.rows[1].problems[0].message


def test_an_import_started_before_someone_edited_a_target_is_refused(db, towns, tmp_path):
    f = samples.firms(1, TOWNS)[0]
    tid = target_service.create(db, target_service.TargetValues(name=f.name, town_id=towns[f.town],
                                                                category=Category.OTHER, credit_code=f.code), year=YEAR)
    path = tmp_path / "s.xlsx"
    samples.write_custom(path, ["企业名称", "统一社会信用代码", "所属镇", "行业"], [[f.name, f.code, f.town, "化工"]])
    p = li.preview(db, path, kind="enterprises", year=YEAR)
    values = target_service.get(db, tid, year=YEAR).values
    values.industry = "纺织业"
    target_service.update(db, tid, values, year=YEAR)
    outcome = li.apply(db, p)
    assert outcome.refused and "已被修改" in outcome.refused
    assert _targets(db)[f.name].industry == "纺织业" and _count(db, PacketImport) == 0


def test_a_cancelled_import_writes_nothing(db, towns, tmp_path):
    written = samples.write_d_class_list(tmp_path / "d.xlsx", samples.firms(4, TOWNS))
    p = li.preview(db, written.path, kind="enterprises", year=YEAR)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        li.apply(db, p, cancel=token)
    assert _count(db, Target) == 0 and _count(db, PacketImport) == 0


def test_progress_is_reported_while_previewing(db, towns, tmp_path):
    written = samples.write_d_class_list(tmp_path / "d.xlsx", samples.firms(4, TOWNS))
    calls = []
    li.preview(db, written.path, kind="enterprises", year=YEAR, progress=lambda *a: calls.append(a))
    assert calls and calls[-1] == (4, 4)


# ---- 任务分解表 (targets) ----------------------------------------------------------------------------


def test_task_table_creates_unknown_towns_and_the_years_town_targets(db, towns, tmp_path):
    written = samples.write_task_table(tmp_path / "t.xlsx", [("城东街道", "500", 2), ("南湖镇", "３００．５", "1"),
                                                             ("城西", 200.0, None)])
    ws = _opened(written.path)
    assert ws["B5"].value == "城东街道" and ws["B8"].value == "合计"
    p = li.preview(db, written.path, kind="targets", year=YEAR)
    assert p.new_towns == ["南湖镇"]
    outcome = li.apply(db, p)
    assert outcome.applied and (outcome.summary.rows_read, outcome.summary.created) == (3, 3)
    assert outcome.summary.area_mu == Decimal("1000.5")
    targets = town_service.get_targets(db, YEAR)
    by_name = {t.name: t.id for t in town_service.list_towns(db)}
    assert set(by_name) == set(TOWNS) | {"南湖镇"}  # “城西” is 城西街道, not a new town
    assert (targets[by_name["南湖镇"]].target_area_mu, targets[by_name["南湖镇"]].target_parks) == (Decimal("300.5"), 1)
    assert targets[by_name["城西街道"]].target_area_mu == Decimal("200")


def test_task_table_updates_only_the_given_numbers_and_reimport_changes_nothing(db, towns, tmp_path):
    town_service.set_target(db, towns["城东街道"], YEAR, target_area_mu="100", target_parks=3)
    written = samples.write_task_table(tmp_path / "t.xlsx", [("城东街道", "150", None)])
    first = _import(db, written.path, kind="targets")
    again = _import(db, written.path, kind="targets")
    assert first.summary.updated == 1 and again.summary.unchanged == 1
    t = town_service.get_targets(db, YEAR)[towns["城东街道"]]
    assert (t.target_area_mu, t.target_parks) == (Decimal("150"), 3)
    assert _count(db, TownTarget) == 1


def test_task_table_needs_a_year(db, tmp_path):
    written = samples.write_task_table(tmp_path / "t.xlsx", [("城东街道", "150", 1)])
    with pytest.raises(li.Refused) as err:
        _import(db, written.path, kind="targets", year=None)
    assert "需要指定年度" in err.value.message
    with pytest.raises(li.Refused) as err:
        _import(db, written.path, kind="targets", year=2031)
    assert "没有 2031 年度" in err.value.message
    assert _count(db, Town) == 0


# ---- the CLI contract ---------------------------------------------------------------------------------


def run(capsys, *argv) -> tuple[int, str, str]:
    from conftest import run_cli

    return run_cli(capsys, *argv, user="clerk")


def _sql_count(path: Path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def cli_towns(db_path, capsys):
    from desktop.services.db import open_database

    database = open_database(db_path)
    try:
        for name in TOWNS:
            town_service.create_town(database, name)
    finally:
        database.dispose()
    from conftest import add_cli_accounts

    return add_cli_accounts(db_path)


def test_cli_json_prints_one_object_with_the_contract_keys_and_exits_0(cli_towns, capsys, tmp_path):
    written = samples.write_d_class_list(tmp_path / "d.xlsx", samples.firms(5, TOWNS))
    code, out, err = run(capsys, "--db", cli_towns, "import-legacy", written.path, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) - {"applied", "dry_run", "refused"} == {"rows_read", "created", "updated", "unchanged",
                                                             "rejected", "conflicts", "area_mu", "errors"}
    assert (data["rows_read"], data["created"], data["rejected"], data["conflicts"], data["errors"]) == (5, 5, 0, 0, [])
    assert data["applied"] is True and Decimal(data["area_mu"]) > 0
    assert _sql_count(cli_towns, "target") == 5
    code, out, _ = run(capsys, "--db", cli_towns, "import-legacy", written.path, "--json")
    again = json.loads(out)
    assert code == 0 and (again["created"], again["unchanged"]) == (0, 5) and _sql_count(cli_towns, "target") == 5


def test_cli_refuses_a_file_with_an_invalid_row_with_exit_1_and_errors(cli_towns, capsys, tmp_path):
    items = samples.firms(3, TOWNS)
    items[2] = samples.with_changes(items[2], code=samples.bad_check(items[2].code))
    written = samples.write_d_class_list(tmp_path / "d.xlsx", items, quirks=False)
    code, out, _ = run(capsys, "--db", cli_towns, "import-legacy", written.path, "--json")
    data = json.loads(out)
    assert code == 1 and data["refused"] and data["applied"] is False
    assert data["rejected"] == 1 and data["created"] == 0
    assert data["errors"] == [{"sheet": "D类企业", "row": written.firm_rows[items[2].name], "column": "C",
                               "message": data["errors"][0]["message"]}]
    assert _sql_count(cli_towns, "target") == 0
    code, out, _ = run(capsys, "--db", cli_towns, "import-legacy", written.path, "--json", "--skip-invalid")
    data = json.loads(out)
    assert code == 0 and (data["created"], data["rejected"]) == (2, 1) and _sql_count(cli_towns, "target") == 2


def test_cli_dry_run_reports_the_counts_and_writes_nothing(cli_towns, capsys, tmp_path):
    written = samples.write_d_class_list(tmp_path / "d.xlsx", samples.firms(4, TOWNS))
    audit = _sql_count(cli_towns, "audit_log")
    code, out, _ = run(capsys, "--db", cli_towns, "import-legacy", written.path, "--dry-run", "--json")
    data = json.loads(out)
    assert code == 0 and data["dry_run"] is True and data["applied"] is False and data["created"] == 4
    assert _sql_count(cli_towns, "target") == 0 and _sql_count(cli_towns, "packet_import") == 0
    assert _sql_count(cli_towns, "audit_log") == audit + 1  # only the clerk's login (every login is recorded)


def test_cli_plain_output_is_chinese_and_names_the_problem(cli_towns, capsys, tmp_path):
    path = tmp_path / "x.xlsx"
    samples.write_custom(path, ["企业名称", "所属镇"], [["甲公司", "无此镇"]])
    code, out, err = run(capsys, "--db", cli_towns, "import-legacy", path)
    assert code == 1 and "未写入任何内容" in err and "第3行B列" in err and "Traceback" not in err
    assert "读取 1 行" in out


def test_cli_targets_import_with_year(cli_towns, capsys, tmp_path):
    written = samples.write_task_table(tmp_path / "t.xlsx", [("城东街道", "500", 2), ("新城区", 40, 1)])
    code, out, _ = run(capsys, "--db", cli_towns, "import-legacy", written.path, "--kind", "targets", "--year", YEAR,
                       "--json")
    data = json.loads(out)
    assert code == 0 and data["created"] == 2 and data["area_mu"] == "540"
    assert _sql_count(cli_towns, "town") == 4 and _sql_count(cli_towns, "town_target") == 2
    code, out, _ = run(capsys, "--db", cli_towns, "import-legacy", written.path, "--kind", "targets", "--json")
    assert code == 1 and "需要指定年度" in json.loads(out)["refused"]


def test_cli_unknown_mapping_and_wrong_sheet_exit_1_with_one_json_object(cli_towns, capsys, tmp_path):
    written = samples.write_d_class_list(tmp_path / "d.xlsx", samples.firms(2, TOWNS))
    code, out, _ = run(capsys, "--db", cli_towns, "import-legacy", written.path, "--mapping", "无此方案", "--json")
    assert code == 1 and "还没有保存任何列对应方案" in json.loads(out)["refused"]
    code, out, _ = run(capsys, "--db", cli_towns, "import-legacy", written.path, "--sheet", "无此表", "--json")
    data = json.loads(out)
    assert code == 1 and "无此表" in data["refused"] and data["errors"][0]["message"] == data["refused"]
    assert _sql_count(cli_towns, "target") == 0


@pytest.mark.parametrize("argv", [["--kind", "parcels"], ["--year", "二〇二四"], ["--no-such"]])
def test_cli_usage_errors_exit_2(cli_towns, capsys, tmp_path, argv):
    code, _out, err = run(capsys, "--db", cli_towns, "import-legacy", tmp_path / "x.xlsx", *argv)
    assert code == 2 and "用法" in err and "Traceback" not in err


# ---- units, towns and our own tables ----------------------------------------------------------------


def test_area_units_come_from_the_header_or_the_unit_line_above_the_table(db, towns, tmp_path):
    wan = tmp_path / "wan.xlsx"
    samples.write_custom(wan, ["企业名称", "所属镇", "占地面积（万平方米）", "建筑面积（亩）"],
                         [["甲公司", "城东街道", "1.5", 3], ["乙公司", "城东街道", "2000㎡", None]])
    p = li.preview(db, wan, kind="enterprises", year=YEAR)
    assert p.rows[0].final.land_area_mu == units.m2_to_mu(Decimal(15000))
    assert p.rows[0].final.building_area_m2 == units.mu_to_m2(Decimal(3))
    assert p.rows[1].final.land_area_mu == units.m2_to_mu(Decimal(2000))  # the cell names its own unit
    line = tmp_path / "line.xlsx"
    samples.write_custom(line, ["企业名称", "所属镇", "用地面积"], [["丙公司", "城西街道", 6666.67]],
                         title="单位：平方米")
    (row,) = li.preview(db, line, kind="enterprises", year=YEAR).rows
    assert row.final.land_area_mu == Decimal("10.0000")


def test_a_town_with_another_suffix_is_another_town(db, towns, tmp_path):
    written = samples.write_task_table(tmp_path / "t.xlsx", [("城东镇", 10, 1), ("城东", 20, 2), ("北山", 30, 3)])
    p = li.preview(db, written.path, kind="targets", year=YEAR)
    assert p.new_towns == ["城东镇"]
    assert [r.label for r in p.rows] == ["城东镇", "城东街道", "北山镇"]


def test_our_own_task_table_export_imports_back_unchanged(db, towns, tmp_path):
    from desktop.services.towns import progress_export

    town_service.set_target(db, towns["城东街道"], YEAR, target_area_mu="320.5", target_parks=2)
    town_service.set_target(db, towns["北山镇"], YEAR, target_area_mu="80", target_parks=0)
    path = progress_export.export_task_table(db, YEAR, tmp_path / "附件1.xlsx")
    assert _opened(path)["B4"].value == TOWNS[0]
    p = li.preview(db, path, kind="targets", year=YEAR)
    assert p.mapping.fields["target_area"].header == "目标面积（亩）"
    assert p.mapping.fields["target_parks"].header == "目标园区（个）"
    assert {r.label: r.action for r in p.rows} == {"城东街道": li.UNCHANGED, "城西街道": li.CREATE,
                                                   "北山镇": li.UNCHANGED}
    assert not p.new_towns and p.skipped["totals"] == 1


def test_a_saved_mapping_whose_required_column_is_gone_is_refused_naming_it(db, towns, tmp_path):
    li.save_mapping(db, "旧表", "enterprises", Mapping("enterprises", {"name": li.FieldSource("单位全称"),
                                                                    "town": li.FieldSource("所属镇")}))
    path = tmp_path / "x.xlsx"
    samples.write_custom(path, ["企业名称", "所属镇"], [["甲公司", "城东街道"]])
    outcome = _import(db, path, mapping_name="旧表")
    assert outcome.refused and "名称" in outcome.refused and "“单位全称”列在本表中找不到" in outcome.refused
    assert _count(db, Target) == 0


def test_error_cells_and_formulas_without_results_are_errors_naming_the_cell(db, towns, tmp_path):
    path = tmp_path / "f.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["企业名称", "所属镇", "占地面积（亩）"])
    ws.append(["甲公司", "城东街道", "=B9*2"])
    ws.append(["乙公司", "城东街道", "#REF!"])
    wb.save(path)
    back = _opened(path)
    assert back["C2"].data_type == "f" and back["C3"].data_type == "e"
    p = li.preview(db, path, kind="enterprises", year=YEAR)
    assert [(r.action, r.problems[0].row, r.problems[0].column) for r in p.rows] == [(li.INVALID, 2, "C"),
                                                                                     (li.INVALID, 3, "C")]
    assert "没有计算结果" in p.rows[0].problems[0].message and "#REF!" in p.rows[1].problems[0].message


def test_cli_a_text_file_saved_as_xlsx_is_refused_in_chinese(cli_towns, capsys, tmp_path):
    fake = tmp_path / "名单.xlsx"
    fake.write_text("企业名称,所属镇\n甲公司,城东街道\n", encoding="utf-8")
    code, out, _ = run(capsys, "--db", cli_towns, "import-legacy", fake, "--json")
    data = json.loads(out)
    assert code == 1 and "名单.xlsx" in data["refused"] and data["applied"] is False
    code, _out, err = run(capsys, "--db", cli_towns, "import-legacy", fake)
    assert code == 1 and "名单.xlsx" in err and "Traceback" not in err


def test_a_saved_mapping_without_a_unit_takes_the_unit_from_the_header(db, towns, tmp_path):
    li.save_mapping(db, "税务", "enterprises", Mapping("enterprises", {
        "name": li.FieldSource("纳税人名称"), "town": li.FieldSource("街道乡镇"), "land_area": li.FieldSource("用地面积（平方米）")}))
    items = samples.firms(2, TOWNS)
    written = samples.write_tax_list(tmp_path / "tax.xlsx", items)
    outcome = _import(db, written.path, mapping_name="税务")
    assert outcome.summary.created == 2
    got = _targets(db)
    assert all(got[f.name].land_area_mu == units.m2_to_mu(f.land_m2) and got[f.name].credit_code is None for f in items)


# ---- the bulk write ----------------------------------------------------------------------------------


def _audit(db, object_type: str, action: str) -> list[AuditLog]:
    with db.reader() as s:
        found = list(s.scalars(select(AuditLog).where(AuditLog.object_type == object_type, AuditLog.action == action)
                               .order_by(AuditLog.id)))
        s.expunge_all()
        return found


def test_each_new_target_and_grade_has_its_own_create_record_naming_its_id(db, towns, tmp_path):
    written = samples.write_d_class_list(tmp_path / "d.xlsx", samples.firms(5, TOWNS))
    _import(db, written.path)
    by_id = {t.id: t for t in _targets(db).values()}
    creates = _audit(db, "target", "create")
    assert sorted(a.object_id for a in creates) == sorted(by_id)
    for a in creates:
        t = by_id[a.object_id]
        assert a.object_label == t.name and a.after["name"] == t.name and a.after["credit_code"] == t.credit_code
        assert a.after["town_id"] == t.town_id and a.after["category"] == Category.OTHER.value
    grades = _audit(db, "evaluation", "create")
    assert sorted(a.after["target_id"] for a in grades) == sorted(by_id)
    assert all(a.object_label == by_id[a.after["target_id"]].name and a.after["grade"] == "D" for a in grades)
    assert all(a.after[audit.SOURCE_KEY] == "外部表格 d.xlsx（D类企业）" for a in creates + grades)
    with db.reader() as s:
        assert all(t.search_text == f"{t.name} {t.credit_code} {t.address}".lower() for t in s.scalars(select(Target)))
        for tid, t in by_id.items():  # the search index (FTS5 triggers on target) followed the bulk INSERT
            assert search_samples.ordered_ids(s.connection(), [t.credit_code.lower()], indexed=True) == [tid]


def test_an_update_records_only_the_changed_fields_and_the_grade_with_old_and_new(db, towns, tmp_path):
    f = samples.firms(1, TOWNS)[0]
    tid = target_service.create(db, target_service.TargetValues(
        name=f.name, town_id=towns[f.town], category=Category.POINT, credit_code=f.code, address="旧地址",
        grade=EvaluationClass.C), year=YEAR)
    revision = _targets(db)[f.name].revision
    path = tmp_path / "u.xlsx"
    samples.write_custom(path, ["企业名称", "统一社会信用代码", "所属镇", "地址", "综合评价"],
                         [[f.name, f.code, f.town, "新地址 8 号", "D"]])
    assert _import(db, path).summary.updated == 1
    t = _targets(db)[f.name]
    assert (t.address, t.revision, t.search_text) == ("新地址 8 号", revision + 1, f"{f.name} {f.code} 新地址 8 号".lower())
    assert _grades(db) == {f.name: EvaluationClass.D}
    (upd,) = _audit(db, "target", "update")
    assert (upd.object_id, upd.object_label, upd.before) == (tid, f.name, {"address": "旧地址"})
    assert upd.after == {"address": "新地址 8 号", audit.SOURCE_KEY: "外部表格 u.xlsx（Sheet1）"}
    (grade,) = _audit(db, "evaluation", "update")
    assert (grade.object_label, grade.before, grade.after["grade"]) == (f.name, {"grade": "C"}, "D")
    history = target_service.get(db, tid, year=YEAR).history
    assert any(c.label == "地址" and c.after == "新地址 8 号" for line in history for c in line.changes)
    with db.reader() as s:  # the search index (FTS5 triggers on target) followed the bulk UPDATE
        conn = s.connection()
        assert search_index.has_fts(conn)
        assert search_samples.ordered_ids(conn, ["新地址"], indexed=True) == [tid]
        assert search_samples.ordered_ids(conn, ["旧地址"], indexed=True) == []


def test_a_target_edited_after_the_preview_refuses_the_whole_import_and_writes_nothing(db, towns, tmp_path):
    old, new = samples.firms(2, TOWNS)
    tid = target_service.create(db, target_service.TargetValues(
        name=old.name, town_id=towns[old.town], category=Category.OTHER, credit_code=old.code), year=YEAR)
    path = tmp_path / "s.xlsx"
    samples.write_custom(path, ["企业名称", "统一社会信用代码", "所属镇", "地址"],
                         [[old.name, old.code, old.town, "导入的地址"], [new.name, new.code, new.town, "新企业地址"]])
    p = li.preview(db, path, kind="enterprises", year=YEAR)
    assert [r.action for r in p.rows] == [li.UPDATE, li.CREATE]
    values = target_service.get(db, tid, year=YEAR).values
    target_service.update(db, tid, dataclasses.replace(values, legal_rep="别人刚改的"), year=YEAR)
    audit_before, imports_before = _count(db, AuditLog), _count(db, PacketImport)
    outcome = li.apply(db, p)
    assert not outcome.applied and f"第{p.rows[0].excel_row}行" in outcome.refused and "预览之后已被修改" in outcome.refused
    assert set(_targets(db)) == {old.name} and _targets(db)[old.name].address == ""
    assert (_count(db, AuditLog), _count(db, PacketImport)) == (audit_before, imports_before)


def test_cli_imports_keep_the_keyed_chain_intact_one_record_per_row_written(cli_towns, capsys, tmp_path):
    """New rows, then an update of them: the bulk writes' records are keyed and the tip moved with them."""
    from conftest import run_cli

    items = samples.firms(6, TOWNS)
    written = samples.write_d_class_list(tmp_path / "d.xlsx", items)
    assert run(capsys, "--db", cli_towns, "import-legacy", written.path)[0] == 0
    path = tmp_path / "u.xlsx"
    samples.write_custom(path, ["企业名称", "统一社会信用代码", "所属镇", "地址"],
                         [[f.name, f.code, f.town, f"新地址 {i} 号"] for i, f in enumerate(items[:4])])
    assert run(capsys, "--db", cli_towns, "import-legacy", str(path))[0] == 0
    con = sqlite3.connect(cli_towns)
    try:
        counts = dict(con.execute("SELECT action, count(*) FROM audit_log WHERE object_type = 'target'"
                                  " GROUP BY action").fetchall())
    finally:
        con.close()
    assert counts == {"create": 6, "update": 4}
    code, out, err = run_cli(capsys, "--db", cli_towns, "audit", "verify", "--json", user="auditor")
    assert code == 0 and json.loads(out)["ok"] is True, out + err


@pytest.mark.parametrize("what", ["create", "update"])
def test_a_leader_cannot_import_the_bulk_insert_and_update_are_refused(db, towns, tmp_path, what):
    """The role hook sees the bulk INSERT and UPDATE (Session.execute of Core statements), not only ORM flushes."""
    f = samples.firms(1, TOWNS)[0]
    if what == "update":
        target_service.create(db, target_service.TargetValues(
            name=f.name, town_id=towns[f.town], category=Category.OTHER, credit_code=f.code), year=YEAR)
    path = tmp_path / "l.xlsx"
    samples.write_custom(path, ["企业名称", "统一社会信用代码", "所属镇", "地址"], [[f.name, f.code, f.town, "领导填的地址"]])
    p = li.preview(db, path, kind="enterprises", year=YEAR)
    assert [r.action for r in p.rows] == [li.CREATE if what == "create" else li.UPDATE]
    log_before, targets_before = _count(db, AuditLog), {n: t.address for n, t in _targets(db).items()}
    with pytest.raises(li.Refused, match="无权修改台账数据"):
        li.apply(dataclasses.replace(db, role=Role.LEADER), p)
    assert {n: t.address for n, t in _targets(db).items()} == targets_before
    assert (_count(db, AuditLog), _count(db, PacketImport)) == (log_before, 0)


def test_cli_an_auditor_cannot_import_a_list(cli_towns, capsys, tmp_path):
    from conftest import run_cli

    written = samples.write_d_class_list(tmp_path / "d.xlsx", samples.firms(3, TOWNS))
    code, out, err = run_cli(capsys, "--db", cli_towns, "import-legacy", written.path, user="auditor")
    assert code == 1 and "无权" in err and "Traceback" not in out + err
    assert _sql_count(cli_towns, "target") == 0
