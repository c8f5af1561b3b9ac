"""The append-only audit log: every ORM write is recorded by a session hook, with a hash chain.

Services write through ORM sessions; the hook below records each insert, update and delete
with before/after values, so nothing reaches the database unrecorded. Bulk loads (sample data)
call `record()` once with counts; imports writing with bulk statements call `record_many()`, one
record per row written. Each record's hash is keyed and covers the previous record's hash, and a
chain tip moves with every append (services/audit_chain.py), so a silent edit or deletion, even of
the newest records, is found by `check_chain`.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import enum
import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from desktop.models import AuditLog, Base
from desktop.services import audit_chain
from desktop.services.audit_chain import local_midnight_utc
from desktop.models.base import utcnow
from desktop.services.ledger import actor
from desktop.services.year import params as year_params
from desktop.services.errors import Refused
from desktop.services.ledger import Ledger

NOT_AUDITED = {"audit_log"}
SOURCE_KEY = "_source"  # set from session.info["audit_source"] (e.g. “数据包 某镇_2024-11.xlsx”)
SKIPPED_COLUMNS = {"created_at", "updated_at", "revision", "search_text", "password_hash"}

ACTION_LABELS = {"create": "新增", "update": "修改", "delete": "删除"}


def _jsonable(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


# Rows with no name of their own are labelled by their parent's (a 任务分解 by its town …).
_PARENT_LABEL: dict[str, tuple[str, str, str]] = {
    "town_target": ("town_id", "town", "name"),
    "governance_list": ("town_id", "town", "name"),
    "monthly_report": ("town_id", "town", "name"),
    "subsidy_proposal": ("town_id", "town", "name"),
    "list_entry": ("target_id", "target", "name"),
    "evaluation": ("target_id", "target", "name"),
    "examination": ("target_id", "target", "name"),
    "sanction": ("target_id", "target", "name"),
    "exam_accountability": ("department_id", "department", "name"),
    "exam_criterion": ("year_id", "year", "year"),
    "year_params": ("year_id", "year", "year"),
    "agreement": ("town_id", "town", "name"),
    "quota_loan": ("town_id", "town", "name"),
}


def _label(session: Session, obj) -> str:
    """A human name for the log: the row's own name column, else its parent's (never a relationship)."""
    table = obj.__tablename__
    parent = _PARENT_LABEL.get(table)
    if parent is not None:
        fk, parent_table, column = parent
        parent_id = getattr(obj, fk, None)
        if parent_id is not None:
            t = Base.metadata.tables[parent_table]
            value = session.connection().execute(select(t.c[column]).where(t.c.id == parent_id)).scalar()
            if value:
                return f"{value}年度" if column == "year" else str(value)
    columns = {a.key for a in inspect(obj).mapper.column_attrs}
    for attr in ("name", "title", "username", "year"):
        value = getattr(obj, attr, None) if attr in columns else None
        if value:
            return f"{value}年度" if attr == "year" and table == "year" else str(value)
    return ""


SECRET_TEXT = "（密钥不记录）"


def _masked(obj, values: dict) -> dict:
    """A secret kept in ledger_meta (a key whose name ends in "secret") never reaches the log, which the
    audit administrator reads and exports: its value is replaced by a note."""
    if getattr(obj, "__tablename__", None) == "ledger_meta" and str(getattr(obj, "key", "")).endswith("secret") \
            and "value" in values:
        return {**values, "value": SECRET_TEXT}
    return values


def _columns(obj) -> dict:
    mapper = inspect(obj).mapper
    return _masked(obj, {
        attr.key: _jsonable(getattr(obj, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in SKIPPED_COLUMNS
    })


def _changes(obj) -> tuple[dict, dict]:
    state = inspect(obj)
    before, after = {}, {}
    for attr in state.mapper.column_attrs:
        if attr.key in SKIPPED_COLUMNS:
            continue
        hist = state.attrs[attr.key].history
        if hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if _jsonable(old) != _jsonable(new):
                before[attr.key] = _jsonable(old)
                after[attr.key] = _jsonable(new)
    return _masked(obj, before), _masked(obj, after)


def _write(conn, rows: list[dict]) -> None:
    audit_chain.append(conn, rows)


# Verification and purging live beside the keyed chain (services/audit_chain.py); callers say audit.*.
ChainCheck = audit_chain.ChainCheck
check_chain = audit_chain.check_chain
verify_chain = audit_chain.verify_chain
head_short_hash = audit_chain.head_short_hash
purge_before = audit_chain.purge_before


def _row(action, object_type, object_id, label, before, after, result="成功", user: str = "") -> dict:
    return {
        "at": utcnow(), "user": user, "action": action, "object_type": object_type,
        "object_id": object_id, "object_label": label or "", "before": before, "after": after, "result": result,
    }


def record(session: Session, action: str, object_type: str, object_id: int | None = None, *,
           label: str = "", before: dict | None = None, after: dict | None = None,
           result: str = "成功", user: str | None = None) -> None:
    """Record an action that is not a plain row change (bulk load, backup, login …)."""
    session.flush()
    _write(session.connection(), [_row(action, object_type, object_id, label, before, after, result, user or actor(session))])


_AS_IS = (str, int, float, bool, type(None))


def _as_logged(values: dict | None) -> dict | None:
    """Column values as the hook logs them (plain JSON values, bookkeeping columns left out)."""
    if values is None:
        return None
    return {k: v if type(v) in _AS_IS else _jsonable(v) for k, v in values.items() if k not in SKIPPED_COLUMNS}


def _name_source(session: Session, rows: list[dict]) -> None:
    """An import names itself on every row it writes, so each touched object shows where the change came from."""
    source = session.info.get("audit_source")
    if source:
        for row in rows:
            side = "before" if row["action"] == "delete" else "after"
            row[side] = {**(row[side] or {}), SOURCE_KEY: source}


def record_many(session: Session, changes) -> None:
    """Record rows written by bulk statements (imports) as the flush hook records ORM writes: one record per
    (action, object_type, object_id, label, before, after), naming session.info["audit_source"].

    The records go onto the keyed chain in one append (audit_chain.append: each record's hash keyed and
    linked to the one before, one INSERT, the tip moved) inside the caller's transaction, so the rows and
    their records commit or roll back together and the chain verifies afterwards."""
    if session.info.get("skip_audit"):
        return
    user = actor(session)
    rows = [_row(action, object_type, object_id, label, _as_logged(before), _as_logged(after), user=user)
            for action, object_type, object_id, label, before, after in changes]
    _name_source(session, rows)
    _write(session.connection(), rows)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _ctx) -> None:
    if session.info.get("skip_audit"):
        return
    user = actor(session)
    rows = []
    for obj in session.new:
        table = getattr(obj, "__tablename__", None)
        if isinstance(obj, Base) and table not in NOT_AUDITED:
            rows.append(_row("create", table, getattr(obj, "id", None), _label(session, obj), None, _columns(obj), user=user))
    for obj in session.dirty:
        table = getattr(obj, "__tablename__", None)
        if isinstance(obj, Base) and table not in NOT_AUDITED and session.is_modified(obj, include_collections=False):
            before, after = _changes(obj)
            if after:
                rows.append(_row("update", table, getattr(obj, "id", None), _label(session, obj), before, after, user=user))
    for obj in session.deleted:
        table = getattr(obj, "__tablename__", None)
        if isinstance(obj, Base) and table not in NOT_AUDITED:
            rows.append(_row("delete", table, getattr(obj, "id", None), _label(session, obj), _columns(obj), None, user=user))
    _name_source(session, rows)
    _write(session.connection(), rows)


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime
    user: str
    action: str
    object_type: str
    object_id: int | None
    object_label: str
    before: dict | None
    after: dict | None
    result: str


def _to_row(a: AuditLog) -> AuditRow:
    return AuditRow(a.id, a.at, a.user, a.action, a.object_type, a.object_id, a.object_label, a.before, a.after, a.result)


@dataclass(frozen=True)
class AuditFilter:
    """What the 操作日志 page filters by. Dates are local calendar days (the stored `at` is UTC)."""

    user: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: int | None = None
    text: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def kwargs(self) -> dict:
        return {f: getattr(self, f) for f in ("user", "action", "object_type", "object_id", "text", "since", "until")}


def to_local(at: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time as naive local time, for display."""
    return at.replace(tzinfo=dt.timezone.utc).astimezone().replace(tzinfo=None)


