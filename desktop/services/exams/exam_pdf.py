"""The 体检问题清单 as PDF bytes, read from the ledger and drawn by the document module: the jobs the
examination page prints (`fn(ledger, *args) -> bytes`, run on the worker lane). reportlab is imported here,
inside the job, never when the page is built."""

from __future__ import annotations

from desktop.services.exams import exam_print
from desktop.services.ledger import Ledger


def issue_list_pdf(ledger: Ledger, exam_id: int, department_id: int) -> bytes:
    """Unit `department_id`'s 体检问题清单 in examination `exam_id`."""
    from desktop.services.documents import issue_list_pdf as pdf

    return pdf.render_issue_list(exam_print.issue_list_doc(ledger, exam_id, department_id))


def consolidated_pdf(ledger: Ledger, exam_id: int) -> bytes:
    """Every participating unit's list in one document, for the 市专班."""
    from desktop.services.documents import issue_list_pdf as pdf

    return pdf.render_consolidated(exam_print.consolidated_doc(ledger, exam_id))
