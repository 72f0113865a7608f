"""An editor pastes three URLs on the import page, watches them finish, opens an article."""

import pytest

from articles.models import Article
from tests.browser.conftest import login
from tests.factories import make_editor
from tests.intake.pages import NewsPage, render
from tests.intake.server import serving

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
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


def test_paste_three_urls_see_them_finish_and_open_the_article(page, site, screenshot):
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
