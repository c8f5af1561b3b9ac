"""The ORM: every entity of DOMAIN.md's glossary. Imports nothing of ours above it."""

from desktop.models.assessment import Bulletin, Case, Criterion, Score, ScoringSession
from desktop.models.base import Base
from desktop.models.examination import (
    Accountability,
    Consultation,
    ExamCriterion,
    Examination,
    ExaminationFinding,
    ExaminationParty,
    ExaminationUnit,
    ExamUnitScore,
    Issue,
    IssueList,
    Sanction,
    Supervision,
    Treatment,
)
from desktop.models.governance import GovernanceList, ListEntry, Plan
from desktop.models.landbank import Acquisition, Agreement, GroundworkRecord, LandBanking, TaxRecord
from desktop.models.park import ContiguousArea
from desktop.models.quota import QuotaLoan, QuotaPool, QuotaReturn
from desktop.models.reports import MonthlyReport, MonthlyReportHandIn, MonthlyReportItem, Verification
from desktop.models.subsidy import SubsidyProposal
from desktop.models.system import Attachment, AuditLog, AuditTip, ColumnMapping, LedgerMeta, PacketImport, User
from desktop.models.target import Enterprise, Evaluation, Parcel, Target
from desktop.models.town import Department, Soe, Town, TownTarget
from desktop.models.year import CalendarYear, Holiday, Year, YearParams

__all__ = [name for name in dir() if not name.startswith("_")]
