"""How well a span of the new body fits a stored anchor: quote, context and position.

Candidates are ranked with the weights of the Hypothesis client (match-quote.js): quote 50,
prefix 20, suffix 20, position 2. Similarities are in [0, 1] and computed in code points.
"""

from dataclasses import dataclass

from annotations.anchoring.anchors import CONTEXT_CHARS, Anchor
from annotations.anchoring.diff import common_prefix_len, common_suffix_len
from annotations.anchoring.matching import char_masks, edit_scores, levenshtein

_QUOTE_WEIGHT = 50.0
_PREFIX_WEIGHT = 20.0
_SUFFIX_WEIGHT = 20.0
_POSITION_WEIGHT = 2.0
_WEIGHT_SUM = _QUOTE_WEIGHT + _PREFIX_WEIGHT + _SUFFIX_WEIGHT + _POSITION_WEIGHT

# A FUZZY match found away from where the edit maps the passage must be vouched for: one side of
# its context at least this similar to the stored one, or (whitespace-insensitive matches only,
# whose text is the quote's) a quote at least this long in code points.
MIN_CONTEXT_SIMILARITY = 0.5
SELF_IDENTIFYING_QUOTE = 32

# With more candidate spans than this (pathological quotes such as a single letter in a long
# body), a cheap exact-context pre-ranking picks the ones that get the full scoring.
FULLY_SCORED_CANDIDATES = 16


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int
    end: int
    total: float  # Hypothesis-style weighted score in [0, 1]
    context_sim: float  # the better of prefix and suffix similarity, in [0, 1]
    credible: bool  # context or quote length vouches for a match found by searching


def similarity(stored: str, found: str) -> float:
    """1 - edit distance / longer length, in [0, 1]; two empty strings are identical."""
    if stored == found:
        return 1.0
    return 1.0 - levenshtein(stored, found) / max(len(stored), len(found))


# Stored context shorter than this (a passage near the body's edge) counts as partial evidence.
_FULL_EVIDENCE = CONTEXT_CHARS // 2


def context_similarity(stored: str, found: str, *, before: bool) -> float:
    """How much of the stored context reappears next to a candidate, in [0, 1].

    `found` is the candidate's context of the full CONTEXT_CHARS width; a prefix is aligned to
    its end and a suffix to its start, so a stored context cut short by the body's edge is not
    penalised for the extra text. The matched code points (length minus edit distance) are
    divided by at least _FULL_EVIDENCE: a four-letter "The " matching is weak evidence. Empty
    stored context (the passage touched the body's edge) matches only the same edge.
    """
    if not stored:
        return 0.0 if found else 1.0
    if stored == found:
        distance = 0
    elif not found:
        distance = len(stored)
    else:
        scores = edit_scores(
            stored, char_masks(stored), found, free_start=before, max_score=len(stored)
        )
        if before:
            # The alignment must end where the candidate starts: the last position.
            distance = scores[-1][1] if scores and scores[-1][0] == len(found) else len(stored)
        else:
            distance = min((errors for _, errors in scores), default=len(stored))
    return max(0, len(stored) - distance) / max(len(stored), _FULL_EVIDENCE)


def score(
    new: str, a: Anchor, hint: tuple[int, int], start: int, end: int, quote_sim: float | None
) -> Candidate:
    """Weighted score of new[start:end] as the new place of `a`, `hint` the span the edit maps
    it to (quote_sim None: compute it)."""
    if quote_sim is None:
        quote_sim = similarity(a.exact, new[start:end])
    width = max(CONTEXT_CHARS, len(a.prefix), len(a.suffix))
    prefix_sim = context_similarity(a.prefix, new[max(0, start - width) : start], before=True)
    suffix_sim = context_similarity(a.suffix, new[end : end + width], before=False)
    position_sim = 1.0 - min(1.0, abs(start - hint[0]) / max(1, len(new)))
    total = (
        _QUOTE_WEIGHT * quote_sim
        + _PREFIX_WEIGHT * prefix_sim
        + _SUFFIX_WEIGHT * suffix_sim
        + _POSITION_WEIGHT * position_sim
    ) / _WEIGHT_SUM
    context_sim = max(prefix_sim, suffix_sim)
    credible = context_sim >= MIN_CONTEXT_SIMILARITY or len(a.exact) >= SELF_IDENTIFYING_QUOTE
    return Candidate(start, end, total, context_sim, credible)


def best(
    new: str,
    a: Anchor,
    hint: tuple[int, int],
    spans: list[tuple[int, int]],
    quote_sim: float | None,
) -> Candidate | None:
    """Best-scoring of `spans` of `new`; with many, a cheap exact-context pre-ranking picks the
    few that get the full (edit distance) scoring."""
    if not spans:
        return None
    if len(spans) > FULLY_SCORED_CANDIDATES:
        prefix, suffix = a.prefix, a.suffix

        def rough(span: tuple[int, int]) -> tuple[int, int]:
            start, end = span
            agree = common_suffix_len(prefix, new[max(0, start - len(prefix)) : start])
            agree += common_prefix_len(suffix, new[end : end + len(suffix)])
            return -agree, abs(start - hint[0])

        spans = sorted(spans, key=rough)[:FULLY_SCORED_CANDIDATES]
    return top([score(new, a, hint, s, e, quote_sim) for s, e in spans])


def top(candidates: list[Candidate]) -> Candidate | None:
    """The best-scoring candidate; ties go to the earliest start."""
    return max(candidates, key=lambda c: (c.total, -c.start), default=None)


def vouched(candidates: list[Candidate]) -> Candidate | None:
    """The best candidate whose context is similar enough to the stored one."""
    return top([c for c in candidates if c.context_sim >= MIN_CONTEXT_SIMILARITY])


def fuzzy_score(candidate: Candidate) -> float:
    """Placement score of a FUZZY match: its weighted score, kept strictly inside (0, 1)."""
    return min(0.99, max(0.01, round(candidate.total, 4)))