def _filtered(q, *, object_type=None, object_id=None, user=None, action=None, text=None, since=None, until=None):
    if object_type:
        q = q.where(AuditLog.object_type == object_type)
    if object_id is not None:
        q = q.where(AuditLog.object_id == object_id)
    if user:
        q = q.where(AuditLog.user == user)
    if action:
        q = q.where(AuditLog.action == action)
    if text and text.strip():
        q = q.where(AuditLog.object_label.icontains(text.strip(), autoescape=True))
    if since:
        q = q.where(AuditLog.at >= local_midnight_utc(since))
    if until:
        q = q.where(AuditLog.at < local_midnight_utc(until + dt.timedelta(days=1)))
    return q


def list_entries(ledger: Ledger, *, object_type: str | None = None, object_id: int | None = None, user: str | None = None,
                 action: str | None = None, text: str | None = None, since: dt.date | None = None,
                 until: dt.date | None = None, limit: int = 500, offset: int = 0,
                 before_id: int | None = None) -> list[AuditRow]:
    """Audit records, newest first, filtered. `since`/`until` are local dates, both inclusive.

    Page with `before_id` (the last id already shown): unlike an offset it does not shift when new
    records arrive between pages.
    """
    q = _filtered(select(AuditLog), object_type=object_type, object_id=object_id, user=user, action=action,
                  text=text, since=since, until=until)
    if before_id is not None:
        q = q.where(AuditLog.id < before_id)
    q = q.order_by(AuditLog.id.desc()).limit(limit).offset(offset)
    with ledger.reader() as s:
        return [_to_row(a) for a in s.scalars(q)]


