"""The JSON API at its edges: hostile bodies, outages and unknown paths get the envelope."""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import reverse

from annotations.models import Annotation
from tests.factories import make_annotation, make_article, make_editor

pytestmark = pytest.mark.django_db

BODY = "The court ruled on Monday that the policy was unlawful."


@pytest.fixture
def editor():
    client = Client()
    client.force_login(make_editor("edna"))
    return client


@pytest.fixture
def targets():
    article = make_article(BODY)
    passage = make_annotation(article, exact="court")
    return [
        ("post", "/api/annotations/"),
        ("patch", f"/api/annotations/{passage.pk}/"),
        ("patch", reverse("api-article-detail", args=[article.pk])),
    ]


def envelope(response) -> tuple[int, str]:
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()["error"]["code"]


@pytest.mark.parametrize(
    "nested", ["[" * 500 + "]" * 500, '{"a":' * 500 + "1" + "}" * 500], ids=["arrays", "objects"]
)
def test_deeply_nested_json_is_400_malformed_json(editor, targets, nested):
    """500 levels fit in about 1 KB and once exhausted Python's recursion (a 500): the depth
    is bounded before the body is parsed."""
    body = '{"note": ' + nested + "}"
    for method, path in targets:
        response = getattr(editor, method)(path, body, content_type="application/json")
        assert envelope(response) == (400, "malformed_json"), path
        assert response.json()["error"]["message"] == (
            "The body nests arrays and objects deeper than 20 levels."
        )
    assert Annotation.objects.get().note == ""


def test_brackets_inside_strings_do_not_count_as_nesting(editor, targets):
    method, path = targets[1]
    note = '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{{{{{{{{{{{{{{{{\\"'
    response = editor.patch(path, f'{{"note": "{note}"}}', content_type="application/json")
    assert response.status_code == 200
    assert Annotation.objects.get().note == note.replace('\\"', '"')


# --- A database outage ------------------------------------------------------------------


def lose_the_database(monkeypatch, error):
    from django.db.backends.utils import CursorWrapper

    def refuse(self, sql, params=None):
        raise error("server closed the connection unexpectedly")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_the_api_answers_503_unavailable_while_the_database_is_unreachable(
    monkeypatch, caplog, error
):
    lose_the_database(monkeypatch, error)
    response = Client(raise_request_exception=False).get("/api/annotations/")
    assert envelope(response) == (503, "unavailable")
    assert response.json() == {
        "error": {
            "code": "unavailable",
            "message": "The database is unreachable; try again in a moment.",
            "fields": {},
        }
    }
    assert response["Retry-After"] == "5"
    # Logged with its traceback, never swallowed.
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert (record.levelname, record.exc_info[0]) == ("ERROR", error)


def test_token_writes_answer_503_too(monkeypatch):
    lose_the_database(monkeypatch, OperationalError)
    response = Client(raise_request_exception=False).post(
        "/api/annotations/",
        "{}",
        content_type="application/json",
        headers={"Authorization": "Bearer some-key"},
    )
    assert envelope(response) == (503, "unavailable")


def test_the_site_answers_a_503_page_while_the_database_is_unreachable(monkeypatch):
    lose_the_database(monkeypatch, OperationalError)
    response = Client(raise_request_exception=False).get("/articles/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert "<h1>Gloss is briefly unavailable</h1>" in page
    assert "<style" not in page and "<script" not in page and " style=" not in page
    assert "style-src 'self'" in response["Content-Security-Policy"]


def test_other_server_errors_under_the_api_are_500_in_the_envelope(monkeypatch):
    lose_the_database(monkeypatch, RuntimeError)
    response = Client(raise_request_exception=False).get("/api/annotations/")
    assert envelope(response) == (500, "server_error")
    assert "Retry-After" not in response
    page = Client(raise_request_exception=False).get("/articles/")
    assert page.status_code == 500
    assert b"Something went wrong on our side" in page.content


# --- Oversized bodies and unknown paths -------------------------------------------------


def test_a_5_mb_body_is_413_payload_too_large(editor, targets, settings):
    body = '{"note": "' + "x" * 5_000_000 + '"}'
    for method, path in targets:
        response = getattr(editor, method)(path, body, content_type="application/json")
        assert envelope(response) == (413, "payload_too_large"), path
        assert response.json()["error"]["message"] == (
            f"The body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
        )
    assert Annotation.objects.get().note == ""


@pytest.mark.parametrize("path", ["/api/", "/api/nothing/", "/api/annotations/abc/", "/api/x"])
def test_unknown_api_paths_are_a_json_404(client, path):
    response = client.get(path)
    assert envelope(response) == (404, "not_found")
    assert response.json()["error"]["message"] == "There is no API endpoint at this address."


def test_unknown_site_paths_keep_the_404_page_and_the_slash_redirect(client):
    response = client.get("/nothing/")
    assert response.status_code == 404
    assert b"There is nothing at this address" in response.content
    response = client.get("/api/annotations")
    assert (response.status_code, response["Location"]) == (301, "/api/annotations/")
