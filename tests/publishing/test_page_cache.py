"""Public pages rendered for anonymous visitors are cached until the next write."""

import logging
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.views import View

from annotations.actions.passages import (
    annotation_accept_fuzzy,
    annotation_create,
    annotation_delete,
    annotation_reattach,
    annotation_update,
)
from annotations.actions.reanchor import annotations_reanchor
from annotations.actions.restore import annotation_restore
from annotations.actions.revisions import article_change, article_revise
from annotations.actions.tags import tag_delete, tag_save
from annotations.imports import action as annotation_imports
from annotations.imports.formats import parse as parse_annotations
from annotations.models import Tag
from articles.actions.articles import (
    article_delete,
    article_detect_mentions,
    article_set_organizations,
    article_update,
)
from articles.actions.organizations import (
    organization_delete,
    organization_save,
    organization_upsert,
)
from articles.actions.outlets import outlet_delete, outlet_get_or_create, outlet_save
from audit.models import HistoryRecord
from backups import archive as backups
from backups import restore
from cms.settings import cache_from_url
from intake import actions as intake_actions
from intake import demo, importers
from intake.extract import Extracted
from publishing import page_cache, rebuild
from publishing.hooks import corpus_write
from publishing.models import CorpusVersion, FacetCount
from publishing.page_cache import (
    CACHE_HEADER,
    CachedPublicPageMixin,
    lock_key,
    page_key,
    url_digest,
)
from publishing.version import corpus_changed, corpus_version
from tests.bench import synthetic
from tests.factories import (
    make_annotation,
    make_article,
    make_editor,
    make_organization,
    make_outlet,
    make_tag,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    tag = make_tag("claim")
    union = make_organization("Readers Union")
    daily = make_outlet("Daily")
    article = make_article(
        "The union said numbers rose.", title="Rise", outlet=daily, published=date(2021, 1, 1)
    )
    passage = make_annotation(article, exact="numbers rose", tags=[tag], organization=union)
    draft = make_article("Secret plans of the union.", title="Secret draft", outlet=daily)
    article_update(article=draft, status="draft")
    return {"tag": tag, "union": union, "daily": daily, "article": article, "passage": passage}


def pages(corpus) -> list[str]:
    return [
        "/",
        "/articles/",
        "/articles/?outlet=daily&page=1",
        "/passages/",
        "/passages/?q=numbers",
        corpus["article"].get_absolute_url(),
        corpus["daily"].get_absolute_url(),
        corpus["union"].get_absolute_url(),
        corpus["tag"].get_absolute_url(),
    ]


def headers(response) -> dict:
    return {k: v for k, v in response.headers.items() if k != CACHE_HEADER}


def test_a_cache_hit_serves_the_same_bytes_in_one_query(client, corpus, django_assert_num_queries):
    """Every public page: the second anonymous request reads only the corpus version and
    gets the first one's bytes and headers, with no per-visitor token or nonce in them."""
    for url in pages(corpus):
        first = client.get(url)
        assert first.status_code == 200, url
        assert first[CACHE_HEADER] == "miss"
        with django_assert_num_queries(1):
            second = client.get(url)
        assert second[CACHE_HEADER] == "hit", url
        assert second.content == first.content, url
        assert headers(second) == headers(first), url
        assert b"csrfmiddlewaretoken" not in first.content
        assert b"nonce" not in first.content
        assert "csrftoken" not in second.cookies


def test_the_key_is_the_whole_url(client, corpus):
    """Query strings and pages are different pages."""
    client.get("/passages/")
    assert client.get("/passages/?page=1")[CACHE_HEADER] == "miss"
    assert client.get("/passages/?q=union")[CACHE_HEADER] == "miss"
    assert client.get("/passages/?q=numbers")[CACHE_HEADER] == "miss"
    assert client.get("/passages/?q=numbers")[CACHE_HEADER] == "hit"


def test_a_write_makes_the_next_request_render_the_change(client, corpus):
    article, tag = corpus["article"], corpus["tag"]
    for url in pages(corpus):
        client.get(url)
    make_annotation(article, exact="The union", tags=[tag])
    for url in pages(corpus):
        response = client.get(url)
        assert response[CACHE_HEADER] == "miss", url
    assert b"The union" in client.get("/passages/").content
    assert b"The union" in client.get(article.get_absolute_url()).content
    # A tag's new name, through its service, shows on the tag page at once.
    tag.name = "Assertion"
    tag_save(tag=tag)
    assert b"Assertion" in client.get(tag.get_absolute_url()).content


def test_a_write_that_rolls_back_leaves_the_cache_valid(client, corpus):
    client.get("/passages/")
    with pytest.raises(Exception, match="rolled"), transaction.atomic():
        corpus_changed()
        raise RuntimeError("rolled back")
    assert client.get("/passages/")[CACHE_HEADER] == "hit"


def test_staff_never_get_or_fill_cached_pages(client, corpus):
    """Staff see drafts: their pages are rendered for them and never stored."""
    staff = Client()
    staff.force_login(make_editor())
    client.get("/articles/")
    response = staff.get("/articles/")
    assert CACHE_HEADER not in response
    assert b"Secret draft" in response.content
    anonymous = client.get("/articles/")
    assert anonymous[CACHE_HEADER] == "hit"
    assert b"Secret draft" not in anonymous.content


def test_drafts_never_leak_to_anonymous_visitors(client, corpus):
    """A staff visit first stores nothing; an article made draft is gone at the next request."""
    staff = Client()
    staff.force_login(make_user("ed", group="editors"))
    for url in ["/articles/", "/passages/", corpus["daily"].get_absolute_url()]:
        staff.get(url)
        response = client.get(url)
        assert response[CACHE_HEADER] == "miss"
        assert b"Secret" not in response.content
    article = corpus["article"]
    assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get(article.get_absolute_url())[CACHE_HEADER] == "hit"
    article_update(article=article, status="draft")
    assert client.get(article.get_absolute_url()).status_code == 404
    assert b"numbers rose" not in client.get("/passages/").content


def test_signed_in_annotators_are_not_served_from_the_cache(client, corpus):
    """Their header carries their name and a CSRF token for the log-out form."""
    client.get("/passages/")
    annotator = Client()
    annotator.force_login(get_user_model().objects.create_user("ann", password="pw"))
    response = annotator.get("/passages/")
    assert CACHE_HEADER not in response
    assert b"Log out ann" in response.content


def test_not_found_pages_are_not_cached(client, corpus):
    assert client.get("/articles/nope/").status_code == 404
    assert client.get("/articles/nope/").status_code == 404
    assert client.get("/articles/secret-draft/").status_code == 404


def test_the_cache_can_be_turned_off(client, corpus, settings):
    settings.GLOSS_PAGE_CACHE_SECONDS = 0
    client.get("/articles/")
    response = client.get("/articles/")
    assert CACHE_HEADER not in response


def test_the_version_survives_a_lost_row():
    """Transactional tests flush every table, the version's row too: it starts again."""
    with transaction.atomic():
        CorpusVersion.objects.all().delete()
        assert corpus_version() == 0
        corpus_changed()
        assert corpus_version() == 1


# Every write path bumps the version ----------------------------------------------------------


def article_file(tmp_path, title, body):
    path = tmp_path / f"{title}.txt"
    path.write_text(f"{title}\n\n{body}\n")
    return path


def write_scenarios(tmp_path):
    """One call per write function, each on fresh rows made beforehand."""
    editor = make_editor()
    tag = make_tag("bumped")
    outlet = make_outlet("Bump Outlet")
    organization = make_organization("Bump Union")
    article = make_article("Bump Union said something about bumps.", outlet=outlet)
    spare = make_article("Nothing at all here.", outlet=outlet)
    passage = make_annotation(article, exact="said", annotator=editor)
    fuzzy = make_annotation(spare, exact="at all", annotator=editor)
    fuzzy.anchor_status = "fuzzy"
    fuzzy.save()
    orgs_csv = tmp_path / "orgs.csv"
    orgs_csv.write_text("name,kind,aliases\nBump Council,other,\n")
    folder = tmp_path / "articles"
    folder.mkdir()
    article_file(folder, "Imported", "Imported body text.")
    deleted = make_annotation(spare, exact="Nothing", annotator=editor)
    annotation_delete(annotation=deleted, user=editor)
    record = HistoryRecord.objects.filter(action="delete").latest("pk")
    backup = list(backups.export_lines())
    doomed_tag, doomed_outlet = make_tag("doomed"), make_outlet("Doomed")
    doomed_org = make_organization("Doomed Org")
    return {
        "outlet_get_or_create": lambda: outlet_get_or_create(name="New Outlet"),
        "outlet_save": lambda: outlet_save(outlet=outlet),
        "outlet_delete": lambda: outlet_delete(outlet=doomed_outlet),
        "organization_upsert": lambda: organization_upsert(name="Bump Union", kind="other"),
        "organization_save": lambda: organization_save(organization=organization),
        "organization_delete": lambda: organization_delete(organization=doomed_org),
        "article_detect_mentions": lambda: article_detect_mentions(article=spare),
        "article_set_organizations": lambda: article_set_organizations(
            article=spare, organizations=[organization]
        ),
        "article_create": lambda: make_article("A new one."),
        "article_update": lambda: article_update(article=spare, title="Renamed"),
        "article_delete": lambda: article_delete(article=make_article("Gone soon.")),
        "article_revise": lambda: article_revise(
            article=article, body="Bump Union said it, about bumps.", editor=editor
        ),
        "annotation_create": lambda: make_annotation(article, exact="bumps"),
        "annotation_update": lambda: annotation_update(annotation=passage, user=editor, tags=[tag]),
        "annotation_reattach": lambda: annotation_reattach(
            annotation=passage, user=editor, start=0, end=4, exact="Bump"
        ),
        "annotation_accept_fuzzy": lambda: annotation_accept_fuzzy(annotation=fuzzy, user=editor),
        "annotation_delete": lambda: annotation_delete(
            annotation=make_annotation(article, exact="Union"), user=editor
        ),
        "annotations_reanchor": lambda: annotations_reanchor(
            article=article, old_body=article.body
        ),
        "article_change": lambda: article_change(
            article=spare, title="Changed", body="Nothing at all, here.", organizations=[]
        ),
        "annotations_import": lambda: annotation_imports.annotations_import(
            items=parse_annotations(
                {
                    "id": "urn:bump",
                    "type": "Annotation",
                    "target": {
                        "source": f"/articles/{spare.slug}/",
                        "selector": {"type": "TextQuoteSelector", "exact": "here"},
                    },
                }
            )[0],
            annotator=editor,
        ),
        "tag_save": lambda: tag_save(tag=Tag(name="Fresh", slug="fresh")),
        "tag_delete": lambda: tag_delete(tag=doomed_tag),
        "annotation_restore": lambda: annotation_restore(record=record, user=editor),
        "import_organizations": lambda: importers.import_organizations(orgs_csv),
        "import_articles": lambda: importers.import_articles([folder]),
        "page_import": lambda: intake_actions.page_import(
            extracted=Extracted(
                title="From the web",
                body="A page about bumps.",
                author="",
                published=None,
                site_name="Bump Outlet",
                canonical_url="https://bump.example/a",
            )
        ),
        "import_lines": lambda: restore.import_lines(backup, replace=True),
        "import_verified": lambda: restore.import_verified(backup, replace=True),
        "corpus_clear": synthetic.corpus_clear,
        "generate_corpus": lambda: synthetic.generate_corpus(articles=3, passages=5, seed=1),
        "facet_counts_rebuild": rebuild.facet_counts_rebuild,
        "demo_passages_create": lambda: demo.demo_passages_create(annotator=make_editor()),
    }


# Writes that delete a facet option leave its count row behind, never joined again.
DELETES_AN_OPTION = {"outlet_delete", "organization_delete", "tag_delete"}


def test_every_write_moves_the_version_and_keeps_the_counts(tmp_path):
    """Each action (and each command that writes) runs inside the write hook: afterwards
    the corpus version has moved and the maintained counts equal a full recount."""
    from tests.publishing.test_facet_counts import recount, stored

    for name, write in write_scenarios(tmp_path).items():
        before = corpus_version()
        write()
        assert corpus_version() > before, f"{name} did not move the corpus version"
        if name not in DELETES_AN_OPTION:
            assert stored() == recount(), f"{name} left the maintained counts wrong"


def test_a_refused_write_moves_nothing(corpus):
    """The hook is inside the action's transaction: a refusal rolls the bump back too."""
    before, counts = corpus_version(), stored_counts()
    with pytest.raises(ValidationError):
        annotation_create(
            article=corpus["article"], start=0, end=3, exact="xyz", annotator=make_editor()
        )
    assert (corpus_version(), stored_counts()) == (before, counts)


def test_a_write_inside_another_joins_it():
    """Steps an action composes open their own `corpus_write`: the version moves once, and
    an article counted by both is counted once."""
    article = make_article("A body that names nobody at all.")
    union, second = make_organization("Nobody Union"), make_organization("Second Union")
    before = corpus_version()
    with transaction.atomic():
        with corpus_write(article.pk):
            article.organizations.add(union)
            with corpus_write(article.pk):
                article.organizations.add(second)
    assert corpus_version() == before + 1
    from tests.publishing.test_facet_counts import recount, stored

    assert stored() == recount()


def stored_counts():
    return sorted(
        FacetCount.objects.values_list("listing", "audience", "facet", "value_id", "count")
    )


def test_the_shared_rows_are_the_last_a_write_changes(corpus):
    """The version and the counts every write touches come after the write's own rows
    (its article lock, the passage, its history): held for as short as can be, in a
    transaction of their own once the write commits (here, in a test's transaction that
    never commits, at the end of the write)."""
    annotator = make_editor()
    with CaptureQueriesContext(connection) as queries:
        make_annotation(corpus["article"], exact="The union", annotator=annotator)
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
        or "FOR UPDATE" in q["sql"].upper()
    ]
    shared = [i for i, sql in enumerate(writes) if "publishing_corpusversion" in sql or (
        "publishing_facetcount" in sql)]  # fmt: skip
    own = [i for i, sql in enumerate(writes) if i not in shared]
    assert shared and own and max(own) < min(shared)
    assert "publishing_corpusversion" in writes[min(shared)]


