"""期限: every dated duty of the year's work in one list, each judged against the holiday table.

Each source of deadlines is a small provider function returning `DueItem`s (what is due, for whom,
by when, and whether it is done by the as-of day); `deadlines()` runs the providers and classifies
every item the same way. Later work (the examinations' issue lists and progress reports) plugs in
with `register_provider`.

Status: 'done' once done by the as-of day; 'overdue' when the as-of day is after the due date;
'soon' when the due date is at most SOON_WORKDAYS workdays ahead (the due day itself is 0);
'ok' otherwise. When telling 'soon' from 'ok' needs a year whose holiday table is missing, the
status is 'no_calendar' and the note says which year — never a silent guess.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, NamedTuple

from sqlalchemy import or_, select

from desktop.models import (
    Agreement,
    Department,
    MonthlyReport,
    MonthlyReportItem,
    Town,
    Verification,
    Year,
)
from desktop.models.enums import AgreementKind
from desktop.services import db, rules, units
from desktop.services.deadlines import calendar_service
from desktop.services.dates import cn_date
from desktop.services.year import year_service
from desktop.services.deadlines.calendar_service import CalendarMissing, WorkCalendar
from desktop.services.exams import exam_deadlines
from desktop.services.ledger import Ledger

# Amber on the page: due within this many workdays (the due day itself counts as 0 left).
SOON_WORKDAYS = 5
# The plan asks for agreements to be filed (备案) with the office but gives no term. The office's
# practice (10 workdays after signing by default) is the year parameter agreement_filing_workdays,
# read for the year of the signing date: that practice, not the plan.

KIND_REPORT = "月度报送"
KIND_VERIFY = "月度核实"
KIND_QUOTA = "指标归还"
KIND_AGREEMENT = "协议备案"

OVERDUE, SOON, OK, DONE, NO_CALENDAR = "overdue", "soon", "ok", "done", "no_calendar"
STATUS_LABELS = {OVERDUE: "已逾期", SOON: "即将到期", OK: "未到期", DONE: "已完成", NO_CALENDAR: "无法计算"}
# Order of urgency (for sorting and the status filter).
STATUS_ORDER = (OVERDUE, SOON, NO_CALENDAR, OK, DONE)

AGREEMENT_NOTE = ("协议备案期限按年度参数“协议备案期限”计算（默认签订后"
                  f"{year_service.PLAN_2024_DEFAULTS['agreement_filing_workdays']}个工作日，可在年度参数中修改）："
                  "这是本办的工作惯例，实施方案只要求备案、未规定期限。")


# DueItem and DeadlineRow are named tuples, not frozen dataclasses: a five-year city lists ~10 000 duties per
# load, and a frozen dataclass's __init__ sets each field through object.__setattr__ (~2 µs a row each); a named
# tuple is built in one C call and stays immutable, comparable and hashable, with the same attributes.
class DueItem(NamedTuple):
    """What a provider hands in: one duty and whether it is done by the as-of day."""

    kind: str
    town_id: int | None
    town: str
    subject: str
    due_date: dt.date | None
    done_on: dt.date | None = None  # the day it was done, when done by the as-of day
    note: str = ""
    done: bool = False  # done by the as-of day without a known day (e.g. a loan fully returned)
    # When the due date itself needs the holiday table (N workdays after a date): the start and N.
    # The provider then leaves due_date None and the classifier computes it.
    workdays_from: tuple[dt.date, int] | None = None

    @property
    def is_done(self) -> bool:
        return self.done or self.done_on is not None


class DeadlineRow(NamedTuple):
    kind: str  # Chinese label: 月度报送, 月度核实, 指标归还, 协议备案 …
    town_id: int | None
    town: str
    subject: str
    due_date: dt.date | None
    status: str  # 'overdue' | 'soon' | 'ok' | 'done' | 'no_calendar'
    workdays_left: int | None  # negative = overdue by that many workdays
    note: str = ""
    done_on: dt.date | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def to_dict(self) -> dict:
        d = self._asdict()
        for key in ("due_date", "done_on"):
            d[key] = d[key].isoformat() if d[key] else None
        d["status_label"] = self.status_label
        return d


@dataclass(frozen=True)
class ProviderContext:
    """What every provider gets: the database, the as-of day and the town asked for (None = all)."""

    ledger: Ledger
    as_of: dt.date
    town_id: int | None
    # Only duties not yet done are wanted (the dashboard's counts): a provider may leave done ones out.
    open_only: bool = False
    # What several providers of one load share (the year parameters by year, the examination duties): read
    # once per deadlines() call, never kept past it.
    memo: dict = field(default_factory=dict, compare=False, hash=False)

    def params(self, session, day: dt.date):
        """The year parameters that apply to `day` (year_service.params_for), read once per year per load."""
        return year_service.params_for(session, day, cache=self.memo.setdefault("params", {}))


Provider = Callable[[ProviderContext], Iterable[DueItem]]


# ---- classification ---------------------------------------------------------------------------

def workdays_left_text(row: DeadlineRow, as_of: dt.date | None = None) -> str:
    """How the page and the CLI say workdays_left (as_of: the day the list was made for)."""
    n = row.workdays_left
    if row.status == DONE:
        return f"{row.done_on.isoformat()} 完成" if row.done_on else "已完成"
    if n is None:
        return "—"
    if n < 0:
        return f"逾期 {-n} 个工作日"
    if row.status == OVERDUE:  # past a due day that fell on a rest day: no workday lost yet
        return "已过期"
    if n == 0 and as_of is not None and row.due_date == as_of:
        return "今日到期"
    return f"{n} 个工作日"


def classify(cal: WorkCalendar, item: DueItem, as_of: dt.date) -> DeadlineRow:
    """One item's status and workdays left as of `as_of` (see the module docstring)."""
    return Judge(cal, as_of).row(item)


