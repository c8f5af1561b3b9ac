"""A keystroke's first screen (target_service.first_screen, the register's lane job) reads its ids and rows in
one read, hands the index's matches back instead of reading the index twice, and keeps the register's size
and the walk's bound between keystrokes only until a write: the same ids, in the same order, and the same
rows as the plain search and fetch, for every sort, direction and awkward query."""

from __future__ import annotations

import math

import pytest
import search_samples
from sqlalchemy import select

from desktop.models import Target
from desktop.models.enums import Category
from desktop.services import search_index
from desktop.services.db import open_database
from desktop.services.ledger import Ledger
from desktop.services.register import target_service
from desktop.services.register.target_service import COLUMNS, RegisterFilter, TargetValues, normalize_query

YEAR = 2024
LIMIT, ROWS = 6, 4


@pytest.fixture
def sample_db(db):
    search_samples.load(db)
    return db


def _texts() -> list[str]:
    """The awkward queries (1–2 characters, % and _, quotes, mixed-case codes, several terms, none found)
    and every fourth of the sample's own fragments."""
    every = [q for q in search_samples.queries(search_samples.rows()) if normalize_query(q)]
    return every[:34] + every[34::4]


def _plain_head(ledger, text: str, descending: bool) -> list[int]:
    """The first LIMIT ids of the plain LIKE scan sorted by name: the answer the first screen must give."""
    with ledger.reader() as s:
        conn = s.connection()
        likes = search_index.term_conditions(conn, normalize_query(text), indexed=False)
        order = (Target.name.desc(), Target.id.desc()) if descending else (Target.name, Target.id)
        return list(conn.execute(select(Target.id).where(*likes).order_by(*order).limit(LIMIT)).scalars())


def _first_screen(ledger, flt, **kw):
    return target_service.first_screen(ledger, flt, year=YEAR, limit=LIMIT, rows=ROWS, **kw)


@pytest.mark.parametrize("descending", [False, True])
def test_a_first_screen_by_name_is_the_head_of_the_plain_scan_with_the_rows_fetch_rows_reads(sample_db, descending):
    ways = {"walked": 0, "indexed": 0}
    for text in _texts():
        ids, wanted, rows, year, evaluation_year = _first_screen(sample_db, RegisterFilter(text=text),
                                                                 descending=descending)
        assert ids == _plain_head(sample_db, text, descending), text
        assert wanted == ids[:ROWS] and year == YEAR
        assert rows == target_service.fetch_rows(sample_db, wanted, year=YEAR, evaluation_year=evaluation_year)
        ways["indexed" if 0 < len(ids) < LIMIT else "walked"] += 1
    assert min(ways.values()) >= 10, ways  # both the walk and the index's matches answered many


@pytest.mark.parametrize("sort", [key for key, _label in COLUMNS] + ["id"])
def test_a_first_screen_in_every_sort_and_direction_is_the_head_of_the_search(sample_db, sort):
    for text in _texts()[::3]:
        for descending in (False, True):
            flt = RegisterFilter(text=text)
            whole = target_service.search_ids(sample_db, flt, year=YEAR, sort=sort, descending=descending)
            ids, *_rest = _first_screen(sample_db, flt, sort=sort, descending=descending)
            assert ids == whole[:LIMIT], (sort, descending, text)


def test_rows_already_in_the_models_cache_are_not_read_again(sample_db):
    ids, wanted, rows, _year, _ev = _first_screen(sample_db, RegisterFilter(text="有限"))
    assert len(ids) == LIMIT
    cached = frozenset(ids[1:3])
    again = _first_screen(sample_db, RegisterFilter(text="有限"), cached=cached)
    assert again[0] == ids and again[1] == [ids[0], ids[3]]
    assert [r.id for r in again[2]] == [ids[0], ids[3]]


def test_without_json_each_the_index_is_asked_again_with_the_same_answers(sample_db, monkeypatch):
    monkeypatch.setattr(search_index, "_has_json_each", lambda _conn: False)
    for text in _texts()[::2]:
        for descending in (False, True):
            ids = _first_screen(sample_db, RegisterFilter(text=text), descending=descending)[0]
            assert ids == _plain_head(sample_db, text, descending), text


def _size(ledger) -> int:
    with ledger.reader() as s:
        return search_index._register_size(s.connection())[0]


