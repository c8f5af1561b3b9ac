"""The one date field: every form a clerk types is kept, a bad date is refused at the field."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QLocale

from conftest import type_text

from desktop.services.errors import ValidationError
from desktop.views.kit.date_field import DateField

TYPED_FORMS = ["2024-3-5", "2024.3.5", "2024/3/5", "20240305", "2024年3月5日"]
BAD_DATES = ["2024.13.1", "2024-2-30", "明天", "2024.3"]


@pytest.fixture
def field(qtbot):
    f = DateField(label="启动日期", field="start_date", year=2024)
    qtbot.addWidget(f)
    f.show()
    return f


@pytest.mark.parametrize("typed", TYPED_FORMS)
def test_every_typed_form_of_a_date_is_kept(qtbot, field, typed):
    type_text(qtbot, field.edit, typed)
    assert field.value() == dt.date(2024, 3, 5)
    assert field.check() and field.text() == "2024-03-05"  # shown back in one form once accepted


@pytest.mark.parametrize("typed", BAD_DATES)
def test_a_bad_date_is_refused_at_the_field_with_its_reason(qtbot, field, typed):
    type_text(qtbot, field.edit, typed)
    with pytest.raises(ValidationError) as e:
        field.value()
    assert e.value.field == "start_date" and e.value.message.startswith("启动日期：")
    assert not field.check()
    assert field.error.isVisible() and typed in field.error.text()
    assert field.text() == typed  # the typed text stays for the clerk to mend


def test_an_empty_field_is_empty_without_a_fake_text(field):
    assert field.text() == "" and field.value() is None
    assert field.edit.placeholderText()  # a grey hint, not a value


def test_a_required_field_says_so_when_empty(qtbot):
    f = DateField(label="签订日期", field="signed_on", required=True)
    qtbot.addWidget(f)
    with pytest.raises(ValidationError) as e:
        f.value()
    assert e.value.message == "请填写签订日期"


def test_editing_clears_the_red_line(qtbot, field):
    qtbot.keyClicks(field.edit, "2024.13.1")
    field.check()
    qtbot.keyClicks(field.edit, "x")
    assert not field.error.isVisible()


@pytest.mark.qt_log_ignore("grabbing the keyboard", "grabbing the mouse", "support raise")
def test_the_calendar_speaks_chinese_and_opens_on_the_year_being_worked(qtbot, field):
    field.open_calendar()
    cal = field.calendar
    assert cal.locale().language() == QLocale.Language.Chinese
    assert cal.yearShown() == 2024
    field._menu.hide()


@pytest.mark.qt_log_ignore("grabbing the keyboard", "grabbing the mouse", "support raise")
def test_the_calendar_opens_on_the_date_typed(qtbot, field):
    qtbot.keyClicks(field.edit, "2023.7.9")
    field.open_calendar()
    assert (field.calendar.yearShown(), field.calendar.monthShown()) == (2023, 7)
    field._menu.hide()


@pytest.mark.qt_log_ignore("grabbing the keyboard", "grabbing the mouse", "support raise")
def test_picking_a_day_fills_the_field(qtbot, field):
    from PySide6.QtCore import QDate

    field.open_calendar()
    field.calendar.clicked.emit(QDate(2024, 6, 18))
    assert field.value() == dt.date(2024, 6, 18)
