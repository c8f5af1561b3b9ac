"""连片整治片区 / 老旧工业园区: the parks, their targets, and how many are started against the year's target."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, or_, select

from desktop.models import ContiguousArea, GovernanceList, ListEntry, Target, Town, Year
from desktop.models.enums import Category, ParkStatus, TargetState
from desktop.services import numbers
from desktop.services.towns import progress_service
from desktop.services.year import year_service
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.ledger import Ledger


@dataclass(frozen=True)
class ParkRow:
    id: int
    name: str
    town_id: int
    town: str
    area_mu: Decimal | None
    start_date: dt.date | None
    status: ParkStatus
    note: str
    target_count: int
    target_land_mu: Decimal
    revision: int


@dataclass
class ParkValues:
    """What the add/edit dialog edits (area already converted to 亩)."""

    name: str = ""
    town_id: int | None = None
    area_mu: Decimal | None = None
    start_date: dt.date | None = None
    status: ParkStatus = ParkStatus.PLANNED
    note: str = ""
    revision: int | None = None


@dataclass(frozen=True)
class ParkTargetRow:
    id: int
    name: str
    category: Category
    land_area_mu: Decimal | None
    state: TargetState


@dataclass(frozen=True)
class StartedSummary:
    year: int
    started: int
    target: int


@dataclass(frozen=True)
class DeleteImpact:
    name: str
    target_names: list[str]
    entry_count: int


# Rules --------------------------------------------------------------------------------------

def check_start(status: ParkStatus, start_date: dt.date | None) -> None:
    """一: a park counts as 启动 from its start date, so 已启动 / 已完成 need one."""
    if status in (ParkStatus.STARTED, ParkStatus.COMPLETED) and start_date is None:
        raise ValidationError(f"状态为“{status.label}”的片区必须填写启动日期", field="start_date")


def clean(values: ParkValues) -> ParkValues:
    """Validate and normalise dialog values; raise ValidationError naming the field."""
    v = dataclasses.replace(values)
    v.name = (v.name or "").strip()
    if not v.name:
        raise ValidationError("片区名称不能为空", field="name")
    if v.town_id is None:
        raise ValidationError("请选择所属镇街", field="town_id")
    v.area_mu = numbers.check(v.area_mu, label="片区面积", field="area_mu")
    if v.status is None:
        raise ValidationError("请选择状态", field="status")
    check_start(v.status, v.start_date)
    v.note = (v.note or "").strip()
    return v


# Reading ------------------------------------------------------------------------------------

def list_parks(ledger: Ledger, *, town_id: int | None = None, status: ParkStatus | None = None, text: str = "",
               park_id: int | None = None) -> list[ParkRow]:
    """Parks with their target count and the targets' land area, filtered in SQL, by town order then name."""
    counts = (
        select(Target.contiguous_area_id.label("park_id"), func.count(Target.id).label("n"),
               func.sum(Target.land_area_mu).label("land"))
        .where(Target.contiguous_area_id.is_not(None))
        .group_by(Target.contiguous_area_id)
        .subquery()
    )
    q = (
        select(ContiguousArea, Town.name, counts.c.n, counts.c.land)
        .join(Town, Town.id == ContiguousArea.town_id)
        .outerjoin(counts, counts.c.park_id == ContiguousArea.id)
        .order_by(Town.sort_order, Town.id, ContiguousArea.name)
    )
    if park_id is not None:
        q = q.where(ContiguousArea.id == park_id)
    if town_id is not None:
        q = q.where(ContiguousArea.town_id == town_id)
    if status is not None:
        q = q.where(ContiguousArea.status == status)
    if text.strip():
        q = q.where(ContiguousArea.name.contains(text.strip(), autoescape=True))
    with ledger.reader() as s:
        # SUM keeps the scaled-decimal column type, so `land` arrives as Decimal 亩 already.
        return [
            ParkRow(p.id, p.name, p.town_id, town, p.area_mu, p.start_date, p.status, p.note,
                    n or 0, land if land is not None else Decimal(0), p.revision)
            for p, town, n, land in s.execute(q)
        ]


def get(ledger: Ledger, park_id: int) -> ParkRow:
    rows = list_parks(ledger, park_id=park_id)
    if not rows:
        raise NotFound("该片区已不存在（可能已被删除）")
    return rows[0]


def values_of(row: ParkRow) -> ParkValues:
    return ParkValues(row.name, row.town_id, row.area_mu, row.start_date, row.status, row.note, row.revision)