def count_entries(ledger: Ledger, flt: AuditFilter | None = None) -> int:
    """How many records match the filter."""
    q = _filtered(select(func.count(AuditLog.id)), **(flt or AuditFilter()).kwargs())
    with ledger.reader() as s:
        return s.scalar(q) or 0


def distinct_values(ledger: Ledger) -> dict[str, list[str]]:
    """Users, actions and object types present in the log (for filter drop-downs)."""
    with ledger.reader() as s:
        return {"user": _distinct(s, AuditLog.user), "action": _distinct(s, AuditLog.action),
                "object_type": _distinct(s, AuditLog.object_type)}


def _distinct(s, column) -> list[str]:
    """The distinct values of an indexed column, one index seek each (a million records hold a handful of
    users and actions; a DISTINCT would read them all)."""
    out = []
    value = s.scalar(select(func.min(column)))
    while value is not None:
        out.append(value)
        value = s.scalar(select(func.min(column)).where(column > value))
    return sorted(out)


def count(ledger: Ledger) -> int:
    with ledger.reader() as s:
        return s.scalar(select(func.count(AuditLog.id))) or 0


# --- Labels for people ------------------------------------------------------------------------

ACTION_LABELS.update({"login": "登录", "login_failed": "登录失败", "logout": "退出登录", "backup": "备份",
                      "restore": "恢复", "import": "导入", "export": "导出", "print": "打印",
                      "purge": "清理日志", "upgrade": "升级"})

