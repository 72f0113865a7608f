"""The editors' import page: a batch from pasted URLs and uploaded pages, its progress
JSON, and the snapshots."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from articles.models import Article
from intake.models import ImportBatch, ImportItem, Snapshot
from tests.factories import make_annotator, make_editor
from tests.intake.pages import NewsPage, render

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST to the import page and run the tasks it queues once its transaction commits."""

    def send(data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("intake-import"), data)

    return send


def test_annotators_cannot_import(client):
    client.force_login(make_annotator())
    assert client.get(reverse("intake-import")).status_code == 403


def test_the_workspace_links_the_import_page_for_editors(client):
    client.force_login(make_editor())
    assert reverse("intake-import").encode() in client.get(reverse("workspace")).content


def test_pasted_urls_and_an_uploaded_page_run_as_tasks(client, site, post):
    editor = make_editor()
    client.force_login(editor)
    url = site.page("/a/", render(NewsPage(slug="a")))
    upload = SimpleUploadedFile("saved.html", render(NewsPage(slug="b")).encode(), "text/html")
    response = post(
        {"urls": f"{url}\n\n{site.url('/gone')}\n", "pages": [upload], "status": "draft"}
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == batch.get_absolute_url()
    states = list(batch.items.values_list("state", "reason"))
    assert states == [("created", ""), ("failed", "HTTP 404"), ("created", "")]
    assert Article.objects.filter(status="draft").count() == 2
    assert set(Article.objects.values_list("revisions__editor", flat=True)) == {editor.pk}
    page = client.get(batch.get_absolute_url())
    assert b"js/import.js" in page.content and b"HTTP 404" in page.content


def test_the_progress_json_is_exact_and_takes_six_queries(
    client, site, post, django_assert_num_queries
):
    client.force_login(make_editor())
    url = site.page("/a/", render(NewsPage(slug="a")))
    post({"urls": f"{url}\n{site.url('/x')}", "status": "draft"})
    batch = ImportBatch.objects.get()
    article, snapshot = Article.objects.get(), Snapshot.objects.get()
    items = list(batch.items.all())
    # Session, user, user and group permissions; the batch; its items with their articles.
    with django_assert_num_queries(6):
        response = client.get(reverse("intake-status", kwargs={"pk": batch.pk}))
    assert response.json() == {
        "batch": batch.pk,
        "finished": True,
        "items": [
            {
                "id": items[0].pk,
                "source": url,
                "state": "created",
                "label": "Created",
                "reason": "",
                "article_url": f"/workspace/articles/{article.slug}/",
                "article_title": article.title,
                "snapshot_url": f"/workspace/import/snapshots/{snapshot.pk}/",
            },
            {
                "id": items[1].pk,
                "source": site.url("/x"),
                "state": "failed",
                "label": "Failed",
                "reason": "HTTP 404",
                "article_url": "",
                "article_title": "",
                "snapshot_url": "",
            },
        ],
    }


def test_bad_input_is_a_form_error_and_writes_nothing(client):
    client.force_login(make_editor())
    response = client.post(
        reverse("intake-import"), {"urls": "https://ok.example/a\nftp://x/y", "status": "draft"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["urls"] == ["ftp://x/y is not an http(s) URL."]
    empty = client.post(reverse("intake-import"), {"urls": "", "status": "draft"})
    assert empty.context["form"].non_field_errors().as_data()[0].code == "nothing"
    assert not ImportBatch.objects.exists() and not ImportItem.objects.exists()


def test_a_snapshot_opens_as_metadata_and_inert_source(client, site, post):
    client.force_login(make_editor())
    html = render(NewsPage(slug="a"))
    post({"urls": site.page("/a/", html), "status": "published"})
    snapshot = Snapshot.objects.get()
    page = client.get(snapshot.get_absolute_url())
    assert snapshot.sha256.encode() in page.content
    raw = client.get(reverse("intake-snapshot-raw", kwargs={"pk": snapshot.pk}))
    assert raw["Content-Type"] == "text/plain; charset=utf-8"
    assert "sandbox" in raw["Content-Security-Policy"]
    assert raw.content.decode() == html


def test_an_unknown_batch_is_404(client):
    client.force_login(make_editor())
    response = client.get(reverse("intake-status", kwargs={"pk": 999}))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_database_backend_and_its_worker_run_a_batch(client, site, post, settings, monkeypatch):
    """Production's path: the page stores one task per item in the database, and
    `db_worker` runs them."""
    # The worker closes connections it finds outside autocommit, as the test's own
    # transaction is (on PostgreSQL that would end the test's connection).
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    client.force_login(make_editor())
    post({"urls": site.page("/a/", render(NewsPage(slug="a"))), "status": "draft"})
    assert ImportItem.objects.get().state == "queued"
    assert DBTaskResult.objects.count() == 1
    call_command("db_worker", "--batch", verbosity=0)
    assert ImportItem.objects.get().state == "created"
    assert Article.objects.count() == 1
