"""The one bridge between services and the GUI thread: a single background lane for database work.

Like Anki's QueryOp/CollectionOp: `run(fn, on_done, on_error)` calls `fn()` on the lane and hands
its result back on the GUI thread. One lane means one writer (no "database is locked").
A progress dialog appears only if the work lasts longer than 600 ms.
"""

from __future__ import annotations

import collections
import gc
import itertools
import queue
import threading
import traceback
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from desktop.services.excel.excel_common import CancelToken  # noqa: F401  (one token for services and views)
from desktop.views.kit.first_paint import AfterFirstPaint


class GuiGarbageCollector(QObject):
    """Python's cyclic garbage collector, run only on the GUI thread.

    Automatic collection runs on whichever thread happens to allocate. When that is the lane and the
    garbage holds Qt wrappers (a closed dialog in a cycle with its slots), their C++ objects are
    destroyed off the GUI thread and the program crashes (seen as segfaults with only the lane's
    frame on the stack). So automatic collection is switched off and this timer collects instead,
    generation by generation as the default thresholds would.
    """

    INTERVAL_MS = 500

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(self.INTERVAL_MS)
        self.timer.timeout.connect(self.collect)
        self.timer.start()

    def collect(self) -> None:
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.thresholds[generation]:
                gc.collect(generation)
                return


_collector: GuiGarbageCollector | None = None


def freeze_long_lived() -> None:
    """Move every object alive now (modules, classes, the window just built) out of the collector's reach.

    The GUI-thread collector runs a full collection whenever ten middle ones have run; it walked all of the
    program's ~160 000 objects (about 50 ms on the GUI thread, a visible stall) although those made at start
    live until the window closes. `gc.freeze()` (the standard library's tool for this) leaves them out:
    about 17 ms. `thaw_long_lived()` gives them back when the window closes, so a later login's window
    does not keep the old one's cycles for ever."""
    gc.freeze()


def thaw_long_lived() -> None:
    gc.unfreeze()


def collect_on_gui_thread() -> GuiGarbageCollector | None:
    """Install the GUI-thread collector once per application (before any lane exists)."""
    global _collector
    app = QCoreApplication.instance()
    if _collector is None and app is not None:
        _collector = GuiGarbageCollector(app)
        app.destroyed.connect(_forget_collector)
    return _collector


def _forget_collector(*_args) -> None:
    global _collector
    _collector = None
    gc.enable()


