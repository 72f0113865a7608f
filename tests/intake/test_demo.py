"""`load_demo` (what `make run` calls) is safe to run twice and codes a few exact passages."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from annotations.models import Annotation
from articles.models import Article
from intake.demo import pick_passages
from intake.sentences import balanced_quotes, is_caption, sentences
from tests.browser.test_workspace_units_browser import CASES

pytestmark = pytest.mark.django_db


def test_load_demo_twice_duplicates_nothing(seeds_dir):
    first, second = StringIO(), StringIO()
    call_command("load_demo", seeds=seeds_dir, stdout=first)
    demo = Annotation.objects.filter(annotator__username="annotator")  # not the round's coders
    counts = (Article.objects.count(), demo.count(), Annotation.objects.count())
    call_command("load_demo", seeds=seeds_dir, stdout=second)
    assert (Article.objects.count(), demo.count(), Annotation.objects.count()) == counts
    assert counts[0] == 5 and 5 <= counts[1] <= 15
    assert "Demo passages: 0 created." in second.getvalue()
    for role in ("annotator", "editor"):
        assert f"user: {role}" in second.getvalue()
    for passage in Annotation.objects.select_related("article"):
        assert passage.article.body[passage.start : passage.end] == passage.exact
        assert passage.tags.count() == 1


def test_demo_users_log_in_with_the_printed_password(client, seeds_dir):
    out = StringIO()
    call_command("load_demo", seeds=seeds_dir, stdout=out)
    line = next(row for row in out.getvalue().splitlines() if "user: annotator" in row)
    password = line.split("password:")[1].strip()
    # Through the login form: django-axes' backend needs the request to count failures.
    response = client.post("/accounts/login/", {"username": "annotator", "password": password})
    assert response.status_code == 302
    assert client.get("/admin/annotations/annotation/add/").status_code == 200


def test_pick_passages_takes_whole_sentences_by_rule():
    body = (
        "Short one.\nOfficials counted 60,000 people waiting at the border last year.\n"
        "The court ruled that the policy violated the law of the land.\n"
    )
    picks = pick_passages(body)
    assert [(p.tag, body[p.start : p.end]) for p in picks] == [
        ("statistic", "Officials counted 60,000 people waiting at the border last year."),
        ("legal argument", "The court ruled that the policy violated the law of the land."),
    ]


# ---------------------------------------------------------------------------------------
# Whole sentences, never captions, quotes from their opening mark (issue 18).


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_sentences_follow_the_workspace_keyboard_s_rules(text, expected):
    """The cases the browser test runs against units.js give the same sentences here."""
    assert [text[a:b] for a, b in sentences(text)] == expected


def test_abbreviations_do_not_end_a_sentence_but_a_stop_before_a_capital_does():
    text = (
        "The ruling came after the 9th U.S. Circuit Court of Appeals blocked it. "
        "Mr. Lee of Acme Inc. spoke at 5 p.m. on Friday. It rose 3.5 percent."
    )
    assert [text[a:b] for a, b in sentences(text)] == [
        "The ruling came after the 9th U.S. Circuit Court of Appeals blocked it.",
        "Mr. Lee of Acme Inc. spoke at 5 p.m. on Friday.",
        "It rose 3.5 percent.",
    ]


@pytest.mark.parametrize(
    ("line", "caption"),
    [
        ("Guards on the river on June 21, 2019. (Photo: A. Name/AFP/Getty Images)", True),
        ("Razor wire on the fence on November 16, 2018. A. Photographer/Getty", True),
        ("GettyImages-1062687234 Razor wire tops the fence", True),
        ("Marchers in the rain. AP Photo/A. Name", True),
        ("Photo by A. Name for the paper.", True),
        ("Getty would not comment, the court said on Monday.", False),
        ("The council counted 60,000 people at the border.", False),
    ],
)
def test_a_line_with_a_photo_credit_is_a_caption(line, caption):
    assert is_caption(line) is caption


def test_quotation_marks_must_balance_for_a_whole_quote():
    assert balanced_quotes('"It is wrong," she said, "and unlawful."')
    assert balanced_quotes("“It is wrong,” she said.")
    assert not balanced_quotes('" which "prohibits the return of people," it said.')
    assert not balanced_quotes("” she said, “and more.")
    assert not balanced_quotes("“It goes on. And on.")


def seed_bodies(seeds_dir) -> list[str]:
    """The seed articles as imported (the first line, the headline, included: the demo
    must not pick it either, as it ends with no stop)."""
    return [path.read_text(encoding="utf-8") for path in sorted(seeds_dir.glob("*.txt"))]


def line_of(body: str, start: int, end: int) -> str:
    return body[body.rfind("\n", 0, start) + 1 : (body.find("\n", end) + 1 or len(body) + 1) - 1]


def test_demo_picks_over_the_seeds_are_whole_sentences_and_never_captions(seeds_dir):
    bodies = seed_bodies(seeds_dir)
    # The seeds do hold what once went wrong: captions with numbers, "U.S." mid-sentence,
    # and quotations that a naive split cuts in two.
    assert sum(is_caption(line) for body in bodies for line in body.split("\n")) >= 3
    assert any(re.search(r"U\.S\. [A-Z]", body) for body in bodies)
    picked = 0
    for body in bodies:
        picks = pick_passages(body)
        assert {p.tag for p in picks} == {"statistic", "quote", "legal argument"}
        for pick in picks:
            text = body[pick.start : pick.end]
            picked += 1
            # Starts a sentence: at a line's start, or after a stop and white space.
            before = body[: pick.start]
            assert (
                before == ""
                or before[-1] == "\n"
                or (before[-1].isspace() and re.search(r"[.!?…][\"'”’)]*\s+$", before))
            ), text
            # Ends one: a stop (closing marks after it), then white space or the end.
            assert re.search(r"[.!?…][\"'”’)]*$", text), text
            assert pick.end == len(body) or body[pick.end].isspace(), text
            # Not at an abbreviation: "after the 9th U.S." is no sentence.
            assert not re.search(r"\b(?:[A-Za-z]\.){2,}$", text), text
            # Never in a caption's line, and whole quotations only.
            line = line_of(body, pick.start, pick.end)
            assert not re.search(r"Getty|\(Photo|Photo:", line), line
            assert text.count('"') % 2 == 0, text
            assert text.count("“") == text.count("”"), text
            if pick.tag == "quote":
                first = text.find('"') if '"' in text else text.find("“")
                # The first mark opens a quotation: words follow it, not a space.
                assert first >= 0 and not text[first + 1].isspace(), text
            assert 8 <= len(text.split()) <= 60
    assert picked == 15


def test_load_demo_codes_only_whole_sentences_of_the_seeds(seeds_dir):
    call_command("load_demo", seeds=seeds_dir, stdout=StringIO())
    # The rule-picked passages (the demo round's coders cut theirs by their own rules).
    picked = Annotation.objects.filter(annotator__username="annotator")
    passages = list(picked.select_related("article"))
    assert len(passages) == 15
    for passage in passages:
        body = passage.article.body
        assert (passage.start, passage.end) in set(sentences(body)), passage.exact
        assert not is_caption(line_of(body, passage.start, passage.end))


def test_demo_statistics_and_quotes_get_typed_fields_read_from_their_text(seeds_dir):
    """statistic → value, unit, year; quote → speaker; values where the sentence holds a
    number (or names an organization), every one found in the passage's own text."""
    from annotations.models import TagField
    from intake.demo import demo_values

    call_command("load_demo", seeds=seeds_dir, stdout=StringIO())
    assert TagField.objects.keys() == [
        "quote.speaker",
        "statistic.value",
        "statistic.unit",
        "statistic.year",
    ]
    statistics = Annotation.objects.filter(tags__slug="statistic")
    valued = [p for p in statistics if "statistic.value" in p.fields]
    assert valued, "the seeds' statistic sentences hold numbers"
    for passage in valued:
        digits = passage.fields["statistic.value"].replace(".", "")
        assert digits in passage.exact.replace(",", "").replace(".", "")
    call_command("load_demo", seeds=seeds_dir, stdout=StringIO())
    assert TagField.objects.count() == 4
    assert demo_values("statistic", "Some 60,000 people came in 2024.", None) == {
        "statistic.year": "2024",
        "statistic.value": "60000",
        "statistic.unit": "people",
    }
    assert demo_values("statistic", "Up 3.5 percent.", None) == {
        "statistic.value": "3.5",
        "statistic.unit": "percent",
    }
