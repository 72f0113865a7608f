"""Imported passages remember the id of the annotation they came from, so a re-import
updates them instead of adding copies (unique where set; empty for passages made here)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0008_derived_tables_to_publishing"),
    ]

    operations = [
        migrations.AddField(
            model_name="annotation",
            name="source_id",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="For an imported passage: the id of the annotation it came from (an IRI).",
                max_length=500,
            ),
        ),
        migrations.AddConstraint(
            model_name="annotation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("source_id", ""), _negated=True),
                fields=("source_id",),
                name="annotations_annotation_source_id_unique",
            ),
        ),
    ]
