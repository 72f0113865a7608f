"""`/analysis/` in Chromium: its four pygal charts load as SVG images under the site's
CSP (and their own, script-free one), every table is there, axe-core finds nothing, and
following "Analyse these passages" from a filtered /passages/ keeps the filters."""

import re

import pytest
from playwright.sync_api import expect

from annotations.models import Annotation
from tests.browser.axe import assert_no_axe_violations
from tests.browser.test_public_site import coded_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLES = ["tag-outlet", "organization-tag", "month-tag", "cooccurrence"]


@pytest.fixture(autouse=True)
def _no_favicon(page):
    """base.html declares no icon, so Chromium's /favicon.ico 404 would log a console error."""
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))


def loaded_charts(page) -> list[dict]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("figure.chart img")).map((img) => ({
            src: img.getAttribute("src"), complete: img.complete, width: img.naturalWidth,
            alt: img.alt}))"""
    )


def test_the_analysis_page_draws_its_charts_and_tables(page, seeded, screenshot):
    coded_demo()
    charts = {}
    page.on(
        "response",
        lambda r: charts.__setitem__(r.url, r) if "/analysis/charts/" in r.url else None,
    )
    page.goto("/analysis/")
    page.wait_for_load_state("networkidle")

    sections = page.locator("section.analysis-table")
    assert [sections.nth(i).get_attribute("id") for i in range(sections.count())] == TABLES
    images = loaded_charts(page)
    assert len(images) == 4
    for image in images:
        # Loaded and decoded: an image the CSP blocked or that failed has no natural width.
        assert image["complete"] and image["width"] > 0, image
        assert image["alt"]
    assert len(charts) == 4
    for url, response in charts.items():
        assert response.status == 200, url
        headers = response.all_headers()
        assert headers["content-type"] == "image/svg+xml", url
        policy = headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src" not in policy, policy
        assert "<script" not in response.text()

    # The tables hold the passages the listing holds: the tag table's total is theirs.
    expect(page.locator("table.crosstab")).to_have_count(4)
    tag_table = page.locator("#tag-outlet table.crosstab")
    expect(tag_table.locator("caption")).to_be_visible()
    totals = [int(t) for t in tag_table.locator("tbody tr td:last-child").all_text_contents()]
    tagged = sum(a.tags.count() for a in Annotation.objects.filter(status="published"))
    assert sum(totals) == tagged
    assert_no_axe_violations(page)
    screenshot("analysis")

    # From a filtered listing, the analysis of those passages only.
    page.goto("/passages/?tag=quote")
    page.get_by_role("link", name="Analyse these passages").click()
    expect(page).to_have_url(re.compile(r"/analysis/\?.*tag=quote"))
    page.wait_for_load_state("networkidle")
    expect(page.locator(".filter-summary")).to_contain_text("quote")
    assert all(image["width"] > 0 for image in loaded_charts(page))
    assert_no_axe_violations(page)
