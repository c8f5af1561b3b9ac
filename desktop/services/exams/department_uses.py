"""What still refers to a member unit: every row whose foreign key points at it, and the name lists that
name it (a year's 验收核实部门, the units present at a 会诊, a department scoring session's subjects).
`department_service.delete_department` refuses a unit in use with these words and suggests 停用 instead."""

from __future__ import annotations

from sqlalchemy import Table, func, select

from desktop.models import Base, Consultation, Criterion, Department, Score, ScoringSession, Year, YearParams
from desktop.models.enums import ScoringSubject

# Each table whose foreign key points at department.id, as the clerk would say it (n = rows of this unit).
# tests/test_department_delete.py checks that every such table of the models is named here.
REFERRING = {
    "examination_unit": "已参与 {n} 次综合体检",
    "verification": "有 {n} 条验收核实记录",
    "sanction": "有 {n} 项联合惩戒措施",
    "supervision": "被挂牌督办 {n} 次",
    "exam_accountability": "有 {n} 条问责记录",
}


def referring_columns() -> list[tuple[Table, str]]:
    """(table, column name) of every foreign key to department.id in the models."""
    return [(table, fk.parent.name) for table in Base.metadata.sorted_tables for fk in table.foreign_keys
            if fk.column.table.name == Department.__tablename__ and fk.column.name == "id"]


def uses(session, department: Department) -> list[str]:
    """What uses the unit, one phrase each (empty: nothing, it may be deleted)."""
    found = []
    for table, column in referring_columns():
        n = session.scalar(select(func.count()).select_from(table).where(table.c[column] == department.id)) or 0
        if n:
            found.append(REFERRING.get(table.name, "有 {n} 条" + table.name + " 记录").format(n=n))
    name = department.name
    met = sum(name in (units or []) for units in session.scalars(select(Consultation.units_present)))
    if met:
        found.append(f"出席了 {met} 次会诊")
    scores = session.scalar(select(func.count(Score.id)).join(Criterion, Score.criterion_id == Criterion.id)
                            .join(ScoringSession, Criterion.session_id == ScoringSession.id)
                            .where(ScoringSession.subject == ScoringSubject.DEPARTMENT,
                                   Score.subject_id == department.id)) or 0
    if scores:
        found.append(f"有 {scores} 项考核评分")
    years = [str(y) for y, names in session.execute(
        select(Year.year, YearParams.verifying_departments).join(Year, YearParams.year_id == Year.id)
        .order_by(Year.year)) if name in (names or [])]
    if years:
        found.append(f"是{'、'.join(years)}年度参数中的验收核实部门")
    return found
