"""综合体检 (四(四), 附件2): examinations, issue lists, consultations, treatment, sanctions, supervision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Text, UniqueConstraint
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
    parties: Mapped[list[ExaminationParty]] = relationship(back_populates="examination", cascade="all, delete-orphan",
                                                           order_by="ExaminationParty.seq")


class ExaminationParty(Timestamped, Base):
    """关联方: a party examined with the enterprise (附件2 (2) “包括相关责任方”): owner, lessor, controller …."""

    __tablename__ = "examination_party"

    id: Mapped[int] = mapped_column(primary_key=True)
    examination_id: Mapped[int] = mapped_column(ForeignKey("examination.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(default=0)
    name: Mapped[str]
    credit_code: Mapped[str] = mapped_column(default="")
    relation: Mapped[str] = mapped_column(default="")  # e.g. 实际控制人, 出租方, 土地使用权人
    note: Mapped[str] = mapped_column(Text, default="")

    examination: Mapped[Examination] = relationship(back_populates="parties")


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
    town_score: Mapped[Decimal | None] = mapped_column(Wan())  # weighted total of the scores below, never typed
    scored_by: Mapped[str] = mapped_column(default="")
    scored_on: Mapped[dt.date | None]

    examination: Mapped[Examination] = relationship(back_populates="units")
    department = relationship("Department")


class ExaminationFinding(Timestamped, Base):
    """初检: what one unit found in one of the 12 check areas (one row per unit × area)."""

    __tablename__ = "examination_finding"
    __table_args__ = (UniqueConstraint("examination_unit_id", "area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    examination_unit_id: Mapped[int] = mapped_column(ForeignKey("examination_unit.id", ondelete="CASCADE"))
    area: Mapped[ExamArea] = enum_column(ExamArea)
    text: Mapped[str] = mapped_column(Text, default="")


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
    participants: Mapped[str] = mapped_column(Text, default="")  # others present (free text)
    units_present: Mapped[list[str]] = mapped_column(JSON, default=list)  # member units' names
    towns_present: Mapped[list[str]] = mapped_column(JSON, default=list)  # towns' names
    opinion: Mapped[str] = mapped_column(Text, default="")
    approved_by: Mapped[str] = mapped_column(default="")
    approved_on: Mapped[dt.date | None]


class Treatment(Timestamped, Base):
    """诊治: acceptance of a rectified enterprise, or the refusal that leads to sanctions."""

    __tablename__ = "treatment"

    id: Mapped[int] = mapped_column(primary_key=True)
    examination_id: Mapped[int] = mapped_column(ForeignKey("examination.id", ondelete="CASCADE"))
    accepted: Mapped[bool | None]  # 验收 passed (True) or failed (False); None: not yet accepted
    accepted_on: Mapped[dt.date | None]
    accepted_by: Mapped[str] = mapped_column(default="")  # 验收人
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
    doc_number: Mapped[str] = mapped_column(default="")  # 文号
    issuer: Mapped[str] = mapped_column(default="")  # issuing unit as written on the document
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


class Accountability(Timestamped, Base):
    """问责: a member unit or its staff held accountable for concealment (瞒报漏报), 附件2 (5)."""

    __tablename__ = "exam_accountability"

    id: Mapped[int] = mapped_column(primary_key=True)
    examination_id: Mapped[int] = mapped_column(ForeignKey("examination.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    person: Mapped[str] = mapped_column(default="")  # who (person or post); may be blank for the unit itself
    description: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[dt.date | None]
    doc_number: Mapped[str] = mapped_column(default="")


class ExamCriterion(Timestamped, Base):
    """The year's criteria on which towns score the units after an examination (editable per year)."""

    __tablename__ = "exam_criterion"
    __table_args__ = (UniqueConstraint("year_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("year.id", ondelete="CASCADE"))
    name: Mapped[str]
    weight: Mapped[Decimal] = mapped_column(Wan())
    max_points: Mapped[Decimal] = mapped_column(Wan())
    sort_order: Mapped[int] = mapped_column(default=0)


class ExamUnitScore(Timestamped, Base):
    """One unit's points on one criterion; the criterion's name, weight and maximum are copied when scored,
    so editing the year's criteria later never changes a kept score."""

    __tablename__ = "exam_unit_score"
    __table_args__ = (UniqueConstraint("examination_unit_id", "criterion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    examination_unit_id: Mapped[int] = mapped_column(ForeignKey("examination_unit.id", ondelete="CASCADE"))
    criterion: Mapped[str]
    weight: Mapped[Decimal] = mapped_column(Wan())
    max_points: Mapped[Decimal] = mapped_column(Wan())
    points: Mapped[Decimal] = mapped_column(Wan())
    sort_order: Mapped[int] = mapped_column(default=0)
