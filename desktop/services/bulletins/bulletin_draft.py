"""通报 drafted from the ledger (四(五)): for a month, or the year so far, the towns ranked by verified
completion of their target, with parks started, on-time monthly reports (each hand-in by its own date),
verification pass rate, the late reporters named, highlights, and each town's verified area by month
against its target (the chart's data).

Only 已核实 area counts (三(四)), dated by its verification; every number comes from the year's parameters
and the towns' targets (附件1), none is written here.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, case, func, select

from desktop.models import ContiguousArea, GovernanceList, ListEntry, MonthlyReport, MonthlyReportHandIn, \
    MonthlyReportItem, Town, TownTarget, Verification
from desktop.models.enums import EntryState, VerifyResult
from desktop.services import rules
from desktop.services.accounts import permissions
from desktop.services.dates import cn_date
from desktop.services.errors import ValidationError
from desktop.services.ledger import Ledger
from desktop.services.ranking import competition_ranks
from desktop.services.reports.report_common import check_month, departments_of, year_row
from desktop.services.towns.progress_service import park_started_in
from desktop.services.year import year_service

ZERO = Decimal(0)


@dataclass(frozen=True)
class BulletinRow:
    """One town's line of the bulletin."""

    town_id: int
    town: str
    target_mu: Decimal
    verified_mu: Decimal  # 已核实 area verified by the period's end
    completion_pct: Decimal | None  # None: the town has no target
    target_parks: int
    parks_started: int
    reports: int  # hand-ins in the period, each counted by its own date
    on_time_reports: int
    late_reports: int
    missing_reports: int  # months of the period past the due day with no report at all
    items_passed: int  # reported entries whose verification passed / failed
    items_failed: int
    pass_rate_pct: Decimal | None
    rank: int
    tied: bool

    @property
    def rank_label(self) -> str:
        return f"并列第{self.rank}" if self.tied else f"第{self.rank}"


@dataclass(frozen=True)
class TownSeries:
    """One town's cumulative verified area at the end of each month of the period, and its target line."""

    town: str
    target_mu: Decimal
    cumulative_mu: tuple[Decimal, ...]


@dataclass
class BulletinDraft:
    year: int
    month: int | None  # None: the year so far
    period_end: dt.date
    title: str
    city_target_mu: Decimal
    city_parks_target: int
    rows: list[BulletinRow]
    late_reporters: list[str]  # “甲镇（10月逾期报送）”
    highlights: list[str]
    chart: list[TownSeries] = field(default_factory=list)

    @property
    def months(self) -> list[int]:
        return list(range(1, self.period_end.month + 1))

    @property
    def verified_mu(self) -> Decimal:
        return sum((r.verified_mu for r in self.rows), ZERO)

    @property
    def parks_started(self) -> int:
        return sum(r.parks_started for r in self.rows)

    @property
    def completion_pct(self) -> Decimal | None:
        return rules.pct(self.verified_mu, self.city_target_mu)

    @property
    def body(self) -> str:
        """The text the clerk starts from: the highlights, then the late reporters."""
        lines = list(self.highlights)
        if self.late_reporters:
            lines.append("报送不及时的镇街：" + "、".join(self.late_reporters) + "。")
        return "\n".join(lines)


def period_end(ledger: Ledger, year: int, month: int | None) -> dt.date:
    """The last day a bulletin covers: the month's last day, or for the year so far today (within the year)."""
    if month is not None:
        check_month(month)
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    today = ledger.today()
    if today.year < year:
        raise ValidationError(f"{year}年度尚未开始，不能通报“年初至今”", field="year")
    return min(today, dt.date(year, 12, 31))


def title_of(year: int, month: int | None) -> str:
    period = f"{year}年{month}月" if month is not None else f"{year}年1月至今"
    return f"关于{period}“危污乱散低”专项治理工作进展情况的通报"


