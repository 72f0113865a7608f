"""Coding at the speed of reading (issue 18): keyboard units, the docked dialog, Undo, a
failed save, find in article, the passage list. Chromium through Playwright.

Offsets: the server counts code points, the browser UTF-16 units; the articles here put
emoji and non-breaking spaces before the passages so a unit mix-up would show.
"""

import pytest

from annotations.models import Annotation
from tests.browser.conftest import login
from tests.factories import make_annotation, make_annotator, make_article, make_organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TARGET = (
    "On Jan. 5 the 9th U.S. Circuit Court of Appeals heard Dr. Ruiz argue that "
    "12\u00a0percent of claims were never reviewed."
)


def paragraph(n: int) -> str:
    """About 520 characters: five sentences, with abbreviations that are not sentence ends."""
    return " ".join(
        f"Paragraph {n} sentence {k} \U0001f4f0 reports what the U.S. agency said on Feb. 2 "
        f"about item {k} of the plan, and more words follow here."
        for k in range(1, 6)
    )


def deep_article():
    """Six paragraphs; the target sentence is the second of the sixth, >3,000 characters in."""
    paragraphs = [paragraph(n) for n in range(1, 6)]
    last = f"First sentence of the last paragraph. {TARGET} A closing sentence follows it."
    body = "\n\n".join([*paragraphs, last])
    article = make_article(body, title="A long article")
    start = body.index(TARGET)
    assert start > 3000
    return article, start


@pytest.fixture(autouse=True)
def _no_favicon(page):
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))


def open_workspace(page, article, width=1280, height=900):
    page.set_viewport_size({"width": width, "height": height})
    make_annotator("alice", password="pw-alice")
    login(page, "alice", "pw-alice")
    page.goto(f"/workspace/articles/{article.slug}/")


def press(page, keys: list[str]) -> int:
    for key in keys:
        page.keyboard.press(key)
    return len(keys)


def code_target_by_keyboard(page) -> int:
    """Focus the article, walk to the target sentence, select it, open the form: keystrokes."""
    page.locator("[data-article-body]").focus()
    count = press(page, ["}"] * 5 + ["]", "s", "Enter"])
    page.locator("#passage-form").wait_for(state="visible")
    return count


def test_a_sentence_3000_characters_deep_is_coded_in_a_handful_of_keystrokes(page):
    """Five paragraph jumps, one sentence jump, s, Enter, 1, Enter: ten keys for a sentence
    past character 3,000 whose abbreviations ("Jan.", "U.S.", "Dr.") do not end it."""
    article, start = deep_article()
    open_workspace(page, article)
    keys = code_target_by_keyboard(page)
    assert page.locator("#passage-form-quote").inner_text() == TARGET
    first_tag = page.locator('#passage-form input[name="tags"]').first
    keys += press(page, ["1"])
    assert first_tag.is_checked()
    keys += press(page, ["Enter"])
    page.locator("#workspace-status").filter(has_text="Passage saved.").wait_for()
    assert keys == 10
    passage = Annotation.objects.get()
    assert (passage.start, passage.end) == (start, start + len(TARGET))
    assert passage.exact == TARGET
    assert passage.tags.count() == 1


def test_moving_extending_and_jumping_between_passages(page):
    """v starts a selection at the caret and sentence moves extend it; n and p jump between
    passages and Enter opens the one at the caret; ? lists every shortcut."""
    body = "One. Two is here. Three follows.\n\nFour starts a paragraph. Five ends it."
    article = make_article(body)
    make_annotation(article, exact="Four starts a paragraph.", tags=["quote"])
    open_workspace(page, article)
    page.locator("[data-article-body]").focus()
    press(page, ["]", "v", "]", "]"])
    assert page.evaluate("getSelection().toString()") == "Two is here. Three follows."
    press(page, ["Escape"])
    assert page.evaluate("getSelection().isCollapsed")
    press(page, ["n"])
    assert "Passage 1 of 1" in page.locator("#workspace-caret").inner_text()
    press(page, ["Enter"])
    page.locator("#passage-form").wait_for(state="visible")
    assert page.locator("#passage-form-quote").inner_text() == "Four starts a paragraph."
    press(page, ["Escape"])
    assert page.locator("#passage-form").is_hidden()
    assert page.evaluate("document.activeElement.hasAttribute('data-article-body')")

    page.keyboard.press("?")
    shortcuts = page.get_by_role("dialog", name="Keyboard shortcuts")
    shortcuts.wait_for()
    text = shortcuts.inner_text()
    for needle in (
        "Next / previous sentence",
        "Next / previous paragraph",
        "Start a selection",
        "Jump to the next / previous passage",
        "Undo",
        "Find in article",
    ):
        assert needle in text
    page.keyboard.press("Escape")
    assert shortcuts.is_hidden()


