"""`zzb bulletin` on the sample city: the JSON contract exactly, the .xlsx read back, the PDF checked, refusals."""

from __future__ import annotations

import json

import pdf_check
from openpyxl import load_workbook

from conftest import run_cli
from desktop.cli_bulletin import JSON_KEYS


def test_json_rows_carry_exactly_the_contracts_keys_ranked_by_completion(cli_demo_db_path, capsys):
    code, out, err = run_cli(capsys, "--db", cli_demo_db_path, "bulletin", "--year", "2024", "--month", "10", "--json",
                             user="clerk")
    assert (code, err) == (0, "")
    rows = json.loads(out)["rows"]
    assert len(rows) >= 10 and all(tuple(r) == JSON_KEYS for r in rows)
    pcts = [r["completion_pct"] for r in rows]
    assert pcts == sorted(pcts, reverse=True)
    for r in rows:
        shared = sum(1 for o in rows if o["completion_pct"] == r["completion_pct"]) > 1
        assert r["tied"] is shared
        assert r["rank"] == 1 + sum(1 for o in rows if o["completion_pct"] > r["completion_pct"])
        assert r["completion_pct"] == round(r["verified_mu"] * 100 / r["target_mu"], 2)
    assert any(r["late_reports"] for r in rows) and any(r["tied"] for r in rows)


def test_the_xlsx_and_the_pdf_are_written_and_read_back(cli_demo_db_path, tmp_path, capsys):
    code, out, _err = run_cli(capsys, "--db", cli_demo_db_path, "bulletin", "--year", "2024", "--month", "10",
                              "-o", tmp_path / "b.xlsx", user="clerk")
    assert code == 0 and "已写出" in out
    ws = load_workbook(tmp_path / "b.xlsx")["通报"]
    towns = [ws.cell(r, 2).value for r in range(5, ws.max_row + 1)]
    assert towns and towns[0] in out
    code, _out, _err = run_cli(capsys, "--db", cli_demo_db_path, "bulletin", "--year", "2024", "--month", "10",
                               "-o", tmp_path / "b.pdf", user="clerk")
    assert code == 0
    pdf_check.check(tmp_path / "b.pdf", title="关于2024年10月“危污乱散低”专项治理工作进展情况的通报",
                    texts=["一、各镇街完成情况排名", towns[0]])


def test_unknown_year_month_13_and_a_wrong_file_type_are_refused(cli_demo_db_path, tmp_path, capsys):
    code, out, err = run_cli(capsys, "--db", cli_demo_db_path, "bulletin", "--year", "2031", "--month", "1",
                             user="clerk")
    assert (code, out) == (1, "") and "没有 2031 年度" in err
    code, _out, err = run_cli(capsys, "--db", cli_demo_db_path, "bulletin", "--year", "2024", "--month", "13",
                              user="clerk")
    assert code == 2 and "月份应为1–12" in err
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, _out, err = run_cli(capsys, "--db", cli_demo_db_path, "bulletin", "--year", "2024", "--month", "10",
                              "-o", out_dir / "b.docx", user="clerk")
    assert code == 1 and "输出文件须为 .xlsx 或 .pdf" in err
    assert list(out_dir.iterdir()) == []
