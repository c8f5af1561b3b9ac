"""The CLI contract of accounts: the first administrator, logging in on every command, lockout, `zzb user …`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from conftest import CLI_PASSWORD, run_cli
from desktop.cli import main

NO_ADMIN = "尚未建立管理员账户，请先运行 zzb init --admin 用户名"


def zzb(capsys, *argv):
    """Run as the environment says, without adding accounts first."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _rows(path: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _count(path: Path, table: str) -> int:
    return _rows(path, f"SELECT count(*) FROM {table}")[0][0]


def _last_audit(path: Path) -> tuple:
    return _rows(path, "SELECT action, user, result FROM audit_log ORDER BY id DESC LIMIT 1")[0]


# ---- the first administrator ---------------------------------------------------------------------


def test_init_admin_with_a_weak_password_exits_1_and_writes_nothing(capsys, tmp_path, monkeypatch):
    path = tmp_path / "new.sqlite3"
    monkeypatch.setenv("ZZB_PASSWORD", "admin123")
    code, _out, err = zzb(capsys, "--db", path, "init", "--admin", "boss")
    assert code == 1 and "密码太弱" in err and "三类" in err
    assert not path.exists()


def test_init_admin_creates_the_sysadmin_who_then_logs_in(capsys, tmp_path, monkeypatch):
    path = tmp_path / "new.sqlite3"
    monkeypatch.setenv("ZZB_PASSWORD", "Boss-Pass-2024")
    code, out, err = zzb(capsys, "--db", path, "init", "--admin", "boss")
    assert code == 0, err
    assert "已建立系统管理员账户：boss" in out
    monkeypatch.setenv("ZZB_USER", "boss")
    code, out, _ = zzb(capsys, "--db", path, "user", "list", "--json")
    assert code == 0 and [(u["name"], u["role"]) for u in json.loads(out)] == [("boss", "sysadmin")]
    code, _out, err = zzb(capsys, "--db", path, "init", "--admin", "other")
    assert code == 1 and "已有账户" in err


def test_demo_admin_on_a_new_file_creates_the_admin_and_the_sample_city(capsys, tmp_path):
    path = tmp_path / "demo.sqlite3"
    code, _out, err = zzb(capsys, "--db", path, "demo", "--admin", "admin", "--enterprises", 20)
    assert code == 0, err
    assert _rows(path, "SELECT username, role FROM app_user") == [("admin", "SYSADMIN")]
    assert _count(path, "target") == 20


@pytest.mark.parametrize("argv", [["deadlines"], ["check"], ["init"], ["demo"], ["user", "list"],
                                  ["backup", "-o", "x.sqlite3"]])
def test_a_database_without_an_account_refuses_every_command(capsys, db_path, argv):
    before = _count(db_path, "audit_log")
    code, _out, err = zzb(capsys, "--db", db_path, *argv)
    assert code == 1 and err.strip() == NO_ADMIN
    assert _count(db_path, "audit_log") == before


# ---- logging in ----------------------------------------------------------------------------------


def test_without_a_user_exit_1_nothing_written_and_a_failed_login_logged(capsys, cli_db_path, monkeypatch):
    monkeypatch.delenv("ZZB_USER")
    code, _out, err = zzb(capsys, "--db", cli_db_path, "demo", "--enterprises", 5)
    assert code == 1 and "用户名或密码错误" in err and "ZZB_USER" in err
    assert _count(cli_db_path, "target") == 0
    assert _last_audit(cli_db_path) == ("login_failed", "（未指明用户名）", "失败")


def test_a_wrong_password_exits_1_writes_nothing_and_is_logged_under_the_name(capsys, cli_db_path, monkeypatch):
    monkeypatch.setenv("ZZB_PASSWORD", "Wrong-Pass-2024")
    code, _out, err = zzb(capsys, "--db", cli_db_path, "demo", "--enterprises", 5)
    assert code == 1 and err.strip() == "用户名或密码错误"
    assert _count(cli_db_path, "target") == 0
    assert _last_audit(cli_db_path) == ("login_failed", "admin", "失败")


def test_an_unknown_user_gets_the_same_sentence_as_a_wrong_password(capsys, cli_db_path):
    code, _out, err = zzb(capsys, "--db", cli_db_path, "--user", "nobody", "deadlines")
    assert code == 1 and err.strip() == "用户名或密码错误"
    assert _last_audit(cli_db_path) == ("login_failed", "nobody", "失败")


def test_the_sixth_attempt_after_five_failures_is_locked_even_with_the_right_password(capsys, cli_db_path,
                                                                                      monkeypatch):
    monkeypatch.setenv("ZZB_PASSWORD", "Wrong-Pass-2024")
    for _ in range(5):
        assert zzb(capsys, "--db", cli_db_path, "--user", "clerk", "deadlines")[0] == 1
    monkeypatch.setenv("ZZB_PASSWORD", CLI_PASSWORD)
    code, _out, err = zzb(capsys, "--db", cli_db_path, "--user", "clerk", "deadlines")
    assert code == 1 and "锁定" in err
    assert _count_actions(cli_db_path, "login_failed") == 6 and _count_actions(cli_db_path, "lock") == 1
    code, out, _ = zzb(capsys, "--db", cli_db_path, "user", "list", "--json")
    clerk = next(u for u in json.loads(out) if u["name"] == "clerk")
    assert clerk["locked"] is True


