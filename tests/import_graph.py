"""The import graph of a package tree, read from the source (ast), and the layering rules checked on it.

Every `import` and `from … import` counts, wherever it stands: at the top, inside a function (a lazy
import is still a dependency), under `if TYPE_CHECKING:`. Only our own modules are nodes; third-party
imports are kept per module for the Qt and SQLAlchemy rules. The checks take a tree (a folder holding
the package), so the test runs them on the real tree and on a small planted one alike.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

# What each layer may import of ours (STYLE.md "Layers"): views → services → models, never back up; the CLI
# is the services without a window; app.py, the composition root, may import anything. "base" is the package
# itself and plain helpers (paths) that every layer may use.
ALLOWED: dict[str, frozenset[str]] = {
    "base": frozenset({"base"}),
    "models": frozenset({"base", "models"}),
    "services": frozenset({"base", "models", "services"}),
    "cli": frozenset({"base", "models", "services", "cli"}),
    "views": frozenset({"base", "models", "services", "views"}),
    "app": frozenset({"base", "models", "services", "cli", "views", "app"}),
}
# The one sanctioned exception: `zzb gui` (and zzb without a command) opens the window through app.run_gui,
# imported inside that command only, so `import desktop.cli` still loads no Qt (test_cli checks it at run time).
EXCEPTIONS: dict[tuple[str, str], str] = {("desktop.cli", "desktop.app"): "zzb gui opens the window"}
QT_PACKAGES = ("PySide6", "PyQt5", "PyQt6", "shiboken6")


@dataclass
class ImportGraph:
    package: str
    edges: dict[str, set[str]] = field(default_factory=dict)  # module → our modules it imports
    external: dict[str, set[str]] = field(default_factory=dict)  # module → top-level third-party names
    lines: dict[tuple[str, str], int] = field(default_factory=dict)  # (module, imported) → first line

    def where(self, module: str, imported: str) -> str:
        return f"{module}:{self.lines.get((module, imported), '?')} imports {imported}"


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def build_graph(root: Path, package: str = "desktop", *, skip: tuple[str, ...] = ("migrations",)) -> ImportGraph:
    """The graph of every module of `root/package` (skipping the named sub-packages)."""
    root = Path(root)
    files = {}
    for path in sorted((root / package).rglob("*.py")):
        rel = path.relative_to(root / package).parts
        if rel and rel[0] in skip:
            continue
        files[_module_name(root, path)] = path
    graph = ImportGraph(package)
    for module, path in files.items():
        is_package = path.name == "__init__.py"
        graph.edges[module] = set()
        graph.external[module] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            found: list[str] = []
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = module.split(".") if is_package else module.split(".")[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                # `from pkg import mod` imports the module pkg.mod; `from mod import name` imports mod
                subs = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in files]
                found = subs if len(subs) == len(node.names) else [base, *subs]
            for name in found:
                top = name.split(".")[0]
                if top != package:
                    graph.external[module].add(top)
                    continue
                target = name
                while target and target not in files:  # `import desktop.a.b` of a name inside a module
                    target = target.rpartition(".")[0]
                if target and target != module:
                    graph.edges[module].add(target)
                    graph.lines.setdefault((module, target), node.lineno)
    return graph


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) < 2:
        return "base"  # the package itself: names and version
    head = parts[1]
    if head in ("models", "services", "views"):
        return head
    if head == "cli" or head.startswith("cli_"):
        return "cli"
    if head in ("app", "__main__"):
        return "app"
    return "base"  # paths and other plain helpers every layer may use


def upward_imports(graph: ImportGraph, exceptions: dict[tuple[str, str], str] | None = None) -> list[str]:
    """Imports a layer may not make: models → services, services → views/app/cli, cli → views, views → cli …"""
    exceptions = EXCEPTIONS if exceptions is None else exceptions
    bad = []
    for module, targets in sorted(graph.edges.items()):
        allowed = ALLOWED[layer_of(module)]
        for target in sorted(targets):
            if layer_of(target) not in allowed and (module, target) not in exceptions:
                bad.append(f"{graph.where(module, target)} ({layer_of(module)} → {layer_of(target)})")
    return bad


def forbidden_packages(graph: ImportGraph, layers: tuple[str, ...], packages: tuple[str, ...]) -> list[str]:
    """Modules of the given layers that import any of the given third-party packages."""
    return [f"{module} imports {', '.join(sorted(graph.external[module] & set(packages)))}"
            for module in sorted(graph.edges)
            if layer_of(module) in layers and graph.external[module] & set(packages)]


def cycles(graph: ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted; a module importing
    itself is not counted (build_graph drops such edges)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:  # iterative: no recursion limit on a deep tree
        nonlocal counter
        work = [(start, iter(sorted(graph.edges.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        component.append(top)
                        if top == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))

    for module in sorted(graph.edges):
        if module not in index:
            visit(module)
    return sorted(found)


def cycle_text(graph: ImportGraph, component: list[str]) -> str:
    members = set(component)
    steps = [graph.where(m, t) for m in component for t in sorted(graph.edges[m] & members)]
    return " ↔ ".join(component) + " (" + "; ".join(steps) + ")"


def loads_by_name(root: Path, package: str = "desktop") -> list[str]:
    """Places that load a module from a string (importlib.import_module, __import__): a missing module then
    disappears silently instead of failing the import."""
    bad = []
    for path in sorted((Path(root) / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
                if name in ("import_module", "__import__", "spec_from_file_location", "find_spec"):
                    bad.append(f"{path.relative_to(root)}:{node.lineno} {name}()")
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                if any(n == "importlib" or n.startswith("importlib.") for n in names):
                    bad.append(f"{path.relative_to(root)}:{node.lineno} imports importlib")
    return bad
