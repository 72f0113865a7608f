"""Normalisation, shingles and winnowing (`echoes.winnowing`): pure, no database."""

import hashlib
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from echoes.winnowing import (
    MIN_WORDS,
    K,
    W,
    fingerprint_text,
    kept_prints,
    passage_words,
    shared_runs,
    shingle_hash,
    winnow,
    words,
)


def texts(text):
    return [w.text for w in words(text)]


def test_case_whitespace_quotes_and_dashes_are_normalised():
    """Case, non-breaking and other spaces, curly quotes and apostrophes, dashes: the same
    words either way."""
    plain = '"The Nation\'s policy" is fundamentally contrary - to asylum-seekers'
    fancy = (
        "\u201cTHE\u00a0Nation\u2019s policy\u201d\u2003is\u202ffundamentally\n"
        "contrary \u2014 to asylum\u2013seekers"
    )
    assert texts(plain) == texts(fancy)
    assert texts(plain) == [
        "the", "nation's", "policy", "is", "fundamentally", "contrary", "to", "asylum", "seekers",
    ]  # fmt: skip


def test_words_keep_their_code_points_in_the_original_text():
    """Offsets are code points of the text as written, emoji and NBSP included."""
    text = "\U0001f600 caf\u00e9\u00a0Nation\u2019s \u201cwords\u201d"
    found = words(text)
    assert [(text[w.start : w.end], w.text) for w in found] == [
        ("caf\u00e9", "caf\u00e9"),
        ("Nation\u2019s", "nation's"),
        ("words", "words"),
    ]


def test_passage_words_leave_out_a_word_the_passage_cuts():
    assert [w.text for w in passage_words("ndamentally contrary to the mor", "fu", "al")] == [
        "contrary",
        "to",
        "the",
    ]
    whole = passage_words("fundamentally contrary", " \u201c", "\u201d ")
    assert [(w.text, w.start, w.end) for w in whole] == [
        ("fundamentally", 0, 13),
        ("contrary", 14, 22),
    ]


def test_hash_is_stable_and_signed_32_bit():
    """Not Python's salted hash(): the same value in every process, and one an integer
    column holds on both databases."""
    value = shingle_hash(["moral", "fabric", "of", "our", "nation"])
    assert value == shingle_hash(["moral", "fabric", "of", "our", "nation"])
    assert -(2**31) <= value < 2**31
    digest = hashlib.blake2b(b"moral\x1ffabric\x1fof\x1four\x1fnation", digest_size=4).digest()
    assert value == int.from_bytes(digest, "big", signed=True)


def test_guarantee_threshold_is_eight_words():
    assert K + W - 1 == MIN_WORDS == 8


def test_winnow_keeps_the_rightmost_minimum_and_one_per_run_of_ties():
    assert winnow([5, 3, 3, 7, 1, 4], w=3) == [2, 4]
    assert winnow([2, 2, 2, 2, 2], w=2) == [1, 3]
    assert winnow([9], w=4) == [0]
    assert winnow([], w=4) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-50, 50), min_size=1, max_size=60), st.integers(1, 6))
def test_every_window_holds_a_kept_position(hashes, w):
    """The winnowing guarantee: each window of `w` hashes contains a kept minimum."""
    kept = set(winnow(hashes, w))
    w = min(w, len(hashes))
    for left in range(len(hashes) - w + 1):
        window = range(left, left + w)
        chosen = [i for i in window if i in kept]
        assert chosen
        assert any(hashes[i] == min(hashes[j] for j in window) for i in chosen)


VOCABULARY = [f"w{i}" for i in range(2000)]


def _random_text(rng, n):
    return [rng.choice(VOCABULARY) for _ in range(n)]


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 10**9),
    st.integers(MIN_WORDS, 20),
    st.integers(0, 60),
    st.integers(0, 60),
)
def test_a_shared_run_of_eight_words_shares_a_fingerprint_wherever_it_is(seed, run, at_a, at_b):
    rng = random.Random(seed)
    shared = _random_text(rng, run)
    a = _random_text(rng, at_a) + shared + _random_text(rng, 10)
    b = _random_text(rng, at_b) + shared + _random_text(rng, 3)
    fa = {f.hash for f in fingerprint_text(" ".join(a))}
    fb = {f.hash for f in fingerprint_text(" ".join(b))}
    assert fa & fb
    runs = shared_runs(texts(" ".join(a)), texts(" ".join(b)))
    # The run found holds the shared words (and more, when a neighbour agrees by chance).
    assert any(
        r.a - r.b == at_a - at_b and r.a <= at_a and at_a + run <= r.a + r.length for r in runs
    )


def test_seven_shared_words_are_no_run_and_eight_are():
    rng = random.Random(7)
    shared = _random_text(rng, 8)
    a = _random_text(rng, 5) + shared[:7] + ["xa"] + _random_text(rng, 5)
    b = _random_text(rng, 9) + shared[:7] + ["xb"] + _random_text(rng, 2)
    assert shared_runs(a, b) == []
    a[12] = b[16] = shared[7]
    assert [tuple(r) for r in shared_runs(a, b)] == [(5, 9, 8)]


PIECES = [
    "Nation\u2019s",
    "caf\u00e9",
    "\ufb01ne",
    "\uff21\uff22",
    "\U0001f600",
    "\u00a0",
    "\u2014",
    "asylum-seekers",
    "90",
    "percent",
    "the",
    "THE",
    "\u201cquote\u201d",
    "na\u00efve",
    "\n\n",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=80))
def test_the_index_s_fast_path_keeps_the_same_hashes_and_starts(pieces):
    """`kept_prints` (what the index writes) gives exactly the hashes and code-point
    starts of `fingerprint_text`, with emoji, non-breaking spaces, ligatures, full-width
    letters, curly quotes and texts shorter than a shingle."""
    text = " ".join(pieces)
    prints = fingerprint_text(text)
    assert kept_prints(text) == ([f.hash for f in prints], [f.start for f in prints])
