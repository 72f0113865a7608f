"""Fuzzing the JSON API: any body gets a 2xx or a 4xx with an error code, never a 500,
and a refused request writes nothing (no passage, no tag link, no history record)."""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.models import Annotation, TaggedAnnotation
from audit.models import HistoryRecord
from tests.factories import make_annotation, make_annotator, make_article

BODY = "Officials said 42\u00a0percent of claims failed. \U0001f600 Caf\u00e9 \u201cquoted\u201d."
FIELDS = ["article", "start", "end", "exact", "tags", "organization", "note", "status"]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    # Text PostgreSQL cannot store, and a lone surrogate no encoder can write.
    | st.sampled_from(["\x00", "a\x00b", "\ud800", "statistic", "published", "draft", ""])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
plausible = {
    "start": st.integers(min_value=-3, max_value=len(BODY) + 3),
    "end": st.integers(min_value=-3, max_value=len(BODY) + 3),
    "exact": st.sampled_from(["42 percent", "Officials", BODY[15:25], "\U0001f600", ""]),
    "tags": st.lists(st.sampled_from(["statistic", "quote", "nope", "", "\x00"]), max_size=3),
    "status": st.sampled_from(["published", "draft", "bogus"]),
}


@st.composite
def payloads(draw, article_id):
    """Mostly objects with the API's field names, values plausible or anything at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)
    payload = {}
    for name in draw(st.lists(st.sampled_from(FIELDS), unique=True)):
        if name == "article":
            payload[name] = draw(st.sampled_from([article_id, 0, -1, 2**63]) | json_values)
        elif name in plausible and draw(st.booleans()):
            payload[name] = draw(plausible[name])
        else:
            payload[name] = draw(json_values)
    if draw(st.integers(0, 4)) == 0:
        payload[draw(st.text(min_size=1, max_size=10))] = draw(json_values)
    return payload


def encode(payload) -> bytes:
    return json.dumps(payload).encode("utf-8", "surrogatepass")


def counts() -> tuple[int, int, int]:
    return (
        Annotation.objects.count(),
        TaggedAnnotation.objects.count(),
        HistoryRecord.objects.count(),
    )


def check(response, before) -> None:
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["code"] and isinstance(error["code"], str)
        assert counts() == before, "a refused request wrote something"


FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def api(db):
    annotator = make_annotator("fuzz")
    client = Client()
    client.force_login(annotator)
    article = make_article(BODY)
    passage = make_annotation(article, exact="Officials", annotator=annotator)
    return client, article, passage


@FUZZ
@given(data=st.data())
def test_post_never_fails_with_a_server_error(api, data):
    client, article, _ = api
    payload = data.draw(payloads(article.pk))
    before = counts()
    response = client.post(
        "/api/annotations/", data=encode(payload), content_type="application/json"
    )
    check(response, before)
    if response.status_code == 201:
        assert counts()[0] == before[0] + 1


@FUZZ
@given(data=st.data())
def test_patch_never_fails_with_a_server_error(api, data):
    client, article, passage = api
    payload = data.draw(payloads(article.pk))
    before = counts()
    response = client.patch(
        f"/api/annotations/{passage.pk}/", data=encode(payload), content_type="application/json"
    )
    check(response, before)


@FUZZ
@given(body=st.binary(max_size=200), method=st.sampled_from(["post", "patch"]))
def test_raw_bytes_are_a_400(api, body, method):
    client, _, passage = api
    url = "/api/annotations/" if method == "post" else f"/api/annotations/{passage.pk}/"
    before = counts()
    response = getattr(client, method)(url, data=body, content_type="application/json")
    check(response, before)


@FUZZ
@given(
    query=st.dictionaries(
        st.sampled_from(["article", "tag", "outlet", "organization", "status", "q", "page"]),
        st.text(max_size=20),
        max_size=4,
    )
)
def test_listing_filters_never_fail_with_a_server_error(api, query):
    client, _, _ = api
    response = client.get("/api/annotations/", query)
    assert response.status_code in (200, 400, 404), response.content


@pytest.mark.parametrize("text", ["a\x00b", "\ud800", "ok \udfff"])
@pytest.mark.parametrize("field", ["note", "tags"])
def test_text_no_database_can_store_is_a_400(api, field, text):
    """NUL (PostgreSQL refuses it) and lone surrogates (no encoder writes them)."""
    client, _, passage = api
    before = counts()
    value = [text] if field == "tags" else text
    response = client.patch(
        f"/api/annotations/{passage.pk}/",
        data=encode({field: value}),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid_text"
    assert counts() == before
