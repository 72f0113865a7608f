from django.apps import AppConfig

import audit


class SuggestionsConfig(AppConfig):
    name = "suggestions"
    verbose_name = "Suggestions"

    def ready(self):
        from suggestions.models import SuggestionDecision

        audit.register(SuggestionDecision)