class Judge:
    """classify() for many items of one load: an open item's status, workdays left and calendar note depend
    only on its due date, so each is worked out once per distinct due date (a workday-counted due date is
    remembered by the calendar per (start, N): thousands of agreements share a few hundred signing days).
    Lives for one load only."""

    def __init__(self, cal: WorkCalendar, as_of: dt.date) -> None:
        self.cal, self.as_of = cal, as_of
        self._open: dict = {}  # due date → (status, workdays left, note or "")

    def row(self, item: DueItem) -> DeadlineRow:
        note = item.note
        due = item.due_date
        if due is None and item.workdays_from is not None:
            try:
                due = self.cal.add_workdays(*item.workdays_from)  # the calendar remembers each (start, N)
            except CalendarMissing as exc:  # the holiday table the count needs is missing
                return DeadlineRow(item.kind, item.town_id, item.town, item.subject, None,
                                   DONE if item.is_done else NO_CALENDAR, None, _joined(note, exc.message),
                                   item.done_on)

        if item.is_done:
            if due is not None and item.done_on is not None and item.done_on > due:
                note = _joined(note, f"晚于期限 {(item.done_on - due).days} 天完成")
            return DeadlineRow(item.kind, item.town_id, item.town, item.subject, due, DONE, None, note, item.done_on)
        if due is None:
            return DeadlineRow(item.kind, item.town_id, item.town, item.subject, None, OK, None, note, item.done_on)
        judged = self._open.get(due)
        if judged is None:
            judged = self._open[due] = self._judge_open(due)
        status, left, more = judged
        return DeadlineRow(item.kind, item.town_id, item.town, item.subject, due, status, left,
                           _joined(note, more) if more else note, item.done_on)

    def _judge_open(self, due: dt.date) -> tuple[str, int | None, str]:
        """An open item due on `due`: (status, workdays left, what the note adds)."""
        as_of = self.as_of
        if as_of > due:
            counted, missing = self.cal.workdays_until_missing(due, as_of)
            if missing is not None:
                return OVERDUE, None, CalendarMissing(missing).message
            return OVERDUE, -counted, ""
        counted, missing = self.cal.workdays_until_missing(as_of, due)
        if missing is None:
            return (SOON if counted <= SOON_WORKDAYS else OK), counted, ""
        if counted > SOON_WORKDAYS:
            # The known days alone already put it beyond the amber window: 'ok' is certain, the exact
            # count is not.
            return OK, None, f"{missing}年节假日安排尚未录入，剩余工作日无法精确计算（至少 {counted} 个）"
        return NO_CALENDAR, None, CalendarMissing(missing).message


def _joined(note: str, more: str) -> str:
    """A provider's note and what the classification adds, as the page shows them."""
    return f"{note}；{more}" if note and more else (note or more)


# ---- providers ---------------------------------------------------------------------------------

def _towns(s, town_id: int | None) -> list[tuple[int, str]]:
    q = select(Town.id, Town.name).where(Town.active).order_by(Town.sort_order, Town.id)
    if town_id is not None:
        q = select(Town.id, Town.name).where(Town.id == town_id)
    return list(s.execute(q).tuples())


