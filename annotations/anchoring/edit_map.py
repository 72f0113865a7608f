"""The edit from the old body to the new one, as a mapping of code-point offsets."""

import bisect

from annotations.anchoring.diff import (
    Block,
    common_prefix_len,
    common_suffix_len,
    indel_distance,
    middle_blocks,
)


class EditMap:
    """The edit from `old` to `new`, computed once per `reanchor` call, as an offset mapping.

    `prefix_len` is the full common prefix and `suffix_len` the full common suffix (they may
    overlap when the edit sits in repetitive text: "XX" -> "XXX"). A passage inside either keeps
    its text under some single edit no larger than the real one, so it is placed in O(1).
    The changed middle is diffed lazily, only when a passage overlaps it.
    """

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new
        self.prefix_len = common_prefix_len(old, new)
        self.suffix_len = common_suffix_len(old, new)
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
        for i, j, n in middle_blocks(old[p : len(old) - s], new[p : len(new) - s]):
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
        left = indel_distance(old[:start], new[:new_start], cap)
        if left is None:
            return None
        right = indel_distance(old[end:], new[new_end:], cap - left)
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
