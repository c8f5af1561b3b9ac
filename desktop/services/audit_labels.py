"""The audit log's words for people: actions, object types and fields in Chinese, and values as a clerk
reads them (the log page, its export and the services that describe a change)."""

from __future__ import annotations

import json

from desktop.services.year import params as year_params

ACTION_LABELS: dict[str, str] = {"create": "新增", "update": "修改", "delete": "删除",
                                 "login": "登录", "login_failed": "登录失败", "logout": "退出登录", "backup": "备份",
                                 "restore": "恢复", "import": "导入", "export": "导出", "print": "打印",
                                 "purge": "清理日志", "upgrade": "升级", "lock": "账户锁定",
                                 "password_change": "修改密码", "password_reset": "重置密码",
                                 "screen_lock": "屏幕锁定", "screen_unlock": "解除屏幕锁定"}

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
