"""The public article pages: home, `/articles/`, an article, an outlet, an organization."""

import re
from datetime import date

import pytest

from annotations.models import Annotation
from articles.actions.articles import article_set_organizations
from articles.models import Article
from tests.factories import (
    make_annotation,
    make_article,
    make_organization,
    make_outlet,
    make_tag,
    make_user,
)

pytestmark = pytest.mark.django_db


def shown(response) -> list[str]:
    return [article.title for article in response.context_data["articles"]]


@pytest.fixture
def corpus():
    tag, other = make_tag("claim"), make_tag("number")
    union = make_organization("Readers Union")
    court = make_organization("High Court")
    daily, weekly = make_outlet("Daily"), make_outlet("Weekly")
    old = make_article(
        "The court ruled on asylum.", title="Old", outlet=daily, published=date(2019, 1, 1)
    )
    new = make_article(
        "Numbers rose sharply this year.",
        title="New",
        outlet=weekly,
        published=date(2021, 6, 1),
    )
    mid = make_article(
        "A quiet story about gardens.", title="Mid", outlet=daily, published=date(2020, 3, 3)
    )
    make_article("Draft text", title="Secret draft", outlet=daily, status="draft")
    # Through the service, as every write: it keeps the maintained facet counts.
    article_set_organizations(article=old, organizations=[court])
    make_annotation(new, exact="Numbers rose", tags=[other], organization=union)
    make_annotation(old, exact="court ruled", tags=[tag])
    make_annotation(mid, exact="quiet", tags=[tag], status="draft")
    return locals()


def test_article_list_shows_published_articles_newest_first_with_count(client, corpus):
    response = client.get("/articles/")
    assert response.status_code == 200
    assert shown(response) == ["New", "Mid", "Old"]
    assert b"3 articles" in response.content
    assert b"Secret draft" not in response.content


def test_staff_see_draft_articles_marked(client, corpus):
    client.force_login(make_user())
    response = client.get("/articles/")
    assert "Secret draft" in shown(response)
    assert b'<span class="draft-badge">Draft</span>' in response.content


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("?q=asylum", ["Old"]),
        ("?q=COURT+asylum", ["Old"]),
        ("?q=new", ["New"]),  # title
        ("?outlet=daily", ["Mid", "Old"]),
        ("?outlet=daily&outlet=weekly", ["New", "Mid", "Old"]),
        ("?organization=high-court", ["Old"]),  # mentioned
        ("?organization=readers-union", ["New"]),  # a passage attributed to it
        ("?tag=claim", ["Old"]),  # the draft passage in Mid does not count
        ("?tag=claim&tag=number", ["New", "Old"]),
        ("?published_after=2020-01-01", ["New", "Mid"]),
        ("?published_before=2020-12-31&published_after=2020-01-01", ["Mid"]),
        ("?ordering=title", ["Mid", "New", "Old"]),
        ("?ordering=published", ["Old", "Mid", "New"]),
    ],
)
def test_article_filters_narrow_results_as_documented(client, corpus, query, titles):
    assert shown(client.get("/articles/" + query)) == titles


def test_article_facets_count_articles_in_the_current_results(client, corpus):
    response = client.get("/articles/?outlet=daily")
    facets = {f["parameter"]: f["options"] for f in response.context_data["facets"]}
    # The outlet facet ignores its own selection (disjunctive): Weekly stays to be added.
    assert [(o["slug"], o["count"], o["selected"]) for o in facets["outlet"]] == [
        ("daily", 2, True),
        ("weekly", 1, False),
    ]
    assert [(o["slug"], o["count"]) for o in facets["organization"]] == [("high-court", 1)]
    assert [(o["slug"], o["count"]) for o in facets["tag"]] == [("claim", 1)]
    facets = {f["parameter"]: f["options"] for f in client.get("/articles/").context_data["facets"]}
    assert [(o["slug"], o["count"]) for o in facets["organization"]] == [
        ("high-court", 1),
        ("readers-union", 1),
    ]


def facet_counts(response) -> dict[str, list[tuple[str, int, bool]]]:
    return {
        f["parameter"]: [(o["slug"], o["count"], o["selected"]) for o in f["options"]]
        for f in response.context_data["facets"]
    }


