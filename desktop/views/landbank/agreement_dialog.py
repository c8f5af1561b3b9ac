"""新增/编辑协议: kind, town, entry, SOE, parties, dates, amount and area, with a live cost line.

The cost line is agreement_service.preview_agreement's: this agreement's cost per 亩 and the SOE ×
town average of the year before → after saving (四(二)), red when over the cap. Before saving, the
dialog asks once about everything that should not pass silently: a 收储协议 whose groundwork steps or
合作协议 are missing (landbank_service.agreement_gaps, 三(三)1), and an average over the cap
(“超过上限，确认保存？”, recorded by the service in the audit log when confirmed).
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QMessageBox, QToolButton, QWidget

from desktop.models.enums import AgreementKind
from desktop.services import units
from desktop.services.errors import Refused, ValidationError
from desktop.services.landbank import agreement_service, landbank_service
from desktop.services.landbank.agreement_service import AgreementChoices, AgreementRow, AgreementValues, \
    CapPreview, OverCapRefused
from desktop.views.kit.layouts import hbox
from desktop.views.kit.attachment_widget import AttachmentPanel
from desktop.views.kit.context import AppContext
from desktop.views.kit.date_field import DateField
from desktop.views.kit.forms import FormDialog, plain, show_at
from desktop.views.kit.ops import query, write
from desktop.views.kit.rows import RED
from desktop.views.kit.undo import Step, UndoKit

PREVIEW_DELAY_MS = 150
OVER_CAP_QUESTION = "超过上限，确认保存？"
GAPS_QUESTION = "仍要保存吗？"
LINE_STYLE = "padding: 4px; border: 1px solid #d0d7de; border-radius: 3px; background: #f6f8fa;"
OVER_STYLE = (f"padding: 4px; border: 1px solid {RED.name()}; border-radius: 3px; background: #fdecea;"
              f" color: {RED.name()}; font-weight: bold;")
NO_ENTRY = "（不对应具体治理对象）"
NO_SOE = "（无）"
YES, NO = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No


# On the lane ----------------------------------------------------------------------------------------

def _before_saving(ledger, values: AgreementValues, ask_gaps: bool):
    """What to ask before saving: the entry's missing groundwork and 合作协议 (when asked for) and the
    SOE × town average after this agreement."""
    gaps = landbank_service.agreement_gaps(ledger, values.entry_id) if ask_gaps else None
    return gaps, agreement_service.preview_agreement(ledger, values)


def _save_as(ledger, agreement_id: int | None, values: AgreementValues, confirm: bool) -> AgreementRow:
    """Undo and redo: save these values as agreement `agreement_id` (None: a new one), no revision check."""
    return agreement_service.save_agreement(ledger, replace(values, id=agreement_id, revision=None),
                                            confirm_over_cap=confirm)


def _delete_bare(ledger, agreement_id: int) -> None:
    """Undo of a new agreement: delete it — unless scans were added since, which a delete would drop."""
    if agreement_service.get_agreement(ledger, agreement_id).attachments:
        raise Refused("该协议已添加扫描件，不能撤销新增；如确需删除，请在协议列表中删除")
    agreement_service.delete_agreement(ledger, agreement_id)


def push_saved(undo: UndoKit, before: AgreementRow | None, after: AgreementRow) -> None:
    """Put a saved agreement on a tab's undo stack."""
    ref = undo.ref(after.id)
    if before is None:
        undo.push(f"新增{after.kind.label}", undo=Step(_delete_bare, ref),
                  redo=Step(_save_as, None, after.values(), after.over_cap_confirmed, sets=ref))
    else:
        undo.push(f"修改{after.kind.label}", undo=Step(_save_as, ref, before.values(), before.over_cap_confirmed),
                  redo=Step(_save_as, ref, after.values(), after.over_cap_confirmed))


def push_deleted(undo: UndoKit, row: AgreementRow) -> None:
    """A deleted agreement without scans comes back on undo (one with scans cannot: it was asked first)."""
    if not row.attachments:
        ref = undo.ref(row.id)
        undo.push(f"删除{row.kind.label}", undo=Step(_save_as, None, row.values(), row.over_cap_confirmed, sets=ref),
                  redo=Step(agreement_service.delete_agreement, ref))


