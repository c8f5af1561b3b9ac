"""Signed score sheets (四(五)) on GB/T 9704 pages through the document module: the summary of the session
(every subject's item scores, total and rank, 并列 shown), then one sheet per subject (each criterion's weight,
full points, score, weighted points and basis), each with the scorer's and the confirmer's signature lines and
the office's signature block. The print is logged under the acting user."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from reportlab.platypus import PageBreak, Spacer

from desktop.services import units
from desktop.services.dates import cn_date
from desktop.services.documents import gbt9704 as page
from desktop.services.export_log import record_print
from desktop.services.ledger import Ledger
from desktop.services.scoring import scoring_service as svc

ISSUER = "市“危污乱散低”专项治理领导小组办公室"
TWO = Decimal("0.01")


def _pts(value: Decimal | None) -> str:
    return "—" if value is None else units.fmt(value)


def summary_title(g: svc.ScoreGrid) -> str:
    return f"{g.session.year}年度{g.session.kind_label}考核评分汇总表"


def sheet_title(g: svc.ScoreGrid, subject: str) -> str:
    return f"{g.session.year}年度考核评分表（{subject}）"


def _state_line(g: svc.ScoreGrid) -> str:
    i = g.session
    if i.state == svc.CONFIRMED:
        return f"{i.title}。状态：已确认（{i.confirmed_by}，{cn_date(i.confirmed_at.date())}）"
    return f"{i.title}。状态：{i.state}（尚未确认，仅供核对）"


BLANK = "　" * 8  # room for the handwritten signature


def _signatures(g: svc.ScoreGrid, date_text: str) -> list:
    """The scorer's and the confirmer's signature line (their accounts in brackets), then the office's block."""
    i = g.session
    scorers = "、".join(i.scorers) or "—"
    return [
        Spacer(1, page.LINE / 2),
        page.cell(f"评分人（签字）：{BLANK}（录入账户：{scorers}）", size=page.TABLE_SIZE),
        Spacer(1, page.LINE / 3),
        page.cell(f"确认人（签字）：{BLANK}（确认账户：{i.confirmed_by or '未确认'}）", size=page.TABLE_SIZE),
        page.SignatureBlock(ISSUER, date_text),
    ]


def _table_and_signatures(header, rows, widths, g: svc.ScoreGrid, date_text: str, **kw) -> list:
    """The table, then the signatures and the office's block, never alone on a page (gbt9704.WithClosing)."""
    return [page.WithClosing(page.table(header, rows, widths, **kw), _signatures(g, date_text))]


def _weighted(points: Decimal | None, c: svc.CriterionInfo, weights_sum: Decimal) -> str:
    """The item's share of the 100-point total: points/full × weight ÷ Σ weight × 100."""
    if points is None or not weights_sum:
        return "—"
    return units.fmt((points / c.max_points * c.weight / weights_sum * 100).quantize(TWO, rounding=ROUND_HALF_UP))


def summary_story(g: svc.ScoreGrid, date_text: str) -> list:
    header = ["名次", g.session.kind_label, *(f"{c.name}（{units.fmt(c.max_points)}）" for c in g.criteria), "总分"]
    rows = [[r.rank_label, r.subject, *(_pts(r.scores[c.name]) for c in g.criteria), units.fmt(r.total)]
            for r in g.rows]
    n = len(g.criteria)
    widths = [12, 22, *([12] * n), 12]
    size = page.SMALL_TABLE_SIZE if n <= 6 else 7.5
    weights = "；".join(f"{c.name} {units.fmt(c.weight)}" for c in g.criteria)
    return [
        *page.title(summary_title(g)),
        page.cell(_state_line(g), size=page.TABLE_SIZE),
        page.cell(f"权重：{weights}。括号内为满分；总分 = Σ（得分 ÷ 满分 × 权重）÷ Σ权重 × 100；"
                  "总分相同者并列同一名次，其后名次顺延。", size=page.TABLE_SIZE),
        Spacer(1, 2),
        *_table_and_signatures(header, rows, widths, g, date_text, size=size, align="CL" + "R" * (n + 1)),
    ]


def subject_story(g: svc.ScoreGrid, row: svc.ResultRow, date_text: str) -> list:
    wsum = sum((c.weight for c in g.criteria), Decimal(0))
    body = []
    for n, c in enumerate(g.criteria, start=1):
        p = row.scores[c.name]
        basis = g.notes.get((row.subject_id, c.id), "") if c.computed else "评分人录入"
        body.append([str(n), c.name, units.fmt(c.weight), units.fmt(c.max_points), _pts(p), _weighted(p, c, wsum),
                     basis])
    body.append(["", "总分", units.fmt(wsum), "", "", units.fmt(row.total), f"名次：{row.rank_label}"])
    return [
        *page.title(sheet_title(g, row.subject)),
        page.cell(f"评分对象：{row.subject}　　{_state_line(g)}", size=page.TABLE_SIZE),
        Spacer(1, 2),
        *_table_and_signatures(["序号", "评分项目", "权重", "满分", "得分", "折算得分", "说明"], body,
                               [7, 26, 10, 10, 10, 12, 37], g, date_text, size=page.SMALL_TABLE_SIZE,
                               align="CLRRRRL", emphasise=(len(body) - 1,)),
    ]


def score_sheet_pdf(ledger: Ledger, session_id: int) -> bytes:
    """The summary and one signed sheet per subject, as PDF bytes; the print is logged."""
    g = svc.grid(ledger, session_id)
    date_text = cn_date(ledger.today())
    story = summary_story(g, date_text)
    for row in sorted(g.rows, key=lambda r: [x.id for x in g.subjects].index(r.subject_id)):
        story += [PageBreak(), *subject_story(g, row, date_text)]
    pdf = page.render(story, doc_title=summary_title(g))
    record_print(ledger, f"考核评分表 {g.session.title}", len(g.rows))
    return pdf
