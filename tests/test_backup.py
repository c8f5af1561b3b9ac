"""Backup and restore: one verified file with the database and every attachment; the source never
written; a file is checked whole (hashes, integrity, schema, audit chain) before anything is touched."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from desktop import __version__
from desktop.models import AuditLog, Town
from desktop.models.enums import Role
from desktop.services import attachment_service, backup_service, maintenance_service
from desktop.services.db import head_revision, open_database
from desktop.services.demo import demo_service
from desktop.services.errors import Refused

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _towns(path: Path) -> list[str]:
    with sqlite3.connect(path) as con:
        names = [r[0] for r in con.execute("SELECT name FROM town ORDER BY id")]
    con.close()
    return names


def _sql(path: Path, *statements: str) -> None:
    con = sqlite3.connect(path)
    try:
        for statement in statements:
            con.execute(statement)
        con.commit()
    finally:
        con.close()


def _snapshot(path: Path) -> dict[str, bytes]:
    """Every byte of a database file and its side files."""
    return {p.name: p.read_bytes() for p in path.parent.glob(path.name + "*")}


def _manifest(path: Path) -> dict:
    with zipfile.ZipFile(path) as z:
        return json.loads(z.read("manifest.json"))


def _database_in(path: Path) -> Path:
    """The database inside a backup file, extracted beside it (a plain .sqlite3 file as it is)."""
    if not zipfile.is_zipfile(path):
        return path
    out = path.with_name(path.name + ".db")
    with zipfile.ZipFile(path) as z:
        out.write_bytes(z.read("ledger.sqlite3"))
    return out


def _last_audit(path: Path) -> tuple[str, str]:
    with sqlite3.connect(path) as con:
        row = con.execute("SELECT action, object_label FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    con.close()
    return row


def _audit_count(path: Path) -> int:
    with sqlite3.connect(path) as con:
        n = con.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    con.close()
    return n


@pytest.fixture
def backups(tmp_path) -> Path:
    folder = tmp_path / "bk"
    folder.mkdir()
    return folder


def _attach(db, tmp_path, name: str, data: bytes, object_id: int = 1):
    src = tmp_path / name
    src.write_bytes(data)
    return attachment_service.attach(db, "agreement", object_id, src)


# ---- backup ---------------------------------------------------------------------------------


def test_backup_is_one_verified_file_with_the_database_and_a_manifest(db, backups):
    demo_service.generate(db, enterprises=50)
    result = backup_service.backup(db, folder=backups)
    assert result.path.parent == backups and result.path.name.startswith("ledger-")
    assert result.path.suffix == ".zzbak" and result.size == result.path.stat().st_size > 0
    assert [p.name for p in backups.iterdir()] == [result.path.name]  # no .part left behind
    manifest = _manifest(result.path)
    assert manifest["schema_revision"] == head_revision() and manifest["program_version"] == __version__
    assert manifest["created_by"] == db.user
    copy = _database_in(result.path)
    assert copy.read_bytes()[18:20] == b"\x01\x01"  # rollback journal, not WAL: one file
    assert len(_towns(copy)) == 12
    assert _last_audit(copy) == ("备份", result.path.name)  # recorded in the copy's own log


def test_two_backups_in_the_same_second_get_different_names(db, backups):
    a = backup_service.backup(db, folder=backups).path
    b = backup_service.backup(db, folder=backups).path
    assert a != b and a.exists() and b.exists()


def test_backup_refuses_to_overwrite_an_existing_file(db, tmp_path):
    dest = tmp_path / "keep.sqlite3"
    dest.write_bytes(b"precious")
    with pytest.raises(Refused, match="已存在"):
        backup_service.backup(db, dest)
    assert dest.read_bytes() == b"precious"


# ---- restore --------------------------------------------------------------------------------


def test_backup_change_restore_brings_the_data_back(db, db_path, backups):
    demo_service.generate(db, enterprises=80)
    saved = backup_service.backup(db, folder=backups).path
    with db.session() as s:
        s.add(Town(name="备份后新增镇"))
    db.dispose()
    assert "备份后新增镇" in _towns(db_path)

    result = backup_service.restore(db_path, saved, backup_folder=backups)

    assert "备份后新增镇" not in _towns(db_path)
    assert _towns(db_path) == _towns(_database_in(saved))
    assert result.safety_backup is not None and "备份后新增镇" in _towns(_database_in(result.safety_backup))
    assert result.source_revision == result.revision == head_revision() and not result.migrated
    database = open_database(db_path, migrate=False)
    try:
        with database.reader() as s:
            last = s.execute(select(AuditLog.action, AuditLog.after).order_by(AuditLog.id.desc())).first()
        report = maintenance_service.check(database)
    finally:
        database.dispose()
    assert last.action == "恢复" and last.after["sha256"] == result.source_sha256
    assert last.after["safety_backup"] == str(result.safety_backup)
    assert report.ok


def test_restore_leaves_the_backup_file_untouched(db, db_path, backups):
    saved = backup_service.backup(db, folder=backups).path
    db.dispose()
    before = _snapshot(saved)
    backup_service.restore(db_path, saved, backup_folder=backups)
    assert _snapshot(saved) == before


def test_restore_of_an_older_backup_migrates_it(db_path, backups):
    # force: the kept 0001 file's one audit row has an empty hash (issue 9, mended by the audit part)
    result = backup_service.restore(db_path, FIXTURES / "ledger-0001.sqlite3", backup_folder=backups, force=True)
    assert result.source_revision == "0001" and result.revision == head_revision() and result.migrated
    assert _towns(db_path) == ["东港镇"]


def test_restore_into_a_new_file_needs_no_safety_backup(tmp_path, db_path, backups):
    target = tmp_path / "new" / "ledger.sqlite3"
    result = backup_service.restore(target, db_path, backup_folder=backups)
    assert result.safety_backup is None and target.exists()
    assert list(backups.iterdir()) == []


def _future(src: Path, tmp_path: Path) -> Path:
    path = tmp_path / "future.sqlite3"
    shutil.copyfile(src, path)
    _sql(path, "UPDATE alembic_version SET version_num = 'ffff9999'")
    return path


def _foreign(tmp_path: Path) -> Path:
    path = tmp_path / "foreign.sqlite3"
    _sql(path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    return path


def _text(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("这不是数据库\n" * 50, encoding="utf-8")
    return path


def _corrupt(src: Path, tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.sqlite3"
    data = bytearray(src.read_bytes())
    data[4096:12288] = b"\xff" * 8192  # wipe pages after the header
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("make, message", [
    (lambda tmp, src: _text(tmp), "不是 SQLite 数据库"),
    (lambda tmp, src: _foreign(tmp), "不是本程序的数据库"),
    (lambda tmp, src: _future(src, tmp), "更新版本"),
    (lambda tmp, src: _corrupt(src, tmp), "损坏"),
    (lambda tmp, src: tmp / "missing.sqlite3", "不存在"),
])
def test_restore_refuses_a_bad_file_and_touches_nothing(make, message, template_db, db_path, tmp_path, backups):
    source = make(tmp_path, template_db)
    before = _snapshot(db_path)
    with pytest.raises(Refused, match=message):
        backup_service.restore(db_path, source, backup_folder=backups)
    assert _snapshot(db_path) == before
    assert list(backups.iterdir()) == []


def test_restore_refuses_to_overwrite_a_foreign_database(tmp_path, db_path, backups):
    target = _foreign(tmp_path)
    before = _snapshot(target)
    with pytest.raises(Refused, match="不是本程序的数据库"):
        backup_service.restore(target, db_path, backup_folder=backups)
    assert _snapshot(target) == before


def test_restore_refuses_the_database_onto_itself(db_path, backups):
    with pytest.raises(Refused, match="当前数据库本身"):
        backup_service.restore(db_path, db_path, backup_folder=backups)


def test_server_databases_are_backed_up_with_their_own_tools(tmp_path, db_path):
    with pytest.raises(Refused, match="pg_dump"):
        backup_service.restore("postgresql://clerk:secret@localhost:1/ledger", db_path)


def test_restore_is_refused_while_the_database_is_in_use(db, db_path, backups, tmp_path):
    saved = backup_service.backup(db, folder=backups).path
    with db.reader() as s:  # the pool keeps this connection open, like a running program window
        s.scalar(select(func.count(Town.id)))
    before = _towns(db_path)
    with pytest.raises(Refused, match="正被使用"):
        backup_service.restore(db_path, saved, backup_folder=tmp_path / "bk2")
    assert _towns(db_path) == before
    assert not (tmp_path / "bk2").exists()


def test_restore_over_a_damaged_database_keeps_its_bytes(db_path, template_db, tmp_path, backups):
    damaged = b"\x00garbage, not a database" * 500
    db_path.write_bytes(damaged)
    result = backup_service.restore(db_path, template_db, backup_folder=backups)
    assert result.safety_backup.read_bytes() == damaged
    assert maintenance_service.inspect_backup_file(db_path).revision == head_revision()


# ---- attachments --------------------------------------------------------------------------


def test_backup_carries_every_attachment_with_its_hash(db, tmp_path, backups):
    scan = _attach(db, tmp_path, "收储协议扫描件.pdf", b"%PDF-1.4 scan" * 500)
    photo = _attach(db, tmp_path, "现场照片.jpg", b"\xff\xd8\xff" + bytes(range(256)) * 40, object_id=2)
    result = backup_service.backup(db, folder=backups)
    assert result.attachments == 2 and result.missing == []
    members = {m["name"]: m for m in _manifest(result.path)["members"]}
    for row in (scan, photo):
        member = members[f"attachments/{row.sha256}"]
        assert member["sha256"] == row.sha256 and member["size"] == row.size
        with zipfile.ZipFile(result.path) as z:
            assert z.read(member["name"]) == attachment_service.stored_path(row.sha256).read_bytes()


def test_restore_on_a_pc_without_the_files_brings_the_attachments_back(db, db_path, tmp_path, backups):
    row = _attach(db, tmp_path, "证明材料.pdf", b"%PDF evidence" * 100)
    saved = backup_service.backup(db, folder=backups).path
    db.dispose()
    shutil.rmtree(attachment_service.stored_path(row.sha256).parent.parent)  # another PC: no attachments folder
    result = backup_service.restore(db_path, saved, backup_folder=backups)
    assert result.attachments_added == 1
    assert attachment_service.stored_path(row.sha256).read_bytes() == b"%PDF evidence" * 100
    assert attachment_service.file_to_open(db, row.id).read_bytes() == b"%PDF evidence" * 100


def test_a_missing_attachment_file_is_named_and_the_backup_still_made(db, tmp_path, backups):
    row = _attach(db, tmp_path, "丢失的照片.jpg", b"jpeg")
    attachment_service.stored_path(row.sha256).unlink()
    result = backup_service.backup(db, folder=backups)
    assert result.missing == ["丢失的照片.jpg"] and result.attachments == 0
    assert _manifest(result.path)["missing"] == [row.sha256]


def test_a_backup_whose_attachment_row_names_a_path_is_refused(db, db_path, tmp_path, backups):
    row = _attach(db, tmp_path, "a.pdf", b"pdf")
    with db.session() as s:
        s.execute(text("UPDATE attachment SET sha256 = '../victim.txt' WHERE id = :i"), {"i": row.id})
    saved = backup_service.backup(db, folder=backups).path
    db.dispose()
    before = _snapshot(db_path)
    with pytest.raises(Refused, match="存储名不是哈希值"):
        backup_service.restore(db_path, saved, backup_folder=tmp_path / "bk2")
    assert _snapshot(db_path) == before and not (tmp_path / "bk2").exists()


def _rezip(src: Path, dest: Path, change) -> Path:
    """A copy of a backup file with `change(name, data) -> data | None` applied to each member."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
    return dest


