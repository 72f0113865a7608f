"""A coding round in Chromium: an editor opens a blind round, two coders code the same
article without seeing each other, the editor reads the agreement, adjudicates their one
disagreement and closes the round, and the consensus passage is on the public page."""

import pytest

from annotations.models import Annotation
from rounds.models import Round
from tests.browser.conftest import login
from tests.browser.test_workspace_browser import select_code_points
from tests.factories import make_annotator, make_article, make_editor
from tests.rounds.helpers import BODY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

try:  # main's axe-core helper, where it has landed
    from tests.browser.axe import assert_no_axe_violations
except ImportError:  # pragma: no cover
    assert_no_axe_violations = None


@pytest.fixture(autouse=True)
def _no_favicon(page):
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))


def accessible(page) -> None:
    if assert_no_axe_violations is not None:
        assert_no_axe_violations(page)


def log_out(page) -> None:
    page.locator("form.inline-form button.link-button").click()
    page.wait_for_load_state()


def code(page, article, exact: str) -> None:
    """Select `exact` in the workspace, tick the round's tag, save."""
    page.goto(f"/workspace/articles/{article.slug}/")
    start = article.body.index(exact)
    select_code_points(page, start, start + len(exact))
    page.locator("#passage-form").wait_for(state="visible")
    page.get_by_role("checkbox", name="statistic", exact=True).check()
    page.get_by_role("button", name="Save").click()
    page.locator("#workspace-status").filter(has_text="Passage saved.").wait_for()


def test_two_coders_code_blind_and_the_editor_publishes_the_consensus(page, screenshot):
    make_editor("edna", password="pw-edna")
    make_annotator("ana", password="pw-ana")
    make_annotator("bob", password="pw-bob")
    article = make_article(BODY, title="Bridges")

    # The editor opens a blind round.
    login(page, "edna", "pw-edna")
    page.goto("/workspace/rounds/new/")
    page.get_by_label("Name").fill("Bridges round")
    page.get_by_label("Articles").select_option(label="Bridges")
    page.get_by_role("checkbox", name="ana", exact=True).check()
    page.get_by_role("checkbox", name="bob", exact=True).check()
    page.get_by_role("checkbox", name="statistic", exact=True).check()
    assert page.get_by_role("checkbox", name="Blind").is_checked()
    page.get_by_label("Instructions").fill("Mark every figure the article reports.")
    accessible(page)
    page.get_by_role("button", name="Open the round").click()
    page.get_by_role("heading", name="Bridges round").wait_for()
    round_ = Round.objects.get()
    log_out(page)

    # Ana codes, then marks the article done.
    login(page, "ana", "pw-ana")
    page.goto("/workspace/")
    page.get_by_role("link", name="Bridges round").wait_for()
    code(page, article, "42 percent")
    page.goto(f"/workspace/rounds/{round_.pk}/")
    page.get_by_role("button", name="Mark done").click()
    page.get_by_text("Done", exact=True).wait_for()
    accessible(page)
    log_out(page)

    # Bob does not see Ana's passage, and codes a longer span.
    login(page, "bob", "pw-bob")
    page.goto(f"/workspace/articles/{article.slug}/")
    assert page.locator("[data-article-body] mark.hl").count() == 0
    code(page, article, "42 percent of bridges")
    ana_passage = Annotation.objects.get(annotator__username="ana")
    assert page.locator(f"mark.hl-passage-{ana_passage.pk}").count() == 0
    assert page.request.get(f"/api/annotations/{ana_passage.pk}/").status == 404
    log_out(page)

    # The editor reads alpha, adjudicates the one disagreement, closes the round.
    login(page, "edna", "pw-edna")
    page.goto(f"/workspace/rounds/{round_.pk}/agreement/")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="statistic"))
    assert row.count() == 1
    cells = row.get_by_role("cell").all_inner_texts()
    alpha = cells[0]
    assert alpha not in ("", "—") and -1.0 <= float(alpha) < 1.0  # they differ: below 1
    accessible(page)
    screenshot("rounds-agreement")
    page.goto(f"/workspace/rounds/{round_.pk}/")
    page.get_by_role("link", name="Adjudicate Bridges").click()
    page.locator(".cluster mark.differs").first.wait_for()
    assert page.locator(".cluster mark.differs").first.inner_text() == " of bridges"
    accessible(page)
    screenshot("rounds-adjudicate")
    page.get_by_role("button", name="Keep bob's").click()
    page.get_by_text("Decision recorded.").wait_for()
    page.goto(f"/workspace/rounds/{round_.pk}/close/")
    page.get_by_label("Keep the coders' passages, as drafts").check()
    accessible(page)
    page.get_by_role("button", name="Close the round").click()
    page.get_by_text("closed; its consensus is public").wait_for()
    log_out(page)

    # The public page shows the consensus, not the coders' own passages.
    consensus = Annotation.objects.get(adjudicated=True)
    assert consensus.exact == "42 percent of bridges" and consensus.status == "published"
    page.goto(f"/articles/{article.slug}/")
    marks = page.locator(f"mark.hl-passage-{consensus.pk}")
    assert "".join(marks.all_inner_texts()) == "42 percent of bridges"
    assert page.locator(f"#passage-{ana_passage.pk}").count() == 0
    screenshot("rounds-public-consensus")


def test_selecting_text_in_a_column_sets_the_consensus_span(page):
    """rounds.js: a selection in a coder's column fills Start and End (code points)."""
    from tests.rounds.helpers import blind_round

    s = blind_round()
    login(page, "ed", "pw")
    page.goto(f"/workspace/rounds/{s.round.pk}/articles/{s.article.pk}/")
    column = page.locator("[data-cluster-text]").nth(1)  # bob's: "42 percent of bridges"
    column.evaluate(
        """(el) => {
            const text = el.textContent, from = text.indexOf("percent of");
            const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            const range = document.createRange();
            let seen = 0, startSet = false;
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const n = node.data.length;
                if (!startSet && from < seen + n) {
                    range.setStart(node, from - seen);
                    startSet = true;
                }
                if (startSet && from + 10 <= seen + n) {
                    range.setEnd(node, from + 10 - seen);
                    break;
                }
                seen += n;
            }
            getSelection().removeAllRanges();
            getSelection().addRange(range);
            el.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
        }"""
    )
    start = s.article.body.index("percent of")
    assert page.get_by_label("Start").input_value() == str(start)
    assert page.get_by_label("End").input_value() == str(start + 10)
    page.get_by_role("button", name="Use this span").click()
    page.get_by_text("Decision recorded.").wait_for()
    assert Annotation.objects.get(adjudicated=True).exact == "percent of"
