"""The echo index: winnowed fingerprints of every article body (`echoes.winnowing`).

Derived data, like the facet counts: rebuilt from the bodies by `manage.py
reindex_echoes`, kept current by the article write steps (`echoes.index`).
"""

from django.db import models
from django.db.models import F, Q


class Fingerprint(models.Model):
    """One winnowed shingle of an article's current body: `hash` is the signed 64-bit
    BLAKE2b hash of `winnowing.K` consecutive normalised words, `position` the index
    (in words, from 0) of the first of them, `start`/`end` the code-point span of those
    words in `Article.body`."""

    # No surrogate id: a row is its article and position, and that primary key's index
    # (article first) also serves the foreign key, so the index holds two B-trees, not four.
    pk = models.CompositePrimaryKey("article", "position")
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="fingerprints", db_index=False
    )
    hash = models.BigIntegerField(db_index=True)
    position = models.PositiveIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(start__gte=0) & Q(end__gt=F("start")),
                name="echoes_fingerprint_start_before_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hash:x}@{self.position}"
