"""The crosstabs of `/analysis/` equal counts taken straight from the listing's passages,
for every pair of dimensions, several filter sets, with and without rollup; the CSV's
shape; one grouped query per table (runs on SQLite and PostgreSQL: CI runs both)."""

from itertools import permutations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publishing.analysis.crosstab import DIMENSIONS
from tests.publishing.analysis.conftest import (
    crosstab_cells,
    expected,
    expected_cooccurrence,
    export_rows,
    parse_csv,
)

pytestmark = pytest.mark.django_db

FILTER_SETS = [
    "",
    "outlet=daily",
    "tag=quote",
    "tag=quote&tag=legal-argument",
    "organization=readers-union",
    "published_after=2024-02-01",
    "published_before=2024-02-01",
    "q=court",
    "annotator=bob",
    "outlet=weekly&tag=statistic",
    "organization=city-council&published_after=2024-01-01&published_before=2024-12-31",
]
PAIRS = list(permutations(DIMENSIONS, 2))


@pytest.mark.parametrize("query", FILTER_SETS)
def test_every_crosstab_equals_the_listings_passages_counted(client, corpus, query):
    """Each (rows, cols) pair's CSV, own tags and rolled up, holds exactly the counts of
    `/passages/export.csv` with the same filters, counted in Python."""
    exported = export_rows(client, query)
    for rows, cols in PAIRS:
        for rollup in (False, True):
            url = f"/analysis/crosstab.csv?rows={rows}&cols={cols}&{query}"
            if rollup:
                url += "&rollup=1"
            response = client.get(url)
            assert response.status_code == 200, (url, response.content)
            want = expected(client, query, rows, cols, rollup=rollup, exported=exported)
            assert crosstab_cells(response.content) == dict(want), url


@pytest.mark.parametrize("query", FILTER_SETS)
def test_cooccurrence_equals_articles_counted(client, corpus, query):
    for rollup in ("", "&rollup=1"):
        response = client.get(f"/analysis/cooccurrence.csv?{query}{rollup}")
        assert response.status_code == 200
        want = expected_cooccurrence(client, query, rollup=bool(rollup))
        assert crosstab_cells(response.content) == dict(want)


def test_staff_count_drafts_as_their_listing_does(client, corpus):
    """Signed-in staff see draft passages and articles on /passages/; the crosstabs too."""
    client.force_login(corpus["annotator"])
    for rows, cols in (("tag", "outlet"), ("month", "tag"), ("organization", "tag")):
        response = client.get(f"/analysis/crosstab.csv?rows={rows}&cols={cols}")
        assert crosstab_cells(response.content) == dict(expected(client, "", rows, cols))
    assert (
        crosstab_cells(client.get("/analysis/crosstab.csv?rows=tag&cols=outlet").content)[
            ("quote", "Daily")
        ]
        == 3
    )  # two published, one draft


def test_an_article_filter_counts_that_articles_passages(client, corpus):
    slug = corpus["articles"][0].slug
    response = client.get(f"/analysis/crosstab.csv?rows=tag&cols=organization&article={slug}")
    assert crosstab_cells(response.content) == {
        ("legal argument", "Readers Union"): 1,
        ("statistic", "Readers Union"): 1,
        ("quote", "Readers Union"): 1,
        ("quote", "City Council"): 1,
    }


def test_rollup_counts_a_passage_once_under_its_parent(client, corpus):
    """`42 percent` in January carries statistic and quote, both under evidence: once
    under evidence with rollup; evidence's own passages alone without it."""
    own = crosstab_cells(client.get("/analysis/crosstab.csv?rows=tag&cols=month").content)
    rolled = crosstab_cells(
        client.get("/analysis/crosstab.csv?rows=tag&cols=month&rollup=1").content
    )
    assert ("evidence", "2024-01") not in own
    assert own[("statistic", "2024-01")] == 1
    assert own[("quote", "2024-01")] == 2
    # January: "42 percent" (statistic + quote) and "council said no" (quote): 2 passages.
    assert rolled[("evidence", "2024-01")] == 2
    assert rolled[("quote", "2024-01")] == 2
    # March: "42 percent" (statistic), "court met" (evidence itself), Weekly's two.
    assert own[("evidence", "2024-03")] == 1
    assert rolled[("evidence", "2024-03")] == 4


def test_csv_shape_an_empty_cell_then_the_columns_then_a_row_per_label(client, corpus):
    """Months run in order with the empty February filled, undated last; tags as their
    tree (sub-tags under their parent); outlets by count, largest first."""
    response = client.get("/analysis/crosstab.csv?rows=month&cols=tag")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="gloss-month-by-tag-')
    assert response.content == (
        b",evidence,quote,statistic,legal argument\r\n"
        b"2024-01,0,2,1,1\r\n"
        b"2024-02,0,0,0,0\r\n"
        b"2024-03,1,1,2,2\r\n"
        b"undated,0,1,0,1\r\n"
    )
    response = client.get("/analysis/crosstab.csv?rows=outlet&cols=tag&rollup=1")
    assert parse_csv(response.content) == [
        ["", "evidence", "quote", "statistic", "legal argument"],
        ["Daily", "4", "2", "2", "2"],
        ["Weekly", "3", "2", "1", "2"],
    ]


def test_labels_that_look_like_formulas_are_neutralised(client, corpus):
    from tests.factories import make_annotation, make_tag

    tag = make_tag("=HYPERLINK()")
    make_annotation(corpus["articles"][1], exact="council said", tags=[tag])
    header = parse_csv(client.get("/analysis/crosstab.csv?rows=outlet&cols=tag").content)[0]
    assert "'=HYPERLINK()" in header


