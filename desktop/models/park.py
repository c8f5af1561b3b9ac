"""连片整治片区 / 老旧工业园区."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, Mu, Timestamped, enum_column
from desktop.models.enums import ParkStatus


class ContiguousArea(Timestamped, Base):
    __tablename__ = "contiguous_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("town.id"), index=True)
    area_mu: Mapped[Decimal | None] = mapped_column(Mu())
    start_date: Mapped[dt.date | None]
    status: Mapped[ParkStatus] = enum_column(ParkStatus, default=ParkStatus.PLANNED)
    note: Mapped[str] = mapped_column(Text, default="")

    town = relationship("Town")
    targets = relationship("Target", back_populates="contiguous_area")
