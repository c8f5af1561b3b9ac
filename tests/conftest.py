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
    worker_module = sys.modules.get("desktop.views.worker")  # never imported here: service tests stay Qt-free
    if worker_module is not None and worker_module._collector is not None:
        worker_module._collector.collect()


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """Every test gets its own user-data folder (settings, backups, attachments)."""
    monkeypatch.setenv("ZZB_DATA_DIR", str(tmp_path / "userdata"))
    monkeypatch.delenv("ZZB_DB", raising=False)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    """An initialised, migrated database (2024 year, 21 member units), built once."""
    from desktop.services import setup_service
    from desktop.services.db import open_database

    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    db = open_database(path, backup_dir=path.parent)
    setup_service.initialize(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture
def db_path(template_db, tmp_path) -> Path:
    dest = tmp_path / "ledger.sqlite3"
    shutil.copyfile(template_db, dest)
    return dest


@pytest.fixture
def db(db_path):
    from desktop.services.db import open_database

    database = open_database(db_path, backup_dir=db_path.parent)
    yield database
    database.dispose()


@pytest.fixture
def ctx(qtbot, db, tmp_path):
    """AppContext over the test database with settings in a temporary INI file."""
    from PySide6.QtCore import QSettings

    from desktop.views.context import AppContext
    from desktop.views.worker import Worker

    worker = Worker()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    context = AppContext(db, worker, 2024, settings)
    yield context
    worker.stop()


def wait_idle(qtbot, ctx, timeout: int = 10000) -> None:
    """Wait until the worker lane has handed back every queued job."""
    qtbot.waitUntil(lambda: ctx.worker.pending() == 0, timeout=timeout)


@pytest.fixture(scope="session")
def demo_template(template_db, tmp_path_factory) -> Path:
    """The template database with the sample city loaded (300 targets), built once."""
    from desktop.services import demo_service
    from desktop.services.db import open_database

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    shutil.copyfile(template_db, path)
    db = open_database(path, backup_dir=path.parent)
    demo_service.generate(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture
def demo_db_path(demo_template, tmp_path) -> Path:
    dest = tmp_path / "demo.sqlite3"
    shutil.copyfile(demo_template, dest)
    return dest


@pytest.fixture
def demo_db(demo_db_path):
    from desktop.services.db import open_database

    database = open_database(demo_db_path, backup_dir=demo_db_path.parent)
    yield database
    database.dispose()
