"""Use cases: rules, workflows, Excel, PDF, dates. Never imports Qt.

Importing the package installs the session hooks every write relies on: the audit log and
the search column of the register, and the role checks of a logged-in account.
"""

from desktop.services import audit as _audit  # noqa: F401  (registers the after_flush hook)
from desktop.services import search_text as _search_text  # noqa: F401  (registers Target hooks)
from desktop.services.accounts import permissions as _permissions  # noqa: F401  (registers the role checks)
from desktop.services.bulletins import bulletin_guard as _bulletin_guard  # noqa: F401  (an issued 通报 never changes)
