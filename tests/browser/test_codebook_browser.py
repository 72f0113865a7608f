"""The codebook page in Chromium: an editor creates a tag, nests another under it,
merges a third into it, and an annotator reads the result; axe-core finds nothing."""

import pytest

from annotations.models import Annotation, Tag
from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import login
from tests.factories import make_annotation, make_annotator, make_article, make_editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_favicon(page):
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))


def test_create_nest_and_merge_on_the_codebook_page(page, screenshot):
    editor = make_editor("ed")
    make_annotator("ann")
    article = make_article("Police counted 1200 marchers; organisers said 60,000.")
    counted = make_annotation(article, exact="1200", tags=[Tag.objects.get(slug="statistic")])
    figure = Tag.objects.create(name="figure", slug="figure", colour="#ffe0b2")
    said = make_annotation(article, exact="60,000", tags=[figure])
    assert editor.pk

    login(page, "ed")
    page.goto("/workspace/")
    page.get_by_role("link", name="Codebook").click()
    page.wait_for_load_state()
    assert_no_axe_violations(page)

    # Create "evidence".
    new = page.locator("form[action='/workspace/codebook/new/']")
    new.get_by_label("Name").fill("evidence")
    new.get_by_label("Description").fill("Anything offered in support of a claim.")
    new.get_by_role("button", name="Create tag").click()
    page.wait_for_load_state()
    assert page.get_by_text("Tag evidence created.").is_visible()
    evidence = Tag.objects.get(name="evidence")

    # Nest statistic under it.
    statistic = Tag.objects.get(slug="statistic")
    entry = page.locator("#tag-statistic")
    entry.get_by_text("Edit statistic").click()
    entry.get_by_label("Parent").select_option(str(evidence.pk))
    entry.get_by_role("button", name="Save statistic").click()
    page.wait_for_load_state()
    assert Tag.objects.get(pk=statistic.pk).parent_id == evidence.pk
    assert "depth-1" in page.locator("#tag-statistic").get_attribute("class")

    # A dark colour is refused with a readable message.
    entry = page.locator("#tag-quote")
    entry.get_by_text("Edit quote").click()
    entry.get_by_label("Colour").evaluate("(input) => { input.value = '#202020'; }")
    entry.get_by_role("button", name="Save quote").click()
    page.wait_for_load_state()
    assert page.get_by_text("would be hard to read").is_visible()
    # The refusal is an HTTP 400 page (the form again, with its error), which Chromium
    # logs; that one line is expected, any other console error still fails the test.
    assert [e for e in page.console_errors if "400" not in e] == []
    page.console_errors.clear()
    assert_no_axe_violations(page)

    # Merge figure into statistic.
    page.goto("/workspace/codebook/")
    merge = page.locator("form[action='/workspace/codebook/merge/']")
    merge.get_by_label("Merge this tag").select_option(str(figure.pk))
    merge.get_by_label("into this tag").select_option(str(statistic.pk))
    merge.get_by_role("button", name="Merge").click()
    page.wait_for_load_state()
    assert page.get_by_text("Tag figure merged into statistic.").is_visible()
    assert not Tag.objects.filter(pk=figure.pk).exists()
    assert list(Annotation.objects.get(pk=said.pk).tags.values_list("slug", flat=True)) == [
        "statistic"
    ]
    assert page.locator("#tag-statistic .count").inner_text() == "2 passages"
    assert counted.pk
    assert_no_axe_violations(page)
    path = screenshot("codebook")
    assert path.exists()

    # The public listing finds both under evidence.
    page.goto("/passages/?tag=evidence")
    assert page.locator(".passage-entry, .passage-list > li").count() >= 2
