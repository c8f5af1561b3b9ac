"""Undo (Ctrl+Z) and redo of a page's last slips, through the op bridge.

    self.undo = UndoKit(self)                      # a stack, 撤销/重做 buttons and their shortcuts
    ref = self.undo.ref(park_id)                   # the row's id across delete → re-create
    self.undo.push("修改“甲园”", undo=Step(park_service.update, ref, before),
                                   redo=Step(park_service.update, ref, after))

A `Step` is a service function and plain arguments; a `Ref` among the arguments is passed as its
current id, and a step with `sets=ref` stores the id its function returns (a re-created row). The
steps run on the lane in order, so a redo queued right after an undo sees the id the undo made.
The command itself never rides the lane. When the ledger no longer matches the history (someone
changed the row meanwhile) the stack is cleared and the service's refusal is shown.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Any, Callable

from PySide6.QtGui import QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QPushButton, QWidget

from desktop.views.kit.ops import write
from desktop.views.kit.table import shortcut
from desktop.views.kit.worker import show_error


class Ref:
    """The current id of one row across undo/redo (deleting and re-creating gives a new id)."""

    def __init__(self, row_id: int) -> None:
        self.id = row_id


class Step:
    """A service function with plain arguments; `sets`: store the returned row's id (or int) in that Ref."""

    def __init__(self, fn: Callable, *args, sets: Ref | None = None, **kwargs) -> None:
        self.fn, self.args, self.kwargs, self.sets = fn, args, kwargs, sets


def _run_step(ledger, fn: Callable, args: tuple, kwargs: dict, sets: Ref | None) -> Any:
    """On the lane: resolve refs to their ids now (an earlier step may have changed them)."""
    plain = tuple(a.id if isinstance(a, Ref) else a for a in args)
    result = fn(ledger, *plain, **kwargs)
    if sets is not None:
        sets.id = result if isinstance(result, int) else getattr(result, "id")
    return result


class _Command(QUndoCommand):
    def __init__(self, kit: UndoKit, text: str, undo: Step, redo: Step) -> None:
        super().__init__(text)
        self.kit, self._undo, self._redo = kit, undo, redo
        self._first = True  # push() calls redo(); the change is already made

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self.kit.run(self._redo)

    def undo(self) -> None:
        self.kit.run(self._undo)


def delete_of(create: Callable) -> Callable:
    """The `delete` beside a service's `create` (the undo of a create)."""
    return getattr(sys.modules[create.__module__], "delete")


class UndoKit:
    """A page's undo stack with 撤销/重做 buttons (Ctrl+Z, Ctrl+Y / Ctrl+Shift+Z)."""

    LIMIT = 100

    def __init__(self, page: QWidget, on_done: Callable[[], None] | None = None) -> None:
        self.page = page
        self.on_done = on_done
        self.stack = QUndoStack(page)
        self.stack.setUndoLimit(self.LIMIT)
        self._refs: list[Ref] = []
        self.undo_button = QPushButton("撤销")
        self.redo_button = QPushButton("重做")
        self.undo_button.clicked.connect(self.stack.undo)
        self.redo_button.clicked.connect(self.stack.redo)
        self.undo_button.setEnabled(False)
        self.redo_button.setEnabled(False)
        self.stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.stack.canRedoChanged.connect(self.redo_button.setEnabled)
        self.stack.undoTextChanged.connect(lambda t: self.undo_button.setToolTip(f"撤销{t}（Ctrl+Z）" if t else "撤销（Ctrl+Z）"))
        self.stack.redoTextChanged.connect(lambda t: self.redo_button.setToolTip(f"重做{t}（Ctrl+Y）" if t else "重做（Ctrl+Y）"))
        shortcut(page, QKeySequence.StandardKey.Undo, self.stack.undo)
        shortcut(page, QKeySequence("Ctrl+Y"), self.stack.redo)
        shortcut(page, QKeySequence("Ctrl+Shift+Z"), self.stack.redo)

    def ref(self, row_id: int) -> Ref:
        """The one Ref of a row id, shared by every command about that row."""
        for r in self._refs:
            if r.id == row_id:
                return r
        r = Ref(row_id)
        self._refs.append(r)
        return r

    def push(self, text: str, *, undo: Step, redo: Step) -> None:
        self.stack.push(_Command(self, text, undo, redo))

    def save_dialog(self, dialog, values, *, create: Callable, update: Callable, row_id: int | None, before,
                    label: str) -> None:
        """Save a form dialog's `values` (create when `row_id` is None, else update from `before`), close it on
        success or show the refusal at its field, and push the undo step (delete / the values before)."""
        if row_id is None:
            def created(new_id: int) -> None:
                dialog.accept()
                ref = self.ref(new_id)
                self.push(f"新增“{label}”", undo=Step(delete_of(create), ref), redo=Step(create, values, sets=ref))

            write(dialog, create, values, failed=dialog.show_error, done=created)
            return

        def updated(_result) -> None:
            dialog.accept()
            # Undo restores the clerk's own last slip: no revision check against the edit just made.
            ref = self.ref(row_id)
            self.push(f"修改“{label}”", undo=Step(update, ref, dataclasses.replace(before, revision=None)),
                      redo=Step(update, ref, dataclasses.replace(values, revision=None)))

        write(dialog, update, row_id, values, failed=dialog.show_error, done=updated)

    def run(self, step: Step) -> None:
        write(self.page, _run_step, step.fn, step.args, step.kwargs, step.sets,
              done=lambda _r: self.on_done and self.on_done(), failed=self._failed)

    def _failed(self, exc: BaseException) -> None:
        # The ledger no longer matches the undo history (someone changed it meanwhile): start afresh.
        self.stack.clear()
        self._refs.clear()
        show_error(self.page, exc)
