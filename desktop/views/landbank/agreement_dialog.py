"""新增/编辑协议: kind, town, entry, SOE, parties, dates, amount and area, with a live cost line.

The cost line is agreement_service.preview_agreement's: this agreement's cost per 亩 and the SOE ×
town average of the year before → after saving (四(二)), red when over the cap. Saving over the cap
is refused by the service; the dialog then asks “超过上限，确认保存？” and saves again with the
confirmation, which the service records in the audit log.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import AgreementKind
from desktop.services import units
from desktop.services.landbank import agreement_service
from desktop.services.landbank.agreement_service import AgreementChoices, AgreementRow, AgreementValues, CapPreview, OverCapRefused
from desktop.services.errors import ValidationError
from desktop.views.kit.attachment_widget import AttachmentPanel
from desktop.views.kit.context import AppContext
from desktop.views.landbank.landbank_common import RED
from desktop.views.kit.date_field import DateField
from desktop.views.kit.forms import FieldErrorDialog, error_label, plain, show_at
from desktop.views.kit.worker import show_error

PREVIEW_DELAY_MS = 150
OVER_CAP_QUESTION = "超过上限，确认保存？"
LINE_STYLE = "padding: 4px; border: 1px solid #d0d7de; border-radius: 3px; background: #f6f8fa;"
OVER_STYLE = f"padding: 4px; border: 1px solid {RED.name()}; border-radius: 3px; background: #fdecea; color: {RED.name()}; font-weight: bold;"
NO_ENTRY = "（不对应具体治理对象）"
NO_SOE = "（无）"


class AgreementDialog(FieldErrorDialog, QDialog):
    """Edits one agreement and saves it on the worker lane. Emits `saved(AgreementRow)`."""

    saved = Signal(object)

    def __init__(self, ctx: AppContext, choices: AgreementChoices, values: AgreementValues,
                 row: AgreementRow | None = None, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.choices = choices
        self._id = values.id
        self._revision = values.revision
        self._year = values.year
        self._row = row
        self._auto_parties = ("", "")
        self._preview_token = 0
        self.last_preview: CapPreview | None = None
        self.setWindowTitle("编辑协议" if values.id else "新增协议")
        self.setMinimumWidth(620)
        self._build()
        self._load(values)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.update_preview)
        for signal in (self.kind_combo.currentIndexChanged, self.town_combo.currentIndexChanged,
                       self.entry_combo.currentIndexChanged, self.soe_combo.currentIndexChanged,
                       self.amount_edit.textChanged, self.area_edit.textChanged):
            signal.connect(self._schedule_preview)
        self.update_preview()

    # Layout ------------------------------------------------------------------------------------
    def _build(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        names = ("kind", "town_id", "entry_id", "soe_id", "party_a", "party_b", "signed_on", "amount_wan",
                 "area_mu", "filed_on", "note")
        self.errors = {n: error_label() for n in names}
        self.kind_combo = QComboBox()
        for k in AgreementKind:
            self.kind_combo.addItem(k.label, k)
        self.town_combo = QComboBox()
        for tid, name in self.choices.towns:
            self.town_combo.addItem(name, tid)
        self.entry_combo = QComboBox()
        self.entry_combo.setMinimumContentsLength(24)
        self.soe_combo = QComboBox()
        self.soe_combo.addItem(NO_SOE, None)
        for sid, name in self.choices.soes:
            self.soe_combo.addItem(name, sid)
        self.party_a_edit = QLineEdit()
        self.party_b_edit = QLineEdit()
        self.signed_edit = DateField(label="签订日期", field="signed_on", show_error_line=False)
        self.amount_edit = QLineEdit()
        self.amount_edit.setPlaceholderText("万元")
        self.area_edit = QLineEdit()
        self.area_edit.setPlaceholderText("亩（也可输入 8000㎡）")
        self.filed_edit = DateField(label="备案日期", field="filed_on", show_error_line=False)
        clear_filed = QToolButton()
        clear_filed.setText("清空")
        clear_filed.clicked.connect(lambda: self.filed_edit.set_value(None))
        filed_w = QWidget()
        fl = QHBoxLayout(filed_w)
        fl.setContentsMargins(0, 0, 0, 0)
        fl.addWidget(self.filed_edit, 1)
        fl.addWidget(clear_filed)
        self.note_edit = QLineEdit()
        self.focus_of = {"kind": self.kind_combo, "town_id": self.town_combo, "entry_id": self.entry_combo,
                         "soe_id": self.soe_combo, "party_a": self.party_a_edit, "party_b": self.party_b_edit,
                         "signed_on": self.signed_edit, "amount_wan": self.amount_edit, "area_mu": self.area_edit,
                         "filed_on": self.filed_edit, "note": self.note_edit}
        rows = (("kind", "协议类型", self.kind_combo), ("town_id", "镇街", self.town_combo),
                ("entry_id", "治理对象", self.entry_combo), ("soe_id", "市级国企", self.soe_combo),
                ("party_a", "甲方", self.party_a_edit), ("party_b", "乙方", self.party_b_edit),
                ("signed_on", "签订日期", self.signed_edit), ("amount_wan", "协议金额（万元）", self.amount_edit),
                ("area_mu", "面积（亩）", self.area_edit), ("filed_on", "备案日期", filed_w),
                ("note", "备注", self.note_edit))
        for key, label, widget in rows:
            holder = QWidget()
            hl = QVBoxLayout(holder)
            hl.setContentsMargins(0, 0, 0, 0)
            hl.setSpacing(2)
            hl.addWidget(widget)
            hl.addWidget(self.errors[key])
            form.addRow(label, holder)

        self.cost_line = QLabel()
        self.cost_line.setObjectName("cost_line")
        self.cost_line.setWordWrap(True)
        self.cost_line.setStyleSheet(LINE_STYLE)
        self.cost_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.attachments = AttachmentPanel(self.ctx, "扫描件")
        self.attachments.view.setMaximumHeight(90)
        self.attach_hint = QLabel("保存协议后可在此添加扫描件。")
        self.attach_hint.setStyleSheet("color: #707070;")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("保存")
        self.ok_button.setDefault(True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.cost_line)
        layout.addWidget(self.attachments)
        layout.addWidget(self.attach_hint)
        layout.addWidget(buttons)

        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.town_combo.currentIndexChanged.connect(self._town_changed)
        self.entry_combo.currentIndexChanged.connect(self._entry_changed)
        self.soe_combo.currentIndexChanged.connect(lambda: self._prefill_parties())
        for key, widget in (("party_a", self.party_a_edit), ("party_b", self.party_b_edit),
                            ("amount_wan", self.amount_edit), ("area_mu", self.area_edit),
                            ("note", self.note_edit)):
            widget.textEdited.connect(lambda _t, k=key: show_at(self.errors[k], ""))
        self.signed_edit.changed.connect(lambda: show_at(self.errors["signed_on"], ""))
        self.filed_edit.changed.connect(lambda: show_at(self.errors["filed_on"], ""))

    def _load(self, v: AgreementValues) -> None:
        for combo in (self.kind_combo, self.town_combo, self.entry_combo, self.soe_combo):
            combo.blockSignals(True)
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(v.kind), 0))
        idx = self.town_combo.findData(v.town_id)
        if idx < 0 and v.town_id is not None and self._row is not None:
            self.town_combo.addItem(self._row.town, v.town_id)  # a town since deactivated
            idx = self.town_combo.count() - 1
        self.town_combo.setCurrentIndex(idx)
        self._fill_entries(v.entry_id)
        self.soe_combo.setCurrentIndex(max(self.soe_combo.findData(v.soe_id), 0))
        for combo in (self.kind_combo, self.town_combo, self.entry_combo, self.soe_combo):
            combo.blockSignals(False)
        self.party_a_edit.setText(v.party_a)
        self.party_b_edit.setText(v.party_b)
        self._auto_parties = (v.party_a, v.party_b) if v.id is None else ("", "")
        self.signed_edit.set_value(v.signed_on)
        self.filed_edit.set_value(v.filed_on)
        self.amount_edit.setText(plain(v.amount_wan))
        self.area_edit.setText(plain(v.area_mu))
        self.note_edit.setText(v.note)
        self._show_attachments()

    def _show_attachments(self) -> None:
        has_id = self._id is not None
        self.attachments.setVisible(has_id)
        self.attach_hint.setVisible(not has_id)
        if has_id:
            self.attachments.set_object("agreement", self._id)

    # Choices follow each other --------------------------------------------------------------------
    def _kind(self) -> AgreementKind:
        return self.kind_combo.currentData()

    def _fill_entries(self, selected: int | None) -> None:
        kind, town_id = self._kind(), self.town_combo.currentData()
        method = agreement_service.METHOD_OF_KIND.get(kind)
        self.entry_combo.blockSignals(True)
        self.entry_combo.clear()
        if kind not in agreement_service.KINDS_NEEDING_ENTRY:
            self.entry_combo.addItem(NO_ENTRY, None)
        for e in self.choices.entries:
            if e.town_id == town_id and (method is None or e.method is method):
                self.entry_combo.addItem(f"{e.target}（{e.method.label}，{units.fmt(e.planned_area_mu, 2)} 亩）", e.id)
        if selected is not None and self.entry_combo.findData(selected) < 0 and self._row is not None \
                and self._row.entry_id == selected:
            self.entry_combo.addItem(self._row.target or f"条目 {selected}", selected)
        self.entry_combo.setCurrentIndex(self.entry_combo.findData(selected) if selected is not None else 0)
        self.entry_combo.blockSignals(False)

    def _kind_changed(self) -> None:
        self._fill_entries(self.entry_combo.currentData())
        self._entry_changed()

    def _town_changed(self) -> None:
        show_at(self.errors["town_id"], "")
        self._fill_entries(self.entry_combo.currentData())
        self._entry_changed()

    def _entry_changed(self) -> None:
        show_at(self.errors["entry_id"], "")
        entry = self.choices.entry(self.entry_combo.currentData())
        kind = self._kind()
        if entry is not None and kind in agreement_service.KINDS_NEEDING_SOE and self.soe_combo.currentData() is None:
            self.soe_combo.setCurrentIndex(max(self.soe_combo.findData(entry.soe_id), 0))
        if entry is not None and kind is AgreementKind.LAND_BANKING and not self.area_edit.text().strip():
            self.area_edit.setText(plain(entry.planned_area_mu))
        self._prefill_parties()

    def _prefill_parties(self) -> None:
        """Fill 甲方/乙方 from the names, unless the clerk typed them."""
        show_at(self.errors["soe_id"], "")
        entry = self.choices.entry(self.entry_combo.currentData())
        a, b = agreement_service.default_parties(
            self._kind(), town=self.choices.name_of_town(self.town_combo.currentData()),
            soe=self.choices.name_of_soe(self.soe_combo.currentData()),
            target=entry.target if entry else "", investor=entry.investor if entry else "")
        old_a, old_b = self._auto_parties
        if self.party_a_edit.text() in ("", old_a):
            self.party_a_edit.setText(a)
        if self.party_b_edit.text() in ("", old_b):
            self.party_b_edit.setText(b)
        self._auto_parties = (a, b)

    # Values ---------------------------------------------------------------------------------------
    def values(self, *, strict: bool = True) -> AgreementValues:
        """The typed values; with strict=False a number that does not parse is left empty."""
        def number(edit: QLineEdit, field: str, label: str, area: bool = False):
            try:
                if area:
                    return units.parse_area(edit.text(), field=field, label=label)
                return units.parse_decimal(edit.text(), field=field, label=label)
            except ValidationError:
                if strict:
                    raise
                return None

        def day(edit):
            try:
                return edit.value()
            except ValidationError:
                if strict:
                    raise
                return None

        return AgreementValues(
            kind=self._kind(), year=self._year, town_id=self.town_combo.currentData(),
            entry_id=self.entry_combo.currentData(), soe_id=self.soe_combo.currentData(),
            party_a=self.party_a_edit.text(), party_b=self.party_b_edit.text(),
            signed_on=day(self.signed_edit), amount_wan=number(self.amount_edit, "amount_wan", "协议金额"),
            area_mu=number(self.area_edit, "area_mu", "面积", area=True), filed_on=day(self.filed_edit),
            note=self.note_edit.text(), id=self._id, revision=self._revision)

    # Live cost line -------------------------------------------------------------------------------
    def _schedule_preview(self) -> None:
        self._timer.start()

    def update_preview(self) -> None:
        self._timer.stop()
        self._preview_token += 1
        token, values, db = self._preview_token, self.values(strict=False), self.ctx.db
        self.ctx.worker.run(lambda: agreement_service.preview_agreement(db, values),
                            lambda p: self._show_preview(token, p), lambda e: self._preview_failed(token, e))

    def _show_preview(self, token: int, preview: CapPreview) -> None:
        if token != self._preview_token:
            return
        self.last_preview = preview
        self.cost_line.setText(preview.line)
        self.cost_line.setStyleSheet(OVER_STYLE if preview.over else LINE_STYLE)
        self.cost_line.setToolTip(preview.message if preview.over else "")

    def _preview_failed(self, token: int, exc: BaseException) -> None:
        if token == self._preview_token:
            self.cost_line.setText(f"无法计算成本均价：{exc}")
            self.cost_line.setStyleSheet(LINE_STYLE)

    def cost_line_is_red(self) -> bool:
        return self.cost_line.styleSheet() == OVER_STYLE

    # Saving ---------------------------------------------------------------------------------------
    def submit(self) -> None:
        if not self.ok_button.isEnabled():
            return
        for err in self.errors.values():
            show_at(err, "")
        try:
            values = agreement_service.clean(self.values())
        except ValidationError as exc:
            self.show_error(exc)
            return
        self._save(values, confirm=False)

    def _save(self, values: AgreementValues, *, confirm: bool) -> None:
        self.ok_button.setEnabled(False)
        db = self.ctx.db
        self.ctx.worker.run(lambda: agreement_service.save_agreement(db, values, confirm_over_cap=confirm),
                            self._saved, lambda e: self._save_failed(values, confirm, e))

    def _save_failed(self, values: AgreementValues, confirmed: bool, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(exc, OverCapRefused) and not confirmed:
            self._show_preview(self._preview_token, exc.preview)
            answer = QMessageBox.question(self, "超过成本均价上限", f"{exc.preview.message}。\n\n{OVER_CAP_QUESTION}",
                                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                          QMessageBox.StandardButton.No)
            if answer == QMessageBox.StandardButton.Yes:
                self._save(values, confirm=True)
            return
        self.show_error(exc)

    def _saved(self, row: AgreementRow) -> None:
        self.ok_button.setEnabled(True)
        self.saved.emit(row)
        self.ctx.changed("agreement")
        self.accept()


def open_agreement_dialog(parent: QWidget, ctx: AppContext, *, row: AgreementRow | None = None,
                          kind: AgreementKind | None = None, entry_id: int | None = None,
                          town_id: int | None = None, soe_id: int | None = None) -> None:
    """Load the choices on the worker lane, then open the dialog (editing `row`, or a new agreement of
    `kind` prefilled from the entry, town and SOE). The dialog is kept as `parent.agreement_dialog`."""
    year = row.year if row is not None else ctx.year
    db = ctx.db

    def ready(choices: AgreementChoices) -> None:
        if row is not None:
            values = row.values()
        else:
            values = agreement_service.prefill(choices, kind or AgreementKind.LAND_BANKING, year,
                                               entry_id=entry_id, town_id=town_id, soe_id=soe_id)
        dialog = AgreementDialog(ctx, choices, values, row, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        parent.agreement_dialog = dialog
        dialog.finished.connect(lambda _r: setattr(parent, "agreement_dialog", None))
        dialog.open()

    ctx.worker.run(lambda: agreement_service.choices(db, year), ready, lambda e: show_error(parent, e))
