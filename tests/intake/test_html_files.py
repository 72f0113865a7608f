"""Saved pages through `import_articles`, and `reextract` on stored snapshots."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article, ArticleRevision
from intake import actions
from intake.fetch import Fetcher
from intake.models import Snapshot
from intake.pipeline import item_run
from tests.intake.pages import NewsPage, no_article_page, paragraphs, render

pytestmark = pytest.mark.django_db


def test_import_articles_takes_saved_pages_through_the_same_extraction(tmp_path, capsys):
    page = NewsPage(slug="saved")
    (tmp_path / "saved.html").write_text(render(page), encoding="utf-8")
    (tmp_path / "plain.txt").write_text("A plain title\n\nA plain body.\n", encoding="utf-8")
    call_command("import_articles", str(tmp_path))
    article = Article.objects.get(url=page.canonical)
    assert article.title == page.title and article.author == page.author
    assert article.body.split("\n\n") == page.body_blocks()
    assert article.outlet.name == page.site_name
    assert article.outlet.domain == page.domain
    assert Article.objects.filter(title="A plain title").exists()
    call_command("import_articles", str(tmp_path))
    assert "0 created, 0 revised, 0 updated, 2 unchanged" in capsys.readouterr().out


def test_a_saved_page_with_no_article_fails_the_batch_with_its_name(tmp_path):
    (tmp_path / "front.htm").write_text(no_article_page(), encoding="utf-8")
    with pytest.raises(CommandError, match="front.htm: no main text found"):
        call_command("import_articles", str(tmp_path))
    assert not Article.objects.exists()


def test_reextract_revises_from_the_stored_snapshot_without_fetching(site, monkeypatch):
    url = site.page("/a/", render(NewsPage(slug="a")))
    batch = actions.batch_create(urls=[url])
    item_run(batch.items.select_related("batch").get(), fetcher=Fetcher())
    article = Article.objects.get()
    call_command("reextract", "--article", article.slug)
    assert Article.objects.get().revision == 1  # same text: nothing written
    # The stored page changes (as a better extractor would read it differently).
    snapshot = Snapshot.objects.get()
    edited = render(NewsPage(slug="a", paragraphs=paragraphs(11)))
    snapshot.html = Snapshot.compress(edited.encode())
    snapshot.save()
    monkeypatch.setattr("intake.fetch._request", None)  # any fetch would fail loudly
    call_command("reextract")
    article.refresh_from_db()
    assert article.revision == 2
    assert article.revisions.get(number=2).reason == ArticleRevision.Reason.CORRECTION
    with pytest.raises(CommandError, match="no article with the slug"):
        call_command("reextract", "--article", "nope")


def test_a_saved_page_without_a_url_is_found_again_by_its_text(settings):
    """An upload whose page names no canonical URL: the same text again is unchanged."""
    html = render(NewsPage(slug="x", jsonld=False, opengraph=False)).replace(
        '<link rel="canonical" href="https://www.tidewater-ledger.example/news/x/">', ""
    )
    for _ in range(2):
        batch = actions.batch_create(pages=[("saved.html", html.encode())])
        (item,) = [item_run(i) for i in batch.items.select_related("batch", "snapshot")]
    assert item.state == "unchanged", item.reason
    assert Article.objects.get().url == ""
