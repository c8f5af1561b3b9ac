"""The worker lane: one background lane for database work, stopped cleanly."""

from __future__ import annotations


def test_stopping_the_worker_runs_every_queued_job_first(qtbot):
    from desktop.views.worker import Worker

    worker = Worker()
    ran = []
    for i in range(20):
        worker.run(lambda i=i: ran.append(i))
    worker.stop()
    assert ran == list(range(20))
    assert not worker._thread.isRunning()
    assert worker._lane.thread() is worker.thread()  # handed back to the GUI thread
