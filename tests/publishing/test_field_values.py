"""Tag field values on the public side: `field.<tag>.<name>[.gte|.lte]` filters in the one
FilterSet (pages, CSV, W3C, REFI, analysis, API), shown with the passage, exported."""

import csv
import io
import json

import pytest
from django.db import connection
from django.db.models import FloatField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from annotations.actions.fields import tag_field_define
from annotations.models import Annotation, Tag, TagField
from publishing import exports
from tests.factories import make_annotation, make_annotator, make_article, make_organization
from tests.publishing.w3c.schemas import assert_valid_annotation
from tests.refi.helpers import P, qdpx

pytestmark = pytest.mark.django_db

SITE = "http://testserver"
BODY = "In 2024 some 60,000 people, 9,500 cars and 12 boats; =1+1 said 😀\u00a0ACLU, then 3.5 more."


@pytest.fixture
def coded():
    """Statistic passages with values 60000, 9500, 12, 3.5 and one without a value."""
    statistic = Tag.objects.get(slug="statistic")
    tag_field_define(tag=statistic, name="value", kind="number")
    tag_field_define(tag=statistic, name="unit", kind="text")
    tag_field_define(tag=statistic, name="year", kind="integer")
    quote = Tag.objects.get(slug="quote")
    tag_field_define(tag=quote, name="speaker", kind="organization")
    aclu = make_organization("ACLU")
    article = make_article(BODY)
    annotator = make_annotator("ann")
    values = [
        ("60,000", {"statistic.value": 60000, "statistic.unit": "people", "statistic.year": 2024}),
        ("9,500", {"statistic.value": "9500", "statistic.unit": '=cars, "many"'}),
        ("12", {"statistic.value": 12, "statistic.unit": "Boats"}),
        ("3.5", {"statistic.value": 3.5, "statistic.unit": "😀\u00a0more"}),
        ("boats", {}),
    ]
    made = [
        make_annotation(
            article, exact=exact, tags=["statistic"], fields=fields, annotator=annotator
        )
        for exact, fields in values
    ]
    made.append(
        make_annotation(
            article,
            exact="ACLU",
            tags=["quote"],
            fields={"quote.speaker": aclu.slug},
            annotator=annotator,
        )
    )
    return made


def numbers_at_least(limit: float) -> int:
    """The count straight from the database, not through the filters."""
    return (
        Annotation.objects.annotate(
            v=Cast(KeyTextTransform("statistic.value", "fields"), FloatField())
        )
        .filter(v__gte=limit)
        .count()
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?field.statistic.value.gte=10000", [0]),
        ("?field.statistic.value.gte=12", [0, 1, 2]),
        ("?field.statistic.value.lte=12", [2, 3]),
        ("?field.statistic.value.gte=5&field.statistic.value.lte=10000", [1, 2]),
        ("?field.statistic.value=9500.0", [1]),
        ("?field.statistic.year=2024", [0]),
        ("?field.statistic.unit=boats", [2]),
        ("?field.quote.speaker=aclu", [5]),
        ("?field.statistic.value.gte=1&tag=statistic", [0, 1, 2, 3]),
    ],
)
def test_field_filters_match_the_values(client, coded, query, expected):
    anonymous = sorted(
        row["id"] for row in client.get("/api/annotations/" + query).json()["results"]
    )
    assert anonymous == [coded[i].pk for i in expected]
    page = client.get("/passages/" + query)
    assert page.status_code == 200
    shown = sorted(row.exact for row in page.context_data["rows"])
    assert shown == sorted(coded[i].exact for i in expected)


