"""治理对象 register: search to a list of ids (filtering and sorting in SQL), fetch rows as drawn,
validate and save enterprises and parcels."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from desktop.models import ContiguousArea, Evaluation, GovernanceList, ListEntry, Target, Town, Year
from desktop.models.enums import Category, EvaluationClass, TargetKind, TargetState
from desktop.services import audit, credit_code, units, year_service
from desktop.services.errors import NotFound, Refused, ValidationError

NO_PARK = -1  # filter value: targets outside any contiguous area

_FOLD = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹａｂｃｄｅｆｇｈｊｋｌｍｎｐｑｒｔｕｗｘｙ"}


@dataclass(frozen=True)
class RegisterFilter:
    text: str = ""
    town_id: int | None = None
    category: Category | None = None
    grade: EvaluationClass | None = None
    state: TargetState | None = None
    contiguous_area_id: int | None = None  # NO_PARK for "not in any park"
    kind: TargetKind | None = None


@dataclass(frozen=True)
class RegisterRow:
    id: int
    kind: TargetKind
    name: str
    town: str
    category: Category
    grade: EvaluationClass | None
    credit_code: str | None
    address: str
    legal_rep: str
    land_area_mu: Decimal | None
    building_area_m2: Decimal | None
    industry: str
    contiguous_area: str
    state: TargetState
    revision: int


# Column key → label, in the register's default order. Views and exports use the same keys.
COLUMNS: list[tuple[str, str]] = [
    ("name", "名称"),
    ("kind", "类型"),
    ("town", "所属镇街"),
    ("category", "治理类别"),
    ("grade", "评价类别"),
    ("credit_code", "统一社会信用代码"),
    ("address", "地址"),
    ("legal_rep", "法定代表人"),
    ("land_area_mu", "占地面积（亩）"),
    ("building_area_m2", "建筑面积（㎡）"),
    ("industry", "行业"),
    ("contiguous_area", "连片整治片区"),
    ("state", "状态"),
]

EDITABLE_FIELDS = (
    "kind", "name", "town_id", "category", "contiguous_area_id", "address", "land_area_mu", "state", "note",
    "credit_code", "credit_code_override", "legal_rep", "building_area_m2", "industry", "land_cert_no", "owner",
)


def normalize_query(text: str) -> list[str]:
    """Terms of a search box text: full-width folded, lower-cased, split on spaces."""
    return [t for t in re.split(r"\s+", (text or "").translate(_FOLD).lower()) if t]


def _grade_join(eval_year: int):
    ev = aliased(Evaluation)
    return ev, and_(ev.target_id == Target.id, ev.year == eval_year)


def _filtered(query, flt: RegisterFilter, ev):
    for term in normalize_query(flt.text):
        query = query.where(Target.search_text.contains(term, autoescape=True))
    if flt.town_id is not None:
        query = query.where(Target.town_id == flt.town_id)
    if flt.category is not None:
        query = query.where(Target.category == flt.category)
    if flt.state is not None:
        query = query.where(Target.state == flt.state)
    if flt.kind is not None:
        query = query.where(Target.kind == flt.kind)
    if flt.contiguous_area_id == NO_PARK:
        query = query.where(Target.contiguous_area_id.is_(None))
    elif flt.contiguous_area_id is not None:
        query = query.where(Target.contiguous_area_id == flt.contiguous_area_id)
    if flt.grade is not None:
        query = query.where(ev.grade == flt.grade)
    return query


def search_ids(db, flt: RegisterFilter, *, year: int, sort: str = "name", descending: bool = False) -> list[int]:
    """Ids of the matching targets in display order (Anki's model: search to ids, fetch rows as drawn)."""
    params = year_service.get_params(db, year)
    ev, on = _grade_join(params.evaluation_year)
    q = select(Target.id).select_from(Target)
    needs_grade = flt.grade is not None or sort == "grade"
    if needs_grade:
        q = q.join(ev, on, isouter=flt.grade is None)
    q = _filtered(q, flt, ev)
    order = _sort_expression(sort, ev, q)
    q, key = order
    key = key.desc() if descending else key.asc()
    q = q.order_by(key, Target.id.desc() if descending else Target.id)
    with db.reader() as s:
        return list(s.scalars(q))


def _sort_expression(sort: str, ev, q):
    simple = {
        "name": Target.name, "kind": Target.kind, "category": Target.category, "credit_code": Target.credit_code,
        "address": Target.address, "legal_rep": Target.legal_rep, "land_area_mu": Target.land_area_mu,
        "building_area_m2": Target.building_area_m2, "industry": Target.industry, "state": Target.state,
        "id": Target.id,
    }
    if sort in simple:
        return q, simple[sort]
    if sort == "grade":
        return q, ev.grade
    if sort == "town":
        q = q.join(Town, Town.id == Target.town_id)
        return q, Town.sort_order * 100000 + Town.id
    if sort == "contiguous_area":
        q = q.outerjoin(ContiguousArea, ContiguousArea.id == Target.contiguous_area_id)
        return q, ContiguousArea.name
    raise ValidationError(f"不能按“{sort}”排序")


def fetch_rows(db, ids: list[int], *, year: int) -> list[RegisterRow]:
    """The rows for these ids, in the same order (missing ids, e.g. just deleted, are skipped)."""
    if not ids:
        return []
    eval_year = year_service.get_params(db, year).evaluation_year
    ev, on = _grade_join(eval_year)
    q = (
        select(Target, Town.name, ContiguousArea.name, ev.grade)
        .join(Town, Town.id == Target.town_id)
        .outerjoin(ContiguousArea, ContiguousArea.id == Target.contiguous_area_id)
        .outerjoin(ev, on)
        .where(Target.id.in_(ids))
    )
    with db.reader() as s:
        found = {}
        for t, town, park, grade in s.execute(q):
            found[t.id] = RegisterRow(
                t.id, t.kind, t.name, town, t.category, grade, t.credit_code, t.address, t.legal_rep,
                t.land_area_mu, t.building_area_m2, t.industry, park or "", t.state, t.revision,
            )
    return [found[i] for i in ids if i in found]


def count(db) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count(Target.id))) or 0