def _count_actions(path: Path, action: str) -> int:
    return _rows(path, f"SELECT count(*) FROM audit_log WHERE action = '{action}'")[0][0]


def test_user_may_follow_the_command(capsys, cli_db_path):
    code, out, err = zzb(capsys, "--db", cli_db_path, "deadlines", "--user", "clerk", "--json")
    assert code == 0, err
    assert _rows(cli_db_path, "SELECT action, user FROM audit_log WHERE action = 'login'")[-1] == ("login", "clerk")


# ---- zzb user … ----------------------------------------------------------------------------------


def test_user_add_list_and_the_clerks_user_add_is_refused(capsys, cli_db_path, monkeypatch):
    monkeypatch.setenv("ZZB_NEW_PASSWORD", "Leader-Pass-2024")
    code, out, err = run_cli(capsys, "--db", cli_db_path, "user", "add", "li", "--role", "leader")
    assert code == 0 and "已添加账户 li（领导）" in out, err
    code, _out, err = run_cli(capsys, "--db", cli_db_path, "user", "add", "wang", "--role", "clerk", user="clerk")
    assert code == 1 and "经办无权管理账户" in err
    code, out, _ = run_cli(capsys, "--db", cli_db_path, "user", "list", "--json")
    users = {u["name"]: u for u in json.loads(out)}
    assert set(users) == {"admin", "clerk", "auditor", "li"}
    assert {"name", "role", "locked", "last_login"} <= set(users["li"])
    assert users["li"]["role"] == "leader" and users["li"]["locked"] is False and users["li"]["last_login"] is None
    assert users["admin"]["last_login"] is not None


def test_user_add_with_a_weak_password_or_a_bad_role(capsys, cli_db_path, monkeypatch):
    monkeypatch.setenv("ZZB_NEW_PASSWORD", "short")
    code, _out, err = run_cli(capsys, "--db", cli_db_path, "user", "add", "li", "--role", "leader")
    assert code == 1 and "密码太弱" in err
    code, _out, err = run_cli(capsys, "--db", cli_db_path, "user", "add", "li", "--role", "boss")
    assert code == 2
    assert _count(cli_db_path, "app_user") == 3


def test_the_security_administrator_unlocks(capsys, cli_db_path, monkeypatch):
    monkeypatch.setenv("ZZB_NEW_PASSWORD", "Secure-Pass-2024")
    assert run_cli(capsys, "--db", cli_db_path, "user", "add", "sec", "--role", "secadmin")[0] == 0
    monkeypatch.setenv("ZZB_PASSWORD", "Wrong-Pass-2024")
    for _ in range(5):
        zzb(capsys, "--db", cli_db_path, "--user", "clerk", "deadlines")
    monkeypatch.setenv("ZZB_PASSWORD", CLI_PASSWORD)
    code, _out, err = zzb(capsys, "--db", cli_db_path, "user", "unlock", "clerk")
    assert code == 1 and "系统管理员无权解锁账户" in err
    monkeypatch.setenv("ZZB_PASSWORD", "Secure-Pass-2024")
    code, out, err = zzb(capsys, "--db", cli_db_path, "--user", "sec", "user", "unlock", "clerk")
    assert code == 0 and "已解锁账户 clerk" in out, err
    monkeypatch.setenv("ZZB_PASSWORD", CLI_PASSWORD)
    assert zzb(capsys, "--db", cli_db_path, "--user", "clerk", "deadlines")[0] == 0


def test_reset_forces_a_change_before_the_next_command(capsys, cli_db_path, monkeypatch):
    monkeypatch.setenv("ZZB_NEW_PASSWORD", "Reset-Pass-2024")
    code, out, err = zzb(capsys, "--db", cli_db_path, "user", "reset", "clerk")
    assert code == 0 and "下次登录时须修改密码" in out, err
    monkeypatch.setenv("ZZB_USER", "clerk")
    monkeypatch.setenv("ZZB_PASSWORD", "Reset-Pass-2024")
    code, _out, err = zzb(capsys, "--db", cli_db_path, "deadlines")
    assert code == 1 and "zzb user passwd" in err
    monkeypatch.setenv("ZZB_NEW_PASSWORD", "Clerk-New-2024")
    code, out, err = zzb(capsys, "--db", cli_db_path, "user", "passwd")
    assert code == 0 and "已修改账户 clerk 的密码" in out, err
    monkeypatch.setenv("ZZB_PASSWORD", "Clerk-New-2024")
    assert zzb(capsys, "--db", cli_db_path, "deadlines")[0] == 0
