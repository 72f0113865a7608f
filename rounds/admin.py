"""Coding rounds in the admin: an open round's name, instructions, blindness, articles,
coders and tags are changed through `round_update` (as on the round pages); rounds are
created, adjudicated and closed on the round pages, and deleted by nobody (a round is a
record of how a consensus was reached)."""

from django.contrib import admin
from django.core.exceptions import ValidationError

from cms.admin_actions import ActionsAdmin
from cms.admin_lookups import CheckedLookupsAdmin
from rounds.actions import round_update
from rounds.models import Adjudication, Round
from rounds.permissions import can_manage_rounds


@admin.register(Round)
class RoundAdmin(ActionsAdmin):
    list_display = ["name", "state", "blind", "created_by", "created", "closed"]
    list_filter = ["state", "blind"]
    list_select_related = ["created_by"]
    search_fields = ["name"]
    fields = [
        "name",
        "instructions",
        "blind",
        "articles",
        "coders",
        "tags",
        "state",
        "closed",
        "coder_passages",
        "agreement",
        "created_by",
    ]
    filter_horizontal = ["articles", "coders", "tags"]
    readonly_fields = ["state", "closed", "coder_passages", "agreement", "created_by"]

    def has_add_permission(self, request):
        return False  # rounds are opened on the round pages (`round_create`)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return can_manage_rounds(request.user) and (obj is None or obj.is_open)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or can_manage_rounds(request.user)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or can_manage_rounds(request.user)

    def save_model(self, request, obj, form, change):
        """Nothing here: the round and its members are saved together in `save_related`."""

    def save_related(self, request, form, formsets, change):
        data = form.cleaned_data
        try:
            round_update(
                round=Round.objects.get(pk=form.instance.pk),
                editor=request.user,
                name=data["name"],
                instructions=data["instructions"],
                blind=data["blind"],
                articles=data["articles"],
                coders=data["coders"],
                tags=data["tags"],
                via="admin",
            )
        except ValidationError as error:
            # The form was valid; the action's rules (two coders...) are reported as the
            # admin reports a refused action elsewhere: a message, nothing written.
            self.message_user(request, " ".join(error.messages), level="error")


@admin.register(Adjudication)
class AdjudicationAdmin(CheckedLookupsAdmin):
    list_display = ["__str__", "decision", "decided_by", "decided"]
    list_filter = ["decision"]
    list_select_related = ["decided_by"]
    readonly_fields = [
        "round",
        "article",
        "decision",
        "passage",
        "sources",
        "sources_snapshot",
        "decided_by",
    ]

    def has_add_permission(self, request):
        return False  # decisions are taken on the adjudication page

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or can_manage_rounds(request.user)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or can_manage_rounds(request.user)
