"""Public pages rendered for anonymous visitors are cached until the next write."""

import inspect
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annotations import demo, facets
from annotations import services as annotation_services
from annotations.models import CorpusVersion, Tag
from annotations.page_cache import CACHE_HEADER, corpus_changed, corpus_version
from articles import importers, synthetic
from articles import services as article_services
from audit import backups
from audit import services as audit_services
from audit.models import HistoryRecord
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
    article_services.article_update(article=draft, status="draft")
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
    annotation_services.tag_save(tag=tag)
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
    article_services.article_update(article=article, status="draft")
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

# Module functions that write nothing the public pages show.
NOT_CORPUS_WRITES = {
    # readers and checks
    "unique_slug",
    "mention_finder",
    "can_edit",
    "can_delete",
    "can_restore",
    "resolve_tags",
    "resolve_organization",
    "resolve_span",
    "snapshot",
    "diff",
    "contributions",
    "facet_total",
    "facet_options",
    "audience_of",
    "pick_passages",
    "export_lines",
    "export_backup",
    "read_article_file",
    "read_manifest",
    "read_organizations",
    "collect_files",
    # history rows (written by the services whose writes they record) and API tokens
    "record",
    "record_many",
    "api_token_create",
    "api_tokens_revoke",
    # parts of a write, only ever run inside one that bumps
    "save_recorded",
    "facet_counts_recounted",
    "facet_counts_recount_all",
}

WRITE_MODULES = [
    article_services,
    annotation_services,
    audit_services,
    backups,
    importers,
    synthetic,
    facets,
    demo,
]


def public_functions():
    for module in WRITE_MODULES:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                yield name


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
    annotation_services.annotation_delete(annotation=deleted, user=editor)
    record = HistoryRecord.objects.filter(action="delete").latest("pk")
    backup = list(backups.export_lines())
    doomed_tag, doomed_outlet = make_tag("doomed"), make_outlet("Doomed")
    doomed_org = make_organization("Doomed Org")
    a = article_services
    s = annotation_services
    return {
        "outlet_get_or_create": lambda: a.outlet_get_or_create(name="New Outlet"),
        "outlet_save": lambda: a.outlet_save(outlet=outlet),
        "outlet_delete": lambda: a.outlet_delete(outlet=doomed_outlet),
        "organization_upsert": lambda: a.organization_upsert(name="Bump Union", kind="other"),
        "organization_save": lambda: a.organization_save(organization=organization),
        "organization_delete": lambda: a.organization_delete(organization=doomed_org),
        "article_detect_mentions": lambda: a.article_detect_mentions(article=spare),
        "article_set_organizations": lambda: a.article_set_organizations(
            article=spare, organizations=[organization]
        ),
        "article_create": lambda: make_article("A new one."),
        "article_update": lambda: a.article_update(article=spare, title="Renamed"),
        "article_delete": lambda: a.article_delete(article=make_article("Gone soon.")),
        "article_revise": lambda: a.article_revise(
            article=article, body="Bump Union said it, about bumps.", editor=editor
        ),
        "annotation_create": lambda: make_annotation(article, exact="bumps"),
        "annotation_update": lambda: s.annotation_update(
            annotation=passage, user=editor, tags=[tag]
        ),
        "annotation_reattach": lambda: s.annotation_reattach(
            annotation=passage, user=editor, start=0, end=4, exact="Bump"
        ),
        "annotation_accept_fuzzy": lambda: s.annotation_accept_fuzzy(annotation=fuzzy, user=editor),
        "annotation_delete": lambda: s.annotation_delete(
            annotation=make_annotation(article, exact="Union"), user=editor
        ),
        "annotations_reanchor": lambda: s.annotations_reanchor(
            article=article, old_body=article.body
        ),
        "tag_save": lambda: s.tag_save(tag=Tag(name="Fresh", slug="fresh")),
        "tag_delete": lambda: s.tag_delete(tag=doomed_tag),
        "annotation_restore": lambda: audit_services.annotation_restore(record=record, user=editor),
        "import_organizations": lambda: importers.import_organizations(orgs_csv),
        "import_articles": lambda: importers.import_articles([folder]),
        "import_lines": lambda: backups.import_lines(backup, replace=True),
        "corpus_clear": synthetic.corpus_clear,
        "generate_corpus": lambda: synthetic.generate_corpus(articles=3, passages=5, seed=1),
        "facet_counts_rebuild": facets.facet_counts_rebuild,
        "demo_passages_create": lambda: demo.demo_passages_create(annotator=make_editor()),
    }


def test_every_write_path_bumps_the_corpus_version(tmp_path):
    """Walks the write modules: each function that writes public rows is exercised and
    moves the version; a new one must be listed here (or among the non-writers)."""
    scenarios = write_scenarios(tmp_path)
    assert set(public_functions()) - NOT_CORPUS_WRITES == set(scenarios)
    for name, write in scenarios.items():
        before = corpus_version()
        write()
        assert corpus_version() > before, f"{name} did not bump the corpus version"


def test_the_bump_is_the_first_lock_a_service_takes(corpus):
    """Taken first, the version row is the first lock: writers queue on it and cannot
    deadlock over the article and facet rows they lock later."""
    annotator = make_editor()
    with CaptureQueriesContext(connection) as queries:
        make_annotation(corpus["article"], exact="The union", annotator=annotator)
    locks = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
        or "FOR UPDATE" in q["sql"].upper()
    ]
    assert "annotations_corpusversion" in locks[0]