def test_gte_equals_a_direct_count_for_several_limits(client, coded):
    for limit in (0, 3.5, 12, 9500, 10000, 1e9):
        response = client.get(f"/api/annotations/?field.statistic.value.gte={limit}")
        assert response.json()["count"] == numbers_at_least(limit), limit


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("?field.statistic.value.gte=many", "invalid_number"),
        ("?field.statistic.colour=red", "unknown_field"),
        ("?field.nothing=1", "unknown_field"),
        ("?field.statistic.unit.gte=3", "invalid_lookup"),
        ("?field.statistic.value.between=3", "unknown_field"),
    ],
)
def test_bad_field_filters_are_errors_never_5xx(client, coded, query, code):
    response = client.get("/api/annotations/" + query)
    assert response.status_code == 400
    name = query[1:].partition("=")[0]
    assert response.json()["error"]["fields"][name][0]["code"] == code
    page = client.get("/passages/" + query)
    assert page.status_code == 200
    assert page.context_data["rows"] == []
    assert b'role="alert"' in page.content
    export = client.get("/passages/export.csv" + query)
    assert export.status_code == 200
    assert export["X-Gloss-Row-Count"] == "0"


def test_every_listing_and_export_honours_the_field_filter(client, coded):
    query = "?field.statistic.value.gte=10000"
    export = client.get("/passages/export.csv" + query)
    assert export["X-Gloss-Row-Count"] == "1"
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert [int(row[0]) for row in rows[1:]] == [coded[0].pk]
    container = client.get("/passages/export.jsonld" + query)
    assert container["X-Gloss-Row-Count"] == "1"
    page = client.get("/annotations/" + query, headers={"Accept": "application/ld+json"})
    assert page.status_code == 200 and f"/annotations/{coded[0].pk}".encode() in page.content
    assert f'/annotations/{coded[1].pk}"'.encode() not in page.content
    items = json.loads(b"".join(container.streaming_content))["first"]["items"]
    assert [item["id"].rsplit("/", 1)[1] for item in items] == [str(coded[0].pk)]
    _, project = qdpx(client, query)
    assert project.passage_ids() == [coded[0].pk]
    analysis = client.get("/analysis/crosstab.csv?rows=tag&cols=outlet&" + query[1:])
    assert analysis.status_code == 200
    lines = analysis.content.decode().splitlines()
    assert lines[1].split(",")[0] == "statistic" and lines[1].split(",")[1] == "1"


def test_values_are_shown_with_the_passage_on_public_pages(client, coded):
    content = client.get("/passages/").content.decode()
    assert "<dt>statistic.value</dt>" in content
    assert 'href="/passages/?field.statistic.value=60000">60000</a>' in content
    article_page = client.get(coded[0].article.get_absolute_url()).content.decode()
    assert "<dt>statistic.unit</dt><dd><a" in article_page
    assert "&#34;many&#34;" in article_page or "&quot;many&quot;" in article_page


@pytest.mark.parametrize("count", [1, 12])
def test_listing_queries_do_not_grow_with_field_values(client, django_assert_num_queries, count):
    statistic = Tag.objects.get(slug="statistic")
    tag_field_define(tag=statistic, name="value", kind="number")
    article = make_article("word " * 40)
    for i in range(count):
        make_annotation(
            article, start=i * 5, end=i * 5 + 4, tags=["statistic"], fields={"statistic.value": i}
        )
    with django_assert_num_queries(6):  # the listing's own, its tag tree read included
        client.get("/passages/")
    with django_assert_num_queries(5):
        client.get(article.get_absolute_url())


def python_csv(passages) -> bytes:
    return b"".join(exports.passages_csv_python(passages.for_listing(), SITE))


