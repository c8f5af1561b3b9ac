"""The dialogs a person meets before the window: the first administrator, login, and a password change.

Layout only: each dialog emits `submitted(values)` (the form kit's signal) and the session runs the
service through the op bridge, then calls `accept()` or `show_error(exc)`. The password rule is the
accounts service's own (`passwords.strength_problem`), shown live under the field as it is typed.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from desktop import APP_NAME
from desktop.services.accounts import passwords
from desktop.services.errors import UserError, ValidationError
from desktop.views.kit.forms import ERROR_STYLE, HINT_STYLE, FormDialog, show_at

OK_STYLE = "color: #1e7e34;"


def password_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class NewPasswordForm:
    """Mixin for a FormDialog choosing a password: the field, its strength shown live, and a repeat."""

    def add_new_password(self, label: str = "密码") -> None:
        self.password_edit = self.add("password", label, password_edit("password"))
        self.strength = QLabel()
        self.strength.setObjectName("strength")
        self.strength.setWordWrap(True)
        self.form.addRow("", self.strength)
        self.errors["password"].setParent(None)  # the live rule line says why a password is refused
        self.errors["password"] = self.strength
        self.repeat_edit = self.add("repeat", "再次输入", password_edit("repeat"))
        self.password_edit.textChanged.connect(lambda _t: self.show_strength())
        self.show_strength()

    def add_username(self) -> None:
        """The new account's name field; the password rule is checked against it as it is typed."""
        self.username_edit = self.add("username", "用户名", QLineEdit())
        self.username_edit.setObjectName("username")
        self.username_edit.textChanged.connect(lambda _t: self.show_strength())

    def username_for_rule(self) -> str:
        edit = getattr(self, "username_edit", None)
        return edit.text().strip() if edit is not None else ""

    def chosen_username(self) -> str:
        """The new account's name, refused at its field by the service's own rule."""
        from desktop.services.accounts import accounts_service  # loaded by the lane while the dialog shows

        return accounts_service.clean_username(self.username_edit.text())

    def clear_errors(self) -> None:
        super().clear_errors()
        self.show_strength()

    def show_strength(self) -> None:
        self.strength.setVisible(True)
        text = self.password_edit.text()
        problem = passwords.strength_problem(text, self.username_for_rule())
        if not text:
            self.strength.setText(passwords.RULE)
            self.strength.setStyleSheet(HINT_STYLE)
        elif problem:
            self.strength.setText(problem)
            self.strength.setStyleSheet(ERROR_STYLE)
        else:
            self.strength.setText("密码强度符合要求")
            self.strength.setStyleSheet(OK_STYLE)

    def checked_password(self) -> str:
        """The chosen password, or ValidationError at its field (too weak, or the two differ)."""
        password = self.password_edit.text()
        problem = passwords.strength_problem(password, self.username_for_rule())
        if problem:
            raise ValidationError(problem, field="password")
        if self.repeat_edit.text() != password:
            raise ValidationError("两次输入的密码不一致", field="repeat")
        return password


class FirstAdminDialog(NewPasswordForm, FormDialog):
    """A database with no account: the first 系统管理员 chooses a name and a password (no default)."""

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(f"{APP_NAME}：创建系统管理员", parent, ok_text="创建", width=480)
        self.ctx = ctx
        note = QLabel("这是一个还没有账户的数据库。请设置第一个系统管理员的用户名和密码；"
                      "系统没有默认密码，请牢记。系统管理员登录后可以添加经办、领导等账户。")
        note.setWordWrap(True)
        self.form.addRow(note)
        self.add_username()
        self.display_edit = self.add("display_name", "姓名（可不填）", QLineEdit())
        self.add_new_password()
        self.buttons.button(self.buttons.StandardButton.Cancel).setText("退出")

    def values(self) -> dict:
        return {"username": self.chosen_username(), "password": self.checked_password(),
                "display_name": self.display_edit.text().strip()}


class LoginDialog(FormDialog):
    """User name and password; a refusal (wrong password, locked) is shown in the dialog itself."""

    def __init__(self, ctx, parent: QWidget | None = None, *, username: str = "", note: str = "") -> None:
        super().__init__(f"登录 {APP_NAME}", parent, ok_text="登录", width=400)
        self.ctx = ctx
        self.note = QLabel(note)
        self.note.setWordWrap(True)
        self.note.setVisible(bool(note))
        self.form.addRow(self.note)
        self.username_edit = self.add("username", "用户名", QLineEdit(username))
        self.username_edit.setObjectName("username")
        self.password_edit = self.add("password", "密码", password_edit("password"))
        self.message = QLabel()
        self.message.setObjectName("login_message")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.form.addRow(self.message)
        self.password_edit.textEdited.connect(lambda _t: show_at(self.message, ""))
        (self.password_edit if username else self.username_edit).setFocus()

    def values(self) -> dict:
        username = self.username_edit.text().strip()
        if not username:
            raise ValidationError("请填写用户名", field="username")
        if not self.password_edit.text():
            raise ValidationError("请输入密码", field="password")
        return {"username": username, "password": self.password_edit.text()}

    def show_error(self, exc: BaseException) -> None:
        """A refused login (wrong password, locked account) stays in the dialog; the password is cleared."""
        if isinstance(exc, UserError) and not getattr(exc, "field", None):
            self.ok_button.setEnabled(True)
            show_at(self.message, exc.message)
            self.adjustSize()  # room for a long refusal (locked: until when, and who unlocks)
            self.password_edit.clear()
            self.password_edit.setFocus()
        else:
            super().show_error(exc)


class ChangePasswordDialog(NewPasswordForm, FormDialog):
    """One's own password: the old one, then the new one twice. `forced`: the account must change it
    before the window opens (a new account, or a password reset by the administrator)."""

    def __init__(self, ctx, username: str, parent: QWidget | None = None, *, forced: bool = False) -> None:
        super().__init__("修改密码" if not forced else "请先修改密码", parent, ok_text="修改", width=460)
        self.ctx = ctx
        self.username = username
        if forced:
            note = QLabel(f"账户 {username} 的密码是管理员设置的初始密码，须先修改为只有您自己知道的密码才能继续。")
            note.setWordWrap(True)
            self.form.addRow(note)
        self.old_edit = self.add("old", "原密码", password_edit("old"))
        self.add_new_password("新密码")

    def username_for_rule(self) -> str:
        return self.username

    def values(self) -> dict:
        if not self.old_edit.text():
            raise ValidationError("请输入原密码", field="old")
        new = self.checked_password()
        if new == self.old_edit.text():
            raise ValidationError("新密码不能与原密码相同", field="password")
        return {"old": self.old_edit.text(), "new": new}
