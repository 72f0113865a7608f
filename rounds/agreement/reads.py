"""Agreement of a coding round, or of any annotators on any articles: the read side.

Fetches what the computation needs in four queries whatever the size (the articles' slugs
and lengths, the coders, the tags, and one row per passage and tag in scope, as plain
values), then hands plain tuples to `unitizing` and `attribution`.

The continuum is the articles joined end to end in ascending id (or in the order the
caller names them), in code points. Passages counted: the coders' own passages on those
articles with a tag in scope; not consensus passages (`adjudicated`), not orphaned ones
(their offsets point at text that is gone).
"""

from django.contrib.auth import get_user_model
from django.db.models.functions import Length

from annotations.models import Annotation, Tag, TaggedAnnotation
from articles.models import Article
from rounds.agreement.attribution import Passage, attribution_alpha
from rounds.agreement.unitizing import UnitizingAgreement, unitizing_alpha

ROW_FIELDS = (
    "content_object_id",
    "content_object__article_id",
    "content_object__annotator_id",
    "content_object__start",
    "content_object__end",
    "content_object__organization_id",
    "tag_id",
)


def round_agreement(round, articles=None, tags=None) -> dict:
    """The agreement of `round`'s coders on its articles (or `articles`, in that order)
    over its tags (or `tags`)."""
    if articles is None:
        articles = round.articles.order_by("pk")
    if tags is None:
        tags = round.tags.all()
    return annotator_agreement(round.coders.all(), articles, tags)


def annotator_agreement(users, articles=None, tags=None) -> dict:
    """The agreement of `users` (two or more) on `articles` over `tags`.

    `articles` in continuum order; None: those every user has a passage on, ascending id.
    `tags`: None means every tag the users put on those articles' passages. Returns the JSON
    shape of `manage.py agreement --format json` (README, Agreement).
    """
    coders = sorted(_pairs(users, get_user_model(), "username"), key=lambda c: c[1])
    if len(coders) < 2:
        raise ValueError("agreement needs two or more annotators")
    coder_ids = [pk for pk, _ in coders]
    username = dict(coders)
    if articles is None:
        articles = _shared_articles(coder_ids, tags)
    article_rows = _article_rows(articles)
    article_ids = [pk for pk, *_ in article_rows]
    if tags is None:
        tags = Tag.objects.filter(
            tagged_annotations__content_object__in=_passages(coder_ids, article_ids)
        ).distinct()
    tag_rows = sorted(_pairs(tags, Tag, "name"), key=lambda t: t[1])
    rows = list(
        TaggedAnnotation.objects.filter(
            content_object__in=_passages(coder_ids, article_ids),
            tag_id__in=[pk for pk, _ in tag_rows],
        )
        .order_by()
        .values_list(*ROW_FIELDS)
    )
    return _compute(article_rows, coders, username, tag_rows, rows)


def _pairs(objects, model, field: str) -> list[tuple[int, str]]:
    """(pk, field) of a queryset or of a list of rows (one query, none for a list)."""
    if hasattr(objects, "values_list"):
        return list(objects.order_by().values_list("pk", field))
    return [(obj.pk, getattr(obj, field)) for obj in objects]


def _passages(coder_ids: list[int], article_ids: list[int]):
    return (
        Annotation.objects.filter(
            annotator_id__in=coder_ids, article_id__in=article_ids, adjudicated=False
        )
        .exclude(anchor_status=Annotation.AnchorStatus.ORPHANED)
        .order_by()
    )


def _shared_articles(coder_ids: list[int], tags) -> list[int]:
    """Ids of the articles every coder has a passage on (with a tag in `tags`, if given)."""
    passages = Annotation.objects.filter(annotator_id__in=coder_ids, adjudicated=False).exclude(
        anchor_status=Annotation.AnchorStatus.ORPHANED
    )
    if tags is not None:
        passages = passages.filter(tags__in=tags)
    coded: dict[int, set[int]] = {}
    pairs = passages.order_by().values_list("article_id", "annotator_id").distinct()
    for article_id, annotator_id in pairs:
        coded.setdefault(article_id, set()).add(annotator_id)
    return sorted(a for a, who in coded.items() if len(who) == len(coder_ids))


def _article_rows(articles) -> list[tuple[int, str, int]]:
    """(id, slug, length in code points) in continuum order, in one query."""
    if hasattr(articles, "values_list"):
        ordered = None if articles.query.order_by else "pk"
        qs = articles.annotate(length=Length("body"))
        if ordered:
            qs = qs.order_by(ordered)
        return list(qs.values_list("pk", "slug", "length"))
    ids = [a if isinstance(a, int) else a.pk for a in articles]
    found = {
        pk: (pk, slug, length)
        for pk, slug, length in Article.objects.filter(pk__in=ids)
        .annotate(length=Length("body"))
        .values_list("pk", "slug", "length")
    }
    return [found[pk] for pk in ids if pk in found]


def _compute(article_rows, coders, username, tag_rows, rows) -> dict:
    tag_name = dict(tag_rows)
    names = [name for _, name in tag_rows]
    users = [name for _, name in coders]
    starts: dict[int, int] = {}
    length = 0
    for pk, _, article_length in article_rows:
        starts[pk] = length
        length += article_length
    units = []
    by_article: dict[int, list] = {pk: [] for pk, *_ in article_rows}
    passages: dict[int, Passage] = {}
    for passage_id, article_id, annotator_id, start, end, organization_id, tag_id in rows:
        coder, tag = username[annotator_id], tag_name[tag_id]
        offset = starts[article_id]
        units.append((coder, tag, offset + start, offset + end))
        by_article[article_id].append((coder, tag, start, end))
        passages[passage_id] = Passage(coder, article_id, start, end, organization_id)
    overall = unitizing_alpha(units, length=length, coders=users, categories=names)
    per_article = {}
    for pk, slug, article_length in article_rows:
        result = unitizing_alpha(
            by_article[pk], length=article_length, coders=users, categories=names
        )
        per_article[slug] = {
            **_summary(result),
            "units": {
                user: sum(c.units[user] for c in result.categories.values()) for user in users
            },
            "tags": {
                name: {"alpha": c.alpha, "reason": c.reason}
                for name, c in result.categories.items()
            },
        }
    attribution = attribution_alpha(passages.values(), coders=users)
    return {
        "annotators": users,
        "articles": [slug for _, slug, _ in article_rows],
        "length": length,
        "tags": {
            name: {
                "alpha": c.alpha,
                "observed": c.observed,
                "expected": c.expected,
                "units": c.units,
                "reason": c.reason,
            }
            for name, c in overall.categories.items()
        },
        "overall": _summary(overall),
        "per_article": per_article,
        "attribution": {
            "alpha": attribution.alpha,
            "pairs": attribution.pairs,
            "agreeing": attribution.agreeing,
            "reason": attribution.reason,
        },
    }


def _summary(result: UnitizingAgreement) -> dict:
    return {
        "alpha": result.alpha,
        "observed": result.observed,
        "expected": result.expected,
        "reason": result.reason,
    }
