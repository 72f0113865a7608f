"""Re-anchoring of marked passages when an article body is edited.

Pure Python, no Django: the annotation service stores what `anchor` returns and calls
`reanchor` whenever `Article.body` changes. Every offset in this module is a code-point index
into a Python ``str`` (not UTF-16 units, not bytes, not grapheme clusters): ``start`` is the
index of the passage's first code point and ``end`` is one past its last, so the quote is
``body[start:end]``. Lengths and edit distances are in code points too.

Each passage is placed by the first of these that succeeds:

1. *Mapping through the edit.* The edit from the old to the new body is computed once per call:
   the common prefix and suffix are trimmed (memcmp speed, O(log n) Python steps) and only the
   changed middle is diffed, lazily, when some passage overlaps it (Myers' O(ND) diff with a cap
   on D: character level when the middle is small, otherwise line level first and character
   level inside the changed line blocks, never difflib over the whole text). A passage inside
   the common prefix or suffix is placed in O(1) without any search. Otherwise its offsets are
   mapped through the diff; if the mapped span still reads the quote, it is ANCHORED.
2. *Exact search.* When the diff cuts through the passage, its quote may still be intact under
   another edit as small or smaller (diffs are ambiguous: "XX" -> "XXX"; a real edit can also
   be larger than the smallest diff explaining it). The occurrence that the cheapest edit
   preserving the passage leads to is ANCHORED. Failing that, the occurrence whose context
   (prefix/suffix similarity) and position fit best is ANCHORED, as in the Hypothesis client.
3. *Edited in place.* If the mapped span differs from the quote only in whitespace (NBSP,
   line breaks, doubled spaces), or a whitespace-insensitive occurrence is reached by the
   cheapest edit, or an approximate match within MAX_ERROR_RATIO overlaps the mapped span, it
   is FUZZY with the new text.
4. *Found elsewhere.* A whitespace-insensitive occurrence, or an approximate match searched near
   the position hint and then in a wider window (within a per-call budget), is FUZZY if its
   context vouches for it. Approximate matching is the bit-parallel algorithm of Myers (1999)
   in Hyyrö's formulation, as in the ``approx-string-match`` package the Hypothesis client
   uses; candidates are ranked with its weights (quote 50, prefix 20, suffix 20, position 2).
5. Otherwise the passage is ORPHANED and keeps its last quote, offsets and context. Anchors whose
   offsets do not read their quote in the old body (orphans being retried) skip 1 and 3.
"""

import bisect
import difflib
import enum
import functools
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

CONTEXT_CHARS = 32

#: A fuzzy match is accepted when edit distance / len(quote) is at most this (both in code points).
MAX_ERROR_RATIO = 0.25

# Middles up to this many code points (old + new) are diffed character by character directly,
# which gives a minimal edit script; larger ones go through a line diff first so that the
# character diff only ever sees changed line blocks.
DIRECT_CHAR_LIMIT = 8_192
# Caps on the Myers edit distance D (in code points or lines). Work is O(D^2) Python steps plus
# memcmp-speed snake extension, so these bound the time spent on one diff to a few milliseconds.
CHAR_MAX_D = 160
LINE_MAX_D = 400
# Myers steps all character diffs of one call may take together (about 0.1 s); changed line
# blocks beyond it, or needing more than CHAR_MAX_D, count as wholly replaced and their
# passages are found by search instead.
DIFF_STEP_BUDGET = 150_000

# Scoring weights of the Hypothesis client (match-quote.js).
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

# Exact occurrences beyond these are not considered / not fully scored (pathological quotes such
# as a single letter in a 100 KB body).
MAX_OCCURRENCES = 10_000
FULLY_SCORED_CANDIDATES = 16
# Occurrences nearest to the mapped position tested for being the passage merely shifted, and
# the largest edit (insertions plus deletions) considered for that.
KEPT_CHECKS = 8
KEEP_MAX_COST = CHAR_MAX_D