def draft(ledger: Ledger, year: int, month: int | None = None) -> BulletinDraft:
    """The bulletin of `month` (or, with None, of the year so far), computed from the ledger as it stands."""
    permissions.require(ledger, "ledger_read")
    end = period_end(ledger, year, month)
    months = list(range(month, month + 1)) if month is not None else list(range(1, end.month + 1))
    passed, failed, missing = _verification_and_missing(ledger, year, months)
    with ledger.reader() as s:
        y = year_row(s, year)
        params = year_service.params_in_session(s, year)
        towns = list(s.execute(select(Town.id, Town.name).where(Town.active).order_by(Town.sort_order, Town.id)))
        targets = {town_id: (area, parks) for town_id, area, parks in s.execute(
            select(TownTarget.town_id, TownTarget.target_area_mu, TownTarget.target_parks)
            .where(TownTarget.year_id == y.id))}
        by_month = verified_by_month(s, y.id, end)
        parks: dict[int, int] = defaultdict(int)
        for town_id, start, status in s.execute(
                select(ContiguousArea.town_id, ContiguousArea.start_date, ContiguousArea.status)):
            if park_started_in(start, status, year) and start <= end:
                parks[town_id] += 1
        hand_ins, late_months = _hand_ins(s, y.id, months)
    values = []
    chart = []
    for town_id, name in towns:
        target, target_parks = targets.get(town_id, (ZERO, 0))
        cumulative, total = [], ZERO
        for m in range(1, end.month + 1):
            total += by_month[town_id].get(m, ZERO)
            cumulative.append(total)
        chart.append(TownSeries(name, target, tuple(cumulative)))
        values.append((town_id, name, target, target_parks, total))
    ranks = competition_ranks([rules.pct(v, t) for _i, _n, t, _p, v in values])
    rows = []
    for (town_id, name, target, target_parks, verified), rank in zip(values, ranks):
        on_time, late = hand_ins.get(town_id, (0, 0))
        p, f = passed.get(town_id, 0), failed.get(town_id, 0)
        rows.append(BulletinRow(town_id, name, target, verified, rules.pct(verified, target), target_parks,
                                parks[town_id], on_time + late, on_time, late, len(missing.get(town_id, ())), p, f,
                                rules.pct(p, p + f), rank.rank, rank.tied))
    order = {town_id: i for i, (town_id, _n) in enumerate(towns)}
    rows.sort(key=lambda r: (r.rank, order[r.town_id]))
    late_names = _late_reporters(rows, missing, late_months)
    out = BulletinDraft(year, month, end, title_of(year, month), params.target_area_mu, params.parks_target, rows,
                        late_names, [], chart)
    out.highlights = _highlights(out)
    return out


def verified_by_month(s, year_id: int, end: dt.date) -> dict[int, dict[int, Decimal]]:
    """Per town, the 已核实 area verified in each month up to `end` (an entry without a verification date is
    dated by its completion)."""
    q = (select(GovernanceList.town_id, ListEntry.state, ListEntry.planned_method, ListEntry.planned_area_mu,
                ListEntry.verified_area_mu, ListEntry.verified_on, ListEntry.completed_on)
         .join(GovernanceList, GovernanceList.id == ListEntry.list_id)
         .where(GovernanceList.year_id == year_id))
    out: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for town_id, state, method, planned, verified, verified_on, completed_on in s.execute(q):
        if not rules.counts_toward_completion(state, method):
            continue
        day = verified_on or completed_on
        if day is not None and day > end:
            continue
        month = day.month if day is not None and day.year == end.year else 1
        out[town_id][month] += verified if verified is not None else (planned or ZERO)
    return out


def _hand_ins(s, year_id: int, months: list[int]) -> tuple[dict[int, tuple[int, int]], dict[int, list[int]]]:
    """Per town: (on-time, late) hand-ins of the period's months, each judged by its own date; and the months
    with a late one."""
    q = (select(MonthlyReport.town_id, MonthlyReport.month, MonthlyReportHandIn.is_late)
         .join(MonthlyReport, MonthlyReport.id == MonthlyReportHandIn.report_id)
         .where(MonthlyReport.year_id == year_id, MonthlyReport.month.in_(months))
         .order_by(MonthlyReport.month))
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    late_months: dict[int, list[int]] = defaultdict(list)
    for town_id, month, late in s.execute(q):
        counts[town_id][1 if late else 0] += 1
        if late and month not in late_months[town_id]:
            late_months[town_id].append(month)
    return {k: (v[0], v[1]) for k, v in counts.items()}, late_months


