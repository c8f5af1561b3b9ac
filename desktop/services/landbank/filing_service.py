"""协议备案的审核: whoever recorded an agreement's filing never also approves it (等保: 谁报送谁不审核)."""

from __future__ import annotations

from desktop.models import Agreement
from desktop.services.accounts import permissions
from desktop.services.errors import NotFound, Refused
from desktop.services.ledger import Ledger

SELF_FILED = "该协议的备案由您本人录入"


def stamp_filing(ledger: Ledger, a: Agreement) -> None:
    """A filing date set or changed: record who filed it; an earlier approval no longer holds."""
    a.filed_by = ledger.user if a.filed_on is not None else ""
    if a.filing_approved_by or a.filing_approved_on is not None:
        a.filing_approved_by = ""
        a.filing_approved_on = None


def _get(session, agreement_id: int) -> Agreement:
    a = session.get(Agreement, agreement_id)
    if a is None:
        raise NotFound("该协议已不存在")
    return a


def _state_problem(a: Agreement) -> str | None:
    if a.filed_on is None:
        return "该协议尚未备案，无需审核"
    if a.filing_approved_by:
        return f"该协议的备案已由{a.filing_approved_by}审核同意"
    return None


def why_not_approve_filing(ledger: Ledger, agreement_id: int) -> str | None:
    """Why this account may not approve the agreement's filing now (None: it may)."""
    with ledger.reader() as s:
        a = _get(s, agreement_id)
        return _state_problem(a) or permissions.why_not_approve(ledger, a.filed_by, SELF_FILED)


def approve_filing(ledger: Ledger, agreement_id: int) -> None:
    """A leader approves a recorded filing (not the one who recorded it)."""
    with ledger.session() as s:
        a = _get(s, agreement_id)
        problem = _state_problem(a)
        if problem:
            raise Refused(problem)
        permissions.require_approval(ledger, s, a.filed_by, SELF_FILED)
        a.filing_approved_by = ledger.user
        a.filing_approved_on = ledger.today()
