"""The corpus version: one integer that moves on every write to what the public pages show.

Writes move it on (`corpus_changed`, from the write hook `publishing.hooks`: on
PostgreSQL in a short transaction right after the write commits); the page cache
(`publishing.page_cache`) keys every rendering by it (`corpus_version`).
"""

from django.db import connection, transaction
from django.db.models import F

from publishing.models import CorpusVersion

VERSION_SQL = "SELECT version FROM publishing_corpusversion WHERE id = 1"


def corpus_changed() -> None:
    """Move the corpus version on (the write hook calls it; inside a transaction)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("corpus_changed must run inside the write's transaction")
    if not CorpusVersion.objects.filter(pk=1).update(version=F("version") + 1):
        # The row the migration made is gone (a test flushed the tables): start again.
        CorpusVersion.objects.create(pk=1, version=1)


def corpus_version() -> int:
    """The committed corpus version (one query). Every cached page costs this query, so it
    is plain SQL: building it through the ORM cost more than running it."""
    with connection.cursor() as cursor:
        cursor.execute(VERSION_SQL)
        row = cursor.fetchone()
    return row[0] if row else 0
