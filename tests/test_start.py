"""Issue 12's start: the first window (the login dialog) shows before SQLAlchemy, the models, Alembic, argon2 and
the Excel/PDF libraries are loaded; the lane opens the database while the person types, and a login submitted
before it is open waits for it. Pinned by what is loaded, never by time (bench/register.py prints the time)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.services import db_file
from desktop.services.accounts import accounts_service
from desktop.services.db import head_revision
from desktop.services.errors import DatabaseError

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("sqlalchemy", "alembic", "argon2", "openpyxl", "reportlab", "xlsxwriter", "python_calamine", "desktop.models")
PW = "Admin-Pass-2024"


def _run(script: str, *args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ZZB_DATA_DIR=str(tmp_path / "userdata"))
    return subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)


def _loaded(out: str, tag: str) -> list[str]:
    line = next(line for line in out.splitlines() if line.startswith(tag))
    return [m for m in line.split(" ", 1)[1].split(",") if m]


# The program as `zzb --db FILE` starts it, with the lane's opening held until the first dialog is on screen and
# a wrong, then the right password typed into it; prints what was loaded at each step and the window's user.
LOGIN_SCRIPT = """
import sys, threading
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import desktop.app as app_mod

HEAVY = %r
gate = threading.Event()
real_open = app_mod._open_and_set_up

def held_open(*args):
    gate.wait(60)
    return real_open(*args)

app_mod._open_and_set_up = held_open
make_application = app_mod.make_application

def loaded():
    return ",".join(m for m in HEAVY if m in sys.modules)

def start():
    app = make_application()
    steps = iter(["shown", "refused", "window"])
    step = [next(steps)]

    def poll():
        top = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        names = [type(w).__name__ for w in top]
        if step[0] == "shown" and "LoginDialog" in names:
            dialog = top[names.index("LoginDialog")]
            print("SHOWN " + loaded(), flush=True)
            dialog.username_edit.setText("admin")
            dialog.password_edit.setText("Wrong-Pass-1")
            dialog.ok_button.click()  # submitted before the database is open: waits for it
            print("SUBMITTED " + loaded() + " ok_enabled=" + str(dialog.ok_button.isEnabled()), flush=True)
            gate.set()
            step[0] = next(steps)
        elif step[0] == "refused" and "LoginDialog" in names:
            dialog = top[names.index("LoginDialog")]
            if dialog.message.isVisible():
                print("REFUSED " + dialog.message.text(), flush=True)
                dialog.password_edit.setText(%r)
                dialog.ok_button.click()
                step[0] = next(steps)
        elif step[0] == "window" and "MainWindow" in names:
            window = top[names.index("MainWindow")]
            print("WINDOW " + window.ctx.ledger.user + " " + window.ctx.ledger.role.name, flush=True)
            window.ctx.settings.clear()
            app.exit(0)
            return
        QTimer.singleShot(5, poll)

    QTimer.singleShot(0, poll)
    QTimer.singleShot(60000, lambda: (print("TIMEOUT at " + step[0], flush=True), app.exit(3)))
    return app

app_mod.make_application = start
from desktop.cli import main
sys.exit(main(["--db", sys.argv[1]]))
""" % (HEAVY, PW)


def test_the_login_dialog_shows_before_sqlalchemy_and_argon2_and_a_login_typed_meanwhile_waits_for_the_lane(
        db, db_path, tmp_path):
    accounts_service.create_first_admin(db, "admin", PW)
    db.dispose()
    proc = _run(LOGIN_SCRIPT, str(db_path), tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _loaded(proc.stdout, "SHOWN") == []
    submitted = next(line for line in proc.stdout.splitlines() if line.startswith("SUBMITTED"))
    assert submitted == "SUBMITTED  ok_enabled=False"  # nothing loaded yet, the button waits with the request
    assert "REFUSED 用户名或密码错误" in proc.stdout.splitlines()
    assert "WINDOW admin SYSADMIN" in proc.stdout.splitlines()


def test_the_modules_of_the_first_dialog_and_the_cli_load_no_sqlalchemy_argon2_or_excel_library():
    modules = ["desktop.cli", "desktop.app", "desktop.views.accounts.session", "desktop.views.accounts.account_dialogs",
               "desktop.views.kit.forms", "desktop.views.kit.worker", "desktop.views.kit.context",
               "desktop.views.kit.ops", "desktop.services.errors", "desktop.services.faults",
               "desktop.services.accounts.passwords", "desktop.services.db_file", "desktop.services.excel.excel_common"]
    script = "import sys\n" + "".join(f"import {m}\n" for m in modules) + (
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_a_database_opened_by_itself_installs_the_audit_hook_before_its_first_session(tmp_path):
    script = """