@pytest.mark.parametrize("change, message", [
    (lambda name, data: data.replace(b"%PDF", b"%FAK") if name.startswith("attachments/") else data, "哈希值不符"),
    (lambda name, data: None if name.startswith("attachments/") else data, "缺少文件"),
    (lambda name, data: None if name == "manifest.json" else data, "缺少清单"),
    (lambda name, data: b"{not json" if name == "manifest.json" else data, "无法读取"),
    (lambda name, data: data.replace(b'"attachments/', b'"../../') if name == "manifest.json" else data, "不合规"),
], ids=["edited-attachment", "dropped-attachment", "no-manifest", "bad-manifest", "path-in-manifest"])
def test_a_tampered_backup_file_is_refused_and_nothing_touched(change, message, db, db_path, tmp_path, backups):
    _attach(db, tmp_path, "a.pdf", b"%PDF-1.4 scan" * 50)
    saved = backup_service.backup(db, folder=backups).path
    db.dispose()
    tampered = _rezip(saved, tmp_path / "tampered.zzbak", change)
    before = _snapshot(db_path)
    with pytest.raises(Refused, match=message):
        backup_service.restore(db_path, tampered, backup_folder=tmp_path / "bk2")
    assert _snapshot(db_path) == before and not (tmp_path / "bk2").exists()


