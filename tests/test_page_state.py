"""Remembered layout: header and splitter states survive a new widget with the same settings."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QStringListModel, Qt
from PySide6.QtWidgets import QLabel, QSplitter, QTableView

from desktop.views.kit.table import Layout


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
    Layout(settings, "p", {"splitter": splitter, "header": table.horizontalHeader()}).save()

    again, table2 = _widgets(qtbot)
    Layout(settings, "p", {"splitter": again, "header": table2.horizontalHeader()})  # restores at once
    assert again.sizes()[0] > again.sizes()[1]
    assert table2.horizontalHeader().sectionSize(0) == 222


def test_nothing_saved_leaves_widgets_as_they_are(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "empty.ini"), QSettings.Format.IniFormat)
    splitter, table = _widgets(qtbot)
    before = table.horizontalHeader().sectionSize(0)
    Layout(settings, "p", {"header": table.horizontalHeader(), "splitter": splitter})
    assert table.horizontalHeader().sectionSize(0) == before
