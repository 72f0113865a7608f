from django.apps import AppConfig
from django.db.models.signals import post_migrate


class EchoesConfig(AppConfig):
    name = "echoes"
    verbose_name = "Echoes"

    def ready(self):
        post_migrate.connect(rebuild_when_empty, sender=self)


def rebuild_when_empty(using="default", **kwargs):
    """After `migrate`: an empty echo index beside articles with bodies is rebuilt (a
    migration that changed the index's layout leaves it empty; it is derived data). Runs
    once every migration has, so the schema matches the code that rebuilds it."""
    from articles.models import Article
    from echoes import store
    from echoes.index import reindex_all

    if using == "default" and store.is_empty() and Article.objects.exclude(body="").exists():
        articles, rows = reindex_all()
        if kwargs.get("verbosity", 1):
            print(f"  Rebuilt the echo index: {rows} fingerprints of {articles} articles.")
