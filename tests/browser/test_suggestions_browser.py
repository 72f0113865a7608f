"""Suggestions in the workspace (issue 20): outlined in the text, stepped through and
accepted or dismissed by keyboard. Chromium through Playwright.

Emoji and a non-breaking space come before the suggestions, so a code-point / UTF-16 mix-up
would put the form's offsets (and the saved passage) in the wrong place.
"""

import pytest

from annotations.models import Annotation
from suggestions.models import SuggestionDecision
from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import login
from tests.factories import make_annotator, make_article, make_organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUOTE = "“The policy exposes vulnerable people to violence,”"
STAT = "More than 60,000 asylum-seekers were returned to Mexico."
BODY = (
    "\U0001f1fa\U0001f1f8\U0001f4f0 A union of 14\u00a0officers wrote on Jan. 5 to the court\n\n"
    f"{QUOTE} the ACLU said.\n\n"
    f"{STAT}\n\n"
    "Nobody else is named here."
)


@pytest.fixture(autouse=True)
def _no_favicon(page):
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))


@pytest.fixture
def article(db):
    aclu = make_organization("American Civil Liberties Union", aliases=["ACLU"])
    return make_article(BODY, title="Suggested"), aclu


def open_workspace(page, article):
    page.set_viewport_size({"width": 1280, "height": 900})
    make_annotator("alice", password="pw-alice")
    login(page, "alice", "pw-alice")
    page.goto(f"/workspace/articles/{article.slug}/")
    page.locator("#suggestions").wait_for(state="visible")


def current(page) -> str:
    return page.locator("#suggestion-status").inner_text()


def test_two_suggestions_accepted_by_keyboard_with_their_tag_and_organization(page, article):
    """g goes to the first suggestion (the union's statistic line), g again to the
    quotation; a opens the form with the quote tag and the ACLU ticked and filled in; Enter
    saves. Then g, a, Enter code the statistic. Both passages sit at the server's code-point
    offsets, and both acceptances are counted."""
    article, aclu = article
    open_workspace(page, article)
    assert page.locator("#suggestion-summary").inner_text() == "4 suggestions left."
    page.locator("[data-article-body]").focus()
    page.keyboard.press("g")
    assert "Statistic" in current(page)
    page.keyboard.press("g")
    assert "Quotation, American Civil Liberties Union" in current(page)
    page.keyboard.press("a")
    form = page.locator("#passage-form")
    form.wait_for(state="visible")
    assert page.locator("#passage-form-quote").inner_text() == QUOTE
    assert form.locator('input[value="quote"]').is_checked()
    assert not form.locator('input[value="statistic"]').is_checked()
    assert page.locator("#passage-organization").input_value() == aclu.name
    page.keyboard.press("Enter")
    page.locator("#workspace-status").filter(has_text="Passage saved.").wait_for()
    # The accepted one is coded now: offered no more.
    page.locator("#suggestion-summary").filter(has_text="3 suggestions left.").wait_for()

    page.locator("[data-article-body]").focus()
    for _ in range(4):
        page.keyboard.press("g")
        if "60,000" in current(page):
            break
    assert "Statistic" in current(page) and "60,000" in current(page)
    page.keyboard.press("a")
    form.wait_for(state="visible")
    assert page.locator("#passage-form-quote").inner_text() == STAT
    assert form.locator('input[value="statistic"]').is_checked()
    # Editable before saving: add a tag by its number key.
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    page.locator("#suggestion-summary").filter(has_text="2 suggestions left.").wait_for()

    quote, stat = Annotation.objects.order_by("start")
    assert (quote.start, quote.end, quote.exact) == (
        BODY.index(QUOTE),
        BODY.index(QUOTE) + len(QUOTE),
        QUOTE,
    )
    assert quote.organization_id == aclu.pk
    assert sorted(quote.tags.names()) == ["quote"]
    assert (stat.start, stat.exact) == (BODY.index(STAT), STAT)
    assert sorted(stat.tags.names()) == ["legal argument", "statistic"]
    assert SuggestionDecision.objects.tallies()["quote"]["accepted"] == 1
    assert SuggestionDecision.objects.tallies()["statistic"]["accepted"] == 1


def test_a_dismissed_suggestion_stays_dismissed_after_reloading(page, article):
    article, _ = article
    open_workspace(page, article)
    page.locator("[data-article-body]").focus()
    page.keyboard.press("Shift+G")  # backwards from the start: the last one
    assert "Statistic" in current(page) and "60,000" in current(page)
    page.keyboard.press("x")
    page.locator("#suggestion-summary").filter(has_text="3 suggestions left.").wait_for()
    assert current(page).startswith("Dismissed.")
    page.reload()
    page.locator("#suggestion-summary").filter(has_text="3 suggestions left.").wait_for()
    decision = SuggestionDecision.objects.get()
    assert (decision.outcome, decision.exact) == ("dismissed", STAT)


def test_the_workspace_with_suggestions_shown_passes_axe(page, article):
    article, _ = article
    open_workspace(page, article)
    page.locator("[data-article-body]").focus()
    page.keyboard.press("g")
    assert_no_axe_violations(page)
    # The keys are in the shortcut list.
    page.keyboard.press("?")
    shortcuts = page.locator("#shortcuts-dialog")
    assert "Go to the next / previous suggestion" in shortcuts.inner_text()
    assert_no_axe_violations(page)
