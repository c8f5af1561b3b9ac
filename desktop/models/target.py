"""治理对象: enterprises and parcels in one register (single-table inheritance), and their evaluations."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, Mu, Timestamped, enum_column
from desktop.models.enums import Category, EvaluationClass, TargetKind, TargetState


class Target(Timestamped, Base):
    """Anything governed: an enterprise, or a parcel (地块, 码头 …) with no live enterprise."""

    __tablename__ = "target"
    __table_args__ = (
        Index("ix_target_town_category", "town_id", "category"),
        # Not an index on name alone: SQLite would walk it to ORDER BY name and visit every row in
        # random order (5x slower than scanning and sorting the matches). Town + name serves lookups.
        Index("ix_target_town_name", "town_id", "name"),
        # Covering index for search-as-you-type, in display order: a LIKE scan reads this narrow index
        # instead of the wide rows, and a search sorted by name stops at its first screen (migration 0008;
        # the trigram index that answers terms of 3+ characters lives beside it, services/search_index.py).
        Index("ix_target_name_search", "name", "id", "search_text"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TargetKind] = enum_column(TargetKind)
    name: Mapped[str]
    town_id: Mapped[int] = mapped_column(ForeignKey("town.id"), index=True)
    category: Mapped[Category] = enum_column(Category)
    contiguous_area_id: Mapped[int | None] = mapped_column(ForeignKey("contiguous_area.id", ondelete="SET NULL"), index=True)
    address: Mapped[str] = mapped_column(default="")
    land_area_mu: Mapped[Decimal | None] = mapped_column(Mu())
    state: Mapped[TargetState] = enum_column(TargetState, default=TargetState.PENDING, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    # Enterprise fields
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    credit_code_override: Mapped[bool] = mapped_column(default=False)
    legal_rep: Mapped[str] = mapped_column(default="")
    building_area_m2: Mapped[Decimal | None] = mapped_column(Mu())
    industry: Mapped[str] = mapped_column(default="")
    # Parcel fields
    land_cert_no: Mapped[str] = mapped_column(default="")
    owner: Mapped[str] = mapped_column(default="")
    # Lower-cased name | code | address, so search-as-you-type scans one column (see target_service).
    search_text: Mapped[str] = mapped_column(Text, default="")

    town = relationship("Town")
    contiguous_area = relationship("ContiguousArea", back_populates="targets")
    evaluations: Mapped[list[Evaluation]] = relationship(back_populates="target", cascade="all, delete-orphan")

    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"polymorphic_on": "kind", "version_id_col": revision}


class Enterprise(Target):
    __mapper_args__ = {"polymorphic_identity": TargetKind.ENTERPRISE}


class Parcel(Target):
    __mapper_args__ = {"polymorphic_identity": TargetKind.PARCEL}


class Evaluation(Base):
    """综合效益评价: the A/B/C/D class of an industrial enterprise in one evaluation year."""

    __tablename__ = "evaluation"
    __table_args__ = (UniqueConstraint("target_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("target.id", ondelete="CASCADE"))
    year: Mapped[int]
    grade: Mapped[EvaluationClass] = enum_column(EvaluationClass)
    source: Mapped[str] = mapped_column(default="")

    target: Mapped[Target] = relationship(back_populates="evaluations")
