"""以奖代补 (四(二)): a per-town year-end subsidy proposal from verified area, which the office may override.

The plan gives no formula: the year's parameters hold a rate (万元 per verified 亩) and an optional
bonus per park started; rules.subsidy_proposal_wan computes, progress_service supplies the figures
(only 已核实 area counts). An override needs a reason and is stored in subsidy_proposal, so the
audit log records who changed what.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from desktop.models import SubsidyProposal, Town, Year
from desktop.services import rules, units
from desktop.services.dates import cn_date
from desktop.services.towns import progress_service
from desktop.services.year import year_service
from desktop.services.errors import NotFound, ValidationError
from desktop.services.export_log import record_export
from desktop.services.ledger import Ledger

ZERO = Decimal(0)
NO_RATE = "未设置补助标准"


@dataclass(frozen=True)
class SubsidyRow:
    town_id: int | None  # None for the totals row
    town: str
    verified_mu: Decimal
    parks_started: int
    computed_wan: Decimal | None  # None when the year has no rate
    override_wan: Decimal | None
    override_reason: str
    final_wan: Decimal | None

    @property
    def overridden(self) -> bool:
        return self.override_wan is not None

    @property
    def id(self) -> int | None:
        """The town's id under the name the page kit looks for."""
        return self.town_id


def why_not_override(row: SubsidyRow | None) -> str | None:
    """Why the amount of the row cannot be adjusted (None: it can)."""
    return "请先选择一个镇街" if row is None or row.town_id is None else None


def why_not_restore(row: SubsidyRow | None) -> str | None:
    """Why the computed value cannot be restored (None: it can, after asking)."""
    return why_not_override(row) or (None if row.overridden else "该镇街的金额未经调整，已是测算值")


@dataclass
class SubsidyTable:
    year: int
    rate_wan_per_mu: Decimal | None
    park_bonus_wan: Decimal | None
    params_revision: int
    rows: list[SubsidyRow] = field(default_factory=list)
    totals: SubsidyRow | None = None

    @property
    def has_rate(self) -> bool:
        return self.rate_wan_per_mu is not None


def _year_id(session, year: int) -> int:
    year_id = session.scalar(select(Year.id).where(Year.year == year))
    if year_id is None:
        raise NotFound(f"没有 {year} 年度")
    return year_id


def proposals(ledger: Ledger, year: int) -> SubsidyTable:
    """Per active town: verified area, parks started, computed proposal, override and final amount; totals."""
    params = year_service.get_params(ledger, year)
    progress = progress_service.year_progress(ledger, year)
    with ledger.reader() as s:
        year_id = _year_id(s, year)
        stored = {p.town_id: p for p in s.scalars(select(SubsidyProposal).where(SubsidyProposal.year_id == year_id))}
        overrides = {tid: (p.override_wan, p.override_reason) for tid, p in stored.items()}
    rows = []
    for t in progress.towns:
        computed = rules.subsidy_proposal_wan(params, t.verified_mu, t.parks_started)
        override, reason = overrides.get(t.town_id, (None, ""))
        final = override if override is not None else computed
        rows.append(SubsidyRow(t.town_id, t.town, t.verified_mu, t.parks_started, computed, override,
                               reason or "", final))
    computed = [r.computed_wan for r in rows]
    overrides_set = [r.override_wan for r in rows if r.override_wan is not None]
    finals = [r.final_wan for r in rows]
    totals = SubsidyRow(
        None, "合计", sum((r.verified_mu for r in rows), ZERO), sum(r.parks_started for r in rows),
        None if None in computed else sum(computed, ZERO),
        sum(overrides_set, ZERO) if overrides_set else None, "",
        # A town with neither a rate-based amount nor an override leaves the total unknown.
        None if None in finals else sum(finals, ZERO))
    return SubsidyTable(year, params.subsidy_rate_wan_per_mu, params.subsidy_park_bonus_wan, params.revision,
                        rows, totals)


def parse_amount(value) -> Decimal | None:
    """An override amount in 万元 (empty → None, i.e. no override)."""
    amount = units.parse_decimal(value, field="amount_wan", label="调整后金额")
    if amount is None:
        return None
    return amount.quantize(Decimal("0.0001"))


