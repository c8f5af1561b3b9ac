"""The daily automatic backup: on the first start of the day, one backup, and only the last N kept.

Its settings are the system administrator's and live in ledger_meta (backup.auto, backup.keep,
backup.folder). Whether today's backup is done is read from the backup folder itself (a file named for
the day), so the check writes nothing into the ledger. It runs whoever starts the window: it is the
program's own act, configured by the administrator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from desktop import paths
from desktop.services import backup_service, meta
from desktop.services.backup_archive import SUFFIX
from desktop.services.errors import Refused, ValidationError
from desktop.services.ledger import Ledger

KEY_AUTO = "backup.auto"
KEY_KEEP = "backup.keep"
KEY_FOLDER = "backup.folder"
DEFAULT_KEEP = 7
MAX_KEEP = 365


@dataclass(frozen=True)
class AutoBackupSettings:
    auto: bool = True
    keep: int = DEFAULT_KEEP
    folder: str = ""  # empty: the backups folder in the user-data folder

    @property
    def folder_path(self) -> Path:
        return Path(self.folder).expanduser() if self.folder else paths.backups_dir()


def settings(ledger: Ledger) -> AutoBackupSettings:
    with ledger.reader() as s:
        auto = meta.get(s, KEY_AUTO, "1") != "0"
        try:
            keep = min(max(int(meta.get(s, KEY_KEEP, str(DEFAULT_KEEP))), 1), MAX_KEEP)
        except ValueError:
            keep = DEFAULT_KEEP
        return AutoBackupSettings(auto, keep, meta.get(s, KEY_FOLDER, "") or "")


def set_settings(ledger: Ledger, value: AutoBackupSettings) -> AutoBackupSettings:
    """Save the settings (system administrator only); the folder must exist."""
    backup_service.require(ledger, "backup")
    if not 1 <= int(value.keep) <= MAX_KEEP:
        raise ValidationError(f"保留份数须在 1 到 {MAX_KEEP} 之间", field="keep")
    folder = value.folder.strip()
    if folder and not Path(folder).expanduser().is_dir():
        raise ValidationError(f"文件夹不存在：{folder}", field="folder")
    with ledger.session() as s:
        meta.put(s, KEY_AUTO, "1" if value.auto else "0")
        meta.put(s, KEY_KEEP, str(int(value.keep)))
        meta.put(s, KEY_FOLDER, folder)
    return AutoBackupSettings(bool(value.auto), int(value.keep), folder)


def _pattern(stem: str) -> re.Pattern:
    return re.compile(re.escape(stem) + r"-auto-(\d{4}-\d{2}-\d{2})" + re.escape(SUFFIX))


def automatic_backups(folder: Path, stem: str) -> list[Path]:
    """The automatic backups of the ledger named `stem` in `folder`, oldest first."""
    pattern = _pattern(stem)
    return sorted((p for p in folder.iterdir() if pattern.fullmatch(p.name)), key=lambda p: p.name)


def prune(folder: Path, stem: str, keep: int) -> list[Path]:
    """Delete all but the newest `keep` automatic backups (and any left half-written); return what went."""
    gone = [p for p in folder.iterdir() if _pattern(stem).fullmatch(p.name.removesuffix(".part"))
            and p.name.endswith(".part")]
    gone += automatic_backups(folder, stem)[:-keep]
    for p in gone:
        p.unlink(missing_ok=True)
    return gone


def daily_backup(ledger: Ledger, *, progress=None, token=None) -> backup_service.BackupResult | None:
    """Today's automatic backup, when it is switched on and not yet made today (else None, nothing done)."""
    if not ledger.is_sqlite or ledger.path is None:
        return None
    current = settings(ledger)
    if not current.auto:
        return None
    folder = current.folder_path
    if not folder.is_dir():
        raise Refused(f"自动备份未完成：备份文件夹不存在（{folder}），请在“系统 → 自动备份设置”中更改。")
    stem = ledger.path.stem
    dest = folder / f"{stem}-auto-{ledger.today():%Y-%m-%d}{SUFFIX}"
    if dest.exists():
        return None
    result = backup_service.write_backup(ledger.path, dest, user=ledger.user, clock=ledger.clock,
                                         source_label=str(ledger.path), progress=progress, token=token)
    prune(folder, stem, current.keep)
    return result
