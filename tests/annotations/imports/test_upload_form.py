"""The editors' upload form at /workspace/import-annotations/."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotations.models import Annotation
from audit.models import HistoryRecord
from tests.annotations.imports.helpers import collection, w3c
from tests.factories import make_annotator, make_article, make_editor

URL = "/workspace/import-annotations/"
BODY = "The council said 42\u00a0percent failed. The mayor disagreed."


def upload(client, document, **fields):
    content = json.dumps(document).encode() if not isinstance(document, bytes) else document
    data = {
        "file": SimpleUploadedFile("annotations.json", content, "application/json"),
        "annotator": "ann",
        "status": "published",
        **fields,
    }
    return client.post(URL, data)


@pytest.fixture
def article(db):
    make_annotator("ann")
    return make_article(BODY, url="https://news.example/story")


def test_anonymous_visitors_are_sent_to_log_in(client, article):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_annotators_are_refused(client, article):
    client.force_login(make_annotator())
    assert client.get(URL).status_code == 403
    assert upload(client, [w3c("urn:a", "https://news.example/story", "42")]).status_code == 403
    assert Annotation.objects.count() == 0


def test_the_workspace_links_to_the_form_for_editors_only(client, article):
    client.force_login(make_annotator())
    assert URL not in client.get("/workspace/").content.decode()
    client.force_login(make_editor())
    assert f'href="{URL}"' in client.get("/workspace/").content.decode()


def test_an_editor_imports_a_file_and_reads_the_report(client, article):
    editor = make_editor("ed")
    client.force_login(editor)
    form = client.get(URL)
    assert form.status_code == 200
    assert [u.username for u in form.context["form"].fields["annotator"].queryset] == ["ann", "ed"]
    document = collection(
        [
            w3c("urn:a", f"https://gloss.example/articles/{article.slug}/", "42\u00a0percent"),
            w3c("urn:b", "https://news.example/story", "The mayor disagred", prefix="failed. "),
        ]
    )
    response = upload(client, document, status="draft")
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.created, len(report.fuzzy)) == (2, 1)
    page = response.content.decode()
    assert "2 created, 0 updated, 0 unchanged, 1 fuzzy, 0 skipped." in page
    assert "The mayor disagred" in page and "The mayor disagreed" in page
    passages = Annotation.objects.order_by("source_id")
    assert [(p.source_id, p.annotator.username, p.status) for p in passages] == [
        ("urn:a", "ann", "draft"),
        ("urn:b", "ann", "draft"),
    ]
    records = HistoryRecord.objects.filter(content_type__model="annotation")
    assert {(r.actor, r.via) for r in records} == {(editor, "import")}


def test_a_refused_file_lists_every_failure_and_writes_nothing(client, article):
    client.force_login(make_editor())
    document = [
        w3c("urn:a", "https://news.example/story", "42\u00a0percent"),
        w3c("urn:gone", "https://elsewhere.example/", "42"),
        w3c("urn:tag", "https://news.example/story", "42", tags=["nope"]),
    ]
    response = upload(client, document)
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert list(errors) == [
        "urn:gone: no article here is https://elsewhere.example/",
        "urn:tag: unknown tag: nope",
    ]
    assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == [
        "unknown_article",
        "unknown_tag",
    ]
    assert "Nothing was imported: 2 annotations failed." in response.content.decode()
    assert Annotation.objects.count() == 0


def test_an_unreadable_file_is_a_form_error(client, article):
    client.force_login(make_editor())
    response = upload(client, b"{nope")
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["file"][0].code == "unreadable_file"
    assert Annotation.objects.count() == 0
