"""Who may change, delete and restore passages (the admin, the API, the workspace and the
actions ask the same functions)."""


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_edit(user, annotation) -> bool:
    """Editors change any passage; annotators only their own."""
    if not _active(user):
        return False
    if user.has_perm("annotations.edit_any_annotation"):
        return True
    return annotation.annotator_id == user.pk and user.has_perm("annotations.change_annotation")


def can_delete(user, annotation) -> bool:
    if not _active(user):
        return False
    if user.has_perm("annotations.edit_any_annotation"):
        return user.has_perm("annotations.delete_annotation")
    return annotation.annotator_id == user.pk and user.has_perm("annotations.delete_annotation")


def can_restore(user) -> bool:
    """Editors only: restoring rewrites (or resurrects) another person's passage."""
    return bool(
        _active(user)
        and user.has_perm("annotations.edit_any_annotation")
        and user.has_perm("annotations.add_annotation")
    )
