"""The register's table view: each keystroke's result drawn once, and a search completed after its first
screen appending rows without drawing the rows on screen again."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QTableView


class RegisterTable(QTableView):
    """A QTableView that lays a reset out at once (one paint per new result, not two), and, when rows are
    appended below the last row on screen, lays itself out again (scroll bar, headers) without repainting
    the viewport: nothing drawn there has changed.

    Qt lays a view out again after any change of its row count and then repaints the whole viewport
    (QAbstractItemView::doItemsLayout). Each broad search ends that way when its whole result follows its
    first screen: a screen of cells drawn again (~6 ms of text drawing), often while the clerk's next
    keystroke is being searched. Any other change (a reset, a removal, a change of layout, rows inserted
    anywhere but after the last row, or where they can be seen) lays out and repaints as Qt does."""

    def __init__(self) -> None:
        super().__init__()
        self._quiet_layout = False  # the layout to come follows only rows appended out of sight

    def setModel(self, model) -> None:
        old = self.model()
        if old is not None:
            for signal, slot in self._watched(old):
                signal.disconnect(slot)
        self._quiet_layout = False
        super().setModel(model)
        if model is not None:
            for signal, slot in self._watched(model):
                signal.connect(slot)

    def _watched(self, model) -> list:
        others = (model.modelAboutToBeReset, model.layoutAboutToBeChanged, model.rowsAboutToBeRemoved,
                  model.rowsAboutToBeMoved, model.columnsAboutToBeInserted, model.columnsAboutToBeRemoved,
                  model.columnsAboutToBeMoved)
        return [(model.rowsInserted, self._rows_inserted), (model.modelReset, self._reset),
                *((signal, self._laid_out_anew) for signal in others)]

    def _reset(self) -> None:
        """A new search: lay out now. Qt lays out a reset view on a zero timer, after the paint the reset asked
        for, and then paints the whole viewport again: every keystroke drew its screen twice."""
        self.executeDelayedItemsLayout()

    def _laid_out_anew(self, *_args) -> None:
        self._quiet_layout = None  # None: a full layout is due, whatever is appended before it runs

    def _rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        bottom = self.rowAt(self.viewport().height() - 1)  # -1: empty space under the last row (or no rows)
        unseen = not parent.isValid() and last == self.model().rowCount() - 1 and 0 <= bottom < first
        if not unseen:
            self._quiet_layout = None
        elif self._quiet_layout is not None:  # None: another change before it still wants its full layout
            self._quiet_layout = True

    def doItemsLayout(self) -> None:
        quiet, self._quiet_layout = self._quiet_layout, False
        if quiet:
            self.updateGeometries()  # the scroll bar's range; the viewport's rows are as drawn
            return
        super().doItemsLayout()
