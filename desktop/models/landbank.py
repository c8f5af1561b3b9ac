"""政府收储 with its groundwork steps, 市场化收购 with its monthly tax records, and the 协议 of both (三(三))."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, Mu, Timestamped, Wan, enum_column
from desktop.models.enums import AcquisitionStage, AgreementKind, GroundworkStep


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
    filed_by: Mapped[str] = mapped_column(String(64), default="")  # who recorded the filing
    filing_approved_by: Mapped[str] = mapped_column(String(64), default="")  # never the one who filed
    filing_approved_on: Mapped[dt.date | None]
    over_cap_confirmed: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")

    entry = relationship("ListEntry")
    town = relationship("Town")
    soe = relationship("Soe")
