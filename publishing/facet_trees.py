"""The tag and organization facets as trees: a parent tag counts its sub-tags' rows too,
an organization its affiliates', which is what ticking it finds (`publishing.filters`).

On `/passages/` a row is a passage; on `/articles/` an article, counted once however
many of its passages (or mentions) fall in the family: `article_family_counts`.
"""

from collections.abc import Callable, Mapping

from django.db.models import Count, Q

from annotations.models import TaggedAnnotation
from annotations.tag_tree import tree_order
from articles.models import Article
from cms.trees import ancestors, subtree
from publishing.models import ArticleFacet, FacetCount

# {parent id: the ids of its family (itself and everything under it)} -> {parent id: count}
FamilyCounter = Callable[[Mapping[int, list[int]]], Mapping[int, int]]


def families(nodes: dict) -> dict[int, list[int]]:
    """Every node that has a child, with its family (itself and all below it)."""
    tree = {pk: node.parent_id for pk, node in nodes.items()}
    parents = {parent for parent in tree.values() if parent in nodes}
    return {parent: sorted(subtree([parent], tree)) for parent in sorted(parents)}


def passage_tag_counter(passages) -> FamilyCounter:
    """Per parent tag, the `passages` carrying it or any tag under it (each once): one
    query, a `COUNT(DISTINCT ...) FILTER` per parent over the tagged rows of the families."""

    def count(subtrees):
        involved = sorted({pk for ids in subtrees.values() for pk in ids})
        rolled = TaggedAnnotation.objects.filter(
            content_object_id__in=passages.order_by().values("pk"), tag_id__in=involved
        ).aggregate(
            **{
                f"t{parent}": Count("content_object_id", distinct=True, filter=Q(tag_id__in=ids))
                for parent, ids in subtrees.items()
            }
        )
        return {parent: rolled[f"t{parent}"] or 0 for parent in subtrees}

    return count


def article_family_counts(
    facet: str, subtrees: Mapping[int, list[int]], *, articles=None, audience=None, passages=None
) -> dict[int, int]:
    """Per parent (tag or organization), how many articles count toward it or anything in
    its family, each article once: what `/articles/?tag=` or `?organization=` finds.

    With `audience` (the maintained counts serve the visitor), one query over the
    maintained (article, option) pairs (`ArticleFacet`) of `articles`, or of every
    article the audience may see when `articles` is None. With `passages` (a blind
    coder's: the pairs hold passages they may not see), counted from those passages
    (and, for organizations, the articles' mentions) of `articles`.
    """
    if not subtrees:
        return {}
    involved = sorted({pk for ids in subtrees.values() for pk in ids})
    if passages is None:
        pairs = ArticleFacet.objects.filter(audience=audience, facet=facet, value_id__in=involved)
        if articles is not None:
            pairs = pairs.filter(article_id__in=articles.order_by().values("pk"))
        rolled = pairs.aggregate(
            **{
                f"f{parent}": Count("article_id", distinct=True, filter=Q(value_id__in=ids))
                for parent, ids in subtrees.items()
            }
        )
        return {parent: rolled[f"f{parent}"] or 0 for parent in subtrees}
    ids = articles.order_by().values("pk")
    found: set[tuple[int, int]] = set()
    if facet == FacetCount.Facet.TAG:
        found |= set(
            TaggedAnnotation.objects.filter(
                content_object__in=passages.filter(article__in=ids).order_by().values("pk"),
                tag_id__in=involved,
            ).values_list("content_object__article_id", "tag_id")
        )
    else:
        found |= set(
            Article.organizations.through.objects.filter(
                article_id__in=ids, organization_id__in=involved
            ).values_list("article_id", "organization_id")
        )
        found |= set(
            passages.filter(article_id__in=ids, organization_id__in=involved)
            .order_by()
            .values_list("article_id", "organization_id")
        )
    members = {parent: set(family) for parent, family in subtrees.items()}
    return {
        parent: len({article for article, value in found if value in family})
        for parent, family in members.items()
    }