def _work_years(s, as_of: dt.date) -> list[tuple[int, int]]:
    """(year id, year) of the work years whose monthly duties are tracked: the current work year and the
    as-of day's own year (when it is a work year), if begun by the as-of day. Older years kept for
    history (a past year's loans …) owe no monthly reports."""
    rows = list(s.execute(select(Year.id, Year.year, Year.is_current).order_by(Year.year)).tuples())
    return [(yid, y) for yid, y, current in rows if (current or y == as_of.year) and y <= as_of.year]


def _day(value) -> dt.date:
    """A day from a driver's row: a date already, or SQLite's ISO text."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _months(year: int, as_of: dt.date) -> range:
    return range(1, (as_of.month if year == as_of.year else 12) + 1)


def monthly_reports(ctx: ProviderContext) -> list[DueItem]:
    """三(四): each town reports each month of the work year by the report day (rules.monthly_report_due)."""
    items = []
    with ctx.ledger.reader() as s:
        towns = _towns(s, ctx.town_id)
        for year_id, year in _work_years(s, ctx.as_of):
            p = ctx.params(s, dt.date(year, 1, 1))
            reported = {
                (town_id, month): on
                for town_id, month, on in s.execute(
                    select(MonthlyReport.town_id, MonthlyReport.month, MonthlyReport.reported_on)
                    .where(MonthlyReport.year_id == year_id)).tuples()
            }
            for month in _months(year, ctx.as_of):
                due = rules.monthly_report_due(p, year, month)
                for town_id, town in towns:
                    on = reported.get((town_id, month))
                    done = on if on is not None and on <= ctx.as_of else None
                    items.append(DueItem(KIND_REPORT, town_id, town, f"{year}年{month}月完成情况报送", due, done))
    return items


def monthly_verifications(ctx: ProviderContext) -> list[DueItem]:
    """三(四): each reported month is verified by every verifying department by the verify day
    (rules.monthly_verify_due); done when every reported entry has all departments' records."""
    items = []
    with ctx.ledger.reader() as s:
        town_names = dict(s.execute(select(Town.id, Town.name)).tuples().all())
        for year_id, year in _work_years(s, ctx.as_of):
            p = ctx.params(s, dt.date(year, 1, 1))
            names = list(p.verifying_departments)
            dept_ids = dict(s.execute(select(Department.name, Department.id)
                                      .where(Department.name.in_(names))).tuples().all())
            missing = [n for n in names if n not in dept_ids]
            q = (select(MonthlyReport.id, MonthlyReport.town_id, MonthlyReport.month, MonthlyReport.reported_on)
                 .where(MonthlyReport.year_id == year_id, MonthlyReport.reported_on.is_not(None),
                        MonthlyReport.reported_on <= ctx.as_of))
            if ctx.town_id is not None:
                q = q.where(MonthlyReport.town_id == ctx.town_id)
            reports = list(s.execute(q).tuples())
            if not reports:
                continue
            # The reports' items and every department record on them, selected by the reports' query itself (a
            # list of ids is bound one parameter each), read as the driver gives them: a row object and a parsed
            # date per record cost three times the query on a city. A day is kept as read — a date, or SQLite's
            # ISO text, which orders the same — and turned into a date once, where it is shown.
            of_reports = MonthlyReportItem.report_id.in_(q.with_only_columns(MonthlyReport.id).scalar_subquery())
            item_ids: dict[int, list[int]] = defaultdict(list)
            for item_id, report_id in db.driver_rows(
                    s.connection(), select(MonthlyReportItem.id, MonthlyReportItem.report_id).where(of_reports)):
                item_ids[report_id].append(item_id)
            records: dict[int, dict[int, dt.date | None]] = defaultdict(dict)
            if item_ids:
                for item_id, dept_id, on in db.driver_rows(s.connection(), select(
                        Verification.item_id, Verification.department_id, Verification.verified_on)
                        .where(Verification.item_id.in_(select(MonthlyReportItem.id).where(of_reports)),
                               or_(Verification.verified_on.is_(None), Verification.verified_on <= ctx.as_of))):
                    records[item_id][dept_id] = on
            wanted = set(dept_ids.values())
            for report_id, town_id, month, _reported_on in sorted(reports, key=lambda r: (r[2], r[1])):
                due = rules.monthly_verify_due(p, year, month)
                ids = item_ids.get(report_id, [])
                note = ""
                if missing:
                    note = "核实部门" + "、".join(f"“{n}”" for n in missing) + "不在成员单位名单中，未计入"
                if not ids:
                    done, subject = _reported_on, f"{year}年{month}月完成情况核实（本月无报送项目）"
                else:
                    complete = all(wanted <= set(records[i]) for i in ids)
                    dates = [d for i in ids for d in records[i].values() if d is not None]
                    done = (_day(max(dates)) if dates else _reported_on) if complete else None
                    subject = f"{year}年{month}月完成情况核实（{len(ids)} 个项目）"
                items.append(DueItem(KIND_VERIFY, town_id, town_names.get(town_id, ""), subject, due, done, note))
    return items


