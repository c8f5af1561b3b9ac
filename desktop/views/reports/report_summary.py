"""The texts of the 月度报送与核实 page: the month's summary line and the selected item's detail (rich text)."""

from __future__ import annotations

from desktop.models.enums import VerifyResult
from desktop.services.reports import report_service
from desktop.services.reports.report_service import ItemRow
from desktop.views.kit.rows import date_text, mu

RED = "#C0392B"
GREEN = "#1E7B34"
GREY = "#8A8A8A"


def _red(text: str) -> str:
    return f"<span style='color:{RED}'>{text}</span>"


def month_summary(ov: report_service.MonthOverview) -> str:
    """How many towns reported (late, missing), items, verified, failed, pending, late verifications."""
    t = ov.totals
    late = sum(1 for r in ov.towns if r.is_late)
    missing = sum(1 for r in ov.towns if r.overdue)
    head = f"{ov.month}月：{len(ov.towns)} 个镇街中 <b>{ov.reported}</b> 个已报送"
    flags = ([_red(f"逾期报送 {late} 个")] if late else []) + ([_red(f"逾期未报 {missing} 个")] if missing else [])
    if flags:
        head += "（" + "，".join(flags) + "）"
    parts = [head, f"报送条目 <b>{t.items}</b> 项、完成面积 {mu(t.completed_area_mu)} 亩",
             f"已核实 <b>{t.verified}</b> 项（{mu(t.verified_area_mu)} 亩），"
             f"{_red(f'未通过 {t.failed} 项') if t.failed else '未通过 0 项'}，待核实 {t.pending} 项"]
    if t.late_verifications:
        parts.append(_red(f"核实逾期 {t.late_verifications} 次"))
    return "；".join(parts)


def item_detail(item: ItemRow | None) -> str:
    """One item: target, report date, areas, states, and each department's record."""
    if item is None:
        return "<span style='color:#606060'>选择一个条目查看各部门核实情况和证明材料</span>"
    code = f"，{item.credit_code}" if item.credit_code else ""
    lines = [f"<b>{item.target}</b>（{item.town}{code}，{item.method.label}）　报送 {date_text(item.reported_on)}"
             + ("　" + _red("报送逾期") if item.report_late else ""),
             f"完成面积 {mu(item.completed_area_mu)} 亩（计划 {mu(item.planned_area_mu)} 亩）"
             f"　核实状态：{item.overall}　条目状态：{item.entry_state.label}"]
    for c in item.cells:
        if c.result is None:
            lines.append(f"{c.department}：<span style='color:{GREY}'>尚未核实</span>")
            continue
        colour = RED if c.result is VerifyResult.FAIL else GREEN
        text = f"{c.department}：<span style='color:{colour}'>{c.text}</span> {date_text(c.verified_on)}"
        if c.is_late:
            text += " " + _red("逾期")
        if c.note:
            text += f"　{c.note}"
        lines.append(text)
    if not item.is_current:
        lines.append(f"<span style='color:{GREY}'>{report_service.HISTORY}</span>")
    return "<br>".join(lines)
