"""Writes of the echo index (`echoes.models`, through `echoes.store`), derived from
article bodies.

The index is written where a body is: `articles.actions.articles.create_article` and
`create_articles` (a batched import: one bulk insert per batch) and
`annotations.actions.revisions.revise_article` call `index_bodies` inside their
`corpus_write`, so the fingerprints change in the transaction that changes the body, and
the corpus version (which stales cached pages showing "Also in") moves with them. A
deleted article takes its fingerprints with it (the foreign key cascades). A
backup import writes them from the bodies it holds (`index_new`); other writes that go
around the actions (the benchmark's synthetic corpus) are followed by `reindex_all()`
(`manage.py reindex_echoes`), and so is a migration that leaves the index empty
(`echoes.apps`).

This module sits below the actions (it imports only models and the index's rows), as
the facet counts do: the actions import it, never the other way.
"""

from collections.abc import Iterable

from django.db import connection, transaction

from articles.models import Article
from echoes import store
from echoes.models import GIN_INDEX, Fingerprint, PrintSet

BATCH = 500  # articles per read when rebuilding


def index_bodies(bodies: Iterable[tuple[int, str]], *, fresh: bool = False) -> int:
    """Step: replace the fingerprints of these `(article id, body)` pairs (`fresh`: the
    articles are new and have none yet, so nothing is deleted first). Returns how many
    fingerprints were written."""
    bodies = list(bodies)
    if not bodies:
        return 0
    with transaction.atomic():
        if not fresh:
            store.forget([pk for pk, _ in bodies])
        return store.write(bodies)


def index_models() -> list:
    """The models of the index's rows (both layouts' tables exist everywhere)."""
    return [PrintSet, Fingerprint]


def index_new(bodies: Iterable[tuple[int, str]]) -> int:
    """Step: the fingerprints of articles written around the actions (a backup import),
    from the bodies in hand, a batch at a time, instead of reading every body back."""
    return store.write(bodies)


def reindex_all(*, batch: int = BATCH, progress=None) -> tuple[int, int]:
    """Rebuild the whole index from the current bodies, reading them `batch` at a time
    (never the whole archive in memory), in one transaction. Returns (articles, rows).

    On PostgreSQL the GIN index is dropped first and built once at the end (building it
    from sorted entries is many times faster than inserting into it row by row)."""
    articles = rows = 0
    with transaction.atomic():
        store.clear()
        rebuilt = _GinRebuilt() if store.on_postgresql() else None
        if rebuilt:
            rebuilt.drop()
        pending: list[tuple[int, str]] = []
        bodies = Article.objects.order_by("pk").values_list("pk", "body")
        for pair in bodies.iterator(chunk_size=batch):
            pending.append(pair)
            if len(pending) == batch:
                rows += store.write(pending)
                articles += len(pending)
                pending = []
                if progress:
                    progress(articles)
        rows += store.write(pending)
        articles += len(pending)
        if rebuilt:
            rebuilt.build()
    return articles, rows


class _GinRebuilt:
    """The PostgreSQL layout's GIN index (`echoes.models.GIN_INDEX`), dropped before a
    rebuild and built after it."""

    MEMORY = "256MB"  # the build sorts its entries in memory up to this much

    def __init__(self):
        q = connection.ops.quote_name
        self.index, self.table = q(GIN_INDEX), q(PrintSet._meta.db_table)

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {self.index}")

    def build(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{self.MEMORY}'")
            cursor.execute(f'CREATE INDEX {self.index} ON {self.table} USING gin ("hashes")')
