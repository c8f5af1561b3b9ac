"""考核评分 sessions (四(五)): criteria per kind and year, some computed from the ledger; weights frozen when
the session opens; totals recomputed from item scores and ranked with ties (1, 1, 3); one account enters,
another confirms; a confirmed session is locked and unlocking needs a reason in the log."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from desktop.models import AuditLog, Score, Year, YearParams
from desktop.models.enums import Role, ScoringSubject
from desktop.services.errors import Refused, ValidationError
from desktop.services.scoring import scoring_service as svc
from desktop.services.scoring.scoring_criteria import DEFAULTS, CriterionSpec
from desktop.services.towns import town_service
from test_bulletin import verified
from test_report_service import make_town

D = Decimal


def as_account(db, user: str, role: Role = Role.CLERK):
    return dataclasses.replace(db, user=user, role=role)


@pytest.fixture
def towns(db):
    """甲 100 亩 target, 50 verified; 乙 200, 200 verified; 丙 with no target."""
    ids = {n: make_town(db, n) for n in ("甲镇", "乙镇", "丙镇")}
    town_service.set_target(db, ids["甲镇"], 2024, target_area_mu=100, target_parks=0)
    town_service.set_target(db, ids["乙镇"], 2024, target_area_mu=200, target_parks=0)
    verified(db, ids["甲镇"], "甲一厂", "50", dt.date(2024, 9, 24))
    verified(db, ids["乙镇"], "乙一厂", "200", dt.date(2024, 9, 24))
    return ids


def entered(g: svc.ScoreGrid) -> list[svc.CriterionInfo]:
    return [c for c in g.criteria if not c.computed]


def fill(ledger, session_id: int, value=10) -> None:
    g = svc.grid(ledger, session_id)
    svc.set_scores(ledger, session_id, {(x.id, c.id): min(D(value), c.max_points)
                                        for x in g.subjects for c in entered(g)})


def test_a_new_session_starts_from_the_kinds_defaults_then_from_the_kinds_last_session(db):
    first = svc.new_session(db, 2024, ScoringSubject.SOE, "2024年度国企考核")
    assert [(c.name, c.weight, c.source) for c in svc.grid(db, first).criteria] == \
        [(c.name, c.weight, c.source) for c in DEFAULTS[ScoringSubject.SOE]]
    svc.set_criteria(db, first, [CriterionSpec("收储成本控制在限额内", "40", "40", "cost_cap"),
                                 CriterionSpec("协同配合", "60", "100")])
    again = svc.new_session(db, 2024, ScoringSubject.SOE, "2024年度国企考核（复评）")
    assert [(c.name, c.weight, c.max_points) for c in svc.grid(db, again).criteria] == \
        [("收储成本控制在限额内", D(40), D(40)), ("协同配合", D(60), D(100))]
    towns = svc.new_session(db, 2024, ScoringSubject.TOWN, "2024年度镇街考核")
    assert {c.source for c in svc.grid(db, towns).criteria} >= {"completion", "parks", "reports", "pass_rate",
                                                                "contiguous"}


def test_a_source_of_another_kind_and_a_blank_name_are_refused(db):
    sid = svc.new_session(db, 2024, ScoringSubject.SOE, "国企")
    with pytest.raises(ValidationError, match="不适用于市级国企"):
        svc.set_criteria(db, sid, [CriterionSpec("完成率", "50", "50", "completion")])
    with pytest.raises(ValidationError, match="考核评分名称"):
        svc.new_session(db, 2024, ScoringSubject.SOE, "  ")


def test_weights_are_frozen_once_the_first_score_opens_the_session(db, towns):
    sid = svc.new_session(db, 2024, ScoringSubject.TOWN, "镇街")
    assert svc.session_info(db, sid).state == svc.DRAFT
    fill(db, sid)
    assert svc.session_info(db, sid).state == svc.OPEN
    with pytest.raises(Refused, match="权重已冻结"):
        svc.set_criteria(db, sid, [CriterionSpec("组织推进与工作成效", "100", "100")])


def test_completion_is_computed_from_verified_area_over_the_towns_target(db, towns):
    sid = svc.new_session(db, 2024, ScoringSubject.TOWN, "镇街")
    svc.open_session(db, sid)
    g = svc.grid(db, sid)
    c = next(c for c in g.criteria if c.source == "completion")  # 30 points
    got = {x.name: g.points[(x.id, c.id)] for x in g.subjects}
    assert got == {"甲镇": D(15), "乙镇": D(30), "丙镇": D(30)}  # 50 %; 100 %; no target: nothing owed
    assert g.notes[(towns["甲镇"], c.id)] == "已核实 50.00 亩 ÷ 目标 100.00 亩"


def test_cost_within_the_cap_reads_the_years_cap_per_mu(demo_db):
    with demo_db.reader() as s:
        year = s.scalar(select(Year.year).where(Year.is_current))
    sid = svc.new_session(demo_db, year, ScoringSubject.SOE, "国企")

    def cost_points(cap: str) -> list[Decimal]:
        with demo_db.session() as s:
            p = s.scalar(select(YearParams).join(Year, Year.id == YearParams.year_id).where(Year.year == year))
            p.landbank_cost_cap_wan_per_mu = D(cap)
        svc.refresh_computed(demo_db, sid)
        g = svc.grid(demo_db, sid)
        c = next(c for c in g.criteria if c.source == "cost_cap")
        return [g.points[(x.id, c.id)] for x in g.subjects], [g.notes.get((x.id, c.id), "") for x in g.subjects]

    generous, notes = cost_points("100000")
    assert all(p == D(30) for p in generous) and any("100000 万元/亩" in n for n in notes)
    strict, notes = cost_points("0.01")
    assert any(p == D(0) for p in strict) and any("0.01 万元/亩" in n for n in notes)


def test_totals_are_recomputed_from_item_scores_and_equal_totals_share_a_rank():
    crit = [svc.CriterionInfo(1, "甲项", D(60), D(100), ""), svc.CriterionInfo(2, "乙项", D(40), D(10), "")]
    subjects = [svc.SubjectInfo(7, "东镇"), svc.SubjectInfo(8, "西镇"), svc.SubjectInfo(9, "南镇")]
    points = {(7, 1): D(80), (7, 2): D(5), (8, 1): D(80), (8, 2): D(5), (9, 1): D(100), (9, 2): None}
    rows = svc.rank_rows(crit, subjects, points)
    assert [(r.subject, r.total, r.rank, r.tied, r.complete) for r in rows] == [
        ("东镇", D("68.00"), 1, True, True),  # 80/100×60 + 5/10×40 = 48 + 20
        ("西镇", D("68.00"), 1, True, True),
        ("南镇", D("60.00"), 3, False, False)]  # a missing score counts 0
    assert rows[0].rank_label == "并列第1" and rows[0].weights == {"甲项": D(60), "乙项": D(40)}


def test_typed_values_update_totals_and_ranks_without_writing(db, towns):
    sid = svc.new_session(db, 2024, ScoringSubject.TOWN, "镇街")
    fill(db, sid, 5)
    g = svc.grid(db, sid)
    c = entered(g)[0]
    before = {r.subject: r.total for r in g.rows}
    live = svc.recompute(g, {(towns["甲镇"], c.id): str(c.max_points), (towns["乙镇"], c.id): "abc"})
    after = {r.subject: r.total for r in live}
    assert after["甲镇"] > before["甲镇"] and after["乙镇"] < before["乙镇"]
    assert {r.subject: r.total for r in svc.result(db, sid)} == before  # nothing written


def test_a_score_above_full_points_is_refused_and_nothing_is_written(db, towns):
    sid = svc.new_session(db, 2024, ScoringSubject.TOWN, "镇街")
    g = svc.grid(db, sid)
    c = entered(g)[0]
    with pytest.raises(ValidationError, match=f"“{c.name}”的得分应在 0 至 15 之间，现为 16"):
        svc.set_scores(db, sid, {(towns["甲镇"], c.id): "3", (towns["乙镇"], c.id): "16"})
    with db.reader() as s:
        assert s.scalar(select(Score.id)) is None
    assert svc.session_info(db, sid).state == svc.DRAFT
    computed = next(c for c in g.criteria if c.computed)
    with pytest.raises(ValidationError, match="由台账数据计算，不能录入"):
        svc.set_scores(db, sid, {(towns["甲镇"], computed.id): "3"})


def test_the_account_that_entered_the_scores_cannot_confirm_another_can_and_the_session_locks(db, towns):
    clerk, second, leader = as_account(db, "clerk"), as_account(db, "clerk2"), as_account(db, "lead", Role.LEADER)
    sid = svc.new_session(clerk, 2024, ScoringSubject.TOWN, "镇街")
    fill(clerk, sid)
    assert "不能由本人确认" in svc.why_not_confirm(clerk, sid)
    with pytest.raises(Refused, match="本场评分由您录入，不能由本人确认，须由另一账户确认"):
        svc.confirm(clerk, sid)
    assert svc.why_not_confirm(second, sid) is None and svc.why_not_confirm(leader, sid) is None
    svc.confirm(second, sid)
    info = svc.session_info(db, sid)
    assert (info.state, info.confirmed_by, info.scorers) == (svc.CONFIRMED, "clerk2", ("clerk",))
    g = svc.grid(db, sid)
    with pytest.raises(Refused, match="已确认并锁定"):
        svc.set_scores(second, sid, {(g.subjects[0].id, entered(g)[0].id): "1"})
    with pytest.raises(Refused, match="已确认并锁定"):
        svc.refresh_computed(clerk, sid)


def test_a_leader_confirms_and_the_auditor_may_not(db, towns):
    clerk = as_account(db, "clerk")
    sid = svc.new_session(clerk, 2024, ScoringSubject.TOWN, "镇街")
    fill(clerk, sid)
    assert "审计管理员无权确认" in svc.why_not_confirm(as_account(db, "aud", Role.AUDITOR), sid)
    svc.confirm(as_account(db, "lead", Role.LEADER), sid)
    assert svc.session_info(db, sid).confirmed_by == "lead"


def test_a_session_with_scores_missing_cannot_be_confirmed(db, towns):
    clerk = as_account(db, "clerk")
    sid = svc.new_session(clerk, 2024, ScoringSubject.TOWN, "镇街")
    g = svc.grid(clerk, sid)
    svc.set_scores(clerk, sid, {(towns["甲镇"], entered(g)[0].id): "1"})
    with pytest.raises(Refused, match="尚有得分未填写：甲镇“宣传报道与典型案例”、乙镇“组织推进与工作成效”、乙镇“宣传报道与典型案例”等 5 项"):
        svc.confirm(as_account(db, "clerk2"), sid)


def test_unlocking_needs_a_reason_which_is_kept_in_the_log_and_the_session_must_be_confirmed_again(db, towns):
    clerk, second = as_account(db, "clerk"), as_account(db, "clerk2")
    sid = svc.new_session(clerk, 2024, ScoringSubject.TOWN, "镇街")
    fill(clerk, sid)
    svc.confirm(second, sid)
    with pytest.raises(ValidationError, match="解锁须写明原因"):
        svc.unlock(second, sid, "  ")
    svc.unlock(second, sid, "甲镇得分录错")
    info = svc.session_info(db, sid)
    assert (info.state, info.confirmed_by, info.unlock_reason) == (svc.OPEN, "", "甲镇得分录错")
    with db.reader() as s:
        logged = [(a.user, a.after["reason"]) for a in s.scalars(select(AuditLog).where(AuditLog.action == "解锁评分"))]
        confirmed = list(s.scalars(select(AuditLog.user).where(AuditLog.action == "确认评分")))
    assert logged == [("clerk2", "甲镇得分录错")]
    assert confirmed == ["clerk2"]
    fill(clerk, sid, 7)
    with pytest.raises(Refused, match="不能由本人确认"):
        svc.confirm(clerk, sid)


def test_the_units_computed_scores_come_from_the_towns_scores_and_the_duties_of_examinations(demo_db):
    from desktop.services.exams import exam_scoring

    with demo_db.reader() as s:
        year = s.scalar(select(Year.year).where(Year.is_current))
    totals = exam_scoring.year_totals(demo_db, year)
    assert totals, "the sample city has a scored examination"
    sid = svc.new_session(demo_db, year, ScoringSubject.DEPARTMENT, "成员单位")
    svc.open_session(demo_db, sid)
    g = svc.grid(demo_db, sid)
    scores = next(c for c in g.criteria if c.source == "exam_scores")  # 30 points for 100 from the towns
    by_name = {x.name: x.id for x in g.subjects}
    for name, kept in totals.items():
        avg = sum(kept, D(0)) / len(kept)
        assert g.points[(by_name[name], scores.id)] == (avg * 30 / 100).quantize(D("0.01"))
        assert g.notes[(by_name[name], scores.id)].startswith(f"{len(kept)} 次体检镇街评分平均")
    duties = next(c for c in g.criteria if c.source == "exam_duties")
    assert all(D(0) <= g.points[(x.id, duties.id)] <= duties.max_points for x in g.subjects)
    assert any(n.startswith("按期完成") for (_subject, cid), n in g.notes.items() if cid == duties.id)


def test_the_towns_on_time_reports_count_each_hand_in_as_the_bulletin_does(demo_db):
    from desktop.services.bulletins.bulletin_draft import draft

    with demo_db.reader() as s:
        year = s.scalar(select(Year.year).where(Year.is_current))
    sid = svc.new_session(demo_db, year, ScoringSubject.TOWN, "镇街")
    svc.open_session(demo_db, sid)
    g = svc.grid(demo_db, sid)
    c = next(c for c in g.criteria if c.source == "reports")
    for r in draft(demo_db, year, None).rows:
        due = r.reports + r.missing_reports
        want = (c.max_points * r.on_time_reports / due).quantize(D("0.01")) if due else c.max_points
        assert g.points[(r.town_id, c.id)] == want
