"""Workday counts over years of deadlines answer exactly as counting day by day does, tables with gaps too."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from desktop.services.deadlines import calendar_service
from desktop.services.deadlines.calendar_service import CalendarMissing, WorkCalendar

D = dt.date


def _day_by_day_add(cal: WorkCalendar, start: dt.date, n: int) -> dt.date:
    day, counted = start, 0
    while counted < n:
        day += dt.timedelta(days=1)
        if cal.is_workday(day):  # raises CalendarMissing on the first day of a year with no table
            counted += 1
    return day


def _day_by_day_until_missing(cal: WorkCalendar, start: dt.date, end: dt.date):
    day, counted = start, 0
    while day < end:
        day += dt.timedelta(days=1)
        if day.year not in cal.years:
            return counted, day.year
        if cal.is_workday(day):
            counted += 1
    return counted, None


def _cases(seed: int):
    rng = random.Random(seed)
    for _ in range(400):
        start = D(2019, 6, 1) + dt.timedelta(days=rng.randint(0, 8 * 365))
        yield start, rng.choice((1, 5, 10, 20, 250, 600)), start + dt.timedelta(days=rng.randint(-30, 5 * 365))


@pytest.fixture
def bundled(db):
    return calendar_service.load(db)


def _gapped(cal: WorkCalendar) -> WorkCalendar:
    """The bundled table with 2023 never entered."""
    return WorkCalendar({d: w for d, w in cal.exceptions.items() if d.year != 2023}, cal.years - {2023})


@pytest.mark.parametrize("gap", [False, True])
def test_adding_workdays_matches_counting_day_by_day(bundled, gap):
    cal = _gapped(bundled) if gap else bundled
    for start, n, _end in _cases(1):
        try:
            expected = _day_by_day_add(cal, start, n)
        except CalendarMissing as exc:
            with pytest.raises(CalendarMissing) as got:
                cal.add_workdays(start, n)
            assert got.value.message == exc.message
        else:
            assert cal.add_workdays(start, n) == expected, (start, n)


def test_the_same_count_asked_again_answers_the_same_the_missing_year_too(bundled):
    cal = _gapped(bundled)  # a calendar answers each (start, n) once and keeps it: thousands of rows share days
    for start, n in [(D(2022, 12, 20), 10), (D(2023, 5, 1), 10), (D(2022, 12, 20), 10), (D(2023, 5, 1), 10)]:
        with pytest.raises(CalendarMissing) as got:
            cal.add_workdays(start, n)
        assert got.value.year == 2023
    assert [cal.add_workdays(D(2024, 2, 8), 10) for _ in range(2)] == [_day_by_day_add(cal, D(2024, 2, 8), 10)] * 2


@pytest.mark.parametrize("gap", [False, True])
def test_workdays_until_a_missing_year_match_counting_day_by_day(bundled, gap):
    cal = _gapped(bundled) if gap else bundled
    for start, _n, end in _cases(2):
        assert cal.workdays_until_missing(start, end) == _day_by_day_until_missing(cal, start, end), (start, end)


def test_a_deadline_five_years_overdue_counts_every_workday_since(bundled):
    counted, missing = bundled.workdays_until_missing(D(2021, 12, 31), D(2026, 12, 31))
    assert missing is None
    assert counted == sum(1 for y in range(2022, 2027) for d in range(366)
                          if (D(y, 1, 1) + dt.timedelta(days=d)).year == y
                          and bundled.is_workday(D(y, 1, 1) + dt.timedelta(days=d)))


def test_the_dashboard_counts_equal_counting_every_row(db):
    """deadline_service.counts leaves done duties out before classifying: the same figures as the full list."""
    import datetime as dt

    from sqlalchemy import select

    from desktop.models import Agreement, MonthlyReport, Year
    from desktop.models.enums import AgreementKind
    from desktop.services.deadlines import deadline_service
    from desktop.services.towns import town_service

    town = town_service.create_town(db, "甲镇").id
    with db.session() as s:
        year_id = s.scalar(select(Year.id).where(Year.year == 2024))
        s.add(MonthlyReport(town_id=town, year_id=year_id, month=1, reported_on=dt.date(2024, 1, 15)))
        for signed, filed in [(dt.date(2024, 2, 1), dt.date(2024, 2, 5)), (dt.date(2024, 2, 26), None),
                              (dt.date(2024, 3, 11), None), (dt.date(2024, 1, 8), dt.date(2024, 3, 20))]:
            s.add(Agreement(kind=AgreementKind.COOPERATION, town_id=town, year_id=year_id, signed_on=signed,
                            filed_on=filed))
    as_of = dt.date(2024, 3, 15)
    rows = deadline_service.deadlines(db, as_of=as_of)
    expected = {k: sum(1 for r in rows if r.status == k) for k in deadline_service.counts(db, as_of)}
    assert deadline_service.counts(db, as_of) == expected
    assert any(r.status == deadline_service.DONE for r in rows) and expected[deadline_service.OVERDUE] > 0
