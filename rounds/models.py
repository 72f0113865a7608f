"""Coding rounds: a set of articles that two or more coders code (blind or open) with the
round's tags, so their agreement can be measured and their passages adjudicated into a
consensus.

A round's passages are the passages its coders made on its articles (any tag; the
agreement reads the tags in scope). Nothing on `Annotation` points at a round: while the
round is open, whether a passage belongs to it is a question of (article, annotator),
answered by `open_round_passage_q()`, which the one visibility rule
(`annotations.models.AnnotationQuerySet`) and the public facet counts
(`publishing.counts`) ask. Consensus passages are ordinary passages marked
`Annotation.adjudicated`, each with the `Adjudication` that made it.

Models only (foreign keys by string label), so `annotations.models` may import this
module for the visibility rule.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse

NAME_MAX_LENGTH = 200
INSTRUCTIONS_MAX_LENGTH = 10_000


class RoundQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=Round.State.OPEN)

    def closed(self):
        return self.filter(state=Round.State.CLOSED)

    def coded_by(self, user):
        return self.filter(coders=user)

    def for_listing(self):
        """Fetch plan of the rounds list: the creator joined, counts annotated."""
        return (
            self.select_related("created_by")
            .annotate(
                article_count=models.Count("articles", distinct=True),
                coder_count=models.Count("coders", distinct=True),
            )
            .order_by("state", "-created", "-pk")
        )


class Round(models.Model):
    """A coding round: `coders` (two or more annotators) code `articles` with `tags`.

    `blind`: while the round is open, a coder sees only their own passages on its
    articles (everywhere: workspace, API, public pages, exports, facet counts). Open
    rounds' passages are never on the public site; closing the round publishes its
    consensus passages and does with the coders' own passages what `coder_passages`
    says (`draft`: they stay, as drafts; `delete`: they are deleted, their history kept).
    `closed` is when the round closed (None while open); `agreement` the figures measured
    then (`rounds.agreement.round_agreement`), so a reported alpha stays what it was.
    """

    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class CoderPassages(models.TextChoices):
        DRAFT = "draft", "Keep the coders' passages, as drafts"
        DELETE = "delete", "Remove the coders' passages (their history stays)"

    name = models.CharField(max_length=NAME_MAX_LENGTH)
    instructions = models.TextField(blank=True)
    blind = models.BooleanField(
        default=True,
        help_text="Coders see only their own passages on the round's articles until it closes.",
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    articles = models.ManyToManyField("articles.Article", related_name="rounds")
    coders = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="coding_rounds")
    tags = models.ManyToManyField("annotations.Tag", related_name="rounds")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rounds_created"
    )
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)
    closed = models.DateTimeField(null=True, blank=True)
    coder_passages = models.CharField(
        max_length=16,
        choices=CoderPassages.choices,
        blank=True,
        help_text="What closing the round did with the coders' own passages.",
    )
    agreement = models.JSONField(
        null=True,
        blank=True,
        help_text="The agreement as measured when the round closed (`rounds.agreement`).",
    )

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="rounds_round_name_not_empty"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("name"), NAME_MAX_LENGTH),
                name="rounds_round_name_length",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("instructions"), INSTRUCTIONS_MAX_LENGTH),
                name="rounds_round_instructions_length",
            ),
            models.CheckConstraint(
                condition=Q(state="open", closed__isnull=True, coder_passages="")
                | Q(state="closed", closed__isnull=False) & ~Q(coder_passages=""),
                name="rounds_round_closed_when_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("round-detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class DoneMark(models.Model):
    """`coder` says they finished coding `article` in `round` (at `marked`)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="done_marks")
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+")
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    marked = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "article", "coder"], name="rounds_donemark_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"round {self.round_id}, article {self.article_id}, coder {self.coder_id}: done"


class Adjudication(models.Model):
    """One decision an editor took on the coders' passages of one article of a round.

    `keep` one coder's passage, `merge` several into their joint span, `edit` a span of
    the editor's choosing, or `reject` them all. The first three create the consensus
    passage `passage` (marked `adjudicated`, a draft until the round closes); `sources`
    are the coded passages the decision was about, and `sources_snapshot` how they read
    then (id, annotator, start, end, exact, tags), which outlives their deletion.
    """

    class Decision(models.TextChoices):
        KEEP = "keep", "Keep one coder's passage"
        MERGE = "merge", "Merge the passages"
        EDIT = "edit", "Edit the span"
        REJECT = "reject", "Reject"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="adjudications")
    article = models.ForeignKey("articles.Article", on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=16, choices=Decision.choices)
    passage = models.OneToOneField(
        "annotations.Annotation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adjudication",
        help_text="The consensus passage (none for a rejection).",
    )
    sources = models.ManyToManyField(
        "annotations.Annotation", related_name="adjudications_from", blank=True
    )
    sources_snapshot = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "article", "pk"]

    def __str__(self) -> str:
        return f"{self.decision} (round {self.round_id}, article {self.article_id})"


def open_round_passage_q(*, prefix: str = "", blind_only: bool = False) -> Exists:
    """Passages that belong to an open round (blind ones only, with `blind_only`): their
    annotator codes, in that round, their article. An expression on `Annotation` (on a
    model relating to it with `prefix`, e.g. `"content_object__"`)."""
    rounds = Round.objects.filter(
        state=Round.State.OPEN,
        articles=OuterRef(f"{prefix}article_id"),
        coders=OuterRef(f"{prefix}annotator_id"),
    )
    if blind_only:
        rounds = rounds.filter(blind=True)
    return Exists(rounds)


def blind_articles_of(user):
    """Ids of the articles `user` codes in open blind rounds (a subquery, not a list).

    Nested IN subqueries rather than joins: a listing's count over the passages then
    joins nothing (tests/annotations/test_admin_changelist.py)."""
    coded = Round.coders.through.objects.filter(user=user).values("round_id")
    rounds = Round.objects.filter(state=Round.State.OPEN, blind=True, pk__in=coded).values("pk")
    return Round.articles.through.objects.filter(round_id__in=rounds).values("article_id")


def open_round_articles_of(user):
    """The (round, article) rows of the open rounds `user` codes (a queryset)."""
    return Round.articles.through.objects.filter(round__state=Round.State.OPEN, round__coders=user)
