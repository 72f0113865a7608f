"""Tags nest: a tag may sit under a broader one (a codebook's hierarchy)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0009_annotation_source_id"),
    ]

    operations = [
        migrations.AddField(
            model_name="tag",
            name="parent",
            field=models.ForeignKey(
                blank=True,
                help_text="The broader code this one sits under (a codebook's nesting).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="children",
                to="annotations.tag",
            ),
        ),
    ]
