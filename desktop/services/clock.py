"""The clock, in one place: the day and time every service reads through its Ledger (`ledger.today()`,
`ledger.now()`), and the wall-clock stamp of a file written now (a backup's name).

Nothing else under services/ asks the system for the date or the time (a test reads the tree for it):
the CLI's --as-of and the tests pin the day by handing over a Ledger with a fixed Clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Clock:
    """Today and now; `fixed` pins the day (the CLI's --as-of, tests)."""

    fixed: dt.date | None = None

    def today(self) -> dt.date:
        return self.fixed if self.fixed is not None else dt.date.today()

    def now(self) -> dt.datetime:
        """Local wall-clock time (naive), on the pinned day when there is one."""
        now = dt.datetime.now()
        if self.fixed is None:
            return now
        return dt.datetime.combine(self.fixed, now.time())


SYSTEM_CLOCK = Clock()


def file_stamp() -> str:
    """`YYYYmmdd-HHMMSS` of the moment a file is written (backups): real time, like a row's created_at,
    whatever day a ledger is pinned to."""
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S")
