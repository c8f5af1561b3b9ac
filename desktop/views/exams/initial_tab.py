"""初检 tab (附件2 (2)): the participating units with their duties — 体检问题清单 (10 workdays after the start),
书面报告, 整改进展 (20 workdays after the list), rectification deadlines — overdue in red; and for the chosen
unit its findings in the 12 areas, its issue list (printable), its reports and final result."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QTabWidget, QVBoxLayout, QWidget

from desktop.services.exams import exam_deadlines as duties
from desktop.services.exams.exam_service import ExamDetail, UnitRow
from desktop.views.exams.case_kit import CaseTab, first
from desktop.views.exams.exam_models import RowsWithOverdue, due_text
from desktop.views.exams.unit_panes import FindingsPane, IssuesPane, ReportsPane
from desktop.views.kit.layouts import hint_label, table_view
from desktop.views.kit.table import reload_rows, selected_rows
from desktop.views.kit.widgets import splitter


@dataclass(frozen=True)
class UnitView:
    """A unit's line in the 初检 table: each duty as one cell, the overdue ones named in `overdue_keys`."""

    id: int
    department: str
    issued: str
    report: str
    progress: str
    issues: str
    final: str
    overdue_keys: frozenset[str]
    tips: dict
    row: UnitRow


def unit_view(u: UnitRow) -> UnitView:
    by_kind: dict[str, list] = {}
    for d in u.duties:
        by_kind.setdefault(d.kind, []).append(d)

    def cell(kind: str, done_on) -> tuple[str, bool, str]:
        found = by_kind.get(kind, [])
        if not found:
            return ("—" if done_on is None else due_text(done_on, None, False)), False, ""
        d = found[0]
        return due_text(d.done_on or done_on, d.due_date, d.overdue), d.overdue, f"{d.subject}\n{d.status_label}" + (
            f"：{d.note}" if d.note else "")

    issued, issued_late, issued_tip = cell(duties.KIND_LIST, u.issued_on)
    report, report_late, report_tip = cell(duties.KIND_REPORT, u.report_submitted_on)
    progress, progress_late, progress_tip = cell(duties.KIND_PROGRESS, u.progress_reported_on)
    rectify = by_kind.get(duties.KIND_RECTIFY, [])
    late_rectify = [d for d in rectify if d.overdue]
    issues = f"{u.issue_count} 项" + (f"，未整改 {u.open_issues}" if u.open_issues else "") if u.issue_count else "—"
    if late_rectify:
        issues += f"，逾期 {len(late_rectify)}"
    late = {k for k, flag in (("issued", issued_late), ("report", report_late), ("progress", progress_late),
                              ("issues", bool(late_rectify))) if flag}
    tips = {"issued": issued_tip, "report": report_tip, "progress": progress_tip,
            "issues": "\n".join(f"{d.subject}：应于 {d.due_date} 前（{d.status_label}）" for d in rectify)}
    final = u.final_result[:20] if u.final_result else ""
    return UnitView(u.id, u.department, issued, report, progress, issues, final, frozenset(late), tips, u)


class UnitDutyModel(RowsWithOverdue):
    COLUMNS = [("department", "单位"), ("issued", "问题清单"), ("report", "书面报告"), ("progress", "整改进展"),
               ("issues", "问题"), ("final", "最终结果")]

    def tooltip(self, row: UnitView, key: str):
        return row.tips.get(key) or None


class InitialTab(CaseTab):
    def __init__(self, case) -> None:
        super().__init__(case)
        self.model = UnitDutyModel(self)
        self.table = table_view(self.model, "unit_table", (120, 190, 190, 190, 190), sortable=False)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._unit_selected())
        units_box = QGroupBox("参与单位及职责期限")
        ul = QVBoxLayout(units_box)
        ul.addWidget(self.table, 1)
        ul.setContentsMargins(4, 4, 4, 4)
        ul.addWidget(hint_label(f"问题清单与书面报告：{duties.DUTY_TERMS[duties.KIND_LIST]}；整改进展：{duties.DUTY_TERMS[duties.KIND_PROGRESS]}；"
                                f"问题：{duties.DUTY_TERMS[duties.KIND_RECTIFY]}。红色为已逾期，悬停可见期限。"))
        self.findings = FindingsPane(self)
        self.issues = IssuesPane(self)
        self.reports = ReportsPane(self)
        self.unit_tabs = QTabWidget()
        self.unit_tabs.setObjectName("unit_tabs")
        self.unit_tabs.addTab(self.issues, "问题清单")
        self.unit_tabs.addTab(self.findings, "检查情况（12类）")
        self.unit_tabs.addTab(self.reports, "报告与最终结果")
        # The units' duties across the top (their dates need the width), the chosen unit's panes below.
        self.splitter = splitter(Qt.Orientation.Vertical, (units_box, 2), (self.unit_tabs, 5))
        self.splitter.setSizes([190, 450])
        QVBoxLayout(self).addWidget(self.splitter)

    def panes(self) -> list[QWidget]:
        return [self.issues, self.findings, self.reports]

    def layout_parts(self) -> dict:
        parts = {"initial_splitter": self.splitter, "unit_header": self.table.horizontalHeader()}
        for pane in self.panes():
            parts.update(pane.layout_parts())
        return parts

    def show_detail(self, d: ExamDetail) -> None:
        changed_case = self.detail is None or self.detail.id != d.id
        super().show_detail(d)
        reload_rows(self.table, [unit_view(u) for u in d.units])
        if changed_case or not selected_rows(self.table):
            if d.units:
                self.table.selectRow(0)
        self._unit_selected()

    def current_unit(self) -> UnitRow | None:
        row = first(self.table)
        return row.row if row is not None else None

    def _unit_selected(self) -> None:
        unit = self.current_unit()
        for pane in self.panes():
            pane.show_unit(self.detail, unit)
