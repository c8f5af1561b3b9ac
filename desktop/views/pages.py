"""The sidebar's pages, in order. Each page class takes an AppContext and may define `activate()`.

Each page is imported by a plain import inside its factory on first visit, so starting the window
pays only for the page it shows first, and a missing page fails loudly instead of disappearing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtWidgets import QWidget


def _dashboard():
    from desktop.views.dashboard.dashboard_view import DashboardPage
    return DashboardPage


def preload_first_page() -> None:
    """The first page's modules (总览, where the window opens unless another page is remembered), imported while
    the login dialog waits for the password (accounts/session.py) rather than as the window opens."""
    _dashboard()


def _register():
    from desktop.views.register.register_view import RegisterPage
    return RegisterPage


def _towns():
    from desktop.views.towns.town_view import TownPage
    return TownPage


def _parks():
    from desktop.views.parks.park_view import ParkPage
    return ParkPage


def _lists():
    from desktop.views.lists.list_view import ListPage
    return ListPage


def _landbank():
    from desktop.views.landbank.landbank_view import LandBankingPage
    return LandBankingPage


def _reports():
    from desktop.views.reports.report_view import ReportPage
    return ReportPage


def _quota():
    from desktop.views.quota.quota_view import QuotaPage
    return QuotaPage


def _subsidy():
    from desktop.views.subsidy.subsidy_view import SubsidyPage
    return SubsidyPage


def _bulletins():
    from desktop.views.bulletins.bulletin_view import BulletinPage
    return BulletinPage


def _exams():
    from desktop.views.exams.exam_view import ExamPage
    return ExamPage


def _scoring():
    from desktop.views.scoring.scoring_view import ScoringPage
    return ScoringPage


def _deadlines():
    from desktop.views.deadlines.deadline_view import DeadlinePage
    return DeadlinePage


def _packets():
    from desktop.views.excel.packet_view import PacketPage
    return PacketPage


def _holidays():
    from desktop.views.deadlines.holiday_view import HolidayPage
    return HolidayPage


def _year():
    from desktop.views.year.year_view import YearParamsPage
    return YearParamsPage


def _units():
    from desktop.views.units.units_view import UnitsPage
    return UnitsPage


def _audit():
    from desktop.views.audit.audit_view import AuditPage
    return AuditPage


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    load: Callable[[], type[QWidget]]
    # Shown to an account whose role may do any of these (permissions.why_not); every page for role None.
    needs: tuple[str, ...] = ("ledger_read",)

    @property
    def factory(self) -> type[QWidget]:
        return self.load()


PAGES: list[PageSpec] = [
    PageSpec("dashboard", "总览", _dashboard),
    PageSpec("register", "治理对象", _register),
    PageSpec("towns", "镇街与任务分解", _towns),
    PageSpec("parks", "连片整治片区", _parks),
    PageSpec("lists", "年度清单", _lists),
    PageSpec("landbank", "收储与收购", _landbank),
    PageSpec("reports", "月度报送与核实", _reports),
    PageSpec("quota", "周转指标库", _quota),
    PageSpec("subsidy", "以奖代补", _subsidy),
    PageSpec("bulletins", "通报与典型案例", _bulletins),
    PageSpec("exams", "综合体检", _exams),
    PageSpec("scoring", "考核评分", _scoring),
    PageSpec("deadlines", "期限", _deadlines),
    PageSpec("packets", "数据交换", _packets),
    PageSpec("holidays", "节假日", _holidays, ("ledger_read", "holidays")),
    PageSpec("year", "年度参数", _year, ("ledger_read", "params", "units")),
    PageSpec("units", "成员单位", _units, ("ledger_read", "units")),
    PageSpec("audit", "操作日志", _audit, ("audit_read",)),
]


def page_specs(ledger=None) -> list[PageSpec]:
    """The pages, in order; given a logged-in ledger, only those its role may use (an auditor: 操作日志)."""
    if ledger is None or ledger.role is None:
        return list(PAGES)
    from desktop.services.accounts import permissions

    return [s for s in PAGES if any(permissions.why_not(ledger, need) is None for need in s.needs)]
