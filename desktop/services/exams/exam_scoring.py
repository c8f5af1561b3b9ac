"""打分 (附件2 (5)): when an examination ends, the town scores each participating city unit on the year's
criteria; the unit's weighted total is recomputed from the item scores (never typed) and kept for the year-end
assessment.

The criteria are editable per year by the system administrator (年度参数). A year with none of its own uses the
latest earlier year's, else DEFAULT_CRITERIA. A score keeps a copy of each criterion's name, weight and maximum,
so editing the criteria later never changes a kept score.

Weighted total = Σ points / maximum × weight, over Σ weight, × 100: a score out of 100 whatever the weights add
up to.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from desktop.models import ExamCriterion, ExaminationUnit, ExamUnitScore, Year
from desktop.services import numbers
from desktop.services.accounts import permissions
from desktop.services.errors import NotFound, ValidationError
from desktop.services.exams import exam_common as common
from desktop.services.ledger import Ledger

HUNDRED = Decimal(100)
TOTAL_PLACES = Decimal("0.01")
MAX_CRITERIA = 30


@dataclass(frozen=True)
class CriterionRow:
    name: str
    weight: Decimal
    max_points: Decimal = HUNDRED


# The office's practice until the year's criteria are edited: what 附件2 asks of a unit, weighted.
DEFAULT_CRITERIA = (
    CriterionRow("按时出具问题清单和书面报告", Decimal(30)),
    CriterionRow("依法查处问题、处置意见明确", Decimal(30)),
    CriterionRow("督促指导企业整改成效", Decimal(25)),
    CriterionRow("参加会诊、协同配合", Decimal(15)),
)


@dataclass(frozen=True)
class ItemScore:
    criterion: str
    weight: Decimal
    max_points: Decimal
    points: Decimal


@dataclass(frozen=True)
class UnitScore:
    unit_id: int
    department_id: int
    department: str
    items: tuple[ItemScore, ...]
    total: Decimal | None  # the kept weighted total (None: not scored)
    scored_by: str
    scored_on: object  # dt.date | None


def weighted_total(items) -> Decimal:
    """Σ points/max × weight ÷ Σ weight × 100, to two decimals (items: ItemScore-like)."""
    items = list(items)
    weights = sum((i.weight for i in items), Decimal(0))
    if not items or weights <= 0:
        return Decimal(0).quantize(TOTAL_PLACES)
    got = sum((i.points / i.max_points * i.weight for i in items), Decimal(0))
    return (got / weights * HUNDRED).quantize(TOTAL_PLACES, rounding=ROUND_HALF_UP)


# ---- the year's criteria ------------------------------------------------------------------------------

def _criteria_in(session, year: int) -> tuple[list[CriterionRow], int | None]:
    """The criteria in force for `year` and the year they were set for (None: the defaults)."""
    rows = session.execute(select(Year.year, ExamCriterion.name, ExamCriterion.weight, ExamCriterion.max_points)
                           .join(Year, Year.id == ExamCriterion.year_id).where(Year.year <= year)
                           .order_by(Year.year.desc(), ExamCriterion.sort_order, ExamCriterion.id)).tuples().all()
    if not rows:
        return list(DEFAULT_CRITERIA), None
    latest = rows[0][0]
    return [CriterionRow(n, w, m) for y, n, w, m in rows if y == latest], latest


def criteria(ledger: Ledger, year: int) -> list[CriterionRow]:
    """The criteria units are scored on in `year`."""
    with ledger.reader() as s:
        return _criteria_in(s, year)[0]


def criteria_source(ledger: Ledger, year: int) -> int | None:
    """The year whose criteria apply to `year` (None: the built-in defaults), for the page's note."""
    with ledger.reader() as s:
        return _criteria_in(s, year)[1]


def _clean_criteria(rows) -> list[CriterionRow]:
    rows = list(rows or ())
    if not rows:
        raise ValidationError("请至少设置一个评分项目", field="criteria")
    if len(rows) > MAX_CRITERIA:
        raise ValidationError(f"评分项目最多 {MAX_CRITERIA} 个", field="criteria")
    out, seen = [], set()
    for n, r in enumerate(rows, start=1):
        name = common.line(r.name, label=f"第 {n} 个评分项目的名称", field="name", required=True)
        if name in seen:
            raise ValidationError(f"评分项目“{name}”重复", field="name")
        seen.add(name)
        weight = numbers.parse_decimal(r.weight, label=f"“{name}”的权重", field="weight", rng=numbers.PERCENT,
                                       required=True)
        top = numbers.parse_decimal(r.max_points, label=f"“{name}”的满分", field="max_points",
                                    rng=numbers.AMOUNT, required=True)
        if weight <= 0:
            raise ValidationError(f"“{name}”的权重应大于 0", field="weight")
        if top <= 0:
            raise ValidationError(f"“{name}”的满分应大于 0", field="max_points")
        out.append(CriterionRow(name, weight, top))
    return out


