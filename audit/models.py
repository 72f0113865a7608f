"""The append-only history of every write to passages, articles, outlets, organizations, tags."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone


class HistoryRecordQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=obj.pk,
        )

    def for_model(self, model):
        return self.filter(content_type=ContentType.objects.get_for_model(model))

    def still_deleted(self, model):
        """Delete records of `model`'s rows that are still gone (newest first)."""
        return (
            self.for_model(model)
            .filter(action=HistoryRecord.Action.DELETE)
            .exclude(object_id__in=model._default_manager.values("pk"))
            .order_by("-created", "-id")
        )

    def for_listing(self):
        return self.select_related("actor", "content_type")


class HistoryRecord(models.Model):
    """One write to one row: who (`actor`, null for scripts without a user), when, what.

    `snapshot` is the row as JSON after the change (before it, for a delete): concrete
    fields by attribute name, with what the model's app registered (`audit.registry`):
    `tags` (slugs) for passages and `organizations` (ids) for articles; an article's body
    is not copied (its revisions hold every body).
    `changes` maps each changed field to `[old, new]` (empty for create and delete).
    `via` says which door the write came through. Rows are never changed or deleted.
    """

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"
        RESTORE = "restore", "Restored"

    class Via(models.TextChoices):
        ADMIN = "admin", "Admin"
        API = "api", "API (token)"
        WORKSPACE = "workspace", "Workspace"
        IMPORT = "import", "Import"
        REANCHOR = "reanchor", "Re-anchoring after a revision"
        ORPHAN_QUEUE = "orphan-queue", "Orphan queue"
        BACKUP = "backup", "Backup restore"
        COMMAND = "command", "Management command"
        OTHER = "other", "Other"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="history_records",
    )
    created = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=16, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    object_repr = models.CharField(max_length=200)
    snapshot = models.JSONField(default=dict)
    changes = models.JSONField(default=dict, blank=True)
    via = models.CharField(max_length=16, choices=Via.choices, default=Via.OTHER)

    objects = HistoryRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-created"], name="audit_object"),
            models.Index(fields=["-created"], name="audit_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["create", "update", "delete", "restore"]),
                name="audit_historyrecord_action_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"
