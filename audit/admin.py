"""The history in the admin: read-only records, deleted passages, and restoring them.

Restoring is the owning app's action, found in the registry (`annotations` registers the
passage restore), so the history admin imports no app."""

import json

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from audit import registry
from audit.models import HistoryRecord
from cms.admin_lookups import CheckedLookupsAdmin


def _may_restore(user) -> bool:
    """Whether `user` may restore rows of some kind (the list pages' Restore buttons)."""
    return any(registry.restorer(model).allowed(user) for model in registry.restorable_models())


@admin.register(HistoryRecord)
class HistoryRecordAdmin(CheckedLookupsAdmin):
    """Every write, newest first. Nothing here can be added, changed or deleted."""

    list_display = ["created", "action", "content_type", "object_link", "actor", "via", "changed"]
    list_filter = ["action", "via", "content_type"]
    search_fields = ["object_repr"]
    list_select_related = ["actor", "content_type"]
    date_hierarchy = "created"
    show_full_result_count = False
    fields = [
        "created",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "actor",
        "via",
        "changes_json",
        "snapshot_json",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def lookup_allowed(self, lookup, value, request=None):
        # `?object_id=` narrows the list to one row's history (the passage "History" button).
        return lookup == "object_id" or super().lookup_allowed(lookup, value, request)

    @admin.display(description="Object", ordering="object_repr")
    def object_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:audit_historyrecord_change", args=[obj.pk]),
            obj.object_repr,
        )

    @admin.display(description="Changed fields")
    def changed(self, obj):
        return ", ".join(name for name in obj.changes if name != "restored_from")

    @admin.display(description="Changes (old → new)")
    def changes_json(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.changes, indent=2, ensure_ascii=False))

    @admin.display(description="Snapshot")
    def snapshot_json(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.snapshot, indent=2, ensure_ascii=False))

    def get_urls(self):
        return [
            path(
                "deleted-passages/",
                self.admin_site.admin_view(self.deleted_passages_view),
                name="audit_deleted_passages",
            ),
            path(
                "<int:pk>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="audit_historyrecord_restore",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_restore": _may_restore(request.user)}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, object_id)
        restorer = registry.restorer(record.content_type.model_class()) if record else None
        restorable = restorer is not None and restorer.allowed(request.user)
        extra_context = {**(extra_context or {}), "restorable": restorable}
        return super().change_view(request, object_id, form_url, extra_context)

    def deleted_passages_view(self, request):
        """Passages deleted and not restored since, each with its last state and a Restore."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        records = [
            record
            for model in registry.restorable_models()
            for record in HistoryRecord.objects.still_deleted(model).for_listing()[:500]
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": "Deleted passages",
            "opts": self.opts,
            "records": records,
            "can_restore": _may_restore(request.user),
        }
        return TemplateResponse(request, "admin/audit/deleted_passages.html", context)

    def restore_view(self, request, pk: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        record = get_object_or_404(HistoryRecord.objects.select_related("content_type"), pk=pk)
        restorer = registry.restorer(record.content_type.model_class())
        if restorer is None:
            if not _may_restore(request.user):
                raise PermissionDenied
            self.message_user(request, "Rows of this kind cannot be restored.", messages.ERROR)
            return redirect("admin:audit_historyrecord_change", pk)
        try:
            restored = restorer.restore(record=record, user=request.user)
        except PermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect("admin:audit_historyrecord_change", pk)
        self.message_user(request, f"Restored {restorer.summary(restored)}.", messages.SUCCESS)
        content_type = ContentType.objects.get_for_model(restored)
        return redirect(
            reverse("admin:audit_historyrecord_changelist")
            + f"?content_type__id__exact={content_type.pk}&object_id={restored.pk}"
        )
