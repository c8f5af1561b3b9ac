"""年度参数: parsing and validation bounds, 新建年度, and the page's form (errors at the field)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from conftest import wait_idle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox

from desktop.services.year import year_service
from desktop.services.errors import Refused, ValidationError

D = Decimal

# The offscreen platform cannot pass a shown window's size hints on and says so; not a fault of ours.
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


# Services (no Qt) ---------------------------------------------------------------------------

def test_share_of_exactly_100_percent_is_accepted():
    assert year_service.validate({"contiguous_share_min_pct": D("100")})["contiguous_share_min_pct"] == 100


def test_share_above_100_percent_is_refused_at_its_field():
    with pytest.raises(ValidationError) as e:
        year_service.validate({"contiguous_share_min_pct": D("100.01")})
    assert e.value.field == "contiguous_share_min_pct" and "100" in e.value.message


def test_negative_target_area_is_refused_at_its_field():
    with pytest.raises(ValidationError) as e:
        year_service.validate(year_service.parse_form({"target_area_mu": "-1"}))
    assert e.value.field == "target_area_mu"


def test_zero_target_area_is_accepted():
    assert year_service.validate(year_service.parse_form({"target_area_mu": "0"}))["target_area_mu"] == 0


def test_text_that_is_not_a_number_is_refused_at_its_field():
    with pytest.raises(ValidationError) as e:
        year_service.parse_form({"landbank_cost_cap_wan_per_mu": "六十"})
    assert e.value.field == "landbank_cost_cap_wan_per_mu"


def test_whole_number_fields_refuse_fractions():
    with pytest.raises(ValidationError) as e:
        year_service.parse_form({"parks_target": "12.5"})
    assert e.value.field == "parks_target" and "整数" in e.value.message
    assert year_service.parse_form({"parks_target": "１２"})["parks_target"] == 12


def test_required_field_left_empty_is_refused_but_subsidy_may_be_empty():
    with pytest.raises(ValidationError) as e:
        year_service.parse_form({"report_due_day": " "})
    assert e.value.field == "report_due_day"
    values = year_service.validate(year_service.parse_form({"subsidy_rate_wan_per_mu": "", "subsidy_park_bonus_wan": ""}))
    assert values == {"subsidy_rate_wan_per_mu": None, "subsidy_park_bonus_wan": None}


def test_verify_day_before_report_day_is_refused():
    with pytest.raises(ValidationError) as e:
        year_service.validate(year_service.parse_form({"report_due_day": "20", "verify_due_day": "19"}))
    assert e.value.field == "verify_due_day"


def test_no_verifying_department_is_refused():
    with pytest.raises(ValidationError) as e:
        year_service.validate(year_service.parse_form({"verifying_departments": []}))
    assert e.value.field == "verifying_departments"


def test_every_field_has_a_label_bound_and_plan_hint():
    numeric = [f for f in year_service.PARAM_FIELDS if f != "verifying_departments"]
    assert set(numeric) == set(year_service.PARAM_LIMITS)
    assert set(year_service.PARAM_FIELDS) == set(year_service.PARAM_HINTS)
    # hints are written without the year's numbers, which live in the fields
    assert all("4000" not in h and "60万元" not in h for h in year_service.PARAM_HINTS.values())


def test_the_model_columns_agree_with_the_one_declaration():
    from sqlalchemy import JSON, Integer

    from desktop.models import YearParams
    from desktop.models.base import ScaledDecimal
    from desktop.services.year import params

    columns = {c.name: c for c in YearParams.__table__.columns}
    own = set(columns) - {"id", "year_id", "created_at", "updated_at", "revision"}
    assert own == set(params.PARAM_FIELDS)
    expected_type = {params.Decimal: ScaledDecimal, int: Integer, list: JSON}
    for p in params.PARAMS:
        column = columns[p.name]
        assert isinstance(column.type, expected_type[p.kind]), p.name
        assert column.nullable == p.optional, p.name
    fields = [f.name for f in dataclasses.fields(year_service.Params)]
    assert fields == ["year", *params.PARAM_FIELDS, "revision"]
    # the form's groups hold every parameter once, in declaration order
    assert [n for _g, names in params.GROUPS for n in names] == params.PARAM_FIELDS


def test_every_default_lies_within_its_limits():
    for name, (label, lo, hi) in year_service.PARAM_LIMITS.items():
        value = year_service.PLAN_2024_DEFAULTS[name]
        if value is None:
            assert name in year_service.OPTIONAL_FIELDS, label
            continue
        assert year_service.validate({name: value}) == {name: value}, label


def test_agreement_filing_workdays_is_a_whole_number_of_1_to_60_workdays():
    assert year_service.parse_form({"agreement_filing_workdays": "15"}) == {"agreement_filing_workdays": 15}
    for bad in ("0", "61"):
        with pytest.raises(ValidationError) as e:
            year_service.validate(year_service.parse_form({"agreement_filing_workdays": bad}))
        assert e.value.field == "agreement_filing_workdays" and "协议备案期限" in e.value.message


def test_params_for_a_date_take_its_year_else_the_latest_year_before_else_the_first(db):
    import datetime as dt

    year_service.new_year(db, 2026)
    year_service.update_params(db, 2026, {"parks_target": 26})
    on = {day: year_service.params_for(db, day).year
          for day in (dt.date(2023, 6, 1), dt.date(2024, 12, 31), dt.date(2025, 7, 1), dt.date(2026, 1, 1),
                      dt.date(2030, 1, 1))}
    assert on == {dt.date(2023, 6, 1): 2024, dt.date(2024, 12, 31): 2024, dt.date(2025, 7, 1): 2024,
                  dt.date(2026, 1, 1): 2026, dt.date(2030, 1, 1): 2026}
    cache: dict = {}
    with db.reader() as s:  # a session works too, and a cache keeps each year read once
        assert year_service.params_for(s, dt.date(2027, 3, 1), cache=cache).parks_target == 26
    assert set(cache) == {2027}


def test_update_params_saves_and_bumps_the_revision(db):
    before = year_service.get_params(db, 2024)
    after = year_service.update_params(db, 2024, {"target_area_mu": D("4200"), "verifying_departments": ["资规局", "税务局"]},
                                       expected_revision=before.revision)
    assert after.target_area_mu == D("4200") and after.verifying_departments == ["资规局", "税务局"]
    assert after.revision > before.revision
    with pytest.raises(Refused):
        year_service.update_params(db, 2024, {"target_area_mu": D("1")}, expected_revision=before.revision)


def test_new_year_copies_every_parameter(db):
    year_service.update_params(db, 2024, {"target_area_mu": D("4321"), "subsidy_rate_wan_per_mu": D("2.5"),
                                          "verifying_departments": ["工信局"]})
    old = year_service.get_params(db, 2024)
    new = year_service.new_year(db)
    assert new.year == 2025
    for name in year_service.PARAM_FIELDS:
        assert getattr(new, name) == getattr(old, name), name
    assert new.evaluation_year == 2023
    assert year_service.list_years(db) == [2024, 2025]


def test_new_year_refuses_an_existing_year(db):
    with pytest.raises(Refused):
        year_service.new_year(db, 2024)


def test_departments_are_listed_in_order(db):
    deps = year_service.list_departments(db)
    assert len(deps) == 21 and deps[0].name == "市政府办" and deps[-1].name == "消防救援大队"


# The page ------------------------------------------------------------------------------------

@pytest.fixture
def page(qtbot, ctx):
    from desktop.views.year.year_view import YearParamsPage

    p = YearParamsPage(ctx)
    qtbot.addWidget(p)
    p.show()
    p.activate()
    wait_idle(qtbot, ctx)
    return p


def test_form_shows_every_parameter_of_the_year(page):
    assert page.title.text() == "2024年度参数"
    assert page._editors["target_area_mu"].text() == "4000"
    assert page._editors["contiguous_share_min_pct"].text() == "30"
    assert page._editors["report_due_day"].text() == "20"
    assert page.evaluation_year_label.text() == "= 2022年度"
    checked = [n for n, b in page._dept_boxes.items() if b.isChecked()]
    assert checked == ["工信局", "资规局", "交通运输局", "税务局"]  # in member-unit order
    assert len(page._dept_boxes) == 21
    assert not page.dirty_label.isVisible()


def test_negative_area_is_refused_at_the_field_and_typed_text_kept(qtbot, page, ctx, db):
    edit = page._editors["target_area_mu"]
    edit.clear()
    qtbot.keyClicks(edit, "-5")
    assert page.dirty_label.isVisible()
    assert page.save() is False
    err = page._errors["target_area_mu"]
    assert err.isVisible() and "不能小于" in err.text()
    assert edit.text() == "-5" and edit.hasFocus()
    wait_idle(qtbot, ctx)
    assert year_service.get_params(db, 2024).target_area_mu == D(4000)


def test_share_over_100_is_refused_at_its_field(qtbot, page):
    edit = page._editors["contiguous_share_min_pct"]
    edit.setText("")
    qtbot.keyClicks(edit, "100.5")
    qtbot.keyClick(edit, "\r")
    assert page._errors["contiguous_share_min_pct"].isVisible()
    assert edit.text() == "100.5"


def test_typing_clears_the_field_error(qtbot, page):
    edit = page._editors["target_area_mu"]
    edit.setText("-1")
    page.save()
    assert page._errors["target_area_mu"].isVisible()
    qtbot.keyClicks(edit, "0")
    assert not page._errors["target_area_mu"].isVisible()


def test_save_writes_the_params_and_clears_the_unsaved_mark(qtbot, page, ctx, db):
    edit = page._editors["target_area_mu"]
    edit.setText("")
    qtbot.keyClicks(edit, "4500")
    page._dept_boxes["住建局"].setChecked(True)
    assert page.dirty_label.isVisible()
    with qtbot.waitSignal(ctx.data_changed):
        assert page.save() is True
    p = year_service.get_params(db, 2024)
    assert p.target_area_mu == D(4500) and "住建局" in p.verifying_departments
    assert not page.dirty_label.isVisible()


def test_evaluation_year_follows_the_offset_as_typed(qtbot, page):
    edit = page._editors["evaluation_year_offset"]
    edit.setText("")
    qtbot.keyClicks(edit, "1")
    assert page.evaluation_year_label.text() == "= 2023年度"


def test_new_year_appears_and_becomes_the_year(qtbot, page, ctx, db, monkeypatch):
    monkeypatch.setattr(page, "_confirm", lambda *_a: True)
    with qtbot.waitSignal(ctx.year_changed) as sig:
        page.new_year()
    assert sig.args == [2025]
    wait_idle(qtbot, ctx)
    assert year_service.list_years(db) == [2024, 2025]
    assert page.title.text() == "2025年度参数"
    assert page.evaluation_year_label.text() == "= 2023年度"


def test_new_year_reaches_the_window_year_combo(qtbot, ctx, db, monkeypatch):
    from desktop.views.main_window import MainWindow

    win = MainWindow(ctx, year_service.list_years(db))
    qtbot.addWidget(win)
    page = win.page("year")
    wait_idle(qtbot, ctx)
    monkeypatch.setattr(page, "_confirm", lambda *_a: True)
    page.new_year()
    qtbot.waitUntil(lambda: win.year_combo.count() == 2)
    wait_idle(qtbot, ctx)
    assert win.year_combo.currentData() == 2025 and ctx.year == 2025


def test_switching_year_with_unsaved_edits_asks_and_cancel_stays(qtbot, page, ctx, db, monkeypatch):
    year_service.new_year(db)
    page._editors["parks_target"].setText("15")
    asked = []
    monkeypatch.setattr(page, "_ask_unsaved", lambda msg: asked.append(msg) or "cancel")
    ctx.set_year(2025)
    qtbot.waitUntil(lambda: ctx.year == 2024)
    assert asked and "未保存" in asked[0]
    assert page._editors["parks_target"].text() == "15" and page.title.text() == "2024年度参数"


def test_switching_year_and_discarding_loads_the_other_year(qtbot, page, ctx, db, monkeypatch):
    year_service.new_year(db)
    year_service.update_params(db, 2025, {"parks_target": 20})
    page._editors["parks_target"].setText("15")
    monkeypatch.setattr(page, "_ask_unsaved", lambda msg: "discard")
    ctx.set_year(2025)
    wait_idle(qtbot, ctx)
    assert page.title.text() == "2025年度参数" and page._editors["parks_target"].text() == "20"
    assert year_service.get_params(db, 2024).parks_target == 12


def test_confirm_close_asks_only_with_unsaved_edits(qtbot, page, db, monkeypatch):
    assert page.confirm_close() is True
    page._editors["parks_target"].setText("13")
    monkeypatch.setattr(page, "_ask_unsaved", lambda msg: "cancel")
    assert page.confirm_close() is False
    monkeypatch.setattr(page, "_ask_unsaved", lambda msg: "save")
    assert page.confirm_close() is True
    assert year_service.get_params(db, 2024).parks_target == 13


def test_confirm_close_with_a_bad_value_stays_open_with_the_error(qtbot, page, monkeypatch):
    page._editors["report_due_day"].setText("35")
    monkeypatch.setattr(page, "_ask_unsaved", lambda msg: "save")
    assert page.confirm_close() is False
    assert page._errors["report_due_day"].isVisible()


def test_the_form_is_read_from_the_declaration(page):
    from desktop.services.year import params

    boxes = [b.title() for b in page.findChildren(QGroupBox)]
    assert boxes == [title for title, _names in params.GROUPS]
    assert set(page._editors) | {"verifying_departments"} == set(params.PARAM_FIELDS)
    labels = {lbl.text() for lbl in page._labels}
    assert {p.title for p in params.PARAMS} == labels
    assert page._editors["agreement_filing_workdays"].text() == "10"


def test_save_is_offered_only_with_unsaved_edits(qtbot, page):
    assert not page.save_button.isEnabled() and page.save_button.toolTip() == "没有未保存的修改"
    page._editors["parks_target"].setText("13")
    assert page.save_button.isEnabled() and page.revert_button.isEnabled()


def test_a_saved_change_is_undone_with_ctrl_z_and_redone(qtbot, page, ctx, db):
    edit = page._editors["agreement_filing_workdays"]
    edit.setText("")
    qtbot.keyClicks(edit, "15")
    assert page.save() is True
    wait_idle(qtbot, ctx)
    assert year_service.get_params(db, 2024).agreement_filing_workdays == 15
    assert "协议备案期限" in page.undo.undo_button.toolTip()
    page.scroll.setFocus()
    qtbot.keyClick(page.scroll, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ctx)
    assert year_service.get_params(db, 2024).agreement_filing_workdays == 10
    assert edit.text() == "10" and not page.dirty_label.isVisible()
    page.undo.redo_button.click()
    wait_idle(qtbot, ctx)
    assert year_service.get_params(db, 2024).agreement_filing_workdays == 15 and edit.text() == "15"
    # the unchanged parameters were not touched by the undo
    assert year_service.get_params(db, 2024).target_area_mu == D(4000)


def test_a_save_that_changes_nothing_leaves_nothing_to_undo(qtbot, page, ctx):
    page._editors["parks_target"].setText("12.0")
    assert page.save() is True
    wait_idle(qtbot, ctx)
    assert not page.undo.stack.canUndo()
