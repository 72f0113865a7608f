"""The maintained counts rebuilt from scratch: after bulk loads (a backup, the bench
corpus) or `manage.py recount_facets` if ever in doubt. The writes keep them current
otherwise (`publishing.counts`).

The whole archive is counted by the database: the `ArticleFacet` pairs first (one
INSERT ... SELECT), then every count grouped by what it counts, not by article, so a
million passages come back as a few thousand rows. The articles listing's tag and
organization counts and the co-occurrence cells are counted from the pairs just
written. The result is what `publishing.counts.contributions()` (the articles' own
contributions, summed in Python) gives; the tests compare both.
"""

from collections import Counter

from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from annotations.models import Annotation, TaggedAnnotation
from articles.models import Article
from articles.visibility import PUBLISHED
from publishing.counts import counts_add
from publishing.cross_cells import cell_add
from publishing.models import ArticleFacet, CrossCount, FacetCount
from publishing.passage_delta import month_number
from publishing.version import corpus_changed
from rounds.models import Round, open_round_passage_q

T = CrossCount.Table


@transaction.atomic
def facet_counts_rebuild() -> None:
    """Recount every facet from scratch (inside the caller's write, or on its own)."""
    corpus_changed()
    FacetCount.objects.all().delete()
    CrossCount.objects.all().delete()
    article_facets_rebuild()
    counts_add(archive_counts())
    CrossCount.objects.bulk_create(
        CrossCount(audience=audience, table=T.BUILT, row_key=0, col_key=0)
        for audience in FacetCount.Audience.values
    )


def archive_counts() -> Counter:
    """Every count and cell of the whole archive, keyed as `publishing.counts.tally()`
    keys them; reads the `ArticleFacet` pairs, so those must be current."""
    L, A, Fc = FacetCount.Listing, FacetCount.Audience, FacetCount.Facet
    counts: Counter = Counter()

    def add(listing, facet, value_id, n, public):
        counts[(listing, A.STAFF, facet, value_id)] += n
        if public:
            counts[(listing, A.PUBLIC, facet, value_id)] += n

    def cross(table, row, col, n, public):
        cell_add(counts, A.STAFF, table, row, col, n)
        if public:
            cell_add(counts, A.PUBLIC, table, row, col, n)

    articles = Article.objects.order_by().values_list("outlet_id", "status")
    for outlet_id, status, n in articles.annotate(n=Count("pk")):
        add(L.ARTICLES, Fc.OUTLET, outlet_id, n, status == PUBLISHED)
        add(L.ARTICLES, Fc.TOTAL, 0, n, status == PUBLISHED)

    # Each table grouped by its own axes and what decides who sees a passage (a few
    # values), streamed: grouped by every axis at once, 100k passages gave 100k groups.
    def grouped(queryset, prefix: str, *axes: str):
        visibility = (f"{prefix}status", f"{prefix}article__status", "in_round")
        rows = queryset.values_list(*axes, *visibility).annotate(n=Count("pk"))
        for *keys, status, article_status, in_round, n in rows.iterator(chunk_size=5000):
            public = status == PUBLISHED and article_status == PUBLISHED and not in_round
            yield *keys, n, public

    passages = Annotation.objects.order_by().annotate(
        in_round=open_round_passage_q() & Q(adjudicated=False)
    )
    for outlet_id, n, public in grouped(passages, "", "article__outlet_id"):
        add(L.PASSAGES, Fc.OUTLET, outlet_id, n, public)
        add(L.PASSAGES, Fc.TOTAL, 0, n, public)
    attributed = passages.filter(organization__isnull=False)
    for org_id, n, public in grouped(attributed, "", "organization_id"):
        add(L.PASSAGES, Fc.ORGANIZATION, org_id, n, public)
    tagged = TaggedAnnotation.objects.order_by().annotate(
        in_round=open_round_passage_q(prefix="content_object__")
        & Q(content_object__adjudicated=False),
        month=TruncMonth("content_object__article__published"),
    )
    p = "content_object__"
    for tag_id, outlet_id, n, public in grouped(tagged, p, "tag_id", f"{p}article__outlet_id"):
        add(L.PASSAGES, Fc.TAG, tag_id, n, public)
        cross(T.TAG_OUTLET, tag_id, outlet_id, n, public)
    for month, tag_id, n, public in grouped(tagged, p, "month", "tag_id"):
        cross(T.MONTH_TAG, month_number(month), tag_id, n, public)
    tagged = tagged.filter(content_object__organization__isnull=False)
    for org_id, tag_id, n, public in grouped(tagged, p, f"{p}organization_id", "tag_id"):
        cross(T.ORGANIZATION_TAG, org_id, tag_id, n, public)
    # The articles listing's tag and organization counts: one per pair.
    pairs = ArticleFacet.objects.order_by().values_list("audience", "facet", "value_id")
    for audience, facet, value_id, n in pairs.annotate(n=Count("article_id")):
        counts[(L.ARTICLES, audience, facet, value_id)] += n
    # Articles holding both tags of a pair, per audience: the pairs joined on the article.
    q = connection.ops.quote_name
    table = q(ArticleFacet._meta.db_table)
    article, audience, facet, value = (
        q(c) for c in ("article_id", "audience", "facet", "value_id")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.{audience}, a.{value}, b.{value}, COUNT(*) FROM {table} a "  # noqa: S608
            f"JOIN {table} b ON b.{article} = a.{article} AND b.{audience} = a.{audience} "
            f"AND b.{facet} = %s WHERE a.{facet} = %s GROUP BY 1, 2, 3",
            [Fc.TAG.value, Fc.TAG.value],
        )
        for who, a, b, n in cursor.fetchall():
            cell_add(counts, who, T.COOCCURRENCE, a, b, n)
    return counts


