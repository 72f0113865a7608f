"""The derived tables move to the `publishing` app: here they leave this app's state.

The tables themselves are renamed, with their rows, by `publishing.0001_initial`.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0007_passage_search_vector"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ArticleFacet"),
                migrations.DeleteModel(name="CorpusVersion"),
                migrations.DeleteModel(name="FacetCount"),
            ],
        ),
    ]