# One render per page and version: the render lock, waiting, stale pages ----------------------


@pytest.fixture(autouse=True)
def _cache_in_use(monkeypatch):
    """Each test starts with the page cache in use, whatever outage an earlier one caused."""
    monkeypatch.setattr(page_cache, "_outage_until", 0.0)


@pytest.fixture
def waiters(monkeypatch):
    """The threads that waited for another's render (each sleeps between looks)."""
    seen = set()

    def sleep(seconds):
        seen.add(threading.get_ident())
        time.sleep(seconds)

    monkeypatch.setattr(page_cache, "_sleep", sleep)
    return seen


def digest_of(path: str) -> str:
    return url_digest(RequestFactory().get(path))


def lock_of(path: str) -> str:
    return lock_key(digest_of(path), corpus_version())


def until(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.005)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SlowPage:
    """A public page whose rendering waits until the test lets it finish, counting renders."""

    def __init__(self, body: bytes = b"rendered", fail: bool = False):
        self.release = threading.Event()
        self.calls: list[int] = []
        self.body = body
        outer = self

        class Page(CachedPublicPageMixin, View):
            def get(self, request):
                outer.calls.append(threading.get_ident())
                if fail:
                    raise RuntimeError("the render failed")
                if not outer.release.wait(10):
                    raise TimeoutError("the test never let the render finish")
                return HttpResponse(outer.body)

        self.view = Page.as_view()

    def request(self, path: str = "/slow/"):
        request = RequestFactory().get(path)
        request.user = AnonymousUser()
        return self.view(request)

    def request_in_thread(self, path: str = "/slow/"):
        try:
            return self.request(path)
        finally:
            connection.close()


