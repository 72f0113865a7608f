"""The placement cascade: each passage is placed by the first step that succeeds.

1. Mapped through the edit (`EditMap`): ANCHORED if the mapped span still reads the quote.
2. Exact search: the occurrence the cheapest passage-preserving edit leads to, else the one
   whose context and position fit best, is ANCHORED.
3. Edited in place: a whitespace variant of the quote, or an approximate match within
   MAX_ERROR_RATIO, where the edit maps the passage is FUZZY.
4. Found elsewhere: a whitespace-insensitive or approximate match whose context vouches for it
   is FUZZY.
5. Otherwise ORPHANED, keeping the last quote, offsets and context.

Offsets are code points into the new body.
"""

from collections.abc import Sequence

from annotations.anchoring.anchors import Anchor, AnchorStatus, Placement, context
from annotations.anchoring.diff import CHAR_MAX_D
from annotations.anchoring.edit_map import EditMap
from annotations.anchoring.matching import approximate_spans, char_masks, levenshtein
from annotations.anchoring.scoring import (
    Candidate,
    best,
    fuzzy_score,
    score,
    top,
    vouched,
)
from annotations.anchoring.whitespace import SqueezedIndex, squeeze, whitespace_variant

#: A fuzzy match is accepted when edit distance / len(quote) is at most this (both in code points).
MAX_ERROR_RATIO = 0.25

# Exact occurrences beyond this are not considered (pathological quotes such as a single letter
# in a long body).
MAX_OCCURRENCES = 10_000
# Occurrences nearest to the mapped position tested for being the passage merely shifted, and
# the largest edit (insertions plus deletions) considered for that.
KEPT_CHECKS = 8
KEEP_MAX_COST = CHAR_MAX_D

# Approximate search: the near window reaches this far (code points) beyond the quote's possible
# extent around the mapped span; the wide window this far around it, or the whole body when that
# is at most WIDE_WINDOW * 2 long. FUZZY_SCAN_BUDGET bounds the code points scanned by wide
# searches in one `reanchor` call; near windows are bounded by the passages' own length.
NEAR_WINDOW = 64
WIDE_WINDOW = 4_096
FUZZY_SCAN_BUDGET = 300_000
# Bit-parallel search costs O(len(quote) / 64) machine words per code point scanned, so longer
# quotes are only compared with the span the edit maps them to.
FUZZY_SEARCH_MAX_QUOTE = 1_000


def reanchor(old_body: str, new_body: str, anchors: Sequence[Anchor]) -> list[Placement]:
    """Place every anchor (made against old_body) in new_body; one Placement per anchor, same order.

    Anchors whose offsets no longer read their quote in `old_body` (e.g. a passage orphaned in an
    earlier revision, being retried) skip the mapping step and are searched for directly.
    """
    placer = _Placer(old_body, new_body)
    return [placer.place(a) for a in anchors]