def _verification_and_missing(ledger: Ledger, year: int, months: list[int]):
    """Per town over the period's months: reported entries whose verification passed, failed, and the months
    with no report past the due day, as of today — the same judgement as the month overview of the reports
    service (month_reading: failed when a verifying department failed it; verified when every department
    passed it, or when it is the entry's latest report item and the entry stands 已核实), counted in SQL
    per report item instead of building every item's row."""
    as_of = ledger.today()
    passed: dict[int, int] = defaultdict(int)
    failed: dict[int, int] = defaultdict(int)
    missing: dict[int, list[int]] = defaultdict(list)
    with ledger.reader() as s:
        y = year_row(s, year)
        p = year_service.params_in_session(s, year)
        dept_ids = [did for _name, did in departments_of(s, p)]
        every = bool(dept_ids) and None not in dept_ids  # each verifying department is a member unit
        item, v = MonthlyReportItem, Verification
        latest = select(item.entry_id, func.max(item.id).label("last")).group_by(item.entry_id).subquery()
        q = (select(MonthlyReport.town_id, item.id, latest.c.last, ListEntry.state,
                    func.count(case((v.result == VerifyResult.PASS, 1))),
                    func.count(case((v.result == VerifyResult.FAIL, 1))))
             .join(MonthlyReport, MonthlyReport.id == item.report_id)
             .join(ListEntry, ListEntry.id == item.entry_id)
             .join(latest, latest.c.entry_id == item.entry_id)
             .outerjoin(v, and_(v.item_id == item.id, v.department_id.in_([d for d in dept_ids if d is not None])))
             .where(MonthlyReport.year_id == y.id, MonthlyReport.month.in_(months))
             .group_by(MonthlyReport.town_id, item.id, latest.c.last, ListEntry.state))
        for town_id, item_id, last, state, n_pass, n_fail in s.execute(q):
            if n_fail:
                failed[town_id] += 1
            elif (every and n_pass == len(set(dept_ids))) or (last == item_id and state is EntryState.VERIFIED):
                passed[town_id] += 1
        reports = {(t, m): on for t, m, on in s.execute(
            select(MonthlyReport.town_id, MonthlyReport.month, MonthlyReport.reported_on)
            .where(MonthlyReport.year_id == y.id, MonthlyReport.month.in_(months)))}
        towns = list(s.execute(select(Town.id, Town.active).order_by(Town.sort_order, Town.id)).tuples())
        for m in months:
            if as_of > rules.monthly_report_due(p, year, m):
                for town_id, active in towns:  # an inactive town is judged in a month it reported
                    if (active or (town_id, m) in reports) and reports.get((town_id, m)) is None:
                        missing[town_id].append(m)
    return passed, failed, missing


def _late_reporters(rows: list[BulletinRow], missing, late_months) -> list[str]:
    out = []
    for r in sorted(rows, key=lambda r: r.town_id):
        parts = []
        if late_months.get(r.town_id):
            parts.append("、".join(f"{m}月" for m in late_months[r.town_id]) + "逾期报送")
        if missing.get(r.town_id):
            parts.append("、".join(f"{m}月" for m in missing[r.town_id]) + "逾期未报")
        if parts:
            out.append(f"{r.town}（{'；'.join(parts)}）")
    return out


def _mu(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):,.2f}"


def _highlights(d: BulletinDraft) -> list[str]:
    end = cn_date(d.period_end)
    pct = d.completion_pct
    lines = [f"截至{end}，全市已核实完成整治{_mu(d.verified_mu)}亩，"
             + (f"占年度目标{_mu(d.city_target_mu)}亩的{pct}%" if pct is not None else "本年度尚未设定目标面积")
             + f"；已启动老旧工业园区连片整治{d.parks_started}个（年度目标{d.city_parks_target}个）。"]
    ranked = [r for r in d.rows if r.completion_pct is not None]
    if ranked:
        best = [r for r in ranked if r.rank == 1]
        lines.append("完成率排名第一" + ("（并列）" if len(best) > 1 else "") + "："
                     + "、".join(f"{r.town}（{r.completion_pct}%）" for r in best) + "。")
        done = [r.town for r in ranked if r.completion_pct >= 100]
        if done:
            lines.append("已完成年度目标的镇街：" + "、".join(done) + "。")
        none = [r.town for r in ranked if r.verified_mu == 0]
        if none:
            lines.append("尚无已核实面积的镇街：" + "、".join(none) + "。")
    period = f"{d.month}月" if d.month is not None else "本年以来"
    reports = sum(r.reports for r in d.rows)
    on_time = sum(r.on_time_reports for r in d.rows)
    if reports:
        lines.append(f"{period}共报送{reports}次，按时报送{on_time}次，按时率{rules.pct(on_time, reports)}%。")
    p, f = sum(r.items_passed for r in d.rows), sum(r.items_failed for r in d.rows)
    if p + f:
        lines.append(f"{period}核实{p + f}个条目，通过{p}个，通过率{rules.pct(p, p + f)}%。")
    return lines
