"""The register's table view: rows appended out of sight (a search completed after its first screen) are laid
out without drawing the screen again, and the table then looks exactly as one given every row at once."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from test_target_service import YEAR, build_ledger

from desktop.services.register import target_service
from desktop.services.register.target_service import RegisterFilter
from desktop.views.kit.table import setup_table
from desktop.views.register.register_table import RegisterTable
from desktop.views.register.register_table_model import RegisterTableModel

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


class PaintCounter(QObject):
    """Counts the paints of a viewport that cover all of it."""

    def __init__(self, viewport) -> None:
        super().__init__()
        self.viewport, self.full = viewport, 0
        viewport.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Paint and event.region().boundingRect() == self.viewport.rect():
            self.full += 1
        return False


def table_of(qtbot, db, ids: list[int], rows_high: int) -> RegisterTable:
    table = setup_table(RegisterTable(), sortable=False)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no focus frame on the first cell of whichever is focused
    qtbot.addWidget(table)
    table.setModel(RegisterTableModel(db, YEAR, table))
    row = table.verticalHeader().defaultSectionSize()
    table.resize(900, table.horizontalHeader().sizeHint().height() + rows_high * row + 2 * table.frameWidth())
    table.show()
    table.model().set_ids(ids)
    qtbot.wait(30)
    return table


@pytest.fixture
def ids(db):
    build_ledger(db)
    return target_service.search_ids(db, RegisterFilter(), year=YEAR)


def test_rows_appended_out_of_sight_are_laid_out_without_drawing_the_screen_again(qtbot, db, ids):
    table = table_of(qtbot, db, ids[:3], rows_high=2)
    counter = PaintCounter(table.viewport())
    table.model().extend_ids(ids)
    qtbot.wait(30)
    assert counter.full == 0
    whole = table_of(qtbot, db, ids, rows_high=2)  # the same rows given at once
    assert table.verticalScrollBar().maximum() == whole.verticalScrollBar().maximum() > 0
    assert table.grab().toImage() == whole.grab().toImage()
    for t in (table, whole):
        t.scrollToBottom()
    qtbot.wait(30)
    assert table.grab().toImage() == whole.grab().toImage()  # the appended rows drawn when scrolled to


def test_rows_appended_where_they_are_seen_and_any_other_change_are_drawn(qtbot, db, ids):
    table = table_of(qtbot, db, ids[:2], rows_high=6)  # room under the rows: the appended ones show there
    counter = PaintCounter(table.viewport())
    table.model().extend_ids(ids)
    qtbot.wait(30)
    assert counter.full == 1
    assert table.grab().toImage() == table_of(qtbot, db, ids, rows_high=6).grab().toImage()
    short = table_of(qtbot, db, ids[:3], rows_high=2)
    counter = PaintCounter(short.viewport())
    short.model().set_ids(list(reversed(ids)))  # a new search: a reset, drawn once
    qtbot.wait(30)
    assert counter.full == 1
    assert short.grab().toImage() == table_of(qtbot, db, list(reversed(ids)), rows_high=2).grab().toImage()
