"""Reads of the derived facet tables: the listings' facet options and their counts.

Unfiltered listings read `FacetCount` (`facet_options`); the articles listing's tag
and organization facets, when filtered, group the matched articles' `ArticleFacet`
pairs. Both are written by `publishing.counts`.
"""

from collections.abc import Iterable

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import Count, F

from annotations.models import Tag, TaggedAnnotation
from articles.models import Article, Organization, Outlet
from articles.visibility import sees_drafts
from publishing.models import ArticleFacet, FacetCount
from rounds.models import Round

OPTION_MODELS = {
    FacetCount.Facet.TAG: Tag,
    FacetCount.Facet.OUTLET: Outlet,
    FacetCount.Facet.ORGANIZATION: Organization,
}


def facet_options(
    listing: str,
    audience: str,
    facets: Iterable[str],
    *,
    total: bool = False,
    largest: int | None = None,
    selected: Iterable[str] = (),
    kept_organizations: Iterable[int] = (),
) -> dict[str, list[dict] | int]:
    """Facets' options with their maintained counts, and the row count, in one query.

    Per facet in `facets`: its options largest first (ties by name) as the QuerySets'
    facet methods give them; only the `largest` first, plus any whose slug is in
    `selected` and the organizations whose id is in `kept_organizations` (those a facet
    rolls up), when `largest` is given. With `total`, the listing's row count under
    "total". One query whatever the number of facets: the options' names are joined
    in (a correlated lookup per option and column cost more than the count).
    """
    facets = list(facets)
    q = connection.ops.quote_name
    names = {
        FacetCount.Facet.TAG: "t",
        FacetCount.Facet.OUTLET: "o",
        FacetCount.Facet.ORGANIZATION: "g",
    }
    joins = " ".join(
        f"LEFT JOIN {q(OPTION_MODELS[facet]._meta.db_table)} {alias} "
        f"ON f.{q('facet')} = %s AND {alias}.{q('id')} = f.{q('value_id')}"
        for facet, alias in names.items()
    )
    slug = "COALESCE(" + ", ".join(f"{alias}.{q('slug')}" for alias in names.values()) + ")"
    name = "COALESCE(" + ", ".join(f"{alias}.{q('name')}" for alias in names.values()) + ")"
    wanted = facets + ([FacetCount.Facet.TOTAL] if total else [])
    if not wanted:
        return {}
    params: list = [*names, listing, audience, *wanted, FacetCount.Facet.TOTAL]
    kept = ""
    if largest is not None:
        chosen = sorted(set(selected))
        kept_ids = sorted(set(kept_organizations))
        kept = " WHERE ranked.rank <= %s"
        params.append(largest)
        if chosen:
            kept += f" OR ranked.slug IN ({', '.join(['%s'] * len(chosen))})"
            params += chosen
        if kept_ids:
            kept += (
                f" OR (ranked.facet = %s AND ranked.value_id IN "
                f"({', '.join(['%s'] * len(kept_ids))}))"
            )
            params += [FacetCount.Facet.ORGANIZATION, *kept_ids]
    table = q(FacetCount._meta.db_table)
    sql = (
        "SELECT ranked.facet, ranked.count, ranked.slug, ranked.name, ranked.value_id FROM ("  # noqa: S608
        f"SELECT f.{q('facet')} AS facet, f.{q('count')} AS count, f.{q('value_id')} AS value_id, "
        f"{slug} AS slug, {name} AS name, ROW_NUMBER() OVER (PARTITION BY f.{q('facet')} "
        f"ORDER BY f.{q('count')} DESC, {name} ASC) AS rank "
        f"FROM {table} f {joins} "
        f"WHERE f.{q('listing')} = %s AND f.{q('audience')} = %s "
        f"AND f.{q('facet')} IN ({', '.join(['%s'] * len(wanted))}) AND f.{q('count')} > 0 "
        f"AND (f.{q('facet')} = %s OR {slug} IS NOT NULL)"
        f") ranked{kept} ORDER BY ranked.facet, ranked.rank"
    )
    result: dict[str, list[dict] | int] = {facet: [] for facet in facets}
    if total:
        result[FacetCount.Facet.TOTAL] = 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for facet, count, option_slug, option_name, value_id in cursor.fetchall():
            if facet == FacetCount.Facet.TOTAL:
                result[facet] = count
            elif facet == FacetCount.Facet.TAG:
                result[facet].append(
                    {"slug": option_slug, "name": option_name, "count": count, "tag_id": value_id}
                )
            else:
                result[facet].append({"slug": option_slug, "name": option_name, "count": count})
    return result


