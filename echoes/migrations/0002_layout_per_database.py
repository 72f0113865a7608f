"""The echo index in each database's own layout (`echoes.models`): one row per article
with arrays under a GIN index on PostgreSQL, one row per fingerprint on SQLite, 32-bit
hashes on both.

The index is derived data: the old table is dropped and the new one starts empty;
`echoes.apps` rebuilds it from the bodies once every migration has run (the schema then
matches the code that rebuilds it), as `manage.py reindex_echoes` would.
"""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models

GIN_INDEX = "echoes_printset_hashes"


def gin_index(apps, schema_editor):
    """The GIN index over `PrintSet.hashes`, on PostgreSQL (SQLite has no such index; its
    layout is the `Fingerprint` rows and their B-tree)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX "{GIN_INDEX}" ON "echoes_printset" USING gin ("hashes")'
        )


def no_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{GIN_INDEX}"')


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_text_lengths"),
        ("echoes", "0001_initial"),
    ]

    operations = [
        migrations.DeleteModel(name="Fingerprint"),
        migrations.CreateModel(
            name="Fingerprint",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "article",
                        "start",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("hash", models.IntegerField(db_index=True)),
                ("start", models.PositiveIntegerField()),
                (
                    "article",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="fingerprints",
                        to="articles.article",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="PrintSet",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="print_set",
                        serialize=False,
                        to="articles.article",
                    ),
                ),
                ("hashes", django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(), size=None)),
                ("starts", django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(), size=None)),
            ],
        ),
        migrations.RunPython(gin_index, no_gin_index),
    ]
