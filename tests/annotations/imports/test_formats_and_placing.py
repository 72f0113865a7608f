"""Reading annotations into items (no database), and placing quotes in a body."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.anchoring import CONTEXT_CHARS, AnchorStatus
from annotations.imports.action import annotations_import
from annotations.imports.formats import Item, parse
from annotations.imports.placing import place
from tests.annotations.imports.helpers import hypothesis_row, w3c
from tests.factories import make_annotator, make_article, make_organization, make_tag


def only(document) -> Item:
    items, problems = parse(document)
    assert problems == []
    (item,) = items
    return item


def test_the_w3c_shorthands_are_read_as_the_model_defines_them():
    """bodyValue and a purpose-less TextualBody are notes; under motivation `tagging` a
    purpose-less body is a tag; `purpose` may be a list; `source` may be an object."""
    item = only(
        {
            "id": "urn:x",
            "type": ["Annotation"],
            "bodyValue": "First note.",
            "body": [
                {"type": "TextualBody", "value": "Second note."},
                {"type": "TextualBody", "purpose": ["tagging"], "value": " quote "},
                "https://elsewhere.example/a-body-iri",
                {"type": "TextualBody", "purpose": "identifying", "value": "City Council"},
            ],
            "target": {
                "source": {"id": "https://news.example/a", "type": "Text"},
                "selector": {"type": "TextQuoteSelector", "exact": "x"},
            },
        }
    )
    assert item.note == "First note.\n\nSecond note."
    assert item.tags == ("quote",)
    assert item.organizations == (("name", "City Council"),)
    assert item.sources == ("https://news.example/a",)
    tagging = only(
        {
            "id": "urn:y",
            "type": "Annotation",
            "motivation": "tagging",
            "body": {"type": "TextualBody", "value": "statistic"},
            "target": {
                "source": "https://n/",
                "selector": [{"type": "TextQuoteSelector", "exact": "x"}],
            },
        }
    )
    assert (tagging.tags, tagging.note) == (("statistic",), "")


def test_a_hypothesis_row_is_read_with_its_link_as_id_and_its_uri_as_fallback_source():
    row = hypothesis_row("Z9", "https://news.example/a", "x", tags=["a", " a", "b"], text="t")
    row["target"][0]["source"] = ["https://news.example/a?utm_medium=x"]
    item = only({"rows": [row]})
    assert item.source_id == "https://hypothes.is/a/Z9"
    assert item.label == "Z9"
    assert item.sources == ("https://news.example/a?utm_medium=x", "https://news.example/a")
    assert (item.tags, item.note, item.start) == (("a", "b"), "t", None)
    del row["links"]
    assert only({"rows": [row]}).source_id == "urn:x-hypothesis:Z9"


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        (
            {"target": [{"source": "a"}, {"source": "b"}]},
            "multiple_targets",
            "more than one target",
        ),
        (
            {"target": {"selector": {"type": "TextQuoteSelector", "exact": "x"}}},
            "malformed",
            "no source",
        ),
        (
            {"target": {"source": "s", "selector": {"type": "TextQuoteSelector", "exact": " "}}},
            "malformed",
            "only whitespace",
        ),
        (
            {
                "target": {
                    "source": "s",
                    "selector": [
                        {"type": "TextQuoteSelector", "exact": "x"},
                        {"type": "TextPositionSelector", "start": 5, "end": 5},
                    ],
                }
            },
            "malformed",
            "need 0 <= start < end",
        ),
        (
            {
                "target": {
                    "source": "s",
                    "selector": {"type": "TextPositionSelector", "start": 1, "end": 2},
                }
            },
            "no_quote",
            "no TextQuoteSelector",
        ),
        ({"type": "Note"}, "malformed", "not a W3C Annotation"),
        ({"id": "x" * 501}, "malformed", "longer than 500"),
        (
            {"body": {"type": "TextualBody", "purpose": "tagging", "value": ""}},
            "malformed",
            "without a tag name",
        ),
    ],
)
def test_a_malformed_item_is_a_problem_naming_it(change, code, message):
    annotation = {**w3c("urn:bad", "https://n/", "x"), **change}
    items, problems = parse([annotation])
    assert items == []
    (problem,) = problems
    assert problem.code == code and message in problem.message


BODIES = st.text(
    alphabet=st.sampled_from(
        list("ab \u00a0\n.") + ["\U0001f1fa", "\U0001f600", "\u00e9", "\u0301"]
    ),
    min_size=1,
    max_size=120,
)


@settings(max_examples=150, deadline=None)
@given(body=BODIES, data=st.data())
def test_a_quote_with_its_context_lands_on_a_span_that_reads_it(body, data):
    """Code points throughout: the span found reads the quote, and with the position given
    (in code points) it is exactly that span."""
    start = data.draw(st.integers(0, len(body) - 1))
    end = data.draw(st.integers(start + 1, len(body)))
    exact = body[start:end]
    if not exact.strip():
        return
    prefix, suffix = body[max(0, start - CONTEXT_CHARS) : start], body[end : end + CONTEXT_CHARS]
    searched, positioned = place(
        body,
        [
            Item("a", "a", ("s",), exact, prefix, suffix),
            Item("b", "b", ("s",), exact, prefix, suffix, start, end),
        ],
    )
    assert searched.status == AnchorStatus.ANCHORED
    assert body[searched.start : searched.end] == exact
    assert body[max(0, searched.start - CONTEXT_CHARS) : searched.start] == prefix or (
        body.count(exact) > 1
    )
    assert (positioned.status, positioned.start, positioned.end) == (
        AnchorStatus.ANCHORED,
        start,
        end,
    )


@pytest.mark.django_db
def test_the_queries_do_not_grow_with_the_number_of_annotations():
    annotator = make_annotator()
    make_tag("bulk")
    organization = make_organization("Bulk Org")
    articles = [
        make_article("One two three four five six seven eight nine ten. " * 3) for _ in range(2)
    ]

    def document(prefix: str, count: int) -> list[dict]:
        return [
            w3c(
                f"urn:{prefix}:{n}",
                f"https://gloss.example/articles/{articles[n % 2].slug}/",
                "four five",
                start=18 + 51 * (n % 3),
                end=27 + 51 * (n % 3),
                tags=["bulk"],
                note=f"note {n}",
                organization=f"https://gloss.example/organizations/{organization.slug}/",
            )
            for n in range(count)
        ]

    counts = []
    # The first import also fills the permission and content-type caches and makes each
    # article's first facet rows: a warm-up.
    for prefix, count in (("warm-up", 2), ("small", 4), ("large", 60)):
        items, _ = parse(document(prefix, count))
        with CaptureQueriesContext(connection) as queries:
            report = annotations_import(items=items, annotator=annotator)
        assert report.created == count
        counts.append(len(queries))
    assert counts[1] == counts[2]
