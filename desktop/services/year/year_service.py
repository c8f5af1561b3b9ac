"""年度 and 年度参数: the numbers every rule reads. The 2024 plan gives the defaults for a first year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import Department, Year, YearParams
from desktop.services import units
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.ledger import Ledger
# The declaration table's names are re-exported here: callers read them as year_service.PARAM_LIMITS etc.
from desktop.services.year.params import (  # noqa: F401
    GROUPS,
    INT_FIELDS,
    LIST_FIELDS,
    OPTIONAL_FIELDS,
    PARAM_FIELDS,
    PARAM_HINTS,
    PARAM_LIMITS,
    PLAN_2024_DEFAULTS,
    Params,
    plan_2024_defaults,
)

FIRST_YEAR = 2024


def parse_form(texts: dict) -> dict:
    """Typed parameter values from what was typed in the form (numbers as text, the department list as is).

    Raises ValidationError naming the field for text that is not a number (or not a whole number).
    Bounds are checked by validate(), not here.
    """
    values: dict = {}
    for name, raw in texts.items():
        if name not in PARAM_FIELDS:
            raise ValidationError(f"未知参数：{name}")
        if name in LIST_FIELDS:
            values[name] = [str(d).strip() for d in raw if str(d).strip()]
            continue
        label = PARAM_LIMITS[name][0]
        value = units.parse_decimal(raw, field=name, label=label, allow_negative=True,
                                    allow_empty=name in OPTIONAL_FIELDS)
        if value is not None and name in INT_FIELDS:
            if value != value.to_integral_value():
                raise ValidationError(f"{label}应为整数", field=name)
            value = int(value)
        values[name] = value
    return values


def form_problems(texts: dict) -> list[ValidationError]:
    """Every refusal in a filled form, one per field, in form order (the page shows them all at once)."""
    problems: list[ValidationError] = []
    good: dict = {}
    for name, raw in texts.items():
        try:
            good.update(validate(parse_form({name: raw})))
        except ValidationError as exc:
            problems.append(exc)
    if not problems:
        try:
            validate(good)  # rules across fields
        except ValidationError as exc:
            problems.append(exc)
    return problems


@dataclass(frozen=True)
class DepartmentRow:
    id: int
    name: str
    active: bool


def list_departments(ledger: Ledger) -> list[DepartmentRow]:
    """成员单位 in their order (the 年度参数 page offers them as verifying departments)."""
    with ledger.reader() as s:
        return [
            DepartmentRow(i, n, a)
            for i, n, a in s.execute(select(Department.id, Department.name, Department.active)
                                     .order_by(Department.sort_order, Department.id))
        ]


def _to_params(y: Year) -> Params:
    p = y.params
    return Params(year=y.year, revision=p.revision, **{f: getattr(p, f) for f in PARAM_FIELDS})


def validate(values: dict) -> dict:
    """Check every bounded field; raise ValidationError naming the field. Returns the values."""
    for name, (label, lo, hi) in PARAM_LIMITS.items():
        if name not in values:
            continue
        v = values[name]
        if v is None:
            if name in OPTIONAL_FIELDS:
                continue
            raise ValidationError(f"{label}不能为空", field=name)
        if lo is not None and v < lo:
            raise ValidationError(f"{label}不能小于 {lo}", field=name)
        if hi is not None and v > hi:
            raise ValidationError(f"{label}不能大于 {hi}", field=name)
    if "report_due_day" in values and "verify_due_day" in values and values["verify_due_day"] < values["report_due_day"]:
        raise ValidationError("月度核实截止日不能早于报送截止日", field="verify_due_day")
    if "verifying_departments" in values and not values["verifying_departments"]:
        raise ValidationError("至少需要一个核实部门", field="verifying_departments")
    return values


def list_years(ledger: Ledger) -> list[int]:
    # The table's columns, not the mapped class: the window asks before showing, and the ORM's one-time
    # set-up of every mapper is left to the lane (see setup_service._nothing_to_seed).
    year = Year.__table__.c.year
    with ledger.reader() as s:
        return list(s.scalars(select(year).order_by(year)))


def current_year(ledger: Ledger) -> int:
    """The year marked current, else the latest year (asked in plain SQL, as list_years)."""
    t = Year.__table__
    with ledger.reader() as s:
        y = s.scalar(select(t.c.year).where(t.c.is_current)) or s.scalar(select(t.c.year).order_by(t.c.year.desc()))
    if y is None:
        raise NotFound("数据库中还没有任何年度，请先初始化（zzb init）")
    return y


def set_current_year(ledger: Ledger, year: int) -> None:
    with ledger.session() as s:
        for y in s.scalars(select(Year)):
            want = y.year == year
            if y.is_current != want:
                y.is_current = want


def get_params(ledger: Ledger, year: int) -> Params:
    with ledger.reader() as s:
        y = s.scalar(select(Year).where(Year.year == year))
        if y is None:
            raise NotFound(f"没有 {year} 年度的参数")
        return _to_params(y)


def params_in_session(session, year: int) -> Params:
    y = session.scalar(select(Year).where(Year.year == year))
    if y is None:
        raise NotFound(f"没有 {year} 年度的参数")
    return _to_params(y)


def params_for(source: Ledger | Session, day: dt.date, *, cache: dict[int, Params] | None = None) -> Params:
    """Which year's parameters apply to a date: its own year's; for a year with none, the latest year
    before it; for a date before every year, the earliest year's.

    `source` is a ledger or an open session. `cache` (year → Params), when given, keeps each year read
    once across many dates in one job (a loan ledger asks for every loan's year).
    """
    if cache is not None and day.year in cache:
        return cache[day.year]
    if not isinstance(source, Session):
        with source.reader() as s:
            return params_for(s, day, cache=cache)
    years = list(source.scalars(select(Year.year).order_by(Year.year)))
    if not years:
        raise NotFound("数据库中还没有任何年度参数，请先初始化（zzb init）")
    before = [y for y in years if y <= day.year]
    params = params_in_session(source, before[-1] if before else years[0])
    if cache is not None:
        cache[day.year] = params
    return params


def create_first_year(session, year: int = FIRST_YEAR) -> Year:
    y = Year(year=year, title=f"{year}年度", is_current=True, params=YearParams(**plan_2024_defaults()))
    session.add(y)
    session.flush()
    return y


def new_year(ledger: Ledger, year: int | None = None) -> Params:
    """新建年度: copy the latest year's parameters (DOMAIN: a new year starts as a copy)."""
    with ledger.session() as s:
        last = s.scalar(select(Year).order_by(Year.year.desc()))
        if last is None:
            create_first_year(s, year or FIRST_YEAR)
            return params_in_session(s, year or FIRST_YEAR)
        year = year or last.year + 1
        if s.scalar(select(Year).where(Year.year == year)):
            raise Refused(f"{year} 年度已存在")
        values = {f: getattr(last.params, f) for f in PARAM_FIELDS}
        for name in LIST_FIELDS:
            values[name] = list(values[name])
        s.add(Year(year=year, title=f"{year}年度", params=YearParams(**values)))
        s.flush()
        return params_in_session(s, year)


def update_params(ledger: Ledger, year: int, values: dict, *, expected_revision: int | None = None) -> Params:
    """Save edited parameters after validation; refuse when someone else changed them meanwhile."""
    unknown = set(values) - set(PARAM_FIELDS)
    if unknown:
        raise ValidationError(f"未知参数：{', '.join(sorted(unknown))}")
    validate(values)
    with ledger.session() as s:
        y = s.scalar(select(Year).where(Year.year == year))
        if y is None:
            raise NotFound(f"没有 {year} 年度的参数")
        if expected_revision is not None and y.params.revision != expected_revision:
            raise Refused("参数已被他人修改，请刷新后重试")
        for k, v in values.items():
            if k in LIST_FIELDS:
                v = list(v)
            if getattr(y.params, k) != v:
                setattr(y.params, k, v)
        s.flush()
        return _to_params(y)
