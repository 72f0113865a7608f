"""Approximate string matching: the bit-parallel edit distance of Myers (1999), in Hyyrö's
formulation, as in the ``approx-string-match`` package the Hypothesis client uses.

Distances count code points inserted, deleted or substituted. Each step works on integers of
len(pattern) bits, so the cost per code point scanned grows with the pattern's length.
"""

import functools


@functools.lru_cache(maxsize=1_024)
def char_masks(pattern: str) -> dict[str, int]:
    """For each code point of `pattern`, the bit mask of the positions where it occurs."""
    masks: dict[str, int] = {}
    for i, ch in enumerate(pattern):
        masks[ch] = masks.get(ch, 0) | (1 << i)
    return masks


def edit_scores(
    pattern: str, masks: dict[str, int], text: str, *, free_start: bool, max_score: int
) -> list[tuple[int, int]]:
    """(end, distance) for each prefix text[:end] whose distance is at most `max_score`.

    With free_start the distance is the best over all substrings text[i:end] (approximate
    search); without it, the distance of the pattern to text[:end] itself (Levenshtein).
    Distances count code points inserted, deleted or substituted. O(len(text)) big-int steps.
    """
    m = len(pattern)
    full = (1 << m) - 1
    high = 1 << (m - 1)
    carry = 0 if free_start else 1  # the top row is 0 (free start) or j (fixed start)
    pv, mv, score = full, 0, m
    out: list[tuple[int, int]] = []
    get = masks.get
    for j, ch in enumerate(text, 1):
        eq = get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (full ^ (xh | pv))  # xh may carry past bit m-1: masked below
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | carry) & full
        mh = (mh << 1) & full
        pv = mh | (full ^ (xv | ph))
        mv = ph & xv
        if score <= max_score:
            out.append((j, score))
    return out


def levenshtein(a: str, b: str) -> int:
    """Edit distance between a and b in code points (insertions, deletions, substitutions)."""
    if len(a) > len(b):
        a, b = b, a  # the shorter one becomes the bit vector
    m = len(a)
    if not m:
        return len(b)
    # The loop of edit_scores, specialised: called for every context comparison.
    get = char_masks(a).get
    full = (1 << m) - 1
    high = 1 << (m - 1)
    pv, mv, score = full, 0, m
    for ch in b:
        eq = get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (full ^ (xh | pv))  # xh may carry past bit m-1: masked below
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | 1) & full
        pv = ((mh << 1) & full) | (full ^ (xv | ph))
        mv = ph & xv
    return score


def approximate_spans(
    pattern: str, masks: dict[str, int], text: str, lo: int, hi: int, max_errors: int
) -> list[tuple[int, int]]:
    """Spans [start, end) of text[lo:hi] within `max_errors` edits of `pattern`, excluding exact
    copies (those were judged by the exact search already).

    For each run of adjacent end positions, the ends with the fewest errors, each with the start
    that reaches it with a length closest to the pattern's ("yes!" and "yes" are both one edit
    from "yes."; context scoring chooses between them later).
    """
    m = len(pattern)
    hits = edit_scores(pattern, masks, text[lo:hi], free_start=True, max_score=max_errors)
    runs: list[list[tuple[int, int]]] = []  # runs of consecutive (end, errors)
    previous = -2
    for end, errors in hits:
        if end == previous + 1:
            runs[-1].append((end, errors))
        else:
            runs.append([(end, errors)])
        previous = end
    ends = []
    for run in runs:
        fewest = min(errors for _, errors in run)
        ends.extend(hit for hit in run if hit[1] == fewest)
    reversed_pattern = pattern[::-1]
    reversed_masks = char_masks(reversed_pattern)
    spans = []
    for end, errors in ends:
        if errors == 0:
            continue
        abs_end = lo + end
        first = max(lo, abs_end - m - errors)
        segment = text[first:abs_end][::-1]
        back = edit_scores(
            reversed_pattern, reversed_masks, segment, free_start=False, max_score=errors
        )
        starts = [abs_end - length for length, dist in back if dist == errors]
        if starts:
            start = min(starts, key=lambda s: (abs(abs_end - s - m), -s))
            spans.append((start, abs_end))
    return spans
