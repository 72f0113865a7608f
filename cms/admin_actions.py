"""A ModelAdmin whose writes are the apps' durable actions.

Django's admin opens a transaction around a whole add, change or delete view
(`changeform_view`, `delete_view`) and then calls `save_model` / `delete_model` inside it.
Gloss's actions open their own durable transaction (`transaction.atomic(durable=True)`),
which refuses to run inside another, so these views run without Django's: the action is
the transaction, and a refused action writes nothing. The admin's own log entry
("Recent actions") is written after the action commits.

This module imports no app: every app's admin uses it.
"""

from cms.admin_lookups import CheckedLookupsAdmin


class ActionsAdmin(CheckedLookupsAdmin):
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        return self._delete_view(request, object_id, extra_context)


class RecordedWritesAdmin(ActionsAdmin):
    """An admin for rows with no rules beyond their fields' (outlets, organizations, tags),
    saved and deleted by the actions its subclass names: `save_action(obj, actor=...,
    via=...)`, `delete_action(obj, ...)` and `delete_many_action(objects, ...)` (a bulk
    delete, all or none)."""

    save_action = None
    delete_action = None
    delete_many_action = None

    def save_model(self, request, obj, form, change):
        self.save_action(obj, actor=request.user, via="admin")

    def delete_model(self, request, obj):
        self.delete_action(obj, actor=request.user, via="admin")

    def delete_queryset(self, request, queryset):
        self.delete_many_action(list(queryset), actor=request.user, via="admin")
