"""镇(区、街道) and 年度任务分解 (附件1): the town directory (order, liaison) and each town's yearly target."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from desktop.models import Base, Town, TownTarget, Year
from desktop.services import numbers, units
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.ledger import Ledger

PHONE_DIGITS_MIN = 7
PHONE_DIGITS_MAX = 12
_PHONE_RE = re.compile(r"^[0-9-]+$")
_FULLWIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９－"}

# What a reference to a town is called when the town cannot be deleted because of it.
_REFERENCE_LABELS = {
    "target": "治理对象",
    "governance_list": "治理清单",
    "contiguous_area": "连片整治片区",
    "examination": "综合体检",
    "agreement": "协议",
    "quota_loan": "周转指标借用",
    "monthly_report": "月度报送",
    "subsidy_proposal": "以奖代补",
    "packet_import": "Excel 报表记录",
}


@dataclass(frozen=True)
class TownRow:
    id: int
    name: str
    sort_order: int
    liaison_name: str
    liaison_phone: str
    active: bool
    revision: int


@dataclass
class TownUsage:
    """What refers to a town; a town with any of it is deactivated, never deleted."""

    town: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return any(self.counts.values())

    def describe(self) -> str:
        return "、".join(f"{label} {n} 条" for label, n in self.counts.items() if n)


def id_by_name(ledger: Ledger, name: str) -> int:
    """A town's id by its exact name (the CLI's --town); an unknown name is refused with the towns there are."""
    with ledger.reader() as s:
        town_id = s.scalar(select(Town.id).where(Town.name == (name or "").strip()))
        if town_id is None:
            names = s.scalars(select(Town.name).order_by(Town.sort_order, Town.id).limit(12)).all()
            known = f"现有镇街：{'、'.join(names)}" if names else "数据库中还没有镇街"
            raise NotFound(f"没有名为“{(name or '').strip()}”的镇街。{known}")
        return town_id


# Validation ---------------------------------------------------------------------------------

def clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("镇街名称不能为空", field="name")
    if len(name) > 40:
        raise ValidationError("镇街名称过长（最多 40 字）", field="name")
    return name


def clean_phone(phone: str) -> str:
    """Liaison phone: digits and “-” only, 7–12 digits (landline with area code or mobile); may be empty."""
    phone = re.sub(r"\s+", "", (phone or "").translate(_FULLWIDTH))
    if not phone:
        return ""
    if not _PHONE_RE.match(phone):
        raise ValidationError("联系电话只能包含数字和“-”", field="liaison_phone")
    digits = len(phone.replace("-", ""))
    if not PHONE_DIGITS_MIN <= digits <= PHONE_DIGITS_MAX:
        raise ValidationError(f"联系电话应为 {PHONE_DIGITS_MIN}–{PHONE_DIGITS_MAX} 位数字，现为 {digits} 位",
                              field="liaison_phone")
    return phone


def parse_target_area(text) -> Decimal:
    """附件1 target area in 亩: a non-negative number (empty means 0)."""
    value = units.parse_area(text, field="target_area_mu", label="目标面积")
    return Decimal(0) if value is None else value


def parse_target_parks(text) -> int:
    """附件1 target number of contiguous parks: a non-negative whole number (empty means 0)."""
    value = numbers.parse_int(text, field="target_parks", label="目标园区数")
    return 0 if value is None else value


# Directory ----------------------------------------------------------------------------------

def _row(t: Town) -> TownRow:
    return TownRow(t.id, t.name, t.sort_order, t.liaison_name, t.liaison_phone, t.active, t.revision)


def list_towns(ledger: Ledger, *, include_inactive: bool = True) -> list[TownRow]:
    q = select(Town).order_by(Town.sort_order, Town.id)
    if not include_inactive:
        q = q.where(Town.active)
    with ledger.reader() as s:
        return [_row(t) for t in s.scalars(q)]


def _check_unique(session, name: str, own_id: int | None) -> None:
    other = session.scalar(select(Town.id).where(Town.name == name))
    if other is not None and other != own_id:
        raise ValidationError(f"镇街“{name}”已存在", field="name")


def create_town(ledger: Ledger, name: str, liaison_name: str = "", liaison_phone: str = "") -> TownRow:
    name = clean_name(name)
    phone = clean_phone(liaison_phone)
    with ledger.session() as s:
        _check_unique(s, name, None)
        last = s.scalar(select(func.max(Town.sort_order))) or 0
        t = Town(name=name, sort_order=last + 1, liaison_name=(liaison_name or "").strip(), liaison_phone=phone)
        s.add(t)
        s.flush()
        return _row(t)


def update_town(ledger: Ledger, town_id: int, *, name: str, liaison_name: str = "", liaison_phone: str = "",
                expected_revision: int | None = None) -> TownRow:
    """Rename a town and set its liaison."""
    name = clean_name(name)
    phone = clean_phone(liaison_phone)
    liaison_name = (liaison_name or "").strip()
    with ledger.session() as s:
        t = _get(s, town_id)
        if expected_revision is not None and t.revision != expected_revision:
            raise Refused(f"镇街“{t.name}”已被他人修改，请刷新后重试")
        _check_unique(s, name, t.id)
        for attr, value in (("name", name), ("liaison_name", liaison_name), ("liaison_phone", phone)):
            if getattr(t, attr) != value:
                setattr(t, attr, value)
        s.flush()
        return _row(t)


def _get(session, town_id: int) -> Town:
    t = session.get(Town, town_id)
    if t is None:
        raise NotFound("该镇街已不存在（可能已被删除）")
    return t


def _renumber(towns: list[Town]) -> None:
    for i, t in enumerate(towns, start=1):
        if t.sort_order != i:
            t.sort_order = i


def move_town(ledger: Ledger, town_id: int, delta: int) -> None:
    """上移 (delta −1) / 下移 (+1) in the directory order; at either end nothing changes."""
    with ledger.session() as s:
        towns = list(s.scalars(select(Town).order_by(Town.sort_order, Town.id)))
        idx = next((i for i, t in enumerate(towns) if t.id == town_id), None)
        if idx is None:
            raise NotFound("该镇街已不存在（可能已被删除）")
        new = max(0, min(len(towns) - 1, idx + delta))
        if new != idx:
            towns.insert(new, towns.pop(idx))
        _renumber(towns)


def why_not_move(order: list[int], town_id: int, delta: int) -> str | None:
    """Why the town cannot go up (delta −1) or down (+1) in the directory `order` (ids), or None."""
    if town_id not in order:
        return "请先选择一个镇街"
    new = order.index(town_id) + delta
    if new < 0:
        return "已在最前"
    if new >= len(order):
        return "已在最后"
    return None


def set_order(ledger: Ledger, town_ids: list[int]) -> None:
    """Put the towns in this order (drag and drop); towns not named keep their place after them."""
    with ledger.session() as s:
        towns = list(s.scalars(select(Town).order_by(Town.sort_order, Town.id)))
        by_id = {t.id: t for t in towns}
        unknown = [i for i in town_ids if i not in by_id]
        if unknown:
            raise NotFound("部分镇街已不存在，请刷新后重试")
        ordered = [by_id[i] for i in town_ids] + [t for t in towns if t.id not in set(town_ids)]
        _renumber(ordered)


def set_active(ledger: Ledger, town_id: int, active: bool) -> None:
    """停用 keeps a town with data out of new lists and the 附件1 table; 启用 brings it back."""
    with ledger.session() as s:
        t = _get(s, town_id)
        if t.active != active:
            t.active = active


def usage(ledger: Ledger, town_id: int) -> TownUsage:
    """Everything that refers to the town (any table with a foreign key to it), plus non-zero targets."""
    with ledger.reader() as s:
        t = _get(s, town_id)
        return _usage(s, t)


def _usage(session, t: Town) -> TownUsage:
    counts: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        if table.name in ("town", "town_target"):
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == "town":
                n = session.scalar(select(func.count()).select_from(table).where(fk.parent == t.id)) or 0
                if n:
                    label = _REFERENCE_LABELS.get(table.name, table.name)
                    counts[label] = counts.get(label, 0) + n
    set_targets = session.scalar(
        select(func.count(TownTarget.id)).where(
            TownTarget.town_id == t.id, (TownTarget.target_area_mu != 0) | (TownTarget.target_parks != 0))
    ) or 0
    if set_targets:
        counts["年度任务分解"] = set_targets
    return TownUsage(t.name, counts)


def delete_town(ledger: Ledger, town_id: int) -> None:
    """Delete a town that holds no data; a town with data is refused (deactivate it instead)."""
    with ledger.session() as s:
        t = _get(s, town_id)
        use = _usage(s, t)
        if use.has_data:
            raise Refused(f"镇街“{t.name}”已有数据（{use.describe()}），不能删除，可改为停用")
        s.delete(t)


# 附件1 targets --------------------------------------------------------------------------------

@dataclass(frozen=True)
class TownTargetRow:
    town_id: int
    year: int
    target_area_mu: Decimal
    target_parks: int


def _year_id(session, year: int) -> int:
    year_id = session.scalar(select(Year.id).where(Year.year == year))
    if year_id is None:
        raise NotFound(f"没有 {year} 年度")
    return year_id


def set_target(ledger: Ledger, town_id: int, year: int, *, target_area_mu=None, target_parks=None) -> TownTargetRow:
    """Set a town's 附件1 target for the year (created on first edit). None leaves a value unchanged.

    Accepts numbers or typed text; negative or non-numeric values are refused naming the field.
    """
    area = parse_target_area(target_area_mu) if target_area_mu is not None else None
    parks = parse_target_parks(target_parks) if target_parks is not None else None
    with ledger.session() as s:
        t = _get(s, town_id)
        year_id = _year_id(s, year)
        tt = s.scalar(select(TownTarget).where(TownTarget.town_id == t.id, TownTarget.year_id == year_id))
        if tt is None:
            tt = TownTarget(town_id=t.id, year_id=year_id, target_area_mu=area or Decimal(0), target_parks=parks or 0)
            s.add(tt)
        else:
            if area is not None and tt.target_area_mu != area:
                tt.target_area_mu = area
            if parks is not None and tt.target_parks != parks:
                tt.target_parks = parks
        s.flush()
        return TownTargetRow(t.id, year, tt.target_area_mu, tt.target_parks)


def get_targets(ledger: Ledger, year: int) -> dict[int, TownTargetRow]:
    with ledger.reader() as s:
        year_id = _year_id(s, year)
        return {
            tt.town_id: TownTargetRow(tt.town_id, year, tt.target_area_mu, tt.target_parks)
            for tt in s.scalars(select(TownTarget).where(TownTarget.year_id == year_id))
        }
