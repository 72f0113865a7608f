"""`/annotations/<id>`: one passage as a W3C Web Annotation."""

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest

from annotations.actions.passages import annotation_update
from annotations.models import Annotation
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

SITE = "http://testserver"
MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
ANNOTATION_LINK = (
    '<http://www.w3.org/ns/ldp#Resource>; rel="type", '
    '<http://www.w3.org/ns/oa#Annotation>; rel="type"'
)
WHEN = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
LATER = datetime(2024, 6, 1, 10, 0, 0, 250000, tzinfo=UTC)


def annotation(client, pk):
    response = client.get(f"/annotations/{pk}")
    assert response.status_code == 200, response.content
    return response, json.loads(response.content)


def test_a_passage_is_exactly_this_annotation(client):
    """Tags (code-point order), note, organization, target with scope and both selectors."""
    outlet = make_outlet("Daily Planet", domain="planet.example")
    organization = make_organization("Union of Testers")
    body = 'Intro text. He said "we won" in court.\nNext line.'
    article = make_article(body, title="Court win", outlet=outlet, published=date(2020, 1, 2))
    make_tag("beta")
    passage = make_annotation(
        article,
        exact='"we won" in court.\nNext',
        tags=["quote", "beta"],
        organization=organization,
        note="multi\nline, note",
        annotator=make_annotator("ann"),
    )
    Annotation.objects.filter(pk=passage.pk).update(created=WHEN, modified=LATER)
    start = body.index('"we won"')

    response, data = annotation(client, passage.pk)

    assert data == {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": f"{SITE}/annotations/{passage.pk}",
        "type": "Annotation",
        "motivation": "tagging",
        "created": "2024-05-06T07:08:09Z",
        "modified": "2024-06-01T10:00:00.250000Z",
        "creator": {"type": "Person", "name": "ann"},
        "generator": {"type": "Software", "name": "Gloss", "homepage": f"{SITE}/"},
        "body": [
            {"type": "TextualBody", "purpose": "tagging", "value": "beta"},
            {"type": "TextualBody", "purpose": "tagging", "value": "quote"},
            {"type": "TextualBody", "purpose": "commenting", "value": "multi\nline, note"},
            {
                "type": "SpecificResource",
                "purpose": "identifying",
                "source": f"{SITE}/organizations/{organization.slug}/",
            },
        ],
        "target": {
            "source": f"{SITE}/articles/{article.slug}/",
            "scope": "https://planet.example/",
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": '"we won" in court.\nNext',
                    "prefix": "Intro text. He said ",
                    "suffix": " line.",
                },
                {"type": "TextPositionSelector", "start": start, "end": start + 23},
            ],
        },
    }
    assert response["Content-Type"] == MEDIA_TYPE
    assert response["Link"] == ANNOTATION_LINK
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert "Accept" in response["Vary"]
    assert response["ETag"].startswith('"')
    # Compact UTF-8 JSON: what the ETag hashes.
    assert response.content == json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def test_motivation_and_bodies_follow_what_the_passage_carries(client):
    article = make_article("one two three four five")
    organization = make_organization()
    bare = make_annotation(article, exact="one")
    noted = make_annotation(article, exact="two", note="why")
    attributed = make_annotation(article, exact="three", organization=organization)
    assert "body" not in annotation(client, bare.pk)[1]
    assert annotation(client, bare.pk)[1]["motivation"] == "highlighting"
    assert annotation(client, noted.pk)[1]["motivation"] == "commenting"
    assert annotation(client, attributed.pk)[1]["motivation"] == "identifying"


def test_the_outlet_home_page_is_the_scope_and_none_is_left_out(client):
    known = make_outlet("Known", domain="known.example")
    known.homepage = "https://www.known.example/news/"
    known.save()
    passage = make_annotation(make_article("one two", outlet=known), exact="one")
    assert annotation(client, passage.pk)[1]["target"]["scope"] == (
        "https://www.known.example/news/"
    )
    unknown = make_outlet("Unknown", domain="unknown.example")
    unknown.domain = unknown.homepage = ""
    unknown.save()
    passage = make_annotation(make_article("one two", outlet=unknown), exact="two")
    assert "scope" not in annotation(client, passage.pk)[1]["target"]


def test_an_orphaned_passage_keeps_only_its_quote_selector(client):
    passage = make_annotation(make_article("one two three"), exact="two")
    Annotation.objects.filter(pk=passage.pk).update(anchor_status="orphaned")
    selector = annotation(client, passage.pk)[1]["target"]["selector"]
    assert selector == [
        {"type": "TextQuoteSelector", "exact": "two", "prefix": "one ", "suffix": " three"}
    ]


