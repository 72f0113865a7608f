"""Passages keep their full-text vector in a stored generated column (PostgreSQL only).

`search_vector` is exactly what `SearchVector("exact", "note", config="english")`
computes, kept by PostgreSQL on every insert and update, and indexed with GIN in place
of the expression index of 0004. With the vector stored, testing a row costs
microseconds instead of a `to_tsvector` call, so a common word is found by reading the
table in order up to the page's bound instead of building the index's bitmap of every
match first (see `articles.models.text_search`). Django does not declare the column: it
is never selected or written, and SQLite has none (it searches with LIKE).

Adding a stored column rewrites the table under an exclusive lock (about 3 minutes for
a million passages on a 2-core machine); the index is then built CONCURRENTLY, so
writes resume before it is done.
"""

from django.db import migrations

VECTOR = (
    "to_tsvector('english'::regconfig, COALESCE(exact, '') || ' ' || COALESCE(note, ''))"
)


def add_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE annotations_annotation ADD COLUMN IF NOT EXISTS search_vector tsvector "
        f"GENERATED ALWAYS AS ({VECTOR}) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS annotations_annotation_search_vector "
        "ON annotations_annotation USING gin (search_vector)"
    )
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS annotations_annotation_search")
    # The planner picks between the index and the table by the words' statistics.
    schema_editor.execute("ANALYZE annotations_annotation")


def drop_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS annotations_annotation_search "
        f"ON annotations_annotation USING gin ({VECTOR})"
    )
    schema_editor.execute(
        "DROP INDEX CONCURRENTLY IF EXISTS annotations_annotation_search_vector"
    )
    schema_editor.execute("ALTER TABLE annotations_annotation DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("annotations", "0006_article_facets")]

    operations = [migrations.RunPython(add_vector, drop_vector, elidable=True)]
