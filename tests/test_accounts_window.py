"""Accounts in the window (issue 9): first start, login and lockout, a forced password change, the idle
lock, and what each role sees. Driven as a person would: through the dialogs of a Session."""

from __future__ import annotations

import pytest
from conftest import type_text, wait_idle
from test_list_view import city  # noqa: F401 - the fixture: two towns, a draft list
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QLabel

from desktop.models.enums import Role
from desktop.services.accounts import accounts_service
from desktop.views.accounts.account_dialogs import ChangePasswordDialog, FirstAdminDialog, LoginDialog

ADMIN_PW = "Admin-Pass-2024"
PW = "Strong-Pass-2024"


@pytest.fixture
def session_of(qtbot, db, tmp_path):
    """A Session over `db` whose windows use a temporary settings file; stopped after the test."""
    from desktop.app import make_window
    from desktop.views.accounts.session import Session

    made = []
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)

    def start(idle_ms: int | None = 600_000) -> Session:
        session = Session(db, lambda ledger: make_window(ledger, settings), settings=settings, idle_ms=idle_ms)
        made.append(session)
        session.start()
        return session

    yield start
    for session in made:
        if session.window is not None:
            session.window.ctx.settings.clear()
            session.window.closed.disconnect()
            session.window.close()
        if session.dialog is not None:
            session.dialog.done(0)
        session.stop()
    QApplication.instance().setQuitOnLastWindowClosed(True)


def _accounts(db, **roles: Role) -> None:
    """The admin plus one account per `name=role`, as the system administrator would add them."""
    accounts_service.create_first_admin(db, "admin", ADMIN_PW)
    for name, role in roles.items():
        accounts_service.add_user(db, name, role, PW)


def _dialog(qtbot, session, kind):
    qtbot.waitUntil(lambda: isinstance(session.dialog, kind) and session.dialog.isVisible(), timeout=10000)
    return session.dialog


def _login(qtbot, session, username: str, password: str) -> LoginDialog:
    dialog = _dialog(qtbot, session, LoginDialog)
    dialog.username_edit.setText(username)
    dialog.password_edit.clear()
    type_text(qtbot, dialog.password_edit, password)
    dialog.ok_button.click()
    return dialog


def _window(qtbot, session):
    qtbot.waitUntil(lambda: session.window is not None and session.window.isVisible(), timeout=10000)
    wait_idle(qtbot, session.window.ctx)
    return session.window


def _logged_in(qtbot, session, username: str, password: str = PW):
    _login(qtbot, session, username, password)
    return _window(qtbot, session)


def test_first_start_refuses_a_weak_password_then_creates_the_admin_and_asks_to_log_in(qtbot, db, session_of):
    session = session_of()
    dialog = _dialog(qtbot, session, FirstAdminDialog)
    type_text(qtbot, dialog.username_edit, "admin")
    type_text(qtbot, dialog.password_edit, "admin123")
    assert "三类" in dialog.strength.text()  # the rule, live at the field
    type_text(qtbot, dialog.repeat_edit, "admin123")
    dialog.ok_button.click()
    assert dialog.isVisible() and dialog.errors["password"].isVisible()
    assert not accounts_service.has_accounts(db)

    dialog.password_edit.clear()
    type_text(qtbot, dialog.password_edit, ADMIN_PW)
    assert dialog.strength.text() == "密码强度符合要求"
    dialog.repeat_edit.clear()
    type_text(qtbot, dialog.repeat_edit, ADMIN_PW + "x")
    dialog.ok_button.click()
    assert dialog.errors["repeat"].text() == "两次输入的密码不一致"
    dialog.repeat_edit.clear()
    type_text(qtbot, dialog.repeat_edit, ADMIN_PW)
    dialog.ok_button.click()

    login = _dialog(qtbot, session, LoginDialog)
    assert login.username_edit.text() == "admin"
    [admin] = accounts_service.list_users(db)
    assert admin.username == "admin" and admin.role == Role.SYSADMIN
    window = _logged_in(qtbot, session, "admin", ADMIN_PW)
    assert window.ctx.ledger.user == "admin" and window.ctx.ledger.role == Role.SYSADMIN


def test_login_refuses_a_wrong_password_and_locks_on_the_sixth_attempt(qtbot, db, session_of):
    _accounts(db, clerk=Role.CLERK)
    session = session_of()
    for _ in range(5):
        dialog = _login(qtbot, session, "clerk", "Wrong-Pass-1")
        qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=10000)
        qtbot.waitUntil(lambda: dialog.ok_button.isEnabled(), timeout=10000)
    assert "锁定" in dialog.message.text()  # the 5th failure locks the account
    dialog = _login(qtbot, session, "clerk", PW)  # the right password, too late
    qtbot.waitUntil(lambda: dialog.ok_button.isEnabled(), timeout=10000)
    assert "锁定" in dialog.message.text() and dialog.isVisible() and session.window is None


