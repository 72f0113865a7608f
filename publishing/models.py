"""Derived tables: what the public listings count and the version their cached pages carry.

Every row here can be recomputed from the articles and passages (`manage.py
recount_facets`); the tables keep their constraint names from when they lived in
`annotations` (renamed tables, not rebuilt ones: see migration 0001).
"""

from django.db import models
from django.db.models import Q


class FacetCount(models.Model):
    """How many rows of an unfiltered listing fall under one facet option, kept current.

    `count` is a number of passages (listing `passages`) or of articles (listing
    `articles`) that `audience` may see, carrying the tag, from the outlet or attributed
    to (or mentioning) the organization whose id is `value_id`; facet `total` (value 0)
    is the listing's row count. Maintained by `publishing.counts` inside the write
    services' transactions; `value_id` has no foreign key: deleting a tag, outlet or
    organization deletes its rows in the same write (`Recount.forget`).
    """

    class Listing(models.TextChoices):
        PASSAGES = "passages", "Passages"
        ARTICLES = "articles", "Articles"

    class Audience(models.TextChoices):
        PUBLIC = "public", "Public"
        STAFF = "staff", "Staff"

    class Facet(models.TextChoices):
        TAG = "tag", "Tag"
        OUTLET = "outlet", "Outlet"
        ORGANIZATION = "organization", "Organization"
        TOTAL = "total", "Total"

    listing = models.CharField(max_length=16, choices=Listing.choices)
    audience = models.CharField(max_length=16, choices=Audience.choices)
    facet = models.CharField(max_length=16, choices=Facet.choices)
    value_id = models.BigIntegerField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "audience", "facet", "value_id"],
                name="annotations_facetcount_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.listing}/{self.audience}/{self.facet}/{self.value_id}: {self.count}"


class ArticleFacet(models.Model):
    """One article counts, for one audience, toward one tag or organization option.

    The per-article parts of the articles listing's tag and organization facets: a row
    means that `audience` may see the article and it holds a passage visible to them
    carrying the tag (facet `tag`), or mentions the organization or holds such a
    passage attributed to it (facet `organization`); `value_id` is the tag's or
    organization's id. A filtered listing's facet is then one GROUP BY over these rows
    of its matched articles (an index-only scan, ~10 rows an article), instead of
    joining every passage of those articles with its tags. Maintained with
    `FacetCount`, from the same per-article contributions (`publishing.counts`); as
    there, `value_id` has no foreign key, and a deleted option's rows go with it.
    """

    # The four columns are the key, and its index the only one: it leads with the
    # article, which is how the listings read the rows (no id column, no second index).
    pk = models.CompositePrimaryKey("article", "audience", "facet", "value_id")
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    audience = models.CharField(max_length=16, choices=FacetCount.Audience.choices)
    facet = models.CharField(max_length=16, choices=FacetCount.Facet.choices)
    value_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(facet__in=["tag", "organization"]),
                name="annotations_articlefacet_facet",
            ),
        ]

    def __str__(self) -> str:
        return f"article {self.article_id}/{self.audience}/{self.facet}/{self.value_id}"


class CrossCount(models.Model):
    """One cell of an unfiltered `/analysis/` table, kept current like `FacetCount`.

    `table` is one of the page's four tables; `count` is a number of passages `audience`
    may see (the co-occurrence table: of articles) in the cell (`row_key`, `col_key`):
    tag, outlet and organization ids, months as `YYYYMM` (0: undated). The rows of
    `table` `built` (keys 0, 0) say the cells of that audience are complete: written by
    the rebuild (`recount_facets`) and by the migration on an empty database; without it
    the page counts with a grouped query instead. Maintained by `publishing.counts` from
    the same per-article contributions as `FacetCount`; no foreign keys, as there.

    Each table's sums are cells of it too: `row_key` `ROW_SUM` holds the sum of the row
    `col_key`, `COL_SUM` that of the column `col_key` (row keys are ids or months, never
    negative), so the page reads a table's sums, a few hundred cells, instead of adding up
    every cell (23,000 for organization × tag at a million passages).
    """

    ROW_SUM = -1
    COL_SUM = -2

    class Table(models.TextChoices):
        TAG_OUTLET = "tag-outlet", "Tags by outlet"
        ORGANIZATION_TAG = "organization-tag", "Organizations by tag"
        MONTH_TAG = "month-tag", "Months by tag"
        COOCCURRENCE = "cooccurrence", "Tags that occur together"
        BUILT = "built", "Complete"

    audience = models.CharField(max_length=16, choices=FacetCount.Audience.choices)
    table = models.CharField(max_length=20, choices=Table.choices)
    row_key = models.BigIntegerField()
    col_key = models.BigIntegerField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["audience", "table", "row_key", "col_key"],
                name="publishing_crosscount_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.audience}/{self.table}/{self.row_key}/{self.col_key}: {self.count}"


class CorpusVersion(models.Model):
    """The single row whose `version` moves on every write to what the public pages show.

    Bumped first thing in every write service's transaction
    (`publishing.version.corpus_changed`); cached renderings of public pages are keyed
    by it, so a committed write makes every page cached before it unreachable.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="annotations_corpusversion_one_row"),
        ]

    def __str__(self) -> str:
        return f"corpus version {self.version}"