# Approximate search: the near window reaches this far (code points) beyond the quote's possible
# extent around the mapped span; the wide window this far around it, or the whole body when that
# is at most WIDE_WINDOW * 2 long. FUZZY_SCAN_BUDGET bounds the code points scanned by wide
# searches in one `reanchor` call (about 0.5-1 microsecond each); near windows are bounded by
# the passages' own length.
NEAR_WINDOW = 64
WIDE_WINDOW = 4_096
FUZZY_SCAN_BUDGET = 300_000
# Bit-parallel search costs O(len(quote) / 64) machine words per code point scanned, so longer
# quotes are only compared with the span the edit maps them to.
FUZZY_SEARCH_MAX_QUOTE = 1_000


class AnchorStatus(enum.StrEnum):
    ANCHORED = "anchored"  # unchanged or moved by the edit; body[start:end] == exact
    FUZZY = "fuzzy"  # the passage text itself was edited; closest match taken, flagged for review
    ORPHANED = "orphaned"  # no acceptable match; keeps its last quote and offsets


@dataclass(frozen=True, slots=True)
class Anchor:
    """What is stored for a passage: code-point offsets into the body, the quote and context."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


@dataclass(frozen=True, slots=True)
class Placement:
    """Result of re-anchoring one passage (offsets are code points into the new body)."""

    status: AnchorStatus
    start: int
    end: int
    exact: str  # new_body[start:end] for ANCHORED and FUZZY; the old quote for ORPHANED
    prefix: str  # context from the new body (ANCHORED/FUZZY); old prefix for ORPHANED
    suffix: str
    score: float  # 1.0 for exact anchors, match quality in (0,1) for fuzzy, 0.0 for orphaned


def context(body: str, start: int, end: int, width: int = CONTEXT_CHARS) -> tuple[str, str]:
    """Return (prefix, suffix): up to `width` code points before `start` and after `end`.

    Raises ValueError unless 0 <= start <= end <= len(body) and width >= 0 (a negative offset
    would silently slice from the end of the body).
    """
    if not 0 <= start <= end <= len(body):
        raise ValueError(f"span {start}-{end} is outside the body (0-{len(body)})")
    if width < 0:
        raise ValueError(f"width must not be negative, got {width}")
    return body[max(0, start - width) : start], body[end : end + width]


def _squeeze(text: str) -> str:
    """`text` without any whitespace (str.isspace: spaces, NBSP, newlines, tabs, U+2028...)."""
    return "".join(text.split())


def same_but_whitespace(a: str, b: str) -> bool:
    """True when a and b differ only in whitespace (NBSP, newlines, runs of spaces, or whitespace
    dropped/added entirely): browsers turn NBSP into spaces and change line breaks in selections.

    Whitespace means what str.isspace() accepts; identical strings are trivially True.
    """
    return a == b or _squeeze(a) == _squeeze(b)


def _whitespace_variant(text: str, exact: str) -> bool:
    """same_but_whitespace(text, exact), rejecting a long `text` by its head first (the mapped
    span of a rewritten passage can be most of the body)."""
    squeezed = _squeeze(exact)
    head = _squeeze(text[: len(exact) + CONTEXT_CHARS])
    if not (head.startswith(squeezed) or squeezed.startswith(head)):
        return False
    return _squeeze(text) == squeezed


def anchor(body: str, start: int, end: int) -> Anchor:
    """Anchor for body[start:end] with its context.

    Raises ValueError unless 0 <= start < end <= len(body) (code points).
    """
    if not 0 <= start < end <= len(body):
        raise ValueError(
            f"a passage needs 0 <= start < end <= {len(body)} (code points), got {start}-{end}"
        )
    prefix, suffix = context(body, start, end)
    return Anchor(start, end, body[start:end], prefix, suffix)


def reanchor(old_body: str, new_body: str, anchors: Sequence[Anchor]) -> list[Placement]:
    """Place every anchor (made against old_body) in new_body; one Placement per anchor, same order.

    Anchors whose offsets no longer read their quote in `old_body` (e.g. a passage orphaned in an
    earlier revision, being retried) skip the mapping step and are searched for directly.
    """
    placer = _Placer(old_body, new_body)
    return [placer.place(a) for a in anchors]


# --------------------------------------------------------------------------------------------
# Fast comparison helpers


def _common_prefix_len(a: Sequence, b: Sequence, i: int = 0, j: int = 0) -> int:
    """Length of the longest common prefix of a[i:] and b[j:] (items, i.e. code points for str).

    Galloping over slice comparisons: the comparing runs at memcmp speed and only O(log n)
    Python steps are taken, which matters for 100 KB bodies.
    """
    n = min(len(a) - i, len(b) - j)
    if n <= 0 or a[i] != b[j]:
        return 0
    lo, step = 1, 32
    while lo < n:
        hi = min(n, lo + step)
        if a[i + lo : i + hi] == b[j + lo : j + hi]:
            lo = hi
            step <<= 1
            continue
        hi -= 1  # the first mismatch is at an index in [lo, hi]
        while lo < hi:
            mid = (lo + hi) // 2
            if a[i + lo : i + mid + 1] == b[j + lo : j + mid + 1]:
                lo = mid + 1
            else:
                hi = mid
        return lo
    return n


def _common_suffix_len(a: Sequence, b: Sequence) -> int:
    """Length of the longest common suffix of a and b (items), by galloping like the prefix."""
    la, lb = len(a), len(b)
    n = min(la, lb)
    if n <= 0 or a[la - 1] != b[lb - 1]:
        return 0
    lo, step = 1, 32
    while lo < n:
        hi = min(n, lo + step)
        if a[la - hi : la - lo] == b[lb - hi : lb - lo]:
            lo = hi
            step <<= 1
            continue
        hi -= 1
        while lo < hi:
            mid = (lo + hi) // 2
            if a[la - mid - 1 : la - lo] == b[lb - mid - 1 : lb - lo]:
                lo = mid + 1
            else:
                hi = mid
        return lo
    return n


# --------------------------------------------------------------------------------------------
# Diff: Myers' O(ND) algorithm with a cap on D


Block = tuple[int, int, int]  # (index in a, index in b, length) of a run of equal items


def _myers_blocks(a: Sequence, b: Sequence, max_d: int) -> list[Block] | None:
    """Equal blocks of a minimal (insert/delete) edit script from a to b, or None if it needs
    more than `max_d` insertions plus deletions.

    Myers (1986) forward greedy search; the snake (run of equal items) is extended with
    `_common_prefix_len`, so Python work is O(D^2) whatever the lengths.
    """
    n, m = len(a), len(b)
    if abs(n - m) > max_d:
        return None
    if n == 0 or m == 0:
        return []
    offset = max_d + 1
    v = [-1] * (2 * max_d + 3)  # v[offset + k]: furthest x reached on diagonal k (y = x - k)
    history: list[list[int]] = []  # v after each d, to walk the path back

    def step_in(prev: list[int], d: int, k: int) -> int:
        """x at which the path for (d, k) enters diagonal k, or -1 if none can."""
        x = -1
        if k < d:  # down (insertion of b[y]) from diagonal k + 1
            xp = prev[offset + k + 1]
            if xp >= 0 and xp - (k + 1) < m:
                x = xp
        if k > -d:  # right (deletion of a[x]) from diagonal k - 1
            xp = prev[offset + k - 1]
            if 0 <= xp < n and xp + 1 > x:
                x = xp + 1
        return x

    end_d = end_k = -1
    for d in range(max_d + 1):
        # Diagonals of the parity of d that lie inside the grid (-m <= k <= n). Updating v in
        # place is safe: round d reads only diagonals of the other parity.
        k_lo = -d if d <= m else -m + (d - m) % 2
        k_hi = d if d <= n else n - (d - n) % 2
        for k in range(k_lo, k_hi + 1, 2):
            # step_in, inlined: this loop is the hot spot of the diff.
            x = 0 if d == 0 else -1
            if 0 < d and k < d:
                xp = v[offset + k + 1]
                if xp >= 0 and xp - k <= m:
                    x = xp
            if k > -d:
                xp = v[offset + k - 1]
                if 0 <= xp < n and xp >= x:
                    x = xp + 1
            if x < 0:
                v[offset + k] = -1
                continue
            if x < n and x - k < m and a[x] == b[x - k]:
                x += _common_prefix_len(a, b, x, x - k)
            v[offset + k] = x
            if x >= n and x - k >= m:
                end_d, end_k = d, k
                break
        history.append(v[:])
        if end_d >= 0:
            break
    if end_d < 0:
        return None

    blocks: list[Block] = []
    k, x_end = end_k, n
    for d in range(end_d, -1, -1):
        x_start = 0 if d == 0 else step_in(history[d - 1], d, k)
        if x_end > x_start:
            blocks.append((x_start, x_start - k, x_end - x_start))
        if d == 0:
            break
        prev_x = history[d - 1]
        if k < d and prev_x[offset + k + 1] == x_start and x_start - (k + 1) < m:
            k += 1  # came down from diagonal k + 1
            x_end = x_start
        else:
            k -= 1  # came right from diagonal k - 1
            x_end = x_start - 1
    blocks.reverse()
    return blocks


class _DiffBudget:
    """Myers steps (diagonal extensions, about a microsecond each) one `reanchor` call may spend
    on character diffs; a block left over when it runs out counts as wholly replaced."""

    def __init__(self, steps: int) -> None:
        self.steps = steps

    def blocks(self, a: str, b: str) -> list[Block]:
        """Equal blocks of a minimal diff of a and b, or none if over CHAR_MAX_D or budget."""
        max_d = min(CHAR_MAX_D, math.isqrt(2 * max(0, self.steps)))
        blocks = _myers_blocks(a, b, max_d)
        if blocks is None:
            self.steps -= (max_d + 1) ** 2 // 2
            return []  # a rewrite: its passages are found by search instead
        d = len(a) + len(b) - 2 * sum(size for _, _, size in blocks)
        self.steps -= (d + 1) ** 2 // 2
        return blocks


def _line_then_char_blocks(a: str, b: str, budget: _DiffBudget) -> list[Block]:
    """Equal blocks between two large texts: lines first, then characters in changed blocks."""
    lines_a = a.splitlines(keepends=True)
    lines_b = b.splitlines(keepends=True)
    ids: dict[str, int] = {}
    ia = [ids.setdefault(line, len(ids)) for line in lines_a]
    ib = [ids.setdefault(line, len(ids)) for line in lines_b]
    line_blocks = _myers_blocks(ia, ib, LINE_MAX_D)
    if line_blocks is None:
        # Lines are hashed items, so difflib stays cheap here (it is quadratic in characters,
        # never used on the full text).
        matcher = difflib.SequenceMatcher(None, ia, ib, autojunk=False)
        line_blocks = [blk for blk in matcher.get_matching_blocks() if blk.size]
    starts_a = [0]
    for line in lines_a:
        starts_a.append(starts_a[-1] + len(line))
    starts_b = [0]
    for line in lines_b:
        starts_b.append(starts_b[-1] + len(line))

    blocks: list[Block] = []
    la = lb = 0  # line indices where the current changed line block starts
    for i, j, size in [*line_blocks, (len(lines_a), len(lines_b), 0)]:
        ca0, ca1 = starts_a[la], starts_a[i]
        cb0, cb1 = starts_b[lb], starts_b[j]
        if ca1 > ca0 and cb1 > cb0:
            for x, y, n in budget.blocks(a[ca0:ca1], b[cb0:cb1]):
                blocks.append((ca0 + x, cb0 + y, n))
        if size:
            blocks.append((starts_a[i], starts_b[j], starts_a[i + size] - starts_a[i]))
        la, lb = i + size, j + size
    return blocks


def _middle_blocks(a: str, b: str) -> list[Block]:
    """Equal blocks between the changed middles of the old and new body."""
    if not a or not b:
        return []
    budget = _DiffBudget(DIFF_STEP_BUDGET)
    if len(a) + len(b) <= DIRECT_CHAR_LIMIT:
        blocks = _myers_blocks(a, b, CHAR_MAX_D)
        if blocks is not None:
            return blocks
    return _line_then_char_blocks(a, b, budget)


def _indel_distance(a: str, b: str, max_d: int) -> int | None:
    """Insertions plus deletions turning a into b, or None if more than max_d."""
    p = _common_prefix_len(a, b)
    s = min(_common_suffix_len(a, b), len(a) - p, len(b) - p)
    a, b = a[p : len(a) - s], b[p : len(b) - s]
    blocks = _myers_blocks(a, b, max_d)
    if blocks is None:
        return None
    distance = len(a) + len(b) - 2 * sum(size for _, _, size in blocks)
    return distance if distance <= max_d else None


class _EditMap:
    """The edit from `old` to `new`, computed once per `reanchor` call, as an offset mapping.

    `prefix_len` is the full common prefix and `suffix_len` the full common suffix (they may
    overlap when the edit sits in repetitive text: "XX" -> "XXX"). A passage inside either keeps
    its text under some single edit no larger than the real one, so it is placed in O(1).
    The changed middle is diffed lazily, only when a passage overlaps it.
    """

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new
        self.prefix_len = _common_prefix_len(old, new)
        self.suffix_len = _common_suffix_len(old, new)
        self.delta = len(new) - len(old)
        self._old_starts: list[int] = []
        self._new_starts: list[int] = []
        self._sizes: list[int] = []
        self._built = False

    def untouched(self, start: int, end: int) -> int | None:
        """New start of old span [start, end) if the edit can be read as leaving it alone."""
        if end <= self.prefix_len:
            return start
        if start >= len(self.old) - self.suffix_len:
            return start + self.delta
        return None

    def _build(self) -> None:
        old, new, p = self.old, self.new, self.prefix_len
        # The trimmed suffix must not overlap the trimmed prefix.
        s = min(self.suffix_len, len(old) - p, len(new) - p)
        blocks: list[Block] = [(0, 0, p)] if p else []
        for i, j, n in _middle_blocks(old[p : len(old) - s], new[p : len(new) - s]):
            blocks.append((p + i, p + j, n))
        if s:
            blocks.append((len(old) - s, len(new) - s, s))
        for i, j, n in blocks:
            if n:
                self._old_starts.append(i)
                self._new_starts.append(j)
                self._sizes.append(n)
        self._built = True

    def keep_cost(self, start: int, end: int, new_start: int, new_end: int, cap: int) -> int | None:
        """Fewest insertions plus deletions outside the passage of an edit turning old into new
        that carries old[start:end] to new[new_start:new_end]; None if more than `cap`.

        This makes the mapping exact where the diff is ambiguous: in "a b" -> "a  b" either
        space may be the new one, and an edit may be larger than the smallest diff explaining
        it. O(cap^2) Python steps at worst.
        """
        old, new = self.old, self.new
        # Lengths alone need this many insertions or deletions.
        if abs(start - new_start) + abs(len(old) - end - (len(new) - new_end)) > cap:
            return None
        left = _indel_distance(old[:start], new[:new_start], cap)
        if left is None:
            return None
        right = _indel_distance(old[end:], new[new_end:], cap - left)
        return None if right is None else left + right

    def map_span(self, start: int, end: int) -> tuple[int, int]:
        """Map old [start, end) to new offsets.

        Code points kept by the edit map to their new index. A start inside changed text maps to
        the start of its replacement and an end inside changed text to the end of it, so the
        mapped span covers whatever replaced the passage's edges; text inserted exactly at a
        passage edge stays outside it.
        """
        if not self._built:
            self._build()
        starts, new_starts, sizes = self._old_starts, self._new_starts, self._sizes
        i = bisect.bisect_right(starts, start) - 1
        if i >= 0 and start < starts[i] + sizes[i]:
            new_start = new_starts[i] + start - starts[i]
        else:
            new_start = new_starts[i] + sizes[i] if i >= 0 else 0
        i = bisect.bisect_right(starts, end - 1) - 1
        if i >= 0 and end - 1 < starts[i] + sizes[i]:
            new_end = new_starts[i] + end - starts[i]
        else:
            new_end = new_starts[i + 1] if i + 1 < len(starts) else len(self.new)
        return new_start, max(new_start, new_end)


# --------------------------------------------------------------------------------------------
# Bit-parallel edit distance (Myers 1999, in Hyyrö's formulation)


@functools.lru_cache(maxsize=1_024)
def _char_masks(pattern: str) -> dict[str, int]:
    """For each code point of `pattern`, the bit mask of the positions where it occurs."""
    masks: dict[str, int] = {}
    for i, ch in enumerate(pattern):
        masks[ch] = masks.get(ch, 0) | (1 << i)
    return masks


def _edit_scores(
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
    # The loop of _edit_scores, specialised: called for every context comparison.
    get = _char_masks(a).get
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


def _similarity(stored: str, found: str) -> float:
    """1 - edit distance / longer length, in [0, 1]; two empty strings are identical."""
    if stored == found:
        return 1.0
    return 1.0 - levenshtein(stored, found) / max(len(stored), len(found))


# Stored context shorter than this (a passage near the body's edge) counts as partial evidence.
_FULL_EVIDENCE = CONTEXT_CHARS // 2


def _context_similarity(stored: str, found: str, *, before: bool) -> float:
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
        scores = _edit_scores(
            stored, _char_masks(stored), found, free_start=before, max_score=len(stored)
        )
        if before:
            # The alignment must end where the candidate starts: the last position.
            distance = scores[-1][1] if scores and scores[-1][0] == len(found) else len(stored)
        else:
            distance = min((score for _, score in scores), default=len(stored))
    return max(0, len(stored) - distance) / max(len(stored), _FULL_EVIDENCE)


# --------------------------------------------------------------------------------------------
# Placing one passage


# \s and \S follow str.isspace() for str patterns (both use Py_UNICODE_ISSPACE).
_NON_SPACE_RUNS = re.compile(r"(\S+)")


class _SqueezedIndex:
    """A body with its whitespace removed, and the way back to code-point offsets in the body.

    Built once per `reanchor` call when needed, with C-speed splitting and accumulation rather
    than a Python loop over the body's code points.
    """

    def __init__(self, body: str) -> None:
        parts = _NON_SPACE_RUNS.split(body)  # whitespace, word, whitespace, ..., whitespace
        words = parts[1::2]
        self.text = "".join(words)
        self._run_starts = list(itertools.accumulate(map(len, parts), initial=0))[1::2]
        self._squeezed_starts = list(itertools.accumulate(map(len, words), initial=0))

    def position(self, i: int) -> int:
        """Offset in the body of the code point at index i of the squeezed text."""
        run = bisect.bisect_right(self._squeezed_starts, i) - 1
        return self._run_starts[run] + i - self._squeezed_starts[run]


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    total: float  # Hypothesis-style weighted score in [0, 1]
    context_sim: float  # the better of prefix and suffix similarity, in [0, 1]
    credible: bool  # context or quote length vouches for a match found by searching


class _Placer:
    """State shared by the passages of one `reanchor` call (edit map, indexes, scan budget)."""

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new
        self.edit = _EditMap(old, new)
        self._squeezed: _SqueezedIndex | None = None
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
            found = self._best(a, hint, kept, quote_sim=1.0)
            if found is not None:
                return self._placed(AnchorStatus.ANCHORED, found.start, found.end, 1.0)
        # Otherwise the occurrence whose context and position fit best. No context floor here:
        # an edit can be larger than the smallest diff explaining it (the diff may then see the
        # passage deleted while the real edit left it alone next to a deleted copy), and the
        # text is right wherever it is found.
        found = self._best(a, hint, occurrences, quote_sim=1.0)
        if found is not None:
            return self._placed(AnchorStatus.ANCHORED, found.start, found.end, 1.0)

        if mapped is not None:
            # The passage's own text was edited: if what replaced it is still close to the
            # quote, that is the passage.
            if mapped[0] < mapped[1] and _whitespace_variant(new[mapped[0] : mapped[1]], exact):
                return self._fuzzy(a, mapped[0], mapped[1], hint)
            # The diff may align whitespace around the passage differently from how it was
            # edited ("h e" -> "h\ne" next to another whitespace change): look for the quote
            # ignoring whitespace where the passage maps to.
            spans = self._kept_occurrences(a, self._whitespace_occurrences(exact), mapped)
            found = self._best(a, hint, spans, quote_sim=None)
            if found is not None:
                return self._placed(AnchorStatus.FUZZY, found.start, found.end, _fuzzy_score(found))
        near = self._near_matches(a, hint, mapped)
        if mapped is not None:
            found = _top([c for c in near if _overlaps(c, mapped)])
            if found is not None:
                return self._placed(AnchorStatus.FUZZY, found.start, found.end, _fuzzy_score(found))

        # Not where the edit puts the passage: the context has to vouch for a match.
        found = self._best(a, hint, self._whitespace_occurrences(exact), quote_sim=None)
        if found is not None and found.credible:
            return self._placed(AnchorStatus.FUZZY, found.start, found.end, _fuzzy_score(found))
        found = _vouched(near) or self._wide_match(a, hint)
        if found is not None:
            return self._placed(AnchorStatus.FUZZY, found.start, found.end, _fuzzy_score(found))
        return self._orphan(a)

    # -- results

    def _placed(self, status: AnchorStatus, start: int, end: int, score: float) -> Placement:
        prefix, suffix = context(self.new, start, end)
        return Placement(status, start, end, self.new[start:end], prefix, suffix, score)

    def _fuzzy(self, a: Anchor, start: int, end: int, hint: tuple[int, int]) -> Placement:
        cand = self._score(a, hint, start, end, quote_sim=None)
        return self._placed(AnchorStatus.FUZZY, start, end, _fuzzy_score(cand))

    @staticmethod
    def _orphan(a: Anchor) -> Placement:
        return Placement(AnchorStatus.ORPHANED, a.start, a.end, a.exact, a.prefix, a.suffix, 0.0)

    # -- scoring

    def _score(
        self, a: Anchor, hint: tuple[int, int], start: int, end: int, quote_sim: float | None
    ) -> _Candidate:
        """Weighted score of new[start:end] as the new place of `a` (quote_sim None: compute)."""
        new = self.new
        if quote_sim is None:
            quote_sim = _similarity(a.exact, new[start:end])
        width = max(CONTEXT_CHARS, len(a.prefix), len(a.suffix))
        prefix_sim = _context_similarity(a.prefix, new[max(0, start - width) : start], before=True)
        suffix_sim = _context_similarity(a.suffix, new[end : end + width], before=False)
        position_sim = 1.0 - min(1.0, abs(start - hint[0]) / max(1, len(new)))
        total = (
            _QUOTE_WEIGHT * quote_sim
            + _PREFIX_WEIGHT * prefix_sim
            + _SUFFIX_WEIGHT * suffix_sim
            + _POSITION_WEIGHT * position_sim
        ) / _WEIGHT_SUM
        context_sim = max(prefix_sim, suffix_sim)
        credible = context_sim >= MIN_CONTEXT_SIMILARITY or len(a.exact) >= SELF_IDENTIFYING_QUOTE
        return _Candidate(start, end, total, context_sim, credible)

    def _best(
        self,
        a: Anchor,
        hint: tuple[int, int],
        spans: list[tuple[int, int]],
        quote_sim: float | None,
    ) -> _Candidate | None:
        """Best-scoring of `spans`; with many, a cheap exact-context pre-ranking picks the few
        that get the full (edit distance) scoring."""
        if not spans:
            return None
        if len(spans) > FULLY_SCORED_CANDIDATES:
            new = self.new
            prefix, suffix = a.prefix, a.suffix

            def rough(span: tuple[int, int]) -> tuple[int, int]:
                start, end = span
                agree = _common_suffix_len(prefix, new[max(0, start - len(prefix)) : start])
                agree += _common_prefix_len(suffix, new[end : end + len(suffix)])
                return -agree, abs(start - hint[0])

            spans = sorted(spans, key=rough)[:FULLY_SCORED_CANDIDATES]
        return _top([self._score(a, hint, s, e, quote_sim) for s, e in spans])

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
        needle = _squeeze(exact)
        if not needle:
            return []
        new = self.new
        if self._squeezed is None:
            self._squeezed = _SqueezedIndex(new)
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
    ) -> list[_Candidate]:
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

    def _wide_match(self, a: Anchor, hint: tuple[int, int]) -> _Candidate | None:
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
        return _vouched(self._scan(a, hint, wide, max_errors))

    def _mapped_span_match(
        self,
        a: Anchor,
        hint: tuple[int, int],
        mapped: tuple[int, int] | None,
        max_errors: int,
    ) -> _Candidate | None:
        """The mapped span itself as the approximate match of a long quote, if close enough."""
        if mapped is None or mapped[0] >= mapped[1]:
            return None
        start, end = mapped
        if abs(end - start - len(a.exact)) > max_errors:
            return None
        errors = levenshtein(a.exact, self.new[start:end])
        if not 0 < errors <= max_errors:
            return None
        return self._score(a, hint, start, end, quote_sim=1.0 - errors / len(a.exact))

    def _scan(
        self, a: Anchor, hint: tuple[int, int], windows: list[tuple[int, int]], max_errors: int
    ) -> list[_Candidate]:
        """Scored approximate matches of the quote in `windows` of the new body."""
        exact, new = a.exact, self.new
        masks = _char_masks(exact)
        spans: set[tuple[int, int]] = set()
        for lo, hi in _merge(windows, limit=len(new)):
            spans.update(_approximate_spans(exact, masks, new, lo, hi, max_errors))
        return [self._score(a, hint, s, e, quote_sim=None) for s, e in sorted(spans)]


def _top(candidates: list[_Candidate]) -> _Candidate | None:
    """The best-scoring candidate; ties go to the earliest start."""
    return max(candidates, key=lambda c: (c.total, -c.start), default=None)


def _vouched(candidates: list[_Candidate]) -> _Candidate | None:
    """The best candidate whose context is similar enough to the stored one."""
    return _top([c for c in candidates if c.context_sim >= MIN_CONTEXT_SIMILARITY])


def _overlaps(found: tuple[int, int] | _Candidate, span: tuple[int, int]) -> bool:
    """Whether `found` shares a code point with `span`, or touches it if `span` is empty."""
    f_start, f_end = (found.start, found.end) if isinstance(found, _Candidate) else found
    start, end = span
    if start == end:
        return f_start <= start <= f_end
    return f_start < end and start < f_end


def _fuzzy_score(candidate: _Candidate) -> float:
    """Placement score of a FUZZY match: its weighted score, kept strictly inside (0, 1)."""
    return min(0.99, max(0.01, round(candidate.total, 4)))


def _merge(windows: list[tuple[int, int]], limit: int | None = None) -> list[tuple[int, int]]:
    """Sort, clip to [0, limit] and merge overlapping [lo, hi) windows."""
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(windows):
        lo = max(0, lo)
        if limit is not None:
            hi = min(limit, hi)
        if lo >= hi:
            continue
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _approximate_spans(
    pattern: str, masks: dict[str, int], text: str, lo: int, hi: int, max_errors: int
) -> list[tuple[int, int]]:
    """Spans [start, end) of text[lo:hi] within `max_errors` edits of `pattern`, excluding exact
    copies (those were judged by the exact search already).

    For each run of adjacent end positions, the ends with the fewest errors, each with the start
    that reaches it with a length closest to the pattern's ("yes!" and "yes" are both one edit
    from "yes."; context scoring chooses between them later).
    """
    m = len(pattern)
    hits = _edit_scores(pattern, masks, text[lo:hi], free_start=True, max_score=max_errors)
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
    reversed_masks = _char_masks(reversed_pattern)
    spans = []
    for end, errors in ends:
        if errors == 0:
            continue
        abs_end = lo + end
        first = max(lo, abs_end - m - errors)
        segment = text[first:abs_end][::-1]
        back = _edit_scores(
            reversed_pattern, reversed_masks, segment, free_start=False, max_score=errors
        )
        starts = [abs_end - length for length, dist in back if dist == errors]
        if starts:
            start = min(starts, key=lambda s: (abs(abs_end - s - m), -s))
            spans.append((start, abs_end))
    return spans
