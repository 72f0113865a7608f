"""`manage.py suggestions_quality`: precision and recall against the coded passages."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from intake.demo import demo_passages_create
from suggestions.finder import Suggestion
from suggestions.quality import measure, score
from tests.factories import make_annotation, make_annotator, make_article

BODY = (
    "“We will appeal this ruling today,” the lawyer said. "
    "“Another long quotation nobody coded here,” she added. "
    "More than 60,000 people waited. "
    "About 90 percent were sent back. "
    "The judge ruled on June 21, 2019, in the morning."
)


def test_a_hit_overlaps_at_least_half_of_the_suggestion():
    s = Suggestion("quote", 10, 20, "x" * 10, "quote", None)
    assert score("quote", [([s], [(15, 40)])]).hits == 1  # 5 of 10: half
    assert score("quote", [([s], [(16, 40)])]).hits == 0  # 4 of 10
    two = score("quote", [([s], [(0, 12), (12, 30)])])
    assert (two.suggested, two.hits, two.coded, two.found) == (1, 1, 2, 1)


def test_measured_against_coded_passages(db):
    article = make_article(BODY)
    coder = make_annotator("coder")
    make_annotation(
        article,
        exact="“We will appeal this ruling today,” the lawyer said.",
        tags=["quote"],
        annotator=coder,
    )
    make_annotation(
        article, exact="More than 60,000 people waited.", tags=["statistic"], annotator=coder
    )
    # Coded as a statistic, but a date is not one: a miss.
    make_annotation(
        article, exact="The judge ruled on June 21, 2019", tags=["statistic"], annotator=coder
    )
    # A passage with another tag does not make a hit.
    make_annotation(article, exact="About 90 percent were sent back.", tags=["legal-argument"])
    quote, statistic = (s.as_json() for s in measure())
    assert quote == {
        "kind": "quote",
        "suggested": 2,
        "hits": 1,
        "precision": 0.5,
        "coded": 1,
        "found": 1,
        "recall": 1.0,
    }
    assert statistic == {
        "kind": "statistic",
        "suggested": 2,
        "hits": 1,
        "precision": 0.5,
        "coded": 2,
        "found": 1,
        "recall": 0.5,
    }
    out = StringIO()
    call_command("suggestions_quality", stdout=out)
    assert out.getvalue().splitlines() == [
        "kind       suggested  hits precision  coded  found recall",
        "quote              2     1       50%      1      1   100%",
        "statistic          2     1       50%      2      1    50%",
    ]
    out = StringIO()
    call_command("suggestions_quality", "--annotator", "coder", "--format", "json", stdout=out)
    assert [row["coded"] for row in json.loads(out.getvalue())] == [1, 2]


def test_an_unknown_annotator_is_one_line_and_status_1(db):
    with pytest.raises(CommandError, match="^No user is called 'nobody'.$"):
        call_command("suggestions_quality", "--annotator", "nobody")


def test_on_the_demo_every_measured_kind_has_numbers(seeded):
    """The demo codes one quote and one statistic per seed article, by rule."""
    demo_passages_create(annotator=make_annotator("annotator"))
    scores = {s.kind: s for s in measure()}
    assert set(scores) == {"quote", "statistic"}
    for s in scores.values():
        assert s.coded == 5
        assert 0 < s.hits <= s.suggested
        assert 0 < s.found <= s.coded