def tag_tree_options(options: list[dict], counter: FamilyCounter, nodes: dict) -> list[dict]:
    """The tag facet's `options` as a tree: each tag under its parent (with `depth`), and
    each tag that has sub-tags counting the rows carrying it or any tag under it (each row
    once: `counter`, one query for every parent), which is what ticking it alone would
    list (`filter_tag`). Tags without sub-tags keep their own counts. Ancestors of a shown
    option are shown too.

    `nodes`: every tag (`annotations.tag_tree.nodes`). When no tag has a parent the
    options are returned as they are, with no query.
    """
    tree = {pk: node.parent_id for pk, node in nodes.items()}
    subtrees = families(nodes)
    if not subtrees:
        return options
    parents = set(subtrees)
    rolled = counter(subtrees)
    by_slug = {node.slug: node for node in nodes.values()}
    shown: dict[int, dict] = {}
    for option in options:
        node = by_slug.get(option["slug"])
        if node is not None:
            shown[node.pk] = {**option, "tag_id": node.pk}
    for parent in parents:
        count = rolled[parent]
        if parent in shown:
            shown[parent]["count"] = count
        elif count:
            node = nodes[parent]
            shown[parent] = {
                "slug": node.slug,
                "name": node.name,
                "count": count,
                "selected": False,
                "tag_id": node.pk,
            }
    for pk in list(shown):
        for above in ancestors(pk, tree):
            if above not in shown:
                node = nodes[above]
                count = rolled.get(above, 0)
                shown[above] = {
                    "slug": node.slug,
                    "name": node.name,
                    "count": count,
                    "selected": False,
                    "tag_id": node.pk,
                }
    ordered = [
        {**shown[node.pk], "depth": depth} for node, depth in tree_order(nodes) if node.pk in shown
    ]
    # Options the form refused (no such tag) stay, last, so they can be unticked.
    ordered += [option for option in options if option["slug"] not in by_slug]
    return ordered


def organizations_rolled_up(
    options: list[dict], nodes: dict, families_counted: Mapping[int, int] | None = None
) -> list[dict]:
    """The organization facet's `options` with each organization that has affiliates
    counting its affiliates' passages too (at every depth), largest first: what ticking it
    alone finds (`PassageFilterSet.filter_organization`).

    A passage is attributed to one organization at most, so an organization's count is
    its own count plus its affiliates': a sum over `options`, no query. `options` must
    hold every organization of `nodes` that has passages (`nodes`: the organizations in a
    hierarchy, `read_trees`); one with none of its own but with affiliates' is added.
    `families_counted` ({organization id: count} of each organization with affiliates)
    replaces the sums where rows are not passages (`article_family_counts`).
    """
    if not nodes:
        return options
    tree = {pk: node.parent_id for pk, node in nodes.items()}
    by_slug = {node.slug: node for node in nodes.values()}
    rolled: dict[int, int] = {}
    for option in options:
        node = by_slug.get(option["slug"])
        if node is None or not option["count"]:
            continue
        for pk in (node.pk, *ancestors(node.pk, tree)):
            rolled[pk] = rolled.get(pk, 0) + option["count"]
    if families_counted is not None:
        # Articles: one may count toward several of a family (a mention of the parent,
        # a passage attributed to an affiliate), so the families were counted whole.
        rolled = {**rolled, **families_counted}
    result = []
    for option in options:
        node = by_slug.get(option["slug"])
        result.append(option if node is None else {**option, "count": rolled.get(node.pk, 0)})
    shown = {option["slug"] for option in options}
    result += [
        {"slug": node.slug, "name": node.name, "count": rolled[pk]}
        for pk, node in nodes.items()
        if rolled.get(pk) and node.slug not in shown
    ]
    return sorted(result, key=lambda option: (-option["count"], option["name"]))


def organization_tree_options(
    options: list[dict], everything: list[dict], nodes: dict
) -> list[dict]:
    """The organization facet's shown `options` (rolled up, cut to the largest) as a tree:
    each affiliate under its organization (with `depth`), siblings largest first; the
    organizations above a shown one are shown too, with their counts from `everything`
    (`organizations_rolled_up`'s whole answer). No query."""
    if not nodes:
        return options
    tree = {pk: node.parent_id for pk, node in nodes.items()}
    by_slug = {node.slug: node for node in nodes.values()}
    counts = {option["slug"]: option["count"] for option in everything}
    shown = {option["slug"]: option for option in options}
    for option in options:
        node = by_slug.get(option["slug"])
        if node is None:
            continue
        for pk in ancestors(node.pk, tree):
            above = nodes[pk]
            if above.slug not in shown:
                shown[above.slug] = {
                    "slug": above.slug,
                    "name": above.name,
                    "count": counts.get(above.slug, 0),
                    "selected": False,
                }
    children: dict[str | None, list[dict]] = {}
    for slug, option in shown.items():
        node = by_slug.get(slug)
        parent = nodes.get(node.parent_id) if node is not None else None
        children.setdefault(parent.slug if parent is not None else None, []).append(option)
    ordered: list[dict] = []

    def walk(parent: str | None, depth: int) -> None:
        for option in sorted(
            children.get(parent, []), key=lambda o: (-o["count"], o["name"], o["slug"])
        ):
            ordered.append({**option, "depth": depth})
            walk(option["slug"], depth + 1)

    walk(None, 0)
    return ordered