def audience_of(user) -> str:
    """Which counts a user sees: the same split as `visible_to()`."""
    if sees_drafts(user):
        return FacetCount.Audience.STAFF
    return FacetCount.Audience.PUBLIC


def counts_maintained_for(user) -> bool:
    """Whether the maintained counts may serve `user` (one query for staff).

    Not for a coder of an open blind round: the staff counts hold the other coders'
    passages on the round's articles, which that coder may not see, not even as a
    number. Their listings count the rows they see instead (`FacetedListMixin`).
    """
    if not sees_drafts(user):
        return True
    return not Round.objects.open().filter(blind=True, coders=user).exists()


def visible_article_tag_facets(articles, passages) -> list[dict]:
    """Per tag: how many of `articles` hold one of `passages` carrying it (one query);
    the maintained pairs' answer computed from the rows a blind coder sees."""
    rows = (
        TaggedAnnotation.objects.filter(
            content_object__in=passages.filter(article__in=articles.order_by().values("pk"))
            .order_by()
            .values("pk")
        )
        .values("tag_id", slug=F("tag__slug"), name=F("tag__name"))
        .annotate(count=Count("content_object__article_id", distinct=True))
        .order_by("-count", "name")
    )
    return list(rows)


def visible_article_organization_facets(articles, passages) -> list[dict]:
    """Per organization: how many of `articles` mention it or hold one of `passages`
    attributed to it (two queries), as `article_organization_facets` counts them."""
    ids = articles.order_by().values("pk")
    pairs = set(
        Article.organizations.through.objects.filter(article_id__in=ids).values_list(
            "article_id", "organization_id", "organization__slug", "organization__name"
        )
    )
    pairs |= set(
        passages.filter(article_id__in=ids, organization__isnull=False)
        .order_by()
        .values_list("article_id", "organization_id", "organization__slug", "organization__name")
        .distinct()
    )
    counts: dict[tuple[str, str], int] = {}
    for _, _, slug, name in pairs:
        counts[(slug, name)] = counts.get((slug, name), 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0][1]))
    return [{"slug": slug, "name": name, "count": n} for (slug, name), n in ranked]


def article_organization_facets(articles, audience: str) -> list[dict]:
    """Per organization: how many of `articles` mention it or hold a passage attributed
    to it that `audience` may see (`ArticleFacet`, one query)."""
    return _maintained_facets(articles, audience, "organization", Organization, id_key=None)


def article_tag_facets(articles, audience: str) -> list[dict]:
    """Per tag: how many of `articles` hold a passage carrying it that `audience` may see
    (`ArticleFacet`, one query); each option also gives its `tag_id`."""
    return _maintained_facets(articles, audience, "tag", Tag, id_key="tag_id")


def _maintained_facets(
    articles, audience: str, facet: str, option_model, *, id_key: str | None
) -> list[dict]:
    """One GROUP BY over the maintained (article, option) pairs of `articles`.

    Counting through the passages joined every passage of the articles with its tags;
    the pairs are an index-only scan of a few rows per article
    (`publishing.models.ArticleFacet`; figures in README, Performance).
    """
    connection = connections[articles.db]
    try:
        ids_sql, ids_params = (
            articles.order_by().values("pk").query.get_compiler(connection=connection).as_sql()
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
