"""Writers outside a test's transaction: the version and the counts move once the write
commits (PostgreSQL: a statement each, after it), and many writers at once neither
fail nor deadlock nor lose a count."""

import threading

import pytest
from django.db import connection

from annotations.actions.passages import annotation_create
from annotations.models import Annotation
from publishing.version import corpus_version
from tests.factories import make_article, make_editor, make_organization, make_tag
from tests.publishing.test_facet_counts import recount, stored

SENTENCE = "The Nobody Union said the council voted. "
BODY = SENTENCE * 20


@pytest.mark.django_db(transaction=True)
def test_a_committed_write_moves_the_version_and_the_counts():
    article = make_article(BODY)
    editor = make_editor()
    before = corpus_version()
    annotation_create(article=article, start=4, end=17, exact="Nobody Union", annotator=editor)
    assert corpus_version() == before + 1
    assert stored() == recount()


@pytest.mark.django_db(transaction=True)
def test_a_refused_committed_write_moves_nothing():
    article = make_article(BODY)
    before, counts = corpus_version(), stored()
    with pytest.raises(Exception, match="quote"):
        annotation_create(article=article, start=0, end=3, exact="xyz", annotator=make_editor())
    assert (corpus_version(), stored()) == (before, counts)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_many_writers_at_once_all_succeed_and_the_counts_add_up():
    """12 threads create passages on 3 articles (so both on the same article and on
    different ones), tagged and attributed, so they share every hot count row."""
    articles = [make_article(BODY, title=f"Article {n}") for n in range(3)]
    make_tag("fact")
    make_organization("Nobody Union")
    editor = make_editor()
    before = corpus_version()
    errors: list[BaseException] = []
    start = threading.Barrier(12)

    def write(n):
        try:
            start.wait(10)
            for i in range(5):
                offset = len(SENTENCE) * ((n + i) % 20)
                annotation_create(
                    article=articles[(n + i) % 3],
                    start=offset + 4,
                    end=offset + 16,
                    exact="Nobody Union",
                    tags=["fact"],
                    annotator=editor,
                )
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert Annotation.objects.count() == 60
    assert corpus_version() == before + 60
    assert stored() == recount()