# Every table of desktop/models, plus the pseudo-objects services record against.
OBJECT_TYPE_LABELS: dict[str, str] = {
    "target": "治理对象",
    "evaluation": "综合评价",
    "town": "镇街",
    "town_target": "任务分解",
    "department": "成员单位",
    "soe": "市级国企",
    "year": "年度",
    "year_params": "年度参数",
    "holiday": "节假日",
    "calendar_year": "节假日年度",
    "contiguous_area": "连片整治片区",
    "governance_list": "年度拟治理清单",
    "list_entry": "清单条目",
    "plan": "治理方案",
    "land_banking": "政府收储",
    "groundwork_record": "收储前期工作",
    "acquisition": "市场化收购",
    "tax_record": "税收反馈",
    "agreement": "协议",
    "quota_pool": "周转指标库",
    "quota_loan": "指标预借",
    "quota_return": "指标归还",
    "monthly_report": "月度报送",
    "monthly_report_item": "月度报送条目",
    "monthly_report_hand_in": "月度报送（每次报送）",
    "verification": "验收核实",
    "subsidy_proposal": "以奖代补",
    "examination": "综合体检",
    "examination_unit": "体检参与单位",
    "issue_list": "体检问题清单",
    "issue": "体检问题",
    "consultation": "会诊",
    "treatment": "诊治",
    "sanction": "联合惩戒",
    "supervision": "督办",
    "examination_party": "体检关联方",
    "examination_finding": "初检情况",
    "exam_accountability": "问责",
    "exam_criterion": "体检评分项目",
    "exam_unit_score": "体检评分",
    "scoring_session": "考核评分",
    "criterion": "评分项目",
    "score": "评分",
    "bulletin": "通报",
    "case": "典型案例",
    "attachment": "附件",
    "app_user": "用户账户",
    "packet_import": "Excel数据包",
    "column_mapping": "列映射",
    "audit_log": "操作日志",
    "audit_tip": "日志链尾",
    "ledger_meta": "台账设置",
    "database": "数据库",
    "file": "导出文件",
    "document": "打印文件",
}

FIELD_LABELS: dict[str, str] = {
    "id": "编号", "name": "名称", "title": "标题", "kind": "类型", "note": "备注", "year": "年度",
    "year_id": "年度", "town_id": "镇街", "target_id": "治理对象", "department_id": "成员单位", "soe_id": "市级国企",
    "entry_id": "清单条目", "list_id": "清单", "plan_id": "治理方案", "examination_id": "综合体检",
    "contiguous_area_id": "连片整治片区", "sort_order": "排序", "active": "启用", "status": "状态", "state": "状态",
    "state_reason": "状态原因", "category": "治理类别", "address": "地址", "land_area_mu": "占地面积（亩）",
    "credit_code": "统一社会信用代码", "credit_code_override": "保留特殊代码", "legal_rep": "法定代表人",
    "building_area_m2": "建筑面积（㎡）", "industry": "行业", "land_cert_no": "不动产权证号", "owner": "权利人",
    "grade": "评价类别", "source": "来源", "liaison_name": "联络人", "liaison_phone": "联系电话",
    "target_area_mu": "目标面积（亩）", "target_parks": "目标园区（个）", "short_name": "简称", "contact": "联系人",
    "phone": "电话", "is_current": "当前年度", "area_mu": "面积（亩）", "start_date": "启动日期",
    "submitted_at": "报送时间", "reviewed_at": "审核时间", "reviewer": "审核人", "return_reason": "退回原因",
    "planned_method": "拟治理方式", "planned_area_mu": "拟治理面积（亩）", "completed_on": "完成日期",
    "verified_on": "核实日期", "verified_area_mu": "核实面积（亩）", "batch_no": "批次号", "method": "治理方式",
    "planned_cost_wan": "计划成本（万元）", "filed_on": "备案日期", "step": "工作步骤", "done_on": "完成日期",
    "result": "结果", "investor": "投资方", "new_project": "新项目", "stage": "阶段",
    "town_reviewed_on": "镇街审核日期", "negotiated_on": "洽谈日期", "joint_review_on": "会审日期",
    "joint_review_passed": "会审通过", "month": "月份", "due_wan": "应缴税款（万元）", "paid_wan": "已缴税款（万元）",
    "party_a": "甲方", "party_b": "乙方", "signed_on": "签订日期", "amount_wan": "金额（万元）",
    "over_cap_confirmed": "确认超上限", "capacity_mu": "库容（亩）", "pool_id": "指标库", "loan_date": "预借日期",
    "purpose": "用途", "loan_id": "预借记录", "return_date": "归还日期", "reported_on": "报送日期", "handed_in_on": "报送日期", "hand_in_id": "报送批次",
    "is_late": "逾期", "report_id": "月度报送", "completed_area_mu": "完成面积（亩）", "item_id": "报送条目",
    "computed_wan": "测算金额（万元）", "override_wan": "调整金额（万元）", "override_reason": "调整理由",
    "proposed_on": "提出日期", "proposal_reason": "提出理由", "plan_procedure": "一企一策·程序",
    "plan_methods": "一企一策·方式", "plan_content": "一企一策·内容", "closed_on": "结束日期",
    "report_submitted_on": "书面报告日期", "preliminary_opinion": "初步处置意见",
    "progress_reported_on": "整改进展报送日期", "final_result": "最终结果", "final_reported_on": "最终结果报送日期",
    "town_score": "镇街评分", "examination_unit_id": "体检参与单位", "issued_on": "印发日期",
    "contact_name": "联系人", "contact_phone": "联系电话", "issue_list_id": "问题清单", "seq": "序号",
    "area": "检查类别", "description": "问题描述", "basis": "依据", "requirement": "整改要求", "deadline": "整改期限",
    "rectified_on": "整改完成日期", "held_on": "召开日期", "participants": "参加单位", "opinion": "意见",
    "approved_by": "批准人", "approved_on": "批准日期", "accepted": "验收通过", "accepted_on": "验收日期",
    "applied_on": "实施日期", "lifted_on": "解除日期", "listed_on": "挂牌日期", "reason": "原因",
    "resolved_on": "解除督办日期", "session_id": "评分场次", "subject": "考核对象", "closed": "已结束",
    "weight": "权重", "max_points": "满分", "criterion_id": "评分项目", "subject_id": "考核对象",
    "points": "得分", "scorer": "评分人", "number": "文号", "period_end": "统计截止日期", "body": "正文",
    "rankings": "排名", "medium": "媒体", "published_on": "发布日期", "summary": "摘要", "sha256": "文件指纹",
    "file_name": "文件名", "size": "大小（字节）", "object_type": "对象类型", "object_id": "对象编号",
    "username": "用户名", "display_name": "姓名", "role": "角色",
    "failed_logins": "连续登录失败次数", "must_change_password": "下次登录须改密码", "last_login": "最近登录",
    "password_changed_at": "密码修改时间", "submitted_by": "报送人", "filed_by": "备案登记人",
    "filing_approved_by": "备案审核人", "filing_approved_on": "备案审核日期", "recorded_by": "录入人",
    "verification_confirmed_by": "核实确认人", "verification_confirmed_at": "核实确认时间", "locked_until": "锁定至", "mapping": "映射", "day": "日期",
    "is_workday": "调休上班", "loaded_at": "载入时间", "count": "数量", "counts": "数量",
    # 综合体检 (migration 0010)
    "relation": "关联关系", "text": "检查情况", "person": "被问责人", "decided_on": "问责日期", "doc_number": "文号",
    "criterion": "评分项目", "issuer": "实施单位", "accepted_by": "验收人", "units_present": "参会单位",
    "towns_present": "参会镇街", "leader": "分管领导", "scored_by": "评分人", "scored_on": "评分日期",
}