def quota_returns(ctx: ProviderContext) -> list[DueItem]:
    """四(三): each pre-borrowed quota is returned by its due date (quota_service.loan_ledger)."""
    from desktop.services.quota import quota_service

    items = []
    for r in quota_service.loan_ledger(ctx.ledger, as_of=ctx.as_of, town_id=ctx.town_id):
        paid_back = r.balance_mu <= 0
        if paid_back and ctx.open_only:
            continue  # done: left out of an open-only list anyway, so not worded
        rest = "已还清" if paid_back else f"余 {units.fmt(r.balance_mu)} 亩"
        subject = f"归还预借指标 {units.fmt(r.area_mu)} 亩（{rest}；{r.soe}，{cn_date(r.loan_date)}预借）"
        note = f"逾期指标使用费 {units.fmt(r.fee_wan)} 万元" if not paid_back and r.fee_wan and r.fee_wan > 0 else ""
        items.append(DueItem(KIND_QUOTA, r.town_id, r.town, subject, r.due_date, None, note, done=paid_back))
    return items


def agreement_filings(ctx: ProviderContext) -> list[DueItem]:
    """三(三): signed agreements are filed with the office; due the signing year's agreement_filing_workdays
    workdays after signing (the office's practice, see AGREEMENT_NOTE)."""
    items = []
    # ~7 000 rows a city after five years: plain Core rows (no ORM loading), and what many rows share —
    # the subject's start for a kind and signing day, the signing year's term — worked out once.
    heads: dict = {}  # (kind, signing day) → "…备案（D签订"
    counted: dict[dt.date, tuple[dt.date, int]] = {}  # signing day → (signing day, the year's term)
    with ctx.ledger.reader() as s:
        q = (select(Agreement.kind, Agreement.town_id, Town.name, Agreement.party_a, Agreement.party_b,
                    Agreement.signed_on, Agreement.filed_on)
             .join(Town, Town.id == Agreement.town_id)
             .where(Agreement.signed_on.is_not(None), Agreement.signed_on <= ctx.as_of)
             .order_by(Agreement.signed_on, Agreement.id))
        if ctx.town_id is not None:
            q = q.where(Agreement.town_id == ctx.town_id)
        if ctx.open_only:
            q = q.where(or_(Agreement.filed_on.is_(None), Agreement.filed_on > ctx.as_of))
        as_of = ctx.as_of
        days: dict = {}  # a day as the driver gives it (a date, or SQLite's ISO text) → the date, made once
        # The driver's rows: SQLAlchemy's row objects, enum and date conversions cost as much as the rest.
        for kind, town_id, town, a, b, signed, filed in db.driver_rows(s.connection(), q):
            head = heads.get((kind, signed))
            if head is None:
                day = days[signed] = _day(signed)
                head = heads[(kind, signed)] = f"{AgreementKind[kind].label}备案（{cn_date(day)}签订"
            start = counted.get(signed)
            if start is None:
                day = days[signed]
                start = counted[signed] = (day, ctx.params(s, day).agreement_filing_workdays)
            parties = f"{a}—{b}" if a and b else (a or b)
            subject = f"{head}：{parties}）" if parties else f"{head}）"
            if filed is not None:
                filed = days.get(filed) or days.setdefault(filed, _day(filed))
            items.append(DueItem(KIND_AGREEMENT, town_id, town, subject, None,
                                 filed if filed is not None and filed <= as_of else None, "", False, start))
    return items


def examination_duties(kind: str) -> Provider:
    """附件2 (2): one kind of the examination units' duties (issue list, written report, progress report,
    rectification deadlines: services/exams/exam_deadlines, which cannot import this module)."""
    def provide(ctx: ProviderContext) -> list[DueItem]:
        return _exam_items(ctx).get(kind, [])
    return provide


