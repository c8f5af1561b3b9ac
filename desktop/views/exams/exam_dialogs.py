"""Dialogs of the 综合体检 page: the town's proposal (the enterprise found in the register as one types),
an issue of a unit's list, a sanction, a 挂牌督办 and an accountability record. Each is a FormDialog: a
refusal shows at its field and everything typed stays."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QTableView, QWidget

from desktop.services.exams.exam_service import PartyInput
from desktop.services.register import target_service
from desktop.services.register.target_service import RegisterFilter
from desktop.services.towns import town_service
from desktop.views.kit.date_field import DateField
from desktop.views.kit.forms import FormDialog
from desktop.views.kit.layouts import hint_label, vbox
from desktop.views.kit.ops import query
from desktop.views.kit.rows import RowsModel
from desktop.views.kit.table import select_id, selected_rows, setup_table

SEARCH_DELAY_MS = 250
MATCH_LIMIT = 50


def text_box(lines: int = 3) -> QPlainTextEdit:
    """A few lines of text in a form (Tab moves on, as in a line edit)."""
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().height() * lines + 12)
    return box


def proposal_choices(ledger):
    """The active towns, for the proposal dialog (read on the lane)."""
    return [(t.id, t.name) for t in town_service.list_towns(ledger) if t.active]


def enterprise_matches(ledger, town_id: int | None, text: str, year: int):
    """The register's targets of the town matching `text` (name, code, address), first MATCH_LIMIT by name."""
    ids = target_service.search_ids(ledger, RegisterFilter(text=text, town_id=town_id), year=year, limit=MATCH_LIMIT)
    return target_service.fetch_rows(ledger, ids, year=year)


class MatchModel(RowsModel):
    COLUMNS = [("name", "名称"), ("credit_code", "统一社会信用代码"), ("town", "镇街"), ("address", "地址")]


class ProposalDialog(FormDialog):
    """登记镇街提议: town, date, reason, the enterprise (from the register) and its related parties.
    Emits `submitted(dict)` with the service's field names."""

    def __init__(self, towns: list[tuple[int, str]], parent: QWidget | None = None, *, year: int) -> None:
        super().__init__("登记镇街提议 — 启动综合体检", parent, width=760)
        self.year = year
        self.town_combo = self.add("town_id", "提议镇街 *", QComboBox())
        self.town_combo.setObjectName("town_combo")
        for tid, name in towns:
            self.town_combo.addItem(name, tid)
        self.town_combo.setCurrentIndex(-1)
        self.search = QLineEdit()
        self.search.setObjectName("enterprise_search")
        self.search.setPlaceholderText("输入企业名称、统一社会信用代码或地址，在治理对象中查找")
        self.search.setClearButtonEnabled(True)
        self.match_model = MatchModel(self)
        self.matches = setup_table(QTableView())
        self.matches.setObjectName("enterprise_table")
        self.matches.setModel(self.match_model)
        for col, width in enumerate((220, 160, 70)):
            self.matches.setColumnWidth(col, width)
        self.matches.setMinimumHeight(160)
        self.add("target_id", "体检企业 *", self.matches, shown=vbox(self.search, self.matches))
        self.proposed_edit = self.add("proposed_on", "提议日期 *",
                                      DateField(label="提议日期", field="proposed_on", year=year))
        self.reason_edit = self.add("reason", "提议理由 *", text_box())
        self.parties_edit = self.add("parties", "相关责任方", text_box(2))
        self.parties_edit.setPlaceholderText("企业的相关责任方（出租方、实际控制人等）名称，一行一个；关联关系可在“启动”页补充")
        self.form.addRow("", hint_label("附件2(1)：由属地镇(区、街道)提议，市专班启动体检程序。"))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.town_combo.currentIndexChanged.connect(lambda _i: self.run_search())
        self.search.setFocus()

    def run_search(self) -> None:
        chosen = self.chosen_target()
        query(self, "matches", enterprise_matches, self.town_combo.currentData(), self.search.text(), self.year,
              done=lambda rows: (self.match_model.set_rows(rows), select_id(self.matches, chosen)))

    def chosen_target(self) -> int | None:
        rows = selected_rows(self.matches)
        return rows[0].id if rows else None

    def values(self) -> dict:
        """The service's keyword arguments (propose); a bad date raises at its field."""
        return {"town_id": self.town_combo.currentData(), "target_id": self.chosen_target(),
                "proposed_on": self.proposed_edit.value(), "reason": self.reason_edit.toPlainText(),
                "parties": [PartyInput(line.strip()) for line in self.parties_edit.toPlainText().splitlines()
                            if line.strip()]}


def field_value(widget):
    """What a form field holds: a date, a combo's data, or the text typed."""
    if isinstance(widget, DateField):
        return widget.value()
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    return widget.text()


def choice_box(items, *, first: tuple[str, object] | None = None) -> QComboBox:
    """A combo of (text, data) pairs, none chosen unless `first` (text, data) leads."""
    box = QComboBox()
    if first is not None:
        box.addItem(*first)
    for text, data in items:
        box.addItem(text, data)
    box.setCurrentIndex(0 if first is not None else -1)
    return box


class RecordDialog(FormDialog):
    """A record of the later stages (a sanction, a 挂牌督办, an accountability, a lifting): fields given as
    (service field name, label, widget); emits `submitted(dict)` of the service's keyword arguments."""

    def __init__(self, title: str, fields: list[tuple[str, str, QWidget]], parent=None, *, note: str = "",
                 ok_text: str = "保存") -> None:
        super().__init__(title, parent, ok_text=ok_text, width=480)
        for key, label, widget in fields:
            self.add(key, label, widget)
        if note:
            self.form.addRow("", hint_label(note))

    def values(self) -> dict:
        return {key: field_value(w) for key, w in self.focus_of.items()}
