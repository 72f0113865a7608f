"""The diff between two bodies: Myers' O(ND) algorithm with a cap on D.

The changed middle of an edit is diffed character by character when it is small (a minimal
edit script), otherwise line by line first and character by character inside the changed line
blocks, so no quadratic diff ever runs over the whole text. Lengths and distances are in items:
code points for ``str``, lines for the line diff.
"""

import difflib
import math
from collections.abc import Sequence

# Middles up to this many code points (old + new) are diffed character by character directly,
# which gives a minimal edit script; larger ones go through a line diff first so that the
# character diff only ever sees changed line blocks.
DIRECT_CHAR_LIMIT = 8_192
# Caps on the Myers edit distance D (in code points or lines). Work is O(D^2) Python steps plus
# snake extension at memcmp speed, so these bound the time spent on one diff.
CHAR_MAX_D = 160
LINE_MAX_D = 400
# Myers steps all character diffs of one `reanchor` call may take together; changed line blocks
# beyond it, or needing more than CHAR_MAX_D, count as wholly replaced and their passages are
# found by search instead.
DIFF_STEP_BUDGET = 150_000

Block = tuple[int, int, int]  # (index in a, index in b, length) of a run of equal items


def common_prefix_len(a: Sequence, b: Sequence, i: int = 0, j: int = 0) -> int:
    """Length of the longest common prefix of a[i:] and b[j:] (items, i.e. code points for str).

    Galloping over slice comparisons: the comparing runs at memcmp speed and only O(log n)
    Python steps are taken, whatever the length of the body.
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


def common_suffix_len(a: Sequence, b: Sequence) -> int:
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


def _myers_blocks(a: Sequence, b: Sequence, max_d: int) -> list[Block] | None:
    """Equal blocks of a minimal (insert/delete) edit script from a to b, or None if it needs
    more than `max_d` insertions plus deletions.

    Myers (1986) forward greedy search; the snake (run of equal items) is extended with
    `common_prefix_len`, so Python work is O(D^2) whatever the lengths.
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
                x += common_prefix_len(a, b, x, x - k)
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
    """Myers steps (diagonal extensions) one `reanchor` call may spend on character diffs; a
    block left over when it runs out counts as wholly replaced."""

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


def middle_blocks(a: str, b: str) -> list[Block]:
    """Equal blocks between the changed middles of the old and new body."""
    if not a or not b:
        return []
    budget = _DiffBudget(DIFF_STEP_BUDGET)
    if len(a) + len(b) <= DIRECT_CHAR_LIMIT:
        blocks = _myers_blocks(a, b, CHAR_MAX_D)
        if blocks is not None:
            return blocks
    return _line_then_char_blocks(a, b, budget)


def indel_distance(a: str, b: str, max_d: int) -> int | None:
    """Insertions plus deletions turning a into b, or None if more than max_d."""
    p = common_prefix_len(a, b)
    s = min(common_suffix_len(a, b), len(a) - p, len(b) - p)
    a, b = a[p : len(a) - s], b[p : len(b) - s]
    blocks = _myers_blocks(a, b, max_d)
    if blocks is None:
        return None
    distance = len(a) + len(b) - 2 * sum(size for _, _, size in blocks)
    return distance if distance <= max_d else None
