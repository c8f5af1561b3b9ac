"""示例数据 for 综合体检 (附件2), added inside the demo's session: one case in every stage, counted back from the
demo's day so each stands where its stage puts it.

- 启动: proposed and started a few days ago, plan written, units chosen — its 10 workdays still running.
- 初检: started about eight weeks ago; two units handed their lists (issues with rectification deadlines) and
  reported, the third has not — its issue list and written report are overdue.
- 会诊: a meeting held, its opinion awaiting the city leader's approval.
- 诊治: the approved opinion; a joint sanction (调整信用等级, with 文号) on the enterprise.
- 督办: a unit under 挂牌督办 and a concealment held accountable.
- 结束: accepted after rectification, closed, every unit scored by the town on the default criteria.
Dates after the real today are never written (the demo's day is never after it).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import select

from desktop.models import (
    Accountability,
    Consultation,
    Department,
    Enterprise,
    Examination,
    ExaminationFinding,
    ExaminationParty,
    ExaminationUnit,
    ExamUnitScore,
    Issue,
    IssueList,
    Sanction,
    Supervision,
    Town,
    Treatment,
)
from desktop.models.enums import ExamArea, ExaminationStage, SanctionKind
from desktop.services.demo.demo_names import GIVEN, SURNAMES
from desktop.services.exams import exam_scoring

S = ExaminationStage
# stage, days from the start to the demo's day, units taking part
CASES = (
    (S.STARTED, 3, ("应急管理局", "生态环境局", "市场监管局")),
    (S.INITIAL, 55, ("工信局", "应急管理局", "税务局")),
    (S.CONSULTATION, 80, ("资规局", "住建局", "生态环境局", "消防救援大队")),
    (S.TREATMENT, 120, ("市场监管局", "人社局", "税务局")),
    (S.SUPERVISION, 150, ("生态环境局", "应急管理局", "城管局")),
    (S.CLOSED, 200, ("工信局", "资规局", "税务局", "供电公司")),
)
# the member units' usual areas, and what they typically find there
FINDINGS: dict[ExamArea, tuple[str, str, str]] = {
    ExamArea.LICENCES: ("营业执照经营范围与实际生产不符", "《市场主体登记管理条例》第二十四条", "限期办理变更登记"),
    ExamArea.APPROVALS: ("扩建项目未办理备案手续", "《企业投资项目核准和备案管理条例》第十三条", "补办项目备案"),
    ExamArea.PLANNING: ("厂区内搭建临时建筑未取得规划许可", "《城乡规划法》第四十四条", "限期拆除临时建筑"),
    ExamArea.CONSTRUCTION: ("二期厂房未办理施工许可擅自施工", "《建筑法》第七条", "停止施工并补办手续"),
    ExamArea.OPERATION: ("超出许可范围从事危险化学品储存", "《危险化学品安全管理条例》第二十二条", "立即停止超范围经营"),
    ExamArea.WORK_SAFETY: ("消防通道被原料堆放占用，应急照明损坏", "《消防法》第二十八条", "清理通道，修复应急照明"),
    ExamArea.OCCUPATIONAL_HEALTH: ("喷涂岗位未配备防毒面具，未开展职业健康检查", "《职业病防治法》第二十二条",
                                   "配齐防护用品并组织职业健康检查"),
    ExamArea.SOCIAL_SECURITY: ("部分职工未参加社会保险", "《社会保险法》第五十八条", "为全部职工办理参保"),
    ExamArea.ENVIRONMENT: ("废气收集设施未正常运行，危废贮存不规范", "《大气污染防治法》第四十五条",
                           "修复收集设施，规范危废贮存"),
    ExamArea.LITIGATION: ("涉及三起未结欠款诉讼", "相关民事判决书", "按期履行生效判决"),
    ExamArea.TAXATION: ("城镇土地使用税欠缴", "《城镇土地使用税暂行条例》第八条", "限期补缴税款及滞纳金"),
    ExamArea.CREDIT: ("被列入经营异常名录", "《企业信息公示暂行条例》第十七条", "补报年报并申请移出"),
}
UNIT_AREAS = {
    "工信局": (ExamArea.APPROVALS, ExamArea.OPERATION), "应急管理局": (ExamArea.WORK_SAFETY,),
    "税务局": (ExamArea.TAXATION,), "资规局": (ExamArea.PLANNING,), "住建局": (ExamArea.CONSTRUCTION,),
    "生态环境局": (ExamArea.ENVIRONMENT,), "消防救援大队": (ExamArea.WORK_SAFETY,),
    "市场监管局": (ExamArea.LICENCES, ExamArea.CREDIT), "人社局": (ExamArea.SOCIAL_SECURITY,),
    "城管局": (ExamArea.PLANNING,), "供电公司": (ExamArea.OPERATION,), "卫健局": (ExamArea.OCCUPATIONAL_HEALTH,),
}
REASONS = ("企业拒不配合腾退，历史遗留问题复杂，多部门监管交叉",
           "企业长期低效运行、欠税欠薪，土地闲置，需多部门联合体检",
           "群众反映强烈，安全和环保隐患突出，单一部门难以推动整改")


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _phone(rng: random.Random) -> str:
    return f"0523-{rng.randint(8000000, 8999999)}"


def _enterprises(s, rng: random.Random, n: int) -> list[tuple[int, int, str]]:
    rows = list(s.execute(select(Enterprise.id, Enterprise.town_id, Enterprise.name)
                          .join(Town, Town.id == Enterprise.town_id).order_by(Enterprise.id).limit(400)).tuples())
    return rng.sample(rows, min(n, len(rows)))


def populate_demo(s, rng: random.Random, params, year_id: int, as_of: dt.date) -> dict[str, int]:
    depts = dict(s.execute(select(Department.name, Department.id)).tuples().all())
    towns = dict(s.execute(select(Town.id, Town.name)).tuples().all())
    counts = {"examinations": 0, "exam_issues": 0, "exam_sanctions": 0, "exam_supervisions": 0}
    for (stage, days, names), (target_id, town_id, name) in zip(CASES, _enterprises(s, rng, len(CASES))):
        start = as_of - dt.timedelta(days=days)
        exam = Examination(target_id=target_id, town_id=town_id, proposed_on=start - dt.timedelta(days=7),
                           proposal_reason=rng.choice(REASONS), start_date=start, stage=stage,
                           plan_procedure="启动—初检—会诊—诊治—督办，按附件2流程推进",
                           plan_methods="现场检查、资料核查、约谈企业负责人", plan_content="证照资料至信用等12个方面全面体检")
        exam.parties.append(ExaminationParty(seq=1, name=f"{name[:2]}实业投资有限公司", relation="土地使用权人"))
        exam.parties.append(ExaminationParty(seq=2, name=_person(rng), relation="实际控制人"))
        s.add(exam)
        s.flush()
        units = []
        for dept in names:
            unit = ExaminationUnit(examination_id=exam.id, department_id=depts[dept])
            s.add(unit)
            units.append((dept, unit))
        s.flush()
        if stage is not S.STARTED:
            counts["exam_issues"] += _initial(s, rng, stage, start, as_of, units)
        if stage in (S.CONSULTATION, S.TREATMENT, S.SUPERVISION, S.CLOSED):
            _consultation(s, rng, exam, stage, start, as_of, names, towns[town_id])
        if stage in (S.TREATMENT, S.SUPERVISION, S.CLOSED):
            counts["exam_sanctions"] += _treatment(s, rng, exam, stage, start, units)
        if stage is S.SUPERVISION:
            counts["exam_supervisions"] += _supervision(s, rng, exam, start, units)
        if stage is S.CLOSED:
            exam.closed_on = as_of - dt.timedelta(days=20)
            _scores(s, rng, exam.closed_on, units)
        counts["examinations"] += 1
    return counts


def _initial(s, rng: random.Random, stage, start: dt.date, as_of: dt.date, units) -> int:
    """Findings, lists and reports; in 初检 the last unit is late with both."""
    issued = 0
    late = stage is S.INITIAL
    for n, (dept, unit) in enumerate(units):
        areas = UNIT_AREAS.get(dept, (rng.choice(list(ExamArea)),))
        for area in areas:
            s.add(ExaminationFinding(examination_unit_id=unit.id, area=area, text=FINDINGS[area][0]))
        if late and n == len(units) - 1:
            continue  # the overdue unit: no list, no report yet
        handed = start + dt.timedelta(days=rng.randint(8, 12))
        lst = IssueList(examination_unit_id=unit.id, issued_on=handed, contact_name=_person(rng),
                        contact_phone=_phone(rng))
        s.add(lst)
        for seq, area in enumerate(areas, start=1):
            desc, basis, req = FINDINGS[area]
            deadline = handed + dt.timedelta(days=rng.choice((30, 45, 60, 90)))
            done = stage in (S.SUPERVISION, S.CLOSED) or deadline < as_of
            rectified = min(deadline - dt.timedelta(days=rng.randint(1, 10)), as_of) if done else None
            lst.issues.append(Issue(seq=seq, area=area, description=desc, basis=basis, requirement=req,
                                    deadline=deadline, rectified_on=rectified))
            issued += 1
        unit.report_submitted_on = handed + dt.timedelta(days=1)
        unit.preliminary_opinion = "责令限期整改，逾期未改依法从严处理"
        progress = handed + dt.timedelta(days=rng.randint(18, 26))
        if progress <= as_of:
            unit.progress_reported_on = progress
        if stage is S.CLOSED:
            unit.final_reported_on = as_of - dt.timedelta(days=30)
            unit.final_result = "问题已全部整改到位"
    return issued


def _consultation(s, rng: random.Random, exam, stage, start: dt.date, as_of: dt.date, names, town: str) -> None:
    held = min(start + dt.timedelta(days=45), as_of - dt.timedelta(days=5))
    c = Consultation(examination_id=exam.id, held_on=held, units_present=list(names), towns_present=[town],
                     participants="市专治办", opinion="责令企业限期整改到位；逾期不改的，由相关部门依法实施联合惩戒。")
    if stage is not S.CONSULTATION:
        c.approved_by, c.approved_on = "分管副市长", held + dt.timedelta(days=3)
    s.add(c)


def _treatment(s, rng: random.Random, exam, stage, start: dt.date, units) -> int:
    day = start + dt.timedelta(days=60)
    if stage is S.CLOSED:
        s.add(Treatment(examination_id=exam.id, accepted=True, accepted_on=day + dt.timedelta(days=40),
                        accepted_by=_person(rng), note="经现场验收，问题已整改到位"))
        return 0
    dept, _unit = units[0]
    kind = SanctionKind.CREDIT_RATING if stage is S.TREATMENT else SanctionKind.BIDDING_FUNDING
    s.add(Sanction(examination_id=exam.id, target_id=exam.target_id, department_id=_unit.department_id, kind=kind,
                   applied_on=day, doc_number=f"{dept[:2]}〔{day.year}〕{rng.randint(10, 99)}号", issuer=dept,
                   note="企业拒不配合整改"))
    return 1


def _supervision(s, rng: random.Random, exam, start: dt.date, units) -> int:
    dept, unit = units[0]
    s.add(Supervision(examination_id=exam.id, department_id=unit.department_id,
                      listed_on=start + dt.timedelta(days=90), reason="推动企业整改不力，问题整改逾期"))
    s.add(Accountability(examination_id=exam.id, department_id=units[-1][1].department_id, person=_person(rng),
                         description="体检中瞒报企业违规储存情况", decided_on=start + dt.timedelta(days=100),
                         doc_number=f"纪〔{start.year}〕{rng.randint(1, 30)}号"))
    return 1


def _scores(s, rng: random.Random, closed: dt.date, units) -> None:
    crit = exam_scoring.DEFAULT_CRITERIA
    for _dept, unit in units:
        items = [exam_scoring.ItemScore(c.name, c.weight, c.max_points, Decimal(rng.randint(70, 98))) for c in crit]
        for order, i in enumerate(items, start=1):
            s.add(ExamUnitScore(examination_unit_id=unit.id, criterion=i.criterion, weight=i.weight,
                                max_points=i.max_points, points=i.points, sort_order=order))
        unit.town_score = exam_scoring.weighted_total(items)
        unit.scored_by, unit.scored_on = "属地镇街", closed + dt.timedelta(days=5)