def override(ledger: Ledger, town_id: int, year: int, amount_wan, reason: str = "") -> SubsidyRow:
    """调整: set the town's amount (a reason is required), or clear it (None) to restore the computed value."""
    amount = parse_amount(amount_wan)
    reason = (reason or "").strip()
    if amount is not None and not reason:
        raise ValidationError("调整补助金额需要填写调整原因", field="reason")
    table = proposals(ledger, year)
    row = next((r for r in table.rows if r.town_id == town_id), None)
    if row is None:
        raise NotFound("找不到该镇街（或已停用）")
    with ledger.session() as s:
        year_id = _year_id(s, year)
        p = s.scalar(select(SubsidyProposal).where(SubsidyProposal.town_id == town_id,
                                                   SubsidyProposal.year_id == year_id))
        if p is None:
            if amount is None:
                return row  # nothing stored, nothing to clear
            p = SubsidyProposal(town_id=town_id, year_id=year_id)
            s.add(p)
        p.computed_wan = row.computed_wan  # what the formula said when the office decided
        p.override_wan = amount
        p.override_reason = reason if amount is not None else ""
        s.flush()
    final = amount if amount is not None else row.computed_wan
    return SubsidyRow(row.town_id, row.town, row.verified_mu, row.parks_started, row.computed_wan, amount,
                      reason if amount is not None else "", final)


def set_rates(ledger: Ledger, year: int, rate_wan_per_mu, park_bonus_wan, *, expected_revision: int | None = None):
    """Save the year's rate and park bonus (year parameters; empty text clears them)."""
    values = year_service.parse_form({"subsidy_rate_wan_per_mu": rate_wan_per_mu,
                                      "subsidy_park_bonus_wan": park_bonus_wan})
    return year_service.update_params(ledger, year, values, expected_revision=expected_revision)


def town_name(ledger: Ledger, town_id: int) -> str:
    with ledger.reader() as s:
        return s.scalar(select(Town.name).where(Town.id == town_id)) or ""


# ---- Excel export --------------------------------------------------------------------------

COLUMNS: list[tuple[str, str]] = [
    ("town", "镇街"), ("verified_mu", "已核实面积（亩）"), ("parks_started", "已启动园区（个）"),
    ("computed_wan", "测算金额（万元）"), ("override_wan", "调整后金额（万元）"), ("override_reason", "调整原因"),
    ("final_wan", "建议补助金额（万元）"),
]


def write_workbook(table: SubsidyTable, path: Path, *, today: dt.date) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wb = Workbook()
    ws = wb.active
    ws.title = "以奖代补"
    n = len(COLUMNS)

    def put(r: int, c: int, value, number_format: str | None = None):
        cell = ws.cell(row=r, column=c)
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula
        if number_format:
            cell.number_format = number_format
        return cell

    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    put(1, 1, f"{table.year}年度“以奖代补”资金补助测算表").font = Font(bold=True, size=16)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=n)
    if table.has_rate:
        basis = f"补助标准：{units.fmt(table.rate_wan_per_mu, 2)} 万元/已核实亩"
        if table.park_bonus_wan is not None:
            basis += f"；园区启动奖励 {units.fmt(table.park_bonus_wan, 2)} 万元/个"
    else:
        basis = NO_RATE
    put(2, 1, f"{basis}　　制表日期：{cn_date(today)}").alignment = Alignment(horizontal="center")
    for c, (_k, label) in enumerate(COLUMNS, 1):
        cell = put(4, c, label)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE4EE")
        cell.border = border
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    r = 5
    for row in list(table.rows) + ([table.totals] if table.totals else []):
        for c, (key, _label) in enumerate(COLUMNS, 1):
            value = getattr(row, key)
            fmt = "#,##0.00" if key.endswith("_mu") or key.endswith("_wan") else "0" if key == "parks_started" else None
            if value is None:
                value = NO_RATE if key in ("computed_wan", "final_wan") and not table.has_rate and row.override_wan is None else ""
            cell = put(r, c, value, fmt)
            cell.border = border
            if row is table.totals:
                cell.font = Font(bold=True)
        r += 1
    for c, width in enumerate([14, 16, 16, 16, 18, 36, 20], 1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A5"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def export(ledger: Ledger, year: int, path) -> Path:
    written = write_workbook(proposals(ledger, year), Path(path), today=ledger.today())
    record_export(ledger, f"{year}年以奖代补测算表", written)
    return written
