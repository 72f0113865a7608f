"""A draft's mentions do not leak through the organization autocomplete (issue 12, defect 6).

`GET /api/organizations/?article=<id>` ranks the organizations the article mentions first,
marked `"mentioned": true`. For an article the caller cannot see (a draft, to anyone but
staff) the answer is the one for an article that does not exist.
"""

import pytest

from articles.actions.articles import article_set_organizations
from articles.models import Article
from tests.factories import make_annotator, make_article, make_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    make_organization("Alpha Council")
    zeta = make_organization("Zeta Union")
    article = make_article("The Zeta Union said so.", status=Article.Status.DRAFT)
    article_set_organizations(article=article, organizations=[zeta])
    return article


def ranked(client, article_id, q=""):
    response = client.get("/api/organizations/", {"article": article_id, "q": q})
    assert response.status_code == 200
    return response.json()


def test_anonymous_ranking_for_a_draft_equals_that_for_a_missing_article(client, draft):
    missing = Article.objects.order_by("-pk").first().pk + 1000
    for q in ("", "zeta", "u"):
        body = ranked(client, draft.pk, q)
        assert body == ranked(client, missing, q)
        assert not any(row["mentioned"] for row in body["results"])
    assert [row["name"] for row in ranked(client, draft.pk)["results"]] == [
        "Alpha Council",
        "Zeta Union",
    ]


def test_staff_still_see_a_drafts_mentions_first(client, draft):
    client.force_login(make_annotator())
    rows = ranked(client, draft.pk)["results"]
    assert [(row["name"], row["mentioned"]) for row in rows] == [
        ("Zeta Union", True),
        ("Alpha Council", False),
    ]


def test_a_published_articles_mentions_are_public(client, draft):
    article = make_article("The Zeta Union again.")
    article_set_organizations(article=article, organizations=list(draft.organizations.all()))
    assert ranked(client, article.pk)["results"][0] == {
        "id": draft.organizations.get().pk,
        "name": "Zeta Union",
        "aliases": [],
        "mentioned": True,
    }
