"""Agreement on attribution: nominal alpha over passage pairs that overlap by at least half."""

import krippendorff
import numpy as np

from rounds.agreement.attribution import (
    NO_PAIRS,
    ONE_VALUE,
    Passage,
    attribution_alpha,
    matched_pairs,
)


def p(coder, start, end, organization=None, article=1):
    return Passage(coder, article, start, end, organization)


def test_pairs_overlap_by_at_least_half_of_the_longer_passage():
    a, b = p("a", 0, 10), p("b", 5, 10)  # 5 of 10: exactly half
    c, d = p("a", 20, 30), p("b", 26, 40)  # 4 of 14: less than half
    assert matched_pairs([a, b, c, d], ["a", "b"]) == [(a, b)]


def test_passages_of_different_articles_never_pair():
    assert matched_pairs([p("a", 0, 10, article=1), p("b", 0, 10, article=2)], ["a", "b"]) == []


def test_each_passage_pairs_once_best_overlap_first():
    long = p("a", 0, 10)
    best, second = p("b", 1, 10), p("b", 0, 6)
    assert matched_pairs([long, second, best], ["a", "b"]) == [(long, best)]


def test_alpha_is_the_packages_nominal_alpha_over_the_pairs():
    passages = [
        p("a", 0, 10, 1), p("b", 0, 10, 1),
        p("a", 20, 30, 2), p("b", 21, 30, 2),
        p("a", 40, 50, 1), p("b", 40, 50, 2),
        p("a", 60, 70, None), p("b", 60, 70, None),
        p("a", 80, 90, 1), p("c", 80, 90, 1),
    ]  # fmt: skip
    result = attribution_alpha(passages, coders=["a", "b", "c"])
    nan = np.nan
    expected = krippendorff.alpha(
        reliability_data=[
            [0, 1, 0, 2, 0],
            [0, 1, 1, 2, nan],
            [nan, nan, nan, nan, 0],
        ],
        level_of_measurement="nominal",
    )
    assert (result.pairs, result.agreeing, result.reason) == (5, 4, None)
    assert result.alpha == float(expected)
    assert 0 < result.alpha < 1


def test_no_pairs_and_no_variation_are_reasons_not_numbers():
    assert attribution_alpha([p("a", 0, 5, 1)], coders=["a", "b"]).reason == NO_PAIRS
    same = attribution_alpha([p("a", 0, 5, 1), p("b", 0, 5, 1)], coders=["a", "b"])
    assert (same.alpha, same.pairs, same.agreeing, same.reason) == (None, 1, 1, ONE_VALUE)
