"""`/annotations/`: the read-only Annotation Protocol container, its Prefer handling and its
keyset pages."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.models import Annotation
from tests.factories import make_annotation, make_article, make_editor, make_outlet, make_tag
from tests.publishing.w3c.factories import make_many_passages

pytestmark = pytest.mark.django_db

SITE = "http://testserver"
CONTAINER = "/annotations/"
MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
CONTAINER_LINK = (
    '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type", '
    '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"'
)
MINIMAL = "http://www.w3.org/ns/ldp#PreferMinimalContainer"
IRIS = "http://www.w3.org/ns/oa#PreferContainedIRIs"
DESCRIPTIONS = "http://www.w3.org/ns/oa#PreferContainedDescriptions"


def prefer(*iris: str) -> dict:
    return {"Prefer": f'return=representation;include="{" ".join(iris)}"'}


def get(client, path, status=200, **headers):
    response = client.get(path, headers=headers)
    assert response.status_code == status, response.content
    return response, json.loads(response.content)


def local(url: str) -> str:
    assert url.startswith(SITE)
    return url.removeprefix(SITE)


def walk(client, url: str) -> list[dict]:
    """Every page from `url` on, following `next`."""
    pages = []
    while url:
        _, page = get(client, url)
        pages.append(page)
        url = local(page["next"]) if "next" in page else ""
    return pages


def item_ids(pages) -> list[int]:
    ids = []
    for page in pages:
        for item in page["items"]:
            iri = item["id"] if isinstance(item, dict) else item
            ids.append(int(iri.rsplit("/", 1)[1]))
    return ids


def test_container_answers_with_every_header_the_protocol_asks_for(client):
    make_annotation()
    response, body = get(client, CONTAINER)
    assert response["Content-Type"] == MEDIA_TYPE
    assert response["Link"] == CONTAINER_LINK
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert {"Accept", "Prefer"} <= {v.strip() for v in response["Vary"].split(",")}
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    assert response["Content-Location"] == SITE + CONTAINER
    assert "Preference-Applied" not in response
    assert body["type"] == ["BasicContainer", "AnnotationCollection"]
    assert body["@context"] == [
        "http://www.w3.org/ns/anno.jsonld",
        "http://www.w3.org/ns/ldp.jsonld",
    ]


def test_default_container_embeds_the_first_page_of_descriptions(client):
    """No Prefer header: PreferContainedDescriptions, the Protocol's default."""
    passage = make_annotation()
    _, body = get(client, CONTAINER)
    assert {key: body[key] for key in ("id", "label", "total", "last")} == {
        "id": SITE + CONTAINER,
        "label": "Gloss passages",
        "total": 1,
        "last": SITE + CONTAINER + "?page=last",
    }
    first = body["first"]
    assert first["id"] == SITE + CONTAINER + "?page=first"
    assert first["type"] == "AnnotationPage"
    assert first["partOf"] == {"id": SITE + CONTAINER, "total": 1}
    assert first["startIndex"] == 0
    assert "next" not in first and "prev" not in first
    [item] = first["items"]
    assert item["id"] == f"{SITE}/annotations/{passage.pk}"
    assert "@context" not in item  # the container's context covers it
    _, single = get(client, f"/annotations/{passage.pk}")
    assert {"@context": single["@context"], **item} == single


def test_prefer_contained_descriptions_is_the_default_said_out_loud(client):
    make_annotation()
    _, default = get(client, CONTAINER)
    response, explicit = get(client, CONTAINER, **prefer(DESCRIPTIONS))
    assert explicit == default
    assert response["Preference-Applied"] == "return=representation"


