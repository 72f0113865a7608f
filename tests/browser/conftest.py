"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Never downloads a browser: it launches /usr/bin/chromium (installed by `make browser`).
"""

import os
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test import testcases

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / "screenshots"


class LiveServerThread(testcases.LiveServerThread):
    """One request at a time when the test database is SQLite in memory.

    Django hands every request thread of its threaded live server the test's own sqlite3
    connection (an in-memory database lives in that connection), so a page that loads
    several images or scripts at once runs queries on one connection from several threads:
    SQLite answers "bad parameter or other API misuse", seen as a 400 or a 503 in the
    browser. A plain WSGIServer handles requests in the server thread, in turn (and
    closes each connection). PostgreSQL keeps the threaded server: each request thread
    opens its own connection.
    """

    def _create_server(self, connections_override=None):
        if not connections_override:
            return super()._create_server(connections_override=connections_override)
        return WSGIServer(
            (self.host, self.port), testcases.QuietWSGIRequestHandler, allow_reuse_address=False
        )


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time_on_sqlite_in_memory(django_db_setup):
    """pytest-django builds its live server from `django.test.testcases.LiveServerThread`
    when the session's `live_server` fixture first starts: point it at the class above.
    After the test database exists, so that the server always sees the in-memory database
    (and shares its connection) rather than, when a browser test runs first, the settings'
    file name."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(testcases, "LiveServerThread", LiveServerThread)
        yield


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (installs Debian's chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context and page; console errors (CSP violations included) fail the test."""
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Which requests failed, so a console's "Failed to load resource: 400" names its URL.
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.console_errors = errors
    yield page
    context.close()
    assert not errors, f"browser console errors: {errors} (failed requests: {failed})"


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under tests/browser/screenshots/ (for review and notes)."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def login(page, username: str, password: str = "pw") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
