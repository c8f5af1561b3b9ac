"""年度拟治理清单 (三(一)) and 治理方案 (三(二))."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, Mu, Timestamped, Wan, enum_column
from desktop.models.enums import EntryState, ListStatus, Method


class GovernanceList(Timestamped, Base):
    """One town's list for one year."""

    __tablename__ = "governance_list"
    __table_args__ = (UniqueConstraint("town_id", "year_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("town.id"))
    year_id: Mapped[int] = mapped_column(ForeignKey("year.id"))
    status: Mapped[ListStatus] = enum_column(ListStatus, default=ListStatus.DRAFT)
    submitted_at: Mapped[dt.datetime | None]
    submitted_by: Mapped[str] = mapped_column(String(64), default="")  # never also its reviewer
    reviewed_at: Mapped[dt.datetime | None]
    reviewer: Mapped[str] = mapped_column(default="")
    return_reason: Mapped[str] = mapped_column(Text, default="")

    town = relationship("Town")
    year = relationship("Year")
    entries: Mapped[list[ListEntry]] = relationship(back_populates="governance_list", cascade="all, delete-orphan")


class ListEntry(Timestamped, Base):
    """One target on a town's list, with planned method and area, and its state (DOMAIN §2)."""

    __tablename__ = "list_entry"
    __table_args__ = (UniqueConstraint("list_id", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("governance_list.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("target.id"), index=True)
    planned_method: Mapped[Method] = enum_column(Method)
    planned_area_mu: Mapped[Decimal] = mapped_column(Mu())
    contiguous_area_id: Mapped[int | None] = mapped_column(ForeignKey("contiguous_area.id", ondelete="SET NULL"))
    state: Mapped[EntryState] = enum_column(EntryState, default=EntryState.DRAFT, index=True)
    state_reason: Mapped[str] = mapped_column(Text, default="")
    completed_on: Mapped[dt.date | None]
    verified_on: Mapped[dt.date | None]
    verified_area_mu: Mapped[Decimal | None] = mapped_column(Mu())
    note: Mapped[str] = mapped_column(Text, default="")

    governance_list: Mapped[GovernanceList] = relationship(back_populates="entries")
    target = relationship("Target")
    contiguous_area = relationship("ContiguousArea")


class Plan(Timestamped, Base):
    """治理方案: filed per entry (or per batch, sharing a batch number)."""

    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("list_entry.id", ondelete="CASCADE"), index=True)
    batch_no: Mapped[str] = mapped_column(default="")
    method: Mapped[Method] = enum_column(Method)
    planned_area_mu: Mapped[Decimal] = mapped_column(Mu())
    planned_cost_wan: Mapped[Decimal | None] = mapped_column(Wan())
    soe_id: Mapped[int | None] = mapped_column(ForeignKey("soe.id"))
    filed_on: Mapped[dt.date | None]
    note: Mapped[str] = mapped_column(Text, default="")

    entry = relationship("ListEntry")
    soe = relationship("Soe")
