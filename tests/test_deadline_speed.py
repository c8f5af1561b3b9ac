"""期限 made faster (issue 12) gives the same answers: the rows of deadline_service.deadlines() on a two-year
demo city, compared kind by kind with digests of the rows the code before the change gave (Core rows, one read
of the examination duties and of each year's parameters per load), and the dashboard's counts equal to the
full list's."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from desktop.services.deadlines import deadline_service as ds

# as_of → kind → (rows, sha256 of the rows' to_dict() as sorted-key JSON, first 16 hex digits), recorded with
# the code before the change on the city of the fixture below.
OLD = {
    "2025-03-03": {
        "指标归还": (68, "50cecc17102c361b"),
        "月度报送": (144, "e3a491ad2a218d79"),
        "协议备案": (360, "e687baa5071264c9"),
        "整改期限": (235, "6cff44b48fbec14c"),
        "体检书面报告": (210, "8bd62725c323ed71"),
        "体检问题清单": (210, "2fcd6675c290b0c7"),
        "月度核实": (89, "1e5ac07aa09bea36"),
        "整改进展报告": (195, "9453e003ba82e037"),
    },
    "2025-11-20": {
        "指标归还": (70, "965bca127e95a3f0"),
        "月度报送": (144, "f65f4c17c171b65d"),
        "协议备案": (360, "343c907e76aad524"),
        "整改期限": (235, "4a9fc804b655f0be"),
        "体检书面报告": (210, "d94cd9c5ec3ed472"),
        "体检问题清单": (210, "02ccaf6eb894ea0a"),
        "月度核实": (89, "695683ac0a2a7641"),
        "整改进展报告": (195, "bbd5a03c7bed5eed"),
    },
    "2026-02-10": {
        "指标归还": (70, "7a7849b91bf6dd16"),
        "月度报送": (144, "a2f3a7ae1b21a415"),
        "协议备案": (360, "e2a9efd95bc6d3b4"),
        "整改期限": (235, "5ae9a6408651f79d"),
        "体检书面报告": (210, "30c4350ae13dddaa"),
        "体检问题清单": (210, "ad1c95a54173feec"),
        "月度核实": (89, "e11c69b0d513e928"),
        "整改进展报告": (195, "90e52c75926e67db"),
    },
}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from desktop.services import setup_service
    from desktop.services.demo import demo_service
    from desktop.services.ledger import open_ledger

    ledger = open_ledger(tmp_path_factory.mktemp("dl") / "city.sqlite3", as_of=dt.date(2025, 11, 20))
    setup_service.initialize(ledger)
    demo_service.generate(ledger, enterprises=2000, years=2, entries_per_year=150)
    yield ledger
    ledger.dispose()


def _digests(rows) -> dict[str, tuple[int, str]]:
    by_kind: dict[str, list[dict]] = {}
    for r in rows:
        by_kind.setdefault(r.kind, []).append(r.to_dict())
    return {k: (len(v), hashlib.sha256(json.dumps(v, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16])
            for k, v in by_kind.items()}


@pytest.mark.parametrize("day", sorted(OLD))
def test_rows_are_those_of_the_old_code(city, day):
    assert _digests(ds.deadlines(city, as_of=dt.date.fromisoformat(day))) == OLD[day]


@pytest.mark.parametrize("day", sorted(OLD))
def test_dashboard_counts_equal_the_full_lists(city, day):
    as_of = dt.date.fromisoformat(day)
    rows = ds.deadlines(city, as_of=as_of)
    expected = {s: sum(1 for r in rows if r.status == s) for s in (ds.OVERDUE, ds.SOON, ds.NO_CALENDAR)}
    assert ds.counts(city, as_of=as_of) == expected
    assert expected[ds.OVERDUE] > 0


def test_one_town_is_the_whole_lists_part(city):
    """The shared per-load reads keep a town's list the slice of the whole list."""
    rows = ds.deadlines(city, as_of=dt.date(2025, 11, 20))
    town_id = next(r.town_id for r in rows if r.kind == ds.KIND_AGREEMENT)
    assert ds.deadlines(city, as_of=dt.date(2025, 11, 20), town_id=town_id) == [r for r in rows if r.town_id == town_id]


def test_one_judge_for_many_items_equals_classifying_each_alone():
    """deadlines() judges a load with one Judge that works out each due date and each (start, N) once: items
    sharing them (open or done, with or without notes, counted across a missing year) get the rows a fresh
    classify() gives each one alone."""
    from desktop.services.deadlines.calendar_service import WorkCalendar

    cal = WorkCalendar({dt.date(2026, 10, d): False for d in range(1, 8)}, {2026})
    as_of = dt.date(2026, 12, 22)
    items = []
    for start in (dt.date(2026, 9, 28), dt.date(2026, 12, 15), dt.date(2026, 12, 24)):  # the last runs into 2027
        for done_on, note in ((None, ""), (None, "provider note"), (dt.date(2026, 12, 1), ""),
                              (dt.date(2026, 12, 20), "x")):
            items.append(ds.DueItem(ds.KIND_AGREEMENT, 1, "甲镇", f"s{start}", None, done_on, note,
                                    workdays_from=(start, 10)))
    for due in (dt.date(2026, 12, 1), dt.date(2026, 12, 22), dt.date(2026, 12, 28), dt.date(2027, 1, 5),
                dt.date(2027, 6, 30), None):
        for note, done in (("", False), ("n", False), ("", True)):
            items.append(ds.DueItem(ds.KIND_QUOTA, 2, "乙镇", f"q{due}", due, None, note, done=done))
    judge = ds.Judge(cal, as_of)
    shared = [judge.row(item) for item in items + items]  # the second round is answered from the memo
    alone = [ds.classify(cal, item, as_of) for item in items + items]
    assert shared == alone
    assert {r.status for r in alone} == {ds.OVERDUE, ds.SOON, ds.OK, ds.DONE, ds.NO_CALENDAR}
    assert any("晚于期限" in r.note for r in alone) and any("；" in r.note for r in alone)


@pytest.mark.parametrize("day", sorted(OLD))
def test_open_only_is_the_full_list_without_done(city, day):
    """open_only (the dashboard's counts) leaves closed cases and rectified issues out in SQL: the same rows as
    the full list less its done ones — on a city that has both."""
    from sqlalchemy import func, select

    from desktop.models import Examination, Issue
    from desktop.models.enums import ExaminationStage

    as_of = dt.date.fromisoformat(day)
    with city.reader() as s:
        assert s.scalar(select(func.count()).where(Examination.stage == ExaminationStage.CLOSED,
                                                   Examination.start_date <= as_of)) > 0
        assert s.scalar(select(func.count()).where(Issue.rectified_on <= as_of)) > 0
    full = ds.deadlines(city, as_of=as_of)
    assert ds.deadlines(city, as_of=as_of, open_only=True) == [r for r in full if r.status != ds.DONE]
