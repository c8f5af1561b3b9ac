"""Workdays (DOMAIN "Deadlines and workdays"): the State Council's holiday table kept in the database.

A day is a workday when it is Monday–Friday and not a public holiday, or when it is a make-up
workday (调休上班). The table is seeded from the `chinesecalendar` package for the years it knows
(a seed, not the authority); the admin can enter or import later years. A deadline that needs a
year with no table raises CalendarMissing instead of guessing.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from dataclasses import dataclass, field

from sqlalchemy import select

from desktop.models import CalendarYear, Holiday
from desktop.models.base import utcnow
from desktop.services import audit
from desktop.services.dates import parse_date  # noqa: F401  (parse_date: part of this module's API)
from desktop.services.deadlines.holiday_file import (  # noqa: F401 - the table as a file, named here for callers
    LAYOUT_HEADERS, MAX_SPILL_DAYS, HolidayImportError, ImportPlan, ImportResult, ImportRow, YearExists, export_year,
    import_file, read_import_file, write_template,
)
from desktop.services.deadlines.holiday_table import (  # noqa: F401 - the table as the admin edits it, named here
    HOLIDAY_LABEL, HOLIDAY_WORDS, WEEKDAY_NAMES, WORKDAY_LABEL, WORKDAY_WORDS, CalendarYearRow, HolidayDay,
    default_source, delete_day, delete_year, kind_label, list_days, list_years, mark_year_complete, save_day,
    source_example, unmark_year_complete, weekday_label, why_not_export, why_not_unmark,
)
from desktop.services.errors import UserError
from desktop.services.ledger import Ledger

class CalendarMissing(UserError):
    """A computation needs a year whose holiday table has not been entered."""

    def __init__(self, year: int):
        super().__init__(f"{year}年的节假日安排尚未录入，无法按工作日计算期限。请管理员在“节假日”中录入或导入{year}年的安排。")
        self.year = year


def _seed_source(year: int) -> str:
    import chinese_calendar

    version = getattr(chinese_calendar, "__version__", "")
    return f"国务院办公厅关于{year}年部分节假日安排的通知（chinesecalendar {version} 导入）"


def package_years() -> list[int]:
    """Years the chinesecalendar package covers."""
    from chinese_calendar import constants

    years = {d.year for d in constants.holidays} | {d.year for d in constants.workdays}
    return sorted(years)


def seed_from_package(ledger: Ledger, years: list[int] | None = None) -> list[int]:
    """Load the package's table for the given years (default: all it knows) that the database lacks."""
    from chinese_calendar import constants

    wanted = set(years or package_years())
    with ledger.session() as s:
        have = set(s.scalars(select(CalendarYear.year)))
        todo = sorted(wanted - have)
        if not todo:
            return []
        s.info["skip_audit"] = True
        chinese = {h.value: h.chinese for h in constants.Holiday}
        rows = []
        for day, holiday in constants.holidays.items():
            if day.year in todo:
                rows.append(Holiday(day=day, is_workday=False, name=chinese.get(holiday, str(holiday)), source=_seed_source(day.year)))
        for day, holiday in constants.workdays.items():
            if day.year in todo:
                rows.append(Holiday(day=day, is_workday=True, name=f"{chinese.get(holiday, holiday)}调休上班", source=_seed_source(day.year)))
        s.add_all(rows)
        for y in todo:
            s.add(CalendarYear(year=y, source=_seed_source(y), loaded_at=utcnow()))
        s.flush()
        s.info["skip_audit"] = False
        audit.record(s, "导入节假日", "holiday", label=f"{todo[0]}–{todo[-1]}年（chinesecalendar）",
                     after={"years": todo, "days": len(rows)})
        return todo


