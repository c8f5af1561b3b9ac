"""Criteria computed from the ledger (四(五)): each source turns the year's figures of every subject into a
share of the criterion's full points, with the basis printed on the score sheet.

A subject with nothing to judge on a criterion (no target, no hand-in due, no loan due …) gets the full
points: nothing it owed was missed. Every number comes from the existing services and the year's
parameters (the cost cap, the contiguous minimum …), none is written here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from desktop.models.enums import ScoringSubject
from desktop.services.errors import ValidationError
from desktop.services.ledger import Ledger

ONE = Decimal(1)
POINTS = Decimal("0.01")
NOTHING_DUE = "无应考核事项，记满分"


@dataclass(frozen=True)
class Figure:
    """One subject on one computed criterion: the share of its full points (0–1) and what it rests on."""

    share: Decimal | None  # None: nothing to judge (full points)
    basis: str

    def points(self, max_points: Decimal) -> Decimal:
        share = ONE if self.share is None else max(Decimal(0), min(ONE, self.share))
        return (Decimal(max_points) * share).quantize(POINTS, rounding=ROUND_HALF_UP)


def _ratio(part, whole) -> Decimal | None:
    whole = Decimal(whole or 0)
    return None if whole == 0 else Decimal(part or 0) / whole


def _year_end(ledger: Ledger, year: int) -> dt.date:
    """The day the year's figures are read as of: today within the year, its last day after it."""
    return min(ledger.today(), dt.date(year, 12, 31))


# ---- towns ----------------------------------------------------------------------------------------

def _progress(ledger: Ledger, year: int):
    from desktop.services.towns.progress_service import year_progress

    return year_progress(ledger, year)


def completion(ledger: Ledger, year: int) -> dict[int, Figure]:
    """三(四): 已核实 area ÷ the town's target (附件1)."""
    return {t.town_id: Figure(_ratio(t.verified_mu, t.target_area_mu),
                              f"已核实 {t.verified_mu:.2f} 亩 ÷ 目标 {t.target_area_mu:.2f} 亩"
                              if t.target_area_mu else f"未下达目标面积，{NOTHING_DUE}")
            for t in _progress(ledger, year).towns}


def parks(ledger: Ledger, year: int) -> dict[int, Figure]:
    """一: contiguous parks started in the year ÷ the town's target number."""
    return {t.town_id: Figure(_ratio(t.parks_started, t.target_parks),
                              f"启动 {t.parks_started} 个 ÷ 目标 {t.target_parks} 个"
                              if t.target_parks else f"未下达园区目标，{NOTHING_DUE}")
            for t in _progress(ledger, year).towns}


def contiguous(ledger: Ledger, year: int) -> dict[int, Figure]:
    """三(一): the list's contiguous share against the year's minimum (30 % in 2024)."""
    p = _progress(ledger, year)
    out = {}
    for t in p.towns:
        if not t.listed_mu or not p.share_min_pct:
            out[t.town_id] = Figure(None, f"清单面积为零，{NOTHING_DUE}")
            continue
        out[t.town_id] = Figure(_ratio(t.share_pct, p.share_min_pct),
                                f"连片占比 {t.share_pct}% ÷ 最低 {p.share_min_pct.normalize():f}%")
    return out


def _bulletin_rows(ledger: Ledger, year: int):
    from desktop.services.bulletins.bulletin_draft import draft

    try:
        return draft(ledger, year, None).rows
    except ValidationError:  # the year has not begun: nothing reported yet
        return []


def reports(ledger: Ledger, year: int) -> dict[int, Figure]:
    """三(四): hand-ins on time (each by its own date) ÷ hand-ins plus months past due with none."""
    out = {}
    for r in _bulletin_rows(ledger, year):
        due = r.reports + r.missing_reports
        out[r.town_id] = Figure(_ratio(r.on_time_reports, due),
                                f"按时 {r.on_time_reports} 次 ÷（报送 {r.reports} 次 + 逾期未报 {r.missing_reports} 个月）"
                                if due else f"无应报送月份，{NOTHING_DUE}")
    return out


def pass_rate(ledger: Ledger, year: int) -> dict[int, Figure]:
    """三(四): reported entries whose verification passed ÷ those verified."""
    out = {}
    for r in _bulletin_rows(ledger, year):
        judged = r.items_passed + r.items_failed
        out[r.town_id] = Figure(_ratio(r.items_passed, judged),
                                f"通过 {r.items_passed} 个 ÷ 已核实 {judged} 个" if judged
                                else f"无核实结果，{NOTHING_DUE}")
    return out


# ---- member units ---------------------------------------------------------------------------------

