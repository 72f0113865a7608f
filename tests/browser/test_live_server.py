"""The live server answers requests that arrive together: a page loads its images and
scripts in parallel (the analysis page asks for four charts at once). On SQLite in memory
the server's request threads would share the test's one sqlite3 connection and fail
("bad parameter or other API misuse", a 400 or a 503 in the browser): conftest makes that
server take requests in turn."""

from concurrent.futures import ThreadPoolExecutor
from urllib.request import urlopen

import pytest

from tests.browser.test_public_site import coded_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ["tag-outlet", "organization-tag", "month-tag", "cooccurrence"]


def test_requests_that_arrive_together_all_answer(live_server, seeded):
    coded_demo()
    urls = [
        f"{live_server.url}/analysis/charts/{chart}.svg?tag=quote"
        for _ in range(4)
        for chart in CHARTS
    ]

    def fetch(url):
        with urlopen(url, timeout=30) as response:  # noqa: S310 (the live server, http)
            return response.status, response.headers["Content-Type"], len(response.read())

    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        answers = list(pool.map(fetch, urls))
    assert all(
        status == 200 and kind == "image/svg+xml" and size > 0 for status, kind, size in answers
    ), answers
