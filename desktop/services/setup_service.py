"""First-run seeding: the first year with the plan's parameters and the 21 member units."""

from __future__ import annotations

from sqlalchemy import func, select

from desktop.models import CalendarYear, Department, Year
from desktop.services import audit
from desktop.services.deadlines import calendar_service
from desktop.services.year import year_service
from desktop.services.ledger import Ledger

# 附件2: the member units of the joint examination meeting, in the plan's order.
MEMBER_UNITS = [
    "市政府办", "法院", "发改委", "工信局", "公安局", "司法局", "人社局", "资规局", "住建局",
    "城管局", "交通运输局", "水利局", "卫健局", "应急管理局", "市场监管局", "地方金融监管局",
    "税务局", "生态环境局", "供电公司", "人行", "消防救援大队",
]


def is_initialized(ledger: Ledger) -> bool:
    with ledger.reader() as s:
        return bool(s.scalar(select(func.count(Year.id))))


def initialize(ledger: Ledger) -> bool:
    """Create the first year and the member units if the database is empty; make sure the holiday
    table holds every year the bundled calendar knows. True when the year was created."""
    if _nothing_to_seed(ledger):
        return False
    created = _create_first_year(ledger)
    calendar_service.seed_from_package(ledger)
    return created


def _nothing_to_seed(ledger: Ledger) -> bool:
    """The usual start: a year exists and the holiday table has every bundled year. Asked in plain SQL
    (tables, not mapped classes) and without a write lock, so that the window can show before the ORM
    sets its mappers up (tens of milliseconds, then done on the lane by the first page's query)."""
    years, calendar = Year.__table__, CalendarYear.__table__
    with ledger.reader() as s:
        if not s.scalar(select(func.count()).select_from(years)):
            return False
        have = set(s.scalars(select(calendar.c.year)))
    return set(calendar_service.package_years()) <= have


def _create_first_year(ledger: Ledger) -> bool:
    with ledger.session() as s:
        if s.scalar(select(func.count(Year.id))):
            return False
        s.info["skip_audit"] = True
        year_service.create_first_year(s)
        for i, name in enumerate(MEMBER_UNITS, start=1):
            s.add(Department(name=name, sort_order=i))
        s.flush()
        s.info["skip_audit"] = False
        audit.record(s, "初始化", "database", label=f"{year_service.FIRST_YEAR}年度参数与{len(MEMBER_UNITS)}个成员单位")
        return True
