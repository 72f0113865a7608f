"""The corpus version: one integer that moves on every write to what the public pages show.

Writes move it on (`corpus_changed`, from the write hook `publishing.hooks`: on
PostgreSQL by a statement of its own right after the write commits:
`corpus_changed_committed`); the page cache
(`publishing.page_cache`) keys every rendering by it (`corpus_version`).

`recent_corpus_version` is the same number as this process read it at most
`GLOSS_CORPUS_VERSION_SECONDS` ago: a cached answer then costs no query at all (the W3C
single annotation, whose whole answer is a cache read, was three times the trivial view
in time for that query and Django's connection health check before it). A write forgets
the number in its own process at once (and again when it commits); another process's
write is seen at most that bound later, as a reader of a page being re-rendered may see
the earlier page (`GLOSS_PAGE_STALE_SECONDS`). Inside a transaction the number is always
read, never kept: a transaction may see its own uncommitted bump.
"""

import time

from django.conf import settings
from django.db import connection, transaction

from publishing.models import CorpusVersion

VERSION_SQL = "SELECT version FROM publishing_corpusversion WHERE id = 1"
# Every write runs it: plain SQL, as the read above (the ORM's update cost more to build).
BUMP_SQL = "UPDATE publishing_corpusversion SET version = version + 1 WHERE id = 1"

# (monotonic time of the read, version) of this process's last kept read; None: none.
_recent: tuple[float, int] | None = None
# An indirection the tests replace, to age the kept read.
_clock = time.monotonic


def corpus_changed() -> None:
    """Move the corpus version on (the write hook calls it; inside a transaction)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("corpus_changed must run inside the write's transaction")
    forget_recent_version()
    transaction.on_commit(forget_recent_version)
    with connection.cursor() as cursor:
        cursor.execute(BUMP_SQL)
        bumped = cursor.rowcount
    if not bumped:
        # The row the migration made is gone (a test flushed the tables): start again.
        CorpusVersion.objects.create(pk=1, version=1)


def corpus_changed_committed() -> None:
    """Move the corpus version on in a statement that commits on its own (outside any
    transaction: after the write it announces has committed)."""
    if transaction.get_connection().in_atomic_block:
        raise RuntimeError("corpus_changed_committed must run outside a transaction")
    with connection.cursor() as cursor:
        cursor.execute(BUMP_SQL)
        bumped = cursor.rowcount
    if not bumped:
        CorpusVersion.objects.get_or_create(pk=1, defaults={"version": 1})
    forget_recent_version()


def corpus_version() -> int:
    """The committed corpus version (one query). Every cached page costs this query, so it
    is plain SQL: building it through the ORM cost more than running it."""
    with connection.cursor() as cursor:
        cursor.execute(VERSION_SQL)
        row = cursor.fetchone()
    return row[0] if row else 0


def recent_corpus_version() -> int:
    """The corpus version as this process read it at most GLOSS_CORPUS_VERSION_SECONDS
    ago (0 turns keeping off), else read now (see the module docstring)."""
    global _recent
    bound = settings.GLOSS_CORPUS_VERSION_SECONDS
    if bound <= 0 or connection.in_atomic_block:
        return corpus_version()
    now = _clock()
    recent = _recent
    if recent is not None and 0 <= now - recent[0] <= bound:
        return recent[1]
    version = corpus_version()
    _recent = (now, version)
    return version


def forget_recent_version() -> None:
    global _recent
    _recent = None
