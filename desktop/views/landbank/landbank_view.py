"""收储与收购 page (三(三)): tabs 政府收储, 市场化收购, 协议 and 成本均价.

The tabs live in landbank_tab.py, acquisition_tab.py, agreement_tab.py and cost_tab.py; each is built when
first shown and reloads itself when the data it shows changes.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from desktop.models.enums import AgreementKind
from desktop.views.kit.context import AppContext
from desktop.views.kit.table import title_label
from desktop.views.kit.widgets import replace_tab
from desktop.views.landbank.landbank_models import TabBase


def _make_tab(name: str, ctx: AppContext, page: "LandBankingPage") -> TabBase:
    """One tab, its module imported only now: each tab with its services was ~10 ms of the GUI thread."""
    if name == "landbank_tab":
        from desktop.views.landbank.landbank_tab import LandBankTab
        return LandBankTab(ctx)
    if name == "acquisition_tab":
        from desktop.views.landbank.acquisition_tab import AcquisitionTab
        return AcquisitionTab(ctx)
    if name == "agreement_tab":
        from desktop.views.landbank.agreement_tab import AgreementTab
        return AgreementTab(ctx)
    from desktop.views.landbank.cost_tab import CostTab
    return CostTab(ctx, page.show_agreements)


class LandBankingPage(QWidget):
    """收储与收购: 政府收储, 市场化收购, 协议 and 成本均价 in tabs.

    A tab is built when first shown or asked for (`page.agreement_tab`); until then an empty placeholder holds
    its place, so the page's first screen builds and imports one tab, not four."""

    TABS = (("landbank_tab", "政府收储"), ("acquisition_tab", "市场化收购"), ("agreement_tab", "协议"),
            ("cost_tab", "成本均价"))
    TAB_TITLES = tuple(title for _name, title in TABS)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._built: dict[str, TabBase] = {}
        outer = QVBoxLayout(self)
        self.header = title_label("收储与收购")
        outer.addWidget(self.header)
        self.tabs = QTabWidget()
        for _name, title in self.TABS:
            self.tabs.addTab(QWidget(), title)
        outer.addWidget(self.tabs, 1)
        index = self.ctx.settings.value("landbank/tab", 0)
        self.tabs.setCurrentIndex(int(index) if str(index).isdigit() and int(index) < len(self.TABS) else 0)
        self._tab(self.TABS[self.tabs.currentIndex()][0])
        self.tabs.currentChanged.connect(lambda _i: self.activate())

    landbank_tab = property(lambda self: self._tab("landbank_tab"))
    acquisition_tab = property(lambda self: self._tab("acquisition_tab"))
    agreement_tab = property(lambda self: self._tab("agreement_tab"))
    cost_tab = property(lambda self: self._tab("cost_tab"))

    def _tab(self, name: str) -> TabBase:
        """The tab `name`, built and put in its placeholder's place (same index, same title) on first use."""
        tab = self._built.get(name)
        if tab is None:
            tab = self._built[name] = _make_tab(name, self.ctx, self)
            replace_tab(self.tabs, next(i for i, (n, _t) in enumerate(self.TABS) if n == name), tab)
        return tab

    def _all(self) -> list[TabBase]:
        """The tabs built so far (one never shown has nothing to save or reload)."""
        return [self._built[name] for name, _t in self.TABS if name in self._built]

    def activate(self) -> None:
        self.header.setText(f"收储与收购　　{self.ctx.year}年度")
        self._tab(self.TABS[self.tabs.currentIndex()][0]).activate()

    def show_agreements(self, town_id: int | None, soe_id: int | None) -> None:
        """From 成本均价 to the pair's 收储协议 in the 协议 tab."""
        self.tabs.setCurrentWidget(self.agreement_tab)
        self.agreement_tab.set_filters(kind=AgreementKind.LAND_BANKING, town_id=town_id, soe_id=soe_id)

    def save_layout(self) -> None:
        self.ctx.settings.setValue("landbank/tab", self.tabs.currentIndex())
        for tab in self._all():
            tab.save_layout()
