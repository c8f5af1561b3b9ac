"""zzb scoring and zzb print score-sheet, the CLI contract exactly: new prints the id alone; the template has
one row per subject (its name in column A) and one column per entered criterion (its name in the header);
import is all or nothing with file, sheet, row and column named; result --json rows with subject, scores,
weights, total, rank, tied (a tie 1, 1, 3); confirm refused (exit 1) for the account that entered the
scores and accepted for another; the score sheets pass the PDF checker."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pdf_check
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from conftest import CLI_PASSWORD, run_cli

SHOTS = Path("/work/shots10/scoring")


def add_account(path: Path, name: str, role: str) -> None:
    """A further account in the CLI's database (the second clerk, a leader)."""
    from argon2 import PasswordHasher

    from desktop.models import User
    from desktop.models.enums import Role
    from desktop.services.ledger import open_ledger

    ledger = open_ledger(path)
    try:
        with ledger.session() as s:
            cheap = PasswordHasher(time_cost=1, memory_cost=256, parallelism=1)
            s.add(User(username=name, role=Role[role], password_hash=cheap.hash(CLI_PASSWORD)))
    finally:
        ledger.dispose()


@pytest.fixture
def city(cli_demo_db_path, capsys):
    """The sample city with a second clerk, and a towns session whose criteria are two entered ones."""
    db = cli_demo_db_path
    add_account(db, "clerk2", "CLERK")
    code, out, err = run_cli(capsys, "--db", db, "scoring", "new", "--year", "2024", "--kind", "towns", "--name",
                             "2024年度镇街考核", user="clerk")
    assert (code, err) == (0, "") and out.strip().isdigit() and out == out.strip() + "\n"
    sid = out.strip()
    code, out, err = run_cli(capsys, "--db", db, "scoring", "criteria", "--session", sid, "--set", "工作成效=60/100",
                             "--set", "协同配合=40/10", "--json", user="clerk")
    assert code == 0, err
    assert json.loads(out) == [{"name": "工作成效", "weight": 60.0, "max_points": 100.0, "source": ""},
                               {"name": "协同配合", "weight": 40.0, "max_points": 10.0, "source": ""}]
    return db, sid


def template(capsys, db, sid, path: Path):
    code, out, err = run_cli(capsys, "--db", db, "scoring", "template", "--session", sid, "-o", path, user="clerk")
    assert code == 0, err
    return load_workbook(path)


def result(capsys, db, sid) -> dict:
    code, out, err = run_cli(capsys, "--db", db, "scoring", "result", "--session", sid, "--json", user="clerk")
    assert code == 0, err
    return json.loads(out)


def test_template_round_trip_ranks_a_tie_and_only_another_account_confirms(city, tmp_path, capsys):
    db, sid = city
    wb = template(capsys, db, sid, tmp_path / "t.xlsx")
    ws = wb.active
    assert [c.value for c in ws[1]] == ["评分对象", "工作成效", "协同配合"]
    towns = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
    assert len(towns) >= 4 and len(set(towns)) == len(towns)
    a, b, c, *rest = towns
    values = {a: (80, 5), b: (80, 5), c: (100, 0)}
    for r in range(2, ws.max_row + 1):
        ws.cell(r, 2).value, ws.cell(r, 3).value = values.get(ws.cell(r, 1).value, (10, 1))
    wb.save(tmp_path / "t.xlsx")
    code, out, err = run_cli(capsys, "--db", db, "scoring", "import", "--session", sid, tmp_path / "t.xlsx",
                             user="clerk")
    assert code == 0, err

    rows = result(capsys, db, sid)["rows"]
    assert list(rows[0]) == ["subject", "scores", "weights", "total", "rank", "tied"]
    got = {r["subject"]: (r["total"], r["rank"], r["tied"]) for r in rows}
    assert got[a] == got[b] == (68.0, 1, True)  # 80/100×60 + 5/10×40
    assert got[c] == (60.0, 3, False)
    assert {got[t] for t in rest} == {(10.0, 4, len(rest) > 1)}
    assert rows[0]["scores"] == {"工作成效": 80.0, "协同配合": 5.0}
    assert rows[0]["weights"] == {"工作成效": 60.0, "协同配合": 40.0}

    code, out, err = run_cli(capsys, "--db", db, "scoring", "confirm", "--session", sid, user="clerk")
    assert code == 1 and "不能由本人确认" in err and out == ""
    code, out, err = run_cli(capsys, "--db", db, "scoring", "confirm", "--session", sid, user="clerk2")
    assert code == 0, err
    code, out, err = run_cli(capsys, "--db", db, "scoring", "import", "--session", sid, tmp_path / "t.xlsx",
                             user="clerk")
    assert code == 1 and "已确认并锁定" in err
    code, out, err = run_cli(capsys, "--db", db, "scoring", "unlock", "--session", sid, "--reason", "复核",
                             user="clerk2")
    assert code == 0, err


