"""Table models of the 周转指标库 page: the loans as of a date (overdue red, due soon amber, 合计 last),
the totals per SOE or per town, and the returns of one loan."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from desktop.services.quota.quota_ledger import LedgerTotal, LoanLedgerRow, QuotaLedger, due_soon, ledger_total
from desktop.views.kit.rows import RowsModel, date_text, mu
from desktop.views.kit.totals import TotalsRowsModel

OVERDUE_BACKGROUND = QColor("#F6C9C4")
OVERDUE_FOREGROUND = QColor("#A61B1B")
DUE_SOON_BACKGROUND = QColor("#FFE699")
OVERDUE_KEYS = frozenset({"days_overdue", "fee_wan", "balance_mu"})


class LoanLedgerModel(TotalsRowsModel):
    """One row per loan, then the 合计 of the loans shown."""

    COLUMNS = [
        ("town", "镇街"), ("soe", "合作国企"), ("plan", "收储方案（治理对象）"), ("loan_date", "预借日期"),
        ("purpose", "用途"), ("area_mu", "预借面积\n（亩）"), ("returned_mu", "已归还\n（亩）"),
        ("balance_mu", "未还余额\n（亩）"), ("due_date", "归还期限"), ("days_overdue", "逾期天数"),
        ("fee_wan", "指标使用费\n（万元）"),
    ]
    NUMERIC = {"area_mu", "returned_mu", "balance_mu", "days_overdue", "fee_wan"}

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.report: QuotaLedger | None = None

    def set_report(self, report: QuotaLedger) -> None:
        self.report = report
        self.set_rows(report.rows)

    def totals_of(self, rows) -> LedgerTotal | None:
        return ledger_total(rows) if self.report is not None else None

    def plan_label(self, r: LoanLedgerRow) -> str:
        return self.report.plan_labels.get(r.plan_id, "") if self.report else ""

    def loan(self, row: int) -> LoanLedgerRow | None:
        return self.item(row)

    def _overdue(self, r: LoanLedgerRow) -> bool:
        return r.days_overdue > 0

    def _due_soon(self, r: LoanLedgerRow) -> bool:
        return self.report is not None and due_soon(r, self.report.as_of)

    # Cells ------------------------------------------------------------------------------------
    def value(self, r: LoanLedgerRow, key: str):
        return self.plan_label(r) if key == "plan" else getattr(r, key)

    def display(self, r: LoanLedgerRow, key: str) -> str:
        if key in ("days_overdue", "fee_wan") and not getattr(r, key):
            return ""
        return super().display(r, key)

    def total_display(self, t: LedgerTotal, key: str) -> str:
        return {"town": "合计", "soe": f"{t.loans} 笔", "area_mu": mu(t.borrowed_mu), "returned_mu": mu(t.returned_mu),
                "balance_mu": mu(t.balance_mu), "days_overdue": f"逾期 {t.overdue_loans} 笔" if t.overdue_loans else "",
                "fee_wan": mu(t.fee_wan)}.get(key, "")

    def background(self, r: LoanLedgerRow, key: str) -> QColor | None:
        if self._overdue(r):
            return OVERDUE_BACKGROUND
        return DUE_SOON_BACKGROUND if self._due_soon(r) else None

    def foreground(self, r: LoanLedgerRow, key: str) -> QColor | None:
        return OVERDUE_FOREGROUND if key in OVERDUE_KEYS and self._overdue(r) else None

    def bold(self, r: LoanLedgerRow, key: str) -> bool:
        return key in ("days_overdue", "fee_wan") and self._overdue(r)

    def tooltip(self, r: LoanLedgerRow, key: str) -> str | None:
        if self._overdue(r):
            return (f"已逾期 {r.days_overdue} 天：归还期限 {date_text(r.due_date)}，尚未归还 {mu(r.balance_mu)} 亩，"
                    f"应收指标使用费 {mu(r.fee_wan)} 万元（四(三)）")
        if r.fee_wan > 0:
            return f"到期后才归还，应收指标使用费 {mu(r.fee_wan)} 万元（四(三)）"
        if self._due_soon(r):
            days = (r.due_date - self.report.as_of).days
            return f"{days} 天后到期（{date_text(r.due_date)}），未还 {mu(r.balance_mu)} 亩"
        return r.purpose if key == "purpose" and r.purpose else None


class LedgerTotalsModel(TotalsRowsModel):
    """Totals per SOE or per town, then the 合计 row; the first column's title says which."""

    COLUMNS = [
        ("name", ""), ("loans", "预借笔数"), ("borrowed_mu", "预借面积\n（亩）"), ("returned_mu", "已归还\n（亩）"),
        ("balance_mu", "未还余额\n（亩）"), ("overdue_loans", "逾期笔数"), ("overdue_mu", "逾期未还\n（亩）"),
        ("fee_wan", "指标使用费\n（万元）"),
    ]
    NUMERIC = {"loans", "borrowed_mu", "returned_mu", "balance_mu", "overdue_loans", "overdue_mu", "fee_wan"}
    OVERDUE = ("overdue_loans", "overdue_mu", "fee_wan")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.first_header = "合作国企"

    def set_totals(self, first_header: str, rows: list[LedgerTotal], total: LedgerTotal | None) -> None:
        self.first_header = first_header
        self.set_rows(rows, total)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 0)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if section == 0 and orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.first_header
        return super().headerData(section, orientation, role)

    def display(self, t: LedgerTotal, key: str) -> str:
        return "" if key in self.OVERDUE and not getattr(t, key) else super().display(t, key)

    def background(self, t: LedgerTotal, key: str) -> QColor | None:
        return OVERDUE_BACKGROUND if t.overdue_loans and key in self.OVERDUE else None


class ReturnsModel(RowsModel):
    """The returns of one loan."""

    COLUMNS = [("return_date", "归还日期"), ("area_mu", "归还面积（亩）"), ("note", "备注")]
    NUMERIC = {"area_mu"}
