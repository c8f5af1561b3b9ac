"""年度 and 年度参数: one work year and the numbers of its plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, Mu, Timestamped, Wan


class Year(Timestamped, Base):
    __tablename__ = "year"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(default="")
    is_current: Mapped[bool] = mapped_column(default=False)

    params: Mapped[YearParams] = relationship(back_populates="year", uselist=False, cascade="all, delete-orphan")


class YearParams(Timestamped, Base):
    """The numbers of one year's plan. Every rule reads its number from here (DOMAIN: year parameters).

    The columns are declared once more in services/year/params.PARAMS (label, unit, default, limits,
    hint); tests/test_year_params.py checks that the two agree.
    """

    __tablename__ = "year_params"

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("year.id", ondelete="CASCADE"), unique=True)
    target_area_mu: Mapped[Decimal] = mapped_column(Mu())
    parks_target: Mapped[int]
    contiguous_share_min_pct: Mapped[Decimal] = mapped_column(Mu())
    landbank_cost_cap_wan_per_mu: Mapped[Decimal] = mapped_column(Wan())
    agreement_filing_workdays: Mapped[int] = mapped_column(default=10, server_default="10")
    quota_borrow_ratio_pct: Mapped[Decimal] = mapped_column(Mu())
    quota_return_years: Mapped[int] = mapped_column(default=1)
    quota_overdue_fee_wan_per_mu: Mapped[Decimal] = mapped_column(Wan())
    report_due_day: Mapped[int]
    verify_due_day: Mapped[int]
    issue_list_workdays: Mapped[int]
    progress_report_workdays: Mapped[int]
    evaluation_year_offset: Mapped[int]
    verifying_departments: Mapped[list[str]] = mapped_column(JSON, default=list)
    subsidy_rate_wan_per_mu: Mapped[Decimal | None] = mapped_column(Wan(), nullable=True)
    subsidy_park_bonus_wan: Mapped[Decimal | None] = mapped_column(Wan(), nullable=True)

    year: Mapped[Year] = relationship(back_populates="params")


class Holiday(Base):
    """One calendar day that departs from the Mon–Fri rule: a public holiday or a make-up workday (调休上班)."""

    __tablename__ = "holiday"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    name: Mapped[str] = mapped_column(default="")
    source: Mapped[str] = mapped_column(default="")


class CalendarYear(Base):
    """Marks a year whose holiday table is complete (so deadlines inside it can be computed)."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(default="")
    loaded_at: Mapped[dt.datetime | None]
