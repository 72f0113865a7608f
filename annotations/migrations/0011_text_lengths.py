"""Notes and tag names get documented lengths (README: Limits), enforced by the database.

A note is at most 10,000 characters; a tag name at most 100, taggit's varchar(100), which
SQLite does not enforce by itself. Both counted in characters (code points), as
`length()` counts them on SQLite and PostgreSQL.
"""

import django.core.validators
import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0010_tag_parent"),
    ]

    operations = [
        migrations.AlterField(
            model_name="annotation",
            name="note",
            field=models.TextField(
                blank=True, validators=[django.core.validators.MaxLengthValidator(10000)]
            ),
        ),
        migrations.AddConstraint(
            model_name="annotation",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("note"), 10000
                ),
                name="annotations_annotation_note_length",
            ),
        ),
        migrations.AddConstraint(
            model_name="tag",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("name"), 100
                ),
                name="annotations_tag_name_length",
            ),
        ),
    ]
