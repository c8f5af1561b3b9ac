"""Search by index: the conditions that find search terms in `target.search_text`.

The one place besides services/db.py that knows SQLite from PostgreSQL, because the index differs:
- SQLite: the contentless FTS5 table `target_fts` (trigram tokenizer, migration 0008), kept in step by
  triggers on every write of a target, holds each search_text followed by two spaces. A term of 3+
  characters is a phrase query: its trigrams at consecutive places, i.e. exactly the substring that
  LIKE '%term%' finds (both sides are lower-cased by search_text_for / normalize_query, so the
  tokenizer compares case-sensitively). A term of one or two characters is the OR of the trigrams that
  begin with it (listed by `target_fts_vocab`): thanks to the two spaces every character starts one.
  A term that begins too many trigrams (a common character), or a search that matches much of the
  register anyway, stays a LIKE scan.
- PostgreSQL: pg_trgm's GIN index on search_text answers LIKE '%term%' of 3+ characters by itself;
  shorter terms scan.
Without the index (SQLite older than 3.34, a server without pg_trgm) every term is a LIKE scan: the
same answers, only slower.

A future migration that rebuilds the target table in batch mode drops the triggers with it: it must
create them again (migration 0008 has their text).
"""

from __future__ import annotations

import math
import sqlite3
import weakref

from sqlalchemy import bindparam, column, false, func, select, table, text, tuple_

from desktop.models import Target
from desktop.services import db

FTS_TABLE = "target_fts"
VOCAB_TABLE = "target_fts_vocab"
TRGM_INDEX = "ix_target_search_trgm"
MIN_INDEXED = 3  # a trigram index knows nothing shorter
# A term of one or two characters that begins more trigrams than this is left to the scan.
MAX_EXPANSION = 120
# A search the index says matches more than this share of the register scans instead: handing over
# and sorting that many matches costs more than reading the narrow name-ordered index once.
BROAD_SHARE = 0.1
# How a first screen sorted by name weighs walking the name-ordered covering index against looking up and
# sorting the trigram index's matches (head_by_name): the walk reads √(WALK_PER_MATCH × limit × rows)
# names, the index answers below √(limit × rows / WALK_PER_MATCH) matches. 1 was quickest on the sample
# city at 100 000 and 1 000 000 objects (bench/register.py, CPU time; 0.25, 0.5, 3 and 6 tried).
WALK_PER_MATCH = 1
# The vocabulary counts a row once for each trigram of a short term it holds: a town's name in both the name and
# the address counts twice (at most 1.7 counts per matching row for 89 broad one- and two-character terms of the
# sample city). A single short term whose trigrams count REPEATS × cap is taken to match at least cap rows
# without counting them through the index (“临澄”: an OR of 65 trigrams, ~4 ms at 100 000 objects). A wrong
# guess costs only time (the walk goes on, through matches denser than cap / REPEATS), never an answer.
REPEATS = 2

_fts = table(FTS_TABLE, column("rowid"), column("search_text"))
_has_fts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_has_json: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

# Fixed statements run on the driver (see _driver).
_VOCAB_SQL = f"SELECT term, doc FROM {VOCAB_TABLE} WHERE term >= ? AND term < ? LIMIT ?"
# The rows a MATCH finds, up to a cap: how many, and their rowids as a JSON array (made in SQLite: fetching
# thousands of rows into Python cost three times the index's own work).
_FOUND_SQL = (f"SELECT count(*), '[' || group_concat(rowid) || ']' FROM "
              f"(SELECT rowid FROM {FTS_TABLE} WHERE search_text MATCH ? LIMIT ?)")
_BOUND_SQL = {False: "SELECT name, id FROM target ORDER BY name, id LIMIT 1 OFFSET ?",
              True: "SELECT name, id FROM target ORDER BY name DESC, id DESC LIMIT 1 OFFSET ?"}
_SIZE_KEY = "search_index.size"  # in the pooled DBAPI connection's info: see _register_size


def is_index_table(name: str | None) -> bool:
    """The FTS table, its vocabulary and shadow tables: no model describes them."""
    return bool(name) and (name == FTS_TABLE or name.startswith(FTS_TABLE + "_"))