def boxes_overlap(a: dict, b: dict) -> bool:
    return not (
        a["right"] <= b["left"]
        or b["right"] <= a["left"]
        or a["bottom"] <= b["top"]
        or b["bottom"] <= a["top"]
    )


def dialog_geometry(page) -> dict:
    return page.evaluate(
        """() => {
            const box = (r) => ({top: r.top, bottom: r.bottom, left: r.left, right: r.right});
            const dialog = document.getElementById("passage-dialog");
            const save = document.getElementById("passage-save");
            const selected = [...CSS.highlights.get("ws-pending")][0];
            return {
                dialog: box(dialog.getBoundingClientRect()),
                save: box(save.getBoundingClientRect()),
                words: [...selected.getClientRects()].map(box),
                viewport: {width: document.documentElement.clientWidth, height: innerHeight},
                modal: dialog.matches(":modal"),
                ariaModal: dialog.getAttribute("aria-modal"),
                dock: dialog.dataset.dock,
            };
        }"""
    )


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (800, 900), (390, 844)])
def test_the_dialog_docks_beside_the_words_with_save_in_view(page, screenshot, width, height):
    """At 1280×900 (and narrower) the modal dialog leaves the selected words uncovered and its
    Save button inside the viewport; Tab stays inside it; Escape returns to the article."""
    from annotations.models import Tag

    for n in range(12):  # a long codebook makes the form tall
        Tag.objects.create(name=f"extra code {n}", colour="#cccccc")
    make_organization("Court Watch")
    article, _ = deep_article()
    open_workspace(page, article, width, height)
    code_target_by_keyboard(page)
    geometry = dialog_geometry(page)
    assert geometry["modal"] and geometry["ariaModal"] == "true"
    viewport = geometry["viewport"]
    save = geometry["save"]
    assert 0 <= save["top"] and save["bottom"] <= viewport["height"], geometry
    assert 0 <= save["left"] and save["right"] <= viewport["width"], geometry
    if width >= 800:
        assert geometry["words"], geometry
        for rect in geometry["words"]:
            assert not boxes_overlap(rect, geometry["dialog"]), geometry
            assert rect["top"] >= 0 and rect["bottom"] <= viewport["height"], geometry
    if width == 1280:
        assert geometry["dock"] == "beside"
    name = f"workspace-dialog-{width}x{height}"
    screenshot(name)  # the whole page
    # What the annotator sees: the viewport, dialog docked beside the selected words.
    page.screenshot(path=str(screenshot(name).with_name(f"{name}-viewport.png")))

    # The focus trap: thirty Tabs later, focus is still in the dialog.
    for _ in range(30):
        page.keyboard.press("Tab")
        assert page.evaluate(
            "document.getElementById('passage-dialog').contains(document.activeElement)"
        )
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(
        "document.getElementById('passage-dialog').contains(document.activeElement)"
    )
    page.keyboard.press("Escape")
    assert page.locator("#passage-form").is_hidden()
    assert page.evaluate("document.activeElement.hasAttribute('data-article-body')")


