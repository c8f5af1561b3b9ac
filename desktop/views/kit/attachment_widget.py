"""A small panel listing an object's attachments (证明材料/扫描件): add files, open with the system's
viewer, remove. Any page embeds it and calls `set_object(table_name, id)`."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services import attachment_service
from desktop.services.attachment_service import AttachmentRow
from desktop.views.kit.context import AppContext
from desktop.views.kit.worker import show_error


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB"):
        if n < 1024 or unit == "MB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


class AttachmentListModel(QAbstractListModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[AttachmentRow] = []

    def set_rows(self, rows: list[AttachmentRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        r = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            text = f"{r.file_name}（{_size(r.size)}）"
            return f"{text} — {r.description}" if r.description else text
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{r.file_name}\n大小：{_size(r.size)}\n指纹：{r.sha256[:16]}…"
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        return None


class AttachmentPanel(QWidget):
    """Attachments of one object. Emits `changed` after an add or remove."""

    changed = Signal()

    def __init__(self, ctx: AppContext, title: str = "附件 / 证明材料", parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.object_type: str | None = None
        self.object_id: int | None = None
        self.model = AttachmentListModel(self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.doubleClicked.connect(lambda _i: self.open_selected())
        self.title = QLabel(title)
        self.add_button = QPushButton("添加文件…")
        self.open_button = QPushButton("打开")
        self.remove_button = QPushButton("移除")
        self.add_button.clicked.connect(self.add_files)
        self.open_button.clicked.connect(self.open_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.open_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self._enable()

    def set_object(self, object_type: str | None, object_id: int | None) -> None:
        self.object_type, self.object_id = object_type, object_id
        self.refresh()

    def refresh(self) -> None:
        if self.object_type is None or self.object_id is None:
            self.model.set_rows([])
            self._enable()
            return
        ot, oid = self.object_type, self.object_id
        self.ctx.worker.run(lambda: attachment_service.list_for(self.ctx.db, ot, oid), self._loaded,
                            lambda e: show_error(self, e))

    def _loaded(self, rows: list[AttachmentRow]) -> None:
        self.model.set_rows(rows)
        self._enable()

    def _enable(self) -> None:
        has_object = self.object_type is not None and self.object_id is not None
        self.add_button.setEnabled(has_object)
        self.open_button.setEnabled(bool(self.model.rows))
        self.remove_button.setEnabled(bool(self.model.rows))

    def add_paths(self, paths: list[str]) -> None:
        """Attach files (on the worker lane); used by the file dialog and by tests."""
        ot, oid, db = self.object_type, self.object_id, self.ctx.db
        if ot is None or oid is None or not paths:
            return

        def work():
            return [attachment_service.attach(db, ot, oid, p) for p in paths]

        def done(_rows) -> None:
            self.refresh()
            self.ctx.changed("attachment")
            self.changed.emit()

        self.ctx.worker.run(work, done, lambda e: show_error(self, e))

    def add_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "选择附件", "", "所有文件 (*);;PDF (*.pdf);;图片 (*.jpg *.jpeg *.png)")
        self.add_paths(paths)

    def _selected_id(self) -> int | None:
        index = self.view.currentIndex()
        return self.model.data(index, Qt.ItemDataRole.UserRole) if index.isValid() else None

    def open_selected(self) -> None:
        att_id = self._selected_id()
        if att_id is None:
            return

        def opened(path) -> None:
            if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
                QMessageBox.information(self, "提示", f"没有可打开此类文件的程序。文件位于：\n{path}")

        self.ctx.worker.run(lambda: attachment_service.path_of(self.ctx.db, att_id), opened, lambda e: show_error(self, e))

    def remove_selected(self) -> None:
        att_id = self._selected_id()
        if att_id is None:
            return
        name = self.view.currentIndex().data()
        if QMessageBox.question(self, "移除附件", f"确定移除附件“{name}”吗？") != QMessageBox.StandardButton.Yes:
            return

        def done(_r) -> None:
            self.refresh()
            self.ctx.changed("attachment")
            self.changed.emit()

        self.ctx.worker.run(lambda: attachment_service.remove(self.ctx.db, att_id), done, lambda e: show_error(self, e))
