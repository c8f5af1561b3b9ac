"""以奖代补 page (四(二)): the year's rate and park bonus, a proposal per town from verified area, and
overrides with a reason (recorded in the audit log); exported to Excel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QByteArray, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services import units
from desktop.services.subsidy import subsidy_service
from desktop.services.year import year_service
from desktop.services.errors import ValidationError
from desktop.services.subsidy.subsidy_service import NO_RATE, SubsidyRow, SubsidyTable
from desktop.views.kit.context import AppContext
from desktop.views.kit.file_choice import ask_save_xlsx
from desktop.views.kit.forms import FieldErrorDialog, HINT_STYLE, error_label, plain, show_at
from desktop.views.kit.page_state import LazyRefresh
from desktop.views.kit.worker import show_error

RELEVANT_TABLES = {"*", "subsidy_proposal", "year_params", "year", "town", "town_target", "governance_list",
                   "list_entry", "contiguous_area", "verification", "monthly_report_item"}
OVERRIDE_BACKGROUND = QColor("#DCEBFA")
TOTALS_BACKGROUND = QColor("#EEF2F7")
MUTED = QColor("#8A8A8A")
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


def money(value: Decimal | None) -> str:
    return "" if value is None else units.fmt(value, 2)


class SubsidyModel(QAbstractTableModel):
    """One row per active town, then the 合计 row (always last)."""

    COLUMNS = [
        ("town", "镇街"), ("verified_mu", "已核实面积\n（亩）"), ("parks_started", "已启动园区\n（个）"),
        ("computed_wan", "测算金额\n（万元）"), ("override_wan", "调整后金额\n（万元）"), ("override_reason", "调整原因"),
        ("final_wan", "建议补助金额\n（万元）"),
    ]
    NUMERIC = {"verified_mu", "parks_started", "computed_wan", "override_wan", "final_wan"}

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.table: SubsidyTable | None = None
        self.rows: list[SubsidyRow] = []
        self.totals: SubsidyRow | None = None
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)

    def set_table(self, table: SubsidyTable) -> None:
        self.beginResetModel()
        self.table = table
        self.totals = table.totals
        self._apply()
        self.endResetModel()

    def _apply(self) -> None:
        rows = list(self.table.rows) if self.table else []
        column, order = self._sort
        if 0 <= column < len(self.COLUMNS):
            key = self.COLUMNS[column][0]
            rows.sort(key=lambda r: (getattr(r, key) is not None, getattr(r, key) if getattr(r, key) is not None else 0),
                      reverse=order == Qt.SortOrder.DescendingOrder)
        self.rows = rows

    def item(self, row: int) -> SubsidyRow | None:
        if 0 <= row < len(self.rows):
            return self.rows[row]
        if row == len(self.rows) and self.totals is not None:
            return self.totals
        return None

    def town_row(self, row: int) -> SubsidyRow | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def row_of(self, town_id: int | None) -> int:
        return next((i for i, r in enumerate(self.rows) if r.town_id == town_id), -1)

    def is_totals(self, row: int) -> bool:
        return self.totals is not None and row == len(self.rows)

    def rowCount(self, parent=QModelIndex()) -> int:
        if parent.isValid():
            return 0
        return len(self.rows) + (1 if self.totals is not None and self.rows else 0)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section][1]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self.item(index.row())
        if r is None:
            return None
        key = self.COLUMNS[index.column()][0]
        totals = self.is_totals(index.row())
        has_rate = self.table is not None and self.table.has_rate
        if role == Qt.ItemDataRole.DisplayRole:
            value = getattr(r, key)
            if key in ("computed_wan", "final_wan") and value is None and not totals and not has_rate:
                return NO_RATE
            if isinstance(value, Decimal):
                return money(value)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if key in self.NUMERIC else LEFT
        if role == Qt.ItemDataRole.BackgroundRole:
            if totals:
                return QBrush(TOTALS_BACKGROUND)
            if r.overridden and key in ("override_wan", "override_reason", "final_wan"):
                return QBrush(OVERRIDE_BACKGROUND)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if not totals and r.overridden and key == "computed_wan":
                return QBrush(MUTED)
            if key in ("computed_wan", "final_wan") and getattr(r, key) is None:
                return QBrush(MUTED)
            return None
        if role == Qt.ItemDataRole.FontRole and (totals or key == "final_wan"):
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.ToolTipRole and not totals:
            if r.overridden:
                return f"已调整：测算 {money(r.computed_wan) or '—'} 万元 → {money(r.override_wan)} 万元。原因：{r.override_reason}"
            if key in ("computed_wan", "final_wan") and not has_rate:
                return "请先在上方填写补助标准（万元/已核实亩）"
            return None
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply()
        self.layoutChanged.emit()


class OverrideDialog(FieldErrorDialog, QDialog):
    """调整补助金额 of one town: amount and a required reason; 恢复测算值 clears the override.

    Emits `submitted(amount_text_or_None, reason)`; the page saves and calls `accept()` or `show_error(exc)`.
    """

    submitted = Signal(object, str)

    def __init__(self, row: SubsidyRow, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"调整补助金额：{row.town}")
        self.setMinimumWidth(460)
        self.errors = {n: error_label() for n in ("amount_wan", "reason")}
        computed = f"{money(row.computed_wan)} 万元" if row.computed_wan is not None else NO_RATE
        info = QLabel(f"<b>{row.town}</b>：已核实 {units.fmt(row.verified_mu, 2)} 亩，已启动园区 {row.parks_started} 个；"
                      f"测算金额 <b>{computed}</b>")
        info.setTextFormat(Qt.TextFormat.RichText)
        info.setWordWrap(True)
        self.amount_edit = QLineEdit(plain(row.override_wan) if row.override_wan is not None else "")
        self.amount_edit.setPlaceholderText("万元")
        self.reason_edit = QLineEdit(row.override_reason)
        self.reason_edit.setPlaceholderText("必填，如：经领导小组研究……")
        form = QFormLayout()
        for key, label, edit in (("amount_wan", "调整后金额（万元）", self.amount_edit),
                                 ("reason", "调整原因", self.reason_edit)):
            holder = QWidget()
            hl = QVBoxLayout(holder)
            hl.setContentsMargins(0, 0, 0, 0)
            hl.setSpacing(2)
            hl.addWidget(edit)
            hl.addWidget(self.errors[key])
            form.addRow(label, holder)
            edit.textEdited.connect(lambda _t, k=key: show_at(self.errors[k], ""))
            edit.returnPressed.connect(self.submit)
        self.focus_of = {"amount_wan": self.amount_edit, "reason": self.reason_edit}
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.clear_button = buttons.addButton("恢复测算值", QDialogButtonBox.ButtonRole.ResetRole)
        self.clear_button.setEnabled(row.overridden)
        self.clear_button.clicked.connect(self.clear)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        hint = QLabel("调整会记入操作日志（调整人、时间、前后金额和原因）。")
        hint.setStyleSheet(HINT_STYLE)
        layout = QVBoxLayout(self)
        layout.addWidget(info)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)

    def submit(self) -> None:
        for err in self.errors.values():
            show_at(err, "")
        try:
            amount = subsidy_service.parse_amount(self.amount_edit.text())
        except ValidationError as exc:
            self.show_error(exc)
            return
        if amount is None:
            self.show_error(ValidationError("请填写调整后金额；如要取消调整，请点“恢复测算值”", field="amount_wan"))
            return
        if not self.reason_edit.text().strip():
            self.show_error(ValidationError("调整补助金额需要填写调整原因", field="reason"))
            return
        self.ok_button.setEnabled(False)
        self.submitted.emit(self.amount_edit.text(), self.reason_edit.text())

    def clear(self) -> None:
        self.ok_button.setEnabled(False)
        self.submitted.emit(None, "")


class SubsidyPage(LazyRefresh, QWidget):
    relevant_tables = frozenset(RELEVANT_TABLES)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._stale = True
        self._token = 0
        self.data: SubsidyTable | None = None
        self.dialog: OverrideDialog | None = None
        self.last_export: Path | None = None
        self._loaded_rates: tuple[str, str] = ("", "")
        self._build()
        self._restore_layout()
        ctx.data_changed.connect(self._on_data_changed)
        ctx.year_changed.connect(lambda _y: self._refresh_if_visible())

    # Layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.header = QLabel("以奖代补")
        f = self.header.font()
        f.setPointSize(f.pointSize() + 3)
        f.setBold(True)
        self.header.setFont(f)
        outer.addWidget(self.header)

        box = QGroupBox("补助标准（年度参数）")
        bl = QHBoxLayout(box)
        self.rate_edit = QLineEdit()
        self.rate_edit.setObjectName("subsidy_rate_wan_per_mu")
        self.rate_edit.setPlaceholderText("未设置")
        self.rate_edit.setMaximumWidth(120)
        self.bonus_edit = QLineEdit()
        self.bonus_edit.setObjectName("subsidy_park_bonus_wan")
        self.bonus_edit.setPlaceholderText("可不填")
        self.bonus_edit.setMaximumWidth(120)
        self.rate_error = error_label()
        self.bonus_error = error_label()
        self.rate_errors = {"subsidy_rate_wan_per_mu": self.rate_error, "subsidy_park_bonus_wan": self.bonus_error}
        self.rate_edits = {"subsidy_rate_wan_per_mu": self.rate_edit, "subsidy_park_bonus_wan": self.bonus_edit}
        for label, edit, unit, err in (("每亩补助", self.rate_edit, "万元/已核实亩", self.rate_error),
                                       ("园区启动奖励", self.bonus_edit, "万元/个", self.bonus_error)):
            col = QVBoxLayout()
            row = QHBoxLayout()
            row.addWidget(QLabel(label))
            row.addWidget(edit)
            row.addWidget(QLabel(unit))
            col.addLayout(row)
            col.addWidget(err)
            bl.addLayout(col)
            bl.addSpacing(16)
            edit.returnPressed.connect(self.save_rates)
            edit.textEdited.connect(lambda _t, e=err: (show_at(e, ""), self._rates_dirty()))
        self.save_rates_button = QPushButton("保存标准")
        self.save_rates_button.clicked.connect(self.save_rates)
        bl.addWidget(self.save_rates_button)
        bl.addStretch(1)
        outer.addWidget(box)
        self.formula = QLabel("")
        self.formula.setStyleSheet(HINT_STYLE)
        self.formula.setWordWrap(True)
        outer.addWidget(self.formula)

        bar = QHBoxLayout()
        self.summary = QLabel("")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        bar.addWidget(self.summary, 1)
        self.override_button = QPushButton("调整金额…")
        self.override_button.setToolTip("回车或双击")
        self.override_button.clicked.connect(self.open_override_dialog)
        self.clear_button = QPushButton("恢复测算值")
        self.clear_button.clicked.connect(self.clear_selected_override)
        self.export_button = QPushButton("导出")
        self.export_button.clicked.connect(self.choose_export_file)
        for b in (self.override_button, self.clear_button, self.export_button):
            bar.addWidget(b)
        outer.addLayout(bar)

        self.model = SubsidyModel(self)
        self.table = QTableView()
        self.table.setObjectName("subsidy_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().setSortIndicatorClearable(True)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        for col, width in enumerate((110, 110, 100, 120, 120, 420, 130)):
            self.table.setColumnWidth(col, width)
        # The reason takes what is left of the width; the numbers keep their (remembered) widths.
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.open_override_dialog())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        outer.addWidget(self.table, 1)
        self.status = QLabel("")
        self.status.setStyleSheet(HINT_STYLE)
        outer.addWidget(self.status)

        for seq, slot in ((QKeySequence(Qt.Key.Key_Return), self.open_override_dialog),
                          (QKeySequence(Qt.Key.Key_Enter), self.open_override_dialog)):
            sc = QShortcut(seq, self.table)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
            sc.activated.connect(slot)
        self._update_buttons()

    def _restore_layout(self) -> None:
        state = self.ctx.settings.value("subsidy/header")
        if isinstance(state, QByteArray):
            self.table.horizontalHeader().restoreState(state)

    def save_layout(self) -> None:
        self.ctx.settings.setValue("subsidy/header", self.table.horizontalHeader().saveState())

    def confirm_close(self) -> bool:
        if not self._rates_dirty():
            return True
        answer = QMessageBox.question(self, "以奖代补", "补助标准已修改但未保存，仍要关闭吗？")
        return answer == QMessageBox.StandardButton.Yes

    # Loading -----------------------------------------------------------------------------
    def refresh(self) -> None:
        self._stale = False
        self._token += 1
        token, db, year = self._token, self.ctx.db, self.ctx.year
        self.ctx.worker.run(lambda: subsidy_service.proposals(db, year), lambda t: self._loaded(token, t),
                            lambda e: self._failed(token, e))

    def _failed(self, token: int, exc: BaseException) -> None:
        if token == self._token:
            show_error(self, exc)

    def _loaded(self, token: int, table: SubsidyTable) -> None:
        if token != self._token:
            return
        self.data = table
        selected = self.selected_row()
        self.model.set_table(table)
        row = self.model.row_of(selected.town_id if selected else None)
        if row >= 0:
            self.table.selectRow(row)
        self.header.setText(f"{table.year}年度以奖代补（四(二)）")
        if not self._rates_dirty():  # never throw away what the clerk is typing
            self.rate_edit.setText(plain(table.rate_wan_per_mu))
            self.bonus_edit.setText(plain(table.park_bonus_wan))
            self._loaded_rates = self._rate_texts()
        self.formula.setText(
            "计划未规定测算公式：测算金额 = 已核实面积 × 每亩补助 + 本年度已启动园区数 × 园区启动奖励；只计已核实的面积"
            "（企业自主技改不计）。可逐镇调整金额，须填写原因，调整记入操作日志。")
        t = table.totals
        if not table.has_rate:
            text = f"<span style='color:#b26a00'><b>{NO_RATE}</b>：请填写每亩补助标准后测算</span>"
        else:
            text = f"测算合计 <b>{money(t.computed_wan)}</b> 万元"
            n = sum(1 for r in table.rows if r.overridden)
            if n:
                text += f"；已调整 <b>{n}</b> 个镇街"
            if t.final_wan is not None:
                text += f"；建议补助合计 <b>{money(t.final_wan)}</b> 万元"
        self.summary.setText(text)
        self._update_buttons()

    # Rates -------------------------------------------------------------------------------
    def _rate_texts(self) -> tuple[str, str]:
        return (self.rate_edit.text().strip(), self.bonus_edit.text().strip())

    def _rates_dirty(self) -> bool:
        dirty = self._rate_texts() != self._loaded_rates
        self.save_rates_button.setText("保存标准 *" if dirty else "保存标准")
        return dirty

    def save_rates(self) -> None:
        for err in self.rate_errors.values():
            show_at(err, "")
        problems = year_service.form_problems({"subsidy_rate_wan_per_mu": self.rate_edit.text(),
                                               "subsidy_park_bonus_wan": self.bonus_edit.text()})
        if problems:
            for exc in problems:
                self._rate_error(exc)
            return
        db, year = self.ctx.db, self.ctx.year
        rate, bonus = self.rate_edit.text(), self.bonus_edit.text()
        revision = self.data.params_revision if self.data and self.data.year == year else None

        def done(_p) -> None:
            self._loaded_rates = self._rate_texts()
            self._rates_dirty()
            self.status.setText("已保存补助标准")
            self.ctx.changed("year_params")

        self.ctx.worker.run(lambda: subsidy_service.set_rates(db, year, rate, bonus, expected_revision=revision),
                            done, self._rate_error)

    def _rate_error(self, exc: BaseException) -> None:
        name = getattr(exc, "field", None)
        if name in self.rate_errors:
            show_at(self.rate_errors[name], exc.message)
            self.rate_edits[name].setFocus()
        else:
            show_error(self, exc)

    # Overrides ---------------------------------------------------------------------------
    def selected_row(self) -> SubsidyRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.town_row(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        row = self.selected_row()
        self.override_button.setEnabled(row is not None)
        self.clear_button.setEnabled(row is not None and row.overridden)

    def open_override_dialog(self) -> None:
        row = self.selected_row()
        if row is None or self.data is None:
            return
        dialog = OverrideDialog(row, self)
        db, year = self.ctx.db, self.data.year

        def save(amount, reason: str) -> None:
            self.ctx.worker.run(lambda: subsidy_service.override(db, row.town_id, year, amount, reason),
                                lambda r: self._saved(dialog, r), dialog.show_error)

        dialog.submitted.connect(save)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def _saved(self, dialog: OverrideDialog, r: SubsidyRow) -> None:
        dialog.accept()
        self.status.setText(f"已调整 {r.town}：{money(r.override_wan)} 万元" if r.overridden
                            else f"已恢复 {r.town} 的测算值")
        self.ctx.changed("subsidy_proposal")

    def clear_selected_override(self) -> None:
        row = self.selected_row()
        if row is None or not row.overridden or self.data is None:
            return
        if QMessageBox.question(self, "恢复测算值", f"取消对“{row.town}”的调整（{money(row.override_wan)} 万元），"
                                                  f"恢复为测算金额？") != QMessageBox.StandardButton.Yes:
            return
        db, year = self.ctx.db, self.data.year

        def done(r: SubsidyRow) -> None:
            self.status.setText(f"已恢复 {r.town} 的测算值")
            self.ctx.changed("subsidy_proposal")

        self.ctx.worker.run(lambda: subsidy_service.override(db, row.town_id, year, None, ""), done,
                            lambda e: show_error(self, e))

    # Export ------------------------------------------------------------------------------
    def choose_export_file(self) -> None:
        p = ask_save_xlsx(self, self.ctx.settings, "subsidy/export_dir", "导出以奖代补测算表",
                          f"{self.ctx.year}年度以奖代补测算表-{dt.date.today():%Y%m%d}.xlsx")
        if p is not None:
            self.export_to(p)

    def export_to(self, path: Path) -> None:
        db, year = self.ctx.db, self.ctx.year
        self.export_button.setEnabled(False)
        self.status.setText("正在导出…")

        def done(p: Path) -> None:
            self.export_button.setEnabled(True)
            self.last_export = p
            self.status.setText(f"已导出：{p}")

        def failed(exc: BaseException) -> None:
            self.export_button.setEnabled(True)
            self.status.setText("导出未完成")
            show_error(self, exc)

        self.ctx.worker.run(lambda: subsidy_service.export(db, year, path), done, failed)

