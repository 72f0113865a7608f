"""Article bodies as HTML paragraphs with every passage highlighted.

Passages may overlap or nest, so markup cannot be inserted into the text. Instead the
body is cut at every passage boundary into segments, each knowing the set of passages
covering it, and every segment is escaped and wrapped on its own: one `<mark>` per
covered segment, with a class per covering passage. Offsets are code-point indices
(Python `str` indices) into the body, as everywhere in Gloss.
"""

from bisect import insort
from collections.abc import Iterable, Sequence
from html import escape
from itertools import filterfalse
from typing import NamedTuple

from django.utils.safestring import SafeString, mark_safe

# `escape` is the standard library's, which is all `django.utils.html.escape` does
# (`SafeString(html.escape(str(text)))`) minus its lazy-string wrapper: a 500-passage
# article escapes a few thousand pieces, and the wrapper cost more than the escaping.


class Span(NamedTuple):
    """A passage to highlight: `body[start:end]`, coloured by the class `tag-<tag_id>`."""

    id: int
    start: int
    end: int
    tag_id: int | None = None
    label: str = ""


class Segment(NamedTuple):
    """`body[start:end]`, covered by the passages in `covering` (ids, innermost first)."""

    start: int
    end: int
    covering: tuple[int, ...]


class Highlighted(NamedTuple):
    """The highlighted body, and for each placed passage the `hl-<id>` its links target.

    Every passage's first segment carries an id; when several passages start on the same
    segment it can carry only one, so the others' links point at that same segment.
    """

    html: SafeString
    anchors: dict[int, int]


def segments(length: int, spans: Iterable[Span], cuts: Iterable[int] = ()) -> list[Segment]:
    """Cut `[0, length)` at every span boundary (and at `cuts`) into covered segments.

    Spans reaching outside the text are clipped; empty ones are ignored. `covering`
    lists the ids of the spans containing the segment, the shortest (innermost) first,
    so a link on the segment leads to the most specific passage.
    """
    # Each usable span as its sort key (length, start, id): kept in a sorted list while
    # the sweep below passes over it, so the open spans are always innermost first.
    starting: dict[int, list[tuple[int, int, int]]] = {}
    ending: dict[int, list[tuple[int, int, int]]] = {}
    points = {0, length}
    points.update(p for p in cuts if 0 < p < length)
    for span in spans:
        start, end = max(0, span.start), min(length, span.end)
        if end > start:
            points.add(start)
            points.add(end)
            key = (end - start, start, span.id)
            starting.setdefault(start, []).append(key)
            ending.setdefault(end, []).append(key)
    bounds = sorted(points)
    # A sweep over the boundaries (testing every span against every segment was
    # quadratic: most of a 500-passage article's time).
    open_keys: list[tuple[int, int, int]] = []
    covering: tuple[int, ...] = ()
    result = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        closing, opening = ending.get(start), starting.get(start)
        if closing or opening:
            for key in closing or ():
                open_keys.remove(key)
            for key in opening or ():
                insort(open_keys, key)
            covering = tuple([key[2] for key in open_keys])
        result.append(Segment(start, end, covering))
    return result


def paragraphs(body: str) -> list[tuple[int, int]]:
    """`(start, end)` of every line of `body` that holds more than whitespace."""
    result = []
    position = 0
    for line in body.splitlines(keepends=True):
        text = line.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        if text.strip():
            result.append((position, position + len(text)))
        position += len(line)
    return result


def highlight_passages(body: str, spans: Sequence[Span]) -> Highlighted:
    """The body as `<p>` elements, passages highlighted, all text escaped; and anchors.

    Each covered segment becomes
    `<mark class="hl hl-depth-N [tag-T] hl-passage-A hl-passage-B..." [id="hl-A"]
    title="labels"><a href="#passage-A">text</a></mark>`, A the innermost passage.
    """
    paras = paragraphs(body)
    cuts = [p for para in paras for p in para]
    # What each passage adds to a mark, escaped once instead of once per segment it covers.
    # (Ids are ints, and an int's digits need no escaping.)
    passage_class = {span.id: f"hl-passage-{int(span.id)}" for span in spans}
    tag_class = {span.id: f"tag-{int(span.tag_id)}" for span in spans if span.tag_id}
    label = {span.id: escape(span.label) for span in spans if span.label}
    link = {span.id: int(span.id) for span in spans}
    anchors: dict[int, int] = {}
    pieces = segments(len(body), spans, cuts)
    html = []
    index = 0
    count = len(pieces)
    for para_start, para_end in paras:
        while index < count and pieces[index].end <= para_start:
            index += 1
        inside = []
        while index < count and pieces[index].start < para_end:
            start, end, covering = pieces[index]
            index += 1
            text = escape(body[start:end])
            if not covering:
                inside.append(text)
                continue
            # Colour of the innermost tagged passage; an untagged one is still marked.
            tag = next(filter(None, map(tag_class.get, covering)), None)
            classes = (
                f"hl hl-depth-{min(len(covering), 3)}"
                + ("" if tag is None else " " + tag)
                + " "
                + " ".join(map(passage_class.__getitem__, covering))
            )
            # The first segment of each passage carries an id, so the list can link back.
            new = list(filterfalse(anchors.__contains__, covering))
            id_attr = ""
            if new:
                id_attr = f' id="hl-{link[new[0]]}"'
                anchors.update(dict.fromkeys(new, new[0]))
            title = "; ".join(filter(None, map(label.get, covering)))
            inside.append(
                f'<mark class="{classes}"{id_attr} title="{title}">'
                f'<a href="#passage-{link[covering[0]]}">{text}</a></mark>'
            )
        html.append("<p>" + "".join(inside) + "</p>")
    # Every piece above is escaped text or markup built around escaped text.
    return Highlighted(mark_safe("\n".join(html)), anchors)  # noqa: S308
