"""Organization names and aliases get documented lengths (README: Limits).

A name is at most 200 characters (it was 300): PostgreSQL's varchar enforces it, and a
check constraint makes SQLite, whose varchar does not, refuse longer ones too. Aliases are
checked by a validator (at most 50, each at most 200 characters); no database constraint
reads inside a JSON list on both databases.
"""

import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models

import articles.models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_search_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="organization",
            name="aliases",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Other names it goes by (acronyms, short forms); matched as whole words.",
                validators=[articles.models.validate_aliases],
            ),
        ),
        migrations.AlterField(
            model_name="organization",
            name="name",
            field=models.CharField(max_length=200),
        ),
        migrations.AddConstraint(
            model_name="organization",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("name"), 200
                ),
                name="articles_organization_name_length",
            ),
        ),
    ]
