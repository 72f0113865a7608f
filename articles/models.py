"""Outlets, organizations and the articles that passages point into."""

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models import Count, F, Func, OuterRef, Q, Subquery, TextField, Value
from django.urls import reverse


class OutletQuerySet(models.QuerySet):
    def with_article_counts(self):
        return self.annotate(
            article_count=Count("articles", filter=Q(articles__status=Article.Status.PUBLISHED))
        )


class Outlet(models.Model):
    """A publication that articles come from (a newspaper, magazine, site)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    domain = models.CharField(max_length=253, blank=True, help_text="e.g. newsweek.com")
    homepage = models.URLField(blank=True)
    description = models.TextField(blank=True)

    objects = OutletQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("outlet-detail", kwargs={"slug": self.slug})


class OrganizationQuerySet(models.QuerySet):
    def matching_name(self, text: str):
        """Organizations whose name or one of whose aliases contains `text` (case-insensitive)."""
        return self.filter(Q(name__icontains=text) | Q(aliases__icontains=text))


class Organization(models.Model):
    """A body that articles mention and passages are attributed to (a group, union, court...)."""

    class Kind(models.TextChoices):
        ADVOCACY = "advocacy", "Advocacy group"
        UNION = "union", "Union"
        GOVERNMENT = "government", "Government body"
        COURT = "court", "Court"
        LEGAL_CLINIC = "legal clinic", "Legal clinic"
        INTERGOVERNMENTAL = "intergovernmental", "Intergovernmental body"
        COMMUNITY = "community", "Community group"
        ACADEMIC = "academic", "Academic institution"
        MEDIA = "media", "Media"
        BUSINESS = "business", "Business"
        OTHER = "other", "Other"

    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.OTHER)
    aliases = models.JSONField(
        default=list,
        blank=True,
        help_text="Other names it goes by (acronyms, short forms); matched as whole words.",
    )
    homepage = models.URLField(blank=True)
    description = models.TextField(blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="articles_organization_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organization-detail", kwargs={"slug": self.slug})

    @property
    def names(self) -> list[str]:
        """The name followed by every alias."""
        return [self.name, *self.aliases]


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Article.Status.PUBLISHED)

    def visible_to(self, user):
        """Published articles, plus drafts for staff."""
        if user.is_authenticated and user.is_staff:
            return self
        return self.published()

    def among(self, ids):
        """The rows whose id is in `ids` (a list of up to a few thousand)."""
        return self.filter(InIds("pk", ids))

    def for_outlet(self, outlet):
        return self.filter(outlet=outlet)

    def mentioning(self, organization):
        return self.filter(organizations=organization)

    def search(self, q: str, *, limit: int | None = None):
        """Articles whose title or body match `q` (see `text_search`)."""
        return text_search(self, q, ["title", "body"], limit=limit)

    def for_listing(self):
        """Fetch plan of the public article listings: the columns a row shows, outlet joined."""
        return self.select_related("outlet").only(
            "title", "slug", "status", "published", "author", "outlet__name", "outlet__slug"
        )

    def with_passage_counts(self, passages):
        """Annotate `passage_count`: how many of `passages` each article holds (one query)."""
        counted = (
            passages.filter(article_id=OuterRef("pk"))
            .order_by()
            .annotate(n=Func(F("pk"), function="COUNT"))
            .values("n")
        )
        return self.annotate(passage_count=Subquery(counted))

    # Facets: how many of these articles fall under each outlet, organization and tag.
    # One GROUP BY query each over the set's ids, whatever the number of articles or
    # options (callers bound the set: see FacetedListMixin).

    def outlet_facets(self) -> list[dict]:
        rows = (
            self.order_by()
            .values_list("outlet__slug", "outlet__name")
            .annotate(count=Count("pk"))
            .order_by("-count", "outlet__name")
        )
        return [{"slug": slug, "name": name, "count": count} for slug, name, count in rows]

    def organization_facets(self, audience: str) -> list[dict]:
        """Per organization: how many of these articles mention it or hold a passage
        attributed to it that `audience` may see (`ArticleFacet`, one query)."""
        return self._maintained_facets(audience, "organization", Organization, id_key=None)

    def tag_facets(self, audience: str) -> list[dict]:
        """Per tag: how many of these articles hold a passage carrying it that `audience`
        may see (`ArticleFacet`, one query); each option also gives its `tag_id`."""
        from annotations.models import Tag

        return self._maintained_facets(audience, "tag", Tag, id_key="tag_id")

    def _maintained_facets(
        self, audience: str, facet: str, option_model, *, id_key: str | None
    ) -> list[dict]:
        """One GROUP BY over the maintained (article, option) pairs of these articles.

        Counting through the passages joined every passage of the articles with its tags
        (~7 passages and ~10 tagged rows an article: 130 ms for 1,000 articles at a
        million passages, 50 ms for organizations); the pairs are an index-only scan of
        a few rows per article (`annotations.models.ArticleFacet`).
        """
        from django.db import connections

        from annotations.models import ArticleFacet

        connection = connections[self.db]
        try:
            ids_sql, ids_params = (
                self.order_by().values("pk").query.get_compiler(connection=connection).as_sql()
            )
        except EmptyResultSet:  # no articles at all (e.g. an invalid filter)
            return []
        q = connection.ops.quote_name
        pairs = q(ArticleFacet._meta.db_table)
        options = q(option_model._meta.db_table)
        sql = (
            f"SELECT o.{q('slug')}, o.{q('name')}, c.n, o.{q('id')} FROM ("  # noqa: S608
            f"SELECT f.{q('value_id')} AS value_id, COUNT(*) AS n FROM {pairs} f "
            f"WHERE f.{q('audience')} = %s AND f.{q('facet')} = %s "
            f"AND f.{q('article_id')} IN ({ids_sql}) GROUP BY f.{q('value_id')}) c "
            f"JOIN {options} o ON o.{q('id')} = c.value_id ORDER BY c.n DESC, o.{q('name')} ASC"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [audience, facet, *ids_params])
            rows = cursor.fetchall()
        if id_key is None:
            return [{"slug": slug, "name": name, "count": n} for slug, name, n, _ in rows]
        return [{"slug": slug, "name": name, "count": n, id_key: pk} for slug, name, n, pk in rows]


class InIds(Func):
    """`field IN (ids)` with the ids as one array parameter on PostgreSQL (`= ANY(%s)`).

    A listing's facets and page filter on up to 1,000 matched ids; as 1,000 separate
    parameters, building and quoting them cost more Python time than the queries took.
    """

    output_field = models.BooleanField()

    def __init__(self, field: str, ids):
        super().__init__(F(field))
        self.ids = list(ids)

    def as_sql(self, compiler, connection, **extra_context):
        if not self.ids:
            raise EmptyResultSet
        sql, params = compiler.compile(self.source_expressions[0])
        return f"{sql} IN ({', '.join(['%s'] * len(self.ids))})", (*params, *self.ids)

    def as_postgresql(self, compiler, connection, **extra_context):
        if not self.ids:
            raise EmptyResultSet
        field = self.source_expressions[0]
        sql, params = compiler.compile(field)
        # Written out as an array literal: psycopg's list adapter inspects every element.
        array = "{" + ",".join(str(int(pk)) for pk in self.ids) + "}"
        cast = field.output_field.cast_db_type(connection)
        return f"{sql} = ANY(%s::{cast}[])", (*params, array)


class StoredColumn(Func):
    """A database column the model does not declare, of the row `sibling` belongs to.

    For columns PostgreSQL computes itself (a stored, generated `tsvector`): Django never
    selects or writes them, and this names the column under whatever alias the query
    gives the table (`U0` in a subquery), taken from the sibling field's own column.
    """

    def __init__(self, sibling: str, column: str, *, output_field):
        super().__init__(F(sibling), output_field=output_field)
        self.column = column

    def as_sql(self, compiler, connection, **extra_context):
        sibling = self.source_expressions[0]  # resolved: a Col with the table's alias
        alias = compiler.quote_name(sibling.alias)
        return f"{alias}.{connection.ops.quote_name(self.column)}", []


def text_search(
    queryset,
    q: str,
    fields: list[str],
    *,
    limit: int | None = None,
    stored: str | None = None,
    _planned: bool = False,
):
    """Rows of `queryset` matching the words of `q` in any of `fields`.

    PostgreSQL: full-text search with web-search syntax ("quoted phrase", -word, or).
    Elsewhere (SQLite): every word must occur, case-insensitively, in one of the fields.
    Both keep the query a single WHERE clause, so callers can stack it with other filters.

    `stored`: on PostgreSQL, the name of a stored generated column holding exactly
    `to_tsvector('english', fields joined by spaces)` (passages: `search_vector`), read
    instead of computing the vector. Testing a stored vector costs microseconds, so the
    planner is free to pick by the word's statistics: for a common word, the table in
    order, stopping at `limit` (~5 ms for a word in 60 % of a million passages, where the
    index built a 600,000-row bitmap first: ~110 ms); for a rare one, the index.

    `limit` bounds the work for pages: only the first `limit` matching rows (in no
    particular order) are kept. Without a stored vector they are found through the
    full-text index first: PostgreSQL cannot estimate how rare a word is, and for a rare
    one it walked the listing order re-computing `to_tsvector` per row (seconds);
    `id IN (... LIMIT n)` cannot be flattened, so the GIN index is read first and the
    rest of the query sees at most n rows. The export passes no limit.
    """
    from django.db import connections

    words = q.split()
    if not words:
        return queryset
    if limit is not None:
        matching = text_search(queryset.order_by(), q, fields, stored=stored, _planned=True).values(
            "pk"
        )
        return queryset.filter(pk__in=Subquery(matching[:limit]))
    if connections[queryset.db].vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorField

        if stored:
            vector = StoredColumn(fields[0], stored, output_field=SearchVectorField())
            return queryset.alias(_text_search=vector).filter(
                _text_search=SearchQuery(q, search_type="websearch", config="english")
            )
        value = q
        if _planned:
            # With word statistics PostgreSQL sees a common word matches nearly every
            # row and reads the table re-computing `to_tsvector` (about 1 ms per
            # article body) instead of the index (a few ms for any word). A scalar
            # subquery hides the word, so the plan is the index's whatever the word.
            value = Func(Value(q), template="(SELECT %(expressions)s)", output_field=TextField())
        return queryset.alias(_text_search=SearchVector(*fields, config="english")).filter(
            _text_search=SearchQuery(value, search_type="websearch", config="english")
        )
    for word in words:
        word = word.strip("\"'")
        if word:
            match = Q()
            for field in fields:
                match |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(match)
    return queryset


class Article(models.Model):
    """A news article. `body` is the plain text passages point into (code-point offsets).

    `revision` is the number of the current ArticleRevision; every body change goes
    through `articles.services.article_revise`, which bumps it.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=500)
    slug = models.SlugField(max_length=200, unique=True)
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="articles")
    url = models.URLField(max_length=2000, blank=True)
    published = models.DateField(null=True, blank=True, help_text="Publication date")
    author = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    organizations = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="articles",
        help_text="Organizations the article mentions.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    revision = models.PositiveIntegerField(
        default=1, editable=False, help_text="Number of the current body revision."
    )
    source_sha256 = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="SHA-256 of the imported file; identifies a re-import when there is no URL.",
    )
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["url"], condition=~Q(url=""), name="articles_article_url_unique"
            ),
            models.CheckConstraint(condition=~Q(body=""), name="articles_article_body_not_empty"),
            models.CheckConstraint(
                condition=Q(revision__gte=1), name="articles_article_revision_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published"], name="articles_status_published"),
            models.Index(fields=["source_sha256"], name="articles_source_sha256"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("article-detail", kwargs={"slug": self.slug})


class ArticleRevision(models.Model):
    """An immutable snapshot of an article body: revision `number` of `article`."""

    class Reason(models.TextChoices):
        IMPORT = "import", "Imported"
        CORRECTION = "correction", "Correction by the outlet"
        CLEANUP = "cleanup", "Cleanup of scraped text"
        REIMPORT = "reimport", "Re-imported with new text"
        OTHER = "other", "Other"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    body = models.TextField()
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="article_revisions",
    )
    reason = models.CharField(max_length=16, choices=Reason.choices, default=Reason.OTHER)
    comment = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="articles_articlerevision_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="articles_articlerevision_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"Revision {self.number}"
