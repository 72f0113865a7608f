from django.apps import AppConfig

import audit


class RoundsConfig(AppConfig):
    name = "rounds"
    verbose_name = "Coding rounds"

    def ready(self):
        from rounds.models import Adjudication, DoneMark, Round

        audit.register(
            Round,
            related=lambda round_: {
                "articles": sorted(round_.articles.values_list("pk", flat=True)),
                "coders": sorted(round_.coders.values_list("username", flat=True)),
                "tags": sorted(round_.tags.values_list("slug", flat=True)),
            },
        )
        audit.register(DoneMark)
        audit.register(
            Adjudication,
            related=lambda decision: {
                "sources": sorted(decision.sources.values_list("pk", flat=True))
            },
        )
