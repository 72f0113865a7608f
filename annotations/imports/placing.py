"""Placing imported quotes in an article body, never silently wrong.

A `TextPositionSelector` is trusted only when the body reads the quote there (differences
in whitespace alone allowed, as for a selection in the workspace). Otherwise the quote is
searched for with its prefix and suffix by the re-anchoring cascade (`anchoring.reanchor`,
the body standing for both its old and new self): the exact occurrence whose context and
position fit best, else a close match that the context vouches for, imported as FUZZY.
Offsets are code points. Positions other tools count in UTF-16 units (Hypothesis's client
does) simply fail the check and fall back to the quote.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from annotations import anchoring
from annotations.imports.formats import Item


@dataclass(frozen=True, slots=True)
class Spot:
    """Where an item goes: `status` anchored or fuzzy (None: not found), code points."""

    status: anchoring.AnchorStatus | None
    start: int = 0
    end: int = 0
    score: float = 0.0


NOT_FOUND = Spot(None)


def _at_position(body: str, item: Item) -> Spot | None:
    start, end = item.start, item.end
    if start is None or end is None or not 0 <= start < end <= len(body):
        return None
    text = body[start:end]
    if text == item.exact or anchoring.same_but_whitespace(text, item.exact):
        return Spot(anchoring.AnchorStatus.ANCHORED, start, end, 1.0)
    return None


def place(body: str, items: Sequence[Item]) -> list[Spot]:
    """One Spot per item of one article, in order; the searches share one pass of set-up."""
    spots: list[Spot | None] = [_at_position(body, item) for item in items]
    searching = [i for i, spot in enumerate(spots) if spot is None]
    if searching:
        anchors = []
        for i in searching:
            item = items[i]
            # The position, when given, is still the best hint of where to look; an empty
            # span never reads the quote, so the cascade searches rather than trusts it.
            hint = item.start if item.start is not None else 0
            anchors.append(anchoring.Anchor(hint, hint, item.exact, item.prefix, item.suffix))
        for i, placement in zip(searching, anchoring.reanchor(body, body, anchors), strict=True):
            if placement.status == anchoring.AnchorStatus.ORPHANED:
                spots[i] = NOT_FOUND
            else:
                spots[i] = Spot(placement.status, placement.start, placement.end, placement.score)
    return spots