class Worker(QObject):
    """Owns the lane: one Python thread running queued jobs in order. Keep one per application.

    Jobs and results travel in Python queues; the only thing that crosses into Qt is an empty
    signal telling the GUI thread that results are waiting. (Python objects carried as queued
    signal arguments between threads corrupted memory now and then — the suite crashed in
    garbage collection and in unrelated code — so none are passed that way.)
    """

    _ready = Signal()  # emitted on the lane, delivered on the GUI thread; carries nothing

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        collect_on_gui_thread()
        self._jobs: queue.Queue = queue.Queue()
        self._results: collections.deque = collections.deque()
        self._ready.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[Callable | None, Callable | None]] = {}
        self._aside: dict[int, CancelToken] = {}  # jobs running beside the lane (run_aside), by id
        self._thread = threading.Thread(target=self._loop, name="db-lane", daemon=True)
        self._thread.start()

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None) -> int:
        job_id = next(self._ids)
        self._callbacks[job_id] = (on_done, on_error)
        self._jobs.put((job_id, fn))
        return job_id

    def run_aside(self, fn: Callable[[CancelToken], Any], on_done: Callable[[Any], None] | None = None,
                  on_error: Callable[[BaseException], None] | None = None) -> int:
        """Run a long read-only job (`fn(token)`, reading through a connection of its own) on a thread beside
        the lane, so the lane's queries are not queued behind it for seconds (the audit chain check of a
        million records). Its answer comes back like a lane job's; stop() cancels it through the token."""
        job_id = next(self._ids)
        token = CancelToken()
        self._callbacks[job_id] = (on_done, on_error)
        self._aside[job_id] = token
        threading.Thread(target=self._run, args=(job_id, lambda: fn(token)), name="db-aside", daemon=True).start()
        return job_id

    def later(self, context: QObject, fn: Callable[[], None], *, after_paint_of: QObject | None = None) -> int:
        """Run `fn` on the GUI thread on a later turn of the event loop, after the paints and timers already due
        (a 1 ms timer: a zero one runs first, so steps put off one after another ran back to back as one freeze)
        — with `after_paint_of`, once that widget has been drawn for the first time (kit/first_paint) — unless
        `context` is gone by then. Counted as pending until it has run: whoever waits for the lane to settle
        (tests, the page benchmark) also waits for work a window put off, and for the queries it asks for."""
        job_id = next(self._ids)
        self._callbacks[job_id] = (lambda _result: fn(), None)
        if after_paint_of is None:
            QTimer.singleShot(1, context, lambda: self._finished(job_id, None, None))
        else:
            AfterFirstPaint(context, after_paint_of, lambda: self._finished(job_id, None, None))
        context.destroyed.connect(lambda *_: self.forget(job_id))  # gone first: nothing left to wait for
        return job_id

    def forget(self, job_id: int) -> None:
        """Drop the callbacks of a job whose answer is no longer wanted (e.g. a stale search)."""
        self._callbacks.pop(job_id, None)

    def pending(self) -> int:
        """Jobs whose answer has not been handed back yet: the lane's and those beside it."""
        return len(self._callbacks)

    def lane_pending(self) -> int:
        """The lane's jobs only (what a page's first screen waits for; run_aside jobs not counted)."""
        return sum(1 for job_id in self._callbacks if job_id not in self._aside)

    def _loop(self) -> None:
        """The lane: run jobs one at a time until stop() queues None."""
        while True:
            item = self._jobs.get()
            if item is None:
                return
            self._run(*item)
            del item

    def _run(self, job_id: int, fn: Callable[[], Any]) -> None:
        """One job on the calling thread (the lane, or a run_aside thread); its answer queued for the GUI thread."""
        try:
            result, error = fn(), None
        except BaseException as exc:  # handed to the GUI thread; never lost
            exc.__traceback_text__ = traceback.format_exc()
            exc.__traceback__ = None  # its frames hold the job's locals: let none outlive the job here
            result, error = None, exc
        # The job (its closure may reach Qt wrappers) and its result travel back with the answer,
        # and this thread drops its own references first: whatever dies, dies on the GUI thread.
        self._results.append((job_id, result, error, fn))
        del fn, result, error
        try:
            self._ready.emit()
        except RuntimeError:  # the worker itself was deleted while an aside job ran: nobody waits for it
            pass

    @Slot()
    def _deliver(self) -> None:
        while self._results:
            job_id, result, error, _job = self._results.popleft()
            self._finished(job_id, result, error)

    def _finished(self, job_id: int, result: Any, error: BaseException | None) -> None:
        self._aside.pop(job_id, None)
        if job_id not in self._callbacks:  # forgotten: nobody wants the answer, not even its error
            if error is not None:
                import logging

                logging.getLogger("zzb").info("forgotten job failed: %r", error)
            return
        on_done, on_error = self._callbacks.pop(job_id)
        if error is not None:
            if on_error is not None:
                on_error(error)
            else:
                show_error(None, error)
        elif on_done is not None:
            on_done(result)

    def stop(self) -> None:
        """Finish every queued job, then end the lane (answers still undelivered are dropped)."""
        self._callbacks.clear()
        for token in self._aside.values():  # a check beside the lane stops at its next batch
            token.cancel()
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join(10)
        self._results.clear()


def show_error(parent: QWidget | None, error: BaseException) -> None:
    """A user error shows its Chinese message; a storage fault (disk full, read-only, busy …) the sentence
    for it (services/faults.py); anything else a short apology (details in the log)."""
    from PySide6.QtWidgets import QMessageBox

    from desktop.services import faults

    known = faults.user_error(error)
    if known is not None:
        if known is not error:
            import logging

            logging.getLogger("zzb").warning("storage fault: %s", getattr(error, "__traceback_text__", repr(error)))
        QMessageBox.warning(parent, "提示", known.message)
    else:
        import logging

        logging.getLogger("zzb").error("unexpected error: %s", getattr(error, "__traceback_text__", repr(error)))
        QMessageBox.critical(parent, "出错了", f"操作未完成，数据未改动。\n\n{type(error).__name__}: {error}")


def run_with_progress(parent: QWidget, worker: Worker, title: str,
                      fn: Callable[[Callable[[int, int], None], CancelToken], Any],
                      on_done: Callable[[Any], None] | None = None,
                      on_error: Callable[[BaseException], None] | None = None) -> CancelToken:
    """Run long work with a progress dialog (after 600 ms) and a 取消 button.

    `fn(progress, token)` calls `progress(done, total)` now and then and checks `token.cancelled`.
    """
    token = CancelToken()
    dialog = QProgressDialog(title, "取消", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setMinimumDuration(600)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.canceled.connect(token.cancel)
    state = {"done": 0, "total": 0}

    def progress(done: int, total: int) -> None:  # called on the lane; only stores numbers
        state["done"], state["total"] = done, total

    timer = QTimer(dialog)
    timer.setInterval(100)

    def refresh() -> None:
        dialog.setMaximum(max(state["total"], 0))
        dialog.setValue(min(state["done"], state["total"]) if state["total"] else 0)

    timer.timeout.connect(refresh)
    timer.start()

    def finish() -> None:
        timer.stop()
        dialog.reset()
        dialog.deleteLater()

    def done(result):
        finish()
        if on_done:
            on_done(result)

    def failed(exc):
        finish()
        (on_error or (lambda e: show_error(parent, e)))(exc)

    worker.run(lambda: fn(progress, token), done, failed)
    return token
