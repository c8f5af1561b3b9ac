"""The worker lane: one background lane for database work, stopped cleanly."""

from __future__ import annotations


def test_stopping_the_worker_runs_every_queued_job_first(qtbot):
    from desktop.views.kit.worker import Worker

    worker = Worker()
    ran = []
    for i in range(20):
        worker.run(lambda i=i: ran.append(i))
    worker.stop()
    assert ran == list(range(20))
    assert not worker._thread.is_alive()


def test_answers_come_back_on_the_gui_thread_in_order(qtbot):
    import threading

    from desktop.views.kit.worker import Worker

    worker = Worker()
    seen = []
    for i in range(5):
        worker.run(lambda i=i: (i, threading.current_thread().name),
                   lambda r: seen.append((r, threading.current_thread() is threading.main_thread())))
    qtbot.waitUntil(lambda: len(seen) == 5)
    assert [r[0][0] for r in seen] == list(range(5))
    assert all(r[0][1] == "db-lane" and r[1] for r in seen)  # ran on the lane, answered on the GUI thread
    worker.stop()


def test_a_forgotten_job_is_not_answered_even_when_it_fails(qtbot):
    from desktop.views.kit.worker import Worker

    worker = Worker()
    answers = []
    job = worker.run(lambda: 1 / 0, answers.append, answers.append)
    worker.forget(job)
    last = worker.run(lambda: "ok", answers.append)
    qtbot.waitUntil(lambda: worker.pending() == 0)
    assert answers == ["ok"] and last > job
    worker.stop()


def test_the_window_freezes_what_lives_from_start_and_gives_it_back_when_it_closes(qtbot, db, tmp_path):
    """The objects alive once the main window is built are kept out of the GUI-thread collector's full
    collections (gc.freeze), and handed back to it when that window closes (a later login's window
    starts clean)."""
    import gc

    from PySide6.QtCore import QSettings

    from desktop.app import make_window

    gc.unfreeze()
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = make_window(db, settings)
    qtbot.addWidget(window)
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 1000  # the modules, classes and the window itself
        import weakref

        class Node:
            pass

        later = Node()
        later.me = later  # a cycle made after the freeze is still garbage the collector frees
        gone = weakref.ref(later)
        del later
        gc.collect()
        assert gone() is None and gc.get_freeze_count() > 1000
        window.close()
        assert gc.get_freeze_count() == 0
    finally:
        window.ctx.worker.stop()
        gc.unfreeze()
