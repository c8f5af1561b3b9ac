"""Dialogs of the 年度清单 page: add or edit an entry, and a required reason (退回, 撤销).

Layout here; the rules (area, park, state) are list_service's. A refused field is shown in red
under that field and everything typed is kept.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import Method
from desktop.services import units
from desktop.services.lists import list_service
from desktop.services.errors import UserError, ValidationError
from desktop.services.lists.list_service import CandidateRow, EntryRow, ShareCheck
from desktop.views.lists.list_models import AMBER, CandidateModel, method_text
from desktop.views.kit.worker import show_error
from desktop.views.kit.forms import ERROR_STYLE, error_label, show_at

UNIT_MU = "亩"
UNIT_M2 = "㎡"
HINT_STYLE = "color: #707070;"
SEARCH_DELAY_MS = 250


def share_banner_style(below: bool) -> str:
    if below:
        return (f"QLabel {{ background: {AMBER.name()}; color: #4a3b00; border: 1px solid #d4a800;"
                " border-radius: 3px; padding: 4px 8px; }")
    return ("QLabel { background: #EAF4EA; color: #1e4d1e; border: 1px solid #b9d8b9; border-radius: 3px;"
            " padding: 4px 8px; }")


def set_share_banner(label: QLabel, share: ShareCheck | None) -> None:
    """The contiguous-share line, amber below the year's minimum (property `belowMinimum` for tests
    and style sheets)."""
    if share is None:
        label.setText("")
        label.setVisible(False)
        label.setProperty("belowMinimum", False)
        return
    text = share.message
    label.setText(("⚠ " if share.below_minimum else "") + text)
    label.setProperty("belowMinimum", share.below_minimum)
    label.setStyleSheet(share_banner_style(share.below_minimum))
    label.setToolTip(f"三(一)：位于连片整治区域的面积不少于清单总面积的 {share.minimum_pct.normalize():f}%"
                     "（不含已撤销和企业自主技改的条目）")
    label.setVisible(True)


def decimal_text(value: Decimal | None) -> str:
    return "" if value is None else format(Decimal(value).normalize(), "f")


class EntryDialog(QDialog):
    """Add an entry (search the town's targets not yet listed) or edit one (draft or returned).

    Emits `saved(entry_id)` after the service accepted it."""

    saved = Signal(int)

    def __init__(self, ctx, list_id: int, town: str, parks: list[tuple[int, str]], entry: EntryRow | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.list_id = list_id
        self.entry = entry
        self._parks = parks
        self._search_token = 0
        self._auto_area = ""  # the area text we filled in ourselves (replaced when another target is picked)
        self._saving = False
        self.setWindowTitle(f"修改清单条目 — {town}" if entry else f"添加清单条目 — {town}")
        self.setModal(True)
        self.errors: dict[str, QLabel] = {}

        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)

        if entry is None:
            self.search = QLineEdit()
            self.search.setObjectName("candidate_search")
            self.search.setPlaceholderText("输入名称、统一社会信用代码或地址筛选本镇街尚未列入清单的治理对象（Ctrl+F）")
            self.search.setClearButtonEnabled(True)
            self.model = CandidateModel(self)
            self.table = QTableView()
            self.table.setObjectName("candidate_table")
            self.table.setModel(self.model)
            self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            self.table.verticalHeader().setVisible(False)
            self.table.setSortingEnabled(True)
            self.table.setAlternatingRowColors(True)
            self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
            header = self.table.horizontalHeader()
            header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            header.setStretchLastSection(True)
            for col, width in enumerate((220, 160, 80, 80, 150)):
                self.table.setColumnWidth(col, width)
            self.table.setMinimumHeight(220)
            self.count_label = QLabel("")
            self.count_label.setStyleSheet(HINT_STYLE)
            self.errors["target_id"] = error_label()
            box = QWidget()
            col = QVBoxLayout(box)
            col.setContentsMargins(0, 0, 0, 0)
            col.setSpacing(2)
            col.addWidget(self.search)
            col.addWidget(self.table)
            col.addWidget(self.count_label)
            col.addWidget(self.errors["target_id"])
            form.addRow("治理对象 *", box)
            self.search.textChanged.connect(lambda _t: self._search_timer.start())
            self.search.returnPressed.connect(self._search_enter)
            self.table.selectionModel().selectionChanged.connect(lambda *_: self._target_picked())
            self.table.doubleClicked.connect(lambda _i: self.area.setFocus())
            self._search_timer = QTimer(self)
            self._search_timer.setSingleShot(True)
            self._search_timer.setInterval(SEARCH_DELAY_MS)
            self._search_timer.timeout.connect(self.run_search)
            find = QShortcut(QKeySequence.StandardKey.Find, self)
            find.activated.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        else:
            who = QLabel(f"<b>{entry.target_name}</b>　{entry.credit_code or ''}　{entry.category}"
                         f"　（状态：{entry.state.label}）")
            form.addRow("治理对象", who)

        self.method = QComboBox()
        self.method.setObjectName("method")
        for m in Method:
            self.method.addItem(method_text(m), m.name)
        self.errors["method"] = error_label()
        form.addRow("拟治理方式 *", self._with_error(self.method, "method"))

        self.area = QLineEdit()
        self.area.setObjectName("planned_area")
        self.area.setPlaceholderText("数字")
        self.unit = QComboBox()
        self.unit.addItems([UNIT_MU, UNIT_M2])
        self.equiv = QLabel("")
        self.equiv.setStyleSheet(HINT_STYLE)
        area_box = QWidget()
        row = QHBoxLayout(area_box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.area, 1)
        row.addWidget(self.unit)
        row.addWidget(self.equiv, 1)
        self.errors["planned_area_mu"] = error_label()
        form.addRow("计划治理面积 *", self._with_error(area_box, "planned_area_mu"))

        self.park = QComboBox()
        self.park.setObjectName("park")
        self.park.addItem("（不在连片整治片区）", None)
        for pid, name in parks:
            self.park.addItem(name, pid)
        self.errors["contiguous_area_id"] = error_label()
        form.addRow("所属连片片区", self._with_error(self.park, "contiguous_area_id"))

        self.note = QLineEdit()
        self.note.setObjectName("note")
        form.addRow("备注", self.note)
        layout.addLayout(form)

        self.general_error = error_label()
        layout.addWidget(self.general_error)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(820 if entry is None else 520)

        for edit in (self.area, self.note):
            edit.returnPressed.connect(self.save)
        self.area.textEdited.connect(lambda _t: show_at(self.errors["planned_area_mu"], ""))
        self.area.textChanged.connect(self._show_equivalent)
        self.unit.currentIndexChanged.connect(self._show_equivalent)

        if entry is not None:
            self.method.setCurrentIndex(self.method.findData(entry.method.name))
            self.area.setText(decimal_text(entry.planned_area_mu))
            self._select_park(entry.contiguous_area_id)
            self.note.setText(entry.note)
            self.area.setFocus()
        else:
            self.search.setFocus()
            self.run_search()
        self._show_equivalent()

    # Layout helpers ------------------------------------------------------------------------------
    def _with_error(self, widget: QWidget, field: str) -> QWidget:
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(2)
        col.addWidget(widget)
        col.addWidget(self.errors[field])
        return box

    def _select_park(self, park_id: int | None) -> None:
        index = self.park.findData(park_id)
        if index < 0 and park_id is not None:  # a park of another town: still show it
            self.park.addItem(f"片区 #{park_id}", park_id)
            index = self.park.count() - 1
        self.park.setCurrentIndex(max(index, 0))

    def error_text(self, field: str) -> str:
        label = self.errors.get(field)
        return label.text() if label is not None and label.isVisible() else ""

    # Candidates ----------------------------------------------------------------------------------
    def run_search(self) -> None:
        self._search_token += 1
        token, db, list_id, text = self._search_token, self.ctx.db, self.list_id, self.search.text()

        def done(rows: list[CandidateRow]) -> None:
            if token != self._search_token:
                return
            picked = self.selected_target()
            self.model.set_rows(rows)
            if len(rows) >= list_service.CANDIDATE_LIMIT:
                self.count_label.setText(f"显示前 {len(rows)} 个，请输入更多文字缩小范围")
            elif rows:
                self.count_label.setText(f"共 {len(rows)} 个尚未列入清单的治理对象")
            else:
                self.count_label.setText("没有符合条件、尚未列入清单的治理对象" if text.strip()
                                         else "本镇街的治理对象都已列入清单")
            row = self.model.row_of(picked.id) if picked else -1
            if row < 0 and len(rows) == 1:
                row = 0
            if row >= 0:
                self.table.selectRow(row)

        self.ctx.worker.run(lambda: list_service.candidates(db, list_id, text), done, lambda e: show_error(self, e))

    def _search_enter(self) -> None:
        if self.selected_target() is not None:
            self.area.setFocus()
            self.area.selectAll()
        elif self.model.rowCount():
            self.table.selectRow(0)
            self.table.setFocus()

    def selected_target(self) -> CandidateRow | None:
        if self.entry is not None:
            return None
        rows = self.table.selectionModel().selectedRows()
        return self.model.item(rows[0].row()) if rows else None

    def select_target(self, target_id: int) -> bool:
        row = self.model.row_of(target_id)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def _target_picked(self) -> None:
        t = self.selected_target()
        if t is None:
            return
        show_at(self.errors["target_id"], "")
        # Defaults from the target: its land area (unless the clerk typed one) and its park.
        if t.land_area_mu is not None and self.area.text() in ("", self._auto_area):
            self.unit.setCurrentText(UNIT_MU)
            self._auto_area = decimal_text(t.land_area_mu)
            self.area.setText(self._auto_area)
        self._select_park(t.contiguous_area_id)

    def _show_equivalent(self) -> None:
        text = self.area.text()
        try:
            value = units.parse_area(text, unit="m²" if self.unit.currentText() == UNIT_M2 else "亩",
                                     field="planned_area_mu", label="计划治理面积")
        except ValidationError:
            value = None
        typed_unit = any(not (c.isdigit() or c in ".,， ") for c in text.strip())
        if value is not None and (self.unit.currentText() == UNIT_M2 or typed_unit):
            self.equiv.setText(f"= {units.fmt(value, 2)} 亩")
        else:
            self.equiv.setText("")

    # Saving --------------------------------------------------------------------------------------
    def save(self) -> None:
        if self._saving:
            return
        for label in (*self.errors.values(), self.general_error):
            show_at(label, "")
        target = self.selected_target()
        if self.entry is None and target is None:
            show_at(self.errors["target_id"], "请在上表中选择治理对象")
            self.search.setFocus()
            return
        try:
            area = units.parse_area(self.area.text(), unit="m²" if self.unit.currentText() == UNIT_M2 else "亩",
                                    field="planned_area_mu", label="计划治理面积")
        except ValidationError as exc:
            self._field_error(exc)
            return
        method = Method[self.method.currentData()]
        park = self.park.currentData()
        note = self.note.text()
        db, list_id, entry = self.ctx.db, self.list_id, self.entry
        if entry is None:
            fn = lambda: list_service.add_entry(db, list_id, target.id, method, area,  # noqa: E731
                                                contiguous_area_id=park, note=note)
        else:
            def fn():
                list_service.update_entry(db, entry.id, method=method, planned_area_mu=area, contiguous_area_id=park,
                                          note=note, expected_revision=entry.revision)
                return entry.id
        self._saving = True
        self.save_button.setEnabled(False)
        self.ctx.worker.run(fn, self._saved, self._failed)

    def _saved(self, entry_id: int) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self.saved.emit(entry_id)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self._field_error(exc)

    def _field_error(self, exc: BaseException) -> None:
        field = getattr(exc, "field", None)
        if field in self.errors and isinstance(exc, UserError):
            show_at(self.errors[field], exc.message)
            {"planned_area_mu": self.area, "method": self.method, "contiguous_area_id": self.park}.get(
                field, self.area).setFocus()
        elif isinstance(exc, UserError):
            show_at(self.general_error, exc.message)
        else:
            show_error(self, exc)


class ReasonDialog(QDialog):
    """Asks for a reason that may not be empty (退回, 撤销); shows the list's share when given, so the
    reviewer sees it before deciding."""

    def __init__(self, title: str, prompt: str, action: str, parent: QWidget | None = None, *,
                 share: ShareCheck | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        layout = QVBoxLayout(self)
        self.share_label = QLabel()
        self.share_label.setObjectName("share_banner")
        self.share_label.setWordWrap(True)
        set_share_banner(self.share_label, share)
        layout.addWidget(self.share_label)
        text = QLabel(prompt)
        text.setWordWrap(True)
        layout.addWidget(text)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("reason")
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText("必填")
        self.reason.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 14)
        layout.addWidget(self.reason)
        self.hint = QLabel("请填写原因")
        self.hint.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.hint)
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self._accept_if_filled)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.reason.textChanged.connect(self._changed)
        self._changed()
        self.setMinimumWidth(480)
        self.reason.setFocus()

    def text(self) -> str:
        return self.reason.toPlainText().strip()

    def _changed(self) -> None:
        filled = bool(self.text())
        self.ok_button.setEnabled(filled)
        self.hint.setVisible(not filled)

    def _accept_if_filled(self) -> None:
        if self.text():
            self.accept()

