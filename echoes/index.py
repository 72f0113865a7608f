"""Writes of the echo index (`echoes.models.Fingerprint`), derived from article bodies.

The index is written where a body is: `articles.actions.articles.create_article` and
`create_articles` (a batched import: one bulk insert per batch) and
`annotations.actions.revisions.revise_article` call `index_bodies` inside their
`corpus_write`, so the fingerprints change in the transaction that changes the body, and
the corpus version (which stales cached pages showing "Also in") moves with them. A
deleted article takes its fingerprints with it (the foreign key cascades). Writes that go
around the actions (a backup import, the benchmark's synthetic corpus) are followed by
`reindex_all()` (`manage.py reindex_echoes`).

This module sits below the actions (it imports only models and the pure winnowing), as
the facet counts do: the actions import it, never the other way.
"""

from collections.abc import Iterable

from django.db import connection, transaction

from articles.models import Article
from echoes.models import Fingerprint
from echoes.winnowing import fingerprint_text

BATCH = 500  # articles per read and per bulk insert when rebuilding
INSERT_BATCH = 5000  # fingerprint rows per INSERT


def fingerprint_rows(article_id: int, body: str) -> list[Fingerprint]:
    return [
        Fingerprint(article_id=article_id, hash=h, position=position, start=start, end=end)
        for h, position, start, end in fingerprint_text(body)
    ]


def index_bodies(bodies: Iterable[tuple[int, str]], *, fresh: bool = False) -> int:
    """Step: replace the fingerprints of these `(article id, body)` pairs (`fresh`: the
    articles are new and have none yet, so nothing is deleted first). Returns how many
    rows were written."""
    bodies = list(bodies)
    if not bodies:
        return 0
    rows = [row for pk, body in bodies for row in fingerprint_rows(pk, body)]
    with transaction.atomic():
        if not fresh:
            Fingerprint.objects.filter(article_id__in=[pk for pk, _ in bodies]).delete()
        Fingerprint.objects.bulk_create(rows, batch_size=INSERT_BATCH)
    return len(rows)


def reindex_all(*, batch: int = BATCH, progress=None) -> tuple[int, int]:
    """Rebuild the whole index from the current bodies, reading them `batch` at a time
    (never the whole archive in memory), in one transaction. Returns (articles, rows).

    On PostgreSQL the table is truncated (no dead rows left behind) and refilled with
    COPY (a bulk INSERT of half a million rows spent most of its time in Django)."""
    articles = rows = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Deferred foreign-key checks of rows written earlier in this transaction
                # would block the TRUNCATE: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"TRUNCATE {connection.ops.quote_name(Fingerprint._meta.db_table)}")
        else:
            Fingerprint.objects.all().delete()
        pending: list[tuple[int, str]] = []
        bodies = Article.objects.order_by("pk").values_list("pk", "body")
        for pair in bodies.iterator(chunk_size=batch):
            pending.append(pair)
            if len(pending) == batch:
                rows += _write_new(pending)
                articles += len(pending)
                pending = []
                if progress:
                    progress(articles)
        rows += _write_new(pending)
        articles += len(pending)
    return articles, rows


COLUMNS = ("article_id", "hash", "position", "start", "end")


def _write_new(bodies: list[tuple[int, str]]) -> int:
    """The fingerprints of articles that have none: COPY on PostgreSQL."""
    if connection.vendor != "postgresql":
        return index_bodies(bodies, fresh=True)
    q = connection.ops.quote_name
    table, columns = q(Fingerprint._meta.db_table), ", ".join(map(q, COLUMNS))
    written = 0
    with connection.cursor() as cursor:
        # psycopg's own cursor (Django's wrapper has no copy()); names are the model's own.
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for pk, body in bodies:
                for row in fingerprint_text(body):
                    copy.write_row((pk, *row))
                    written += 1
    return written
