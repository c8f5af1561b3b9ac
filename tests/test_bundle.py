"""The PyInstaller bundle builds from build.spec and starts clean (qutebrowser's release check).

Building takes about half a minute, so these run only with ZZB_TEST_BUNDLE=1;
scripts/test.sh sets it when CI=true (.ci/run does).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    os.environ.get("ZZB_TEST_BUNDLE") != "1",
    reason="builds the PyInstaller bundle (about 30 s): set ZZB_TEST_BUNDLE=1 to run",
)

ROOT = Path(__file__).resolve().parent.parent
EXE = "zzb.exe" if sys.platform == "win32" else "zzb"
ADMIN = {"ZZB_USER": "admin", "ZZB_PASSWORD": "Bundle-Admin-2024"}  # made first, as a new user would


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """Build dist/zhuanzhi-taizhang into a temporary folder once; return the zzb executable."""
    out = tmp_path_factory.mktemp("pyinstaller")
    proc = subprocess.run(
        [sys.executable, "-m", "PyInstaller", str(ROOT / "build.spec"), "--noconfirm", "--log-level", "WARN",
         "--distpath", str(out / "dist"), "--workpath", str(out / "build")],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-6000:]
    exe = out / "dist" / "zhuanzhi-taizhang" / EXE
    assert exe.is_file()
    return exe


def _run(exe: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("ZZB_DB", "ZZB_USER", "ZZB_PASSWORD")}
    env.update(QT_QPA_PLATFORM="offscreen", ZZB_DATA_DIR=str(tmp_path / "userdata"), **ADMIN)
    return subprocess.run([str(exe), *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def _revision(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        con.close()


def test_bundle_holds_resources_migrations_and_only_chinese_qt_translations(bundle):
    internal = bundle.parent / "_internal"
    assert (internal / "resources" / "icons" / "app.png").is_file()
    bundled = {p.name for p in (internal / "desktop" / "migrations" / "versions").glob("*.py")}
    source = {p.name for p in (ROOT / "desktop" / "migrations" / "versions").glob("*.py")}
    assert bundled == source and (internal / "desktop" / "migrations" / "env.py").is_file()
    translations = {p.name for p in (internal / "PySide6").rglob("*.qm")}
    assert "qtbase_zh_CN.qm" in translations
    assert all("_zh_" in name for name in translations)


def test_bundle_selftest_creates_and_migrates_a_new_database(bundle, tmp_path):
    from desktop.services.db import head_revision

    db = tmp_path / "新台账.sqlite3"
    made = _run(bundle, tmp_path, "--db", str(db), "init", "--admin", ADMIN["ZZB_USER"])
    assert made.returncode == 0, made.stdout + made.stderr
    proc = _run(bundle, tmp_path, "--db", str(db), "gui", "--selftest")  # logs in with ZZB_USER/ZZB_PASSWORD
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "selftest: ok" in proc.stdout
    assert _revision(db) == head_revision()


def test_bundle_upgrades_an_old_database_after_backing_it_up(bundle, tmp_path):
    from desktop.services.db import head_revision

    old = ROOT / "tests" / "fixtures" / "ledger-0001.sqlite3"
    db = tmp_path / "ledger.sqlite3"
    shutil.copyfile(old, db)
    proc = _run(bundle, tmp_path, "--db", str(db), "gui", "--selftest")  # no account yet: creates none
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _revision(db) == head_revision()
    backups = list((tmp_path / "userdata" / "backups").glob("ledger-before-upgrade-0001-*.sqlite3"))
    assert len(backups) == 1 and _revision(backups[0]) == "0001"
