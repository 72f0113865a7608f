"""Typed fields in the workspace (issue 19): ticking statistic shows its fields; a value
saved there is found by `?field.statistic.value.gte=10000`. Chromium through Playwright."""

import pytest

from annotations.actions.fields import tag_field_define
from annotations.models import Annotation, Tag
from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import login
from tests.factories import make_annotator, make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# An emoji and a non-breaking space before the passage: a UTF-16 mix-up would show.
BODY = "\U0001f4f0 Report:\u00a0some 60,000 people marched, organisers said in 2024."


@pytest.fixture(autouse=True)
def _no_favicon(page):
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))


def test_ticking_statistic_shows_its_fields_and_the_value_is_filterable(page, screenshot):
    statistic = Tag.objects.get(slug="statistic")
    tag_field_define(tag=statistic, name="value", kind="number", required=True)
    tag_field_define(tag=statistic, name="unit", kind="text")
    tag_field_define(tag=statistic, name="year", kind="integer")
    article = make_article(BODY, title="A march")
    make_annotator("alice", password="pw-alice")
    login(page, "alice", "pw-alice")
    page.goto(f"/workspace/articles/{article.slug}/")

    start = BODY.index("60,000")
    page.evaluate(
        """([start, end]) => {
          const body = document.querySelector('[data-article-body]');
          const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
          // Code points to UTF-16 units, as the page's own offset map does.
          const text = body.textContent;
          const units = (n) => [...text].slice(0, n).join('').length;
          let node, seen = 0, range = document.createRange(), a = units(start), b = units(end);
          while ((node = walker.nextNode())) {
            const len = node.data.length;
            if (seen <= a && a <= seen + len) range.setStart(node, a - seen);
            if (seen <= b && b <= seen + len) { range.setEnd(node, b - seen); break; }
            seen += len;
          }
          const selection = getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
        }""",
        [start, start + len("60,000")],
    )
    page.locator("[data-article-body]").focus()
    page.keyboard.press("Enter")
    form = page.locator("#passage-form")
    form.wait_for(state="visible")
    assert page.locator("#passage-form-quote").inner_text() == "60,000"
    fields = page.locator('[data-tag-fields="statistic"]')
    assert fields.is_hidden()
    page.get_by_role("checkbox", name="statistic").check()
    fields.wait_for(state="visible")
    assert_no_axe_violations(page)
    page.get_by_label("Value (required)").fill("60000")
    page.get_by_label("Unit", exact=True).fill("people")
    page.get_by_label("Year", exact=True).fill("2024")
    screenshot("workspace-tag-fields")
    page.get_by_role("button", name="Save").click()
    page.locator("#workspace-status").filter(has_text="Passage saved.").wait_for()
    passage = Annotation.objects.get()
    assert (passage.start, passage.end) == (start, start + 6)
    assert passage.fields == {
        "statistic.value": "60000",
        "statistic.unit": "people",
        "statistic.year": "2024",
    } or sorted(passage.fields.items()) == sorted(
        {"statistic.value": "60000", "statistic.unit": "people", "statistic.year": "2024"}.items()
    )

    page.goto("/passages/?field.statistic.value.gte=10000")
    assert "1 passage match" in page.locator("#results-heading").inner_text()
    assert page.locator(".passage-fields").first.inner_text().count("60000") == 1
    page.goto("/passages/?field.statistic.value.gte=100000")
    assert "0 passages match" in page.locator("#results-heading").inner_text()