def article_facets_rebuild() -> None:
    """Every `ArticleFacet` row afresh, in one INSERT ... SELECT (no rows through Python).

    The same pairs as `tally()` gives, written by the database: a million passages give
    over two million pairs, too many to build as Python objects.
    """
    # Every name below is a quoted table or column name, every value a choice constant.
    A, Fc = FacetCount.Audience, FacetCount.Facet
    q = connection.ops.quote_name
    passage = q(Annotation._meta.db_table)
    article = q(Article._meta.db_table)
    tagged = q(TaggedAnnotation._meta.db_table)
    mention = q(Article.organizations.through._meta.db_table)
    target = q(ArticleFacet._meta.db_table)
    published = f"'{PUBLISHED}'"  # a constant of ours, not input
    rounds = q(Round._meta.db_table)
    round_articles = q(Round.articles.through._meta.db_table)
    round_coders = q(Round.coders.through._meta.db_table)
    in_open_round = (
        # `rounds.models.open_round_passage_q`: the passage's coder codes its article in an
        # open round, so it stays off the public site (its consensus aside).
        f"EXISTS (SELECT 1 FROM {rounds} r "  # noqa: S608
        f"JOIN {round_articles} ra ON ra.{q('round_id')} = r.{q('id')} "
        f"JOIN {round_coders} rc ON rc.{q('round_id')} = r.{q('id')} "
        f"WHERE r.{q('state')} = '{Round.State.OPEN}' "
        f"AND ra.{q('article_id')} = p.{q('article_id')} "
        f"AND rc.{q('user_id')} = p.{q('annotator_id')})"
    )
    public_passage = (
        f"p.{q('status')} = {published} AND a.{q('status')} = {published} "
        f"AND (p.{q('adjudicated')} OR NOT {in_open_round})"
    )
    staff_tags = (
        f"SELECT DISTINCT p.{q('article_id')}, t.{q('tag_id')} FROM {tagged} t "  # noqa: S608
        f"JOIN {passage} p ON p.{q('id')} = t.{q('content_object_id')}"
    )
    public_tags = staff_tags + (
        f" JOIN {article} a ON a.{q('id')} = p.{q('article_id')} WHERE {public_passage}"
    )
    staff_orgs = (
        f"SELECT m.{q('article_id')}, m.{q('organization_id')} FROM {mention} m UNION "  # noqa: S608
        f"SELECT p.{q('article_id')}, p.{q('organization_id')} FROM {passage} p "
        f"WHERE p.{q('organization_id')} IS NOT NULL"
    )
    public_orgs = (
        f"SELECT m.{q('article_id')}, m.{q('organization_id')} FROM {mention} m "  # noqa: S608
        f"JOIN {article} a ON a.{q('id')} = m.{q('article_id')} "
        f"WHERE a.{q('status')} = {published} UNION "
        f"SELECT p.{q('article_id')}, p.{q('organization_id')} FROM {passage} p "
        f"JOIN {article} a ON a.{q('id')} = p.{q('article_id')} "
        f"WHERE p.{q('organization_id')} IS NOT NULL AND {public_passage}"
    )
    parts = [
        (A.STAFF, Fc.TAG, staff_tags),
        (A.PUBLIC, Fc.TAG, public_tags),
        (A.STAFF, Fc.ORGANIZATION, staff_orgs),
        (A.PUBLIC, Fc.ORGANIZATION, public_orgs),
    ]
    columns = ", ".join(q(c) for c in ("article_id", "value_id", "audience", "facet"))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Rebuilds follow bulk loads: with the statistics of the tables as they were
            # (empty, after a fresh migrate) the joins below ran as nested loops over
            # millions of rows. Only the joined columns: a whole-table ANALYZE also
            # recomputes the search index's to_tsvector over every sampled article body
            # (figures in README, Performance).
            cursor.execute(
                f"ANALYZE {passage} ({q('id')}, {q('article_id')}, {q('status')}, "
                f"{q('organization_id')}), {article} ({q('id')}, {q('status')}), "
                f"{tagged}, {mention}"
            )
        cursor.execute(f"DELETE FROM {target}")  # noqa: S608
        for audience, facet, select in parts:
            # The audience and facet are the choices' own constants, written as literals.
            cursor.execute(
                f"INSERT INTO {target} ({columns}) "  # noqa: S608
                f"SELECT s.*, '{audience}', '{facet}' FROM ({select}) s"
            )