def include_name(name: str | None, type_: str, _parents) -> bool:
    """Alembic's filter: the search index's own tables and indexes have no model, and are not differences."""
    if type_ == "table":
        return not is_index_table(name)
    return not (type_ == "index" and name == TRGM_INDEX)


def has_fts(conn) -> bool:
    """Whether this SQLite database has the trigram table (asked once per engine)."""
    engine = conn.engine
    known = _has_fts.get(engine)
    if known is None:
        known = conn.execute(text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"),
                             {"n": FTS_TABLE}).first() is not None
        _has_fts[engine] = known
    return known


def _has_json_each(conn) -> bool:
    """Whether this SQLite has json_each (built in since 3.38; earlier only with JSON1), asked once per engine."""
    engine = conn.engine
    known = _has_json.get(engine)
    if known is None:
        try:
            known = _driver(conn).execute("SELECT count(*) FROM json_each('[1]')").fetchone() == (1,)
        except sqlite3.OperationalError:
            known = False
        _has_json[engine] = known
    return known


def _driver(conn):
    """The session's own DBAPI connection, in the same read: the fixed statements of a keystroke run on it
    directly (SQLAlchemy's execution cost 0.1–0.3 ms of Python each, several times a keystroke)."""
    return conn.connection.driver_connection


def _phrase(term: str) -> str:
    """An FTS5 phrase that matches `term` literally (quotes doubled; * ( ) : ^ are plain inside quotes)."""
    return '"' + term.replace('"', '""') + '"'


def _trigrams(conn, term: str) -> list[tuple[str, int]] | None:
    """The trigrams that begin with a short term with the number of rows holding each, or None when there
    are too many to ask for. (The vocabulary counts the rows as it lists a trigram: they come free.)"""
    found = _driver(conn).execute(_VOCAB_SQL, (term, term + "\U0010ffff", MAX_EXPANSION + 1)).fetchall()
    return None if len(found) > MAX_EXPANSION else found


def _register_size(conn) -> tuple[int, dict]:
    """The register's size, near enough and without counting (max(id): ids only grow), and a dict for the
    walk's bounds in name order (see _bound), both as this read sees the database.

    Kept on the pooled DBAPI connection from one keystroke to the next until a write is committed: by another
    connection (PRAGMA data_version changes, read inside this read's snapshot) or by this one (its
    total_changes grows). They only decide where a walk stops, never which ids a search answers."""
    raw = _driver(conn)
    version = (raw.execute("PRAGMA data_version").fetchone()[0], raw.total_changes)
    kept = conn.connection.info.get(_SIZE_KEY)
    if kept is None or kept[0] != version:
        rows = raw.execute("SELECT max(id) FROM target").fetchone()[0] or 0
        kept = conn.connection.info[_SIZE_KEY] = (version, rows, {})
    return kept[1], kept[2]


def _bound(conn, bounds: dict, walk: int, descending: bool):
    """The (name, id) of the walk-th target in name order (None: the register is shorter), kept in `bounds`."""
    key = (walk, descending)
    if key not in bounds:
        bounds[key] = _driver(conn).execute(_BOUND_SQL[descending], (walk - 1,)).fetchone()
    return bounds[key]


def term_conditions(conn, terms: list[str], *, indexed: bool = True) -> list:
    """WHERE conditions on Target: every term a substring of search_text (see text_search)."""
    return text_search(conn, terms, indexed=indexed)[0]


def text_search(conn, terms: list[str], *, indexed: bool = True, cap: int | None = None) -> tuple[list, int | None]:
    """WHERE conditions on Target for the terms, and how many rows they may match at most when the
    index knows (else None).

    The trigram index answers when it can and when it pays: a search it finds in `cap` rows or more
    (default: BROAD_SHARE of the register) is quicker as a scan, and gets plain LIKEs with the count
    (`cap` then). `indexed=False` gives plain LIKEs (what a name-ordered walk that stops early wants)."""
    likes = _likes(terms)
    if not terms or not indexed or not _indexable(conn):
        return likes, None  # PostgreSQL: the GIN index serves these LIKEs itself
    if cap is None:
        cap = int(BROAD_SHARE * _register_size(conn)[0]) + 1
    match, scans, known = _plan(conn, terms, likes, cap)
    if match == _NOWHERE:
        return [false()], 0  # a term no trigram begins with: no row holds it
    if match is None:
        return likes, known
    found = select(_fts.c.rowid).where(_fts.c.search_text.op("MATCH")(match))
    if known is None:
        # Counted no further than `cap` (the index hands its rows over lazily: counting stops there).
        known = conn.execute(select(func.count()).select_from(found.limit(cap).subquery())).scalar()
        if known == 0:
            return [false()], 0
        if known >= cap:
            return likes, known
    return [Target.id.in_(found), *scans], known


