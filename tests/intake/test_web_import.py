"""Importing news pages from URLs: extraction, identity, revisions and every failure reason."""

import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article, ArticleRevision, Outlet
from audit.models import HistoryRecord
from intake import actions, fetch
from intake.fetch import Fetcher, FetchError
from intake.models import ImportItem, Snapshot
from intake.pipeline import item_run
from tests.factories import make_annotation, make_annotator, make_organization, make_outlet
from tests.intake.pages import CHROME_TEXTS, NewsPage, no_article_page, paragraphs, render

pytestmark = pytest.mark.django_db


def run(*urls, **kwargs):
    batch = actions.batch_create(urls=list(urls), **kwargs)
    fetcher = Fetcher()
    return [item_run(item, fetcher=fetcher) for item in batch.items.select_related("batch")]


def test_a_news_page_becomes_a_clean_attributed_article(site):
    """At least 97 % of the paragraphs come out intact (here: all), none of the chrome,
    and title, author, date, outlet and canonical URL are exact."""
    page = NewsPage(slug="flood-wall")
    (item,) = run(site.page("/news/flood-wall/?utm_source=x", render(page)))
    assert item.state == "created", item.reason
    article = Article.objects.get()
    expected = page.body_blocks()
    got = article.body.split("\n\n")
    intact = sum(p in got for p in expected)
    assert intact / len(expected) >= 0.97
    assert got == expected
    for chrome in CHROME_TEXTS:
        assert chrome not in article.body, chrome
    assert "\u00a0" in article.body and "\u201c" in article.body
    assert article.title == page.title
    assert article.author == page.author
    assert article.published.isoformat() == page.published
    assert article.outlet.name == "The Tidewater Ledger"
    assert article.outlet.domain == "tidewater-ledger.example"
    assert article.url == page.canonical
    assert article.revisions.get().reason == ArticleRevision.Reason.IMPORT
    snapshot = Snapshot.objects.get()
    assert snapshot.article == article and snapshot.status == 200
    assert snapshot.raw() == render(page).encode()
    assert item.snapshot == snapshot and item.article == article


def test_outlet_by_domain_before_site_name(site):
    outlet = make_outlet("Ledger (existing)", domain="tidewater-ledger.example")
    run(site.page("/a/", render(NewsPage(slug="a"))))
    assert Article.objects.get().outlet == outlet
    assert Outlet.objects.count() == 1


def test_outlet_by_domain_when_the_page_names_none(site):
    page = NewsPage(slug="b", jsonld=False, opengraph=False)
    (item,) = run(site.page("/b/", render(page)))
    assert item.state == "created", item.reason
    article = Article.objects.get()
    assert article.outlet.name in {"tidewater-ledger.example", "The Tidewater Ledger"}
    assert article.title == page.title and article.published.isoformat() == page.published


def test_reimport_with_the_same_text_writes_nothing(site):
    url = site.page("/a/", render(NewsPage(slug="a")))
    run(url)
    history = HistoryRecord.objects.count()
    article = Article.objects.get()
    # Another spelling of the same canonical URL is the same article.
    (item,) = run(url + "?utm_campaign=z&fbclid=1")
    assert item.state == "unchanged" and item.article == article
    assert HistoryRecord.objects.count() == history
    assert Article.objects.get().modified == article.modified
    assert Snapshot.objects.count() == 1


def test_an_edited_paragraph_becomes_one_revision_with_passages_on_their_words(site):
    text = paragraphs()
    url = site.page("/a/", render(NewsPage(slug="a", paragraphs=text)))
    run(url)
    article = Article.objects.get()
    quote = "the regional court"
    passage = make_annotation(article, exact=quote, annotator=make_annotator())
    edited = list(text)
    edited[0] = "Correction: " + edited[0].replace("7\u00a0to\u00a02", "6\u00a0to\u00a03")
    site.page("/a/", render(NewsPage(slug="a", paragraphs=edited)))
    (item,) = run(url)
    assert item.state == "updated"
    article.refresh_from_db()
    assert article.revision == 2
    latest = article.revisions.order_by("-number").first()
    assert latest.reason == ArticleRevision.Reason.CORRECTION
    assert latest.get_reason_display() == "Correction by the outlet"
    passage.refresh_from_db()
    assert article.body[passage.start : passage.end] == quote
    assert Snapshot.objects.filter(article=article).count() == 2


@pytest.mark.parametrize(
    ("route", "code", "reason"),
    [
        ("big", "too_large", "the page is larger than 5 MB"),
        ("pdf", "not_html", "not an HTML page (application/pdf)"),
        ("missing", "http_404", "HTTP 404"),
        ("front", "no_main_text", "no main text found"),
    ],
)
def test_each_failure_names_its_reason(site, route, code, reason):
    site.page("/big", b"<html><body><p>" + b"x" * (6 * 1024 * 1024) + b"</p></body></html>")
    site.page("/pdf", b"%PDF-1.7\n...", ctype="application/pdf")
    site.page("/front", no_article_page())
    (item,) = run(site.url(f"/{route}"))
    assert (item.state, item.reason_code, item.reason) == ("failed", code, reason)
    assert not Article.objects.exists()


