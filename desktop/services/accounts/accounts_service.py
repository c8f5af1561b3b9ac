"""Accounts: the first administrator, login with lockout, one's own password, and the administrators' tools.

Every login attempt is written to the audit log under the name that was typed (login / login_failed /
lock), and a failed attempt is committed even though the login is refused. An unknown name and a
wrong password get the same sentence, so the program never tells which names exist.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Iterator

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from desktop.models import User
from desktop.models.enums import Role
from desktop.services import audit, meta
from desktop.services.accounts import passwords
from desktop.services.accounts.permissions import ACCOUNTS_BOOKKEEPING, require
from desktop.services.errors import NotFound, Refused, UserError, ValidationError
from desktop.services.ledger import Ledger

WRONG = "用户名或密码错误"
NO_NAME = "（未指明用户名）"  # the log's user of an attempt that named no account
NAME_MAX = 64


class LoginRefused(UserError):
    """A login (or the idle lock screen's password) is refused; the message says why in Chinese."""


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    locked_until: dt.datetime | None
    must_change_password: bool
    last_login: dt.datetime | None

    def locked_at(self, now: dt.datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


@dataclass(frozen=True)
class SecuritySettings:
    """The security administrator's rules: lock after `max_failures` failures for `lock_minutes`;
    lock the window after `idle_minutes` without input."""

    max_failures: int = 5
    lock_minutes: int = 10
    idle_minutes: int = 15


SETTING_LIMITS = {  # field: (meta key, label, minimum, maximum) — the security dialog's ranges too
    "max_failures": ("security.max_failures", "连续登录失败次数上限", 3, 10),
    "lock_minutes": ("security.lock_minutes", "锁定时长（分钟）", 1, 1440),
    "idle_minutes": ("security.idle_minutes", "无操作自动锁屏（分钟）", 1, 120),
}


def _account(u: User) -> Account:
    return Account(u.id, u.username, u.display_name or "", u.role, bool(u.active), u.locked_until,
                   bool(u.must_change_password), u.last_login)


def clean_username(username: str) -> str:
    name = (username or "").strip()
    if not name:
        raise ValidationError("用户名不能为空", field="username")
    if len(name) > NAME_MAX:
        raise ValidationError(f"用户名不能超过 {NAME_MAX} 个字符", field="username")
    if any(c.isspace() for c in name):
        raise ValidationError("用户名不能包含空格", field="username")
    return name


def _check_strength(password: str, username: str) -> None:
    problem = passwords.strength_problem(password, username)
    if problem:
        raise ValidationError(problem, field="password")


def _user(s: Session, username: str) -> User:
    u = s.scalar(select(User).where(User.username == (username or "").strip()))
    if u is None:
        raise NotFound(f"没有用户“{username}”")
    return u


def _bookkeeping(s: Session) -> Session:
    """The accounts service writes its own login bookkeeping on app_user (the role check lets it pass) and
    records one explicit audit entry instead of the row-level ones."""
    s.info[ACCOUNTS_BOOKKEEPING] = True
    s.info["skip_audit"] = True
    return s


# ---- first run ---------------------------------------------------------------------------------


def has_accounts(ledger: Ledger) -> bool:
    """Whether any account exists (False also for a database whose tables are not made yet)."""
    with ledger.reader() as s:
        if not inspect(s.connection()).has_table(User.__tablename__):
            return False
        # The table, not the mapped class: asked before the login dialog shows, and a plain count leaves the
        # ORM's one-time mapper set-up to the login itself (issue 12's start).
        return bool(s.scalar(select(func.count()).select_from(User.__table__)))


def create_first_admin(ledger: Ledger, username: str, password: str, display_name: str = "") -> Account:
    """The first system administrator, with the password the person chose (there is no default)."""
    name = clean_username(username)
    _check_strength(password, name)
    with ledger.session() as s:
        if s.scalar(select(func.count()).select_from(User)):
            raise Refused("已有账户，不能再建立首个管理员；请用系统管理员账户登录后添加用户")
        u = User(username=name, display_name=(display_name or "").strip(), role=Role.SYSADMIN,
                 password_hash=passwords.hash_password(password), password_changed_at=ledger.now())
        s.add(u)
        s.flush()
        return _account(u)


# ---- login -------------------------------------------------------------------------------------


_DUMMY_HASH: list[str] = []


def _spend_like_a_check(password: str) -> None:
    """An unknown name costs as long as a wrong password, so timing does not tell which names exist."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(passwords.hash_password("Unknown-user-0"))
    passwords.verify_password(password, _DUMMY_HASH[0])


def _attempt(ledger: Ledger, s: Session, u: User | None, typed_name: str, password: str) -> str | None:
    """Check one password attempt and do its bookkeeping and audit; the refusal sentence, or None."""
    now = ledger.now()
    settings = _read_settings(s)
    object_id = u.id if u is not None else None

    def failed(reason: str) -> None:
        who = typed_name or NO_NAME
        audit.record(s, "login_failed", "app_user", object_id, label=who, after={"原因": reason},
                     result="失败", user=who)

    if u is None or not u.password_hash:
        _spend_like_a_check(password)
        failed("用户名或密码错误")
        return WRONG
    if u.locked_until is not None and u.locked_until > now:
        failed("账户已锁定")
        return _locked_sentence(u.locked_until, now)
    if u.locked_until is not None:  # the lock has run out: a fresh count
        u.locked_until = None
        u.failed_logins = 0
    if not passwords.verify_password(password, u.password_hash):
        u.failed_logins = (u.failed_logins or 0) + 1
        failed("密码错误")
        if u.failed_logins >= settings.max_failures:
            u.locked_until = now + dt.timedelta(minutes=settings.lock_minutes)
            audit.record(s, "lock", "app_user", u.id, label=u.username,
                         after={"连续失败次数": u.failed_logins, "锁定至": u.locked_until.isoformat(timespec="minutes")},
                         result="成功", user=typed_name)
            return _locked_sentence(u.locked_until, now)
        return WRONG
    if not u.active:
        failed("账户已停用")
        return "该账户已停用，请联系系统管理员"
    u.failed_logins = 0
    return None


def _locked_sentence(until: dt.datetime, now: dt.datetime) -> str:
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    return f"登录失败次数过多，账户已锁定，请 {minutes} 分钟后再试或请安全管理员解锁"


def login(ledger: Ledger, username: str, password: str) -> Ledger:
    """The same ledger acting as the account (user and role); LoginRefused with a Chinese sentence.

    Every attempt is in the audit log; a refused one is committed before the refusal is raised."""
    typed = (username or "").strip()
    with _bookkeeping_session(ledger) as s:
        u = s.scalar(select(User).where(User.username == typed)) if typed else None
        refusal = _attempt(ledger, s, u, typed, password or "")
        if refusal is None:
            u.last_login = ledger.now()
            audit.record(s, "login", "app_user", u.id, label=u.username, user=u.username)
            acting = replace(ledger, user=u.username, role=u.role)
    if refusal is not None:
        raise LoginRefused(refusal)
    return acting


def login_read_only(ledger: Ledger, username: str, password: str) -> Ledger:
    """`login` on a ledger that cannot be written (a write-protected stick, for a backup): the same checks and
    the same refusals, but no bookkeeping and no record here — the caller records the act where it can."""
    typed = (username or "").strip()
    with ledger.reader() as s:
        u = s.scalar(select(User).where(User.username == typed)) if typed else None
        now = ledger.now()
        if u is None or not u.password_hash:
            _spend_like_a_check(password or "")
            raise LoginRefused(WRONG)
        if u.locked_until is not None and u.locked_until > now:
            raise LoginRefused(_locked_sentence(u.locked_until, now))
        if not passwords.verify_password(password or "", u.password_hash):
            raise LoginRefused(WRONG)
        if not u.active:
            raise LoginRefused("该账户已停用，请联系系统管理员")
        return replace(ledger, user=u.username, role=u.role)


@contextmanager
def _bookkeeping_session(ledger: Ledger) -> Iterator[Session]:
    """A write unit for the accounts service's own bookkeeping on app_user."""
    with ledger.session() as s:
        yield _bookkeeping(s)


def logout(ledger: Ledger) -> None:
    """Record the end of the account's session (the window then forgets the handle)."""
    with _bookkeeping_session(ledger) as s:
        u = s.scalar(select(User).where(User.username == ledger.user))
        audit.record(s, "logout", "app_user", u.id if u else None, label=ledger.user)


def current_account(ledger: Ledger) -> Account | None:
    """The logged-in account (None when the ledger acts as no account)."""
    with ledger.reader() as s:
        u = s.scalar(select(User).where(User.username == ledger.user))
        return _account(u) if u is not None else None


def record_screen_lock(ledger: Ledger) -> None:
    """The window locked itself after the idle minutes: recorded like a logout (the unlock is recorded by
    `check_own_password`)."""
    with _bookkeeping_session(ledger) as s:
        u = s.scalar(select(User).where(User.username == ledger.user))
        audit.record(s, "screen_lock", "app_user", u.id if u else None, label=ledger.user)


def check_own_password(ledger: Ledger, password: str) -> None:
    """The idle lock screen: the logged-in account's password again; failures count as at login."""
    with _bookkeeping_session(ledger) as s:
        u = s.scalar(select(User).where(User.username == ledger.user))
        refusal = _attempt(ledger, s, u, ledger.user, password or "")
        if refusal is None:
            audit.record(s, "screen_unlock", "app_user", u.id, label=u.username)
    if refusal is not None:
        raise LoginRefused(refusal)


def change_own_password(ledger: Ledger, old: str, new: str) -> None:
    """Change the logged-in account's password (the old one is checked like a login)."""
    check_own_password(ledger, old)
    _check_strength(new, ledger.user)
    if new == old:
        raise ValidationError("新密码不能与原密码相同", field="password")
    with _bookkeeping_session(ledger) as s:
        u = _user(s, ledger.user)
        u.password_hash = passwords.hash_password(new)
        u.must_change_password = False
        u.password_changed_at = ledger.now()
        audit.record(s, "password_change", "app_user", u.id, label=u.username)


# ---- administration ----------------------------------------------------------------------------


def add_user(ledger: Ledger, username: str, role: Role, password: str, display_name: str = "") -> Account:
    """A new account with one role (so no account ever holds two administrator roles: 三员分立)."""
    require(ledger, "accounts")
    name = clean_username(username)
    if not isinstance(role, Role):
        raise ValidationError("请选择角色", field="role")
    _check_strength(password, name)
    with ledger.session() as s:
        if s.scalar(select(User.id).where(User.username == name)) is not None:
            raise ValidationError(f"用户名“{name}”已存在", field="username")
        u = User(username=name, display_name=(display_name or "").strip(), role=role,
                 password_hash=passwords.hash_password(password), password_changed_at=ledger.now())
        s.add(u)
        s.flush()
        return _account(u)


def list_users(ledger: Ledger) -> list[Account]:
    """Every account, by name (for the system administrator, and the security administrator who unlocks)."""
    if ledger.role is not None and ledger.role not in (Role.SYSADMIN, Role.SECADMIN):
        require(ledger, "accounts")
    with ledger.reader() as s:
        return [_account(u) for u in s.scalars(select(User).order_by(User.username))]


def reset_password(ledger: Ledger, username: str, new_password: str) -> None:
    """An administrator sets a new password; the account must change it at its next login."""
    require(ledger, "accounts")
    with ledger.session() as s:
        u = _user(s, username)
        _check_strength(new_password, u.username)
        u.password_hash = passwords.hash_password(new_password)
        u.must_change_password = True
        u.password_changed_at = ledger.now()
        audit.record(s, "password_reset", "app_user", u.id, label=u.username)


def unlock(ledger: Ledger, username: str) -> None:
    """The security administrator lifts a lockout."""
    require(ledger, "unlock")
    with ledger.session() as s:
        u = _user(s, username)
        u.failed_logins = 0
        u.locked_until = None


def _other_active_sysadmins(s: Session, u: User) -> int:
    return s.scalar(select(func.count()).select_from(User).where(
        User.role == Role.SYSADMIN, User.active.is_(True), User.id != u.id)) or 0


def _keep_a_sysadmin(s: Session, u: User, what: str) -> None:
    if u.role == Role.SYSADMIN and u.active and not _other_active_sysadmins(s, u):
        raise Refused(f"“{u.username}”是唯一的系统管理员，不能{what}；请先添加另一名系统管理员")


def set_active(ledger: Ledger, username: str, active: bool) -> None:
    """Deactivate (or reactivate) an account; the last system administrator stays active."""
    require(ledger, "accounts")
    with ledger.session() as s:
        u = _user(s, username)
        if not active:
            _keep_a_sysadmin(s, u, "停用")
        u.active = bool(active)


def set_role(ledger: Ledger, username: str, role: Role) -> None:
    """Give an account another role (still one role: 三员分立); the last system administrator keeps it."""
    require(ledger, "accounts")
    with ledger.session() as s:
        u = _user(s, username)
        if role != u.role:
            _keep_a_sysadmin(s, u, f"改为{role.label}")
        u.role = role


# ---- security settings -------------------------------------------------------------------------


def _read_settings(s: Session) -> SecuritySettings:
    values = {}
    for field, (key, _label, low, high) in SETTING_LIMITS.items():
        text = meta.get(s, key)
        try:
            value = int(text) if text is not None else None
        except ValueError:
            value = None
        if value is not None and low <= value <= high:
            values[field] = value
    return SecuritySettings(**values)


def security_settings(ledger: Ledger) -> SecuritySettings:
    with ledger.reader() as s:
        return _read_settings(s)


def set_security_settings(ledger: Ledger, settings: SecuritySettings) -> SecuritySettings:
    """The security administrator's lockout and idle-lock rules (kept in ledger_meta, security.*)."""
    require(ledger, "security")
    for field, (_key, label, low, high) in SETTING_LIMITS.items():
        value = getattr(settings, field)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValidationError(f"{label}应在 {low} 到 {high} 之间", field=field)
    with ledger.session() as s:
        for field, (key, *_rest) in SETTING_LIMITS.items():
            meta.put(s, key, str(getattr(settings, field)))
    return settings
