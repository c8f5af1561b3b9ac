"""Deleting a member unit: refused, with what uses it and 可改为停用, whenever anything refers to it — a row
whose foreign key points at it, or a name list naming it — never left to fail on the database constraint."""

from __future__ import annotations

import pytest
from exam_helpers import D, dept_ids, make_enterprise, started
from sqlalchemy import func, select

from desktop.models import (Accountability, Consultation, Criterion, Department, Sanction, Score, ScoringSession,
                            Supervision, Verification, Year)
from desktop.models.enums import SanctionKind, ScoringSubject
from desktop.services.errors import Refused
from desktop.services.exams import department_service, department_uses
from desktop.services.year import year_service

NEW = "市纪委监委"


def _exists(db, dept_id: int) -> bool:
    with db.reader() as s:
        return s.get(Department, dept_id) is not None


def _use(db, kind: str, dept_id: int) -> None:
    """Make one thing of `kind` refer to the unit `dept_id` (named NEW)."""
    if kind == "examination":
        started(db, units=(NEW,))
        return
    exam_id = started(db, units=("工信局",))
    _town, target_id = make_enterprise(db, name="西岭化工有限公司")
    with db.session() as s:
        if kind == "sanction":
            s.add(Sanction(target_id=target_id, department_id=dept_id, kind=SanctionKind.CREDIT_RATING))
        elif kind == "supervision":
            s.add(Supervision(examination_id=exam_id, department_id=dept_id, listed_on=D(2024, 11, 1), reason="推进不力"))
        elif kind == "accountability":
            s.add(Accountability(examination_id=exam_id, department_id=dept_id, description="瞒报"))
        elif kind == "consultation":
            s.add(Consultation(examination_id=exam_id, held_on=D(2024, 11, 1), units_present=["工信局", NEW]))
        elif kind == "score":
            year_id = s.scalar(select(Year.id).limit(1))
            session = ScoringSession(year_id=year_id, subject=ScoringSubject.DEPARTMENT, title="年终考核")
            s.add(session)
            s.flush()
            c = Criterion(session_id=session.id, name="工作推进", weight=1, max_points=100)
            s.add(c)
            s.flush()
            s.add(Score(criterion_id=c.id, subject_id=dept_id, points=90))


@pytest.mark.parametrize("kind, words", [
    ("examination", "已参与 1 次综合体检"),
    ("sanction", "有 1 项联合惩戒措施"),
    ("supervision", "被挂牌督办 1 次"),
    ("accountability", "有 1 条问责记录"),
    ("consultation", "出席了 1 次会诊"),
    ("score", "有 1 项考核评分"),
])
def test_a_unit_in_use_is_refused_naming_what_uses_it(db, kind, words):
    dept_id = department_service.add_department(db, NEW)
    _use(db, kind, dept_id)
    with pytest.raises(Refused) as e:
        department_service.delete_department(db, dept_id)
    assert str(e.value) == f"成员单位“{NEW}”{words}，不能删除，可改为停用"
    assert _exists(db, dept_id)


def test_a_verifying_department_of_a_year_is_refused_even_before_it_verified_anything(db):
    year = year_service.current_year(db)
    params = year_service.get_params(db, year)
    assert "资规局" in params.verifying_departments
    with pytest.raises(Refused, match=f"成员单位“资规局”是{year}年度参数中的验收核实部门，不能删除，可改为停用"):
        department_service.delete_department(db, dept_ids(db, "资规局")[0])
    assert _exists(db, dept_ids(db, "资规局")[0])


def test_the_sample_citys_verifier_is_refused_with_its_verifications_counted(demo_db):
    with demo_db.reader() as s:
        dept_id, n = s.execute(select(Verification.department_id, func.count()).group_by(Verification.department_id)
                               .limit(1)).one()
    with pytest.raises(Refused, match=f"有 {n} 条验收核实记录.*，不能删除，可改为停用"):
        department_service.delete_department(demo_db, dept_id)


def test_a_unit_nothing_refers_to_is_deleted(db):
    dept_id = department_service.add_department(db, NEW)
    department_service.delete_department(db, dept_id)
    assert not _exists(db, dept_id)


def test_every_foreign_key_to_a_unit_is_named_in_words():
    tables = {table.name for table, _column in department_uses.referring_columns()}
    assert tables == set(department_uses.REFERRING), "name the new table in department_uses.REFERRING"