def test_a_slow_page_times_out(site, monkeypatch):
    monkeypatch.setattr("intake.fetch.READ_TIMEOUT", 0.3)
    site.page("/slow", render(NewsPage(slug="s")))
    site.delays["/slow"] = 1.5
    (item,) = run(site.url("/slow"))
    assert (item.state, item.reason_code) == ("failed", "timeout")


def test_robots_txt_is_honoured_and_the_user_agent_names_gloss(site):
    site.page("/robots.txt", "User-agent: *\nDisallow: /private/\n", ctype="text/plain")
    (item,) = run(site.page("/private/a/", render(NewsPage(slug="a"))))
    assert (item.state, item.reason_code) == ("failed", "robots")
    assert all(agent.startswith("Gloss/") for _, agent in site.requests)


def test_a_redirect_to_a_private_address_is_refused(site, settings, monkeypatch):
    """The first hop's host is taken as public (its DNS answer faked); the redirect's
    target is loopback, checked again, and refused before any request is sent to it."""
    settings.GLOSS_FETCH_ALLOW_PRIVATE = False
    target = site.page("/a/", render(NewsPage(slug="a")))
    site.redirect("/hop", target)
    real_resolve = fetch.resolve
    monkeypatch.setattr(
        fetch,
        "resolve",
        lambda host, port: "127.0.0.1" if host == "public.example" else real_resolve(host, port),
    )
    fetcher = Fetcher()
    monkeypatch.setattr(fetcher, "allowed_by_robots", lambda url: True)
    with pytest.raises(FetchError) as error:
        fetcher.fetch(f"http://public.example:{site.server.server_address[1]}/hop")
    assert error.value.code == "private_address"
    assert [path for path, _ in site.requests] == ["/hop"]


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 (an address checked, not bound)
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
    ],
)
def test_the_address_check(address, allowed):
    from intake.fetch import address_allowed

    assert address_allowed(address) is allowed


def test_private_addresses_are_refused_by_default(site, settings):
    settings.GLOSS_FETCH_ALLOW_PRIVATE = False
    (item,) = run(site.page("/a/", render(NewsPage(slug="a"))))
    assert (item.state, item.reason_code) == ("failed", "private_address")
    assert site.requests == []


def test_only_http_and_https(db):
    (item,) = run("file:///etc/passwd")
    assert (item.state, item.reason_code) == ("failed", "scheme")


def test_import_urls_command_goes_on_past_failures_and_exits_1(site, capsys):
    good = site.page("/a/", render(NewsPage(slug="a")))
    with pytest.raises(CommandError) as error:
        call_command("import_urls", good, site.url("/gone"), "--status", "draft")
    assert error.value.returncode == 1
    out, err = capsys.readouterr()
    assert "URLs: 1 created, 0 updated, 0 unchanged, 1 failed." in out
    assert f"failed: {site.url('/gone')}: HTTP 404" in err
    assert "2/2" in err  # the progress bar
    assert Article.objects.get().status == "draft"


def test_import_urls_from_a_file_with_an_outlet(site, tmp_path, capsys):
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# list\n{site.page('/a/', render(NewsPage(slug='a')))}\n\n")
    call_command("import_urls", "--file", str(listing), "--outlet", "Ledger")
    assert Article.objects.get().outlet.name == "Ledger"
    assert ImportItem.objects.get().state == "created"


def test_requests_to_one_host_are_paced(settings):
    """At most one request per interval to one host; other hosts do not wait."""
    settings.GLOSS_FETCH_HOST_INTERVAL = 0.2
    pacer = fetch._HostPacer()
    started = time.monotonic()
    for _ in range(3):
        pacer.wait("a.example")
    pacer.wait("b.example")
    assert 0.4 <= time.monotonic() - started < 0.6


def test_more_than_five_redirects_fail(site):
    for hop in range(7):
        site.redirect(f"/r{hop}", site.url(f"/r{hop + 1}"))
    (item,) = run(site.url("/r0"))
    assert (item.state, item.reason) == ("failed", "more than 5 redirects")
    assert [p for p, _ in site.requests if p != "/robots.txt"] == [f"/r{n}" for n in range(6)]


def test_redirects_within_the_limit_are_followed_and_the_final_url_kept(site):
    target = site.page("/news/a/", render(NewsPage(slug="a")))
    site.redirect("/short", target, status=301)
    (item,) = run(site.url("/short"))
    assert item.state == "created"
    assert (item.snapshot.url, item.snapshot.final_url) == (site.url("/short"), target)


def test_organizations_named_in_the_page_are_detected(site):
    union = make_organization("Quayside Workers’ Association", aliases=["QWA"])
    run(site.page("/a/", render(NewsPage(slug="a"))))
    assert list(Article.objects.get().organizations.all()) == [union]
