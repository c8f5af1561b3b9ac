"""The holiday table as the admin sees and edits it: one row per 放假 or 调休上班 day with its source notice,
and per year a mark that the table is complete (deadlines inside a complete year are computed)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import delete, select

from desktop.models import CalendarYear, Holiday
from desktop.models.base import utcnow
from desktop.services import audit
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.ledger import Ledger

WEEKDAY_NAMES = "一二三四五六日"
HOLIDAY_LABEL = "放假"
WORKDAY_LABEL = "调休上班"
# Words accepted in the 类型 column of an import (and the form), after removing spaces.
HOLIDAY_WORDS = frozenset({"放假", "休息", "假日", "节假日", "休", "假"})
WORKDAY_WORDS = frozenset({"上班", "调休上班", "补班", "班", "工作日", "调班"})


def weekday_label(day: dt.date) -> str:
    return "星期" + WEEKDAY_NAMES[day.weekday()]


def kind_label(is_workday: bool) -> str:
    return WORKDAY_LABEL if is_workday else HOLIDAY_LABEL


def source_example(year: int) -> str:
    """How a source is written: the State Council notice and its document number."""
    return f"国务院办公厅关于{year}年部分节假日安排的通知（国办发明电〔{year - 1}〕X号）"


@dataclass(frozen=True)
class CalendarYearRow:
    """One year of the table: complete (deadlines inside it can be computed) or still being entered."""

    year: int
    complete: bool
    source: str
    loaded_at: dt.datetime | None
    holidays: int  # 放假 days listed
    workdays: int  # 调休上班 days listed

    @property
    def id(self) -> int:
        """The year, under the name the page kit looks for."""
        return self.year


def why_not_unmark(row: CalendarYearRow | None) -> str | None:
    """Why the year's completeness mark cannot be taken back (None: it can, after asking)."""
    if row is None:
        return "请先选择年度"
    return None if row.complete else f"{row.year}年尚未标记为完整录入"


def why_not_export(row: CalendarYearRow | None) -> str | None:
    """Why the year cannot be exported to the import layout (None: it can)."""
    if row is None:
        return "请先选择年度"
    return None if row.holidays + row.workdays else f"{row.year}年没有录入任何日期"


@dataclass(frozen=True)
class HolidayDay:
    day: dt.date
    is_workday: bool
    name: str
    source: str

    @property
    def weekday(self) -> str:
        return weekday_label(self.day)

    @property
    def kind(self) -> str:
        return kind_label(self.is_workday)

    @property
    def id(self) -> dt.date:
        """The day, under the name the page kit looks for (a day is its own key)."""
        return self.day


def year_range(year: int):
    return Holiday.day >= dt.date(year, 1, 1), Holiday.day <= dt.date(year, 12, 31)


def list_years(ledger: Ledger) -> list[CalendarYearRow]:
    """Every year that is complete or has at least one day entered, newest first."""
    with ledger.reader() as s:
        marked = {y.year: (y.source, y.loaded_at) for y in s.scalars(select(CalendarYear))}
        counts: dict[int, list[int]] = {}
        for day, is_workday in s.execute(select(Holiday.day, Holiday.is_workday)):
            c = counts.setdefault(day.year, [0, 0])
            c[1 if is_workday else 0] += 1
    rows = []
    for year in sorted(set(marked) | set(counts), reverse=True):
        source, loaded = marked.get(year, ("", None))
        h, w = counts.get(year, (0, 0))
        rows.append(CalendarYearRow(year, year in marked, source, loaded, h, w))
    return rows


def list_days(ledger: Ledger, year: int) -> list[HolidayDay]:
    with ledger.reader() as s:
        rows = s.scalars(select(Holiday).where(*year_range(year)).order_by(Holiday.day))
        return [HolidayDay(h.day, h.is_workday, h.name, h.source) for h in rows]


def default_source(ledger: Ledger, year: int) -> str:
    """What the day form offers as source: the year's own, else the one used most in that year, else empty."""
    with ledger.reader() as s:
        marked = s.scalar(select(CalendarYear.source).where(CalendarYear.year == year))
        if marked:
            return marked
        used = Counter(s.scalars(select(Holiday.source).where(*year_range(year))))
    return used.most_common(1)[0][0] if used else ""


