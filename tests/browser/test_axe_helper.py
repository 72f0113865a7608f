"""The axe-core helper itself: it finds a real violation and passes a clean page."""

import pytest

from tests.browser.axe import assert_no_axe_violations, axe_violations

pytestmark = [pytest.mark.browser]


def test_axe_reports_an_image_without_alt_text_and_a_missing_label(page):
    page.set_content(
        "<!doctype html><html lang='en'><head><title>t</title></head><body><main>"
        "<h1>Broken</h1><img src='data:,'><input type='text'></main></body></html>"
    )
    ids = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "label"} <= ids
    with pytest.raises(pytest.fail.Exception, match="image-alt"):
        assert_no_axe_violations(page)


def test_axe_passes_a_clean_page(page):
    page.set_content(
        "<!doctype html><html lang='en'><head><title>Clean</title></head><body><main>"
        "<h1>Clean</h1><label for='q'>Search</label><input id='q' type='text'>"
        "</main></body></html>"
    )
    assert_no_axe_violations(page)
