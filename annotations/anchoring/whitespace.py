"""Comparing and finding text while ignoring whitespace.

Browsers turn NBSP into spaces and change line breaks in selections, so a quote that differs
from the body only in whitespace is still the same passage. Whitespace means what
``str.isspace()`` accepts (spaces, NBSP, newlines, tabs, U+2028...).
"""

import bisect
import itertools
import re

from annotations.anchoring.anchors import CONTEXT_CHARS

# \s and \S follow str.isspace() for str patterns (both use Py_UNICODE_ISSPACE).
_NON_SPACE_RUNS = re.compile(r"(\S+)")


def squeeze(text: str) -> str:
    """`text` without any whitespace."""
    return "".join(text.split())


def same_but_whitespace(a: str, b: str) -> bool:
    """True when a and b differ only in whitespace (NBSP, newlines, runs of spaces, or whitespace
    dropped/added entirely): browsers turn NBSP into spaces and change line breaks in selections.

    Whitespace means what str.isspace() accepts; identical strings are trivially True.
    """
    return a == b or squeeze(a) == squeeze(b)


def whitespace_variant(text: str, exact: str) -> bool:
    """same_but_whitespace(text, exact), rejecting a long `text` by its head first (the mapped
    span of a rewritten passage can be most of the body)."""
    squeezed = squeeze(exact)
    head = squeeze(text[: len(exact) + CONTEXT_CHARS])
    if not (head.startswith(squeezed) or squeezed.startswith(head)):
        return False
    return squeeze(text) == squeezed


class SqueezedIndex:
    """A body with its whitespace removed, and the way back to code-point offsets in the body.

    Built once per `reanchor` call when needed, with C-level splitting and accumulation rather
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