@dataclass
class WorkCalendar:
    """An in-memory copy of the table: exceptions to the Mon–Fri rule and the covered years."""

    exceptions: dict[dt.date, bool] = field(default_factory=dict)
    years: set[int] = field(default_factory=set)
    # Workdays from 1 Jan of the first covered year through each day (uncovered days count none), built on
    # first use: a deadline five years overdue is counted in one subtraction, not day by day.
    _prefix: list[int] | None = field(default=None, init=False, repr=False, compare=False)
    _base: int = field(default=0, init=False, repr=False, compare=False)  # the ordinal of that 1 Jan
    # add_workdays's answers by (start, n): a date, or the year whose table is missing.
    _added: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def covers(self, year: int) -> bool:
        return year in self.years

    def is_workday(self, day: dt.date) -> bool:
        if day.year not in self.years:
            raise CalendarMissing(day.year)
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The N-th workday counted from the day after `start` (start itself never counts)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        known = self._added.get((start, n))
        if known is None:  # thousands of agreements share a few hundred signing days: each pair is counted once
            known = self._added[(start, n)] = self._add_workdays(start, n)
        if isinstance(known, int):
            raise CalendarMissing(known)
        return known

    def _add_workdays(self, start: dt.date, n: int) -> dt.date | int:
        """add_workdays's answer, or the year whose missing table stops the count."""
        first = start + dt.timedelta(days=1)
        missing = next((y for y in range(first.year, first.year + n // 250 + 3) if y not in self.years), None)
        reach = dt.date(missing - 1, 12, 31) if missing is not None else None
        target = self._through(start) + n
        if reach is None or (reach >= first and self._through(reach) >= target):
            offset = bisect.bisect_left(self._prefix, target)
            return dt.date.fromordinal(self._base + offset)
        return missing

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Workdays after `start` up to and including `end` (negative when end is before start)."""
        if end < start:
            return -self.workdays_between(end, start)
        day, counted = start, 0
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return counted

    def workdays_until_missing(self, start: dt.date, end: dt.date) -> tuple[int, int | None]:
        """Workdays after `start` through `end`, counted only as far as the table reaches.

        Returns (count, None) when every day is covered, else (workdays counted before the first
        uncovered day, that day's year): a lower bound, never a guess.
        """
        if end <= start:
            return 0, None
        first = start + dt.timedelta(days=1)
        for year in range(first.year, end.year + 1):
            if year not in self.years:
                stop = max(first, dt.date(year, 1, 1)) - dt.timedelta(days=1)
                return self._through(stop) - self._through(start), year
        return self._through(end) - self._through(start), None

    def _through(self, day: dt.date) -> int:
        """Workdays of covered years from the first covered year's 1 Jan through `day` (inclusive)."""
        if not self.years:
            return 0
        if self._prefix is None:
            self._build_prefix()
        offset = day.toordinal() - self._base
        if offset < 0:
            return 0
        return self._prefix[min(offset, len(self._prefix) - 1)]

    def _build_prefix(self) -> None:
        """The one rule (Mon–Fri, the table's exceptions, uncovered years none) laid over the days as whole
        slices, then summed: day by day it cost ~12 ms for the twenty-odd years the package seeds, at the
        first deadline asked for in a process (总览's first screen)."""
        first, last = dt.date(min(self.years), 1, 1), dt.date(max(self.years), 12, 31)
        base, size = first.toordinal(), last.toordinal() - first.toordinal() + 1
        week = bytes(1 if (base + k) % 7 not in (0, 6) else 0 for k in range(7))  # ordinal % 7: 0 Sun, 6 Sat
        flags = bytearray(week * (size // 7 + 1))[:size]
        for year in range(first.year, last.year + 1):
            if year not in self.years:
                start, end = dt.date(year, 1, 1).toordinal() - base, dt.date(year, 12, 31).toordinal() - base
                flags[start:end + 1] = bytes(end - start + 1)
        for day, workday in self.exceptions.items():
            if day.year in self.years:
                flags[day.toordinal() - base] = 1 if workday else 0
        self._base, self._prefix = base, list(itertools.accumulate(flags))


# Calendars already built, by their whole content (years and every exception day): a load whose table reads the
# same gets the same calendar, with its workday counts and answers already worked out. The key is the content
# itself, so an edited table can never be answered from an older calendar. A few kept (tests open many ledgers).
_BUILT: dict[tuple[frozenset, frozenset], WorkCalendar] = {}
_BUILT_KEEP = 4


def load(ledger: Ledger) -> WorkCalendar:
    with ledger.reader() as s:
        years = set(s.scalars(select(CalendarYear.year)))
        exceptions = {d: w for d, w in s.execute(select(Holiday.day, Holiday.is_workday))}
    key = (frozenset(years), frozenset(exceptions.items()))
    cal = _BUILT.get(key)
    if cal is None:
        if len(_BUILT) >= _BUILT_KEEP:
            _BUILT.pop(next(iter(_BUILT)), None)
        cal = _BUILT[key] = WorkCalendar(exceptions, years)
    return cal


def add_workdays(ledger: Ledger, start: dt.date, n: int) -> dt.date:
    return load(ledger).add_workdays(start, n)


def next_year_missing_warning(ledger: Ledger, today: dt.date | None = None) -> str | None:
    """From November on, warn when next year's table is not entered yet."""
    today = today or ledger.today()
    if today.month < 11:
        return None
    cal = load(ledger)
    if cal.covers(today.year + 1):
        return None
    return f"{today.year + 1}年节假日安排尚未录入：请在国务院办公厅发布通知后，由管理员录入或导入，否则明年的期限无法按工作日计算。"


__all__ = ["CalendarMissing", "WorkCalendar", "package_years", "seed_from_package", "load", "add_workdays",
    "next_year_missing_warning", "parse_date", "LAYOUT_HEADERS", "MAX_SPILL_DAYS", "HolidayImportError",
    "ImportPlan", "ImportResult", "ImportRow", "YearExists", "export_year", "import_file", "read_import_file",
    "write_template", "HOLIDAY_LABEL", "HOLIDAY_WORDS", "WEEKDAY_NAMES", "WORKDAY_LABEL", "WORKDAY_WORDS",
    "CalendarYearRow", "HolidayDay", "default_source", "delete_day", "delete_year", "kind_label", "list_days",
    "list_years", "mark_year_complete", "save_day", "source_example", "unmark_year_complete", "weekday_label"]
