"""Outlets, organizations and the articles that passages point into."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Func, OuterRef, Q, Subquery
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse

from articles.visibility import article_visible_q


class Outlet(models.Model):
    """A publication that articles come from (a newspaper, magazine, site)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    domain = models.CharField(max_length=253, blank=True, help_text="e.g. newsweek.com")
    homepage = models.URLField(blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("outlet-detail", kwargs={"slug": self.slug})


# Longest organization name and alias, in characters, and most aliases; README documents them.
ORGANIZATION_NAME_MAX_LENGTH = 200
ALIAS_MAX_LENGTH = 200
MAX_ALIASES = 50


def validate_aliases(aliases) -> None:
    """At most MAX_ALIASES aliases, each text of at most ALIAS_MAX_LENGTH characters."""
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise ValidationError("Aliases are a list of names.", code="invalid_aliases")
    if len(aliases) > MAX_ALIASES:
        raise ValidationError(
            f"Give at most {MAX_ALIASES} aliases (there are {len(aliases)}).",
            code="too_many_aliases",
        )
    for alias in aliases:
        if len(alias) > ALIAS_MAX_LENGTH:
            raise ValidationError(
                f"Keep each alias to {ALIAS_MAX_LENGTH} characters ({alias[:20]!r}... has "
                f"{len(alias)}).",
                code="alias_too_long",
            )


class OrganizationQuerySet(models.QuerySet):
    def matching_name(self, text: str):
        """Organizations whose name or one of whose aliases contains `text` (case-insensitive)."""
        return self.filter(Q(name__icontains=text) | Q(aliases__icontains=text))


class Organization(models.Model):
    """A body that articles mention and passages are attributed to (a group, union, court...).

    `parent` is the organization it is an affiliate or chapter of ("ACLU of Massachusetts"
    under "American Civil Liberties Union"); filtering by an organization includes its
    affiliates, at every depth. The actions refuse a parent that would make a cycle
    (`articles.org_tree`); deleting a parent leaves its affiliates at the top.
    """

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

    name = models.CharField(max_length=ORGANIZATION_NAME_MAX_LENGTH)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.OTHER)
    aliases = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_aliases],
        help_text="Other names it goes by (acronyms, short forms); matched as whole words.",
    )
    homepage = models.URLField(blank=True)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="affiliates",
        help_text="The organization this one is an affiliate or chapter of.",
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="articles_organization_name_unique"),
            # PostgreSQL's varchar enforces it already; SQLite's does not.
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("name"), ORGANIZATION_NAME_MAX_LENGTH),
                name="articles_organization_name_length",
            ),
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
        return self.filter(article_visible_q())

    def visible_to(self, user):
        """Published articles, plus drafts for staff (`articles.visibility`)."""
        return self.filter(article_visible_q(user))

    def for_outlet(self, outlet):
        return self.filter(outlet=outlet)

    def mentioning(self, organization):
        return self.filter(organizations=organization)

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

    # Facets: how many of these articles fall under each outlet (one GROUP BY over the
    # set's ids; callers bound the set: see `publishing.listing.FacetedListMixin`). The
    # organization and tag facets read derived tables: `publishing.facets`.

    def outlet_facets(self) -> list[dict]:
        rows = (
            self.order_by()
            .values_list("outlet__slug", "outlet__name")
            .annotate(count=Count("pk"))
            .order_by("-count", "outlet__name")
        )
        return [{"slug": slug, "name": name, "count": count} for slug, name, count in rows]


class Article(models.Model):
    """A news article. `body` is the plain text passages point into (code-point offsets).

    `revision` is the number of the current ArticleRevision; every body change goes
    through `annotations.actions.revisions.article_revise`, which bumps it.
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
