from django.apps import AppConfig

import audit


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "Annotations"

    def ready(self):
        from annotations.actions.restore import annotation_restore
        from annotations.models import Annotation, Tag
        from annotations.permissions import can_restore

        audit.register(
            Annotation,
            related=lambda passage: {"tags": sorted(tag.slug for tag in passage.tags.all())},
            restorer=audit.Restorer(
                allowed=can_restore,
                restore=annotation_restore,
                summary=lambda passage: (
                    f"“{passage}” ({passage.get_anchor_status_display().lower()})"
                ),
            ),
        )
        audit.register(Tag)