def test_prefer_contained_iris_embeds_iris_and_says_so_in_the_container_iri(client):
    passages = [make_annotation(), make_annotation()]
    response, body = get(client, CONTAINER, **prefer(IRIS))
    assert body["id"] == SITE + CONTAINER + "?iris=1"
    assert response["Content-Location"] == SITE + CONTAINER + "?iris=1"
    assert body["first"]["id"] == SITE + CONTAINER + "?iris=1&page=first"
    assert body["first"]["items"] == [f"{SITE}/annotations/{p.pk}" for p in passages]
    assert body["last"] == SITE + CONTAINER + "?iris=1&page=last"
    # The IRI names the representation: dereferencing it gives the same one.
    _, again = get(client, CONTAINER + "?iris=1")
    assert again == body


def test_prefer_minimal_container_links_to_pages_and_embeds_nothing(client):
    make_annotation()
    response, body = get(client, CONTAINER, **prefer(MINIMAL))
    assert response["Preference-Applied"] == "return=representation"
    assert body["first"] == SITE + CONTAINER + "?page=first"
    assert body["last"] == SITE + CONTAINER + "?page=last"
    assert "items" not in json.dumps(body)
    _, iris = get(client, CONTAINER, **prefer(MINIMAL, IRIS))
    assert iris["first"] == SITE + CONTAINER + "?iris=1&page=first"


def test_prefer_parsing_accepts_spaces_other_preferences_and_ldp_omit(client):
    make_annotation()
    header = f'respond-async, return=representation; include="{MINIMAL}"; omit="x"'
    _, body = get(client, CONTAINER, Prefer=header)
    assert isinstance(body["first"], str)
    _, body = get(client, CONTAINER, Prefer="return=minimal")  # not a container preference
    assert isinstance(body["first"], dict)


def test_asking_for_both_iris_and_descriptions_is_a_400(client):
    _, body = get(client, CONTAINER, 400, **prefer(IRIS, DESCRIPTIONS))
    assert body["error"]["code"] == "conflicting_preferences"


def test_an_empty_container_has_a_total_of_zero_and_no_pages(client):
    _, body = get(client, CONTAINER)
    assert body["total"] == 0
    assert "first" not in body and "last" not in body


def test_pages_hold_100_items_and_walk_the_whole_set_in_id_order(client):
    passages = make_many_passages(250)
    _, container = get(client, CONTAINER)
    assert container["total"] == 250
    assert len(container["first"]["items"]) == 100
    pages = walk(client, local(container["first"]["next"]))
    assert [len(page["items"]) for page in pages] == [100, 50]
    assert [page["startIndex"] for page in pages] == [100, 200]
    page_response, _ = get(client, local(container["first"]["next"]))
    assert page_response["Content-Type"] == MEDIA_TYPE
    assert "Link" not in page_response  # a page is not a container
    assert page_response["Allow"] == "GET, HEAD, OPTIONS"
    assert page_response["ETag"]
    ids = item_ids([container["first"], *pages])
    assert ids == [p.pk for p in passages]
    last = pages[-1]
    assert "next" not in last
    _, from_last = get(client, CONTAINER + "?page=last")
    assert from_last["items"] == last["items"]
    assert from_last["startIndex"] == 200


def test_walking_back_from_the_last_page_meets_the_same_pages(client, monkeypatch):
    monkeypatch.setattr("publishing.w3c.paging.PAGE_SIZE", 3)
    passages = make_many_passages(10)
    forward = walk(client, CONTAINER + "?page=first")
    assert [page["startIndex"] for page in forward] == [0, 3, 6, 9]
    backward = []
    url = CONTAINER + "?page=last"
    while url:
        _, page = get(client, url)
        backward.append(page)
        url = local(page["prev"]) if "prev" in page else ""
    assert [page["items"] for page in backward[::-1]] == [page["items"] for page in forward]
    assert [page["startIndex"] for page in backward[::-1]] == [0, 3, 6, 9]
    assert item_ids(forward) == [p.pk for p in passages]
    # Every page links back to the container.
    assert {json.dumps(page["partOf"]) for page in forward} == {
        json.dumps({"id": SITE + CONTAINER, "total": 10})
    }


