"""Ranks with ties: 并列第N, and the next rank skips (1, 1, 3)."""

from decimal import Decimal

from desktop.services.ranking import competition_ranks


def test_equal_values_share_a_rank_and_the_next_rank_skips():
    ranks = competition_ranks([Decimal("80"), Decimal("95.5"), Decimal("95.50"), Decimal("60")])
    assert [(r.rank, r.tied) for r in ranks] == [(3, False), (1, True), (1, True), (4, False)]
    assert [r.label for r in ranks] == ["第3", "并列第1", "并列第1", "第4"]


def test_three_tied_for_second_then_fifth():
    assert [r.rank for r in competition_ranks([10, 9, 9, 9, 1])] == [1, 2, 2, 2, 5]


def test_ascending_ranks_the_smallest_first():
    assert [r.rank for r in competition_ranks([3, 1, 1], descending=False)] == [3, 1, 1]


def test_values_missing_rank_last_together():
    ranks = competition_ranks([None, 5, None])
    assert [(r.rank, r.tied) for r in ranks] == [(2, True), (1, False), (2, True)]


def test_nothing_to_rank_gives_nothing():
    assert competition_ranks([]) == []
