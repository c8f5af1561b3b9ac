"""Workdays: “N个工作日内” from D is the N-th workday counted from the day after D."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.services import calendar_service
from desktop.services.calendar_service import CalendarMissing

D = dt.date


@pytest.fixture
def cal(db):
    return calendar_service.load(db)


def test_the_bundled_years_are_seeded_with_their_source(db, cal):
    assert {2024, 2025, 2026} <= cal.years
    from sqlalchemy import select

    from desktop.models import Holiday

    with db.reader() as s:
        h = s.get(Holiday, D(2025, 1, 26))
        assert h.is_workday is True and "春节" in h.name and "2025年部分节假日安排" in h.source


def test_ten_workdays_across_the_2025_spring_festival_count_both_make_up_days(cal):
    # 2025: 1月28日至2月4日放假; 1月26日(周日)、2月8日(周六)上班.
    assert cal.add_workdays(D(2025, 1, 24), 10) == D(2025, 2, 13)


def test_ten_workdays_across_the_2024_spring_festival(cal):
    # 2024: 2月10日至17日放假; 2月4日(周日)、2月18日(周日)上班.
    assert cal.add_workdays(D(2024, 2, 1), 10) == D(2024, 2, 20)


def test_the_start_day_never_counts_even_when_it_is_a_workday(cal):
    assert cal.add_workdays(D(2024, 3, 4), 1) == D(2024, 3, 5)  # Monday → Tuesday


def test_a_start_on_a_holiday_counts_from_the_next_workday(cal):
    assert cal.add_workdays(D(2024, 10, 1), 1) == D(2024, 10, 8)


def test_make_up_saturday_is_a_workday_and_holiday_weekday_is_not(cal):
    assert cal.is_workday(D(2025, 2, 8)) is True  # Saturday, make-up
    assert cal.is_workday(D(2025, 1, 29)) is False  # Wednesday, Spring Festival


def test_a_deadline_in_2027_without_a_table_says_so(cal):
    with pytest.raises(CalendarMissing) as err:
        cal.add_workdays(D(2026, 12, 24), 10)
    assert err.value.year == 2027
    assert "2027年的节假日安排尚未录入" in err.value.message


def test_workdays_between_counts_after_start_through_end(cal):
    assert cal.workdays_between(D(2024, 3, 4), D(2024, 3, 8)) == 4
    assert cal.workdays_between(D(2024, 3, 8), D(2024, 3, 4)) == -4


def test_from_november_a_missing_next_year_is_warned(db):
    assert calendar_service.next_year_missing_warning(db, D(2026, 11, 1)) is not None
    assert calendar_service.next_year_missing_warning(db, D(2026, 10, 31)) is None
    assert calendar_service.next_year_missing_warning(db, D(2025, 11, 1)) is None  # 2026 is known


def test_seeding_twice_adds_nothing(db):
    assert calendar_service.seed_from_package(db) == []
