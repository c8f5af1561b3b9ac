"""示例数据 of 综合体检 over several years (`zzb demo --years N`): about `per_year` cases a year, each started on
a day of its year and standing where the days since its start put it on the demo's day — the old years' cases
closed and scored, this year's in every stage. The same steps as the sample year's six cases (demo_exams),
written as Core bulk inserts in the demo's one transaction.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import bindparam, select, update

from desktop.models import (
    Accountability, Consultation, Department, Examination, ExaminationFinding, ExaminationParty, ExaminationUnit,
    ExamUnitScore, GovernanceList, Issue, IssueList, ListEntry, Sanction, Supervision, Target, Town, Treatment,
)
from desktop.models.enums import ExamArea, ExaminationStage, SanctionKind, TargetKind
from desktop.services.demo.demo_exams import FINDINGS, REASONS, UNIT_AREAS, _person, _phone
from desktop.services.demo.demo_years import _between, _insert, _stamp
from desktop.services.exams import exam_scoring

S = ExaminationStage
# Days from the start after which a case has reached each stage (the last one reached counts).
STAGE_DAYS = ((0, S.STARTED), (14, S.INITIAL), (60, S.CONSULTATION), (95, S.TREATMENT), (135, S.SUPERVISION),
              (175, S.CLOSED))
LATER = {S.CONSULTATION, S.TREATMENT, S.SUPERVISION, S.CLOSED}
UNIT_NAMES = tuple(UNIT_AREAS)


def _stage(days: int) -> ExaminationStage:
    return [stage for after, stage in STAGE_DAYS if days >= after][-1]


def _subjects(s, rng: random.Random, n: int) -> list[tuple[int, int, str]]:
    """Listed enterprises not examined yet, drawn at random: (target id, town id, name)."""
    examined = set(s.scalars(select(Examination.target_id)))
    q = (select(Target.id, Target.town_id, Target.name).join(ListEntry, ListEntry.target_id == Target.id)
         .join(GovernanceList, GovernanceList.id == ListEntry.list_id)
         .where(Target.kind == TargetKind.ENTERPRISE).distinct().order_by(Target.id))
    rows = [tuple(r) for r in s.execute(q) if r.id not in examined]
    return rng.sample(rows, min(n, len(rows)))


class _Rows:
    """The rows of every table, gathered per case and written table by table."""

    def __init__(self):
        self.exams, self.parties, self.units = [], [], []
        self.findings: list[dict] = []
        self.lists: list[tuple[dict, list[dict]]] = []  # each issue list with its issues
        self.consultations, self.treatments, self.sanctions = [], [], []
        self.supervisions, self.accountability, self.scores = [], [], []
        self.unit_updates: list[dict] = []


def add_examinations(s, seed: int, years: list[int], as_of: dt.date, *, per_year: int = 30) -> dict[str, int]:
    """About `per_year` cases in each of `years` (the sample year's six from demo_exams count towards its own),
    none started after `as_of`."""
    rng = random.Random(seed * 15485863 + len(years))
    depts = dict(s.execute(select(Department.name, Department.id)).tuples().all())
    towns = dict(s.execute(select(Town.id, Town.name)).tuples().all())
    names = [n for n in UNIT_NAMES if n in depts]
    have = {y: 0 for y in years}
    for start in s.scalars(select(Examination.start_date).where(Examination.start_date.is_not(None))):
        if start.year in have:
            have[start.year] += 1
    wanted = {y: max(0, per_year + rng.randint(-6, 6) - have[y]) for y in years}
    subjects = iter(_subjects(s, rng, sum(wanted.values())))
    cases = []
    for y in years:
        for _ in range(wanted[y]):
            subject = next(subjects, None)
            if subject is None:
                break
            start = _between(rng, dt.date(y, 1, 10), min(dt.date(y, 12, 20), as_of - dt.timedelta(days=1)))
            cases.append((subject, start, _stage((as_of - start).days), rng.sample(names, rng.randint(3, 4))))
    cases.sort(key=lambda c: c[1])
    rows = _Rows()
    for (target_id, town_id, _name), start, stage, _units in cases:
        rows.exams.append({"target_id": target_id, "town_id": town_id, "proposed_on": start - dt.timedelta(days=7),
                           "proposal_reason": rng.choice(REASONS), "start_date": start, "stage": stage,
                           "plan_procedure": "启动—初检—会诊—诊治—督办，按附件2流程推进",
                           "plan_methods": "现场检查、资料核查、约谈企业负责人",
                           "plan_content": "证照资料至信用等12个方面全面体检", "closed_on": None, **_stamp()})
    exam_ids = _insert(s, Examination, rows.exams)
    for exam_id, ((_t, _town, name), start, stage, units) in zip(exam_ids, cases):
        rows.parties += [{"examination_id": exam_id, "seq": 1, "name": f"{name[:2]}实业投资有限公司",
                          "relation": "土地使用权人", **_stamp()},
                         {"examination_id": exam_id, "seq": 2, "name": _person(rng), "relation": "实际控制人", **_stamp()}]
        rows.units += [{"examination_id": exam_id, "department_id": depts[d], **_stamp()} for d in units]
    unit_ids = iter(_insert(s, ExaminationUnit, rows.units))
    closed_on: dict[int, dt.date] = {}
    for exam_id, ((target_id, town_id, _name), start, stage, units) in zip(exam_ids, cases):
        if stage is S.CLOSED:
            closed_on[exam_id] = min(start + dt.timedelta(days=rng.randint(160, 230)), as_of - dt.timedelta(days=6))
        _case(rows, rng, (exam_id, target_id, towns[town_id]), stage, start, as_of, [(d, depts[d], next(unit_ids)) for d in units],
              closed_on.get(exam_id))
    _write(s, rows, closed_on)
    return {"examinations": len(exam_ids), "exam_issues": sum(len(issues) for _l, issues in rows.lists), "exam_sanctions": len(rows.sanctions),
            "exam_supervisions": len(rows.supervisions)}


def _case(rows: _Rows, rng: random.Random, case: tuple[int, int, str], stage, start: dt.date, as_of: dt.date, units,
          closed: dt.date | None) -> None:
    """One case's rows after its units: findings, lists and issues, reports, consultation, treatment or
    sanctions, supervision, and the towns' scores of a closed case."""
    exam_id, target_id, town = case
    if stage is S.STARTED:
        return
    late_unit = units[-1][2] if stage is S.INITIAL and rng.random() < 0.4 else None
    stubborn = stage in (S.TREATMENT, S.SUPERVISION)
    for dept, dept_id, unit_id in units:
        areas = UNIT_AREAS.get(dept, (rng.choice(list(ExamArea)),))
        rows.findings += [{"examination_unit_id": unit_id, "area": a, "text": FINDINGS[a][0], **_stamp()}
                          for a in areas]
        if unit_id == late_unit:
            continue  # this unit's list and report are overdue
        handed = start + dt.timedelta(days=rng.randint(8, 12))
        rows.lists.append(({"examination_unit_id": unit_id, "issued_on": handed, "contact_name": _person(rng),
                            "contact_phone": _phone(rng), **_stamp()}, []))
        for seq, area in enumerate(areas, start=1):
            desc, basis, req = FINDINGS[area]
            deadline = handed + dt.timedelta(days=rng.choice((30, 45, 60, 90)))
            done = stage in (S.SUPERVISION, S.CLOSED) or deadline < as_of
            if stubborn and stage is not S.SUPERVISION and rng.random() < 0.3:
                done = False  # the enterprise refuses: an issue past its deadline, still open
            rectified = min(deadline - dt.timedelta(days=rng.randint(1, 10)), as_of) if done else None
            rows.lists[-1][1].append({"seq": seq, "area": area, "description": desc, "basis": basis,
                                      "requirement": req, "deadline": deadline, "rectified_on": rectified, **_stamp()})
        progress = handed + dt.timedelta(days=rng.randint(18, 26))
        unit = {"report_submitted_on": handed + dt.timedelta(days=1),
                "preliminary_opinion": "责令限期整改，逾期未改依法从严处理",
                "progress_reported_on": progress if progress <= as_of else None}
        if closed is not None:
            unit.update(final_reported_on=closed - dt.timedelta(days=10), final_result="问题已全部整改到位")
            unit.update(_unit_scores(rows, rng, unit_id, closed, as_of))
        rows.unit_updates.append({"uid": unit_id, **unit})
    if stage in LATER:
        held = min(start + dt.timedelta(days=45), as_of - dt.timedelta(days=5))
        approved = stage is not S.CONSULTATION
        rows.consultations.append({"examination_id": exam_id, "held_on": held, "units_present": [u[0] for u in units],
                                   "towns_present": [town], "participants": "市专治办",
                                   "opinion": "责令企业限期整改到位；逾期不改的，由相关部门依法实施联合惩戒。",
                                   "approved_by": "分管副市长" if approved else "",
                                   "approved_on": held + dt.timedelta(days=3) if approved else None, **_stamp()})
    day = start + dt.timedelta(days=60)
    if stage is S.CLOSED:
        rows.treatments.append({"examination_id": exam_id, "accepted": True,
                                "accepted_on": min(day + dt.timedelta(days=rng.randint(40, 90)), closed),
                                "accepted_by": _person(rng), "note": "经现场验收，问题已整改到位", **_stamp()})
    if stubborn or (stage is S.CLOSED and rng.random() < 0.2):
        dept, dept_id, _unit = units[0]
        rows.sanctions.append({"examination_id": exam_id, "target_id": target_id, "department_id": dept_id, "kind": rng.choice(list(SanctionKind)),
                               "applied_on": day, "lifted_on": closed, "issuer": dept, "note": "企业拒不配合整改",
                               "doc_number": f"{dept[:2]}〔{day.year}〕{rng.randint(10, 99)}号", **_stamp()})
    if stage is S.SUPERVISION or (stage is S.CLOSED and rng.random() < 0.15):
        listed = min(start + dt.timedelta(days=90), as_of)
        rows.supervisions.append({"examination_id": exam_id, "department_id": units[0][1], "listed_on": listed,
                                  "reason": "推动企业整改不力，问题整改逾期",
                                  "resolved_on": closed, **_stamp()})
        if rng.random() < 0.5:
            decided = min(start + dt.timedelta(days=100), as_of)
            rows.accountability.append({"examination_id": exam_id, "department_id": units[-1][1],
                                        "person": _person(rng), "description": "体检中瞒报企业违规储存情况",
                                        "decided_on": decided, "doc_number": f"纪〔{decided.year}〕{rng.randint(1, 30)}号",
                                        **_stamp()})


def _unit_scores(rows: _Rows, rng: random.Random, unit_id: int, closed: dt.date, as_of: dt.date) -> dict:
    """The town's scores of one unit after the case closed, on the default criteria."""
    items = [exam_scoring.ItemScore(c.name, c.weight, c.max_points, Decimal(rng.randint(70, 98)))
             for c in exam_scoring.DEFAULT_CRITERIA]
    rows.scores += [{"examination_unit_id": unit_id, "criterion": i.criterion, "weight": i.weight,
                     "max_points": i.max_points, "points": i.points, "sort_order": n, **_stamp()}
                    for n, i in enumerate(items, start=1)]
    return {"town_score": exam_scoring.weighted_total(items), "scored_by": "属地镇街",
            "scored_on": min(closed + dt.timedelta(days=5), as_of)}


def _write(s, rows: _Rows, closed_on: dict[int, dt.date]) -> None:
    """Every gathered row, table by table; the units' dates and the closed cases' days as updates by id."""
    _insert(s, ExaminationParty, rows.parties)
    _insert(s, ExaminationFinding, rows.findings)
    list_ids = _insert(s, IssueList, [lst for lst, _issues in rows.lists])
    _insert(s, Issue, [{**i, "issue_list_id": lid} for lid, (_l, issues) in zip(list_ids, rows.lists) for i in issues])
    for model, batch in ((Consultation, rows.consultations), (Treatment, rows.treatments), (Sanction, rows.sanctions),
                         (Supervision, rows.supervisions), (Accountability, rows.accountability),
                         (ExamUnitScore, rows.scores)):
        _insert(s, model, batch)
    u = ExaminationUnit.__table__
    for keys in {tuple(sorted(r)) for r in rows.unit_updates}:  # one executemany per set of columns
        batch = [r for r in rows.unit_updates if tuple(sorted(r)) == keys]
        s.execute(update(u).where(u.c.id == bindparam("uid"))
                  .values({k: bindparam("v_" + k) for k in keys if k != "uid"}),
                  [{("uid" if k == "uid" else "v_" + k): v for k, v in r.items()} for r in batch])
    if closed_on:
        e = Examination.__table__
        s.execute(update(e).where(e.c.id == bindparam("eid")).values(closed_on=bindparam("day")),
                  [{"eid": k, "day": v} for k, v in closed_on.items()])
