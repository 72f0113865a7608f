"""`/passages/` and `/tags/<slug>/`: what anonymous visitors and staff see of passages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.actions.passages import annotation_update
from tests.factories import (
    make_annotation,
    make_article,
    make_editor,
    make_organization,
    make_outlet,
    make_tag,
    make_user,
)

pytestmark = pytest.mark.django_db


def shown_ids(response) -> list[int]:
    return [passage.pk for passage in response.context_data["passages"]]


@pytest.fixture
def corpus():
    """Two outlets, two tags, an organization; published and draft passages."""
    red, blue = make_tag("red"), make_tag("blue", colour="#0000ff")
    org = make_organization("Union of Readers")
    daily, weekly = make_outlet("Daily"), make_outlet("Weekly")
    first = make_article("alpha beta gamma delta epsilon", outlet=daily)
    second = make_article("zeta eta theta iota kappa", outlet=weekly)
    draft_article = make_article("alpha secretword words", outlet=daily, status="draft")
    return {
        "red": red,
        "blue": blue,
        "org": org,
        "daily": daily,
        "weekly": weekly,
        "alpha": make_annotation(first, exact="alpha", tags=[red], organization=org),
        "beta": make_annotation(first, exact="beta", tags=[red, blue], note="see page 4"),
        "zeta": make_annotation(second, exact="zeta", tags=[blue]),
        "draft": make_annotation(second, exact="theta", tags=[red], status="draft"),
        "in_draft": make_annotation(draft_article, exact="secretword", tags=[red]),
    }


def test_anonymous_visitors_see_published_passages_of_published_articles_only(client, corpus):
    response = client.get("/passages/")
    assert response.status_code == 200
    assert sorted(shown_ids(response)) == sorted(
        [corpus["alpha"].pk, corpus["beta"].pk, corpus["zeta"].pk]
    )
    assert b"Draft" not in response.content
    assert b"secretword" not in response.content


def test_staff_see_drafts_marked_as_drafts(client, corpus):
    client.force_login(make_user())
    response = client.get("/passages/")
    assert corpus["draft"].pk in shown_ids(response)
    assert corpus["in_draft"].pk in shown_ids(response)
    assert b'<span class="draft-badge">Draft</span>' in response.content


def test_tag_filter_is_repeatable_and_a_passage_with_both_tags_appears_once(client, corpus):
    response = client.get("/passages/?tag=red&tag=blue")
    assert sorted(shown_ids(response)) == sorted(
        [corpus["alpha"].pk, corpus["beta"].pk, corpus["zeta"].pk]
    )
    response = client.get("/passages/?tag=blue&outlet=" + corpus["daily"].slug)
    assert shown_ids(response) == [corpus["beta"].pk]


def test_organization_annotator_article_and_text_filters_narrow_the_passages(client, corpus):
    assert shown_ids(client.get(f"/passages/?organization={corpus['org'].slug}")) == [
        corpus["alpha"].pk
    ]
    assert shown_ids(client.get("/passages/?q=page")) == [corpus["beta"].pk]
    assert shown_ids(client.get("/passages/?q=zeta")) == [corpus["zeta"].pk]
    username = corpus["zeta"].annotator.username
    assert shown_ids(client.get(f"/passages/?annotator={username}")) == [corpus["zeta"].pk]
    slug = corpus["zeta"].article.slug
    assert shown_ids(client.get(f"/passages/?article={slug}")) == [corpus["zeta"].pk]


def test_facets_count_passages_of_the_current_result_set(client, corpus):
    response = client.get(f"/passages/?outlet={corpus['daily'].slug}")
    facets = {f["parameter"]: f["options"] for f in response.context_data["facets"]}
    assert [(o["slug"], o["count"]) for o in facets["tag"]] == [("red", 2), ("blue", 1)]
    # The outlet facet ignores its own selection (disjunctive): Weekly stays to be added.
    assert [(o["slug"], o["count"], o["selected"]) for o in facets["outlet"]] == [
        (corpus["daily"].slug, 2, True),
        (corpus["weekly"].slug, 1, False),
    ]
    assert [(o["slug"], o["count"]) for o in facets["organization"]] == [(corpus["org"].slug, 1)]
    assert b'red <span class="count">(2)</span>' in response.content


@pytest.mark.parametrize(
    "query",
    [
        "?published_after=2020-13-45",
        "?published_before=yesterday",
        "?tag=no-such-tag",
        "?outlet=nowhere&organization=nobody",
        "?page=99999999999999999999",
        "?page=-3",
        "?page=abc",
        "?q=%00%27%22",
    ],
)
def test_malformed_filters_give_a_normal_page_never_a_server_error(client, corpus, query):
    response = client.get("/passages/" + query)
    assert response.status_code == 200
    assert b"<h1>Passages</h1>" in response.content


def test_unknown_tag_shows_a_form_error_and_no_results(client, corpus):
    response = client.get("/passages/?tag=no-such-tag")
    assert shown_ids(response) == []
    assert b'role="alert"' in response.content


def test_download_link_carries_the_current_filters(client, corpus):
    response = client.get("/passages/?tag=red&outlet=" + corpus["daily"].slug + "&page=1")
    expected = f'href="/passages/export.csv?tag=red&amp;outlet={corpus["daily"].slug}"'
    assert expected.encode() in response.content


def test_passages_are_shown_with_context_escaped(client):
    article = make_article("before <b>bold</b> & after")
    make_annotation(article, exact="<b>bold</b>", note="<script>x</script>")
    content = client.get("/passages/").content
    assert b"<b>bold</b>" not in content and b"<script>x" not in content
    assert b"&lt;b&gt;bold&lt;/b&gt;" in content
    assert b"&lt;script&gt;x&lt;/script&gt;" in content


@pytest.mark.parametrize("count", [1, 30])
def test_passage_list_query_count_is_constant(client, django_assert_num_queries, count):
    """corpus version + row count and facets (one query) + page + tags, whatever the size."""
    tag = make_tag("t")
    article = make_article("word " * 40)
    for i in range(count):
        make_annotation(article, start=i * 5, end=i * 5 + 4, tags=[tag])
    # The maintained row count and three facets come in one query (were four); the
    # annotator chooser one (the articles' titles are asked for once the field is used:
    # /passages/article-choices.json); the tag tree (issue 19: the facet shows sub-tags
    # under their parents) one.
    with django_assert_num_queries(6):
        client.get("/passages/")
    # Filtered: one validation query per slug filter, the matching ids (the count, and
    # the base of the facets whose parameter is not in use), page, tags, three facets,
    # the annotator chooser. A facet whose own parameter is in use counts over what the other
    # filters match: one more query (their first ids) per such facet. Here outlet.
    with django_assert_num_queries(11):
        client.get(f"/passages/?outlet={article.outlet.slug}&q=word")
    # Tag and outlet in use: two more.
    with django_assert_num_queries(13):
        client.get(f"/passages/?tag=t&outlet={article.outlet.slug}&q=word")
    # A facet whose parameter is the only filter reads the maintained counts: no base to
    # fetch, and one query as its GROUP BY was.
    with django_assert_num_queries(10):
        client.get("/passages/?tag=t")


def facet_counts(response) -> dict[str, list[tuple[str, int, bool]]]:
    return {
        f["parameter"]: [(o["slug"], o["count"], o["selected"]) for o in f["options"]]
        for f in response.context_data["facets"]
    }


def test_facets_are_disjunctive_ticking_a_tag_keeps_the_other_tags(client, corpus):
    """Each facet counts over every active filter but its own: OR within, AND across."""
    daily, weekly = corpus["daily"].slug, corpus["weekly"].slug
    response = client.get(f"/passages/?tag=blue&outlet={daily}")
    assert shown_ids(response) == [corpus["beta"].pk]
    facets = facet_counts(response)
    # Tags over the Daily passages (alpha, beta): red is still offered, with the two
    # passages ticking it would cover; the blue selection itself is ignored here.
    assert facets["tag"] == [("red", 2, False), ("blue", 1, True)]
    # Outlets over the blue passages (beta in Daily, zeta in Weekly).
    assert facets["outlet"] == [(daily, 1, True), (weekly, 1, False)]
    # A facet not in use counts over the results themselves (beta: no organization).
    assert facets["organization"] == []
    # Ticking red as well: the results grow by what the tag facet said (alpha).
    both = client.get(f"/passages/?tag=blue&tag=red&outlet={daily}")
    assert sorted(shown_ids(both)) == sorted([corpus["alpha"].pk, corpus["beta"].pk])
    assert facet_counts(both)["tag"] == [("red", 2, True), ("blue", 1, True)]
    assert facet_counts(both)["organization"] == [(corpus["org"].slug, 1, False)]


def test_facet_counts_honour_the_other_filters_and_the_audience(client, corpus):
    """Counts ignore only the facet's own selection: text, dates and drafts still apply."""
    response = client.get("/passages/?tag=red&q=page")
    assert shown_ids(response) == [corpus["beta"].pk]
    assert facet_counts(response)["tag"] == [("blue", 1, False), ("red", 1, True)]
    # Staff see the draft passages: red in Weekly now counts under the outlet facet.
    client.force_login(make_user())
    facets = facet_counts(client.get(f"/passages/?tag=red&outlet={corpus['daily'].slug}"))
    assert facets["outlet"] == [
        (corpus["daily"].slug, 3, True),
        (corpus["weekly"].slug, 1, False),
    ]
    assert facets["tag"] == [("red", 3, True), ("blue", 1, False)]


