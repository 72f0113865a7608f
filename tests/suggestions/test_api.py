"""`/api/articles/<id>/suggestions/`: shapes, the coded-left-out rule, dismissals,
acceptances through the passage create, counts, permissions, bad input, query counts."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annotations.actions.tokens import api_token_create
from annotations.models import Annotation
from articles.models import Article
from audit.models import HistoryRecord
from suggestions.actions import suggestion_dismiss
from suggestions.models import SuggestionDecision
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_editor,
    make_organization,
    make_user,
)

BODY = (
    "\U0001f1fa\U0001f1f8 The American Civil Liberties Union sued on Jan. 5.\n\n"
    "“The policy exposes vulnerable people to\u00a0violence,” the ACLU said.\n\n"
    "More than 60,000 asylum-seekers were returned to Mexico."
)
QUOTE = "“The policy exposes vulnerable people to\u00a0violence,”"
STAT = "More than 60,000 asylum-seekers were returned to Mexico."


def url(article) -> str:
    return f"/api/articles/{article.pk}/suggestions/"


def dismiss_url(article) -> str:
    return f"/api/articles/{article.pk}/suggestions/dismiss/"


def post(client, path, payload, **extra):
    data = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    return client.post(path, data=data, content_type="application/json", **extra)


def error(response) -> tuple[int, str]:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return response.status_code, body["error"]["code"]


@pytest.fixture
def aclu(db):
    return make_organization("American Civil Liberties Union", aliases=["ACLU"])


@pytest.fixture
def article(aclu):
    return make_article(BODY)


@pytest.fixture
def annotator(db):
    return make_annotator("ann")


@pytest.fixture
def client_a(annotator):
    client = Client()
    client.force_login(annotator)
    return client


def span(text, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = BODY.index(text, start + 1)
    return start, start + len(text)


def test_the_suggestions_of_an_article_exactly(client_a, article, aclu):
    """Kind, code-point offsets, text, tag by name and organization, in text order."""
    response = client_a.get(url(article))
    assert response.status_code == 200
    q_start, q_end = span(QUOTE)
    s_start, s_end = span(STAT)
    n_start, n_end = span("American Civil Liberties Union")
    a_start, a_end = span("ACLU")
    assert response.json() == {
        "suggestions": [
            {
                "kind": "mention",
                "start": n_start,
                "end": n_end,
                "exact": "American Civil Liberties Union",
                "tag": None,
                "organization": aclu.pk,
            },
            {
                "kind": "quote",
                "start": q_start,
                "end": q_end,
                "exact": QUOTE,
                "tag": "quote",
                "organization": aclu.pk,
            },
            {
                "kind": "mention",
                "start": a_start,
                "end": a_end,
                "exact": "ACLU",
                "tag": None,
                "organization": aclu.pk,
            },
            {
                "kind": "statistic",
                "start": s_start,
                "end": s_end,
                "exact": STAT,
                "tag": "statistic",
                "organization": None,
            },
        ]
    }
    # Code points: the flag's two code points before everything count as two.
    assert BODY[n_start:n_end] == "American Civil Liberties Union"


def kinds(response):
    return [(s["kind"], s["exact"]) for s in response.json()["suggestions"]]


def test_a_passage_with_the_tag_overlapping_a_suggestion_leaves_it_out(client_a, article, aclu):
    """Coded by anyone the user may see: another annotator's passage counts too. Only the
    same kind's tag counts; include_coded=1 keeps them all."""
    other = make_annotator()
    start, _ = span("More than")
    make_annotation(article, start=start, end=start + 9, tags=["statistic"], annotator=other)
    q_start, _ = span("policy")
    make_annotation(article, start=q_start, end=q_start + 6, tags=["statistic"], annotator=other)
    assert kinds(client_a.get(url(article))) == [
        ("mention", "American Civil Liberties Union"),
        ("quote", QUOTE),
        ("mention", "ACLU"),
    ]
    assert len(client_a.get(url(article) + "?include_coded=1").json()["suggestions"]) == 4


def test_a_mention_is_coded_by_a_passage_attributed_to_it_that_covers_it(client_a, article, aclu):
    start, end = span("The American Civil Liberties Union sued")
    # Covering the name but attributed to nobody: still suggested.
    make_annotation(article, start=start, end=end, tags=["quote"])
    assert ("mention", "American Civil Liberties Union") in kinds(client_a.get(url(article)))
    make_annotation(article, start=start, end=end, organization=aclu.pk)
    assert ("mention", "American Civil Liberties Union") not in kinds(client_a.get(url(article)))
    assert ("mention", "ACLU") in kinds(client_a.get(url(article)))


