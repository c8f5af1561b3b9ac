"""The safe workbook reader: every file of the generated corpus is refused with a clear message or read right."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import excel_corpus
from excel_corpus import EXPECTED, GOOD_CODE
from desktop.services.excel import cell_values, workbook_limits, workbook_parsers, xlsx_reader, zip_preflight
from desktop.services.errors import ValidationError
from desktop.services.excel.excel_common import CancelToken, Cancelled
from desktop.services.excel.xlsx_reader import NO_CACHED_VALUE, BadWorkbook, CellError

ROOT = Path(__file__).resolve().parent.parent

# files that would abort or swamp the process if calamine saw them unguarded
DANGEROUS = ["stray_far_cell.xlsx", "shared_strings_bomb.xlsx", "shared_strings_count_lie.xlsx",
             "zip_bomb_declared.xlsx", "zip_bomb_ratio.xlsx", "zip_bomb_lying_header.xlsx",
             "xml_entities.xlsx", "far_cell.xls", "far_cell.ods", "duplicate_parts.xlsx"]


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> dict[str, Path]:
    return excel_corpus.build(tmp_path_factory.mktemp("corpus"))


@pytest.fixture
def no_calamine(monkeypatch):
    """Fail the test if the reader would hand the file to python-calamine."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("python-calamine must not open this file")

    monkeypatch.setattr(workbook_parsers, "calamine_open", refuse)


def _rows(data) -> dict[int, tuple]:
    return dict(data.rows)


# ------------------------------------------------------------------ refused files


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_is_refused_with_a_message_naming_the_file(corpus, name, no_calamine):
    with pytest.raises(BadWorkbook) as err:
        xlsx_reader.read_sheet(corpus[name])
    assert EXPECTED[name] in err.value.message
    assert name in err.value.message
    assert err.value.file_name == name
    with pytest.raises(BadWorkbook, match=EXPECTED[name].replace("(", r"\(").replace(")", r"\)")):
        xlsx_reader.inspect(corpus[name])


def test_the_corpus_covers_what_the_issue_lists(corpus):
    refused = set(EXPECTED)
    for must in ["bad_crc.xlsx", "truncated.xlsx", "csv_saved_as.xlsx", "html_saved_as.xlsx", "word_document.xlsx",
                 "password_protected.xlsx", "empty.xlsx", "xml_entities.xlsx", "zip_bomb_declared.xlsx",
                 "zip_bomb_ratio.xlsx", "zip_bomb_lying_header.xlsx"]:
        assert must in refused
    for good in ["lying_dimension.xlsx", "missing_dimension.xlsx", "stray_far_cell.xlsx", "formulas_and_errors.xlsx",
                 "code_as_number.xlsx", "serial_dates.xlsx", "chinese_dates.xlsx", "cell_over_limit.xlsx",
                 "shared_strings_bomb.xlsx", "town_sheet.ods", "legacy.xls"]:
        assert good in corpus and good not in refused


def test_refusal_messages_say_what_to_do(corpus):
    with pytest.raises(BadWorkbook) as err:
        xlsx_reader.inspect(corpus["csv_saved_as.xlsx"])
    assert "请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入" in err.value.message
    with pytest.raises(BadWorkbook) as err:
        xlsx_reader.inspect(corpus["password_protected.xlsx"])
    assert "取消打开密码" in err.value.message


def test_a_zip_member_that_inflates_beyond_its_declared_size_stops_at_the_declared_size(corpus):
    info = zipfile.ZipFile(corpus["zip_bomb_lying_header.xlsx"]).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size == 1000
    with open(corpus["zip_bomb_lying_header.xlsx"], "rb") as f:
        reader = zip_preflight.ZipReader(f, "x.xlsx")
        seen = 0
        with pytest.raises(BadWorkbook, match="超过其声明的大小"):
            for chunk in reader.iter_member(info):
                seen += len(chunk)
    assert seen == 0  # the first chunk already overshoots: nothing was handed on


