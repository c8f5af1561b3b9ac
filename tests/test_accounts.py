"""Accounts: first administrator, password rules, login with lockout, administration (等保 2.0)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from desktop.models import AuditLog, User
from desktop.models.enums import Role
from desktop.services.accounts import accounts_service as acc
from desktop.services.accounts.passwords import hash_password, strength_problem, verify_password
from desktop.services.errors import Refused, ValidationError

ADMIN_PW = "Admin-Pass-2024"
CLERK_PW = "Clerk-Pass-2024"


def _log(db, action=None):
    with db.reader() as s:
        q = select(AuditLog).order_by(AuditLog.id)
        if action:
            q = q.where(AuditLog.action == action)
        return [(a.action, a.user, a.result) for a in s.scalars(q)]


@pytest.fixture
def admin(db):
    acc.create_first_admin(db, "admin", ADMIN_PW)
    return acc.login(db, "admin", ADMIN_PW)


def test_weak_passwords_are_refused_with_the_reason():
    assert "8" in strength_problem("Ab1!", "x")
    assert "三类" in strength_problem("abcdefgh1", "x")
    assert "用户名" in strength_problem("Zhang-San-2024", "zhang-san-2024")
    assert strength_problem("Clerk-Pass-2024", "zhangsan") is None


def test_password_is_stored_only_as_an_argon2id_hash():
    h = hash_password(ADMIN_PW)
    assert h.startswith("$argon2id$") and ADMIN_PW not in h
    assert verify_password(ADMIN_PW, h) and not verify_password("Admin-Pass-2025", h)
    assert hash_password(ADMIN_PW) != h  # salted


def test_first_admin_needs_a_strong_password_and_only_once(db):
    assert not acc.has_accounts(db)
    with pytest.raises(ValidationError):
        acc.create_first_admin(db, "admin", "admin123")
    assert not acc.has_accounts(db)
    a = acc.create_first_admin(db, "admin", ADMIN_PW)
    assert a.role == Role.SYSADMIN and acc.has_accounts(db)
    with pytest.raises(Refused, match="已有账户"):
        acc.create_first_admin(db, "second", ADMIN_PW)


def test_login_carries_user_and_role_and_is_logged(admin):
    assert admin.user == "admin" and admin.role == Role.SYSADMIN
    assert ("login", "admin", "成功") in _log(admin)
    assert acc.current_account(admin).last_login is not None


def test_unknown_user_and_wrong_password_get_the_same_sentence_and_are_logged(db, admin):
    with pytest.raises(acc.LoginRefused) as unknown:
        acc.login(db, "nobody", ADMIN_PW)
    with pytest.raises(acc.LoginRefused) as wrong:
        acc.login(db, "admin", "Wrong-Pass-2024")
    assert unknown.value.message == wrong.value.message == "用户名或密码错误"
    failed = _log(db, "login_failed")
    assert ("login_failed", "nobody", "失败") in failed and ("login_failed", "admin", "失败") in failed


def test_sixth_attempt_after_five_failures_is_locked_even_with_the_right_password(db, admin):
    for _ in range(4):
        with pytest.raises(acc.LoginRefused, match="用户名或密码错误"):
            acc.login(db, "admin", "Wrong-Pass-2024")
    with pytest.raises(acc.LoginRefused, match="锁定"):
        acc.login(db, "admin", "Wrong-Pass-2024")
    with pytest.raises(acc.LoginRefused, match="锁定"):
        acc.login(db, "admin", ADMIN_PW)
    assert [a for a, *_ in _log(db, "lock")] == ["lock"]
    assert len(_log(db, "login_failed")) == 6


def test_lock_runs_out_after_the_lock_minutes(db, admin):
    for _ in range(5):
        with pytest.raises(acc.LoginRefused):
            acc.login(db, "admin", "Wrong-Pass-2024")
    later = db.as_of(db.today() + dt.timedelta(days=1))
    assert acc.login(later, "admin", ADMIN_PW).role == Role.SYSADMIN


def test_secadmin_unlocks_and_changes_the_rules(db, admin):
    acc.add_user(admin, "sec", Role.SECADMIN, "Sec-Pass-2024")
    for _ in range(5):
        with pytest.raises(acc.LoginRefused):
            acc.login(db, "admin", "Wrong-Pass-2024")
    sec = acc.login(db, "sec", "Sec-Pass-2024")
    acc.unlock(sec, "admin")
    assert acc.login(db, "admin", ADMIN_PW).role == Role.SYSADMIN
    acc.set_security_settings(sec, acc.SecuritySettings(max_failures=3, lock_minutes=30, idle_minutes=5))
    assert acc.security_settings(db) == acc.SecuritySettings(3, 30, 5)
    with pytest.raises(Refused, match="系统管理员无权修改安全设置"):
        acc.set_security_settings(admin, acc.SecuritySettings())
    with pytest.raises(ValidationError):
        acc.set_security_settings(sec, acc.SecuritySettings(max_failures=0))
    with pytest.raises(Refused, match="安全管理员无权管理账户"):
        acc.add_user(sec, "x", Role.CLERK, CLERK_PW)


def test_reset_forces_a_change_and_own_change_clears_it(db, admin):
    acc.add_user(admin, "clerk", Role.CLERK, CLERK_PW)
    acc.reset_password(admin, "clerk", "Reset-Pass-2024")
    clerk = acc.login(db, "clerk", "Reset-Pass-2024")
    assert acc.current_account(clerk).must_change_password
    with pytest.raises(ValidationError):
        acc.change_own_password(clerk, "Reset-Pass-2024", "weak")
    acc.change_own_password(clerk, "Reset-Pass-2024", "Clerk-Pass-2025")
    assert not acc.current_account(clerk).must_change_password
    assert acc.login(db, "clerk", "Clerk-Pass-2025").role == Role.CLERK


def test_idle_lock_screen_counts_failures_like_login(db, admin):
    for _ in range(4):
        with pytest.raises(acc.LoginRefused):
            acc.check_own_password(admin, "Wrong-Pass-2024")
    acc.check_own_password(admin, ADMIN_PW)  # resets the count
    with db.reader() as s:
        assert s.scalar(select(User.failed_logins).where(User.username == "admin")) == 0


def test_the_last_sysadmin_keeps_the_role_and_stays_active(admin):
    with pytest.raises(Refused, match="唯一的系统管理员"):
        acc.set_role(admin, "admin", Role.AUDITOR)
    with pytest.raises(Refused, match="唯一的系统管理员"):
        acc.set_active(admin, "admin", False)
    acc.add_user(admin, "admin2", Role.SYSADMIN, "Other-Admin-2024")
    acc.set_role(admin, "admin", Role.AUDITOR)
    assert {a.username: a.role for a in acc.list_users(admin)} == {"admin": Role.AUDITOR, "admin2": Role.SYSADMIN}


def test_deactivated_account_cannot_log_in(db, admin):
    acc.add_user(admin, "clerk", Role.CLERK, CLERK_PW)
    acc.set_active(admin, "clerk", False)
    with pytest.raises(acc.LoginRefused, match="停用"):
        acc.login(db, "clerk", CLERK_PW)


def test_duplicate_name_is_refused(admin):
    acc.add_user(admin, "clerk", Role.CLERK, CLERK_PW)
    with pytest.raises(ValidationError, match="已存在"):
        acc.add_user(admin, "clerk", Role.LEADER, CLERK_PW)
