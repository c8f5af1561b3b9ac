"""Migration 0010 on PostgreSQL: a whole examination, from proposal to scoring, through the services."""

from __future__ import annotations

import pytest

from desktop.models.enums import ExaminationStage, SanctionKind
from desktop.services.exams import exam_later, exam_scoring, exam_service
from exam_helpers import D, hand_lists, in_treatment, started
import test_postgres

pytestmark = pytest.mark.postgres
# The session's server and a fresh database on it, from the PostgreSQL tests.
pg_server, pg_url, pg_db = test_postgres.pg_server, test_postgres.pg_url, test_postgres.pg_db


def test_a_whole_case_on_postgres(pg_db):
    from desktop.services import setup_service

    setup_service.initialize(pg_db)
    exam_id = started(pg_db)
    exam_service.step(pg_db, exam_id, "begin_initial")
    hand_lists(pg_db, exam_id, D(2024, 10, 14))
    in_treatment(pg_db, exam_id, D(2024, 11, 5))
    units = exam_service.detail(pg_db, exam_id).units
    exam_later.add_sanction(pg_db, exam_id, kind=SanctionKind.CREDIT_RATING, department_id=units[0].department_id,
                            applied_on=D(2024, 12, 1), doc_number="工信〔2024〕1号")
    exam_service.step(pg_db.as_of(D(2024, 12, 20)), exam_id, "close")
    total = exam_scoring.score_unit(pg_db.as_of(D(2024, 12, 21)), units[0].id,
                                    {c.name: 90 for c in exam_scoring.DEFAULT_CRITERIA})
    assert total == 90
    later = exam_later.later_stages(pg_db, exam_id)
    assert later.consultations[0].towns_present == ("甲镇",)
    row = exam_service.list_rows(pg_db, as_of=D(2024, 12, 21))[0]
    assert (row.stage, row.overdue) == (ExaminationStage.CLOSED, 0)