def test_page_links_carry_the_filters_and_the_iris_choice(client, monkeypatch):
    monkeypatch.setattr("publishing.w3c.paging.PAGE_SIZE", 2)
    tag = make_tag("bulk")
    make_many_passages(5, tag=tag)
    pages = walk(client, CONTAINER + "?tag=bulk&iris=1&page=first")
    assert len(pages) == 3
    assert all(isinstance(item, str) for page in pages for item in page["items"])
    assert pages[1]["id"].startswith(SITE + CONTAINER + "?tag=bulk&iris=1&page=after%3A")
    assert pages[0]["partOf"]["id"] == SITE + CONTAINER + "?tag=bulk&iris=1"


def test_paging_is_keyset_and_the_last_page_costs_the_first_pages_queries(
    client, settings, django_assert_num_queries
):
    """Uncached: the maintained total, the page's rows (no OFFSET), their tags: 3 queries."""
    settings.GLOSS_PAGE_CACHE_SECONDS = 0
    make_many_passages(350)
    _, container = get(client, CONTAINER)
    middle = local(container["first"]["next"])
    for url in (CONTAINER, CONTAINER + "?page=first", middle, CONTAINER + "?page=last"):
        with django_assert_num_queries(3):
            get(client, url)
        with CaptureQueriesContext(connection) as queries:
            get(client, url)
        assert not any("OFFSET" in query["sql"].upper() for query in queries), url
    with django_assert_num_queries(2):  # no tags to read for IRIs
        get(client, CONTAINER, **prefer(IRIS))
    with django_assert_num_queries(1):  # the total only
        get(client, CONTAINER, **prefer(MINIMAL))


def test_a_filtered_container_counts_its_set(client, settings, django_assert_num_queries):
    """Filtered: the tag slugs checked, the tag tree (a tag matches its sub-tags), the set
    counted, the rows, their tags."""
    settings.GLOSS_PAGE_CACHE_SECONDS = 0
    tag = make_tag("bulk")
    make_many_passages(120, tag=tag)
    with django_assert_num_queries(5):
        _, body = get(client, CONTAINER + "?tag=bulk")
    assert body["total"] == 120
    assert body["label"] == "Gloss passages: tag=bulk"


def csv_ids(client, query: str) -> list[int]:
    response = client.get("/passages/export.csv" + query)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    return sorted(int(row[0]) for row in rows[1:])


def test_container_holds_exactly_the_passages_of_the_csv_export_with_the_same_filters(
    client, monkeypatch
):
    """/annotations/?tag=quote&outlet=newsweek is /passages/export.csv?tag=quote&outlet=newsweek:
    one FilterSet, one visibility rule (drafts and passages of draft articles left out)."""
    monkeypatch.setattr("publishing.w3c.paging.PAGE_SIZE", 2)
    newsweek = make_outlet("Newsweek", domain="newsweek.com")
    other = make_outlet("Other", domain="other.example")
    body = "alpha beta gamma delta epsilon zeta eta theta"
    in_newsweek = make_article(body, outlet=newsweek)
    elsewhere = make_article(body, outlet=other)
    draft_article = make_article(body, outlet=newsweek, status="draft")
    for article in (in_newsweek, elsewhere, draft_article):
        for word in ("alpha", "beta", "gamma", "delta", "epsilon"):
            make_annotation(article, exact=word, tags=["quote"])
        make_annotation(article, exact="zeta")  # untagged
        make_annotation(article, exact="eta", tags=["quote"], status="draft")
    query = "?tag=quote&outlet=newsweek"
    ids = item_ids(walk(client, CONTAINER + query + "&page=first"))
    assert len(ids) == 5
    assert sorted(ids) == csv_ids(client, query)
    _, body = get(client, CONTAINER + query)
    assert body["total"] == 5
    for query in ("", "?tag=quote", "?outlet=other", "?q=alpha"):
        ids = item_ids(walk(client, CONTAINER + (query + "&" if query else "?") + "page=first"))
        assert sorted(ids) == csv_ids(client, query), query