# Where a field means something else in one table.
_FIELD_OVERRIDES: dict[tuple[str, str], str] = {
    ("evaluation", "year"): "评价年度",
    ("target", "kind"): "对象类型",
    ("agreement", "kind"): "协议类型",
    ("sanction", "kind"): "惩戒措施",
    ("case", "kind"): "案例类型",
    ("verification", "result"): "核实结果",
    ("attachment", "description"): "说明",
    ("holiday", "name"): "节日",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def object_type_label(object_type: str) -> str:
    return OBJECT_TYPE_LABELS.get(object_type, object_type)


def field_label(object_type: str, field: str) -> str:
    """Chinese name of a column as shown in the log; the code name when none is known."""
    if (object_type, field) in _FIELD_OVERRIDES:
        return _FIELD_OVERRIDES[(object_type, field)]
    if object_type == "year_params":
        if field in year_params.PARAM_LIMITS:
            return year_params.PARAM_LIMITS[field][0]
        if field == "verifying_departments":
            return "核实部门"
    return FIELD_LABELS.get(field, field)


def format_value(value) -> str:
    """A before/after value as a clerk reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(format_value(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T" and value[:4].isdigit():
        return value.replace("T", " ", 1)  # an ISO date-time
    return str(value)


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


def field_changes(row: AuditRow) -> list[FieldChange]:
    """Before → after per field: every field of a create or delete, the changed ones of an update."""
    before, after = row.before or {}, row.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):  # a record(...) with a bare value
        return [FieldChange("", "内容", format_value(before), format_value(after))]
    keys = list(after) + [k for k in before if k not in after]
    return [FieldChange(k, field_label(row.object_type, k), format_value(before.get(k)), format_value(after.get(k)))
            for k in keys]


# --- Export -----------------------------------------------------------------------------------

EXPORT_HEADERS = ["编号", "时间", "用户", "操作", "对象类型", "对象编号", "对象", "结果", "修改前", "修改后"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXPORT_PAGE = 1000


def _summary(row: AuditRow, side: dict | None) -> str:
    if not side:
        return ""
    if not isinstance(side, dict):
        return format_value(side)
    return "；".join(f"{field_label(row.object_type, k)}：{format_value(v)}" for k, v in side.items())


def export_row(row: AuditRow) -> list:
    """One record as the cells of an exported row (the id a number, everything else text)."""
    return [row.id, to_local(row.at).strftime("%Y-%m-%d %H:%M:%S"), row.user, action_label(row.action),
            object_type_label(row.object_type), "" if row.object_id is None else str(row.object_id),
            row.object_label, row.result, _summary(row, row.before), _summary(row, row.after)]


def iter_export_rows(ledger: Ledger, flt: AuditFilter | None = None, page: int = EXPORT_PAGE):
    """Matching records, newest first, as export rows; read a page at a time."""
    kwargs = (flt or AuditFilter()).kwargs()
    last = None
    while True:
        rows = list_entries(ledger, limit=page, before_id=last, **kwargs)
        for r in rows:
            yield export_row(r)
        if len(rows) < page:
            return
        last = rows[-1].id


def safe_text(value) -> str:
    """Text for a CSV cell that a spreadsheet will not run as a formula."""
    s = "" if value is None else str(value)
    return "'" + s if s.startswith(_FORMULA_START) else s


def _check_cancel(token) -> None:
    if token is not None and token.cancelled:
        raise Refused("已取消导出，未生成文件。")


def export(ledger: Ledger, path, flt: AuditFilter | None = None, progress=None, token=None) -> int:
    """Write the filtered log to `path` (.xlsx, else CSV in UTF-8 with BOM); return the row count.

    Written to a temporary file first, so a cancelled or failed export leaves nothing half-written.
    """
    path = Path(path)
    total = count_entries(ledger, flt)
    tmp = path.with_name(path.name + ".part")
    done = 0
    try:
        if path.suffix.lower() == ".xlsx":
            from openpyxl import Workbook
            from openpyxl.cell import WriteOnlyCell
            from openpyxl.styles import Font

            wb = Workbook(write_only=True)
            ws = wb.create_sheet("操作日志")
            for col, width in zip("ABCDEFGHIJ", (8, 20, 12, 10, 16, 10, 28, 8, 60, 60)):
                ws.column_dimensions[col].width = width
            bold = Font(bold=True)
            header = []
            for h in EXPORT_HEADERS:
                c = WriteOnlyCell(ws, value=h)
                c.font = bold
                header.append(c)
            ws.append(header)
            for values in iter_export_rows(ledger, flt):
                cells = [values[0]]
                for v in values[1:]:
                    c = WriteOnlyCell(ws, value=v)
                    c.data_type = "s"  # text, never a formula, whatever it starts with
                    cells.append(c)
                ws.append(cells)
                done += 1
                if done % 500 == 0:
                    _check_cancel(token)
                    if progress:
                        progress(done, total)
            wb.save(tmp)
        else:
            with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
                w = csv.writer(f)
                w.writerow(EXPORT_HEADERS)
                for values in iter_export_rows(ledger, flt):
                    w.writerow([values[0]] + [safe_text(v) for v in values[1:]])
                    done += 1
                    if done % 500 == 0:
                        _check_cancel(token)
                        if progress:
                            progress(done, total)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if progress:
        progress(done, total)
    # Recorded as services/export_log.record_export records every export (that module imports this one).
    f = flt or AuditFilter()
    with ledger.session() as s:
        record(s, "export", "file", label=f"操作日志（{f.since or '最早'} 至 {f.until or '最新'}）",
               after={"file_name": path.name, "count": done})
    return done