def _exam_items(ctx: ProviderContext) -> dict[str, list[DueItem]]:
    """Every examination duty of the load, read once and split by kind for the four providers above."""
    if "exam" not in ctx.memo:
        by_kind: dict[str, list[DueItem]] = defaultdict(list)
        with ctx.ledger.reader() as s:
            for d in exam_deadlines.unit_duties(s, ctx.as_of, town_id=ctx.town_id, open_only=ctx.open_only,
                                                params_cache=ctx.memo.setdefault("params", {})):
                by_kind[d.kind].append(DueItem(d.kind, d.town_id, d.town, d.subject, d.due_date, d.done_on,
                                               workdays_from=d.workdays_from))
        ctx.memo["exam"] = by_kind
    return ctx.memo["exam"]


# kind label → provider, in the order the page lists kinds.
PROVIDERS: dict[str, Provider] = {
    KIND_REPORT: monthly_reports,
    KIND_VERIFY: monthly_verifications,
    KIND_QUOTA: quota_returns,
    KIND_AGREEMENT: agreement_filings,
    **{kind: examination_duties(kind) for kind in exam_deadlines.KINDS},
}


def register_provider(kind: str, provider: Provider) -> None:
    """Add a source of deadlines (e.g. the examinations' 体检问题清单 within N workdays)."""
    PROVIDERS[kind] = provider


def kinds() -> list[str]:
    return list(PROVIDERS)


# ---- the list ---------------------------------------------------------------------------------

def deadlines(ledger: Ledger, *, as_of: dt.date | None = None, town_id: int | None = None,
              kinds: Iterable[str] | None = None, open_only: bool = False) -> list[DeadlineRow]:
    """Every due item as of `as_of` (default today), most urgent first; `open_only`: only those not done."""
    as_of = as_of or ledger.today()
    wanted = set(kinds) if kinds is not None else None
    ctx = ProviderContext(ledger, as_of, town_id, open_only)
    judge = Judge(calendar_service.load(ledger), as_of)
    rows = []
    for kind, provider in PROVIDERS.items():
        if wanted is not None and kind not in wanted:
            continue
        rows.extend(judge.row(item) for item in provider(ctx) if not (open_only and item.is_done))
    rows.sort(key=sort_key)
    return rows


def sort_key(row: DeadlineRow):
    """Most urgent first: by status, then due date (unknown last), kind and town."""
    return (_RANK[row.status], row.due_date or dt.date.max, row.kind, row.town, row.subject)


_RANK = {status: i for i, status in enumerate(STATUS_ORDER)}


def counts(ledger: Ledger, as_of: dt.date | None = None) -> dict[str, int]:
    """For the dashboard: {'overdue': N, 'soon': M, 'no_calendar': K}."""
    out = {OVERDUE: 0, SOON: 0, NO_CALENDAR: 0}
    for r in deadlines(ledger, as_of=as_of, open_only=True):  # a done duty is never counted
        if r.status in out:
            out[r.status] += 1
    return out


def visible(rows: list[DeadlineRow], *, include_done: bool = False) -> list[DeadlineRow]:
    """What the page shows by default: everything not yet done."""
    return list(rows) if include_done else [r for r in rows if r.status != DONE]


def summary_text(rows: list[DeadlineRow], as_of: dt.date) -> str:
    by = {k: sum(1 for r in rows if r.status == k) for k in STATUS_ORDER}
    parts = [f"{STATUS_LABELS[k] if k != SOON else f'{SOON_WORKDAYS}个工作日内到期'} {by[k]}"
             for k in STATUS_ORDER if by[k]]
    return f"截至 {as_of.isoformat()}：共 {len(rows)} 项" + ("（" + "，".join(parts) + "）" if parts else "")


def rows_text(rows: list[DeadlineRow], as_of: dt.date) -> str:
    """The CLI's plain listing: one line per item, most urgent first, then a summary line."""
    lines = []
    for r in rows:
        due = r.due_date.isoformat() if r.due_date else "—"
        left = workdays_left_text(r, as_of)
        line = f"{r.status_label}\t{due}\t{left or '—'}\t{r.kind}\t{r.town or '—'}\t{r.subject}"
        if r.note:
            line += f"\t（{r.note}）"
        lines.append(line)
    lines.append(summary_text(rows, as_of))
    return "\n".join(lines)