def test_login_with_a_wrong_password_says_so_at_the_dialog(qtbot, db, session_of):
    _accounts(db)
    session = session_of()
    dialog = _login(qtbot, session, "admin", "Wrong-Pass-1")
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=10000)
    assert dialog.message.text() == "用户名或密码错误" and dialog.password_edit.text() == ""
    assert dialog.username_edit.text() == "admin" and session.window is None


def test_cancel_at_login_quits(qtbot, db, session_of):
    _accounts(db)
    session = session_of()
    dialog = _dialog(qtbot, session, LoginDialog)
    with qtbot.waitSignal(session.finished, timeout=5000) as quit_with:
        dialog.reject()
    assert quit_with.args == [0] and session.window is None


def test_a_reset_password_must_be_changed_before_the_window_opens(qtbot, db, session_of):
    _accounts(db, clerk=Role.CLERK)
    accounts_service.reset_password(db, "clerk", "Reset-Pass-2024")
    session = session_of()
    _login(qtbot, session, "clerk", "Reset-Pass-2024")
    change = _dialog(qtbot, session, ChangePasswordDialog)
    assert session.window is None
    type_text(qtbot, change.old_edit, "Reset-Pass-2024")
    type_text(qtbot, change.password_edit, "clerk")
    type_text(qtbot, change.repeat_edit, "clerk")
    change.ok_button.click()
    assert change.errors["password"].isVisible() and session.window is None
    change.password_edit.clear()
    change.repeat_edit.clear()
    type_text(qtbot, change.password_edit, "Mine-Only-2024")
    type_text(qtbot, change.repeat_edit, "Mine-Only-2024")
    change.ok_button.click()
    window = _window(qtbot, session)
    assert window.ctx.ledger.user == "clerk"
    assert not next(a for a in accounts_service.list_users(db) if a.username == "clerk").must_change_password
    accounts_service.login(db, "clerk", "Mine-Only-2024")


def test_idle_window_is_locked_keeps_the_typed_text_and_unlocks_with_the_password(qtbot, db, session_of):
    from desktop.views.accounts.lock_screen import LockScreen

    _accounts(db, clerk=Role.CLERK)
    session = session_of(idle_ms=400)
    window = _logged_in(qtbot, session, "clerk")
    page = window.page("parks")
    wait_idle(qtbot, window.ctx)
    type_text(qtbot, page.search, "沙洲")
    qtbot.waitUntil(lambda: session.idle_lock.locked, timeout=10000)
    lock = window.findChild(LockScreen)
    assert lock.isVisible() and lock.isModal() and lock.geometry().contains(window.geometry().center())
    lock.reject()  # Esc does not lift the lock
    assert lock.isVisible()

    type_text(qtbot, lock.password_edit, "Wrong-Pass-1")
    lock.unlock_button.click()
    qtbot.waitUntil(lambda: lock.message.isVisible(), timeout=10000)
    assert lock.message.text() == "用户名或密码错误" and lock.isVisible()
    type_text(qtbot, lock.password_edit, PW)
    lock.unlock_button.click()
    qtbot.waitUntil(lambda: not session.idle_lock.locked, timeout=10000)
    assert window.findChild(LockScreen) is None or not lock.isVisible()
    assert page.search.text() == "沙洲" and session.window is window
    from desktop.services import audit

    wait_idle(qtbot, window.ctx)
    actions = [r.action for r in audit.list_entries(db, user="clerk")][::-1]  # oldest first
    assert "screen_lock" in actions and "screen_unlock" in actions  # the lock and the unlock are both logged
    assert actions.index("screen_lock") < actions.index("screen_unlock")


def test_failures_at_the_lock_screen_lock_the_account_and_end_the_session(qtbot, db, session_of):
    from desktop.views.accounts.lock_screen import LockScreen

    _accounts(db, clerk=Role.CLERK)
    session = session_of(idle_ms=300)
    window = _logged_in(qtbot, session, "clerk")
    qtbot.waitUntil(lambda: session.idle_lock.locked, timeout=10000)
    lock = window.findChild(LockScreen)
    for _ in range(5):
        qtbot.waitUntil(lambda: lock.unlock_button.isEnabled(), timeout=10000)
        type_text(qtbot, lock.password_edit, "Wrong-Pass-1")
        lock.unlock_button.click()
    login = _dialog(qtbot, session, LoginDialog)
    assert session.window is None and "锁定" in login.note.text()


