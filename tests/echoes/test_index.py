"""The echo index is kept by the article actions: create, batched import, revise, delete."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annotations.actions.revisions import article_revise
from articles.actions.articles import article_delete, create_articles
from articles.models import Article
from echoes.finding import PassageText, echoes_of
from echoes.models import Fingerprint
from echoes.winnowing import fingerprint_text
from tests.factories import make_article, make_editor, make_outlet

pytestmark = pytest.mark.django_db

QUOTE = "fundamentally contrary to the moral fabric of our Nation and our international laws"


def indexed(article) -> list[tuple[int, int, int, int]]:
    return list(
        Fingerprint.objects.filter(article=article)
        .order_by("position")
        .values_list("hash", "position", "start", "end")
    )


def expected(body) -> list[tuple[int, int, int, int]]:
    return [tuple(f) for f in fingerprint_text(body)]


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
    assert not Fingerprint.objects.filter(article_id=pk).exists()


def test_reindex_rebuilds_the_whole_table(capsys):
    one = make_article(f"One. {QUOTE}.", published=date(2019, 6, 27))
    two = make_article(f"Two, {QUOTE}!", published=date(2019, 6, 26))
    columns = ("article_id", "hash", "position", "start", "end")
    before = sorted(Fingerprint.objects.values_list(*columns))
    Fingerprint.objects.filter(article=one).delete()
    Fingerprint.objects.create(article=two, hash=1, position=999, start=0, end=1)
    call_command("reindex_echoes", batch="1")
    after = sorted(Fingerprint.objects.values_list(*columns))
    assert after == before
    assert capsys.readouterr().out.startswith(f"Indexed 2 articles: {len(before)} fingerprints")


@pytest.mark.parametrize("batch", ["0", "-3", "many", "1000001"])
def test_reindex_refuses_a_bad_batch_and_writes_nothing(batch):
    article = make_article(f"One. {QUOTE}.")
    Fingerprint.objects.filter(article=article).delete()
    with pytest.raises(CommandError, match="--batch must be a whole number"):
        call_command("reindex_echoes", batch=batch)
    assert not Fingerprint.objects.exists()


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
    columns = ("hash", "position", "start", "end")
    before = sorted(Fingerprint.objects.values_list(*columns))
    path = tmp_path / "backup.jsonl.gz"
    call_command("export_backup", str(path))
    call_command("import_backup", str(path), replace=True)
    assert sorted(Fingerprint.objects.values_list(*columns)) == before


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
