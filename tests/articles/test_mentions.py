"""Mentioned organizations are found by name or alias, on whole-word boundaries."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from articles.mentions import MentionFinder, Named, is_acronym

UN = Named(1, ("United Nations", "U.N.", "UN"))
ACLU = Named(2, ("American Civil Liberties Union", "ACLU"))
ACLU_MA = Named(3, ("ACLU of Massachusetts",))
BWG = Named(4, ("Brazilian Women's Group",))
NINTH = Named(5, ("U.S. Court of Appeals for the Ninth Circuit", "Ninth Circuit", "9th Circuit"))
FINDER = MentionFinder([UN, ACLU, ACLU_MA, BWG, NINTH])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The union said it would appeal.", set()),
        ("A communal effort.", set()),
        ("UNHCR staff", set()),
        ("un-American activities", set()),
        ("UN officials", {1}),
        ("the U.N. refugee agency", {1}),
        ("(UN)", {1}),
        ("the united nations", {1}),
        ("the ACLU's fight", {2}),
        ("ACLUS", set()),
        ("the ACLU of Massachusetts said", {3}),
        ("ACLU of Massachusetts and the ACLU", {2, 3}),
        ("Brazilian Women\u2019s Group", {4}),
        ("American Civil Liberties\u00a0Union", {2}),
        ("American Civil\nLiberties Union", {2}),
        ("the 9th Circuit", {5}),
        ("the Ninth Circuit Court", {5}),
        ("", set()),
    ],
)
def test_names_and_aliases_match_whole_words_only(text, expected):
    """`UN` does not match inside `union`; curly apostrophes and NBSP still match."""
    assert FINDER.find(text) == expected


def test_acronyms_are_case_sensitive_but_names_are_not():
    """Lower-case `un` in running text is the French article, not the United Nations."""
    assert is_acronym("UN") and is_acronym("U.N.") and is_acronym("DHS")
    assert not is_acronym("Ninth Circuit")
    assert FINDER.find("un livre") == set()
    assert FINDER.find("UNITED NATIONS") == {1}


def test_a_finder_without_organizations_finds_nothing():
    assert MentionFinder([]).find("UN ACLU") == set()


_PIECES = [
    *("ACLU", "aclu", "Union", "union", "of", "the", "Ninth", "Circuit", "U.S.", "O’Brien"),
    *("O'Brien", "Smith-Jones", "Smith–Jones", "ſt", "st", "UN", "un", "Café", "CAFÉ"),
]


@given(
    names=st.lists(
        st.lists(st.sampled_from(_PIECES), min_size=1, max_size=3).map(" ".join),
        min_size=1,
        max_size=6,
    ),
    text=st.lists(
        st.sampled_from([*_PIECES, ",", ".", "\n", "\u00a0", "(", ")", "x"]), max_size=30
    ).map(" ".join),
)
def test_the_word_filter_finds_what_the_one_regex_finds(names, text):
    """Reducing a text to the names whose words it holds changes no result: the same ids
    as one regex of every name (the finder's own, unfiltered)."""
    finder = MentionFinder(Named(id=n, names=(name,)) for n, name in enumerate(names))
    every = finder._regex_for(tuple(range(len(finder._sources))))
    expected = {finder._by_group[m.lastgroup] for m in every.finditer(text)}
    assert finder.find(text) == expected