@dataclass
class FilterOptions:
    towns: list[tuple[int, str]]
    parks: list[tuple[int, str]]


def filter_options(db) -> FilterOptions:
    with db.reader() as s:
        towns = [(i, n) for i, n in s.execute(select(Town.id, Town.name).order_by(Town.sort_order, Town.id))]
        parks = [(i, n) for i, n in s.execute(select(ContiguousArea.id, ContiguousArea.name).order_by(ContiguousArea.name))]
    return FilterOptions(towns, parks)


# Detail and editing ------------------------------------------------------------------------

@dataclass
class TargetValues:
    """What the add/edit dialog edits. Areas: land in 亩 (after unit conversion), building in m²."""

    kind: TargetKind = TargetKind.ENTERPRISE
    name: str = ""
    town_id: int | None = None
    category: Category = Category.D_CLASS
    grade: EvaluationClass | None = None
    contiguous_area_id: int | None = None
    address: str = ""
    land_area_mu: Decimal | None = None
    state: TargetState = TargetState.PENDING
    note: str = ""
    credit_code: str | None = None
    credit_code_override: bool = False
    legal_rep: str = ""
    building_area_m2: Decimal | None = None
    industry: str = ""
    land_cert_no: str = ""
    owner: str = ""
    revision: int | None = None


@dataclass
class EntrySummary:
    year: int
    town: str
    method: str
    planned_area_mu: Decimal
    state: str
    verified_area_mu: Decimal | None


@dataclass
class TargetDetail:
    id: int
    values: TargetValues
    town: str
    contiguous_area: str
    entries: list[EntrySummary]
    history: list[audit.AuditRow]


def _values_of(t: Target, grade: EvaluationClass | None) -> TargetValues:
    kw = {f.name: getattr(t, f.name) for f in dataclasses.fields(TargetValues) if f.name != "grade"}
    return TargetValues(**kw, grade=grade)


def get(db, target_id: int, *, year: int) -> TargetDetail:
    eval_year = year_service.get_params(db, year).evaluation_year
    with db.reader() as s:
        t = s.get(Target, target_id)
        if t is None:
            raise NotFound("该治理对象已不存在（可能已被删除）")
        grade = s.scalar(select(Evaluation.grade).where(Evaluation.target_id == t.id, Evaluation.year == eval_year))
        entries = [
            EntrySummary(y, town, e.planned_method.label, e.planned_area_mu, e.state.label, e.verified_area_mu)
            for e, y, town in s.execute(
                select(ListEntry, Year.year, Town.name)
                .join(GovernanceList, GovernanceList.id == ListEntry.list_id)
                .join(Year, Year.id == GovernanceList.year_id)
                .join(Town, Town.id == GovernanceList.town_id)
                .where(ListEntry.target_id == t.id)
                .order_by(Year.year.desc())
            )
        ]
        detail = TargetDetail(t.id, _values_of(t, grade), t.town.name, t.contiguous_area.name if t.contiguous_area else "", entries, [])
    detail.history = audit.list_entries(db, object_type="target", object_id=target_id, limit=200)
    return detail


