"""desktop/paths.py: where user data goes (env, portable, platform folder) and where bundled files are found."""

from __future__ import annotations

import struct
import sys

import pytest

from desktop import paths
from desktop.services.db import to_url


def test_data_dir_follows_zzb_data_dir(tmp_path, monkeypatch):
    target = tmp_path / "elsewhere" / "ledger-data"
    monkeypatch.setenv("ZZB_DATA_DIR", str(target))
    assert paths.data_dir() == target
    assert target.is_dir()  # created on first use


def test_default_database_backups_and_attachments_live_in_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ZZB_DATA_DIR", str(tmp_path / "d"))
    assert paths.default_db_path() == tmp_path / "d" / "ledger.sqlite3"
    assert paths.backups_dir() == tmp_path / "d" / "backups" and paths.backups_dir().is_dir()
    assert paths.attachments_dir() == tmp_path / "d" / "attachments"
    assert paths.settings_path().parent == tmp_path / "d"
    assert to_url(None) == "sqlite:///" + str((tmp_path / "d" / "ledger.sqlite3").resolve())


def test_zzb_db_overrides_the_default_database(tmp_path, monkeypatch):
    monkeypatch.setenv("ZZB_DB", str(tmp_path / "other.sqlite3"))
    assert to_url(None) == "sqlite:///" + str((tmp_path / "other.sqlite3").resolve())
    monkeypatch.setenv("ZZB_DB", "postgresql+psycopg://clerk@db.intranet/ledger")
    assert to_url(None) == "postgresql+psycopg://clerk@db.intranet/ledger"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG folders are the Linux convention")
def test_without_env_data_goes_to_the_platform_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("ZZB_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    assert paths.data_dir() == tmp_path / "share" / "zhuanzhi-taizhang"


def _pretend_frozen(monkeypatch, exe_dir, meipass=None):
    monkeypatch.setattr(paths, "FROZEN", True)
    monkeypatch.setattr(sys, "executable", str(exe_dir / "zzb"))
    monkeypatch.setattr(sys, "_MEIPASS", str(meipass or exe_dir / "_internal"), raising=False)


def test_portable_txt_beside_the_program_keeps_data_beside_it(tmp_path, monkeypatch):
    exe_dir = tmp_path / "U盘" / "专治台账"
    exe_dir.mkdir(parents=True)
    (exe_dir / "portable.txt").write_text("", encoding="utf-8")
    monkeypatch.delenv("ZZB_DATA_DIR")
    _pretend_frozen(monkeypatch, exe_dir)
    assert paths.data_dir() == exe_dir / "data"
    assert paths.default_db_path() == exe_dir / "data" / "ledger.sqlite3"


def test_frozen_program_without_portable_txt_uses_the_platform_folder(tmp_path, monkeypatch):
    exe_dir = tmp_path / "Programs" / "专治台账"
    exe_dir.mkdir(parents=True)
    monkeypatch.delenv("ZZB_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    _pretend_frozen(monkeypatch, exe_dir)
    found = paths.data_dir()
    assert found != exe_dir / "data" and not (exe_dir / "data").exists()
    if sys.platform.startswith("linux"):
        assert found == tmp_path / "share" / "zhuanzhi-taizhang"


def test_bundle_finds_resources_and_migrations_under_meipass(tmp_path, monkeypatch):
    _pretend_frozen(monkeypatch, tmp_path, meipass=tmp_path / "_internal")
    assert paths.bundle_dir() == tmp_path / "_internal"
    assert paths.resource("icons", "app.png") == tmp_path / "_internal" / "resources" / "icons" / "app.png"
    assert paths.migrations_dir() == tmp_path / "_internal" / "desktop" / "migrations"


def test_source_tree_migrations_hold_env_and_versions():
    folder = paths.migrations_dir()
    assert (folder / "env.py").is_file()
    assert sorted(p.name for p in (folder / "versions").glob("0001_*.py"))


def test_app_icon_png_is_found_and_is_256_pixels():
    icon = paths.resource("icons", "app.png")
    data = icon.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # IHDR
    assert (width, height) == (256, 256)


def test_windows_icon_holds_every_size_from_16_to_256():
    data = paths.resource("icons", "app.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = {struct.unpack("<B", data[6 + 16 * i:7 + 16 * i])[0] or 256 for i in range(count)}
    assert {16, 32, 48, 256} <= sizes
