"""Dialogs of the 年度清单 page: add or edit an entry (the form kit: a refusal at its field, everything
typed kept), and a required reason (退回, 撤销). The rules (area, park, state) are list_service's."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import Method
from desktop.services import units
from desktop.services.errors import ValidationError
from desktop.services.lists import list_service
from desktop.services.lists.list_service import CandidateRow, EntryRow, ShareCheck
from desktop.views.kit.layouts import hbox, vbox
from desktop.views.kit.forms import ERROR_STYLE, HINT_STYLE, FormDialog, plain, show_at
from desktop.views.kit.ops import query
from desktop.views.kit.table import select_id, selected_rows, setup_table, shortcut
from desktop.views.lists.list_models import CandidateModel, method_text
from desktop.views.lists.share_banner import set_share_banner

UNIT_MU = "亩"
UNIT_M2 = "㎡"
SEARCH_DELAY_MS = 250


@dataclass
class EntryValues:
    """What the entry dialog hands the page to save (the target only when adding)."""

    target_id: int | None
    target_name: str
    method: Method
    planned_area_mu: Decimal
    contiguous_area_id: int | None
    note: str


class EntryDialog(FormDialog):
    """Add an entry (search the town's targets not yet listed) or edit one (draft or returned).

    Emits `submitted(EntryValues)`; the page saves and calls `accept()` or `show_error(exc)`."""

    def __init__(self, ctx, list_id: int, town: str, parks: list[tuple[int, str]], entry: EntryRow | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(f"修改清单条目 — {town}" if entry else f"添加清单条目 — {town}", parent,
                         width=820 if entry is None else 520)
        self.ctx, self.list_id, self.entry = ctx, list_id, entry
        self._auto_area = ""  # the area text we filled in ourselves (replaced when another target is picked)
        self.setModal(True)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        if entry is None:
            self._candidates()
        else:
            self.form.addRow("治理对象", QLabel(f"<b>{entry.target_name}</b>　{entry.credit_code or ''}　"
                                             f"{entry.category}　（状态：{entry.state.label}）"))
        self.method = self.add("method", "拟治理方式 *", QComboBox())
        self.method.setObjectName("method")
        for m in Method:
            self.method.addItem(method_text(m), m.name)
        self.area = QLineEdit()
        self.area.setObjectName("planned_area")
        self.area.setPlaceholderText("数字")
        self.unit = QComboBox()
        self.unit.addItems([UNIT_MU, UNIT_M2])
        self.equiv = QLabel("")
        self.equiv.setStyleSheet(HINT_STYLE)
        self.add("planned_area_mu", "计划治理面积 *", self.area, shown=hbox((self.area, 1), self.unit, (self.equiv, 1)))
        self.park = self.add("contiguous_area_id", "所属连片片区", QComboBox())
        self.park.setObjectName("park")
        self.park.addItem("（不在连片整治片区）", None)
        for pid, name in parks:
            self.park.addItem(name, pid)
        self.note = self.add("note", "备注", QLineEdit())
        self.note.setObjectName("note")
        self.area.textChanged.connect(self._show_equivalent)
        self.unit.currentIndexChanged.connect(self._show_equivalent)
        if entry is not None:
            self.method.setCurrentIndex(self.method.findData(entry.method.name))
            self.area.setText(plain(entry.planned_area_mu))
            self._select_park(entry.contiguous_area_id)
            self.note.setText(entry.note)
            self.area.setFocus()
        else:
            self.search.setFocus()
            self.run_search()
        self._show_equivalent()

    def _candidates(self) -> None:
        """治理对象 *: a search box over the town's targets not yet listed, and the matches."""
        self.search = QLineEdit()
        self.search.setObjectName("candidate_search")
        self.search.setPlaceholderText("输入名称、统一社会信用代码或地址筛选本镇街尚未列入清单的治理对象（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.model = CandidateModel(self)
        self.table = setup_table(QTableView())
        self.table.setObjectName("candidate_table")
        self.table.setModel(self.model)
        for col, width in enumerate((220, 160, 80, 80, 150)):
            self.table.setColumnWidth(col, width)
        self.table.setMinimumHeight(220)
        self.count_label = QLabel("")
        self.count_label.setStyleSheet(HINT_STYLE)
        self.add("target_id", "治理对象 *", self.search, shown=vbox(self.search, self.table, self.count_label))
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.installEventFilter(self)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._target_picked())
        self.table.doubleClicked.connect(lambda _i: self.area.setFocus())
        shortcut(self, QKeySequence.StandardKey.Find, lambda: (self.search.setFocus(), self.search.selectAll()))

    def eventFilter(self, watched, event) -> bool:
        # Enter in the search box picks the match instead of saving the dialog.
        if (watched is self.search and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            self._search_enter()
            return True
        return super().eventFilter(watched, event)

    def _select_park(self, park_id: int | None) -> None:
        index = self.park.findData(park_id)
        if index < 0 and park_id is not None:  # a park of another town: still show it
            self.park.addItem(f"片区 #{park_id}", park_id)
            index = self.park.count() - 1
        self.park.setCurrentIndex(max(index, 0))

    # Candidates ----------------------------------------------------------------------------------
    def run_search(self) -> None:
        text = self.search.text()
        query(self, "candidates", list_service.candidates, self.list_id, text,
              done=lambda rows: self._found(text, rows))

    def _found(self, text: str, rows: list[CandidateRow]) -> None:
        picked = self.selected_target()
        self.model.set_rows(rows)
        if len(rows) >= list_service.CANDIDATE_LIMIT:
            self.count_label.setText(f"显示前 {len(rows)} 个，请输入更多文字缩小范围")
        elif rows:
            self.count_label.setText(f"共 {len(rows)} 个尚未列入清单的治理对象")
        else:
            self.count_label.setText("没有符合条件、尚未列入清单的治理对象" if text.strip() else "本镇街的治理对象都已列入清单")
        if not select_id(self.table, picked.id if picked else None) and len(rows) == 1:
            self.table.selectRow(0)

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
        rows = selected_rows(self.table)
        return rows[0] if rows else None

    def select_target(self, target_id: int) -> bool:
        return select_id(self.table, target_id)

    def _target_picked(self) -> None:
        t = self.selected_target()
        if t is None:
            return
        show_at(self.errors["target_id"], "")
        # Defaults from the target: its land area (unless the clerk typed one) and its park.
        if t.land_area_mu is not None and self.area.text() in ("", self._auto_area):
            self.unit.setCurrentText(UNIT_MU)
            self._auto_area = plain(t.land_area_mu)
            self.area.setText(self._auto_area)
        self._select_park(t.contiguous_area_id)

    def _area(self) -> Decimal | None:
        return units.parse_area(self.area.text(), unit="m²" if self.unit.currentText() == UNIT_M2 else "亩",
                                field="planned_area_mu", label="计划治理面积")

    def _show_equivalent(self) -> None:
        try:
            value = self._area()
        except ValidationError:
            value = None
        text = self.area.text()
        typed_unit = any(not (c.isdigit() or c in ".,， ") for c in text.strip())
        shown = value is not None and (self.unit.currentText() == UNIT_M2 or typed_unit)
        self.equiv.setText(f"= {units.fmt(value, 2)} 亩" if shown else "")

    # Saving --------------------------------------------------------------------------------------
    def values(self) -> EntryValues:
        target = self.selected_target()
        if self.entry is None and target is None:
            raise ValidationError("请在上表中选择治理对象", field="target_id")
        return EntryValues(target.id if target else None, target.name if target else self.entry.target_name,
                           Method[self.method.currentData()], self._area(), self.park.currentData(), self.note.text())

    def submit(self) -> None:
        if self.ok_button.isEnabled():  # Enter pressed twice saves once
            super().submit()


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
