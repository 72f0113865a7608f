"""Writes of the maintained facet counts of the unfiltered `/passages/` and `/articles/`
listings (the reads are `publishing.facets`).

Counting a million passages per tag, outlet and organization on every page view is a
GROUP BY over the whole archive; instead `FacetCount` keeps those totals, for the two
audiences (`public`: published passages of published articles; `staff`: everything).
Filtered listings still aggregate their filtered set (see the QuerySets).

Every count is a sum of per-article contributions, so the actions keep them right
with one rule, applied by their write hook (`publishing.hooks.corpus_write(article_id)`):
around any write that can change what an article contributes (its status, outlet or
mentions; its passages' status, organization or tags) the article's contribution is
subtracted before and added back after (`Recount`).
The article rows are locked first, so two writers to one article take turns; the count
rows and the corpus version change once the write has committed, a statement each, the
count rows in key order, so writers never deadlock and never queue on them for longer
than a statement (`count_deltas_add`; why in `publishing.hooks`).
`publishing.rebuild.facet_counts_rebuild()` recounts everything (after bulk loads, or
`manage.py recount_facets` if ever in doubt).

The same contributions keep `ArticleFacet`, the per-article (article, option) pairs the
articles listing's tag and organization facets count when filtered: the pairs an
article had before the write and has after are compared, and only the difference is
deleted or inserted.
"""

import functools
from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from annotations.models import Annotation, TaggedAnnotation
from articles.models import Article
from articles.visibility import PUBLISHED
from publishing.cross_cells import (
    CROSS,
    cell_add,
    cell_gone,
    cells_forget,
    sums_without,
)
from publishing.models import ArticleFacet, CrossCount, FacetCount
from publishing.passage_delta import ArticleAdditions, month_number
from publishing.version import corpus_changed, corpus_changed_committed
from rounds.models import Round, open_round_passage_q

Key = tuple[str, str, str, int]  # (listing, audience, facet, value_id)
# Rows per upsert of count deltas: 6 parameters each, under SQLite's 999-variable limit of
# old builds.
ADD_BATCH = 150
T = CrossCount.Table


Pair = tuple[int, str, str, int]  # an ArticleFacet row: (article_id, audience, facet, value_id)


def contributions(article_ids: Iterable[int] | None = None) -> Counter:
    """What the articles (all of them when None) add to every count, in four queries."""
    return tally(article_ids, with_pairs=False)[0]


