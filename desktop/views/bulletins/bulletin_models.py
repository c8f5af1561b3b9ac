"""The 通报 page's tables: the towns' ranking (ties shaded, 并列第N) and the issued bulletins."""

from __future__ import annotations

from PySide6.QtGui import QColor

from desktop.services.bulletins.bulletin_draft import BulletinRow
from desktop.services.bulletins.bulletin_service import IssuedBulletin
from desktop.views.kit.rows import RowsModel, date_text, mu, pct_text

TIED_BACKGROUND = QColor("#fff4ce")


class RankingModel(RowsModel):
    """One town per row, in rank order; a shared rank is shown 并列第N on a shaded row."""

    COLUMNS = [
        ("rank_label", "排名"),
        ("town", "镇（区、街道）"),
        ("target_mu", "目标面积（亩）"),
        ("verified_mu", "已核实（亩）"),
        ("completion_pct", "完成率"),
        ("parks_started", "启动园区"),
        ("on_time_reports", "按时报送"),
        ("late_reports", "逾期报送"),
        ("missing_reports", "逾期未报（月）"),
        ("pass_rate_pct", "核实通过率"),
    ]
    NUMERIC = {"target_mu", "verified_mu", "completion_pct", "parks_started", "on_time_reports", "late_reports",
               "missing_reports", "pass_rate_pct"}

    def value(self, r: BulletinRow, key: str):
        return r.rank if key == "rank_label" else getattr(r, key)  # sorts 并列第1 before 第3

    def display(self, r: BulletinRow, key: str) -> str:
        if key == "rank_label":
            return r.rank_label
        if key in ("target_mu", "verified_mu"):
            return mu(getattr(r, key))
        if key in ("completion_pct", "pass_rate_pct"):
            return pct_text(getattr(r, key))
        return super().display(r, key)

    def background(self, r: BulletinRow, key: str) -> QColor | None:
        return TIED_BACKGROUND if r.tied else None

    def bold(self, r: BulletinRow, key: str) -> bool:
        return key == "rank_label" and r.tied

    def tooltip(self, r: BulletinRow, key: str) -> str | None:
        if r.tied:
            return f"完成率相同（{pct_text(r.completion_pct)}）的镇街并列第{r.rank}名，其后名次顺延"
        if r.completion_pct is None:
            return "该镇街本年度未设目标面积，完成率无从计算"
        return None


class IssuedModel(RowsModel):
    """The year's issued bulletins, the latest first."""

    COLUMNS = [("number_label", "期号"), ("title", "标题"), ("period_end", "统计截至"), ("issued_on", "签发日期"),
               ("drafted_by", "起草"), ("issued_by", "签发")]

    def value(self, b: IssuedBulletin, key: str):
        if key == "period_end":
            return b.draft.period_end
        return (b.year, b.number) if key == "number_label" else getattr(b, key)

    def display(self, b: IssuedBulletin, key: str) -> str:
        if key == "number_label":
            return b.number_label
        if key in ("period_end", "issued_on"):
            return date_text(self.value(b, key))
        return super().display(b, key)
