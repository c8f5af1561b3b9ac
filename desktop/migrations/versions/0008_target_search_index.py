"""target: search by index — a trigram index over search_text, and a name-ordered covering index

- SQLite (3.34+): an FTS5 table `target_fts` with the trigram tokenizer over target.search_text
  (contentless: it stores only the index), kept in step by three triggers, so every write —
  the ORM, bulk inserts, the sample city, imports — updates it; filled here for existing ledgers.
  Older SQLite has no trigram tokenizer: no table, and the search keeps scanning.
- PostgreSQL: pg_trgm's GIN index on target.search_text, which answers `LIKE '%…%'` by itself.
  When the server lacks the extension (or the right to create it), the search keeps scanning and
  the log says so.
- ix_target_search (search_text, name) becomes ix_target_name_search (name, id, search_text): still
  covering for a scan, and in display order, so a search sorted by name can stop at its first screen.

The DDL is literal here (not imported from desktop.services.search_index) so this step does not
change when that code does.

Revision ID: 0008
Revises: 0007
"""

import logging

from alembic import op
from sqlalchemy import text

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

log = logging.getLogger("zzb.migrations")

# Contentless (the text is in target.search_text already). Each row is indexed with two trailing spaces,
# so that every character, the last two included, starts a trigram: a term of one or two characters is
# then found through the trigrams that begin with it (target_fts_vocab lists them).
SQLITE_UP = (
    "CREATE VIRTUAL TABLE target_fts USING fts5(search_text, content='', tokenize='trigram case_sensitive 1')",
    "CREATE VIRTUAL TABLE target_fts_vocab USING fts5vocab(target_fts, 'row')",
    "CREATE TRIGGER target_fts_insert AFTER INSERT ON target BEGIN"
    " INSERT INTO target_fts(rowid, search_text) VALUES (new.id, new.search_text || '  '); END",
    "CREATE TRIGGER target_fts_delete AFTER DELETE ON target BEGIN"
    " INSERT INTO target_fts(target_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text || '  '); END",
    "CREATE TRIGGER target_fts_update AFTER UPDATE OF search_text ON target BEGIN"
    " INSERT INTO target_fts(target_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text || '  ');"
    " INSERT INTO target_fts(rowid, search_text) VALUES (new.id, new.search_text || '  '); END",
    "INSERT INTO target_fts(rowid, search_text) SELECT id, search_text || '  ' FROM target",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS target_fts_insert",
    "DROP TRIGGER IF EXISTS target_fts_delete",
    "DROP TRIGGER IF EXISTS target_fts_update",
    "DROP TABLE IF EXISTS target_fts_vocab",
    "DROP TABLE IF EXISTS target_fts",
)


def _sqlite_has_trigram(bind) -> bool:
    try:
        bind.exec_driver_sql("CREATE VIRTUAL TABLE temp.zzb_trigram_probe USING fts5(x, tokenize='trigram')")
    except Exception:  # no FTS5, or SQLite older than 3.34 (no trigram tokenizer)
        return False
    bind.exec_driver_sql("DROP TABLE temp.zzb_trigram_probe")
    return True


def _postgres_trigram(bind) -> None:
    available = bind.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).first()
    if available is None:
        log.warning("PostgreSQL 服务器没有 pg_trgm 扩展：治理对象搜索不建索引，逐行查找（结果相同，大台账较慢）")
        return
    savepoint = bind.begin_nested()
    try:
        bind.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except Exception as exc:  # e.g. no right to create extensions on a shared server
        savepoint.rollback()
        log.warning("无法启用 PostgreSQL 扩展 pg_trgm（%s）：治理对象搜索不建索引，逐行查找", exc)
        return
    savepoint.commit()
    op.execute("CREATE INDEX ix_target_search_trgm ON target USING gin (search_text gin_trgm_ops)")


def upgrade() -> None:
    op.drop_index("ix_target_search", table_name="target")
    op.create_index("ix_target_name_search", "target", ["name", "id", "search_text"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        if _sqlite_has_trigram(bind):
            for statement in SQLITE_UP:
                op.execute(statement)
        else:
            log.warning("SQLite 版本过旧（无 trigram 分词器）：治理对象搜索不建索引，逐行查找")
    elif bind.dialect.name == "postgresql":
        _postgres_trigram(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    elif bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_target_search_trgm")
    op.drop_index("ix_target_name_search", table_name="target")
    op.create_index("ix_target_search", "target", ["search_text", "name"])
