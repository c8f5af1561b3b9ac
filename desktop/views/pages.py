"""The sidebar's pages, in order. Each page class takes an AppContext and may define `activate()`.

Pages are named by module and class and imported on first visit, so starting the window pays
only for the page it shows first.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from typing import Callable

from PySide6.QtWidgets import QWidget

# key, sidebar title, module under desktop.views, class
PAGES: list[tuple[str, str, str, str]] = [
    ("dashboard", "总览", "dashboard_view", "DashboardPage"),
    ("register", "治理对象", "register_view", "RegisterPage"),
    ("towns", "镇街与任务分解", "town_view", "TownPage"),
    ("parks", "连片整治片区", "park_view", "ParkPage"),
    ("lists", "年度清单", "list_view", "ListPage"),
    ("landbank", "收储与收购", "landbank_view", "LandBankingPage"),
    ("reports", "月度报送与核实", "report_view", "ReportPage"),
    ("quota", "周转指标库", "quota_view", "QuotaPage"),
    ("subsidy", "以奖代补", "subsidy_view", "SubsidyPage"),
    ("deadlines", "期限", "deadline_view", "DeadlinePage"),
    ("packets", "数据交换", "packet_view", "PacketPage"),
    ("holidays", "节假日", "holiday_view", "HolidayPage"),
    ("year", "年度参数", "year_view", "YearParamsPage"),
    ("audit", "操作日志", "audit_view", "AuditPage"),
]


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    module: str
    cls: str

    @property
    def factory(self) -> Callable[..., QWidget]:
        return getattr(importlib.import_module(f"desktop.views.{self.module}"), self.cls)


def page_specs() -> list[PageSpec]:
    """The pages whose module is present (a page still being built is simply not listed)."""
    return [PageSpec(*p) for p in PAGES if importlib.util.find_spec(f"desktop.views.{p[2]}") is not None]
