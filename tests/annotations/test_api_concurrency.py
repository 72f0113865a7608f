"""Optimistic concurrency for passages: ETag out, If-Match in, 409 `stale_passage`."""

import json

import pytest
from django.test import Client

from annotations.models import Annotation
from audit.models import HistoryRecord
from tests.factories import make_annotation, make_annotator, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    annotator = make_annotator("ann")
    client = Client()
    client.force_login(annotator)
    passage = make_annotation(make_article(), exact="quick", annotator=annotator)
    return client, passage


def patch(client, pk, payload, **headers):
    return client.patch(
        f"/api/annotations/{pk}/",
        data=json.dumps(payload),
        content_type="application/json",
        headers=headers,
    )


def test_get_post_and_patch_send_the_etag(setup):
    client, passage = setup
    etag = f'"{passage.modified.isoformat()}"'
    assert client.get(f"/api/annotations/{passage.pk}/")["ETag"] == etag
    response = patch(client, passage.pk, {"note": "a"}, if_match=etag)
    assert response.status_code == 200
    passage.refresh_from_db()
    assert response["ETag"] == f'"{passage.modified.isoformat()}"' != etag


def test_a_stale_patch_is_refused_with_409_and_writes_nothing(setup):
    """Two people read version 1; the first PATCH wins, the second is refused."""
    client, passage = setup
    etag = client.get(f"/api/annotations/{passage.pk}/")["ETag"]
    assert patch(client, passage.pk, {"note": "first"}, if_match=etag).status_code == 200
    records = HistoryRecord.objects.count()
    response = patch(client, passage.pk, {"note": "second"}, if_match=etag)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "stale_passage"
    assert Annotation.objects.get(pk=passage.pk).note == "first"
    assert HistoryRecord.objects.count() == records


def test_a_stale_delete_is_refused_with_409(setup):
    client, passage = setup
    etag = client.get(f"/api/annotations/{passage.pk}/")["ETag"]
    patch(client, passage.pk, {"note": "changed"})
    response = client.delete(f"/api/annotations/{passage.pk}/", headers={"if-match": etag})
    assert (response.status_code, response.json()["error"]["code"]) == (409, "stale_passage")
    assert Annotation.objects.filter(pk=passage.pk).exists()
    fresh = client.get(f"/api/annotations/{passage.pk}/")["ETag"]
    response = client.delete(f"/api/annotations/{passage.pk}/", headers={"if-match": fresh})
    assert response.status_code == 204


def test_without_if_match_the_last_write_wins_as_before(setup):
    client, passage = setup
    assert patch(client, passage.pk, {"note": "one"}).status_code == 200
    assert patch(client, passage.pk, {"note": "two"}, if_match="*").status_code == 200
    assert Annotation.objects.get(pk=passage.pk).note == "two"


@pytest.mark.parametrize("value", ["garbage", '"2026-01-01T00:00:00"', 'W/"x"'])
def test_a_malformed_if_match_is_a_400(setup, value):
    client, passage = setup
    response = patch(client, passage.pk, {"note": "x"}, if_match=value)
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_if_match")
    assert Annotation.objects.get(pk=passage.pk).note == ""
