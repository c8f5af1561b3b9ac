"""月度报送与核实: a town's monthly report, its items and each verifying department's result (三(四))."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, Mu, Timestamped, enum_column
from desktop.models.enums import VerifyResult


class MonthlyReport(Timestamped, Base):
    """A town's monthly report of completed entries (三(四), due day 20)."""

    __tablename__ = "monthly_report"
    __table_args__ = (UniqueConstraint("town_id", "year_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("town.id"))
    year_id: Mapped[int] = mapped_column(ForeignKey("year.id"))
    month: Mapped[int]
    reported_on: Mapped[dt.date | None]
    is_late: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    # 核实结果确认: a leader confirms the month's verifications; never one who recorded any of them.
    verification_confirmed_by: Mapped[str] = mapped_column(String(64), default="")
    verification_confirmed_at: Mapped[dt.datetime | None]

    town = relationship("Town")
    items: Mapped[list[MonthlyReportItem]] = relationship(back_populates="report", cascade="all, delete-orphan")


class MonthlyReportItem(Timestamped, Base):
    __tablename__ = "monthly_report_item"
    __table_args__ = (UniqueConstraint("report_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("monthly_report.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("list_entry.id"))
    completed_area_mu: Mapped[Decimal | None] = mapped_column(Mu())
    note: Mapped[str] = mapped_column(Text, default="")

    report: Mapped[MonthlyReport] = relationship(back_populates="items")
    entry = relationship("ListEntry")
    verifications: Mapped[list[Verification]] = relationship(back_populates="item", cascade="all, delete-orphan")


class Verification(Timestamped, Base):
    """One verifying department's pass/fail on one reported entry (due day 25)."""

    __tablename__ = "verification"
    __table_args__ = (UniqueConstraint("item_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("monthly_report_item.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    result: Mapped[VerifyResult] = enum_column(VerifyResult)
    verified_on: Mapped[dt.date | None]
    is_late: Mapped[bool] = mapped_column(default=False)
    recorded_by: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[MonthlyReportItem] = relationship(back_populates="verifications")
    department = relationship("Department")
