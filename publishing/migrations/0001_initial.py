"""The derived tables, moved here from `annotations` with their rows.

The model state is created here (and removed by `annotations.0008`); in the database the
tables are renamed, which SQLite and PostgreSQL both do in place, keeping rows, indexes
and constraints (whose names still begin with `annotations_`).
"""

import django.db.models.deletion
from django.db import migrations, models

TABLES = ("facetcount", "articlefacet", "corpusversion")


def rename(old: str, new: str) -> str:
    return f'ALTER TABLE "{old}" RENAME TO "{new}"'


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("annotations", "0008_derived_tables_to_publishing"),
        ("articles", "0002_search_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    rename(f"annotations_{table}", f"publishing_{table}"),
                    rename(f"publishing_{table}", f"annotations_{table}"),
                )
                for table in TABLES
            ],
            state_operations=[
                migrations.CreateModel(
                    name="FacetCount",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "listing",
                            models.CharField(
                                choices=[("passages", "Passages"), ("articles", "Articles")],
                                max_length=16,
                            ),
                        ),
                        (
                            "audience",
                            models.CharField(
                                choices=[("public", "Public"), ("staff", "Staff")], max_length=16
                            ),
                        ),
                        (
                            "facet",
                            models.CharField(
                                choices=[
                                    ("tag", "Tag"),
                                    ("outlet", "Outlet"),
                                    ("organization", "Organization"),
                                    ("total", "Total"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("value_id", models.BigIntegerField()),
                        ("count", models.BigIntegerField(default=0)),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("listing", "audience", "facet", "value_id"),
                                name="annotations_facetcount_unique",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="CorpusVersion",
                    fields=[
                        (
                            "id",
                            models.PositiveSmallIntegerField(
                                default=1, editable=False, primary_key=True, serialize=False
                            ),
                        ),
                        ("version", models.PositiveBigIntegerField(default=0)),
                    ],
                    options={
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("id", 1)),
                                name="annotations_corpusversion_one_row",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ArticleFacet",
                    fields=[
                        (
                            "pk",
                            models.CompositePrimaryKey(
                                "article",
                                "audience",
                                "facet",
                                "value_id",
                                blank=True,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        (
                            "audience",
                            models.CharField(
                                choices=[("public", "Public"), ("staff", "Staff")], max_length=16
                            ),
                        ),
                        (
                            "facet",
                            models.CharField(
                                choices=[
                                    ("tag", "Tag"),
                                    ("outlet", "Outlet"),
                                    ("organization", "Organization"),
                                    ("total", "Total"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("value_id", models.BigIntegerField()),
                        (
                            "article",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="articles.article",
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("facet__in", ["tag", "organization"])),
                                name="annotations_articlefacet_facet",
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
