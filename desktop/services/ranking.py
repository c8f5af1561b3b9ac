"""Ranks with ties (四(五)): equal values share a rank, shown 并列第N, and the next rank skips (1, 1, 3).

The one ranking rule of the program: bulletins rank towns with it, scoring sessions rank their subjects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Rank:
    rank: int
    tied: bool  # the rank is shared with another subject

    @property
    def label(self) -> str:
        return f"并列第{self.rank}" if self.tied else f"第{self.rank}"


def competition_ranks(values: Sequence, *, descending: bool = True) -> list[Rank]:
    """The rank of each value, in the order given: ties share the best rank and the next one skips.

    None (nothing to rank on, e.g. a town with no target) ranks after every value, the Nones tied.
    """
    known = sorted((v for v in values if v is not None), reverse=descending)
    first: dict = {}
    for i, v in enumerate(known):
        first.setdefault(v, i + 1)
    counts: dict = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    last = len(known) + 1
    return [Rank(first[v] if v is not None else last, counts[v] > 1) for v in values]