def test_a_reader_gets_the_earlier_page_while_another_re_renders_it(client, corpus):
    """After a write, a reader that finds the page's re-render under way (its lock held) is
    served the earlier page at once; when the lock is gone the next reader renders."""
    before = client.get("/passages/")
    make_annotation(corpus["article"], exact="The union", tags=[corpus["tag"]])
    cache = page_cache.page_cache()
    assert cache.add(lock_of("/passages/"), "another request", 30)
    stale = client.get("/passages/")
    assert stale[CACHE_HEADER] == "stale"
    assert stale.content == before.content
    assert headers(stale) == headers(before)
    cache.delete(lock_of("/passages/"))
    fresh = client.get("/passages/")
    assert fresh[CACHE_HEADER] == "miss"
    assert fresh.content != before.content
    assert b"The union" in fresh.content
    assert client.get("/passages/")[CACHE_HEADER] == "hit"


def test_no_stale_page_without_a_re_render_under_way(client, corpus):
    """The first reader after a write renders the new page: nobody else is rendering it."""
    client.get("/articles/")
    article_update(article=corpus["article"], title="Risen")
    response = client.get("/articles/")
    assert response[CACHE_HEADER] == "miss"
    assert b"Risen" in response.content


@pytest.mark.parametrize(
    ("bound", "age", "outcome"),
    [(30, 29, "stale"), (30, 31, "miss"), (0, 0, "miss")],
)
def test_a_stale_page_is_never_older_than_the_bound(
    client, corpus, settings, monkeypatch, bound, age, outcome
):
    """GLOSS_PAGE_STALE_SECONDS bounds how long before the request the stale page's
    rendering began (0: never stale); past it the reader waits for the re-render, and
    renders the page itself if that does not end in time."""
    settings.GLOSS_PAGE_STALE_SECONDS = bound
    monkeypatch.setattr(page_cache, "RENDER_WAIT_SECONDS", 0.05)
    before = client.get("/articles/")
    article_update(article=corpus["article"], title="Risen")
    assert page_cache.page_cache().add(lock_of("/articles/"), "another request", 30)
    monkeypatch.setattr(page_cache, "_clock", lambda: time.time() + age)
    response = client.get("/articles/")
    assert response[CACHE_HEADER] == outcome
    assert (response.content == before.content) == (outcome == "stale")
    assert (b"Risen" in response.content) == (outcome == "miss")


