"""Full-text index on articles (PostgreSQL only).

The expression is exactly what `SearchVector("title", "body", config="english")`
compiles to, so `ArticleQuerySet.search()` uses it. Built CONCURRENTLY (a non-atomic
migration) so a live archive keeps taking writes meanwhile; SQLite gets no index.
"""

from django.db import migrations

SEARCH_INDEX = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS articles_article_search ON "
    "articles_article USING gin (to_tsvector('english'::regconfig, "
    "COALESCE(title, '') || ' ' || COALESCE(body, '')))"
)


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEARCH_INDEX)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS articles_article_search")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("articles", "0001_initial")]

    operations = [
        migrations.RunPython(create_search_index, drop_search_index, elidable=True),
    ]