def test_an_auditor_sees_only_the_audit_log(qtbot, db, session_of):
    _accounts(db, auditor=Role.AUDITOR)
    window = _logged_in(qtbot, session_of(), "auditor")
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == ["操作日志"]
    names = {a.objectName() for a in window.system_menu().actions()}
    assert "accounts" not in names and {"change_password", "logout"} <= names
    assert window.findChild(QLabel, "who").text() == "当前用户：auditor（审计管理员）"


def test_the_sysadmin_sees_parameters_holidays_units_and_accounts_but_no_ledger_page(qtbot, db, session_of):
    _accounts(db)
    window = _logged_in(qtbot, session_of(), "admin", ADMIN_PW)
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == ["节假日", "年度参数", "成员单位"]
    assert {"accounts", "change_password", "logout"} <= {a.objectName() for a in window.system_menu().actions()}
    system = [m for m in window.menuBar().actions() if m.text() == "系统"]
    assert len(system) == 1  # one 系统 menu: the accounts' items and the backups' together


def test_a_clerk_sees_no_accounts_menu_and_no_approval_buttons(qtbot, db, session_of):
    _accounts(db, clerk=Role.CLERK)
    window = _logged_in(qtbot, session_of(), "clerk")
    names = {a.objectName() for a in window.system_menu().actions()}
    assert "accounts" not in names and "security" not in names
    page = window.page("lists")
    wait_idle(qtbot, window.ctx)
    assert page.approve_button.isHidden() and page.return_button.isHidden() and not page.submit_button.isHidden()
    assert window.findChild(QLabel, "who").text() == "当前用户：clerk（经办）"


def test_a_leader_reads_every_page_and_write_buttons_say_why_not(qtbot, db, session_of):
    _accounts(db, leader=Role.LEADER)
    window = _logged_in(qtbot, session_of(), "leader")
    assert window.nav.count() == 17  # every page but 操作日志 (通报与典型案例, 综合体检 and 考核评分 included)
    page = window.page("parks")
    wait_idle(qtbot, window.ctx)
    assert not page.add_button.isEnabled() and "领导无权录入和修改台账" in page.add_button.toolTip()
    year = window.page("year")
    wait_idle(qtbot, window.ctx)
    assert not year.new_year_button.isEnabled() and "无权修改年度参数" in year.new_year_button.toolTip()


def test_the_accounts_dialog_lists_adds_and_resets(qtbot, db, session_of):
    from desktop.views.accounts.accounts_dialog import AccountsDialog, AddAccountDialog

    _accounts(db, clerk=Role.CLERK)
    window = _logged_in(qtbot, session_of(), "admin", ADMIN_PW)
    next(a for a in window.system_menu().actions() if a.objectName() == "accounts").trigger()
    dialog = window.findChild(AccountsDialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=10000)
    assert [dialog.model.display(r, "role") for r in dialog.model.rows] == ["系统管理员", "经办"]
    assert not dialog.unlock_button.isEnabled() and "系统管理员无权解锁账户" in dialog.unlock_button.toolTip()
    dialog.add_button.click()
    add = dialog.findChild(AddAccountDialog)
    type_text(qtbot, add.username_edit, "leader")
    add.role_combo.setCurrentIndex(add.role_combo.findData(Role.LEADER))
    type_text(qtbot, add.password_edit, PW)
    type_text(qtbot, add.repeat_edit, PW)
    add.ok_button.click()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 3, timeout=10000)
    assert accounts_service.login(db, "leader", PW).role == Role.LEADER


def test_logout_goes_back_to_the_login_dialog(qtbot, db, session_of):
    _accounts(db, clerk=Role.CLERK)
    session = session_of()
    window = _logged_in(qtbot, session, "clerk")
    next(a for a in window.system_menu().actions() if a.objectName() == "logout").trigger()
    login = _dialog(qtbot, session, LoginDialog)
    assert session.window is None and login.username_edit.text() == "clerk"


