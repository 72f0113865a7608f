"""Passages of articles and their tags; the personal API tokens that scripts use are in
`annotations.api_tokens` (a model of this app too, imported here)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact, LessThanOrEqual
from django.urls import reverse
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from annotations import tag_fields
from annotations.anchoring import CONTEXT_CHARS
from annotations.api_tokens import ApiToken  # noqa: F401 - this app's model, registered with it
from articles.visibility import passage_visible_q, sees_drafts
from rounds.models import blind_articles_of, open_round_passage_q

# Longest note, in characters (code points); README documents it.
NOTE_MAX_LENGTH = 10_000

colour_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", "Enter a colour as #rrggbb.", code="invalid_colour"
)


class Tag(TagBase):
    """A code researchers apply to passages (e.g. `statistic`), shown in its colour.

    `parent` nests codes as a codebook does (REFI-QDA, NVivo's nodes); the tag actions
    refuse a parent that would make a cycle. A tag with sub-tags cannot be deleted
    (PROTECT): the sub-tags are moved or deleted first, so no code silently changes place.
    """

    colour = models.CharField(max_length=7, default="#ffd54f", validators=[colour_validator])
    description = models.CharField(max_length=300, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The broader code this one sits under (a codebook's nesting).",
    )
    # The codebook (`/workspace/codebook/`): an example of the code in use, and the
    # tag's place among its siblings (smaller first; ties by name).
    example_passage = models.ForeignKey(
        "Annotation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A passage that shows the code in use (the codebook quotes it).",
    )
    position = models.PositiveIntegerField(
        default=0, help_text="Order among the tags under the same parent (smaller first)."
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "tag"
        verbose_name_plural = "tags"
        constraints = [
            # taggit's varchar(100), which SQLite does not enforce.
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("name"), 100), name="annotations_tag_name_length"
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("tag-detail", kwargs={"slug": self.slug})


class TagFieldQuerySet(models.QuerySet):
    def in_order(self):
        """Tags by slug, each tag's fields by position then name: the order of the CSV's
        field columns, forms and pages."""
        return self.order_by("tag__slug", "position", "name")

    def keys(self) -> list[str]:
        """Every field's key (`statistic.value`), in order (one query)."""
        rows = self.in_order().values_list("tag__slug", "name")
        return [tag_fields.key(slug, name) for slug, name in rows]


class TagField(models.Model):
    """A typed field that passages carrying `tag` may fill (statistic → value, unit, year).

    A passage's values live in `Annotation.fields` under `"<tag slug>.<name>"`, as the
    canonical text `annotations.tag_fields` writes. `minimum` and `maximum` bound a number
    or integer field (inclusive); `required` applies only to passages carrying the tag.
    `position` orders a tag's fields in forms, pages and exports (then `name`).
    """

    class Kind(models.TextChoices):
        NUMBER = tag_fields.NUMBER, "Number"
        INTEGER = tag_fields.INTEGER, "Whole number"
        TEXT = tag_fields.TEXT, "Text"
        ORGANIZATION = tag_fields.ORGANIZATION, "Organization"

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="fields")
    name = models.CharField(
        max_length=50,
        validators=[
            RegexValidator(
                tag_fields.NAME_PATTERN,
                "Use lower-case letters, digits, - and _ only (no dots).",
                code="invalid_field_name",
            )
        ],
        help_text="Its key after the tag's slug: statistic.<name>.",
    )
    label = models.CharField(max_length=100, blank=True, help_text="Shown in forms and pages.")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TEXT)
    required = models.BooleanField(
        default=False, help_text="Every passage with this tag must fill it."
    )
    minimum = models.FloatField(null=True, blank=True, help_text="Numbers only, inclusive.")
    maximum = models.FloatField(null=True, blank=True, help_text="Numbers only, inclusive.")
    position = models.PositiveIntegerField(default=0)

    objects = TagFieldQuerySet.as_manager()

    class Meta:
        ordering = ["tag_id", "position", "name"]
        verbose_name = "tag field"
        constraints = [
            models.UniqueConstraint(
                fields=["tag", "name"],
                name="annotations_tagfield_unique",
                violation_error_code="duplicate_field",
                violation_error_message="This tag already has a field of that name.",
            ),
            models.CheckConstraint(
                condition=Q(minimum__isnull=True)
                | Q(maximum__isnull=True)
                | Q(minimum__lte=F("maximum")),
                name="annotations_tagfield_minimum_below_maximum",
                violation_error_code="minimum_above_maximum",
                violation_error_message="The minimum must not exceed the maximum.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=tag_fields.NUMERIC_KINDS)
                | (Q(minimum__isnull=True) & Q(maximum__isnull=True)),
                name="annotations_tagfield_bounds_on_numbers",
                violation_error_code="bounds_on_numbers_only",
                violation_error_message="Only number and whole-number fields have bounds.",
            ),
        ]

    def __str__(self) -> str:
        return self.label or self.name

    @property
    def shown_label(self) -> str:
        return self.label or self.name.replace("_", " ").replace("-", " ").capitalize()


