"""The 考核评分 page's dialogs: a new session (kind and name), its criteria (name, weight, full points, computed
source — editable until the session opens, shown read-only after), and the reason for unlocking."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import ScoringSubject
from desktop.services.scoring import scoring_service as svc
from desktop.services.scoring.scoring_criteria import KIND_LABELS, CriterionSpec
from desktop.services.scoring.scoring_sources import sources_for
from desktop.views.kit.forms import HINT_STYLE, FieldErrorDialog, FormDialog, error_label, plain, show_at

ENTERED = "评分录入"


class NewSessionDialog(FormDialog):
    """新建评分: the kind of subject and the session's name; emits `submitted((kind, name))`."""

    def __init__(self, year: int, parent=None) -> None:
        super().__init__("新建考核评分", parent, ok_text="新建")
        self.year = year
        self.kind_combo = self.add("kind", "考核对象", QComboBox())
        for kind in ScoringSubject:
            self.kind_combo.addItem(KIND_LABELS[kind], kind)
        self.name_edit = self.add("name", "名称", QLineEdit())
        hint = QLabel("评分项目和权重从同类上一场评分复制（第一场用默认项目），新建后可修改，开始评分后冻结。")
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        self.form.addRow(hint)
        self.kind_combo.currentIndexChanged.connect(self._default_name)
        self._default_name()

    def _default_name(self) -> None:
        self.name_edit.setText(f"{self.year}年度{KIND_LABELS[self.kind_combo.currentData()]}考核评分")

    def values(self) -> tuple[ScoringSubject, str]:
        return self.kind_combo.currentData(), self.name_edit.text()


def _total_weight(texts: list[str]) -> str:
    try:
        return plain(sum((Decimal(t.strip() or 0) for t in texts), Decimal(0)))
    except InvalidOperation:
        return "—"


class CriteriaDialog(FieldErrorDialog, QDialog):
    """评分项目: one line per criterion (name, weight, full points, where its score comes from). Editable until
    the session opens; emits `submitted(list[CriterionSpec])` and the page saves through the service."""

    submitted = Signal(object)
    COLUMNS = ("评分项目", "权重", "满分", "得分来源", "")

    def __init__(self, info: svc.SessionInfo, criteria: list[svc.CriterionInfo], parent=None) -> None:
        super().__init__(parent)
        self.editable = info.state == svc.DRAFT
        self.setWindowTitle(f"评分项目 — {info.title}")
        self.setMinimumWidth(720)
        self.sources = {"": ENTERED, **sources_for(info.kind)}
        self.lines: list[tuple[QLineEdit, QLineEdit, QLineEdit, QComboBox, QPushButton]] = []
        layout = QVBoxLayout(self)
        note = ("权重和满分可修改；“得分来源”选台账数据的项目由程序计算，其余由评分人录入。开始评分后冻结。"
                if self.editable else "本场评分已开始，评分项目和权重已冻结（只读）。")
        hint = QLabel(note)
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        layout.addWidget(hint)
        self.grid = QGridLayout()
        for col, head in enumerate(self.COLUMNS):
            self.grid.addWidget(QLabel(f"<b>{head}</b>"), 0, col)
        self.grid.setColumnStretch(0, 3)
        self.grid.setColumnStretch(3, 2)
        holder = QWidget()
        holder.setLayout(self.grid)
        layout.addWidget(holder)
        for c in criteria:
            self.add_line(c.name, plain(c.weight), plain(c.max_points), c.source)
        self.total_label = QLabel()
        self.add_button = QPushButton("添加项目")
        self.add_button.clicked.connect(lambda: self.add_line("", "", "", ""))
        self.add_button.setVisible(self.editable)
        layout.addWidget(self.add_button)
        layout.addWidget(self.total_label)
        self.error = error_label()
        layout.addWidget(self.error)
        self.errors = {k: self.error for k in ("criteria", "name", "weight", "max_points", "source")}
        self.focus_of = {k: self for k in self.errors}
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("保存")
        self.ok_button.setVisible(self.editable)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消" if self.editable else "关闭")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._update_total()

    def add_line(self, name: str, weight: str, top: str, source: str) -> None:
        row = len(self.lines) + 1
        name_edit, weight_edit, top_edit = QLineEdit(name), QLineEdit(weight), QLineEdit(top)
        combo = QComboBox()
        for key, label in self.sources.items():
            combo.addItem(label, key)
        combo.setCurrentIndex(max(0, combo.findData(source)))
        remove = QPushButton("删除")
        line = (name_edit, weight_edit, top_edit, combo, remove)
        remove.clicked.connect(lambda: self.remove_line(line))
        for col, w in enumerate(line):
            w.setEnabled(self.editable)
            self.grid.addWidget(w, row, col)
        remove.setVisible(self.editable)
        weight_edit.textEdited.connect(lambda _t: self._update_total())
        for edit in (name_edit, weight_edit, top_edit):
            edit.textEdited.connect(lambda _t: show_at(self.error, ""))
        self.lines.append(line)
        self._update_total()

    def remove_line(self, line) -> None:
        self.lines.remove(line)
        for w in line:
            self.grid.removeWidget(w)
            w.deleteLater()
        self._update_total()

    def _update_total(self) -> None:
        if hasattr(self, "total_label"):
            self.total_label.setText(f"共 {len(self.lines)} 项，权重合计 {_total_weight([l[1].text() for l in self.lines])}"
                                     "（总分按权重占比折算为百分制）")

    def specs(self) -> list[CriterionSpec]:
        return [CriterionSpec(n.text(), w.text(), t.text(), c.currentData()) for n, w, t, c, _r in self.lines]

    def submit(self) -> None:
        show_at(self.error, "")
        self.ok_button.setEnabled(False)
        self.submitted.emit(self.specs())


class UnlockDialog(FormDialog):
    """解锁: the reason (required, kept in the log); emits `submitted(reason)`."""

    def __init__(self, info: svc.SessionInfo, parent=None) -> None:
        super().__init__(f"解锁 — {info.title}", parent, ok_text="解锁", width=480)
        hint = QLabel(f"本场评分已由 {info.confirmed_by} 确认并锁定。解锁后可修改得分，须重新由另一账户确认；"
                      "解锁原因记入操作日志。")
        hint.setWordWrap(True)
        self.form.addRow(hint)
        self.reason_edit = self.add("reason", "解锁原因", QPlainTextEdit())
        self.reason_edit.setFixedHeight(90)

    def values(self) -> str:
        return self.reason_edit.toPlainText()
