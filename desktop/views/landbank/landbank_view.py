"""收储与收购 page (三(三)): tabs 政府收储, 市场化收购, 协议 and 成本均价.

政府收储: the entries whose filed plan is 收储, each with its four groundwork steps (date, result,
evidence) and its 合作协议 / 收储协议. 成本均价: every SOE × town cooperation of the year against the
cap (四(二)), over-cap pairs in red. The other two tabs live in acquisition_tab.py and agreement_tab.py.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import AgreementKind
from desktop.services import units
from desktop.services.landbank import agreement_service, landbank_service
from desktop.services.towns import town_service
from desktop.services.landbank.landbank_service import LandBankDetail, LandBankRow
from desktop.services.errors import ValidationError
from desktop.views.landbank.acquisition_tab import AcquisitionTab
from desktop.views.landbank.agreement_dialog import AgreementDialog, open_agreement_dialog
from desktop.views.landbank.agreement_tab import AgreementTab
from desktop.views.kit.attachment_widget import AttachmentPanel
from desktop.views.kit.context import AppContext, touches
from desktop.views.landbank.landbank_common import (
    RELEVANT_TABLES,
    LandBankEntryModel,
    PairModel,
    ShortAgreementModel,
    StepModel,
    TabBase,
    fit_rows,
    selected_row,
    set_rows_keep,
    set_widths,
    setup_table,
    sync_combo,
)
from desktop.views.kit.date_field import DateField
from desktop.views.kit.table_export import add_export_action, describe_filters
from desktop.views.kit.worker import show_error
from desktop.views.kit.forms import error_label, show_at


class LandBankTab(TabBase):
    """政府收储 (三(三)1)."""

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.agreement_dialog: AgreementDialog | None = None
        self._detail: LandBankDetail | None = None
        self._build()
        self.restore_layout()

    def tables(self):
        return {"landbank_entries": self.table, "landbank_steps": self.step_table,
                "landbank_agreements": self.agreement_table}

    # Layout ---------------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("镇街："))
        self.town_filter = QComboBox()
        self.town_filter.addItem("全部镇街", None)
        self.town_filter.setMinimumWidth(110)
        bar.addWidget(self.town_filter)
        self.search = QLineEdit()
        self.search.setPlaceholderText("按治理对象筛选（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(230)
        bar.addWidget(self.search)
        bar.addStretch(1)
        self.count_label = QLabel()
        bar.addWidget(self.count_label)
        bar.addWidget(add_export_action(
            self, lambda: self.table, title=lambda: f"{self.ctx.year}年度政府收储", settings_key="landbank",
            subtitle=lambda: describe_filters(("镇街", self.town_filter), ("治理对象", self.search))))
        outer.addLayout(bar)

        self.model = LandBankEntryModel(self)
        self.table = QTableView()
        setup_table(self.table, self.model, "landbank_table")
        set_widths(self.table, {"town": 70, "target": 180, "planned_area_mu": 95, "soe": 180, "state": 80,
                                "steps_text": 65, "missing_steps": 130, "cooperation_signed_on": 88,
                                "landbank_signed_on": 88, "landbank_cost_per_mu": 125})

        # Groundwork steps
        self.steps_box = QGroupBox("前期工作")
        self.step_model = StepModel(self)
        self.step_table = QTableView()
        setup_table(self.step_table, self.step_model, "landbank_step_table")
        self.step_table.setSortingEnabled(False)
        set_widths(self.step_table, {"step": 80, "done_on": 90, "attachments": 70})
        fit_rows(self.step_table, len(landbank_service.STEPS))
        self.step_date = DateField(label="完成日期", field="done_on", show_error_line=False)
        self.step_result = QLineEdit()
        self.step_result.setPlaceholderText("结果，如：土壤检测合格")
        self.save_step_button = QPushButton("保存本步")
        self.clear_step_button = QPushButton("清除")
        self.step_error = error_label()
        form = QHBoxLayout()
        form.addWidget(QLabel("完成日期"))
        form.addWidget(self.step_date)
        form.addWidget(self.step_result, 1)
        form.addWidget(self.save_step_button)
        form.addWidget(self.clear_step_button)
        self.step_attachments = AttachmentPanel(self.ctx, "证明材料")
        sl = QVBoxLayout(self.steps_box)
        sl.addWidget(self.step_table)
        sl.addLayout(form)
        sl.addWidget(self.step_error)
        sl.addWidget(self.step_attachments, 1)

        # Agreements
        self.agreements_box = QGroupBox("协议")
        self.agreement_model = ShortAgreementModel(self)
        self.agreement_table = QTableView()
        setup_table(self.agreement_table, self.agreement_model, "landbank_agreement_table")
        set_widths(self.agreement_table, {"kind": 68, "party_a": 100, "party_b": 120, "signed_on": 82,
                                          "amount_wan": 80, "area_mu": 58, "cost_per_mu": 92, "filed_on": 82})
        self.coop_button = QPushButton("签订合作协议…")
        self.coop_button.setToolTip("镇街与市级国企签订合作协议（三(三)1）")
        self.bank_button = QPushButton("签订收储协议…")
        self.bank_button.setToolTip("镇街与治理企业签订收储协议；保存前校验国企×镇街年度成本均价")
        self.edit_agreement_button = QPushButton("编辑协议…")
        buttons = QHBoxLayout()
        for b in (self.coop_button, self.bank_button, self.edit_agreement_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.agreement_attachments = AttachmentPanel(self.ctx, "扫描件")
        al = QVBoxLayout(self.agreements_box)
        al.addWidget(self.agreement_table, 3)
        al.addLayout(buttons)
        al.addWidget(self.agreement_attachments, 2)

        self.detail_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.detail_splitter.addWidget(self.steps_box)
        self.detail_splitter.addWidget(self.agreements_box)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail_splitter)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.detail_splitter.setStretchFactor(0, 4)
        self.detail_splitter.setStretchFactor(1, 5)
        self.detail_splitter.setSizes([480, 600])
        outer.addWidget(self.splitter, 1)

        self.town_filter.currentIndexChanged.connect(lambda: self.refresh())
        self.search.textChanged.connect(lambda: self.refresh())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._entry_selected())
        self.step_table.selectionModel().selectionChanged.connect(lambda *_: self._step_selected())
        self.agreement_table.selectionModel().selectionChanged.connect(lambda *_: self._agreement_selected())
        self.agreement_table.doubleClicked.connect(lambda _i: self.edit_agreement())
        self.save_step_button.clicked.connect(self.save_step)
        self.step_result.returnPressed.connect(self.save_step)
        self.clear_step_button.clicked.connect(self.clear_step)
        self.step_date.changed.connect(lambda: show_at(self.step_error, ""))
        self.coop_button.clicked.connect(lambda: self.new_agreement(AgreementKind.COOPERATION))
        self.bank_button.clicked.connect(lambda: self.new_agreement(AgreementKind.LAND_BANKING))
        self.edit_agreement_button.clicked.connect(self.edit_agreement)
        sc = QShortcut(QKeySequence.StandardKey.Find, self)
        sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        sc.activated.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self._show_detail(None)

    def restore_layout(self) -> None:
        super().restore_layout()
        for key, splitter in (("landbank/splitter", self.splitter), ("landbank/detail_splitter", self.detail_splitter)):
            state = self.ctx.settings.value(key)
            if isinstance(state, QByteArray):
                splitter.restoreState(state)

    def save_layout(self) -> None:
        super().save_layout()
        self.ctx.settings.setValue("landbank/splitter", self.splitter.saveState())
        self.ctx.settings.setValue("landbank/detail_splitter", self.detail_splitter.saveState())

    # Loading --------------------------------------------------------------------------------------
    def refresh(self) -> None:
        token, db, year = self.next_token(), self.ctx.db, self.ctx.year
        town_id, text = self.town_filter.currentData(), self.search.text()

        def fetch():
            return (landbank_service.land_banking_entries(db, year, town_id=town_id, text=text),
                    town_service.list_towns(db))

        self.ctx.worker.run(fetch, lambda r: self._loaded(token, *r),
                            lambda e: show_error(self, e) if self.current(token) else None)

    def _loaded(self, token: int, rows: list[LandBankRow], towns) -> None:
        if not self.current(token):
            return
        sync_combo(self.town_filter, [(t.id, t.name) for t in towns])
        set_rows_keep(self.table, rows)
        complete = sum(1 for r in rows if r.steps_done == len(landbank_service.STEPS))
        signed = sum(1 for r in rows if r.landbank_signed_on)
        self.count_label.setText(f"收储对象 {len(rows)} 个：前期工作完成 {complete} 个，已签收储协议 {signed} 个")
        self._entry_selected()

    def _entry_selected(self) -> None:
        row: LandBankRow | None = selected_row(self.table)
        if row is None:
            self._show_detail(None)
            return
        db, entry_id = self.ctx.db, row.entry_id

        def show(d: LandBankDetail) -> None:
            current = selected_row(self.table)
            if current is not None and current.entry_id == entry_id:
                self._show_detail(d)

        self.ctx.worker.run(lambda: landbank_service.detail(db, entry_id), show, lambda e: show_error(self, e))

    def _show_detail(self, d: LandBankDetail | None) -> None:
        self._detail = d
        has = d is not None
        for w in (self.coop_button, self.bank_button, self.step_date, self.step_result):
            w.setEnabled(has)
        if d is None:
            self.steps_box.setTitle("前期工作（请选择治理对象）")
            self.agreements_box.setTitle("协议")
            self.step_model.set_rows([])
            self.agreement_model.set_rows([])
            self._step_selected()
            self._agreement_selected()
            return
        r = d.row
        missing = f"，未完成：{'、'.join(r.missing_steps)}" if r.missing_steps else "，已全部完成"
        self.steps_box.setTitle(f"前期工作：{r.target}（{r.steps_text}{missing}）")
        cost = f"，收储单价 {units.fmt(r.landbank_cost_per_mu, 2)} 万元/亩" if r.landbank_cost_per_mu is not None else ""
        self.agreements_box.setTitle(f"协议：{r.town} ↔ {r.soe or '（方案未定国企）'}{cost}")
        set_rows_keep(self.step_table, d.steps)
        if not selected_row(self.step_table):
            first_missing = next((i for i, s in enumerate(d.steps) if not s.done), 0)
            self.step_table.selectRow(first_missing)
        set_rows_keep(self.agreement_table, d.agreements)
        self._step_selected()
        self._agreement_selected()

    # Steps ----------------------------------------------------------------------------------------
    def _step_selected(self) -> None:
        step = selected_row(self.step_table)
        show_at(self.step_error, "")
        self.save_step_button.setEnabled(step is not None)
        self.clear_step_button.setEnabled(step is not None and step.record_id is not None)
        if step is None:
            self.step_date.set_value(None)
            self.step_result.clear()
            self.step_attachments.title.setText("证明材料")
            self.step_attachments.set_object(None, None)
            return
        self.step_date.set_value(step.done_on)
        self.step_result.setText(step.result)
        if step.record_id is None:
            self.step_attachments.title.setText(f"{step.step.label}的证明材料（先登记完成日期）")
            self.step_attachments.set_object(None, None)
        else:
            self.step_attachments.title.setText(f"{step.step.label}的证明材料")
            if (self.step_attachments.object_type, self.step_attachments.object_id) != \
                    (landbank_service.STEP_OBJECT_TYPE, step.record_id):
                self.step_attachments.set_object(landbank_service.STEP_OBJECT_TYPE, step.record_id)

    def save_step(self) -> None:
        step = selected_row(self.step_table)
        if step is None or self._detail is None:
            return
        db, entry_id = self.ctx.db, self._detail.row.entry_id
        try:
            done_on = self.step_date.value()
        except ValidationError as exc:
            show_at(self.step_error, exc.message)
            self.step_date.setFocus()
            return
        result = self.step_result.text()
        self.save_step_button.setEnabled(False)

        def failed(exc: BaseException) -> None:
            self.save_step_button.setEnabled(True)
            if getattr(exc, "field", None) in ("done_on", "step"):
                show_at(self.step_error, exc.message)
                self.step_date.setFocus()
            else:
                show_error(self, exc)

        self.ctx.worker.run(lambda: landbank_service.record_step(db, entry_id, step.step, done_on, result),
                            lambda _r: self.ctx.changed("groundwork_record"), failed)

    def clear_step(self) -> None:
        step = selected_row(self.step_table)
        if step is None or step.record_id is None or self._detail is None:
            return
        text = f"确定清除“{step.step.label}”的登记（{step.done_on}）？"
        if step.attachments:
            text += f"\n\n其 {step.attachments} 份证明材料的链接一并移除。"
        if QMessageBox.question(self, "清除前期工作", text) != QMessageBox.StandardButton.Yes:
            return
        db, entry_id = self.ctx.db, self._detail.row.entry_id
        self.ctx.worker.run(lambda: landbank_service.clear_step(db, entry_id, step.step),
                            lambda _r: self.ctx.changed("groundwork_record"), lambda e: show_error(self, e))

    # Agreements -----------------------------------------------------------------------------------
    def _agreement_selected(self) -> None:
        a = selected_row(self.agreement_table)
        self.edit_agreement_button.setEnabled(a is not None)
        if a is None:
            self.agreement_attachments.title.setText("扫描件（请先选择协议）")
            self.agreement_attachments.set_object(None, None)
        else:
            self.agreement_attachments.title.setText(f"{a.kind.label}扫描件")
            if (self.agreement_attachments.object_type, self.agreement_attachments.object_id) != ("agreement", a.id):
                self.agreement_attachments.set_object("agreement", a.id)

    def new_agreement(self, kind: AgreementKind) -> None:
        if self._detail is None:
            return
        r = self._detail.row
        open_agreement_dialog(self, self.ctx, kind=kind, entry_id=r.entry_id, town_id=r.town_id, soe_id=r.soe_id)

    def edit_agreement(self) -> None:
        a = selected_row(self.agreement_table)
        if a is not None:
            open_agreement_dialog(self, self.ctx, row=a)


class CostTab(TabBase):
    """成本均价 (四(二)): SOE × town pairs of the year over their 收储协议, over-cap pairs red."""

    def __init__(self, ctx, show_agreements=None) -> None:
        super().__init__(ctx)
        self._show_agreements = show_agreements
        self._build()
        self.restore_layout()

    def tables(self):
        return {"cost_pairs": self.table}

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.only_over = QCheckBox("只看超上限")
        bar.addWidget(self.only_over)
        self.summary = QLabel()
        bar.addWidget(self.summary)
        bar.addStretch(1)
        self.open_button = QPushButton("查看协议")
        self.open_button.setToolTip("双击一行也可查看该国企与镇街的收储协议")
        bar.addWidget(self.open_button)
        bar.addWidget(add_export_action(
            self, lambda: self.table, title=lambda: f"{self.ctx.year}年度国企与镇街合作收储成本均价",
            settings_key="landbank", subtitle=lambda: describe_filters(("", self.only_over))))
        outer.addLayout(bar)
        self.model = PairModel(self)
        self.table = QTableView()
        setup_table(self.table, self.model, "cost_pair_table")
        set_widths(self.table, {"soe": 240, "town": 90, "agreements": 100, "total_amount_wan": 120,
                                "total_area_mu": 110, "average": 130, "cap": 100, "over": 70})
        outer.addWidget(self.table, 1)
        self.rule = QLabel()
        self.rule.setWordWrap(True)
        self.rule.setStyleSheet("color: #555;")
        outer.addWidget(self.rule)
        self.only_over.toggled.connect(lambda _c: self.refresh())
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.open_button.clicked.connect(self.open_selected)
        self.table.selectionModel().selectionChanged.connect(
            lambda *_: self.open_button.setEnabled(selected_row(self.table) is not None))
        self.open_button.setEnabled(False)

    def refresh(self) -> None:
        token, db, year, only = self.next_token(), self.ctx.db, self.ctx.year, self.only_over.isChecked()

        def fetch():
            return agreement_service.over_cap_report(db, year, only_over=only)

        self.ctx.worker.run(fetch, lambda rows: self._loaded(token, rows),
                            lambda e: show_error(self, e) if self.current(token) else None)

    def _loaded(self, token: int, rows) -> None:
        if not self.current(token):
            return
        set_rows_keep(self.table, rows)
        over = sum(1 for r in rows if r.over)
        cap = rows[0].cap if rows else None
        if self.only_over.isChecked():
            text = f"{self.ctx.year}年度 超上限的国企×镇街合作 <b>{over}</b> 对"
        else:
            text = f"{self.ctx.year}年度 国企×镇街合作 {len(rows)} 对，其中超上限 <b>{over}</b> 对"
        self.summary.setText(text)
        cap_text = f"{format(cap.normalize(), 'f')} 万元/亩" if cap is not None else "年度参数所定上限"
        self.rule.setText(f"四(二)：市级国企与镇(区、街道)合作收储的成本均价不得高于 {cap_text}。"
                          "均价 = 该国企与该镇街本年度全部收储协议的金额合计 ÷ 面积合计；恰好等于上限不算超限。")

    def open_selected(self) -> None:
        pair = selected_row(self.table)
        if pair is not None and self._show_agreements is not None:
            self._show_agreements(pair.town_id, pair.soe_id)


class LandBankingPage(QWidget):
    """收储与收购: 政府收储, 市场化收购, 协议 and 成本均价 in tabs."""

    TAB_TITLES = ("政府收储", "市场化收购", "协议", "成本均价")

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        outer = QVBoxLayout(self)
        self.header = QLabel("收储与收购")
        f = self.header.font()
        f.setPointSize(f.pointSize() + 3)
        f.setBold(True)
        self.header.setFont(f)
        outer.addWidget(self.header)
        self.landbank_tab = LandBankTab(ctx)
        self.acquisition_tab = AcquisitionTab(ctx)
        self.agreement_tab = AgreementTab(ctx)
        self.cost_tab = CostTab(ctx, self.show_agreements)
        self.tabs = QTabWidget()
        for tab, title in zip(self._all(), self.TAB_TITLES):
            self.tabs.addTab(tab, title)
        outer.addWidget(self.tabs, 1)
        index = self.ctx.settings.value("landbank/tab", 0)
        self.tabs.setCurrentIndex(int(index) if str(index).isdigit() else 0)
        self.tabs.currentChanged.connect(lambda _i: self.activate())
        ctx.data_changed.connect(self._on_data_changed)
        ctx.year_changed.connect(lambda _y: self._on_data_changed("*"))

    def _all(self) -> list[TabBase]:
        return [self.landbank_tab, self.acquisition_tab, self.agreement_tab, self.cost_tab]

    def activate(self) -> None:
        self.header.setText(f"收储与收购　　{self.ctx.year}年度")
        tab = self.tabs.currentWidget()
        if isinstance(tab, TabBase):
            tab.activate()

    def _on_data_changed(self, what: frozenset[str]) -> None:
        if not touches(what, RELEVANT_TABLES):
            return
        for tab in self._all():
            tab.mark_stale()

    def show_agreements(self, town_id: int | None, soe_id: int | None) -> None:
        """From 成本均价 to the pair's 收储协议 in the 协议 tab."""
        self.tabs.setCurrentWidget(self.agreement_tab)
        self.agreement_tab.set_filters(kind=AgreementKind.LAND_BANKING, town_id=town_id, soe_id=soe_id)

    def save_layout(self) -> None:
        self.ctx.settings.setValue("landbank/tab", self.tabs.currentIndex())
        for tab in self._all():
            tab.save_layout()

