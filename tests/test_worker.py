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
