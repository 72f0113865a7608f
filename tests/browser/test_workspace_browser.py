"""The annotation workspace in Chromium: select, tag, attribute, save, reload, edit.

Offsets cross the edge here: the browser counts UTF-16 units in rendered HTML, the server
code points in the stored text.
"""

import csv
import io
import re

import pytest

from annotations.models import Annotation
from articles.models import Article
from tests.browser.conftest import login
from tests.factories import make_annotator, make_article, make_organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_favicon(page):
    """base.html declares no icon, so Chromium's /favicon.ico 404 would log a console error."""
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))


def select_code_points(page, start: int, end: int) -> None:
    """Select body[start:end] (code points) in the article element, as a mouse would."""
    page.evaluate(
        """([start, end]) => {
            const root = document.querySelector("[data-article-body]");
            const text = root.textContent;
            const units = (cp) => [...text].slice(0, cp).join("").length;
            const [from, to] = [units(start), units(end)];
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            const range = document.createRange();
            let seen = 0;
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const length = node.data.length;
                if (from >= seen && from <= seen + length) range.setStart(node, from - seen);
                if (to >= seen && to <= seen + length) { range.setEnd(node, to - seen); break; }
                seen += length;
            }
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }""",
        [start, end],
    )
    # The workspace reacts to the end of a mouse selection.
    page.locator("[data-article-body]").dispatch_event("mouseup")


def sentence_with_nbsp(body: str) -> tuple[int, int]:
    """Code-point span of the first sentence-like stretch containing a non-breaking space."""
    at = body.index("\u00a0")
    start = max(body.rfind(". ", 0, at) + 2, body.rfind("\n", 0, at) + 1, 0)
    match = re.compile(r"[.!?](?=\s)|\n").search(body, at)
    end = match.end() if match else len(body)
    return start, end


def tag_attribute_save(page, organization_name: str, note: str) -> None:
    form = page.locator("#passage-form")
    form.wait_for(state="visible")
    page.get_by_role("checkbox", name="statistic", exact=True).check()
    page.get_by_label("Organization").fill(organization_name)
    page.get_by_label("Note").fill(note)


def check_public_listing_and_csv(page, passage: Annotation) -> None:
    """The saved passage on /passages/ and in the CSV, with exact == body[start:end]."""
    body = passage.article.body
    assert passage.exact == body[passage.start : passage.end]
    page.goto("/passages/")
    assert page.locator(f"#passage-{passage.pk}").count() == 1 or (
        " ".join(passage.exact.split())[:40] in " ".join(page.inner_text("main").split())
    )
    response = page.request.get("/passages/export.csv")
    assert response.ok
    rows = list(csv.DictReader(io.StringIO(response.text())))
    matching = [row for row in rows if row["annotation_id"] == str(passage.pk)]
    assert len(matching) == 1
    row = matching[0]
    assert (int(row["start"]), int(row["end"])) == (passage.start, passage.end)
    assert row["quote"] == body[passage.start : passage.end]


def run_annotation_round_trip(page, screenshot, article, start, end, organization, shot=None):
    make_annotator("alice", password="pw-alice")
    login(page, "alice", "pw-alice")
    page.goto(f"/workspace/articles/{article.slug}/")
    body_text = page.locator("[data-article-body]").evaluate("el => el.textContent")
    assert body_text == article.body  # the rendered text is the stored text, exactly

    select_code_points(page, start, end)
    tag_attribute_save(page, organization.name, "first note")
    if shot:
        screenshot(shot)
    page.get_by_role("button", name="Save").click()
    page.locator("#workspace-status").filter(has_text="Passage saved.").wait_for()

    passage = Annotation.objects.get()
    assert (passage.start, passage.end) == (start, end)
    assert passage.exact == article.body[start:end]
    assert list(passage.tags.names()) == ["statistic"]
    assert passage.organization_id == organization.pk
    assert passage.annotator.username == "alice"

    page.reload()
    mark = page.locator(f"mark.hl-passage-{passage.pk}")
    assert mark.count() >= 1
    assert "".join(mark.all_inner_texts()).replace("\u00a0", " ") == passage.exact.replace(
        "\u00a0", " "
    )
    mark.first.click()
    page.get_by_label("Note").fill("edited note")
    page.keyboard.press("Enter")
    page.locator("#workspace-status").filter(has_text="Passage updated.").wait_for()
    passage.refresh_from_db()
    assert passage.note == "edited note"
    assert passage.exact == article.body[start:end]

    api = page.request.get(f"/api/annotations/{passage.pk}/").json()
    assert (api["start"], api["end"], api["exact"], api["note"]) == (
        start,
        end,
        article.body[start:end],
        "edited note",
    )
    return passage


