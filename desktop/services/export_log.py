"""Every file the program writes out of the ledger is recorded in the audit log (等保 2.0: exports are
audited like writes): what was exported, to which file, how many rows, by whom and when."""

from __future__ import annotations

import os
from pathlib import Path

from desktop.services import audit
from desktop.services.ledger import Ledger


def record_export(ledger: Ledger, what: str, path: str | os.PathLike, rows: int | None = None) -> None:
    """One `export` record for a file just written (call it after the file is in place)."""
    after = {"file_name": Path(path).name}
    if rows is not None:
        after["count"] = rows
    with ledger.session() as s:
        audit.record(s, "export", "file", label=what, after=after)


def record_print(ledger: Ledger, what: str, rows: int | None = None, path: str | os.PathLike | None = None, *,
                 printer: str | None = None, sheets: int | None = None) -> None:
    """One `print` record under the acting user, like an export: a document made as PDF (`rows` printed,
    `path` when saved to a file), or handed to `printer` (`sheets` = pages times copies)."""
    if printer is not None:
        object_type, after = "document", {"printer": printer, "count": sheets}
    else:
        object_type, after = "file", {"format": "PDF"}
        if path is not None:
            after["file_name"] = Path(path).name
        if rows is not None:
            after["count"] = rows
    with ledger.session() as s:
        audit.record(s, "print", object_type, label=what, after=after)
