"""The save dialog every Excel export uses: it opens in the folder last used for that kind of file,
adds .xlsx when the clerk typed another ending, and remembers the folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

from desktop.services.excel.excel_common import xlsx_path


def ask_save_xlsx(parent: QWidget, settings: QSettings, folder_key: str, title: str, file_name: str) -> Path | None:
    """The chosen .xlsx path, or None when the clerk cancelled."""
    folder = settings.value(folder_key, str(Path.home()))
    path, _chosen = QFileDialog.getSaveFileName(parent, title, str(Path(str(folder)) / file_name),
                                                "Excel 工作簿 (*.xlsx)")
    if not path:
        return None
    chosen = xlsx_path(path)
    settings.setValue(folder_key, str(chosen.parent))
    return chosen
