"""The echo index is kept by the article actions: create, batched import, revise, delete."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annotations.actions.revisions import article_revise
from articles.actions.articles import article_delete, create_articles
from articles.models import Article
from echoes import store
from echoes.finding import PassageText, echoes_of
from echoes.winnowing import fingerprint_text
from tests.factories import make_article, make_editor, make_outlet

pytestmark = pytest.mark.django_db

QUOTE = "fundamentally contrary to the moral fabric of our Nation and our international laws"


def indexed(article) -> list[tuple[int, int]]:
    """The article's fingerprints as the index holds them: (hash, start), in body order."""
    return sorted((h, start) for _, h, start in store.rows([article.pk]))


def expected(body) -> list[tuple[int, int]]:
    return sorted((f.hash, f.start) for f in fingerprint_text(body))


def echo_articles(text, exclude=0):
    passage = PassageText(pk=1, article_id=exclude, exact=text)
    return [e.article_id for e in echoes_of([passage], Article.objects.all())[1]]


def test_creating_an_article_indexes_its_body():
    article = make_article(f"Officers said the policy is {QUOTE}, they wrote.")
    assert indexed(article) == expected(article.body) != []


def test_a_batched_import_indexes_every_article():
    outlet = make_outlet()
    articles = create_articles(
        [
            Article(title=f"T{i}", body=f"Story {i}: {QUOTE} said someone {i}.", outlet=outlet)
            for i in range(3)
        ]
    )
    for article in articles:
        assert indexed(article) == expected(article.body)


def test_a_revision_replaces_the_fingerprints():
    article = make_article(f"Before. {QUOTE}.")
    assert echo_articles(QUOTE) == [article.pk]
    article_revise(
        article=article,
        body="An entirely different text about flood walls and the city council budget vote.",
        editor=make_editor(),
        reason="correction",
    )
    article.refresh_from_db()
    assert indexed(article) == expected(article.body)
    assert echo_articles(QUOTE) == []
    assert echo_articles("about flood walls and the city council budget vote") == [article.pk]


def test_deleting_an_article_deletes_its_fingerprints():
    article = make_article(f"{QUOTE}.")
    pk = article.pk
    article_delete(article=article)
    assert store.rows([pk]) == []


def test_reindex_rebuilds_the_whole_table(capsys):
    one = make_article(f"One. {QUOTE}.", published=date(2019, 6, 27))
    two = make_article(f"Two, {QUOTE}!", published=date(2019, 6, 26))
    before = store.rows()
    assert {pk for pk, _, _ in before} == {one.pk, two.pk}
    store.forget([one.pk, two.pk])
    store.write([(two.pk, "a stale body of another time with words enough")])
    call_command("reindex_echoes", batch="1")
    assert store.rows() == before
    assert capsys.readouterr().out.startswith(f"Indexed 2 articles: {len(before)} fingerprints")


@pytest.mark.parametrize("batch", ["0", "-3", "many", "1000001"])
def test_reindex_refuses_a_bad_batch_and_writes_nothing(batch):
    article = make_article(f"One. {QUOTE}.")
    store.forget([article.pk])
    with pytest.raises(CommandError, match="--batch must be a whole number"):
        call_command("reindex_echoes", batch=batch)
    assert store.is_empty()


def test_a_bounded_search_reads_the_candidates_sharing_most_first():
    """`most` (the pages' bound): the article sharing the longest stretch is kept."""
    long = f"{QUOTE} and more words that the passage also holds right here today"
    short = make_article(f"Only this: {QUOTE}.")
    full = make_article(f"All of it: {long}.")
    passage = PassageText(pk=1, article_id=0, exact=long)
    everything = echoes_of([passage], Article.objects.all())[1]
    assert sorted(e.article_id for e in everything) == [short.pk, full.pk]
    bounded = echoes_of([passage], Article.objects.all(), most=1)[1]
    assert [(e.article_id, e.score) for e in bounded] == [(full.pk, 1.0)]


def test_a_backup_import_rebuilds_the_index(tmp_path):
    """Backups carry no fingerprints (they are derived): importing rebuilds them."""
    make_article(f"One. {QUOTE}.")
    make_article(f"Two, {QUOTE}!")
    before = sorted((h, start) for _, h, start in store.rows())
    path = tmp_path / "backup.jsonl.gz"
    call_command("export_backup", str(path))
    call_command("import_backup", str(path), replace=True)
    assert sorted((h, start) for _, h, start in store.rows()) == before != []


@pytest.mark.parametrize("seed", range(6))
def test_an_echo_is_found_whole_wherever_it_sits_in_a_long_body(seed):
    """Random bodies, a shared run of 8 to 30 words at a random place, typography varied
    on the other side: the echo is the whole run, at its code points."""
    import random

    rng = random.Random(seed)
    vocabulary = [f"w{n}" for n in range(5000)]
    shared = [rng.choice(vocabulary) for _ in range(rng.randint(8, 30))]
    before = [rng.choice(vocabulary) for _ in range(rng.randint(0, 900))]
    after = [rng.choice(vocabulary) for _ in range(rng.randint(0, 900))]
    styled = "\u00a0 ".join(w.upper() if rng.random() < 0.3 else w for w in shared)
    body = " ".join(before) + " \U0001f600 " + styled + " \u2014 " + " ".join(after)
    other = make_article(body)
    passage_words = [rng.choice(vocabulary) for _ in range(3)] + shared + [rng.choice(vocabulary)]
    passage = PassageText(pk=1, article_id=0, exact=" ".join(passage_words))
    [echo] = echoes_of([passage], Article.objects.all())[1]
    start = body.index(styled)
    assert (echo.article_id, echo.start, echo.end) == (other.pk, start, start + len(styled))
    assert echo.score == round(len(shared) / len(passage_words), 4)


def test_each_database_keeps_the_index_in_its_own_layout_and_a_reindex_keeps_its_index():
    """PostgreSQL: one row per article (hashes and starts as arrays, under the GIN
    index, which a full reindex drops and builds again); SQLite: one row per
    fingerprint. The other layout's table stays empty."""
    from django.db import connection

    from echoes.models import GIN_INDEX, Fingerprint, PrintSet

    article = make_article(f"One. {QUOTE}, and {QUOTE} again.")
    call_command("reindex_echoes")
    prints = expected(article.body)
    if connection.vendor == "postgresql":
        [row] = PrintSet.objects.all()
        assert (row.article_id, sorted(zip(row.hashes, row.starts, strict=True))) == (
            article.pk,
            prints,
        )
        assert not Fingerprint.objects.exists()
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [GIN_INDEX])
            [(definition,)] = cursor.fetchall()
        assert "USING gin (hashes)" in definition
    else:
        assert sorted(Fingerprint.objects.values_list("hash", "start")) == prints
        assert not PrintSet.objects.exists()
    assert store.count() == len(prints)
