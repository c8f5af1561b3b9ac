"""Run in a subprocess by test_window.py: the real main window over a sample-city database, every page
visited, and a JSON report of what a clerk would meet:

- which heavy module (openpyxl, xlsxwriter, python_calamine, reportlab) was first imported on which
  thread, and which page was being opened then (a meta-path finder notes it before anything loads);
- the screen's available area and the window's frame after every page was opened;
- per page, the columns of each shown table that start beyond its right edge (cut off without scrolling),
  and how far the page itself is wider or taller than its room (it then scrolls inside the window).

    python tests/window_probe.py LEDGER.sqlite3 SETTINGS.ini OUT.json
"""

from __future__ import annotations

import importlib.abc
import json
import sys
import threading

HEAVY = ("openpyxl", "xlsxwriter", "python_calamine", "reportlab")
CUT_OFF_PX = 30  # a column showing less than this much of itself counts as off the right edge
first_imports: dict[str, dict] = {}
visiting = {"page": None}


class ImportSpy(importlib.abc.MetaPathFinder):
    """Notes the thread (and the page being opened) of the first import of each heavy module."""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in HEAVY and name not in first_imports:
            first_imports[name] = {"thread": threading.current_thread().name,
                                   "main": threading.current_thread() is threading.main_thread(),
                                   "page": visiting["page"]}
        return None  # only watching: the real finders load it


sys.meta_path.insert(0, ImportSpy())


def _rect(r) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


def cut_off_columns(page) -> dict[str, list[str]]:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QTableView

    found = {}
    for view in page.findChildren(QTableView):
        if not view.isVisible() or view.model() is None or view.viewport().width() <= 0:
            continue
        header, width = view.horizontalHeader(), view.viewport().width()
        cut = [str(view.model().headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole))
               for c in range(header.count())
               if not header.isSectionHidden(c) and header.sectionViewportPosition(c) + CUT_OFF_PX > width]
        found[view.objectName() or type(view.model()).__name__] = cut
    return found


def main(ledger_path: str, settings_path: str, out_path: str) -> int:
    from PySide6.QtCore import QSettings

    from desktop.app import make_application, make_window, visit_every_page
    from desktop.services.db import open_database

    app = make_application()
    database = open_database(ledger_path)
    window = make_window(database, QSettings(settings_path, QSettings.Format.IniFormat))
    window.show()
    report = {"pages": {}, "failures": []}

    def before(spec) -> None:
        visiting["page"] = spec.key

    def seen(spec, page) -> None:
        area = window.stack.currentWidget().viewport()  # the scroll area the page sits in
        report["pages"][spec.key] = {"title": spec.title, "cut_off": cut_off_columns(page),
                                     "window": _rect(window.frameGeometry()),
                                     "sideways": max(0, page.width() - area.width()),
                                     "downwards": max(0, page.height() - area.height())}

    try:
        report["failures"] = visit_every_page(app, window, seen, before=before)
        report["available"] = _rect(window.screen().availableGeometry())
        report["window"] = _rect(window.frameGeometry())
        report["minimum"] = [window.minimumSizeHint().width(), window.minimumSizeHint().height()]
        report["imports"] = first_imports
        window.close()
    finally:
        window.ctx.worker.stop()
        database.dispose()
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(report, f, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
