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
            related=lambda article: {
                "organizations": sorted(article.organizations.values_list("pk", flat=True))
            },
        )
        audit.register(Organization)
        audit.register(Outlet)