_NOWHERE = ""  # the MATCH of a search that cannot match


def _likes(terms: list[str]) -> list:
    return [Target.search_text.contains(t, autoescape=True) for t in terms]


def _indexable(conn) -> bool:
    return conn.dialect.name == "sqlite" and has_fts(conn)


def _plan(conn, terms: list[str], likes: list, cap: int) -> tuple[str | None, list, int | None]:
    """Whether the index answers the terms, from its vocabulary alone: (the MATCH, the LIKEs of the terms
    left to a scan, what is known of the rows it finds). The MATCH is None when a scan answers (the count
    then: at least `cap`, or None when nothing is known) and _NOWHERE when no row can match; else the count
    is the most the MATCH finds when the vocabulary says it is under `cap`, or None: only counting tells."""
    match, scans, (fewest, most) = _match(conn, terms, likes)
    if match == _NOWHERE:
        return match, [], 0
    if match is None:
        return None, scans, None
    if most < cap:  # the vocabulary's counts settle it: fewer than `cap`, at most `most`
        return match, scans, most
    if fewest >= cap and not scans:
        return None, scans, fewest  # at least `cap` (likely: see REPEATS)
    return match, scans, None


def _match(conn, terms: list[str], likes: list) -> tuple[str | None, list, tuple[float, float]]:
    """The FTS5 MATCH expression of the terms the index answers (None: none; _NOWHERE: a term occurs
    nowhere), the LIKEs of the terms left to a scan (a short term beginning too many trigrams), and what
    the vocabulary's counts say of the rows the MATCH finds: at least, at most (else 0, infinity).

    A short term's rows are at least its commonest trigram's (and likely the sum of its trigrams' over
    REPEATS) and at most the sum of its trigrams'; several terms together match at most what the rarest
    matches alone, and of a lower bound nothing."""
    clauses, scans = [], []
    fewest, most = 0, math.inf
    for term, like in zip(terms, likes):
        if len(term) >= MIN_INDEXED:
            clauses.append(_phrase(term))
            continue
        grams = _trigrams(conn, term)
        if grams is None:
            scans.append(like)
        elif not grams:
            return _NOWHERE, [], (0, 0)
        else:
            clauses.append("(" + " OR ".join(_phrase(g) for g, _n in grams) + ")")
            total = sum(n for _g, n in grams)
            most = min(most, total)
            fewest = max(max(n for _g, n in grams), total // REPEATS) if len(terms) == 1 else 0
    return (" AND ".join(clauses) if clauses else None), scans, (fewest, most)


def head_by_name(conn, ordered, terms: list[str], *, limit: int, descending: bool) -> list[int] | None:
    """The first `limit` ids of a search sorted by name (`ordered`: the search without its text, ordered by
    (name, id)), or None when the caller's own query is as quick (a small register, or PostgreSQL, whose
    planner weighs the GIN index against the name order itself).

    Neither index is quick for every search. A broad term (“有限公司”, “公”) has its first screen among the
    first names: walking the name-ordered covering index finds it at once, while the trigram index would
    hand over every match to be looked up and sorted. A rare term is the other way round. So:
    1. walk the first √(WALK_PER_MATCH × limit × rows) names: the walk that costs what sorting the
       matches of a term at the break-even density costs;
    2. short of `limit`, ask the index for the rows that match, taking no more than that density's number:
       fewer, and the index answers (those rows looked up and sorted: the index is read once, the rows it
       handed over are the answer's candidates);
    3. more, and the matches lie further on in name order (often together: a town's name, a district's
       code), so the walk goes on from where it stopped.
    Its statements are derived from `ordered` once (see _derived) and take the terms as parameters."""
    if not _indexable(conn):
        return None
    rows, bounds = _register_size(conn)
    walk = math.isqrt(int(WALK_PER_MATCH * limit * rows))
    if walk < 4 * limit:
        return None  # a small register: the whole search is as quick
    n = len(terms)
    params = {f"term{i}": "%" + _escaped(t) + "%" for i, t in enumerate(terms)}
    params["limit"] = limit
    bound = _bound(conn, bounds, walk, descending)
    if bound is None:  # the register is shorter than the walk
        return ids_of(conn, _derived(ordered, ("all", n), lambda: ordered.where(*_likes_of(n))), params)
    params["edge_name"], params["edge_id"] = bound
    ids = ids_of(conn, _walk(ordered, n, "to edge", descending), params)
    if len(ids) == limit:
        return ids
    cap = int(walk / WALK_PER_MATCH)
    likes = _likes_of(n)
    match, scans, _known = _plan(conn, terms, likes, cap)
    if match == _NOWHERE:
        return []
    if match is not None:
        count, params["found"] = _driver(conn).execute(_FOUND_SQL, (match, cap)).fetchone()
        if count == 0:
            return []
        if count < cap:
            params["match"] = match
            scanned = tuple(i for i, like in enumerate(likes) if any(like is scan for scan in scans))
            return ids_of(conn, _index_answer(conn, ordered, n, scanned), params)
    params["limit"] = limit - len(ids)
    return ids + ids_of(conn, _walk(ordered, n, "past edge", descending), params)


def _escaped(term: str) -> str:
    """A term for LIKE … ESCAPE '/': its wildcards and the escape character taken literally."""
    return term.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _likes_of(n: int) -> list:
    """Conditions on Target: search_text holds each of n terms, given as parameters term0… (see _escaped)."""
    return [Target.search_text.like(bindparam(f"term{i}"), escape="/") for i in range(n)]


# Statements derived from a search's `ordered`, kept while it is (target_service builds it once per filter).
_DERIVED: dict = {}
_DERIVED_MAX = 256


def _derived(ordered, key: tuple, build):
    """build(), or what it gave before for this very `ordered` and key: a statement built once is executed
    again without rebuilding it, and SQLAlchemy remembers its cache key."""
    kept = _DERIVED.get((id(ordered), *key))
    if kept is None or kept[0] is not ordered:
        if len(_DERIVED) >= _DERIVED_MAX:
            _DERIVED.clear()
        kept = _DERIVED[(id(ordered), *key)] = (ordered, build())
    return kept[1]


def _walk(ordered, n: int, part: str, descending: bool):
    """The walk in name order up to the edge (name, id) or on past it, limited."""
    def build():
        key, edge = tuple_(Target.name, Target.id), tuple_(bindparam("edge_name"), bindparam("edge_id"))
        if part == "to edge":
            where = key >= edge if descending else key <= edge
        else:
            where = key < edge if descending else key > edge
        return ordered.where(*_likes_of(n), where).limit(bindparam("limit"))

    return _derived(ordered, ("walk", n, part, descending), build)


def _index_answer(conn, ordered, n: int, scanned: tuple[int, ...]):
    """The search among the rows the index found (parameter `found`: their ids, a JSON array, handed back
    through json_each so that the index is not read a second time; a SQLite without json_each runs the
    MATCH, parameter `match`, again), with the LIKEs of the terms the index left to a scan."""
    listed = _has_json_each(conn)

    def build():
        if listed:
            among = select(func.json_each(bindparam("found")).table_valued("value").c.value)
        else:
            among = select(_fts.c.rowid).where(_fts.c.search_text.op("MATCH")(bindparam("match")))
        likes = _likes_of(n)
        return ordered.where(Target.id.in_(among), *(likes[i] for i in scanned)).limit(bindparam("limit"))

    return _derived(ordered, ("index", n, scanned, listed), build)


def ids_of(conn, statement, params: dict | None = None) -> list[int]:
    """The ids a statement selects, from the driver's rows, not SQLAlchemy's: its row by row iteration cost a
    tenth of a keystroke's search for 200 ids, and at 700 000 matching ids (“公” at 1M objects) building a Row
    for each cost as much as the query (the ids are plain integers, nothing to convert)."""
    return [i for (i,) in db.driver_rows(conn, statement, params)]
