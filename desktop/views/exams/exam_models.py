"""Row models shared by the 综合体检 page: the cases, and rows whose overdue duties are red."""

from __future__ import annotations

from PySide6.QtGui import QColor

from desktop.views.kit.rows import MUTED, RED, RowsModel, date_text

OVERDUE_BACKGROUND = QColor("#F4C7C3")


def due_text(done_on, due_on, overdue: bool) -> str:
    """A duty as one cell: its date when done (“2024-03-05”), else “应于 2024-03-12” (“逾期”)."""
    if done_on is not None:
        return date_text(done_on)
    if due_on is None:
        return "—"
    return f"应于 {date_text(due_on)}" + ("（逾期）" if overdue else "")


class ExamListModel(RowsModel):
    """Every case: enterprise, town, stage, units, overdue duties (red), proposal and start dates."""

    COLUMNS = [("enterprise", "企业"), ("town", "镇街"), ("stage", "阶段"), ("units", "参与单位"),
               ("overdue", "逾期职责"), ("proposed_on", "提议日期"), ("start_date", "启动日期")]
    NUMERIC = {"overdue"}

    def display(self, row, key: str) -> str:
        if key == "units":
            return "、".join(row.units) if row.units else "（未选定）"
        if key == "overdue":
            return str(row.overdue) if row.overdue else ""
        return super().display(row, key)

    def value(self, row, key: str):
        if key == "units":
            return len(row.units)
        return super().value(row, key)

    def foreground(self, row, key: str):
        if key == "overdue" and row.overdue:
            return RED
        return MUTED if key == "units" and not row.units else None

    def background(self, row, key: str):
        return OVERDUE_BACKGROUND if key == "overdue" and row.overdue else None

    def bold(self, row, key: str) -> bool:
        return key == "overdue" and bool(row.overdue)

    def tooltip(self, row, key: str):
        if key == "overdue" and row.overdue:
            return f"{row.overdue} 项职责已逾期（打开体检可见各单位的期限）"
        if key == "units":
            return "、".join(row.units)
        return None


class RowsWithOverdue(RowsModel):
    """A model whose rows say which of their columns are overdue (`overdue_keys`)."""

    def _overdue(self, row, key: str) -> bool:
        return key in getattr(row, "overdue_keys", ())

    def foreground(self, row, key: str):
        return RED if self._overdue(row, key) else None

    def background(self, row, key: str):
        return OVERDUE_BACKGROUND if self._overdue(row, key) else None

    def bold(self, row, key: str) -> bool:
        return self._overdue(row, key)
