"""治理对象 register service: search in SQL, validation boundaries, duplicates, delete rules, history."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from desktop.models import GovernanceList, ListEntry, Year
from desktop.models.enums import Category, EvaluationClass, Method, ParkStatus, TargetKind, TargetState
from desktop.services import audit, credit_code
from desktop.services.parks import park_service
from desktop.services.register import target_service
from desktop.services.towns import town_service
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.register.target_service import NO_PARK, RegisterFilter, TargetValues

YEAR = 2024


def valid_code(first17: str) -> str:
    return first17 + credit_code.check_char(first17)


CODE_CASTING = valid_code("91350100M00010043")
CODE_TEXTILE = valid_code("91350200MA2XYW123")
CODE_CHEMICAL = valid_code("91350300MA3ABC456")
CODE_HARDWARE = valid_code("92350100MA4DEF789")


def build_ledger(db) -> SimpleNamespace:
    """Three towns, one park, five targets of every kind, made through the services."""
    towns = {n: town_service.create_town(db, n).id for n in ("东港镇", "西湖街道", "南山镇")}
    park = park_service.create(db, park_service.ParkValues(
        name="东港老工业园", town_id=towns["东港镇"], status=ParkStatus.STARTED, start_date=dt.date(2024, 3, 1)))

    def add(**kw) -> int:
        return target_service.create(db, TargetValues(**kw), year=YEAR)

    ids = {
        "casting": add(name="东港精密铸造有限公司", town_id=towns["东港镇"], category=Category.D_CLASS,
                       grade=EvaluationClass.D, credit_code=CODE_CASTING, address="东港镇工业路8号",
                       legal_rep="林建国", land_area_mu=Decimal("12.5"), industry="铸造"),
        "textile": add(name="西湖纺织印染厂", town_id=towns["西湖街道"], category=Category.POINT,
                       grade=EvaluationClass.C, credit_code=CODE_TEXTILE, address="西湖街道湖滨路20号",
                       land_area_mu=Decimal("30"), state=TargetState.IN_PROGRESS),
        "hardware": add(name="东港五金制品厂", town_id=towns["东港镇"], category=Category.CONTIGUOUS,
                        contiguous_area_id=park, credit_code=CODE_HARDWARE, address="东港镇园区路3号",
                        land_area_mu=Decimal("5"), state=TargetState.LISTED),
        "dock": add(kind=TargetKind.PARCEL, name="南山老码头地块", town_id=towns["南山镇"], category=Category.OTHER,
                    address="南山镇江边路1号", land_area_mu=Decimal("50"), land_cert_no="闽(2019)第0001号",
                    owner="南山镇人民政府"),
        "chemical": add(name="南山化工有限公司", town_id=towns["南山镇"], category=Category.D_CLASS,
                        grade=EvaluationClass.D, credit_code=CODE_CHEMICAL, address="南山镇化工路9号",
                        land_area_mu=Decimal("8"), state=TargetState.WITHDRAWN),
    }
    return SimpleNamespace(towns=towns, park=park, ids=ids)


@pytest.fixture
def ledger(db):
    return build_ledger(db)


def names(db, ids) -> list[str]:
    return [r.name for r in target_service.fetch_rows(db, ids, year=YEAR)]


def search(db, **kw) -> list[str]:
    sort = kw.pop("sort", "name")
    descending = kw.pop("descending", False)
    return names(db, target_service.search_ids(db, RegisterFilter(**kw), year=YEAR, sort=sort, descending=descending))


def values_of(db, target_id: int) -> TargetValues:
    return target_service.get(db, target_id, year=YEAR).values


# Search -----------------------------------------------------------------------------------------

def test_search_matches_code_fragment_typed_in_lower_case_and_full_width(db, ledger):
    assert search(db, text="m0001") == ["东港精密铸造有限公司"]
    assert search(db, text="Ｍ０００１") == ["东港精密铸造有限公司"]


def test_search_terms_separated_by_spaces_must_all_match(db, ledger):
    assert set(search(db, text="东港")) == {"东港精密铸造有限公司", "东港五金制品厂"}
    assert search(db, text="东港 园区路") == ["东港五金制品厂"]


def test_search_text_with_like_wildcards_is_taken_literally(db, ledger):
    assert search(db, text="%") == []
    assert search(db, text="_") == []


def test_not_in_any_park_filter_excludes_park_targets(db, ledger):
    in_park = search(db, contiguous_area_id=ledger.park)
    outside = search(db, contiguous_area_id=NO_PARK)
    assert in_park == ["东港五金制品厂"]
    assert "东港五金制品厂" not in outside and len(outside) == 4


def test_grade_filter_reads_the_years_evaluation_year(db, ledger):
    assert set(search(db, grade=EvaluationClass.D)) == {"东港精密铸造有限公司", "南山化工有限公司"}
    with db.reader() as s:
        from desktop.models import Evaluation
        years = set(s.scalars(select(Evaluation.year)))
    assert years == {2022}  # 二(一): the 2024 plan uses the 2022 evaluation


def test_sort_by_land_area_descending_is_done_in_sql(db, ledger):
    assert search(db, sort="land_area_mu", descending=True)[:3] == ["南山老码头地块", "西湖纺织印染厂", "东港精密铸造有限公司"]


def test_sort_by_unknown_column_is_refused(db, ledger):
    with pytest.raises(ValidationError):
        search(db, sort="drop table")


def test_fetch_rows_keeps_the_order_asked_and_skips_deleted(db, ledger):
    ids = [ledger.ids["dock"], 999999, ledger.ids["casting"]]
    assert names(db, ids) == ["南山老码头地块", "东港精密铸造有限公司"]


def test_filter_options_give_park_towns_and_evaluation_year(db, ledger):
    opts = target_service.filter_options(db, YEAR)
    assert [n for _i, n in opts.towns] == ["东港镇", "西湖街道", "南山镇"]
    assert opts.park_town == {ledger.park: ledger.towns["东港镇"]}
    assert opts.evaluation_year == 2022


# Validation boundaries ----------------------------------------------------------------------------

def base(ledger, **kw) -> TargetValues:
    return TargetValues(name="新企业", town_id=ledger.towns["西湖街道"], category=Category.POINT, **kw)


@pytest.mark.parametrize("name", ["", "   "])
def test_blank_name_is_refused_at_the_name_field(db, ledger, name):
    with pytest.raises(ValidationError) as err:
        target_service.create(db, dataclasses.replace(base(ledger), name=name), year=YEAR)
    assert err.value.field == "name"


def test_name_of_200_characters_is_accepted_and_201_refused(db, ledger):
    target_service.create(db, dataclasses.replace(base(ledger), name="厂" * 200), year=YEAR)
    with pytest.raises(ValidationError) as err:
        target_service.create(db, dataclasses.replace(base(ledger), name="厂" * 201), year=YEAR)
    assert err.value.field == "name" and "201" in err.value.message


def test_missing_town_is_refused(db, ledger):
    with pytest.raises(ValidationError) as err:
        target_service.create(db, dataclasses.replace(base(ledger), town_id=None), year=YEAR)
    assert err.value.field == "town_id"


@pytest.mark.parametrize("code, words", [
    (CODE_CASTING[:17], "现为17位"),
    (CODE_CASTING + "0", "现为19位"),
    ("91350100M0001O043X", "不允许的字符"),               # letter O
    (CODE_CASTING[:17] + ("0" if CODE_CASTING[17] != "0" else "1"), "校验位"),
])
def test_bad_credit_code_is_refused_at_the_code_field(db, ledger, code, words):
    with pytest.raises(ValidationError) as err:
        target_service.create(db, base(ledger, credit_code=code), year=YEAR)
    assert err.value.field == "credit_code" and words in err.value.message


def test_credit_code_typed_in_lower_case_with_spaces_is_stored_upper_case(db, ledger):
    code = valid_code("91350200MA7QWE321")
    tid = target_service.create(db, base(ledger, credit_code="  " + code.lower()[:9] + " " + code.lower()[9:]), year=YEAR)
    assert values_of(db, tid).credit_code == code


def test_bad_legacy_code_is_kept_with_the_override_and_the_audit_says_so(db, ledger):
    odd = "91350100M0001004X9"
    tid = target_service.create(db, base(ledger, credit_code=odd, credit_code_override=True), year=YEAR)
    v = values_of(db, tid)
    assert v.credit_code == odd and v.credit_code_override
    actions = [r.action for r in audit.list_entries(db, object_type="target", object_id=tid)]
    assert "保留特殊代码" in actions


def test_override_is_dropped_when_the_code_is_valid(db, ledger):
    tid = target_service.create(db, base(ledger, credit_code=valid_code("91350200MA7QWE322"), credit_code_override=True),
                                year=YEAR)
    assert values_of(db, tid).credit_code_override is False


def test_duplicate_credit_code_is_refused_naming_the_other_target(db, ledger):
    with pytest.raises(ValidationError) as err:
        target_service.create(db, base(ledger, credit_code=CODE_CASTING.lower()), year=YEAR)
    assert err.value.field == "credit_code"
    assert "东港精密铸造有限公司" in err.value.message


def test_editing_a_target_may_keep_its_own_credit_code(db, ledger):
    tid = ledger.ids["casting"]
    v = dataclasses.replace(values_of(db, tid), address="东港镇工业路10号")
    target_service.update(db, tid, v, year=YEAR)
    assert values_of(db, tid).address == "东港镇工业路10号"


def test_zero_land_area_is_accepted_and_negative_refused(db, ledger):
    tid = target_service.create(db, base(ledger, land_area_mu=Decimal(0)), year=YEAR)
    assert values_of(db, tid).land_area_mu == Decimal(0)
    with pytest.raises(ValidationError) as err:
        target_service.create(db, base(ledger, land_area_mu=Decimal("-0.01")), year=YEAR)
    assert err.value.field == "land_area_mu"
    with pytest.raises(ValidationError) as err:
        target_service.create(db, base(ledger, building_area_m2=Decimal("-1")), year=YEAR)
    assert err.value.field == "building_area_m2"


def test_square_metres_convert_to_mu():
    assert target_service.area_from_input("6666.67", "㎡") == Decimal("10.0000")
    assert target_service.area_from_input("１２.５", "亩") == Decimal("12.5000")
    assert target_service.area_from_input("", "㎡") is None
    with pytest.raises(ValidationError) as err:
        target_service.area_from_input("十亩", "亩")
    assert err.value.field == "land_area_mu"


def test_park_of_another_town_is_refused(db, ledger):
    v = base(ledger, contiguous_area_id=ledger.park)  # park is in 东港镇, target in 西湖街道
    with pytest.raises(ValidationError) as err:
        target_service.create(db, v, year=YEAR)
    assert err.value.field == "contiguous_area_id" and "东港老工业园" in err.value.message


def test_contiguous_category_needs_a_park(db, ledger):
    with pytest.raises(ValidationError) as err:
        target_service.create(db, dataclasses.replace(base(ledger), category=Category.CONTIGUOUS), year=YEAR)
    assert err.value.field == "contiguous_area_id"


def test_parcel_has_no_evaluation_class_and_cannot_be_d_class(db, ledger):
    parcel = dataclasses.replace(base(ledger), kind=TargetKind.PARCEL)
    with pytest.raises(ValidationError) as err:
        target_service.create(db, dataclasses.replace(parcel, grade=EvaluationClass.D), year=YEAR)
    assert err.value.field == "grade"
    with pytest.raises(ValidationError) as err:
        target_service.create(db, dataclasses.replace(parcel, category=Category.D_CLASS), year=YEAR)
    assert err.value.field == "category"


def test_d_class_with_another_evaluation_class_is_refused(db, ledger):
    v = dataclasses.replace(base(ledger), category=Category.D_CLASS, grade=EvaluationClass.C)
    with pytest.raises(ValidationError) as err:
        target_service.create(db, v, year=YEAR)
    assert err.value.field == "grade"


def test_kind_cannot_change_on_edit(db, ledger):
    tid = ledger.ids["dock"]
    v = dataclasses.replace(values_of(db, tid), kind=TargetKind.ENTERPRISE)
    with pytest.raises(ValidationError) as err:
        target_service.update(db, tid, v, year=YEAR)
    assert err.value.field == "kind"


def test_edit_from_a_stale_revision_is_refused(db, ledger):
    tid = ledger.ids["textile"]
    stale = values_of(db, tid)
    target_service.update(db, tid, dataclasses.replace(stale, address="新地址"), year=YEAR)
    with pytest.raises(Refused):
        target_service.update(db, tid, dataclasses.replace(stale, address="另一个地址"), year=YEAR)
    assert values_of(db, tid).address == "新地址"


# Delete -------------------------------------------------------------------------------------------

def _put_on_list(db, town_id: int, target_id: int) -> None:
    with db.session() as s:
        year_id = s.scalar(select(Year.id).where(Year.year == YEAR))
        lst = GovernanceList(town_id=town_id, year_id=year_id)
        s.add(lst)
        s.flush()
        s.add(ListEntry(list_id=lst.id, target_id=target_id, planned_method=Method.LAND_BANKING,
                        planned_area_mu=Decimal("12.5")))


def test_delete_is_refused_for_a_target_on_a_list(db, ledger):
    tid = ledger.ids["casting"]
    _put_on_list(db, ledger.towns["东港镇"], tid)
    with pytest.raises(Refused) as err:
        target_service.delete(db, tid, year=YEAR)
    assert "东港精密铸造有限公司" in err.value.message and "治理清单" in err.value.message
    assert values_of(db, tid).name == "东港精密铸造有限公司"


def test_deleted_target_can_be_created_again_from_what_delete_returned(db, ledger):
    tid = ledger.ids["casting"]
    values = target_service.delete(db, tid, year=YEAR)
    with pytest.raises(NotFound):
        target_service.get(db, tid, year=YEAR)
    new_id = target_service.create(db, values, year=YEAR)
    again = values_of(db, new_id)
    assert (again.name, again.credit_code, again.grade, again.land_area_mu) == (
        "东港精密铸造有限公司", CODE_CASTING, EvaluationClass.D, Decimal("12.5000"))


# Detail -------------------------------------------------------------------------------------------

def test_detail_lists_entries_and_readable_history(db, ledger):
    tid = ledger.ids["hardware"]
    _put_on_list(db, ledger.towns["东港镇"], tid)
    v = values_of(db, tid)
    target_service.update(db, tid, dataclasses.replace(v, address="东港镇园区路5号"), year=YEAR)
    d = target_service.get(db, tid, year=YEAR)
    assert [(e.year, e.town, e.method, e.planned_area_mu) for e in d.entries] == [(2024, "东港镇", "收储", Decimal("12.5000"))]
    latest, created = d.history[0], d.history[-1]
    assert latest.action == "修改"
    assert latest.summary() == "地址：东港镇园区路3号 → 东港镇园区路5号"
    assert created.action == "新增"
    assert "所属镇街：东港镇" in created.summary() and "连片整治片区：东港老工业园" in created.summary()


def test_history_includes_evaluation_class_changes(db, ledger):
    tid = ledger.ids["textile"]
    target_service.update(db, tid, dataclasses.replace(values_of(db, tid), grade=EvaluationClass.B), year=YEAR)
    lines = [h.summary() for h in target_service.get(db, tid, year=YEAR).history]
    assert "2022年度综合评价：C → B" in lines


def test_a_d_class_enterprise_without_its_d_evaluation_is_named_but_not_refused():
    bare = TargetValues(name="某厂", town_id=1, category=Category.D_CLASS)
    warning = target_service.class_warning(bare, 2022)
    assert "某厂" in warning and "2022年度综合效益评价" in warning
    assert target_service.clean(bare).grade is None  # saving stays allowed
    for fine in (dataclasses.replace(bare, grade=EvaluationClass.D), dataclasses.replace(bare, category=Category.POINT),
                 dataclasses.replace(bare, kind=TargetKind.PARCEL, category=Category.OTHER)):
        assert target_service.class_warning(fine, 2022) is None


def test_why_not_delete_reads_the_same_rule_as_delete(db, ledger):
    tid = ledger.ids["casting"]
    assert target_service.why_not_delete(target_service.get(db, tid, year=YEAR)) is None
    _put_on_list(db, ledger.towns["东港镇"], tid)
    why = target_service.why_not_delete(target_service.get(db, tid, year=YEAR))
    with pytest.raises(Refused) as err:
        target_service.delete(db, tid, year=YEAR)
    assert why == err.value.message and "已列入1条治理清单" in why


def test_every_sort_and_the_grade_filter_answer_as_the_search_built_afresh_did(db):
    """The search's evaluation join is aliased once for all searches (no longer built per keystroke): every
    sort key, each way, with and without the grade filter, gives the ids of the statement built as before,
    with its own alias (on a demo register, where grades, parks and withdrawn objects are all present)."""
    from sqlalchemy import and_
    from sqlalchemy.orm import aliased

    from desktop.models import Evaluation, Target
    from desktop.services.demo import demo_service
    from desktop.services.year import year_service

    demo_service.generate(db, enterprises=300, seed=5, year=YEAR)

    def built_afresh(flt, sort, descending):
        ev = aliased(Evaluation)
        needs_grade = flt.grade is not None or sort == "grade"
        eval_year = year_service.get_params(db, YEAR).evaluation_year if needs_grade else YEAR
        q = select(Target.id).select_from(Target)
        if needs_grade:
            q = q.join(ev, and_(ev.target_id == Target.id, ev.year == eval_year), isouter=flt.grade is None)
        q = target_service._filtered(q, flt, ev)
        q, key = target_service._sort_expression(sort, ev, q)
        q = q.order_by(key.desc() if descending else key.asc(), Target.id.desc() if descending else Target.id)
        with db.reader() as s:
            return list(s.execute(q).scalars())

    graded = 0
    for flt in (RegisterFilter(), RegisterFilter(grade=EvaluationClass.D), RegisterFilter(grade=EvaluationClass.A)):
        for sort in [k for k, _ in target_service.COLUMNS]:
            for descending in (False, True):
                got = target_service.search_ids(db, flt, year=YEAR, sort=sort, descending=descending)
                assert got == built_afresh(flt, sort, descending), (flt.grade, sort, descending)
                graded += flt.grade is not None and bool(got)
    assert graded == 2 * 2 * len(target_service.COLUMNS)  # both grade filters found objects
