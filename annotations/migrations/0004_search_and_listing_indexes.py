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


def count_facets(apps, schema_editor):
    # Archives that already hold passages get their counts once; later the write
    # services keep them (annotations.facets).
    Annotation = apps.get_model("annotations", "Annotation")
    Article = apps.get_model("articles", "Article")
    if Annotation.objects.exists() or Article.objects.exists():
        from annotations.facets import facet_counts_recount_all

        # Not facet_counts_rebuild(): it bumps the corpus version, whose table comes later.
        facet_counts_recount_all()


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
