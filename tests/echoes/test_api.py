"""`GET /api/annotations/<id>/echoes/`: shape, order, visibility, query count, the seeds."""

from datetime import date

import pytest
from django.test import Client

from articles.models import Article
from echoes.winnowing import words
from tests.factories import make_annotation, make_annotator, make_article, make_outlet

pytestmark = pytest.mark.django_db

QUOTE = "fundamentally contrary to the moral fabric of our Nation"  # 9 words


def url(pk: int) -> str:
    return f"/api/annotations/{pk}/echoes/"


def normalised(text: str) -> list[str]:
    return [w.text for w in words(text)]


@pytest.fixture
def corpus(db):
    """A passage in one article; its words (and more) in three others, at any position,
    typography varied; a fourth shares only seven words; a fifth is a draft."""
    source = make_article(
        f'Officers wrote that the policy is "{QUOTE}." More followed.',
        outlet=make_outlet("Reason"),
        published=date(2019, 6, 27),
    )
    passage = make_annotation(source, exact=QUOTE)
    hill = make_article(
        "\U0001f600 Blasting the directives as \u201cfundamentally\u00a0contrary to the moral "
        "fabric of our nation and our international obligations.\u201d",
        outlet=make_outlet("The Hill"),
        published=date(2019, 6, 26),
    )
    dreams = make_article(
        f"{QUOTE}, officers say.",
        outlet=make_outlet("Common Dreams"),
        published=date(2019, 6, 27),
    )
    later = make_article(
        f"Months on, the brief still called it {QUOTE.upper()}",
        outlet=make_outlet("Newsweek"),
        published=date(2020, 8, 4),
    )
    make_article("It is contrary to the moral fabric of our people.", outlet=make_outlet("Seven"))
    draft = make_article(f"Draft: {QUOTE}.", status=Article.Status.DRAFT)
    return passage, hill, dreams, later, draft


def test_echoes_are_the_shared_stretches_earliest_first(client, corpus):
    passage, hill, dreams, later, _ = corpus
    response = client.get(url(passage.pk))
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["echoes"]
    hill_start = hill.body.index("fundamentally")
    hill_end = hill.body.index(" and our international")
    assert body["echoes"] == [
        {
            "article": hill.pk,
            "outlet": "The Hill",
            "published": "2019-06-26",
            "start": hill_start,
            "end": hill_end,
            "exact": hill.body[hill_start:hill_end],
            "score": 1.0,
        },
        {
            "article": dreams.pk,
            "outlet": "Common Dreams",
            "published": "2019-06-27",
            "start": 0,
            "end": len(QUOTE),
            "exact": QUOTE,
            "score": 1.0,
        },
        {
            "article": later.pk,
            "outlet": "Newsweek",
            "published": "2020-08-04",
            "start": later.body.index("FUNDAMENTALLY"),
            "end": len(later.body),
            "exact": QUOTE.upper(),
            "score": 1.0,
        },
    ]
    assert "\u00a0" in body["echoes"][0]["exact"]


def test_score_is_the_share_of_the_passages_words(client, corpus):
    _, hill, _, _, _ = corpus
    longer = "fundamentally\u00a0contrary to the moral fabric of our nation and our international"
    passage = make_annotation(hill, exact=longer)
    echoes = client.get(url(passage.pk)).json()["echoes"]
    assert [(e["outlet"], e["score"]) for e in echoes] == [
        ("Reason", 0.75),
        ("Common Dreams", 0.75),
        ("Newsweek", 0.75),
    ]


def test_seven_shared_words_are_not_an_echo_and_eight_are(client, corpus):
    """The "Seven" article shares only seven words with any of these passages."""
    seven = make_annotation(corpus[0].article, exact="to the moral fabric of our Nation")
    assert client.get(url(seven.pk)).json() == {"echoes": []}
    eight = make_annotation(corpus[0].article, exact="contrary to the moral fabric of our Nation")
    echoes = client.get(url(eight.pk)).json()["echoes"]
    assert [e["outlet"] for e in echoes] == ["The Hill", "Common Dreams", "Newsweek"]


def test_staff_see_echoes_in_drafts(corpus):
    passage, *_, draft = corpus
    client = Client()
    client.force_login(make_annotator())
    outlets = [e["article"] for e in client.get(url(passage.pk)).json()["echoes"]]
    assert draft.pk in outlets and len(outlets) == 4


def test_a_draft_passage_is_a_404_for_anonymous_callers(client, corpus):
    *_, draft = corpus
    passage = make_annotation(draft, exact=QUOTE)
    response = client.get(url(passage.pk))
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": f"No passage with id {passage.pk}.", "fields": {}}
    }
    assert client.get(url(999999)).json()["error"]["code"] == "not_found"


def test_writing_is_not_allowed_here(corpus):
    client = Client()
    client.force_login(make_annotator())
    response = client.post(url(corpus[0].pk))
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_query_count_does_not_grow_with_the_echoes(client, corpus, django_assert_num_queries):
    passage = corpus[0]
    # The passage, the index rows, the candidate articles with their outlets.
    with django_assert_num_queries(3):
        assert len(client.get(url(passage.pk)).json()["echoes"]) == 3
    for n in range(5):
        make_article(f"Again {n}: {QUOTE}.")
    with django_assert_num_queries(3):
        assert len(client.get(url(passage.pk)).json()["echoes"]) == 8


def test_seed_corpus_asylum_officers_words(client, seeded):
    """The asylum officers' words run in Reason, Common Dreams and The Hill."""
    reason = Article.objects.get(outlet__name="Reason")
    start = reason.body.index("fundamentally contrary to the moral fabric of our Nation")
    passage = make_annotation(reason, start=start, end=start + len(QUOTE))
    echoes = client.get(url(passage.pk)).json()["echoes"]
    # Common Dreams runs the words twice: in its standfirst and in the story.
    assert [(e["outlet"], e["published"]) for e in echoes] == [
        ("The Hill", "2019-06-26"),
        ("Common Dreams", "2019-06-27"),
        ("Common Dreams", "2019-06-27"),
    ]
    for echo in echoes:
        body = Article.objects.get(pk=echo["article"]).body
        assert body[echo["start"] : echo["end"]] == echo["exact"]
        assert normalised(echo["exact"]) == normalised(QUOTE)
        assert echo["score"] == 1.0