def exam_duties(ledger: Ledger, year: int) -> dict[int, Figure]:
    """附件2 (2): the unit's examination duties due in the year (by the as-of day) done by their due date."""
    from desktop.services.deadlines import calendar_service, deadline_service
    from desktop.services.exams import exam_deadlines

    as_of = _year_end(ledger, year)
    cal = calendar_service.load(ledger)
    counts: dict[int, list[int]] = {}
    with ledger.reader() as s:
        duties = exam_deadlines.unit_duties(s, as_of)
    for d in duties:
        row = deadline_service.classify(cal, deadline_service.DueItem(
            d.kind, d.town_id, d.town, d.subject, d.due_date, d.done_on, workdays_from=d.workdays_from), as_of)
        if row.due_date is None or row.due_date.year != year or row.due_date > as_of and row.status != "done":
            continue
        late = row.status == "overdue" or (d.done_on is not None and d.done_on > row.due_date)
        c = counts.setdefault(d.department_id, [0, 0])
        c[0] += 0 if late else 1
        c[1] += 1
    out = {}
    for dept_id, (on_time, due) in counts.items():
        out[dept_id] = Figure(_ratio(on_time, due), f"按期完成 {on_time} 项 ÷ 应完成 {due} 项")
    return out


def exam_scores(ledger: Ledger, year: int) -> dict[int, Figure]:
    """附件2 (5): the average of the towns' scores of the unit (out of 100) in examinations closed in the year."""
    from desktop.services.exams import exam_scoring
    from desktop.services.year import year_service

    ids = {d.name: d.id for d in year_service.list_departments(ledger)}
    out = {}
    for name, totals in exam_scoring.year_totals(ledger, year).items():
        if name in ids and totals:
            avg = sum(totals, Decimal(0)) / len(totals)
            out[ids[name]] = Figure(avg / 100, f"{len(totals)} 次体检镇街评分平均 {avg:.2f} 分（百分制）")
    return out


# ---- city SOEs ------------------------------------------------------------------------------------

def cost_cap(ledger: Ledger, year: int) -> dict[int, Figure]:
    """四(二): the SOE's town cooperations of the year whose average cost per 亩 stays within the year's cap."""
    from desktop.services.landbank.agreement_service import over_cap_report

    pairs: dict[int, list[int]] = {}
    cap = None
    for r in over_cap_report(ledger, year):
        c = pairs.setdefault(r.soe_id, [0, 0])
        c[0] += 0 if r.over else 1
        c[1] += 1
        cap = r.cap
    cap_text = f"{cap.normalize():f}" if cap is not None else ""
    return {soe_id: Figure(_ratio(ok, n), f"{n} 个合作镇街中 {ok} 个均价不超过 {cap_text} 万元/亩")
            for soe_id, (ok, n) in pairs.items()}


def quota_return(ledger: Ledger, year: int) -> dict[int, Figure]:
    """四(三): the SOE's pre-borrowed quota due by the year's end (as of today) returned in full by its due date."""
    from desktop.services.quota.quota_ledger import ledger_report

    as_of = _year_end(ledger, year)
    report = ledger_report(ledger, as_of=as_of)
    counts: dict[int, list[int]] = {}
    for r in report.rows:
        if r.due_date > as_of:
            continue
        by_due = sum((x.area_mu for x in report.returns.get(r.loan_id, []) if x.return_date <= r.due_date),
                     Decimal(0))
        c = counts.setdefault(r.soe_id, [0, 0])
        c[0] += 1 if by_due >= r.area_mu else 0
        c[1] += 1
    return {soe_id: Figure(_ratio(ok, n), f"到期预借 {n} 笔，按期全额归还 {ok} 笔") for soe_id, (ok, n) in counts.items()}


@dataclass(frozen=True)
class Source:
    label: str
    kind: ScoringSubject
    compute: Callable[[Ledger, int], dict[int, Figure]]


SOURCES: dict[str, Source] = {
    "completion": Source("已核实面积÷年度目标", ScoringSubject.TOWN, completion),
    "parks": Source("连片整治园区启动数÷目标", ScoringSubject.TOWN, parks),
    "reports": Source("月度报送按时率（逐次）", ScoringSubject.TOWN, reports),
    "pass_rate": Source("核实通过率", ScoringSubject.TOWN, pass_rate),
    "contiguous": Source("连片面积占比÷年度最低占比", ScoringSubject.TOWN, contiguous),
    "exam_duties": Source("综合体检职责按期完成率", ScoringSubject.DEPARTMENT, exam_duties),
    "exam_scores": Source("体检后镇街评分（平均）", ScoringSubject.DEPARTMENT, exam_scores),
    "cost_cap": Source("收储均价不超过年度限额", ScoringSubject.SOE, cost_cap),
    "quota_return": Source("周转指标按期归还", ScoringSubject.SOE, quota_return),
}


def sources_for(kind: ScoringSubject) -> dict[str, str]:
    """The sources that apply to a kind of subject: key → label."""
    return {k: s.label for k, s in SOURCES.items() if s.kind is kind}


def compute(ledger: Ledger, year: int, source: str, subject_ids) -> dict[int, Figure]:
    """Every subject's figure on one source (a subject it has no figure for: nothing to judge)."""
    got = SOURCES[source].compute(ledger, year)
    return {sid: got.get(sid, Figure(None, NOTHING_DUE)) for sid in subject_ids}
