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


def _trigrams(conn, term: str) -> list[str] | None:
    """The trigrams that begin with a short term, or None when there are too many to ask for."""
    found = conn.execute(
        text(f"SELECT term FROM {VOCAB_TABLE} WHERE term >= :lo AND term < :hi LIMIT :cap"),
        {"lo": term, "hi": term + "\U0010ffff", "cap": MAX_EXPANSION + 1},
    ).scalars().all()
    return None if len(found) > MAX_EXPANSION else list(found)


def _rows(conn) -> int:
    """The register's size, near enough and without counting (ids only grow)."""
    return conn.execute(select(func.max(Target.id))).scalar() or 0


def term_conditions(conn, terms: list[str], *, indexed: bool = True) -> list:
    """WHERE conditions on Target: every term a substring of search_text (see text_search)."""
    return text_search(conn, terms, indexed=indexed)[0]


def text_search(conn, terms: list[str], *, indexed: bool = True) -> tuple[list, int | None]:
    """WHERE conditions on Target for the terms, and how many rows they may match at most when the
    index knows (else None).

    The trigram index answers when it can and when it pays: a search it finds in more than BROAD_SHARE
    of the register is quicker as a scan. `indexed=False` gives plain LIKEs
    (what a name-ordered walk that stops early wants)."""
    likes = [Target.search_text.contains(t, autoescape=True) for t in terms]
    if not terms or not indexed or conn.dialect.name != "sqlite" or not has_fts(conn):
        return likes, None  # PostgreSQL: the GIN index serves these LIKEs itself
    clauses, scans = [], []
    for term, like in zip(terms, likes):
        if len(term) >= MIN_INDEXED:
            clauses.append(_phrase(term))
            continue
        grams = _trigrams(conn, term)
        if grams is None:
            scans.append(like)
        elif not grams:
            return [false()], 0  # no trigram begins with it: no row holds it
        else:
            clauses.append("(" + " OR ".join(_phrase(g) for g in grams) + ")")
    if not clauses:
        return likes, None
    match = " AND ".join(clauses)
    # How many rows the index finds, counted no further than the share that makes a scan quicker
    # (the index hands its rows over lazily: counting stops there).
    cap = int(BROAD_SHARE * _rows(conn)) + 1
    found = select(_fts.c.rowid).where(_fts.c.search_text.op("MATCH")(match))
    estimate = conn.execute(select(func.count()).select_from(found.limit(cap).subquery())).scalar()
    if estimate == 0:
        return [false()], 0
    if estimate >= cap:
        return likes, estimate
    return [Target.id.in_(found), *scans], estimate


def head_by_name(conn, plain_query, *, limit: int, descending: bool, estimate: int | None = None) -> list[int] | None:
    """The first `limit` ids of a search sorted by name, when they all lie among the register's first
    names (in that direction), else None.

    A broad term (“有限公司”, or “公”) matches most of the register; its first screen is then found by
    walking the name-ordered covering index a little way, while the trigram index would hand over every
    match to be sorted. How far: √(limit × rows), which balances the walk against the matches the
    index hands over when the walk falls short. `plain_query` is the search with plain LIKE conditions,
    ordered by (name, id); `estimate` (from text_search) skips the walk when the search matches too few
    rows for `limit` of them to be met in it."""
    rows = _rows(conn)
    probe = math.isqrt(limit * rows)
    if probe < 4 * limit:
        return None  # a small register: the whole search is as quick
    if estimate is not None and estimate * probe < limit * rows:
        return None  # at the register's average rate, fewer than `limit` matches lie in the walk
    order = (Target.name.desc(), Target.id.desc()) if descending else (Target.name, Target.id)
    bound = conn.execute(select(Target.name, Target.id).order_by(*order).offset(probe - 1).limit(1)).first()
    if bound is None:
        return None
    key, edge = tuple_(Target.name, Target.id), tuple_(*bound)
    within = key >= edge if descending else key <= edge
    ids = list(conn.execute(plain_query.where(within).limit(limit)).scalars())
    return ids if len(ids) == limit else None