def test_passages_the_user_may_not_see_do_not_count(article):
    """An anonymous visitor's view is not asked; a draft passage is visible to staff, so
    it counts for them (the one visibility rule)."""
    start, end = span(STAT)
    make_annotation(article, start=start, end=end, tags=["statistic"], status="draft")
    client = Client()
    client.force_login(make_annotator())
    assert ("statistic", STAT) not in kinds(client.get(url(article)))


def test_dismissing_remembers_it_for_that_coder_and_article_only(client_a, article, annotator):
    start, end = span(STAT)
    payload = {"kind": "statistic", "start": start, "end": end, "exact": STAT}
    response = post(client_a, dismiss_url(article), payload)
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("article", "kind", "start", "end", "exact", "outcome")} == {
        "article": article.pk,
        "kind": "statistic",
        "start": start,
        "end": end,
        "exact": STAT,
        "outcome": "dismissed",
    }
    assert ("statistic", STAT) not in kinds(client_a.get(url(article)))
    # Again: nothing new.
    assert post(client_a, dismiss_url(article), payload).status_code == 200
    assert SuggestionDecision.objects.count() == 1
    # With its history, as every write.
    [record] = HistoryRecord.objects.for_model(SuggestionDecision)
    assert (record.action, record.actor, record.via) == ("create", annotator, "workspace")
    # Another coder is still offered it.
    other = Client()
    other.force_login(make_annotator())
    assert ("statistic", STAT) in kinds(other.get(url(article)))
    # And the same text in another article is not dismissed.
    second = make_article(BODY)
    assert ("statistic", STAT) in kinds(client_a.get(url(second)))


def test_a_dismissal_holds_only_while_the_text_is_the_same(article, annotator):
    """Dismissed on the text as it read; a revision that moves other text in place brings
    the suggestion back."""
    start, end = span(STAT)
    suggestion_dismiss(
        article=article, coder=annotator, kind="statistic", start=start, end=end, exact=STAT
    )
    Article.objects.filter(pk=article.pk).update(body=BODY.replace("More than", "Over more"))
    client = Client()
    client.force_login(annotator)
    assert "statistic" in {k for k, _ in kinds(client.get(url(article)))}


def test_accepting_is_the_passage_create_with_the_kind_and_is_counted(
    client_a, article, annotator, aclu
):
    """`POST /api/annotations/` with `suggestion`: the same passage the plain create makes,
    with the coding the coder chose; the acceptance counted; the suggestion then coded."""
    start, end = span(QUOTE)
    response = post(
        client_a,
        "/api/annotations/",
        {
            "article": article.pk,
            "start": start,
            "end": end,
            "exact": QUOTE.replace("\u00a0", " "),
            "tags": ["quote", "legal-argument"],
            "organization": aclu.pk,
            "suggestion": "quote",
        },
    )
    assert response.status_code == 201
    passage = Annotation.objects.get()
    assert response.json()["id"] == passage.pk
    assert (passage.start, passage.end, passage.exact) == (start, end, QUOTE)
    assert sorted(passage.tags.names()) == ["legal argument", "quote"]
    [decision] = SuggestionDecision.objects.all()
    assert (decision.kind, decision.outcome, decision.passage, decision.coder) == (
        "quote",
        "accepted",
        passage,
        annotator,
    )
    assert ("quote", QUOTE) not in kinds(client_a.get(url(article)))
    assert HistoryRecord.objects.for_object(passage).get().action == "create"
    assert SuggestionDecision.objects.tallies()["quote"] == {"accepted": 1, "dismissed": 0}


def test_an_unknown_suggestion_kind_refuses_the_whole_create(client_a, article):
    start, end = span(QUOTE)
    response = post(
        client_a,
        "/api/annotations/",
        {"article": article.pk, "start": start, "end": end, "exact": QUOTE, "suggestion": "poem"},
    )
    assert error(response) == (400, "invalid_suggestion_kind")
    assert response.json()["error"]["fields"]["suggestion"][0]["code"] == "invalid_suggestion_kind"
    assert not Annotation.objects.exists()
    assert not SuggestionDecision.objects.exists()


def test_a_failed_passage_create_counts_no_acceptance(client_a, article):
    response = post(
        client_a,
        "/api/annotations/",
        {"article": article.pk, "start": 0, "end": 5, "exact": "wrong", "suggestion": "quote"},
    )
    assert error(response) == (400, "quote_mismatch")
    assert not SuggestionDecision.objects.exists()


