"""The core never imports Qt: models, services and the CLI load no PySide6."""

from __future__ import annotations

import functools
import pkgutil
import shutil
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


# ------------------------------------------------------------------ the import graph (tests/import_graph.py)

from import_graph import (  # noqa: E402 - the checker lives beside the tests; both trees below go through it
    ALLOWED, EXCEPTIONS, QT_PACKAGES, build_graph, cycle_text, cycles, forbidden_packages, layer_of, loads_by_name,
    upward_imports,
)


def _problems(root: Path) -> dict[str, list[str]]:
    """Every layering rule on the tree under `root` (a folder holding desktop/), as lists of offences."""
    graph = build_graph(root)
    return {
        "upward": upward_imports(graph),
        "cycles": [cycle_text(graph, c) for c in cycles(graph)],
        "qt": forbidden_packages(graph, ("base", "models", "services", "cli"), QT_PACKAGES),
        "sqlalchemy_in_views": forbidden_packages(graph, ("views",), ("sqlalchemy",)),
        "by_name": loads_by_name(root),
    }


@functools.lru_cache(maxsize=1)
def _real() -> dict[str, list[str]]:
    return _problems(ROOT)


def test_every_module_of_the_real_tree_is_in_the_graph_with_its_lazy_imports():
    graph = build_graph(ROOT)
    assert {"desktop.cli", "desktop.app", "desktop.models.landbank", "desktop.services.ledger",
            "desktop.views.kit.ops", "desktop.services.excel.xlsx_reader"} <= set(graph.edges)
    assert {layer_of(m) for m in graph.edges} == set(ALLOWED)
    # imports inside functions count: the CLI opens the window only inside its gui command
    assert "desktop.app" in graph.edges["desktop.cli"]
    assert set(EXCEPTIONS) == {("desktop.cli", "desktop.app")}


def test_views_services_models_import_only_downwards():
    assert _real()["upward"] == []


def test_no_import_cycles_between_our_modules():
    assert _real()["cycles"] == []


def test_models_services_and_the_cli_import_no_qt():
    assert _real()["qt"] == []


def test_views_go_through_services_and_never_import_sqlalchemy():
    assert _real()["sqlalchemy_in_views"] == []


def test_no_module_is_loaded_by_name():
    assert _real()["by_name"] == []


def test_a_planted_upward_import_in_a_copy_of_the_tree_is_reported(tmp_path):
    shutil.copytree(ROOT / "desktop", tmp_path / "desktop", ignore=shutil.ignore_patterns("__pycache__"))
    assert _problems(tmp_path) == {"upward": [], "cycles": [], "qt": [], "sqlalchemy_in_views": [], "by_name": []}
    model = tmp_path / "desktop" / "models" / "park.py"
    model.write_text(model.read_text(encoding="utf-8") + (
        "\n\ndef _label():\n"
        "    from desktop.views.kit import rows  # a lazy import still goes up\n"
        "    return rows\n"), encoding="utf-8")
    upward = _problems(tmp_path)["upward"]
    assert len(upward) == 1
    assert upward[0].startswith("desktop.models.park:") and "imports desktop.views.kit.rows (models → views)" in upward[0]


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_checker_reports_each_kind_of_offence_in_a_small_tree(tmp_path):
    root = _tree(tmp_path, {
        "desktop/__init__.py": "",
        "desktop/paths.py": "",
        "desktop/cli.py": "from desktop.services import s\n\ndef gui():\n    from desktop.views import page\n",
        "desktop/models/__init__.py": "from desktop.models.m import M\n",
        "desktop/models/m.py": "from desktop.models import base\nfrom desktop.services.s import helper\nM = 1\n",
        "desktop/models/base.py": "",
        "desktop/services/__init__.py": "",
        "desktop/services/s.py": "from desktop import paths\nfrom . import t\n\ndef helper():\n    import PySide6.QtCore\n",
        "desktop/services/t.py": "def back():\n    from desktop.services.s import helper\n",
        "desktop/services/u.py": "import importlib\nmod = importlib.import_module('desktop.services.t')\n",
        "desktop/views/__init__.py": "",
        "desktop/views/page.py": "from sqlalchemy import select\nfrom desktop.services import s\nfrom desktop import app\n",
        "desktop/app.py": "from desktop.views import page\n",
    })
    found = _problems(root)
    assert found["upward"] == [
        "desktop.cli:4 imports desktop.views.page (cli → views)",
        "desktop.models.m:2 imports desktop.services.s (models → services)",
        "desktop.views.page:3 imports desktop.app (views → app)",
    ]
    assert found["cycles"] == [
        "desktop.app ↔ desktop.views.page (desktop.app:1 imports desktop.views.page; "
        "desktop.views.page:3 imports desktop.app)",
        "desktop.services.s ↔ desktop.services.t (desktop.services.s:2 imports desktop.services.t; "
        "desktop.services.t:2 imports desktop.services.s)",
    ]
    assert found["qt"] == ["desktop.services.s imports PySide6"]
    assert found["sqlalchemy_in_views"] == ["desktop.views.page imports sqlalchemy"]
    assert found["by_name"] == ["desktop/services/u.py:1 imports importlib", "desktop/services/u.py:2 import_module()"]
