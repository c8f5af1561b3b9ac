"""Workdays: “N个工作日内” from D is the N-th workday counted from the day after D."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.services.deadlines import calendar_service
from desktop.services.deadlines.calendar_service import CalendarMissing

D = dt.date


@pytest.fixture
def cal(db):
    return calendar_service.load(db)


def test_the_bundled_years_are_seeded_with_their_source(db, cal):
    assert {2024, 2025, 2026} <= cal.years

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


# ---- the table as the admin edits it -----------------------------------------------------------

import csv  # noqa: E402

from openpyxl import Workbook, load_workbook  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from desktop.models import AuditLog, CalendarYear, Holiday  # noqa: E402
from desktop.services.deadlines.calendar_service import HolidayImportError, YearExists  # noqa: E402
from desktop.services.errors import Refused, ValidationError  # noqa: E402

SOURCE_2027 = "国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕7号）"
# A plausible 2027 notice, short: New Year, Spring Festival with two make-up weekend days.
ROWS_2027 = [
    ("2027-01-01", "放假", "元旦", SOURCE_2027),
    ("2027/2/6", "放假", "春节", ""),  # blank source: takes the one above
    ("2027年2月7日", "放假", "春节", ""),
    ("2027-02-08", "放假", "春节", ""),
    ("2027-02-09", "放假", "春节", ""),
    ("2027-02-10", "放假", "春节", ""),
    ("2027-01-31", "上班", "春节调休上班", ""),  # a Sunday
    ("2027-02-20", "上班", "春节调休上班", ""),  # a Saturday
]


def write_csv(path, rows, header=("日期", "类型", "名称", "来源"), encoding="utf-8-sig"):
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_xlsx(path, rows, header=("日期", "类型", "名称", "来源"), sheet="2027年", title_row=None):
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if title_row:
        ws.append([title_row])
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def days_of(db, year):
    return {d.day: d for d in calendar_service.list_days(db, year)}


def audit_count(db, action):
    with db.reader() as s:
        return s.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == action))


def test_date_forms_of_a_clerk_are_understood():
    for text in ("2027-01-01", "2027/1/1", "2027.1.1", "2027年1月1日", "20270101", "２０２７－０１－０１",
                 "2027/1/1 0:00", dt.datetime(2027, 1, 1, 0, 0), D(2027, 1, 1)):
        assert calendar_service.parse_date(text) == D(2027, 1, 1), text


@pytest.mark.parametrize("text,reason", [("2027.13.1", "月份应为 1–12"), ("2027-02-30", "2月没有30日"),
                                         ("明年元旦", "不是可识别的日期"), (45292, "是数字而不是日期")])
def test_a_bad_date_is_refused_with_the_reason(text, reason):
    with pytest.raises(ValueError) as err:
        calendar_service.parse_date(text)
    assert reason in str(err.value)


def test_a_valid_csv_creates_a_year_marked_complete_with_its_source(db, tmp_path):
    result = calendar_service.import_file(db, write_csv(tmp_path / "2027.csv", ROWS_2027))
    assert (result.year, result.holidays, result.workdays, result.source) == (2027, 6, 2, SOURCE_2027)
    cal = calendar_service.load(db)
    assert cal.covers(2027)
    days = days_of(db, 2027)
    assert days[D(2027, 2, 7)].source == SOURCE_2027 and days[D(2027, 1, 31)].is_workday
    assert cal.is_workday(D(2027, 1, 31)) and not cal.is_workday(D(2027, 2, 8))
    years = {y.year: y for y in calendar_service.list_years(db)}
    assert years[2027].complete and years[2027].source == SOURCE_2027 and (years[2027].holidays, years[2027].workdays) == (6, 2)
    assert audit_count(db, "导入节假日") >= 1


def test_a_valid_xlsx_with_excel_date_cells_and_a_title_row_imports(db, tmp_path):
    rows = [(dt.datetime(2027, 1, 1), "放假", "元旦", SOURCE_2027), (dt.datetime(2027, 2, 20), "上班", "春节调休上班", None)]
    path = write_xlsx(tmp_path / "2027.xlsx", rows, title_row="2027年节假日安排")
    result = calendar_service.import_file(db, path)
    assert (result.year, result.holidays, result.workdays) == (2027, 1, 1)
    assert calendar_service.load(db).covers(2027)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_with_2027_13_1_is_refused_naming_file_sheet_row_and_column_and_nothing_is_written(db, tmp_path, kind):
    rows = list(ROWS_2027)
    rows.insert(3, ("2027.13.1", "放假", "春节", ""))  # data row 4 → sheet row 5
    if kind == "csv":
        path = write_csv(tmp_path / "节假日2027.csv", rows)
        sheet = "节假日2027"
    else:
        path = write_xlsx(tmp_path / "节假日2027.xlsx", rows, sheet="安排")
        sheet = "安排"
    before = audit_count(db, "导入节假日")
    with pytest.raises(HolidayImportError) as err:
        calendar_service.import_file(db, path)
    problems = err.value.problems
    assert len(problems) == 1
    assert problems[0].startswith(f"文件“{path.name}”工作表“{sheet}”第5行第A列（日期）")
    assert "2027.13.1" in problems[0] and "月份" in problems[0]
    assert "未导入任何内容" in err.value.message
    assert days_of(db, 2027) == {} and not calendar_service.load(db).covers(2027)
    assert audit_count(db, "导入节假日") == before


def test_every_error_of_a_file_is_listed_at_once(db, tmp_path):
    rows = [("2027-01-01", "放假", "元旦", SOURCE_2027), ("2027-01-04", "上班", "调休", ""),
            ("2027-01-01", "放假", "元旦", ""), ("2027-02-06", "请假", "春节", "")]
    with pytest.raises(HolidayImportError) as err:
        calendar_service.import_file(db, write_csv(tmp_path / "bad.csv", rows))
    text = "\n".join(err.value.problems)
    assert "第3行第B列（类型）：2027-01-04是星期一，本来就是工作日" in text
    assert "第4行第A列（日期）：2027-01-01与第2行重复" in text
    assert "第5行第B列（类型）：类型“请假”无法识别" in text


def test_a_file_without_the_header_says_so(db, tmp_path):
    with pytest.raises(HolidayImportError) as err:
        calendar_service.import_file(db, write_csv(tmp_path / "x.csv", [("a", "b")], header=("甲", "乙")))
    assert "找不到表头" in err.value.problems[0] and "x.csv" in err.value.problems[0]


def test_a_gbk_csv_from_wps_is_read(db, tmp_path):
    path = write_csv(tmp_path / "gbk.csv", ROWS_2027[:1], encoding="gb18030")
    assert calendar_service.import_file(db, path).holidays == 1


def test_importing_a_year_that_exists_asks_and_replaces_only_when_told(db, tmp_path):
    path = write_csv(tmp_path / "2026.csv", [("2026-01-01", "放假", "元旦", "国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）")])
    seeded = len(days_of(db, 2026))
    with pytest.raises(YearExists) as err:
        calendar_service.import_file(db, path)
    assert err.value.year == 2026 and "是否用文件中的安排替换" in err.value.message
    assert len(days_of(db, 2026)) == seeded
    result = calendar_service.import_file(db, path, replace=True)
    assert result.replaced_days == seeded
    assert list(days_of(db, 2026)) == [D(2026, 1, 1)]
    with db.reader() as s:
        assert "国办发明电〔2025〕7号" in s.get(CalendarYear, 2026).source


def test_a_neighbouring_years_new_year_day_comes_along_without_marking_that_year(db, tmp_path):
    rows = [("2027-12-31", "放假", "元旦", "国务院办公厅关于2028年部分节假日安排的通知"), ("2028-01-01", "放假", "元旦", ""),
            ("2028-01-02", "放假", "元旦", "")]
    result = calendar_service.import_file(db, write_csv(tmp_path / "2028.csv", rows))
    assert result.year == 2028 and result.spill_days == 1
    cal = calendar_service.load(db)
    assert cal.covers(2028) and not cal.covers(2027)
    assert D(2027, 12, 31) in days_of(db, 2027)


def test_the_template_has_the_header_and_an_example_row_and_imports_as_is(db, tmp_path):
    path = calendar_service.write_template(tmp_path / "模板.xlsx", 2027)
    ws = load_workbook(path).worksheets[0]
    assert [c.value for c in ws[1]] == ["日期", "类型", "名称", "来源"]
    assert ws["A2"].value == dt.datetime(2027, 1, 1) and ws["B2"].value == "放假" and "2027年" in ws["D2"].value
    assert calendar_service.import_file(db, path).holidays == 1


def test_an_exported_year_imports_back_the_same(db, tmp_path):
    before = days_of(db, 2025)
    path = calendar_service.export_year(db, 2025, tmp_path / "2025.xlsx")
    calendar_service.import_file(db, path, replace=True)
    after = days_of(db, 2025)
    assert after == before


def test_a_day_is_added_corrected_and_deleted_with_audit(db):
    calendar_service.save_day(db, D(2027, 1, 1), False, "元旦", SOURCE_2027)
    calendar_service.save_day(db, D(2027, 1, 2), False, "元旦", SOURCE_2027, replacing=D(2027, 1, 1))
    assert list(days_of(db, 2027)) == [D(2027, 1, 2)]
    calendar_service.save_day(db, D(2027, 1, 2), False, "元旦（周六）", SOURCE_2027, replacing=D(2027, 1, 2))
    assert days_of(db, 2027)[D(2027, 1, 2)].name == "元旦（周六）"
    calendar_service.delete_day(db, D(2027, 1, 2))
    assert days_of(db, 2027) == {}
    with db.reader() as s:
        actions = set(s.scalars(select(AuditLog.action).where(AuditLog.object_type == "holiday")))
    assert {"create", "update", "delete"} <= actions


@pytest.mark.parametrize("day,is_workday,name,source,field", [
    (D(2027, 1, 4), True, "调休", SOURCE_2027, "is_workday"),  # a Monday is a workday anyway
    (D(2027, 1, 1), False, " ", SOURCE_2027, "name"),
    (D(2027, 1, 1), False, "元旦", "", "source"),
])
def test_a_bad_day_is_refused_at_its_field(db, day, is_workday, name, source, field):
    with pytest.raises(ValidationError) as err:
        calendar_service.save_day(db, day, is_workday, name, source)
    assert err.value.field == field


def test_a_day_already_entered_is_not_entered_twice(db):
    with pytest.raises(ValidationError) as err:
        calendar_service.save_day(db, D(2026, 1, 1), False, "元旦", "x")
    assert err.value.field == "day" and "已录入" in err.value.message


def test_a_hand_entered_year_counts_only_once_marked_complete_with_its_source(db):
    calendar_service.save_day(db, D(2027, 1, 1), False, "元旦", SOURCE_2027)
    assert not calendar_service.load(db).covers(2027)
    with pytest.raises(ValidationError) as err:
        calendar_service.mark_year_complete(db, 2027, "  ")
    assert err.value.field == "source"
    with pytest.raises(ValidationError):
        calendar_service.mark_year_complete(db, 2027, "国务院办公厅关于2026年部分节假日安排的通知")
    calendar_service.mark_year_complete(db, 2027, SOURCE_2027)
    assert calendar_service.load(db).covers(2027)
    assert next(y for y in calendar_service.list_years(db) if y.year == 2027).source == SOURCE_2027
    calendar_service.unmark_year_complete(db, 2027)
    assert not calendar_service.load(db).covers(2027)


def test_a_year_without_any_holiday_cannot_be_marked_complete(db):
    with pytest.raises(Refused):
        calendar_service.mark_year_complete(db, 2028, "国务院办公厅关于2028年部分节假日安排的通知")


def test_deleting_a_year_removes_its_days_and_its_mark(db):
    n = calendar_service.delete_year(db, 2026)
    assert n > 20
    assert days_of(db, 2026) == {} and not calendar_service.load(db).covers(2026)
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Holiday)) > 0  # other years untouched
    assert audit_count(db, "删除节假日年度") == 1


def test_workdays_until_missing_counts_the_known_part_and_names_the_missing_year(cal):
    assert cal.workdays_until_missing(D(2026, 12, 24), D(2027, 1, 20)) == (5, 2027)  # 25, 28, 29, 30, 31 Dec


# ---- zzb workdays add -----------------------------------------------------------------------------

def zzb(capsys, *argv):
    from conftest import run_cli

    return run_cli(capsys, *argv)


def test_cli_workdays_add_across_the_2025_spring_festival(db_path, capsys):
    assert zzb(capsys, "--db", db_path, "workdays", "add", "2025-01-24", "10") == (0, "2025-02-13\n", "")


def test_cli_workdays_add_into_2027_without_a_table_exits_1_with_the_message(db_path, capsys):
    code, out, err = zzb(capsys, "--db", db_path, "workdays", "add", "2026-12-24", "10")
    assert (code, out) == (1, "")
    assert "2027年的节假日安排尚未录入" in err


@pytest.mark.parametrize("date,n,message", [("2026.13.1", "3", "月份应为 1–12"), ("2026-01-05", "0", "正整数"),
                                            ("2026-01-05", "十", "正整数")])
def test_cli_workdays_add_refuses_a_bad_date_or_count_with_exit_1(db_path, capsys, date, n, message):
    code, out, err = zzb(capsys, "--db", db_path, "workdays", "add", date, n)
    assert (code, out) == (1, "") and message in err


def test_cli_workdays_add_without_n_is_a_usage_error(db_path, capsys):
    code, _out, err = zzb(capsys, "--db", db_path, "workdays", "add", "2026-01-05")
    assert code == 2 and "用法" in err


def test_cli_workdays_on_a_missing_database_file_exits_1(tmp_path, capsys):
    code, _out, err = zzb(capsys, "--db", tmp_path / "none.sqlite3", "workdays", "add", "2025-01-24", "10")
    assert code == 1 and "数据库文件不存在" in err and not (tmp_path / "none.sqlite3").exists()


def test_a_loaded_calendar_is_reused_only_while_the_table_reads_the_same(db):
    """load() keeps built calendars by their whole content: the same table gives the same calendar (its counts
    already worked out); a changed day gives a new one at once, and changing it back the first again."""
    from desktop.services.deadlines import holiday_table

    first = calendar_service.load(db)
    start = D(2026, 3, 5)  # a Thursday: Friday the 6th is the first workday after
    assert first.add_workdays(start, 1) == D(2026, 3, 6)
    assert calendar_service.load(db) is first
    holiday_table.save_day(db, D(2026, 3, 6), False, "临时放假", "测试")
    changed = calendar_service.load(db)
    assert changed is not first and changed.add_workdays(start, 1) == D(2026, 3, 9)
    holiday_table.delete_day(db, D(2026, 3, 6))
    again = calendar_service.load(db)
    assert again.add_workdays(start, 1) == D(2026, 3, 6) and again is first


def test_the_workday_counts_laid_out_at_once_equal_counting_day_by_day():
    """_build_prefix lays the weekday rule, the uncovered years and the exceptions over the days as slices;
    the oracle walks the days one by one through is_workday, on random tables with gaps between years and
    exceptions outside the covered years."""
    import random

    rnd = random.Random(3)
    for _trial in range(150):
        low = rnd.randint(2000, 2030)
        years = {y for y in range(low, low + rnd.randint(0, 25)) if rnd.random() < 0.8} or {low}
        exceptions = {}
        for _ in range(rnd.randint(0, 200)):
            day = dt.date(rnd.randint(min(years) - 1, max(years) + 1), 1, 1) + dt.timedelta(days=rnd.randint(0, 365))
            exceptions[day] = rnd.random() < 0.5
        cal = calendar_service.WorkCalendar(exceptions, years)
        start = dt.date(min(years), 1, 1)
        counted, day = 0, start
        while day.year <= max(years):
            if day.year in years and cal.is_workday(day):
                counted += 1
            assert cal._through(day) == counted, (sorted(years), day)
            day += dt.timedelta(days=1)
