"""The CLI contract of issue 10 for examinations: `zzb exam list [--json]`, the examination duties in
`zzb deadlines --json`, and what `zzb demo` puts in (a case in every stage, several units each, issues with
rectification deadlines, an overdue duty, a sanction, a 督办, a scored case)."""

from __future__ import annotations

import json

from conftest import run_cli
from desktop.models.enums import ExaminationStage
from desktop.services.demo import demo_service
from desktop.services.exams import exam_deadlines, exam_issues, exam_later, exam_scoring, exam_service

JSON_KEYS = ["id", "enterprise", "town", "stage", "units", "overdue"]


def demo_day(db) -> str:
    return demo_service._as_of(2024, db.today()).isoformat()


def test_exam_list_json_has_exactly_the_contracts_keys_and_types(capsys, cli_demo_db_path, demo_db):
    code, out, err = run_cli(capsys, "--db", cli_demo_db_path, "exam", "list", "--json", "--as-of", demo_day(demo_db))
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) >= 4
    for row in rows:
        assert list(row) == JSON_KEYS
        assert isinstance(row["id"], int) and isinstance(row["overdue"], int)
        assert isinstance(row["units"], list) and all(isinstance(u, str) for u in row["units"])
        assert row["enterprise"] and row["town"]
    assert {r["stage"] for r in rows} == {s.label for s in ExaminationStage}
    assert all(len(r["units"]) >= 3 for r in rows)
    assert [r["overdue"] for r in rows if r["overdue"]] == [2]  # the 初检 case's late unit: its list and report
    assert next(r for r in rows if r["overdue"])["stage"] == "初检"


def test_exam_list_text_prints_one_line_per_case_and_a_total(capsys, cli_demo_db_path, demo_db):
    code, out, _err = run_cli(capsys, "--db", cli_demo_db_path, "exam", "list", "--as-of", demo_day(demo_db))
    assert code == 0
    lines = out.strip().splitlines()
    rows = exam_service.list_rows(demo_db, as_of=demo_service._as_of(2024, demo_db.today()))
    assert lines[:-1] == [f"{r.id}\t{r.enterprise}\t{r.town}\t{r.stage.label}\t{'、'.join(r.units)}\t逾期 {r.overdue} 项"
                          for r in rows]
    assert lines[-1] == f"共 {len(rows)} 个综合体检，1 个有逾期事项"


def test_the_clerk_lists_the_cases_and_the_auditor_is_refused(capsys, cli_demo_db_path):
    code, out, _err = run_cli(capsys, "--db", cli_demo_db_path, "exam", "list", "--json", user="clerk")
    assert code == 0 and len(json.loads(out)) >= 4
    code, out, err = run_cli(capsys, "--db", cli_demo_db_path, "exam", "list", user="auditor")
    assert code == 1 and "审计管理员无权查阅台账" in err and "Traceback" not in err


def test_deadlines_json_carries_the_examination_duties_with_their_kind(capsys, cli_demo_db_path, demo_db):
    code, out, err = run_cli(capsys, "--db", cli_demo_db_path, "deadlines", "--json", "--all",
                             "--as-of", demo_day(demo_db))
    assert code == 0, err
    rows = [r for r in json.loads(out) if r["kind"] in exam_deadlines.KINDS]
    assert {r["kind"] for r in rows} == set(exam_deadlines.KINDS)
    overdue = [r for r in rows if r["status"] == "overdue"]
    assert {r["kind"] for r in overdue} == {exam_deadlines.KIND_LIST, exam_deadlines.KIND_REPORT}
    assert all(r["due_date"] for r in rows)


def test_the_demo_has_issues_with_deadlines_a_sanction_a_supervision_and_a_scored_case(demo_db):
    rows = {r.stage: r for r in exam_service.list_rows(demo_db)}
    issues = [i for r in rows.values() for u in exam_service.detail(demo_db, r.id).units
              for i in exam_issues.issue_list(demo_db, u.id).issues]
    assert len(issues) >= 10 and all(i.deadline for i in issues)
    treated = exam_later.later_stages(demo_db, rows[ExaminationStage.TREATMENT].id)
    assert treated.sanctions[0].doc_number and treated.consultations[0].in_effect
    supervised = exam_later.later_stages(demo_db, rows[ExaminationStage.SUPERVISION].id)
    assert supervised.supervisions[0].resolved_on is None and supervised.accountability
    assert exam_later.later_stages(demo_db, rows[ExaminationStage.CONSULTATION].id).consultations[0].in_effect is False
    scored = exam_scoring.unit_scores(demo_db, rows[ExaminationStage.CLOSED].id)
    assert scored and all(u.total == exam_scoring.weighted_total(u.items) for u in scored)


def test_a_reader_that_stops_early_is_not_an_internal_error(capsys, monkeypatch, cli_demo_db_path, demo_db):
    """`zzb exam list --json | head -c 600`: the pipe closes mid-output; measured on main, it printed
    内部错误：[Errno 32] Broken pipe. The reader chose to stop: exit quietly, nothing on stderr."""
    import sys

    class ClosedPipe:
        def write(self, _text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    code, _out, err = run_cli(capsys, "--db", cli_demo_db_path, "exam", "list", "--json", "--as-of", demo_day(demo_db))
    assert code == 0
    assert "内部错误" not in err and "Broken pipe" not in err
