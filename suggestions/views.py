"""`/workspace/suggestions/`: how often coders accepted and dismissed each kind (editors)."""

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.views.generic import TemplateView

from suggestions.models import SuggestionDecision
from suggestions.presenters import kind_rows


class SuggestionCountsView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "annotations.edit_any_annotation"  # editors
    template_name = "suggestions/counts.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = kind_rows(SuggestionDecision.objects.tallies())
        return context