def test_staff_see_drafts_as_on_passages(client):
    published = make_annotation()
    draft = make_annotation(status="draft")
    hidden_article = make_annotation(make_article(status="draft"))
    _, body = get(client, CONTAINER, **prefer(IRIS))
    assert body["first"]["items"] == [f"{SITE}/annotations/{published.pk}"]
    client.force_login(make_editor())
    _, body = get(client, CONTAINER, **prefer(IRIS))
    assert body["total"] == 3
    assert item_ids([body["first"]]) == [published.pk, draft.pk, hidden_article.pk]


def test_a_write_changes_the_etag_and_an_unchanged_container_answers_304(client):
    make_annotation()
    response, _ = get(client, CONTAINER)
    etag = response["ETag"]
    again = client.get(CONTAINER, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again["Link"] == CONTAINER_LINK
    make_annotation()
    assert client.get(CONTAINER, headers={"If-None-Match": etag}).status_code == 200


def test_head_and_options_are_answered_and_writes_are_405_with_allow(client):
    make_annotation()
    get_response = client.get(CONTAINER)
    head = client.head(CONTAINER)
    assert head.status_code == 200
    assert head.content == b""
    for header in ("Content-Type", "ETag", "Link", "Allow", "Content-Location"):
        assert head[header] == get_response[header], header
    options = client.options(CONTAINER)
    assert options.status_code == 200
    assert options["Allow"] == "GET, HEAD, OPTIONS"
    assert options["Link"] == CONTAINER_LINK
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(CONTAINER, data="{}", content_type="application/json")
        assert response.status_code == 405, method
        assert response["Allow"] == "GET, HEAD, OPTIONS"
        assert json.loads(response.content)["error"]["code"] == "method_not_allowed"
    assert Annotation.objects.count() == 1


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("?tag=no-such-tag", "invalid_choice"),
        ("?published_after=not-a-date", "invalid"),
        ("?page=2", "invalid_page"),
        ("?page=after:12", "invalid_page"),  # no start
        ("?page=after:12&start=-1", "invalid_page"),
        ("?page=after:99999999999999999999999&start=0", "invalid_page"),
        ("?page=after:12&start=%C2%B2", "invalid_page"),  # a superscript two is no number
        ("?page=before:%D9%A1&start=0", "invalid_page"),  # nor an Arabic-Indic one
    ],
)
def test_bad_filters_and_cursors_are_a_400_in_the_json_envelope(client, query, code):
    _, body = get(client, CONTAINER + query, 400)
    assert body["error"]["code"] == code


def test_anonymous_answers_are_cached_per_corpus_version_and_prefer_header(
    client, django_assert_num_queries
):
    """A hit costs the corpus version alone; a write (through a service) is seen at once;
    the Prefer header is part of the key; staff answers are never stored."""
    make_annotation()
    miss, body = get(client, CONTAINER)
    assert miss["X-Gloss-Page-Cache"] == "miss"
    with django_assert_num_queries(1):
        hit, cached = get(client, CONTAINER)
    assert hit["X-Gloss-Page-Cache"] == "hit"
    assert cached == body
    assert hit["Content-Location"] == miss["Content-Location"]
    assert hit["ETag"] == miss["ETag"]
    _, iris = get(client, CONTAINER, **prefer(IRIS))
    assert isinstance(iris["first"]["items"][0], str)
    make_annotation()
    _, after_write = get(client, CONTAINER)
    assert after_write["total"] == 2
    client.force_login(make_editor())
    staff, _ = get(client, CONTAINER)
    assert "X-Gloss-Page-Cache" not in staff


@pytest.mark.parametrize(
    "header",
    [
        'return=representation;include="',
        "return=representation;include",
        'return="representation"; include="http://www.w3.org/ns/oa#PreferContainedIRIs"',
        ",,;;==",
        "return=representation, return=minimal",
        "\u00e9t\u00e9",
    ],
)
def test_any_prefer_header_is_answered_never_a_server_error(client, header):
    make_annotation()
    response = client.get(CONTAINER, headers={"Prefer": header})
    assert response.status_code == 200
