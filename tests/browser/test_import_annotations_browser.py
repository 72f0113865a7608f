"""An editor uploads an annotation file in Chromium and reads the import report."""

import json

import pytest

from annotations.models import Annotation
from tests.annotations.imports.helpers import hypothesis_row, w3c
from tests.browser.conftest import login
from tests.factories import make_annotator, make_article, make_editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = "Intro \U0001f1fa\U0001f1f8. The council said 42\u00a0percent failed. The mayor disagreed."


@pytest.fixture(autouse=True)
def _no_favicon(page):
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))


def test_an_editor_uploads_a_file_from_the_workspace_and_sees_the_report(page, tmp_path):
    make_editor("ed")
    make_annotator("ann")
    article = make_article(BODY, url="https://news.example/story")
    good = tmp_path / "good.json"
    good.write_text(
        json.dumps(
            [
                w3c("urn:a", f"https://gloss.example/articles/{article.slug}/", "42\u00a0percent"),
                w3c("urn:b", "https://news.example/story", "The mayor disagred", prefix="failed. "),
            ]
        ),
        encoding="utf-8",
    )
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"rows": [hypothesis_row("X1", "https://nowhere.example/", "42")]}),
        encoding="utf-8",
    )
    login(page, "ed")
    page.goto("/workspace/")
    page.get_by_role("link", name="Import annotations").click()
    assert page.url.endswith("/workspace/import-annotations/")

    page.get_by_label("Annotation file").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    page.wait_for_load_state()
    errors = page.locator("#import-errors")
    assert "Nothing was imported: 1 annotation failed." in errors.inner_text()
    assert "X1: no article here is https://nowhere.example/" in (errors.inner_text())
    assert Annotation.objects.count() == 0

    page.get_by_label("Annotation file").set_input_files(str(good))
    page.get_by_label("Annotator").select_option("ann")
    page.get_by_role("button", name="Import").click()
    page.wait_for_load_state()
    summary = page.locator("#report-summary").inner_text()
    assert summary == "2 created, 0 updated, 0 unchanged, 1 fuzzy, 0 skipped."
    assert "The mayor disagreed" in page.locator(".import-fuzzy").inner_text()
    passage = Annotation.objects.get(source_id="urn:a")
    assert (passage.start, passage.annotator.username) == (BODY.index("42"), "ann")

    # The same file again: nothing duplicated.
    page.get_by_label("Annotation file").set_input_files(str(good))
    page.get_by_label("Annotator").select_option("ann")
    page.get_by_role("button", name="Import").click()
    page.wait_for_load_state()
    assert (
        page.locator("#report-summary").inner_text().startswith("0 created, 0 updated, 2 unchanged")
    )
    assert Annotation.objects.count() == 2
