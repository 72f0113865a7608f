"""Highlighted article HTML: segments partition the body, passages stay exact, text is escaped."""

import re
from html import unescape as html_unescape

from hypothesis import given
from hypothesis import strategies as st

from publishing.highlighting import Span, highlight_passages, paragraphs, segments
from tests.markup import assert_same_markup

bodies = st.text(alphabet=st.sampled_from("ab <&>\"'\n\u00a0é😀"), min_size=1, max_size=60)


@st.composite
def body_and_spans(draw):
    body = draw(bodies)
    n = len(body)
    spans = []
    for pk in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, n - 1))
        end = draw(st.integers(start + 1, n))
        spans.append(Span(id=pk + 1, start=start, end=end, tag_id=1))
    cuts = draw(st.lists(st.integers(0, n), max_size=4))
    return body, spans, cuts


@given(body_and_spans())
def test_segments_concatenate_to_the_body_and_each_passage_to_its_exact_text(case):
    """Segments tile the body in order; each passage's segments spell body[start:end]."""
    body, spans, cuts = case
    result = segments(len(body), spans, cuts)
    assert "".join(body[s.start : s.end] for s in result) == body
    assert all(s.start < s.end for s in result)
    for span in spans:
        covered = [s for s in result if span.id in s.covering]
        assert "".join(body[s.start : s.end] for s in covered) == body[span.start : span.end]
        assert covered[0].start == span.start and covered[-1].end == span.end


@given(body_and_spans())
def test_covering_lists_the_innermost_passage_first(case):
    body, spans, cuts = case
    by_id = {s.id: s for s in spans}
    for segment in segments(len(body), spans, cuts):
        lengths = [by_id[pk].end - by_id[pk].start for pk in segment.covering]
        assert lengths == sorted(lengths)


@given(bodies)
def test_paragraphs_are_the_non_blank_lines_at_their_offsets(body):
    for start, end in paragraphs(body):
        assert body[start:end].strip()
        assert "\n" not in body[start:end]
    assert [body[s:e] for s, e in paragraphs(body)] == [
        line for line in body.splitlines() if line.strip()
    ]


def test_nested_and_overlapping_passages_get_one_mark_per_segment_with_every_class():
    """Each passage's first mark holds its one link, named by its words and labels; the
    other marks are plain; where passages start and end is classed."""
    body = "abcdefghij"
    html = highlight_passages(
        body, [Span(1, 0, 6, tag_id=7, label="x"), Span(2, 3, 9, tag_id=8, label="y")]
    ).html
    assert_same_markup(
        html,
        '<p><mark class="hl hl-depth-1 tag-7 hl-passage-1 hl-starts" id="hl-1" '
        'title="x"><a href="#passage-1" aria-label="abc \u2013 passage: x">abc</a></mark>'
        '<mark class="hl hl-depth-2 tag-7 hl-passage-1 hl-passage-2 hl-starts hl-ends" '
        'id="hl-2" title="y"><a href="#passage-2" aria-label="def \u2013 passage: y">def</a>'
        "</mark>"
        '<mark class="hl hl-depth-1 tag-8 hl-passage-2 hl-ends" title="y">ghi</mark>j</p>',
    )


def test_passages_starting_together_share_one_link_that_names_each_of_them():
    body = "abcdefghij"
    spans = [Span(1, 0, 6, label="claim (Union)"), Span(2, 0, 3, label="figure")]
    html = highlight_passages(body, spans).html
    assert html.count("<a ") == 1
    assert 'href="#passage-2" aria-label="abc \u2013 2 passages: figure; claim (Union)"' in html


def test_article_text_and_labels_are_escaped_never_trusted():
    body = '<script>alert("x")</script> & more'
    html = highlight_passages(body, [Span(1, 0, 8, label='"><img src=x>')]).html
    assert "<script>" not in html and "<img" not in html
    assert_same_markup(
        html,
        '<p><mark class="hl hl-depth-1 untagged hl-passage-1 hl-starts hl-ends" id="hl-1" '
        'title="&quot;&gt;&lt;img src=x&gt;"><a href="#passage-1" '
        'aria-label="&lt;script&gt; \u2013 passage: &quot;&gt;&lt;img src=x&gt;">'
        "&lt;script&gt;</a></mark>"
        "alert(&quot;x&quot;)&lt;/script&gt; &amp; more</p>",
    )


