""" "Code the echoes too" in the workspace, and the "Also in" link to the very words, in
Chromium through Playwright. Emoji and non-breaking spaces sit before the words, so an
offset mix-up (code points against UTF-16 units) would show."""

from datetime import date

import pytest

from annotations.models import Annotation, Tag
from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import login
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_organization,
    make_outlet,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUOTE = "fundamentally contrary to the moral fabric of our Nation"


@pytest.fixture(autouse=True)
def _no_favicon(page):
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))


def test_coding_an_echo_in_another_article_from_the_workspace(page):
    alice = make_annotator("alice", password="pw-alice")
    source = make_article(
        f"\U0001f4f0 Officers wrote that the policy is \u201c{QUOTE}.\u201d",
        outlet=make_outlet("Reason"),
        published=date(2019, 6, 27),
    )
    hill = make_article(
        "\U0001f600 The\u00a0Hill: blasting the directives as \u201cfundamentally\u00a0contrary "
        "to the moral fabric of our nation and our obligations.\u201d",
        outlet=make_outlet("The Hill"),
        published=date(2019, 6, 26),
    )
    organization = make_organization("Asylum Officers Union")
    quote_tag = Tag.objects.get(slug="quote")
    passage = make_annotation(
        source, exact=QUOTE, tags=[quote_tag], organization=organization, annotator=alice
    )
    login(page, "alice", "pw-alice")
    page.goto(f"/workspace/articles/{source.slug}/")
    page.locator(f'#passage-list button[data-passage="{passage.pk}"]').click()
    page.locator("#passage-form").wait_for(state="visible")
    page.get_by_role("button", name="Cancel").click()
    panel = page.locator("#echoes-panel")
    panel.get_by_text("1 echo in other articles.").wait_for()
    assert_no_axe_violations(page)
    page.get_by_label("The Hill (2019-06-26)", exact=False).check()
    page.get_by_role("button", name="Code the echoes too").click()
    panel.get_by_text("Coded 1 echo as passages.").wait_for()

    made = Annotation.objects.get(article=hill)
    start = hill.body.index("fundamentally")
    end = hill.body.index(" and our obligations")
    assert (made.start, made.end, made.exact) == (start, end, hill.body[start:end])
    assert [t.slug for t in made.tags.all()] == ["quote"]
    assert made.organization_id == organization.pk
    assert made.annotator_id == alice.pk

    # The passage list's "Also in", loaded after the page (also_in.js), accessible too.
    page.goto("/passages/")
    page.locator("[data-also-in-loaded]").wait_for(state="attached")
    lines = page.locator(".passage-list .also-in:visible")
    # The quote in Reason ran in The Hill; the echo just coded there ran in Reason.
    assert sorted(lines.all_inner_texts()) == [
        "Also in: Reason (27 Jun 2019)",
        "Also in: The Hill (26 Jun 2019)",
    ]
    assert_no_axe_violations(page)

    # The public page's "Also in" leads to the very words, painted in the other article.
    page.goto(source.get_absolute_url())
    page.get_by_role("link", name="The Hill (26 Jun 2019)").click()
    page.locator("#echo").wait_for()
    page.wait_for_function("() => CSS.highlights.has('echo')")  # echo.js, a deferred module
    painted = page.evaluate(
        "() => [...CSS.highlights.get('echo')].map((range) => range.toString())"
    )
    assert painted == [hill.body[start:end]]


def test_a_bounded_also_in_ends_with_a_link_to_every_echo(page, monkeypatch):
    """ "Also in" reads a bounded number of candidate articles a request: where it may
    have left some out, the slot says so and links to the passage's own echoes page,
    which lists them all."""
    from echoes import presenters

    source = make_article(f"\U0001f4f0 Officers wrote: \u201c{QUOTE}.\u201d")
    make_article(
        f"\U0001f600 The\u00a0Hill: {QUOTE}.",
        outlet=make_outlet("The Hill"),
        published=date(2019, 6, 26),
    )
    make_article(f"Also {QUOTE}.", outlet=make_outlet("Common Dreams"), published=date(2019, 6, 28))
    make_annotation(source, exact=QUOTE)
    monkeypatch.setattr(presenters, "PAGE_CANDIDATES", 1)
    page.goto(source.get_absolute_url())
    page.locator("[data-also-in-loaded]").wait_for(state="attached")
    assert page.locator(".also-in:visible").all_inner_texts() == [
        "Also in: The Hill (26 Jun 2019), and perhaps more"
    ]
    assert_no_axe_violations(page)
    page.get_by_role("link", name="and perhaps more").click()
    page.get_by_role("link", name="Common Dreams", exact=False).wait_for()
    assert page.get_by_role("link", name="The Hill", exact=False).count() == 1
