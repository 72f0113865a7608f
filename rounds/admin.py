"""Coding rounds in the admin: listed and inspected here; created, changed and closed
through the workspace's round pages, which call the round actions."""

from django.contrib import admin

from cms.admin_lookups import CheckedLookupsAdmin
from rounds.models import Adjudication, Round


@admin.register(Round)
class RoundAdmin(CheckedLookupsAdmin):
    list_display = ["name", "state", "blind", "created_by", "created", "closed"]
    list_filter = ["state", "blind"]
    list_select_related = ["created_by"]
    search_fields = ["name"]
    filter_horizontal = ["articles", "coders", "tags"]
    readonly_fields = ["state", "closed", "coder_passages", "agreement", "created_by"]

    def has_add_permission(self, request):
        return False  # rounds are created in the workspace (`round_create`)


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
