"""Every annotation, page and collection Gloss serves passes the W3C test suite's MUST
assertions (web-platform-tests `annotation-model`, vendored in tests/standards/w3c/)."""

import json
from datetime import date

import pytest

from annotations.models import Annotation
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_organization,
    make_outlet,
    make_tag,
)
from tests.publishing.w3c.schemas import (
    ANNOTATION_MUSTS,
    COLLECTION_MUSTS,
    PAGE_MUSTS,
    assert_valid_annotation,
    assert_valid_collection,
    assert_valid_page,
    assertions,
    failures,
)

pytestmark = pytest.mark.django_db

PREFERENCES = {
    "default": None,
    "descriptions": "http://www.w3.org/ns/oa#PreferContainedDescriptions",
    "iris": "http://www.w3.org/ns/oa#PreferContainedIRIs",
    "minimal": "http://www.w3.org/ns/ldp#PreferMinimalContainer",
    "minimal iris": (
        "http://www.w3.org/ns/ldp#PreferMinimalContainer http://www.w3.org/ns/oa#PreferContainedIRIs"
    ),
}


def varied_passages():
    """Passages with every shape an annotation takes: tags, note, organization, all or
    none, orphaned, non-ASCII text, an outlet with and without a home page."""
    make_tag("beta")
    annotator = make_annotator("ann")
    plain = make_outlet("Plain", domain="plain.example")
    article = make_article(
        "Caf\u00e9 \u201cquoted\u201d\u00a0text 😀 with emoji, then more words here and there.",
        outlet=plain,
        url="https://plain.example/a",
        published=date(2021, 3, 4),
    )
    organization = make_organization("Union of Testers")
    passages = [
        make_annotation(article, exact="Caf\u00e9", annotator=annotator),
        make_annotation(
            article, exact="\u201cquoted\u201d", tags=["beta", "quote"], annotator=annotator
        ),
        make_annotation(article, exact="😀 with", note="an emoji", annotator=annotator),
        make_annotation(
            article, exact="more words", organization=organization, annotator=annotator
        ),
        make_annotation(
            article,
            exact="here",
            tags=["quote"],
            note="all of it",
            organization=organization,
            annotator=annotator,
        ),
    ]
    orphan = make_annotation(article, exact="there", annotator=annotator)
    Annotation.objects.filter(pk=orphan.pk).update(anchor_status=Annotation.AnchorStatus.ORPHANED)
    return passages + [orphan]


def get_json(client, path, **headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def test_the_vendored_must_lists_are_complete():
    """54 annotation, 15 page and 10 collection assertions, as the suite's lists hold."""
    assert len(assertions(ANNOTATION_MUSTS)) == 54
    assert len(assertions(PAGE_MUSTS)) == 15
    assert len(assertions(COLLECTION_MUSTS)) == 10


@pytest.mark.parametrize(
    "broken",
    [
        {"id": "not a uri"},
        {"created": "yesterday"},
        {"created": "2024-02-30T10:00:00Z"},
        {"type": "Note"},
        {"@context": "http://example.org/context.jsonld"},
        {"target": {"source": "http://x.example/", "selector": {"type": "TextQuoteSelector"}}},
        {"bodyValue": "both body and bodyValue"},
    ],
)
def test_the_checks_catch_broken_annotations(broken):
    """The assertions and format checkers are not vacuous: each breakage fails one."""
    good = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "http://x.example/annotations/1",
        "type": "Annotation",
        "created": "2024-05-06T07:08:09Z",
        "body": {"type": "TextualBody", "value": "v", "purpose": "tagging"},
        "target": "http://x.example/page",
    }
    assert failures(good, ANNOTATION_MUSTS) == []
    assert failures({**good, **broken}, ANNOTATION_MUSTS) != []


def test_every_single_annotation_is_valid(client):
    for passage in varied_passages():
        assert_valid_annotation(get_json(client, f"/annotations/{passage.pk}"))


@pytest.mark.parametrize("preference", PREFERENCES)
def test_every_container_representation_is_a_valid_collection(client, preference):
    varied_passages()
    prefer = PREFERENCES[preference]
    headers = {"Prefer": f'return=representation;include="{prefer}"'} if prefer else {}
    assert_valid_collection(get_json(client, "/annotations/", **headers))


def test_every_page_is_valid(client, monkeypatch):
    monkeypatch.setattr("publishing.w3c.paging.PAGE_SIZE", 2)
    varied_passages()
    for iris in ("", "&iris=1"):
        url = f"/annotations/?page=first{iris}"
        seen = 0
        while url:
            page = get_json(client, url)
            assert_valid_page(page)
            seen += len(page["items"])
            url = page.get("next", "").removeprefix("http://testserver")
        assert seen == 6
        assert_valid_page(get_json(client, f"/annotations/?page=last{iris}"))


def test_the_export_is_a_valid_collection(client):
    varied_passages()
    response = client.get("/passages/export.jsonld")
    collection = json.loads(b"".join(response.streaming_content))
    assert len(collection["first"]["items"]) == 6
    assert_valid_collection(collection)


def test_an_empty_container_and_export_are_valid(client):
    assert_valid_collection(get_json(client, "/annotations/"))
    response = client.get("/passages/export.jsonld")
    assert_valid_collection(json.loads(b"".join(response.streaming_content)))
