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
    hand_ins: Mapped[list[MonthlyReportHandIn]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="MonthlyReportHandIn.handed_in_on")


class MonthlyReportHandIn(Timestamped, Base):
    """One hand-in of a month's report. A town may hand in more than once a month (a second packet after
    the first); each hand-in keeps its own date and lateness, and rankings count each one (四(五)).
    The report's `reported_on` is its earliest hand-in's date."""

    __tablename__ = "monthly_report_hand_in"
    __table_args__ = (UniqueConstraint("report_id", "handed_in_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("monthly_report.id", ondelete="CASCADE"), index=True)
    handed_in_on: Mapped[dt.date]
    is_late: Mapped[bool] = mapped_column(default=False)

    report: Mapped[MonthlyReport] = relationship(back_populates="hand_ins")


class MonthlyReportItem(Timestamped, Base):
    __tablename__ = "monthly_report_item"
    __table_args__ = (UniqueConstraint("report_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("monthly_report.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("list_entry.id"))
    # The hand-in that brought the item: its date is the entry's completion date and its lateness the item's.
    hand_in_id: Mapped[int | None] = mapped_column(ForeignKey("monthly_report_hand_in.id", ondelete="SET NULL"),
                                                   index=True)
    completed_area_mu: Mapped[Decimal | None] = mapped_column(Mu())
    note: Mapped[str] = mapped_column(Text, default="")

    report: Mapped[MonthlyReport] = relationship(back_populates="items")
    hand_in: Mapped[MonthlyReportHandIn | None] = relationship()
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
