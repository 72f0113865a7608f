"""Full-text index on passages (PostgreSQL only) and the first count of the facets.

The index expression is exactly what `SearchVector("exact", "note", config="english")`
compiles to, so `AnnotationQuerySet.search()` uses it. Built CONCURRENTLY (hence a
non-atomic migration) so a live archive keeps taking writes meanwhile. SQLite searches
with LIKE and gets no index.
"""

from django.db import migrations

SEARCH_INDEX = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS annotations_annotation_search ON "
    "annotations_annotation USING gin (to_tsvector('english'::regconfig, "
    "COALESCE(exact, '') || ' ' || COALESCE(note, '')))"
)


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEARCH_INDEX)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS annotations_annotation_search")


# The facet counts as `annotations.facets` computed them when this migration was written,
# frozen here as SQL over the tables of that time (a migration must not run live code).
PUBLIC_ARTICLE = "a.status = 'published'"
PUBLIC_PASSAGE = "p.status = 'published' AND a.status = 'published'"
PASSAGES = "annotations_annotation p JOIN articles_article a ON a.id = p.article_id"
TAGGED = (
    "annotations_taggedannotation t JOIN annotations_annotation p ON p.id = t.content_object_id "
    "JOIN articles_article a ON a.id = p.article_id"
)


def pairs(facet: str, public: bool) -> str:
    """(article_id, value_id) of each article counting toward a tag or organization."""
    if facet == "tag":
        return f"SELECT DISTINCT p.article_id AS a, t.tag_id AS v FROM {TAGGED}" + (
            f" WHERE {PUBLIC_PASSAGE}" if public else ""
        )
    mentions = (
        "SELECT m.article_id AS a, m.organization_id AS v FROM articles_article_organizations m "
        "JOIN articles_article a ON a.id = m.article_id"
    )
    attributed = (
        f"SELECT p.article_id, p.organization_id FROM {PASSAGES} "
        "WHERE p.organization_id IS NOT NULL"
    )
    if public:
        mentions += f" WHERE {PUBLIC_ARTICLE}"
        attributed += f" AND {PUBLIC_PASSAGE}"
    return f"{mentions} UNION {attributed}"


def count_statements(audience: str) -> list[str]:
    public = audience == "public"
    article_where = f" WHERE {PUBLIC_ARTICLE}" if public else ""
    passage_and = f" AND {PUBLIC_PASSAGE}" if public else ""
    passage_where = f" WHERE {PUBLIC_PASSAGE}" if public else ""
    selects = [
        (
            "articles",
            "outlet",
            f"SELECT a.outlet_id, COUNT(*) FROM articles_article a"
            f"{article_where} GROUP BY a.outlet_id",
        ),
        (
            "articles",
            "total",
            f"SELECT 0, COUNT(*) FROM articles_article a{article_where} HAVING COUNT(*) > 0",
        ),
        (
            "passages",
            "outlet",
            f"SELECT a.outlet_id, COUNT(*) FROM {PASSAGES}{passage_where} GROUP BY a.outlet_id",
        ),
        (
            "passages",
            "total",
            f"SELECT 0, COUNT(*) FROM {PASSAGES}{passage_where} HAVING COUNT(*) > 0",
        ),
        (
            "passages",
            "organization",
            f"SELECT p.organization_id, COUNT(*) FROM {PASSAGES} "
            f"WHERE p.organization_id IS NOT NULL{passage_and} GROUP BY p.organization_id",
        ),
        (
            "passages",
            "tag",
            f"SELECT t.tag_id, COUNT(*) FROM {TAGGED}{passage_where} GROUP BY t.tag_id",
        ),
        (
            "articles",
            "organization",
            f"SELECT s.v, COUNT(*) FROM ({pairs('organization', public)}) s GROUP BY s.v",
        ),
        ("articles", "tag", f"SELECT s.v, COUNT(*) FROM ({pairs('tag', public)}) s GROUP BY s.v"),
    ]
    return [
        'INSERT INTO annotations_facetcount (listing, audience, facet, value_id, "count") '
        f"SELECT '{listing}', '{audience}', '{facet}', c.* FROM ({select}) c"
        for listing, facet, select in selects
    ]


def count_facets(apps, schema_editor):
    # Archives that already hold passages get their counts once; later the write
    # services keep them.
    Annotation = apps.get_model("annotations", "Annotation")
    Article = apps.get_model("articles", "Article")
    if Annotation.objects.exists() or Article.objects.exists():
        schema_editor.execute("DELETE FROM annotations_facetcount")
        for audience in ("staff", "public"):
            for statement in count_statements(audience):
                schema_editor.execute(statement)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("annotations", "0003_facet_counts"),
        ("articles", "0002_search_index"),
    ]

    operations = [
        migrations.RunPython(create_search_index, drop_search_index, elidable=True),
        migrations.RunPython(count_facets, migrations.RunPython.noop, elidable=True),
    ]
