"""The 考核评分 page's tables: the year's sessions, and the score grid (subjects × criteria, then the total and
the rank) typed in place. Totals and ranks come from the scoring service alone: `rank_rows` for the stored
scores, `recompute` (which writes nothing) while a score is being typed; a refused score stays in its cell,
marked, with the service's sentence as its tooltip."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemDelegate, QLineEdit, QStyledItemDelegate

from desktop.services import units
from desktop.services.errors import ValidationError
from desktop.services.scoring import scoring_service as svc
from desktop.views.kit.forms import plain
from desktop.views.kit.rows import MISSING_BACKGROUND, MUTED, RowsModel, sort_key

COMPUTED_BACKGROUND = QColor("#EEF1F5")
CONFIRMED_COLOR = QColor("#1E7B34")
ENTER_TIP = "直接输入得分（0 至满分，可有小数），回车保存；Esc 取消；Ctrl+Z 撤销"


class SessionModel(RowsModel):
    COLUMNS = [("title", "名称"), ("kind_label", "考核对象"), ("state", "状态"), ("scorers", "录入人"),
               ("confirmed_by", "确认人")]

    def foreground(self, row: svc.SessionInfo, key: str) -> QColor | None:
        return CONFIRMED_COLOR if key == "state" and row.state == svc.CONFIRMED else None

    def tooltip(self, row: svc.SessionInfo, key: str) -> str | None:
        if key == "state" and row.unlock_reason and row.state != svc.CONFIRMED:
            return f"曾解锁，原因：{row.unlock_reason}"
        return None


class ScoreGridModel(QAbstractTableModel):
    """One row per subject; column 0 the subject, then one column per criterion, then 总分 and 名次.

    `score_typed(subject_id, criterion_id, before, points)` is emitted for an accepted score (the page saves
    it); `refused(message)` for a score the service refuses (it stays in the cell, not saved)."""

    score_typed = Signal(int, int, object, object)
    refused = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.grid: svc.ScoreGrid | None = None
        self.locked = True
        self.subjects: list[svc.SubjectInfo] = []  # in view order
        self.results: dict[int, svc.ResultRow] = {}  # subject id → its line
        self.rejected: dict[tuple[int, int], tuple[str, str]] = {}  # (subject, criterion) → (text, message)
        self._filter = ""
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)

    # Data in ---------------------------------------------------------------------------------
    def set_grid(self, grid: svc.ScoreGrid | None, *, locked: bool) -> None:
        self.beginResetModel()
        self.grid, self.locked = grid, locked
        self.rejected = {k: v for k, v in self.rejected.items() if grid is not None and not locked
                         and any(s.id == k[0] for s in grid.subjects)}
        self.results = {r.subject_id: r for r in (grid.rows if grid else [])}
        self._apply()
        self.endResetModel()

    def set_filter(self, text: str) -> None:
        self.beginResetModel()
        self._filter = (text or "").strip().lower()
        self._apply()
        self.endResetModel()

    def _apply(self) -> None:
        subjects = list(self.grid.subjects) if self.grid else []
        terms = self._filter.split()
        if terms:
            subjects = [s for s in subjects if all(t in s.name.lower() for t in terms)]
        column, order = self._sort
        if 0 <= column < self.columnCount():
            subjects.sort(key=lambda s: sort_key(self._value(s, column)),
                          reverse=order == Qt.SortOrder.DescendingOrder)
        self.subjects = subjects

    # Columns ---------------------------------------------------------------------------------
    @property
    def criteria(self) -> list[svc.CriterionInfo]:
        return self.grid.criteria if self.grid else []

    def total_column(self) -> int:
        return len(self.criteria) + 1

    def rank_column(self) -> int:
        return len(self.criteria) + 2

    def criterion_at(self, column: int) -> svc.CriterionInfo | None:
        return self.criteria[column - 1] if 1 <= column <= len(self.criteria) else None

    def column_of(self, name: str) -> int:
        return next(n for n, c in enumerate(self.criteria, start=1) if c.name == name)

    def row_of_subject(self, subject_id: int) -> int:
        return next((n for n, s in enumerate(self.subjects) if s.id == subject_id), -1)

    def subject_at(self, row: int) -> svc.SubjectInfo | None:
        return self.subjects[row] if 0 <= row < len(self.subjects) else None

    def result_of(self, name: str) -> svc.ResultRow:
        return next(r for r in self.results.values() if r.subject == name)

    def _value(self, s: svc.SubjectInfo, column: int):
        if column == 0:
            return s.name
        r = self.results.get(s.id)
        if column == self.total_column():
            return r.total if r else None
        if column == self.rank_column():
            return r.rank if r else None
        c = self.criterion_at(column)
        return self.grid.points.get((s.id, c.id)) if c else None

    # Live totals -----------------------------------------------------------------------------
    def preview(self, index: QModelIndex | QPersistentModelIndex, text: str | None) -> None:
        """Totals and ranks as if `text` stood in the cell (None: as stored), written nowhere."""
        if self.grid is None:
            return
        edits = {}
        s, c = self.subject_at(index.row()), self.criterion_at(index.column())
        if text is not None and s is not None and c is not None:
            edits[(s.id, c.id)] = text
        self.results = {r.subject_id: r for r in svc.recompute(self.grid, edits)}
        self._totals_changed()

    def _totals_changed(self) -> None:
        if self.subjects:
            self.dataChanged.emit(self.index(0, self.total_column()),
                                  self.index(len(self.subjects) - 1, self.rank_column()))

    # Qt --------------------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.subjects)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() or self.grid is None else len(self.criteria) + 3

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        c = self.criterion_at(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if section == 0:
                return svc.KIND_LABELS[self.grid.session.kind]
            if c is not None:
                return f"{c.name}\n权重 {plain(c.weight)}　满分 {plain(c.max_points)}"
            return "总分" if section == self.total_column() else "名次"
        if role == Qt.ItemDataRole.ToolTipRole:
            if c is not None:
                return f"由台账数据计算：{c.source_label}（不能录入）" if c.computed else ENTER_TIP
            if section == self.total_column():
                return "总分 = Σ（得分 ÷ 满分 × 权重）÷ Σ权重 × 100，由各项得分重算，不能录入"
            if section == self.rank_column():
                return "按总分排名；总分相同者并列，其后名次顺延（1、1、3）"
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        c = self.criterion_at(index.column())
        if c is not None and not c.computed and not self.locked:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        s = self.subject_at(index.row()) if index.isValid() else None
        if s is None or not 0 <= index.column() < self.columnCount():
            return None
        column, c = index.column(), self.criterion_at(index.column())
        key = (s.id, c.id) if c else None
        bad = self.rejected.get(key) if key else None
        r = self.results.get(s.id)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if bad is not None:
                return bad[0]
            if column == self.total_column():
                return units.fmt(r.total) if r else ""
            if column == self.rank_column():
                return r.rank_label if r else ""
            value = self._value(s, column)
            return value if column == 0 else plain(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if bad is not None:
                return QBrush(MISSING_BACKGROUND)
            if c is not None and c.computed:
                return QBrush(COMPUTED_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole and c is not None and c.computed:
            return QBrush(MUTED)
        if role == Qt.ItemDataRole.FontRole and column == self.rank_column() and r is not None and r.tied:
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.ToolTipRole:
            if bad is not None:
                return f"{bad[1]}（未保存）"
            if c is not None and c.computed:
                return self.grid.notes.get(key) or c.source_label
            if c is not None and not self.locked:
                return f"满分 {plain(c.max_points)}。{ENTER_TIP}"
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        s, c = self.subject_at(index.row()), self.criterion_at(index.column())
        key, text = (s.id, c.id), str(value if value is not None else "").strip()
        try:
            points = svc.check_points(text, c)
        except ValidationError as exc:
            self.rejected[key] = (text, f"{s.name}：{exc.message}")
            self.preview(index, None)
            self.dataChanged.emit(index, index)
            self.refused.emit(self.rejected[key][1])
            return True
        self.rejected.pop(key, None)
        before = self.grid.points.get(key)
        self.preview(index, None)
        if before != points:
            self.grid.points[key] = points
            self.results = {r.subject_id: r for r in svc.recompute(self.grid, {})}
            self._totals_changed()
            self.score_typed.emit(s.id, c.id, before, points)
        self.dataChanged.emit(index, index)
        return True

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply()
        self.layoutChanged.emit()


class ScoreDelegate(QStyledItemDelegate):
    """The editor of a score cell: each keystroke shows the totals and ranks it would give (nothing written);
    Esc puts the stored totals back."""

    def createEditor(self, parent, option, index):
        editor = QLineEdit(parent)
        editor.setAlignment(Qt.AlignmentFlag.AlignRight)
        persistent = QPersistentModelIndex(index)
        editor.textEdited.connect(lambda text: persistent.isValid() and index.model().preview(persistent, text))
        return editor

    def setEditorData(self, editor, index):
        editor.setText(str(index.data(Qt.ItemDataRole.EditRole) or ""))

    def setModelData(self, editor, model, index):
        model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)

    def install(self, view) -> None:
        view.setItemDelegate(self)
        self.closeEditor.connect(lambda _e, hint: self._closed(view, hint))

    @staticmethod
    def _closed(view, hint) -> None:
        if hint == QAbstractItemDelegate.EndEditHint.RevertModelCache:  # Esc: the stored totals again
            view.model().preview(QModelIndex(), None)
