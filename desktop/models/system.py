"""Attachments, audit log, accounts, Excel packets and saved column mappings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Timestamped, enum_column, utcnow
from desktop.models.enums import Role


class Attachment(Timestamped, Base):
    """证明材料: a file stored once under its content hash, linked to any object."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str]
    size: Mapped[int]
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int]
    description: Mapped[str] = mapped_column(default="")

    __table_args__ = (Index("ix_attachment_object", "object_type", "object_id"),)


class AuditLog(Base):
    """Append-only audit trail; each record's hash covers the previous record's hash (等保 2.0)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_object", "object_type", "object_id"), Index("ix_audit_user", "user"),
                      Index("ix_audit_action", "action"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    object_label: Mapped[str] = mapped_column(default="")
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    result: Mapped[str] = mapped_column(String(16), default="成功")
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")


class User(Timestamped, Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(default="")
    role: Mapped[Role] = enum_column(Role)
    password_hash: Mapped[str] = mapped_column(default="")
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    last_login: Mapped[dt.datetime | None]
    password_changed_at: Mapped[dt.datetime | None]


class LedgerMeta(Base):
    """Settings and secrets that belong to this ledger (security rules, the office's packet secret …)."""

    __tablename__ = "ledger_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class AuditTip(Base):
    """The chain tip, rewritten in the same transaction as every audit append (one row, id 1):
    deleting the newest records leaves the tip pointing past the end of the log."""

    __tablename__ = "audit_tip"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_id: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default="")
    count: Mapped[int] = mapped_column(default=0)
    mac: Mapped[str] = mapped_column(String(64), default="")


class PacketImport(Base):
    """One Excel packet exported to or imported from a town, remembered by file hash."""

    __tablename__ = "packet_import"
    __table_args__ = (UniqueConstraint("sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    packet_id: Mapped[str] = mapped_column(String(40), index=True)
    direction: Mapped[str] = mapped_column(String(8))  # export | import
    kind: Mapped[str] = mapped_column(String(32))
    town_id: Mapped[int | None] = mapped_column(ForeignKey("town.id"))
    year: Mapped[int | None]
    month: Mapped[int | None]
    file_name: Mapped[str] = mapped_column(default="")
    sha256: Mapped[str | None] = mapped_column(String(64))
    user: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)


class ColumnMapping(Timestamped, Base):
    """A saved legacy-sheet column mapping, by name."""

    __tablename__ = "column_mapping"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
