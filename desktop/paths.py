"""Every path the program uses, in one place; works from source and inside the PyInstaller bundle.

Portable mode: a file named `portable.txt` beside the executable keeps all user data in a
`data/` folder beside it (for a PC where the program runs from a USB stick or a shared folder).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import platformdirs

from desktop import APP_ID

FROZEN = bool(getattr(sys, "frozen", False))
LOG_NAME = "zzb.log"


def bundle_dir() -> Path:
    """Folder holding `resources/` and `desktop/migrations` (source tree or PyInstaller's _MEIPASS)."""
    if FROZEN:
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return bundle_dir() / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def migrations_dir() -> Path:
    if FROZEN:
        return bundle_dir() / "desktop" / "migrations"
    return Path(__file__).resolve().parent / "migrations"


def _portable_dir() -> Path | None:
    exe_dir = Path(sys.executable).resolve().parent if FROZEN else None
    if exe_dir and (exe_dir / "portable.txt").exists():
        return exe_dir / "data"
    return None


def data_dir() -> Path:
    """User data folder: env ZZB_DATA_DIR, else portable folder, else the platform's data folder."""
    env = os.environ.get("ZZB_DATA_DIR")
    if env:
        path = Path(env)
    else:
        path = _portable_dir() or Path(platformdirs.user_data_dir(APP_ID, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    return data_dir() / "ledger.sqlite3"


def backups_dir() -> Path:
    path = data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def attachments_dir() -> Path:
    path = data_dir() / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_path() -> Path | None:
    """The log file: zzb.log in the data folder, else in the temp folder (a read-only or full data
    folder), else None when neither can be written."""
    candidates = []
    try:
        candidates.append(data_dir() / LOG_NAME)
    except OSError:
        pass
    candidates.append(Path(tempfile.gettempdir()) / LOG_NAME)
    for path in candidates:
        try:
            with open(path, "a", encoding="utf-8"):
                return path
        except OSError:
            continue
    return None


def settings_path() -> Path:
    """The GUI's own settings (window layout, columns): an INI beside the database folder."""
    return data_dir() / "settings.ini"


def config_dir() -> Path:
    """The program's protected settings (the audit keys): env ZZB_CONFIG_DIR, else the user's config folder.

    Never beside the ledger, not even in portable mode: a secret that travels with the file protects nothing.
    Created readable by its owner only."""
    env = os.environ.get("ZZB_CONFIG_DIR")
    path = Path(env) if env else Path(platformdirs.user_config_dir(APP_ID, appauthor=False, roaming=True))
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
