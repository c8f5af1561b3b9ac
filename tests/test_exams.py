"""综合体检 (附件2): the stage machine as one table, every allowed and refused step, and the records of each stage."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from desktop.models import AuditLog, Examination
from desktop.models.enums import ExaminationStage as S
from desktop.models.enums import Role, SanctionKind
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.exams import exam_issues, exam_later, exam_print, exam_service, exam_states
from desktop.services.exams.exam_service import PartyInput
from desktop.services.exams.exam_states import ExamFacts
from exam_helpers import D, dept_ids, hand_lists, in_treatment, make_enterprise, started

READY = ExamFacts(stage=S.STARTED, started=True, has_plan=True, units=2, consultation_held=True,
                  consultation_approved=True, treated=True, supervisions=1)

# (action, from-stage) pairs the table allows, and where each leads.
ALLOWED = {
    ("begin_initial", S.STARTED): S.INITIAL,
    ("consult", S.INITIAL): S.CONSULTATION,
    ("reexamine", S.CONSULTATION): S.INITIAL,
    ("treat", S.CONSULTATION): S.TREATMENT,
    ("supervise", S.TREATMENT): S.SUPERVISION,
    ("close", S.TREATMENT): S.CLOSED,
    ("close", S.SUPERVISION): S.CLOSED,
}


@pytest.mark.parametrize("action", list(exam_states.TRANSITIONS))
@pytest.mark.parametrize("stage", list(S))
def test_each_step_is_allowed_from_its_stages_only(action, stage):
    facts = ExamFacts(**{**READY.__dict__, "stage": stage})
    why = exam_states.why_not(action, facts)
    if (action, stage) in ALLOWED:
        assert why is None
        assert exam_states.next_stage(action, facts) is ALLOWED[(action, stage)]
    else:
        assert why == f"体检当前处于“{stage.label}”阶段，不能{exam_states.label(action)}"
        with pytest.raises(Refused, match=why):
            exam_states.next_stage(action, facts)


@pytest.mark.parametrize("action, stage, missing, reason", [
    ("begin_initial", S.STARTED, {"started": False}, "尚未记录启动日期，不能开始初检"),
    ("begin_initial", S.STARTED, {"has_plan": False}, "尚未制定“一企一策”综合体检实施方案，不能开始初检"),
    ("begin_initial", S.STARTED, {"units": 0}, "尚未选定参与体检的成员单位（至少一个），不能开始初检"),
    ("consult", S.INITIAL, {"units_without_list": ("工信局",)}, "工信局尚未出具体检问题清单，不能进入会诊"),
    ("treat", S.CONSULTATION, {"consultation_held": False}, "尚未记录会诊，不能进入诊治"),
    ("treat", S.CONSULTATION, {"consultation_approved": False}, "会诊意见未经市领导审批，不能进入诊治"),
    ("supervise", S.TREATMENT, {"supervisions": 0}, "尚未对任何单位挂牌督办，不能转入督办"),
    ("close", S.TREATMENT, {"treated": False}, "尚未记录验收结果或惩戒措施，不能结束体检"),
    ("close", S.SUPERVISION, {"open_supervisions": ("税务局",)}, "税务局仍在挂牌督办中，解除后才能结束体检"),
])
def test_a_step_whose_condition_fails_says_why_in_chinese(action, stage, missing, reason):
    facts = ExamFacts(**{**READY.__dict__, "stage": stage, **missing})
    assert exam_states.why_not(action, facts) == reason
    with pytest.raises(Refused, match=reason):
        exam_states.next_stage(action, facts)


def test_more_than_three_units_are_named_with_their_count():
    facts = ExamFacts(**{**READY.__dict__, "stage": S.INITIAL, "units_without_list": ("甲", "乙", "丙", "丁")})
    assert exam_states.why_not("consult", facts) == "甲、乙、丙等 4 个单位尚未出具体检问题清单，不能进入会诊"


def test_what_may_be_recorded_follows_the_stage():
    assert exam_states.why_not_record("consultation", S.CONSULTATION) is None
    assert exam_states.why_not_record("consultation", S.INITIAL) == \
        "体检当前处于“初检”阶段，不能记录会诊（会诊阶段可以）"
    assert exam_states.why_not_record("initial", S.CLOSED) == "体检已结束，不能录入初检情况"
    assert exam_states.why_not_record("score", S.TREATMENT) == "体检当前处于“诊治”阶段，不能打分（结束阶段可以）"


# ---- the whole path through the services --------------------------------------------------------------

def test_a_case_goes_from_proposal_to_closing_and_each_step_is_logged_under_the_clerk(db):
    clerk = db.acting_as("clerk1")
    exam_id = started(clerk)
    assert exam_service.detail(clerk, exam_id).stage is S.STARTED
    exam_service.step(clerk, exam_id, "begin_initial")
    with pytest.raises(Refused, match="尚未出具体检问题清单，不能进入会诊"):
        exam_service.step(clerk, exam_id, "consult")
    hand_lists(clerk, exam_id, D(2024, 10, 14))
    exam_service.step(clerk, exam_id, "consult")
    with pytest.raises(Refused, match="尚未记录会诊，不能进入诊治"):
        exam_service.step(clerk, exam_id, "treat")
    detail = exam_service.detail(clerk, exam_id)
    cid = exam_later.record_consultation(clerk, exam_id, held_on=D(2024, 11, 5), towns_present=[detail.town_id],
                                         units_present=[u.department_id for u in detail.units], opinion="限期整改")
    assert exam_service.why_not_step(clerk, exam_id, "treat") == "会诊意见未经市领导审批，不能进入诊治"
    exam_later.record_approval(clerk, cid, approved_by="李副市长", approved_on=D(2024, 11, 8))
    assert exam_service.step(clerk, exam_id, "treat") is S.TREATMENT
    exam_later.add_sanction(clerk, exam_id, kind=SanctionKind.CREDIT_RATING, department_id=detail.units[0].department_id,
                            applied_on=D(2024, 12, 2), doc_number="工信函〔2024〕88号")
    sup = exam_later.add_supervision(clerk, exam_id, department_id=detail.units[1].department_id,
                                     listed_on=D(2024, 12, 3), reason="整改推动不力")
    assert exam_service.step(clerk, exam_id, "supervise") is S.SUPERVISION
    with pytest.raises(Refused, match="仍在挂牌督办中"):
        exam_service.step(clerk, exam_id, "close")
    exam_later.lift_supervision(clerk, sup, D(2024, 12, 20))
    assert exam_service.step(clerk.as_of(D(2024, 12, 30)), exam_id, "close") is S.CLOSED
    with clerk.reader() as s:
        assert s.get(Examination, exam_id).closed_on == D(2024, 12, 30)
        steps = list(s.execute(select(AuditLog.action, AuditLog.user).where(
            AuditLog.object_type == "examination", AuditLog.object_id == exam_id)).tuples())
    named = [a for a, _u in steps]
    for label in ("体检提议", "开始初检", "进入会诊", "进入诊治", "转入督办", "结束体检"):
        assert label in named
    assert {u for _a, u in steps} == {"clerk1"}


def test_records_outside_their_stage_are_refused(db):
    exam_id = started(db)
    unit = exam_service.detail(db, exam_id).units[0]
    with pytest.raises(Refused, match="体检当前处于“启动”阶段，不能录入初检情况"):
        exam_issues.save_issue_list(db, unit.id, issued_on=None)
    with pytest.raises(Refused, match="不能记录会诊"):
        exam_later.record_consultation(db, exam_id, held_on=D(2024, 10, 1), units_present=[unit.department_id],
                                       towns_present=[1], opinion="x")


def test_a_leader_and_an_auditor_may_not_write_an_examination(db):
    town_id, target_id = make_enterprise(db)
    for role in (Role.LEADER, Role.AUDITOR):
        who = db.acting_as("someone")
        who = type(who)(who.database, "someone", who.clock, role)
        with pytest.raises(Refused, match="无权录入和修改台账"):
            exam_service.propose(who, town_id=town_id, target_id=target_id, proposed_on=D(2024, 9, 1), reason="x")
    with db.reader() as s:
        assert s.scalar(select(Examination.id)) is None


def test_proposal_checks_its_fields_and_one_open_case_per_enterprise(db):
    town_id, target_id = make_enterprise(db)
    with pytest.raises(ValidationError, match="提议理由不能为空") as e:
        exam_service.propose(db, town_id=town_id, target_id=target_id, proposed_on=D(2024, 9, 1), reason=" ")
    assert e.value.field == "reason"
    with pytest.raises(ValidationError, match="关联方“甲公司”的统一社会信用代码有误"):
        exam_service.propose(db, town_id=town_id, target_id=target_id, proposed_on=D(2024, 9, 1), reason="复杂",
                             parties=[PartyInput("甲公司", "出租方", "91350100M000100Y44")])
    other_town, _ = make_enterprise(db, "乙镇", "乙镇某厂")
    with pytest.raises(ValidationError, match="不属于乙镇"):
        exam_service.propose(db, town_id=other_town, target_id=target_id, proposed_on=D(2024, 9, 1), reason="复杂")
    first = exam_service.propose(db, town_id=town_id, target_id=target_id, proposed_on=D(2024, 9, 1), reason="复杂",
                                 parties=[PartyInput("甲公司", "出租方"), PartyInput("王某", "实际控制人")])
    assert [p.name for p in exam_service.detail(db, first).parties] == ["甲公司", "王某"]
    with pytest.raises(Refused, match=f"已有未结束的综合体检（编号 {first}）"):
        exam_service.propose(db, town_id=town_id, target_id=target_id, proposed_on=D(2024, 9, 2), reason="再次")
    with pytest.raises(ValidationError, match="启动日期（2024-08-30）不能早于提议日期（2024-09-01）"):
        exam_service.start(db, first, D(2024, 8, 30))


def test_units_need_one_at_least_and_a_unit_with_a_list_stays(db):
    exam_id = started(db)
    with pytest.raises(ValidationError, match="请至少选择一个参与体检的成员单位"):
        exam_service.set_units(db, exam_id, [])
    exam_service.step(db, exam_id, "begin_initial")
    unit = exam_service.detail(db, exam_id).units[0]
    exam_issues.save_issue_list(db, unit.id, issued_on=None)
    with pytest.raises(Refused, match=f"“{unit.department}”已录入体检问题清单或书面报告，不能移出本次体检"):
        exam_service.set_units(db, exam_id, dept_ids(db, "税务局"))
    exam_service.set_units(db, exam_id, [unit.department_id] + dept_ids(db, "税务局"))
    assert [u.department for u in exam_service.detail(db, exam_id).units] == [unit.department, "税务局"]


def test_an_issue_list_replaces_its_issues_in_order_and_checks_each(db):
    from desktop.models.enums import ExamArea
    from desktop.services.exams.exam_issues import IssueInput

    exam_id = started(db)
    exam_service.step(db, exam_id, "begin_initial")
    unit = exam_service.detail(db, exam_id).units[0]
    with pytest.raises(ValidationError, match="第 2 个问题的问题描述不能为空"):
        exam_issues.save_issue_list(db, unit.id, issued_on=D(2024, 10, 10), issues=[
            IssueInput(ExamArea.LICENCES, "无证经营"), IssueInput(ExamArea.TAXATION, "")])
    with pytest.raises(ValidationError, match="清单出具日期（2024-09-20）不能早于启动日期（2024-09-27）"):
        exam_issues.save_issue_list(db, unit.id, issued_on=D(2024, 9, 20), issues=[
            IssueInput(ExamArea.LICENCES, "无证经营")])
    exam_issues.save_issue_list(db, unit.id, issued_on=D(2024, 10, 10), issues=[
        IssueInput(ExamArea.LICENCES, "无证经营", deadline=D(2024, 11, 30)),
        IssueInput(ExamArea.TAXATION, "欠缴税款", deadline=D(2024, 12, 31))])
    got = exam_issues.issue_list(db, unit.id)
    assert [(i.seq, i.area, i.description) for i in got.issues] == [
        (1, ExamArea.LICENCES, "无证经营"), (2, ExamArea.TAXATION, "欠缴税款")]
    exam_issues.set_rectified(db, got.issues[0].id, D(2024, 11, 20))
    assert exam_service.detail(db, exam_id).units[0].open_issues == 1


def test_findings_keep_one_row_per_area(db):
    from desktop.models.enums import ExamArea

    exam_id = started(db)
    exam_service.step(db, exam_id, "begin_initial")
    unit = exam_service.detail(db, exam_id).units[0]
    exam_issues.set_findings(db, unit.id, {ExamArea.WORK_SAFETY: "消防通道堵塞", ExamArea.CREDIT: "良好"})
    exam_issues.set_findings(db, unit.id, {ExamArea.CREDIT: ""})
    found = exam_issues.findings(db, unit.id)
    assert len(found) == 12
    assert (found[ExamArea.WORK_SAFETY], found[ExamArea.CREDIT]) == ("消防通道堵塞", "")


def test_sanctions_accountability_and_acceptance_are_kept_with_their_details(db):
    exam_id = started(db)
    exam_service.step(db, exam_id, "begin_initial")
    hand_lists(db, exam_id, D(2024, 10, 14))
    in_treatment(db, exam_id, D(2024, 11, 5))
    units = exam_service.detail(db, exam_id).units
    exam_later.add_sanction(db, exam_id, kind=SanctionKind.JUDICIAL_TRANSFER, department_id=None,
                            issuer="市公安局", applied_on=D(2024, 12, 1), doc_number="公移〔2024〕3号")
    exam_later.record_acceptance(db, exam_id, passed=False, accepted_by="王五", accepted_on=D(2024, 12, 2))
    exam_later.add_accountability(db, exam_id, department_id=units[0].department_id, person="某科长",
                                  description="瞒报企业违规生产情况", decided_on=D(2024, 12, 5), doc_number="纪〔2024〕1号")
    with pytest.raises(ValidationError, match="请选择参与本次体检的成员单位"):
        exam_later.add_supervision(db, exam_id, department_id=dept_ids(db, "人行")[0], listed_on=D(2024, 12, 3),
                                   reason="x")
    later = exam_later.later_stages(db, exam_id)
    assert [(x.kind, x.issuer, x.doc_number) for x in later.sanctions] == [
        (SanctionKind.JUDICIAL_TRANSFER, "市公安局", "公移〔2024〕3号")]
    assert [(t.accepted, t.accepted_by) for t in later.treatments] == [(False, "王五")]
    assert later.accountability[0].department == units[0].department
    assert later.consultations[0].in_effect and later.consultations[0].towns_present == ("甲镇",)


def test_a_done_date_in_the_future_is_refused(db):
    exam_id = started(db)
    with pytest.raises(ValidationError, match="启动日期不能晚于今天") as e:
        exam_service.start(db.as_of(D(2024, 9, 1)), exam_id, D(2024, 9, 27))
    assert e.value.field == "start_date"


# ---- the printed documents' data ---------------------------------------------------------------------

def test_the_issue_list_document_carries_the_enterprise_the_unit_and_the_issues(db):
    exam_id = started(db)
    exam_service.step(db, exam_id, "begin_initial")
    hand_lists(db, exam_id, D(2024, 10, 14), deadline=D(2024, 11, 30))
    dept = exam_service.detail(db, exam_id).units[0]
    doc = exam_print.issue_list_doc(db, exam_id, dept.department_id)
    assert (doc.enterprise, doc.address, doc.unit, doc.issued_on) == (
        "东港铸造有限公司", "甲镇工业路8号", dept.department, D(2024, 10, 14))
    assert [(r.seq, r.area, r.deadline) for r in doc.issues] == [(1, "安全生产", D(2024, 11, 30))]
    assert doc.seal_image is None
    whole = exam_print.consolidated_doc(db, exam_id)
    assert [d.unit for d in whole.lists] == [u.department for u in exam_service.detail(db, exam_id).units]


def test_the_documents_refuse_an_unknown_case_or_a_unit_not_in_it(db):
    exam_id = started(db)
    with pytest.raises(NotFound, match="综合体检（编号 9999）不存在"):
        exam_print.issue_list_doc(db, 9999, dept_ids(db, "工信局")[0])
    with pytest.raises(NotFound, match="“人行”未参与“东港铸造有限公司”的综合体检"):
        exam_print.issue_list_doc(db, exam_id, dept_ids(db, "人行")[0])
    with pytest.raises(NotFound, match="综合体检（编号 9999）不存在"):
        exam_print.consolidated_doc(db, 9999)


def test_a_proposal_recorded_by_mistake_is_deleted_only_before_the_initial_examination(db):
    exam_id = started(db)
    other = started(db, name="西港化工有限公司")
    exam_service.step(db, other, "begin_initial")
    with pytest.raises(Refused, match="体检当前处于“初检”阶段，不能删除提议"):
        exam_service.delete_proposal(db, other)
    exam_service.delete_proposal(db, exam_id)
    assert [r.id for r in exam_service.list_rows(db)] == [other]
