"""An issued 通报 never changes (四(五)): once 签发 has given it a number, no flush may update or delete its
row, whoever asks and whatever code path; a draft (issued_on still empty) is the clerk's to rewrite, and
issuing it is the one change allowed. Bulk UPDATE/DELETE statements on the table are refused outright
(nothing in the program writes bulletins that way). Installed on import of desktop.services."""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from desktop.models import Bulletin
from desktop.services.errors import Refused


def _issued_before(target: Bulletin) -> bool:
    """Whether the row as stored (before this flush) was issued already."""
    history = inspect(target).attrs.issued_on.history
    stored = history.deleted if history.has_changes() else history.unchanged
    return any(v is not None for v in stored)


def _refusal(target: Bulletin) -> str:
    number = inspect(target).attrs.number.history
    shown = (number.deleted or number.unchanged or [target.number])[0]
    return f"第{shown}期通报已签发，内容不能再修改或删除（已签发的通报保持签发时的原样）"


@event.listens_for(Bulletin, "before_update")
def _refuse_changing_an_issued_bulletin(_mapper, _conn, target: Bulletin) -> None:
    if _issued_before(target):
        raise Refused(_refusal(target))


@event.listens_for(Bulletin, "before_delete")
def _refuse_deleting_an_issued_bulletin(_mapper, _conn, target: Bulletin) -> None:
    if _issued_before(target) or target.issued_on is not None:
        raise Refused(_refusal(target))


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_writes(state) -> None:
    if state.is_update or state.is_delete:
        table = getattr(getattr(state.statement, "table", None), "name", None)
        if table == Bulletin.__tablename__:
            raise Refused("通报只能通过起草和签发修改（已签发的通报不能修改）")