def clean(values: TargetValues) -> TargetValues:
    """Validate and normalise dialog values; raise ValidationError naming the field."""
    v = dataclasses.replace(values)
    v.name = (v.name or "").strip()
    if not v.name:
        raise ValidationError("名称不能为空", field="name")
    if v.town_id is None:
        raise ValidationError("请选择所属镇街", field="town_id")
    v.address = (v.address or "").strip()
    v.legal_rep = (v.legal_rep or "").strip()
    code = credit_code.normalize(v.credit_code or "")
    if code:
        problem = credit_code.problem(code)
        if problem and not v.credit_code_override:
            raise ValidationError(problem + "（确属历史特殊代码时可勾选“保留特殊代码”）", field="credit_code")
        v.credit_code = code
    else:
        v.credit_code = None
        v.credit_code_override = False
    if v.credit_code and not credit_code.problem(v.credit_code):
        v.credit_code_override = False
    for name, label in (("land_area_mu", "占地面积"), ("building_area_m2", "建筑面积")):
        value = getattr(v, name)
        if value is not None and Decimal(value) < 0:
            raise ValidationError(f"{label}不能为负数", field=name)
    if v.kind == TargetKind.PARCEL:
        v.legal_rep = v.legal_rep or ""
    return v


def _apply(session, t: Target, v: TargetValues, eval_year: int) -> None:
    for name in EDITABLE_FIELDS:
        new = getattr(v, name)
        if getattr(t, name) != new:
            setattr(t, name, new)
    ev = session.scalar(select(Evaluation).where(Evaluation.target_id == t.id, Evaluation.year == eval_year)) if t.id else None
    if v.grade is None:
        if ev is not None:
            session.delete(ev)
    elif ev is None:
        session.flush()
        session.add(Evaluation(target_id=t.id, year=eval_year, grade=v.grade, source="手工录入"))
    elif ev.grade != v.grade:
        ev.grade = v.grade


def _duplicate_code_message(session, code: str, own_id: int | None) -> str | None:
    other = session.execute(select(Target.id, Target.name).where(Target.credit_code == code)).first()
    if other and other[0] != own_id:
        return f"统一社会信用代码 {code} 已登记为“{other[1]}”"
    return None


def create(db, values: TargetValues, *, year: int) -> int:
    v = clean(values)
    eval_year = year_service.get_params(db, year).evaluation_year
    with db.session() as s:
        if v.credit_code and (msg := _duplicate_code_message(s, v.credit_code, None)):
            raise ValidationError(msg, field="credit_code")
        cls = Target.__mapper__.polymorphic_map[v.kind].class_
        t = cls(kind=v.kind, name=v.name, town_id=v.town_id, category=v.category)
        s.add(t)
        _apply(s, t, v, eval_year)
        s.flush()
        if v.credit_code_override:
            audit.record(s, "保留特殊代码", "target", t.id, label=t.name, after={"credit_code": v.credit_code})
        return t.id


def update(db, target_id: int, values: TargetValues, *, year: int) -> None:
    v = clean(values)
    eval_year = year_service.get_params(db, year).evaluation_year
    with db.session() as s:
        t = s.get(Target, target_id)
        if t is None:
            raise NotFound("该治理对象已不存在（可能已被他人删除）")
        if v.revision is not None and t.revision != v.revision:
            raise Refused("该治理对象已被他人修改，请关闭对话框后重新打开")
        if v.credit_code and (msg := _duplicate_code_message(s, v.credit_code, t.id)):
            raise ValidationError(msg, field="credit_code")
        if v.kind != t.kind:
            raise ValidationError("不能更改治理对象的类型（企业/地块），请新建", field="kind")
        override_now = v.credit_code_override and (t.credit_code != v.credit_code or not t.credit_code_override)
        _apply(s, t, v, eval_year)
        s.flush()
        if override_now:
            audit.record(s, "保留特殊代码", "target", t.id, label=t.name, after={"credit_code": v.credit_code})


def delete(db, target_id: int, *, year: int) -> TargetValues:
    """Delete a target not on any list; returns its values so the view can offer undo (create again)."""
    eval_year = year_service.get_params(db, year).evaluation_year
    with db.session() as s:
        t = s.get(Target, target_id)
        if t is None:
            raise NotFound("该治理对象已不存在")
        used = s.scalar(select(func.count(ListEntry.id)).where(ListEntry.target_id == t.id))
        if used:
            raise Refused(f"“{t.name}”已列入{used}条治理清单，不能删除；如不再治理，请将状态改为“已撤销”")
        grade = next((e.grade for e in t.evaluations if e.year == eval_year), None)
        values = _values_of(t, grade)
        values.revision = None
        s.delete(t)
        try:
            s.flush()
        except IntegrityError:
            raise Refused(f"“{t.name}”仍被其他记录引用（体检、惩戒或案例），不能删除") from None
        return values


def area_from_input(text: str, unit: str) -> Decimal | None:
    """Dialog helper: the land area in 亩 from what was typed and the chosen unit (亩 or m²)."""
    return units.parse_area(text, unit=unit, field="land_area_mu", label="占地面积")
