"""API tokens authenticate through a Django authentication backend, beside django-axes."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory

from annotations.actions.tokens import api_token_create
from annotations.models import ApiToken
from tests.factories import make_annotator

pytestmark = pytest.mark.django_db


def test_authenticate_with_an_api_token_returns_its_owner_and_records_the_use():
    annotator = make_annotator("alice")
    key = api_token_create(user=annotator, name="script")
    request = RequestFactory().get("/api/annotations/")
    assert authenticate(request, api_token=key) == annotator
    assert ApiToken.objects.get().last_used is not None
    assert authenticate(request, api_token="not-a-key") is None


def test_bad_tokens_are_not_counted_as_failed_logins(settings):
    """However many unknown tokens an address sends, axes records nothing and locks nothing:
    a good token from the same address still works, and password logins are untouched."""
    settings.AXES_FAILURE_LIMIT = 3
    annotator = make_annotator("alice", password="right-horse-battery")
    key = api_token_create(user=annotator, name="script")
    client = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(5):
        response = client.get("/api/annotations/", headers={"Authorization": "Bearer nope"})
        assert (response.status_code, response.json()["error"]["code"]) == (401, "invalid_token")
    assert not AccessAttempt.objects.exists()
    response = client.get("/api/annotations/", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200


def test_a_token_renamed_in_the_admin_keeps_its_key(client):
    from django.urls import reverse

    from annotations.models import ApiToken
    from tests.factories import make_editor

    editor = make_editor()
    editor.is_superuser = True
    editor.save()
    key = api_token_create(user=editor, name="laptop")
    token = ApiToken.objects.get(user=editor)
    client.force_login(editor)
    response = client.post(
        reverse("admin:annotations_apitoken_change", args=[token.pk]), {"name": "desktop"}
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.name == "desktop" and token.key_sha256 == ApiToken.hash_key(key)
