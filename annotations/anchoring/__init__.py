"""Re-anchoring of marked passages when an article body is edited.

Pure Python, no Django: the annotation actions store what `anchor` returns and call `reanchor`
whenever `Article.body` changes. Every offset here is a code-point index into a Python ``str``
(not UTF-16 units, not bytes, not grapheme clusters): ``start`` is the index of the passage's
first code point and ``end`` is one past its last, so the quote is ``body[start:end]``. Lengths
and edit distances are in code points too.

The package, along its seams:

- `anchors`: what is stored (`Anchor`), what re-anchoring returns (`Placement`, `AnchorStatus`),
  `anchor()` and `context()`, and `CONTEXT_CHARS`.
- `diff`: Myers' O(ND) diff with a cap on D. The common prefix and suffix are trimmed first and
  only the changed middle is diffed: character by character when small, otherwise line by line
  first and character by character inside the changed line blocks.
- `edit_map`: that edit as a mapping of old offsets to new ones, built lazily, only when some
  passage overlaps the changed middle; a passage inside the common prefix or suffix is placed
  without any search.
- `matching`: approximate matching, the bit-parallel algorithm of Myers (1999) in Hyyrö's
  formulation, as in the ``approx-string-match`` package the Hypothesis client uses.
- `whitespace`: comparing and finding quotes while ignoring whitespace (NBSP, line breaks).
- `scoring`: ranking candidates with the Hypothesis client's weights (quote 50, prefix 20,
  suffix 20, position 2), and whether their context vouches for them.
- `cascade`: `reanchor`, placing each passage by the first step that succeeds: mapped through
  the edit, exact search, edited in place (FUZZY), found elsewhere (FUZZY), else ORPHANED.
  Anchors whose offsets do not read their quote in the old body (orphans being retried) skip
  the mapping and in-place steps.
"""

from annotations.anchoring.anchors import (
    CONTEXT_CHARS,
    Anchor,
    AnchorStatus,
    Placement,
    anchor,
    context,
)
from annotations.anchoring.cascade import MAX_ERROR_RATIO, reanchor
from annotations.anchoring.matching import levenshtein
from annotations.anchoring.whitespace import same_but_whitespace

__all__ = [
    "CONTEXT_CHARS",
    "MAX_ERROR_RATIO",
    "Anchor",
    "AnchorStatus",
    "Placement",
    "anchor",
    "context",
    "levenshtein",
    "reanchor",
    "same_but_whitespace",
]