def tally(
    article_ids: Iterable[int] | None = None, *, with_pairs: bool = True
) -> tuple[Counter, set[Pair]]:
    """The articles' contributions to every count, and (unless `with_pairs` is false: a
    whole archive has millions) their `ArticleFacet` pairs."""
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
    rows = (
        passages.annotate(in_round=open_round_passage_q() & Q(adjudicated=False))
        .values_list(
            "article_id",
            "article__outlet_id",
            "organization_id",
            "status",
            "article__status",
            "in_round",
        )
        .annotate(n=Count("pk"))
    )
    for article_id, outlet_id, org_id, status, article_status, in_round, n in rows:
        public = status == PUBLISHED and article_status == PUBLISHED and not in_round
        add(L.PASSAGES, Fc.OUTLET, outlet_id, n, public)
        add(L.PASSAGES, Fc.TOTAL, 0, n, public)
        if org_id is not None:
            add(L.PASSAGES, Fc.ORGANIZATION, org_id, n, public)
            org_pairs[(article_id, org_id)] = org_pairs.get((article_id, org_id), False) or public
    found: set[Pair] = set()

    def pair(article_id, facet, value_id, public):
        add(L.ARTICLES, facet, value_id, 1, public)
        if with_pairs:
            found.add((article_id, A.STAFF, facet, value_id))
            if public:
                found.add((article_id, A.PUBLIC, facet, value_id))

    for (article_id, org_id), public in org_pairs.items():
        pair(article_id, Fc.ORGANIZATION, org_id, public)

    # The tagged passages, by article, tag and what the analysis tables cross tags with.
    tag_pairs: dict[tuple[int, int], bool] = {}
    rows = (
        tagged.annotate(
            in_round=open_round_passage_q(prefix="content_object__")
            & Q(content_object__adjudicated=False),
            month=TruncMonth("content_object__article__published"),
        )
        .values_list(
            "content_object__article_id",
            "tag_id",
            "content_object__status",
            "content_object__article__status",
            "in_round",
            "content_object__article__outlet_id",
            "content_object__organization_id",
            "month",
        )
        .annotate(n=Count("pk"))
    )

    def cross(table, row, col, n, public):
        for audience in (A.STAFF, A.PUBLIC) if public else (A.STAFF,):
            cell_add(counts, audience, table, row, col, n)

    for article_id, tag_id, status, article_status, in_round, outlet_id, org_id, month, n in rows:
        public = status == PUBLISHED and article_status == PUBLISHED and not in_round
        add(L.PASSAGES, Fc.TAG, tag_id, n, public)
        cross(T.TAG_OUTLET, tag_id, outlet_id, n, public)
        cross(T.MONTH_TAG, month_number(month), tag_id, n, public)
        if org_id is not None:
            cross(T.ORGANIZATION_TAG, org_id, tag_id, n, public)
        tag_pairs[(article_id, tag_id)] = tag_pairs.get((article_id, tag_id), False) or public
    by_article: dict[int, list[tuple[int, bool]]] = {}
    for (article_id, tag_id), public in tag_pairs.items():
        pair(article_id, Fc.TAG, tag_id, public)
        by_article.setdefault(article_id, []).append((tag_id, public))
    for tags in by_article.values():  # articles holding both tags of a pair
        for a, public_a in tags:
            for b, public_b in tags:
                cross(T.COOCCURRENCE, a, b, 1, public_a and public_b)
    return counts, found


def stored_counts() -> Counter:
    """The stored counts and cells (not zero), keyed as `tally()` keys them: what a
    recount from scratch must give back."""
    counts = Counter(
        {
            (row.listing, row.audience, row.facet, row.value_id): row.count
            for row in FacetCount.objects.exclude(count=0)
        }
    )
    for audience, table, row_key, col_key, n in (
        CrossCount.objects.exclude(count=0)
        .exclude(table=T.BUILT)
        .values_list("audience", "table", "row_key", "col_key", "count")
    ):
        counts[(CROSS, audience, table, row_key, col_key)] = n
    return counts


def counts_add(delta: Counter) -> None:
    """Add `delta` to the stored counts, in key order (no deadlocks between writers)."""
    counts = sorted((key, n) for key, n in delta.items() if n and key[0] != CROSS)
    cells = sorted((key[1:], n) for key, n in delta.items() if n and key[0] == CROSS)
    _add_counts(FacetCount, ("listing", "audience", "facet", "value_id"), counts)
    _add_counts(CrossCount, ("audience", "table", "row_key", "col_key"), cells)


def _add_counts(model, key: tuple[str, ...], changes: list[tuple[tuple, int]]) -> None:
    """Add each (key, n) of `changes` to the `count` of `model`'s row with that key,
    creating rows that are not there: one multi-row statement per `ADD_BATCH` rows (a
    write's few dozen in one round trip; the keys are distinct, as an upsert needs)."""
    if not changes:
        return
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    columns = ", ".join(q(c) for c in key)
    row = "(" + ", ".join(["%s"] * (len(key) + 1)) + ")"
    with connection.cursor() as cursor:
        for first in range(0, len(changes), ADD_BATCH):
            batch = changes[first : first + ADD_BATCH]
            cursor.execute(
                f"INSERT INTO {table} ({columns}, {q('count')}) "  # noqa: S608
                f"VALUES {', '.join([row] * len(batch))} "
                f"ON CONFLICT ({columns}) DO UPDATE SET {q('count')} = "
                f"{table}.{q('count')} + excluded.{q('count')}",
                [value for k, n in batch for value in (*k, n)],
            )