def test_annotate_a_seed_sentence_with_a_non_breaking_space(page, screenshot, seeded):
    """Select a sentence containing NBSP, tick statistic, pick an organization, save, reload,
    edit the note; the passage reads exactly body[start:end] everywhere."""
    article = Article.objects.filter(body__contains="\u00a0").order_by("pk").first()
    assert article is not None, "the seed corpus should hold an article with an NBSP"
    Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED)
    article.refresh_from_db()
    start, end = sentence_with_nbsp(article.body)
    organization = article.organizations.first() or make_organization("Test Council")
    passage = run_annotation_round_trip(
        page, screenshot, article, start, end, organization, shot="workspace-tagging"
    )
    assert "\u00a0" in passage.exact
    check_public_listing_and_csv(page, passage)


def test_annotate_after_emoji_and_combining_marks(page, screenshot):
    """Astral emoji and combining marks before the passage shift UTF-16 offsets, not ours."""
    body = (
        "Intro \U0001f600\U0001f1fa\U0001f1f8 cafe\u0301 \u201cquote\u201d.\n\n"
        "Second paragraph: 12\u00a0percent rose \U0001f4c8 sharply.\nThird line."
    )
    article = make_article(body, title="Emoji test")
    organization = make_organization("Emoji Institute", aliases=["EI"])
    start = body.index("12")
    end = body.index("Third") + len("Third")  # spans two paragraphs
    passage = run_annotation_round_trip(page, screenshot, article, start, end, organization)
    assert passage.exact == "12\u00a0percent rose \U0001f4c8 sharply.\nThird"
    check_public_listing_and_csv(page, passage)


def test_overlapping_passage_stays_selectable_and_deletable(page):
    """A second passage inside the first can be selected over the highlight, and deleted."""
    body = "Alpha beta gamma delta epsilon."
    article = make_article(body)
    make_organization("Unused Org")
    make_annotator("alice", password="pw-alice")
    login(page, "alice", "pw-alice")
    page.goto(f"/workspace/articles/{article.slug}/")
    select_code_points(page, 0, len("Alpha beta gamma"))
    page.locator("#passage-form").wait_for(state="visible")
    page.keyboard.press("1")  # toggles the first tag
    page.keyboard.press("Enter")
    page.locator("#workspace-status").filter(has_text="Passage saved.").wait_for()
    select_code_points(page, body.index("beta"), body.index("delta") + len("delta"))
    page.locator("#passage-form").wait_for(state="visible")
    page.keyboard.press("Enter")
    page.locator("#workspace-status").filter(has_text="Passage saved.").wait_for()
    assert Annotation.objects.count() == 2
    assert page.locator("mark.hl-depth-2").count() == 1

    # Escape cancels and returns focus to the article.
    select_code_points(page, 0, 5)
    page.locator("#passage-form").wait_for(state="visible")
    page.keyboard.press("Escape")
    assert page.locator("#passage-form").is_hidden()
    assert page.evaluate("document.activeElement.hasAttribute('data-article-body')")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".passage-open").first.click()
    page.get_by_role("button", name="Delete").click()
    page.locator("#workspace-status").filter(has_text="Passage deleted.").wait_for()
    assert Annotation.objects.count() == 1
    assert page.locator("mark.hl-depth-2").count() == 0


def test_keyboard_selection_opens_the_form_only_on_enter(page):
    """Shift+arrows select text in the article; releasing Shift opens nothing (it once saved
    one-letter passages); Enter opens the form for the selection."""
    article = make_article("Keyboard selection works here.")
    make_annotator("alice", password="pw-alice")
    login(page, "alice", "pw-alice")
    page.goto(f"/workspace/articles/{article.slug}/")
    page.locator("[data-article-body]").focus()
    page.keyboard.down("Shift")
    page.keyboard.press("ArrowRight")
    page.keyboard.up("Shift")
    assert page.locator("#passage-form").is_hidden()
    page.keyboard.down("Shift")
    for _ in range(7):
        page.keyboard.press("ArrowRight")
    page.keyboard.up("Shift")
    assert page.locator("#passage-form").is_hidden()
    page.keyboard.press("Enter")
    page.locator("#passage-form").wait_for(state="visible")
    assert page.locator("#passage-form-quote").inner_text() == "Keyboard"
    assert page.evaluate("document.activeElement.type") == "checkbox"
    page.get_by_role("button", name="Save").click()
    page.locator("#workspace-status").filter(has_text="Passage saved.").wait_for()
    assert Annotation.objects.get().exact == "Keyboard"
