"""Tag and organization hierarchies on `/articles/`, as on `/passages/`: a parent tag
finds the articles holding a passage of any tag under it, an organization the articles
mentioning it or one of its affiliates or holding a passage attributed to one; the facets
are trees whose parents count each article once (issue 19)."""

import pytest

from annotations.models import Tag
from articles.models import Article
from tests.codebook.test_hierarchy import assert_each_option_counts, make_trees
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_editor,
    make_outlet,
)
from tests.rounds.agreement_data import make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    """evidence > statistic, quote > testimony; legal argument at the top. ACLU > ACLU of
    Massachusetts > its Boston chapter, and another group.

    - Counted: a statistic attributed to ACLU of Massachusetts, in a text that also
      mentions ACLU (one article, however many ways it counts toward ACLU);
    - Testimony: a testimony attributed to the Boston chapter;
    - Both: evidence itself, a quote and a legal argument, attributed to the other group;
    - Argued: a legal argument only, in a text that mentions ACLU;
    - a draft: a statistic attributed to the Boston chapter (staff only).
    """
    evidence, statistic, quote, testimony, legal, aclu, mass, boston, other = make_trees()
    daily, weekly = make_outlet("Daily"), make_outlet("Weekly")
    plain = "alpha beta gamma delta epsilon zeta eta theta"
    counted = make_article(f"The ACLU said: {plain}", title="Counted", outlet=daily)
    make_annotation(counted, exact="alpha", tags=[statistic], organization=mass)
    told = make_article(plain, title="Testimony", outlet=daily)
    make_annotation(told, exact="beta", tags=[testimony], organization=boston)
    both = make_article(plain, title="Both", outlet=weekly)
    make_annotation(both, exact="gamma", tags=[evidence], organization=other)
    make_annotation(both, exact="delta", tags=[quote], organization=other)
    make_annotation(both, exact="epsilon", tags=[legal])
    argued = make_article(f"As the ACLU argued, {plain}", title="Argued", outlet=weekly)
    make_annotation(argued, exact="zeta", tags=[legal])
    draft = make_article(plain, title="Draft", status="draft", outlet=daily)
    make_annotation(draft, exact="alpha", tags=[statistic], organization=boston)
    return {"aclu": aclu, "mass": mass, "boston": boston, "other": other}


def titles(response) -> list[str]:
    return sorted(article.title for article in response.context_data["articles"])


def found(client, query: str) -> int:
    return client.get("/articles/" + query).context_data["paginator"].count


@pytest.fixture(autouse=True)
def uncached(settings):
    settings.GLOSS_PAGE_CACHE_SECONDS = 0  # each request counts (the tests compare them)


def options(response, parameter):
    (facet,) = [f for f in response.context_data["facets"] if f["parameter"] == parameter]
    return facet["options"]


def test_a_parent_tag_finds_the_articles_of_its_sub_tags(client, corpus):
    assert titles(client.get("/articles/?tag=evidence")) == ["Both", "Counted", "Testimony"]
    assert titles(client.get("/articles/?tag=quote")) == ["Both", "Testimony"]
    assert titles(client.get("/articles/?tag=testimony")) == ["Testimony"]
    # Every ticked tag, each by itself or a tag under it (in the same article).
    every = "/articles/?tag=evidence&tag=legal-argument&tag_match=all"
    assert titles(client.get(every)) == ["Both"]
    every = "/articles/?tag=quote&tag=statistic&tag_match=all"
    assert titles(client.get(every)) == []


def test_an_organization_finds_the_articles_of_its_affiliates(client, corpus):
    aclu, mass = corpus["aclu"].slug, corpus["mass"].slug
    found_aclu = titles(client.get(f"/articles/?organization={aclu}"))
    assert found_aclu == ["Argued", "Counted", "Testimony"]
    assert titles(client.get(f"/articles/?organization={mass}")) == ["Counted", "Testimony"]
    assert titles(client.get("/articles/?organization=ACLU", follow=True)) == found_aclu
    client.force_login(make_editor())
    assert titles(client.get(f"/articles/?organization={mass}")) == [
        "Counted",
        "Draft",
        "Testimony",
    ]


def test_the_facets_are_trees_counting_each_article_once(client, corpus):
    response = client.get("/articles/")
    assert [(o["slug"], o["count"], o["depth"]) for o in options(response, "tag")] == [
        ("legal-argument", 2, 0),
        ("evidence", 3, 0),
        ("statistic", 1, 1),
        ("quote", 2, 1),
        ("testimony", 1, 2),
    ]
    aclu, mass, boston = corpus["aclu"].slug, corpus["mass"].slug, corpus["boston"].slug
    organizations = [(o["slug"], o["count"], o["depth"]) for o in options(response, "organization")]
    # Counted mentions ACLU and holds a passage of its Massachusetts affiliate: one article.
    assert organizations == [
        (aclu, 3, 0),
        (mass, 2, 1),
        (boston, 1, 2),
        (corpus["other"].slug, 1, 0),
    ]


@pytest.mark.parametrize("signed_in", ["", "editor", "blind coder"])
@pytest.mark.parametrize(
    "query", ["", "?q=alpha", "?outlet=daily", "?tag=quote", "?organization=MASS"]
)
def test_each_facet_option_counts_what_ticking_it_finds(client, corpus, signed_in, query):
    """The count beside a tag or organization, parents included, is the number of
    articles the listing finds once it is ticked (alone in its facet, the other filters
    kept), on the maintained pairs (no filter) and on grouped ones alike, for anonymous
    visitors, for staff (who see the draft), and for a coder of an open blind round on
    those articles (counted from the passages they may see, not the maintained pairs)."""
    if signed_in == "editor":
        client.force_login(make_editor())
    elif signed_in == "blind coder":
        coder = make_annotator()
        articles = Article.objects.all()
        make_round(articles=articles, coders=[coder, make_annotator()], tags=Tag.objects.all())
        testimony = Tag.objects.get(slug="testimony")
        make_annotation(
            articles.get(title="Argued"), exact="theta", annotator=coder, tags=[testimony]
        )
        client.force_login(coder)
    query = query.replace("MASS", corpus["mass"].slug)
    response = client.get("/articles/" + query)
    assert assert_each_option_counts(response, query, lambda q: found(client, q))
