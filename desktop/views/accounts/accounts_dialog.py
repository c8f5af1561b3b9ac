"""账户管理 (system administrator: add, reset a password, disable; security administrator: unlock) and
安全设置 (security administrator: lockout and idle-lock rules). Layout here; the accounts service decides
and refuses, and each button takes the permission it needs (disabled with the role's reason otherwise)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import Role
from desktop.services.accounts import accounts_service
from desktop.services.accounts.accounts_service import SecuritySettings
from desktop.services.errors import ValidationError
from desktop.views.accounts.account_dialogs import NewPasswordForm
from desktop.views.kit.forms import FormDialog
from desktop.views.kit.layouts import hint_label, table_view
from desktop.views.kit.ops import query, write
from desktop.views.kit.rows import RowsModel, date_text
from desktop.views.kit.table import ActionBar, needs_one, selected_rows


def _when(value: dt.datetime | None) -> str:
    return "" if value is None else f"{date_text(value.date())} {value:%H:%M}"


class AccountModel(RowsModel):
    COLUMNS = [("username", "用户名"), ("display_name", "姓名"), ("role", "角色"), ("state", "状态"),
               ("last_login", "上次登录")]

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.now = dt.datetime.min

    def value(self, row, key: str):
        if key == "state":
            if not row.active:
                return "已停用"
            if row.locked_at(self.now):
                return f"已锁定（至 {row.locked_until:%H:%M}）"
            return "须修改密码" if row.must_change_password else "正常"
        return super().value(row, key)

    def display(self, row, key: str) -> str:
        if key == "last_login":
            return _when(row.last_login)
        return super().display(row, key)


def _accounts_now(ledger) -> tuple[list, dt.datetime]:
    """The lane's part: every account, and the ledger's clock to tell a running lock from an old one."""
    return accounts_service.list_users(ledger), ledger.now()


class AccountsDialog(QDialog):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx = parent.ctx
        self.setWindowTitle("账户管理")
        self.resize(760, 420)
        self.model = AccountModel(self)
        self.table = table_view(self.model, "account_table", (110, 110, 100, 150, 140))
        bar = ActionBar(self.table, self)
        self.add_button = bar.add("新增账户…", self.add_account, needs="accounts")
        self.reset_button = bar.add("重置密码…", self.reset_password, when=needs_one, needs="accounts")
        self.unlock_button = bar.add("解锁", self.unlock, when=self._why_not_unlock, needs="unlock")
        self.active_button = bar.add("停用/启用", self.toggle_active, when=needs_one, needs="accounts")
        buttons = QHBoxLayout()
        for b in (self.add_button, self.reset_button, self.unlock_button, self.active_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint_label("三员分立：每个账户只有一个角色；系统管理员管理账户，安全管理员解锁账户和设置锁定规则。"))
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(close)
        self.refresh()

    def refresh(self) -> None:
        query(self, "accounts", _accounts_now, done=self._loaded)

    def _loaded(self, answer) -> None:
        rows, self.model.now = answer
        chosen = [a.username for a in selected_rows(self.table)]
        self.model.set_rows(rows)
        for row, account in enumerate(self.model.rows):
            if account.username in chosen:
                self.table.selectRow(row)

    def _one(self):
        rows = selected_rows(self.table)
        return rows[0] if len(rows) == 1 else None

    def _why_not_unlock(self, rows) -> str | None:
        if len(rows) != 1:
            return "请先选择一行"
        return None if rows[0].locked_at(self.model.now) else "该账户未被锁定"

    def _done(self, message: str):
        def done(_result) -> None:
            self.refresh()
            self.setWindowTitle(f"账户管理 — {message}")
        return done

    def add_account(self) -> None:
        dialog = AddAccountDialog(self)

        def save(v: dict) -> None:
            write(dialog, accounts_service.add_user, v["username"], v["role"], v["password"], v["display_name"],
                  done=lambda _a: (dialog.accept(), self._done(f"已添加 {v['username']}")(None)),
                  failed=dialog.show_error)
        dialog.submitted.connect(save)
        dialog.open()

    def reset_password(self) -> None:
        account = self._one()
        if account is None:
            return
        dialog = ResetPasswordDialog(self, account.username)

        def save(v: dict) -> None:
            write(dialog, accounts_service.reset_password, account.username, v["password"],
                  done=lambda _r: (dialog.accept(), self._done(f"已重置 {account.username} 的密码")(None)),
                  failed=dialog.show_error)
        dialog.submitted.connect(save)
        dialog.open()

    def unlock(self) -> None:
        account = self._one()
        if account is not None:
            write(self, accounts_service.unlock, account.username, done=self._done(f"已解锁 {account.username}"))

    def toggle_active(self) -> None:
        account = self._one()
        if account is not None:
            word = "停用" if account.active else "启用"
            write(self, accounts_service.set_active, account.username, not account.active,
                  done=self._done(f"已{word} {account.username}"))


class AddAccountDialog(NewPasswordForm, FormDialog):
    """A new account with one role and an initial password (to be changed at its first login)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__("新增账户", parent, ok_text="添加", width=460)
        self.ctx = parent.ctx
        self.add_username()
        self.display_edit = self.add("display_name", "姓名（可不填）", QLineEdit())
        self.role_combo = self.add("role", "角色", QComboBox())
        self.role_combo.addItem("请选择…", None)
        for role in Role:
            self.role_combo.addItem(role.label, role)
        self.add_new_password("初始密码")

    def values(self) -> dict:
        username = self.chosen_username()
        role = self.role_combo.currentData()
        if role is None:
            raise ValidationError("请选择角色", field="role")
        return {"username": username, "display_name": self.display_edit.text().strip(), "role": role,
                "password": self.checked_password()}


class ResetPasswordDialog(NewPasswordForm, FormDialog):
    def __init__(self, parent: QWidget, username: str) -> None:
        super().__init__(f"重置 {username} 的密码", parent, ok_text="重置", width=440)
        self.ctx = parent.ctx
        self.username = username
        self.form.addRow(hint_label("该账户下次登录时须修改为自己的密码。"))
        self.add_new_password("新密码")

    def username_for_rule(self) -> str:
        return self.username

    def values(self) -> dict:
        return {"password": self.checked_password()}


class SecurityDialog(FormDialog):
    """安全设置: lock after N failures for M minutes; lock the window after K idle minutes."""

    FIELDS = (("max_failures", "连续登录失败", "次后锁定账户"),  # ranges: accounts_service.SETTING_LIMITS
              ("lock_minutes", "账户锁定时长", "分钟"),
              ("idle_minutes", "无操作", "分钟后锁定窗口"))

    def __init__(self, parent: QWidget, current: SecuritySettings) -> None:
        super().__init__("安全设置", parent, ok_text="保存", width=380)
        self.ctx = parent.ctx
        self.spins: dict[str, QSpinBox] = {}
        for key, label, unit in self.FIELDS:
            spin = QSpinBox()
            spin.setObjectName(key)
            spin.setRange(*accounts_service.SETTING_LIMITS[key][2:])
            spin.setSuffix(f" {unit}")
            spin.setValue(getattr(current, key))
            self.spins[key] = self.add(key, label, spin)

    def values(self) -> SecuritySettings:
        return SecuritySettings(**{key: spin.value() for key, spin in self.spins.items()})
