"""周转指标库: the year's pool, the loans SOEs pre-borrow and their returns (四(三))."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, Mu, Timestamped


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
