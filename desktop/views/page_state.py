"""Remembered layout of a page: header and splitter states kept in the settings under fixed keys."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings


def restore_states(settings: QSettings, parts: dict) -> None:
    """Give each widget (header view, splitter — anything with restoreState) its saved state."""
    for key, widget in parts.items():
        state = settings.value(key)
        if isinstance(state, QByteArray):
            widget.restoreState(state)


def save_states(settings: QSettings, parts: dict) -> None:
    for key, widget in parts.items():
        settings.setValue(key, widget.saveState())
