"""The passage listing's article filter suggests titles once the field is used: the page
prints an empty `<datalist>` and `static/js/article_choices.js` fills it on the first
focus, from `/passages/article-choices.json`, in Chromium through Playwright."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.factories import make_annotation, make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_favicon(page):
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))


def test_the_article_titles_arrive_when_the_field_is_first_used(page):
    titles = ["Court hears \u201cRemain in Mexico\u201d \U0001f4f0", "Union files <brief> & more"]
    for day, title in enumerate(titles, start=1):
        article = make_article("Words to code here.", title=title, published=date(2019, 6, day))
        make_annotation(article, exact="Words")
    make_article("No passage in it.", title="Uncoded", published=date(2019, 6, 9))
    asked = []
    page.on(
        "request",
        lambda request: asked.append(request.url) if "article-choices" in request.url else None,
    )
    page.goto("/passages/")
    options = page.locator("#article-choices option")
    expect(options).to_have_count(0)
    assert asked == []  # nothing asked before the field is used
    page.get_by_label("Article", exact=True).focus()
    expect(options).to_have_count(2)
    # Newest first; the titles as text (the `<brief>` was not parsed as markup).
    assert [options.nth(i).get_attribute("value") for i in range(2)] == titles[::-1]
    page.get_by_label("Article", exact=True).fill(titles[0])
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".result-count")).to_contain_text("1 passage")
    assert len(asked) == 1  # once, however often the field is used
