"""One highlighter, in Chromium: what the workspace shows, before and after a write, is
what the public article page shows (the server's segmenter, `publishing.highlighting`)."""

import pytest

from annotations.models import Annotation
from tests.browser.conftest import login
from tests.browser.test_workspace_browser import select_code_points
from tests.factories import make_annotation, make_annotator, make_article, make_tag

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = "Caf\u00e9\u00a0\U0001f600 same words here.\n\nTwo\u00a0tags \U0001f4c8 there."

MARKS = """(selector) => [...document.querySelectorAll(`${selector} mark`)].map((mark) => [
    mark.textContent,
    [...mark.classList].filter((name) => name.startsWith("tag-") || name === "untagged"),
    [...mark.classList].filter((name) => name.startsWith("hl-passage-")).join(" "),
])"""


@pytest.fixture(autouse=True)
def _no_favicon(page):
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))


def shown(page, url: str, selector: str) -> list:
    page.goto(url)
    return page.evaluate(MARKS, selector)


def test_the_workspace_colours_what_the_public_page_colours_before_and_after_a_write(page):
    """Identical spans take the earlier passage's colour, a passage its first tag added;
    emoji and non-breaking spaces before them shift nothing. Before: workspace.js coloured
    by the tag first by name, the server render by the later of two identical passages."""
    first, second = make_tag("first-tag"), make_tag("second-tag")
    zeta, alpha = make_tag("zeta"), make_tag("alpha")
    article = make_article(BODY)
    coder = make_annotator("coder", password="pw-coder")
    same = BODY.index("same words")
    two = BODY.index("Two\u00a0tags")
    make_annotation(article, start=same, end=same + 10, exact=None, tags=[first], annotator=coder)
    make_annotation(article, start=same, end=same + 10, exact=None, tags=[second], annotator=coder)
    make_annotation(
        article, start=two, end=two + 8, exact=None, tags=[zeta, alpha], annotator=coder
    )
    login(page, "coder", "pw-coder")
    workspace_url = f"/workspace/articles/{article.slug}/"

    def compare(expected_passages: int) -> list:
        public = shown(page, article.get_absolute_url(), ".article-body")
        workspace = shown(page, workspace_url, "[data-article-body]")
        assert [mark[:2] for mark in workspace] == [mark[:2] for mark in public]
        assert [mark[2] for mark in workspace] == [mark[2] for mark in public]
        assert len({pk for mark in workspace for pk in mark[2].split()}) == expected_passages
        return workspace

    assert [mark[:2] for mark in compare(3)] == [
        ["same words", [f"tag-{first.pk}"]],
        ["Two\u00a0tags", [f"tag-{zeta.pk}"]],
    ]

    # A new passage over "Two tags" and beyond, tagged second-tag: the overlap keeps the
    # innermost passage's colour; the page redrawn by workspace.js equals a fresh render.
    select_code_points(page, two, two + len("Two\u00a0tags \U0001f4c8"))
    page.locator("#passage-form").wait_for(state="visible")
    page.get_by_role("checkbox", name="second-tag", exact=True).check()
    page.keyboard.press("Enter")
    page.locator("#workspace-status").filter(has_text="Passage saved.").wait_for()
    redrawn = page.evaluate(MARKS, "[data-article-body]")
    assert Annotation.objects.count() == 4
    assert redrawn == compare(4)
    assert [mark[:2] for mark in redrawn] == [
        ["same words", [f"tag-{first.pk}"]],
        ["Two\u00a0tags", [f"tag-{zeta.pk}"]],
        [" \U0001f4c8", [f"tag-{second.pk}"]],
    ]
