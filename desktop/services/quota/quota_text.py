"""The 周转指标库 ledger as text and JSON (what `zzb quota-ledger` prints)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

from desktop.services import units
from desktop.services.errors import ValidationError
from desktop.services.quota.quota_ledger import LoanLedgerRow, QuotaLedger, ledger_total


def row_dict(report: QuotaLedger, row: LoanLedgerRow) -> dict:
    """One loan as plain JSON values: dates ISO, decimals as numbers."""
    out: dict = {}
    for name in LoanLedgerRow.__dataclass_fields__:
        value = getattr(row, name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = float(value)
        out[name] = value
    out["plan"] = report.plan_labels.get(row.plan_id, "")
    return out


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(width - _width(text), 0)
    return gap + text if right else text + gap


def ledger_text(report: QuotaLedger) -> str:
    """The ledger as an aligned text table with a totals line (what `zzb quota-ledger` prints)."""
    heads = ["镇街", "合作国企", "收储方案", "预借日期", "预借(亩)", "已还(亩)", "余额(亩)", "归还期限", "逾期天数",
             "使用费(万元)"]
    right = {4, 5, 6, 8, 9}
    lines = []
    for r in report.rows:
        lines.append([r.town, r.soe, report.plan_labels.get(r.plan_id, ""), r.loan_date.isoformat(),
                      units.fmt(r.area_mu, 2), units.fmt(r.returned_mu, 2), units.fmt(r.balance_mu, 2),
                      r.due_date.isoformat(), str(r.days_overdue) if r.days_overdue else "",
                      units.fmt(r.fee_wan, 2) if r.fee_wan else ""])
    t = report.total or ledger_total(report.rows)
    foot = ["合计", f"{t.loans} 笔", "", "", units.fmt(t.borrowed_mu, 2), units.fmt(t.returned_mu, 2),
            units.fmt(t.balance_mu, 2), "", f"{t.overdue_loans} 笔" if t.overdue_loans else "", units.fmt(t.fee_wan, 2)]
    widths = [max(_width(x[i]) for x in [heads, foot] + lines) for i in range(len(heads))]

    def fmt_line(cells: list[str]) -> str:
        return "  ".join(_pad(c, w, i in right) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    scope = "、".join(x for x in (report.town_name, report.soe_name) if x)
    out = [f"周转指标库台账（截至 {report.as_of.isoformat()}{'，' + scope if scope else ''}）", fmt_line(heads)]
    out.append("-" * _width(out[-1]))
    out += [fmt_line(x) for x in lines]
    out.append("-" * _width(out[1]))
    out.append(fmt_line(foot))
    if t.overdue_loans:
        out.append(f"逾期未还 {units.fmt(t.overdue_mu, 2)} 亩，应收指标使用费 {units.fmt(t.fee_wan, 2)} 万元")
    if not report.rows:
        out.insert(3, "（没有预借记录）")
    return "\n".join(out)


def parse_iso_date(text: str, *, field: str = "as_of", label: str = "日期") -> dt.date:
    """YYYY-MM-DD, or ValidationError with a Chinese message."""
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise ValidationError(f"{label}“{text}”无效，应为 YYYY-MM-DD 格式（如 2024-12-31）", field=field) from None
