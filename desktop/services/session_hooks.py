"""The hooks every session relies on (the audit log, the register's search column, the role checks of a
logged-in account, the guard of an issued 通报), installed when the first database opens, not at import.

Importing `desktop.services` used to install them, and so loaded SQLAlchemy and every model with the first
service module anyone imported, even the error classes the window's login dialog needs (issue 12's start).
The package now hands its installer to this module and services/db.py runs it before a database is used.
db cannot import the hook modules itself: the audit hook reaches db (audit → ledger → db).
"""

from __future__ import annotations

import threading
from typing import Callable

_lock = threading.Lock()
_installer: Callable[[], tuple] | None = None
_installed = False
_modules: tuple = ()  # the modules whose import registered the hooks


def provide(installer: Callable[[], tuple]) -> None:
    """Name what installs the hooks (desktop/services/__init__.py, which every service module's import runs):
    it imports the modules that register them and returns those modules."""
    global _installer
    _installer = installer


def install() -> None:
    """Install the hooks once per process (idempotent, thread-safe: the window opens its database on the lane)."""
    global _installed, _modules
    if _installed:
        return
    with _lock:
        if not _installed:
            if _installer is None:
                raise RuntimeError("desktop.services has not provided its session hooks")
            _modules = _installer()
            _installed = True


def installed() -> tuple:
    """The modules whose hooks are installed (empty before the first database opens)."""
    return _modules
