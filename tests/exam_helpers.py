"""Building examinations for the tests: a town, an enterprise in its register, a case in the stage wanted."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from desktop.models import Department, Enterprise
from desktop.models.enums import Category, ExamArea
from desktop.services.exams import exam_issues, exam_later, exam_service
from desktop.services.exams.exam_issues import IssueInput
from desktop.services.towns import town_service

D = dt.date


def make_enterprise(db, town: str = "甲镇", name: str = "东港铸造有限公司") -> tuple[int, int]:
    """(town id, target id) of an enterprise registered in `town` (created when missing)."""
    towns = {t.name: t.id for t in town_service.list_towns(db)}
    town_id = towns.get(town) or town_service.create_town(db, town).id
    with db.session() as s:
        e = Enterprise(name=name, town_id=town_id, category=Category.POINT, address=f"{town}工业路8号")
        s.add(e)
        s.flush()
        return town_id, e.id


def dept_ids(db, *names: str) -> list[int]:
    with db.reader() as s:
        by_name = dict(s.execute(select(Department.name, Department.id)).tuples().all())
    return [by_name[n] for n in names]


def started(db, *, start: dt.date = D(2024, 9, 27), units=("工信局", "应急管理局", "生态环境局"),
            name: str = "东港铸造有限公司", town: str = "甲镇") -> int:
    """A case proposed, started, planned, with its units chosen — still in 启动."""
    town_id, target_id = make_enterprise(db, town, name)
    exam_id = exam_service.propose(db, town_id=town_id, target_id=target_id, proposed_on=start - dt.timedelta(days=3),
                                   reason="多次整改不到位，情况复杂")
    exam_service.start(db, exam_id, start)
    exam_service.set_plan(db, exam_id, procedure="启动—初检—会诊—诊治", methods="现场检查、资料核查", content="十二个方面")
    exam_service.set_units(db, exam_id, dept_ids(db, *units))
    return exam_id


def hand_lists(db, exam_id: int, on: dt.date, *, deadline: dt.date | None = None) -> None:
    """Every unit hands the enterprise a one-issue list on `on`."""
    for u in exam_service.detail(db, exam_id).units:
        exam_issues.save_issue_list(db, u.id, issued_on=on, contact_name="张三", contact_phone="0591-1234567",
                                    issues=[IssueInput(ExamArea.WORK_SAFETY, "消防通道堵塞", "《消防法》第二十八条",
                                                       "立即清理", deadline or on + dt.timedelta(days=30))])


def in_treatment(db, exam_id: int, on: dt.date) -> None:
    """From 初检 through an approved 会诊 into 诊治."""
    exam_service.step(db, exam_id, "consult")
    detail = exam_service.detail(db, exam_id)
    cid = exam_later.record_consultation(db, exam_id, held_on=on, units_present=[u.department_id for u in detail.units],
                                         towns_present=[detail.town_id], opinion="限期整改，逾期联合惩戒")
    exam_later.record_approval(db, cid, approved_by="李副市长", approved_on=on + dt.timedelta(days=2))
    exam_service.step(db, exam_id, "treat")
