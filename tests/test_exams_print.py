"""`zzb print issue-list --exam ID (--unit NAME | --all) -o FILE.pdf` on the sample city's examinations: one unit's
体检问题清单 and the consolidated list pass the PDF checker; an unknown case, a unit not in the case and an
unknown unit exit 1 with a Chinese message and write nothing."""

from __future__ import annotations

import pdf_check
import pytest

from conftest import run_cli
from desktop.models.enums import ExaminationStage
from desktop.services.exams import exam_issues, exam_service


@pytest.fixture
def case(demo_db):
    """The sample's 会诊 case: every unit has handed its list."""
    row = next(r for r in exam_service.list_rows(demo_db) if r.stage is ExaminationStage.CONSULTATION)
    return exam_service.detail(demo_db, row.id)


def test_one_units_issue_list_prints_and_passes_the_checker(cli_demo_db_path, case, demo_db, tmp_path, capsys):
    unit = case.units[0]
    issues = exam_issues.issue_list(demo_db, unit.id).issues
    out = tmp_path / "list.pdf"
    code, stdout, err = run_cli(capsys, "--db", cli_demo_db_path, "print", "issue-list", "--exam", case.id,
                                "--unit", unit.department, "-o", out, user="clerk")
    assert (code, err) == (0, "")
    pages = pdf_check.check(out, title="体检问题清单",
                            texts=[case.enterprise, unit.department, *(i.description for i in issues)])
    assert f"（{pages} 页）" in stdout


def test_all_units_print_as_one_consolidated_list(cli_demo_db_path, case, tmp_path, capsys):
    out = tmp_path / "all.pdf"
    code, _stdout, err = run_cli(capsys, "--db", cli_demo_db_path, "print", "issue-list", "--exam", case.id,
                                 "--all", "-o", out, user="clerk")
    assert (code, err) == (0, "")
    pdf_check.check(out, texts=[case.enterprise, *(u.department for u in case.units)])


@pytest.mark.parametrize("exam, unit, message", [
    ("9999", "工信局", "综合体检（编号 9999）不存在"),
    (None, "人行", "“人行”未参与"),
    (None, "不存在的局", "没有名为“不存在的局”的成员单位"),
])
def test_an_unknown_case_or_unit_exits_1_with_nothing_written(cli_demo_db_path, case, tmp_path, capsys, exam, unit,
                                                            message):
    folder = tmp_path / "out"
    folder.mkdir()
    code, _stdout, err = run_cli(capsys, "--db", cli_demo_db_path, "print", "issue-list", "--exam", exam or case.id,
                                 "--unit", unit, "-o", folder / "x.pdf", user="clerk")
    assert code == 1 and message in err and "Traceback" not in err
    assert list(folder.iterdir()) == []


def test_an_unknown_case_for_all_units_exits_1(cli_demo_db_path, tmp_path, capsys):
    code, _stdout, err = run_cli(capsys, "--db", cli_demo_db_path, "print", "issue-list", "--exam", "9999", "--all",
                                 "-o", tmp_path / "x.pdf", user="clerk")
    assert code == 1 and "综合体检（编号 9999）不存在" in err
