"""An editor corrects a seed article in the admin; the public page still highlights the
same words, and the revision list shows the correction.

The seed text is read at run time (it is third-party and never copied into the project):
passages and edits are chosen from whatever the article says.
"""

import re

import pytest

from annotations.models import Annotation
from articles.models import Article
from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import login
from tests.factories import make_annotation, make_annotator, make_editor

pytestmark = [
    pytest.mark.browser,
    # The groups the migration made come back through tests/conftest.py's _starting_rows;
    # serialized_rollback would skip the permissions' post_migrate for the next test.
    pytest.mark.django_db(transaction=True),
]

INSERTED = "Editors' note: this sentence was added by a correction. "
FIXED_WORD = "corrected"


@pytest.fixture(autouse=True)
def _no_favicon(page):
    """base.html declares no icon, so Chromium's /favicon.ico 404 would log a console error."""
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))


def long_lines(body: str) -> list[re.Match]:
    """The paragraphs of at least twelve words, in order."""
    return [m for m in re.finditer(r"[^\n]+", body) if len(m.group().split()) >= 12]


def word_spans(line: re.Match) -> list[tuple[int, int]]:
    """Offsets in the body of the words (runs of letters) of one line."""
    return [
        (line.start() + m.start(), line.start() + m.end())
        for m in re.finditer(r"\w+", line.group())
    ]


def test_an_admin_correction_keeps_the_public_highlights_on_the_same_words(
    page, seeded, screenshot
):
    article = Article.objects.exclude(url="").order_by("pk").first()
    body = article.body
    lines = long_lines(body)
    assert len(lines) >= 6, "the seed article is too short for this test"
    annotator = make_annotator()
    # Three passages: words 3 to 7 of the second, third and fourth long paragraphs.
    passages = []
    for line in lines[1:4]:
        words = word_spans(line)
        start, end = words[2][0], words[6][1]
        passages.append(make_annotation(article, start=start, end=end, annotator=annotator))
    quotes = sorted(p.exact for p in passages)

    # The correction: a sentence before the first long paragraph, one word fixed further on.
    fix_start, fix_end = word_spans(lines[5])[4]
    new_body = (
        body[: lines[0].start()]
        + INSERTED
        + body[lines[0].start() : fix_start]
        + FIXED_WORD
        + body[fix_end:]
    )

    make_editor("edith", password="pw-edith")
    login(page, "edith", "pw-edith")
    page.goto(f"/admin/articles/article/{article.pk}/change/")
    textarea = page.locator("#id_body")
    # Type the change where an editor would, keeping the rest of the text as it is.
    textarea.fill(new_body)
    page.get_by_label("Revision reason").select_option("correction")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert "was changed successfully" in page.content(), screenshot("revision-admin-error")

    article.refresh_from_db()
    assert article.revision == 2
    # The browser submits the textarea with CRLF line breaks; the admin stores them as LF.
    assert article.body == new_body
    for passage in Annotation.objects.filter(article=article):
        assert passage.anchor_status == Annotation.AnchorStatus.ANCHORED
        assert article.body[passage.start : passage.end] == passage.exact

    page.goto(f"/articles/{article.slug}/")
    marks = page.locator(".article-body mark")
    assert sorted(marks.all_text_contents()) == quotes
    assert INSERTED.strip() in page.locator(".article-body").text_content()
    screenshot("revision-public-article")

    page.goto(f"/articles/{article.slug}/revisions/")
    row = page.locator("#revision-2")
    assert "Correction by the outlet" in row.text_content()
    assert "edith" in row.text_content()
    row.get_by_role("link").click()
    page.wait_for_load_state()
    changes = page.locator(".revision-diff .article-body ins")
    assert changes.first.text_content().strip() == INSERTED.strip()
    assert FIXED_WORD in changes.all_text_contents()
    # Paragraphs kept: one <p> per non-blank line of the new text, in the same order.
    paragraphs = page.locator(".revision-diff .article-body p")
    assert paragraphs.count() == len([line for line in new_body.splitlines() if line.strip()])
    assert page.locator(".revision-diff p.diff-changed").count() == 2
    # Screen readers are told what changed: the marks carry read-but-hidden words.
    before = changes.first.evaluate("el => getComputedStyle(el, '::before').content")
    assert before == '" [added: "'
    assert_no_axe_violations(page)
    screenshot("revision-diff")


def test_an_editor_reattaches_an_orphan_by_selecting_its_new_text(page):
    """The selection becomes code-point offsets, also after an astral character (😀)."""
    from annotations.actions.revisions import article_revise
    from tests.factories import make_article

    article = make_article("😀 The court ruled on Monday that the policy was unlawful.")
    passage = make_annotation(article, exact="the policy was unlawful")
    new_body = "😀 The court ruled on Tuesday. 😀 It found the rule illegal and void."
    article_revise(article=article, body=new_body, editor=None, base_revision=1)
    passage.refresh_from_db()
    assert passage.anchor_status == Annotation.AnchorStatus.ORPHANED

    make_editor("edith", password="pw-edith")
    login(page, "edith", "pw-edith")
    page.goto("/workspace/orphans/")
    page.get_by_role("link", name=f"Review passage {passage.pk}").click()
    page.wait_for_load_state()
    target = "the rule illegal and void"
    # Select the target text in the article body as a mouse would, then release.
    page.locator("[data-orphan-body]").evaluate(
        """(body, target) => {
            const text = body.firstChild;
            const at = text.data.indexOf(target);
            const range = document.createRange();
            range.setStart(text, at);
            range.setEnd(text, at + target.length);
            const selection = document.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            body.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
        }""",
        target,
    )
    start = new_body.index(target)
    assert page.get_by_label("Start").input_value() == str(start)
    assert page.get_by_label("End").input_value() == str(start + len(target))
    assert page.get_by_role("textbox", name="Selected text").input_value() == target
    page.get_by_role("button", name="Re-attach").click()
    page.wait_for_load_state()
    assert "Re-attached the passage" in page.content()
    passage.refresh_from_db()
    assert (passage.start, passage.exact, passage.anchor_status) == (start, target, "anchored")
