"""Table models of the 镇街与任务分解 page: the year's 附件1 progress (targets edited in place, the 合计 row
always last) and the town directory."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from PySide6.QtCore import QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemDelegate, QLineEdit, QStyledItemDelegate

from desktop.services.errors import ValidationError
from desktop.services.towns import progress_service, town_service
from desktop.views.kit.forms import plain
from desktop.views.kit.rows import AMBER, MUTED, RowsModel, pct_text

TOTALS_BACKGROUND = QColor("#EEF2F7")
EDIT_TIP = "双击或按 F2 修改，回车确认"


class ProgressModel(RowsModel):
    """One row per active town from progress_service.year_progress, then the 合计 row (always last,
    outside sorting). The two target columns are edited in place: `target_edited(town id, field, old,
    new)` asks the page to save."""

    COLUMNS = [
        ("town", "镇街"),
        ("target_area_mu", "目标面积\n（亩）"),
        ("target_parks", "目标园区\n（个）"),
        ("listed_mu", "已列清单面积\n（亩）"),
        ("contiguous_mu", "其中连片面积\n（亩）"),
        ("share_pct", "连片占比"),
        ("verified_mu", "已核实面积\n（亩）"),
        ("completion_pct", "完成率"),
        ("parks_started", "已启动园区\n（个）"),
    ]
    NUMERIC = frozenset(k for k, _ in COLUMNS) - {"town"}
    EDITABLE = ("target_area_mu", "target_parks")
    target_edited = Signal(int, str, object, object)  # town id, field, value before, parsed value

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._totals: progress_service.TownProgress | None = None
        self._share_min: Decimal | None = None

    def set_progress(self, progress: progress_service.YearProgress) -> None:
        self._totals = progress.totals
        self._share_min = progress.share_min_pct
        self.set_rows(progress.towns)

    def _apply(self) -> None:
        super()._apply()
        if self._totals is not None:
            self.rows.append(self._totals)

    def town_id(self, row: int) -> int | None:
        return None if self.is_totals(row) or self.item(row) is None else self.item(row).town_id

    def row_of_town(self, town_id: int) -> int:
        return next((i for i, r in enumerate(self.rows) if r.town_id == town_id and not self.is_totals(i)), -1)

    def is_totals(self, row: int) -> bool:
        return self._totals is not None and row == len(self.rows) - 1

    # Per-column behaviour ----------------------------------------------------------------
    def display(self, row, key: str) -> str:
        if key in ("share_pct", "completion_pct"):
            return pct_text(getattr(row, key))
        return super().display(row, key)

    def background(self, row, key: str) -> QColor | None:
        if key == "share_pct" and row.share_below_min:
            return AMBER
        return TOTALS_BACKGROUND if row is self._totals else None

    def bold(self, row, key: str) -> bool:
        return row is self._totals

    def tooltip(self, row, key: str) -> str | None:
        if key == "share_pct" and row.share_below_min:
            return f"连片面积占比低于年度下限 {plain(self._share_min)}%（三(一)）"
        if key == "completion_pct" and row is self._totals:
            return "合计完成率按全市年度目标计算"
        if key in self.EDITABLE and row is not self._totals:
            return EDIT_TIP
        return None

    # Editing -----------------------------------------------------------------------------
    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if (role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self.COLUMNS) and self.key(section) in self.EDITABLE):
            return EDIT_TIP
        return super().headerData(section, orientation, role)

    def flags(self, index):
        f = super().flags(index)
        if index.isValid() and self.key(index.column()) in self.EDITABLE and not self.is_totals(index.row()):
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.EditRole:
            row = self.item(index.row()) if index.isValid() else None
            return None if row is None else plain(getattr(row, self.key(index.column())))
        return super().data(index, role)

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        key = self.key(index.column())
        try:
            parsed = parse(key, value)
        except ValidationError:
            return False
        row = self.rows[index.row()]
        before = getattr(row, key)
        if before == parsed:
            return True
        updated = dataclasses.replace(row, **{key: parsed})
        self._all = [updated if r is row else r for r in self._all]
        self.rows[index.row()] = updated
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        self.target_edited.emit(row.town_id, key, before, parsed)
        return True


def parse(key: str, value):
    """The service's rule for a target cell (non-negative number; parks a whole number)."""
    if key == "target_area_mu":
        return town_service.parse_target_area(value)
    return town_service.parse_target_parks(value)


class TargetDelegate(QStyledItemDelegate):
    """In-place editing of target cells: a refused value is reported and the editor reopens with it;
    Esc gives the cell its value back and takes the report away (`restored`)."""

    refused = Signal(QPersistentModelIndex, str, str)  # index, typed text, message
    restored = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.pending: dict[tuple[int, int], str] = {}
        self.closeEditor.connect(self._closed)

    def createEditor(self, parent, option, index):
        editor = QLineEdit(parent)
        editor.setAlignment(Qt.AlignmentFlag.AlignRight)
        return editor

    def setEditorData(self, editor, index):
        text = self.pending.pop((index.row(), index.column()), None)
        editor.setText(text if text is not None else str(index.data(Qt.ItemDataRole.EditRole) or ""))

    def setModelData(self, editor, model, index):
        text = editor.text()
        try:
            parse(ProgressModel.COLUMNS[index.column()][0], text)
        except ValidationError as exc:
            self.refused.emit(QPersistentModelIndex(index), text, exc.message)
            return
        model.setData(index, text, Qt.ItemDataRole.EditRole)

    def _closed(self, _editor, hint) -> None:
        if hint == QAbstractItemDelegate.EndEditHint.RevertModelCache:  # Esc: the old value stands
            self.pending.clear()
            self.restored.emit()


class TownListModel(RowsModel):
    """The town directory in its order: position, name, liaison, phone, state (stopped towns greyed)."""

    COLUMNS = [("order", "序号"), ("name", "镇街"), ("liaison_name", "联络人"), ("liaison_phone", "联系电话"),
               ("active", "状态")]
    NUMERIC = frozenset({"order"})

    def value(self, row: town_service.TownRow, key: str):
        if key == "order":
            return self._all.index(row) + 1
        if key == "active":
            return "在用" if row.active else "已停用"
        return getattr(row, key)

    def foreground(self, row: town_service.TownRow, key: str) -> QColor | None:
        return None if row.active else MUTED