class _Placer:
    """State shared by the passages of one `reanchor` call (edit map, indexes, scan budget)."""

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new
        self.edit = EditMap(old, new)
        self._squeezed: SqueezedIndex | None = None
        self.scan_budget = FUZZY_SCAN_BUDGET

    def place(self, a: Anchor) -> Placement:
        exact = a.exact
        new = self.new
        if not exact:
            return self._orphan(a)
        mapped: tuple[int, int] | None = None
        if 0 <= a.start < a.end <= len(self.old) and self.old[a.start : a.end] == exact:
            shifted = self.edit.untouched(a.start, a.end)
            if shifted is not None:
                return self._placed(AnchorStatus.ANCHORED, shifted, shifted + len(exact), 1.0)
            mapped = self.edit.map_span(a.start, a.end)
            if new[mapped[0] : mapped[1]] == exact:
                return self._placed(AnchorStatus.ANCHORED, mapped[0], mapped[1], 1.0)
        # A retried anchor's offsets refer to some older body; they are still the best position
        # hint there is.
        hint = mapped or (min(max(a.start, 0), len(new)), min(max(a.end, 0), len(new)))

        occurrences = self._exact_occurrences(exact)
        if mapped is not None:
            # The diff may have put an edit inside a passage that an equally small edit leaves
            # alone (ties between minimal scripts, "XX" -> "XXX"), or the real edit may have
            # been larger than the diff and spared the passage. The occurrence that the
            # cheapest passage-preserving edit leads to is the passage itself, merely shifted.
            kept = self._kept_occurrences(a, occurrences, mapped)
            found = best(new, a, hint, kept, quote_sim=1.0)
            if found is not None:
                return self._placed(AnchorStatus.ANCHORED, found.start, found.end, 1.0)
        # Otherwise the occurrence whose context and position fit best. No context floor here:
        # an edit can be larger than the smallest diff explaining it (the diff may then see the
        # passage deleted while the real edit left it alone next to a deleted copy), and the
        # text is right wherever it is found.
        found = best(new, a, hint, occurrences, quote_sim=1.0)
        if found is not None:
            return self._placed(AnchorStatus.ANCHORED, found.start, found.end, 1.0)

        if mapped is not None:
            # The passage's own text was edited: if what replaced it is still close to the
            # quote, that is the passage.
            if mapped[0] < mapped[1] and whitespace_variant(new[mapped[0] : mapped[1]], exact):
                return self._fuzzy(a, mapped[0], mapped[1], hint)
            # The diff may align whitespace around the passage differently from how it was
            # edited ("h e" -> "h\ne" next to another whitespace change): look for the quote
            # ignoring whitespace where the passage maps to.
            spans = self._kept_occurrences(a, self._whitespace_occurrences(exact), mapped)
            found = best(new, a, hint, spans, quote_sim=None)
            if found is not None:
                return self._placed(AnchorStatus.FUZZY, found.start, found.end, fuzzy_score(found))
        near = self._near_matches(a, hint, mapped)
        if mapped is not None:
            found = top([c for c in near if _overlaps(c, mapped)])
            if found is not None:
                return self._placed(AnchorStatus.FUZZY, found.start, found.end, fuzzy_score(found))

        # Not where the edit puts the passage: the context has to vouch for a match.
        found = best(new, a, hint, self._whitespace_occurrences(exact), quote_sim=None)
        if found is not None and found.credible:
            return self._placed(AnchorStatus.FUZZY, found.start, found.end, fuzzy_score(found))
        found = vouched(near) or self._wide_match(a, hint)
        if found is not None:
            return self._placed(AnchorStatus.FUZZY, found.start, found.end, fuzzy_score(found))
        return self._orphan(a)

    # -- results

    def _placed(self, status: AnchorStatus, start: int, end: int, quality: float) -> Placement:
        prefix, suffix = context(self.new, start, end)
        return Placement(status, start, end, self.new[start:end], prefix, suffix, quality)

    def _fuzzy(self, a: Anchor, start: int, end: int, hint: tuple[int, int]) -> Placement:
        cand = score(self.new, a, hint, start, end, quote_sim=None)
        return self._placed(AnchorStatus.FUZZY, start, end, fuzzy_score(cand))

    @staticmethod
    def _orphan(a: Anchor) -> Placement:
        return Placement(AnchorStatus.ORPHANED, a.start, a.end, a.exact, a.prefix, a.suffix, 0.0)

    # -- searches

    def _exact_occurrences(self, exact: str) -> list[tuple[int, int]]:
        """Spans of every occurrence of `exact` in the new body (overlapping ones included)."""
        new, spans = self.new, []
        i = new.find(exact)
        while i >= 0 and len(spans) < MAX_OCCURRENCES:
            spans.append((i, i + len(exact)))
            i = new.find(exact, i + 1)
        return spans

    def _kept_occurrences(
        self, a: Anchor, occurrences: list[tuple[int, int]], mapped: tuple[int, int]
    ) -> list[tuple[int, int]]:
        """The occurrences reached by the cheapest edit that carries the passage there without
        touching it beyond the difference between quote and occurrence (ties included), among
        the KEPT_CHECKS nearest the mapped span and up to KEEP_MAX_COST; if none is that cheap,
        those overlapping the mapped span."""
        nearest = sorted(occurrences, key=lambda span: abs(span[0] - mapped[0]))[:KEPT_CHECKS]
        cap = KEEP_MAX_COST
        kept: list[tuple[int, int]] = []
        for span in nearest:
            cost = self.edit.keep_cost(a.start, a.end, span[0], span[1], cap)
            if cost is None:
                continue
            if cost < cap or not kept:
                kept = []
            kept.append(span)
            cap = cost  # later candidates need only be checked up to the best so far
        return kept or [span for span in occurrences if _overlaps(span, mapped)]

    def _whitespace_occurrences(self, exact: str) -> list[tuple[int, int]]:
        """Spans of the new body equal to `exact` once all whitespace is ignored on both sides.

        A span takes in as many adjacent whitespace code points as `exact` has leading and
        trailing ones (a passage "fox " stays "fox\u00a0", not "fox").
        """
        needle = squeeze(exact)
        if not needle:
            return []
        new = self.new
        if self._squeezed is None:
            self._squeezed = SqueezedIndex(new)
        index = self._squeezed
        lead = len(exact) - len(exact.lstrip())
        trail = len(exact) - len(exact.rstrip())
        spans = []
        i = index.text.find(needle)
        while i >= 0 and len(spans) < MAX_OCCURRENCES:
            start, end = index.position(i), index.position(i + len(needle) - 1) + 1
            for _ in range(lead):
                if start == 0 or not new[start - 1].isspace():
                    break
                start -= 1
            for _ in range(trail):
                if end == len(new) or not new[end].isspace():
                    break
                end += 1
            spans.append((start, end))
            i = index.text.find(needle, i + 1)
        return spans

    def _near_matches(
        self, a: Anchor, hint: tuple[int, int], mapped: tuple[int, int] | None
    ) -> list[Candidate]:
        """Scored approximate matches of the quote (within MAX_ERROR_RATIO, not exact) in the
        near window around the hint. Quotes longer than FUZZY_SEARCH_MAX_QUOTE are only
        compared with the mapped span."""
        exact = a.exact
        m = len(exact)
        max_errors = int(m * MAX_ERROR_RATIO)
        if max_errors == 0:
            return []  # a quote this short tolerates no edit; exact search already failed
        if m > FUZZY_SEARCH_MAX_QUOTE:
            found = self._mapped_span_match(a, hint, mapped, max_errors)
            return [] if found is None else [found]
        reach = m + max_errors + NEAR_WINDOW
        windows = [(hint[0] - reach, hint[0] + reach), (hint[1] - reach, hint[1] + reach)]
        return self._scan(a, hint, windows, max_errors)

    def _wide_match(self, a: Anchor, hint: tuple[int, int]) -> Candidate | None:
        """Best approximate match whose context vouches for it, searched in the wide window (or
        the whole body, if short) while the call's scan budget lasts."""
        m, new = len(a.exact), self.new
        max_errors = int(m * MAX_ERROR_RATIO)
        if max_errors == 0 or m > FUZZY_SEARCH_MAX_QUOTE:
            return None
        reach = m + max_errors + NEAR_WINDOW
        if len(new) <= 2 * WIDE_WINDOW:
            wide = [(0, len(new))]
        else:
            wide = _merge(
                [(hint[0] - WIDE_WINDOW - reach, hint[1] + WIDE_WINDOW + reach)], len(new)
            )
        cost = sum(hi - lo for lo, hi in wide)
        if cost > self.scan_budget:
            return None
        self.scan_budget -= cost
        return vouched(self._scan(a, hint, wide, max_errors))

    def _mapped_span_match(
        self,
        a: Anchor,
        hint: tuple[int, int],
        mapped: tuple[int, int] | None,
        max_errors: int,
    ) -> Candidate | None:
        """The mapped span itself as the approximate match of a long quote, if close enough."""
        if mapped is None or mapped[0] >= mapped[1]:
            return None
        start, end = mapped
        if abs(end - start - len(a.exact)) > max_errors:
            return None
        errors = levenshtein(a.exact, self.new[start:end])
        if not 0 < errors <= max_errors:
            return None
        return score(self.new, a, hint, start, end, quote_sim=1.0 - errors / len(a.exact))

    def _scan(
        self, a: Anchor, hint: tuple[int, int], windows: list[tuple[int, int]], max_errors: int
    ) -> list[Candidate]:
        """Scored approximate matches of the quote in `windows` of the new body."""
        exact, new = a.exact, self.new
        masks = char_masks(exact)
        spans: set[tuple[int, int]] = set()
        for lo, hi in _merge(windows, limit=len(new)):
            spans.update(approximate_spans(exact, masks, new, lo, hi, max_errors))
        return [score(self.new, a, hint, s, e, quote_sim=None) for s, e in sorted(spans)]


def _overlaps(found: tuple[int, int] | Candidate, span: tuple[int, int]) -> bool:
    """Whether `found` shares a code point with `span`, or touches it if `span` is empty."""
    f_start, f_end = (found.start, found.end) if isinstance(found, Candidate) else found
    start, end = span
    if start == end:
        return f_start <= start <= f_end
    return f_start < end and start < f_end


def _merge(windows: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    """Sort, clip to [0, limit] and merge overlapping [lo, hi) windows."""
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(windows):
        lo, hi = max(0, lo), min(limit, hi)
        if lo >= hi:
            continue
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out