import sys
from desktop.services import session_hooks
from desktop.services.db import open_database
before = [m.__name__ for m in session_hooks.installed()]
from desktop.models import Town
database = open_database(sys.argv[1], backup_dir=sys.argv[2])
with database.session() as s:
    s.add(Town(name="甲镇"))
with database.reader() as s:
    from sqlalchemy import text
    print("RECORDS", s.execute(text("SELECT count(*) FROM audit_log WHERE object_type = 'town'")).scalar())
print("HOOKS", before, sorted(m.__name__ for m in session_hooks.installed()))
database.dispose()
"""
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "x.sqlite3"), str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "RECORDS 1" in proc.stdout.splitlines()
    assert ("HOOKS [] ['desktop.services.accounts.permissions', 'desktop.services.audit', "
            "'desktop.services.bulletins.bulletin_guard', 'desktop.services.search_text']") in proc.stdout.splitlines()


def test_the_quick_read_of_the_file_agrees_with_the_accounts_service(db, db_path):
    facts = db_file.ready_to_open(db_path)
    assert facts is not None and facts.path == db_path.resolve()
    assert facts.has_accounts is False and accounts_service.has_accounts(db) is False
    accounts_service.create_first_admin(db, "admin", PW)
    assert db_file.ready_to_open(db_path).has_accounts is True and accounts_service.has_accounts(db) is True


def test_anything_but_a_current_ledger_file_takes_the_full_way_with_its_backup_and_messages(tmp_path, db_path):
    """A missing or empty file, a server URL, a file that is not a database, an older ledger (migrated after its
    backup) and a newer one (refused) are all opened before any dialog, by services/db.open_database."""
    assert db_file.ready_to_open(tmp_path / "none.sqlite3") is None
    (tmp_path / "empty.sqlite3").write_bytes(b"")
    assert db_file.ready_to_open(tmp_path / "empty.sqlite3") is None
    assert db_file.ready_to_open("postgresql+psycopg://u@h/db") is None
    (tmp_path / "text.sqlite3").write_text("不是数据库" * 500, encoding="utf-8")
    assert db_file.ready_to_open(tmp_path / "text.sqlite3") is None
    assert db_file.ready_to_open(ROOT / "tests" / "fixtures" / "ledger-0001.sqlite3") is None
    con = sqlite3.connect(db_path)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    assert db_file.ready_to_open(db_path) is None
    assert head_revision() != "9999"


def test_a_database_the_lane_cannot_open_says_why_and_ends_the_start_with_1(qtbot, monkeypatch):
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop.app import make_window
    from desktop.views.accounts.account_dialogs import LoginDialog
    from desktop.views.accounts.session import Session

    said = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, title, text: said.append((title, text)))

    def fails():
        raise DatabaseError("数据库正忙（另一台电脑或程序正在写入），请稍后重试")

    session = Session(None, make_window, opener=fails, has_accounts=True)
    try:
        with qtbot.waitSignal(session.finished, timeout=10000) as ended:
            session.start()
            assert isinstance(session.dialog, LoginDialog) and session.dialog.isVisible()
        assert ended.args == [1]
        assert said == [("专治台账", "数据库正忙（另一台电脑或程序正在写入），请稍后重试")]
        assert session.dialog is None and session.window is None
    finally:
        session.stop()
        QApplication.instance().setQuitOnLastWindowClosed(True)


@pytest.mark.parametrize("has_accounts, kind", [(True, "LoginDialog"), (False, "FirstAdminDialog")])
def test_the_first_dialog_follows_the_quick_read_while_the_lane_opens(qtbot, db, has_accounts, kind):
    from PySide6.QtWidgets import QApplication

    from desktop.app import make_window
    from desktop.views.accounts.session import Session

    session = Session(None, make_window, opener=lambda: db, has_accounts=has_accounts)
    try:
        session.start()
        assert type(session.dialog).__name__ == kind and session.dialog.isVisible()
        qtbot.waitUntil(lambda: session.ctx.ledger is not None, timeout=10000)
        assert session.ctx.ledger is db  # the ledger the opener returned
    finally:
        session.dialog.done(0)
        session.stop()
        QApplication.instance().setQuitOnLastWindowClosed(True)
