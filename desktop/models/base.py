"""Declarative base, naming convention and the column types every model shares."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, DateTime, Enum, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ScaledDecimal(TypeDecorator):
    """Exact decimal stored as a scaled integer, so SQLite and PostgreSQL sum and compare alike.

    Areas (亩) and money (万元) keep four decimals; SQL SUM over the column stays exact.
    """

    impl = BigInteger
    cache_ok = True

    def __init__(self, scale: int = 4):
        super().__init__()
        self.scale = scale
        self._factor = 10**scale
        self._quantum = Decimal(1).scaleb(-scale)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        d = value if isinstance(value, Decimal) else Decimal(str(value))
        return int((d * self._factor).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(int(value)) / self._factor).quantize(self._quantum)

    def process_literal_param(self, value, dialect):
        return str(self.process_bind_param(value, dialect))


Mu = ScaledDecimal  # area in 亩
Wan = ScaledDecimal  # money in 万元


def enum_column(enum_cls: type[enum.Enum], **kw) -> Mapped:
    """Store an enum by its English name (portable, no native enum, no CHECK to migrate)."""
    return mapped_column(Enum(enum_cls, native_enum=False, length=24, create_constraint=False), **kw)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Timestamped:
    """Creation and modification times, plus a revision number bumped on every update.

    The revision lets an exported packet tell whether a row changed since export.
    """

    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, server_default=func.now())
    revision: Mapped[int] = mapped_column(default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls):
        # Optimistic locking: an UPDATE that finds another PC's newer revision fails loudly.
        return {"version_id_col": cls.revision}