def test_tallies_count_each_kind_and_outcome(article, annotator):
    other = make_annotator()
    s_start, s_end = span(STAT)
    for coder in (annotator, other):
        suggestion_dismiss(
            article=article, coder=coder, kind="statistic", start=s_start, end=s_end, exact=STAT
        )
    m_start, m_end = span("ACLU")
    suggestion_dismiss(
        article=article, coder=annotator, kind="mention", start=m_start, end=m_end, exact="ACLU"
    )
    assert SuggestionDecision.objects.tallies() == {
        "quote": {"accepted": 0, "dismissed": 0},
        "statistic": {"accepted": 0, "dismissed": 2},
        "mention": {"accepted": 0, "dismissed": 1},
    }


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"kind": "poem", "start": 0, "end": 2, "exact": "x"}, "invalid_suggestion_kind"),
        ({"kind": "quote", "start": 0, "end": 999, "exact": "x"}, "offsets_out_of_range"),
        ({"kind": "quote", "start": 5, "end": 5, "exact": ""}, "empty_passage"),
        ({"kind": "quote", "start": 3, "end": 6, "exact": "xyz"}, "quote_mismatch"),
        ({"kind": "quote", "start": "3", "end": 6, "exact": "xyz"}, "invalid_type"),
        ({"kind": "quote", "start": 3, "end": 6}, "required"),
        ({"kind": "quote", "start": 3, "end": 6, "exact": "x", "more": 1}, "unknown_field"),
        ("[1, 2]", "malformed_json"),
        ("{not json", "malformed_json"),
    ],
)
def test_bad_dismissals_are_4xx_and_write_nothing(client_a, article, payload, code):
    assert error(post(client_a, dismiss_url(article), payload)) == (400, code)
    assert not SuggestionDecision.objects.exists()
    assert not HistoryRecord.objects.for_model(SuggestionDecision).exists()


@pytest.mark.parametrize("value", ["2", "yes", "\x00"])
def test_a_bad_include_coded_is_a_400(client_a, article, value):
    assert error(client_a.get(url(article), {"include_coded": value})) == (400, "invalid_filter")


def test_who_may_see_suggestions(article):
    """Anonymous: 401; a logged-in user who is not staff, or staff without the passage
    permission: 403; annotators, editors and their tokens: 200; invisible article: 404."""
    assert error(Client().get(url(article))) == (401, "authentication_required")
    assert error(post(Client(), dismiss_url(article), {})) == (401, "authentication_required")
    outsider = Client()
    not_staff = make_annotator()
    type(not_staff).objects.filter(pk=not_staff.pk).update(is_staff=False)
    outsider.force_login(type(not_staff).objects.get(pk=not_staff.pk))
    assert error(outsider.get(url(article))) == (403, "forbidden")
    bare_staff = Client()
    bare_staff.force_login(make_user(group=None))
    assert error(bare_staff.get(url(article))) == (403, "forbidden")
    assert error(post(bare_staff, dismiss_url(article), {})) == (403, "forbidden")
    editor = Client()
    editor.force_login(make_editor())
    assert editor.get(url(article)).status_code == 200
    key = api_token_create(user=make_annotator(), name="script")
    assert Client().get(url(article), HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    assert error(editor.get("/api/articles/999999/suggestions/")) == (404, "not_found")


def test_a_draft_article_is_a_404_to_whoever_may_not_see_it(client_a):
    draft = make_article(BODY, status="draft")
    # Staff see drafts.
    assert client_a.get(url(draft)).status_code == 200
    assert error(Client().get(url(draft))) == (401, "authentication_required")


def test_dismiss_is_post_only(client_a, article):
    assert error(client_a.get(dismiss_url(article))) == (405, "method_not_allowed")
    assert error(post(client_a, url(article), {})) == (405, "method_not_allowed")


def test_session_dismissals_need_the_csrf_token(annotator, article):
    client = Client(enforce_csrf_checks=True)
    client.force_login(annotator)
    start, end = span(STAT)
    payload = {"kind": "statistic", "start": start, "end": end, "exact": STAT}
    assert error(post(client, dismiss_url(article), payload)) == (403, "csrf_failed")


def test_the_listing_takes_a_fixed_number_of_queries(
    client_a, article, annotator, django_assert_num_queries
):
    """Session, user, the user's permissions (two), article, organizations, dismissals,
    passages, their tags, tag names: ten, with one suggestion or dozens, one passage or many."""

    many = make_article(
        " ".join(
            f"“Quote number {n} says these words,” the ACLU said. {n},000 people."
            for n in range(30)
        )
    )
    for n in range(10):
        make_annotation(many, exact=f"{n},000 people", tags=["statistic"])
    make_annotation(article, exact="Mexico", tags=["quote"])
    start, end = span(STAT)
    suggestion_dismiss(
        article=article, coder=annotator, kind="statistic", start=start, end=end, exact=STAT
    )
    with CaptureQueriesContext(connection) as small:
        assert client_a.get(url(article)).status_code == 200
    with CaptureQueriesContext(connection) as large:
        response = client_a.get(url(many))
    assert len(response.json()["suggestions"]) > 60
    assert len(small) == len(large) == 10
    with django_assert_num_queries(len(small)):
        client_a.get(url(many))
