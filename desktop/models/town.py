"""镇(区、街道), 年度任务分解 (附件1), 成员单位 and 市级国企."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, Mu, Timestamped


class Town(Timestamped, Base):
    __tablename__ = "town"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    liaison_name: Mapped[str] = mapped_column(default="")
    liaison_phone: Mapped[str] = mapped_column(default="")
    active: Mapped[bool] = mapped_column(default=True)

    targets: Mapped[list[TownTarget]] = relationship(back_populates="town", cascade="all, delete-orphan")


class TownTarget(Timestamped, Base):
    """附件1: one town's task for one year."""

    __tablename__ = "town_target"
    __table_args__ = (UniqueConstraint("town_id", "year_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("town.id", ondelete="CASCADE"))
    year_id: Mapped[int] = mapped_column(ForeignKey("year.id", ondelete="CASCADE"))
    target_area_mu: Mapped[Decimal] = mapped_column(Mu(), default=Decimal(0))
    target_parks: Mapped[int] = mapped_column(default=0)

    town: Mapped[Town] = relationship(back_populates="targets")


class Department(Timestamped, Base):
    """成员单位: a member unit of the joint meeting (附件2). The list is data, editable."""

    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    short_name: Mapped[str] = mapped_column(default="")
    sort_order: Mapped[int] = mapped_column(default=0)
    leader: Mapped[str] = mapped_column(default="")  # 分管领导
    contact: Mapped[str] = mapped_column(default="")
    phone: Mapped[str] = mapped_column(default="")
    active: Mapped[bool] = mapped_column(default=True)


class Soe(Timestamped, Base):
    """市级国企: a city state-owned enterprise partnering towns in land banking."""

    __tablename__ = "soe"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    credit_code: Mapped[str | None] = mapped_column(default=None)
    contact: Mapped[str] = mapped_column(default="")
    phone: Mapped[str] = mapped_column(default="")
