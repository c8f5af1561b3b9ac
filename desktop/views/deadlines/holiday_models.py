"""Table models of the 节假日 page: the years of the holiday table and the days of one year."""

from __future__ import annotations

from PySide6.QtGui import QColor

from desktop.services.deadlines.calendar_service import CalendarYearRow, HolidayDay
from desktop.views.kit.rows import RowsModel

WORKDAY_BACKGROUND = QColor("#E3F0FF")  # 调休上班 rows
INCOMPLETE_FOREGROUND = QColor("#b26a00")


class YearModel(RowsModel):
    """The years of the table, newest first: 年度, 状态, 放假, 调休上班, 来源."""

    COLUMNS = [("year", "年度"), ("complete", "状态"), ("holidays", "放假（天）"), ("workdays", "调休上班（天）"),
               ("source", "来源")]
    NUMERIC = {"holidays", "workdays"}

    def display(self, r: CalendarYearRow, key: str) -> str:
        if key == "year":
            return f"{r.year}年"
        if key == "complete":
            return "已完整录入" if r.complete else "录入中"
        return super().display(r, key)

    def foreground(self, r: CalendarYearRow, key: str) -> QColor | None:
        return INCOMPLETE_FOREGROUND if key == "complete" and not r.complete else None

    def tooltip(self, r: CalendarYearRow, key: str) -> str | None:
        if key == "complete" and not r.complete:
            return "尚未标记为完整：该年的期限不会按工作日计算。录入完毕后请点击“标记为完整录入”。"
        return (r.source or None) if key == "source" else None


class DayModel(RowsModel):
    """The days of one year: 日期, 星期, 类型, 名称, 来源 (调休上班 on a light blue)."""

    COLUMNS = [("day", "日期"), ("weekday", "星期"), ("kind", "类型"), ("name", "名称"), ("source", "来源")]

    def value(self, r: HolidayDay, key: str):
        if key == "weekday":
            return r.day.weekday()
        if key == "kind":
            return r.is_workday
        return getattr(r, key)

    def display(self, r: HolidayDay, key: str) -> str:
        return r.weekday if key == "weekday" else r.kind if key == "kind" else super().display(r, key)

    def background(self, r: HolidayDay, key: str) -> QColor | None:
        return WORKDAY_BACKGROUND if r.is_workday else None

    def tooltip(self, r: HolidayDay, key: str) -> str | None:
        return r.source if key == "source" else None
