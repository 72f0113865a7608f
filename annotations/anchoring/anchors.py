"""What is stored for a passage, what re-anchoring returns, and how both are made from a body.

Offsets are code-point indices into a Python ``str``: ``start`` is the index of the passage's
first code point and ``end`` is one past its last, so the quote is ``body[start:end]``.
"""

import enum
from dataclasses import dataclass

#: Code points of context stored on each side of a passage (``Annotation.prefix``/``suffix``
#: are this wide, so the models take their field length from here).
CONTEXT_CHARS = 32


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
