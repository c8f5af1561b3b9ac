"""`zzb print` on the sample city: the three ledgers as PDF files that pass the checker, written whole, logged."""

from __future__ import annotations

import pdf_check
import pytest

from conftest import run_cli

TASK_TITLE = "2024年度全市“危污乱散低”专项治理任务分解表"


@pytest.mark.parametrize("argv, title, texts", [
    (["task-table", "--year", "2024"], TASK_TITLE, ["合计", "全市年度目标"]),
    (["verification", "--year", "2024", "--month", "6"], "2024年6月“危污乱散低”整治核实情况表", ["核实部门", "合计"]),
    (["quota-ledger", "--as-of", "2026-03-01"], "周转指标库台账", ["一、预借明细", "截至2026年3月1日"]),
])
def test_print_writes_a_pdf_the_checker_passes(cli_demo_db_path, tmp_path, capsys, argv, title, texts):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "out.pdf"
    code, stdout, stderr = run_cli(capsys, "--db", cli_demo_db_path, "print", *argv, "-o", out, user="clerk")
    assert (code, stderr) == (0, "")
    pages = pdf_check.check(out, title=title, texts=texts)
    assert f"已生成 {out}（{pages} 页）" in stdout
    assert list(folder.iterdir()) == [out]  # no .part left behind


def test_each_print_is_in_the_audit_log_under_the_clerk(cli_demo_db_path, tmp_path, capsys):
    from sqlalchemy import select

    from desktop.models import AuditLog
    from desktop.services.ledger import open_ledger

    assert run_cli(capsys, "--db", cli_demo_db_path, "print", "task-table", "--year", "2024", "-o",
                   tmp_path / "t.pdf", user="clerk")[0] == 0
    ledger = open_ledger(cli_demo_db_path)
    try:
        with ledger.reader() as s:
            row = s.execute(select(AuditLog.user, AuditLog.action, AuditLog.object_label)
                            .where(AuditLog.action == "print")).one()
    finally:
        ledger.dispose()
    assert tuple(row) == ("clerk", "print", TASK_TITLE)


def test_a_file_that_is_not_pdf_and_an_auditor_are_refused_with_nothing_written(cli_demo_db_path, tmp_path, capsys):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    code, _out, err = run_cli(capsys, "--db", cli_demo_db_path, "print", "task-table", "--year", "2024", "-o",
                              tmp_path / "t.xlsx", user="clerk")
    assert code == 1 and "输出文件须为 .pdf" in err
    code, _out, err = run_cli(capsys, "--db", cli_demo_db_path, "print", "quota-ledger", "-o", tmp_path / "q.pdf",
                              user="auditor")
    assert code == 1 and "无权查阅台账" in err
    assert list(tmp_path.iterdir()) == []


def test_a_month_out_of_range_is_a_usage_error(cli_demo_db_path, tmp_path, capsys):
    code, _out, err = run_cli(capsys, "--db", cli_demo_db_path, "print", "verification", "--year", "2024",
                              "--month", "13", "-o", tmp_path / "v.pdf", user="clerk")
    assert code == 2 and "月份" in err


def test_print_fonts_names_the_file_of_each_role(capsys):
    from desktop.cli import main

    assert main(["print", "fonts"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split("：")[0] for line in out] == ["小标宋", "仿宋", "黑体", "楷体"]
