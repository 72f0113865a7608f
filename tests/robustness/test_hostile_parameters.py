"""Hostile query parameters never get a 5xx (issue 12, done means).

Arbitrary text (NUL, lone surrogates sent as the invalid UTF-8 `%ED%A0%80`, raw bytes),
huge numbers (2**63, 10**30), long values (10,000 characters) and repeated parameters are
thrown at every query parameter of every public listing, the CSV, JSON-LD and REFI-QDA
exports, the W3C container, the analysis page with its charts and CSV, and the API lists,
as an anonymous visitor and as a logged-in annotator. Every answer is below 500; the API's
errors are in its JSON envelope. Runs on SQLite and PostgreSQL (CI runs both).
"""

from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.actions.revisions import article_revise
from articles.actions.articles import article_set_organizations
from articles.models import ArticleRevision
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_editor,
    make_organization,
    make_outlet,
    make_tag,
)

pytestmark = pytest.mark.django_db

PASSAGE_FILTERS = ["q", "tag", "outlet", "organization", "published_after", "published_before"]
PASSAGE_FILTERS += ["annotator", "article", "adjudicated", "page"]
ENDPOINTS = {
    "/articles/": ["q", "outlet", "organization", "tag", "published_after", "published_before"]
    + ["ordering", "page"],
    "/passages/": PASSAGE_FILTERS,
    "/passages/export.csv": PASSAGE_FILTERS,
    "/api/annotations/": [*PASSAGE_FILTERS, "status"],
    "/api/organizations/": ["q", "article"],
    "/articles/hostile/revisions/diff/": ["from", "to"],
    "/annotations/": [*PASSAGE_FILTERS, "start", "iris"],
    "/passages/export.jsonld": PASSAGE_FILTERS,
    "/passages/export.qdpx": PASSAGE_FILTERS,
    "/tags/claim/": ["page"],
    "/outlets/daily/": ["page"],
    "/organizations/readers-union/": ["page"],
    "/analysis/": [*PASSAGE_FILTERS, "rollup"],
    "/analysis/crosstab.csv": [*PASSAGE_FILTERS, "rollup", "rows", "cols"],
    "/analysis/cooccurrence.csv": [*PASSAGE_FILTERS, "rollup"],
    "/analysis/charts/tag-outlet.svg": [*PASSAGE_FILTERS, "rollup"],
    "/analysis/charts/cooccurrence.svg": [*PASSAGE_FILTERS, "rollup"],
}
HOSTILE = [
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "\ud83d",  # the first half of an emoji's UTF-16 pair
    "²",
    "١",
    "1.0",
    "1e400",
    "-1",
    "0",
    " 1 ",
    str(2**63),
    str(2**63 - 1),
    str(-(2**63) - 1),
    str(10**30),
    "9" * 10_000,
    "x" * 10_000,
    "\U0001f600" * 2_500,
    "NaN",
    "inf",
    "99999-01-01",
    "2020-02-30",
    "0000-01-01",
    "-published",
    "title",
    "hostile",
    "claim",
    "union",
    "daily",
    "published",
    "draft",
    "'; DROP TABLE articles_article; --",
    "%00",
    "",
    "first",
    "last",
    "after:1",
    "before:99999999999999999999",
    "after:²",
]

values = (
    st.sampled_from(HOSTILE).map(lambda text: text.encode("utf-8", "surrogatepass"))
    | st.text(alphabet=st.characters(exclude_categories=()), max_size=30).map(
        lambda text: text.encode("utf-8", "surrogatepass")
    )
    | st.integers(min_value=-(2**80), max_value=2**80).map(lambda n: str(n).encode())
    | st.binary(max_size=12)  # not UTF-8 at all, most of the time
)


def query_strings(names: list[str]):
    """Query strings over `names` (each possibly repeated), values percent-encoded bytes."""
    pair = st.tuples(st.sampled_from([*names, "\x00", "unknown"]), values)
    return st.lists(pair, min_size=1, max_size=5).map(
        lambda pairs: "&".join(
            f"{quote_from_bytes(name.encode('utf-8', 'surrogatepass'))}={quote_from_bytes(value)}"
            for name, value in pairs
        )
    )


@pytest.fixture
def corpus(db):
    """What the parameters may name: tags, outlets, organizations, a draft, a revision."""
    daily = make_outlet("Daily")
    union = make_organization("Readers Union", aliases=["RU"])
    make_tag("claim")
    article = make_article(
        "The Readers Union said the court ruled on Monday.", title="Hostile", outlet=daily
    )
    article_set_organizations(article=article, organizations=[union])
    article.slug = "hostile"
    article.save(update_fields=["slug"])
    article_revise(
        article=article,
        body="The Readers Union said the court ruled on Tuesday.",
        editor=make_editor(),
    )
    draft = make_article("A draft about the union.", status="draft", outlet=daily)
    annotator = make_annotator("annotator")
    make_annotation(article, exact="court", tags=["claim"], organization=union, annotator=annotator)
    make_annotation(draft, exact="draft", annotator=annotator, status="draft")
    return annotator


def check(response, path: str) -> None:
    assert response.status_code < 500, (path, response.status_code)
    if response.streaming:
        b"".join(response.streaming_content)
    if path.startswith("/api/") and response.status_code >= 400:
        assert set(response.json()) == {"error"}, response.content[:200]


@pytest.mark.parametrize("path", list(ENDPOINTS))
@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "annotator"])
def test_no_query_string_gets_a_server_error(client, corpus, path, logged_in):
    if logged_in:
        client.force_login(corpus)

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(query=query_strings(ENDPOINTS[path]))
    def hostile(query):
        check(client.get(f"{path}?{query}"), path)

    hostile()


@pytest.mark.parametrize("path", list(ENDPOINTS))
def test_every_parameter_takes_every_hostile_value(client, corpus, path):
    """The fixed list, exhaustively: each value in every parameter at once, anonymously
    (the anonymous pages are the cached ones) and as the annotator."""
    for logged_in in (False, True):
        if logged_in:
            client.force_login(corpus)
        for value in HOSTILE:
            encoded = quote_from_bytes(value.encode("utf-8", "surrogatepass"))
            query = "&".join(f"{name}={encoded}" for name in ENDPOINTS[path])
            check(client.get(f"{path}?{query}"), path)


@pytest.mark.parametrize("path", list(ENDPOINTS))
def test_every_endpoint_answers_without_parameters(client, corpus, path):
    """The endpoints above exist and answer: the hostile runs are not testing 404s."""
    query = ""
    if path.endswith("/diff/"):
        numbers = ArticleRevision.objects.filter(article__slug="hostile").values_list("number")
        first, second = sorted(number for (number,) in numbers)
        query = f"?from={first}&to={second}"
    if path == "/analysis/crosstab.csv":
        query = "?rows=tag&cols=outlet"
    response = client.get(path + query)
    assert response.status_code == 200, (path, response.status_code)
