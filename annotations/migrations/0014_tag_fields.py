"""Typed fields per tag (issue 19): `TagField` definitions and `Annotation.fields` values."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('annotations', '0013_tag_codebook'),
    ]

    operations = [
        migrations.AddField(
            model_name='annotation',
            name='fields',
            field=models.JSONField(blank=True, db_default={}, default=dict, help_text='Values of its tags\' fields: {"<tag slug>.<field>": canonical text}.'),
        ),
        migrations.CreateModel(
            name='TagField',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text="Its key after the tag's slug: statistic.<name>.", max_length=50, validators=[django.core.validators.RegexValidator('^[a-z0-9_-]+$', 'Use lower-case letters, digits, - and _ only (no dots).', code='invalid_field_name')])),
                ('label', models.CharField(blank=True, help_text='Shown in forms and pages.', max_length=100)),
                ('kind', models.CharField(choices=[('number', 'Number'), ('integer', 'Whole number'), ('text', 'Text'), ('organization', 'Organization')], default='text', max_length=16)),
                ('required', models.BooleanField(default=False, help_text='Every passage with this tag must fill it.')),
                ('minimum', models.FloatField(blank=True, help_text='Numbers only, inclusive.', null=True)),
                ('maximum', models.FloatField(blank=True, help_text='Numbers only, inclusive.', null=True)),
                ('position', models.PositiveIntegerField(default=0)),
                ('tag', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='fields', to='annotations.tag')),
            ],
            options={
                'verbose_name': 'tag field',
                'ordering': ['tag_id', 'position', 'name'],
                'constraints': [models.UniqueConstraint(fields=('tag', 'name'), name='annotations_tagfield_unique', violation_error_code='duplicate_field', violation_error_message='This tag already has a field of that name.'), models.CheckConstraint(condition=models.Q(('minimum__isnull', True), ('maximum__isnull', True), ('minimum__lte', models.F('maximum')), _connector='OR'), name='annotations_tagfield_minimum_below_maximum', violation_error_code='minimum_above_maximum', violation_error_message='The minimum must not exceed the maximum.'), models.CheckConstraint(condition=models.Q(('kind__in', frozenset(['integer', 'number'])), models.Q(('minimum__isnull', True), ('maximum__isnull', True)), _connector='OR'), name='annotations_tagfield_bounds_on_numbers', violation_error_code='bounds_on_numbers_only', violation_error_message='Only number and whole-number fields have bounds.')],
            },
        ),
    ]