def test_article_facets_are_disjunctive_within_and_conjunctive_across(client, corpus):
    """Each facet counts the articles every other active filter matches."""
    response = client.get("/articles/?tag=claim&published_before=2021-12-31")
    assert shown(response) == ["Old"]
    facets = facet_counts(response)
    # Ticking claim keeps number, with the article ticking it would add (New).
    assert facets["tag"] == [("claim", 1, True), ("number", 1, False)]
    # Facets whose parameter is not in use count the results themselves.
    assert facets["outlet"] == [("daily", 1, False)]
    assert facets["organization"] == [("high-court", 1, False)]
    # Nothing is both claim and from Weekly; each facet still offers its way out.
    facets = facet_counts(client.get("/articles/?tag=claim&outlet=weekly"))
    assert facets["tag"] == [("number", 1, False), ("claim", 0, True)]
    assert facets["outlet"] == [("daily", 1, False), ("weekly", 0, True)]
    assert facets["organization"] == []


def test_article_facet_counts_honour_the_other_filters_and_the_audience(client, corpus):
    """A facet ignores only its own selection: text, dates and drafts still narrow it."""
    facets = facet_counts(client.get("/articles/?outlet=daily&q=court"))
    assert facets["outlet"] == [("daily", 1, True)]
    client.force_login(make_user())
    # Staff also see Mid's draft passage (claim) and the draft article.
    facets = facet_counts(client.get("/articles/?outlet=daily&outlet=weekly&tag=claim"))
    assert facets["tag"] == [("claim", 2, True), ("number", 1, False)]
    assert facets["outlet"] == [("daily", 2, True), ("weekly", 0, True)]


@pytest.mark.parametrize(
    "query",
    [
        "?published_after=2020-02-30",
        "?published_before=%FF",
        "?outlet=nowhere",
        "?organization=x&tag=y",
        "?ordering=drop+table",
        "?page=100000000000000000000000",
        "?page=0",
        "?q=" + "a+" * 200,
    ],
)
def test_malformed_article_filters_never_raise(client, corpus, query):
    response = client.get("/articles/" + query)
    assert response.status_code == 200
    assert b"<h1>Articles</h1>" in response.content


def test_a_bad_date_shows_a_form_error_next_to_its_field(client, corpus):
    response = client.get("/articles/?published_after=2020-02-30")
    assert shown(response) == []
    assert b'id="published_after-errors"' in response.content


def test_pagination_keeps_filters_and_clamps_out_of_range_pages(client, settings):
    outlet = make_outlet("Many")
    for i in range(25):
        make_article(f"text {i}", title=f"A{i:02}", outlet=outlet)
    response = client.get("/articles/?outlet=many&page=2")
    assert len(shown(response)) == 5
    assert b'href="?outlet=many&amp;page=1"' in response.content
    assert client.get("/articles/?outlet=many&page=999").context_data["page_obj"].number == 2


@pytest.mark.parametrize("size", [1, 25])
def test_article_list_query_count_is_constant(client, django_assert_num_queries, size):
    """corpus version + row count and three facets (one query) + page (with passage counts)."""
    tag = make_tag("t")
    for _ in range(size):
        make_annotation(make_article("some words here"), exact="words", tags=[tag])
    # The maintained row count and facets come in one query (were four).
    # And the tag and organization trees, one query (issue 19: parents count their family).
    with django_assert_num_queries(4):
        client.get("/articles/")
    outlet = Article.objects.first().outlet.slug
    # Filtered: a validation query per slug filter, the matching ids, page, three facets;
    # plus one (the first ids the other filters match) per facet whose own parameter is
    # in use: tag and outlet here (was 8).
    with django_assert_num_queries(11):
        client.get(f"/articles/?tag=t&outlet={outlet}&q=words")
    # A facet whose parameter is the only filter reads the maintained counts (unchanged).
    with django_assert_num_queries(8):
        client.get("/articles/?tag=t")


def article_page(client, article):
    return client.get(f"/articles/{article.slug}/")


def test_article_page_highlights_every_published_passage_with_links(client):
    tag = make_tag("figure", colour="#123456")
    org = make_organization("Council 9")
    body = "First paragraph with 12 numbers.\n\nSecond <paragraph> & more."
    article = make_article(body, title="Title <i>", url="https://example.org/x", author="A. Writer")
    article.organizations.add(org)
    outer = make_annotation(article, exact="paragraph with 12 numbers", tags=[tag])
    inner = make_annotation(article, exact="12", organization=org, note="n<ote>")
    draft = make_annotation(article, exact="Second", status="draft")
    response = article_page(client, article)
    content = response.content.decode()
    assert "Title &lt;i&gt;" in content and "<i>" not in content
    assert 'href="https://example.org/x"' in content and "A. Writer" in content
    assert f'href="{org.get_absolute_url()}"' in content
    # Paragraphs preserved; the overlapping inner passage is its own segment.
    assert content.count("<p>First") == 1 and "<p>Second &lt;paragraph&gt; &amp; more.</p>" in (
        content
    )
    assert (
        f'<mark class="hl hl-depth-2 tag-{tag.pk} hl-passage-{inner.pk} hl-passage-{outer.pk} '
        f'hl-starts hl-ends" id="hl-{inner.pk}" title="untagged (Council 9)">'
        f'<a href="#passage-{inner.pk}" aria-label="12 \u2013 passage: untagged (Council 9)">'
        "12</a></mark>"
    ) in content
    assert f'id="passage-{outer.pk}"' in content and f'id="passage-{inner.pk}"' in content
    assert f"passage-{draft.pk}" not in content
    assert "n&lt;ote&gt;" in content


