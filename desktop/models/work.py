"""政府收储, 市场化收购, 协议, 周转指标库, 月度报送与核实, 以奖代补 (三(三)(四), 四(二)(三))."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, Mu, Timestamped, Wan, enum_column
from desktop.models.enums import AcquisitionStage, AgreementKind, GroundworkStep, VerifyResult


class LandBanking(Timestamped, Base):
    """政府收储 of one entry, done with a city SOE."""

    __tablename__ = "land_banking"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("list_entry.id", ondelete="CASCADE"), unique=True)
    soe_id: Mapped[int | None] = mapped_column(ForeignKey("soe.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    entry = relationship("ListEntry")
    soe = relationship("Soe")
    steps: Mapped[list[GroundworkRecord]] = relationship(back_populates="land_banking", cascade="all, delete-orphan")


class GroundworkRecord(Timestamped, Base):
    __tablename__ = "groundwork_record"
    __table_args__ = (UniqueConstraint("land_banking_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    land_banking_id: Mapped[int] = mapped_column(ForeignKey("land_banking.id", ondelete="CASCADE"))
    step: Mapped[GroundworkStep] = enum_column(GroundworkStep)
    done_on: Mapped[dt.date | None]
    result: Mapped[str] = mapped_column(Text, default="")

    land_banking: Mapped[LandBanking] = relationship(back_populates="steps")


class Acquisition(Timestamped, Base):
    """市场化收购 of one entry by a new investor."""

    __tablename__ = "acquisition"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("list_entry.id", ondelete="CASCADE"), unique=True)
    investor: Mapped[str] = mapped_column(default="")
    new_project: Mapped[str] = mapped_column(default="")
    stage: Mapped[AcquisitionStage] = enum_column(AcquisitionStage, default=AcquisitionStage.REVIEW)
    town_reviewed_on: Mapped[dt.date | None]
    negotiated_on: Mapped[dt.date | None]
    joint_review_on: Mapped[dt.date | None]
    joint_review_passed: Mapped[bool | None]
    note: Mapped[str] = mapped_column(Text, default="")

    entry = relationship("ListEntry")
    tax_records: Mapped[list[TaxRecord]] = relationship(back_populates="acquisition", cascade="all, delete-orphan")


class TaxRecord(Timestamped, Base):
    """The tax bureau's monthly feedback on one acquisition (三(三)2)."""

    __tablename__ = "tax_record"
    __table_args__ = (UniqueConstraint("acquisition_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    acquisition_id: Mapped[int] = mapped_column(ForeignKey("acquisition.id", ondelete="CASCADE"))
    month: Mapped[dt.date]  # first day of the month
    due_wan: Mapped[Decimal | None] = mapped_column(Wan())
    paid_wan: Mapped[Decimal | None] = mapped_column(Wan())
    note: Mapped[str] = mapped_column(Text, default="")

    acquisition: Mapped[Acquisition] = relationship(back_populates="tax_records")


class Agreement(Timestamped, Base):
    """合作协议, 收储协议, 收购协议, 投资监管协议 …, filed with the office."""

    __tablename__ = "agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AgreementKind] = enum_column(AgreementKind)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("list_entry.id", ondelete="SET NULL"), index=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("town.id"))
    soe_id: Mapped[int | None] = mapped_column(ForeignKey("soe.id"))
    year_id: Mapped[int] = mapped_column(ForeignKey("year.id"))
    party_a: Mapped[str] = mapped_column(default="")
    party_b: Mapped[str] = mapped_column(default="")
    signed_on: Mapped[dt.date | None]
    amount_wan: Mapped[Decimal | None] = mapped_column(Wan())
    area_mu: Mapped[Decimal | None] = mapped_column(Mu())
    filed_on: Mapped[dt.date | None]
    over_cap_confirmed: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")

    entry = relationship("ListEntry")
    town = relationship("Town")
    soe = relationship("Soe")


class QuotaPool(Timestamped, Base):
    """周转指标库 of one year: the space quota SOEs may pre-borrow (四(三))."""

    __tablename__ = "quota_pool"

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("year.id"), unique=True)
    capacity_mu: Mapped[Decimal | None] = mapped_column(Mu())
    note: Mapped[str] = mapped_column(Text, default="")


class QuotaLoan(Timestamped, Base):
    __tablename__ = "quota_loan"

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int | None] = mapped_column(ForeignKey("quota_pool.id"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    soe_id: Mapped[int] = mapped_column(ForeignKey("soe.id"))
    town_id: Mapped[int] = mapped_column(ForeignKey("town.id"))
    loan_date: Mapped[dt.date]
    area_mu: Mapped[Decimal] = mapped_column(Mu())
    purpose: Mapped[str] = mapped_column(default="")
    note: Mapped[str] = mapped_column(Text, default="")

    plan = relationship("Plan")
    soe = relationship("Soe")
    town = relationship("Town")
    returns: Mapped[list[QuotaReturn]] = relationship(back_populates="loan", cascade="all, delete-orphan")


class QuotaReturn(Timestamped, Base):
    __tablename__ = "quota_return"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("quota_loan.id", ondelete="CASCADE"), index=True)
    return_date: Mapped[dt.date]
    area_mu: Mapped[Decimal] = mapped_column(Mu())
    note: Mapped[str] = mapped_column(Text, default="")

    loan: Mapped[QuotaLoan] = relationship(back_populates="returns")


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
    note: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[MonthlyReportItem] = relationship(back_populates="verifications")
    department = relationship("Department")


class SubsidyProposal(Timestamped, Base):
    """以奖代补 (四(二)): computed proposal per town and year, with an optional recorded override."""

    __tablename__ = "subsidy_proposal"
    __table_args__ = (UniqueConstraint("town_id", "year_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("town.id"))
    year_id: Mapped[int] = mapped_column(ForeignKey("year.id"))
    computed_wan: Mapped[Decimal | None] = mapped_column(Wan())
    override_wan: Mapped[Decimal | None] = mapped_column(Wan())
    override_reason: Mapped[str] = mapped_column(Text, default="")