def _gone(key: tuple, gone: set[tuple[str, int]]) -> bool:
    """Whether a count's key names an option deleted in this write."""
    if key[0] == CROSS:
        return cell_gone(key, gone)
    return (FacetCount.Facet(key[2]).value, key[3]) in gone


class Recount:
    """The articles one write may change, and what they contributed before it.

    `publishing.hooks.corpus_write` holds one: `recount(*ids)` before the rows change
    (locks the articles, tallies them), `forget(facet, id)` when an option itself goes
    (a tag, outlet or organization deleted), `apply()` once the write is done (tallies
    again, stores the difference, and drops the rows of the options that went).

    A write that only adds passages to an article declares it with `adding=True` and
    reports each new passage (`added`): what it adds is worked out from the passage and
    the article's pairs (`publishing.passage_delta`), with no tally before or after. If a
    later step of the same write recounts that article after all, its contribution before
    the write is the tally less what the passages added.
    """

    def __init__(self):
        self.ids: list[int] = []
        self.before: Counter = Counter()
        self.pairs_before: set[Pair] = set()
        self.forgotten: set[tuple[str, int]] = set()
        # Articles that only gain passages in this write: (outlet, status, published, in an
        # open round) as read under the lock, and what their new passages add (made at the first).
        self.adding: dict[int, tuple] = {}
        self.additions: dict[int, ArticleAdditions] = {}

    def forget(self, facet: str, value_id: int) -> None:
        """The option `value_id` of `facet` is deleted in this write: its count rows (every
        listing and audience) and article pairs go with it, instead of staying behind."""
        self.forgotten.add((FacetCount.Facet(facet).value, value_id))

    def recount(self, *article_ids: int, created: bool = False, adding: bool = False) -> None:
        """Count these articles again at the end of the write; `created=True` when they did
        not exist before it (nothing to subtract); `adding=True` when the write only adds
        passages to them, each reported with `added` (nothing tallied)."""
        ids = sorted(set(article_ids) - set(self.ids) - self.adding.keys())
        if ids:
            if adding:
                self.adding.update((pk, tuple(rest)) for pk, *rest in _lock_adding(ids))
                return
            list(Article.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
        if adding:
            return
        # Articles that gained passages earlier in this write and now change otherwise.
        ids += sorted(set(article_ids) & self.adding.keys())
        if not ids:
            return
        if not created:
            before, pairs = tally(ids)
            for additions in (self.additions.get(pk) for pk in ids):
                if additions is not None:
                    before.subtract(additions.delta)
                    pairs -= additions.new_pairs
            self.before.update(before)
            self.pairs_before |= pairs
        for pk in ids:
            self.adding.pop(pk, None)
            self.additions.pop(pk, None)
        self.ids.extend(ids)

    def added(self, passage, tag_ids: Iterable[int]) -> None:
        """A new passage, saved with these tags, of an article this write recounts."""
        pk = passage.article_id
        if pk in self.adding:
            if pk not in self.additions:
                self.additions[pk] = ArticleAdditions(pk, *self.adding[pk])
            self.additions[pk].add(
                organization_id=passage.organization_id,
                status=passage.status,
                adjudicated=passage.adjudicated,
                annotator_id=passage.annotator_id,
                tag_ids=tag_ids,
            )
        elif pk not in self.ids:
            raise ValueError(f"article {pk} is not part of this write")

    def apply(self) -> Counter:
        """Store the articles' `ArticleFacet` changes and drop the rows of the options that
        went; returns the count delta (stored by `count_deltas_add`, which the write hook
        calls), less the options that went: their rows are gone."""
        after = Counter()
        removed: set[Pair] = set()
        added: set[Pair] = set()
        if self.ids:
            after, pairs_after = tally(self.ids)
            after.subtract(self.before)
            removed, added = self.pairs_before - pairs_after, pairs_after - self.pairs_before
        for additions in self.additions.values():
            after.update(additions.delta)
            added |= additions.new_pairs
        if removed or added:
            _apply_pairs(removed=removed, added=added)
        for facet, value_id in sorted(self.forgotten):
            after.update(sums_without(facet, value_id, after))
            FacetCount.objects.filter(facet=facet, value_id=value_id).delete()
            ArticleFacet.objects.filter(facet=facet, value_id=value_id).delete()
            cells_forget(facet, value_id)
        return Counter({k: n for k, n in after.items() if not _gone(k, self.forgotten)})


def _lock_adding(ids: list[int]) -> list[tuple]:
    """Lock these articles (in id order) and read what their new passages' counts need:
    (id, outlet, status, published, whether an open round holds it: its coders are asked
    only then). Plain SQL: on every create, building the ORM's query cost more than
    running it."""
    q = connection.ops.quote_name
    article, rounds = q(Article._meta.db_table), q(Round._meta.db_table)
    round_articles = q(Round.articles.through._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    # Every name is a model's own table or column, quoted; the ids are parameters.
    sql = (
        f"SELECT a.{q('id')}, a.{q('outlet_id')}, a.{q('status')}, a.{q('published')}, "  # noqa: S608
        f"EXISTS (SELECT 1 FROM {round_articles} ra JOIN {rounds} r ON r.{q('id')} = "
        f"ra.{q('round_id')} WHERE ra.{q('article_id')} = a.{q('id')} AND r.{q('state')} = %s) "
        f"FROM {article} a WHERE a.{q('id')} IN ({marks}) ORDER BY a.{q('id')}"
    )
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE OF a"
    with connection.cursor() as cursor:
        cursor.execute(sql, [Round.State.OPEN, *ids])
        rows = cursor.fetchall()
    published = Article._meta.get_field("published")
    return [
        (pk, outlet, status, published.to_python(day), bool(in_round))
        for pk, outlet, status, day, in_round in rows
    ]


def _in_test_transaction(connection) -> bool:
    """Inside a test's wrapping transaction, which is rolled back, never committed
    (Django marks it so for the same reason: `durable` is relaxed inside it)."""
    return any(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def count_deltas_apply(delta: Counter) -> None:
    """Move the corpus version on and add `delta` to the counts, in one transaction (on
    SQLite, and inside a test's transaction, at the end of the outermost write)."""
    with transaction.atomic():
        corpus_changed()
        counts_add(delta)


def count_deltas_apply_committed(delta: Counter) -> None:
    """After a write commits (PostgreSQL): add `delta` to the counts, then move the corpus
    version on, each statement committing on its own. No row lock is then held while
    Python runs: in a transaction, a writer that lost its core between the version's
    UPDATE and the COMMIT held every other writer's version bump behind it. Each upsert
    takes its rows in key order, so writers never deadlock; the version moves last, so a
    page rendered in between is stale as soon as it moves."""
    counts_add(delta)
    corpus_changed_committed()


def count_deltas_add(delta: Counter) -> None:
    """A write's count delta: stored once its transaction commits (PostgreSQL), or now, at
    the end of the write (SQLite, a test's transaction). See `publishing.hooks`."""
    connection = transaction.get_connection()
    if connection.vendor == "sqlite" or _in_test_transaction(connection):
        count_deltas_apply(delta)
    else:
        transaction.on_commit(functools.partial(count_deltas_apply_committed, delta))


def _apply_pairs(*, removed: set[Pair], added: set[Pair]) -> None:
    """Delete and insert `ArticleFacet` rows: one DELETE per (article, audience, facet)."""
    groups: dict[tuple[int, str, str], list[int]] = {}
    for article_id, audience, facet, value_id in sorted(removed):
        groups.setdefault((article_id, audience, facet), []).append(value_id)
    for (article_id, audience, facet), values in groups.items():
        ArticleFacet.objects.filter(
            article_id=article_id, audience=audience, facet=facet, value_id__in=values
        ).delete()
    ArticleFacet.objects.bulk_create(
        ArticleFacet(article_id=article_id, audience=audience, facet=facet, value_id=value_id)
        for article_id, audience, facet, value_id in sorted(added)
    )
