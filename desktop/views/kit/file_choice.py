"""The save dialog every export uses: it opens in the folder last used for that kind of file, adds the
file's ending (.xlsx, .pdf) when the clerk typed another one, and remembers the folder."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

from desktop.services.excel.excel_common import xlsx_path


def ask_save_file(parent: QWidget, settings: QSettings, folder_key: str, title: str, file_name: str,
                  file_filter: str, fix_ending: Callable[[str], Path]) -> Path | None:
    """The chosen path (its ending fixed by `fix_ending`), or None when the clerk cancelled."""
    folder = settings.value(folder_key, str(Path.home()))
    path, _chosen = QFileDialog.getSaveFileName(parent, title, str(Path(str(folder)) / file_name), file_filter)
    if not path:
        return None
    chosen = fix_ending(path)
    settings.setValue(folder_key, str(chosen.parent))
    return chosen


def ask_save_xlsx(parent: QWidget, settings: QSettings, folder_key: str, title: str, file_name: str) -> Path | None:
    """The chosen .xlsx path, or None when the clerk cancelled."""
    return ask_save_file(parent, settings, folder_key, title, file_name, "Excel 工作簿 (*.xlsx)", xlsx_path)
