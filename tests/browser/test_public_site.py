"""A newcomer browses the seeded collection without logging in, filters, reads, downloads."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from articles.models import Article
from tests.factories import make_annotation, make_organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def coded_demo():
    """A handful of passages on the seed articles (found by position, never by their text)."""
    articles = list(Article.objects.select_related("outlet").order_by("pk"))
    organization = make_organization("Demo Council")
    passages = []
    for index, article in enumerate(articles):
        words = [m.span() for m in re.finditer(r"\S+(?: \S+){5}", article.body)]
        start, end = words[2]
        passages.append(
            make_annotation(
                article,
                start=start,
                end=end,
                tags=["statistic" if index % 2 else "quote"],
                organization=organization if index == 0 else None,
                note=f"Demo note {index}",
            )
        )
        inner_start, inner_end = words[2][0] + 3, words[3][1]
        passages.append(
            make_annotation(article, start=inner_start, end=inner_end, tags=["legal-argument"])
        )
    return articles, passages


def test_visitor_filters_passages_reads_highlights_and_downloads_csv(page, screenshot, seeded):
    articles, passages = coded_demo()
    newsweek = next(a.outlet for a in articles if a.outlet.slug == "newsweek")

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".totals")).to_contain_text("5 articles")
    expect(page.locator(".totals")).to_contain_text(f"{len(passages)} passages")
    screenshot("public-home")

    page.get_by_role("link", name="Browse all passages").click()
    page.get_by_label("quote (").check()
    page.get_by_label("Newsweek (").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"tag=quote"))
    expect(page).to_have_url(re.compile(r"outlet=newsweek"))
    expected = [
        p
        for p in passages
        if p.article.outlet_id == newsweek.pk and "quote" in {t.slug for t in p.tags.all()}
    ]
    expect(page.locator(".passage-item")).to_have_count(len(expected))
    expect(page.locator(".result-count")).to_contain_text(f"{len(expected)} passage")
    screenshot("public-passages")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("as CSV")).click()
    content = download_info.value.path().read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(content, newline="")))
    assert sorted(int(r["annotation_id"]) for r in rows) == sorted(p.pk for p in expected)
    for row in rows:
        article = Article.objects.get(pk=row["article_id"])
        assert row["quote"] == article.body[int(row["start"]) : int(row["end"])]

    page.locator(".passage-item").first.get_by_role("link", name="See it in the article").click()
    expect(page.locator("mark.hl").first).to_be_visible()
    expect(page.locator("mark.hl-depth-2").first).to_be_visible()
    target = page.url.split("#")[1]
    expect(page.locator(f"#{target}")).to_be_visible()
    first = page.locator(".article-body mark.hl a").first
    first.click()
    expect(page).to_have_url(re.compile(r"#passage-\d+$"))
    screenshot("public-article")
