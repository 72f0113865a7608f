"""Passages get `adjudicated`: a coding round's consensus passage (issue 16)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0011_text_lengths"),
    ]

    operations = [
        migrations.AddField(
            model_name="annotation",
            name="adjudicated",
            field=models.BooleanField(
                db_default=False,
                default=False,
                help_text="A coding round's consensus passage (`rounds.Adjudication` says from what).",
            ),
        ),
    ]