def test_a_leader_cannot_approve_the_list_they_submitted_another_leader_can(qtbot, db, city, session_of):
    from desktop.services.errors import Refused
    from desktop.services.lists import list_service

    _accounts(db, zhang=Role.CLERK, li=Role.LEADER)
    zhang = accounts_service.login(db, "zhang", PW)
    list_service.submit(zhang, city["east_list"])  # 张 submitted it as 经办 …
    accounts_service.set_role(db, "zhang", Role.LEADER)  # … and has since become a 领导
    session = session_of()
    window = _logged_in(qtbot, session, "zhang")
    page = window.page("lists")
    wait_idle(qtbot, window.ctx)
    page.choose_town(city["east"])
    wait_idle(qtbot, window.ctx)
    assert page.summary.status.label == "已报送"
    for button in (page.approve_button, page.return_button):
        assert not button.isHidden() and not button.isEnabled()
        assert "该清单由您本人报送，不能由本人审核" in button.toolTip()
    assert not page.submit_button.isEnabled() and "领导无权录入和修改台账" in page.submit_button.toolTip()
    with pytest.raises(Refused, match="不能由本人审核"):  # reached anyway: the service refuses it too
        list_service.review(window.ctx.ledger, city["east_list"], approve=True)

    next(a for a in window.system_menu().actions() if a.objectName() == "logout").trigger()
    window = _logged_in(qtbot, session, "li")
    page = window.page("lists")
    page.choose_town(city["east"])
    wait_idle(qtbot, window.ctx)
    assert page.approve_button.isEnabled() and page.return_button.isEnabled()


def test_the_selftest_logs_in_with_zzb_user_and_zzb_password(db, db_path, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    _accounts(db, clerk=Role.CLERK)
    db.dispose()
    zzb = Path(sys.executable).parent / "zzb"
    env = {k: v for k, v in os.environ.items() if k not in ("ZZB_USER", "ZZB_PASSWORD")}
    env.update(ZZB_DATA_DIR=str(tmp_path / "userdata"), QT_QPA_PLATFORM="offscreen")

    def selftest(**login):
        return subprocess.run([str(zzb), "--db", str(db_path), "--selftest"], capture_output=True, text=True,
                              env={**env, **login}, timeout=300, stdin=subprocess.DEVNULL)

    nobody = selftest()
    assert nobody.returncode == 1 and "ZZB_USER" in nobody.stderr and "Traceback" not in nobody.stderr
    wrong = selftest(ZZB_USER="clerk", ZZB_PASSWORD="Wrong-Pass-1")
    assert wrong.returncode == 1 and "用户名或密码错误" in wrong.stderr
    clerk = selftest(ZZB_USER="clerk", ZZB_PASSWORD=PW)
    assert clerk.returncode == 0 and "selftest: ok (17 pages" in clerk.stdout, clerk.stderr



def test_the_remembered_page_is_the_same_page_for_another_role(qtbot, ctx):
    """The sidebar differs by role, so the window remembers the page by its key, not by its row."""
    from dataclasses import replace

    from desktop.views.main_window import MainWindow

    ctx.ledger = replace(ctx.ledger, role=Role.CLERK)
    clerk = MainWindow(ctx, [2024])
    qtbot.addWidget(clerk)
    clerk.page("deadlines")
    wait_idle(qtbot, ctx)
    clerk.close()
    assert ctx.settings.value("main/page") == "deadlines"

    ctx.ledger = replace(ctx.ledger, role=Role.LEADER)
    leader = MainWindow(ctx, [2024])
    qtbot.addWidget(leader)
    wait_idle(qtbot, ctx)
    assert leader._specs[leader.nav.currentRow()].key == "deadlines"
    leader.close()

    ctx.ledger = replace(ctx.ledger, role=Role.AUDITOR)  # no 期限 in the auditor's sidebar: its first page
    auditor = MainWindow(ctx, [2024])
    qtbot.addWidget(auditor)
    wait_idle(qtbot, ctx)
    assert [s.key for s in auditor._specs] == ["audit"] and auditor.nav.currentRow() == 0
    auditor.close()


def test_the_login_dialog_imports_the_first_screens_modules_while_the_password_is_typed(qtbot, db, session_of,
                                                                                       monkeypatch):
    """Once the dialog is drawn: the first screen's services on the lane and its page's modules here; once per
    session (a second login, after logging out, finds them imported)."""
    import threading

    from desktop.services import preload
    from desktop.views import pages

    _accounts(db, clerk=Role.CLERK)
    calls = []
    monkeypatch.setattr(preload, "first_screen_services", lambda: calls.append(("lane", threading.current_thread().name)))
    monkeypatch.setattr(pages, "preload_first_page", lambda: calls.append(("gui", threading.current_thread().name)))
    session = session_of()
    _dialog(qtbot, session, LoginDialog)
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=10000)
    assert sorted(calls) == [("gui", "MainThread"), ("lane", "db-lane")]
    window = _logged_in(qtbot, session, "clerk")
    next(a for a in window.system_menu().actions() if a.objectName() == "logout").trigger()
    _dialog(qtbot, session, LoginDialog)
    wait_idle(qtbot, session.ctx)
    assert len(calls) == 2
