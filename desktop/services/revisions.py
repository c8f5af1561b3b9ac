"""The program's migration revisions, read from desktop/migrations/versions/*.py without importing Alembic.

Opening an up-to-date ledger only compares its stored revision with the head; Alembic's machinery
(its script loader, every dialect's DDL) costs a large part of the start, so it is imported only
when a migration is due (services/db.run_migrations). Each script states `revision = "…"` and
`down_revision = "…"` at its top, as script.py.mako writes them; tests/test_db.py checks this reading
against Alembic's own.
"""

from __future__ import annotations

import functools
import re

from desktop import paths

_FIELD = re.compile(r'^(revision|down_revision)\s*(?::[^=]*)?=\s*(?:["\']([^"\']+)["\']|None)\s*$', re.M)


@functools.lru_cache(maxsize=1)
def graph() -> dict[str, str | None]:
    """Revision → the revision it follows (None for the first), for every script in versions/."""
    out: dict[str, str | None] = {}
    for script in sorted((paths.migrations_dir() / "versions").glob("*.py")):
        fields = {m.group(1): m.group(2) for m in _FIELD.finditer(script.read_text(encoding="utf-8"))}
        if fields.get("revision"):
            out[fields["revision"]] = fields.get("down_revision")
    return out


def known() -> set[str]:
    return set(graph())


def head() -> str:
    """The one revision no other follows (several would be a packaging mistake: say so)."""
    links = graph()
    heads = set(links) - {down for down in links.values() if down}
    if len(heads) != 1:
        raise RuntimeError(f"migration scripts have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()
