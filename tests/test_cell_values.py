"""Cell-value parsers: what towns type into cells becomes the ledger's values, or a Chinese message saying why not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from desktop.models.enums import Category, TargetKind
from desktop.services.excel import cell_values as cv
from desktop.services.errors import ValidationError
from desktop.services.excel.xlsx_reader import NO_CACHED_VALUE, CellError

GOOD_CODE = "91350100M000100Y43"


# ------------------------------------------------------------------ every parser


@pytest.mark.parametrize("parse", [
    lambda v: cv.parse_text(v, label="名称"),
    lambda v: cv.parse_date(v, label="日期"),
    lambda v: cv.parse_decimal(v, label="金额"),
    lambda v: cv.parse_area(v, label="面积"),
    lambda v: cv.parse_int(v, label="个数"),
    lambda v: cv.parse_credit_code(v),
    lambda v: cv.parse_enum(v, Category, label="类别"),
    lambda v: cv.parse_bool(v, label="是否"),
])
def test_every_parser_returns_none_for_empty_and_refuses_error_cells(parse):
    assert parse(None) is None
    assert parse("  \u3000 ") is None
    with pytest.raises(ValidationError, match="单元格是错误值 #REF!"):
        parse(CellError("#REF!"))
    with pytest.raises(ValidationError, match="单元格是公式但没有计算结果：请在 Excel 或 WPS 中打开并保存后再导入"):
        parse(NO_CACHED_VALUE)


# ------------------------------------------------------------------ text


def test_text_is_trimmed_with_full_width_and_repeated_spaces_folded():
    assert cv.parse_text("\u3000 甲公司\u00a0\u00a0（东厂区）  ", label="名称") == "甲公司 （东厂区）"
    assert cv.parse_text("a\t\tb\u200b", label="名称") == "a b"


def test_text_keeps_full_width_punctuation_of_names():
    assert cv.parse_text("某某（集团）有限公司", label="名称") == "某某（集团）有限公司"


def test_line_breaks_inside_a_cell_survive_but_blank_edges_do_not():
    assert cv.parse_text("\n第一行  \n  第二行\n", label="备注") == "第一行\n第二行"


def test_numbers_become_text_as_excel_shows_them():
    assert cv.parse_text(12.0, label="编号") == "12"
    assert cv.parse_text(0.1 + 0.2, label="编号") == "0.3"
    assert cv.parse_text(7, label="编号") == "7"
    assert cv.parse_text(dt.date(2024, 3, 5), label="日期") == "2024-03-05"


def test_text_over_the_limit_names_its_length():
    with pytest.raises(ValidationError, match="备注过长：有 40001 个字符，最多 32767 个"):
        cv.parse_text("字" * 40001, label="备注")
    with pytest.raises(ValidationError, match="名称过长：有 6 个字符，最多 5 个"):
        cv.parse_text("六个字的名字", label="名称", max_len=5)


def test_required_text_must_not_be_empty():
    with pytest.raises(ValidationError, match="企业名称不能为空"):
        cv.parse_text(" ", label="企业名称", required=True)


# ------------------------------------------------------------------ dates


@pytest.mark.parametrize("text", [
    "2024-03-05", "2024/3/5", "2024.3.5", "2024年3月5日", "20240305", "2024-03-05 00:00:00",
    "２０２４年３月５日", " 2024 - 3 - 5 ", "2024年3月5号", "2024-3-5 9:30",
])
def test_common_date_texts(text):
    assert cv.parse_date(text, label="完成日期") == dt.date(2024, 3, 5)


def test_date_cells_and_excel_serial_numbers():
    assert cv.parse_date(dt.date(2024, 3, 5), label="日期") == dt.date(2024, 3, 5)
    assert cv.parse_date(dt.datetime(2024, 3, 5, 17, 0), label="日期") == dt.date(2024, 3, 5)
    assert cv.parse_date(45356, label="日期") == dt.date(2024, 3, 5)
    assert cv.parse_date(45356.75, label="日期") == dt.date(2024, 3, 5)
    assert cv.parse_date("45356", label="日期") == dt.date(2024, 3, 5)  # a serial stored as text
    assert cv.parse_date(20240305, label="日期") == dt.date(2024, 3, 5)  # 20240305 typed as a number


def test_serial_numbers_follow_the_1900_system_with_its_leap_year_bug():
    # Excel counts 1900-02-29 (serial 60), so serial 61 is 1900-03-01 and 1990-01-01 is 32874
    assert cv._EPOCH + dt.timedelta(days=61) == dt.date(1900, 3, 1)
    assert cv.parse_date(32874, label="日期") == dt.date(1990, 1, 1)
    assert cv.parse_date(73415, label="日期") == dt.date(2100, 12, 31)


def test_an_implausible_number_is_not_taken_for_a_date():
    with pytest.raises(ValidationError, match="“1.5”是数字而不是日期"):
        cv.parse_date(1.5, label="日期")
    with pytest.raises(ValidationError, match="1990–2100"):
        cv.parse_date(1000, label="日期")


def test_month_and_day_out_of_range_are_explained():
    with pytest.raises(ValidationError) as err:
        cv.parse_date("2024.13.1", label="日期")
    assert err.value.message == "“2024.13.1”不是有效日期：月份应为1–12"
    with pytest.raises(ValidationError, match="“2023-02-29”不是有效日期：2023年2月的日期应为1–28"):
        cv.parse_date("2023-02-29", label="日期")
    with pytest.raises(ValidationError, match="2024年4月的日期应为1–30"):
        cv.parse_date("2024年4月31日", label="日期")


def test_unreadable_dates_say_how_to_write_them():
    with pytest.raises(ValidationError, match="完成日期“下个月”不是可识别的日期（可写成 2024-03-05"):
        cv.parse_date("下个月", label="完成日期")
    with pytest.raises(ValidationError, match="年份应在1990–2100之间"):
        cv.parse_date("1899-01-01", label="完成日期")
    with pytest.raises(ValidationError, match="是时间而不是日期"):
        cv.parse_date(dt.time(9, 30), label="完成日期")


def test_placeholders_for_nothing_are_empty_dates_and_numbers():
    for mark in ["/", "—", "-", "无", " ／ "]:
        assert cv.parse_date(mark, label="日期") is None
        assert cv.parse_decimal(mark, label="金额") is None
    assert cv.parse_text("/", label="备注") == "/"  # but text keeps what was typed


# ------------------------------------------------------------------ numbers and areas


def test_numbers_stored_as_text_full_width_and_with_separators():
    assert cv.parse_decimal("12.5", label="金额") == Decimal("12.5")
    assert cv.parse_decimal("１２．５", label="金额") == Decimal("12.5")
    assert cv.parse_decimal("1,234.5", label="金额") == Decimal("1234.5")
    assert cv.parse_decimal(" 1 234 ", label="金额") == Decimal("1234")


def test_float_cells_lose_their_binary_noise():
    assert cv.parse_decimal(12.300000000000001, label="金额") == Decimal("12.3")
    assert cv.parse_decimal(0.1 + 0.2, label="金额") == Decimal("0.3")
    assert cv.parse_decimal(3.0, label="金额") == Decimal("3")


def test_negative_and_non_numbers_are_refused():
    with pytest.raises(ValidationError, match="金额不能为负数"):
        cv.parse_decimal("-3", label="金额")
    assert cv.parse_decimal("-3", label="差额", allow_negative=True) == Decimal("-3")
    with pytest.raises(ValidationError, match="金额应为数字，现为“十二”"):
        cv.parse_decimal("十二", label="金额")
    with pytest.raises(ValidationError, match="金额应为数字，现为“TRUE”"):
        cv.parse_decimal(True, label="金额")


def test_areas_with_units_in_the_text_or_the_column():
    assert cv.parse_area("12.5亩", label="面积") == Decimal("12.5000")
    assert cv.parse_area("１２．５亩", label="面积") == Decimal("12.5000")
    assert cv.parse_area("8000㎡", label="面积") == Decimal("12.0000")
    assert cv.parse_area("８０００ m²", label="面积") == Decimal("12.0000")
    assert cv.parse_area(6666.67, label="面积", unit="m²") == Decimal("10.0000")
    assert cv.parse_area(12.5, label="面积") == Decimal("12.5000")
    assert cv.parse_area("1,000亩", label="面积") == Decimal("1000.0000")


def test_bad_areas_are_refused_with_the_unit_hint():
    with pytest.raises(ValidationError, match="面积应为数字（可带单位“亩”或“㎡”），现为“约十亩”"):
        cv.parse_area("约十亩", label="面积")
    with pytest.raises(ValidationError, match="面积不能为负数"):
        cv.parse_area("-2亩", label="面积")


def test_whole_numbers():
    assert cv.parse_int(12.0, label="园区数") == 12
    assert cv.parse_int("１２", label="园区数") == 12
    with pytest.raises(ValidationError, match="园区数应为整数，现为 12.5"):
        cv.parse_int(12.5, label="园区数")
    with pytest.raises(ValidationError, match="园区数不能小于 0，现为 -1"):
        cv.parse_int(-1, label="园区数")
    assert cv.parse_int(-1, label="调整", minimum=None) == -1
    with pytest.raises(ValidationError, match="月份不能小于 1"):
        cv.parse_int(0, label="月份", minimum=1)


# ------------------------------------------------------------------ credit codes, enums, booleans


def test_credit_codes_are_normalised_and_checked():
    assert cv.parse_credit_code(" 91350100m000100y43 ") == GOOD_CODE
    assert cv.parse_credit_code("９１３５０１００Ｍ０００１００Ｙ４３") == GOOD_CODE
    with pytest.raises(ValidationError, match="校验位错误：第18位应为"):
        cv.parse_credit_code("91350100M000100Y44")
    with pytest.raises(ValidationError, match="应为18位"):
        cv.parse_credit_code("9135010")


def test_a_code_typed_as_a_number_says_the_last_digits_are_lost():
    with pytest.raises(ValidationError) as err:
        cv.parse_credit_code(9.13501000000001e17)
    assert "统一社会信用代码被存成了数字（913501000000001000），后几位已丢失" in err.value.message
    assert "请把该列设为文本格式后重新填写" in err.value.message
    with pytest.raises(ValidationError, match="被存成了数字（9.13501E\\+17），后几位已丢失"):
        cv.parse_credit_code("9.13501E+17")  # the number pasted back as text
    with pytest.raises(ValidationError, match="被存成了数字（12345）：应为18位文本"):
        cv.parse_credit_code(12345)


def test_enums_by_chinese_label_or_english_name():
    assert cv.parse_enum("D类低效", Category, label="类别") is Category.D_CLASS
    assert cv.parse_enum(" 连片 整治 ", Category, label="类别") is Category.CONTIGUOUS
    assert cv.parse_enum("other", Category, label="类别") is Category.OTHER
    assert cv.parse_enum("地块", TargetKind, label="类型") is TargetKind.PARCEL
    with pytest.raises(ValidationError, match="类别“E类”不是允许的值，应为：D类低效、点状问题、连片整治、其他"):
        cv.parse_enum("E类", Category, label="类别")


@pytest.mark.parametrize("value, expected", [
    ("是", True), ("否", False), ("Y", True), ("n", False), ("TRUE", True), ("false", False), ("1", True),
    ("0", False), (1, True), (0.0, False), (True, True), ("√", True),
])
def test_booleans(value, expected):
    assert cv.parse_bool(value, label="是否完成") is expected


def test_an_unknown_boolean_word_is_refused():
    with pytest.raises(ValidationError, match="是否完成“大概”应为“是”或“否”"):
        cv.parse_bool("大概", label="是否完成")
    with pytest.raises(ValidationError):
        cv.parse_bool(2, label="是否完成")