def test_an_invalid_value_blanks_the_other_facets_but_not_its_own(client, corpus):
    """An unknown tag leaves no results; its own facet still lists every tag to pick from."""
    facets = facet_counts(client.get("/passages/?tag=no-such-tag"))
    assert facets["tag"] == [("blue", 2, False), ("red", 2, False), ("no-such-tag", 0, True)]
    assert facets["outlet"] == [] and facets["organization"] == []
    # An invalid value in another filter: nothing matches, for every facet.
    facets = facet_counts(client.get("/passages/?tag=red&published_after=2020-13-45"))
    assert facets["tag"] == [("red", 0, True)]


def test_tag_page_shows_its_description_and_passages_in_constant_queries(
    client, corpus, django_assert_num_queries
):
    corpus["red"].description = "Red things & more"
    corpus["red"].save()
    # Four queries and the corpus version (publishing/page_cache.py).
    with django_assert_num_queries(5):
        response = client.get("/tags/red/")
    assert b"Red things &amp; more" in response.content
    assert sorted(shown_ids(response)) == sorted([corpus["alpha"].pk, corpus["beta"].pk])
    assert client.get("/tags/nope/").status_code == 404


def test_search_follows_a_note_edited_after_the_passage_was_made(client, corpus):
    """On PostgreSQL the passage's text vector is a stored column the database recomputes
    on every write (migration 0007); the ORM never writes it, so an edit made through the
    service must still be what the search finds, in the page and in the export."""
    annotation_update(annotation=corpus["zeta"], user=make_editor(), note="an amicus brief, quoted")
    with CaptureQueriesContext(connection) as captured:
        assert shown_ids(client.get("/passages/?q=amicus")) == [corpus["zeta"].pk]
    # Read now: the next request empties the connection's query log this slices.
    searches = [q["sql"] for q in captured.captured_queries if "@@" in q["sql"]]
    export = client.get("/passages/export.csv?q=amicus")
    assert export["X-Gloss-Row-Count"] == "1"
    assert shown_ids(client.get("/passages/?q=page")) == [corpus["beta"].pk]
    if connection.vendor == "postgresql":
        # Stemmed, and read from the stored vector, never recomputed per row.
        assert shown_ids(client.get("/passages/?q=briefs")) == [corpus["zeta"].pk]
        assert searches and all('"search_vector" @@' in sql for sql in searches)
        assert not any("to_tsvector" in sql for sql in searches)