def set_criteria(ledger: Ledger, year: int, rows) -> None:
    """Replace `year`'s criteria (系统管理员, as the year's other parameters)."""
    permissions.require(ledger, "params")
    clean = _clean_criteria(rows)
    with ledger.session() as s:
        year_id = s.scalar(select(Year.id).where(Year.year == year))
        if year_id is None:
            raise NotFound(f"{year}年度尚未建立，请先在年度参数中新建该年度")
        old = {c.name: c for c in s.scalars(select(ExamCriterion).where(ExamCriterion.year_id == year_id))}
        for name, c in old.items():
            if name not in {r.name for r in clean}:
                s.delete(c)
        for order, r in enumerate(clean, start=1):
            c = old.get(r.name)
            if c is None:
                s.add(ExamCriterion(year_id=year_id, name=r.name, weight=r.weight, max_points=r.max_points,
                                    sort_order=order))
                continue
            for attr, value in (("weight", r.weight), ("max_points", r.max_points), ("sort_order", order)):
                if getattr(c, attr) != value:
                    setattr(c, attr, value)


# ---- scoring a unit -------------------------------------------------------------------------------------

def score_unit(ledger: Ledger, unit_id: int, points: dict[str, object]) -> Decimal:
    """The town's points for a unit on every criterion of the closing year; returns the weighted total kept.

    Scoring again replaces the unit's scores (and copies the criteria in force at that time)."""
    with ledger.session() as s:
        unit = common.get_unit(s, unit_id)
        exam = unit.examination
        common.write_check(ledger, s, exam, "score")
        year = (exam.closed_on or ledger.today()).year
        crit, _src = _criteria_in(s, year)
        unknown = [k for k in points if k not in {c.name for c in crit}]
        if unknown:
            raise ValidationError(f"“{unknown[0]}”不是{year}年度的评分项目", field="points")
        items = []
        for c in crit:
            if c.name not in points or points[c.name] in (None, ""):
                raise ValidationError(f"请填写“{c.name}”的得分", field="points")
            p = numbers.parse_decimal(points[c.name], label=f"“{c.name}”的得分", field="points", rng=numbers.AMOUNT)
            if p > c.max_points:
                raise ValidationError(f"“{c.name}”的得分不能超过满分 {c.max_points.normalize():f}"
                                      f"，现为 {p.normalize():f}", field="points")
            items.append(ItemScore(c.name, c.weight, c.max_points, p))
        for old in s.scalars(select(ExamUnitScore).where(ExamUnitScore.examination_unit_id == unit.id)):
            s.delete(old)
        s.flush()
        for order, i in enumerate(items, start=1):
            s.add(ExamUnitScore(examination_unit_id=unit.id, criterion=i.criterion, weight=i.weight,
                                max_points=i.max_points, points=i.points, sort_order=order))
        unit.town_score = weighted_total(items)
        unit.scored_by = ledger.user or ""
        unit.scored_on = ledger.today()
        return unit.town_score


def unit_scores(ledger: Ledger, exam_id: int) -> list[UnitScore]:
    """Each participating unit's item scores and kept total."""
    with ledger.reader() as s:
        exam = common.get_exam(s, exam_id)
        units = sorted(exam.units, key=lambda u: (u.department.sort_order, u.department_id))
        by_unit: dict[int, list[ItemScore]] = {}
        for row in s.scalars(select(ExamUnitScore).where(
                ExamUnitScore.examination_unit_id.in_([u.id for u in units]))
                .order_by(ExamUnitScore.sort_order, ExamUnitScore.id)):
            by_unit.setdefault(row.examination_unit_id, []).append(
                ItemScore(row.criterion, row.weight, row.max_points, row.points))
        return [UnitScore(u.id, u.department_id, u.department.name, tuple(by_unit.get(u.id, ())), u.town_score,
                          u.scored_by, u.scored_on) for u in units]


def year_totals(ledger: Ledger, year: int) -> dict[str, list[Decimal]]:
    """For the year-end assessment: each department's kept totals from the examinations closed in `year`."""
    from desktop.models import Department, Examination

    with ledger.reader() as s:
        out: dict[str, list[Decimal]] = {}
        for name, total, closed in s.execute(
                select(Department.name, ExaminationUnit.town_score, Examination.closed_on)
                .join(ExaminationUnit, ExaminationUnit.department_id == Department.id)
                .join(Examination, Examination.id == ExaminationUnit.examination_id)
                .where(ExaminationUnit.town_score.is_not(None), Examination.closed_on.is_not(None))
                .order_by(Department.sort_order, Department.id)).tuples():
            if closed.year == year:
                out.setdefault(name, []).append(total)
        return out