def test_csv_appends_one_column_per_field_after_the_existing_ones(client, coded):
    data = b"".join(client.get("/passages/export.csv").streaming_content)
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert tuple(rows[0][: len(exports.HEADER)]) == exports.HEADER
    assert rows[0][len(exports.HEADER) :] == [
        "quote.speaker",
        "statistic.value",
        "statistic.unit",
        "statistic.year",
    ]
    by_id = {int(row[0]): row[len(exports.HEADER) :] for row in rows[1:]}
    assert by_id[coded[0].pk] == ["", "60000", "people", "2024"]
    assert by_id[coded[1].pk] == ["", "9500", '\'=cars, "many"', ""]
    assert by_id[coded[4].pk] == ["", "", "", ""]
    assert by_id[coded[5].pk] == ["aclu", "", "", ""]
    assert data == python_csv(Annotation.objects.published())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_path_writes_the_field_columns_as_python_does(coded):
    passages = Annotation.objects.published()
    copied = b"".join(exports.passages_csv_copy(passages.for_listing(), SITE))
    assert copied == python_csv(passages)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite path")
def test_sqlite_path_writes_the_field_columns_as_python_does(coded):
    passages = Annotation.objects.published()
    written = b"".join(exports.passages_csv_rows(passages.for_listing(), SITE))
    assert written == python_csv(passages)


def test_w3c_has_a_describing_body_per_value_and_stays_valid(client, coded):
    data = client.get(f"/annotations/{coded[0].pk}").json()
    assert_valid_annotation(data)
    describing = [b for b in data["body"] if b.get("purpose") == "describing"]
    assert describing == [
        {"type": "TextualBody", "purpose": "describing", "value": "statistic.unit: people"},
        {"type": "TextualBody", "purpose": "describing", "value": "statistic.value: 60000"},
        {"type": "TextualBody", "purpose": "describing", "value": "statistic.year: 2024"},
    ]
    assert_valid_annotation(client.get(f"/annotations/{coded[4].pk}").json())


def test_refi_selection_describes_the_values_and_stays_schema_valid(client, coded):
    _, project = qdpx(client)  # validated against Project.xsd
    descriptions = {
        int(s.get("name").removeprefix("Passage ")): s.findtext(f"{P}Description")
        for s in project.selections()
    }
    assert descriptions[coded[0].pk] == (
        "statistic.unit: people\nstatistic.value: 60000\nstatistic.year: 2024"
    )
    assert descriptions[coded[4].pk] is None
    assert descriptions[coded[3].pk] == "statistic.unit: 😀\u00a0more\nstatistic.value: 3.5"


def test_field_keys_are_listed_in_tag_then_position_order(coded):
    assert TagField.objects.keys() == [
        "quote.speaker",
        "statistic.value",
        "statistic.unit",
        "statistic.year",
    ]


def test_a_stray_text_under_a_number_key_matches_nothing_instead_of_failing(client, coded):
    """Written behind the actions' back (a hand-edited backup): never a cast error."""
    Annotation.objects.filter(pk=coded[4].pk).update(fields={"statistic.value": "lots"})
    response = client.get("/api/annotations/?field.statistic.value.lte=100000")
    assert response.status_code == 200
    assert sorted(r["id"] for r in response.json()["results"]) == sorted(p.pk for p in coded[:4])
    assert client.get("/passages/?field.statistic.value.gte=0").status_code == 200


def test_a_field_filter_s_form_is_its_own_and_leaves_the_shared_form_alone(client, coded):
    """The listings' FilterSets share one form class while their filters are the declared
    ones (`CheckedFilterSet.get_form_class`); a typed field's filter gets a form class of
    its own, and the shared one never gains its field."""
    from django.http import QueryDict

    from publishing.filters import PassageFilterSet

    def bound(query: str):
        return PassageFilterSet(QueryDict(query), queryset=Annotation.objects.all())

    plain, other = bound("tag=statistic"), bound("")
    assert type(plain.form) is type(other.form)
    with_field = bound("field.statistic.value.gte=10000")
    assert type(with_field.form) is not type(plain.form)
    assert "field.statistic.value.gte" in with_field.form.fields
    assert "field.statistic.value.gte" not in bound("").form.fields
    assert list(with_field.qs) == [coded[0]]
    # The page after it is the plain listing again.
    page = client.get("/passages/").content.decode()
    assert page.count('<li class="passage-item">') == len(coded)
