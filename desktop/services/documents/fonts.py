"""The four type faces of an official document (小标宋 / 仿宋 / 黑体 / 楷体), found on this PC, else shipped.

GB/T 9704 names 小标宋 for titles, 仿宋 for the body, 黑体 and 楷体 for headings. The office's PCs usually
have them (Windows: simfang.ttf, simhei.ttf, simkai.ttf; the 方正 fonts where installed); 统信UOS / 银河麒麟
carry the same files when the office copied them in. We look for the files by name in the system and user
font folders (no fontconfig: it is not on Windows and may be absent on a bare Linux), TrueType only
(.ttf, or one face of a .ttc): reportlab embeds TrueType outlines, not the CFF outlines of an .otf.
A role with no font of its own falls back to AR PL SungtiL GB (resources/fonts/gbsn00lp.ttf, Arphic Public
License, redistributable with its licence file), so Chinese prints on a PC with no Chinese font at all.

Registration reads the font files once per process (`faces()` is cached); `report()` says which file each
role got, for the window's 打印 dialog and `zzb print`.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from desktop import paths

TITLE, BODY, HEADING1, HEADING2 = "小标宋", "仿宋", "黑体", "楷体"
ROLES = (TITLE, BODY, HEADING1, HEADING2)

# File names per role, best first (compared case-insensitively). A .ttc entry names the face index.
CANDIDATES: dict[str, tuple[tuple[str, int], ...]] = {
    TITLE: (("FZXBSJW.TTF", 0), ("FZXBSK.TTF", 0), ("FZXiaoBiaoSong-B05S.ttf", 0), ("FZXiaoBiaoSong-B05.ttf", 0),
            ("方正小标宋简体.ttf", 0), ("方正小标宋_GBK.ttf", 0), ("FZXBSJW_0.TTF", 0)),
    BODY: (("simfang.ttf", 0), ("仿宋_GB2312.ttf", 0), ("FZFSJW.TTF", 0), ("FZFSK.TTF", 0), ("STFANGSO.TTF", 0),
           ("方正仿宋简体.ttf", 0), ("方正仿宋_GBK.ttf", 0)),
    HEADING1: (("simhei.ttf", 0), ("FZHTJW.TTF", 0), ("FZHTK.TTF", 0), ("方正黑体简体.ttf", 0), ("STHEITI.TTF", 0),
               ("wqy-microhei.ttc", 0), ("wqy-zenhei.ttc", 0)),
    HEADING2: (("simkai.ttf", 0), ("楷体_GB2312.ttf", 0), ("FZKTJW.TTF", 0), ("FZKTK.TTF", 0), ("STKAITI.TTF", 0),
               ("方正楷体简体.ttf", 0), ("方正楷体_GBK.ttf", 0)),
}
# A role with none of its own fonts borrows another role's before the shipped font (a 方正小标宋-less PC
# titles in 黑体 rather than in the shipped 宋体 only when 黑体 is there).
BORROW = {TITLE: (HEADING1,), HEADING2: (BODY,), HEADING1: (), BODY: ()}
SHIPPED = ("gbsn00lp.ttf", "AR PL SungtiL GB (随程序附带，Arphic Public License)")
SCAN_LIMIT = 20000  # files looked at per folder tree: a huge shared font folder must not stall printing


@dataclass(frozen=True)
class Face:
    role: str
    name: str  # the reportlab font name registered for the role
    path: Path
    index: int  # face index in a .ttc
    shipped: bool

    @property
    def label(self) -> str:
        what = SHIPPED[1] if self.shipped else str(self.path)
        return f"{self.role}：{what}"


def font_dirs() -> list[Path]:
    """Where this PC keeps fonts: Windows' own and per-user folders; the Linux system and user folders."""
    dirs: list[Path] = []
    extra = os.environ.get("ZZB_FONT_DIRS")  # for an office that keeps its fonts elsewhere (and for tests)
    if extra:
        dirs += [Path(p) for p in extra.split(os.pathsep) if p]
    if sys.platform == "win32":
        windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot") or r"C:\Windows"
        dirs.append(Path(windir) / "Fonts")
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    elif sys.platform == "darwin":
        dirs += [Path("/Library/Fonts"), Path("/System/Library/Fonts"), Path.home() / "Library" / "Fonts"]
    else:
        data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
        dirs += [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), data_home / "fonts", Path.home() / ".fonts"]
    return [d for d in dirs if d.is_dir()]


def _index_files(dirs: list[Path]) -> dict[str, Path]:
    """Lower-cased file name → first path found, walking each folder tree (no fontconfig)."""
    found: dict[str, Path] = {}
    for root in dirs:
        seen = 0
        for folder, _subdirs, files in os.walk(root):
            for name in files:
                seen += 1
                if name.lower().endswith((".ttf", ".ttc")):  # .otf (CFF outlines) cannot be embedded
                    found.setdefault(name.lower(), Path(folder) / name)
            if seen > SCAN_LIMIT:
                break
    return found


def _is_truetype(path: Path) -> bool:
    """A TrueType-outline file (a .ttf renamed from an .otf starts with OTTO and is skipped)."""
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except OSError:
        return False
    return magic in (b"\x00\x01\x00\x00", b"true", b"ttcf")


def shipped_font() -> Path:
    return paths.resource("fonts", SHIPPED[0])


def choose(dirs: list[Path] | None = None) -> dict[str, tuple[Path, int] | None]:
    """Role → (file, face index) found on this PC, or None (the shipped font will serve)."""
    files = _index_files(font_dirs() if dirs is None else dirs)
    own: dict[str, tuple[Path, int] | None] = {}
    for role in ROLES:
        own[role] = next(((files[n.lower()], i) for n, i in CANDIDATES[role]
                          if n.lower() in files and _is_truetype(files[n.lower()])), None)
    return {role: own[role] or next((own[b] for b in BORROW[role] if own[b]), None) for role in ROLES}


_lock = threading.Lock()
_faces: dict[str, Face] | None = None


def _register(role: str, path: Path, index: int, shipped: bool) -> Face:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name = f"zzb-{ROLES.index(role)}"
    pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=index))  # TTFont embeds a subset
    return Face(role, name, path, index, shipped)


def faces() -> dict[str, Face]:
    """The registered face of each role (registered once per process; later calls cost nothing)."""
    global _faces
    with _lock:
        if _faces is None:
            chosen = choose()
            result: dict[str, Face] = {}
            for role in ROLES:
                pick = chosen[role]
                try:
                    result[role] = _register(role, *pick, False) if pick else None
                except Exception:  # a damaged or unusual font file: fall back rather than fail the print
                    result[role] = None
                if result[role] is None:
                    result[role] = _register(role, shipped_font(), 0, True)
            _faces = result
        return _faces


def font(role: str) -> str:
    """The reportlab font name to draw `role` with."""
    return faces()[role].name


def report() -> list[str]:
    """Which file each role prints with, one Chinese line per role (shown by the window and `zzb print`)."""
    return [faces()[role].label for role in ROLES]
