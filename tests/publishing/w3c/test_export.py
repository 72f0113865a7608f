"""`/passages/export.jsonld`: the whole filtered set as one AnnotationCollection, streamed."""

import csv
import io
import json

import pytest
from django.utils import timezone

from tests.factories import make_annotation, make_article, make_outlet, make_tag
from tests.publishing.w3c.factories import make_many_passages

pytestmark = pytest.mark.django_db

SITE = "http://testserver"
EXPORT = "/passages/export.jsonld"
MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def export(client, query=""):
    response = client.get(EXPORT + query)
    assert response.status_code == 200
    assert response.streaming
    chunks = list(response.streaming_content)
    return response, chunks, json.loads(b"".join(chunks))


def test_export_is_one_collection_whose_first_page_holds_every_annotation(client):
    tag = make_tag("bulk")
    passages = make_many_passages(5, tag=tag)
    response, _, collection = export(client, "?tag=bulk")
    assert response["Content-Type"] == MEDIA_TYPE
    filename = f"gloss-passages-{timezone.localdate().isoformat()}.jsonld"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["X-Gloss-Row-Count"] == "5"
    page = collection.pop("first")
    items = page.pop("items")
    assert collection == {
        "@context": ["http://www.w3.org/ns/anno.jsonld", "http://www.w3.org/ns/ldp.jsonld"],
        "id": f"{SITE}/annotations/?tag=bulk",
        "type": ["BasicContainer", "AnnotationCollection"],
        "label": "Gloss passages: tag=bulk",
        "total": 5,
        "last": f"{SITE}{EXPORT}?tag=bulk",
    }
    assert page == {
        "id": f"{SITE}{EXPORT}?tag=bulk",
        "type": "AnnotationPage",
        "partOf": {"id": f"{SITE}/annotations/?tag=bulk", "total": 5},
        "startIndex": 0,
    }
    assert [item["id"] for item in items] == [f"{SITE}/annotations/{p.pk}" for p in passages]


def test_exported_annotations_are_the_containers_byte_for_byte(client):
    """One serialiser: each item is what `/annotations/<id>` says, without `@context`."""
    make_tag("beta")
    article = make_article("alpha beta gamma \u00a0delta 😀 epsilon")
    for exact, tags in (("alpha", ["quote"]), ("gamma", ["beta", "quote"]), ("😀", [])):
        make_annotation(article, exact=exact, tags=tags, note="n" if tags else "")
    _, _, collection = export(client)
    container = json.loads(client.get("/annotations/").content)
    assert collection["first"]["items"] == container["first"]["items"]
    for item in collection["first"]["items"]:
        single = json.loads(client.get(item["id"].removeprefix(SITE)).content)
        assert single == {"@context": "http://www.w3.org/ns/anno.jsonld", **item}


def test_export_holds_the_ids_of_the_csv_export_with_the_same_filters(client):
    newsweek = make_outlet("Newsweek", domain="newsweek.com")
    body = "alpha beta gamma delta"
    published = make_article(body, outlet=newsweek)
    make_annotation(published, exact="alpha", tags=["quote"])
    make_annotation(published, exact="beta", tags=["quote"], status="draft")
    make_annotation(published, exact="gamma")
    make_annotation(make_article(body, outlet=newsweek, status="draft"), exact="alpha")
    make_annotation(make_article(body), exact="delta", tags=["quote"])
    for query in ("", "?tag=quote", "?tag=quote&outlet=newsweek", "?outlet=newsweek"):
        _, _, collection = export(client, query)
        ids = sorted(int(item["id"].rsplit("/", 1)[1]) for item in collection["first"]["items"])
        response = client.get("/passages/export.csv" + query)
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert ids == sorted(int(row[0]) for row in rows[1:]), query
        assert collection["total"] == len(ids)


def test_invalid_filters_export_an_empty_collection_as_the_csv_exports_its_header(client):
    make_annotation()
    response, _, collection = export(client, "?published_after=not-a-date&tag=no-such-tag")
    assert response["X-Gloss-Row-Count"] == "0"
    assert collection["total"] == 0
    assert collection["first"]["items"] == []


def test_large_export_streams_in_pieces_with_queries_per_chunk_not_per_row(
    client, settings, monkeypatch, django_assert_num_queries
):
    """1,200 passages in chunks of 500: the count, one query over the rows, tags per chunk."""
    settings.GLOSS_EXPORT_CHUNK_SIZE = 500
    monkeypatch.setattr("publishing.w3c.export.FLUSH_CHARS", 16 * 1024)
    tag = make_tag("bulk")
    passages = make_many_passages(1200, tag=tag)
    with django_assert_num_queries(1 + 1 + 3):
        response, chunks, collection = export(client)
    assert len(chunks) > 10  # sent as it is made, not built as one string
    assert max(len(chunk) for chunk in chunks) < 20 * 1024
    items = collection["first"]["items"]
    assert [item["id"] for item in items] == [f"{SITE}/annotations/{p.pk}" for p in passages]
    assert {item["body"][0]["value"] for item in items} == {"bulk"}
    assert response["X-Gloss-Row-Count"] == "1200"


def test_export_is_lazy_until_the_response_is_read(client, django_assert_num_queries):
    """The view counts the set; the rows are read only while the body is sent."""
    make_many_passages(3)
    with django_assert_num_queries(1):
        response = client.get(EXPORT)
    with django_assert_num_queries(2):
        body = b"".join(response.streaming_content)
    assert len(json.loads(body)["first"]["items"]) == 3