def test_a_lock_left_by_a_killed_renderer_delays_the_page_but_never_blocks_it(
    client, corpus, monkeypatch
):
    """The reader waits for the renderer up to RENDER_WAIT_SECONDS, then renders (and
    stores) the page itself."""
    monkeypatch.setattr(page_cache, "RENDER_WAIT_SECONDS", 0.2)
    assert page_cache.page_cache().add(lock_of("/articles/"), "a killed worker", 30)
    started = time.monotonic()
    response = client.get("/articles/")
    assert time.monotonic() - started >= 0.2
    assert (response.status_code, response[CACHE_HEADER]) == (200, "miss")
    assert client.get("/articles/")[CACHE_HEADER] == "hit"


def test_a_render_that_raises_releases_its_lock(db):
    page = SlowPage(fail=True)
    with pytest.raises(RuntimeError, match="the render failed"):
        page.request()
    assert page_cache.page_cache().get(lock_of("/slow/")) is None


def test_a_reader_does_not_wait_for_a_page_that_is_not_stored(client, corpus, monkeypatch):
    """A 404 is never stored: once its renderer's lock is gone, a waiting reader renders
    at once instead of waiting out RENDER_WAIT_SECONDS."""
    monkeypatch.setattr(page_cache, "RENDER_WAIT_SECONDS", 30)
    lock = lock_of("/articles/nope/")
    cache = page_cache.page_cache()
    assert cache.add(lock, "another request", 30)
    threading.Timer(0.1, cache.delete, [lock]).start()
    started = time.monotonic()
    assert client.get("/articles/nope/").status_code == 404
    assert time.monotonic() - started < 5


