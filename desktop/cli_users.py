"""`zzb user …`: accounts from the command line (add, list, unlock, reset, passwd), through the accounts service.

The acting account logs in like every command (--user / ZZB_USER, ZZB_PASSWORD); a new password comes
from ZZB_NEW_PASSWORD or is typed twice. The service refuses what the role may not do (exit 1).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from desktop.cli_common import new_password, opened

ROLE_NAMES = ("sysadmin", "secadmin", "auditor", "clerk", "leader")


def _role(name: str):
    from desktop.models.enums import Role

    return Role[name.upper()]


def register(sub) -> None:
    p = sub.add_parser("user", help="账户：添加、列出、解锁、重置密码、修改本人密码",
                       description="管理账户（系统管理员添加、重置；安全管理员解锁）。执行者须登录：--user 或环境变量 "
                                   "ZZB_USER，密码取自 ZZB_PASSWORD；新密码取自 ZZB_NEW_PASSWORD 或在终端中输入两次。")
    usub = p.add_subparsers(title="命令", metavar="命令", dest="user_command", required=True,
                            parser_class=type(p))

    a = usub.add_parser("add", help="添加账户（系统管理员）", description="添加一个账户，一个账户只有一个角色（三员分立）。")
    a.add_argument("name", metavar="NAME", help="用户名")
    a.add_argument("--role", required=True, choices=ROLE_NAMES,
                   help="角色：sysadmin 系统管理员，secadmin 安全管理员，auditor 审计管理员，clerk 经办，leader 领导")
    a.add_argument("--display-name", metavar="TEXT", default="", help="姓名（可选）")
    a.set_defaults(func=_cmd_add)

    a = usub.add_parser("list", help="列出账户", description="列出账户：用户名、角色、是否锁定、最近登录。")
    a.add_argument("--json", action="store_true", help="以 JSON 输出（每个账户一个对象的列表）")
    a.set_defaults(func=_cmd_list)

    a = usub.add_parser("unlock", help="解锁账户（安全管理员）", description="解除因连续登录失败造成的锁定。")
    a.add_argument("name", metavar="NAME", help="用户名")
    a.set_defaults(func=_cmd_unlock)

    a = usub.add_parser("reset", help="重置密码（系统管理员），下次登录须修改",
                        description="为账户设置新密码（取自 ZZB_NEW_PASSWORD 或在终端中输入），该账户下次登录时须修改密码。")
    a.add_argument("name", metavar="NAME", help="用户名")
    a.set_defaults(func=_cmd_reset)

    a = usub.add_parser("passwd", help="修改本人密码",
                        description="修改登录账户本人的密码：原密码取自 ZZB_PASSWORD，新密码取自 ZZB_NEW_PASSWORD 或在终端中输入。")
    a.set_defaults(func=_cmd_passwd, allow_must_change=True)


def _account_dict(account, now) -> dict:
    return {"name": account.username, "role": account.role.name.lower(), "role_label": account.role.label,
            "display_name": account.display_name, "active": account.active, "locked": account.locked_at(now),
            "locked_until": account.locked_until.isoformat(timespec="seconds") if account.locked_at(now) else None,
            "must_change_password": account.must_change_password,
            "last_login": account.last_login.isoformat(timespec="seconds") if account.last_login else None}


def _cmd_add(args) -> int:
    from desktop.services.accounts import accounts_service, permissions

    with opened(args.db, args=args) as ledger:
        permissions.require(ledger, "accounts")  # before asking for a password
        password = new_password("ZZB_NEW_PASSWORD", f"新账户 {args.name} 的密码", args.name)
        a = accounts_service.add_user(ledger, args.name, _role(args.role), password, args.display_name)
    print(f"已添加账户 {a.username}（{a.role.label}）")
    return 0


def _cmd_list(args) -> int:
    from desktop.services.accounts import accounts_service

    with opened(args.db, args=args) as ledger:
        accounts = accounts_service.list_users(ledger)
        now = ledger.now()
    rows = [_account_dict(a, now) for a in accounts]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        state = "已锁定" if r["locked"] else ("已停用" if not r["active"] else "正常")
        print(f"{r['name']}\t{r['role_label']}\t{state}\t最近登录 {r['last_login'] or '从未'}")
    return 0


def _cmd_unlock(args) -> int:
    from desktop.services.accounts import accounts_service

    with opened(args.db, args=args) as ledger:
        accounts_service.unlock(ledger, args.name)
    print(f"已解锁账户 {args.name}")
    return 0


def _cmd_reset(args) -> int:
    from desktop.services.accounts import accounts_service, permissions

    with opened(args.db, args=args) as ledger:
        permissions.require(ledger, "accounts")
        password = new_password("ZZB_NEW_PASSWORD", f"账户 {args.name} 的新密码", args.name)
        accounts_service.reset_password(ledger, args.name, password)
    print(f"已重置账户 {args.name} 的密码，该账户下次登录时须修改密码")
    return 0


def _cmd_passwd(args) -> int:
    import getpass

    from desktop.cli_common import interactive
    from desktop.services.accounts import accounts_service

    with opened(args.db, args=args) as ledger:
        old = os.environ.get("ZZB_PASSWORD")
        if old is None and interactive():
            old = getpass.getpass("原密码：")
        password = new_password("ZZB_NEW_PASSWORD", "新密码", ledger.user)
        accounts_service.change_own_password(ledger, old or "", password)
    print(f"已修改账户 {ledger.user} 的密码")
    return 0



# ---- first run: `zzb init --admin NAME` / `zzb demo --admin NAME` ------------------------------------


def before_first_run(args, action: str = "params"):
    """Before init/demo writes anything. With --admin: the database must have no account yet; the first
    administrator's name and password (ZZB_PASSWORD or typed twice, refused when weak) are returned.
    Without --admin: an administrator logs in (refused with NO_ADMIN while there is no account)."""
    from desktop.cli_common import NO_ADMIN, missing_file
    from desktop.services.accounts import accounts_service, permissions
    from desktop.services.db import to_url
    from desktop.services.errors import Refused
    from desktop.services.ledger import open_ledger

    url = to_url(args.db)
    empty = missing_file(url) is not None or _empty_file(url)
    found = False
    if not empty:
        ledger = open_ledger(url, migrate=False)
        try:
            found = accounts_service.has_accounts(ledger)
        finally:
            ledger.dispose()
    if args.admin is not None:
        if found:
            raise Refused("数据库中已有账户，不能再建立首个管理员；请去掉 --admin，用系统管理员账户登录（--user）")
        name = accounts_service.clean_username(args.admin)
        return name, new_password("ZZB_PASSWORD", f"管理员 {name} 的密码", name)
    if not found:
        raise Refused(NO_ADMIN)
    with opened(args.db, args=args) as ledger:
        permissions.require(ledger, action)
    return None


def _empty_file(url: str) -> bool:
    from desktop.services.db import sqlite_path

    path = sqlite_path(url)
    return path is not None and path.exists() and path.stat().st_size == 0


def create_first_admin(db, admin) -> None:
    """The first system administrator (from before_first_run) on the now initialised database."""
    from desktop.services.accounts import accounts_service
    from desktop.services.ledger import open_ledger

    ledger = open_ledger(db)
    try:
        accounts_service.create_first_admin(ledger, *admin)
    finally:
        ledger.dispose()
    print(f"已建立系统管理员账户：{admin[0]}")


def before_restore(args) -> None:
    """A restore over an existing database is a system administrator's act; onto a new file nobody can log in."""
    from desktop.cli_common import missing_file
    from desktop.services.accounts import permissions
    from desktop.services.db import to_url

    from desktop.services import backup_archive, maintenance_service

    url = to_url(args.db)
    if missing_file(url) is not None or _empty_file(url):
        return
    source = Path(args.file)
    if not (source.is_file() and backup_archive.is_archive(source)):  # a .zzbak is checked whole by the restore
        maintenance_service.inspect_backup_file(args.file)  # a bad file is refused before anyone logs in
    with opened(url, args=args, migrate=False) as ledger:
        permissions.require(ledger, "restore")