class TaggedAnnotation(TaggedItemBase):
    """One tag on one passage (taggit's through table, with real foreign keys)."""

    content_object = models.ForeignKey(
        "Annotation", on_delete=models.CASCADE, related_name="tagged_items"
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_annotations")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="annotations_taggedannotation_unique"
            ),
        ]


def attach_tag_lists(passages: list) -> list:
    """Give each passage `tag_list`: its tags in the order they were added (one query).

    The tags are `Tag` rows holding only what a listing shows (id, name, slug).
    """
    by_passage: dict[int, list[Tag]] = {passage.pk: [] for passage in passages}
    if not by_passage:
        return passages
    tags: dict[int, Tag] = {}
    rows = (
        TaggedAnnotation.objects.filter(content_object_id__in=list(by_passage))
        .order_by("pk")
        .values_list("content_object_id", "tag_id", "tag__name", "tag__slug")
    )
    for passage_id, tag_id, name, slug in rows:
        tag = tags.get(tag_id)
        if tag is None:
            tag = tags[tag_id] = Tag(id=tag_id, name=name, slug=slug)
        by_passage[passage_id].append(tag)
    for passage in passages:
        passage.tag_list = by_passage[passage.pk]
    return passages


def visible_q(user=None) -> Q:
    """The one visibility rule for passages, every read path's (through the QuerySet).

    Drafts as `articles.visibility` says (staff see them, nobody else), and coding
    rounds (`rounds.models`): an open round's passages are never public, its consensus
    aside (`adjudicated`, a draft until the round closes); in an open blind round a
    coder sees, on the round's articles, only their own passages.
    """
    if not sees_drafts(user):
        return passage_visible_q() & (Q(adjudicated=True) | ~open_round_passage_q())
    if getattr(user, "pk", None) is None:
        return Q()  # a reader that is nobody's account (a command's operator) codes nothing
    return ~Q(article_id__in=blind_articles_of(user)) | Q(annotator=user)


class AnnotationQuerySet(models.QuerySet):
    def published(self):
        """Published passages of published articles (open rounds' passages aside): what
        anonymous visitors may see."""
        return self.filter(visible_q())

    def visible_to(self, user):
        """What `user` may see (`visible_q`: staff see drafts too, blind coders less)."""
        return self.filter(visible_q(user))

    def hidden_from_staff(self, user):
        """What `visible_to` hides from staff member `user`: the other coders' passages on
        the articles `user` codes in open blind rounds (none for anyone else). Bounded by
        those rounds' articles, so it is cheap to count where the maintained counts, which
        hold every passage, must be corrected for a blind coder."""
        return self.filter(article_id__in=blind_articles_of(user)).exclude(annotator=user)

    def by(self, user):
        return self.filter(annotator=user)

    def anchored(self):
        return self.exclude(anchor_status=Annotation.AnchorStatus.ORPHANED)

    def needing_review(self):
        return self.exclude(anchor_status=Annotation.AnchorStatus.ANCHORED)

    def for_listing_page(self):
        """Fetch plan of the public pages' passage rows (`publishing.presenters`).

        Only the columns a row shows, joined in one query; the tags come in one more,
        as plain lists (`attach_tag_lists`), instead of taggit's prefetch, which builds a
        filtered queryset on every `passage.tags` access.
        """
        return self.select_related("article__outlet", "organization", "annotator").only(
            "prefix",
            "exact",
            "suffix",
            "note",
            "fields",
            "status",
            "anchor_status",
            "article__title",
            "article__slug",
            "article__status",
            "article__published",
            "article__outlet__name",
            "article__outlet__slug",
            "organization__name",
            "organization__slug",
            "annotator__username",
        )

    def for_listing(self):
        """Fetch plan of the public passage listings and the CSV export.

        Article, outlet, organization and annotator are joined (the article body is
        left behind: it can be long); tags come in one extra query per batch.
        """
        return (
            self.select_related("article__outlet", "organization", "annotator")
            .defer("article__body", "article__source_sha256", "previous_exact")
            .prefetch_related("tags")
        )

    # Facets: how many of these passages fall under each tag, outlet and organization.
    # One GROUP BY query each, whatever the number of passages.

    def tag_facets(self) -> list[dict]:
        return list(
            TaggedAnnotation.objects.filter(content_object_id__in=self.order_by().values("pk"))
            .values("tag_id", slug=F("tag__slug"), name=F("tag__name"))
            .annotate(count=models.Count("pk"))
            .order_by("-count", "name")
        )

    def outlet_facets(self) -> list[dict]:
        return list(
            self.order_by()
            .values(slug=F("article__outlet__slug"), name=F("article__outlet__name"))
            .annotate(count=models.Count("pk"))
            .order_by("-count", "name")
        )

    def organization_facets(self) -> list[dict]:
        return list(
            self.order_by()
            .filter(organization__isnull=False)
            .values(slug=F("organization__slug"), name=F("organization__name"))
            .annotate(count=models.Count("pk"))
            .order_by("-count", "name")
        )

    def for_api(self):
        """Fetch plan of the JSON API and the workspace: one query plus one for all tags."""
        return self.select_related("annotator").prefetch_related("tags")


