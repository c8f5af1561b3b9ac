"""The office's record over several years in `zzb demo --years` (demo_exam_years, demo_history): examinations
in every stage, the monthly 通报 as the program drafts them, typical cases, the finished years' scoring, and
agreements left unfiled only when recent."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import func, select

from desktop.models import (
    Agreement, Bulletin, Case, Examination, ExaminationUnit, Issue, ScoringSession, Year,
)
from desktop.models.enums import ExaminationStage, ScoringSubject
from desktop.services.bulletins import bulletin_draft, bulletin_service
from desktop.services.demo import demo_service
from desktop.services.scoring import scoring_service, scoring_sources

TODAY = dt.date(2024, 11, 20)
AS_OF = dt.date(2024, 10, 31)  # the sample year's day (demo_service._as_of)


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from desktop.services import setup_service
    from desktop.services.ledger import open_ledger

    ledger = open_ledger(tmp_path_factory.mktemp("history") / "city.sqlite3", as_of=TODAY)
    setup_service.initialize(ledger)
    summary = demo_service.generate(ledger, enterprises=3000, years=3, entries_per_year=200)
    yield ledger, summary
    ledger.dispose()


def test_every_year_has_its_examinations_old_ones_closed_and_scored_this_years_in_every_stage(city):
    ledger, summary = city
    with ledger.reader() as s:
        exams = s.execute(select(Examination.id, Examination.start_date, Examination.stage, Examination.closed_on)).all()
        unscored = s.scalars(select(ExaminationUnit.id).join(Examination)
                             .where(Examination.stage == ExaminationStage.CLOSED, ExaminationUnit.town_score.is_(None)))
        unscored = list(unscored)
    per_year = Counter(start.year for _i, start, _st, _c in exams)
    assert sorted(per_year) == [2022, 2023, 2024] and all(20 <= n <= 40 for n in per_year.values()), per_year
    assert summary.extra["examinations"] == len(exams)
    with ledger.reader() as s:
        assert summary.extra["exam_issues"] == s.scalar(select(func.count(Issue.id)))
    assert {st for _i, start, st, _c in exams if start.year == 2022} == {ExaminationStage.CLOSED}
    assert {st for _i, start, st, _c in exams if start.year == 2024} == set(ExaminationStage)
    assert all(start <= AS_OF for _i, start, _st, _c in exams)
    assert all((closed is not None) == (st is ExaminationStage.CLOSED) and (closed is None or start < closed <= AS_OF)
               for _i, start, st, closed in exams)
    assert unscored == []


def test_each_issued_bulletin_holds_the_rankings_the_program_drafts_as_of_its_day(city):
    """The demo drafts inside its own transaction; the figures equal the service's draft read afterwards."""
    ledger, _ = city
    with ledger.reader() as s:
        rows = s.execute(select(Bulletin.id, Year.year, Bulletin.month, Bulletin.number, Bulletin.issued_on,
                                Bulletin.rankings, Bulletin.body).join(Year, Year.id == Bulletin.year_id)
                         .order_by(Bulletin.id)).all()
    issued = [r for r in rows if r.issued_on is not None]
    for y in (2022, 2023):
        assert [(r.month, r.number) for r in issued if r.year == y] == [(m, str(m)) for m in range(1, 13)]
    assert [r.month for r in issued if r.year == 2024] == list(range(1, 10))  # October's goes out in November
    assert [(r.year, r.month, r.number) for r in rows if r.issued_on is None] == [(2024, 10, "")]
    for r in issued[::5]:
        d = bulletin_draft.draft(ledger.as_of(r.issued_on), r.year, r.month)
        assert r.rankings == bulletin_service.snapshot(d) and r.body == d.body
    shown = bulletin_service.list_issued(ledger, 2023)
    assert [b.number_label for b in shown][:2] == ["2023年第12期", "2023年第11期"] and shown[0].draft.rows


def test_typical_cases_name_targets_and_only_bulletins_of_their_month(city):
    ledger, summary = city
    with ledger.reader() as s:
        cases = s.execute(select(Case.published_on, Case.target_id, Case.bulletin_id, Bulletin.month, Bulletin.issued_on)
                          .outerjoin(Bulletin, Bulletin.id == Case.bulletin_id)).all()
    assert 18 <= len(cases) == summary.extra["typical_cases"]
    assert all(c.target_id is not None and c.published_on <= AS_OF for c in cases)
    assert all(c.bulletin_id is None or (c.month == c.published_on.month and c.issued_on) for c in cases)
    assert any(c.bulletin_id for c in cases)


