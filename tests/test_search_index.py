"""Search by index (issue 12, point 2): the trigram index answers the register's search exactly as the
plain LIKE scan does, on a sample of queries, and stays in step with every write of a target."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import search_samples
from sqlalchemy import event, select

from desktop.models import Target
from desktop.models.enums import Category
from desktop.services import db as db_module
from desktop.services import search_index
from desktop.services.db import open_database
from desktop.services.demo import demo_service
from desktop.services.ledger import Ledger
from desktop.services.lists import list_service
from desktop.services.register import target_service
from desktop.services.register.target_service import RegisterFilter, TargetValues, normalize_query

YEAR = 2024
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def sample_db(db):
    search_samples.load(db)
    return db


@pytest.fixture
def index_always(monkeypatch):
    """The index answers whenever it can, however broad the search (the sample register is small)."""
    monkeypatch.setattr(search_index, "BROAD_SHARE", 10.0)


def _terms(sample):
    return [t for t in (normalize_query(q) for q in search_samples.queries(sample)) if t]


def _indexed_and_plain(ledger, terms):
    with ledger.reader() as s:
        conn = s.connection()
        return (search_samples.ordered_ids(conn, terms, indexed=True),
                search_samples.ordered_ids(conn, terms, indexed=False))


def _uses_index(ledger, terms) -> bool:
    with ledger.reader() as s:
        conn = s.connection()
        return any("target_fts" in str(c) for c in search_index.term_conditions(conn, terms))


def test_the_sqlite_here_has_the_trigram_index(db):
    assert sqlite3.sqlite_version_info >= (3, 34)
    with db.reader() as s:
        assert search_index.has_fts(s.connection())


def test_indexed_answers_equal_the_like_scan_on_every_sample_query(sample_db, index_always):
    terms_list = _terms(search_samples.rows())
    assert len(terms_list) > 250
    sizes = {len(t) for terms in terms_list for t in terms}
    assert {1, 2, 3, 5} <= sizes
    indexed = 0
    for terms in terms_list:
        got, plain = _indexed_and_plain(sample_db, terms)
        assert got == plain, terms
        indexed += _uses_index(sample_db, terms)
    # Nearly every query went through the index (a character beginning very many trigrams scans).
    assert indexed > 0.9 * len(terms_list)


def test_terms_of_one_and_two_characters_are_answered_by_the_index_too(sample_db, index_always):
    for terms in (["8号"], ["港"], ["%"], ["_"], ["'"], ['"'], ["“"], ["和平"], ["ma"]):
        assert _uses_index(sample_db, terms), terms
        got, plain = _indexed_and_plain(sample_db, terms)
        assert got == plain, terms
    # 东港's whole text is “东港  港”: its last characters are found as well as the first ones.
    assert target_service.search_ids(sample_db, RegisterFilter(text="港 港"), year=YEAR)


def test_a_term_no_trigram_begins_with_finds_nothing_without_scanning(sample_db):
    with sample_db.reader() as s:
        conditions = search_index.term_conditions(s.connection(), ["龘"])
    assert [str(c) for c in conditions] in (["false"], ["0 = 1"])
    assert target_service.search_ids(sample_db, RegisterFilter(text="龘"), year=YEAR) == []


def test_the_register_search_equals_the_scan_with_the_default_choice_of_index_or_scan(sample_db):
    for terms in _terms(search_samples.rows())[::3]:
        text = " ".join(terms)
        _, plain = _indexed_and_plain(sample_db, terms)
        assert target_service.search_ids(sample_db, RegisterFilter(text=text), year=YEAR) == plain, terms


@pytest.mark.parametrize("descending", [False, True])
def test_a_first_screen_is_the_head_of_the_whole_answer(sample_db, descending):
    """Sorted by name, the first screen may come from a short walk in name order: it is the same head."""
    for terms in _terms(search_samples.rows())[::2]:
        flt = RegisterFilter(text=" ".join(terms))
        whole = target_service.search_ids(sample_db, flt, year=YEAR, descending=descending)
        for limit in (3, 10):
            assert target_service.search_ids(sample_db, flt, year=YEAR, descending=descending, limit=limit) == \
                whole[:limit], terms


def _first_screen_ways(ledger, flt, limit, descending) -> tuple[list[int], str]:
    """The first screen of a search sorted by name, and which way head_by_name found it (from its SQL)."""
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(ledger.engine, "before_cursor_execute", seen)
    try:
        ids = target_service.search_ids(ledger, flt, year=YEAR, descending=descending, limit=limit)
    finally:
        event.remove(ledger.engine, "before_cursor_execute", seen)
    last = statements[-1]
    if "target_fts" in last or "json_each" in last:  # the ids the index found, handed back or found again
        way = "index"
    elif "target.id) > (" in last or "target.id) < (" in last:
        way = "walk on"
    else:
        way = "first names"
    return ids, way


@pytest.mark.parametrize("descending", [False, True])
def test_each_way_to_a_first_screen_gives_the_head_of_the_plain_scan(sample_db, descending):
    """head_by_name's three ways (the first names walked, the index's few matches sorted, the walk gone on
    past the first names) each give the head of the plain LIKE scan's answer, in both directions."""
    ways: dict[str, int] = {}
    for terms in _terms(search_samples.rows()):
        with sample_db.reader() as s:
            plain = search_samples.ordered_ids(s.connection(), terms, indexed=False)
        if descending:
            with sample_db.reader() as s:
                q = (select(Target.id).where(*search_index.term_conditions(s.connection(), terms, indexed=False))
                     .order_by(Target.name.desc(), Target.id.desc()))
                plain = list(s.connection().execute(q).scalars())
        for limit in (2, 5, 12):
            got, way = _first_screen_ways(sample_db, RegisterFilter(text=" ".join(terms)), limit, descending)
            assert got == plain[:limit], (terms, limit, way)
            ways[way] = ways.get(way, 0) + 1
    assert set(ways) == {"first names", "index", "walk on"} and min(ways.values()) >= 10, ways


