"""A page's own export (a workbook the service lays out, not the table as shown): written on the lane while
its button waits, and the page's status line says where it went or that it did not finish.

    export_file(self, self.export_button, self.status, quota_service.export_ledger, path, as_of=day,
                done=lambda p: setattr(self, "last_export", p))
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from desktop.views.kit.ops import query
from desktop.views.kit.worker import show_error


def export_file(page: QWidget, button: QPushButton, status: QLabel, fn: Callable, *args,
                done: Callable[[Path], None] | None = None, **kwargs) -> None:
    """Run `fn(ledger, *args, **kwargs)` (it returns the path written) on the lane."""
    button.setEnabled(False)
    status.setText("正在导出…")

    def finished(path: Path) -> None:
        button.setEnabled(True)
        status.setText(f"已导出：{path}")
        if done is not None:
            done(path)

    def failed(exc: BaseException) -> None:
        button.setEnabled(True)
        status.setText("导出未完成")
        show_error(page, exc)

    query(page, None, fn, *args, done=finished, failed=failed, **kwargs)