def check_note(note: str) -> None:
    """Raise `note_too_long` (on the field `note`) for a note over NOTE_MAX_LENGTH."""
    if len(note) > NOTE_MAX_LENGTH:
        message = f"Keep the note to {NOTE_MAX_LENGTH:,} characters (this one has {len(note):,})."
        raise ValidationError({"note": ValidationError(message, code="note_too_long")})


class Annotation(models.Model):
    """A passage of an article that an annotator coded.

    `start` and `end` are code-point indices into `article.body` (Python `str`
    indices, not UTF-16 units or bytes): the passage is `article.body[start:end]`,
    stored verbatim in `exact` while anchored. `prefix` and `suffix` hold up to 32
    code points of the text either side, used to re-find the passage after the
    article is revised. `anchored_revision` is the article revision the offsets
    refer to. `source_id` is the id of the annotation an imported passage came from
    (W3C `id`, or a Hypothesis annotation's link), empty for passages made here.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class AnchorStatus(models.TextChoices):
        ANCHORED = "anchored", "Anchored"
        FUZZY = "fuzzy", "Fuzzy match: check it"
        ORPHANED = "orphaned", "Orphaned: text not found"

    article = models.ForeignKey(
        "articles.Article", on_delete=models.PROTECT, related_name="annotations"
    )
    start = models.PositiveIntegerField(help_text="Code-point offset of the first character.")
    end = models.PositiveIntegerField(help_text="Code-point offset just after the last character.")
    exact = models.TextField(help_text="The passage text, equal to body[start:end].")
    prefix = models.CharField(max_length=CONTEXT_CHARS, blank=True)
    suffix = models.CharField(max_length=CONTEXT_CHARS, blank=True)
    tags = TaggableManager(through=TaggedAnnotation, blank=True)
    organization = models.ForeignKey(
        "articles.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="passages",
        help_text="Who the passage is attributed to.",
    )
    note = models.TextField(blank=True, validators=[MaxLengthValidator(NOTE_MAX_LENGTH)])
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PUBLISHED)
    anchor_status = models.CharField(
        max_length=16, choices=AnchorStatus.choices, default=AnchorStatus.ANCHORED
    )
    anchored_revision = models.PositiveIntegerField(
        default=1, help_text="Article revision number that start/end refer to."
    )
    previous_exact = models.TextField(
        blank=True,
        help_text="For a fuzzy passage: the quote as it read before the edit that changed it.",
    )
    source_id = models.CharField(
        max_length=500,
        blank=True,
        default="",
        db_default="",  # rows written in bulk by SQL alone (COPY) need not name it
        help_text="For an imported passage: the id of the annotation it came from (an IRI).",
    )
    adjudicated = models.BooleanField(
        default=False,
        db_default=False,  # rows written in bulk by SQL alone (COPY) need not name it
        help_text="A coding round's consensus passage (`rounds.Adjudication` says from what).",
    )
    fields = models.JSONField(
        default=dict,
        db_default={},  # rows written in bulk by SQL alone (COPY) need not name it
        blank=True,
        help_text='Values of its tags\' fields: {"<tag slug>.<field>": canonical text}.',
    )
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["article", "start", "end", "id"]
        permissions = [
            ("edit_any_annotation", "Can change and delete passages of any annotator"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__gte=0) & Q(end__gt=F("start")),
                name="annotations_annotation_start_before_end",
            ),
            models.CheckConstraint(
                condition=~Q(exact=""), name="annotations_annotation_exact_not_empty"
            ),
            models.CheckConstraint(
                # An anchored quote is exactly as long as its span (code points).
                condition=~Q(anchor_status="anchored")
                | Q(Exact(Length("exact"), F("end") - F("start"))),
                name="annotations_annotation_anchored_length",
            ),
            models.UniqueConstraint(
                # Re-importing an annotation finds its passage again by this id.
                fields=["source_id"],
                condition=~Q(source_id=""),
                name="annotations_annotation_source_id_unique",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("note"), NOTE_MAX_LENGTH),
                name="annotations_annotation_note_length",
            ),
        ]
        indexes = [
            models.Index(fields=["article", "start"], name="annotations_article_start"),
            models.Index(fields=["status", "-created"], name="annotations_status_created"),
            models.Index(fields=["anchor_status"], name="annotations_anchor_status"),
        ]

    def __str__(self) -> str:
        quote = " ".join(self.exact.split())
        return quote if len(quote) <= 60 else quote[:59] + "…"

    def get_absolute_url(self) -> str:
        return reverse("article-detail", kwargs={"slug": self.article.slug}) + f"#passage-{self.pk}"

    def hold_tags(self, tags) -> None:
        """Let `.tags.all()` answer with these tags (just written) without a query, as a
        prefetch would: Django's prefetch (`prefetch_one_level`) fills the cache this way,
        where taggit's own builds a filtered queryset per passage. For history snapshots
        and answers built right after a write."""
        held = Tag.objects.all()
        held._result_cache = list({tag.pk: tag for tag in tags}.values())
        held._prefetch_done = True
        self._prefetched_objects_cache = {"tags": held}
