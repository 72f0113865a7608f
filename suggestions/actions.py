"""Answering a suggestion: accept it (a passage, through the passage action's own step) or
dismiss it (remembered for that coder and article). Both are counted per kind."""

from collections.abc import Mapping, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from annotations.actions.passages import create_passage
from annotations.actions.resolve import resolve_span
from annotations.models import Annotation, Tag
from articles.models import Article, Organization
from audit import services as audit
from suggestions.models import SuggestionDecision


def check_kind(kind) -> str:
    if kind not in SuggestionDecision.Kind.values:
        raise ValidationError(
            {
                "suggestion": ValidationError(
                    "A suggestion's kind is one of: %(kinds)s.",
                    code="invalid_suggestion_kind",
                    params={"kinds": ", ".join(SuggestionDecision.Kind.values)},
                )
            }
        )
    return kind


def _check_coder(coder) -> None:
    if not (coder and coder.is_authenticated and coder.is_active and coder.is_staff) or not (
        coder.has_perm("annotations.add_annotation")
    ):
        raise PermissionDenied("Only annotators and editors answer suggestions.")


@transaction.atomic(durable=True)
def suggestion_dismiss(
    *,
    article: Article,
    coder,
    kind: str,
    start: int,
    end: int,
    exact: str,
    via: str = audit.Via.OTHER,
) -> tuple[SuggestionDecision, bool]:
    """Dismiss the suggestion of `kind` at code points [start, end) of `article` for
    `coder`; `(decision, created)`: dismissing it again changes nothing."""
    _check_coder(coder)
    check_kind(kind)
    article = Article.objects.select_for_update().only("id", "body").get(pk=article.pk)
    text = resolve_span(body=article.body, start=start, end=end, exact=exact)
    existing = (
        SuggestionDecision.objects.dismissed()
        .filter(article=article, coder=coder, kind=kind, start=start, end=end)
        .first()
    )
    if existing is not None:
        return existing, False
    decision = SuggestionDecision(
        article=article,
        coder=coder,
        kind=kind,
        outcome=SuggestionDecision.Outcome.DISMISSED,
        start=start,
        end=end,
        exact=text,
    )
    decision.full_clean()
    decision.save()
    audit.record(decision, action=audit.Action.CREATE, actor=coder, via=via)
    return decision, True


@transaction.atomic(durable=True)
def suggestion_accept(
    *,
    kind: str,
    article: Article,
    start: int,
    end: int,
    exact: str,
    tags: Sequence[str | Tag] = (),
    organization: Organization | int | None = None,
    note: str = "",
    fields: Mapping | None = None,
    annotator,
    status: str = Annotation.Status.PUBLISHED,
    via: str = audit.Via.OTHER,
) -> Annotation:
    """Create a passage from a suggestion of `kind` (as `annotation_create` does, with the
    coding the coder settled on, whatever was proposed) and count the acceptance."""
    _check_coder(annotator)
    check_kind(kind)
    annotation = create_passage(
        article=article,
        start=start,
        end=end,
        exact=exact,
        tags=tags,
        organization=organization,
        note=note,
        fields=fields,
        annotator=annotator,
        status=status,
        via=via,
    )
    decision = SuggestionDecision(
        article=article,
        coder=annotator,
        kind=kind,
        outcome=SuggestionDecision.Outcome.ACCEPTED,
        start=annotation.start,
        end=annotation.end,
        exact=annotation.exact,
        passage=annotation,
    )
    decision.save()
    audit.record(decision, action=audit.Action.CREATE, actor=annotator, via=via)
    return annotation
