"""The echo index: winnowed fingerprints of every article body (`echoes.winnowing`).

Derived data, like the facet counts: rebuilt from the bodies by `manage.py
reindex_echoes`, kept current by the article write steps (`echoes.index`), read and
written only through `echoes.store`.

Each database keeps it in the layout it searches best, so the index stays within a few
times the size of the bodies (issue 20):

- PostgreSQL: one row per article (`PrintSet`), its fingerprints' hashes and starts as two
  `integer[]` columns, the hashes under a GIN index. A row per fingerprint cost about 100
  bytes there (a 24-byte tuple header, and two B-tree entries), six times the bodies; an
  array element costs 8 bytes and a GIN entry about 11 (measured at 100k articles).
- SQLite: a row per fingerprint (`Fingerprint`), which costs SQLite a few bytes of record
  header, not a tuple header; SQLite has no inverted index over arrays.

Both tables exist on both databases (so deleting an article cascades the same way on
either), and each database leaves the other's table empty. The GIN index is PostgreSQL's
own and SQLite has no such index type, so it is not in `PrintSet.Meta`: migration 0002
creates it on PostgreSQL only, and `echoes.index` drops and rebuilds it around a full
reindex by its name, `GIN_INDEX`.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models

#: The GIN index over `PrintSet.hashes` (PostgreSQL only; migration 0002).
GIN_INDEX = "echoes_printset_hashes"


class Fingerprint(models.Model):
    """One winnowed shingle of an article's current body (SQLite): `hash` is the signed
    32-bit BLAKE2b hash of `winnowing.K` consecutive normalised words, `start` the code
    point where the first of them starts in `Article.body`."""

    # No surrogate id: a row is its article and start, and that primary key's index
    # (article first) also serves the foreign key.
    pk = models.CompositePrimaryKey("article", "start")
    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        related_name="fingerprints",
        db_index=False,
    )
    hash = models.IntegerField(db_index=True)
    start = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.hash:x}@{self.start}"


class PrintSet(models.Model):
    """The winnowed fingerprints of one article's current body (PostgreSQL): `hashes[i]`
    starts at code point `starts[i]`, in body order."""

    article = models.OneToOneField(
        "articles.Article",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="print_set",
    )
    hashes = ArrayField(models.IntegerField())
    starts = ArrayField(models.IntegerField())

    def __str__(self) -> str:
        return f"{len(self.hashes)} fingerprints of article {self.article_id}"