class AgreementDialog(FormDialog):
    """Edits one agreement and saves it through the op bridge. Emits `saved(AgreementRow)`."""

    saved = Signal(object)

    def __init__(self, ctx: AppContext, choices: AgreementChoices, values: AgreementValues,
                 row: AgreementRow | None = None, parent=None) -> None:
        super().__init__("编辑协议" if values.id else "新增协议", parent, width=620)
        self.ctx, self.choices, self._row = ctx, choices, row
        self._id, self._revision, self._year = values.id, values.revision, values.year
        self._auto_parties = ("", "")
        self.last_preview: CapPreview | None = None
        self._build()
        self._load(values)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.update_preview)
        for signal in (self.kind_combo.currentIndexChanged, self.town_combo.currentIndexChanged,
                       self.entry_combo.currentIndexChanged, self.soe_combo.currentIndexChanged,
                       self.amount_edit.textChanged, self.area_edit.textChanged):
            signal.connect(self._timer.start)
        self.submitted.connect(self._check_then_save)
        self.update_preview()

    # Layout ------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.kind_combo = self.add("kind", "协议类型", QComboBox())
        for k in AgreementKind:
            self.kind_combo.addItem(k.label, k)
        self.town_combo = self.add("town_id", "镇街", QComboBox())
        for tid, name in self.choices.towns:
            self.town_combo.addItem(name, tid)
        self.entry_combo = self.add("entry_id", "治理对象", QComboBox())
        self.entry_combo.setMinimumContentsLength(24)
        self.soe_combo = self.add("soe_id", "市级国企", QComboBox())
        self.soe_combo.addItem(NO_SOE, None)
        for sid, name in self.choices.soes:
            self.soe_combo.addItem(name, sid)
        self.party_a_edit = self.add("party_a", "甲方", QLineEdit())
        self.party_b_edit = self.add("party_b", "乙方", QLineEdit())
        self.signed_edit = self.add("signed_on", "签订日期",
                                    DateField(label="签订日期", field="signed_on", year=self._year))
        self.amount_edit = self.add("amount_wan", "协议金额（万元）", QLineEdit())
        self.amount_edit.setPlaceholderText("万元")
        self.area_edit = self.add("area_mu", "面积（亩）", QLineEdit())
        self.area_edit.setPlaceholderText("亩（也可输入 8000㎡）")
        self.filed_edit = DateField(label="备案日期", field="filed_on", year=self._year)
        clear_filed = QToolButton()
        clear_filed.setText("清空")
        clear_filed.clicked.connect(lambda: self.filed_edit.set_value(None))
        self.add("filed_on", "备案日期", self.filed_edit, shown=hbox((self.filed_edit, 1), clear_filed))
        self.note_edit = self.add("note", "备注", QLineEdit())

        self.cost_line = QLabel()
        self.cost_line.setObjectName("cost_line")
        self.cost_line.setWordWrap(True)
        self.cost_line.setStyleSheet(LINE_STYLE)
        self.cost_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.attachments = AttachmentPanel(self.ctx, "扫描件")
        self.attachments.view.setMaximumHeight(90)
        self.attach_hint = QLabel("保存协议后可在此添加扫描件。")
        self.attach_hint.setStyleSheet("color: #707070;")
        for w in (self.cost_line, self.attachments, self.attach_hint):
            self.layout().insertWidget(self.layout().count() - 1, w)  # above 保存/取消
        self.ok_button.setDefault(True)

        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.town_combo.currentIndexChanged.connect(self._town_changed)
        self.entry_combo.currentIndexChanged.connect(self._entry_changed)
        self.soe_combo.currentIndexChanged.connect(lambda: self._prefill_parties())

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
        """The typed values; with strict=False a number or date that does not read is left empty."""
        def read(fn, *args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except ValidationError:
                if strict:
                    raise
                return None

        return AgreementValues(
            kind=self._kind(), year=self._year, town_id=self.town_combo.currentData(),
            entry_id=self.entry_combo.currentData(), soe_id=self.soe_combo.currentData(),
            party_a=self.party_a_edit.text(), party_b=self.party_b_edit.text(),
            signed_on=read(self.signed_edit.value),
            amount_wan=read(units.parse_decimal, self.amount_edit.text(), field="amount_wan", label="协议金额"),
            area_mu=read(units.parse_area, self.area_edit.text(), field="area_mu", label="面积"),
            filed_on=read(self.filed_edit.value), note=self.note_edit.text(), id=self._id, revision=self._revision)

    def clean(self, values: AgreementValues) -> AgreementValues:
        return agreement_service.clean(values, today=self.ctx.ledger.today())

    # Live cost line -------------------------------------------------------------------------------
    def update_preview(self) -> None:
        self._timer.stop()
        query(self, "preview", agreement_service.preview_agreement, self.values(strict=False),
              done=self._show_preview, failed=self._preview_failed)

    def _show_preview(self, preview: CapPreview) -> None:
        self.last_preview = preview
        self.cost_line.setText(preview.line)
        self.cost_line.setStyleSheet(OVER_STYLE if preview.over else LINE_STYLE)
        self.cost_line.setToolTip(preview.message if preview.over else "")

    def _preview_failed(self, exc: BaseException) -> None:
        self.cost_line.setText(f"无法计算成本均价：{exc}")
        self.cost_line.setStyleSheet(LINE_STYLE)

    def cost_line_is_red(self) -> bool:
        return self.cost_line.styleSheet() == OVER_STYLE

    # Saving: ask first, then save -------------------------------------------------------------------
    def submit(self) -> None:
        if self.ok_button.isEnabled():  # one save at a time
            super().submit()

    def _asks_gaps(self, v: AgreementValues) -> bool:
        """三(三)1: a new 收储协议 (or one moved to another entry) is checked against its groundwork."""
        if v.kind is not AgreementKind.LAND_BANKING or v.entry_id is None:
            return False
        return self._row is None or self._row.entry_id != v.entry_id or self._row.kind is not v.kind

    def _check_then_save(self, values: AgreementValues) -> None:
        query(self, "check", _before_saving, values, self._asks_gaps(values),
              done=lambda answer: self._ask(values, *answer), failed=self.show_error)

    def _ask(self, values: AgreementValues, gaps, preview: CapPreview) -> None:
        self._show_preview(preview)
        said = []
        if gaps is not None and not gaps.complete:
            said.append(f"签订收储协议前应完成的工作：{gaps.message}。")
        if preview.over:
            said.append(f"{preview.message}。")
        if said:
            title = "超过成本均价上限" if preview.over else "收储协议签订前的工作未完成"
            question = OVER_CAP_QUESTION if preview.over else GAPS_QUESTION
            if QMessageBox.question(self, title, "\n\n".join(said + [question]), YES | NO, NO) != YES:
                self.ok_button.setEnabled(True)
                return
        self._save(values, confirm=preview.over)

    def _save(self, values: AgreementValues, *, confirm: bool) -> None:
        self.ok_button.setEnabled(False)
        write(self, agreement_service.save_agreement, values, confirm_over_cap=confirm,
              done=self._saved, failed=lambda exc: self._save_failed(values, confirm, exc))

    def _save_failed(self, values: AgreementValues, confirmed: bool, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(exc, OverCapRefused) and not confirmed:  # another clerk's agreement tipped the average
            self._show_preview(exc.preview)
            answer = QMessageBox.question(self, "超过成本均价上限", f"{exc.preview.message}。\n\n{OVER_CAP_QUESTION}",
                                          YES | NO, NO)
            if answer == YES:
                self._save(values, confirm=True)
            return
        self.show_error(exc)

    def _saved(self, saved: AgreementRow) -> None:
        self.ok_button.setEnabled(True)
        self.saved.emit(saved)
        self.accept()


def open_agreement_dialog(parent: QWidget, ctx: AppContext, *, row: AgreementRow | None = None,
                          kind: AgreementKind | None = None, entry_id: int | None = None,
                          town_id: int | None = None, soe_id: int | None = None) -> None:
    """Load the choices on the lane, then open the dialog (editing `row`, or a new agreement of `kind`
    prefilled from the entry, town and SOE). The dialog is kept as `parent.agreement_dialog`; a save
    goes on `parent.undo`."""
    year = row.year if row is not None else ctx.year

    def ready(choices: AgreementChoices) -> None:
        values = row.values() if row is not None else agreement_service.prefill(
            choices, kind or AgreementKind.LAND_BANKING, year, entry_id=entry_id, town_id=town_id, soe_id=soe_id)
        dialog = AgreementDialog(ctx, choices, values, row, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda saved: push_saved(parent.undo, row, saved))
        parent.agreement_dialog = dialog
        dialog.finished.connect(lambda _r: setattr(parent, "agreement_dialog", None))
        dialog.open()

    query(parent, "agreement_choices", agreement_service.choices, year, done=ready)
