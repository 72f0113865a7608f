"""Article bodies as HTML paragraphs with every passage highlighted.

Passages may overlap or nest, so markup cannot be inserted into the text. Instead the
body is cut at every passage boundary into segments, each knowing the set of passages
covering it, and every segment is escaped and wrapped on its own: one `<mark>` per
covered segment, with a class per covering passage. Offsets are code-point indices
(Python `str` indices) into the body, as everywhere in Gloss.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Span:
    """A passage to highlight: `body[start:end]`, coloured by the class `tag-<tag_id>`."""

    id: int
    start: int
    end: int
    tag_id: int | None = None
    label: str = ""


@dataclass(frozen=True)
class Segment:
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
    usable = [
        Span(s.id, max(0, s.start), min(length, s.end), s.tag_id, s.label)
        for s in spans
        if min(length, s.end) > max(0, s.start)
    ]
    points = {0, length}
    points.update(p for p in cuts if 0 < p < length)
    for span in usable:
        points.update((span.start, span.end))
    bounds = sorted(points)
    # A sweep over the boundaries keeps the spans open at each segment (testing every
    # span against every segment was quadratic: most of a 500-passage article's time).
    starting: dict[int, list[Span]] = {}
    for span in usable:
        starting.setdefault(span.start, []).append(span)
    open_spans: dict[int, Span] = {}
    result = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        for span in starting.get(start, ()):
            open_spans[id(span)] = span
        for key in [key for key, span in open_spans.items() if span.end <= start]:
            del open_spans[key]
        ordered = sorted(open_spans.values(), key=lambda s: (s.end - s.start, s.start, s.id))
        result.append(Segment(start, end, tuple(s.id for s in ordered)))
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


def _segment_html(body: str, segment: Segment, spans: dict[int, Span], first: set[int]) -> str:
    """One segment as escaped HTML (a plain `str`: `highlight` joins them all at once).

    Building a 500-passage article with `format_html` per segment took most of the page's
    time; `escape` on every piece of text and attribute gives the same escaping.
    """
    text = escape(body[segment.start : segment.end])
    if not segment.covering:
        return text
    inner = spans[segment.covering[0]]
    classes = ["hl", f"hl-depth-{min(len(segment.covering), 3)}"]
    # Colour of the innermost tagged passage; an untagged one is still marked and outlined.
    tag_id = next((spans[pk].tag_id for pk in segment.covering if spans[pk].tag_id), None)
    if tag_id is not None:
        classes.append(f"tag-{tag_id}")
    classes.extend(f"hl-passage-{pk}" for pk in segment.covering)
    # The first segment of each passage carries an id, so the passage list can link back.
    anchor_ids = [pk for pk in segment.covering if pk in first]
    first.difference_update(anchor_ids)
    id_attr = f' id="hl-{escape(anchor_ids[0])}"' if anchor_ids else ""
    title = "; ".join(spans[pk].label for pk in segment.covering if spans[pk].label)
    return (
        f'<mark class="{escape(" ".join(classes))}"{id_attr} title="{escape(title)}">'
        f'<a href="#passage-{escape(inner.id)}">{text}</a></mark>'
    )


def highlight(body: str, spans: Sequence[Span]) -> SafeString:
    """The body as `<p>` elements, passages highlighted; all text escaped."""
    paras = paragraphs(body)
    cuts = [p for para in paras for p in para]
    by_id = {span.id: span for span in spans}
    first = set(by_id)
    pieces = segments(len(body), spans, cuts)
    html = []
    index = 0
    for para_start, para_end in paras:
        while index < len(pieces) and pieces[index].end <= para_start:
            index += 1
        inside = []
        while index < len(pieces) and pieces[index].start < para_end:
            inside.append(_segment_html(body, pieces[index], by_id, first))
            index += 1
        html.append("<p>" + "".join(inside) + "</p>")
    # Every piece above is escaped text or markup built around escaped text.
    return mark_safe("\n".join(html))  # noqa: S308