@pytest.mark.parametrize("spoil, message", [
    (lambda ws: setattr(ws.cell(3, 3), "value", 11), "第3行C列：“{b}”的“协同配合”得分应在 0 至 10.00 之间，现为 11"),
    (lambda ws: setattr(ws.cell(2, 2), "value", "优"), "第2行B列：“{a}”的“工作成效”得分应为数字，现为“优”"),
    (lambda ws: ws.delete_rows(3), "A列：缺少评分对象“{b}”的行"),
    (lambda ws: setattr(ws.cell(1, 4), "value", "加分项"), "第1行D列：表头“加分项”不是本场评分的录入项目"),
    (lambda ws: setattr(ws.cell(2, 1), "value", "不存在镇"), "第2行A列：“不存在镇”不是本场评分的评分对象"),
])
def test_bad_template_input_is_refused_with_file_sheet_row_and_column_and_nothing_is_written(
        city, tmp_path, capsys, spoil, message):
    db, sid = city
    wb = template(capsys, db, sid, tmp_path / "bad.xlsx")
    ws = wb.active
    a, b = ws.cell(2, 1).value, ws.cell(3, 1).value
    for r in range(2, ws.max_row + 1):
        ws.cell(r, 2).value, ws.cell(r, 3).value = 50, 5
    spoil(ws)
    wb.save(tmp_path / "bad.xlsx")
    code, out, err = run_cli(capsys, "--db", db, "scoring", "import", "--session", sid, tmp_path / "bad.xlsx",
                             user="clerk")
    assert code == 1 and out == ""
    assert "文件“bad.xlsx”工作表“评分”" + message.format(a=a, b=b) in err
    assert "未导入任何得分" in err
    assert all(v is None for r in result(capsys, db, sid)["rows"] for v in r["scores"].values())


def test_a_kind_that_is_not_towns_units_or_soes_is_a_usage_error(cli_demo_db_path, capsys):
    code, out, err = run_cli(capsys, "--db", cli_demo_db_path, "scoring", "new", "--year", "2024", "--kind", "镇",
                             "--name", "x", user="clerk")
    assert code == 2 and "无效的选项" in err


def _shots(pdf: Path, name: str) -> None:
    """Render every page (odd and even) to /work/shots10/scoring/ to be looked at."""
    if shutil.which("pdftoppm") is None:
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(SHOTS / name)], check=True)


@pytest.mark.parametrize("kind", ["towns", "units", "soes"])
def test_score_sheets_of_each_kind_pass_the_pdf_checker(cli_demo_db_path, tmp_path, capsys, kind):
    db = cli_demo_db_path
    code, out, err = run_cli(capsys, "--db", db, "scoring", "new", "--year", "2024", "--kind", kind, "--name",
                             f"2024年度考核（{kind}）", user="clerk")
    sid = out.strip()
    wb = template(capsys, db, sid, tmp_path / "t.xlsx")
    ws = wb.active
    for r in range(2, ws.max_row + 1):
        for col in range(2, ws.max_column + 1):
            ws.cell(r, col).value = 8 if r % 3 else 10
    wb.save(tmp_path / "t.xlsx")
    assert run_cli(capsys, "--db", db, "scoring", "import", "--session", sid, tmp_path / "t.xlsx",
                   user="clerk")[0] == 0
    add_account(db, "lead", "LEADER")
    assert run_cli(capsys, "--db", db, "scoring", "confirm", "--session", sid, user="lead")[0] == 0
    rows = result(capsys, db, sid)["rows"]
    pdf = tmp_path / "s.pdf"
    code, out, err = run_cli(capsys, "--db", db, "print", "score-sheet", "--session", sid, "-o", pdf, user="clerk")
    assert code == 0, err
    from desktop.services.scoring import score_sheet
    from desktop.services.scoring.scoring_criteria import KIND_LABELS, kind_of

    title = f"2024年度{KIND_LABELS[kind_of(kind)]}考核评分汇总表"
    pages = pdf_check.check(pdf, title=title, texts=[
        rows[0]["subject"], rows[-1]["subject"], "评分人（签字）：", "（录入账户：clerk）", "确认人（签字）：",
        "（确认账户：lead）",
        f"2024年度考核评分表（{rows[-1]['subject']}）", "折算得分"],
        closing=["评分人（签字）：（录入账户：clerk）", "确认人（签字）：（确认账户：lead）", score_sheet.ISSUER])
    assert pages == len(rows) + 1 or pages > len(rows)
    _shots(pdf, kind)
    from desktop.models import AuditLog
    from desktop.services.ledger import open_ledger

    ledger = open_ledger(db)
    try:
        with ledger.reader() as s:
            printed = list(s.scalars(select(AuditLog.user).where(AuditLog.action == "print",
                                                                  AuditLog.object_label.like("考核评分表%"))))
    finally:
        ledger.dispose()
    assert printed == ["clerk"]
