"""Krippendorff's unitizing alpha: the book's example, the edge cases, and the sweep against
the direct transcription of the formulas."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rounds.agreement.unitizing import (
    NO_TEXT,
    NO_UNITS,
    delta_squared,
    disagreement,
    one_coder,
    unitizing_alpha,
)

# Krippendorff, Content Analysis, 2nd ed. (2004), p. 254: a continuum from 150 to 450
# (L = 300), two coders i and j, two categories. Category c: i marks [225, 295) and
# [370, 400); j marks [220, 300), [355, 375) and [400, 420). Category k: both mark
# [180, 240) and [300, 350). (begin, length) as the figure gives them.
BEGIN, L = 150, 300
FIGURE = {
    ("i", "c"): [(225, 70), (370, 30)],
    ("j", "c"): [(220, 80), (355, 20), (400, 20)],
    ("i", "k"): [(180, 60), (300, 50)],
    ("j", "k"): [(180, 60), (300, 50)],
}


def book_units():
    return [
        (coder, category, b - BEGIN, b - BEGIN + length)
        for (coder, category), units in FIGURE.items()
        for b, length in units
    ]


@pytest.mark.parametrize("method", ["sweep", "direct"])
def test_the_published_example_is_reproduced(method):
    """Krippendorff 2004, p. 254: D_oc = 0.0144, D_ec = 0.0532, α_c = 0.7286, α_k = 1,
    α_U = 0.859."""
    result = unitizing_alpha(
        book_units(), length=L, coders=["i", "j"], categories=["c", "k"], method=method
    )
    c, k = result.categories["c"], result.categories["k"]
    assert round(c.observed, 4) == 0.0144
    assert round(c.expected, 4) == 0.0532
    assert round(c.alpha, 4) == 0.7286
    assert k.observed == 0.0
    assert round(k.expected, 4) == 0.0490
    assert k.alpha == 1.0
    assert round(result.alpha, 3) == 0.859
    assert result.observed == c.observed + k.observed
    assert result.expected == c.expected + k.expected
    assert c.units == {"i": 2, "j": 3}
    assert c.reason is k.reason is result.reason is None


def test_the_book_s_distances():
    """The three non-zero δ² of category c in the book's computation: 5² + 5², 15² + 25²,
    and j's unit [400, 420) inside i's gap [400, 450): 20²."""
    assert delta_squared(225, 70, True, 220, 80, True) == 50
    assert delta_squared(370, 30, True, 355, 20, True) == 850
    assert delta_squared(400, 50, False, 400, 20, True) == 400
    assert delta_squared(400, 20, True, 400, 50, False) == 400
    # A unit that only partly lies in the other coder's gap adds nothing by itself.
    assert delta_squared(370, 30, True, 375, 25, False) == 0
    sums = disagreement([[(75, 145), (220, 250)], [(70, 150), (205, 225), (250, 270)]], L)
    assert sums.observed == 2 * (50 + 850 + 400)


def test_a_tag_nobody_used_is_insufficient_data_not_one():
    result = unitizing_alpha(
        [("a", "x", 0, 5), ("b", "x", 0, 5)], length=20, coders=["a", "b"], categories=["x", "y"]
    )
    y = result.categories["y"]
    assert (y.alpha, y.observed, y.expected, y.reason) == (None, 0.0, 0.0, NO_UNITS)
    assert y.units == {"a": 0, "b": 0}
    assert result.categories["x"].alpha == 1.0
    assert result.alpha == 1.0  # an empty tag adds nothing to either sum


def test_a_tag_only_one_coder_used_is_insufficient_data_but_counts_in_the_overall():
    """α_c is null with the reason; its disagreements are still reported, and α_U counts
    them: one coder's units the other never marked are disagreement."""
    result = unitizing_alpha(
        [("a", "x", 0, 5), ("b", "x", 0, 5), ("a", "y", 10, 15)],
        length=20,
        coders=["a", "b"],
        categories=["x", "y"],
    )
    y = result.categories["y"]
    assert y.alpha is None
    assert y.reason == one_coder("a") == "insufficient data: only a marked this tag"
    assert y.observed > 0 and y.expected > 0
    assert result.alpha < 1.0
    assert result.alpha == 1 - (y.observed + 0.0) / (result.categories["x"].expected + y.expected)


def test_identical_coding_gives_one():
    units = [(coder, "x", s, e) for coder in "abc" for s, e in ((2, 9), (30, 31), (40, 80))]
    result = unitizing_alpha(units, length=100, coders=list("abc"), categories=["x"])
    assert result.categories["x"].alpha == 1.0
    assert result.alpha == 1.0


def test_overlapping_passages_of_one_coder_and_tag_count_as_their_union():
    joined = unitizing_alpha(
        [("a", "x", 0, 10), ("a", "x", 5, 15), ("a", "x", 12, 14), ("b", "x", 0, 15)],
        length=40,
        coders=["a", "b"],
        categories=["x"],
    )
    assert joined.categories["x"].units == {"a": 1, "b": 1}
    assert joined.alpha == 1.0


def test_touching_passages_stay_two_units():
    result = unitizing_alpha(
        [("a", "x", 0, 5), ("a", "x", 5, 10), ("b", "x", 0, 10)],
        length=40,
        coders=["a", "b"],
        categories=["x"],
    )
    assert result.categories["x"].units == {"a": 2, "b": 1}
    assert result.alpha < 1.0


def test_an_empty_continuum_has_no_alpha():
    result = unitizing_alpha([], length=0, coders=["a", "b"], categories=["x"])
    assert (result.alpha, result.reason) == (None, NO_TEXT)
    assert result.categories["x"].reason == NO_TEXT


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="two or more coders"):
        unitizing_alpha([], length=10, coders=["a"], categories=["x"])
    with pytest.raises(ValueError, match="not inside"):
        unitizing_alpha([("a", "x", 5, 11)], length=10, coders=["a", "b"], categories=["x"])
    with pytest.raises(ValueError, match="unlisted"):
        unitizing_alpha([("c", "x", 1, 2)], length=10, coders=["a", "b"], categories=["x"])


@st.composite
def codings(draw):
    length = draw(st.integers(1, 60))
    coders = [f"c{n}" for n in range(draw(st.integers(2, 4)))]
    categories = [f"t{n}" for n in range(draw(st.integers(1, 3)))]
    spans = st.tuples(st.integers(0, length - 1), st.integers(1, length)).map(
        lambda se: (se[0], min(length, se[0] + se[1]))
    )
    units = draw(
        st.lists(
            st.tuples(st.sampled_from(coders), st.sampled_from(categories), spans).map(
                lambda u: (u[0], u[1], *u[2])
            ),
            max_size=30,
        )
    )
    return units, length, coders, categories


@settings(max_examples=300, deadline=None)
@given(codings())
def test_the_sweep_agrees_with_the_direct_transcription(coding):
    """Same integers, so the same floats to the last bit, on any coding: overlapping,
    touching and nested units, coders who marked nothing, categories nobody used."""
    units, length, coders, categories = coding
    fast = unitizing_alpha(units, length=length, coders=coders, categories=categories)
    slow = unitizing_alpha(
        units, length=length, coders=coders, categories=categories, method="direct"
    )
    assert fast == slow
    for category in categories:
        by_coder = [
            sorted((s, e) for c, t, s, e in units if c == coder and t == category)
            for coder in coders
        ]
        assert fast.categories[category].observed >= 0
        assert fast.categories[category].expected >= 0
        assert sum(fast.categories[category].units.values()) <= sum(map(len, by_coder))
