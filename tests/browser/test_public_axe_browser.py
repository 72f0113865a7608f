"""axe-core, every impact level, on every public page a visitor reaches, the revision diff
included; and /passages/ at a phone's width (390 px): the first result on the first
screen, the filters folded away but one tap from use.

The seed articles are read at run time; passages are placed by position (`coded_demo`).
"""

import re

import pytest
from playwright.sync_api import expect

from annotations.actions.revisions import article_revise
from articles.models import Organization
from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_public_site import coded_demo
from tests.factories import make_editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_favicon(page):
    """base.html declares no icon, so Chromium's /favicon.ico 404 would log a console error."""
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))


def public_urls(articles, passages) -> list[str]:
    article = passages[0].article
    organization = Organization.objects.filter(passages__isnull=False).first()
    tag = passages[0].tags.first()
    return [
        "/",
        "/articles/",
        "/articles/?q=the",
        f"/articles/?tag={tag.slug}&tag_match=all",
        article.get_absolute_url(),
        "/passages/",
        f"/passages/?tag={tag.slug}&tag_match=all",
        f"/organizations/{organization.slug}/",
        f"/outlets/{article.outlet.slug}/",
        f"/tags/{tag.slug}/",
        "/analysis/",
        "/echoes/",
        f"/echoes/passages/{passages[0].pk}/",
        f"/articles/{article.slug}/revisions/",
    ]


def test_axe_finds_nothing_on_the_public_pages(page, seeded):
    articles, passages = coded_demo()
    for url in public_urls(articles, passages):
        response = page.goto(url)
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")
        assert_no_axe_violations(page)


def test_axe_finds_nothing_on_the_article_page_highlights(page, seeded):
    """The highlights too: each passage's one link is underlined (not told apart by colour
    alone, axe's link-in-text-block)."""
    _, passages = coded_demo()
    page.goto(passages[0].article.get_absolute_url())
    assert_no_axe_violations(page)


def test_axe_finds_nothing_on_the_revision_diff(page, seeded):
    """A correction that adds a paragraph, removes another and changes words in a third."""
    articles, _ = coded_demo()
    article = articles[0]
    lines = [line for line in article.body.split("\n") if len(line.split()) > 8]
    body = article.body.replace(lines[1], "", 1)
    first_words = lines[2].split(" ")
    body = body.replace(lines[2], " ".join(["Reworded", *first_words[1:]]), 1)
    body += "\n\nAn editors' note added at the end."
    article_revise(article=article, body=body, editor=make_editor(), reason="correction")
    page.goto(f"/articles/{article.slug}/revisions/2/diff/")
    expect(page.locator(".revision-diff p.diff-insert ins")).to_have_text(
        "An editors' note added at the end."
    )
    expect(page.locator(".revision-diff p.diff-delete del")).to_have_count(1)
    expect(page.locator(".revision-diff p.diff-changed ins").first).to_have_text("Reworded")
    assert_no_axe_violations(page)


def test_passages_at_390_px_show_the_first_result_and_fold_the_filters(
    browser, live_server, seeded
):
    coded_demo()
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, device_scale_factor=2
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    try:
        page.goto("/passages/")
        first = page.locator(".passage-item").first
        expect(first).to_be_visible()
        box = first.bounding_box()
        assert box["y"] < 844, f"the first result starts {box['y']:.0f} px down"
        # Nothing wider than the phone: no sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert_no_axe_violations(page)
        page.screenshot(path=str(screenshot_path("passages-390px")))

        # The folded filters open with one tap and are usable: tick a tag, apply.
        toggle = page.locator("details.filters-toggle > summary")
        expect(toggle).to_be_visible()
        toggle.click()
        checkbox = page.locator("input[name=tag]").first
        expect(checkbox).to_be_visible()
        tag = checkbox.get_attribute("value")
        checkbox.check()
        page.get_by_role("button", name="Apply filters").click()
        expect(page).to_have_url(re.compile(rf"[?&]tag={tag}(&|$)"))
        expect(page.locator(".passage-item").first).to_be_visible()
        assert_no_axe_violations(page)
        page.screenshot(path=str(screenshot_path("passages-390px-filters-open")), full_page=True)
    finally:
        context.close()
    assert not errors, errors


def screenshot_path(name):
    """Under tests/browser/screenshots/, as the `screenshot` fixture saves its page's."""
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
