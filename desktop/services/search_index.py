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
import weakref

from sqlalchemy import column, false, func, select, table, text, tuple_

from desktop.models import Target

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

_fts = table(FTS_TABLE, column("rowid"), column("search_text"))
_has_fts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


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


def _phrase(term: str) -> str:
    """An FTS5 phrase that matches `term` literally (quotes doubled; * ( ) : ^ are plain inside quotes)."""
    return '"' + term.replace('"', '""') + '"'


def _trigrams(conn, term: str) -> list[tuple[str, int]] | None:
    """The trigrams that begin with a short term with the number of rows holding each, or None when there
    are too many to ask for. (The vocabulary counts the rows as it lists a trigram: they come free.)"""
    found = conn.execute(
        text(f"SELECT term, doc FROM {VOCAB_TABLE} WHERE term >= :lo AND term < :hi LIMIT :cap"),
        {"lo": term, "hi": term + "\U0010ffff", "cap": MAX_EXPANSION + 1},
    ).all()
    return None if len(found) > MAX_EXPANSION else [(g, n) for g, n in found]


def _rows(conn) -> int:
    """The register's size, near enough and without counting (ids only grow)."""
    return conn.execute(select(func.max(Target.id))).scalar() or 0


def term_conditions(conn, terms: list[str], *, indexed: bool = True) -> list:
    """WHERE conditions on Target: every term a substring of search_text (see text_search)."""
    return text_search(conn, terms, indexed=indexed)[0]


def text_search(conn, terms: list[str], *, indexed: bool = True, cap: int | None = None) -> tuple[list, int | None]:
    """WHERE conditions on Target for the terms, and how many rows they may match at most when the
    index knows (else None).

    The trigram index answers when it can and when it pays: a search it finds in `cap` rows or more
    (default: BROAD_SHARE of the register) is quicker as a scan, and gets plain LIKEs with the count
    (`cap` then). `indexed=False` gives plain LIKEs (what a name-ordered walk that stops early wants)."""
    likes = [Target.search_text.contains(t, autoescape=True) for t in terms]
    if not terms or not indexed or not _indexable(conn):
        return likes, None  # PostgreSQL: the GIN index serves these LIKEs itself
    match, scans, (fewest, most) = _match(conn, terms, likes)
    if match == _NOWHERE:
        return [false()], 0  # a term no trigram begins with: no row holds it
    if match is None:
        return likes, None
    if cap is None:
        cap = int(BROAD_SHARE * _rows(conn)) + 1
    found = select(_fts.c.rowid).where(_fts.c.search_text.op("MATCH")(match))
    if most < cap:  # the vocabulary's counts settle it: fewer than `cap`, at most `most`
        return [Target.id.in_(found), *scans], most
    if fewest >= cap and not scans:
        return likes, fewest  # at least `cap`
    # Counted no further than `cap` (the index hands its rows over lazily: counting stops there).
    estimate = conn.execute(select(func.count()).select_from(found.limit(cap).subquery())).scalar()
    if estimate == 0:
        return [false()], 0
    if estimate >= cap:
        return likes, estimate
    return [Target.id.in_(found), *scans], estimate


_NOWHERE = ""  # the MATCH of a search that cannot match


def _indexable(conn) -> bool:
    return conn.dialect.name == "sqlite" and has_fts(conn)


def _match(conn, terms: list[str], likes: list) -> tuple[str | None, list, tuple[float, float]]:
    """The FTS5 MATCH expression of the terms the index answers (None: none; _NOWHERE: a term occurs
    nowhere), the LIKEs of the terms left to a scan (a short term beginning too many trigrams), and what
    the vocabulary's counts say of the rows the MATCH finds: at least, at most (else 0, infinity).

    A short term's rows are at least its commonest trigram's and at most the sum of its trigrams';
    several terms together match at most what the rarest matches alone, and of a lower bound nothing."""
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
            most = min(most, sum(n for _g, n in grams))
            fewest = max(n for _g, n in grams) if len(terms) == 1 else 0
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
    2. short of `limit`, ask the index how many rows match, counting no further than that density's
       number: fewer, and the index answers (each match looked up and sorted);
    3. more, and the matches lie further on in name order (often together: a town's name, a district's
       code), so the walk goes on from where it stopped."""
    if not _indexable(conn):
        return None
    rows = _rows(conn)
    walk = math.isqrt(int(WALK_PER_MATCH * limit * rows))
    if walk < 4 * limit:
        return None  # a small register: the whole search is as quick
    plain = ordered.where(*text_search(conn, terms, indexed=False)[0])
    order = (Target.name.desc(), Target.id.desc()) if descending else (Target.name, Target.id)
    bound = conn.execute(select(Target.name, Target.id).order_by(*order).offset(walk - 1).limit(1)).first()
    if bound is None:  # the register is shorter than the walk
        return ids_of(conn, plain.limit(limit))
    key, edge = tuple_(Target.name, Target.id), tuple_(*bound)
    ids = ids_of(conn, plain.where(key >= edge if descending else key <= edge).limit(limit))
    if len(ids) == limit:
        return ids
    cap = int(walk / WALK_PER_MATCH)
    conditions, estimate = text_search(conn, terms, cap=cap)
    if estimate is not None and estimate < cap:
        return ids_of(conn, ordered.where(*conditions).limit(limit))
    further = plain.where(key < edge if descending else key > edge).limit(limit - len(ids))
    return ids + ids_of(conn, further)


def ids_of(conn, statement) -> list[int]:
    """The ids a statement selects, from the driver's rows, not SQLAlchemy's: its row by row iteration cost a
    tenth of a keystroke's search for 200 ids, and at 700 000 matching ids (“公” at 1M objects) building a Row
    for each cost as much as the query (the ids are plain integers, nothing to convert)."""
    result = conn.execute(statement)
    try:
        return [i for (i,) in result.cursor.fetchall()]
    finally:
        result.close()
