"""打分 tab (附件2 (5)): when the examination has ended, the town scores each participating unit on the year's
weighted criteria. Points are typed in the table; the weighted total follows every keystroke (read-only, the
service's formula) and the service keeps it on 保存评分."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout

from desktop.services import numbers, units
from desktop.services.errors import ValidationError
from desktop.services.exams import exam_scoring
from desktop.services.exams.exam_scoring import ItemScore, UnitScore
from desktop.services.exams.exam_service import ExamDetail
from desktop.views.exams.case_kit import CaseTab, first
from desktop.views.kit.forms import plain
from desktop.views.kit.layouts import hbox, hint_label, table_view
from desktop.views.kit.ops import query, write
from desktop.views.kit.rows import MUTED, RED, RowsModel
from desktop.views.kit.table import edit_in_place
from desktop.views.kit.widgets import button, splitter

PICK = "请先选择被打分的单位"


class UnitScoreModel(RowsModel):
    COLUMNS = [("department", "被打分单位"), ("total", "加权得分"), ("scored_by", "打分人"), ("scored_on", "打分日期")]
    NUMERIC = {"total"}

    def display(self, r: UnitScore, key: str) -> str:
        if key == "total" and r.total is None:
            return "未打分"
        return super().display(r, key)

    def foreground(self, r: UnitScore, key: str):
        return MUTED if r.total is None else None

    def row_of(self, row_id) -> int:
        return next((i for i, r in enumerate(self.rows) if r.unit_id == row_id), -1)


class PointRow:
    """One criterion of the unit being scored, with the points as typed."""

    __slots__ = ("criterion", "weight", "max_points", "typed")

    def __init__(self, criterion: str, weight: Decimal, max_points: Decimal, typed: str = "") -> None:
        self.criterion, self.weight, self.max_points, self.typed = criterion, weight, max_points, typed

    def points(self) -> Decimal | None:
        """The typed points as a number (None when empty); ValidationError when not a number in range."""
        value = numbers.parse_decimal(self.typed, label=f"“{self.criterion}”的得分", field="points",
                                      rng=numbers.AMOUNT)
        if value is not None and value > self.max_points:
            raise ValidationError(f"“{self.criterion}”的得分不能超过满分 {plain(self.max_points)}", field="points")
        return value


class PointsModel(RowsModel):
    """The criteria: 评分项目, 权重, 满分 read-only; 得分 typed in place."""

    COLUMNS = [("criterion", "评分项目"), ("weight", "权重"), ("max_points", "满分"), ("typed", "得分")]
    NUMERIC = {"weight", "max_points", "typed"}

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.editable = False

    def flags(self, index):
        f = super().flags(index)
        if self.editable and index.isValid() and self.key(index.column()) == "typed":
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.EditRole and index.isValid():
            return self.rows[index.row()].typed
        return super().data(index, role)

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self.key(index.column()) != "typed":
            return False
        self.rows[index.row()].typed = str(value or "").strip()
        self.dataChanged.emit(index, index)
        return True

    def display(self, r: PointRow, key: str) -> str:
        if key in ("weight", "max_points"):
            return plain(getattr(r, key))
        return r.typed if key == "typed" else r.criterion

    def foreground(self, r: PointRow, key: str):
        if key != "typed":
            return None
        try:
            r.points()
        except ValidationError:
            return RED
        return None

    def tooltip(self, r: PointRow, key: str):
        if key == "typed":
            try:
                r.points()
            except ValidationError as exc:
                return exc.message
            return f"0 – {plain(r.max_points)} 分；双击或直接输入"
        return None


def live_total(rows: list[PointRow]) -> tuple[Decimal | None, str]:
    """The weighted total of the typed points (the service's formula), or None with what is missing."""
    items = []
    for r in rows:
        try:
            p = r.points()
        except ValidationError as exc:
            return None, exc.message
        if p is None:
            return None, f"请填写“{r.criterion}”的得分"
        items.append(ItemScore(r.criterion, r.weight, r.max_points, p))
    return exam_scoring.weighted_total(items), ""


def _scoring_data(ledger, exam_id: int, year: int):
    return exam_scoring.unit_scores(ledger, exam_id), exam_scoring.criteria(ledger, year)


class ScoringTab(CaseTab):
    def __init__(self, case) -> None:
        super().__init__(case)
        self.criteria = []
        self.typed: dict[int, list[PointRow]] = {}  # unit id → its rows as typed (kept across reloads)
        self.unit_model = UnitScoreModel(self)
        self.unit_table = table_view(self.unit_model, "score_unit_table", (130, 80, 80), sortable=False)
        self.unit_table.selectionModel().selectionChanged.connect(lambda *_: self._unit_selected())
        left = QGroupBox("参与单位")
        ll = QVBoxLayout(left)
        ll.addWidget(self.unit_table, 1)
        ll.addWidget(hint_label("体检结束后，由市专班牵头属地镇街对市级单位打分，作为年度考核依据。"))

        self.points_model = PointsModel(self)
        self.points_table = edit_in_place(table_view(self.points_model, "points_table", (240, 60, 60), sortable=False))
        self.points_model.dataChanged.connect(lambda *_: self._show_total())
        self.total_label = QLabel("")
        self.total_label.setObjectName("live_total")
        f = self.total_label.font()
        f.setPointSize(f.pointSize() + 2)
        f.setBold(True)
        self.total_label.setFont(f)
        self.total_label.setMinimumWidth(self.total_label.fontMetrics().horizontalAdvance("100.00") + 8)
        self.total_hint = hint_label("")
        self.save_button = button("保存评分", self.save, tip="加权得分 = Σ(得分 ÷ 满分 × 权重) ÷ Σ权重 × 100")
        self.gate.add(self.save_button, "score", extra=lambda: PICK if self._unit() is None else None)
        self.criteria_hint = hint_label("")
        self.right = QGroupBox("评分")
        rl = QVBoxLayout(self.right)
        rl.addWidget(self.points_table, 1)
        rl.addWidget(hbox(QLabel("加权得分："), self.total_label, (self.total_hint, 1), self.save_button))
        rl.addWidget(self.criteria_hint)
        self.splitter = splitter(Qt.Orientation.Horizontal, (left, 2), (self.right, 3))
        QVBoxLayout(self).addWidget(self.splitter)

    def layout_parts(self) -> dict:
        return {"scoring_splitter": self.splitter}

    def show_detail(self, d: ExamDetail) -> None:
        if self.detail is not None and self.detail.id != d.id:
            self.typed.clear()
        super().show_detail(d)
        year = d.closed_on.year if d.closed_on else self.ctx.year
        query(self, "scores", _scoring_data, d.id, year, done=lambda r: self._loaded(*r, year))

    def _loaded(self, scores: list[UnitScore], criteria, year: int) -> None:
        self.criteria = criteria
        weights = "、".join(f"{c.name} {plain(c.weight)}" for c in criteria)
        self.criteria_hint.setText(f"{year}年度评分项目及权重：{weights}（在“年度参数”中修改）")
        kept = self._unit()
        self.unit_model.set_rows(scores)
        row = self.unit_model.row_of(kept.unit_id) if kept is not None else -1
        if scores:
            self.unit_table.selectRow(max(row, 0))
        self._unit_selected()

    def _unit(self) -> UnitScore | None:
        return first(self.unit_table)

    def _unit_selected(self) -> None:
        u = self._unit()
        self.gate.update(self.detail.stage if self.detail else None)
        self.points_model.editable = self.save_button.isEnabled()
        if u is None:
            self.right.setTitle("评分")
            self.points_model.set_rows([])
            self._show_total()
            return
        self.right.setTitle(f"评分：{u.department}")
        if u.unit_id not in self.typed:
            if u.items:
                self.typed[u.unit_id] = [PointRow(i.criterion, i.weight, i.max_points, plain(i.points)) for i in u.items]
            else:
                self.typed[u.unit_id] = [PointRow(c.name, c.weight, c.max_points) for c in self.criteria]
        self.points_model.set_rows(self.typed[u.unit_id])
        self._show_total()

    def _show_total(self) -> None:
        total, missing = live_total(self.points_model.rows) if self.points_model.rows else (None, "")
        self.total_label.setText("—" if total is None else units.fmt(total, 2))
        self.total_hint.setText(missing)
        self.total_hint.setStyleSheet("color: #c0392b;" if missing and "不能" in missing else "color: #707070;")

    def save(self) -> None:
        u = self._unit()
        if u is None:
            return
        index = self.points_table.currentIndex()
        if self.points_table.state() == self.points_table.State.EditingState and index.isValid():
            self.points_table.commitData(self.points_table.indexWidget(index))  # a cell still being typed in
        points = {r.criterion: r.typed for r in self.typed.get(u.unit_id, [])}
        unit_id = u.unit_id
        write(self, exam_scoring.score_unit, unit_id, points, failed=self._refused,
              done=lambda _t: self.typed.pop(unit_id, None))

    def _refused(self, exc: BaseException) -> None:
        from desktop.views.kit.worker import show_error

        self.total_hint.setText(getattr(exc, "message", "") or str(exc))
        self.total_hint.setStyleSheet("color: #c0392b;")
        if not isinstance(exc, ValidationError):
            show_error(self, exc)