@pytest.fixture(params=["locmem", "redis"])
def shared_cache(request):
    if request.param == "redis":
        return request.getfixturevalue("redis_pages")
    return page_cache.page_cache()


@pytest.mark.django_db(transaction=True)
def test_concurrent_misses_render_the_page_once(shared_cache, waiters, monkeypatch):
    """Eight requests miss together: one renders, seven wait for it and get its page."""
    # However slowly a loaded machine starts the threads, none gives up waiting.
    monkeypatch.setattr(page_cache, "RENDER_WAIT_SECONDS", 30)
    page = SlowPage()
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(page.request_in_thread) for _ in range(8)]
        until(lambda: len(page.calls) + len(waiters) == 8)
        page.release.set()
        responses = [future.result() for future in futures]
    assert len(page.calls) == 1
    assert len(waiters) == 7
    assert sorted(response[CACHE_HEADER] for response in responses) == ["hit"] * 7 + ["miss"]
    assert {response.content for response in responses} == {b"rendered"}
    assert shared_cache.get(lock_of("/slow/")) is None


@pytest.mark.django_db(transaction=True)
def test_during_a_re_render_other_readers_get_the_earlier_page_at_once(shared_cache, waiters):
    page = SlowPage(body=b"version one")
    page.release.set()
    assert page.request()[CACHE_HEADER] == "miss"
    with transaction.atomic():
        corpus_changed()
    page.release.clear()
    page.body = b"version two"
    with ThreadPoolExecutor(1) as pool:
        rendering = pool.submit(page.request_in_thread)
        until(lambda: len(page.calls) == 2)
        others = [page.request() for _ in range(3)]
        page.release.set()
        fresh = rendering.result()
    assert [(r[CACHE_HEADER], r.content) for r in others] == [("stale", b"version one")] * 3
    assert (fresh[CACHE_HEADER], fresh.content) == ("miss", b"version two")
    assert not waiters
    after = page.request()
    assert (after[CACHE_HEADER], after.content) == ("hit", b"version two")
    assert len(page.calls) == 2


