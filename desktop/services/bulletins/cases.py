"""典型案例 (四(一)): a typical case made public — title, enterprise (a target), kind (正面典型 / 反面曝光),
medium, date, text and photos (attachments, object_type "case") — optionally linked to the 通报 that
carried it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from desktop.models import Attachment, Bulletin, Case, Target, Year
from desktop.models.enums import CaseKind
from desktop.services.accounts import permissions
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.ledger import Ledger

OBJECT_TYPE = "case"
TITLE_MAX = 200


@dataclass(frozen=True)
class CaseValues:
    title: str
    kind: CaseKind | None
    target_id: int | None = None
    medium: str = ""
    published_on: dt.date | None = None
    summary: str = ""
    bulletin_id: int | None = None
    revision: int | None = None  # the row's revision when the dialog opened (None: no check)


@dataclass(frozen=True)
class CaseRow:
    id: int
    title: str
    kind: CaseKind
    target_id: int | None
    target: str
    medium: str
    published_on: dt.date | None
    summary: str
    bulletin_id: int | None
    bulletin: str  # “2024年第3期”, "" when not linked
    photos: int
    revision: int


@dataclass(frozen=True)
class Photo:
    """A photo's link as it was, so an undone delete links the same stored file again."""

    sha256: str
    file_name: str
    size: int
    description: str


def clean(values: CaseValues) -> CaseValues:
    """The values trimmed and checked; ValidationError names the field."""
    title = (values.title or "").strip()
    if not title:
        raise ValidationError("请填写案例标题", field="title")
    if len(title) > TITLE_MAX:
        raise ValidationError(f"案例标题不能超过{TITLE_MAX}个字", field="title")
    if values.kind is None:
        raise ValidationError("请选择案例类型（正面典型或反面曝光）", field="kind")
    return CaseValues(title, values.kind, values.target_id, (values.medium or "").strip(), values.published_on,
                      (values.summary or "").strip(), values.bulletin_id, values.revision)


def _label(year: int | None, number: str | None) -> str:
    return f"{year}年第{number}期" if year is not None and number else ""


def list_cases(ledger: Ledger) -> list[CaseRow]:
    """Every case, the latest published first, with its enterprise, bulletin and number of photos (one query)."""
    permissions.require(ledger, "ledger_read")
    photos = (select(Attachment.object_id, func.count(Attachment.id).label("n"))
              .where(Attachment.object_type == OBJECT_TYPE).group_by(Attachment.object_id).subquery())
    q = (select(Case, Target.name, Year.year, Bulletin.number, photos.c.n)
         .outerjoin(Target, Target.id == Case.target_id)
         .outerjoin(Bulletin, Bulletin.id == Case.bulletin_id)
         .outerjoin(Year, Year.id == Bulletin.year_id)
         .outerjoin(photos, photos.c.object_id == Case.id)
         .order_by(Case.published_on.desc().nulls_last(), Case.id.desc()))
    with ledger.reader() as s:
        return [CaseRow(c.id, c.title, c.kind, c.target_id, name or "", c.medium, c.published_on, c.summary,
                        c.bulletin_id, _label(year, number), n or 0, c.revision)
                for c, name, year, number, n in s.execute(q)]


def values_of(row: CaseRow) -> CaseValues:
    return CaseValues(row.title, row.kind, row.target_id, row.medium, row.published_on, row.summary, row.bulletin_id,
                      row.revision)


def target_choices(ledger: Ledger) -> list[tuple[int, str]]:
    """The enterprises and parcels a case may be about, by name."""
    permissions.require(ledger, "ledger_read")
    with ledger.reader() as s:
        return [(i, n) for i, n in s.execute(select(Target.id, Target.name).order_by(Target.name))]


def bulletin_choices(ledger: Ledger) -> list[tuple[int, str]]:
    """The issued bulletins a case may be linked to, the latest first (“2024年第3期 关于…”)."""
    permissions.require(ledger, "ledger_read")
    q = (select(Bulletin.id, Year.year, Bulletin.number, Bulletin.title).join(Year, Year.id == Bulletin.year_id)
         .where(Bulletin.issued_on.is_not(None)).order_by(Bulletin.issued_on.desc(), Bulletin.id.desc()))
    with ledger.reader() as s:
        return [(i, f"{_label(y, n)} {t}") for i, y, n, t in s.execute(q)]


def _check_links(s, v: CaseValues) -> None:
    if v.target_id is not None and s.get(Target, v.target_id) is None:
        raise ValidationError("所选企业已不存在", field="target_id")
    if v.bulletin_id is not None:
        b = s.get(Bulletin, v.bulletin_id)
        if b is None or b.issued_on is None:
            raise ValidationError("只能关联已签发的通报", field="bulletin_id")


def _apply(c: Case, v: CaseValues) -> None:
    c.title, c.kind, c.target_id, c.medium = v.title, v.kind, v.target_id, v.medium
    c.published_on, c.summary, c.bulletin_id = v.published_on, v.summary, v.bulletin_id


def create(ledger: Ledger, values: CaseValues, photos: tuple[Photo, ...] = ()) -> int:
    """Record a case (with `photos` linked again when an undone delete brings it back); its id."""
    v = clean(values)
    with ledger.session() as s:
        _check_links(s, v)
        c = Case(title=v.title, kind=v.kind)
        _apply(c, v)
        s.add(c)
        s.flush()
        for p in photos:
            s.add(Attachment(sha256=p.sha256, file_name=p.file_name, size=p.size, description=p.description,
                             object_type=OBJECT_TYPE, object_id=c.id))
        return c.id


def update(ledger: Ledger, case_id: int, values: CaseValues) -> None:
    v = clean(values)
    with ledger.session() as s:
        c = s.get(Case, case_id)
        if c is None:
            raise NotFound("该案例已不存在（可能已被他人删除）")
        if v.revision is not None and c.revision != v.revision:
            raise Refused("该案例已被他人修改，请关闭对话框后重新打开")
        _check_links(s, v)
        _apply(c, v)


def delete(ledger: Ledger, case_id: int) -> tuple[Photo, ...]:
    """Delete a case and its photo links in one unit (the stored files stay, so an undo links them again);
    returns the photos it had."""
    with ledger.session() as s:
        c = s.get(Case, case_id)
        if c is None:
            raise NotFound("该案例已不存在")
        rows = s.scalars(select(Attachment).where(Attachment.object_type == OBJECT_TYPE,
                                                  Attachment.object_id == case_id).order_by(Attachment.id)).all()
        photos = tuple(Photo(a.sha256, a.file_name, a.size, a.description) for a in rows)
        for a in rows:
            s.delete(a)
        s.delete(c)
        return photos

