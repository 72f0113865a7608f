"""The W3C answers read the corpus version at most GLOSS_CORPUS_VERSION_SECONDS old
(`publishing.version.recent_corpus_version`): a cached single annotation then costs no
query (issue 14: it was three times the trivial view for that query and the connection's
health check). This process's writes are seen at once; another process's (a plain UPDATE
of the version row here) within the bound; inside a transaction the number is always read.
"""

import pytest
from django.db import connection, transaction

from annotations.actions.passages import annotation_update
from publishing import version
from publishing.models import CorpusVersion
from publishing.version import corpus_version, recent_corpus_version
from tests.factories import make_annotation

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clock(monkeypatch):
    """The kept read's clock, moved by hand; no read kept from an earlier test."""
    now = [1000.0]
    monkeypatch.setattr(version, "_clock", lambda: now[0])
    version.forget_recent_version()
    yield now
    version.forget_recent_version()


def another_process_writes() -> None:
    """What a write in another worker looks like from here: the row moved, nothing else."""
    # (An earlier transactional test may have flushed the row the migration made.)
    CorpusVersion.objects.update_or_create(pk=1, defaults={"version": corpus_version() + 1})


def test_a_kept_read_serves_until_the_bound_then_the_row_is_read_again(clock, settings):
    settings.GLOSS_CORPUS_VERSION_SECONDS = 1
    first = recent_corpus_version()
    another_process_writes()
    clock[0] += 1
    assert recent_corpus_version() == first  # within the bound: the kept read
    clock[0] += 0.01
    assert recent_corpus_version() == first + 1  # past it: read again


def test_this_process_writes_are_seen_at_once(clock, settings):
    settings.GLOSS_CORPUS_VERSION_SECONDS = 60
    passage = make_annotation(note="one")
    before = recent_corpus_version()
    annotation_update(annotation=passage, user=passage.annotator, note="two")
    assert recent_corpus_version() == corpus_version() > before


def test_inside_a_transaction_and_with_a_zero_bound_the_row_is_always_read(clock, settings):
    settings.GLOSS_CORPUS_VERSION_SECONDS = 60
    recent_corpus_version()
    with transaction.atomic():
        another_process_writes()
        assert recent_corpus_version() == corpus_version()
    settings.GLOSS_CORPUS_VERSION_SECONDS = 0
    another_process_writes()
    assert recent_corpus_version() == corpus_version()


def test_a_cached_annotation_costs_no_query_and_changes_with_a_write(
    client, clock, settings, django_assert_num_queries
):
    settings.GLOSS_CORPUS_VERSION_SECONDS = 60
    passage = make_annotation(note="first")
    url = f"/annotations/{passage.pk}"
    assert client.get(url)["X-Gloss-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        hit = client.get(url)
    assert hit["X-Gloss-Page-Cache"] == "hit"
    assert b'"first"' in hit.content
    connection.close()  # a fresh connection is not health-checked, opened, or asked
    with django_assert_num_queries(0):
        assert client.get(url)["X-Gloss-Page-Cache"] == "hit"
    annotation_update(annotation=passage, user=passage.annotator, note="second")
    changed = client.get(url)
    assert changed["X-Gloss-Page-Cache"] == "miss"
    assert b'"second"' in changed.content and changed["ETag"] != hit["ETag"]
    unchanged = client.get(url, headers={"If-None-Match": changed["ETag"]})
    assert unchanged.status_code == 304
