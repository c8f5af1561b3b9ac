"""What the printed 体检问题清单 says, read from the ledger: one unit's list (`issue_list_doc`) and the
consolidated list across units for the 市专班 (`consolidated_doc`). The document module draws them
(services/documents/issue_list_doc.py is the interface)."""

from __future__ import annotations

from sqlalchemy import select

from desktop.models import Department, IssueList
from desktop.services.documents.issue_list_doc import ConsolidatedDoc, IssueListDoc, IssueRow
from desktop.services.exams import exam_common as common
from desktop.services.ledger import Ledger

ISSUER = "市专治办"


def _doc(ledger: Ledger, session, unit) -> IssueListDoc:
    from desktop.services.exams import department_service

    exam = unit.examination
    target = exam.target
    dept = session.get(Department, unit.department_id)
    lst = session.scalar(select(IssueList).where(IssueList.examination_unit_id == unit.id).order_by(IssueList.id))
    rows = tuple(IssueRow(i.seq, i.area.label, i.description, i.basis, i.requirement, i.deadline)
                 for i in (lst.issues if lst is not None else ()))
    return IssueListDoc(
        enterprise=target.name, credit_code=target.credit_code or "", address=target.address or "",
        unit=dept.name, issued_on=lst.issued_on if lst is not None else None,
        contact_name=(lst.contact_name if lst is not None and lst.contact_name else dept.contact),
        contact_phone=(lst.contact_phone if lst is not None and lst.contact_phone else dept.phone),
        issues=rows, seal_image=department_service.seal_image(ledger, dept.id))


def issue_list_doc(ledger: Ledger, exam_id: int, department_id: int) -> IssueListDoc:
    """Unit `department_id`'s 体检问题清单 in examination `exam_id`; NotFound (Chinese) for an unknown case or a
    unit not taking part."""
    with ledger.reader() as s:
        unit = common.unit_of(s, exam_id, department_id)
        return _doc(ledger, s, unit)


def consolidated_doc(ledger: Ledger, exam_id: int) -> ConsolidatedDoc:
    """Every participating unit's list in one document, in the member units' order."""
    with ledger.reader() as s:
        exam = common.get_exam(s, exam_id)
        target = exam.target
        units = sorted(exam.units, key=lambda u: (u.department.sort_order, u.department_id))
        return ConsolidatedDoc(enterprise=target.name, credit_code=target.credit_code or "",
                               address=target.address or "", issuer=ISSUER, printed_on=ledger.today(),
                               lists=tuple(_doc(ledger, s, u) for u in units))
