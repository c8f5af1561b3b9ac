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


@pytest.fixture(scope="session", autouse=True)
def _isolated_config_dir(tmp_path_factory):
    """The program's protected settings (the audit keys) in a folder of this test session, never the real one.
    Session-wide, so the key of the template database is found by every copy of it (and by subprocesses)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZZB_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
        yield


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """Every test gets its own user-data folder (settings, backups, attachments)."""
    monkeypatch.setenv("ZZB_DATA_DIR", str(tmp_path / "userdata"))
    monkeypatch.delenv("ZZB_DB", raising=False)


# ---- accounts: cheap hashes in tests, and the CLI's login ------------------------------------------

CLI_PASSWORD = "Zzb-Test-2024"  # every test account's password (strong by the program's rules)
CLI_ACCOUNTS = {"admin": "SYSADMIN", "clerk": "CLERK", "auditor": "AUDITOR"}


@pytest.fixture(autouse=True)
def _cheap_password_hashes(monkeypatch):
    """Argon2id with tiny cost parameters in tests (the program keeps argon2-cffi's defaults): logins stay
    quick while still going through the real hash and check."""
    from argon2 import PasswordHasher

    from desktop.services.accounts import passwords

    monkeypatch.setattr(passwords, "_HASHER", PasswordHasher(time_cost=1, memory_cost=256, parallelism=1))


@pytest.fixture(autouse=True)
def _cli_login(monkeypatch):
    """Every `zzb` command a test runs logs in as the system administrator `admin` (ZZB_USER/ZZB_PASSWORD);
    a test that needs the clerk passes --user clerk. The accounts come from `add_cli_accounts`."""
    monkeypatch.setenv("ZZB_USER", "admin")
    monkeypatch.setenv("ZZB_PASSWORD", CLI_PASSWORD)
    monkeypatch.delenv("ZZB_NEW_PASSWORD", raising=False)


def add_cli_accounts(path) -> Path:
    """Give a database file the CLI's accounts (sysadmin `admin`, clerk `clerk`, auditor `auditor`) where missing."""
    from argon2 import PasswordHasher
    from sqlalchemy import select

    from desktop.models import User
    from desktop.models.enums import Role
    from desktop.services.ledger import open_ledger

    ledger = open_ledger(path)
    try:
        with ledger.session() as s:
            have = set(s.scalars(select(User.username)))
            cheap = PasswordHasher(time_cost=1, memory_cost=256, parallelism=1)
            for name, role in CLI_ACCOUNTS.items():
                if name not in have:
                    s.add(User(username=name, role=Role[role], password_hash=cheap.hash(CLI_PASSWORD)))
    finally:
        ledger.dispose()
    return Path(path)


@pytest.fixture
def cli_db_path(db_path) -> Path:
    """The template copy with the CLI's accounts."""
    return add_cli_accounts(db_path)


@pytest.fixture
def cli_demo_db_path(demo_db_path) -> Path:
    """The sample city's copy with the CLI's accounts."""
    return add_cli_accounts(demo_db_path)


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


@pytest.fixture
def cli_accounts():
    """`cli_accounts(path)`: add the CLI's accounts to a database file a test made itself."""
    return add_cli_accounts


def with_cli_accounts(argv) -> list[str]:
    """`argv` as strings; the database file named by its --db (when it exists) gets the CLI's accounts."""
    argv = [str(a) for a in argv]
    if "--db" in argv[:-1]:
        path = Path(argv[argv.index("--db") + 1])
        if path.is_file() and path.stat().st_size:
            add_cli_accounts(path)
    return argv


def run_cli(capsys, *argv, user: str | None = None) -> tuple[int, str, str]:
    """Run `zzb` in-process logged in (as `admin`, or `user`): exit code, stdout, stderr."""
    from desktop.cli import main

    argv = with_cli_accounts(argv)
    code = main(argv if user is None else ["--user", user, *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def as_clerk(monkeypatch):
    """The CLI logs in as the clerk (the ledger's writes are the clerk's work)."""
    monkeypatch.setenv("ZZB_USER", "clerk")
