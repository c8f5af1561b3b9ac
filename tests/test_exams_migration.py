"""Migration 0010 (the examination's details) on SQLite: a database holding examination rows at 0009 upgrades
with the new columns defaulted (PostgreSQL: test_exams_postgres.py)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import create_engine

from desktop.models.enums import ExaminationStage, SanctionKind
from desktop.services.db import current_revision, head_revision, open_database, run_migrations
from desktop.services.exams import exam_later, exam_scoring, exam_service
from desktop.services.ledger import Ledger

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_0009_database_with_examinations_upgrades_and_keeps_them(tmp_path):
    path = tmp_path / "old.sqlite3"
    shutil.copyfile(FIXTURES / "ledger-0001.sqlite3", path)
    engine = create_engine(f"sqlite:///{path}")
    run_migrations(engine, "0009")
    engine.dispose()
    con = sqlite3.connect(path)
    try:
        town, target = con.execute("SELECT town_id, id FROM target ORDER BY id LIMIT 1").fetchone()
        dept = con.execute("SELECT id FROM department ORDER BY id LIMIT 1").fetchone()
        if dept is None:
            con.execute("INSERT INTO department (name, short_name, sort_order, contact, phone, active) "
                        "VALUES ('工信局', '', 1, '', '', 1)")
            dept = con.execute("SELECT id FROM department").fetchone()
        con.execute("INSERT INTO examination (target_id, town_id, proposal_reason, start_date, stage, plan_procedure, "
                    "plan_methods, plan_content) VALUES (?, ?, '老案例', '2024-03-01', 'INITIAL', '', '', '')",
                    (target, town))
        exam = con.execute("SELECT max(id) FROM examination").fetchone()[0]
        con.execute("INSERT INTO examination_unit (examination_id, department_id, preliminary_opinion, final_result) "
                    "VALUES (?, ?, '', '')", (exam, dept[0]))
        con.execute("INSERT INTO consultation (examination_id, participants, opinion, approved_by) "
                    "VALUES (?, '工信局', '整改', '')", (exam,))
        con.execute("INSERT INTO sanction (examination_id, target_id, kind, note) VALUES (?, ?, 'MARKET_BAN', '')",
                    (exam, target))
        con.commit()
    finally:
        con.close()

    db = Ledger(open_database(path, backup_dir=tmp_path / "bk"))
    try:
        assert current_revision(db.engine) == head_revision()
        detail = exam_service.detail(db, exam)
        assert (detail.stage, detail.parties, len(detail.units)) == (ExaminationStage.INITIAL, (), 1)
        later = exam_later.later_stages(db, exam)
        assert (later.consultations[0].units_present, later.consultations[0].towns_present) == ((), ())
        assert (later.sanctions[0].kind, later.sanctions[0].doc_number, later.sanctions[0].issuer) == (
            SanctionKind.MARKET_BAN, "", "")
        assert exam_scoring.criteria(db, 2024) == list(exam_scoring.DEFAULT_CRITERIA)
    finally:
        db.dispose()
