"""What every `zzb` command module shares: opening an existing ledger, and a date typed on the command line.

It sits below cli.py and cli_excel.py, so neither has to import the other (no Qt here either).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from contextlib import contextmanager
from pathlib import Path


def missing_file(url: str) -> Path | None:
    """The SQLite file a URL names when that file does not exist (None for a server or an existing file)."""
    from desktop.services.db import sqlite_path

    path = sqlite_path(url)
    if path is not None and not path.exists():
        return path
    return None


NO_ADMIN = "尚未建立管理员账户，请先运行 zzb init --admin 用户名"
LOGIN_HINT = ("请用 --user 用户名（或环境变量 ZZB_USER）指明账户，用环境变量 ZZB_PASSWORD 提供密码"
              "（在终端中运行时也可直接输入）")
MUST_CHANGE = ("您的密码已由管理员重置，须先设置新密码：运行 zzb user passwd"
               "（新密码取自环境变量 ZZB_NEW_PASSWORD，或在终端中输入）")


def open_existing(db, *, as_of=None, args=None, migrate: bool = True):
    """The ledger of an existing database, on the day `as_of` (the CLI's --as-of) or today, logged in as the
    account named by `args.user` (--user) or ZZB_USER, with the password from ZZB_PASSWORD or typed.

    Refused (nothing written) when the file is missing or has no account yet; a refused login is in the log."""
    from desktop.services.db import to_url
    from desktop.services.errors import Refused
    from desktop.services.ledger import open_ledger

    url = to_url(db)
    missing = missing_file(url)
    if missing:
        raise Refused(f"数据库文件不存在：{missing}")
    require_accounts(url)
    ledger = open_ledger(url, as_of=as_of, migrate=migrate)
    try:
        return log_in(ledger, args)
    except BaseException:
        ledger.dispose()
        raise


@contextmanager
def opened(db, **kwargs):
    """`open_existing` as a `with` block: the ledger is disposed of however the command ends."""
    ledger = open_existing(db, **kwargs)
    try:
        yield ledger
    finally:
        ledger.dispose()


def checked_before_login(db, check, *, args=None, migrate: bool = True):
    """`check(ledger)` on the ledger as this command found it, then the login: a command that verifies the log
    must not see its own login record first (appended after deleted records, it would hide what happened).
    The result goes only to a user who logged in. Returns (logged-in ledger, result); dispose the ledger."""
    from desktop.services.db import to_url
    from desktop.services.errors import Refused
    from desktop.services.ledger import open_ledger

    url = to_url(db)
    missing = missing_file(url)
    if missing:
        raise Refused(f"数据库文件不存在：{missing}")
    require_accounts(url)
    ledger = open_ledger(url, migrate=migrate)
    try:
        result = check(ledger)
        return log_in(ledger, args), result
    except BaseException:
        ledger.dispose()
        raise


def require_accounts(url: str) -> None:
    """Refuse with NO_ADMIN while the database has no account (read without migrating: nothing is written)."""
    from desktop.services.accounts import accounts_service
    from desktop.services.errors import Refused
    from desktop.services.ledger import open_ledger

    ledger = open_ledger(url, migrate=False)
    try:
        found = accounts_service.has_accounts(ledger)
    finally:
        ledger.dispose()
    if not found:
        raise Refused(NO_ADMIN)


def interactive() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def log_in(ledger, args=None, *, read_only: bool = False):
    """The ledger acting as the account the command names (see open_existing). `read_only`: the ledger cannot
    be written (a write-protected stick), so the password is checked without the attempt's bookkeeping."""
    from desktop.services.accounts import accounts_service as acc
    from desktop.services.errors import Refused

    name = (getattr(args, "user", None) or os.environ.get("ZZB_USER") or "").strip()
    if not name and interactive():
        name = input("用户名：").strip()
    password = os.environ.get("ZZB_PASSWORD")
    if password is None and name and interactive():
        password = getpass.getpass(f"{name} 的密码：")
    try:
        acting = (acc.login_read_only if read_only else acc.login)(ledger, name, password or "")
    except acc.LoginRefused as exc:
        if not name or password is None:
            raise acc.LoginRefused(f"{exc.message}。{LOGIN_HINT}") from None
        raise
    if not getattr(args, "allow_must_change", False) and acc.current_account(acting).must_change_password:
        raise Refused(MUST_CHANGE)
    return acting


def new_password(env: str, prompt: str, username: str) -> str:
    """A new password from the environment variable `env`, or typed twice on the terminal; refused when weak."""
    from desktop.services.accounts.passwords import strength_problem
    from desktop.services.errors import ValidationError

    password = os.environ.get(env)
    if password is None:
        if not interactive():
            raise ValidationError(f"请用环境变量 {env} 提供{prompt}，或在终端中运行以输入")
        password = getpass.getpass(f"{prompt}：")
        if getpass.getpass("请再输入一次：") != password:
            raise ValidationError("两次输入的密码不一致")
    problem = strength_problem(password, username)
    if problem:
        raise ValidationError(f"密码太弱：{problem}")
    return password


def cli_date(text: str, label: str):
    """A date typed as an argument (any form services/dates.parse_date reads); refused with the argument's name."""
    from desktop.services.dates import parse_date
    from desktop.services.errors import ValidationError

    try:
        return parse_date(text)
    except ValueError as exc:
        raise ValidationError(f"{label}无效：{exc}") from None


def number_arg(parse: str, **kwargs):
    """An argparse type that reads the argument with services/numbers.py (`parse` names its function): a bad
    or out-of-range number is a usage error (exit 2) with the Chinese message naming the allowed range.
    The services are imported only when an argument is read, so `--help` stays quick."""

    def convert(text: str):
        from desktop.services import numbers
        from desktop.services.errors import ValidationError

        try:
            value = getattr(numbers, parse)(text, **kwargs)
        except ValidationError as exc:
            raise argparse.ArgumentTypeError(exc.message) from None
        if value is None:
            raise argparse.ArgumentTypeError(f"{kwargs.get('label', '数值')}不能为空")
        return value

    return convert


def year_arg():
    return number_arg("parse_year", label="年度")


def file_arg(label: str):
    """An argparse type for a file name that must not be empty (`-o ''`)."""

    def convert(text: str) -> str:
        if not text.strip():
            raise argparse.ArgumentTypeError(f"{label}不能为空，请写出文件名")
        return text

    return convert
