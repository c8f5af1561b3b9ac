"""The one bridge between services and the GUI thread: a single background lane for database work.

Like Anki's QueryOp/CollectionOp: `run(fn, on_done, on_error)` calls `fn()` on the lane and hands
its result back on the GUI thread by signal. One lane means one writer (no "database is locked").
A progress dialog appears only if the work lasts longer than 600 ms.
"""

from __future__ import annotations

import itertools
import threading
import traceback
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from desktop.services.errors import UserError


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


class _Lane(QObject):
    """Lives on the worker thread; executes queued jobs one at a time."""

    job = Signal(int, object)
    finished = Signal(int, object, object)  # job id, result, error (exception or None)

    def __init__(self) -> None:
        super().__init__()
        self.job.connect(self._execute)

    @Slot(int, object)
    def _execute(self, job_id: int, fn: Callable[[], Any]) -> None:
        try:
            result = fn()
        except BaseException as exc:  # handed to the GUI thread; never lost
            exc.__traceback_text__ = traceback.format_exc()
            self.finished.emit(job_id, None, exc)
        else:
            self.finished.emit(job_id, result, None)


class Worker(QObject):
    """Owns the lane thread. Keep one per application (see app.py)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("db-lane")
        self._lane = _Lane()
        self._lane.moveToThread(self._thread)
        self._lane.finished.connect(self._on_finished)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[Callable | None, Callable | None]] = {}
        self._thread.start()

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None) -> int:
        job_id = next(self._ids)
        self._callbacks[job_id] = (on_done, on_error)
        self._lane.job.emit(job_id, fn)
        return job_id

    def forget(self, job_id: int) -> None:
        """Drop the callbacks of a job whose answer is no longer wanted (e.g. a stale search)."""
        self._callbacks.pop(job_id, None)

    def pending(self) -> int:
        return len(self._callbacks)

    @Slot(int, object, object)
    def _on_finished(self, job_id: int, result: Any, error: BaseException | None) -> None:
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
        """Finish every queued job, then end the lane.

        The last job runs after all others (the queue is in order): it hands the lane object back
        to the GUI thread and quits the loop. So no queued call — whose arguments are Python
        objects — is left behind in a dead thread's queue, and the lane is later destroyed on the
        thread it belongs to. (A plain quit() left both, and the suite crashed now and then in
        garbage collection.)
        """
        if not self._thread.isRunning():
            return
        app = QCoreApplication.instance()
        home = app.thread() if app is not None else None
        lane, thread = self._lane, self._thread

        def last() -> None:
            if home is not None:
                lane.moveToThread(home)
            thread.quit()

        self._callbacks.clear()
        self._lane.job.emit(0, last)
        if not thread.wait(10000):
            thread.quit()
            thread.wait(2000)


def show_error(parent: QWidget | None, error: BaseException) -> None:
    """A user error shows its Chinese message; anything else a short apology (details in the log)."""
    from PySide6.QtWidgets import QMessageBox

    if isinstance(error, UserError):
        QMessageBox.warning(parent, "提示", error.message)
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
