"""考核评分, 通报, 典型案例 (四(一)(五))."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, Timestamped, Wan, enum_column
from desktop.models.enums import CaseKind, ScoringSubject


class ScoringSession(Timestamped, Base):
    __tablename__ = "scoring_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("year.id"))
    subject: Mapped[ScoringSubject] = enum_column(ScoringSubject)
    title: Mapped[str]
    held_on: Mapped[dt.date | None]
    closed: Mapped[bool] = mapped_column(default=False)  # confirmed by a second account: locked
    # Opened: the criteria and weights are frozen (四(五)); the first score entered opens it.
    opened_at: Mapped[dt.datetime | None]
    opened_by: Mapped[str] = mapped_column(default="")
    confirmed_at: Mapped[dt.datetime | None]
    confirmed_by: Mapped[str] = mapped_column(default="")
    unlock_reason: Mapped[str] = mapped_column(Text, default="")  # the last unlock's reason (each one is in the log)

    criteria: Mapped[list[Criterion]] = relationship(back_populates="session", cascade="all, delete-orphan", order_by="Criterion.sort_order")


class Criterion(Timestamped, Base):
    __tablename__ = "criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("scoring_session.id", ondelete="CASCADE"))
    name: Mapped[str]
    weight: Mapped[Decimal] = mapped_column(Wan())
    max_points: Mapped[Decimal] = mapped_column(Wan())
    sort_order: Mapped[int] = mapped_column(default=0)
    source: Mapped[str] = mapped_column(default="")  # the ledger figure it is computed from; "" = entered

    session: Mapped[ScoringSession] = relationship(back_populates="criteria")


class Score(Timestamped, Base):
    """One subject's points on one criterion (the subject is a town, department or SOE by id)."""

    __tablename__ = "score"
    __table_args__ = (UniqueConstraint("criterion_id", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id", ondelete="CASCADE"))
    subject_id: Mapped[int]
    points: Mapped[Decimal | None] = mapped_column(Wan())
    scorer: Mapped[str] = mapped_column(default="")
    note: Mapped[str] = mapped_column(Text, default="")


class Bulletin(Timestamped, Base):
    """通报: a periodic progress bulletin with rankings (kept as issued)."""

    __tablename__ = "bulletin"

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("year.id"), index=True)
    number: Mapped[str] = mapped_column(default="")  # "" while a draft
    title: Mapped[str]
    month: Mapped[int | None]  # the month it reports on; None: the year so far
    period_end: Mapped[dt.date | None]
    issued_on: Mapped[dt.date | None]  # None: a draft the clerk is still writing; set once, by 签发
    body: Mapped[str] = mapped_column(Text, default="")
    rankings: Mapped[dict] = mapped_column(JSON, default=dict)
    drafted_by: Mapped[str] = mapped_column(default="", server_default="")
    issued_by: Mapped[str] = mapped_column(default="", server_default="")


class Case(Timestamped, Base):
    """典型案例 for publicity."""

    __tablename__ = "case"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    target_id: Mapped[int | None] = mapped_column(ForeignKey("target.id", ondelete="SET NULL"))
    kind: Mapped[CaseKind] = enum_column(CaseKind)
    medium: Mapped[str] = mapped_column(default="")
    published_on: Mapped[dt.date | None]
    summary: Mapped[str] = mapped_column(Text, default="")
    bulletin_id: Mapped[int | None] = mapped_column(ForeignKey("bulletin.id", ondelete="SET NULL"), index=True)