def test_a_twenty_thousand_row_packet_passes_the_limits_and_stays_with_calamine(tmp_path):
    def sheet():
        yield excel_corpus.sheet_xml("", dimension="A1:AD20001").split("<sheetData>")[0].encode() + b"<sheetData>"
        letters = [xlsx_reader.column_letter(c) for c in range(30)]
        for r in range(1, 20002):
            cells = "".join(f'<c r="{col}{r}" t="inlineStr"><is><t>镇街企业{r}-{c}</t></is></c>' if c % 2 else
                            f'<c r="{col}{r}"><v>{r * 30 + c}.25</v></c>' for c, col in enumerate(letters))
            yield f'<row r="{r}">{cells}</row>'.encode()
        yield b"</sheetData></worksheet>"

    path = excel_corpus.write_xlsx(tmp_path / "packet.xlsx", [("条目", sheet())])
    data = xlsx_reader.read_sheet(path)
    assert data.engine == "calamine"
    assert len(data.rows) == 20001
    assert data.rows[-1][1][:2] == (20001 * 30 + 0.25, "镇街企业20001-1")


# ------------------------------------------------------------------ dangerous files, in a child process


_CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
from desktop.services.excel import xlsx_reader
try:
    data = xlsx_reader.read_sheet(sys.argv[1])
    print(json.dumps({"engine": data.engine, "rows": len(data.rows), "last": data.rows[-1][0]}))
except xlsx_reader.BadWorkbook as exc:
    print(json.dumps({"refused": exc.message}, ensure_ascii=False))
