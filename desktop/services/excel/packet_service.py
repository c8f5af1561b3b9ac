"""镇街数据包: export a town's entries to a workbook the liaison fills in, and bring it back.

Out: one .xlsx per town and period (xlsxwriter: about twice as fast as openpyxl at writing), with
locked identity columns, editable progress columns with drop-downs and hints, a sheet for newly
proposed entries, and a very hidden sheet holding the packet's identity and each row's revisions
and exported values, sealed with the office's key (packet_seal). In: the seal is checked (a forged,
edited or foreign packet is refused whole), then kind, town, year, schema; each row is compared
three ways (sheet, exported, database), validated, and previewed; the clerk applies every valid
change in one transaction. The file's SHA-256 is remembered, so the same file cannot land twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from desktop.models import MonthlyReportItem, PacketImport, Target, Town
from desktop.models.enums import Category, TargetKind
from desktop.services import audit
from desktop.services.errors import UserError
from desktop.services.excel import packet_columns as pc
from desktop.services.excel.excel_common import (
    CancelToken, ImportOutcome, ImportSummary, Progress, gc_paused, written_atomically, xlsx_path,
)
from desktop.services.excel.packet_export import (
    ExportResult, default_filename, export_all, export_packet, export_packet_by_name,
)
from desktop.services.excel.packet_read import (
    CellChange, PacketPreview, PreviewRow, STATUS_LABELS, already_imported, read_packet, refuse_twice,
)
from desktop.services.excel.packet_rows import DbRow, SNAPSHOT_CELL
from desktop.services.excel.packet_write import write_changed
from desktop.services.ledger import Ledger
from desktop.services.lists import list_service
from desktop.services.reports import report_service


TARGET_FIELDS = {"address": "address", "legal_rep": "legal_rep", "industry": "industry", "land_area": "land_area_mu",
                 "building_area": "building_area_m2", "land_cert_no": "land_cert_no", "owner": "owner",
                 "target_note": "note"}


@gc_paused()
def apply(ledger: Ledger, preview: PacketPreview, *, today: dt.date | None = None) -> ImportOutcome:
    """Write every valid change of the preview in one transaction (errors and conflicts are left out)."""
    today = today or ledger.today()
    summary = preview.summary()
    source = f"数据包 {preview.file_name}（{preview.packet_id[:8]}）"
    with ledger.session() as s:
        s.info["audit_source"] = source
        try:
            prev = already_imported(s, preview.sha256)
            if prev is not None:
                raise refuse_twice(prev, preview.file_name)
            area = _apply_rows(s, preview, today)
            summary.area_mu = area
            s.add(PacketImport(packet_id=preview.packet_id, direction="import", kind=pc.KIND, town_id=preview.town_id,
                               year=preview.year, month=preview.month, file_name=preview.file_name,
                               sha256=preview.sha256, user=ledger.user, counts=_counts(summary, preview)))
            s.flush()
        finally:
            s.info.pop("audit_source", None)
    return ImportOutcome(summary, applied=True)


def _counts(summary: ImportSummary, preview: PacketPreview) -> dict:
    data = summary.to_json()
    data.pop("errors")
    data["errors"] = len(summary.errors)
    data["entries"] = sorted(r.entry_id for r in preview.rows if r.status == "changed" and r.entry_id)
    return data


def _apply_rows(s, preview: PacketPreview, today: dt.date) -> Decimal:
    changed = [r for r in preview.rows if r.status == "changed"]
    changes: list[tuple] = []
    area = write_changed(s, changed, TARGET_FIELDS, changes)  # bulk: target fields and progress notes
    audit.record_many(s, changes)
    report_items: list[tuple[int, object, str]] = []
    for r in changed:
        u = r.updates
        if u.get("report_done"):
            report_items.append((r.entry_id, u.get("report_area"), u.get("report_note") or ""))
        elif ("report_area" in u or "report_note" in u) and r.item_id is not None:
            item = s.get(MonthlyReportItem, r.item_id)
            if item is not None:
                new_area = u.get("report_area", item.completed_area_mu) or item.completed_area_mu
                report_service.update_item_in_session(s, item, new_area, u.get("report_note", item.note) or "")
    if report_items:
        day = preview.reported_on or today
        r = report_service.open_report_in_session(s, preview.town_id, preview.year, preview.month, day, today=today)
        report_service.add_items_in_session(s, r, report_items, handed_in_on=day)  # this packet's own hand-in
    news = [r for r in preview.rows if r.status == "new"]
    if news:
        lst = list_service.get_or_create_list_in_session(s, preview.town_id, preview.year)
        for r in news:
            u = r.updates
            if r.target_id is not None:
                t = s.get(Target, r.target_id)
            else:
                kind = u.get("target_kind") or TargetKind.ENTERPRISE
                cls = Target.__mapper__.polymorphic_map[kind].class_
                t = cls(kind=kind, name=u["name"], town_id=preview.town_id, category=u.get("category") or Category.OTHER,
                        credit_code=u.get("credit_code"), address=u.get("address") or "",
                        land_area_mu=u.get("land_area"))
                s.add(t)
                s.flush()
            list_service.add_entry_in_session(s, lst, t, u["method"], u["planned_area"], note=u.get("progress") or "")
            area += t.land_area_mu or Decimal(0)
    return area


@gc_paused()
def import_packet(ledger: Ledger, path, *, dry_run: bool = False, errors_out=None, progress: Progress | None = None,
                  cancel: CancelToken | None = None, today: dt.date | None = None) -> ImportOutcome:
    """The CLI's import: preview, then apply when there is no error (else refuse, with a receipt if asked)."""
    preview = read_packet(ledger, path, progress=progress, cancel=cancel, today=today)
    summary = preview.summary()
    if preview.has_errors:
        if errors_out:
            write_receipt(preview, errors_out)
        reason = f"数据包有{len(preview.problems)}处错误" + ("，已写出错误回执" if errors_out else "")
        return ImportOutcome(summary, applied=False, dry_run=dry_run, refused=reason)
    if dry_run:
        return ImportOutcome(summary, applied=False, dry_run=True)
    return apply(ledger, preview, today=today)


