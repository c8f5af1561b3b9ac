"""通报 drafted, issued and kept (四(五)): the clerk keeps the text of a period's bulletin as a draft in the
ledger (save_draft); a leader issues it (签发, an approval: never the account that drafted it), which gives
it the year's next number (第N期), the text as edited and the rankings as drafted on the day. Nothing
changes an issued bulletin afterwards (bulletins/bulletin_guard.py refuses it at flush), so what was sent out can
always be shown again as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from desktop.models import Bulletin, Year
from desktop.services.accounts import permissions
from desktop.services import audit
from desktop.services.bulletins.bulletin_draft import BulletinDraft, BulletinRow, TownSeries, draft, title_of
from desktop.services.bulletins.bulletin_draft import period_end as draft_period_end
from desktop.services.errors import NotFound, Refused, ValidationError
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
    drafted_by: str = ""
    issued_by: str = ""

    @property
    def number_label(self) -> str:
        return f"{self.year}年第{self.number}期"


@dataclass(frozen=True)
class SavedDraft:
    """A period's bulletin text as the clerk last saved it (not issued yet)."""

    id: int
    year: int
    month: int | None
    body: str
    drafted_by: str
    revision: int


SELF_DRAFTED = "该通报草稿由本人起草"
NO_DRAFT = "请先由经办保存通报草稿，再由领导签发"


def _period(month: int | None):
    return Bulletin.month.is_(None) if month is None else Bulletin.month == month


def _draft_row(s, year_id: int, month: int | None) -> Bulletin | None:
    return s.scalars(select(Bulletin).where(Bulletin.year_id == year_id, _period(month),
                                            Bulletin.issued_on.is_(None)).order_by(Bulletin.id)).first()


def saved_draft(ledger: Ledger, year: int, month: int | None) -> SavedDraft | None:
    """The period's saved draft text, or None when nobody saved one."""
    permissions.require(ledger, "ledger_read")
    with ledger.reader() as s:
        b = _draft_row(s, year_row(s, year).id, month)
        return None if b is None else SavedDraft(b.id, year, b.month, b.body, b.drafted_by, b.revision)


def save_draft(ledger: Ledger, year: int, month: int | None, body: str) -> SavedDraft:
    """Keep the clerk's text of the period's bulletin in the ledger (one draft per period, rewritten)."""
    permissions.require(ledger, "ledger_write")
    text = (body or "").strip()
    if not text:
        raise ValidationError("请填写通报正文", field="body")
    end = draft_period_end(ledger, year, month)
    with ledger.session() as s:
        y = year_row(s, year)
        b = _draft_row(s, y.id, month)
        if b is None:
            b = Bulletin(year_id=y.id, month=month, title=title_of(year, month), rankings={"month": month})
            s.add(b)
        b.body, b.period_end, b.drafted_by = text, end, ledger.user or ""
        s.flush()
        return SavedDraft(b.id, year, month, b.body, b.drafted_by, b.revision)


def issue(ledger: Ledger, year: int, month: int | None = None, *, body: str | None = None,
          title: str | None = None) -> IssuedBulletin:
    """签发 the bulletin of `month` (None: the year so far) with the year's next number. An approval: a
    leader issues the draft a clerk saved, never one they drafted themselves (a trusted caller, role None,
    may issue without a saved draft). `body` is the text as issued (default: the saved draft's, else the
    drafted one). The figures are kept as drafted today."""
    d = draft(ledger, year, month)
    with ledger.session() as s:
        y = year_row(s, year)
        b = _draft_row(s, y.id, month)
        if b is None and ledger.role is not None:
            permissions.require(ledger, "approve")
            raise Refused(NO_DRAFT)
        permissions.require_approval(ledger, s, b.drafted_by if b is not None else (), SELF_DRAFTED)
        text = (body if body is not None else (b.body if b is not None else d.body)).strip()
        if not text:
            raise ValidationError("请填写通报正文", field="body")
        title = (title or d.title).strip()
        if not title:
            raise ValidationError("请填写通报标题", field="title")
        # One writer at a time (BEGIN IMMEDIATE), so two leaders never take the same number.
        numbers = [int(n) for n in s.scalars(select(Bulletin.number).where(Bulletin.year_id == y.id)) if n.isdigit()]
        if b is None:
            b = Bulletin(year_id=y.id, month=month)
            s.add(b)
        b.number, b.title, b.period_end, b.issued_on = str(max(numbers, default=0) + 1), title, d.period_end, ledger.today()
        b.body, b.rankings, b.issued_by = text, snapshot(d), ledger.user or ""
        s.flush()
        audit.record(s, "签发", "bulletin", b.id, label=f"{year}年第{b.number}期 {title}")
        return _issued(b, year)


def list_issued(ledger: Ledger, year: int) -> list[IssuedBulletin]:
    """The year's issued bulletins, the latest first."""
    permissions.require(ledger, "ledger_read")
    with ledger.reader() as s:
        y = year_row(s, year)
        rows = s.scalars(select(Bulletin).where(Bulletin.year_id == y.id, Bulletin.issued_on.is_not(None))
                         .order_by(Bulletin.id.desc()))
        return [_issued(b, year) for b in rows]


def latest_issued(ledger: Ledger, year: int | None = None) -> IssuedBulletin | None:
    """The bulletin issued last (of `year`, or of any year): the dashboard shows its ranking."""
    permissions.require(ledger, "ledger_read")
    q = select(Bulletin).where(Bulletin.issued_on.is_not(None))
    if year is not None:
        q = q.join(Year, Year.id == Bulletin.year_id).where(Year.year == year)
    with ledger.reader() as s:
        b = s.scalars(q.order_by(Bulletin.issued_on.desc(), Bulletin.id.desc()).limit(1)).first()
        return None if b is None else _issued(b, s.get(Year, b.year_id).year)


def get(ledger: Ledger, bulletin_id: int) -> IssuedBulletin:
    permissions.require(ledger, "ledger_read")
    with ledger.reader() as s:
        b = s.get(Bulletin, bulletin_id)
        if b is None or b.issued_on is None:
            raise NotFound("该通报不存在或尚未签发")
        return _issued(b, s.get(Year, b.year_id).year)


def count_issued(ledger: Ledger, year: int) -> int:
    with ledger.reader() as s:
        y = year_row(s, year)
        return s.scalar(select(func.count(Bulletin.id)).where(Bulletin.year_id == y.id,
                                                               Bulletin.issued_on.is_not(None))) or 0


def snapshot(d: BulletinDraft) -> dict:
    """The draft's figures as kept with an issued bulletin (its rankings column)."""
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
    return IssuedBulletin(b.id, year, int(b.number), b.title, b.issued_on, b.body, _draft_of(year, b.rankings),
                          b.drafted_by, b.issued_by)
