"""The keyboard's sentence segmentation (static/js/workspace/units.js), run in Chromium.

Abbreviations, initials, dotted acronyms and numbers do not end a sentence; closing quotes
stay with the sentence they close; a line break always ends one.
"""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

CASES = [
    (
        "The 9th U.S. Circuit ruled on Jan. 5 that Dr. J. Smith was right. Prices rose 3.5%.",
        ["The 9th U.S. Circuit ruled on Jan. 5 that Dr. J. Smith was right.", "Prices rose 3.5%."],
    ),
    (
        "“Really?” she asked. He said: “No.” Then he left!",
        ["“Really?” she asked.", "He said: “No.”", "Then he left!"],
    ),
    (
        "Meet at 10 a.m. Tuesday, e.g. at No. 5 Main St. near the U.K. embassy. Done",
        ["Meet at 10 a.m. Tuesday, e.g. at No. 5 Main St. near the U.K. embassy.", "Done"],
    ),
    (
        "A caption without a stop\nThe article starts. It goes on.",
        ["A caption without a stop", "The article starts.", "It goes on."],
    ),
    (
        "Emoji \U0001f4c8 first. Then\u00a0NBSP\u00a0text. End.",
        ["Emoji \U0001f4c8 first.", "Then\u00a0NBSP\u00a0text.", "End."],
    ),
]


@pytest.fixture(autouse=True)
def _no_favicon(page):
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))


def test_sentences_know_abbreviations_quotes_and_line_breaks(page):
    page.goto("/articles/")
    found = page.evaluate(
        """async (texts) => {
            const units = await import("/static/js/workspace/units.js");
            return texts.map((t) => units.sentences(t).map(([a, b]) => t.slice(a, b)));
        }""",
        [text for text, _ in CASES],
    )
    assert found == [expected for _, expected in CASES]
