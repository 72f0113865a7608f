"""One focus stop per public highlight (issue 18), in Chromium: Tab walks an article's
passages once each, by links named after their words, tags and organization, and each
leads to the passage's entry in the list; a click on any other stretch of a passage goes
there too; the page stays axe-clean."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_no_axe_violations
from tests.factories import make_annotation, make_article, make_organization, make_tag

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = (
    "Caf\u00e9\u00a0\U0001f600 the union said numbers rose by half.\n\n"
    "In the second year \U0001f4c8 the figures fell again."
)

FOCUSED = """() => {
    const el = document.activeElement;
    const body = el && el.closest(".article-body");
    return body ? [el.getAttribute("href"), el.getAttribute("aria-label")] : null;
}"""


@pytest.fixture(autouse=True)
def _no_favicon(page):
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))


def coded_article():
    # Light tag colours, as the codebook's contrast check asks (dark text on them).
    claim, figure = make_tag("claim", colour="#ffe08a"), make_tag("figure", colour="#b8e0ff")
    union = make_organization("Readers Union")
    article = make_article(BODY)
    passages = {
        "outer": make_annotation(
            article, exact="union said numbers rose by half", tags=[claim], organization=union
        ),
        "inner": make_annotation(article, exact="numbers rose", tags=[figure]),
        "together": make_annotation(article, exact="numbers", tags=[claim, figure]),
        # Across the paragraph break: two stretches, one stop.
        "across": make_annotation(article, exact="by half.\n\nIn the second", tags=[figure]),
        "last": make_annotation(article, exact="figures fell"),
    }
    return article, passages


def tab_through_body(page) -> list[list[str]]:
    """Press Tab from the find bar's last control until focus leaves the article text."""
    page.get_by_role("button", name="Next match").focus()
    stops = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            if stops:
                return stops
            continue
        stops.append(focused)
    raise AssertionError(f"focus never left the article text: {stops}")


def test_tab_meets_each_passage_once_by_a_named_link_to_its_entry(page, live_server):
    article, passages = coded_article()
    page.goto(article.get_absolute_url())
    marks = page.locator(".article-body mark.hl")
    assert marks.count() >= 7  # many stretches...
    stops = tab_through_body(page)
    ids = {name: passage.pk for name, passage in passages.items()}
    # ...four stops: "together" and "inner" start on the same word and share one.
    assert stops == [
        [f"#passage-{ids['outer']}", "union said \u2013 passage: claim (Readers Union)"],
        [f"#passage-{ids['together']}", "numbers \u2013 2 passages: claim, figure; figure"],
        [f"#passage-{ids['across']}", "by half \u2013 passage: figure"],
        [f"#passage-{ids['last']}", "figures fell \u2013 passage: untagged"],
    ]
    # The link's accessible name is what a screen reader announces.
    link = page.get_by_role("link", name="union said \u2013 passage: claim (Readers Union)")
    expect(link).to_have_count(1)
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"#passage-{ids['outer']}$"))
    expect(page.locator(f"#passage-{ids['outer']}")).to_contain_text("Readers Union")
    assert_no_axe_violations(page)


def test_a_click_on_a_later_stretch_opens_the_innermost_passage(page, live_server):
    article, passages = coded_article()
    page.goto(article.get_absolute_url())
    # " rose": inside "inner" and "outer", not where either starts, so not a link.
    rose = page.locator(".article-body mark.hl", has_text=re.compile(r"^ rose$"))
    expect(rose).to_have_count(1)
    expect(rose.locator("a")).to_have_count(0)
    rose.click()
    entry = page.locator(f"#passage-{passages['inner'].pk}")
    expect(page).to_have_url(re.compile(rf"#passage-{passages['inner'].pk}$"))
    expect(entry).to_be_focused()
    # The second paragraph's stretch of "across" follows it too.
    second = page.locator(".article-body p").nth(1).locator("mark.hl").first
    second.click()
    expect(page).to_have_url(re.compile(rf"#passage-{passages['across'].pk}$"))
