"""Filtered listings bound their work: counts, pages and facets over at most MATCH_CAP rows."""

from datetime import date

import pytest

from articles.actions.articles import article_set_organizations
from articles.models import Article
from tests.factories import make_annotation, make_article, make_organization, make_outlet, make_tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def cap(monkeypatch):
    monkeypatch.setattr("publishing.listing.MATCH_CAP", 2)
    return 2


def test_a_search_matching_more_than_the_cap_says_so_and_samples_the_facets(client, cap):
    """Three matching articles, cap 2: "more than 2", two rows, facet counts over two."""
    outlet = make_outlet("Daily")
    for i in range(3):
        make_article(f"common word {i}", title=f"A{i}", outlet=outlet)
    make_article("something else", outlet=outlet)
    response = client.get("/articles/?q=common")
    assert response.context_data["capped"] is True
    assert b"More than 2 articles match these filters" in response.content
    assert b"the filter counts are each over the first 2 matches only" in response.content
    assert response.context_data["paginator"].count == 2
    outlets = response.context_data["facets"][0]["options"]
    assert [(o["slug"], o["count"]) for o in outlets] == [("daily", 2)]


def test_a_search_within_the_cap_is_exact_and_not_flagged(client, cap):
    make_article("common word", title="One")
    make_article("common word", title="Two")
    response = client.get("/articles/?q=common")
    assert response.context_data["capped"] is False
    assert response.context_data["paginator"].count == 2
    assert b"More than" not in response.content
    assert b"2 articles match these filters" in response.content


def test_passage_listing_over_the_cap_keeps_the_full_export_link(client, cap):
    article = make_article("alpha beta gamma delta")
    tag = make_tag("t")
    for word in ("alpha", "beta", "gamma"):
        make_annotation(article, exact=word, tags=[tag])
    response = client.get("/passages/?tag=t")
    assert response.context_data["capped"] is True
    assert b"More than 2 passages match these filters" in response.content
    assert b"Download every matching passage:" in response.content
    # The tag facet ignores its own selection: with no other filter in use its counts are
    # the maintained ones, exact and not sampled, while the other facets are over two.
    tag_facet, outlet_facet = response.context_data["facets"][:2]
    assert [(t["slug"], t["count"]) for t in tag_facet["options"]] == [("t", 3)]
    assert (tag_facet["capped"], outlet_facet["capped"]) == (False, True)
    assert [o["count"] for o in outlet_facet["options"]] == [2]
    # The export is not capped.
    export = client.get("/passages/export.csv?tag=t")
    assert export["X-Gloss-Row-Count"] == "3"


def test_organization_facet_counts_articles_mentioning_or_attributed_once_each(client):
    """One GROUP BY over (article, organization) pairs: an article that both mentions an
    organization and holds a passage attributed to it counts once."""
    union = make_organization("Readers Union")
    court = make_organization("High Court")
    outlet = make_outlet("Daily")
    both = make_article("words here", outlet=outlet)
    article_set_organizations(article=both, organizations=[union])
    make_annotation(both, exact="words", organization=union)
    attributed = make_article("other words", outlet=outlet)
    make_annotation(attributed, exact="other", organization=court)
    make_annotation(attributed, exact="words", organization=union)
    make_article("unrelated", outlet=make_outlet("Weekly"))
    response = client.get("/articles/?outlet=daily")
    organizations = response.context_data["facets"][1]["options"]
    assert [(o["slug"], o["count"]) for o in organizations] == [
        ("readers-union", 2),
        ("high-court", 1),
    ]


@pytest.mark.parametrize("daily", [1, 5])
def test_a_facet_over_a_wider_base_is_capped_and_flagged_on_its_own(
    client, cap, django_assert_num_queries, daily
):
    """The outlet facet ignores `outlet=weekly`, so it groups over every article the date
    filter matches: past the cap with five Daily ones though the one result is not."""
    outlet = make_outlet("Daily")
    for _ in range(daily):
        make_article(outlet=outlet, published=date(2020, 1, 1))
    make_article(outlet=make_outlet("Weekly"), published=date(2020, 1, 1))
    make_article(outlet=outlet, published=date(2010, 1, 1))
    # Corpus version, outlet validation, matching ids, the outlet facet's ids (what the
    # date filter matches), three facets, page, the tag and organization trees: the same
    # whether capped or not.
    with django_assert_num_queries(9):
        response = client.get("/articles/?published_after=2015-01-01&outlet=weekly")
    assert response.context_data["capped"] is False
    assert response.context_data["paginator"].count == 1
    facets = {f["parameter"]: f for f in response.context_data["facets"]}
    assert facets["outlet"]["capped"] is (daily + 1 > cap)
    counts = {o["slug"]: o["count"] for o in facets["outlet"]["options"]}
    assert sum(counts.values()) == min(daily + 1, cap)
    assert facets["tag"]["capped"] is False
    flagged = response.content.count(b"(in the first 2 matches)")
    assert flagged == (1 if daily + 1 > cap else 0)


def test_a_capped_search_still_finds_the_matches_other_filters_ask_for(client, cap):
    """The search bound counts only rows the other filters keep: an outlet's one match is
    found even when the word matches more than the cap elsewhere."""
    busy, quiet = make_outlet("Busy"), make_outlet("Quiet")
    for i in range(4):
        make_article(f"common word {i}", title=f"Busy {i}", outlet=busy)
    make_article("common word at last", title="Quiet one", outlet=quiet)
    response = client.get(f"/articles/?q=common&outlet={quiet.slug}")
    assert [a.title for a in response.context_data["articles"]] == ["Quiet one"]
    assert response.context_data["capped"] is False
    tag = make_tag("claim")
    for article_title in ("Busy 0", "Busy 1", "Busy 2"):
        make_annotation(Article.objects.get(title=article_title), exact="common", tags=[tag])
    quiet_passage = make_annotation(
        Article.objects.get(title="Quiet one"), exact="common", tags=[tag]
    )
    response = client.get(f"/passages/?q=common&outlet={quiet.slug}")
    assert [p.pk for p in response.context_data["passages"]] == [quiet_passage.pk]
