"""The JSON API at its edges: hostile bodies, outages and unknown paths get the envelope."""

import pytest
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
