"""Coding rounds (issue 16): rounds with their articles, coders and tags in scope, the
coders' done marks, and the adjudications that make consensus passages."""

import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('annotations', '0012_annotation_adjudicated'),
        ('articles', '0003_text_lengths'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Round',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200)),
                ('instructions', models.TextField(blank=True)),
                ('blind', models.BooleanField(default=True, help_text="Coders see only their own passages on the round's articles until it closes.")),
                ('state', models.CharField(choices=[('open', 'Open'), ('closed', 'Closed')], default='open', max_length=16)),
                ('created', models.DateTimeField(auto_now_add=True)),
                ('modified', models.DateTimeField(auto_now=True)),
                ('closed', models.DateTimeField(blank=True, null=True)),
                ('coder_passages', models.CharField(blank=True, choices=[('draft', "Keep the coders' passages, as drafts"), ('delete', "Remove the coders' passages (their history stays)")], help_text="What closing the round did with the coders' own passages.", max_length=16)),
                ('agreement', models.JSONField(blank=True, help_text='The agreement as measured when the round closed (`rounds.agreement`).', null=True)),
                ('articles', models.ManyToManyField(related_name='rounds', to='articles.article')),
                ('coders', models.ManyToManyField(related_name='coding_rounds', to=settings.AUTH_USER_MODEL)),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rounds_created', to=settings.AUTH_USER_MODEL)),
                ('tags', models.ManyToManyField(related_name='rounds', to='annotations.tag')),
            ],
            options={
                'ordering': ['-created', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='DoneMark',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('marked', models.DateTimeField(auto_now_add=True)),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='articles.article')),
                ('coder', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('round', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='done_marks', to='rounds.round')),
            ],
        ),
        migrations.CreateModel(
            name='Adjudication',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decision', models.CharField(choices=[('keep', "Keep one coder's passage"), ('merge', 'Merge the passages'), ('edit', 'Edit the span'), ('reject', 'Reject')], max_length=16)),
                ('sources_snapshot', models.JSONField(blank=True, default=list)),
                ('decided', models.DateTimeField(auto_now_add=True)),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='articles.article')),
                ('decided_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('passage', models.OneToOneField(blank=True, help_text='The consensus passage (none for a rejection).', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='adjudication', to='annotations.annotation')),
                ('sources', models.ManyToManyField(blank=True, related_name='adjudications_from', to='annotations.annotation')),
                ('round', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='adjudications', to='rounds.round')),
            ],
            options={
                'ordering': ['round', 'article', 'pk'],
            },
        ),
        migrations.AddConstraint(
            model_name='round',
            constraint=models.CheckConstraint(condition=models.Q(('name', ''), _negated=True), name='rounds_round_name_not_empty'),
        ),
        migrations.AddConstraint(
            model_name='round',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('name'), 200), name='rounds_round_name_length'),
        ),
        migrations.AddConstraint(
            model_name='round',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('instructions'), 10000), name='rounds_round_instructions_length'),
        ),
        migrations.AddConstraint(
            model_name='round',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('closed__isnull', True), ('coder_passages', ''), ('state', 'open')), models.Q(('closed__isnull', False), ('state', 'closed'), models.Q(('coder_passages', ''), _negated=True)), _connector='OR'), name='rounds_round_closed_when_closed'),
        ),
        migrations.AddConstraint(
            model_name='donemark',
            constraint=models.UniqueConstraint(fields=('round', 'article', 'coder'), name='rounds_donemark_unique'),
        ),
    ]
