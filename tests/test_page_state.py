"""Remembered layout: header and splitter states survive a new widget with the same settings."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QStringListModel, Qt
from PySide6.QtWidgets import QLabel, QSplitter, QTableView

from desktop.views.kit.page_state import restore_states, save_states


def _widgets(qtbot):
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.addWidget(QLabel("左"))
    splitter.addWidget(QLabel("右"))
    splitter.resize(600, 100)
    table = QTableView()
    model = QStringListModel(["甲", "乙"], table)
    table.setModel(model)
    qtbot.addWidget(splitter)
    qtbot.addWidget(table)
    return splitter, table


def test_saved_splitter_and_header_states_come_back(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    splitter, table = _widgets(qtbot)
    splitter.setSizes([450, 150])
    table.horizontalHeader().resizeSection(0, 222)
    save_states(settings, {"p/splitter": splitter, "p/header": table.horizontalHeader()})

    again, table2 = _widgets(qtbot)
    restore_states(settings, {"p/splitter": again, "p/header": table2.horizontalHeader()})
    assert again.sizes()[0] > again.sizes()[1]
    assert table2.horizontalHeader().sectionSize(0) == 222


def test_nothing_saved_leaves_widgets_as_they_are(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "empty.ini"), QSettings.Format.IniFormat)
    splitter, table = _widgets(qtbot)
    before = table.horizontalHeader().sectionSize(0)
    restore_states(settings, {"p/header": table.horizontalHeader(), "p/splitter": splitter})
    assert table.horizontalHeader().sectionSize(0) == before
