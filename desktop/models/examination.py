"""综合体检 (四(四), 附件2): examinations, issue lists, consultations, treatment, sanctions, supervision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, Timestamped, Wan, enum_column
from desktop.models.enums import ExamArea, ExaminationStage, SanctionKind


class Examination(Timestamped, Base):
    __tablename__ = "examination"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("target.id"), index=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("town.id"))
    proposed_on: Mapped[dt.date | None]
    proposal_reason: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[dt.date | None]
    stage: Mapped[ExaminationStage] = enum_column(ExaminationStage, default=ExaminationStage.STARTED)
    plan_procedure: Mapped[str] = mapped_column(Text, default="")  # 一企一策: 程序
    plan_methods: Mapped[str] = mapped_column(Text, default="")  # 方式
    plan_content: Mapped[str] = mapped_column(Text, default="")  # 内容
    closed_on: Mapped[dt.date | None]

    target = relationship("Target")
    town = relationship("Town")
    units: Mapped[list[ExaminationUnit]] = relationship(back_populates="examination", cascade="all, delete-orphan")


class ExaminationUnit(Timestamped, Base):
    """A member unit taking part in one examination, with its duties' dates."""

    __tablename__ = "examination_unit"
    __table_args__ = (UniqueConstraint("examination_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    examination_id: Mapped[int] = mapped_column(ForeignKey("examination.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    report_submitted_on: Mapped[dt.date | None]  # stamped written report with preliminary opinion
    preliminary_opinion: Mapped[str] = mapped_column(Text, default="")
    progress_reported_on: Mapped[dt.date | None]
    final_result: Mapped[str] = mapped_column(Text, default="")
    final_reported_on: Mapped[dt.date | None]
    town_score: Mapped[Decimal | None] = mapped_column(Wan())  # the town's score of this unit afterwards

    examination: Mapped[Examination] = relationship(back_populates="units")
    department = relationship("Department")


class IssueList(Timestamped, Base):
    """体检问题清单: what one unit hands the enterprise, printed and stamped."""

    __tablename__ = "issue_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    examination_unit_id: Mapped[int] = mapped_column(ForeignKey("examination_unit.id", ondelete="CASCADE"))
    issued_on: Mapped[dt.date | None]
    contact_name: Mapped[str] = mapped_column(default="")
    contact_phone: Mapped[str] = mapped_column(default="")

    unit = relationship("ExaminationUnit")
    issues: Mapped[list[Issue]] = relationship(back_populates="issue_list", cascade="all, delete-orphan", order_by="Issue.seq")


class Issue(Timestamped, Base):
    __tablename__ = "issue"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_list_id: Mapped[int] = mapped_column(ForeignKey("issue_list.id", ondelete="CASCADE"))
    seq: Mapped[int]
    area: Mapped[ExamArea] = enum_column(ExamArea)
    description: Mapped[str] = mapped_column(Text, default="")
    basis: Mapped[str] = mapped_column(Text, default="")
    requirement: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[dt.date | None]
    rectified_on: Mapped[dt.date | None]

    issue_list: Mapped[IssueList] = relationship(back_populates="issues")


class Consultation(Timestamped, Base):
    """会诊: takes effect after a city leader approves."""

    __tablename__ = "consultation"

    id: Mapped[int] = mapped_column(primary_key=True)
    examination_id: Mapped[int] = mapped_column(ForeignKey("examination.id", ondelete="CASCADE"))
    held_on: Mapped[dt.date | None]
    participants: Mapped[str] = mapped_column(Text, default="")
    opinion: Mapped[str] = mapped_column(Text, default="")
    approved_by: Mapped[str] = mapped_column(default="")
    approved_on: Mapped[dt.date | None]


class Treatment(Timestamped, Base):
    """诊治: acceptance of a rectified enterprise, or the refusal that leads to sanctions."""

    __tablename__ = "treatment"

    id: Mapped[int] = mapped_column(primary_key=True)
    examination_id: Mapped[int] = mapped_column(ForeignKey("examination.id", ondelete="CASCADE"))
    accepted: Mapped[bool | None]
    accepted_on: Mapped[dt.date | None]
    note: Mapped[str] = mapped_column(Text, default="")


class Sanction(Timestamped, Base):
    """联合惩戒措施 applied to an enterprise by a unit."""

    __tablename__ = "sanction"

    id: Mapped[int] = mapped_column(primary_key=True)
    examination_id: Mapped[int | None] = mapped_column(ForeignKey("examination.id", ondelete="SET NULL"))
    target_id: Mapped[int] = mapped_column(ForeignKey("target.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    kind: Mapped[SanctionKind] = enum_column(SanctionKind)
    applied_on: Mapped[dt.date | None]
    lifted_on: Mapped[dt.date | None]
    note: Mapped[str] = mapped_column(Text, default="")


class Supervision(Timestamped, Base):
    """督办: a unit under listed supervision (挂牌督办) with the discipline commission."""

    __tablename__ = "supervision"

    id: Mapped[int] = mapped_column(primary_key=True)
    examination_id: Mapped[int] = mapped_column(ForeignKey("examination.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    listed_on: Mapped[dt.date | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    resolved_on: Mapped[dt.date | None]
