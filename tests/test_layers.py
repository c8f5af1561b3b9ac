"""The core never imports Qt: models, services and the CLI load no PySide6."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import desktop.models
import desktop.services

ROOT = Path(__file__).resolve().parent.parent


def _modules(package) -> list[str]:
    return [f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]


def test_models_and_services_import_no_qt():
    mods = _modules(desktop.models) + _modules(desktop.services)
    code = "import sys\n" + "".join(f"import {m}\n" for m in mods) + (
        "bad = sorted(m for m in sys.modules if m.startswith('PySide6'))\nprint(bad)\nsys.exit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(mods) > 10


def test_no_qt_import_statement_under_core_packages():
    offenders = []
    for folder in ("desktop/models", "desktop/services"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if "PySide6" in text or "PyQt" in text:
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
