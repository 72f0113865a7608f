"""The corpus version that keys the cache of rendered public pages, and its one row."""

from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("annotations", "CorpusVersion").objects.get_or_create(pk=1)


class Migration(migrations.Migration):

    dependencies = [
        ('annotations', '0004_search_and_listing_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='CorpusVersion',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False)),
                ('version', models.PositiveBigIntegerField(default=0)),
            ],
            options={
                'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='annotations_corpusversion_one_row')],
            },
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
