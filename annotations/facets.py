"""Maintained facet counts of the unfiltered `/passages/` and `/articles/` listings.

Counting a million passages per tag, outlet and organization on every page view is a
GROUP BY over the whole archive; instead `FacetCount` keeps those totals, for the two
audiences (`public`: published passages of published articles; `staff`: everything).
Filtered listings still aggregate their filtered set (see the QuerySets).

Every count is a sum of per-article contributions, so the write services keep them
right with one rule: `facet_counts_recounted(article_id)` around any write that can
change what an article contributes (its status, outlet or mentions; its passages'
status, organization or tags) subtracts the article's contribution before and adds it
back after, in the write's own transaction. The article rows are locked first, so two
writers to one article take turns, and count rows are updated in a fixed order, so
writers to different articles never deadlock. `facet_counts_rebuild()` recounts
everything (after bulk loads, or `manage.py recount_facets` if ever in doubt).
"""

from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Subquery

from annotations.models import Annotation, FacetCount, Tag, TaggedAnnotation
from annotations.page_cache import corpus_changed
from articles.models import Article, Organization, Outlet

PUBLISHED = "published"
Key = tuple[str, str, str, int]  # (listing, audience, facet, value_id)

OPTION_MODELS = {
    FacetCount.Facet.TAG: Tag,
    FacetCount.Facet.OUTLET: Outlet,
    FacetCount.Facet.ORGANIZATION: Organization,
}


def contributions(article_ids: Iterable[int] | None = None) -> Counter:
    """What the articles (all of them when None) add to every count, in four queries."""
    L, A, Fc = FacetCount.Listing, FacetCount.Audience, FacetCount.Facet
    passages = Annotation.objects.order_by()
    articles = Article.objects.order_by()
    tagged = TaggedAnnotation.objects.order_by()
    mentions = Article.organizations.through.objects.order_by()
    if article_ids is not None:
        ids = sorted(set(article_ids))
        passages = passages.filter(article_id__in=ids)
        articles = articles.filter(pk__in=ids)
        tagged = tagged.filter(content_object__article_id__in=ids)
        mentions = mentions.filter(article_id__in=ids)
    counts: Counter = Counter()

    def add(listing, facet, value_id, n, public):
        counts[(listing, A.STAFF, facet, value_id)] += n
        if public:
            counts[(listing, A.PUBLIC, facet, value_id)] += n

    for outlet_id, status, n in articles.values_list("outlet_id", "status").annotate(n=Count("pk")):
        add(L.ARTICLES, Fc.OUTLET, outlet_id, n, status == PUBLISHED)
        add(L.ARTICLES, Fc.TOTAL, 0, n, status == PUBLISHED)

    # Articles per organization: mentioned, or holding a passage attributed to it.
    org_pairs: dict[tuple[int, int], bool] = {}
    for article_id, org_id, article_status in mentions.values_list(
        "article_id", "organization_id", "article__status"
    ):
        org_pairs[(article_id, org_id)] = article_status == PUBLISHED
    rows = passages.values_list(
        "article_id", "article__outlet_id", "organization_id", "status", "article__status"
    ).annotate(n=Count("pk"))
    for article_id, outlet_id, org_id, status, article_status, n in rows:
        public = status == PUBLISHED and article_status == PUBLISHED
        add(L.PASSAGES, Fc.OUTLET, outlet_id, n, public)
        add(L.PASSAGES, Fc.TOTAL, 0, n, public)
        if org_id is not None:
            add(L.PASSAGES, Fc.ORGANIZATION, org_id, n, public)
            org_pairs[(article_id, org_id)] = org_pairs.get((article_id, org_id), False) or public
    for (_, org_id), public in org_pairs.items():
        add(L.ARTICLES, Fc.ORGANIZATION, org_id, 1, public)

    tag_pairs: dict[tuple[int, int], bool] = {}
    rows = tagged.values_list(
        "content_object__article_id",
        "tag_id",
        "content_object__status",
        "content_object__article__status",
    ).annotate(n=Count("pk"))
    for article_id, tag_id, status, article_status, n in rows:
        public = status == PUBLISHED and article_status == PUBLISHED
        add(L.PASSAGES, Fc.TAG, tag_id, n, public)
        tag_pairs[(article_id, tag_id)] = tag_pairs.get((article_id, tag_id), False) or public
    for (_, tag_id), public in tag_pairs.items():
        add(L.ARTICLES, Fc.TAG, tag_id, 1, public)
    return counts


def _apply(delta: Counter) -> None:
    """Add `delta` to the stored counts, in key order (no deadlocks between writers)."""
    changes = sorted((key, n) for key, n in delta.items() if n)
    if not changes:
        return
    table = connection.ops.quote_name(FacetCount._meta.db_table)
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in ("listing", "audience", "facet", "value_id", "count"))
    conflict = ", ".join(q(c) for c in ("listing", "audience", "facet", "value_id"))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s) "  # noqa: S608
            f"ON CONFLICT ({conflict}) DO UPDATE SET {q('count')} = "
            f"{table}.{q('count')} + excluded.{q('count')}",
            [(*key, n) for key, n in changes],
        )


@contextmanager
def facet_counts_recounted(*article_ids: int, created: bool = False):
    """Keep the counts right across a write that may change what these articles contribute.

    `created=True` when the article did not exist before the write (nothing to subtract).
    """
    ids = sorted(set(article_ids))
    with transaction.atomic():
        list(Article.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
        before = Counter() if created else contributions(ids)
        yield
        after = contributions(ids)
        after.subtract(before)
        _apply(after)


@transaction.atomic
def facet_counts_rebuild() -> None:
    """Recount every facet from scratch."""
    corpus_changed()
    facet_counts_recount_all()


def facet_counts_recount_all() -> None:
    """The recount itself, for migrations older than the corpus version's table."""
    FacetCount.objects.all().delete()
    _apply(contributions())


def facet_total(listing: str, audience: str) -> int:
    row = FacetCount.objects.filter(
        listing=listing, audience=audience, facet=FacetCount.Facet.TOTAL, value_id=0
    ).values_list("count", flat=True)
    return next(iter(row), 0)


def facet_options(listing: str, audience: str, facet: str) -> list[dict]:
    """The options of one facet with their maintained counts, as the QuerySets give them."""
    model = OPTION_MODELS[facet]
    option = model.objects.filter(pk=OuterRef("value_id"))
    rows = (
        FacetCount.objects.filter(listing=listing, audience=audience, facet=facet, count__gt=0)
        .annotate(
            slug=Subquery(option.values("slug")[:1]), name=Subquery(option.values("name")[:1])
        )
        .filter(slug__isnull=False)
        .order_by("-count", "name")
    )
    if facet == FacetCount.Facet.TAG:
        return list(rows.values("slug", "name", "count", tag_id=F("value_id")))
    return list(rows.values("slug", "name", "count"))


def audience_of(user) -> str:
    """Which counts a user sees: the same split as `visible_to()`."""
    if user.is_authenticated and user.is_staff:
        return FacetCount.Audience.STAFF
    return FacetCount.Audience.PUBLIC
