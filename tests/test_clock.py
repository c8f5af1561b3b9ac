"""The day comes from the ledger: no service asks the system for the date or the time itself.

services/clock.py holds the system clock (Clock, behind ledger.today()/ledger.now(), and the wall-clock
stamp of a backup file's name); everything else under services/ takes the day from its Ledger, or, for
pure validators and writers that take no ledger, from a `today` argument their callers pass.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

from desktop.services.ledger import Clock, Ledger

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "desktop" / "services"
CLOCK_MODULES = {"clock.py", "ledger.py"}
# Defaults of the system clock still allowed (none: every caller passes the ledger's day).
PENDING: set[tuple[str, str]] = set()
_CLOCK_CALLS = {"today", "now", "utcnow"}


def _receiver(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def system_clock_calls(folder: Path) -> set[tuple[str, str]]:
    """(file relative to `folder`, enclosing function) of every date.today(), datetime.now() … call."""
    found = set()
    for path in sorted(folder.rglob("*.py")):
        rel = path.relative_to(folder).as_posix()
        if rel in CLOCK_MODULES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in _CLOCK_CALLS and _receiver(node.func.value) in ("date", "datetime")):
                inside = [f for f in functions if f.lineno <= node.lineno <= (f.end_lineno or f.lineno)]
                name = min(inside, key=lambda f: (f.end_lineno or 0) - f.lineno).name if inside else "<module>"
                found.add((rel, name))
    return found


def test_no_service_reads_the_system_clock_outside_the_clock_module():
    found = system_clock_calls(SERVICES)
    assert found - PENDING == set()
    assert PENDING - found == set(), "a pending default is gone: drop it from PENDING"


def test_the_finder_sees_a_planted_call_inside_a_function(tmp_path):
    (tmp_path / "clock.py").write_text("import datetime as dt\nNOW = dt.datetime.now()\n", encoding="utf-8")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "late.py").write_text(
        "import datetime as dt\nfrom datetime import date\n\n"
        "def due(ledger):\n    return ledger.today()\n\n"
        "def stamp():\n    return dt.datetime.now()\n\n"
        "class Form:\n    def clean(self, today=None):\n        return today or date.today()\n",
        encoding="utf-8")
    assert system_clock_calls(tmp_path) == {("pkg/late.py", "stamp"), ("pkg/late.py", "clean")}


def test_a_ledger_as_of_a_day_is_that_day_everywhere(db):
    day = dt.date(2024, 10, 31)
    pinned = db.as_of(day)
    assert isinstance(pinned, Ledger) and pinned.clock == Clock(day)
    assert pinned.today() == day and pinned.now().date() == day
    with pinned.session() as s:
        from desktop.services.ledger import today

        assert today(s) == day
    assert db.today() == dt.date.today()  # the original handle keeps the system clock
