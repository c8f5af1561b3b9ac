"""协议 tab: every agreement of the year, filtered by kind, town and SOE; add, edit and delete through the
agreement dialog (with its live cost line); the selected agreement's scans."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import AgreementKind
from desktop.services import units
from desktop.services.landbank import agreement_service
from desktop.views.landbank.agreement_dialog import AgreementDialog, open_agreement_dialog
from desktop.views.kit.attachment_widget import AttachmentPanel
from desktop.views.landbank.landbank_common import (
    AgreementModel,
    TabBase,
    selected_row,
    set_rows_keep,
    set_widths,
    setup_table,
    sync_combo,
)
from desktop.views.kit.table_export import add_export_action, describe_filters
from desktop.views.kit.worker import show_error


class AgreementTab(TabBase):
    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.agreement_dialog: AgreementDialog | None = None
        self._pending: dict[QComboBox, object] = {}
        self._build()
        self.restore_layout()

    def tables(self):
        return {"agreements": self.table}

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("类型："))
        self.kind_filter = QComboBox()
        self.kind_filter.addItem("全部协议", None)
        for k in AgreementKind:
            self.kind_filter.addItem(k.label, k)
        bar.addWidget(self.kind_filter)
        bar.addWidget(QLabel("镇街："))
        self.town_filter = QComboBox()
        self.town_filter.addItem("全部镇街", None)
        self.town_filter.setMinimumWidth(110)
        bar.addWidget(self.town_filter)
        bar.addWidget(QLabel("国企："))
        self.soe_filter = QComboBox()
        self.soe_filter.addItem("全部国企", None)
        self.soe_filter.setMinimumWidth(150)
        bar.addWidget(self.soe_filter)
        self.search = QLineEdit()
        self.search.setPlaceholderText("甲方、乙方、治理对象（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        bar.addWidget(self.search)
        bar.addStretch(1)
        self.add_button = QPushButton("新增协议")
        self.add_button.setToolTip("Ctrl+N")
        self.edit_button = QPushButton("编辑")
        self.edit_button.setToolTip("回车或双击")
        self.delete_button = QPushButton("删除")
        self.delete_button.setToolTip("Delete")
        for b in (self.add_button, self.edit_button, self.delete_button):
            bar.addWidget(b)
        bar.addWidget(add_export_action(
            self, lambda: self.table, title=lambda: f"{self.ctx.year}年度协议", settings_key="landbank",
            subtitle=lambda: describe_filters(("类型", self.kind_filter), ("镇街", self.town_filter),
                                              ("国企", self.soe_filter), ("关键词", self.search))))
        outer.addLayout(bar)

        self.model = AgreementModel(self)
        self.table = QTableView()
        setup_table(self.table, self.model, "agreement_table")
        set_widths(self.table, {"kind": 90, "town": 75, "soe": 170, "target": 170, "party_a": 130, "party_b": 160,
                                "signed_on": 90, "amount_wan": 100, "area_mu": 80, "cost_per_mu": 100,
                                "filed_on": 90, "over_cap_confirmed": 70})
        self.attachments = AttachmentPanel(self.ctx, "扫描件（请先选择协议）")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        bottom = QWidget()
        bl = QHBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(self.attachments, 3)
        bl.addWidget(self.summary, 2)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        outer.addWidget(self.splitter, 1)

        for combo in (self.kind_filter, self.town_filter, self.soe_filter):
            combo.currentIndexChanged.connect(lambda: self.refresh())
        self.search.textChanged.connect(lambda: self.refresh())
        self.add_button.clicked.connect(self.add_agreement)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selected_changed())
        for seq, slot, widget, context in (
            (QKeySequence.StandardKey.Find, self._focus_search, self, Qt.ShortcutContext.WidgetWithChildrenShortcut),
            (QKeySequence.StandardKey.New, self.add_agreement, self, Qt.ShortcutContext.WidgetWithChildrenShortcut),
            (QKeySequence.StandardKey.Delete, self.delete_selected, self.table, Qt.ShortcutContext.WidgetShortcut),
            (QKeySequence(Qt.Key.Key_Return), self.edit_selected, self.table, Qt.ShortcutContext.WidgetShortcut),
            (QKeySequence(Qt.Key.Key_Enter), self.edit_selected, self.table, Qt.ShortcutContext.WidgetShortcut),
        ):
            sc = QShortcut(seq, widget)
            sc.setContext(context)
            sc.activated.connect(slot)
        self._selected_changed()

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # Loading ----------------------------------------------------------------------------------------
    def set_filters(self, *, kind: AgreementKind | None = None, town_id: int | None = None,
                    soe_id: int | None = None) -> None:
        """Show one pair's (or kind's) agreements — used by the 成本均价 tab."""
        self._pending = {self.kind_filter: kind, self.town_filter: town_id, self.soe_filter: soe_id}
        self._apply_pending()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.refresh()

    def _apply_pending(self) -> None:
        """Select the wanted filter values once the combos hold them (the towns and SOEs load lazily)."""
        for combo, value in list(self._pending.items()):
            idx = 0 if value is None else combo.findData(value)
            if idx >= 0:
                combo.blockSignals(True)
                combo.setCurrentIndex(idx)
                combo.blockSignals(False)
                del self._pending[combo]

    def _filter(self, combo: QComboBox):
        return self._pending[combo] if combo in self._pending else combo.currentData()

    def refresh(self) -> None:
        token, db, year = self.next_token(), self.ctx.db, self.ctx.year
        kind, town_id, soe_id = (self._filter(self.kind_filter), self._filter(self.town_filter),
                                 self._filter(self.soe_filter))
        text = self.search.text()

        def fetch():
            return (agreement_service.list_agreements(db, year, kind=kind, town_id=town_id, soe_id=soe_id, text=text),
                    agreement_service.choices(db, year))

        self.ctx.worker.run(fetch, lambda r: self._loaded(token, *r),
                            lambda e: show_error(self, e) if self.current(token) else None)

    def _loaded(self, token: int, rows, choices) -> None:
        if not self.current(token):
            return
        sync_combo(self.town_filter, [(i, n) for i, n in choices.towns])
        sync_combo(self.soe_filter, [(i, n) for i, n in choices.soes])
        self._apply_pending()
        set_rows_keep(self.table, rows)
        by_kind = Counter(r.kind for r in rows)
        kinds = "、".join(f"{k.label} {by_kind[k]}" for k in AgreementKind if by_kind[k])
        banks = [r for r in rows if r.kind is AgreementKind.LAND_BANKING]
        amount = sum((r.amount_wan or Decimal(0) for r in banks), Decimal(0))
        area = sum((r.area_mu or Decimal(0) for r in banks), Decimal(0))
        confirmed = sum(1 for r in rows if r.over_cap_confirmed)
        unfiled = sum(1 for r in rows if r.filed_on is None)
        text = f"{self.ctx.year}年度 共 <b>{len(rows)}</b> 份协议" + (f"（{kinds}）" if kinds else "")
        if banks:
            text += f"；<br>收储协议金额合计 {units.fmt(amount, 2)} 万元、面积合计 {units.fmt(area, 2)} 亩"
        text += f"；<br>尚未备案 {unfiled} 份"
        if confirmed:
            text += f"；<span style='color:#c0392b'>经确认超均价上限 {confirmed} 份</span>"
        self.summary.setText(text + "。")
        self._selected_changed()

    # Selection and actions --------------------------------------------------------------------------
    def _selected_changed(self) -> None:
        row = selected_row(self.table)
        self.edit_button.setEnabled(row is not None)
        self.delete_button.setEnabled(row is not None)
        if row is None:
            self.attachments.title.setText("扫描件（请先选择协议）")
            self.attachments.set_object(None, None)
        else:
            self.attachments.title.setText(f"扫描件：{row.kind.label}（{row.party_a} — {row.party_b}）")
            if (self.attachments.object_type, self.attachments.object_id) != ("agreement", row.id):
                self.attachments.set_object("agreement", row.id)

    def add_agreement(self) -> None:
        open_agreement_dialog(self, self.ctx, kind=self.kind_filter.currentData() or AgreementKind.LAND_BANKING,
                              town_id=self.town_filter.currentData(), soe_id=self.soe_filter.currentData())

    def edit_selected(self) -> None:
        row = selected_row(self.table)
        if row is not None:
            open_agreement_dialog(self, self.ctx, row=row)

    def delete_selected(self) -> None:
        row = selected_row(self.table)
        if row is None:
            return
        text = f"确定删除{row.kind.label}“{row.party_a} — {row.party_b}”（{row.signed_on or '未签订'}）？"
        if row.attachments:
            text += f"\n\n其 {row.attachments} 份扫描件的链接一并移除。"
        if QMessageBox.question(self, "删除协议", text) != QMessageBox.StandardButton.Yes:
            return
        db = self.ctx.db
        self.ctx.worker.run(lambda: agreement_service.delete_agreement(db, row.id),
                            lambda _r: self.ctx.changed("agreement"), lambda e: show_error(self, e))