def test_paragraphs_are_kept_and_a_passage_across_them_is_split_per_paragraph():
    body = "First line.\n\nSecond line."
    start = body.index("line.")
    end = body.index("Second") + len("Second")
    html = highlight_passages(body, [Span(5, start, end, tag_id=1)]).html
    assert html == (
        '<p>First <mark class="hl hl-depth-1 tag-1 hl-passage-5 hl-starts" id="hl-5" '
        'title=""><a href="#passage-5" aria-label="line. \u2013 passage: untagged">line.</a>'
        "</mark></p>\n"
        '<p><mark class="hl hl-depth-1 tag-1 hl-passage-5 hl-ends" title="">Second</mark>'
        " line.</p>"
    )


@given(body_and_spans())
def test_every_placed_passage_has_an_anchor_on_a_highlight_that_covers_its_start(case):
    """`anchors` points each passage shown in the body at an id on a mark that covers it.

    Passages whose first segment is the same share that segment's one id.
    """
    body, spans, _ = case
    result = highlight_passages(body, spans)
    ids = re.findall(r'id="hl-(\d+)"', result.html)
    assert len(ids) == len(set(ids)) and set(map(int, ids)) == set(result.anchors.values())
    shown = {
        span.id
        for span in spans
        if any(
            start < min(end, span.end) and max(start, span.start) < end
            for start, end in paragraphs(body)
        )
    }
    assert set(result.anchors) == shown
    for pk, anchor in result.anchors.items():
        mark = re.search(rf'<mark class="([^"]*)" id="hl-{anchor}"', result.html)
        assert f"hl-passage-{pk}" in mark.group(1).split()


def test_passages_starting_together_share_the_innermost_ones_anchor():
    body = "abcdefghij"
    spans = [Span(1, 0, 6), Span(2, 0, 3), Span(3, 0, 9), Span(4, 4, 5)]
    result = highlight_passages(body, spans)
    assert result.anchors == {1: 2, 2: 2, 3: 2, 4: 4}
    assert result.html.count('id="hl-') == 2
    assert highlight_passages(body, spans).html == result.html


def test_identical_passages_take_the_colour_and_link_of_the_lowest_id():
    """The one tie rule: equal spans are ordered by id, so the first-made one colours them."""
    body = "alpha beta"
    first, second = Span(1, 0, 5, tag_id=10), Span(2, 0, 5, tag_id=20)
    for spans in ([first, second], [second, first]):
        for linked in (True, False):
            pieces = highlight_passages(body, spans, linked=linked).paragraphs[0]
            (piece,) = [piece for piece in pieces if piece.classes]
            assert piece.classes.split()[:3] == ["hl", "hl-depth-2", "tag-10"]
            passages = [c for c in piece.classes.split() if c.startswith("hl-passage-")]
            assert passages == ["hl-passage-1", "hl-passage-2"]
            assert piece.link == 1


@given(body_and_spans())
def test_the_workspace_body_is_the_text_itself_with_the_same_marks(case):
    """Unlinked (the workspace): the text is every character of the body, and the marks
    are the linked page's, split only where the linked page splits at paragraphs."""
    body, spans, _ = case
    workspace = highlight_passages(body, spans, linked=False)
    (pieces,) = workspace.paragraphs
    assert "".join(piece.text for piece in pieces) == body
    text = re.sub(r"<[^>]*>", "", str(workspace.html))
    assert html_unescape(text) == body
    public = highlight_passages(body, spans)
    edges = {"hl-starts", "hl-ends"}  # the public page's notches (workspace.js adds its own)
    marked = {
        " ".join(c for c in piece.classes.split() if c not in edges)
        for paragraph in public.paragraphs
        for piece in paragraph
    }
    assert marked - {""} <= {piece.classes for piece in pieces}


@given(body_and_spans())
def test_each_shown_passage_is_one_focus_stop_named_where_it_starts(case):
    """The public body's only focusable elements are the links where passages start: one
    per start segment, leading to the passage list, named after every passage starting
    there; each shown passage is named by exactly one of them, on its first mark."""
    body, spans, _ = case
    spans = [span._replace(label=f"label {span.id}") for span in spans]
    result = highlight_passages(body, spans)
    html = str(result.html)
    links = re.findall(
        r'<mark class="([^"]*)" id="hl-(\d+)"[^>]*><a href="#passage-(\d+)" '
        r'aria-label="([^"]*)">',
        html,
    )
    assert html.count("<a ") == len(links) == len(set(result.anchors.values()))
    assert "tabindex" not in html
    named = []
    for classes, anchor, target, label in links:
        assert anchor == target and "hl-starts" in classes.split()
        named += [int(pk) for pk in re.findall(r"label (\d+)", html_unescape(label))]
    assert sorted(named) == sorted(result.anchors)
    for pk, anchor in result.anchors.items():
        (classes,) = [link[0] for link in links if int(link[1]) == anchor]
        assert f"hl-passage-{pk}" in classes.split()
