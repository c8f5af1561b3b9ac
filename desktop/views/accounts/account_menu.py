"""The accounts' items of the window's 系统 menu, and who is logged in on the status bar.

修改密码… and 退出登录 for everyone; 账户管理… for the system administrator (and the security
administrator, who unlocks); 安全设置… for the security administrator. Other roles do not see the
administrators' items at all.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from desktop.services.accounts import accounts_service, permissions
from desktop.views.accounts.account_dialogs import ChangePasswordDialog
from desktop.views.accounts.accounts_dialog import AccountsDialog, SecurityDialog
from desktop.views.kit.ops import query, write


def who_text(ledger) -> str:
    return f"当前用户：{ledger.user}（{ledger.role.label}）" if ledger.role is not None else f"当前用户：{ledger.user}"


def install_account_menu(window, session) -> None:
    ledger = window.ctx.ledger
    label = QLabel(who_text(ledger))
    label.setObjectName("who")
    window.statusBar().addPermanentWidget(label)

    menu = window.system_menu()
    first = menu.actions()[0] if menu.actions() else None

    def add(text: str, slot, name: str):
        action = menu.addAction(text)
        action.setObjectName(name)
        action.triggered.connect(lambda _checked=False: slot())
        if first is not None:  # the accounts' items first, above what other parts put in 系统
            menu.removeAction(action)
            menu.insertAction(first, action)
        return action

    add("修改密码…", lambda: change_password(window), "change_password")
    if permissions.why_not(ledger, "accounts") is None or permissions.why_not(ledger, "unlock") is None:
        add("账户管理…", lambda: AccountsDialog(window).open(), "accounts")
    if permissions.why_not(ledger, "security") is None:
        add("安全设置…", lambda: security_settings(window, session), "security")
    add("退出登录", session.logout, "logout")
    if first is not None:
        menu.insertSeparator(first)


def change_password(window) -> None:
    dialog = ChangePasswordDialog(window.ctx, window.ctx.ledger.user, window)

    def save(v: dict) -> None:
        write(dialog, accounts_service.change_own_password, v["old"], v["new"],
              done=lambda _r: (dialog.accept(), window.statusBar().showMessage("密码已修改", 5000)),
              failed=dialog.show_error)
    dialog.submitted.connect(save)
    dialog.open()


def security_settings(window, session) -> None:
    def show(current) -> None:
        dialog = SecurityDialog(window, current)

        def save(values) -> None:
            write(dialog, accounts_service.set_security_settings, values,
                  done=lambda _s: (dialog.accept(), session.apply_security_settings(),
                                   window.statusBar().showMessage("安全设置已保存", 5000)),
                  failed=dialog.show_error)
        dialog.submitted.connect(save)
        dialog.open()
    query(window, "security_dialog", accounts_service.security_settings, done=show)
