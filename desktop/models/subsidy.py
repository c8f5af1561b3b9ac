"""以奖代补: the year-end subsidy proposal per town, with a recorded override (四(二))."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Timestamped, Wan


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
