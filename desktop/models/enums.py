"""Enumerations of the domain. Stored by English name; the value is the Chinese label shown to users."""

from __future__ import annotations

import enum


class LabelEnum(enum.Enum):
    @property
    def label(self) -> str:
        return self.value

    @classmethod
    def from_label(cls, text: str):
        for member in cls:
            if member.value == text or member.name == text:
                return member
        raise ValueError(text)


class TargetKind(LabelEnum):
    ENTERPRISE = "企业"
    PARCEL = "地块"


class Category(LabelEnum):
    """二: the four kinds of governance targets."""

    D_CLASS = "D类低效"
    POINT = "点状问题"
    CONTIGUOUS = "连片整治"
    OTHER = "其他"


class EvaluationClass(LabelEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


class TargetState(LabelEnum):
    """Where a target stands overall (derived from its list entries as work proceeds)."""

    PENDING = "待治理"
    LISTED = "已列入清单"
    IN_PROGRESS = "治理中"
    DONE = "已完成"
    WITHDRAWN = "已撤销"


class ParkStatus(LabelEnum):
    PLANNED = "谋划中"
    STARTED = "已启动"
    COMPLETED = "已完成"


class ListStatus(LabelEnum):
    DRAFT = "草稿"
    SUBMITTED = "已报送"
    APPROVED = "已审核"
    RETURNED = "退回"


class EntryState(LabelEnum):
    """DOMAIN §2: the life of one list entry."""

    DRAFT = "草稿"
    SUBMITTED = "已报送"
    APPROVED = "已审核"
    RETURNED = "退回"
    PLAN_FILED = "方案已备案"
    IN_PROGRESS = "实施中"
    REPORTED = "已报完成"
    VERIFIED = "已核实"
    VERIFY_FAILED = "核实未通过"
    CANCELLED = "已撤销"


class Method(LabelEnum):
    """三(二)/(三): how a target is governed. SELF_RENOVATION is recorded, never counted."""

    LAND_BANKING = "收储"
    ACQUISITION = "收购"
    REUSE = "再利用"
    SELF_RENOVATION = "企业自主技改"


class GroundworkStep(LabelEnum):
    """三(三)1: the four groundwork steps before land banking."""

    CREDIT_CHECK = "资信尽调"
    SOIL_TEST = "土壤检测"
    VALUATION = "价值评估"
    NEGOTIATION = "收储洽谈"


class AgreementKind(LabelEnum):
    COOPERATION = "合作协议"
    LAND_BANKING = "收储协议"
    ACQUISITION = "收购协议"
    INVESTMENT_SUPERVISION = "投资监管协议"
    OTHER = "其他协议"


class AcquisitionStage(LabelEnum):
    REVIEW = "镇街审核"
    NEGOTIATION = "收购洽谈"
    JOINT_REVIEW = "会审"
    SIGNED = "已签约"
    FILED = "已备案"


class ExaminationStage(LabelEnum):
    """附件2: 启动 → 初检 → 会诊 → 诊治 → 督办 → 结束."""

    STARTED = "启动"
    INITIAL = "初检"
    CONSULTATION = "会诊"
    TREATMENT = "诊治"
    SUPERVISION = "督办"
    CLOSED = "结束"


class ExamArea(LabelEnum):
    """附件2 (2): the 12 areas an examination covers."""

    LICENCES = "证照资料"
    APPROVALS = "行政审批"
    PLANNING = "项目规划"
    CONSTRUCTION = "建设许可"
    OPERATION = "依法经营"
    WORK_SAFETY = "安全生产"
    OCCUPATIONAL_HEALTH = "职业卫生"
    SOCIAL_SECURITY = "社会保障"
    ENVIRONMENT = "生态环境"
    LITIGATION = "诉讼状态"
    TAXATION = "依法纳税"
    CREDIT = "信用"


class SanctionKind(LabelEnum):
    """附件2 (4): joint punishment measures."""

    CREDIT_RATING = "调整信用等级"
    SUSPEND_PROJECTS = "暂停新上项目和科技项目"
    AWARD_VETO = "评优评先一票否决"
    BIDDING_FUNDING = "限制招投标和资金支持"
    UTILITY_PRICES = "差别化水电气收费"
    INSURANCE_RATES = "上调安责险和工伤保险费率"
    FINANCIAL_PUSH = "向金融机构推送违法违规信息"
    CERTIFICATION = "暂停或撤销相关认证"
    MARKET_BAN = "市场禁入"
    BLACKLIST = "行业协会黑名单"
    ADMIN_PENALTY = "行政处罚"
    JUDICIAL_TRANSFER = "移送司法机关"


class VerifyResult(LabelEnum):
    PASS = "通过"
    FAIL = "不通过"


class ScoringSubject(LabelEnum):
    TOWN = "镇街"
    DEPARTMENT = "部门"
    SOE = "市级国企"


class CaseKind(LabelEnum):
    POSITIVE = "正面典型"
    EXPOSURE = "反面曝光"


class Role(LabelEnum):
    """An account's one role. The three administrator roles are never held by one account (三员分立)."""

    SYSADMIN = "系统管理员"  # accounts, year parameters, holidays, member units, backups
    SECADMIN = "安全管理员"  # password and lockout rules, unlocking
    AUDITOR = "审计管理员"  # reads and exports the audit log, nothing else
    CLERK = "经办"  # keeps the ledgers
    LEADER = "领导"  # reads everything, approves
