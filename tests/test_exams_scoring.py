"""打分 after an examination (weighted totals recomputed from item scores, criteria editable per year) and the
成员单位 directory (系统管理员 only, with 分管领导 and an electronic seal image)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from desktop.models.enums import Role, SanctionKind
from desktop.services.errors import Refused, ValidationError
from desktop.services.exams import department_service, exam_later, exam_scoring, exam_service
from desktop.services.exams.exam_scoring import CriterionRow, ItemScore
from desktop.services.year import year_service
from exam_helpers import D, hand_lists, in_treatment, started


def as_role(db, role: Role, user: str = "someone"):
    return replace(db, user=user, role=role)


def closed_case(db, on=D(2024, 12, 20)) -> int:
    exam_id = started(db)
    exam_service.step(db, exam_id, "begin_initial")
    hand_lists(db, exam_id, D(2024, 10, 14))
    in_treatment(db, exam_id, D(2024, 11, 5))
    exam_later.add_sanction(db, exam_id, kind=SanctionKind.AWARD_VETO,
                            department_id=exam_service.detail(db, exam_id).units[0].department_id,
                            applied_on=D(2024, 12, 1), doc_number="发改〔2024〕7号")
    exam_service.step(db.as_of(on), exam_id, "close")
    return exam_id


def test_the_weighted_total_is_points_over_maximum_times_weight_on_a_100_scale():
    items = [ItemScore("a", Decimal(30), Decimal(100), Decimal(90)), ItemScore("b", Decimal(70), Decimal(10),
                                                                               Decimal(5))]
    # 90/100×30 + 5/10×70 = 27 + 35 = 62 of 100
    assert exam_scoring.weighted_total(items) == Decimal("62.00")
    # weights that do not add up to 100 are scaled: 1/3 of 100 = 33.33
    assert exam_scoring.weighted_total([ItemScore("a", Decimal(1), Decimal(3), Decimal(1))]) == Decimal("33.33")


def test_a_unit_is_scored_only_when_the_case_has_ended_and_the_total_is_kept(db):
    exam_id = started(db)
    unit = exam_service.detail(db, exam_id).units[0]
    points = {c.name: 80 for c in exam_scoring.DEFAULT_CRITERIA}
    with pytest.raises(Refused, match="体检当前处于“启动”阶段，不能打分（结束阶段可以）"):
        exam_scoring.score_unit(db, unit.id, points)
    exam_id = closed_case(db, on=D(2024, 12, 20))
    unit = exam_service.detail(db, exam_id).units[0]
    scores = dict(zip((c.name for c in exam_scoring.DEFAULT_CRITERIA), (100, 80, 60, 40)))
    total = exam_scoring.score_unit(db.as_of(D(2024, 12, 25)).acting_as("town1"), unit.id, scores)
    # 100×30 + 80×30 + 60×25 + 40×15 = 3000 + 2400 + 1500 + 600 = 7500 → 75
    assert total == Decimal("75.00")
    kept = exam_scoring.unit_scores(db, exam_id)[0]
    assert (kept.total, kept.scored_by, kept.scored_on) == (Decimal("75.00"), "town1", D(2024, 12, 25))
    assert [i.points for i in kept.items] == [Decimal(100), Decimal(80), Decimal(60), Decimal(40)]
    assert exam_service.detail(db, exam_id).units[0].town_score == Decimal("75.00")
    assert exam_scoring.year_totals(db, 2024)[unit.department] == [Decimal("75.00")]


def test_a_missing_or_too_high_or_unknown_score_is_refused_naming_the_criterion(db):
    exam_id = closed_case(db)
    unit = exam_service.detail(db, exam_id).units[0]
    names = [c.name for c in exam_scoring.DEFAULT_CRITERIA]
    with pytest.raises(ValidationError, match=f"请填写“{names[3]}”的得分"):
        exam_scoring.score_unit(db, unit.id, {n: 50 for n in names[:3]})
    with pytest.raises(ValidationError, match=f"“{names[0]}”的得分不能超过满分 100，现为 101"):
        exam_scoring.score_unit(db, unit.id, {**{n: 50 for n in names}, names[0]: 101})
    with pytest.raises(ValidationError, match="“印象分”不是2024年度的评分项目"):
        exam_scoring.score_unit(db, unit.id, {**{n: 50 for n in names}, "印象分": 1})
    with pytest.raises(ValidationError, match="得分应为数字"):
        exam_scoring.score_unit(db, unit.id, {**{n: 50 for n in names}, names[1]: "良"})
    assert exam_scoring.unit_scores(db, exam_id)[0].total is None


def test_criteria_are_edited_per_year_by_the_administrator_and_a_new_year_inherits_them(db):
    rows = [CriterionRow("履职", Decimal(60)), CriterionRow("协同", Decimal(40), Decimal(10))]
    with pytest.raises(Refused, match="经办无权修改年度参数"):
        exam_scoring.set_criteria(as_role(db, Role.CLERK), 2024, rows)
    assert exam_scoring.criteria_source(db, 2024) is None  # the built-in defaults
    exam_scoring.set_criteria(as_role(db, Role.SYSADMIN, "admin"), 2024, rows)
    assert exam_scoring.criteria(db, 2024) == rows
    year_service.new_year(db, 2025)
    assert (exam_scoring.criteria(db, 2025), exam_scoring.criteria_source(db, 2025)) == (rows, 2024)
    with pytest.raises(ValidationError, match="评分项目“履职”重复"):
        exam_scoring.set_criteria(db, 2025, rows + [CriterionRow("履职", Decimal(1))])
    with pytest.raises(ValidationError, match="“协同”的权重应大于 0"):
        exam_scoring.set_criteria(db, 2025, [CriterionRow("协同", Decimal(0))])


def test_a_kept_score_keeps_the_weights_it_was_given(db):
    exam_id = closed_case(db)
    unit = exam_service.detail(db, exam_id).units[0]
    exam_scoring.set_criteria(db, 2024, [CriterionRow("履职", Decimal(50)), CriterionRow("协同", Decimal(50))])
    exam_scoring.score_unit(db.as_of(D(2024, 12, 25)), unit.id, {"履职": 100, "协同": 0})
    exam_scoring.set_criteria(db, 2024, [CriterionRow("履职", Decimal(90)), CriterionRow("协同", Decimal(10))])
    kept = exam_scoring.unit_scores(db, exam_id)[0]
    assert kept.total == Decimal("50.00")
    assert [i.weight for i in kept.items] == [Decimal(50), Decimal(50)]


# ---- 成员单位 ------------------------------------------------------------------------------------------

def test_only_the_system_administrator_keeps_the_member_units(db):
    with pytest.raises(Refused, match="经办无权维护成员单位"):
        department_service.add_department(as_role(db, Role.CLERK), "市纪委监委")
    admin = as_role(db, Role.SYSADMIN, "admin")
    dept = department_service.add_department(admin, "市纪委监委", leader="赵书记", contact="钱干事", phone="0591-7654321")
    row = next(d for d in department_service.list_departments(db) if d.id == dept)
    assert (row.leader, row.contact, row.phone, row.sort_order, row.has_seal) == (
        "赵书记", "钱干事", "0591-7654321", 22, False)
    with pytest.raises(ValidationError, match="成员单位“工信局”已存在") as e:
        department_service.update_department(admin, dept, name="工信局")
    assert e.value.field == "name"
    with pytest.raises(ValidationError, match="联系电话只能包含数字") as e:
        department_service.update_department(admin, dept, name="市纪委监委", phone="电话")
    assert e.value.field == "phone"
    department_service.move(admin, dept, -1)
    assert [d.name for d in department_service.list_departments(db)][-2:] == ["市纪委监委", "消防救援大队"]
    department_service.set_active(admin, dept, False)
    assert "市纪委监委" not in [d.name for d in department_service.list_departments(db, include_inactive=False)]


def test_an_inactive_unit_cannot_join_a_new_case_and_a_used_one_cannot_be_deleted(db):
    exam_id = started(db, units=("工信局",))
    gone = department_service.list_departments(db)[-1]
    department_service.set_active(db, gone.id, False)
    with pytest.raises(ValidationError, match=f"成员单位“{gone.name}”已停用"):
        exam_service.set_units(db, exam_id, [gone.id])
    used = exam_service.detail(db, exam_id).units[0]
    with pytest.raises(Refused, match="已参与 1 次综合体检，.*不能删除，可改为停用"):
        department_service.delete_department(db, used.department_id)


def test_a_seal_image_is_a_png_kept_with_the_unit_and_printed_on_its_issue_list(db, tmp_path):
    from desktop.services.exams import exam_print

    png = tmp_path / "seal.png"
    png.write_bytes(department_service.PNG_MAGIC + b"\0" * 64)
    fake = tmp_path / "seal2.png"
    fake.write_bytes(b"GIF89a" + b"\0" * 64)
    exam_id = started(db, units=("工信局",))
    dept_id = exam_service.detail(db, exam_id).units[0].department_id
    admin = as_role(db, Role.SYSADMIN, "admin")
    with pytest.raises(ValidationError, match="所选文件不是 PNG 图片"):
        department_service.set_seal(admin, dept_id, fake)
    department_service.set_seal(admin, dept_id, png)
    assert department_service.seal_image(db, dept_id) == png.read_bytes()
    assert exam_print.issue_list_doc(db, exam_id, dept_id).seal_image == png.read_bytes()
    department_service.set_seal(admin, dept_id, None)
    assert exam_print.issue_list_doc(db, exam_id, dept_id).seal_image is None
