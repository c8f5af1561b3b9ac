"""The sidebar's pages, in order. Each page class takes an AppContext and may define `activate()`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    factory: Callable[..., QWidget]


def page_specs() -> list[PageSpec]:
    # Imported here so a page's import cost is paid when the window is built, not at CLI start.
    from desktop.views.audit_view import AuditPage
    from desktop.views.dashboard_view import DashboardPage
    from desktop.views.park_view import ParkPage
    from desktop.views.register_view import RegisterPage
    from desktop.views.town_view import TownPage
    from desktop.views.year_view import YearParamsPage

    return [
        PageSpec("dashboard", "总览", DashboardPage),
        PageSpec("register", "治理对象", RegisterPage),
        PageSpec("towns", "镇街与任务分解", TownPage),
        PageSpec("parks", "连片整治片区", ParkPage),
        PageSpec("year", "年度参数", YearParamsPage),
        PageSpec("audit", "操作日志", AuditPage),
    ]