def test_undo_a_creation_deletes_it_and_undo_an_edit_restores_the_previous_version(page):
    """The toast shows "Passage saved." with Undo: Undo deletes the new passage. After an
    edit, Undo (the u key) brings back the previous tags and note."""
    article, start = deep_article()
    open_workspace(page, article)
    code_target_by_keyboard(page)
    press(page, ["1", "Enter"])
    toast = page.locator("#workspace-toast")
    toast.get_by_text("Passage saved.").wait_for()
    assert toast.get_by_role("button", name="Undo").is_visible()
    assert Annotation.objects.count() == 1
    toast.get_by_role("button", name="Undo").click()
    toast.get_by_text("Undone: the new passage is deleted.").wait_for()
    assert Annotation.objects.count() == 0
    assert page.locator("mark.hl").count() == 0

    passage = make_annotation(
        article,
        start=start,
        end=start + len(TARGET),
        tags=["quote"],
        note="first reading",
        annotator=make_annotator("bea"),
    )
    # An editor-free setup: alice edits her own passage, so give it to her.
    Annotation.objects.filter(pk=passage.pk).update(annotator=page_user())
    page.reload()
    page.locator(f"mark.hl-passage-{passage.pk}").first.click()
    page.locator("#passage-form").wait_for(state="visible")
    page.get_by_label("Note").fill("second reading")
    page.get_by_role("checkbox", name="statistic", exact=True).check()
    page.get_by_role("button", name="Save").click()
    toast.get_by_text("Passage updated.").wait_for()
    passage.refresh_from_db()
    assert passage.note == "second reading"
    assert sorted(passage.tags.names()) == ["quote", "statistic"]
    page.locator("[data-article-body]").focus()
    page.keyboard.press("u")
    toast.get_by_text("Undone: the passage's previous version is back.").wait_for()
    passage.refresh_from_db()
    assert passage.note == "first reading"
    assert list(passage.tags.names()) == ["quote"]


def page_user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="alice")


def test_a_failed_save_says_what_failed_and_retry_saves(page):
    """No connection, a 500 page, a reply that is not JSON: each is named in the form, which
    keeps the coding and offers Retry; Retry once the server answers saves the passage."""
    article, start = deep_article()
    open_workspace(page, article)
    replies = iter(["abort", "500", "html"])

    def handle(route):
        if route.request.method != "POST":
            return route.continue_()
        reply = next(replies, "pass")
        if reply == "abort":
            return route.abort("internetdisconnected")
        if reply == "500":
            return route.fulfill(status=500, content_type="text/html", body="<h1>Oops</h1>")
        if reply == "html":
            return route.fulfill(status=200, content_type="text/html", body="<html>login</html>")
        return route.continue_()

    page.route("**/api/annotations/", handle)
    code_target_by_keyboard(page)
    page.get_by_label("Note").fill("kept across failures")
    error = page.locator("#passage-form-error")
    retry = page.get_by_role("button", name="Retry")

    page.get_by_role("button", name="Save").click()
    error.filter(has_text="network error").wait_for()
    assert error.inner_text().startswith("Saving failed:")
    assert retry.is_visible()
    retry.click()
    error.filter(has_text="HTTP 500").wait_for()
    retry.click()
    error.filter(has_text="not JSON").wait_for()
    assert page.get_by_label("Note").input_value() == "kept across failures"
    assert Annotation.objects.count() == 0
    retry.click()
    page.locator("#workspace-toast").get_by_text("Passage saved.").wait_for()
    passage = Annotation.objects.get()
    assert (passage.start, passage.note) == (start, "kept across failures")
    # Chromium logs each failed request; those are what this test provoked.
    page.console_errors[:] = [e for e in page.console_errors if "Failed to load resource" not in e]


FIND_BODY = (
    "Intro \U0001f600\U0001f1fa\U0001f1f8 cafe\u0301 opened.\n\n"
    "Rates rose 12\u00a0percent \U0001f4c8 in the U.S. last year. Then 12 percent again.\n"
    "Nothing else \U0001f4c8 here."
)


def find_state(page) -> dict:
    return page.evaluate(
        """() => ({
            count: document.getElementById("find-count").textContent,
            current: CSS.highlights.has("find-current")
                ? [...CSS.highlights.get("find-current")][0].toString() : null,
            all: CSS.highlights.has("find-match")
                ? [...CSS.highlights.get("find-match")].map((r) => r.toString()) : [],
        })"""
    )


def exercise_find(page) -> None:
    box = page.get_by_role("searchbox", name="Find in article")
    box.fill("12 percent")
    state = find_state(page)
    assert state["count"] == "1 of 2"
    assert state["all"] == ["12\u00a0percent", "12 percent"]  # NBSP matches a space
    box.press("Enter")
    assert find_state(page)["count"] == "2 of 2"
    box.press("Shift+Enter")
    assert find_state(page) == {**state, "count": "1 of 2"}
    box.fill("\U0001f4c8")
    state = find_state(page)
    assert (state["count"], state["all"]) == ("1 of 2", ["\U0001f4c8", "\U0001f4c8"])
    page.get_by_role("button", name="Next match").click()
    assert find_state(page)["count"] == "2 of 2"
    box.fill("cafe")  # accents folded; the combining mark belongs to the match
    assert find_state(page)["current"] == "cafe\u0301"
    box.fill("zebra")
    assert find_state(page)["count"] == "No match"