def test_no_matching_passages_give_the_header_only(client, corpus):
    response = client.get("/analysis/crosstab.csv?rows=tag&cols=outlet&q=nowhereword")
    assert response.status_code == 200
    assert response.content == b'""\r\n'


@pytest.mark.parametrize(
    ("slug", "rows", "cols"),
    [
        ("tag-outlet", "tag", "outlet"),
        ("organization-tag", "organization", "tag"),
        ("month-tag", "month", "tag"),
    ],
)
def test_each_table_is_one_grouped_query(client, corpus, settings, slug, rows, cols):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from publishing.analysis.views import Analysis

    settings.GLOSS_PAGE_CACHE_SECONDS = 0
    request = RequestFactory().get("/analysis/", {"outlet": "daily", "q": "court"})
    request.user = AnonymousUser()
    analysis = Analysis(request)
    assert analysis.valid
    with CaptureQueriesContext(connection) as queries:
        analysis.counts(rows, cols)
    # One grouped query; the table the page, chart and CSV share is computed with it, so
    # the names of its two dimensions are read too (a month needs none).
    grouped = [query for query in queries if "GROUP BY" in query["sql"]]
    assert len(grouped) == 1
    assert len(queries) == 1 + len({rows, cols} - {"month"})


def test_the_page_queries_once_per_table_plus_labels(
    client, corpus, settings, django_assert_num_queries
):
    """Unfiltered, two small queries per table from its maintained cells (its sums, then
    its shown cells: `Analysis.maintained_table`) and the tags, outlets and organizations
    named once each; filtered, one query for the four tables (`counted_together`), the
    names, and the filters' slug checks on top."""
    settings.GLOSS_PAGE_CACHE_SECONDS = 0
    with django_assert_num_queries(11):
        assert client.get("/analysis/").status_code == 200
    with django_assert_num_queries(7):  # and the tag tree: a tag matches its sub-tags
        assert client.get("/analysis/?tag=quote&outlet=daily&rollup=1").status_code == 200


def test_the_page_is_cached_per_corpus_version(client, corpus, django_assert_num_queries):
    """Anonymous: the second view is one query (the corpus version); a new passage is
    counted at once, and the CSV then counts from the kept numbers."""
    from tests.factories import make_annotation

    first = client.get("/analysis/")
    assert first["X-Gloss-Page-Cache"] == "miss"
    with django_assert_num_queries(1):
        assert client.get("/analysis/")["X-Gloss-Page-Cache"] == "hit"
    # The page read only the cells it shows; the CSV reads every cell of its table (and
    # names its tags and outlets) once, then keeps its lines: the version alone after.
    with django_assert_num_queries(4):
        client.get("/analysis/crosstab.csv?rows=tag&cols=outlet")
    with django_assert_num_queries(1):
        client.get("/analysis/crosstab.csv?rows=tag&cols=outlet")
    make_annotation(corpus["articles"][1], exact="council said", tags=["quote"])
    cells = crosstab_cells(client.get("/analysis/crosstab.csv?rows=tag&cols=outlet").content)
    assert cells[("quote", "Daily")] == 3
    assert client.get("/analysis/")["X-Gloss-Page-Cache"] == "miss"


@pytest.mark.parametrize("chart", ["tag-outlet", "organization-tag", "month-tag", "cooccurrence"])
def test_a_chart_after_its_page_draws_from_the_page_s_table(client, corpus, settings, chart):
    """The page computed every table; its chart then counts nothing and names nothing,
    also with the page cache off (`GLOSS_ANALYSIS_CACHE_SECONDS` keeps the tables)."""
    settings.GLOSS_PAGE_CACHE_SECONDS = 0
    settings.GLOSS_ANALYSIS_CACHE_SECONDS = 600
    assert client.get("/analysis/?outlet=daily").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/analysis/charts/{chart}.svg?outlet=daily")
    assert response.status_code == 200 and b"<svg" in response.content
    sql = [query["sql"] for query in queries]
    assert not [text for text in sql if "GROUP BY" in text or "annotations_tag" in text], sql
    # Kept off: every request counts again.
    settings.GLOSS_ANALYSIS_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/analysis/charts/{chart}.svg?outlet=daily")
    assert [query for query in queries if "GROUP BY" in query["sql"]]


@pytest.mark.parametrize("query", FILTER_SETS)
def test_the_page_s_tables_counted_together_equal_each_counted_alone(corpus, query):
    """`counted_together` (one scan for a filtered page's four tables) gives each table's
    cells exactly as its own grouped query does, with and without rollup."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import QueryDict

    from annotations.models import Annotation
    from publishing.analysis.crosstab import cooccurrence, counted_together, crosstab
    from publishing.filters import PassageFilterSet

    passages = PassageFilterSet(
        QueryDict(query), queryset=Annotation.objects.visible_to(AnonymousUser())
    ).qs
    pairs = [("tag", "outlet"), ("organization", "tag"), ("month", "tag"), ("tag", "tag")]
    pairs += [("outlet", "tag"), ("tag", "month")]
    for rollup in (False, True):
        together = counted_together(passages, pairs, rollup=rollup)
        for rows, cols in pairs:
            if rows == cols:
                alone = cooccurrence(passages, rollup=rollup)
            else:
                alone = crosstab(passages, rows, cols, rollup=rollup)
            assert together[(rows, cols)] == alone, (query, rows, cols, rollup)
    assert any(together[pair].cells for pair in pairs) or query


def test_counting_together_refuses_a_pair_without_tags(corpus):
    from annotations.models import Annotation
    from publishing.analysis.crosstab import counted_together

    with pytest.raises(ValueError, match="crosses tag"):
        counted_together(Annotation.objects.all(), [("outlet", "month")])
