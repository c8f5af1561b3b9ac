"""A small panel listing an object's attachments (证明材料/扫描件): add files, open with the system's
viewer, remove. Any page embeds it and calls `set_object(table_name, id)`."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from desktop.services import attachment_service
from desktop.services.attachment_service import AttachmentRow
from desktop.views.kit.context import AppContext
from desktop.views.kit.ops import forget, query, write
from desktop.views.kit.rows import RowsModel
from desktop.views.kit.table import ActionBar, needs_one, selected_rows


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB"):
        if n < 1024 or unit == "MB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


class AttachmentListModel(RowsModel):
    """One line per file: name, size and description; the fingerprint in the tooltip."""

    COLUMNS = [("file_name", "文件")]

    def display(self, r: AttachmentRow, key: str) -> str:
        text = f"{r.file_name}（{_size(r.size)}）"
        return f"{text} — {r.description}" if r.description else text

    def tooltip(self, r: AttachmentRow, key: str) -> str:
        return f"{r.file_name}\n大小：{_size(r.size)}\n指纹：{r.sha256[:16]}…"


class AttachmentPanel(QWidget):
    """Attachments of one object. Emits `changed` after an add or remove."""

    changed = Signal()

    def __init__(self, ctx: AppContext, title: str = "附件 / 证明材料", parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.object_type: str | None = None
        self.object_id: int | None = None
        self.last_opened: Path | None = None
        self.model = AttachmentListModel(self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.doubleClicked.connect(lambda _i: self.open_selected())
        self.title = QLabel(title)
        self.actions = ActionBar(self.view, self)
        self.add_button = self.actions.add("添加文件…", self.add_files, when=self._why_not_add)
        self.open_button = self.actions.add("打开", self.open_selected, when=needs_one, needs=None,
                                            tip="用系统中关联的程序打开（按原文件名）")
        self.remove_button = self.actions.add("移除", self.remove_selected, when=needs_one)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.open_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

    def _why_not_add(self, _rows) -> str | None:
        return None if self.object_type is not None and self.object_id is not None else "请先保存或选择一条记录"

    def set_object(self, object_type: str | None, object_id: int | None) -> None:
        self.object_type, self.object_id = object_type, object_id
        self.refresh()

    def refresh(self) -> None:
        if self.object_type is None or self.object_id is None:
            forget(self, "list")
            self.model.set_rows([])
            return
        query(self, "list", attachment_service.list_for, self.object_type, self.object_id, done=self.model.set_rows)

    def add_paths(self, paths: list[str]) -> None:
        """Attach files (on the worker lane); used by the file dialog and by tests."""
        if self.object_type is None or self.object_id is None or not paths:
            return
        write(self, attachment_service.attach_files, self.object_type, self.object_id, [str(p) for p in paths],
              done=self._changed)

    def _changed(self, _result) -> None:
        self.refresh()
        self.changed.emit()

    def add_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "选择附件", "", "所有文件 (*);;PDF (*.pdf);;图片 (*.jpg *.jpeg *.png)")
        self.add_paths(paths)

    def _selected(self) -> AttachmentRow | None:
        rows = selected_rows(self.view)
        return rows[0] if rows else None

    def open_selected(self) -> None:
        """Open in the system's viewer through a named copy (the store has no file names)."""
        row = self._selected()
        if row is not None:
            query(self, "open", attachment_service.file_to_open, row.id, done=self._open)

    def _open(self, path: Path) -> None:
        self.last_opened = path
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            QMessageBox.information(self, "提示", f"系统中没有可打开“{path.name}”的程序。文件副本位于：\n{path}")

    def remove_selected(self) -> None:
        row = self._selected()
        if row is None:
            return
        if QMessageBox.question(self, "移除附件", f"确定移除附件“{row.file_name}”吗？") != QMessageBox.StandardButton.Yes:
            return
        write(self, attachment_service.remove, row.id, done=self._changed)
