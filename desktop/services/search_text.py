"""The one place that builds `target.search_text` (ORM hook below, and bulk loaders call it too)."""

from __future__ import annotations

from sqlalchemy import event

from desktop.models import Target


def search_text_for(name: str | None, credit_code: str | None, address: str | None) -> str:
    # Same shape as migration 0002's backfill: lower(name || ' ' || code || ' ' || address).
    return f"{name or ''} {credit_code or ''} {address or ''}".lower()


@event.listens_for(Target, "before_insert", propagate=True)
@event.listens_for(Target, "before_update", propagate=True)
def _fill_search_text(_mapper, _conn, target: Target) -> None:
    target.search_text = search_text_for(target.name, target.credit_code, target.address)
