"""Screenshots of every page of the real window over a sample-city database, one PNG per page.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshots.py shots/1366 --size 1366x768
    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshots.py shots/1600 --size 1600x1000

Without --db a fresh sample city (`zzb demo`) is built in a temporary folder, with a first administrator
(ZZB_USER, default admin; ZZB_PASSWORD) as `zzb demo --admin` makes it; the window is that of a clerk
(经办 jingban, added by the administrator) so every page shows. With --db the script logs in as
ZZB_USER with ZZB_PASSWORD (the CLI's convention) when the ledger has accounts. Settings go to a
temporary file too, so the clerk's own remembered layout is neither used nor changed. --size sets the
window size (default: what the window chooses for the screen). Without a display, QT_QPA_PLATFORM=offscreen
works too (fonts as the offscreen platform finds them).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    return int(width), int(height)


CLERK = "jingban"


def sample_city(folder: Path) -> Path:
    """A sample city with its first administrator and a clerk, whose window the screenshots show."""
    import os

    from desktop.models.enums import Role
    from desktop.services import setup_service
    from desktop.services.accounts import accounts_service
    from desktop.services.db import open_database
    from desktop.services.demo import demo_service
    from desktop.services.ledger import Ledger

    password = os.environ.get("ZZB_PASSWORD")
    if not password:
        raise SystemExit("请用环境变量 ZZB_PASSWORD 给出示例数据库管理员（和经办账户）的密码")
    path = folder / "示例城市.sqlite3"
    database = open_database(path, backup_dir=folder)
    setup_service.initialize(database)
    ledger = Ledger(database)
    demo_service.generate(ledger)
    admin = accounts_service.create_first_admin(ledger, os.environ.get("ZZB_USER") or "admin", password)
    acting = accounts_service.login(ledger, admin.username, password)
    accounts_service.add_user(acting, CLERK, Role.CLERK, password)
    database.dispose()
    os.environ["ZZB_USER"] = CLERK
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="每个页面截一张图（PNG）")
    parser.add_argument("out", type=Path, help="folder for the PNGs")
    parser.add_argument("--db", type=Path, help="ledger to show (default: a fresh sample city)")
    parser.add_argument("--size", type=_size, help="window size, e.g. 1366x768")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="zzb-shots-") as tmp:
        import os

        os.environ.setdefault("ZZB_DATA_DIR", str(Path(tmp) / "data"))
        from PySide6.QtCore import QSettings

        from desktop.app import make_application, make_window, selftest_login, visit_every_page, wait_for_lane
        from desktop.services.db import open_database

        app = make_application()
        database = open_database(args.db or sample_city(Path(tmp)))
        window = make_window(selftest_login(database),
                             QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat))
        if args.size:
            window.resize(*args.size)
        window.show()
        wait_for_lane(app, window)
        saved = []

        def shoot(spec, _page) -> None:
            path = args.out / f"{len(saved) + 1:02d}_{spec.key}.png"
            window.grab().save(str(path))
            saved.append(path)

        try:
            failures = visit_every_page(app, window, shoot)
            window.close()
        finally:
            window.ctx.worker.stop()
            database.dispose()
    size = window.size()
    print(f"{len(saved)} pages at {size.width()}×{size.height()} → {args.out}")
    if failures:
        print("pages that failed: " + "、".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