def _check_day(day: dt.date, is_workday: bool, name: str, source: str) -> tuple[str, str]:
    if not isinstance(day, dt.date):
        raise ValidationError("请填写日期", field="day")
    name, source = (name or "").strip(), (source or "").strip()
    if is_workday and day.weekday() < 5:
        raise ValidationError(f"{day.isoformat()}是{weekday_label(day)}，本来就是工作日；"
                              "“调休上班”只用于调休的星期六、星期日", field="is_workday")
    if not name:
        raise ValidationError("请填写名称，如“春节”或“春节调休上班”", field="name")
    if not source:
        raise ValidationError(f"请填写来源：国务院办公厅通知的名称和文号，如“{source_example(day.year)}”", field="source")
    return name, source


def save_day(ledger: Ledger, day: dt.date, is_workday: bool, name: str, source: str, *,
             replacing: dt.date | None = None) -> HolidayDay:
    """Add a day, or change the day `replacing` (its date may change too). Recorded in the audit log."""
    name, source = _check_day(day, is_workday, name, source)
    with ledger.session() as s:
        clash = s.get(Holiday, day)
        if clash is not None and day != replacing:
            raise ValidationError(f"{day.isoformat()}已录入（{kind_label(clash.is_workday)}，{clash.name}），"
                                  "请修改原来那一条", field="day")
        if replacing is not None:
            old = s.get(Holiday, replacing)
            if old is None:
                raise NotFound(f"{replacing.isoformat()}不在节假日表中（可能已被删除），请刷新后重试")
            if replacing != day:
                s.delete(old)
                s.flush()
            else:
                old.is_workday, old.name, old.source = is_workday, name, source
                return HolidayDay(day, is_workday, name, source)
        s.add(Holiday(day=day, is_workday=is_workday, name=name, source=source))
    return HolidayDay(day, is_workday, name, source)


def delete_day(ledger: Ledger, day: dt.date) -> None:
    with ledger.session() as s:
        h = s.get(Holiday, day)
        if h is None:
            raise NotFound(f"{day.isoformat()}不在节假日表中（可能已被删除），请刷新后重试")
        s.delete(h)


def mark_year_complete(ledger: Ledger, year: int, source: str) -> CalendarYearRow:
    """The admin declares a year's table complete (entered by hand from the notice): deadlines inside
    it are computed from then on. The source names the notice and is required."""
    source = (source or "").strip()
    if not source:
        raise ValidationError(f"请填写来源，如“{source_example(year)}”", field="source")
    if str(year) not in source:
        raise ValidationError(f"来源应写明是{year}年的安排，如“{source_example(year)}”", field="source")
    with ledger.session() as s:
        days = list(s.execute(select(Holiday.is_workday).where(*year_range(year))).scalars())
        if not any(not w for w in days):
            raise Refused(f"{year}年尚未录入任何放假日，不能标记为已完整录入")
        row = s.get(CalendarYear, year)
        if row is None:
            row = CalendarYear(year=year, source=source, loaded_at=utcnow())
            s.add(row)
        else:
            row.source, row.loaded_at = source, utcnow()
        holidays = sum(1 for w in days if not w)
        return CalendarYearRow(year, True, source, row.loaded_at, holidays, len(days) - holidays)


def unmark_year_complete(ledger: Ledger, year: int) -> None:
    """Take a year back to 'being entered': deadlines inside it stop being computed."""
    with ledger.session() as s:
        row = s.get(CalendarYear, year)
        if row is None:
            raise NotFound(f"{year}年未标记为已完整录入")
        s.delete(row)


def delete_year(ledger: Ledger, year: int) -> int:
    """Remove a year's days and its completeness mark (one audit record); returns the days removed."""
    with ledger.session() as s:
        n = len(list(s.scalars(select(Holiday.day).where(*year_range(year)))))
        mark = s.get(CalendarYear, year)
        if not n and mark is None:
            raise NotFound(f"节假日表中没有{year}年的安排")
        s.execute(delete(Holiday).where(*year_range(year)))
        s.execute(delete(CalendarYear).where(CalendarYear.year == year))
        audit.record(s, "删除节假日年度", "calendar_year", year, label=f"{year}年",
                     before={"days": n, "complete": mark is not None, "source": mark.source if mark else ""})
        return n