@pytest.mark.django_db(transaction=True)
def test_a_renderer_that_outlives_its_lock_lets_the_next_request_render(monkeypatch, waiters):
    """The lock expires after RENDER_LOCK_SECONDS, so a hung render holds a page that long
    at most."""
    monkeypatch.setattr(page_cache, "RENDER_LOCK_SECONDS", 1)
    page = SlowPage()
    with ThreadPoolExecutor(2) as pool:
        hung = pool.submit(page.request_in_thread)
        until(lambda: len(page.calls) == 1)
        time.sleep(1.2)
        second = pool.submit(page.request_in_thread)
        until(lambda: len(page.calls) == 2)
        page.release.set()
        assert hung.result()[CACHE_HEADER] == second.result()[CACHE_HEADER] == "miss"
    assert not waiters


# Redis: shared by every worker; when it is down, pages still render ----------------------------


def redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.fixture
def redis_pages(settings):
    """The page cache in the Redis on 127.0.0.1:6379 (database 14), under a key prefix of
    this test's own, whose keys are deleted afterwards."""
    if not redis_answers():
        pytest.skip("no Redis on 127.0.0.1:6379 (.ci/redis starts one)")
    prefix = f"gloss-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        **settings.CACHES,
        "pages": {**cache_from_url("redis://127.0.0.1:6379/14"), "KEY_PREFIX": prefix},
    }
    settings.GLOSS_PAGE_CACHE = "pages"
    cache = caches["pages"]
    yield cache
    server = cache._cache.get_client(write=True)
    keys = list(server.scan_iter(match=f"{prefix}:*"))
    if keys:
        server.delete(*keys)


def test_redis_holds_pages_for_every_worker(client, corpus, redis_pages):
    """A page stored in Redis is read by another connection (another worker's), and
    its render lock is gone once it is stored."""
    first = client.get("/passages/")
    assert first[CACHE_HEADER] == "miss"
    digest = digest_of("/passages/")
    server = redis_pages._cache.get_client()
    assert server.exists(redis_pages.make_key(page_key(digest)))
    assert not server.exists(redis_pages.make_key(lock_key(digest, corpus_version())))
    other_worker = type(redis_pages)(
        "redis://127.0.0.1:6379/14", {"KEY_PREFIX": redis_pages.key_prefix}
    )
    version, _started, content, content_type = other_worker.get(page_key(digest))
    assert (version, content, content_type) == (
        corpus_version(),
        first.content,
        first["Content-Type"],
    )
    second = client.get("/passages/")
    assert (second[CACHE_HEADER], second.content) == ("hit", first.content)


def test_with_redis_down_pages_render_and_a_warning_is_logged(
    client, corpus, settings, caplog, monkeypatch
):
    """Redis refusing connections: every page still renders (200, `unavailable`), one
    warning names the error, and the process leaves the cache alone for OUTAGE_SECONDS
    (no warning per request) before trying it again."""
    cached = client.get("/passages/")
    settings.CACHES = {
        **settings.CACHES,
        "pages": cache_from_url(f"redis://127.0.0.1:{closed_port()}/0"),
    }
    settings.GLOSS_PAGE_CACHE = "pages"
    with caplog.at_level(logging.WARNING, logger="publishing.page_cache"):
        responses = [client.get("/passages/") for _ in range(3)]
        assert len(caplog.records) == 1
        monkeypatch.setattr(page_cache, "_outage_until", 0.0)
        responses.append(client.get("/passages/"))
    for response in responses:
        assert (response.status_code, response[CACHE_HEADER]) == (200, "unavailable")
        assert response.content == cached.content
    assert [record.levelname for record in caplog.records] == ["WARNING"] * 2
    assert caplog.records[0].getMessage().startswith("Page cache unavailable (ConnectionError")
    assert caplog.records[0].exc_info is not None
