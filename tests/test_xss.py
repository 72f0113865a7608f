"""Markup in article text, quotes, notes and names renders inert everywhere: public pages,
the workspace, the admin and the CSV export; only http(s) URLs become links."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from annotations.models import Annotation
from articles.actions.articles import article_create
from articles.models import Article, Organization, Outlet
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_editor,
    make_organization,
    make_outlet,
    make_tag,
)

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOADS = [SCRIPT, IMG, "<svg onload=alert(1)>", "'; alert(1); '"]
RAW = [b"<script>alert(1)", b"<img src=x", b"<svg onload"]


@pytest.fixture
def hostile():
    """Every name and text a visitor sees, carrying markup."""
    outlet = make_outlet(f"Outlet {SCRIPT}")
    organization = make_organization(f"Org {IMG}", aliases=[SCRIPT])
    body = f"Intro {SCRIPT} middle {IMG} end <b>bold</b> and more text here."
    article = make_article(body, title=f"Title {SCRIPT}{IMG}", outlet=outlet, author=IMG)
    tag = make_tag(f"tag {SCRIPT}")
    annotator = make_annotator("ann")
    passage = make_annotation(
        article,
        exact=SCRIPT,
        annotator=annotator,
        tags=[tag],
        organization=organization,
        note=f"note {IMG}",
    )
    Outlet.objects.filter(pk=outlet.pk).update(homepage="javascript:alert(1)")
    Organization.objects.filter(pk=organization.pk).update(homepage="https://org.example/")
    # A javascript: URL cannot be saved through the services; put one in as a raw row would.
    Article.objects.filter(pk=article.pk).update(url="javascript:alert(document.cookie)")
    article.refresh_from_db()
    return article, passage, organization, outlet, tag


def assert_inert(content: bytes) -> None:
    for raw in RAW:
        assert raw not in content, raw
    assert b'href="javascript:' not in content.lower()


def test_public_pages_escape_everything(client, hostile):
    article, passage, organization, outlet, tag = hostile
    for url in [
        "/",
        "/articles/",
        article.get_absolute_url(),
        "/passages/",
        "/passages/?q=alert",
        organization.get_absolute_url(),
        outlet.get_absolute_url(),
        tag.get_absolute_url(),
        f"/articles/{article.slug}/revisions/",
    ]:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert_inert(response.content)
    page = client.get(article.get_absolute_url()).content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # The URL is shown as text, not as a link; an http(s) homepage is a link.
    assert b"javascript:alert(document.cookie)" in page
    assert b'href="https://org.example/"' in client.get(organization.get_absolute_url()).content


def test_the_workspace_and_the_api_escape_everything(hostile):
    article, passage, *_ = hostile
    client = Client()
    client.force_login(passage.annotator)
    for url in ["/workspace/", f"/workspace/articles/{article.slug}/", "/workspace/orphans/"]:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert_inert(response.content)
    # JSON is JSON: the API returns text as data, with a JSON content type.
    response = client.get(f"/api/annotations/{passage.pk}/")
    assert response["Content-Type"] == "application/json"
    assert response.json()["exact"] == SCRIPT


def test_the_admin_escapes_everything(hostile):
    article, passage, organization, outlet, tag = hostile
    client = Client()
    client.force_login(make_editor())
    for url in [
        "/admin/",
        "/admin/articles/article/",
        f"/admin/articles/article/{article.pk}/change/",
        "/admin/articles/organization/",
        f"/admin/articles/organization/{organization.pk}/change/",
        "/admin/articles/outlet/",
        "/admin/annotations/annotation/",
        f"/admin/annotations/annotation/{passage.pk}/change/",
        "/admin/annotations/tag/",
        "/admin/audit/historyrecord/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content)


def test_csv_cells_are_plain_text(client, hostile):
    article, passage, *_ = hostile
    response = client.get("/passages/export.csv")
    content = b"".join(response.streaming_content).decode("utf-8")
    (header, row) = list(csv.reader(io.StringIO(content.lstrip("\ufeff"), newline="")))
    cells = dict(zip(header, row, strict=True))
    assert cells["quote"] == SCRIPT
    assert cells["note"] == f"note {IMG}"
    assert cells["article_title"] == f"Title {SCRIPT}{IMG}"
    assert response["Content-Type"].startswith("text/csv")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>x</script>"])
def test_only_web_urls_can_be_saved(url):
    with pytest.raises(ValidationError):
        article_create(title="t", body="b", outlet=make_outlet(), url=url)
    assert not Annotation.objects.exists()
