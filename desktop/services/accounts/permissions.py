"""What each role may do (等保 2.0: 三员分立 plus 经办 and 领导), asked by the window and enforced by the services.

`why_not(ledger, action)` gives the Chinese reason an action is refused (None when allowed, or when
the ledger's role is None: a trusted in-process caller); `require` raises it as `Refused`.
"""

from __future__ import annotations

from desktop.models.enums import Role
from desktop.services.errors import Refused

ACTIONS: dict[str, str] = {
    "accounts": "管理账户",
    "params": "修改年度参数",
    "holidays": "维护节假日安排",
    "units": "维护成员单位",
    "backup": "备份",
    "restore": "恢复",
    "security": "修改安全设置（口令与锁定规则）",
    "unlock": "解锁账户",
    "audit_read": "查阅操作日志",
    "audit_export": "导出操作日志",
    "ledger_write": "录入和修改台账",
    "approve": "审核、同意",
    "ledger_read": "查阅台账",
}

ALLOWED: dict[Role, frozenset[str]] = {
    Role.SYSADMIN: frozenset({"accounts", "params", "holidays", "units", "backup", "restore"}),
    Role.SECADMIN: frozenset({"security", "unlock"}),
    Role.AUDITOR: frozenset({"audit_read", "audit_export"}),
    Role.CLERK: frozenset({"ledger_read", "ledger_write"}),
    Role.LEADER: frozenset({"ledger_read", "approve"}),
}

# session.info marks set by the services that may write beyond the role's tables:
ACCOUNTS_BOOKKEEPING = "accounts_bookkeeping"  # the accounts service's own login bookkeeping on app_user
APPROVING = "approving"  # a leader's approval function (list review, filing approval, month confirmation)


def may(role: Role | None, action: str) -> bool:
    if action not in ACTIONS:
        raise KeyError(action)
    return role is None or action in ALLOWED[role]


def role_can_do(role: Role) -> str:
    """What a role may do, in Chinese (“经办可以：查阅台账、录入和修改台账”)."""
    return f"{role.label}可以：" + "、".join(ACTIONS[a] for a in ACTIONS if a in ALLOWED[role])


def why_not(ledger, action: str) -> str | None:
    """The Chinese reason `ledger`'s account may not do `action`; None when it may (or role is None)."""
    role = ledger.role
    if may(role, action):
        return None
    return f"{role.label}无权{ACTIONS[action]}（{role_can_do(role)}）"


def require(ledger, action: str) -> None:
    reason = why_not(ledger, action)
    if reason:
        raise Refused(reason)
