"""市场化收购 tab (三(三)2): the entries with a filed 收购 plan; per entry the investor, new project and the
stage dates with the 会审 result, its agreements, and the monthly tax feedback with 缺报 months red."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import QByteArray, QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import AcquisitionStage, AgreementKind
from desktop.services import units
from desktop.services.landbank import acquisition_service, agreement_service
from desktop.services.towns import town_service
from desktop.services.landbank.acquisition_service import AcquisitionRow, AcquisitionValues, TaxMonthRow
from desktop.services.errors import ValidationError
from desktop.views.landbank.agreement_dialog import AgreementDialog, open_agreement_dialog
from desktop.views.landbank.landbank_common import (
    AcquisitionModel,
    ShortAgreementModel,
    TabBase,
    TaxMonthModel,
    fmt_date,
    selected_row,
    set_rows_keep,
    set_widths,
    setup_table,
    sync_combo,
)
from desktop.views.kit.date_field import DateField
from desktop.views.kit.forms import FieldErrorDialog, error_label, plain, show_at
from desktop.views.kit.table_export import add_export_action, describe_filters
from desktop.views.kit.worker import show_error

JOINT_RESULTS = [("未会审", None), ("通过", True), ("未通过", False)]


def default_as_of(year: int, today: dt.date | None = None) -> dt.date:
    """Tax months are counted to today, or to the end of a past year being looked at."""
    today = today or dt.date.today()
    return min(today, dt.date(year, 12, 31))


class TaxRecordDialog(FieldErrorDialog, QDialog):
    """登记税收反馈: one month's taxes due and paid. Emits `submitted(month, due, paid, note)`."""

    submitted = Signal(object, str, str, str)

    def __init__(self, month: dt.date, row: TaxMonthRow | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("登记税收反馈")
        self.setMinimumWidth(360)
        self.errors = {n: error_label() for n in ("month", "due_wan", "paid_wan")}
        self.month_edit = QDateEdit()
        self.month_edit.setDisplayFormat("yyyy年M月")
        self.month_edit.setDate(QDate(month.year, month.month, 1))
        self.due_edit = QLineEdit()
        self.due_edit.setPlaceholderText("万元")
        self.paid_edit = QLineEdit()
        self.paid_edit.setPlaceholderText("万元")
        self.note_edit = QLineEdit()
        if row is not None and row.record_id is not None:
            self.due_edit.setText(plain(row.due_wan))
            self.paid_edit.setText(plain(row.paid_wan))
            self.note_edit.setText(row.note)
        form = QFormLayout()
        for key, label, widget in (("month", "月份", self.month_edit), ("due_wan", "应缴税款（万元）", self.due_edit),
                                   ("paid_wan", "已缴税款（万元）", self.paid_edit)):
            holder = QWidget()
            hl = QVBoxLayout(holder)
            hl.setContentsMargins(0, 0, 0, 0)
            hl.setSpacing(2)
            hl.addWidget(widget)
            hl.addWidget(self.errors[key])
            form.addRow(label, holder)
        form.addRow("备注", self.note_edit)
        self.focus_of = {"month": self.month_edit, "due_wan": self.due_edit, "paid_wan": self.paid_edit}
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def month(self) -> dt.date:
        d = self.month_edit.date()
        return dt.date(d.year(), d.month(), 1)

    def submit(self) -> None:
        for e in self.errors.values():
            show_at(e, "")
        self.ok_button.setEnabled(False)
        self.submitted.emit(self.month(), self.due_edit.text(), self.paid_edit.text(), self.note_edit.text())


class AcquisitionTab(TabBase):
    """市场化收购 (三(三)2)."""

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.agreement_dialog: AgreementDialog | None = None
        self.tax_dialog: TaxRecordDialog | None = None
        self._row: AcquisitionRow | None = None
        self._as_of_year = ctx.year
        self._build()
        self.restore_layout()

    def tables(self):
        return {"acquisitions": self.table, "acquisition_agreements": self.agreement_table,
                "acquisition_tax": self.tax_table}

    # Layout ---------------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("镇街："))
        self.town_filter = QComboBox()
        self.town_filter.addItem("全部镇街", None)
        self.town_filter.setMinimumWidth(110)
        bar.addWidget(self.town_filter)
        bar.addWidget(QLabel("阶段："))
        self.stage_filter = QComboBox()
        self.stage_filter.addItem("全部阶段", None)
        for st in AcquisitionStage:
            self.stage_filter.addItem(st.label, st)
        bar.addWidget(self.stage_filter)
        self.search = QLineEdit()
        self.search.setPlaceholderText("按治理对象筛选（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(200)
        bar.addWidget(self.search)
        bar.addWidget(QLabel("税收统计截至："))
        self.as_of_edit = QDateEdit()
        self.as_of_edit.setCalendarPopup(True)
        self.as_of_edit.setDisplayFormat("yyyy-MM-dd")
        a = default_as_of(self.ctx.year)
        self.as_of_edit.setDate(QDate(a.year, a.month, a.day))
        bar.addWidget(self.as_of_edit)
        bar.addStretch(1)
        self.count_label = QLabel()
        bar.addWidget(self.count_label)
        bar.addWidget(add_export_action(
            self, lambda: self.table, title=lambda: f"{self.ctx.year}年度市场化收购", settings_key="landbank",
            subtitle=lambda: "　".join(filter(None, (
                describe_filters(("镇街", self.town_filter), ("阶段", self.stage_filter), ("治理对象", self.search)),
                describe_filters(("税收统计截至", self.as_of_edit), prefix=""))))))
        outer.addLayout(bar)

        self.model = AcquisitionModel(self)
        self.table = QTableView()
        setup_table(self.table, self.model, "acquisition_table")
        set_widths(self.table, {"town": 70, "target": 160, "planned_area_mu": 75, "investor": 165,
                                "new_project": 150, "stage_text": 95, "joint_review_text": 135, "signed_on": 92,
                                "filed_on": 92, "missing_months": 98, "unpaid_wan": 90})

        # Progress form
        self.progress_box = QGroupBox("收购进度")
        self.errors = {n: error_label() for n in ("investor", "new_project", "town_reviewed_on", "negotiated_on",
                                                  "joint_review_on", "joint_review_passed", "note")}
        self.investor_edit = QLineEdit()
        self.project_edit = QLineEdit()
        self.reviewed_edit = DateField(label="镇街审核日期", field="town_reviewed_on", show_error_line=False)
        self.negotiated_edit = DateField(label="收购洽谈日期", field="negotiated_on", show_error_line=False)
        self.joint_edit = DateField(label="会审日期", field="joint_review_on", show_error_line=False)
        self.joint_result = QComboBox()
        for label, value in JOINT_RESULTS:
            self.joint_result.addItem(label, value)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(self.note_edit.fontMetrics().height() * 3 + 10)
        self.save_button = QPushButton("保存进度")
        self.focus_of = {"investor": self.investor_edit, "new_project": self.project_edit,
                         "town_reviewed_on": self.reviewed_edit, "negotiated_on": self.negotiated_edit,
                         "joint_review_on": self.joint_edit, "joint_review_passed": self.joint_result,
                         "note": self.note_edit}
        box_layout = QVBoxLayout(self.progress_box)
        form = QFormLayout()
        box_layout.addLayout(form)
        box_layout.addStretch(1)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, label, widget in (("investor", "投资方", self.investor_edit), ("new_project", "新上项目", self.project_edit),
                                   ("town_reviewed_on", "镇街审核", self.reviewed_edit),
                                   ("negotiated_on", "收购洽谈", self.negotiated_edit),
                                   ("joint_review_on", "会审日期", self.joint_edit),
                                   ("joint_review_passed", "会审结果", self.joint_result), ("note", "备注", self.note_edit)):
            holder = QWidget()
            hl = QVBoxLayout(holder)
            hl.setContentsMargins(0, 0, 0, 0)
            hl.setSpacing(1)
            hl.addWidget(widget)
            hl.addWidget(self.errors[key])
            form.addRow(label, holder)
        form.addRow("", self.save_button)

        # Agreements
        self.agreements_box = QGroupBox("协议")
        self.agreement_model = ShortAgreementModel(self)
        self.agreement_table = QTableView()
        setup_table(self.agreement_table, self.agreement_model, "acquisition_agreement_table")
        set_widths(self.agreement_table, {"kind": 90, "party_a": 130, "party_b": 150, "signed_on": 85,
                                          "amount_wan": 90, "area_mu": 65, "cost_per_mu": 95, "filed_on": 85})
        self.new_agreement_button = QPushButton("签订协议 ▾")
        menu = QMenu(self.new_agreement_button)
        self.agreement_actions = {}
        for kind in (AgreementKind.ACQUISITION, AgreementKind.INVESTMENT_SUPERVISION, AgreementKind.OTHER):
            self.agreement_actions[kind] = menu.addAction(kind.label, lambda k=kind: self.new_agreement(k))
        self.new_agreement_button.setMenu(menu)
        self.edit_agreement_button = QPushButton("编辑协议…")
        self.gate_label = QLabel()
        self.gate_label.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_agreement_button)
        buttons.addWidget(self.edit_agreement_button)
        buttons.addStretch(1)
        al = QVBoxLayout(self.agreements_box)
        al.addWidget(self.agreement_table, 1)
        al.addWidget(self.gate_label)
        al.addLayout(buttons)

        # Tax feedback
        self.tax_box = QGroupBox("税收反馈（每月）")
        self.tax_model = TaxMonthModel(self)
        self.tax_table = QTableView()
        setup_table(self.tax_table, self.tax_model, "tax_month_table")
        self.tax_table.setSortingEnabled(False)
        set_widths(self.tax_table, {"month": 85, "due_wan": 85, "paid_wan": 85, "status": 100})
        self.tax_summary = QLabel()
        self.tax_summary.setWordWrap(True)
        self.tax_button = QPushButton("登记/修改…")
        self.tax_delete_button = QPushButton("删除")
        tb = QHBoxLayout()
        tb.addWidget(self.tax_button)
        tb.addWidget(self.tax_delete_button)
        tb.addStretch(1)
        tl = QVBoxLayout(self.tax_box)
        tl.addWidget(self.tax_table, 1)
        tl.addWidget(self.tax_summary)
        tl.addLayout(tb)

        self.detail_splitter = QSplitter(Qt.Orientation.Horizontal)
        for w in (self.progress_box, self.agreements_box, self.tax_box):
            self.detail_splitter.addWidget(w)
        self.detail_splitter.setStretchFactor(0, 3)
        self.detail_splitter.setStretchFactor(1, 4)
        self.detail_splitter.setStretchFactor(2, 4)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail_splitter)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        outer.addWidget(self.splitter, 1)

        self.town_filter.currentIndexChanged.connect(lambda: self.refresh())
        self.stage_filter.currentIndexChanged.connect(lambda: self.refresh())
        self.search.textChanged.connect(lambda: self.refresh())
        self.as_of_edit.dateChanged.connect(lambda: self.refresh())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._entry_selected())
        self.agreement_table.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        self.tax_table.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        self.agreement_table.doubleClicked.connect(lambda _i: self.edit_agreement())
        self.tax_table.doubleClicked.connect(lambda _i: self.edit_tax())
        self.save_button.clicked.connect(self.save_progress)
        self.edit_agreement_button.clicked.connect(self.edit_agreement)
        self.tax_button.clicked.connect(self.edit_tax)
        self.tax_delete_button.clicked.connect(self.delete_tax)
        for key, widget in (("investor", self.investor_edit), ("new_project", self.project_edit)):
            widget.textEdited.connect(lambda _t, k=key: show_at(self.errors[k], ""))
            widget.returnPressed.connect(self.save_progress)
        for key, widget in (("town_reviewed_on", self.reviewed_edit), ("negotiated_on", self.negotiated_edit),
                            ("joint_review_on", self.joint_edit)):
            widget.changed.connect(lambda k=key: show_at(self.errors[k], ""))
        self.joint_result.currentIndexChanged.connect(lambda: show_at(self.errors["joint_review_passed"], ""))
        sc = QShortcut(QKeySequence.StandardKey.Find, self)
        sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        sc.activated.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self._show_row(None)

    def restore_layout(self) -> None:
        super().restore_layout()
        for key, splitter in (("acquisition/splitter", self.splitter),
                              ("acquisition/detail_splitter", self.detail_splitter)):
            state = self.ctx.settings.value(key)
            if isinstance(state, QByteArray):
                splitter.restoreState(state)

    def save_layout(self) -> None:
        super().save_layout()
        self.ctx.settings.setValue("acquisition/splitter", self.splitter.saveState())
        self.ctx.settings.setValue("acquisition/detail_splitter", self.detail_splitter.saveState())

    def as_of(self) -> dt.date:
        d = self.as_of_edit.date()
        return dt.date(d.year(), d.month(), d.day())

    # Loading --------------------------------------------------------------------------------------
    def refresh(self) -> None:
        if self._as_of_year != self.ctx.year:  # another year chosen: count its tax months to its end (or today)
            self._as_of_year = self.ctx.year
            a = default_as_of(self.ctx.year)
            self.as_of_edit.blockSignals(True)
            self.as_of_edit.setDate(QDate(a.year, a.month, a.day))
            self.as_of_edit.blockSignals(False)
        token, db, year = self.next_token(), self.ctx.db, self.ctx.year
        town_id, stage, text, as_of = (self.town_filter.currentData(), self.stage_filter.currentData(),
                                       self.search.text(), self.as_of())

        def fetch():
            rows = acquisition_service.acquisition_entries(db, year, town_id=town_id, text=text, as_of=as_of)
            if stage is not None:
                rows = [r for r in rows if r.stage is stage]
            return rows, town_service.list_towns(db)

        self.ctx.worker.run(fetch, lambda r: self._loaded(token, *r),
                            lambda e: show_error(self, e) if self.current(token) else None)

    def _loaded(self, token: int, rows: list[AcquisitionRow], towns) -> None:
        if not self.current(token):
            return
        sync_combo(self.town_filter, [(t.id, t.name) for t in towns])
        set_rows_keep(self.table, rows)
        missing = sum(1 for r in rows if r.missing_months)
        unpaid = sum(1 for r in rows if r.unpaid_wan > 0)
        self.count_label.setText(f"收购对象 {len(rows)} 个；税收缺报 {missing} 个，欠缴 {unpaid} 个")
        self._entry_selected()

    def _entry_selected(self) -> None:
        row: AcquisitionRow | None = selected_row(self.table)
        if row is None:
            self._show_row(None)
            return
        db, entry_id, as_of = self.ctx.db, row.entry_id, self.as_of()

        def fetch():
            acq = acquisition_service.get_acquisition(db, entry_id, as_of=as_of)
            months = (acquisition_service.tax_months(db, acq.acquisition_id, as_of)
                      if acq.acquisition_id is not None else [])
            return acq, acquisition_service.agreements_of(db, entry_id), months

        def show(result) -> None:
            current = selected_row(self.table)
            if current is not None and current.entry_id == entry_id:
                self._show_row(*result)

        self.ctx.worker.run(fetch, show, lambda e: show_error(self, e))

    def _show_row(self, row: AcquisitionRow | None, agreements=(), months=()) -> None:
        self._row = row
        for e in self.errors.values():
            show_at(e, "")
        for w in (self.investor_edit, self.project_edit, self.reviewed_edit, self.negotiated_edit, self.joint_edit,
                  self.joint_result, self.note_edit, self.save_button, self.new_agreement_button):
            w.setEnabled(row is not None)
        if row is None:
            self.progress_box.setTitle("收购进度（请选择治理对象）")
            self.agreements_box.setTitle("协议")
            self.tax_box.setTitle("税收反馈（每月）")
            for w in (self.investor_edit, self.project_edit, self.note_edit):
                w.clear()
            for w in (self.reviewed_edit, self.negotiated_edit, self.joint_edit):
                w.set_value(None)
            self.joint_result.setCurrentIndex(0)
            self.agreement_model.set_rows([])
            self.tax_model.set_rows([])
            self.gate_label.clear()
            self.tax_summary.clear()
            self._enable()
            return
        self.progress_box.setTitle(f"收购进度：{row.target}（{row.stage_text}）")
        self.investor_edit.setText(row.investor)
        self.project_edit.setText(row.new_project)
        self.reviewed_edit.set_value(row.town_reviewed_on)
        self.negotiated_edit.set_value(row.negotiated_on)
        self.joint_edit.set_value(row.joint_review_on)
        self.joint_result.setCurrentIndex([v for _l, v in JOINT_RESULTS].index(row.joint_review_passed))
        self.note_edit.setPlainText(row.note)
        self.agreements_box.setTitle(f"协议：{row.target}")
        set_rows_keep(self.agreement_table, list(agreements))
        for kind in agreement_service.KINDS_AFTER_JOINT_REVIEW:
            self.agreement_actions[kind].setEnabled(bool(row.joint_review_passed))
        if row.joint_review_passed:
            self.gate_label.setText(f"会审已于 {fmt_date(row.joint_review_on)} 通过，可签订收购、投资监管等协议。")
            self.gate_label.setStyleSheet("color: #2e7d32;")
        else:
            why = "会审未通过" if row.joint_review_passed is False else "尚未会审"
            self.gate_label.setText(f"{why}：须经市产业项目全流程服务领导小组会审通过后方可签订收购、投资监管协议。")
            self.gate_label.setStyleSheet("color: #c0392b;")
        self.tax_box.setTitle(f"税收反馈（截至 {fmt_date(self.as_of())}）")
        set_rows_keep(self.tax_table, list(months))
        if row.signed_on is None:
            self.tax_summary.setText("收购协议签订后，按月登记税务部门的反馈。")
        else:
            missing = [m for m in months if m.missing]
            unpaid = [m for m in months if m.unpaid]
            parts = [f"自 {row.signed_on.year}年{row.signed_on.month}月 起共 {len(months)} 个月"]
            parts.append(f"<span style='color:#c0392b'>缺报 {len(missing)} 个月</span>" if missing else "无缺报")
            if unpaid:
                total = sum((m.balance_wan for m in unpaid), Decimal(0))
                parts.append(f"欠缴 {units.fmt(total, 2)} 万元")
            self.tax_summary.setText("，".join(parts) + "。")
        self._enable()

    def _enable(self) -> None:
        row = self._row
        self.edit_agreement_button.setEnabled(selected_row(self.agreement_table) is not None)
        self.tax_button.setEnabled(row is not None and row.acquisition_id is not None)
        tax = selected_row(self.tax_table)
        self.tax_delete_button.setEnabled(tax is not None and tax.record_id is not None)

    # Progress -------------------------------------------------------------------------------------
    def values(self) -> AcquisitionValues:
        return AcquisitionValues(
            investor=self.investor_edit.text(), new_project=self.project_edit.text(),
            town_reviewed_on=self.reviewed_edit.value(), negotiated_on=self.negotiated_edit.value(),
            joint_review_on=self.joint_edit.value(), joint_review_passed=self.joint_result.currentData(),
            note=self.note_edit.toPlainText(),
            revision=self._row.revision if self._row else None)

    def save_progress(self) -> None:
        row = self._row
        if row is None or not self.save_button.isEnabled():
            return
        for e in self.errors.values():
            show_at(e, "")

        def failed(exc: BaseException) -> None:
            self.save_button.setEnabled(True)
            name = getattr(exc, "field", None)
            if name in self.errors:
                show_at(self.errors[name], exc.message)
                self.focus_of[name].setFocus()
            else:
                show_error(self, exc)

        try:
            values = self.values()
        except ValidationError as exc:
            failed(exc)
            return
        db, entry_id, as_of = self.ctx.db, row.entry_id, self.as_of()
        self.save_button.setEnabled(False)

        def done(_r) -> None:
            self.save_button.setEnabled(True)
            self.ctx.changed("acquisition")

        self.ctx.worker.run(lambda: acquisition_service.save_acquisition(db, entry_id, values, as_of=as_of),
                            done, failed)

    # Agreements -----------------------------------------------------------------------------------
    def new_agreement(self, kind: AgreementKind) -> None:
        if self._row is not None:
            open_agreement_dialog(self, self.ctx, kind=kind, entry_id=self._row.entry_id, town_id=self._row.town_id)

    def edit_agreement(self) -> None:
        a = selected_row(self.agreement_table)
        if a is not None:
            open_agreement_dialog(self, self.ctx, row=a)

    # Tax ------------------------------------------------------------------------------------------
    def edit_tax(self) -> None:
        row = self._row
        if row is None or row.acquisition_id is None:
            return
        tax: TaxMonthRow | None = selected_row(self.tax_table)
        month = tax.month if tax is not None else dt.date(self.as_of().year, self.as_of().month, 1)
        dialog = TaxRecordDialog(month, tax, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        db, acq_id = self.ctx.db, row.acquisition_id

        def save(month_: dt.date, due: str, paid: str, note: str) -> None:
            def done(_r) -> None:
                dialog.accept()
                self.ctx.changed("tax_record")

            self.ctx.worker.run(lambda: acquisition_service.save_tax_record(db, acq_id, month_, due, paid, note),
                                done, dialog.show_error)

        dialog.submitted.connect(save)
        dialog.finished.connect(lambda _r: setattr(self, "tax_dialog", None))
        self.tax_dialog = dialog
        dialog.open()

    def delete_tax(self) -> None:
        tax: TaxMonthRow | None = selected_row(self.tax_table)
        if tax is None or tax.record_id is None:
            return
        if QMessageBox.question(self, "删除税收反馈",
                                f"确定删除 {tax.month.year}年{tax.month.month}月 的税收反馈记录？") \
                != QMessageBox.StandardButton.Yes:
            return
        db = self.ctx.db
        self.ctx.worker.run(lambda: acquisition_service.delete_tax_record(db, tax.record_id),
                            lambda _r: self.ctx.changed("tax_record"), lambda e: show_error(self, e))

