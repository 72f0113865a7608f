"""Article bodies with every passage highlighted: the one segmenter of Gloss.

Passages may overlap or nest, so markup cannot be inserted into the text. Instead the
body is cut at every passage boundary into segments, each knowing the set of passages
covering it, and `templates/publishing/highlighted_body.html` escapes and wraps every
segment on its own: one `<mark>` per covered segment, with a class per covering passage.
The public article page and the annotation workspace both render their body here, so a
passage has the same colour everywhere (workspace.js asks the server for the body again
after a write rather than drawing it itself). Offsets are code-point indices (Python `str`
indices) into the body, as everywhere in Gloss.

The rule, in one place: a segment's passages are ordered innermost first (shortest, then
the earliest start, then the lowest id); its colour is the first tag (in the order tags
were added) of the first of them that has a tag; its link leads to the first of them.
"""

from bisect import insort
from collections.abc import Iterable, Sequence
from itertools import filterfalse
from typing import NamedTuple

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe


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


class Piece(NamedTuple):
    """A stretch of a paragraph as the template prints it: plain text when `classes` is
    empty, else a mark (`hl-<anchor>` its id if any). The template unpacks these tuples
    in its loop (no attribute lookups: a 500-passage article has a thousand pieces).

    On the public page (`linked`) a mark with an anchor is where passages start: its
    text is the one link to the passage list (`#passage-<anchor>`), with `name` as its
    accessible name, so each passage is one focus stop, not one per segment."""

    text: str
    classes: str = ""
    # The id's number (`hl-<anchor>`), as text.
    anchor: str | None = None
    title: str = ""
    # The innermost passage covering the stretch (its first `hl-passage-` class).
    link: int | None = None
    # The entry link's accessible name: its words, then every passage starting there.
    name: str = ""


class Highlighted(NamedTuple):
    """The highlighted body, and for each placed passage the `hl-<id>` its links target.

    Every passage's first segment carries an id; when several passages start on the same
    segment it can carry only one, so the others' links point at that same segment.
    `linked` (the public page): one `<p>` per non-blank line; the first segment of each
    passage links to the passage list and is classed `hl-starts`, a passage's last
    segment `hl-ends` (the stylesheet draws a notch there, so neighbouring passages of
    one colour stay apart). Otherwise (the workspace) the whole text, every character of
    it, so the element's textContent is the body exactly and the browser's offsets are
    ours (workspace.js classes the edges itself).
    """

    paragraphs: list[list[Piece]]
    anchors: dict[int, int]
    linked: bool

    @property
    def html(self) -> SafeString:
        """The body's markup (`templates/publishing/highlighted_body.html`)."""
        html = render_to_string("publishing/highlighted_body.html", {"body": self}, using="jinja2")
        return mark_safe(html)  # noqa: S308 (an autoescaped template's output)


def highlight_passages(body: str, spans: Sequence[Span], *, linked: bool = True) -> Highlighted:
    """The body cut into paragraphs of pieces, every passage in `spans` marked.

    Each covered piece is a mark with classes `hl hl-depth-N (tag-T | untagged)
    hl-passage-A hl-passage-B...`: its passages, A the innermost (workspace.js reads them),
    and on the public page `hl-starts` / `hl-ends` where a passage starts or ends.
    """
    paras = paragraphs(body) if linked else [(0, len(body))]
    cuts = [p for para in paras for p in para] if linked else ()
    # What each passage adds to a mark, made once instead of once per segment it covers.
    passage_class = {span.id: f"hl-passage-{int(span.id)}" for span in spans}
    tag_class = {span.id: f"tag-{int(span.tag_id)}" for span in spans if span.tag_id}
    label = {span.id: span.label for span in spans if span.label}
    # Where passages end (clipped to the body, as `segments` clips them): a segment
    # ending there is the last of a passage covering it, segments being cut at every end.
    length = len(body)
    ends = {min(length, span.end) for span in spans} if linked else ()
    anchors: dict[int, int] = {}
    pieces = segments(length, spans, cuts)
    # A thousand pieces: made as tuples (`_make`), not through the keyword constructor.
    make = Piece._make
    result = []
    index = 0
    count = len(pieces)
    for para_start, para_end in paras:
        while index < count and pieces[index].end <= para_start:
            index += 1
        inside = []
        while index < count and pieces[index].start < para_end:
            start, end, covering = pieces[index]
            index += 1
            text = body[start:end]
            if not covering:
                inside.append(make((text, "", None, "", None, "")))
                continue
            innermost = covering[0]
            # Colour of the innermost tagged passage; an untagged one is still marked.
            tag = next(filter(None, map(tag_class.get, covering)), "untagged")
            classes = f"hl hl-depth-{min(len(covering), 3)} {tag} " + " ".join(
                map(passage_class.__getitem__, covering)
            )
            # The first segment of each passage carries an id, so the list can link back.
            anchor = None
            name = ""
            new = list(filterfalse(anchors.__contains__, covering))
            if new:
                anchor = new[0]
                anchors.update(dict.fromkeys(new, anchor))
                if linked:
                    classes += " hl-starts"
                    name = entry_name(text, [label.get(pk, "untagged") for pk in new])
            if linked:
                # The tooltip names the passage a click opens: the link's where passages
                # start, else the innermost (the links name every passage).
                title = label.get(innermost if anchor is None else anchor, "")
            else:
                # The workspace's lists every covering passage.
                title = "; ".join(filter(None, map(label.get, covering)))
            if end in ends:
                classes += " hl-ends"
            # The anchor as text: the template prints it twice (an int costs more to escape).
            shown = None if anchor is None else str(anchor)
            inside.append(make((text, classes, shown, title, innermost, name)))
        result.append(inside)
    return Highlighted(result, anchors, linked)


def entry_name(text: str, labels: list[str]) -> str:
    """The accessible name of the link where passages start: the words it covers, then
    what each passage starting there is ("... - passage: claim (Union)")."""
    kind = "passage" if len(labels) == 1 else f"{len(labels)} passages"
    return f"{text.strip()} \u2013 {kind}: {'; '.join(labels)}"
