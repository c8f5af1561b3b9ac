"""The preview of a returned packet: per row new / changed (old → new) / unchanged / conflict / error.

The clerk applies every valid change in one transaction, writes the error receipt, or cancels.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from desktop.services.excel import packet_service
from desktop.services.excel.packet_service import STATUS_LABELS, PacketPreview, PreviewRow
from desktop.views.kit.file_choice import ask_save_xlsx
from desktop.views.kit.list_model import ListTableModel
from desktop.views.kit.worker import show_error

STATUS_COLORS = {"new": "#E2F0D9", "changed": "#DDEBF7", "conflict": "#FFF2CC", "error": "#FFC7CE"}
COLUMNS = ["工作表", "行", "结果", "对象名称", "修改内容（原值 → 新值）", "问题"]


def change_text(r: PreviewRow) -> str:
    if r.status == "new":
        return "；".join(f"{c.column}：{c.new}" for c in r.changes)
    return "；".join(f"{c.column}：{c.old or '空'} → {c.new or '空'}" + ("（数据库已改为此值后又被改动：冲突）" if c.conflict else "")
                    for c in r.changes)


def problem_text(r: PreviewRow) -> str:
    return "；".join(f"{p.column or ''}列：{p.message}" if p.column else p.message for p in r.problems)


class PreviewModel(ListTableModel):
    columns = COLUMNS

    def cell(self, r: PreviewRow, col: int, role):
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return [r.sheet, str(r.row), STATUS_LABELS[r.status], r.name, change_text(r), problem_text(r)][col]
        if role == Qt.ItemDataRole.UserRole:  # sort key
            return [r.sheet, r.row, r.status, r.name, change_text(r), problem_text(r)][col]
        if role == Qt.ItemDataRole.BackgroundRole and r.status in STATUS_COLORS and col == 2:
            return QBrush(QColor(STATUS_COLORS[r.status]))
        return None


class _Filter(QSortFilterProxyModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.status: str | None = None
        self.text = ""
        self.setSortRole(Qt.ItemDataRole.UserRole)

    def set(self, status: str | None, text: str) -> None:
        self.status, self.text = status, text.strip()
        self.invalidateFilter()

    def filterAcceptsRow(self, source_row, source_parent) -> bool:
        r = self.sourceModel().rows[source_row]
        if self.status == "__changed":
            if r.status == "unchanged":
                return False
        elif self.status and r.status != self.status:
            return False
        return not self.text or self.text in r.name or self.text in problem_text(r) or self.text in change_text(r)


class PacketPreviewDialog(QDialog):
    """Shows a PacketPreview; `applied` holds the outcome after 应用."""

    def __init__(self, ctx, preview: PacketPreview, parent=None) -> None:
        super().__init__(parent)
        self.ctx, self.preview, self.outcome = ctx, preview, None
        period = f"{preview.year}年{preview.month}月" if preview.month else f"{preview.year}年度"
        self.setWindowTitle(f"导入数据包预览 — {preview.town} {period}")
        self.resize(1100, 640)
        lay = QVBoxLayout(self)
        p = preview
        head = QLabel(f"<b>{p.file_name}</b>　{p.town} {period}　数据包 {p.packet_id[:8]}，导出于 "
                      f"{p.exported_at.replace('T', ' ')}<br>"
                      f"读取 {p.rows_read} 行：新增 <b>{p.count('new')}</b>，修改 <b>{p.count('changed')}</b>，"
                      f"未变 {p.count('unchanged')}，冲突 <b>{p.count('conflict')}</b>，"
                      f"错误 <b style='color:#C00000'>{p.count('error')}</b>（共 {len(p.problems)} 处问题）")
        head.setTextFormat(Qt.TextFormat.RichText)
        head.setWordWrap(True)
        lay.addWidget(head)
        bar = QHBoxLayout()
        self.status_box = QComboBox()
        self.status_box.addItem("全部（未变的除外）", "__changed")
        self.status_box.addItem("全部", None)
        for key, label in STATUS_LABELS.items():
            self.status_box.addItem(f"{label}（{p.count(key)}）", key)
        self.search = QLineEdit()
        self.search.setPlaceholderText("查找对象名称或问题（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        bar.addWidget(QLabel("显示："))
        bar.addWidget(self.status_box)
        bar.addWidget(self.search, 1)
        lay.addLayout(bar)
        self.model = PreviewModel(p.rows, self)
        self.proxy = _Filter(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.proxy.sort(-1)  # sheet and row order until the clerk sorts
        self.view.setWordWrap(False)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().setVisible(False)
        hh = self.view.horizontalHeader()
        for i, w in enumerate((110, 50, 60, 220, 380, 360)):
            self.view.setColumnWidth(i, w)
        hh.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.view, 1)
        self.detail = QLabel("")  # the selected row in full (the cells above are cut to their width)
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(40)
        lay.addWidget(self.detail)
        self.view.selectionModel().currentRowChanged.connect(self._show_detail)
        note = QLabel("冲突：导出后数据库中该格已被修改，与镇街填写的不同，不会导入（请核实后在相应页面修改）。"
                      "有错误的行不会导入；可写出错误回执退回镇街。")
        note.setWordWrap(True)
        note.setStyleSheet("color:#555")
        lay.addWidget(note)
        buttons = QHBoxLayout()
        self.receipt_btn = QPushButton("写错误回执…")
        self.receipt_btn.setEnabled(bool(p.problems))
        self.receipt_btn.clicked.connect(self.choose_receipt)
        valid = p.count("new") + p.count("changed")
        self.apply_btn = QPushButton(f"应用有效修改（{valid} 行）")
        self.apply_btn.setEnabled(valid > 0)
        self.apply_btn.setDefault(True)
        self.apply_btn.clicked.connect(self.apply)
        cancel = QPushButton("取消")
        cancel.clicked.connect(self.reject)
        self.status = QLabel("" if valid or p.problems or p.count("conflict")
                             else "数据包与数据库一致，没有需要导入的修改。")
        buttons.addWidget(self.receipt_btn)
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.apply_btn)
        buttons.addWidget(cancel)
        lay.addLayout(buttons)
        self.status_box.currentIndexChanged.connect(self._filter)
        self.search.textChanged.connect(self._filter)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)
        self._filter()
        if self.proxy.rowCount():
            self.view.selectRow(0)

    def _show_detail(self, current, _previous=None) -> None:
        if not current.isValid():
            self.detail.setText("")
            return
        r = self.model.rows[self.proxy.mapToSource(current).row()]
        parts = [f"{r.sheet} 第{r.row}行 {r.name}（{STATUS_LABELS[r.status]}）"]
        if r.changes:
            parts.append(change_text(r))
        if r.problems:
            parts.append(problem_text(r))
        self.detail.setText("\n".join(parts))

    def _filter(self) -> None:
        key = self.status_box.currentData()
        self.proxy.set(key, self.search.text())

    def choose_receipt(self) -> None:
        path = ask_save_xlsx(self, self.ctx.settings, "packets/dir", "写错误回执",
                             Path(self.preview.file_name).stem + "_错误回执.xlsx")
        if path is not None:
            self.write_receipt(path)

    def write_receipt(self, path: Path) -> None:
        preview = self.preview
        self.receipt_btn.setEnabled(False)
        self.status.setText("正在写错误回执…")

        def done(out):
            self.receipt_btn.setEnabled(True)
            self.receipt_path = out
            self.status.setText(f"已写出错误回执：{out}")

        def failed(exc):
            self.receipt_btn.setEnabled(True)
            self.status.setText("")
            show_error(self, exc)

        self.ctx.worker.run(lambda: packet_service.write_receipt(preview, path), done, failed)

    def apply(self) -> None:
        p = self.preview
        skipped = p.count("error") + p.count("conflict")
        if skipped:
            answer = QMessageBox.question(
                self, "应用有效修改",
                f"将在一个事务中写入 {p.count('new') + p.count('changed')} 行；"
                f"{p.count('error')} 行有错误、{p.count('conflict')} 行有冲突，不会导入。继续吗？")
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.apply_btn.setEnabled(False)
        self.status.setText("正在写入…")

        def done(outcome):
            self.outcome = outcome
            self.ctx.changed("packet_import")
            self.accept()

        def failed(exc):
            self.apply_btn.setEnabled(True)
            self.status.setText("未写入任何内容")
            show_error(self, exc)

        db = self.ctx.db
        self.ctx.worker.run(lambda: packet_service.apply(db, p), done, failed)
