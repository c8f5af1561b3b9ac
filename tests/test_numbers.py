"""One number parser (services/numbers.py): what it accepts, what it refuses and with which sentence —
and the numbers that used to end in 「内部错误：[<class 'decimal.InvalidOperation'>]」, through the CLI,
the importers and the services the forms call."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

import legacy_samples as samples
from conftest import with_cli_accounts
from desktop.models import Target, TownTarget
from desktop.models.enums import AgreementKind
from desktop.services import numbers, units
from desktop.services.errors import ValidationError
from desktop.services.excel import cell_values
from desktop.services.excel import legacy_import as li
from desktop.services.excel import packet_columns as pc
from desktop.services.excel import packet_service
from desktop.services.landbank import agreement_service
from desktop.services.lists import plan_service
from desktop.services.quota import quota_service
from desktop.services.register import target_service
from desktop.services.reports import report_service
from desktop.services.subsidy import subsidy_service
from desktop.services.towns import town_service
from desktop.services.year import year_service

ROOT = Path(__file__).resolve().parent.parent
ZZB = ROOT / ".venv" / "bin" / "zzb"
AREA_MAX = "最大 99,999,999.99 亩"
HUGE = [1e308, "1e308", 10**30, str(10**30), "1e308亩"]


# ---- the parser ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value,expected", [
    ("12.5", Decimal("12.5")), ("１２．５", Decimal("12.5")), ("1,234.5", Decimal("1234.5")),
    ("1，234", Decimal("1234")), (" 1 234 ", Decimal("1234")), ("\u200b7", Decimal("7")),
    (0.1 + 0.2, Decimal("0.3")), (12.300000000000001, Decimal("12.3")), (3, Decimal(3)),
    (Decimal("99999999.99"), Decimal("99999999.99")), ("", None), (None, None),
])
def test_numbers_are_read_as_clerks_type_them(value, expected):
    assert numbers.parse_decimal(value, label="金额") == expected


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-Infinity", float("nan"), float("inf"), "十二", True])
def test_what_is_not_a_number_is_refused_with_the_text_quoted(value):
    with pytest.raises(ValidationError) as err:
        numbers.parse_decimal(value, label="金额")
    assert err.value.message.startswith("金额应为数字，现为“")


def test_a_pasted_run_of_digits_is_refused_as_too_long():
    with pytest.raises(ValidationError, match=r"^金额位数过多（最多 100 位数字）"):
        numbers.parse_decimal("9" * 101, label="金额")


@pytest.mark.parametrize("field,message", [
    ("land_area_mu", "占地面积超出范围：最大 99,999,999.99 亩"),
    ("amount_wan", "占地面积超出范围：最大 99,999,999.99 万元"),
    ("building_area_m2", "占地面积超出范围：最大 99,999,999.99 平方米"),
    ("landbank_cost_cap_wan_per_mu", "占地面积超出范围：最大 99,999,999.99 万元/亩"),
    ("quota_borrow_ratio_pct", "占地面积超出范围：最大 100%"),
])
def test_the_range_follows_the_unit_the_field_name_ends_with(field, message):
    with pytest.raises(ValidationError) as err:
        numbers.parse_decimal("1e308", label="占地面积", field=field)
    assert err.value.message == message + "，现为“1e308”"
    assert err.value.field == field


def test_the_largest_storable_value_is_accepted_and_one_cent_more_is_not():
    assert numbers.parse_area("99999999.99", label="面积") == Decimal("99999999.9900")
    with pytest.raises(ValidationError, match=AREA_MAX):
        numbers.parse_area("100000000", label="面积")


def test_negative_numbers_are_refused_unless_allowed_and_then_bounded_below():
    with pytest.raises(ValidationError, match="^面积不能为负数$"):
        numbers.parse_area("-2亩", label="面积")
    assert numbers.parse_decimal("-3", label="差额", allow_negative=True) == Decimal(-3)
    with pytest.raises(ValidationError, match="差额超出范围：最小 -99,999,999.99"):
        numbers.parse_decimal("-1e308", label="差额", allow_negative=True)


@pytest.mark.parametrize("value,unit,expected", [
    ("12.5亩", "m²", Decimal("12.5000")), ("8000㎡", "亩", Decimal("12.0000")), ("８０００ m²", "亩", Decimal("12.0000")),
    ("6666.67", "m²", Decimal("10.0000")), ("1.2公顷", "亩", Decimal("18.0000")), ("0.8万平方米", "亩", Decimal("12.0000")),
])
def test_areas_convert_to_mu_exactly_from_the_unit_typed(value, unit, expected):
    assert numbers.parse_area(value, label="面积", unit=unit) == expected


def test_a_huge_area_in_square_metres_is_refused_before_it_is_converted():
    with pytest.raises(ValidationError, match="面积超出范围：最大 66,666,666,660.00 m²"):
        numbers.parse_area("1e999999999", label="面积", unit="m²")
    with pytest.raises(ValidationError, match="建筑面积超出范围：最大 149,999.99 亩"):
        numbers.parse_m2("1e308亩", label="建筑面积")
    assert numbers.parse_m2("1.8亩", label="建筑面积") == Decimal("1200.00")


def test_whole_numbers_years_and_months():
    assert numbers.parse_int("１２", label="园区数") == 12
    with pytest.raises(ValidationError, match="^园区数应为整数，现为 12.5$"):
        numbers.parse_int(12.5, label="园区数")
    with pytest.raises(ValidationError, match="^园区数超出范围：最大 1,000,000，现为“1000000000000000…（共 31 个字符）”$"):
        numbers.parse_int(str(10**30), label="园区数")
    assert numbers.parse_year("2024") == 2024
    with pytest.raises(ValidationError, match="^年度应为 2000–2099 之间的年份"):
        numbers.parse_year("99999999999999999999")
    with pytest.raises(ValidationError, match="^月份应为1–12，现为13$"):
        numbers.parse_month(13)


def test_units_and_cell_values_delegate_to_the_one_parser():
    for parse in (lambda v: units.parse_area(v, label="面积"), lambda v: cell_values.parse_area(v, label="面积")):
        for value in HUGE:
            with pytest.raises(ValidationError, match=f"^面积超出范围：{AREA_MAX}"):
                parse(value)
    with pytest.raises(ValidationError, match="^个数超出范围：最大 1,000,000"):
        cell_values.parse_int(1e308, label="个数")


# ---- the command line (a real `zzb` process) ------------------------------------------------


@pytest.fixture
def zzb(tmp_path):
    """Run the console script; return (exit code, stderr)."""
    env = {**os.environ, "ZZB_DATA_DIR": str(tmp_path / "userdata"), "ZZB_USER": "clerk"}
    env.pop("ZZB_DB", None)

    def run(db, *argv):
        with_cli_accounts(["--db", db])
        proc = subprocess.run([str(ZZB), "--db", str(db), *map(str, argv)], capture_output=True, text=True, env=env,
                              timeout=120)
        assert "Traceback" not in proc.stderr + proc.stdout and "内部错误" not in proc.stderr
        return proc.returncode, proc.stderr

    return run


@pytest.mark.parametrize("argv,message", [
    (["demo", "--enterprises", 10**30], "参数 --enterprises: 治理对象数量超出范围：最大 1,000,000"),
    (["demo", "--year", "99999999999999999999"], "参数 --year: 年度应为 2000–2099 之间的年份"),
    (["export-packet", "--town", "甲镇", "--year", "99999999999999999999", "-o", "x.xlsx"],
     "参数 --year: 年度应为 2000–2099 之间的年份"),
    (["export-packet", "--town", "甲镇", "--year", "2024", "--month", 10**20, "-o", "x.xlsx"],
     "参数 --month: 月份应为1–12"),
    (["import-legacy", "x.xlsx", "--kind", "targets", "--year", "1e308"], "参数 --year: 年度应为 2000–2099 之间的年份"),
    (["export-packet", "--town", "甲镇", "--year", "2024", "-o", ""], "参数 -o/--output: 输出文件不能为空"),
])
def test_cli_numbers_out_of_range_are_usage_errors_in_chinese(zzb, db_path, argv, message):
    code, err = zzb(db_path, *argv)
    assert code == 2
    assert message in err


def test_cli_workdays_add_names_the_largest_count(zzb, db_path):
    code, err = zzb(db_path, "workdays", "add", "2024-01-02", 10**30)
    assert (code, err.strip()) == (1, "工作日数超出范围：最大 1,000,000，现为“1000000000000000…（共 31 个字符）”")


def test_cli_import_legacy_of_a_sheet_with_1e308_says_which_cell_and_writes_nothing(zzb, db_path, tmp_path):
    path = tmp_path / "工信.xlsx"
    samples.write_custom(path, ["企业名称", "统一社会信用代码", "所属镇", "占地面积（亩）"],
                         [["甲公司", samples.credit_code(7), "城东街道", 1e308]])
    code, err = zzb(db_path, "import-legacy", path)
    assert code == 1
    assert f"D列：占地面积超出范围：{AREA_MAX}，现为“1e+308”" in err
    assert "未写入任何内容" in err


# ---- the importers --------------------------------------------------------------------------


@pytest.fixture
def towns(db) -> dict[str, int]:
    return {name: town_service.create_town(db, name).id for name in ("城东街道", "城西街道")}


def _sheet(path: Path, header: list[str], rows: list[list]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


ENTERPRISE_HEADER = ["企业名称", "统一社会信用代码", "所属镇", "占地面积（亩）", "建筑面积（平方米）"]


@pytest.mark.parametrize("land,building,message", [
    (1e308, 100, f"占地面积超出范围：{AREA_MAX}，现为“1e+308”"),
    ("1e308亩", 100, f"占地面积超出范围：{AREA_MAX}，现为“1e308亩”"),
    (10**30, 100, f"占地面积超出范围：{AREA_MAX}，现为“1e+30”"),
    (5, 1e308, "建筑面积超出范围：最大 99,999,999.99 平方米，现为“1e+308”"),
    (5, "1e308亩", "建筑面积超出范围：最大 149,999.99 亩，现为“1e308亩”"),
])
def test_legacy_enterprise_sheet_with_huge_areas_names_the_cell_and_the_range(db, towns, tmp_path, land, building,
                                                                             message):
    path = _sheet(tmp_path / "l.xlsx", ENTERPRISE_HEADER, [["甲公司", samples.credit_code(11), "城东街道", land, building]])
    outcome = li.run_import(db, path, kind="enterprises", year=2024)
    assert outcome.refused and not outcome.applied
    assert [e.message for e in outcome.summary.errors] == [message]
    with db.reader() as s:
        assert s.scalar(select(func.count(Target.id))) == 0


def test_legacy_area_column_in_hectares_refuses_1e308_in_hectares(db, towns, tmp_path):
    path = _sheet(tmp_path / "h.xlsx", ["企业名称", "统一社会信用代码", "所属镇", "占地面积（公顷）"],
                  [["甲公司", samples.credit_code(12), "城东街道", 1e308]])
    outcome = li.run_import(db, path, kind="enterprises", year=2024)
    assert [e.message for e in outcome.summary.errors] == ["占地面积超出范围：最大 6,666,666.66 公顷，现为“1e+308”"]


@pytest.mark.parametrize("area,parks,message", [
    (str(10**30), 1, "目标面积超出范围：最大 99,999,999.99 亩，现为“1000000000000000…（共 31 个字符）”"),
    (10, str(10**30), "目标园区数超出范围：最大 1,000,000，现为“1000000000000000…（共 31 个字符）”"),
])
def test_legacy_target_sheet_with_huge_numbers_is_refused_whole(db, towns, tmp_path, area, parks, message):
    path = _sheet(tmp_path / "t.xlsx", ["镇街", "目标面积（亩）", "目标园区数"], [["城东街道", area, parks]])
    outcome = li.run_import(db, path, kind="targets", year=2024)
    assert outcome.refused and [e.message for e in outcome.summary.errors] == [message]
    with db.reader() as s:
        assert s.scalar(select(func.count(TownTarget.id))) == 0


def _header(ws) -> dict[str, int]:
    return {c.value.rstrip("*"): c.column for c in ws[pc.HEADER_ROW] if c.value}


def _first_row(ws) -> int:
    return next(r for r in range(pc.FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, 1).value is not None)


def _entry_cell(column, value):
    def edit(wb):
        ws = wb[pc.ENTRY_SHEET]
        ws.cell(_first_row(ws), _header(ws)[column]).value = value
    return edit


def _new_entry(area):
    def edit(wb):
        ws = wb[pc.NEW_SHEET]
        head = _header(ws)
        for column, value in (("对象名称", "新发现的地块"), ("对象类型", "地块"), ("计划治理方式", "收储"),
                              ("计划治理面积（亩）", area)):
            ws.cell(pc.FIRST_DATA_ROW, head[column]).value = value
    return edit


@pytest.mark.parametrize("edit,message", [
    (_entry_cell("占地面积（亩）", 1e308), f"占地面积（亩）超出范围：{AREA_MAX}，现为“1e+308”"),
    (_entry_cell("建筑面积（㎡）", "1e308"), "建筑面积（㎡）超出范围：最大 99,999,999.99，现为“1e308”"),
    (_new_entry(10**30), f"计划治理面积（亩）超出范围：{AREA_MAX}，现为“1e+30”"),
])
def test_a_packet_with_huge_numbers_names_the_cell_and_applies_nothing(demo_db, tmp_path, edit, message):
    town_id = town_service.list_towns(demo_db)[0].id
    result = packet_service.export_packet(demo_db, town_id, 2024, None, tmp_path / "p.xlsx")
    wb = load_workbook(result.path)
    edit(wb)
    wb.save(result.path)
    outcome = packet_service.import_packet(demo_db, result.path)
    assert outcome.refused and not outcome.applied
    assert message in [e.message for e in outcome.summary.errors]


# ---- the services the forms call ------------------------------------------------------------


def test_town_targets_refuse_huge_area_and_parks(db, towns):
    town = towns["城东街道"]
    with pytest.raises(ValidationError, match=f"^目标面积超出范围：{AREA_MAX}"):
        town_service.set_target(db, town, 2024, target_area_mu="1e308")
    with pytest.raises(ValidationError, match="^目标园区数超出范围：最大 1,000,000"):
        town_service.set_target(db, town, 2024, target_parks=str(10**30))
    assert town_service.get_targets(db, 2024) == {}


def test_year_parameters_refuse_a_target_beyond_what_can_be_stored(db):
    with pytest.raises(ValidationError) as err:
        year_service.parse_form({"target_area_mu": "1e308"})
    assert err.value.message == f"年度整治面积目标（亩）超出范围：{AREA_MAX}，现为“1e308”"
    assert err.value.field == "target_area_mu"


@pytest.mark.parametrize("parse,message", [
    (lambda: quota_service.parse_area("1e308", label="预借面积"), f"预借面积超出范围：{AREA_MAX}"),
    (lambda: plan_service.clean_cost("1e308"), "计划投资（万元）超出范围：最大 99,999,999.99 万元"),
    (lambda: subsidy_service.parse_amount("1e308"), "调整后金额超出范围：最大 99,999,999.99 万元"),
    (lambda: report_service.clean_completed_area("1e308"), f"完成面积超出范围：{AREA_MAX}"),
    (lambda: target_service.clean(target_service.TargetValues(name="甲", town_id=1, land_area_mu=Decimal("1e308"))),
     f"占地面积超出范围：{AREA_MAX}"),
    (lambda: target_service.clean(target_service.TargetValues(name="甲", town_id=1,
                                                              building_area_m2=Decimal("1e308"))),
     "建筑面积超出范围：最大 99,999,999.99 平方米"),
    (lambda: agreement_service.clean(agreement_service.AgreementValues(
        kind=AgreementKind.COOPERATION, year=2024, town_id=1, soe_id=1, party_a="甲", party_b="乙",
        signed_on=dt.date(2024, 3, 1), amount_wan=Decimal("1e308")), today=dt.date(2024, 12, 1)),
     "金额超出范围：最大 99,999,999.99 万元"),
])
def test_form_services_refuse_1e308_naming_the_field_and_range(db, parse, message):
    with pytest.raises(ValidationError) as err:
        parse()
    assert err.value.message.startswith(message)