def test_a_first_screen_with_a_filter_is_the_head_of_the_filtered_answer(sample_db):
    town = target_service.filter_options(sample_db).towns[1][0]
    for terms in _terms(search_samples.rows())[::4]:
        flt = RegisterFilter(text=" ".join(terms), town_id=town)
        whole = target_service.search_ids(sample_db, flt, year=YEAR)
        assert target_service.search_ids(sample_db, flt, year=YEAR, limit=5) == whole[:5], terms


def test_a_search_asked_to_stop_stops_and_one_never_asked_answers_as_before(sample_db, monkeypatch):
    monkeypatch.setattr(db_module, "PROGRESS_STEPS", 1)
    flt = RegisterFilter(text="有限")
    before = target_service.search_ids(sample_db, flt, year=YEAR)
    assert before
    with pytest.raises(db_module.Superseded):
        target_service.search_ids(sample_db, flt, year=YEAR, cancelled=lambda: True)
    for limit in (None, 5):
        assert target_service.search_ids(sample_db, flt, year=YEAR, limit=limit, cancelled=lambda: False) == \
            before[:limit]
    # the handler went with the search: the pooled connection reads on undisturbed
    with sample_db.reader() as s:
        raw = s.connection().connection.driver_connection
        assert raw.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)"
                           " SELECT count(*) FROM n").fetchone() == (5000,)


def test_the_index_follows_creates_edits_and_deletes(sample_db, index_always):
    town = target_service.filter_options(sample_db).towns[0][0]
    tid = target_service.create(sample_db, TargetValues(name="青石砖瓦厂", town_id=town, category=Category.OTHER,
                                                        address="青石村"), year=YEAR)
    assert target_service.search_ids(sample_db, RegisterFilter(text="石砖瓦"), year=YEAR) == [tid]
    values = target_service.get(sample_db, tid, year=YEAR).values
    values.name, values.address = "白沙水泥厂", "白沙村"
    target_service.update(sample_db, tid, values, year=YEAR)
    assert target_service.search_ids(sample_db, RegisterFilter(text="石砖瓦"), year=YEAR) == []
    assert target_service.search_ids(sample_db, RegisterFilter(text="沙水泥"), year=YEAR) == [tid]
    assert target_service.search_ids(sample_db, RegisterFilter(text="沙村"), year=YEAR) == [tid]
    target_service.delete(sample_db, tid, year=YEAR)
    assert target_service.search_ids(sample_db, RegisterFilter(text="沙水泥"), year=YEAR) == []
    with sample_db.reader() as s:  # nothing of the deleted row is left in the index
        conn = s.connection()
        assert conn.exec_driver_sql("SELECT count(*) FROM target_fts_vocab WHERE term = '沙水泥'").scalar() == 0
    for terms in (["砖瓦"], ["水泥"], ["白沙"]):
        got, plain = _indexed_and_plain(sample_db, terms)
        assert got == plain


def test_the_sample_city_is_indexed_as_it_is_loaded(db, index_always):
    demo_service.generate(db, enterprises=80, seed=3)
    with db.reader() as s:
        names = list(s.scalars(select(Target.name).limit(15)))
    for name in names:
        for terms in ([name[:3]], [name[-2:]], [name[1:5]]):
            got, plain = _indexed_and_plain(db, terms)
            assert got == plain and got, terms


def test_list_candidates_search_through_the_index(demo_db, index_always):
    lst = next(t for t in list_service.town_overview(demo_db, YEAR) if t.list_id is not None)
    every = list_service.candidates(demo_db, lst.list_id, limit=10000)
    assert every
    name = every[len(every) // 2].name
    found = list_service.candidates(demo_db, lst.list_id, name[1:4], limit=10000)
    assert [c.id for c in found] == [c.id for c in every if name[1:4].lower() in
                                     f"{c.name} {c.credit_code or ''} {c.address}".lower()]


def test_migration_0008_indexes_the_rows_of_an_existing_ledger(tmp_path):
    path = tmp_path / "old.sqlite3"
    shutil.copyfile(FIXTURES / "ledger-0001.sqlite3", path)
    database = open_database(path, backup_dir=tmp_path / "bk")
    try:
        ledger = Ledger(database)
        with ledger.reader() as s:
            conn = s.connection()
            indexed = conn.exec_driver_sql("SELECT rowid FROM target_fts WHERE target_fts MATCH '\"m0001\"'").all()
            names = dict(conn.execute(select(Target.id, Target.name)).tuples().all())
        assert [names[r[0]] for r in indexed] == ["东港精密铸造有限公司"]
    finally:
        database.dispose()
