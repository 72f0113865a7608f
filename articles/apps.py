from django.apps import AppConfig

import audit


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from articles.models import Article, Organization, Outlet

        # An article's body lives in its immutable revisions, not in every snapshot.
        audit.register(
            Article,
            skip={"body"},
            related=_mentioned,
        )
        audit.register(Organization)
        audit.register(Outlet)


def _mentioned(article) -> dict:
    """The article's mentioned organizations' ids, from its prefetch when it has one (a
    bulk import sets it: no query per article)."""
    cached = getattr(article, "_prefetched_objects_cache", {}).get("organizations")
    if cached is not None:
        return {"organizations": sorted(o.pk for o in cached)}
    return {"organizations": sorted(article.organizations.values_list("pk", flat=True))}
