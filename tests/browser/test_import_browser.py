"""An editor pastes three URLs on the import page, watches them finish, opens an article."""

import pytest

from articles.models import Article
from intake.fetch import Fetcher
from intake.models import ImportItem
from intake.pipeline import item_run
from tests.browser.conftest import login
from tests.factories import make_editor
from tests.intake.pages import NewsPage, render
from tests.intake.server import serving

pytestmark = [
    pytest.mark.browser,
    # Not serialized_rollback: its flush skips the permissions' post_migrate, and the next
    # transactional test finds no permissions (tests/conftest.py's _starting_rows).
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _no_favicon(page):
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))


@pytest.fixture
def site(settings):
    settings.GLOSS_FETCH_ALLOW_PRIVATE = True
    settings.GLOSS_FETCH_HOST_INTERVAL = 0
    with serving() as site:
        yield site


def test_paste_three_urls_see_them_finish_and_open_the_article(page, site, screenshot, settings):
    """The tasks are held (a backend that only stores them) until the page shows them
    queued, then run here, as a worker would: the rows change without a reload."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    make_editor("ed")
    pages = [
        NewsPage(slug=slug, title=title)
        for slug, title in (
            ("wall", "Harbour council approves flood wall after two-year dispute"),
            ("ferry", "Island ferry keeps its winter timetable after petition"),
            ("school", "Fishing school reopens in the old customs house"),
        )
    ]
    urls = [site.page(f"/news/{p.slug}/", render(p)) for p in pages]
    login(page, "ed")
    page.goto("/workspace/")
    page.get_by_role("link", name="Import articles from web pages").click()
    page.get_by_label("URLs, one a line").fill("\n".join(urls))
    page.get_by_role("button", name="Import").click()
    page.get_by_role("status").filter(has_text="Working: 3 queued.").wait_for()
    fetcher = Fetcher()
    for item in ImportItem.objects.select_related("batch"):
        item_run(item, fetcher=fetcher)
    status = page.get_by_role("status").filter(has_text="Finished")
    status.wait_for()
    assert status.text_content() == "Finished: 3 created."
    rows = page.locator("tr[data-item]")
    assert rows.count() == 3
    screenshot("import-batch")
    page.get_by_role("link", name=pages[1].title).click()
    page.wait_for_url("**/workspace/articles/**")
    assert page.get_by_role("heading", name=pages[1].title).is_visible()
    assert Article.objects.count() == 3