def test_each_finished_year_has_a_confirmed_session_per_kind_scored_like_the_service_computes(city):
    ledger, _ = city
    with ledger.reader() as s:
        sessions = s.execute(select(ScoringSession.id, Year.year, ScoringSession.subject, ScoringSession.closed,
                                    ScoringSession.held_on).join(Year, Year.id == ScoringSession.year_id)).all()
    assert sorted((y, k.value) for _i, y, k, _c, _h in sessions) == sorted(
        (y, k.value) for y in (2022, 2023) for k in ScoringSubject)
    assert all(closed for *_x, closed, _h in sessions)
    for sid, year, kind, _closed, held in sessions:
        grid = scoring_service.grid(ledger, sid)
        assert grid.session.state == scoring_service.CONFIRMED
        assert all((sub.id, c.id) in grid.points for sub in grid.subjects for c in grid.criteria)
        for c in grid.criteria:
            if c.source:
                figures = scoring_sources.compute(ledger.as_of(held), year, c.source, [x.id for x in grid.subjects])
                assert {k: f.points(c.max_points) for k, f in figures.items()} == \
                    {sub.id: grid.points[(sub.id, c.id)] for sub in grid.subjects}


def test_only_recently_signed_agreements_are_left_unfiled(city):
    ledger, _ = city
    with ledger.reader() as s:
        signed = s.execute(select(Agreement.signed_on).where(Agreement.filed_on.is_(None))).scalars().all()
        total = len(s.scalars(select(Agreement.id)).all())
    assert signed and total > 10 * len(signed)
    old = [day for day in signed if (AS_OF - day).days >= 61]
    # the one acquisition the sample year keeps at 已签约 (every stage shown) is the only older one
    assert len(old) <= 1 and all(day.year == TODAY.year for day in old), sorted(signed)[:5]


def _overview_counts(ledger, year: int, months: list[int]):
    """The bulletin's verification and missing-report counts as the month overview of the reports service
    judges them (what bulletin_draft read before it counted in SQL)."""
    from collections import defaultdict

    from desktop.services.reports import report_service

    passed, failed, missing = defaultdict(int), defaultdict(int), defaultdict(list)
    for m in months:
        for t in report_service.month_overview(ledger, year, m).towns:
            passed[t.town_id] += t.verified
            failed[t.town_id] += t.failed
            if t.overdue:
                missing[t.town_id].append(m)
    return dict(passed), dict(failed), dict(missing)


def _plain(counts):
    return tuple({k: v for k, v in c.items() if v} for c in counts)


@pytest.mark.parametrize("day", [dt.date(2023, 7, 3), TODAY])
def test_the_bulletins_counts_in_sql_equal_the_month_overviews(city, day):
    ledger, _ = city
    ledger = ledger.as_of(day)
    checked, kinds = 0, set()
    for year in range(2022, day.year + 1):
        last = 12 if year < day.year else day.month
        for months in [[m] for m in range(1, last + 1)] + [list(range(1, last + 1))]:
            old = _plain(_overview_counts(ledger, year, months))
            assert _plain(bulletin_draft._verification_and_missing(ledger, year, months)) == old, (year, months)
            checked += sum(old[0].values()) + sum(old[1].values())
            kinds |= {i for i, c in enumerate(old) if c}
    assert checked > 100 and kinds == {0, 1, 2}  # passed, failed and missing reports all occur


@pytest.mark.parametrize("day", [dt.date(2024, 3, 12), AS_OF])
def test_the_case_lists_overdue_and_soon_counts_equal_those_of_every_duty_judged(city, day):
    """list_rows judges only the open duties; judging every duty (done ones too) gives the same counts."""
    from desktop.services.deadlines import deadline_service
    from desktop.services.exams import exam_service

    ledger, _ = city
    rows = exam_service.list_rows(ledger, as_of=day)
    with ledger.reader() as s:
        every = Counter((d.exam_id, row.status) for d, row in exam_service._judged(ledger, s, day, [r.id for r in rows]))
    assert [(r.id, r.overdue, r.soon) for r in rows] == \
        [(r.id, every[(r.id, deadline_service.OVERDUE)], every[(r.id, deadline_service.SOON)]) for r in rows]
    assert sum(every[k] for k in every if k[1] == deadline_service.DONE) > 100
    assert sum(r.overdue for r in rows) > 0 or day != AS_OF  # the demo's day has late units and open issues