def test_article_page_shows_highlighted_text_equal_to_the_body_slice(client):
    """What each highlight's segments spell is exactly body[start:end] (curly quotes, NBSP)."""
    body = "He said \u201cwe\u00a0won\u201d 😀 today.\nThen left."
    article = make_article(body)
    passage = make_annotation(article, exact="\u201cwe\u00a0won\u201d 😀 today.\nThen")
    content = article_page(client, article).content.decode()
    pieces = re.findall(
        rf'<mark class="[^"]*hl-passage-{passage.pk}[^"]*"[^>]*>(?:<a [^>]*>)?([^<]*)', content
    )
    import html

    assert "\n".join(html.unescape(p) for p in pieces) == body[passage.start : passage.end]


def test_orphaned_passages_are_listed_marked_but_not_highlighted(client):
    article = make_article("one two three")
    passage = make_annotation(article, exact="two")
    Annotation.objects.filter(pk=passage.pk).update(anchor_status="orphaned")
    content = article_page(client, article).content.decode()
    assert f'id="passage-{passage.pk}"' in content
    assert "Orphaned" in content
    assert f"hl-passage-{passage.pk}" not in content


def test_draft_articles_are_not_found_by_anonymous_visitors_but_staff_see_them(client):
    article = make_article("text", status="draft")
    assert article_page(client, article).status_code == 404
    client.force_login(make_user())
    response = article_page(client, article)
    assert response.status_code == 200
    assert b'<span class="draft-badge">Draft</span>' in response.content


@pytest.mark.parametrize("count", [1, 40])
def test_article_page_query_count_is_constant(client, django_assert_num_queries, count):
    """corpus version + article + passages + their tags + mentioned organizations."""
    tag = make_tag("t")
    article = make_article("word " * 50)
    for i in range(count):
        make_annotation(article, start=i, end=i + 4 + i % 3, exact=None, tags=[tag])
    with django_assert_num_queries(5):
        article_page(client, article)


def test_outlet_and_organization_pages_in_constant_queries(
    client, corpus, django_assert_num_queries
):
    # Each anonymous page first reads the corpus version (publishing/page_cache.py).
    with django_assert_num_queries(5):
        response = client.get("/outlets/daily/")
    assert shown(response) == ["Mid", "Old"]
    # The organizations' tree too (its affiliates' passages are its own: issue 19).
    with django_assert_num_queries(9):
        response = client.get("/organizations/readers-union/")
    assert [p.exact for p in response.context_data["passages"]] == ["Numbers rose"]
    assert [(t["slug"], t["count"]) for t in response.context_data["tag_counts"]] == [("number", 1)]
    assert shown(client.get("/organizations/high-court/")) == ["Old"]
    assert client.get("/outlets/nowhere/").status_code == 404


def test_home_page_summarises_the_collection_in_constant_queries(
    client, corpus, django_assert_num_queries
):
    # The corpus version (publishing/page_cache.py), the totals (one aggregate over the
    # maintained counts), tags, latest articles, outlets (was six and the version).
    with django_assert_num_queries(5):
        response = client.get("/")
    assert response.context_data["totals"] == {"articles": 3, "outlets": 2}
    assert response.context_data["organization_count"] == 2
    assert response.context_data["passage_count"] == 2
    assert {t.slug: t.passage_count for t in response.context_data["tags"]}["claim"] == 1
    assert [a.title for a in response.context_data["latest"]] == ["New", "Mid", "Old"]
    assert b'class="tag-chip tag-' in response.content
    assert b'href="/tags.css"' in response.content


def test_seeded_corpus_pages_render_for_a_newcomer(client, seeded):
    """The demo articles list, open and filter without errors."""
    response = client.get("/articles/")
    assert response.status_code == 200
    assert response.context_data["paginator"].count == 5
    for article in response.context_data["articles"]:
        page = article_page(client, article)
        assert page.status_code == 200
        assert page.content.count(b"<p>") > 3
    assert client.get("/articles/?q=asylum").context_data["paginator"].count >= 1