"""


@pytest.mark.parametrize("name", DANGEROUS)
def test_dangerous_file_neither_aborts_nor_hangs_the_process(corpus, name):
    run = subprocess.run([sys.executable, "-c", _CHILD, str(corpus[name])], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stderr == ""
    result = json.loads(run.stdout)
    if name in EXPECTED:
        assert EXPECTED[name] in result["refused"]
    else:
        assert result["engine"] == "openpyxl"


# ------------------------------------------------------------------ good files


def test_normal_workbook_reads_values_merges_and_sheet_states(corpus):
    info = xlsx_reader.inspect(corpus["normal.xlsx"])
    assert info.format == "xlsx"
    assert info.sheet_names == ["名单", "说明", "_meta"]
    assert info.visible_sheet_names == ["名单"]
    data = xlsx_reader.read_sheet(corpus["normal.xlsx"])
    assert data.name == "名单" and data.engine == "calamine" and data.file_name == "normal.xlsx"
    assert data.rows == [
        (1, ("2024年某镇D类企业名单",)),
        (2, ("企业名称", "统一社会信用代码", "占地面积（亩）", "认定日期", "是否完成")),
        (3, ("甲公司", GOOD_CODE, 12.5, dt.date(2024, 3, 5), True)),
        (4, ("乙公司", "91330100MA27XXXX0X", 8, dt.date(2024, 4, 1), False)),
        (6, ("合计", None, 20.5)),  # row 5 is blank and left out
    ]
    assert data.merged == [(1, 1, 1, 5)]


def test_hidden_sheets_are_read_by_name_or_index(corpus):
    meta = xlsx_reader.read_sheet(corpus["normal.xlsx"], "_meta")
    assert meta.rows == [(1, ("packet_id", "P-0001"))]
    assert xlsx_reader.read_sheet(corpus["normal.xlsx"], 1).rows == [(1, ("填表说明",))]


def test_several_sheets_read_in_one_go(corpus):
    first, meta = xlsx_reader.read_sheets(corpus["normal.xlsx"], [None, "_meta"])
    assert first.name == "名单" and meta.name == "_meta"
    assert meta.rows[0][1][1] == "P-0001"


def test_wrong_sheet_name_names_file_sheet_and_the_sheets_that_exist(corpus):
    with pytest.raises(BadWorkbook) as err:
        xlsx_reader.read_sheet(corpus["normal.xlsx"], "汇总")
    msg = err.value.message
    assert "normal.xlsx" in msg and "“汇总”" in msg and "名单" in msg
    assert "_meta" not in msg  # the very hidden sheet is not advertised
    assert err.value.sheet == "汇总"
    with pytest.raises(BadWorkbook, match="没有第 9 个"):
        xlsx_reader.read_sheet(corpus["normal.xlsx"], 8)


@pytest.mark.parametrize("name", ["lying_dimension.xlsx", "missing_dimension.xlsx"])
def test_a_lying_or_missing_dimension_does_not_hide_data(corpus, name):
    data = xlsx_reader.read_sheet(corpus[name])
    assert data.engine == "calamine"
    assert len(data.rows) == 2000
    assert data.rows[0] == (1, ("名称", "面积"))
    assert data.rows[-1] == (2000, ("企业2000", 1000.0))


def test_one_stray_far_cell_is_read_by_the_fallback_without_calamine(corpus, no_calamine):
    data = xlsx_reader.read_sheet(corpus["stray_far_cell.xlsx"])
    assert data.engine == "openpyxl"
    rows = _rows(data)
    assert rows[1] == ("名称", "面积")
    far = rows[1048576]
    assert len(far) == 16384 and far[-1] == "远处" and set(far[:-1]) == {None}


def test_the_pre_scan_finds_the_real_extent(corpus):
    pre = xlsx_reader._preflight(corpus["stray_far_cell.xlsx"], None, None)
    scan = pre.scans["数据"]
    assert (scan.max_row, scan.max_col) == (1048576, 16384)
    assert scan.fallback
    blank = xlsx_reader._preflight(corpus["far_blank_formatted.xlsx"], None, None).scans["数据"]
    assert (blank.max_row, blank.max_col) == (1, 2)  # a formatted blank far away carries no value
    assert not blank.fallback


def test_far_blank_formatted_cells_are_harmless(corpus):
    data = xlsx_reader.read_sheet(corpus["far_blank_formatted.xlsx"])
    assert data.engine == "calamine"
    assert data.rows == [(1, ("名称", "面积"))]


def test_a_wide_but_small_sheet_stays_with_calamine(corpus):
    data = xlsx_reader.read_sheet(corpus["wide_but_small.xlsx"])
    assert data.engine == "calamine"
    row = _rows(data)[3]
    assert len(row) == 16384 and row[-1] == "最右"


def test_formulas_without_results_and_error_cells(corpus):
    data = xlsx_reader.read_sheet(corpus["formulas_and_errors.xlsx"])
    assert data.rows == [
        (1, (2.0, NO_CACHED_VALUE)),
        (2, (CellError("#REF!"), NO_CACHED_VALUE)),
        (3, (None, None, "正常文本")),
    ]
    with pytest.raises(ValidationError, match="单元格是公式但没有计算结果：请在 Excel 或 WPS 中打开并保存后再导入"):
        cell_values.parse_decimal(NO_CACHED_VALUE, label="面积")
    with pytest.raises(ValidationError, match="单元格是错误值 #REF!"):
        cell_values.parse_text(CellError("#REF!"), label="名称")


def test_an_eighteen_digit_code_typed_as_a_number_is_caught(corpus):
    rows = _rows(xlsx_reader.read_sheet(corpus["code_as_number.xlsx"]))
    assert isinstance(rows[2][1], float)
    with pytest.raises(ValidationError, match="被存成了数字.*后几位已丢失"):
        cell_values.parse_credit_code(rows[2][1])
    assert cell_values.parse_credit_code(rows[3][1]) == GOOD_CODE


def test_excel_serial_dates_and_date_cells(corpus):
    rows = _rows(xlsx_reader.read_sheet(corpus["serial_dates.xlsx"]))
    assert rows[2] == (45356.0, dt.date(2024, 3, 5))
    assert cell_values.parse_date(rows[2][0], label="日期") == dt.date(2024, 3, 5)
    assert cell_values.parse_date(rows[3][0], label="日期") == dt.date(2024, 4, 1)
    assert rows[3][1] == dt.datetime(2024, 4, 1, 9, 30)
    assert cell_values.parse_date(rows[3][1], label="日期") == dt.date(2024, 4, 1)


def test_chinese_date_texts(corpus):
    rows = xlsx_reader.read_sheet(corpus["chinese_dates.xlsx"]).rows
    texts = [values[0] for _, values in rows[1:]]
    assert [cell_values.parse_date(t, label="开工日期") for t in texts[:-1]] == [dt.date(2024, 3, 5)] * 5
    with pytest.raises(ValidationError, match="“2024.13.1”不是有效日期：月份应为1–12"):
        cell_values.parse_date(texts[-1], label="开工日期")


def test_a_cell_over_the_excel_limit_is_returned_whole_for_the_caller_to_report(corpus):
    (row, values), = xlsx_reader.read_sheet(corpus["cell_over_limit.xlsx"]).rows
    assert row == 1 and len(values[0]) == 40000
    with pytest.raises(ValidationError, match="40000 个字符，最多 32767 个"):
        cell_values.parse_text(values[0], label="备注")


def test_a_shared_strings_bomb_goes_to_openpyxl_which_shares_the_string(corpus, no_calamine):
    data = xlsx_reader.read_sheet(corpus["shared_strings_bomb.xlsx"])
    assert data.engine == "openpyxl"
    assert len(data.rows) == 3000
    first, second = data.rows[0][1], data.rows[1][1]
    assert len(first[0]) == 32767 and first[1] == "短"
    assert first[0] is second[0]  # one Python string, not 3 000 copies


def test_namespace_prefixes_and_attribute_order_are_understood(corpus):
    prefixed = xlsx_reader.read_sheet(corpus["namespace_prefix.xlsx"])
    assert prefixed.engine == "calamine" and prefixed.rows == [(1, ("前缀", 7.0))]
    odd = xlsx_reader.read_sheet(corpus["attribute_order.xlsx"])
    assert odd.engine == "calamine" and odd.rows == [(1, ("属性顺序", None, 3.0))]


def test_cells_without_positions_or_xml_comments_go_to_openpyxl(corpus, no_calamine):
    no_refs = xlsx_reader.read_sheet(corpus["no_cell_refs.xlsx"])
    assert no_refs.engine == "openpyxl" and no_refs.rows == [(1, ("无位置", 5)), (2, (None, 6))]
    commented = xlsx_reader.read_sheet(corpus["xml_comment.xlsx"])
    assert commented.engine == "openpyxl" and commented.rows == [(1, ("注释",))]


@pytest.mark.parametrize("name", ["town_sheet.ods", "ods_named_xlsx.xlsx"])
def test_an_ods_is_read_whatever_its_name(corpus, name):
    info = xlsx_reader.inspect(corpus[name])
    assert info.format == "ods" and info.sheet_names == ["表1", "表2"]
    data = xlsx_reader.read_sheet(corpus[name])
    assert data.rows == [(1, ("名称", 12.5, dt.date(2024, 3, 5))), (4, ("合并",))]
    assert data.merged == [(4, 1, 4, 2)]
    assert xlsx_reader.read_sheet(corpus[name], "表2").rows == [(1, ("第二页",))]


@pytest.mark.parametrize("name", ["legacy.xls", "xls_named_xlsx.xlsx"])
def test_a_real_xls_is_read_whatever_its_name(corpus, name):
    info = xlsx_reader.inspect(corpus[name])
    assert info.format == "xls"
    assert info.sheet_names == ["名单", "说明"] and info.visible_sheet_names == ["名单"]
    data = xlsx_reader.read_sheet(corpus[name])
    assert data.rows == [
        (1, ("2024年某镇D类企业名单",)),
        (2, ("企业名称", "统一社会信用代码", "占地面积（亩）", "认定日期", "备注")),
        (3, ("甲公司", "91330100MA27XXXX0X", 12.5, dt.date(2024, 3, 5), CellError("#DIV/0!"))),
        (4, ("乙公司", GOOD_CODE, 8, dt.date(2024, 4, 1), "无")),
        (5, ("合计", None, 20.5)),
    ]
    assert data.merged == [(1, 1, 1, 5)]
    assert cell_values.parse_area(data.rows[3][1][2], label="占地面积") == Decimal("8.0000")


def test_a_sheet_starting_away_from_a1_keeps_its_row_and_column_numbers(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["C3"] = "起点"
    wb.active["D5"] = 2
    wb.save(tmp_path / "offset.xlsx")
    assert xlsx_reader.read_sheet(tmp_path / "offset.xlsx").rows == [(3, (None, None, "起点")), (5, (None, None, None, 2.0))]


def test_openpyxl_is_protected_by_defusedxml():
    assert openpyxl.DEFUSEDXML is True


# ------------------------------------------------------------------ limits, streaming, cancel, progress


def test_an_oversized_sheet_goes_to_the_fallback(corpus, tmp_path, monkeypatch, no_calamine):
    path = tmp_path / "copy.xlsx"
    path.write_bytes(corpus["lying_dimension.xlsx"].read_bytes())
    monkeypatch.setattr(workbook_limits, "DENSE_CELL_LIMIT", 1000)  # 2000 rows × 2 columns is now “too big”
    data = xlsx_reader.read_sheet(path)
    assert data.engine == "openpyxl"
    assert data.rows[-1] == (2000, ("企业2000", 1000))


def test_an_oversized_shared_string_table_is_refused(corpus, tmp_path, monkeypatch):
    path = tmp_path / "big_strings.xlsx"
    path.write_bytes(corpus["shared_strings_bomb.xlsx"].read_bytes())
    monkeypatch.setattr(workbook_limits, "MAX_SHARED_STRINGS", 50_000)
    with pytest.raises(BadWorkbook, match="big_strings.xlsx.*共享字符串表过大"):
        xlsx_reader.inspect(path)


@pytest.mark.parametrize("chunk", [997, 4096])
@pytest.mark.parametrize("name", ["lying_dimension.xlsx", "formulas_and_errors.xlsx", "shared_strings_bomb.xlsx",
                                  "normal.xlsx", "attribute_order.xlsx", "town_sheet.ods", "stray_far_cell.xlsx"])
def test_small_streaming_chunks_give_the_same_result(corpus, tmp_path, monkeypatch, chunk, name):
    whole = xlsx_reader.read_sheet(corpus[name])
    path = tmp_path / name
    path.write_bytes(corpus[name].read_bytes())
    monkeypatch.setattr(workbook_limits, "CHUNK", chunk)
    pieces = xlsx_reader.read_sheet(path)
    assert (pieces.rows, pieces.merged, pieces.engine) == (whole.rows, whole.merged, whole.engine)


def test_reading_honours_cancel(corpus, tmp_path):
    path = tmp_path / "cancel.xlsx"
    path.write_bytes(corpus["lying_dimension.xlsx"].read_bytes())
    token = CancelToken()
    calls = []

    def progress(done, total):
        calls.append((done, total))
        token.cancel()

    with pytest.raises(Cancelled):
        xlsx_reader.read_sheet(path, progress=progress, cancel=token)
    assert calls and calls[0][1] == 100
    token2 = CancelToken()
    token2.cancel()
    with pytest.raises(Cancelled):
        xlsx_reader.read_sheet(tmp_path / "cancel.xlsx", cancel=token2)


def test_progress_runs_from_the_pre_scan_to_one_hundred(corpus, tmp_path):
    path = tmp_path / "progress.xlsx"
    path.write_bytes(corpus["lying_dimension.xlsx"].read_bytes())
    calls = []
    xlsx_reader.read_sheet(path, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (100, 100)
    assert all(total == 100 for _, total in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_a_file_changed_between_check_and_parse_is_refused(corpus, tmp_path):
    path = tmp_path / "swapped.xlsx"
    path.write_bytes(corpus["normal.xlsx"].read_bytes())

    def swap(done, total):
        if done == 40:  # the pre-flight is over: now the file is replaced by a hostile one
            path.write_bytes(corpus["stray_far_cell.xlsx"].read_bytes())

    with pytest.raises(BadWorkbook, match="swapped.xlsx”在读取过程中被修改"):
        xlsx_reader.read_sheet(path, progress=swap)


def test_calamine_reads_an_xls_through_a_clean_container_of_the_walked_stream(corpus, monkeypatch):
    seen = []
    real = workbook_parsers.wrap_cfb
    monkeypatch.setattr(workbook_parsers, "wrap_cfb", lambda stream: seen.append(len(stream)) or real(stream))
    data = xlsx_reader.read_sheet(corpus["legacy.xls"])
    assert seen and data.rows[0] == (1, ("2024年某镇D类企业名单",))


def test_a_changed_file_is_scanned_again(tmp_path):
    path = tmp_path / "changing.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "第一版"
    wb.save(path)
    assert xlsx_reader.read_sheet(path).rows == [(1, ("第一版",))]
    wb.active["A1"] = "第二版，更长一些"
    wb.save(path)
    assert xlsx_reader.read_sheet(path).rows == [(1, ("第二版，更长一些",))]


@pytest.mark.parametrize("index, letters", [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA"), (16383, "XFD")])
def test_column_letter(index, letters):
    assert xlsx_reader.column_letter(index) == letters


def test_the_reader_imports_no_qt():
    run = subprocess.run(
        [sys.executable, "-c", "import sys; import desktop.services.excel.xlsx_reader, desktop.services.excel.cell_values; "
                               "print('PySide6' in sys.modules)"],
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "False"


# ------------------------------------------------------------------ randomised: the guard never under-counts


def _random_sheet(rng) -> tuple[str, list[str], dict[tuple[int, int], object]]:
    """Sheet XML in the many shapes writers produce, the shared strings it uses, and the value each cell must read as."""
    prefix = rng.choice(["", "", "x"])
    p = f"{prefix}:" if prefix else ""
    shared: list[str] = []
    expected: dict[tuple[int, int], object] = {}
    rows_xml = []
    row_numbers = sorted(rng.sample(range(1, 60), rng.randint(1, 12)))
    if rng.random() < 0.2:
        row_numbers.append(rng.choice([5000, 70000, 1048576]))
    for r in row_numbers:
        cols = sorted(rng.sample(range(1, 40), rng.randint(1, 6)))
        if rng.random() < 0.15:
            cols.append(rng.choice([300, 16384]))
        cells = []
        for c in cols:
            ref = f"{xlsx_reader.column_letter(c - 1)}{r}"
            kind = rng.choice(["num", "inline", "shared", "error", "formula", "nocache", "blank", "blank"])
            first = rng.random() < 0.8  # r written first, as Excel does
            space = " " if rng.random() < 0.9 else "\n  "

            def tag(extra: str, close: bool = False, ref=ref, first=first, space=space) -> str:
                attrs = [f'r="{ref}"'] + ([extra] if extra else [])
                if not first:
                    attrs.reverse()
                return f"<{p}c{space}" + " ".join(attrs) + ("/>" if close else ">")

            if kind == "num":
                value = rng.randint(-500, 500) / 4
                cells.append(tag("") + f"<{p}v>{value}</{p}v></{p}c>")
                expected[(r, c)] = value
            elif kind == "inline":
                text = f"文本{r}-{c}"
                cells.append(tag('t="inlineStr"') + f"<{p}is><{p}t>{text}</{p}t></{p}is></{p}c>")
                expected[(r, c)] = text
            elif kind == "shared":
                shared.append(f"共享{r}-{c}")
                cells.append(tag('t="s"') + f"<{p}v>{len(shared) - 1}</{p}v></{p}c>")
                expected[(r, c)] = shared[-1]
            elif kind == "error":
                code = rng.choice(["#REF!", "#N/A", "#DIV/0!"])
                cells.append(tag('t="e"') + f"<{p}v>{code}</{p}v></{p}c>")
                expected[(r, c)] = CellError(code)
            elif kind == "formula":
                cells.append(tag("") + f"<{p}f>1+1</{p}f><{p}v>2</{p}v></{p}c>")
                expected[(r, c)] = 2.0
            elif kind == "nocache":
                cells.append(tag("") + f"<{p}f>A1*2</{p}f></{p}c>")
                expected[(r, c)] = NO_CACHED_VALUE
            else:
                cells.append(tag('s="0"', close=True))
        rows_xml.append(f'<{p}row r="{r}">' + "".join(cells) + f"</{p}row>")
    xml = excel_corpus.sheet_xml("".join(rows_xml), dimension=rng.choice([None, "A1", "A1:B2"]), prefix=prefix)
    return xml, shared, expected


@pytest.mark.parametrize("chunk", [613, 4 << 20])
def test_random_sheets_read_every_value_and_the_scan_never_under_counts(tmp_path, monkeypatch, chunk):
    import random

    monkeypatch.setattr(workbook_limits, "CHUNK", chunk)
    rng = random.Random(20240305 + chunk)
    for n in range(30):
        xml, shared, expected = _random_sheet(rng)
        path = excel_corpus.write_xlsx(tmp_path / f"r{chunk}_{n}.xlsx", [("数据", xml)], shared=shared or None)
        scan = xlsx_reader._preflight(path, None, None).scans["数据"]
        if expected:
            assert scan.max_row >= max(r for r, _ in expected), n
            assert scan.max_col >= max(c for _, c in expected), n
        got = {(r, c + 1): v for r, values in xlsx_reader.read_sheet(path).rows
               for c, v in enumerate(values) if v is not None}
        assert got == expected, n
