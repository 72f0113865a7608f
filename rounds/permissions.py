"""Who may run coding rounds, code in them and read their agreement (the pages and the
actions ask the same functions)."""


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_manage_rounds(user) -> bool:
    """Editors (whoever may change any passage) create, change, adjudicate and close."""
    return _active(user) and user.has_perm("annotations.edit_any_annotation")


def can_code(user) -> bool:
    """A coder is an annotator: an active staff account that may create passages."""
    return _active(user) and user.is_staff and user.has_perm("annotations.add_annotation")


def can_read_agreement(user, round_, coder_ids) -> bool:
    """Editors always; the round's coders once it is closed, or at any time if it is open
    (not blind). `coder_ids`: the round's coders' ids, which the caller has read."""
    if can_manage_rounds(user):
        return True
    if not _active(user) or user.pk not in coder_ids:
        return False
    return not round_.blind or not round_.is_open
