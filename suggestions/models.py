"""What coders answered to the machine's suggestions: each accepted or dismissed one."""

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q
from django.utils import timezone


class SuggestionDecisionQuerySet(models.QuerySet):
    def dismissed(self):
        return self.filter(outcome=SuggestionDecision.Outcome.DISMISSED)

    def accepted(self):
        return self.filter(outcome=SuggestionDecision.Outcome.ACCEPTED)

    def by(self, coder):
        return self.filter(coder=coder)

    def tallies(self) -> dict[str, dict[str, int]]:
        """`{kind: {"accepted": n, "dismissed": n}}` for every kind (one GROUP BY query)."""
        counts = {
            kind: dict.fromkeys(SuggestionDecision.Outcome.values, 0)
            for kind in SuggestionDecision.Kind.values
        }
        rows = self.order_by().values_list("kind", "outcome").annotate(n=Count("pk"))
        for kind, outcome, n in rows:
            counts[kind][outcome] = n
        return counts


class SuggestionDecision(models.Model):
    """One coder's answer to one suggestion on one article.

    `accepted`: the coder made a passage from it (`passage`, null once that passage is
    deleted); `dismissed`: the coder said no, and it is not offered to them again while the
    text at `start`/`end` (code-point indices into `article.body` as it read then) is still
    `exact`. Counted per kind, so an editor can see how good the suggestions are.
    """

    class Kind(models.TextChoices):
        QUOTE = "quote", "Quotation"
        STATISTIC = "statistic", "Statistic"
        MENTION = "mention", "Organization mention"

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="suggestion_decisions"
    )
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suggestion_decisions"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    start = models.PositiveIntegerField(help_text="Code-point offset of the first character.")
    end = models.PositiveIntegerField(help_text="Code-point offset just after the last character.")
    exact = models.TextField(help_text="The suggested text, body[start:end] when decided.")
    passage = models.ForeignKey(
        "annotations.Annotation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestion_decisions",
        help_text="For an accepted suggestion: the passage made from it.",
    )
    created = models.DateTimeField(default=timezone.now)

    objects = SuggestionDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__gte=0) & Q(end__gt=F("start")),
                name="suggestions_suggestiondecision_start_before_end",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["quote", "statistic", "mention"]),
                name="suggestions_suggestiondecision_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["accepted", "dismissed"]),
                name="suggestions_suggestiondecision_outcome_known",
            ),
            models.UniqueConstraint(
                # A coder dismisses a suggestion once.
                fields=["article", "coder", "kind", "start", "end"],
                condition=Q(outcome="dismissed"),
                name="suggestions_suggestiondecision_dismissed_once",
            ),
        ]
        indexes = [
            models.Index(fields=["article", "coder"], name="suggestions_article_coder"),
        ]

    def __str__(self) -> str:
        quote = " ".join(self.exact.split())
        quote = quote if len(quote) <= 50 else quote[:49] + "…"
        return f"{self.get_outcome_display()} {self.kind}: {quote}"
