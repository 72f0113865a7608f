""" "Code the echoes too": one action codes a passage's chosen echoes like the passage."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from annotations.actions.passages import create_passage
from annotations.models import Annotation
from articles.models import Article
from audit import services as audit
from echoes.finding import echoes_of, passage_text


@transaction.atomic(durable=True)
def passage_code_echoes(
    *,
    annotation: Annotation,
    echoes: Iterable[tuple[int, int, int]],
    annotator,
    via: str = audit.Via.OTHER,
) -> list[Annotation]:
    """Create, on each chosen echo `(article id, start, end)` of `annotation`, a normal
    passage (through the passage create step: its permission check, history record and
    derived data) with the source passage's tags, organization and status, and its own
    exact text: the echo's words as that article's body has them.

    Every chosen echo must be one of the passage's echoes in the articles `annotator` may
    see, else nothing is written (`not_an_echo`). An echo the annotator has already coded
    at exactly that span is left alone. Returns the passages created, in the order given.
    """
    chosen = list(dict.fromkeys(echoes))
    if not chosen:
        raise ValidationError(
            {"echoes": ValidationError("Choose at least one echo.", code="required")}
        )
    articles = Article.objects.visible_to(annotator)
    found = {
        (e.article_id, e.start, e.end): e
        for e in echoes_of([passage_text(annotation)], articles)[annotation.pk]
    }
    for key in chosen:
        if key not in found:
            article, start, end = key
            raise ValidationError(
                {
                    "echoes": ValidationError(
                        "Article %(article)s has no echo of this passage at %(start)s-%(end)s.",
                        code="not_an_echo",
                        params={"article": article, "start": start, "end": end},
                    )
                }
            )
    tags = list(annotation.tags.all())
    coded = set(
        Annotation.objects.filter(
            annotator=annotator, article_id__in={a for a, _, _ in chosen}
        ).values_list("article_id", "start", "end")
    )
    targets = {a.pk: a for a in Article.objects.filter(pk__in={a for a, _, _ in chosen})}
    created = []
    for key in chosen:
        if key in coded:
            continue
        article_id, start, end = key
        created.append(
            create_passage(
                article=targets[article_id],
                start=start,
                end=end,
                exact=found[key].exact,
                tags=tags,
                organization=annotation.organization_id,
                annotator=annotator,
                status=annotation.status,
                via=via,
            )
        )
    return created
