"""Use cases: rules, workflows, Excel, PDF, dates. Never imports Qt.

Importing a service module is cheap: the session hooks every write relies on (the audit log, the search
column of the register, the role checks of a logged-in account, the guard of an issued 通报) are installed
when the first database opens (services/session_hooks.py), so the window's first dialog shows before
SQLAlchemy and the models are loaded.
"""

from desktop.services import session_hooks as _session_hooks


def _install_session_hooks() -> tuple:
    """Importing these modules registers their hooks; the modules are returned (session_hooks keeps them)."""
    from desktop.services import audit  # the after_flush hook of the audit log
    from desktop.services import search_text  # the Target hooks of the register's search column
    from desktop.services.accounts import permissions  # the role checks
    from desktop.services.bulletins import bulletin_guard  # an issued 通报 never changes

    return audit, search_text, permissions, bulletin_guard


_session_hooks.provide(_install_session_hooks)