def test_the_size_and_bound_kept_between_keystrokes_follow_writes_of_this_and_other_connections(sample_db,
                                                                                                  db_path):
    """A target named to sort first, written by this ledger (the pooled connection may be the one that read)
    or by another program on the same file, is on the next first screen; the kept size follows it."""
    town = target_service.filter_options(sample_db).towns[0][0]
    before = _size(sample_db)
    assert _first_screen(sample_db, RegisterFilter(text="有限"))[0] == _plain_head(sample_db, "有限", False)
    mine = target_service.create(sample_db, TargetValues(name="0号有限公司", town_id=town, category=Category.OTHER),
                                 year=YEAR)
    assert _size(sample_db) == mine > before
    assert _first_screen(sample_db, RegisterFilter(text="有限"))[0][0] == mine
    other_database = open_database(db_path, migrate=False)
    try:
        theirs = target_service.create(Ledger(other_database), TargetValues(
            name="00号有限公司", town_id=town, category=Category.OTHER), year=YEAR)
    finally:
        other_database.dispose()
    assert _size(sample_db) == theirs > mine
    head = _first_screen(sample_db, RegisterFilter(text="有限"))[0]
    assert head[:2] == [theirs, mine] and head == _plain_head(sample_db, "有限", False)
    assert _first_screen(sample_db, RegisterFilter(text="有限"), descending=True)[0] == \
        _plain_head(sample_db, "有限", True)


def test_the_escape_character_and_wildcards_are_taken_literally(sample_db):
    town = target_service.filter_options(sample_db).towns[0][0]
    for name in ("甲/乙机械厂", "百分%/_之二厂", "a//b 五金", "丙_/丁厂", "/%厂"):
        target_service.create(sample_db, TargetValues(name=name, town_id=town, category=Category.OTHER), year=YEAR)
    for text in ("/", "//", "/%", "%/_", "_/", "甲/乙", "a//b", "/ 厂", "/_", "/x"):
        for descending in (False, True):
            ids = _first_screen(sample_db, RegisterFilter(text=text), descending=descending)[0]
            assert ids == _plain_head(sample_db, text, descending), text
            assert ids or text == "/x", text


def test_a_filter_changed_between_keystrokes_is_applied_to_the_next_first_screen(sample_db):
    """The statements kept between keystrokes belong to one filter: another filter gets its own."""
    towns = [t for t, _name in target_service.filter_options(sample_db).towns]
    for town_id in (towns[0], towns[1], None, towns[0]):
        for text in ("有限", "港", "91"):
            flt = RegisterFilter(text=text, town_id=town_id)
            whole = target_service.search_ids(sample_db, flt, year=YEAR)
            ids = _first_screen(sample_db, flt)[0]
            assert ids == whole[:LIMIT] and ids, (town_id, text)
            with sample_db.reader() as s:
                towns_of = set(s.scalars(select(Target.town_id).where(Target.id.in_(ids))))
            assert town_id is None or towns_of == {town_id}


def test_a_term_held_many_times_a_row_guessed_broad_still_gets_the_exact_head(sample_db):
    """“鹭” begins six trigrams in each of 30 rows: its trigrams count 180 rows, REPEATS × the cap of the walk
    of this small register, so the first screen walks on without counting through the index. The guess is
    wrong (30 rows), which costs only time: the answer is the plain scan's."""
    town = target_service.filter_options(sample_db).towns[0][0]
    for i in range(30):  # 龥 sorts after every other name: the matches lie beyond the first walk
        target_service.create(sample_db, TargetValues(name=f"龥鹭甲鹭乙鹭丙{i}", address="鹭丁鹭戊鹭己",
                                                      town_id=town, category=Category.OTHER), year=YEAR)
    with sample_db.reader() as s:
        conn = s.connection()
        rows = search_index._register_size(conn)[0]
        cap = math.isqrt(LIMIT * rows)  # WALK_PER_MATCH = 1
        match, _scans, fewest = search_index._plan(conn, ["鹭"], search_index._likes_of(1), cap)
    assert match is None and fewest >= cap > 30
    for descending in (False, True):
        ids = _first_screen(sample_db, RegisterFilter(text="鹭"), descending=descending)[0]
        assert ids == _plain_head(sample_db, "鹭", descending) and len(ids) == LIMIT