def test_a_half_written_backup_file_is_refused(db, db_path, tmp_path, backups):
    saved = backup_service.backup(db, folder=backups).path
    db.dispose()
    half = tmp_path / "half.zzbak"
    half.write_bytes(saved.read_bytes()[: saved.stat().st_size // 2])
    with pytest.raises(Refused, match="损坏或不完整"):
        backup_service.restore(db_path, half, backup_folder=tmp_path / "bk2")


# ---- the source is never written ------------------------------------------------------------


def test_backing_up_writes_nothing_into_the_source(db, db_path, backups):
    db.dispose()
    before = {p.name: p.read_bytes() for p in db_path.parent.iterdir() if p.is_file()}
    result = backup_service.backup(db, folder=backups)
    after = {p.name: p.read_bytes() for p in db_path.parent.iterdir() if p.is_file()}
    assert after == before
    assert _audit_count(db_path) == _audit_count(_database_in(result.path)) - 1


def _write_protect(folder: Path) -> bool:
    """Make a folder and its files unwritable, also for root (chattr +i); False when this system cannot."""
    files = [p for p in folder.iterdir() if p.is_file()]
    for p in [*files, folder]:
        p.chmod(0o555 if p.is_dir() else 0o444)
    if os.geteuid() != 0:
        return True
    done = subprocess.run(["chattr", "+i", *map(str, files), str(folder)], capture_output=True).returncode == 0
    return done


def _unprotect(folder: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(folder), *[str(p) for p in folder.iterdir()]], capture_output=True)
    folder.chmod(0o755)
    for p in folder.iterdir():
        p.chmod(0o644)


def test_a_read_only_ledger_backs_up_fine(template_db, tmp_path, backups):
    stick = tmp_path / "usb"
    stick.mkdir()
    path = stick / "ledger.sqlite3"
    shutil.copyfile(template_db, path)
    from conftest import add_cli_accounts

    add_cli_accounts(path)  # `zzb backup` logs in as the system administrator
    before = _snapshot(path)
    if not _write_protect(stick):
        _unprotect(stick)
        pytest.skip("this system cannot write-protect a folder for root")
    try:
        with pytest.raises(OSError):
            (stick / "probe").write_text("x")  # really write-protected
        from desktop.cli import main

        dest = backups / "from-usb.zzbak"
        assert main(["--db", str(path), "backup", "-o", str(dest)]) == 0  # as `zzb backup` does it
        assert _snapshot(path) == before
    finally:
        _unprotect(stick)
    assert _towns(_database_in(dest)) == _towns(path)
    assert _last_audit(_database_in(dest))[0] == "备份"
    with sqlite3.connect(_database_in(dest)) as con:  # the copy names who made it; the source has no trace
        assert con.execute("SELECT user FROM audit_log ORDER BY id DESC LIMIT 1").fetchone() == ("admin",)
    con.close()


def test_a_read_only_ledger_still_refuses_a_wrong_password(template_db, tmp_path, backups, monkeypatch, capsys):
    from conftest import add_cli_accounts

    stick = tmp_path / "usb"
    stick.mkdir()
    path = stick / "ledger.sqlite3"
    shutil.copyfile(template_db, path)
    add_cli_accounts(path)
    if not _write_protect(stick):
        _unprotect(stick)
        pytest.skip("this system cannot write-protect a folder for root")
    try:
        from desktop.cli import main

        monkeypatch.setenv("ZZB_PASSWORD", "Wrong-Passw0rd")
        dest = backups / "refused.zzbak"
        assert main(["--db", str(path), "backup", "-o", str(dest)]) == 1
        assert "用户名或密码错误" in capsys.readouterr().err
        assert not dest.exists()
    finally:
        _unprotect(stick)


# ---- the audit chain of the file ------------------------------------------------------------


def _tamper(path: Path, statement: str) -> None:
    """What someone with the file does: drop the log's guards, then edit it."""
    from audit_helpers import GUARDS

    _sql(path, *(f"DROP TRIGGER IF EXISTS {name}" for name in GUARDS), statement)


def _broken_chain(path: Path) -> None:
    _tamper(path, "UPDATE audit_log SET object_label = '篡改' WHERE id = (SELECT min(id) FROM audit_log)")


def _emptied_log(path: Path) -> None:
    _tamper(path, "DELETE FROM audit_log")


@pytest.mark.parametrize("spoil", [_broken_chain, _emptied_log], ids=["broken-chain", "emptied-log"])
def test_a_backup_whose_log_does_not_verify_is_refused_unless_forced(spoil, db, db_path, tmp_path, backups):
    with db.session() as s:
        s.add(Town(name="备份中的镇"))
    db.dispose()
    plain = tmp_path / "old-style.sqlite3"
    shutil.copyfile(db_path, plain)
    spoil(plain)
    before = _snapshot(db_path)
    with pytest.raises(backup_service.ChainWarning, match="操作日志未通过校验") as refused:
        backup_service.restore(db_path, plain, backup_folder=tmp_path / "bk2")
    assert not refused.value.summary.chain_intact
    assert _snapshot(db_path) == before and not (tmp_path / "bk2").exists()

    result = backup_service.restore(db_path, plain, backup_folder=tmp_path / "bk2", force=True)
    assert not result.chain_intact and "备份中的镇" in _towns(db_path)
    database = open_database(db_path, migrate=False)
    try:
        with database.reader() as s:
            last = s.execute(select(AuditLog.action, AuditLog.after).order_by(AuditLog.id.desc())).first()
    finally:
        database.dispose()
    assert last.action == "恢复" and last.after["forced"] is True and last.after["chain"] == result.chain_message


def test_examine_says_what_a_backup_holds(db, tmp_path, backups):
    _attach(db, tmp_path, "a.pdf", b"pdf")
    saved = backup_service.backup(db, folder=backups).path
    summary = backup_service.examine(db, saved)
    assert summary.archive and summary.attachments == 1 and summary.chain_intact
    assert summary.revision == head_revision() and summary.created_by == db.user


# ---- who may ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CLERK, Role.LEADER, Role.AUDITOR, Role.SECADMIN])
def test_only_the_system_administrator_backs_up_and_restores(role, db, backups):
    from dataclasses import replace

    other = replace(db, role=role)
    with pytest.raises(Refused):
        backup_service.backup(other, folder=backups)
    with pytest.raises(Refused):
        backup_service.restore_ledger(other, backups / "x.zzbak")
    assert list(backups.iterdir()) == []
    assert backup_service.backup(replace(db, role=Role.SYSADMIN), folder=backups).path.exists()


# ---- the daily automatic backup ---------------------------------------------------------------


def test_the_first_start_of_the_day_backs_up_once(db, backups):
    from desktop.services import auto_backup

    auto_backup.set_settings(db, auto_backup.AutoBackupSettings(True, 7, str(backups)))
    day = dt.date(2024, 11, 4)
    first = auto_backup.daily_backup(db.as_of(day))
    assert first is not None and first.path.name == "ledger-auto-2024-11-04.zzbak"
    assert auto_backup.daily_backup(db.as_of(day)) is None  # the second start that day
    assert [p.name for p in backups.iterdir()] == ["ledger-auto-2024-11-04.zzbak"]


def test_only_the_last_n_automatic_backups_are_kept(db, backups):
    from desktop.services import auto_backup

    auto_backup.set_settings(db, auto_backup.AutoBackupSettings(True, 3, str(backups)))
    manual = backup_service.backup(db, folder=backups).path
    (backups / "ledger-auto-2024-10-31.zzbak.part").write_bytes(b"killed half-way")
    for n in range(1, 6):
        assert auto_backup.daily_backup(db.as_of(dt.date(2024, 11, n))) is not None
    names = sorted(p.name for p in backups.iterdir())
    assert names == sorted([manual.name] + [f"ledger-auto-2024-11-0{n}.zzbak" for n in (3, 4, 5)])


def test_automatic_backup_switched_off_does_nothing(db, backups):
    from desktop.services import auto_backup

    auto_backup.set_settings(db, auto_backup.AutoBackupSettings(False, 7, str(backups)))
    assert auto_backup.daily_backup(db.as_of(dt.date(2024, 11, 4))) is None
    assert list(backups.iterdir()) == []
    assert auto_backup.settings(db) == auto_backup.AutoBackupSettings(False, 7, str(backups))


def test_automatic_backup_defaults_on_keeping_7_in_the_data_folder(db):
    from desktop import paths
    from desktop.services import auto_backup

    assert auto_backup.settings(db) == auto_backup.AutoBackupSettings(True, 7, "")
    result = auto_backup.daily_backup(db.as_of(dt.date(2024, 11, 4)))
    assert result.path.parent == paths.backups_dir()


@pytest.mark.parametrize("value, field", [(dict(keep=0), "keep"), (dict(keep=400), "keep"),
                                          (dict(folder="/no/such/folder"), "folder")])
def test_bad_automatic_backup_settings_are_refused_at_their_field(db, value, field):
    from desktop.services import auto_backup
    from desktop.services.errors import ValidationError

    with pytest.raises(ValidationError) as refused:
        auto_backup.set_settings(db, auto_backup.AutoBackupSettings(**{"auto": True, "keep": 7, "folder": "", **value}))
    assert refused.value.field == field
    assert auto_backup.settings(db) == auto_backup.AutoBackupSettings()


def test_a_clerk_may_not_change_the_automatic_backup(db):
    from dataclasses import replace

    from desktop.services import auto_backup

    with pytest.raises(Refused, match="经办无权备份"):
        auto_backup.set_settings(replace(db, role=Role.CLERK), auto_backup.AutoBackupSettings(False))