def test_emoji_and_nbsp_offsets_are_code_points_exactly_as_the_csv_export(client):
    """😀 is one code point (two UTF-16 units, four UTF-8 bytes); NBSP one (two bytes)."""
    body = "Caf\u00e9\u00a0\u201cquoted\u201d 😀😀 text\u00a0with emoji 👩\u200d👩\u200d👧 family."
    article = make_article(body)
    passages = [
        make_annotation(article, exact=exact)
        for exact in ("\u00a0\u201cquoted", "😀😀 text\u00a0with", "👩\u200d👩\u200d👧 family")
    ]
    response = client.get("/passages/export.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    by_id = {int(row["annotation_id"]): row for row in rows}
    for passage in passages:
        quote, position = annotation(client, passage.pk)[1]["target"]["selector"]
        assert body[position["start"] : position["end"]] == quote["exact"] == passage.exact
        row = by_id[passage.pk]
        assert (position["start"], position["end"]) == (int(row["start"]), int(row["end"]))
        assert quote["exact"] == row["quote"]
        assert (quote["prefix"], quote["suffix"]) == (row["prefix"], row["suffix"])
    second = annotation(client, passages[1].pk)[1]["target"]["selector"][1]
    assert second == {"type": "TextPositionSelector", "start": 14, "end": 26}
    # After the two emoji, UTF-16 offsets (JavaScript's) would be two further on.
    third = annotation(client, passages[2].pk)[1]["target"]["selector"][1]
    assert third["start"] == body.index("👩") == 33
    assert len(body[: third["start"]].encode("utf-16-le")) // 2 == 35


def test_one_annotation_costs_two_queries_and_one_once_cached(client, django_assert_num_queries):
    passage = make_annotation(tags=["quote"], organization=make_organization(), note="n")
    with django_assert_num_queries(3):  # the corpus version, the row with its joins, its tags
        first = client.get(f"/annotations/{passage.pk}")
    assert first["X-Gloss-Page-Cache"] == "miss"
    with django_assert_num_queries(1):  # the corpus version
        again = client.get(f"/annotations/{passage.pk}")
    assert again["X-Gloss-Page-Cache"] == "hit"
    assert again.content == first.content
    for header in ("Content-Type", "ETag", "Link", "Allow", "Vary"):
        assert again[header] == first[header], header


def test_uncached_one_annotation_costs_two_queries(client, settings, django_assert_num_queries):
    settings.GLOSS_PAGE_CACHE_SECONDS = 0
    passage = make_annotation(tags=["quote"], organization=make_organization(), note="n")
    with django_assert_num_queries(2):  # the row with its joins, its tags
        annotation(client, passage.pk)


def test_what_anonymous_visitors_may_not_see_is_a_404_in_json(client):
    draft = make_annotation(status="draft")
    in_draft_article = make_annotation(make_article(status="draft"))
    for pk in (draft.pk, in_draft_article.pk, 999_999, 10**30):
        response = client.get(f"/annotations/{pk}")
        assert response.status_code == 404, pk
        assert response["Content-Type"] == "application/json"
        assert json.loads(response.content)["error"]["code"] == "not_found"
    client.force_login(make_editor())
    assert annotation(client, draft.pk)[1]["id"] == f"{SITE}/annotations/{draft.pk}"


def test_etag_follows_the_passage_and_answers_304_while_unchanged(client):
    passage = make_annotation(make_article("one two"), exact="one", note="first")
    response, _ = annotation(client, passage.pk)
    etag = response["ETag"]
    unchanged = client.get(f"/annotations/{passage.pk}", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged["Link"] == ANNOTATION_LINK
    annotation_update(annotation=passage, user=passage.annotator, note="second")
    assert annotation(client, passage.pk)[0]["ETag"] != etag


def test_head_options_and_writes(client):
    passage = make_annotation()
    url = f"/annotations/{passage.pk}"
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == client.get(url)["ETag"]
    options = client.options(url)
    assert options.status_code == 200
    assert options["Allow"] == "GET, HEAD, OPTIONS"
    assert options["Link"] == ANNOTATION_LINK
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(url, data="{}", content_type="application/json")
        assert response.status_code == 405, method
        assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert Annotation.objects.filter(pk=passage.pk).exists()
