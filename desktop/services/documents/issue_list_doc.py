"""What a printed 体检问题清单 says: plain data filled by the examination services, drawn by the document module.

The examination services build these from the ledger (`exam_print`), the document module renders them;
neither knows the other's internals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class IssueRow:
    """One row of the table 序号 / 检查类别 / 问题描述 / 依据 / 整改要求 / 整改期限."""

    seq: int
    area: str  # 检查类别: one of the 12 check areas (ExamArea label)
    description: str
    basis: str
    requirement: str
    deadline: dt.date | None


@dataclass(frozen=True)
class IssueListDoc:
    """One unit's 体检问题清单 for one enterprise."""

    enterprise: str
    credit_code: str
    address: str
    unit: str  # the examining member unit, also the issuing unit above the date
    issued_on: dt.date | None  # None prints a blank date line (年  月  日) to fill by hand
    contact_name: str
    contact_phone: str
    issues: tuple[IssueRow, ...]
    seal_image: bytes | None = None  # the unit's electronic seal (PNG), if the office configured one
    title: str = "体检问题清单"


@dataclass(frozen=True)
class ConsolidatedDoc:
    """The consolidated list across units for the 市专班: one table, a 检查单位 column added."""

    enterprise: str
    credit_code: str
    address: str
    issuer: str  # e.g. 市专治办
    printed_on: dt.date | None
    lists: tuple[IssueListDoc, ...] = field(default_factory=tuple)
    title: str = "综合体检问题汇总清单"
