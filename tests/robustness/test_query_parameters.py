"""Query parameters no column can be compared with: a form error or a 400, never a 500.

A NUL makes PostgreSQL refuse the query (psycopg's `DataError`) and a lone surrogate cannot
be encoded for it at all; digits that `str.isdigit()` accepts ("²", "١") are no id. Each is
refused at the form layer, the same way on SQLite and PostgreSQL (issue 12, defect 3).
"""

import pytest

from annotations.models import Annotation
from articles.models import Article
from publishing.filters import ArticleFilterSet, PassageFilterSet
from tests.factories import make_annotation, make_annotator, make_article, make_organization

pytestmark = pytest.mark.django_db

SLUG_PARAMETERS = ("tag", "outlet", "organization")
UNSAFE = ("\x00", "union\x00", "\ud800", "a\udfffb")


@pytest.fixture
def corpus():
    article = make_article("The Readers Union said so.")
    make_annotation(article, exact="Readers", organization=make_organization("Readers Union"))
    return article


def form_codes(response, parameter: str) -> list[str]:
    # The public listings are Jinja2 pages: their context is `context_data`.
    errors = response.context_data["filter"].form.errors.as_data()
    return [error.code for error in errors.get(parameter, [])]


@pytest.mark.parametrize("path", ["/passages/", "/articles/"])
@pytest.mark.parametrize("parameter", SLUG_PARAMETERS)
@pytest.mark.parametrize("anonymous", [True, False], ids=["anonymous", "annotator"])
def test_a_nul_in_a_slug_filter_is_a_form_error_on_the_listing(
    client, corpus, path, parameter, anonymous
):
    """`/passages/?tag=%00` and its siblings: the listing with the filter's error, no rows."""
    if not anonymous:
        client.force_login(make_annotator())
    response = client.get(path, {parameter: ["\x00"]})
    assert response.status_code == 200
    assert form_codes(response, parameter) == ["invalid_text"]
    assert b'role="alert"' in response.content
    response = client.get(f"{path}?{parameter}=%00&{parameter}=union%00&q=said")
    assert response.status_code == 200
    assert form_codes(response, parameter) == ["invalid_text"]


@pytest.mark.parametrize("parameter", [*SLUG_PARAMETERS, "q", "annotator", "article"])
def test_a_nul_in_an_export_filter_exports_the_header_only(client, corpus, parameter):
    response = client.get("/passages/export.csv", {parameter: "\x00"})
    assert response.status_code == 200
    assert response["X-Gloss-Row-Count"] == "0"
    assert b"".join(response.streaming_content).count(b"\r\n") == 1


@pytest.mark.parametrize(
    ("filterset_class", "model", "parameter"),
    [
        *((PassageFilterSet, Annotation, name) for name in PassageFilterSet.base_filters),
        *((ArticleFilterSet, Article, name) for name in ArticleFilterSet.base_filters),
    ],
)
@pytest.mark.parametrize("value", UNSAFE, ids=repr)
def test_every_text_parameter_refuses_nul_and_lone_surrogates_without_a_query(
    corpus, django_assert_num_queries, filterset_class, model, parameter, value
):
    """Checked before any field is cleaned: a slug filter's own check is a query, which
    PostgreSQL would fail on. The same code on both databases."""
    filterset = filterset_class({parameter: [value]}, queryset=model.objects.all())
    with django_assert_num_queries(0):
        assert not filterset.is_valid()
    assert [e.code for e in filterset.form.errors.as_data()[parameter]] == ["invalid_text"]


def api_error(response) -> tuple[int, str, dict]:
    body = response.json()
    assert set(body) == {"error"}
    fields = {name: [e["code"] for e in errors] for name, errors in body["error"]["fields"].items()}
    return response.status_code, body["error"]["code"], fields


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("q=%00", {"q": ["invalid_text"]}),
        ("q=union%00", {"q": ["invalid_text"]}),
        ("article=%C2%B2", {"article": ["invalid"]}),  # "²": str.isdigit() says yes
        ("article=%D9%A1", {"article": ["invalid"]}),  # Arabic-Indic one: int() says 1
        ("article=9223372036854775808", {"article": ["invalid"]}),  # 2**63
        ("article=" + "9" * 30, {"article": ["invalid"]}),
        ("article=-1", {"article": ["invalid"]}),
        ("article=%00", {"article": ["invalid_text"]}),
        ("article=1&q=%00", {"q": ["invalid_text"]}),
    ],
)
@pytest.mark.parametrize("anonymous", [True, False], ids=["anonymous", "annotator"])
def test_organization_autocomplete_refuses_bad_parameters_with_a_400(
    client, corpus, query, fields, anonymous
):
    if not anonymous:
        client.force_login(make_annotator())
    assert api_error(client.get(f"/api/organizations/?{query}")) == (400, "invalid_filter", fields)


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("q=%00", {"q": ["invalid_text"]}),
        ("tag=%00", {"tag": ["invalid_text"]}),
        ("outlet=%00", {"outlet": ["invalid_text"]}),
        ("annotator=%00", {"annotator": ["invalid_text"]}),
        ("status=%00", {"status": ["invalid_text"]}),
        ("published_after=%00", {"published_after": ["invalid_text"]}),
        ("article=%C2%B2", {"article": ["invalid"]}),
        ("article=9223372036854775808", {"article": ["invalid"]}),
        ("article=1.0", {"article": ["invalid"]}),
        ("article=1e3", {"article": ["invalid"]}),
        ("organization=%D9%A1", {"organization": ["invalid"]}),
        ("organization=" + "9" * 30, {"organization": ["invalid"]}),
    ],
)
def test_passage_api_refuses_bad_parameters_with_a_400(client, corpus, query, fields):
    assert api_error(client.get(f"/api/annotations/?{query}")) == (400, "invalid_filter", fields)


def test_ascii_ids_still_filter_the_apis(client, corpus):
    organization = corpus.annotations.get().organization
    listed = client.get(
        "/api/annotations/", {"article": corpus.pk, "organization": organization.pk}
    )
    assert [row["id"] for row in listed.json()["results"]] == [corpus.annotations.get().pk]
    ranked = client.get("/api/organizations/", {"article": f" {corpus.pk} ", "q": "union"})
    assert ranked.status_code == 200
    assert [row["id"] for row in ranked.json()["results"]] == [organization.pk]


@pytest.mark.parametrize(
    "query",
    ["from=%C2%B2&to=1", "from=1&to=%D9%A1", "from=9223372036854775808&to=1", "from=-1&to=1"],
)
def test_revision_comparison_refuses_non_numbers_with_a_404(client, corpus, query):
    """`/articles/<slug>/revisions/diff/?from=&to=`: 2**63 overflowed SQLite's integer."""
    response = client.get(f"/articles/{corpus.slug}/revisions/diff/?{query}")
    assert response.status_code == 404
    assert client.get(f"/articles/{corpus.slug}/revisions/diff/?from=1&to=1").status_code == 200
