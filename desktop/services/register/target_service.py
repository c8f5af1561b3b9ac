"""治理对象 register: search to a list of ids (filtering and sorting in SQL), fetch rows as drawn,
validate and save enterprises and parcels."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from desktop.models import AuditLog, ContiguousArea, Evaluation, GovernanceList, ListEntry, Target, Town, Year
from desktop.models.enums import Category, EvaluationClass, TargetKind, TargetState
from desktop.services import audit, credit_code, db, numbers, search_index, units
from desktop.services.year import year_service
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.ledger import Ledger

NO_PARK = -1  # filter value: targets outside any contiguous area

# Full-width digits and Latin letters typed with a Chinese IME fold to ASCII before searching.
_FOLD = {c: c - 0xFEE0 for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}


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


# Column key → label, in the register's default order. Views and exports use the same keys. What a clerk
# looks for first comes first, so that it is on screen at 1366×768 (状态 and 片区 before the address).
COLUMNS: list[tuple[str, str]] = [
    ("name", "名称"),
    ("kind", "类型"),
    ("town", "所属镇街"),
    ("category", "治理类别"),
    ("grade", "评价类别"),
    ("state", "状态"),
    ("contiguous_area", "连片整治片区"),
    ("land_area_mu", "占地面积（亩）"),
    ("credit_code", "统一社会信用代码"),
    ("address", "地址"),
    ("legal_rep", "法定代表人"),
    ("building_area_m2", "建筑面积（㎡）"),
    ("industry", "行业"),
]

EDITABLE_FIELDS = (
    "kind", "name", "town_id", "category", "contiguous_area_id", "address", "land_area_mu", "state", "note",
    "credit_code", "credit_code_override", "legal_rep", "building_area_m2", "industry", "land_cert_no", "owner",
)


def normalize_query(text: str) -> list[str]:
    """Terms of a search box text: full-width folded, lower-cased, split on spaces."""
    return [t for t in re.split(r"\s+", (text or "").translate(_FOLD).lower()) if t]


# The evaluation joined for the grade filter and column, aliased once: building the alias took a tenth of a
# keystroke's search (it was built for every search, grade or not).
_EV = aliased(Evaluation)


def _grade_join(eval_year: int):
    return _EV, and_(_EV.target_id == Target.id, _EV.year == eval_year)


def _filtered(query, flt: RegisterFilter, ev):
    """The filters other than the text (search_ids adds the text's conditions, see search_index)."""
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


def _search_query(ledger: Ledger, flt: RegisterFilter, year: int, sort: str, descending: bool):
    needs_grade = flt.grade is not None or sort == "grade"
    # The evaluation year is read only when the grade is involved: one query less per keystroke.
    eval_year = year_service.get_params(ledger, year).evaluation_year if needs_grade else None
    return _built_query(dataclasses.replace(flt, text=""), eval_year, sort, descending)


@functools.lru_cache(maxsize=64)
def _built_query(flt: RegisterFilter, eval_year: int | None, sort: str, descending: bool):
    """The search without its text, built once per filter and order: typing changes only the text, so each
    keystroke reuses the statement and what search_index derives from it (building them anew, and
    SQLAlchemy's cache key of each, cost 0.2 ms of Python a statement). A statement holds no data."""
    ev = _EV
    q = select(Target.id).select_from(Target)
    if eval_year is not None:
        ev, on = _grade_join(eval_year)
        q = q.join(ev, on, isouter=flt.grade is None)
    q = _filtered(q, flt, ev)
    q, key = _sort_expression(sort, ev, q)
    key = key.desc() if descending else key.asc()
    return q.order_by(key, Target.id.desc() if descending else Target.id)


def search_ids(ledger: Ledger, flt: RegisterFilter, *, year: int, sort: str = "name", descending: bool = False,
               limit: int | None = None, cancelled: Callable[[], bool] | None = None) -> list[int]:
    """Ids of the matching targets in display order (Anki's model: search to ids, fetch rows as drawn).

    With `limit`, only the first ids: SQLite keeps a top-N sort instead of sorting every match, so
    the first screen of a broad search (“公” matches nearly all) comes back in a fraction of the time.
    `cancelled`: asked while the database reads; when it says so the search stops with db.Superseded.
    """
    q = _search_query(ledger, flt, year, sort, descending)
    with ledger.reader() as s:
        return _ids(s.connection(), q, normalize_query(flt.text), sort, descending, limit, cancelled)


def first_screen(ledger: Ledger, flt: RegisterFilter, *, year: int, sort: str = "name", descending: bool = False,
                 limit: int, rows: int, cached: frozenset[int] = frozenset(), evaluation_year: int | None = None,
                 cancelled: Callable[[], bool] | None = None) -> tuple:
    """A keystroke's first screen in one read: the first `limit` ids (search_ids) and the rows of the first
    `rows` of them not in `cached` (fetch_rows), from the same snapshot. Returns (ids, the ids whose rows
    were read, those rows, the year and evaluation year they were read for)."""
    q = _search_query(ledger, flt, year, sort, descending)
    if evaluation_year is None:
        evaluation_year = year_service.get_params(ledger, year).evaluation_year
    with ledger.reader() as s:
        conn = s.connection()
        ids = _ids(conn, q, normalize_query(flt.text), sort, descending, limit, cancelled)
        if cancelled is not None and cancelled():
            raise db.Superseded()
        wanted = [i for i in ids[:rows] if i not in cached]
        return ids, wanted, _rows_of(conn, wanted, evaluation_year), year, evaluation_year


def _ids(conn, q, terms: list[str], sort: str, descending: bool, limit: int | None,
         cancelled: Callable[[], bool] | None) -> list[int]:
    with db.interruptible(conn, cancelled):
        if limit is not None and sort == "name" and terms:
            head = search_index.head_by_name(conn, q, terms, limit=limit, descending=descending)
            if head is not None:
                return head
        q = q.where(*search_index.term_conditions(conn, terms))
        if limit is not None:
            q = q.limit(limit)
        return search_index.ids_of(conn, q)


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


def fetch_rows(ledger: Ledger, ids: list[int], *, year: int, evaluation_year: int | None = None) -> list[RegisterRow]:
    """The rows for these ids, in the same order (missing ids, e.g. just deleted, are skipped).

    Pass `evaluation_year` when known (the register's model caches it) to save reading the parameters.
    """
    if not ids:
        return []
    eval_year = evaluation_year if evaluation_year is not None else year_service.get_params(ledger, year).evaluation_year
    with ledger.reader() as s:
        return _rows_of(s.connection(), ids, eval_year)


def _rows_of(conn, ids: list[int], eval_year: int) -> list[RegisterRow]:
    if not ids:
        return []
    rows = conn.execute(_ROWS_QUERY, {"ids": ids, "eval_year": eval_year})
    found = {r[0]: RegisterRow(*r[:12], r[12] or "", *r[13:]) for r in rows}
    return [found[i] for i in ids if i in found]


def _rows_query():
    """fetch_rows's statement, built once: building it cost as much as running it for a block of rows."""
    ev = aliased(Evaluation)
    return (
        select(Target.id, Target.kind, Target.name, Town.name, Target.category, ev.grade, Target.credit_code,
               Target.address, Target.legal_rep, Target.land_area_mu, Target.building_area_m2, Target.industry,
               ContiguousArea.name, Target.state, Target.revision)
        .select_from(Target)
        .join(Town, Town.id == Target.town_id)
        .outerjoin(ContiguousArea, ContiguousArea.id == Target.contiguous_area_id)
        .outerjoin(ev, and_(ev.target_id == Target.id, ev.year == bindparam("eval_year")))
        .where(Target.id.in_(bindparam("ids", expanding=True)))
    )


_ROWS_QUERY = _rows_query()


def evaluation_year(ledger: Ledger, year: int) -> int:
    """二(一): the year whose 综合评价 classes count for `year` (from the year's parameters)."""
    return year_service.get_params(ledger, year).evaluation_year


def count(ledger: Ledger) -> int:
    with ledger.reader() as s:
        return s.scalar(select(func.count(Target.id))) or 0


@dataclass
class FilterOptions:
    towns: list[tuple[int, str]]
    parks: list[tuple[int, str]]
    park_town: dict[int, int] = dataclasses.field(default_factory=dict)  # park id → its town id
    evaluation_year: int | None = None  # the year's 综合评价 year (when asked with a year)


def filter_options(ledger: Ledger, year: int | None = None) -> FilterOptions:
    """Choices for the register's filters and the dialog: towns in order, parks, and the evaluation year."""
    with ledger.reader() as s:
        towns = [(i, n) for i, n in s.execute(select(Town.id, Town.name).order_by(Town.sort_order, Town.id))]
        park_rows = s.execute(
            select(ContiguousArea.id, ContiguousArea.name, ContiguousArea.town_id).order_by(ContiguousArea.name)
        ).all()
    eval_year = evaluation_year(ledger, year) if year is not None else None
    return FilterOptions(towns, [(i, n) for i, n, _t in park_rows], {i: t for i, _n, t in park_rows}, eval_year)


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


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryLine:
    """One audit record of a target, readable: local time, user, Chinese action, changed fields."""

    at: dt.datetime
    user: str
    action: str
    changes: list[FieldChange]

    def summary(self) -> str:
        if self.action == "修改":
            return "；".join(f"{c.label}：{c.before or '空'} → {c.after or '空'}" for c in self.changes)
        return "；".join(f"{c.label}：{c.after or c.before}" for c in self.changes if c.after or c.before)


# Audit field → label in the history (fields not listed, e.g. id, are not shown).
FIELD_LABELS = {
    "kind": "类型", "name": "名称", "town_id": "所属镇街", "category": "治理类别", "contiguous_area_id": "连片整治片区",
    "address": "地址", "land_area_mu": "占地面积（亩）", "state": "状态", "note": "备注", "credit_code": "统一社会信用代码",
    "credit_code_override": "保留特殊代码", "legal_rep": "法定代表人", "building_area_m2": "建筑面积（㎡）",
    "industry": "行业", "land_cert_no": "不动产权证号", "owner": "权利人",
    audit.SOURCE_KEY: "来源",
}


@dataclass
class TargetDetail:
    id: int
    values: TargetValues
    town: str
    contiguous_area: str
    entries: list[EntrySummary]
    history: list[HistoryLine]


def _values_of(t: Target, grade: EvaluationClass | None) -> TargetValues:
    kw = {f.name: getattr(t, f.name) for f in dataclasses.fields(TargetValues) if f.name != "grade"}
    return TargetValues(**kw, grade=grade)


def get(ledger: Ledger, target_id: int, *, year: int) -> TargetDetail:
    eval_year = year_service.get_params(ledger, year).evaluation_year
    with ledger.reader() as s:
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
        eval_ids = {e.id: e.year for e in t.evaluations}
        history = _history(s, t.id, eval_ids)
        return TargetDetail(t.id, _values_of(t, grade), t.town.name, t.contiguous_area.name if t.contiguous_area else "",
                            entries, history)


def _history(s, target_id: int, eval_ids: dict[int, int], limit: int = 200) -> list[HistoryLine]:
    """The target's audit records, newest first, with ids shown as names; its evaluations' changes included."""
    cond = and_(AuditLog.object_type == "target", AuditLog.object_id == target_id)
    if eval_ids:
        cond = or_(cond, and_(AuditLog.object_type == "evaluation", AuditLog.object_id.in_(list(eval_ids))))
    records = list(s.scalars(select(AuditLog).where(cond).order_by(AuditLog.id.desc()).limit(limit)))
    town_ids, park_ids = set(), set()
    for a in records:
        for side in (a.before or {}, a.after or {}):
            if side.get("town_id") is not None:
                town_ids.add(side["town_id"])
            if side.get("contiguous_area_id") is not None:
                park_ids.add(side["contiguous_area_id"])
    towns = dict(s.execute(select(Town.id, Town.name).where(Town.id.in_(town_ids))).tuples().all())
    parks = dict(s.execute(select(ContiguousArea.id, ContiguousArea.name).where(ContiguousArea.id.in_(park_ids))).tuples().all())

    def shown(key: str, value) -> str:
        if value is None or value == "":
            return ""
        if key == "town_id":
            return towns.get(value, f"#{value}")
        if key == "contiguous_area_id":
            return parks.get(value, f"#{value}")
        if isinstance(value, bool):
            return "是" if value else "否"
        return str(value)

    lines = []
    for a in records:
        before, after = a.before or {}, a.after or {}
        if a.object_type == "evaluation":
            label = f"{eval_ids.get(a.object_id, '')}年度综合评价"
            changes = [FieldChange(label, shown("grade", before.get("grade")), shown("grade", after.get("grade")))]
            action = "修改"
        else:
            action = audit.action_label(a.action)
            keys = [k for k in FIELD_LABELS if k in before or k in after]
            changes = [FieldChange(FIELD_LABELS[k], shown(k, before.get(k)), shown(k, after.get(k))) for k in keys]
            if a.action == "create":
                changes = [c for c in changes if c.after and c.after != "否"]
        lines.append(HistoryLine(_local(a.at), a.user, action, changes))
    return lines


def _local(at: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time as naive local time, for display."""
    return at.replace(tzinfo=dt.timezone.utc).astimezone().replace(tzinfo=None)


NAME_MAX = 200  # characters; longer is a paste gone wrong


def copied(values: TargetValues) -> TargetValues:
    """A shallow copy: what copy.copy makes of a plain dataclass (a new instance, the same __dict__), without its
    __reduce_ex__ round trip (a quarter of the cost: an import copies each of 20 000 rows twice)."""
    v = object.__new__(values.__class__)
    v.__dict__.update(values.__dict__)
    return v


def clean(values: TargetValues) -> TargetValues:
    """Validate and normalise dialog values; raise ValidationError naming the field."""
    v = copied(values)  # the caller's values stay as typed
    v.name = (v.name or "").strip()
    if not v.name:
        raise ValidationError("名称不能为空", field="name")
    if len(v.name) > NAME_MAX:
        raise ValidationError(f"名称过长（最多{NAME_MAX}字，现为{len(v.name)}字）", field="name")
    if v.town_id is None:
        raise ValidationError("请选择所属镇街", field="town_id")
    for name in ("address", "legal_rep", "industry", "land_cert_no", "owner"):
        setattr(v, name, (getattr(v, name) or "").strip())
    v.note = (v.note or "").rstrip()
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
        value = numbers.check(getattr(v, name), label=label, field=name)
        if value is not None:
            setattr(v, name, value.quantize(units.AREA_PLACES))
    # 二: D类 means class D in the evaluation year, which only enterprises have.
    if v.kind == TargetKind.PARCEL and v.grade is not None:
        raise ValidationError("地块没有综合效益评价，评价类别请留空", field="grade")
    if v.category == Category.D_CLASS:
        if v.kind == TargetKind.PARCEL:
            raise ValidationError("D类低效指综合评价为D类的企业，地块请选择其他治理类别", field="category")
        if v.grade is not None and v.grade != EvaluationClass.D:
            raise ValidationError(f"治理类别为D类低效，评价类别应为D（现为{v.grade.label}）", field="grade")
    # 二: 连片整治 targets are those inside a contiguous area.
    if v.category == Category.CONTIGUOUS and v.contiguous_area_id is None:
        raise ValidationError("治理类别为连片整治时，请选择所在的连片整治片区", field="contiguous_area_id")
    return v


def class_warning(values: TargetValues, evaluation_year: int) -> str | None:
    """二(一): what a D类低效 object lacks to be one — its class D in the evaluation year — or None.

    Saving is still allowed (the 工信 list may come later), but the clerk is told before the save."""
    if values.category != Category.D_CLASS or values.kind != TargetKind.ENTERPRISE or values.grade is not None:
        return None
    name = (values.name or "").strip() or "该对象"
    return (f"“{name}”的治理类别为D类低效，但没有{evaluation_year}年度综合效益评价：D类低效指"
            f"{evaluation_year}年度综合评价为D类的企业（二(一)），请在“{evaluation_year}年度综合评价”中选D类。")


def _listed_message(name: str, entries: int) -> str:
    return f"“{name}”已列入{entries}条治理清单，不能删除；如不再治理，请将状态改为“已撤销”"


def why_not_delete(detail: TargetDetail) -> str | None:
    """Why a target cannot be deleted, from its loaded detail (on a list: never), or None."""
    return _listed_message(detail.values.name, len(detail.entries)) if detail.entries else None


def _check_links(session, v: TargetValues) -> None:
    """The town exists, and the contiguous area (if any) lies in that town."""
    town = session.get(Town, v.town_id)
    if town is None:
        raise ValidationError("所选镇街已不存在，请重新选择", field="town_id")
    if v.contiguous_area_id is not None:
        park = session.get(ContiguousArea, v.contiguous_area_id)
        if park is None:
            raise ValidationError("所选连片整治片区已不存在，请重新选择", field="contiguous_area_id")
        if park.town_id != town.id:
            raise ValidationError(f"“{park.name}”不在{town.name}，与所属镇街不一致", field="contiguous_area_id")


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


def create(ledger: Ledger, values: TargetValues, *, year: int) -> int:
    v = clean(values)
    eval_year = year_service.get_params(ledger, year).evaluation_year
    with ledger.session() as s:
        _check_links(s, v)
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


def update(ledger: Ledger, target_id: int, values: TargetValues, *, year: int) -> None:
    v = clean(values)
    eval_year = year_service.get_params(ledger, year).evaluation_year
    with ledger.session() as s:
        t = s.get(Target, target_id)
        if t is None:
            raise NotFound("该治理对象已不存在（可能已被他人删除）")
        if v.revision is not None and t.revision != v.revision:
            raise Refused("该治理对象已被他人修改，请关闭对话框后重新打开")
        _check_links(s, v)
        if v.credit_code and (msg := _duplicate_code_message(s, v.credit_code, t.id)):
            raise ValidationError(msg, field="credit_code")
        if v.kind != t.kind:
            raise ValidationError("不能更改治理对象的类型（企业/地块），请新建", field="kind")
        override_now = v.credit_code_override and (t.credit_code != v.credit_code or not t.credit_code_override)
        _apply(s, t, v, eval_year)
        s.flush()
        if override_now:
            audit.record(s, "保留特殊代码", "target", t.id, label=t.name, after={"credit_code": v.credit_code})


def delete(ledger: Ledger, target_id: int, *, year: int) -> TargetValues:
    """Delete a target not on any list; returns its values so the view can offer undo (create again)."""
    eval_year = year_service.get_params(ledger, year).evaluation_year
    with ledger.session() as s:
        t = s.get(Target, target_id)
        if t is None:
            raise NotFound("该治理对象已不存在")
        used = s.scalar(select(func.count(ListEntry.id)).where(ListEntry.target_id == t.id))
        if used:
            raise Refused(_listed_message(t.name, used))
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
