"""Fixtures: a template database built once per session and copied per test; an AppContext for views."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _collect_garbage_on_main_thread():
    """Once a Worker exists automatic collection is off (see worker.GuiGarbageCollector); service tests
    that run no event loop still collect, here, on the main thread."""
    yield
    worker_module = sys.modules.get("desktop.views.kit.worker")  # never imported here: service tests stay Qt-free
    if worker_module is not None and worker_module._collector is not None:
        worker_module._collector.collect()


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """Every test gets its own user-data folder (settings, backups, attachments)."""
    monkeypatch.setenv("ZZB_DATA_DIR", str(tmp_path / "userdata"))
    monkeypatch.delenv("ZZB_DB", raising=False)


def _build_template(path: Path, fill) -> Path:
    """Open `path`, let `fill(db)` write into it, checkpoint so a plain file copy carries everything."""
    from desktop.services.db import open_database
    from desktop.services.ledger import Ledger

    db = Ledger(open_database(path, backup_dir=path.parent))
    fill(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


def _copy(template: Path, dest: Path) -> Path:
    shutil.copyfile(template, dest)
    return dest


def _opened(path: Path):
    from desktop.services.db import open_database
    from desktop.services.ledger import Ledger

    database = open_database(path, backup_dir=path.parent)
    yield Ledger(database)
    database.dispose()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    """An initialised, migrated database (2024 year, 21 member units), built once."""
    from desktop.services import setup_service

    return _build_template(tmp_path_factory.mktemp("template") / "template.sqlite3", setup_service.initialize)


@pytest.fixture
def db_path(template_db, tmp_path) -> Path:
    return _copy(template_db, tmp_path / "ledger.sqlite3")


@pytest.fixture
def db(db_path):
    yield from _opened(db_path)


def _context(db, tmp_path):
    """AppContext over `db` with its own worker lane and settings in a temporary INI file."""
    from PySide6.QtCore import QSettings

    from desktop.views.kit.context import AppContext
    from desktop.views.kit.worker import Worker

    worker = Worker()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    yield AppContext(db, worker, 2024, settings)
    worker.stop()


@pytest.fixture
def ctx(qtbot, db, tmp_path):
    yield from _context(db, tmp_path)


@pytest.fixture
def demo_ctx(qtbot, demo_db, tmp_path):
    """The same over the sample city."""
    yield from _context(demo_db, tmp_path)


def wait_idle(qtbot, ctx, timeout: int = 10000) -> None:
    """Wait until the worker lane has handed back every queued job."""
    qtbot.waitUntil(lambda: ctx.worker.pending() == 0, timeout=timeout)


@pytest.fixture(scope="session")
def demo_template(template_db, tmp_path_factory) -> Path:
    """The template database with the sample city loaded (300 targets), built once."""
    from desktop.services.demo import demo_service

    path = _copy(template_db, tmp_path_factory.mktemp("demo") / "demo.sqlite3")
    return _build_template(path, demo_service.generate)


@pytest.fixture
def demo_db_path(demo_template, tmp_path) -> Path:
    return _copy(demo_template, tmp_path / "demo.sqlite3")


@pytest.fixture
def demo_db(demo_db_path):
    yield from _opened(demo_db_path)


def type_text(qtbot, widget, text: str) -> None:
    """Type like a clerk: ASCII as key presses, Chinese as an input method's commit (QTest cannot press 年)."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    run = ""
    for ch in text + "\0":
        if ch.isascii() and ch != "\0":
            run += ch
            continue
        if run:
            qtbot.keyClicks(widget, run)
            run = ""
        if ch != "\0":
            event = QInputMethodEvent()
            event.setCommitString(ch)
            QApplication.sendEvent(widget, event)
