"""The modules the login dialog imports ahead are all that the window's first screen needs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import sys
from desktop.services import preload
from desktop.services.db import open_database
from desktop.services.ledger import as_ledger
from desktop.services import setup_service
database = open_database(sys.argv[1])
setup_service.initialize(database)
preload.first_screen_services()
before = {m for m in sys.modules if m.startswith("desktop.")}
from desktop.services.dashboard import dashboard_service
from desktop.services.year import year_service
ledger = as_ledger(database)
dashboard_service.summary(ledger, year_service.current_year(ledger))
print(sorted(m for m in sys.modules if m.startswith("desktop.services") and m not in before))
"""


def test_after_the_preload_the_first_screen_imports_no_further_service(tmp_path):
    out = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "ledger.sqlite3")], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()[-1]
    assert out == "[]"