def test_find_in_the_workspace_then_code_the_sentence_found(page):
    """Find steps through matches (emoji, NBSP, accents); Escape puts the caret on the match,
    s selects its sentence and Enter opens the form for it: code points reach the server."""
    article = make_article(FIND_BODY)
    open_workspace(page, article)
    exercise_find(page)
    box = page.get_by_role("searchbox", name="Find in article")
    box.fill("again")
    box.press("Escape")
    assert page.evaluate("document.activeElement.hasAttribute('data-article-body')")
    press(page, ["s", "Enter"])
    page.locator("#passage-form").wait_for(state="visible")
    assert page.locator("#passage-form-quote").inner_text() == "Then 12 percent again."
    page.keyboard.press("Enter")
    page.locator("#workspace-toast").get_by_text("Passage saved.").wait_for()
    passage = Annotation.objects.get()
    assert passage.exact == "Then 12 percent again."
    assert FIND_BODY[passage.start : passage.end] == passage.exact
    # "/" focuses the box from the article.
    page.locator("[data-article-body]").focus()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "find-query"


def test_find_on_the_public_article_page(page):
    """The public article page has the same find box, over its paragraphs."""
    article = make_article(FIND_BODY)
    page.goto(f"/articles/{article.slug}/")
    exercise_find(page)


def test_passage_list_shows_chips_organization_note_and_neighbours_stay_apart(page):
    """The list is left-aligned with tag chips, organization and a note preview; two
    neighbouring passages with the same tag each start and end with a visible edge."""
    body = "Alpha beta gamma delta."
    article = make_article(body)
    council = make_organization("City Council")
    make_annotation(
        article,
        exact="Alpha beta",
        tags=["statistic"],
        organization=council,
        note="A long note " * 20,
    )
    make_annotation(article, exact=" gamma delta", tags=["statistic"])
    open_workspace(page, article)
    items = page.locator("#passage-list li")
    assert items.count() == 2
    first = items.first
    assert first.locator(".tag-chip").inner_text() == "statistic"
    assert "Attributed to City Council" in first.inner_text()
    assert "Note: A long note" in first.inner_text()
    assert first.evaluate("el => getComputedStyle(el.parentElement).textAlign") in ("left", "start")
    marks = page.locator("mark.hl")
    assert marks.count() == 2
    assert "hl-ends" in (marks.nth(0).get_attribute("class") or "")
    assert "hl-starts" in (marks.nth(1).get_attribute("class") or "")
    shadow = marks.nth(1).evaluate("el => getComputedStyle(el).boxShadow")
    assert shadow != "none"
    text = page.locator("[data-article-body]").evaluate("el => el.textContent")
    assert text == body


def test_axe_finds_nothing_on_the_workspace_with_its_form_open(page):
    """axe-core, every impact level: the workspace as loaded, with the passage dialog open
    (after a failed save, so the error and Retry are in it too), the toast, the shortcuts
    list, and the public article page with its find box in use."""
    from tests.browser.axe import assert_no_axe_violations

    article, _ = deep_article()
    make_annotation(article, exact="First sentence of the last paragraph.", tags=["quote"])
    open_workspace(page, article)
    assert_no_axe_violations(page)
    page.route(
        "**/api/annotations/",
        lambda route: (
            route.fulfill(status=502, content_type="text/html", body="<h1>Bad</h1>")
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    code_target_by_keyboard(page)
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Save").click()
    page.locator("#passage-form-error").filter(has_text="HTTP 502").wait_for()
    assert_no_axe_violations(page)
    page.unroute("**/api/annotations/")
    page.get_by_role("button", name="Retry").click()
    page.locator("#workspace-toast").get_by_text("Passage saved.").wait_for()
    assert_no_axe_violations(page)
    page.keyboard.press("?")
    page.get_by_role("dialog", name="Keyboard shortcuts").wait_for()
    assert_no_axe_violations(page)
    page.keyboard.press("Escape")
    page.get_by_role("searchbox", name="Find in article").fill("U.S.")
    assert_no_axe_violations(page)
    page.goto(f"/articles/{article.slug}/")
    page.get_by_role("searchbox", name="Find in article").fill("U.S.")
    assert_no_axe_violations(page)
    page.console_errors[:] = [e for e in page.console_errors if "Failed to load resource" not in e]
