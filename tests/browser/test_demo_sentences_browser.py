"""The demo's sentences (intake/sentences.py) are the workspace keyboard's
(static/js/workspace/units.js): both cut every seed article into the same sentences, so a
demo passage is what the `s` key selects. The seeds are read at run time."""

import pytest

from intake.sentences import sentences

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _no_favicon(page):
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))


def test_python_and_javascript_cut_the_seeds_into_the_same_sentences(page, seeds_dir):
    bodies = [path.read_text(encoding="utf-8") for path in sorted(seeds_dir.glob("*.txt"))]
    page.goto("/articles/")
    # The JavaScript's texts, not offsets: it counts UTF-16 units, Python code points.
    found = page.evaluate(
        """async (texts) => {
            const units = await import("/static/js/workspace/units.js");
            return texts.map((t) => units.sentences(t).map(([a, b]) => t.slice(a, b)));
        }""",
        bodies,
    )
    expected = [[body[a:b] for a, b in sentences(body)] for body in bodies]
    assert sum(len(s) for s in expected) > 100
    assert found == expected