def targets_of(ledger: Ledger, park_id: int) -> list[ParkTargetRow]:
    q = select(Target.id, Target.name, Target.category, Target.land_area_mu, Target.state).where(
        Target.contiguous_area_id == park_id).order_by(Target.name, Target.id)
    with ledger.reader() as s:
        return [ParkTargetRow(*r) for r in s.execute(q)]


def started_summary(ledger: Ledger, year: int) -> StartedSummary:
    """“本年度已启动 N 个 / 目标 M 个”: parks started in the year (progress_service's rule) vs parks_target."""
    params = year_service.get_params(ledger, year)
    with ledger.reader() as s:
        started = sum(
            1 for start, status in s.execute(select(ContiguousArea.start_date, ContiguousArea.status))
            if progress_service.park_started_in(start, status, year)
        )
    return StartedSummary(year, started, params.parks_target)


def town_choices(ledger: Ledger) -> list[tuple[int, str]]:
    """Active towns for the dialog (plus nothing else: a park is not placed in a deactivated town)."""
    with ledger.reader() as s:
        return [(i, n) for i, n in s.execute(select(Town.id, Town.name).where(Town.active)
                                                .order_by(Town.sort_order, Town.id))]


# Writing ------------------------------------------------------------------------------------

def _check_unique(session, name: str, own_id: int | None) -> None:
    other = session.scalar(select(ContiguousArea.id).where(ContiguousArea.name == name))
    if other is not None and other != own_id:
        raise ValidationError(f"片区“{name}”已存在", field="name")


def _apply(p: ContiguousArea, v: ParkValues) -> None:
    for name in ("name", "town_id", "area_mu", "start_date", "status", "note"):
        new = getattr(v, name)
        if getattr(p, name) != new:
            setattr(p, name, new)


def create(ledger: Ledger, values: ParkValues) -> int:
    v = clean(values)
    with ledger.session() as s:
        _check_unique(s, v.name, None)
        if s.get(Town, v.town_id) is None:
            raise ValidationError("所选镇街已不存在", field="town_id")
        p = ContiguousArea(name=v.name, town_id=v.town_id, status=v.status)
        _apply(p, v)
        s.add(p)
        s.flush()
        return p.id


def update(ledger: Ledger, park_id: int, values: ParkValues) -> None:
    v = clean(values)
    with ledger.session() as s:
        p = s.get(ContiguousArea, park_id)
        if p is None:
            raise NotFound("该片区已不存在（可能已被他人删除）")
        if v.revision is not None and p.revision != v.revision:
            raise Refused("该片区已被他人修改，请关闭对话框后重新打开")
        _check_unique(s, v.name, p.id)
        _apply(p, v)


def _entries_in(session, park_id: int) -> int:
    """List entries counted as contiguous through this park (directly or through their target)."""
    q = (
        select(func.count(ListEntry.id))
        .join(Target, Target.id == ListEntry.target_id)
        .where(or_(ListEntry.contiguous_area_id == park_id, Target.contiguous_area_id == park_id))
    )
    return session.scalar(q) or 0


def delete_impact(ledger: Ledger, park_id: int) -> DeleteImpact:
    """What deleting the park would touch, for the confirmation."""
    with ledger.reader() as s:
        p = s.get(ContiguousArea, park_id)
        if p is None:
            raise NotFound("该片区已不存在")
        names = list(s.scalars(select(Target.name).where(Target.contiguous_area_id == park_id).order_by(Target.name)))
        return DeleteImpact(p.name, names, _entries_in(s, park_id))


def delete(ledger: Ledger, park_id: int) -> int:
    """Delete a park; its targets become “不属于任何片区”. Refused while list entries count through it
    (their contiguous share, 三(一), would change silently). Returns how many targets were released."""
    with ledger.session() as s:
        p = s.get(ContiguousArea, park_id)
        if p is None:
            raise NotFound("该片区已不存在")
        entries = _entries_in(s, park_id)
        if entries:
            years = sorted(set(s.scalars(
                select(Year.year).join(GovernanceList, GovernanceList.year_id == Year.id)
                .join(ListEntry, ListEntry.list_id == GovernanceList.id)
                .join(Target, Target.id == ListEntry.target_id)
                .where(or_(ListEntry.contiguous_area_id == park_id, Target.contiguous_area_id == park_id))
            )))
            raise Refused(f"片区“{p.name}”已有 {entries} 条治理清单记录计入连片面积"
                          f"（{'、'.join(f'{y}年度' for y in years)}），不能删除")
        targets = list(s.scalars(select(Target).where(Target.contiguous_area_id == park_id)))
        for t in targets:
            t.contiguous_area_id = None  # through the ORM, so each change is in the audit log
        s.flush()
        s.delete(p)
        return len(targets)