# The error receipt -----------------------------------------------------------------------------

def write_receipt(preview: PacketPreview, out_path, *, progress: Progress | None = None) -> Path:
    """A copy of the town's workbook with each bad cell red and commented, and a summary sheet first."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import column_index_from_string

    out_path = xlsx_path(out_path)
    try:
        wb = load_workbook(preview.path)
    except Exception as exc:  # the file was readable a moment ago; say what happened, never a traceback
        raise UserError(f"无法打开“{preview.file_name}”来写错误回执：{exc}") from None
    red = PatternFill("solid", fgColor="FFC7CE")
    for i, p in enumerate(preview.problems):
        if p.sheet not in wb.sheetnames or p.row is None:
            continue
        ws = wb[p.sheet]
        col = column_index_from_string(p.column) if p.column else 1
        c = ws.cell(p.row, col)
        c.fill = red
        text = p.message if c.comment is None else c.comment.text + "\n" + p.message
        comment = Comment(text, "市专治办")
        comment.width, comment.height = 320, 120
        c.comment = comment
        if progress and i % 200 == 0:
            progress(i, len(preview.problems))
    ws = wb.create_sheet("错误汇总", 0)
    ws.sheet_properties.tabColor = "C00000"
    ws.append([f"{preview.town} 数据包错误回执"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"文件：{preview.file_name}；共{len(preview.problems)}处错误。请按说明修改标红的单元格"
               "（鼠标移到单元格上可看批注），保存后交回市专治办重新导入。"])
    ws.append([])
    ws.append(["工作表", "行", "列", "问题与要求"])
    for c in ws[4]:
        c.font = Font(bold=True)
    for p in preview.problems:
        ws.append([p.sheet, p.row, p.column or "", p.message])
        for c in ws[ws.max_row]:
            if isinstance(c.value, str):
                c.data_type = "s"
    for letter, width in zip("ABCD", (16, 7, 6, 72)):
        ws.column_dimensions[letter].width = width
    ws.merge_cells("A2:D2")
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[2].height = 32
    for row in ws.iter_rows(min_row=5):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "4:4"
    wb.active = 0
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = sheet is ws
    with written_atomically(out_path) as tmp:
        wb.save(tmp)
    return out_path


# History ------------------------------------------------------------------------------------------

@dataclass
class PacketRecord:
    id: int
    at: dt.datetime
    direction: str
    town: str
    year: int | None
    month: int | None
    file_name: str
    user: str
    packet_id: str
    counts: dict
    kind_label: str = ""


KIND_LABELS = {pc.KIND: "", "legacy-enterprises": "外部表格·治理对象", "legacy-targets": "外部表格·任务分解"}


def history(ledger: Ledger, *, limit: int = 500) -> list[PacketRecord]:
    """Exports and imports, newest first (the 数据交换 page's record)."""
    with ledger.reader() as s:
        q = (select(PacketImport, Town.name).outerjoin(Town, Town.id == PacketImport.town_id)
             .order_by(PacketImport.id.desc()).limit(limit))
        return [PacketRecord(p.id, audit.to_local(p.at), p.direction, town or "", p.year, p.month, p.file_name,
                             p.user, p.packet_id, dict(p.counts or {}), KIND_LABELS.get(p.kind, p.kind))
                for p, town in s.execute(q)]


__all__ = ["CellChange", "DbRow", "ExportResult", "PacketPreview", "PacketRecord", "PreviewRow", "SNAPSHOT_CELL",
    "STATUS_LABELS", "apply", "default_filename", "export_all", "export_packet", "export_packet_by_name",
    "history", "import_packet", "pc", "read_packet", "write_receipt"]
