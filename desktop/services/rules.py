"""Rules of the plan that more than one page, report or importer applies. Each lives here once."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from desktop.models.enums import EntryState, Method

# DOMAIN §2: only 已核实 area counts toward a town's and the city's completion.
COUNTED_STATES = frozenset({EntryState.VERIFIED})
# 三(三)2: 企业自主技改 is recorded but never counted in statistics.
UNCOUNTED_METHODS = frozenset({Method.SELF_RENOVATION})
# Entries that no longer belong to the list's area.
INACTIVE_STATES = frozenset({EntryState.CANCELLED})

PCT_PLACES = Decimal("0.01")


def pct(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part / whole as a percentage with two decimals; None when whole is zero."""
    whole = Decimal(whole or 0)
    if whole == 0:
        return None
    return (Decimal(part or 0) * 100 / whole).quantize(PCT_PLACES, rounding=ROUND_HALF_UP)


def contiguous_share_pct(listed_mu: Decimal, contiguous_mu: Decimal) -> Decimal | None:
    """三(一): share of the list's area lying in contiguous areas."""
    return pct(contiguous_mu, listed_mu)


def share_below_minimum(listed_mu: Decimal, contiguous_mu: Decimal, minimum_pct: Decimal) -> bool:
    """三(一): 连片 area must be at least the year's minimum share (30 % in 2024) of the list area.

    Compared exactly (contiguous × 100 ≥ minimum × listed), so exactly 30 % passes.
    An empty list is not below the minimum (nothing to judge yet).
    """
    listed_mu = Decimal(listed_mu or 0)
    if listed_mu == 0:
        return False
    return Decimal(contiguous_mu or 0) * 100 < Decimal(minimum_pct) * listed_mu


def counts_toward_completion(state: EntryState, method: Method) -> bool:
    return state in COUNTED_STATES and method not in UNCOUNTED_METHODS
