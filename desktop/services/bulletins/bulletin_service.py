"""通报 issued and kept (四(五)): each issued bulletin gets the year's next number (第N期), its text as the clerk
edited it and the rankings as drafted on the day; nothing here changes an issued bulletin afterwards, so
what was sent out can always be shown again as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from desktop.models import Bulletin, Year
from desktop.services.accounts import permissions
from desktop.services.bulletins.bulletin_draft import BulletinDraft, BulletinRow, TownSeries, draft
from desktop.services.errors import NotFound, ValidationError
from desktop.services.ledger import Ledger
from desktop.services.reports.report_common import year_row

_DECIMALS = ("target_mu", "verified_mu", "completion_pct", "pass_rate_pct")


@dataclass(frozen=True)
class IssuedBulletin:
    id: int
    year: int
    number: int
    title: str
    issued_on: dt.date
    body: str
    draft: BulletinDraft  # the figures as they stood when it was issued

    @property
    def number_label(self) -> str:
        return f"{self.year}年第{self.number}期"


def issue(ledger: Ledger, year: int, month: int | None = None, *, body: str | None = None,
          title: str | None = None) -> IssuedBulletin:
    """Issue the bulletin of `month` (None: the year so far) with the year's next number; `body` is the text
    as the clerk edited it (default: the drafted text). The figures are kept as drafted today."""
    permissions.require(ledger, "ledger_write")
    d = draft(ledger, year, month)
    text = (body if body is not None else d.body).strip()
    if not text:
        raise ValidationError("请填写通报正文", field="body")
    title = (title or d.title).strip()
    if not title:
        raise ValidationError("请填写通报标题", field="title")
    with ledger.session() as s:
        y = year_row(s, year)
        # One writer at a time (BEGIN IMMEDIATE), so two clerks never take the same number.
        numbers = [int(n) for n in s.scalars(select(Bulletin.number).where(Bulletin.year_id == y.id)) if n.isdigit()]
        b = Bulletin(year_id=y.id, number=str(max(numbers, default=0) + 1), title=title, period_end=d.period_end,
                     issued_on=ledger.today(), body=text, rankings=_snapshot(d))
        s.add(b)
        s.flush()
        return _issued(b, year)


def list_issued(ledger: Ledger, year: int) -> list[IssuedBulletin]:
    """The year's issued bulletins, the latest first."""
    permissions.require(ledger, "ledger_read")
    with ledger.reader() as s:
        y = year_row(s, year)
        rows = s.scalars(select(Bulletin).where(Bulletin.year_id == y.id).order_by(Bulletin.id.desc()))
        return [_issued(b, year) for b in rows]


def get(ledger: Ledger, bulletin_id: int) -> IssuedBulletin:
    permissions.require(ledger, "ledger_read")
    with ledger.reader() as s:
        b = s.get(Bulletin, bulletin_id)
        if b is None:
            raise NotFound("该通报不存在")
        return _issued(b, s.get(Year, b.year_id).year)


def count_issued(ledger: Ledger, year: int) -> int:
    with ledger.reader() as s:
        y = year_row(s, year)
        return s.scalar(select(func.count(Bulletin.id)).where(Bulletin.year_id == y.id)) or 0


def _snapshot(d: BulletinDraft) -> dict:
    def plain(row: BulletinRow) -> dict:
        out = dict(row.__dict__)
        for k in _DECIMALS:
            out[k] = None if out[k] is None else str(out[k])
        return out

    return {"month": d.month, "period_end": d.period_end.isoformat(), "title": d.title,
            "city_target_mu": str(d.city_target_mu), "city_parks_target": d.city_parks_target,
            "rows": [plain(r) for r in d.rows], "late_reporters": d.late_reporters, "highlights": d.highlights,
            "chart": [{"town": c.town, "target_mu": str(c.target_mu), "cumulative_mu": [str(v) for v in c.cumulative_mu]}
                      for c in d.chart]}


def _draft_of(year: int, data: dict) -> BulletinDraft:
    def row(r: dict) -> BulletinRow:
        values = dict(r)
        for k in _DECIMALS:
            values[k] = None if values[k] is None else Decimal(values[k])
        return BulletinRow(**values)

    return BulletinDraft(year, data["month"], dt.date.fromisoformat(data["period_end"]), data["title"],
                         Decimal(data["city_target_mu"]), data["city_parks_target"], [row(r) for r in data["rows"]],
                         list(data["late_reporters"]), list(data["highlights"]),
                         [TownSeries(c["town"], Decimal(c["target_mu"]), tuple(Decimal(v) for v in c["cumulative_mu"]))
                          for c in data["chart"]])


def _issued(b: Bulletin, year: int) -> IssuedBulletin:
    return IssuedBulletin(b.id, year, int(b.number), b.title, b.issued_on, b.body, _draft_of(year, b.rankings))
