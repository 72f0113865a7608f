"""A failed CSRF check answers 403 with a page of ours that the CSP allows to render."""

import pytest
from django.test import Client, RequestFactory

from tests.factories import make_annotator

pytestmark = pytest.mark.django_db


def test_a_form_post_without_csrf_token_gets_our_403_page_without_inline_style():
    response = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": "alice", "password": "x"}
    )
    assert response.status_code == 403
    assert [t.name for t in response.templates][0] == "403_csrf.html"
    page = response.content.decode()
    assert "<h1>This form has expired</h1>" in page
    assert "<style" not in page and "<script" not in page and " style=" not in page
    assert "style-src 'self'" in response["Content-Security-Policy"]


def test_under_the_api_a_csrf_failure_is_the_envelope_the_api_views_give():
    """API views check CSRF themselves; anything else under /api/ answers alike."""
    from cms.errors import csrf_failure

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_annotator("ann"))
    from_view = client.post("/api/annotations/", "{}", content_type="application/json")
    request = RequestFactory().post("/api/annotations/")
    from_handler = csrf_failure(request, reason="CSRF cookie not set.")
    assert (from_handler.status_code, from_handler["Content-Type"]) == (403, "application/json")
    assert from_handler.content == from_view.content
    assert from_view.json()["error"] == {
        "code": "csrf_failed",
        "message": "CSRF check failed: CSRF cookie not set.",
        "fields": {},
    }
