"""体检问题清单 (附件2, 初检) as PDF: one unit's list for the enterprise, and the consolidated list for the 市专班.

The data comes as `IssueListDoc` / `ConsolidatedDoc` (issue_list_doc.py, filled by the examination services);
the page is gbt9704's. Title; the enterprise, its 统一社会信用代码, address and the examining unit on the
body grid; the table 序号 / 检查类别 / 问题描述 / 依据 / 整改要求 / 整改期限 (header on every page); the
contact line; the issuing unit, the date and the seal block kept together on the last page.
"""

from __future__ import annotations

from desktop.services.dates import cn_date
from desktop.services.documents import gbt9704 as page
from desktop.services.documents.issue_list_doc import ConsolidatedDoc, IssueListDoc, IssueRow

HEADER = ["序号", "检查类别", "问题描述", "依据", "整改要求", "整改期限"]
WIDTHS = [10, 19, 43, 29, 29, 26]  # mm, 156 in all: 整改期限 holds 2024年12月25日 on one line
ALIGN = "CCLLLC"
CONSOLIDATED_HEADER = ["序号", "检查单位", "检查类别", "问题描述", "依据", "整改要求", "整改期限"]
CONSOLIDATED_WIDTHS = [10, 21, 17, 34, 24, 24, 26]  # mm: 应急管理局 and 2024年12月25日 each on one line
CONSOLIDATED_ALIGN = "CCCLLLC"
NONE_FOUND = "未发现问题"


def _deadline(row: IssueRow) -> str:
    return cn_date(row.deadline) if row.deadline else ""


def _row(row: IssueRow) -> list[str]:
    return [str(row.seq), row.area, row.description, row.basis, row.requirement, _deadline(row)]


def _identity(enterprise: str, credit_code: str, address: str, last: tuple[str, str]) -> list:
    return [page.body(f"{label}：{value or '—'}") for label, value in
            (("企业名称", enterprise), ("统一社会信用代码", credit_code), ("企业地址", address), last)]


def _contact(name: str, phone: str) -> str:
    return f"联系人：{name or '　　　　'}　　联系电话：{phone or '　　　　'}"


def _with_closing(table, lines: list[str], unit: str, day, seal_png: bytes | None) -> page.WithClosing:
    """The table, then the contact line(s) and the seal block on one page with at least its last row (the seal's
    top within one line of the text)."""
    date_text = cn_date(day) if day else page.BLANK_DATE
    return page.WithClosing(table, [*(page.body(t) for t in lines), page.SignatureBlock(unit, date_text, seal_png)])


def story_issue_list(doc: IssueListDoc) -> list:
    rows = [_row(r) for r in doc.issues] or [["", "", NONE_FOUND, "", "", ""]]
    return [
        *page.title(doc.title),
        *_identity(doc.enterprise, doc.credit_code, doc.address, ("检查单位", doc.unit)),
        page.body(f"经综合体检，你单位存在下列问题，请按整改要求在整改期限内完成整改，并将整改情况书面报送{doc.unit}。",
                  indent_chars=2),
        _with_closing(page.table(HEADER, rows, WIDTHS, align=ALIGN), [_contact(doc.contact_name, doc.contact_phone)],
                      doc.unit, doc.issued_on, doc.seal_image),
    ]


def render_issue_list(doc: IssueListDoc) -> bytes:
    """One unit's 体检问题清单 (PDF bytes)."""
    return page.render(story_issue_list(doc), doc_title=f"{doc.title}（{doc.enterprise}，{doc.unit}）",
                       author=doc.unit)


def story_consolidated(doc: ConsolidatedDoc) -> list:
    rows: list[list[str]] = []
    for unit_list in doc.lists:
        for r in unit_list.issues:
            rows.append([str(len(rows) + 1), unit_list.unit, *_row(r)[1:]])
    if not rows:
        rows = [["", "", "", NONE_FOUND, "", "", ""]]
    units = "、".join(u.unit for u in doc.lists)
    contacts = ["各检查单位联系人：" + "；".join(
        f"{u.unit} {u.contact_name} {u.contact_phone}".strip() for u in doc.lists if u.contact_name or u.contact_phone)
    ] if any(u.contact_name or u.contact_phone for u in doc.lists) else []
    return [
        *page.title(doc.title),
        *_identity(doc.enterprise, doc.credit_code, doc.address, ("检查单位", units)),
        page.body(f"共{len(doc.lists)}个成员单位参加体检，发现问题{sum(len(u.issues) for u in doc.lists)}个，"
                  "汇总如下。", indent_chars=2),
        _with_closing(page.table(CONSOLIDATED_HEADER, rows, CONSOLIDATED_WIDTHS, align=CONSOLIDATED_ALIGN), contacts,
                      doc.issuer, doc.printed_on, None),
    ]


def render_consolidated(doc: ConsolidatedDoc) -> bytes:
    """The consolidated list across units for the 市专班 (PDF bytes)."""
    return page.render(story_consolidated(doc), doc_title=f"{doc.title}（{doc.enterprise}）", author=doc.issuer)
