"""`GET`/`PATCH /api/articles/<id>/`: editors revise bodies; passages follow the text."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from annotations.actions.tokens import api_token_create
from annotations.models import Annotation
from articles.models import Article, ArticleRevision
from tests.factories import make_annotation, make_annotator, make_article, make_editor

pytestmark = pytest.mark.django_db

BODY = "The court ruled on Monday that the policy was unlawful. The agency will appeal."


def url(article) -> str:
    return reverse("api-article-detail", args=[article.pk])


def patch(client, article, payload, **headers):
    return client.patch(
        url(article), json.dumps(payload), content_type="application/json", headers=headers
    )


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor("edna"))
    return client


def test_get_returns_the_article_with_its_revision(client):
    article = make_article(BODY, title="Ruling")
    response = client.get(url(article))
    assert response.status_code == 200
    assert response.json() == {
        "id": article.pk,
        "slug": article.slug,
        "title": "Ruling",
        "outlet": article.outlet.name,
        "url": "",
        "published": None,
        "author": "",
        "status": "published",
        "body": BODY,
        "revision": 1,
        "modified": article.modified.isoformat(),
    }


def test_drafts_are_not_found_for_anonymous_callers(client):
    article = make_article(BODY, status=Article.Status.DRAFT)
    response = client.get(url(article))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_patch_revises_the_body_and_reports_how_passages_were_reanchored(editor_client):
    article = make_article(BODY)
    kept = make_annotation(article, exact="the policy was unlawful")
    lost = make_annotation(article, exact="The agency will appeal.")
    new_body = "Correction: the court ruled on Tuesday that the policy was unlawful."
    response = patch(
        editor_client,
        article,
        {"body": new_body, "base_revision": 1, "reason": "correction", "comment": "notice"},
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["body"] == new_body and data["revision"] == 2 and data["changed"] is True
    assert data["passages"] == {"anchored": 1, "fuzzy": 0, "orphaned": 1}
    revision = ArticleRevision.objects.get(article=article, number=2)
    assert (revision.reason, revision.comment, revision.editor.username) == (
        "correction",
        "notice",
        "edna",
    )
    kept.refresh_from_db()
    lost.refresh_from_db()
    assert new_body[kept.start : kept.end] == kept.exact and kept.anchored_revision == 2
    assert lost.anchor_status == Annotation.AnchorStatus.ORPHANED
    assert lost.exact == "The agency will appeal."


def test_an_unchanged_body_makes_no_revision(editor_client):
    article = make_article(BODY)
    response = patch(editor_client, article, {"body": BODY, "base_revision": 1})
    assert response.status_code == 200
    assert response.json()["changed"] is False and response.json()["revision"] == 1
    assert article.revisions.count() == 1


def test_a_stale_base_revision_is_a_409_conflict_and_writes_nothing(editor_client):
    article = make_article(BODY)
    first = patch(editor_client, article, {"body": "First edit.", "base_revision": 1})
    assert first.status_code == 200
    response = patch(editor_client, article, {"body": "Second edit.", "base_revision": 1})
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "revision_conflict" and error["fields"] == {}
    article.refresh_from_db()
    assert article.body == "First edit." and article.revision == 2
    assert article.revisions.count() == 2


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"body": "New text."}, "base_revision", "required"),
        ({"base_revision": 1}, "body", "required"),
        ({"body": "New text.", "base_revision": "1"}, "base_revision", "invalid_type"),
        ({"body": "New text.", "base_revision": True}, "base_revision", "invalid_type"),
        ({"body": 5, "base_revision": 1}, "body", "invalid_type"),
        ({"body": "New.", "base_revision": 1, "title": "x"}, "title", "unknown_field"),
        ({"body": "New.", "base_revision": 1, "reason": "whim"}, "reason", "unknown_reason"),
        ({"body": "New.", "base_revision": 1, "comment": "x" * 501}, "comment", "max_length"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(editor_client, payload, field, code):
    article = make_article(BODY)
    response = patch(editor_client, article, payload)
    assert response.status_code == 400
    assert response.json()["error"]["fields"][field][0]["code"] == code
    assert Article.objects.get(pk=article.pk).revision == 1


def test_an_empty_body_is_refused_with_its_service_code(editor_client):
    article = make_article(BODY)
    response = patch(editor_client, article, {"body": "  ", "base_revision": 1})
    assert response.status_code == 400
    assert response.json() == {
        "error": {"code": "empty_body", "message": "The article body is empty.", "fields": {}}
    }


def test_malformed_json_is_a_400(editor_client):
    article = make_article(BODY)
    response = editor_client.patch(url(article), b"{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"


def test_annotators_may_not_change_articles(client):
    article = make_article(BODY)
    client.force_login(make_annotator())
    response = patch(client, article, {"body": "New.", "base_revision": 1})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert Article.objects.get(pk=article.pk).body == BODY


def test_anonymous_callers_must_authenticate(client):
    article = make_article(BODY)
    response = patch(client, article, {"body": "New.", "base_revision": 1})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_required"


def test_session_writes_need_the_csrf_token():
    article = make_article(BODY)
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_editor())
    response = patch(client, article, {"body": "New.", "base_revision": 1})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"


def test_an_editor_token_may_revise_without_a_session(client):
    article = make_article(BODY)
    key = api_token_create(user=make_editor(), name="script")
    response = patch(
        client, article, {"body": "New.", "base_revision": 1}, Authorization=f"Bearer {key}"
    )
    assert response.status_code == 200
    bad = patch(client, article, {"body": "x", "base_revision": 2}, Authorization="Bearer nope")
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "invalid_token"


def test_other_methods_are_405(editor_client):
    article = make_article(BODY)
    response = editor_client.delete(url(article))
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_a_revision_through_the_api_is_recorded_as_the_api_s(editor_client):
    from audit.models import HistoryRecord

    article = make_article(BODY)
    response = patch(editor_client, article, {"body": "A new text.", "base_revision": 1})
    assert response.status_code == 200
    records = HistoryRecord.objects.filter(object_id=article.pk, content_type__model="article")
    record = records.filter(action="update").latest("pk")
    assert record.via == "api"


def test_an_unknown_reason_is_the_action_s_field_error(editor_client):
    """The API no longer checks the reason itself: the action's error, same envelope."""
    article = make_article(BODY)
    response = patch(editor_client, article, {"body": "New.", "base_revision": 1, "reason": "x"})
    message = "Reason must be one of: import, correction, cleanup, reimport, other."
    assert response.json() == {
        "error": {
            "code": "unknown_reason",
            "message": message,
            "fields": {"reason": [{"code": "unknown_reason", "message": message}]},
        }
    }
