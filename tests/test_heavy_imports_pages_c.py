"""Issue 8 point 10: opening a page never loads openpyxl, xlsxwriter, python_calamine or reportlab — not on
the GUI thread, not on the lane. Run in a fresh interpreter, so what other tests imported does not count."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("openpyxl", "xlsxwriter", "python_calamine", "reportlab")
PAGES = [
    ("desktop.views.reports.report_view", "ReportPage"),
    ("desktop.views.quota.quota_view", "QuotaPage"),
    ("desktop.views.subsidy.subsidy_view", "SubsidyPage"),
    ("desktop.views.deadlines.deadline_view", "DeadlinePage"),
    ("desktop.views.deadlines.holiday_view", "HolidayPage"),
    ("desktop.views.scoring.scoring_view", "ScoringPage"),
]

SCRIPT = """
import os, sys, tempfile
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["ZZB_DATA_DIR"] = tempfile.mkdtemp()
from pathlib import Path
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from desktop.services import setup_service
from desktop.services.db import open_database
from desktop.services.demo import demo_service
from desktop.services.ledger import Ledger
from desktop.views.kit.context import AppContext
from desktop.views.kit.worker import Worker

HEAVY = {heavy!r}
folder = Path(tempfile.mkdtemp())
ledger = Ledger(open_database(folder / "ledger.sqlite3", backup_dir=folder))
setup_service.initialize(ledger)
demo_service.generate(ledger, enterprises=30)
before = sorted(m for m in HEAVY if m in sys.modules)
assert not before, f"loaded before any page: {{before}}"
app = QApplication([])
worker = Worker()
ctx = AppContext(ledger, worker, 2024, QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat))
import importlib
for module, cls in {pages!r}:
    page = getattr(importlib.import_module(module), cls)(ctx)
    page.resize(1366, 768)
    page.show()
    page.activate()
    while worker.pending():
        app.processEvents()
loaded = sorted(m for m in HEAVY if m in sys.modules)
worker.stop()
print("LOADED", loaded)
sys.exit(1 if loaded else 0)
"""


def test_opening_these_pages_loads_no_heavy_module():
    script = SCRIPT.format(heavy=HEAVY, pages=PAGES)
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "LOADED []" in proc.stdout, proc.stdout + proc.stderr
