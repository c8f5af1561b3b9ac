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
    "ledger_read": "查阅台账",
    "ledger_write": "录入和修改台账",
    "approve": "审核、同意",
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


# ---- enforcement: which role writes which table ------------------------------------------------

ADMIN_TABLES = {"app_user", "year", "year_params", "holiday", "calendar_year", "department", "ledger_meta",
                "exam_criterion"}
ALWAYS_WRITABLE = {"audit_log", "audit_tip"}  # the log is written by every action (its own triggers guard it)
AUDITOR_READS = {"audit_log", "audit_tip", "app_user", "ledger_meta"}  # the log, its own account, the rules
UNLOCK_FIELDS = {"failed_logins", "locked_until"}

TABLE_LABELS = {"app_user": "账户", "year": "年度", "year_params": "年度参数", "holiday": "节假日安排",
                "calendar_year": "节假日安排", "department": "成员单位", "ledger_meta": "系统设置",
                "exam_criterion": "体检评分项目"}


def _is_security_key(key: str) -> bool:
    return (key or "").startswith("security.")


def _writer_of(table: str, obj=None, *, new: bool = False) -> set[Role]:
    """The roles that may write this row (a ledger_meta row by its key; app_user's unlock fields)."""
    if table in ALWAYS_WRITABLE:
        return set(Role)
    if table == "ledger_meta":
        key = getattr(obj, "key", "") if obj is not None else ""
        if _is_security_key(key):
            return {Role.SECADMIN}
        if new and key.endswith("secret"):
            return set(Role)  # a secret is made from the OS random source by whoever first needs it
        return {Role.SYSADMIN}
    if table == "app_user":
        if obj is not None and not new and _changed_fields(obj) <= UNLOCK_FIELDS:
            return {Role.SYSADMIN, Role.SECADMIN}
        return {Role.SYSADMIN}
    if table in ADMIN_TABLES:
        return {Role.SYSADMIN}
    if table == "attachment" and getattr(obj, "object_type", None) == "department_seal":
        return {Role.SYSADMIN}  # a member unit's electronic seal is kept with the unit (成员单位)
    return {Role.CLERK}


def _changed_fields(obj) -> set[str]:
    from sqlalchemy import inspect

    state = inspect(obj)
    return {a.key for a in state.mapper.column_attrs if state.attrs[a.key].history.has_changes()}


def _write_refusal(role: Role, table: str) -> str:
    what = TABLE_LABELS.get(table, "台账数据")
    return f"{role.label}无权修改{what}（{role_can_do(role)}）"


def _check_write(session, table: str, obj=None, *, new: bool = False) -> None:
    ledger = session.info.get("ledger")
    role = getattr(ledger, "role", None)
    if role is None or table in ALWAYS_WRITABLE:
        return
    if table == "app_user" and session.info.get(ACCOUNTS_BOOKKEEPING):
        return
    writers = _writer_of(table, obj, new=new)
    if role in writers:
        return
    if role is Role.LEADER and Role.CLERK in writers and session.info.get(APPROVING):
        return  # 领导 writes the ledger only through an approval function
    raise Refused(_write_refusal(role, table))


def _tables_of(statement) -> set[str]:
    from sqlalchemy import Table
    from sqlalchemy.sql import visitors

    return {e.name for e in visitors.iterate(statement) if isinstance(e, Table)}


def _install_hooks() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    @event.listens_for(Session, "before_flush")
    def _refuse_writes_beyond_the_role(session, _ctx, _instances) -> None:
        for objs, new, dirty in ((session.new, True, False), (session.dirty, False, True),
                                 (session.deleted, False, False)):
            for obj in objs:
                table = getattr(obj, "__tablename__", None)
                if table is None or (dirty and not session.is_modified(obj, include_collections=False)):
                    continue  # a row only touched through a relationship collection is not written
                _check_write(session, table, obj, new=new)

    @event.listens_for(Session, "do_orm_execute")
    def _refuse_statements_beyond_the_role(state) -> None:
        ledger = state.session.info.get("ledger")
        role = getattr(ledger, "role", None)
        if role is None:
            return
        if state.is_select:
            if role is Role.AUDITOR:
                hidden = _tables_of(state.statement) - AUDITOR_READS
                if hidden:
                    raise Refused(f"审计管理员无权查阅台账（{role_can_do(role)}）")
            return
        if state.is_insert or state.is_update or state.is_delete:
            table = getattr(getattr(state.statement, "table", None), "name", None)
            if table:
                _check_write(state.session, table)


_install_hooks()


def approving(session) -> None:
    """Mark a write unit as a leader's approval (list review, filing approval, month confirmation)."""
    session.info[APPROVING] = True


def why_not_approve(ledger, done_by, what: str) -> str | None:
    """Why this account may not approve a thing `done_by` (a name or names) did: not a leader, or it did
    the thing itself (whoever submits never approves too). None when allowed or role is None."""
    reason = why_not(ledger, "approve")
    if reason or ledger.role is None:
        return reason
    names = {done_by} if isinstance(done_by, str) else set(done_by)
    if ledger.user in names:
        return f"{what}，不能由本人审核，须由另一位领导审核"
    return None


def require_approval(ledger, session, done_by, what: str) -> None:
    """Refuse as `why_not_approve` does; otherwise mark the write unit as the leader's approval."""
    reason = why_not_approve(ledger, done_by, what)
    if reason:
        raise Refused(reason)
    approving(session)
