"""The preview of a returned packet: per row new / changed (old → new) / unchanged / conflict / error.

The clerk applies every valid change in one transaction, writes the error receipt, or cancels.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QTableView, QVBoxLayout

from desktop.services.excel import packet_service
from desktop.services.excel.packet_service import STATUS_LABELS, PacketPreview, PreviewRow
from desktop.views.kit.widgets import button
from desktop.views.kit.columns import ColumnChooser
from desktop.views.kit.file_choice import ask_save_xlsx
from desktop.views.kit.ops import query, write
from desktop.views.kit.row_filter import CHANGED, RowsFilter, shown_by
from desktop.views.kit.rows import RowsModel
from desktop.views.kit.table import setup_table, shortcut
from desktop.views.kit.worker import show_error

STATUS_COLORS = {"new": "#E2F0D9", "changed": "#DDEBF7", "conflict": "#FFF2CC", "error": "#FFC7CE"}


def change_text(r: PreviewRow) -> str:
    if r.status == "new":
        return "；".join(f"{c.column}：{c.new}" for c in r.changes)
    return "；".join(f"{c.column}：{c.old or '空'} → {c.new or '空'}" + ("（数据库已改为此值后又被改动：冲突）" if c.conflict else "")
                    for c in r.changes)


def problem_text(r: PreviewRow) -> str:
    return "；".join(f"{p.column or ''}列：{p.message}" if p.column else p.message for p in r.problems)


class PreviewModel(RowsModel):
    COLUMNS = [("sheet", "工作表"), ("row", "行"), ("status", "结果"), ("name", "对象名称"),
               ("changes", "修改内容（原值 → 新值）"), ("problems", "问题")]
    NUMERIC = {"row"}

    def value(self, r: PreviewRow, key: str):
        if key == "changes":
            return change_text(r)
        if key == "problems":
            return problem_text(r)
        return getattr(r, key)

    def display(self, r: PreviewRow, key: str) -> str:
        return STATUS_LABELS[r.status] if key == "status" else super().display(r, key)

    def background(self, r: PreviewRow, key: str) -> QColor | None:
        return QColor(STATUS_COLORS[r.status]) if key == "status" and r.status in STATUS_COLORS else None

    def tooltip(self, r: PreviewRow, key: str) -> str:
        return self.display(r, key)


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
        self.status_box.addItem("全部（未变的除外）", CHANGED)
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
        self.model = PreviewModel(self)
        self.model.set_rows(p.rows)
        self.proxy = RowsFilter(self.model, self)
        self.view = setup_table(QTableView())
        self.view.setModel(self.proxy)
        self.proxy.sort(-1)  # sheet and row order until the clerk sorts
        self.view.setWordWrap(False)
        for i, w in enumerate((110, 50, 60, 220, 380)):
            self.view.setColumnWidth(i, w)
        self.columns = ColumnChooser(self.view)
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
        self.receipt_btn = button("写错误回执…", self.choose_receipt, enabled=bool(p.problems),
                                  tip="有问题的行标红并注明原因，退回镇街修改" if p.problems else "没有错误，无需回执")
        valid = p.count("new") + p.count("changed")
        self.apply_btn = button(f"应用有效修改（{valid} 行）", self.apply, enabled=valid > 0, default=True,
                                tip="在一个事务中写入全部有效修改" if valid else "没有可以导入的修改")
        cancel = button("取消", self.reject)
        self.status = QLabel("" if valid or p.problems or p.count("conflict")
                             else "数据包与数据库一致，没有需要导入的修改。")
        buttons.addWidget(self.receipt_btn)
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.apply_btn)
        buttons.addWidget(cancel)
        lay.addLayout(buttons)
        self.status_box.currentIndexChanged.connect(self._filter)
        self.search.textChanged.connect(self._filter)
        shortcut(self, QKeySequence.StandardKey.Find, self.search.setFocus)
        self._filter()
        if self.proxy.rowCount():
            self.view.selectRow(0)

    def _show_detail(self, current, _previous=None) -> None:
        if not current.isValid():
            self.detail.setText("")
            return
        r = self.proxy.item(current.row())
        parts = [f"{r.sheet} 第{r.row}行 {r.name}（{STATUS_LABELS[r.status]}）"]
        if r.changes:
            parts.append(change_text(r))
        if r.problems:
            parts.append(problem_text(r))
        self.detail.setText("\n".join(parts))

    def _filter(self) -> None:
        self.proxy.set(keep=shown_by("status", self.status_box.currentData()), text=self.search.text())

    def choose_receipt(self) -> None:
        path = ask_save_xlsx(self, self.ctx.settings, "packets/dir", "写错误回执",
                             Path(self.preview.file_name).stem + "_错误回执.xlsx")
        if path is not None:
            self.write_receipt(path)

    def write_receipt(self, path: Path) -> None:
        self.receipt_btn.setEnabled(False)
        self.status.setText("正在写错误回执…")
        query(self, "receipt", _write_receipt, self.preview, path, done=self._receipt_written,
              failed=self._receipt_failed)

    def _receipt_written(self, out: Path) -> None:
        self.receipt_btn.setEnabled(True)
        self.receipt_path = out
        self.status.setText(f"已写出错误回执：{out}")

    def _receipt_failed(self, exc: BaseException) -> None:
        self.receipt_btn.setEnabled(True)
        self.status.setText("")
        show_error(self, exc)

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
        write(self, packet_service.apply, p, done=self._applied, failed=self._apply_failed)

    def _applied(self, outcome) -> None:
        self.outcome = outcome
        self.accept()

    def _apply_failed(self, exc: BaseException) -> None:
        self.apply_btn.setEnabled(True)
        self.status.setText("未写入任何内容")
        show_error(self, exc)


def _write_receipt(_ledger, preview: PacketPreview, path: Path) -> Path:
    """The error receipt is written from the preview alone (no ledger needed)."""
    return packet_service.write_receipt(preview, path)
